"""Big, simple charts for a councillor briefing, readable across a room.

Two charts: children in care (current trends against the scenario) and placement spending
against the budget by financial year. Each line is named by a label at its end instead of
a legend, and the lines differ by dash pattern and thickness as well as colour, so nothing
relies on colour alone. Each chart has a text alternative (:func:`children_chart_text`,
:func:`spend_chart_text`) for screen readers, the printed brief and anyone at the back of
the room.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from app_lib import chart_templates as templates
from csc_model.reporting.narrative import (
    Projection,
    changed_levers,
    children_at_start,
    fmt_children,
    fmt_money_gbp,
    month_year,
    over_budget,
    pressure_phrase,
    round_children,
    round_money_m,
)

# Okabe-Ito blue and neutral greys: colour-blind safe, at least 4.5:1 against white.
BLUE = "#0062A0"
GREY = "#5A5A5A"
BLACK = "#1A1A1A"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"

BASELINE_NAME = "Current trends"
SCENARIO_NAME = "With the changes"
BUDGET_NAME = "Budget"
BASE_BUDGET_NAME = "Budget on current trends"
"""Drawn only when the scenario changes the budget: each spending line then has its own budget."""

# (colour, dash pattern, line width) for each series: dashes and width differ, not just colour
STYLES: dict[str, tuple[str, list[int], float]] = {
    BASELINE_NAME: (GREY, [10, 6], 4.0),
    SCENARIO_NAME: (BLUE, [1, 0], 5.5),
    BUDGET_NAME: (BLACK, [3, 5], 4.0),
    BASE_BUDGET_NAME: ("#767676", [1, 5], 3.5),
}


@dataclass(frozen=True)
class ChartSize:
    """Pixel size and font size; the page uses ``SCREEN``, the printed brief ``PRINT``.

    ``width`` holds the lines and their end labels (the y axis comes on top); the page stretches
    it to its column. The end labels are kept inside it, in room sized to their text (:func:`label_room`).
    """

    width: int
    height: int
    font: int


SCREEN = ChartSize(width=620, height=380, font=20)
PRINT = ChartSize(width=580, height=230, font=16)
PRESENT = ChartSize(width=1700, height=525, font=28)
"""Presentation mode: one chart below the slide title with the buttons still on screen, from a
1280x800 laptop to a 1920x1080 projector (the page stretches it to the width of the screen)."""

LABEL_DX = 12  # pixels between a line's end and its label
LINE_HEIGHT = 1.2  # of the font size, for the two-line end labels

# Widths of bold Liberation Sans / Arial in ems (the same metrics), rounded up; others 0.72 (capitals).
_EM = {
    **dict.fromkeys("0123456789£$%?", 0.56),
    **dict.fromkeys(" .,:;!'|ijlIft", 0.34),
    **dict.fromkeys("r-()", 0.4),
    **dict.fromkeys("abcdeghknopqsuvxyz", 0.62),
    **dict.fromkeys("mwMW", 0.95),
}


def text_width(text: str, font: float) -> float:
    """Pixel width of ``text`` in bold Liberation Sans at ``font`` px (an upper estimate)."""
    return font * sum(_EM.get(c, 0.78) for c in text)


def label_room(labels: list[str], font: float) -> float:
    """Pixels kept on the right of the plot for end labels (lines split at ``\\n``), so none is cut."""
    widest = max((text_width(line, font) for t in labels for line in t.split("\n")), default=0.0)
    return LABEL_DX + widest + font * 0.5


def _is_changed(base: Projection, scen: Projection | None) -> bool:
    return scen is not None and scen is not base and bool(changed_levers(base.scenario, scen.scenario))


def _dodge(values: list[float], min_gap: float) -> list[float]:
    """Label positions near ``values`` but at least ``min_gap`` apart (same order)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    pos = [values[i] for i in order]
    for k in range(1, len(pos)):
        if pos[k] - pos[k - 1] < min_gap:
            pos[k] = pos[k - 1] + min_gap
    # centre the adjusted block on the original values so labels do not drift upwards
    shift = (sum(pos) - sum(values[i] for i in order)) / max(len(pos), 1)
    pos = [p - shift for p in pos]
    out = [0.0] * len(values)
    for k, i in enumerate(order):
        out[i] = pos[k]
    return out


def _configure(chart: alt.LayerChart, size: ChartSize) -> alt.LayerChart:
    f = size.font
    return (
        chart.properties(width=size.width, height=size.height)
        .configure(font=FONT, padding={"left": 5, "right": 10, "top": 5, "bottom": 5})
        .configure_axis(
            labelFontSize=f,
            titleFontSize=f,
            labelColor=BLACK,
            titleColor=BLACK,
            titleFontWeight="normal",
            gridColor="#DDDDDD",
            domainColor=GREY,
            tickColor=GREY,
        )
        .configure_title(fontSize=f + 6, anchor="start", color=BLACK, subtitleFontSize=f - 2, subtitleColor="#333333")
        .configure_view(stroke=None)
    )


def y_domain(values: pd.Series, min_share: float = 0.3) -> list[float]:
    """A y range that includes every value but spans at least ``min_share`` of the largest.

    Starting at zero would flatten the lines; a tight range would make a small difference
    look dramatic. This keeps the lines readable without exaggerating the change.
    """
    lo, hi = float(values.min()), float(values.max())
    need = min_share * max(abs(hi), 1e-9)
    if hi - lo < need:
        mid = (hi + lo) / 2
        lo, hi = mid - need / 2, mid + need / 2
    pad = (hi - lo) * 0.05
    return [max(lo - pad, 0.0) if float(values.min()) >= 0 else lo - pad, hi + pad]


# drawing order: the scenario first, then the budget, then current trends on top, so that
# when two lines coincide the dashed one still shows over the solid one
DRAW_ORDER = (SCENARIO_NAME, BUDGET_NAME, BASE_BUDGET_NAME, BASELINE_NAME)


def _lines(names: tuple[str, ...], x: alt.X, label_expr: str, min_step: float = 1) -> alt.LayerChart:
    """One line per series present (``names``), each on its named dataset ``line:<name>``, styled by
    STYLES (colour, dash and width all differ); the y range comes from the numbers ``y_low``/``y_high``."""
    y = alt.Y(
        "value:Q",
        title=None,
        scale=alt.Scale(domain=[alt.ExprRef("y_low"), alt.ExprRef("y_high")], nice=False, zero=False),
        axis=alt.Axis(labelExpr=label_expr, tickMinStep=min_step, tickCount=6),
    )
    layers = []
    for name in DRAW_ORDER:
        if name not in names:
            continue
        colour, dash, width = STYLES[name]
        layers.append(
            alt.Chart(alt.NamedData(f"line:{name}"))
            .mark_line(strokeCap="butt", color=colour, strokeDash=dash, strokeWidth=width)
            .encode(x=x, y=y, tooltip=[alt.Tooltip("series:N", title="Line"), alt.Tooltip("value:Q", format=",.1f")])
        )
    return alt.layer(*layers)


def _line_frames(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {f"line:{name}": df[df["series"] == name] for name in DRAW_ORDER if (df["series"] == name).any()}


def _numbers(values: pd.Series, labels: list[str], size: ChartSize) -> dict[str, float]:
    lo, hi = y_domain(values)
    return {"y_low": lo, "y_high": hi, "x_room": label_room(labels, size.font)}


def _x_range() -> list:
    """The x positions stop short of the right edge by ``x_room``: the end labels sit inside the
    chart's width, so the page's fit-to-column never cuts them and the axis labels share the rest."""
    return [0, alt.ExprRef("max(width - x_room, width * 0.2)")]


def _label_gap(lo: float, hi: float, size: ChartSize) -> float:
    """The least distance, in y units, between two end labels of two lines each."""
    return (hi - lo) * size.font * (LINE_HEIGHT * 2 + 0.4) / size.height


def _end_labels(names: tuple[str, ...], x: alt.X, size: ChartSize) -> alt.Chart:
    shown = [n for n in STYLES if n in names]
    return (
        alt.Chart(alt.NamedData("ends"))
        .mark_text(
            align="left",
            baseline="middle",
            dx=LABEL_DX,
            fontSize=size.font,
            fontWeight="bold",
            lineBreak="\n",
            lineHeight=size.font * LINE_HEIGHT,
        )
        .encode(
            x=x,
            y=alt.Y("label_y:Q"),
            text="label:N",
            color=alt.Color(
                "series:N", scale=alt.Scale(domain=shown, range=[STYLES[n][0] for n in shown]), legend=None
            ),
        )
    )


AXIS_NOTE = "The scale does not start at zero."
"""Said under every briefing chart, on the page, the slides and in the briefs: :func:`y_domain` fits the
scale to the lines, so a reader must not take the height of a line for its size."""


def with_axis_note(subtitle: str) -> str:
    """'At the end of each month, April 2026 to March 2031. The scale does not start at zero.'"""
    return f"{subtitle}. {AXIS_NOTE}"


def _finish_chart(chart: alt.LayerChart, size: ChartSize, title: str | None, subtitle: str) -> alt.LayerChart:
    if title:  # a chart with its own title (the briefs' pictures) says it on a line of its own
        chart = chart.properties(title=alt.Title(title, subtitle=[subtitle, AXIS_NOTE]))
    params = (templates.number(n) for n in ("y_low", "y_high", "x_room"))
    return _configure(chart.add_params(*params), size)


# ---------------------------------------------------------------------------
# Children in care
# ---------------------------------------------------------------------------


def children_data(base: Projection, scen: Projection | None = None) -> pd.DataFrame:
    """Children in care at the start and at each month end, one row per series and date."""
    series = [(BASELINE_NAME, base)]
    if _is_changed(base, scen):
        series.append((SCENARIO_NAME, scen))
    rows = []
    for name, res in series:
        m = res.table("month")
        start = pd.Timestamp(res.scenario.start_date)
        rows.append(pd.DataFrame({"series": [name], "date": [start], "value": [children_at_start(res)]}))
        rows.append(
            pd.DataFrame({"series": name, "date": pd.to_datetime(m["period_end"]), "value": m["children_in_care"]})
        )
    return pd.concat(rows, ignore_index=True)


CHILDREN_TITLE = "Children in care"
SPEND_TITLE = "Placement spending against budget"


def children_subtitle(base: Projection) -> str:
    """'At the end of each month, April 2026 to March 2031'."""
    end = base.table("month")["period_end"].iloc[-1]
    return f"At the end of each month, {month_year(base.scenario.start_date)} to {month_year(end)}"


def spend_subtitle(base: Projection) -> str:
    """'£ million by financial year, 2026-27 to 2030-31'."""
    fy = base.table("fy")["period"]
    return f"£ million by financial year, {fy.iloc[0]} to {fy.iloc[-1]}"


def _children_parts(
    base: Projection, scen: Projection | None = None, size: ChartSize = SCREEN, titled: bool = True
) -> templates.Parts:
    df = children_data(base, scen)
    ends = df.sort_values("date").groupby("series", sort=False).tail(1).copy()
    lo, hi = y_domain(df["value"])
    ends["label_y"] = _dodge(ends["value"].tolist(), _label_gap(lo, hi, size))
    short = {BASELINE_NAME: "Current trends", SCENARIO_NAME: "With changes"}
    ends["label"] = [
        f"{short[s]}\n{fmt_children(round_children(v))}" for s, v in zip(ends["series"], ends["value"], strict=True)
    ]
    names = tuple(n for n in DRAW_ORDER if (df["series"] == n).any())
    shape = (names, size, children_subtitle(base) if titled else None)
    return shape, {**_line_frames(df), "ends": ends}, _numbers(df["value"], ends["label"].tolist(), size)


def _children_draw(shape: tuple) -> alt.LayerChart:
    names, size, subtitle = shape
    x = alt.X(
        "date:T",
        title=None,
        axis=alt.Axis(format="%Y", tickCount="year", labelAngle=0, labelOverlap=True),
        scale=alt.Scale(range=_x_range()),
    )
    chart = alt.layer(_lines(names, x, "format(datum.value, ',.0f')"), _end_labels(names, x, size))
    return _finish_chart(chart, size, CHILDREN_TITLE if subtitle is not None else None, subtitle or "")


@templates.templated(_children_parts, _children_draw)
def children_chart(
    base: Projection, scen: Projection | None = None, size: ChartSize = SCREEN, titled: bool = True
) -> alt.LayerChart:
    """Line chart: children in care, current trends (dashed grey) and the scenario (solid blue).

    ``titled=False`` leaves the title to the page, which shows it as a heading.
    """
    return templates.assemble(_children_draw, _children_parts(base, scen, size, titled))


def children_chart_text(base: Projection, scen: Projection | None = None) -> str:
    """One or two sentences saying what the children-in-care chart shows."""
    df = children_data(base, scen)
    start, end = df["date"].min().date(), df["date"].max().date()
    b = df[df["series"] == BASELINE_NAME]["value"]
    text = (
        f"Line chart of children in care from {month_year(start)} to {month_year(end)}. "
        f"On current trends (dashed line) the number goes from {fmt_children(round(b.iloc[0]))} "
        f"to about {fmt_children(round_children(b.iloc[-1]))}"
    )
    s = df[df["series"] == SCENARIO_NAME]["value"]
    if len(s):
        d = round_children(s.iloc[-1]) - round_children(b.iloc[-1])  # the rounded numbers shown add up
        if d > 0:
            vs = f"{fmt_children(d)} more"
        elif d < 0:
            vs = f"{fmt_children(d)} fewer"
        else:
            vs = "no change"
        text += (
            f"; with the changes (solid line) it would be about {fmt_children(round_children(s.iloc[-1]))} "
            f"by {month_year(end)} ({vs})."
        )
    else:
        text += f" by {month_year(end)}."
    return text


# ---------------------------------------------------------------------------
# Spend against budget
# ---------------------------------------------------------------------------


def spend_data(base: Projection, scen: Projection | None = None) -> pd.DataFrame:
    """Spend (each series) and budget (£m) by financial year, one row per series and year."""
    tb = base.table("fy")
    rows = [
        pd.DataFrame({"series": BASELINE_NAME, "fy": tb["period"], "value": tb["spend_gbp"] / 1e6}),
    ]
    if _is_changed(base, scen):
        ts = scen.table("fy")
        rows.append(pd.DataFrame({"series": SCENARIO_NAME, "fy": ts["period"], "value": ts["spend_gbp"] / 1e6}))
        budget = ts["budget_gbp"]
        # a changed budget: current trends keep their own, or the chart set the baseline's spending against
        # the scenario's budget while the sentences (and the tables) use the baseline's
        if len(budget) == len(tb) and np.abs(budget.to_numpy() - tb["budget_gbp"].to_numpy()).max() >= 500:
            rows.append(pd.DataFrame({"series": BASE_BUDGET_NAME, "fy": tb["period"], "value": tb["budget_gbp"] / 1e6}))
    else:
        budget = tb["budget_gbp"]
    rows.append(pd.DataFrame({"series": BUDGET_NAME, "fy": tb["period"], "value": budget.to_numpy() / 1e6}))
    return pd.concat(rows, ignore_index=True)


def _spend_parts(
    base: Projection, scen: Projection | None = None, size: ChartSize = SCREEN, titled: bool = True
) -> templates.Parts:
    df = spend_data(base, scen)
    years = tuple(dict.fromkeys(df["fy"]))
    ends = df[df["fy"] == years[-1]].copy()
    lo, hi = y_domain(df["value"])
    ends["label_y"] = _dodge(ends["value"].tolist(), _label_gap(lo, hi, size))
    two_budgets = (df["series"] == BASE_BUDGET_NAME).any()
    short = {
        BASELINE_NAME: "Current trends",
        SCENARIO_NAME: "With changes",
        BUDGET_NAME: "Budget, with changes" if two_budgets else "Budget",
        BASE_BUDGET_NAME: "Budget, current trends",
    }
    ends["label"] = [
        f"{short[s]}\n£{round_money_m(v * 1e6):,.1f}m" for s, v in zip(ends["series"], ends["value"], strict=True)
    ]
    names = tuple(n for n in DRAW_ORDER if (df["series"] == n).any())
    # a small authority's spending (£2.2m to £2.5m) had one axis label, "£2m": tenths of a million there
    fine = hi - lo < 3
    shape = (names, years, size, spend_subtitle(base) if titled else None, fine)
    frames = {**_line_frames(df), "ends": ends, "points": df[~df["series"].isin([BUDGET_NAME, BASE_BUDGET_NAME])]}
    return shape, frames, _numbers(df["value"], ends["label"].tolist(), size)


def _spend_draw(shape: tuple) -> alt.LayerChart:
    names, years, size, subtitle, fine = shape
    # no label limit: Vega-Lite cuts long labels ("2026…") at the large presentation font; in a
    # narrow column every other year is dropped (first and last kept) rather than run together
    x = alt.X(
        "fy:O",
        title=None,
        sort=list(years),
        axis=alt.Axis(labelAngle=0, labelLimit=0, labelOverlap=True, labelSeparation=size.font // 2),
        scale=alt.Scale(paddingOuter=0.1, range=_x_range()),
    )
    shown = [n for n in STYLES if n in names]
    points = (
        alt.Chart(alt.NamedData("points"))
        .mark_point(filled=True, size=size.font * 7, opacity=1)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color(
                "series:N", scale=alt.Scale(domain=shown, range=[STYLES[n][0] for n in shown]), legend=None
            ),
            shape=alt.Shape(
                "series:N",
                scale=alt.Scale(domain=[BASELINE_NAME, SCENARIO_NAME], range=["square", "circle"]),
                legend=None,
            ),
        )
    )
    label = "'£' + format(datum.value, '" + (",.1f" if fine else ",.0f") + "') + 'm'"
    chart = alt.layer(_lines(names, x, label, 0.1 if fine else 1), points, _end_labels(names, x, size))
    return _finish_chart(chart, size, SPEND_TITLE if subtitle is not None else None, subtitle or "")


@templates.templated(_spend_parts, _spend_draw)
def spend_chart(
    base: Projection, scen: Projection | None = None, size: ChartSize = SCREEN, titled: bool = True
) -> alt.LayerChart:
    """Placement spending by financial year against the budget (dotted black line)."""
    return templates.assemble(_spend_draw, _spend_parts(base, scen, size, titled))


def spend_chart_text(base: Projection, scen: Projection | None = None) -> str:
    """One or two sentences saying what the spending chart shows."""
    df = spend_data(base, scen)
    years = list(dict.fromkeys(df["fy"]))

    def vals(name: str) -> pd.Series:
        return df[df["series"] == name].set_index("fy")["value"] * 1e6

    b, budget = vals(BASELINE_NAME), vals(BUDGET_NAME)
    two_budgets = BASE_BUDGET_NAME in set(df["series"])
    base_budget = vals(BASE_BUDGET_NAME) if two_budgets else budget
    over = [y for y in years if over_budget(b[y], base_budget[y])]  # as the tables and the Overview's bars count
    if len(over) == len(years):
        where = "above the budget in every year"
    elif not over:
        where = "at or below the budget in every year"
    else:
        where = f"above the budget in {len(over)} of the {len(years)} years"
    text = (
        f"Line chart of placement spending and the budget by financial year, {years[0]} to {years[-1]}. "
        f"On current trends (dashed line) spending goes from about {fmt_money_gbp(b.iloc[0])} to "
        f"{fmt_money_gbp(b.iloc[-1])} and is {where}; "
        + (
            f"its budget (grey dotted line) goes from {fmt_money_gbp(base_budget.iloc[0])} to "
            f"{fmt_money_gbp(base_budget.iloc[-1])}, the budget with the changes (black dotted line) from "
            if two_budgets
            else "the budget (dotted line) goes from "
        )
        + f"{fmt_money_gbp(budget.iloc[0])} to {fmt_money_gbp(budget.iloc[-1])}."
    )
    if SCENARIO_NAME in set(df["series"]):
        s = vals(SCENARIO_NAME)
        rel = pressure_phrase(s.iloc[-1], budget.iloc[-1])
        text += (
            f" With the changes (solid line) spending in {years[-1]} would be about {fmt_money_gbp(s.iloc[-1])}, {rel}."
        )
    return text


def as_of(d: dt.date | None = None) -> str:
    """Today's date for captions, e.g. '3 March 2026'."""
    d = d or dt.date.today()
    return f"{d.day} {d.strftime('%B %Y')}"
