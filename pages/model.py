"""Model and assumptions: the stock-and-flow diagram, definitions, every default with its source, limitations."""

import functools

import pandas as pd
import streamlit as st

from app_lib import components, exports, flow_diagram, runner, state
from app_lib import formatting as fmt
from csc_model.scenario.config import DATA_DIR

LONG_RUN_YEARS = runner.LONG_RUN_YEARS
LONG_RUN_FIGURES = (  # (share, label, published figure, source): docs/model.md and shared DOMAIN figures
    ("exit_returned_home", "Leavers who return home", "about 30%", "DfE reasons ceased (2018)"),
    ("exit_sgo_cao", "Leavers to special guardianship / child arrangements", "about 11-12%", "DfE reasons ceased"),
    ("exit_adoption", "Leavers adopted", "about 9%", "DfE reasons ceased"),
    ("exit_age_18", "Leavers who are 18", "about 40%", "DfE reasons ceased"),
    ("age_under_1", "Children in care under 1", "5% (England)", "DfE children looked after 2023"),
    ("age_16_17", "Children in care aged 16-17", "27% (England)", "DfE children looked after 2023"),
)

state.ensure()
components.page_header(
    "Model and assumptions",
    "How the model works, what the words mean, where every default comes from, and what the model leaves out.",
)
s = state.scenario()

st.markdown(
    "On this page: [the model](#the-model) · [how figures are rounded](#rounding) · [definitions](#definitions) · "
    "[assumptions and sources](#assumptions-and-sources) · [limitations](#limitations)"
)


st.header("The model", anchor="the-model")
st.markdown(
    "A **stock-and-flow** model: the *stocks* are the children in care in each legal stage; the *flows* are "
    "children entering care, moving between stages and leaving care. The model moves week by week. Each child "
    "is also in one placement type, which sets what their care costs each week. The numbers on the arrows are the "
    "current scenario's values. The words are explained under [definitions](#definitions)."
)
st.image(flow_diagram.flow_svg(s), width="stretch", alt="Stock-and-flow diagram of the legal stages of care.")
c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown(
        "**Each week, in this order**\n"
        "1. Every child gets a week older; children who turn 18 leave care.\n"
        "2. Children move between legal stages or leave care, at the rates on the diagram.\n"
        "3. Children move between placement types (usual step-down and step-up moves and the sufficiency lever).\n"
        "4. New children come into care: under section 20 or into care proceedings, in a first placement that "
        "depends on their age."
    )
with c2:
    st.markdown(
        "**Money**\n\n"
        "Spend is children × weeks × the weekly price of their placement. Prices are entered at the price base "
        f"year ({s.costs.price_base_year}) and rise with inflation each financial year. The budget is the first "
        "year's placement budget, uplifted each year unless a year is set on its own. "
        "**Pressure** is spend minus budget. Tables show £ to the nearest thousand and whole children; headline "
        "figures show £m."
    )

st.subheader("How figures are rounded: one figure, one value", anchor="rounding")
st.markdown(fmt.ROUNDING_RULE)
st.caption(
    "So the Overview's cards, the Compare page, the briefing and every download give the same figure and the same "
    "difference: a card's small figure is the table's difference, and the years over budget are the same years "
    "everywhere."
)

st.header("Definitions", anchor="definitions")
glossary = pd.read_csv(DATA_DIR / "glossary.csv")
# The app's own rounding is stated next to each table (£ to the nearest thousand, whole children).
glossary = glossary[glossary["term"] != "Rounding"]
half = (len(glossary) + 1) // 2
g1, g2 = st.columns(2, gap="large")
for where, part in ((g1, glossary.iloc[:half]), (g2, glossary.iloc[half:])):
    with where:
        st.markdown("\n".join(f"- **{row.term}**: {row.plain_english}" for row in part.itertuples()))

st.header("Assumptions and sources", anchor="assumptions-and-sources")
st.markdown(
    "Every input of the current scenario, with the default value and where the default comes from. "
    "Rows you have changed are ticked. The defaults describe an **illustrative** authority of about 500 children "
    "in care, shaped on published figures: replace them with your own data before quoting the results."
)
table = runner.derived(runner.MODEL_ASSUMPTIONS, (s,), lambda: exports.assumptions_table(s))
groups = ["All"] + list(dict.fromkeys(table["Group"]))
pick = st.segmented_control("Show assumptions for", groups, default="All", key="assumption_group")
shown = table if pick in (None, "All") else table[table["Group"] == pick]
# "Children in care on the start date, by legal stage: Care order" was cut before the stage on a laptop
# screen, so every row read the same: the part that tells rows apart goes in a column of its own.
split = shown["Assumption"].str.split(": ", n=1, expand=True).reindex(columns=[0, 1])
shown = shown.assign(Assumption=split[0], For=split[1].fillna(""))
# The year and the source sit next to the value, the year first: at 1280 px the year came after a 300 px source and
# was scrolled out of view, and the source was cut ("... 513 in care at 31 March 202…"). The grid's columns up to
# the year fit a laptop screen; every source is written out in full, with its year, under the grid.
order = ["Assumption", "For", "Value", "Year", "Source of the default", "Changed", "Default", "Note", "Group", "Field"]
if pick not in (None, "All"):
    order.remove("Group")
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    height=480,
    column_order=[c for c in order if c in shown.columns],
    column_config={
        "Assumption": st.column_config.TextColumn(width=220),
        "For": st.column_config.TextColumn(width=190, help="Which stage, placement type, age band or year"),
        "Value": st.column_config.TextColumn(width=100),
        "Year": st.column_config.TextColumn(width=70, help="The year the source's figures describe"),
        "Source of the default": st.column_config.TextColumn(
            width=420,
            help="Where the default value comes from. A long source is cut short here: each is written out in full, "
            "with its year, under the table (Sources in full).",
        ),
        "Changed": st.column_config.CheckboxColumn(width="small", help="Ticked if you have changed this value"),
        "Default": st.column_config.TextColumn(width=110),
        "Field": st.column_config.TextColumn(help="The field's name in the scenario file"),
    },
)


def sources_in_full(rows: pd.DataFrame) -> pd.DataFrame:
    """Each source of the assumptions in ``rows`` once, in full, with its year and the assumptions it is used for.

    An assumption whose every part ("For") shares one source is named alone ("Age mix of children in care"); one
    whose parts have different sources names its parts ("Weekly price by placement type: Private children's home").
    """
    rows = rows[rows["Source of the default"].fillna("").str.strip() != ""]
    parts_of = rows.groupby("Assumption", sort=False)["For"].size()
    out = []
    for (source, year), group in rows.groupby(["Source of the default", "Year"], sort=False):
        used = []
        for name, sub in group.groupby("Assumption", sort=False):
            fors = [f for f in sub["For"] if f]
            used.append(name if not fors or len(sub) == parts_of[name] else f"{name}: {', '.join(fors)}")
        out.append({"Used for": "; ".join(used), "Year": year, "Source of the default, in full": source})
    return pd.DataFrame(out, columns=["Used for", "Year", "Source of the default, in full"])


full = sources_in_full(shown)
label = f"Sources in full, with their years ({fmt.plural(len(full), 'source')}"
with st.expander(label + ("" if pick in (None, "All") else f" for {pick}") + ")"):
    st.caption(
        "The table above cuts a long source short. Here each is written out in full, once, with the year its "
        "figures describe and the assumptions that use it."
    )
    components.figures_table(full, right=["Year"])  # HTML: the year kept on one line (not "2023-/24")
st.download_button(
    "Assumptions (CSV)",
    data=functools.partial(exports.csv_bytes, table),  # written only when clicked
    file_name=f"{exports.file_stem(s)}-assumptions.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/csv:",
    key="download_assumptions",
)

st.subheader("Where the inputs lead in the long run", anchor="long-run")


lr = runner.long_run(s, LONG_RUN_YEARS)
rows = [(label, lr[key], published, source) for key, label, published, source in LONG_RUN_FIGURES]
st.markdown(
    f"Held for {LONG_RUN_YEARS} years, this scenario's rates settle into the shares below: the leavers of the last "
    "five years by route, and the children in care by age at the end. Set against the published figures the "
    "defaults cite, they show whether the rates agree with each other and with what is known."
)
after = f"This scenario after {LONG_RUN_YEARS} years"
components.text_table(
    pd.DataFrame(
        {
            "Measure": [r[0] for r in rows],
            after: [fmt.pct(r[1], 0) for r in rows],
            "Published": [r[2] for r in rows],
            "Source": [r[3] for r in rows],
        }
    ),
    right=[after],
)
start_16 = s.initial.age_band_shares["16_17"]
st.markdown(
    f"Children in care here number {lr['children_ratio']:.0%} of today's after {LONG_RUN_YEARS} years. "
    f"Today {start_16:.0%} of this authority's children in care are 16 or 17 (England 27%, of which about 9 points "
    "are unaccompanied asylum-seeking children, DfE 2023), so fewer of its leavers are 18 than in England: "
    f"{lr['exit_age_18']:.0%} here against about 40%. The model's rates of leaving care are also the same at "
    "every age, so young children on care orders stay for years and hold places that, in England, older "
    "children hold: getting closer would need leaving rates that vary with age. Among those who leave before 18, "
    "the routes are compared with England's in the table. How the defaults were set so that they agree, and "
    "what is left: `docs/model.md`, *How the defaults were calibrated*."
)

st.header("The range of outcomes", anchor="range-of-outcomes")
st.markdown(
    """
With **Show the range of outcomes** on, the model is run many times. Each run is one possible future of
the same authority, from the same children in care on the start date. Two things differ between runs:
**chance** (which children come into care in a week, who leaves, who moves placement) and **not knowing the
rates exactly**: each run first draws its own rates, prices and inflation. A rate worked out from your return
is spread according to how many events it rests on (few events, wide spread); a figure without data has a
stated range, listed below with its source.

- **The middle line (P50)**: half the futures are above it, half below.
- **The light band (P10 to P90)**: 8 futures in 10 fall inside it; 1 in 10 above, 1 in 10 below.
  **The dark band (P25 to P75)** holds half of them.
- **Chance of an overspend**: the share of futures in which the year's spend is above its budget:
  "about 7 in 10" means 7 futures in 10.
- **Budget enough 8 times in 10**: the spend that 8 futures in 10 stay below.

What the bands do **not** mean: they are not a guarantee. They cover chance and uncertain rates within the
model; they do not cover what the model does not know (a new court practice, a surge of unaccompanied
children, a provider leaving the market, a change in the law), and they take the scenario's levers as achieved,
apart from the effect of preventing entries and of the placement-shift lever, which varies between runs (8 in 10 achieve
x0.77 to x1.3 of what is set). Checked on authorities simulated by a process that is not this model, from six cut-offs one to three
years ahead, the actual number of children in care fell inside P10 to P90 in 78% of cases
(`tests/test_backtest.py`; details in `docs/uncertainty.md`).
"""
)
ranges = pd.read_csv(DATA_DIR / "uncertainty_ranges.csv")
with st.expander("The stated ranges for figures without data, with their sources"):
    st.dataframe(
        ranges.rename(
            columns={
                "parameter": "Figure",
                "kind": "How applied",
                "p10": "P10",
                "p90": "P90",
                "source": "Source",
                "year": "Year",
                "notes": "Notes",
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.header("Track record", anchor="track-record")
st.markdown(
    """
**Every English authority, on DfE's published figures.** Each authority's scenario was built from what was
published up to 31 March 2023 and projected to 31 March 2024 (`python -m csc_model published-backtest --as-at
2023-03-31`). Its average error against the published count was **5.2%**, against **5.5%** for "next year = this
year" (from 2022 to 2023: 5.8% against 6.0%). The model alone is off by 8.1%, about as much as carrying last year's
net flow forward: published starters and leavers do not add up to the change in the number in care (DfE counts
children, not periods of care: a child who comes into care twice in a year is one starter but can add to the
count), and one year's change does not predict the next. So the scenario built for an authority sets its entry
rate so that the first year reaches a forecast that starts from this year's count and moves it by how far the
authority's rate per 10,000 and its share aged 16 and over are from the median authority's, fitted only on
outcomes published before the cut-off. The two predictors were chosen after looking at every published year, so
treat the gain over "next year = this year" as promising rather than proven (measured 30 November 2026).

**Your own return.** *Load your data* re-runs the model from six earlier 31 Marches, using only what was known then,
and compares with what happened. On authorities simulated by a process that is not this model, the band from 10%
to 90% held the actual 78% of the time, and the middle forecast was off by 3.6%, 4.2% and 5.0% one, two and three
years ahead, against 3.8%, 5.2% and 7.3% for "next year = this year" (measured 30 November 2026).
"""
)

st.header("Limitations", anchor="limitations")
st.markdown(
    """
- **Illustrative defaults.** The default authority is not a real council. Many values are marked *illustrative
  assumption* above. Start from your own SSDA903 return on *Load your data* (it sets the children in care, the
  entries and, where a year holds enough events, the rates of proceedings, outcomes, leaving care and placement
  moves), and set what it cannot (prices, the budget) before using results for budgets.
- **Expected numbers.** The figures are averages; real numbers vary by chance. Turn on *Show the range of
  outcomes* on the overview to see how much. The range covers chance and the stated uncertainty in rates, prices
  and inflation, not doubt about the levers or what the model leaves out (see *The range of outcomes*).
- **Rates do not depend on age or time in care**, except leaving care at 18 and the age limits of placement types.
  A child on a care order for ten years is as likely to leave this week as one ordered last week.
- **Starting position.** Age, placement and legal stage are independent on the start date, and ages are spread
  evenly within each age band, so the numbers leaving care at 18 come in lumps.
- **Court proceedings** remember the time already spent only roughly; the target lever also speeds up cases already
  under way and the backlog, which may be optimistic.
- **No capacity limits and no price response.** Any number of children can be placed in any type at the same price;
  inflation is the same for every placement type unless you set a rate for a type. The sufficiency lever does not check age limits.
- **Placement costs only**: no staff, legal, care leaver (after 18) or overhead costs.
- **No re-entry and no separate stream for unaccompanied asylum-seeking children**; sibling groups are not kept
  together in the range of outcomes.
- **Weekly steps.** A child can have at most one legal event and one placement move a week; tables spread each
  week's flows evenly over its days, so months add up to their year.

The full technical description, with equations, is in `docs/model.md` in the project's repository.
"""
)
