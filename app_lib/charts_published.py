"""Altair charts for the Benchmarks page, as pure functions of the benchmark frames (testable without a browser).

The chosen authority is drawn in a strong colour and a thick line; its statistical neighbours,
region and England in greys and dashes, so that a councillor sees at once where the authority
stands. Colours are colour-blind safe (Okabe-Ito).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable

import altair as alt
import pandas as pd

from .charts import _coarse

AUTHORITY_COLOUR = "#D55E00"
OTHER_COLOURS = ("#0072B2", "#009E73", "#595959")
FONT_SIZE = 13
HEIGHT = 440  # the whole chart: Streamlit fits title, legend and axes inside it, so the plot needs room
LINE_HEIGHT = 540  # an indicator's chart: HEIGHT and room for its two-line title and one-entry-a-line legend
# Three charts side by side at 1280 px with the sidebar open are about 270 px wide each, the plot about
# 210 px after the y axis: a title line of 26 characters (15 px bold) and a legend line of 24 characters
# (13 px) after its symbol fit in that, so nothing is cut off with an ellipsis.
TITLE_CHARS = 26
LEGEND_CHARS = 24
LEGEND_LABEL_LIMIT = 190  # px: a legend line of LEGEND_CHARS characters and some room to spare
AXIS_NOTE = "(axis not from zero)"
"""Under a y axis title when the axis starts above zero: the wording of the app's other charts
(:func:`app_lib.charts.scenario_lines`), on a line of its own so that a narrow chart does not cut it."""


def y_domain(values: Iterable[float]) -> tuple[float, float] | None:
    """The y axis of ``values`` when it is to start above zero, else None (from zero, as Vega draws it).

    The axis starts at or below half the lowest value, rounded down to a step of about a tenth of the
    span (:func:`app_lib.charts._coarse`), so every point stands at least halfway up from the axis to its
    value: a change can be seen, but one point is drawn less than twice as many times higher than another
    as its figure is (a rise of 31% is drawn as one of under 62%; Plymouth's leavers, 26.9 to 35.3 per
    10,000, looked as if they nearly doubled on an axis from 20: review). When that start is under a tenth of the axis' top, the axis starts at zero: it would
    show little more, and a note for a few units is more to read.
    """
    vals = pd.Series(list(values), dtype=float).dropna()
    if vals.empty or vals.min() <= 0:
        return None
    low, high = _coarse(float(vals.min()) / 2, float(vals.max()))
    return (low, high) if low >= high / 10 else None


def y_title_and_scale(title: str, values: Iterable[float]) -> tuple[str | list[str], alt.Scale]:
    """A y axis title and scale for ``values``: from zero, or from :func:`y_domain` with the title saying so."""
    domain = y_domain(values)
    if domain is None:
        return title, alt.Scale(zero=True)
    return [title, AXIS_NOTE], alt.Scale(domain=list(domain), zero=False, nice=False)


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken between words into lines of at most ``width`` characters (a longer word stays whole)."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


def title_lines(label: str) -> list[str]:
    """A chart title on lines of at most ``TITLE_CHARS`` characters, a rate's "per ..." on a line of its own."""
    head, sep, tail = label.partition(" per ")
    parts = [head, "per " + tail] if sep else [label]
    return [line for part in parts for line in wrap(part, TITLE_CHARS)]


def _wrapped_labels(labels: list[str], width: int = LEGEND_CHARS) -> str:
    """A Vega expression drawing each label longer than ``width`` characters on several lines."""
    expr = "datum.label"
    for label in labels:
        if len(label) > width:
            expr = f"datum.label === {json.dumps(label)} ? {json.dumps(wrap(label, width))} : {expr}"
    return expr


def _group_scale(groups: list[str], authority: str) -> alt.Scale:
    others = [g for g in groups if g != authority]
    return alt.Scale(domain=[authority, *others], range=[AUTHORITY_COLOUR, *OTHER_COLOURS[: len(others)]])


def indicator_chart(comparison: pd.DataFrame, indicator: str, authority: str) -> alt.Chart:
    """One indicator over the years published: the authority against neighbours, region and England."""
    df = comparison[comparison["indicator"] == indicator].copy()
    if df.empty:
        raise ValueError(f"no published figures for the indicator {indicator!r}")
    label, unit = df["label"].iloc[0], df["unit"].iloc[0]
    df["Year to 31 March"] = df["year"].astype(str)
    df["is_authority"] = df["group"] == authority
    groups = list(dict.fromkeys(df["group"]))
    y_title, y_scale = y_title_and_scale(unit, df["value"])
    base = alt.Chart(df, title=alt.Title(title_lines(label), subtitle=unit, fontSize=FONT_SIZE + 2))
    lines = base.mark_line(point=True).encode(
        x=alt.X("Year to 31 March:O", title="Year to 31 March", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=y_title, scale=y_scale),
        color=alt.Color(
            "group:N",
            title=None,
            scale=_group_scale(groups, authority),
            # one entry a line, long names on two: two columns cut "Statistical neighbours" to "Statistica"
            legend=alt.Legend(
                orient="bottom",
                direction="vertical",
                labelExpr=_wrapped_labels(groups),
                labelLimit=LEGEND_LABEL_LIMIT,
                symbolLimit=0,
            ),
        ),
        strokeWidth=alt.condition("datum.is_authority", alt.value(4), alt.value(2)),
        strokeDash=alt.condition("datum.is_authority", alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[
            alt.Tooltip("group:N", title="Who"),
            alt.Tooltip("Year to 31 March:O"),
            alt.Tooltip("value:Q", title=unit, format=",.1f"),
        ],
    )
    return (
        lines.properties(height=LINE_HEIGHT)
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_legend(labelFontSize=FONT_SIZE, labelLimit=LEGEND_LABEL_LIMIT)
    )


def placement_mix_chart(comparison: pd.DataFrame, year: int, authority: str) -> alt.Chart:
    """Share of children in foster care, homes, supported accommodation and with private providers, one year."""
    keys = ["foster_share", "residential_share", "supported_share", "private_share"]
    df = comparison[(comparison["indicator"].isin(keys)) & (comparison["year"] == year)].copy()
    if df.empty:
        raise ValueError(f"no placement figures published for {year}")
    groups = list(dict.fromkeys(df["group"]))
    return (
        alt.Chart(df, title=alt.Title(f"Placements at 31 March {year}", subtitle="% of children in care"))
        .mark_bar()
        .encode(
            # every bar named (no legend): Streamlit's theme hid the middle two names at 18 px a bar
            y=alt.Y("group:N", title=None, sort=groups, axis=alt.Axis(labelLimit=300, labelOverlap=False)),
            x=alt.X("value:Q", title="% of children in care"),
            color=alt.Color("group:N", scale=_group_scale(groups, authority), legend=None),
            row=alt.Row(
                "label:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=FONT_SIZE)
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Who"),
                alt.Tooltip("label:N", title="What"),
                alt.Tooltip("value:Q", title="%", format=".1f"),
            ],
        )
        .properties(height=alt.Step(22), width=420)
    )


def region_bars(region_table: pd.DataFrame, column: str = "in_care_per_10k", highlight: str | None = None) -> alt.Chart:
    """The authorities of a region side by side on one measure, the chosen authority highlighted."""
    if region_table.empty:
        raise ValueError("no authority in this region")
    df = region_table.copy()
    df["chosen"] = df["la_name"] == highlight
    titles = {
        "in_care_per_10k": "Children in care per 10,000 children",
        "children_in_care": "Children in care",
        "private_share_pct": "% with private or voluntary providers",
        "uasc_share_pct": "% unaccompanied asylum-seeking children",
    }
    return (
        alt.Chart(df, title=titles.get(column, column))
        .mark_bar()
        .encode(
            y=alt.Y("la_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{column}:Q", title=titles.get(column, column)),
            color=alt.condition("datum.chosen", alt.value(AUTHORITY_COLOUR), alt.value("#0072B2")),
            tooltip=[alt.Tooltip("la_name:N", title="Authority"), alt.Tooltip(f"{column}:Q", format=",.1f")],
        )
        .properties(height=alt.Step(20))
    )


def region_projection_chart(projection: pd.DataFrame) -> alt.Chart:
    """Children in care at each 31 March: the region's total, projected from each authority's published start.

    The axis starts above zero only as far as :func:`y_domain` allows, and its title then says so: on an
    axis from 6,950 a rise of 5% looked like a leap (review).
    """
    df = projection[projection["la_name"] == "Region total"].copy()
    if df.empty:
        raise ValueError("nothing projected for this region")
    y_title, y_scale = y_title_and_scale("Children in care", df["children_in_care"])
    return (
        alt.Chart(df, title=alt.Title("Region total: children in care at the end of each financial year"))
        .mark_line(point=True, color="#0072B2", strokeWidth=3)
        .encode(
            x=alt.X("period:O", title="Financial year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("children_in_care:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=",.0f")),
            tooltip=[
                alt.Tooltip("period:O", title="Year"),
                alt.Tooltip("children_in_care:Q", title="Children", format=",.0f"),
            ],
        )
        .properties(height=HEIGHT)
    )
