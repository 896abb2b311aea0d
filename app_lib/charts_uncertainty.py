"""Altair charts of uncertainty: a fan chart (50% and 80% bands) and the back-test chart.

Pure builders: each takes tidy pandas frames from csc_model and returns a chart; no Streamlit.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import chart_templates as templates
from .charts import MONEY_AXIS, SPEND_COLOUR, _finish

MEASURES = {
    "children_in_care": ("Children in care", ",.0f"),
    "spend_gbp": ("Spend (£m)", ",.1f"),
}
BAND_LABELS = ("8 in 10 futures (P10 to P90)", "Half of futures (P25 to P75)")
ACTUAL_COLOUR = "#000000"


def fan_frame(table: pd.DataFrame, measure: str = "children_in_care") -> pd.DataFrame:
    """Long frame of the bands of ``measure`` from a stochastic :meth:`Result.table`: one row a period and band."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    need = [f"{measure}_p{q}" for q in (10, 25, 50, 75, 90)]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ValueError(f"the table has no {', '.join(missing)}: run with runs above 0")
    scale = 1e6 if measure == "spend_gbp" else 1.0
    rows = []
    for (lo, hi), band in zip(((10, 90), (25, 75)), BAND_LABELS, strict=True):
        rows.append(
            pd.DataFrame(
                {
                    "period": table["period"],
                    "period_end": pd.to_datetime(table["period_end"]),
                    "band": band,
                    "low": table[f"{measure}_p{lo}"] / scale,
                    "high": table[f"{measure}_p{hi}"] / scale,
                    "median": table[f"{measure}_p50"] / scale,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


MEDIAN_LABEL = "Middle of the range (P50)"
CENTRAL_LABEL = "Projection on the cards"  # short: beside the bands legend, a longer label was cut
CENTRAL_COLOUR = "#333333"
_FY_LABEL = r"^\d{4}-\d{2}$"


def _is_fy(table: pd.DataFrame) -> bool:
    """A table by financial year ("2026-27"), drawn on a financial-year axis rather than a date axis."""
    return bool(len(table)) and bool(table["period"].astype(str).str.fullmatch(_FY_LABEL).all())


def _fan_parts(
    table: pd.DataFrame, measure: str = "children_in_care", central: pd.DataFrame | None = None
) -> templates.Parts:
    df = fan_frame(table, measure)
    mid = df[df["band"] == BAND_LABELS[0]]
    lines = [
        pd.DataFrame(
            {"period": mid["period"], "period_end": mid["period_end"], "series": MEDIAN_LABEL, "value": mid["median"]}
        )
    ]
    if central is not None:
        scale = 1e6 if measure == "spend_gbp" else 1.0
        lines.append(
            pd.DataFrame(
                {
                    "period": central["period"],
                    "period_end": pd.to_datetime(central["period_end"]),
                    "series": CENTRAL_LABEL,
                    "value": central[measure] / scale,
                }
            )
        )
    shape = (measure, _is_fy(table), central is not None)
    return shape, {"bands": df, "lines": pd.concat(lines, ignore_index=True)}


def _fan_draw(shape: tuple) -> alt.TopLevelMixin:
    measure, fy, with_central = shape
    title, fmt = MEASURES[measure]
    colour = SPEND_COLOUR if measure == "spend_gbp" else "#0077BB"
    y_axis = alt.Axis(labelExpr=MONEY_AXIS) if measure == "spend_gbp" else alt.Axis(format=",.0f")
    # financial years on a financial-year axis (a date axis put "Jan 2028" under a year's spend)
    x = (
        alt.X("period:O", title="Financial year", sort=None, axis=alt.Axis(labelAngle=0))
        if fy
        else alt.X("period_end:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0))
    )
    # one entry a line, none cut; the bands' legend under the chart and the lines' above it: side by side
    # under a half-width chart on a 1280-pixel screen the second was cut ("Middle of the range (P5")
    legend = alt.Legend(orient="bottom", direction="vertical", labelLimit=0)
    # drawn as a short line (solid, or dashed for the projection): a point symbol with a dashed outline
    # rendered as a blob (second review, 1 December)
    line_legend = alt.Legend(
        orient="top", direction="vertical", labelLimit=0, symbolType="stroke", symbolStrokeWidth=2.5, symbolSize=400
    )
    bands = (
        alt.Chart(alt.NamedData("bands"))
        .mark_area()
        .encode(
            x=x,
            # the axis starts near the band, not at zero (so a band is readable): the title says so
            y=alt.Y("low:Q", title=f"{title}, axis not from zero", axis=y_axis, scale=alt.Scale(zero=False)),
            y2="high:Q",
            opacity=alt.Opacity(
                "band:N", scale=alt.Scale(domain=list(BAND_LABELS), range=[0.25, 0.45]), title=None, legend=legend
            ),
            color=alt.value(colour),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("band:N", title="Band"),
                alt.Tooltip("low:Q", title="From", format=fmt),
                alt.Tooltip("high:Q", title="To", format=fmt),
            ],
        )
    )
    series = [MEDIAN_LABEL, CENTRAL_LABEL] if with_central else [MEDIAN_LABEL]
    line = (
        alt.Chart(alt.NamedData("lines"))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=series, range=[colour, CENTRAL_COLOUR][: len(series)]),
                title=None,
                legend=line_legend,
            ),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=series, range=[[1, 0], [6, 4]][: len(series)]), legend=line_legend
            ),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("series:N", title="Line"),
                alt.Tooltip("value:Q", title="Value", format=fmt),
            ],
        )
    )
    return _finish(alt.layer(bands, line))


@templates.templated(_fan_parts, _fan_draw)
def fan_chart(
    table: pd.DataFrame, measure: str = "children_in_care", central: pd.DataFrame | None = None
) -> alt.TopLevelMixin:
    """The median line with the 80% band (P10-P90) and the 50% band (P25-P75) of ``measure``; with ``central``
    (the deterministic table the cards show), that projection as a dashed line, so the two can be told apart."""
    return templates.assemble(_fan_draw, _fan_parts(table, measure, central))


def backtest_frame(card: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bands by cut-off (with the cut-off's own count as their start) and the actual line, from a scorecard."""
    need = {"cutoff", "as_of", "actual", "p10", "p50", "p90", "persistence"}
    missing = sorted(need - set(card.columns))
    if missing:
        raise ValueError(f"the scorecard has no {', '.join(missing)} column")
    c = card.copy()
    c["cutoff"] = pd.to_datetime(c["cutoff"])
    c["as_of"] = pd.to_datetime(c["as_of"])
    start = c.groupby("cutoff", as_index=False)["persistence"].first()
    start = start.assign(as_of=start["cutoff"], p10=start["persistence"], p50=start["persistence"])
    start["p90"] = start["persistence"]
    bands = pd.concat([start[["cutoff", "as_of", "p10", "p50", "p90"]], c[["cutoff", "as_of", "p10", "p50", "p90"]]])
    bands["from"] = "Forecast from " + bands["cutoff"].dt.strftime("%d %b %Y")
    actual = pd.concat(
        [
            c[["as_of", "actual"]].rename(columns={"as_of": "date"}),
            start[["cutoff", "persistence"]].rename(columns={"cutoff": "date", "persistence": "actual"}),
        ]
    )
    actual = actual.drop_duplicates("date").sort_values("date").reset_index(drop=True)
    return bands.sort_values(["cutoff", "as_of"]).reset_index(drop=True), actual
