"""Placements and costs: where children live, what it costs, and the average weekly cost per child."""

import pandas as pd
import streamlit as st

from app_lib import charts, components, exports, runner, state, summaries
from app_lib import formatting as fmt
from csc_model.reporting.results import mix_drift

state.ensure()
components.page_header(
    "Placements and costs",
    "Children by placement type, spend by placement type and the average weekly cost per child.",
)

s, base = state.scenario(), state.baseline()
t, bt = runner.tables(s), runner.tables(base)
fy0 = t.fy.iloc[0]
first_fy = fy0["period"]
differs = s != base
changed = (
    differs and bt.fy["period"].iloc[0] == first_fy
)  # deltas only for the same year (a baseline may start in another)
RESIDENTIAL = ("la_childrens_home", "private_childrens_home", "secure")
FOSTERING = ("in_house_fostering", "kinship_fostering", "ifa")


def _residential(placement_fy, column: str, period: str) -> float:
    rows = placement_fy[(placement_fy["period"] == period) & placement_fy["placement"].isin(RESIDENTIAL)]
    return float(rows[column].sum())


def _type(placement_fy, pid: str, column: str, period: str) -> float:
    rows = placement_fy[(placement_fy["period"] == period) & (placement_fy["placement"] == pid)]
    return float(rows[column].sum())


def headline(scenario) -> dict[str, float]:
    """The page's four headline figures for the first financial year of ``scenario``'s projection:
    worked out once server-wide (a rerun then costs a dictionary copy, not four table filters)."""

    def work() -> dict[str, float]:
        projection = runner.tables(scenario)
        pf, fy = projection.placement_fy, projection.fy
        year = fy["period"].iloc[0]
        return {
            "weekly": float(fy["avg_weekly_cost_per_child_gbp"].iloc[0]),
            "residential": _residential(pf, "spend_gbp", year),
            "private": _type(pf, "private_childrens_home", "children", year),
            "fostering": sum(_type(pf, p, "children", year) for p in FOSTERING),
        }

    return runner.derived("placements:headline", (scenario,), work)


def _part_text(r: dict) -> str:
    """One placement type's part in the drift: "private children's home, 46 to 38 children (-£44 a week per child)".

    The label is lower-cased mid-sentence (abbreviations such as "LA" and "(IFA)" keep their capitals). A type
    whose whole number of children does not change ("secure children's home 3 to 3 children") is said to stay
    at about that number, its part coming from its share of a total that changes."""
    name = fmt.lower_first(r["label"])
    n0, n1 = fmt.children(r["children_start"]), fmt.children(r["children_end"])
    part = f"{fmt.gbp_exact(r['part_gbp'], signed=True)} a week per child"
    if n0 == n1:
        share = "larger" if r["part_gbp"] > 0 else "smaller"
        many = "child" if n0 == "1" else "children"
        return f"{name}, about {n0} {many} throughout but a {share} share of all children in care ({part})"
    return f"{name}, {n0} to {n1} children ({part})"


def drift_text(scenario, placement_month, year_average: float, first_fy: str) -> str:
    """What the placement mix alone does to the cost per child, in words, from the projection.

    Its figures are one day's children priced at the first year's prices, not the year's average of the first
    card (``year_average``): a reviewer read "£1,493" on the card beside "£1,499 with the children in care on
    30 April 2026" here as two values of one figure, so the sentence says which it is and names the card's."""
    d = mix_drift(placement_month, scenario)
    years = d["years"]
    ends = pd.to_datetime(placement_month["period_end"])
    head = (
        f"At {first_fy} prices throughout, the placement mix alone moves the weekly cost per child from "
        f"{fmt.gbp_exact(d['cost_start'])} for the children in care on {fmt.long_date(ends.min().date())} to "
        f"{fmt.gbp_exact(d['cost_end'])} for those on {fmt.long_date(ends.max().date())}, {years} years on "
        f"({d['change']:+.1%}). These are snapshots of one day's children, not a year's average like the first "
        f"card's {fmt.gbp_exact(year_average)} for {first_fy}, which follows the children as they come and go."
    )
    if abs(d["change"]) < 0.01:
        return head + (
            " The mix is close to steady: the entry mix and the moves between placement types keep today's mix. "
            "Both are on the Scenario builder, under Placements."
        )
    moved = [r for r in d["types"][:3] if abs(r["part_gbp"]) >= 5]
    parts = f" Most of the change comes from: {'; '.join(_part_text(r) for r in moved)}." if moved else ""
    return (
        head
        + parts
        + (
            " No decision causes this: it follows from the inputs (who comes into care, at what "
            "ages and in which first placements, how long children stay, and the moves between placement types, all "
            "on the Scenario builder). Check them against your own data before reading it as a trend."
        )
    )


def cost_text(fy) -> str:
    """The year averages of the weekly cost per child, first and last year: the first card's measure, named as such
    (the month's average, "£1,500 over April 2026", was a third starting figure beside the card's and the drift's)."""
    first, last = fy.iloc[0], fy.iloc[-1]
    return (
        f"Averaged over each financial year (the year's placement spend divided by the weeks children spend in care, "
        f"as on the first card), the weekly cost per child is {fmt.gbp_exact(first['avg_weekly_cost_per_child_gbp'])} "
        f"in {first['period']} and {fmt.gbp_exact(last['avg_weekly_cost_per_child_gbp'])} in {last['period']}: price "
        "inflation and the placement mix together. The chart shows the same average month by month."
    )


end = fmt.long_date(fy0["period_end"])
st.caption(
    f"First financial year, {first_fy}: money over the year (the weekly cost per child is the average over the whole "
    f"year), children at {end}." + (f" {components.DELTA_NOTE}" if changed else "")
)
now, was = headline(s), headline(base)
cols = st.columns(4)
components.metric(
    cols[0],
    "Weekly cost per child",
    now["weekly"],
    was["weekly"],
    "weekly",
    changed,
    help=f"The average over the whole of {first_fy}: the year's placement spend divided by the weeks children "
    "spend in care in it.",
)
components.metric(
    cols[1],
    "Residential spend",
    now["residential"],
    was["residential"],
    "money",
    changed,
    help=f"Spend in {first_fy} on LA and private children's homes and secure children's homes.",
)
components.metric(
    cols[2],
    "In private children's homes",
    now["private"],
    was["private"],
    "children",
    changed,
    help=f"Children in private children's homes at {end}.",
)
components.metric(
    cols[3],
    "In foster care",
    now["fostering"],
    was["fostering"],
    "children",
    changed,
    help=f"Children in in-house, kinship and independent fostering agency (IFA) placements at {end}.",
)

st.markdown("##### Children by placement type")
components.chart(
    charts.placement_area_chart,
    t.placement_month,
    alt="Stacked area chart of children in care by placement type, month by month.",
)
st.caption(
    runner.derived("placements:drift", (s,), lambda: drift_text(s, t.placement_month, headline(s)["weekly"], first_fy))
)
with st.expander("Table: children by placement type at 31 March"):
    components.cached_table(
        "placements:children", (s,), lambda: exports.placement_pivot(t.placement_fy, "children"), money=False
    )

st.markdown("##### Placement spend by placement type")
components.chart(
    charts.placement_spend_chart,
    t.placement_fy,
    alt="Stacked bar chart of placement spend by placement type for each financial year.",
)
st.markdown(summaries.placement_summary(t.placement_fy))
st.caption("The table of spend by placement type is at the foot of the page.")

st.markdown("##### Average weekly cost per child")
base_name = components.baseline_series_name()
components.chart(
    charts.scenario_lines,
    {base_name: bt.month, "This scenario": t.month} if differs else {"This scenario": t.month},
    "avg_weekly_cost_per_child_gbp",
    "£ a week per child",
    money=True,
    height=260,
    baseline=base_name,
    alt="Line chart of the average weekly cost per child, month by month.",
)
st.markdown(cost_text(t.fy))
st.caption(runner.derived("placements:cost_note", (s,), lambda: summaries.cost_note(t.month)))  # once a scenario
with st.expander("Table: weekly price per child by placement type and financial year"):
    components.cached_table("placements:prices", (s,), lambda: exports.prices_table(s), money=True)
    st.caption(
        f"£ a week per child, to the pound: the prices the spend is worked out from. Quoted at "
        f"{s.costs.price_base_year} prices, then moved each April by inflation (the general rate, a type's own "
        "rate where one is set, and any year's override); see the scenario builder's Costs and budget tab."
    )

st.subheader("Placement spend by financial year", anchor=False)
components.cached_table("placements:spend", (s,), lambda: exports.placement_pivot(t.placement_fy, "spend"))
st.caption(
    "£ to the nearest thousand. The all-types row is each year's spend as on the Overview and in the budget paper "
    "(worked out exactly, rounded once); each type is rounded on its own, so the types can add up to a few £1,000 "
    "more or less than it. The Total column is the sum of the years as shown. Prices rise with inflation from the "
    "price base year (the weekly prices table above); see the scenario builder's Costs and budget tab."
)
