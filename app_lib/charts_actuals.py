"""The return's actuals drawn over a projection chart: black line and dots, legend "Your data (SSDA903)".

Pure functions returning Altair charts (testable without a browser). The actuals come from
:func:`csc_model.ssda903.children_in_care_by_month`: columns ``period_end`` and
``children_actual``, counts only (no child).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import charts

ACTUALS_LABEL = "Your data (SSDA903)"
ACTUALS_COLOUR = "#000000"


def actuals_layers(actuals: pd.DataFrame) -> alt.LayerChart:
    """A black line through the month-end counts, with a dot at each and a legend entry of its own.

    The legend is a shape legend (one black circle), so it does not join a chart's colour scale. It sits
    above the chart: beside a two-column colour legend at the bottom of a half-width chart it was cut to
    "Your da".
    """
    data = actuals[["period_end", "children_actual"]].copy()
    data["period_end"] = pd.to_datetime(data["period_end"])
    data["source"] = ACTUALS_LABEL
    x = alt.X("period_end:T")
    y = alt.Y("children_actual:Q")
    line = alt.Chart().mark_line(color=ACTUALS_COLOUR, strokeWidth=2).encode(x=x, y=y)
    dots = (
        alt.Chart()
        .mark_point(color=ACTUALS_COLOUR, filled=True, size=36, opacity=1)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape(
                "source:N",
                title=None,
                scale=alt.Scale(domain=[ACTUALS_LABEL], range=["circle"]),
                legend=alt.Legend(
                    symbolFillColor=ACTUALS_COLOUR, symbolStrokeColor=ACTUALS_COLOUR, orient="top", labelLimit=0
                ),
            ),
            tooltip=[
                alt.Tooltip("period_end:T", title="Month end", format="%d %b %Y"),
                alt.Tooltip("children_actual:Q", title=f"Children in care, {ACTUALS_LABEL.lower()}", format=",.0f"),
            ],
        )
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
