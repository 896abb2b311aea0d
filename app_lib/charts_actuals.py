"""The return's actuals drawn over a projection chart: black line and dots, legend "Your data (SSDA903)";
and the model's track record on the return (Load your data), its forecasts against the actual counts.

Pure functions returning Altair charts (testable without a browser). The actuals come from
:func:`csc_model.ssda903.children_in_care_by_month`: columns ``period_end`` and
``children_actual``, counts only (no child).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import charts
from .charts_uncertainty import backtest_frame

ACTUALS_LABEL = "Your data (SSDA903)"
ACTUALS_COLOUR = "#000000"


def black_line_with_dots(
    x: alt.X, y: alt.Y, label: str, tooltip: list[alt.Tooltip], width: float, size: float
) -> tuple[alt.Chart, alt.Chart]:
    """An actual count's marks: a black line, and black dots with a legend entry of their own (``label``).

    The legend is a shape legend (one black circle), so it joins no colour scale of the chart; it sits above
    the chart. The data (with a ``source`` column holding ``label``) comes from the layer or the chart."""
    line = alt.Chart().mark_line(color=ACTUALS_COLOUR, strokeWidth=width).encode(x=x, y=y)
    dots = (
        alt.Chart()
        .mark_point(color=ACTUALS_COLOUR, filled=True, size=size, opacity=1)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape(
                "source:N",
                title=None,
                scale=alt.Scale(domain=[label], range=["circle"]),
                legend=alt.Legend(
                    orient="top", labelLimit=0, symbolFillColor=ACTUALS_COLOUR, symbolStrokeColor=ACTUALS_COLOUR
                ),
            ),
            tooltip=tooltip,
        )
    )
    return line, dots


def actuals_layers(actuals: pd.DataFrame) -> alt.LayerChart:
    """A black line through the month-end counts, with a dot at each and a legend entry of its own.

    The legend is a shape legend (one black circle), so it does not join a chart's colour scale. It sits
    above the chart: beside a two-column colour legend at the bottom of a half-width chart it was cut to
    "Your da".
    """
    data = actuals[["period_end", "children_actual"]].copy()
    data["period_end"] = pd.to_datetime(data["period_end"])
    data["source"] = ACTUALS_LABEL
    line, dots = black_line_with_dots(
        alt.X("period_end:T"),
        alt.Y("children_actual:Q"),
        ACTUALS_LABEL,
        [
            alt.Tooltip("period_end:T", title="Month end", format="%d %b %Y"),
            alt.Tooltip("children_actual:Q", title=f"Children in care, {ACTUALS_LABEL.lower()}", format=",.0f"),
        ],
        width=2,
        size=36,
    )
    return alt.layer(line, dots, data=data)


def with_actuals(chart: alt.TopLevelMixin, actuals: pd.DataFrame | None) -> alt.TopLevelMixin:
    """``chart`` (a finished chart with ``period_end`` on x and children on y) with the actuals drawn on top.

    Keeps the chart's size and configuration. No actuals (None or no rows): the chart unchanged.
    """
    if actuals is None or actuals.empty:
        return chart
    top = actuals_layers(actuals)
    if isinstance(chart, alt.LayerChart):
        out = chart.copy(deep=False)
        out.layer = [*chart.layer, top]
        return out
    inner = chart.copy(deep=False)
    config, height, width = inner.config, inner.height, inner.width
    inner.config, inner.height, inner.width = alt.Undefined, alt.Undefined, alt.Undefined
    return alt.LayerChart(layer=[inner, top], config=config, height=height, width=width)


def stage_chart_with_actuals(
    stage_month: pd.DataFrame, band: pd.DataFrame | None = None, actuals: pd.DataFrame | None = None
) -> alt.TopLevelMixin:
    """The Overview's children-in-care chart (:func:`app_lib.charts.stage_chart`) with the return's actuals before it.

    ``actuals``: :func:`csc_model.ssda903.children_in_care_by_month` (``period_end``,
    ``children_actual``), usually the months before the projection starts.
    """
    return with_actuals(charts.stage_chart(stage_month, band), actuals)


TRACK_ACTUAL_LABEL = "Actual children in care (your return)"
TRACK_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00")
"""A forecast's colour, by cut-off: Okabe-Ito hues that differ in hue and lightness (colour-blind safe); black is
the actual line's, and yellow is too pale on white. More cut-offs than colours start the list again."""
TRACK_BAND_OPACITY = 0.3
TRACK_Y_TITLE = "Children in care at 31 March"
TRACK_AXIS_NOTE = "(axis not from zero)"  # the wording of app_lib.charts.scenario_lines
TRACK_HEIGHT = 480  # the whole chart (Streamlit fits its legends inside): at charts.HEIGHT the plot was 100 px high


def _track_domain(values: pd.Series) -> tuple[float, float]:
    """The y axis of the track record: the bands and the actual line with a margin, rounded (as the scenario
    lines of :mod:`app_lib.charts` are), from zero only if the margin reaches it."""
    lo, hi = float(values.min()), float(values.max())
    pad = max(hi - lo, 0.1 * abs(hi))
    return charts._coarse(max(0.0, lo - 0.15 * pad), hi + 0.05 * pad)


def track_record_chart(card: pd.DataFrame) -> alt.TopLevelMixin:
    """The model's track record on the return: from each cut-off, the P10-P90 band of children in care and its
    middle (P50, dashed), each cut-off in a colour of its own, against the actual count (black), each named in
    the legend.

    Replaces :func:`app_lib.charts_uncertainty.backtest_chart` (review): its actual line had no legend entry,
    its bands (the theme's pale blues, reds and greens, two of each at 18% opacity) could not be told apart,
    and its axis started near 480 without saying so. The axis starts where :func:`_track_domain` says; the
    title then says "(axis not from zero)", as the app's other charts do.
    """
    bands, actual = backtest_frame(card)
    forecasts = list(dict.fromkeys(bands.sort_values("cutoff")["from"]))
    colours = [TRACK_COLOURS[i % len(TRACK_COLOURS)] for i in range(len(forecasts))]
    low, high = _track_domain(pd.concat([bands["p10"], bands["p90"], actual["actual"]]))
    y_title = [TRACK_Y_TITLE, TRACK_AXIS_NOTE] if low > 0 else TRACK_Y_TITLE
    y_scale = alt.Scale(domain=[low, high], zero=False, nice=False)
    colour_scale = alt.Scale(domain=forecasts, range=colours)
    colour = alt.Color(
        "from:N",
        title="Forecasts: band P10 to P90, dashed line the middle (P50)",
        scale=colour_scale,
        # three columns, no label limit: the last entry was cut to "Forecast fro..."; full colour in the legend
        legend=alt.Legend(
            orient="bottom", columns=3, labelLimit=0, titleLimit=0, symbolType="square", symbolOpacity=0.7
        ),
    )
    # a tick a year: with Vega's own ticks the axis read "2020 2020 2021 2021 ..." (review)
    # a tick at each 31 March (the points), labelled with its year: ticks at 1 January sat a quarter away
    ticks = sorted({pd.Timestamp(d).strftime("%Y-%m-%d") for d in actual["date"]})
    x = alt.X("as_of:T", title="31 March", axis=alt.Axis(format="%Y", labelAngle=0, values=ticks))
    band = (
        alt.Chart(bands)
        .mark_area(opacity=TRACK_BAND_OPACITY)
        .encode(
            x=x,
            y=alt.Y("p10:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=",.0f")),
            y2="p90:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("from:N", title="Forecast"),
                alt.Tooltip("as_of:T", title="31 March", format="%Y"),
                alt.Tooltip("p10:Q", title="P10", format=",.0f"),
                alt.Tooltip("p50:Q", title="Middle (P50)", format=",.0f"),
                alt.Tooltip("p90:Q", title="P90", format=",.0f"),
            ],
        )
    )
    median = (
        alt.Chart(bands)
        .mark_line(strokeDash=[5, 3], strokeWidth=2)
        .encode(x=x, y=alt.Y("p50:Q", scale=y_scale), color=alt.Color("from:N", scale=colour_scale, legend=None))
    )
    data = actual.assign(source=TRACK_ACTUAL_LABEL)
    act_x = alt.X("date:T")
    act_y = alt.Y("actual:Q", scale=y_scale)
    tooltip = [alt.Tooltip("date:T", title="31 March", format="%Y"), alt.Tooltip("actual:Q", title="Actual")]
    act_line, act_dots = black_line_with_dots(act_x, act_y, TRACK_ACTUAL_LABEL, tooltip, width=3, size=60)
    act_line.data = act_dots.data = data
    return charts._finish(alt.layer(band, median, act_line, act_dots), height=TRACK_HEIGHT)
