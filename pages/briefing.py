"""Councillor briefing: a few plain-English sentences, two big charts and a take-away brief.

Councillors are not analysts: this page leads with three or four sentences they can repeat,
two charts readable across a room, the four levers they ask about most, a glossary, and a
one-page brief to download (HTML and PDF). Every sentence is computed from the model
(csc_model.reporting.narrative). "Present" turns the page into slides for a council chamber (one big
figure or one chart per screen, no sidebar; the slides come from app_lib.presentation).
Works inside app.py and on its own (``streamlit run pages/briefing.py``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache, partial

import pandas as pd
import streamlit as st

from app_lib import brief, brief_pdf, components, exports, published_page, runner, state, summaries, widgets
from app_lib import briefing_charts as bc
from app_lib import presentation as pr
from app_lib.formatting import md_escape
from csc_model.reporting.narrative import TableProjection, narrate
from csc_model.scenario.calendar import add_years
from csc_model.scenario.config import DATA_DIR, placement_labels

PREFIX = "briefing:"
PRESENTING, SLIDE, KEYS = PREFIX + "presenting", PREFIX + "slide", PREFIX + "keys"
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
# Presentation mode
# ---------------------------------------------------------------------------

# Static CSS written here (never user text). The sidebar, its toggle and the top bar are hidden;
# the slide's text is sized for the back of a room on a 1920x1080 projector.
PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"],
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.5rem 3.5rem 0.5rem 3.5rem !important; max-width: 100% !important; }
.st-key-present-slide { min-height: calc(100vh - 170px); }
.st-key-present-slide h1 { font-size: clamp(40px, 5.9vh, 64px) !important; line-height: 1.15 !important;
  padding: 0 0 12px 0 !important; }
[class*="st-key-present-value-"] p { font-size: clamp(64px, 13.9vh, 150px) !important; line-height: 1.05 !important;
  font-weight: 700 !important; color: #0062A0 !important; margin: clamp(8px, 2.2vh, 24px) 0 0 0 !important; }
[class*="st-key-present-label-"] p { font-size: clamp(26px, 3.7vh, 40px) !important; line-height: 1.25 !important; margin: 0 !important; }
.st-key-present-lines { margin-top: clamp(12px, 3.7vh, 40px); }
.st-key-present-lines li, .st-key-present-lines p { font-size: clamp(28px, 4.1vh, 44px) !important; line-height: 1.3 !important; }
.st-key-present-lines li { margin-bottom: clamp(6px, 1.5vh, 16px) !important; }
.st-key-present-note p { font-size: clamp(20px, 2.4vh, 26px) !important; color: #333333 !important; }
.st-key-present-risk-toggle label p { font-size: 32px !important; }
.st-key-present-controls p, .st-key-present-controls button p { font-size: 22px !important; }
.st-key-present-controls button { min-height: 52px !important; }
</style>
"""

# Arrow keys: Streamlit has no key events, so a small static component (st.components.v2, which
# runs in the page itself, not in an iframe) listens to the keyboard and sends "next", "previous"
# or "leave" back to Python as a trigger value; :func:`_on_key` then moves the slide exactly as the
# buttons do. Presentation clickers send PageDown/PageUp, which work too. Keys typed into an input
# are left alone, and the listener is removed when the component goes (leaving the presentation).
KEYS_JS = """
export default function(component) {
  const { setTriggerValue } = component;
  const moves = { ArrowRight: "next", PageDown: "next", ArrowLeft: "previous", PageUp: "previous", Escape: "leave" };
  const onKey = (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const t = e.target;
    const typing = t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) || t.getAttribute("role") === "slider"
      || (t.tagName === "INPUT" && !/^(checkbox|radio|button)$/.test(t.type)));
    if (typing) return;
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    setTriggerValue("key", move);
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
"""

_keys = st.components.v2.component("briefing_present_keys", js=KEYS_JS)


def _on_present() -> None:
    st.session_state[PRESENTING] = True
    st.session_state[SLIDE] = 0


def _on_leave() -> None:
    st.session_state[PRESENTING] = False


def _on_move(delta: int, count: int) -> None:
    st.session_state[SLIDE] = pr.step(st.session_state.get(SLIDE, 0), delta, count)


def _on_key(count: int) -> None:
    value = st.session_state.get(KEYS) or {}
    move = value.get("key") if hasattr(value, "get") else None
    if move == "next":
        _on_move(1, count)
    elif move == "previous":
        _on_move(-1, count)
    elif move == "leave":
        _on_leave()


def present(base, scen, scen_arg) -> None:
    """One slide at a time, no sidebar, text for a projector; buttons and arrow keys to move."""
    st.html(PRESENT_CSS)
    band = components.range_tables(state.scenario(), int(state.pref("runs"))) if state.pref("stochastic") else None
    slides = pr.slides(base, scen, None if band is None else band.fy)
    count = len(slides)
    _keys(key=KEYS, on_key_change=partial(_on_key, count))
    i = pr.step(st.session_state.get(SLIDE, 0), 0, count)
    slide = slides[i]
    with st.container(key="present-slide"):
        st.title(md_escape(slide.title), anchor=False)
        if slide.figures:
            for k, (col, f) in enumerate(zip(st.columns(len(slide.figures), gap="large"), slide.figures, strict=True)):
                col.container(key=f"present-value-{k}").markdown(md_escape(f.value))
                col.container(key=f"present-label-{k}").markdown(md_escape(f.label))
        if slide.chart == pr.CHILDREN_CHART:
            components.chart(bc.children_chart, base, scen_arg, bc.PRESENT, titled=False)
        elif slide.chart == pr.SPEND_CHART:
            components.chart(bc.spend_chart, base, scen_arg, bc.PRESENT, titled=False)
        if slide.lines:
            with st.container(key="present-lines"):
                if slide.key == "changes" and len(slide.lines) > 1:
                    st.markdown("\n".join(f"{n}. {md_escape(t)}" for n, t in enumerate(slide.lines, 1)))
                else:
                    st.markdown("\n\n".join(md_escape(t) for t in slide.lines))
        if slide.key == "risk" and band is None:
            with st.container(key="present-risk-toggle"):
                widgets.pref_toggle("stochastic", "Say how likely an overspend is")
        note = slide.note
        placeholder = published_page.placeholder_budget_note() if slide.key in ("spend", "spend_chart") else None
        if placeholder:
            note = " ".join(x for x in (note, placeholder) if x)
        if note:
            st.container(key="present-note").markdown(md_escape(note))
    with st.container(key="present-controls"):
        prev, where, nxt, leave = st.columns([1.2, 3, 1.2, 1.6], vertical_alignment="center")
        prev.button(
            "Previous",
            key=PREFIX + "present_prev",
            icon=":material/arrow_back:",
            on_click=_on_move,
            args=(-1, count),
            disabled=i == 0,
            width="stretch",
        )
        where.markdown(
            f"Slide {i + 1} of {count} · {md_escape(state.scenario().name.strip() or 'Unnamed scenario')}",
            help="The arrow keys (and a presentation clicker's Page Up and Page Down) move between the slides; "
            "Esc leaves the presentation.",
        )
        nxt.button(
            "Next",
            key=PREFIX + "present_next",
            icon=":material/arrow_forward:",
            on_click=_on_move,
            args=(1, count),
            disabled=i == count - 1,
            width="stretch",
        )
        leave.button(
            "Leave presentation",
            key=PREFIX + "present_leave",
            icon=":material/close:",
            on_click=_on_leave,
            width="stretch",
        )


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

# The headline sentences a little larger than body text (static CSS written here).
PAGE_CSS = "<style>.st-key-briefing-says li p, .st-key-briefing-says li { font-size: 1.2rem !important; }</style>"


def _on_make_baseline() -> None:
    s = state.scenario()
    state.set_baseline(s, s.name)
    state.notice("success", f"**{md_escape(s.name)}** is now the baseline on every page.")


def other_years(base_fy: pd.DataFrame, scen_fy: pd.DataFrame) -> str | None:
    """Why the scenario cannot be set against the baseline here (other financial years), or None.

    The sentences, charts and slides compare the two year by year: a scenario starting a year earlier
    (an SSDA903 return at 31 March 2025, a scenario file) stopped the page with an error and put the
    baseline's figures on the slides."""
    if list(base_fy["period"]) == list(scen_fy["period"]):
        return None
    return (
        f"This scenario covers {scen_fy['period'].iloc[0]} to {scen_fy['period'].iloc[-1]}, the baseline "
        f"({state.baseline_label()}) {base_fy['period'].iloc[0]} to {base_fy['period'].iloc[-1]}. The briefing sets "
        "the two side by side year by year, so here it describes this scenario on its own: its figures are "
        '"current trends". To compare other scenarios with it, make it the baseline.'
    )


state.ensure()
base = projection(state.baseline())
scen = projection(state.scenario())
mismatch = other_years(base.table("fy"), scen.table("fy"))
if mismatch:
    base = scen
story = narrate(base, scen)
scen_arg = scen if story.changed else None

if st.session_state.get(PRESENTING):
    present(base, scen, scen_arg)
else:
    st.html(PAGE_CSS)
    components.page_header(
        "Councillor briefing",
        "What the model says in plain English, with two charts and a one-page brief to take away.",
    )
    head, button = st.columns([4, 1], vertical_alignment="bottom")
    head.header("What the model says")
    button.button(
        "Present",
        key=PREFIX + "present",
        icon=":material/slideshow:",
        on_click=_on_present,
        type="primary",
        width="stretch",
        help="Slides for a council chamber: one big figure or one chart per screen, no sidebar. "
        "Next and Previous by button or arrow key.",
    )
    if mismatch:
        st.info(md_escape(mismatch), icon=":material/info:")
        st.button("Make this scenario the baseline", key=PREFIX + "make_baseline", on_click=_on_make_baseline)
    elif state.custom_baseline():
        st.caption(
            f"Here “current trends” means the baseline you chose, **{md_escape(state.baseline_label())}**, "
            "not the bundled defaults."
        )
    box = st.container(border=True, key="briefing-says")
    if story.changed:
        phrases = pr.change_phrases(state.baseline(), state.scenario())
        box.subheader(pr.changes_title(phrases))
        box.markdown("\n".join(f"{n}. {md_escape(t)}" for n, t in enumerate(phrases, 1)))
        box.markdown("\n".join(f"- {md_escape(s.text)}" for s in story.change))
        # current trends folded away, so that the charts start on the first screen at 1920x1080
        trends = box.expander("On current trends")
    else:
        box.caption("Nothing has been changed yet: these sentences describe current trends. Try a lever below.")
        trends = box
    trends.markdown("\n".join(f"- {md_escape(s.text)}" for s in story.baseline))
    box.caption(story.rounding.text)

    left, right = st.columns(2, gap="large")  # the charts, side by side (each titled by its subheader)
    with left:
        st.subheader(bc.CHILDREN_TITLE)
        st.caption(bc.with_axis_note(bc.children_subtitle(base)))
        components.chart(bc.children_chart, base, scen_arg, titled=False)
        st.markdown(f"**What the chart shows:** {md_escape(bc.children_chart_text(base, scen_arg))}")
    with right:
        st.subheader(bc.SPEND_TITLE)
        st.caption(bc.with_axis_note(bc.spend_subtitle(base)))
        components.chart(bc.spend_chart, base, scen_arg, titled=False)
        st.markdown(f"**What the chart shows:** {md_escape(bc.spend_chart_text(base, scen_arg))}")
        placeholder = published_page.placeholder_budget_note()
        if placeholder:
            st.caption(md_escape(placeholder))

    if widgets.pref_toggle(
        "stochastic",
        "Say how likely an overspend is",
        help="Runs the model many times, with chance and with the uncertainty in its rates and prices (a few seconds).",
    ):
        band = components.range_tables(state.scenario(), int(state.pref("runs")))
        if band is not None:
            st.markdown(summaries.chance_sentences(band.fy))

    st.header("What if ...?")
    st.write("Move a lever: the sentences and the charts above change straight away.")
    levers()

    st.header("Take-away brief")
    brief_baseline = state.scenario().name if mismatch else state.baseline_label() if state.custom_baseline() else None
    st.write(
        "A one-page brief with these sentences, the two charts, the assumptions and their sources, and the "
        "caveats: as a web page (opens in any browser without the internet) or as a PDF. Both fit one A4 page."
    )
    name_tag = (state.scenario().name, exports.change_tag(state.scenario()))
    html_col, pdf_col = st.columns(2)
    html_col.download_button(
        "Download the one-page brief (HTML)",
        data=lambda: brief.build_brief(base, scen, narrative=story, baseline_label=brief_baseline).encode("utf-8"),
        file_name=brief.brief_filename(name_tag[0], tag=name_tag[1]),
        mime="text/html",
        key=PREFIX + "download",
        icon=":material/download:",
        on_click="ignore",
    )
    pdf_col.download_button(
        "Download the one-page brief (PDF)",
        data=lambda: brief_pdf.build_brief_pdf(base, scen, narrative=story, baseline_label=brief_baseline),
        file_name=brief.brief_filename(name_tag[0], tag=name_tag[1], ext="pdf"),
        mime="application/pdf",
        key=PREFIX + "download_pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )

    st.header("Words used")
    with st.expander("Glossary: what the words mean"):
        st.markdown(
            "\n".join(f"- **{md_escape(r.term)}**: {md_escape(r.plain_english)}" for r in glossary().itertuples())
        )
