"""Altair charts as pure functions of the projection frames (testable without a browser).

Colours are fixed and colour-blind safe: placement types use the colours in
``data/placement_types.csv`` (Okabe-Ito), legal stages use Paul Tol's "vibrant" scheme, and
scenarios use Okabe-Ito with the baseline in dashed grey. Tooltips show formatted values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import pandas as pd

from csc_model.scenario.config import load_placement_types
from csc_model.solvers.structure import STAGE_GROUP_LABELS, STAGE_GROUPS

from . import chart_templates as templates
from . import formatting as fmt

STAGE_COLOURS: dict[str, str] = {
    "s20": "#33BBEE",
    "proceedings": "#EE7733",
    "placement_order": "#009988",
    "care_order": "#0077BB",
}
# Stack from the bottom: long-term care first, newest arrivals on top.
STAGE_STACK = ("care_order", "placement_order", "proceedings", "s20")
SPEND_COLOUR = "#1F4E79"
BUDGET_COLOUR = "#000000"
BAND_COLOUR = "#7F7F7F"
INCREASE_COLOUR = "#D55E00"
DECREASE_COLOUR = "#0072B2"
COMBINED_COLOUR = "#999999"
BASELINE_COLOUR = "#595959"
SCENARIO_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
BASELINE_NAME = "Baseline (defaults)"

FONT_SIZE = 13
HEIGHT = 340
MONEY_AXIS = "(datum.value < 0 ? '-£' : '£') + format(abs(datum.value), ',.1~f') + 'm'"  # -£10m, not £−10m


def placement_colours() -> dict[str, str]:
    """Placement label -> colour, in display order (from data/placement_types.csv)."""
    return {p.label: p.colour for p in load_placement_types()}


def baseline_name(label: str | None = None) -> str:
    """The baseline's series name: "Baseline (defaults)", or "Baseline (<label>)" for a baseline the user chose."""
    return f"Baseline ({label})" if label else BASELINE_NAME


def scenario_colours(names: list[str], baseline: str = BASELINE_NAME) -> dict[str, str]:
    """Scenario name -> colour: the baseline (series ``baseline``) grey, the others Okabe-Ito in order."""
    out: dict[str, str] = {}
    others = iter(SCENARIO_COLOURS)
    for n in names:
        out[n] = BASELINE_COLOUR if n == baseline else next(others, "#000000")
    return out


# scenario names can be long (and up to five series): two columns, names in full
_SCENARIO_LEGEND = alt.Legend(columns=2, labelLimit=300, symbolLimit=0)


def _finish(chart: alt.TopLevelMixin, height: int | alt.Step = HEIGHT, legend: str = "bottom") -> alt.TopLevelMixin:
    """Common size and readable fonts (laptop and projector); the legend below or to the right."""
    # one configure() call: each Altair call copies the whole layered chart, which is most of a chart's cost
    return chart.properties(height=height).configure(
        axis=alt.AxisConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, grid=True, gridOpacity=0.4),
        legend=alt.LegendConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient=legend, labelLimit=320),
        view=alt.ViewConfig(strokeWidth=0),
    )


FY_START_LABELS = "month(datum.value) == 3 ? timeFormat(datum.value, '%-d %b %Y') : ''"
"""Label only the ticks on 1 April, where financial years begin: the cards count children on 31 March, and
"Jan 2027" beside them read as another date (second review)."""


def _month_axis() -> alt.X:
    """Months along x: a tick each quarter, labelled on 1 April ("1 Apr 2027")."""
    return alt.X(
        "period_end:T",
        title=None,
        axis=alt.Axis(
            labelExpr=FY_START_LABELS,
            labelAngle=0,
            labelOverlap=True,
            tickCount=alt.TimeIntervalStep(interval="month", step=3),
        ),
    )


def _stacked_parts(
    df: pd.DataFrame,
    key: str,
    labels: dict[str, str],
    colours: dict[str, str],
    stack_order: list[str],
    y_title: str,
    legend_columns: int = 2,
) -> tuple[tuple, pd.DataFrame]:
    """The stacked area's shape and its table (``children`` by series ``key`` over ``period_end``)."""
    data = df[["period_end", key, "children"]].copy()
    data["period_end"] = pd.to_datetime(data["period_end"])
    data["series_label"] = data[key].map(labels)
    order = {k: i for i, k in enumerate(stack_order)}
    data["stack_order"] = data[key].map(order).fillna(len(order))
    present = set(data[key])
    keys = tuple(k for k in labels if k in present)
    shape = (key, tuple(labels.items()), tuple((k, colours[k]) for k in labels), tuple(stack_order), keys, y_title)
    return shape + (legend_columns,), data


def _stacked_area(shape: tuple) -> alt.LayerChart:
    """Stacked area of ``children`` by series over ``period_end`` (dataset ``main``), with a hover rule listing
    every series.

    The hover rule pivots on the ids (safe field names) and shows the labels as titles.
    """
    key, label_items, colour_items, stack_order, keys, y_title, legend_columns = shape
    labels, colours = dict(label_items), dict(colour_items)
    hover = alt.selection_point(
        name="hover", fields=["period_end"], nearest=True, on="pointermove", empty=False, clear="pointerout"
    )
    area = (
        alt.Chart()
        .mark_area(opacity=0.9, line={"strokeWidth": 0.5, "color": "white"})
        .encode(
            x=_month_axis(),
            y=alt.Y("children:Q", stack="zero", title=y_title, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "series_label:N",
                title=None,
                scale=alt.Scale(domain=[labels[k] for k in labels], range=[colours[k] for k in labels]),
                legend=alt.Legend(columns=legend_columns, symbolType="square"),
            ),
            order=alt.Order("stack_order:Q", sort="ascending"),
        )
    )
    tooltip = [
        alt.Tooltip("period_end:T", title="Month end", format="%d %b %Y"),
        alt.Tooltip("total:Q", title="Total", format=",.0f"),
    ]
    tooltip += [alt.Tooltip(f"{k}:Q", title=labels[k], format=",.0f") for k in reversed(stack_order) if k in keys]
    rule = (
        alt.Chart()
        .transform_pivot(key, value="children", groupby=["period_end"])
        .transform_calculate(total=" + ".join(f"datum.{k}" for k in keys) or "0")
        .mark_rule(color="#333333", strokeWidth=1)
        .encode(
            x="period_end:T",
            opacity=alt.condition(hover, alt.value(0.7), alt.value(0)),
            tooltip=tooltip,
        )
        .add_params(hover)
    )
    return alt.layer(area, rule, data=alt.NamedData("main"))


def _stage_parts(stage_month: pd.DataFrame, band: pd.DataFrame | None = None) -> templates.Parts:
    area_shape, data = _stacked_parts(
        stage_month,
        "stage",
        {g: STAGE_GROUP_LABELS[g] for g in STAGE_GROUPS},
        STAGE_COLOURS,
        list(STAGE_STACK),
        "Children in care",
    )
    frames = {"main": data}
    if band is not None:
        b = band[["period_end", "children_in_care_p10", "children_in_care_p50", "children_in_care_p90"]].copy()
        b["period_end"] = pd.to_datetime(b["period_end"])
        b["band"] = "Range of outcomes, all stages (P10 to P90)"
        frames["band"] = b
    return (area_shape, band is not None), frames


def _stage_draw(shape: tuple) -> alt.TopLevelMixin:
    area_shape, with_band = shape
    chart = _stacked_area(area_shape)
    if with_band:
        band = alt.NamedData("band")
        shade = (
            alt.Chart(band)
            .mark_area(opacity=0.25, color=BAND_COLOUR)
            .encode(
                x="period_end:T",
                y="children_in_care_p10:Q",
                y2="children_in_care_p90:Q",
                tooltip=[
                    alt.Tooltip("period_end:T", title="Month end", format="%d %b %Y"),
                    alt.Tooltip("children_in_care_p10:Q", title="P10", format=",.0f"),
                    alt.Tooltip("children_in_care_p50:Q", title="Median", format=",.0f"),
                    alt.Tooltip("children_in_care_p90:Q", title="P90", format=",.0f"),
                ],
            )
        )
        edge = alt.Chart(band).mark_line(color="#333333", strokeDash=[4, 3], strokeWidth=1.5)
        lines = edge.encode(x="period_end:T", y="children_in_care_p10:Q") + edge.encode(
            x="period_end:T", y="children_in_care_p90:Q"
        )
        chart = alt.layer(chart, shade, lines)
    return _finish(chart)


@templates.templated(_stage_parts, _stage_draw)
def stage_chart(stage_month: pd.DataFrame, band: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Children in care by legal stage over time (stacked), optionally with the P10-P90 band of the total.

    ``stage_month`` is ``Result.by_stage("month")``; ``band`` is a monthly table with
    ``children_in_care_p10`` / ``_p50`` / ``_p90`` columns (a stochastic run).
    """
    return templates.assemble(_stage_draw, _stage_parts(stage_month, band))


def _money_frame(fy: pd.DataFrame) -> pd.DataFrame:
    # built from plain lists in one go: a new scenario's spend chart on the shared server
    period = fy["period"].tolist()
    spend, budget, pressure = (fy[c].astype(float).tolist() for c in ("spend_gbp", "budget_gbp", "pressure_gbp"))
    spend_m, budget_m = [v / 1e6 for v in spend], [v / 1e6 for v in budget]
    return pd.DataFrame(
        {
            "period": period,
            "spend_gbp": spend,
            "budget_gbp": budget,
            "pressure_gbp": pressure,
            "spend_m": spend_m,
            "budget_m": budget_m,
            "spend_text": [fmt.gbp(v) for v in spend],
            "budget_text": [fmt.gbp(v) for v in budget],
            "pressure_text": [fmt.gbp(v, signed=True) for v in pressure],
            "label": [fmt.gbp_short(v) for v in spend],
            # the pressure in words above each year, so it can be read across a room (not by colour alone)
            # (two short lines, amount then over / under, so that neighbouring years do not run together)
            "pressure_label": [
                f"{fmt.gbp_short(x)}\nover" if x > 0 else (f"{fmt.gbp_short(-x)}\nunder" if x < 0 else "on\nbudget")
                for x in pressure
            ],
            "pressure_sign": ["over" if x > 0 else "under" for x in pressure],
            "top_m": [max(a, b) for a, b in zip(spend_m, budget_m, strict=True)],
        }
    )


def _nice_top(value: float) -> float:
    """``value`` rounded up to two significant figures (the y-axis top, so charts share a template)."""
    if value <= 0:
        return 1.0
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step - 1e-9) * step


def _spend_parts(fy: pd.DataFrame, band: pd.DataFrame | None = None) -> templates.Parts:
    df = _money_frame(fy)
    frames = {"main": df}
    if band is not None and "spend_gbp_p90" in band:  # the labels go above the P90 whiskers too
        p90 = band.set_index("period")["spend_gbp_p90"] / 1e6
        df["top_m"] = [max(t, float(p90.get(p, 0.0))) for t, p in zip(df["top_m"], df["period"], strict=True)]
    top = float(df["top_m"].max()) if len(df) else 1.0
    if band is not None:
        b = band[["period", "spend_gbp_p10", "spend_gbp_p90"]].copy()
        b["p10_m"], b["p90_m"] = b["spend_gbp_p10"] / 1e6, b["spend_gbp_p90"] / 1e6
        b["p10_text"], b["p90_text"] = b["spend_gbp_p10"].map(fmt.gbp), b["spend_gbp_p90"].map(fmt.gbp)
        frames["band"] = b
    # room above the tallest bar for the pressure labels
    return (tuple(df["period"]), band is not None), frames, {"y_top": _nice_top(top * 1.22)}


def _spend_draw(shape: tuple) -> alt.TopLevelMixin:
    periods, with_band = shape
    series = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=["Placement spend", "Budget"], range=[SPEND_COLOUR, BUDGET_COLOUR]),
        legend=alt.Legend(symbolType="square"),
    )
    tooltip = [
        alt.Tooltip("period:N", title="Financial year"),
        alt.Tooltip("spend_text:N", title="Placement spend"),
        alt.Tooltip("budget_text:N", title="Budget"),
        alt.Tooltip("pressure_text:N", title="Pressure (+) or saving (-)"),
    ]
    x = alt.X("period:N", title="Financial year", sort=list(periods), axis=alt.Axis(labelAngle=0))
    main = alt.NamedData("main")
    base = alt.Chart(main).transform_calculate(series="'Placement spend'")
    bars = base.mark_bar(size=46).encode(
        x=x,
        y=alt.Y(
            "spend_m:Q",
            title="£ million",
            axis=alt.Axis(labelExpr=MONEY_AXIS),
            scale=alt.Scale(domain=[0, alt.ExprRef("y_top")], nice=False),
        ),
        color=series,
        tooltip=tooltip,
    )
    labels = (
        base.transform_calculate(mid="datum.spend_m / 2")
        .mark_text(fontSize=FONT_SIZE, color="#FFFFFF", fontWeight="bold")
        .encode(x=x, y="mid:Q", text="label:N")
    )
    budget = (
        alt.Chart(main)
        .transform_calculate(series="'Budget'")
        .mark_tick(thickness=3, size=64)
        .encode(x=x, y="budget_m:Q", color=series, tooltip=tooltip)
    )
    pressure = (
        alt.Chart(main)
        .mark_text(fontSize=FONT_SIZE, fontWeight="bold", dy=-22, lineBreak="\n", baseline="bottom")
        .encode(
            x=x,
            y="top_m:Q",
            text="pressure_label:N",
            color=alt.Color(
                "pressure_sign:N",
                scale=alt.Scale(domain=["over", "under"], range=[INCREASE_COLOUR, DECREASE_COLOUR]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    layers = [bars, budget, labels]
    if with_band:
        layers.append(
            alt.Chart(alt.NamedData("band"))
            .mark_rule(color=BAND_COLOUR, strokeWidth=2)
            .encode(
                x=x,
                y="p10_m:Q",
                y2="p90_m:Q",
                tooltip=[
                    alt.Tooltip("period:N", title="Financial year"),
                    alt.Tooltip("p10_text:N", title="Spend P10"),
                    alt.Tooltip("p90_text:N", title="Spend P90"),
                ],
            )
        )
    # the pressure labels' colours are their own scale, not the spend / budget legend's
    return _finish(
        alt.layer(alt.layer(*layers), pressure).resolve_scale(color="independent").add_params(templates.number("y_top"))
    )


@templates.templated(_spend_parts, _spend_draw)
def spend_budget_chart(fy: pd.DataFrame, band: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Placement spend by financial year (bars) against the budget (black marks).

    ``fy`` is ``Result.table("fy")``; ``band`` (optional) has ``spend_gbp_p10``/``_p90``.
    """
    return templates.assemble(_spend_draw, _spend_parts(fy, band))


def _placement_area_parts(placement_month: pd.DataFrame) -> templates.Parts:
    types = load_placement_types()
    shape, data = _stacked_parts(
        placement_month,
        "placement",
        {p.id: p.label for p in types},
        {p.id: p.colour for p in types},
        [p.id for p in types],
        "Children in care",
        legend_columns=1,
    )
    return shape, {"main": data}


def _placement_area_draw(shape: tuple) -> alt.TopLevelMixin:
    return _finish(_stacked_area(shape), legend="right")


@templates.templated(_placement_area_parts, _placement_area_draw)
def placement_area_chart(placement_month: pd.DataFrame) -> alt.TopLevelMixin:
    """Children by placement type over time (stacked), colours from placement_types.csv."""
    return templates.assemble(_placement_area_draw, _placement_area_parts(placement_month))


def placement_spend_chart(placement_fy: pd.DataFrame) -> alt.TopLevelMixin:
    """Placement spend by financial year, stacked by placement type."""
    colours = placement_colours()
    df = placement_fy[["period", "placement_label", "spend_gbp", "children"]].copy()
    df["spend_m"] = df["spend_gbp"] / 1e6
    df["spend_text"] = df["spend_gbp"].map(fmt.gbp)
    df["stack_order"] = df["placement_label"].map({n: i for i, n in enumerate(colours)})
    chart = (
        alt.Chart(df)
        .mark_bar(size=46)
        .encode(
            x=alt.X(
                "period:N", title="Financial year", sort=list(dict.fromkeys(df["period"])), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("spend_m:Q", title="£ million", stack="zero", axis=alt.Axis(labelExpr=MONEY_AXIS)),
            color=alt.Color(
                "placement_label:N",
                title=None,
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(columns=1, symbolType="square"),
            ),
            order=alt.Order("stack_order:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("period:N", title="Financial year"),
                alt.Tooltip("placement_label:N", title="Placement type"),
                alt.Tooltip("spend_text:N", title="Spend"),
                alt.Tooltip("children:Q", title="Children at 31 March", format=",.0f"),
            ],
        )
    )
    return _finish(chart, legend="right")


def _coarse(lo: float, hi: float) -> tuple[float, float]:
    """``lo`` down and ``hi`` up to a step of about a tenth of their span (so similar charts share a template)."""
    span = max(hi - lo, 1e-9)
    step = 10 ** math.floor(math.log10(span))
    if span / step < 3:
        step /= 5
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def _by_scenario(frames: Mapping[str, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """``columns`` of each scenario's frame, one under the other, with the scenario's name in ``scenario``."""
    return pd.concat([df[columns].assign(scenario=name) for name, df in frames.items()], ignore_index=True)


def _lines_parts(
    frames: Mapping[str, pd.DataFrame],
    column: str,
    y_title: str,
    money: bool = False,
    height: int = HEIGHT,
    baseline: str = BASELINE_NAME,
) -> templates.Parts:
    data = _by_scenario(frames, ["period_end", column])
    data["period_end"] = pd.to_datetime(data["period_end"])
    data["value_text"] = data[column].map(fmt.gbp_exact if money else fmt.children)
    lo, hi = float(data[column].min()), float(data[column].max())
    pad = max(hi - lo, 0.1 * abs(hi))
    domain = _coarse(max(0.0, lo - 0.15 * pad), hi + 0.05 * pad)
    shape = (tuple(frames), column, y_title, money, height, baseline, domain[0] > 0)
    return shape, {"main": data}, {"y_low": domain[0], "y_high": domain[1]}


def _lines_draw(shape: tuple) -> alt.TopLevelMixin:
    names, column, y_title, money, height, baseline, from_above_zero = shape
    names = list(names)
    colours = scenario_colours(names, baseline)
    chart = (
        alt.Chart(alt.NamedData("main"))
        .mark_line(strokeWidth=2.5)
        .encode(
            x=_month_axis(),
            y=alt.Y(
                f"{column}:Q",
                # two lines: on one, "(axis not from zer" was all a 260-pixel chart showed of it
                title=[y_title, "(axis not from zero)"] if from_above_zero else y_title,
                scale=alt.Scale(domain=[alt.ExprRef("y_low"), alt.ExprRef("y_high")], nice=True),
                axis=alt.Axis(format=",.0f", labelExpr="'£' + datum.label" if money else "datum.label"),
            ),
            color=alt.Color(
                "scenario:N",
                title=None,
                scale=alt.Scale(domain=names, range=[colours[n] for n in names]),
                legend=_SCENARIO_LEGEND,
            ),
            strokeDash=alt.StrokeDash(
                "scenario:N",
                title=None,
                scale=alt.Scale(domain=names, range=[[6, 4] if n == baseline else [1, 0] for n in names]),
                legend=_SCENARIO_LEGEND,
            ),
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("period_end:T", title="Month end", format="%d %b %Y"),
                alt.Tooltip("value_text:N", title=y_title),
            ],
        )
    )
    return _finish(chart.add_params(templates.number("y_low"), templates.number("y_high")), height)


@templates.templated(_lines_parts, _lines_draw)
def scenario_lines(
    frames: Mapping[str, pd.DataFrame],
    column: str,
    y_title: str,
    money: bool = False,
    height: int = HEIGHT,
    baseline: str = BASELINE_NAME,
) -> alt.TopLevelMixin:
    """One line per scenario over time (monthly frames), the baseline (series ``baseline``) dashed grey.

    ``frames`` maps a scenario name to ``Result.table("month")``; ``column`` is the measure. The axis
    does not start at zero: it spans the lines with a margin, so small differences can be seen.
    """
    return templates.assemble(_lines_draw, _lines_parts(frames, column, y_title, money, height, baseline))


def _fy_bars_parts(
    frames: Mapping[str, pd.DataFrame],
    column: str = "spend_gbp",
    title: str = "£ million",
    baseline: str = BASELINE_NAME,
) -> templates.Parts:
    data = _by_scenario(frames, ["period", column])
    data["value_m"] = data[column] / 1e6
    data["value_text"] = data[column].map(fmt.gbp)
    periods = tuple(dict.fromkeys(data["period"]))
    return (tuple(frames), periods, title, baseline), {"main": data}


def _fy_bars_draw(shape: tuple) -> alt.TopLevelMixin:
    names, periods, title, baseline = shape
    names = list(names)
    colours = scenario_colours(names, baseline)
    chart = (
        alt.Chart(alt.NamedData("main"))
        .mark_bar()
        .encode(
            x=alt.X("period:N", title="Financial year", sort=list(periods), axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("scenario:N", sort=names),
            y=alt.Y("value_m:Q", title=title, axis=alt.Axis(labelExpr=MONEY_AXIS)),
            color=alt.Color(
                "scenario:N",
                title=None,
                scale=alt.Scale(domain=names, range=[colours[n] for n in names]),
                legend=_SCENARIO_LEGEND,
            ),
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("period:N", title="Financial year"),
                alt.Tooltip("value_text:N", title="Amount"),
            ],
        )
    )
    return _finish(chart)


@templates.templated(_fy_bars_parts, _fy_bars_draw)
def scenario_fy_bars(
    frames: Mapping[str, pd.DataFrame],
    column: str = "spend_gbp",
    title: str = "£ million",
    baseline: str = BASELINE_NAME,
) -> alt.TopLevelMixin:
    """Grouped bars by financial year, one bar per scenario (money columns), the baseline grey."""
    return templates.assemble(_fy_bars_draw, _fy_bars_parts(frames, column, title, baseline))


def _drivers_parts(contrib: pd.DataFrame, column: str = "spend_gbp") -> templates.Parts:
    from .runner import INTERACTION

    money = column == "spend_gbp"
    df = contrib[["group", column]].copy()
    df["value"] = df[column] / 1e6 if money else df[column]
    df["direction"] = [
        "Combined effect" if g == INTERACTION else ("Adds" if v > 0 else "Saves" if money else "Fewer")
        for g, v in zip(df["group"], df[column], strict=True)
    ]
    if not money:
        df["direction"] = [
            d if d == "Combined effect" else ("More children" if v > 0 else "Fewer children")
            for d, v in zip(df["direction"], df[column], strict=True)
        ]
    df["text"] = df[column].map(lambda v: fmt.gbp_short(v, signed=True) if money else fmt.children(v, signed=True))
    # room beyond each bar's end for its label, outside the bar (a label inside a dark bar could not be read)
    lo, hi = min(0.0, float(df["value"].min())), max(0.0, float(df["value"].max()))
    pad = max(hi - lo, 1e-9) * 0.22
    numbers = {"x_low": lo - pad if lo < 0 else 0.0, "x_high": hi + pad if hi > 0 else 0.0}
    return (tuple(df["group"]), money), {"main": df, "zero": pd.DataFrame({"x": [0]})}, numbers


def _drivers_draw(shape: tuple) -> alt.TopLevelMixin:
    groups, money = shape
    domain = ["Adds", "Saves", "Combined effect"] if money else ["More children", "Fewer children", "Combined effect"]
    colours = [INCREASE_COLOUR, DECREASE_COLOUR, COMBINED_COLOUR]
    y = alt.Y("group:N", title=None, sort=list(groups), axis=alt.Axis(labelLimit=320))
    main = alt.NamedData("main")
    bars = (
        alt.Chart(main)
        .mark_bar(height=26)
        .encode(
            x=alt.X(
                "value:Q",
                title="£ million over the projection" if money else "Children in care at the end",
                axis=alt.Axis(labelExpr=MONEY_AXIS) if money else alt.Axis(format=",.0f"),
                scale=alt.Scale(domain=[alt.ExprRef("x_low"), alt.ExprRef("x_high")], nice=False, zero=True),
            ),
            y=y,
            color=alt.Color("direction:N", title=None, scale=alt.Scale(domain=domain, range=colours)),
            tooltip=[alt.Tooltip("group:N", title="Levers"), alt.Tooltip("text:N", title="Difference")],
        )
    )
    # each label just beyond its bar's end: right of a bar that adds, left of one that saves
    labels = alt.layer(
        *(
            alt.Chart(main)
            .transform_filter(test)
            .mark_text(align=align, dx=dx, fontSize=FONT_SIZE, color="#1A1A1A")
            .encode(x=alt.X("value:Q"), y=y, text="text:N")
            for test, align, dx in (("datum.value >= 0", "left", 5), ("datum.value < 0", "right", -5))
        )
    )
    zero = alt.Chart(alt.NamedData("zero")).mark_rule(color="#333333").encode(x="x:Q")
    # a step per lever group (a fixed pixel height put every bar on one row in Streamlit 1.67)
    chart = alt.layer(bars, labels, zero).add_params(templates.number("x_low"), templates.number("x_high"))
    return _finish(chart, height=alt.Step(44))


@templates.templated(_drivers_parts, _drivers_draw)
def drivers_chart(contrib: pd.DataFrame, column: str = "spend_gbp") -> alt.TopLevelMixin:
    """Horizontal bars: how much each lever group adds to (orange) or saves from (blue) the baseline.

    ``contrib`` comes from ``runner.lever_contributions``.
    """
    return templates.assemble(_drivers_draw, _drivers_parts(contrib, column))
