"""Overview: the headline figures for the current scenario against the baseline."""

import datetime as dt

import streamlit as st

from app_lib import (
    budget_paper,
    charts,
    charts_actuals,
    charts_uncertainty,
    components,
    published_page,
    runner,
    state,
    summaries,
    widgets,
)
from app_lib import formatting as fmt

state.ensure()
components.page_header(
    "Overview",
    "Children in care and placement spend for the scenario you are exploring, against the baseline.",
)

s, base = state.scenario(), state.baseline()
t, bt = runner.tables(s), runner.tables(base)
changed = s != base
fy = t.fy.reset_index(drop=True)
base_fy = bt.fy.set_index("period")

# the answer first, in words a councillor can repeat; plain Markdown, so it is drawn with the title
with st.container(key="overview_headline"):
    st.markdown(summaries.headline(t.fy, s.initial.total, s.start_date, bt.fy if changed else None))

with st.expander(
    "Start from your authority: DfE's published figures for any English council", expanded=not state.custom_baseline()
):
    published_page.start_from_your_authority(key="overview_published")

with st.container(border=True):
    st.markdown("**What if …?** Each button adds one change to the current scenario.")
    components.preset_buttons()


def _base(column: str, period: str) -> float | None:
    return float(base_fy.at[period, column]) if period in base_fy.index else None


# --- children in care --------------------------------------------------------------
st.subheader("Children in care", anchor=False)
st.caption(
    f"At the start ({fmt.long_date(s.start_date)}) and at 31 March, the end of each financial year."
    + (f" {components.DELTA_NOTE}" if changed else "")
    + (
        f" This scenario starts on {fmt.long_date(s.start_date)} and the baseline on {fmt.long_date(base.start_date)}: "
        "only the dates and years both cover are compared."
        if s.start_date != base.start_date
        else ""
    )
)
# plain records of the few columns used (itertuples over the whole table cost 5% of the server's CPU)
years_rows = fy[
    ["period", "period_end", "children_in_care", "spend_gbp", "pressure_gbp", "budget_gbp", "days"]
].to_dict("records")
# a scenario starting on another date than the baseline (a return at 31 March 2025, a shared link) has no
# difference at the start: "339, -174" set 1 April 2025 against the baseline's 1 April 2026
same_start = s.start_date == base.start_date
ends = [(f"Start, {fmt.short_date(s.start_date)}", s.initial.total, base.initial.total if same_start else None)] + [
    (fmt.short_date(row["period_end"]), row["children_in_care"], _base("children_in_care", row["period"]))
    for row in years_rows
]
for start in range(0, len(ends), 6):
    cols = st.columns(6)
    for col, (label, value, base_value) in zip(cols, ends[start : start + 6], strict=False):
        components.metric(
            col,
            label,
            value,
            base_value if base_value is not None else value,
            "children",
            changed and base_value is not None,
        )

# --- spend and pressure --------------------------------------------------------------
st.subheader("Placement spend against budget", anchor=False)
# A card for each of the first five financial years (spend, then pressure), and the totals over
# every year of the projection in a row of their own, as on the scenario builder, the briefing
# and the exports. Five cards a row: six cut the labels and figures on a 1280-pixel screen.
first_years = years_rows[:5]
for measure, word, helptext in (
    ("spend_gbp", "Spend", "Forecast placement spend in {p}: {v}."),
    ("pressure_gbp", "Pressure", "Spend minus budget ({b}) in {p}; a negative figure is a saving."),
):
    cols = st.columns(5)
    for col, row in zip(cols, first_years, strict=False):
        period = row["period"]
        has_base = period in base_fy.index
        value = row[measure]
        components.metric(
            col,
            f"{word} {period}" + (" (part year)" if row["days"] < 365 else ""),
            value,
            _base(measure, period) if has_base else value,
            "money",
            changed and has_base,
            help=helptext.format(p=period, v=fmt.gbp(row["spend_gbp"]), b=fmt.gbp(row["budget_gbp"])),
        )
span = f"{fy['period'].iloc[0]} to {fy['period'].iloc[-1]}"
same_years = list(fy["period"]) == list(bt.fy["period"])
years = fmt.plural(len(fy), "year")
cols = st.columns(5)
for col, (label, values, base_values, helptext) in zip(
    cols,
    (
        (f"Spend, {years}", fy["spend_gbp"], bt.fy["spend_gbp"], "Total forecast placement spend"),
        (f"Budget, {years}", fy["budget_gbp"], bt.fy["budget_gbp"], "Total placement budget"),
        (f"Pressure, {years}", fy["pressure_gbp"], bt.fy["pressure_gbp"], "Total spend minus total budget"),
    ),
    strict=False,
):
    components.metric(
        col,
        label,
        float(values.map(fmt.round_thousand).sum()),
        float(base_values.map(fmt.round_thousand).sum()),
        "money",
        changed and same_years,
        help=f"{helptext}, {span}: the sum of the yearly figures in the table below.",
        more_is_better=label.startswith("Budget"),  # a higher budget was shown red, as an overspend is
    )

# --- charts -------------------------------------------------------------------------
st.divider()
toggle_col, runs_col, _ = st.columns([2, 1, 1], vertical_alignment="center")
band_on = widgets.pref_toggle(
    "stochastic",
    "Show the range of outcomes (P10 to P90)",
    help=(
        "Runs the model many times. Each run has its own chance in who enters and leaves care, and draws its own "
        "rates, prices and inflation from their stated ranges (Model and assumptions). Eight runs in ten fall "
        "inside the band."
    ),
    where=toggle_col,
)
band = None
if band_on:
    runs = widgets.pref_number(
        "runs", "Number of simulation runs", 50, 1000, 50, help="More runs give a smoother band.", where=runs_col
    )
    band = components.range_tables(s, runs)

left, right = st.columns(2, gap="large")
with left:
    st.markdown("##### Children in care by legal stage")
    actuals = state.actuals_for(s)
    if actuals is None:
        components.chart(
            charts.stage_chart,
            t.stage_month,
            band.month if band is not None else None,
            alt="Stacked area chart of children in care by legal stage, month by month.",
        )
    else:  # a scenario starting from a loaded SSDA903 return: its own counts before the projection
        components.chart(
            charts_actuals.stage_chart_with_actuals,
            t.stage_month,
            band.month if band is not None else None,
            actuals,
            alt="Stacked area chart of children in care by legal stage, month by month; black dots: children in "
            "care in your SSDA903 return before the projection starts.",
        )
        st.caption(
            f"Black dots: children in care at each month end in your return, the {len(actuals)} months to "
            f"{fmt.long_date(s.start_date - dt.timedelta(days=1))}; the projection starts the day after."
        )
    st.markdown(summaries.children_summary(t.fy, s.initial.total, t.stage_month))
    if band is not None:
        last = band.fy.iloc[-1]
        st.caption(
            f"Grey band: 8 in 10 of {band.runs} simulated futures fall inside it (all stages together). "
            f"At {fmt.long_date(last['period_end'])}: {fmt.children(last['children_in_care_p10'])} to "
            f"{fmt.children(last['children_in_care_p90'])} children."
        )
with right:
    st.markdown("##### Placement spend by financial year against budget")
    components.chart(
        charts.spend_budget_chart,
        t.fy,
        band.fy if band is not None else None,
        alt="Bar chart of placement spend by financial year with the budget marked.",
    )
    st.markdown(summaries.spend_summary(t.fy))
    if band is not None:
        p10, p90 = band.fy["spend_gbp_p10"].iloc[0], band.fy["spend_gbp_p90"].iloc[0]
        st.caption(
            f"Range in {band.fy['period'].iloc[0]} from {band.runs} runs: {fmt.gbp_short(p10)} to {fmt.gbp_short(p90)}."
        )

# full width: in half the page the table showed one and a half of its columns on a 1280-pixel screen
with st.expander("Table: children by legal stage at 31 March"):
    components.cached_figures_table(
        "stage_table", (s,), lambda: summaries.stage_table(t.stage_month, t.fy), money=False
    )

if band is not None:
    st.subheader("How sure is this?", anchor=False)
    st.markdown(summaries.risk_summary(band.fy))
    fan_left, fan_right = st.columns(2, gap="large")
    with fan_left:
        st.markdown("##### Children in care: the range of futures")
        components.chart(
            charts_uncertainty.fan_chart,
            band.month,
            "children_in_care",
            t.month,
            alt="Fan chart of children in care: the middle line, the band holding half the futures and the band "
            "holding eight in ten, and the projection on the cards as a dashed line.",
        )
    with fan_right:
        st.markdown("##### Placement spend by financial year: the range of futures")
        components.chart(
            charts_uncertainty.fan_chart,
            band.fy,
            "spend_gbp",
            t.fy,
            alt="Fan chart of placement spend by financial year: the middle line and the bands holding half and eight "
            "in ten of the futures, and the projection on the cards as a dashed line.",
        )
    st.caption(summaries.centre_note(band.fy, t.fy))
    components.table(summaries.risk_table(band.fy), money=False)
    st.caption(
        f"From {band.runs} simulated futures. The darker band holds half of them, the lighter band eight in ten. The "
        "range covers chance and the stated uncertainty in the model's rates, prices and inflation; it does not cover "
        "decisions not yet made or changes in the law. What the bands mean and do not mean: Model and assumptions."
    )

# --- the budget-paper table ------------------------------------------------------------------
st.subheader("By financial year", anchor=False)
paper = runner.derived(
    "budget_paper", (s, base), lambda: budget_paper.display_frame(budget_paper.budget_paper_table(t.fy, bt.fy))
)
components.figures_table(paper, budget_paper.figure_columns(paper))
st.caption(
    "Baseline, scenario and difference for each financial year. Money to the nearest £1,000; pressure is spend "
    "minus budget (negative is a saving); every difference and total is worked out from the figures as shown, so "
    "the table adds up. Children are counted on 31 March. Download this table (CSV), or the workbook with the "
    "monthly figures, charts and every assumption, from the sidebar."
)
