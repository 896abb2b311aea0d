"""Councillor briefing: a few plain-English sentences, two big charts and a take-away brief.

Councillors are not analysts: this page leads with three or four sentences they can repeat,
two charts readable across a room, the four levers they ask about most, a glossary, and a
one-page brief to download. Every sentence is computed from the model (csc_model.narrative).
Works inside app.py and on its own (``streamlit run pages/briefing.py``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd
import streamlit as st

from app_lib import brief, components, exports, runner, state, summaries, widgets
from app_lib import briefing_charts as bc
from app_lib.formatting import md_escape
from csc_model.calendar import add_years
from csc_model.config import DATA_DIR, placement_labels
from csc_model.narrative import TableProjection, narrate

PREFIX = "briefing:"
COURT, EDGE, FOSTER, INFLATION = (PREFIX + k for k in ("court_weeks", "edge_pct", "foster_per_year", "inflation_pct"))
SHIFT_FROM, SHIFT_TO = "private_childrens_home", "in_house_fostering"


@lru_cache(maxsize=1)
def glossary() -> pd.DataFrame:
    """Plain-English glossary (data/glossary.csv)."""
    return pd.read_csv(DATA_DIR / "glossary.csv")


def projection(scenario) -> TableProjection:
    t = runner.tables(scenario)
    return TableProjection(scenario, t.fy, t.month)


# ---------------------------------------------------------------------------
# The four levers councillors ask about most
# ---------------------------------------------------------------------------


def _court_value() -> float:
    p = state.scenario().proceedings
    return float(p.target_mean_weeks if p.target_mean_weeks is not None else p.mean_weeks)


def _on_court() -> None:
    s = state.scenario()
    weeks = float(st.session_state[COURT])
    if weeks == s.proceedings.mean_weeks:
        changes: dict = {"proceedings.target_mean_weeks": None}
    else:
        changes = {"proceedings.target_mean_weeks": weeks}
        if s.proceedings.target_mean_weeks is None:  # first use: reach the target over the first year
            changes["proceedings.target_from_date"] = s.start_date.isoformat()
            changes["proceedings.target_by_date"] = (add_years(s.start_date, 1) - dt.timedelta(days=1)).isoformat()
    state.apply_changes(changes, COURT)


def _on_edge() -> None:
    s = state.scenario()
    changes = {"entries.prevented_share": round(float(st.session_state[EDGE]) / 100, 4)}
    if s.entries.prevented_share == 0:
        changes["entries.prevention_start"] = s.start_date.isoformat()
    state.apply_changes(changes, EDGE)


def _on_foster() -> None:
    s = state.scenario()
    sh = s.placements.shift
    changes: dict = {"placements.shift.children_per_year": float(st.session_state[FOSTER])}
    if sh.children_per_year == 0:
        changes.update(
            {
                "placements.shift.from_type": SHIFT_FROM,
                "placements.shift.to_type": SHIFT_TO,
                "placements.shift.start_date": s.start_date.isoformat(),
            }
        )
    state.apply_changes(changes, FOSTER)


def _on_inflation() -> None:
    state.apply_changes({"costs.annual_inflation": round(float(st.session_state[INFLATION]) / 100, 4)}, INFLATION)


def _on_clear() -> None:
    """Current trends are the baseline's: the chosen baseline, or else the defaults."""
    if state.custom_baseline():
        state.set_scenario(state.baseline(), f"Back to the baseline ({md_escape(state.baseline_label())}).")
    else:
        state.reset()


def _errors(key: str) -> None:
    for message in state.errors_for(key):
        st.error(message)


def levers() -> None:
    """Four simple sliders bound to the shared scenario; everything else stays on the builder."""
    s = state.scenario()
    base = state.baseline()
    base_word = "In the baseline it" if state.custom_baseline() else "The default"
    labels = placement_labels()
    by = add_years(s.start_date, 1) - dt.timedelta(days=1)
    court_by = s.proceedings.target_by_date if s.proceedings.target_mean_weeks is not None else by

    state.seed(COURT, int(round(_court_value())))
    state.seed(EDGE, int(round(s.entries.prevented_share * 100)))
    state.seed(FOSTER, int(round(s.placements.shift.children_per_year)))
    state.seed(INFLATION, round(s.costs.annual_inflation * 100, 1))

    left, right = st.columns(2, gap="large")
    with left:
        st.slider(
            f"Average length of care proceedings by {court_by:%B %Y} (weeks)",
            min_value=20,
            max_value=int(max(60, s.proceedings.mean_weeks)),
            step=1,
            key=COURT,
            on_change=_on_court,
            help=(
                f"Today's average is {s.proceedings.mean_weeks:g} weeks; the legal target is 26 weeks. "
                "Shorter proceedings mean children reach a permanent home, and often leave care, sooner."
            ),
        )
        _errors(COURT)
        st.slider(
            "Entries to care prevented by edge-of-care work (%)",
            min_value=0,
            max_value=30,
            step=1,
            key=EDGE,
            on_change=_on_edge,
            help="Intensive family support that keeps children safely at home. 10% means 1 in 10 fewer children "
            "come into care.",
        )
        _errors(EDGE)
    with right:
        shift = s.placements.shift
        frm = labels.get(shift.from_type if shift.children_per_year else SHIFT_FROM, SHIFT_FROM).lower()
        to = labels.get(shift.to_type if shift.children_per_year else SHIFT_TO, SHIFT_TO).lower()
        st.slider(
            f"Children moved each year from {frm} to {to}",
            min_value=0,
            max_value=40,
            step=1,
            key=FOSTER,
            on_change=_on_foster,
            help="Recruiting more in-house foster carers lets children move from expensive residential care.",
        )
        _errors(FOSTER)
        st.slider(
            "Placement price inflation (% a year)",
            min_value=0.0,
            max_value=15.0,
            step=0.5,
            key=INFLATION,
            on_change=_on_inflation,
            format="%.1f%%",
            help=f"How fast weekly placement prices rise. {base_word} is {base.costs.annual_inflation * 100:g}% a year.",
        )
        _errors(INFLATION)
    st.caption(
        "Every other assumption (entries, court outcomes, prices, budget) is on the Scenario builder page; "
        "changes made there or here are shared by every page."
    )
    st.button(
        "Back to current trends (clear all changes)",
        key=PREFIX + "reset",
        on_click=_on_clear,
        icon=":material/restart_alt:",
    )


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

state.ensure()
components.page_header(
    "Councillor briefing",
    "What the model says in plain English, with two charts and a one-page brief to take away.",
)

base = projection(state.baseline())
scen = projection(state.scenario())
story = narrate(base, scen)
scen_arg = scen if story.changed else None

st.header("What the model says")
if state.custom_baseline():
    st.caption(
        f"Here “current trends” means the baseline you chose, **{md_escape(state.baseline_label())}**, "
        "not the bundled defaults."
    )
box = st.container(border=True)
if story.changed:
    box.subheader("What happens with the changes")
    box.markdown("\n".join(f"- {md_escape(s.text)}" for s in story.change))
    box.subheader("On current trends")
else:
    box.caption("Nothing has been changed yet: these sentences describe current trends. Try a lever below.")
box.markdown("\n".join(f"- {md_escape(s.text)}" for s in story.baseline))
box.caption(story.rounding.text)

if widgets.pref_toggle(
    "stochastic",
    "Say how likely an overspend is",
    help="Runs the model many times, with chance and with the uncertainty in its rates and prices (a few seconds).",
):
    band = components.range_tables(state.scenario(), int(state.pref("runs")))
    if band is not None:
        st.markdown(summaries.chance_sentences(band.fy))

st.header("What if ...?")
st.write("Move a lever: the sentences above and the charts below change straight away.")
levers()

st.header("Charts")
st.subheader(bc.CHILDREN_TITLE)
st.caption(bc.children_subtitle(base))
components.chart(bc.children_chart, base, scen_arg, titled=False)
st.markdown(f"**What the chart shows:** {md_escape(bc.children_chart_text(base, scen_arg))}")
st.subheader(bc.SPEND_TITLE)
st.caption(bc.spend_subtitle(base))
components.chart(bc.spend_chart, base, scen_arg, titled=False)
st.markdown(f"**What the chart shows:** {md_escape(bc.spend_chart_text(base, scen_arg))}")

st.header("Take-away brief")
brief_baseline = state.baseline_label() if state.custom_baseline() else None
st.write(
    "A one-page brief with these sentences, the two charts, the assumptions and their sources, and the "
    "caveats. It opens in any web browser without the internet and prints on one A4 page."
)
st.download_button(
    "Download the one-page brief (HTML)",
    data=lambda: brief.build_brief(base, scen, narrative=story, baseline_label=brief_baseline).encode("utf-8"),
    file_name=brief.brief_filename(state.scenario().name, tag=exports.change_tag(state.scenario())),
    mime="text/html",
    key=PREFIX + "download",
    icon=":material/download:",
    on_click="ignore",
)

st.header("Words used")
with st.expander("Glossary: what the words mean"):
    st.markdown("\n".join(f"- **{md_escape(r.term)}**: {md_escape(r.plain_english)}" for r in glossary().itertuples()))
