"""Load your data: the scenario's starting position, entries, rates and placement moves from an SSDA903 return.

Personal data: the uploaded files are read in memory inside app_lib.ssda903_page and never
written to disk, logged, cached or kept in a module variable. Only the result (aggregate
figures) is kept, in this user's session state.
"""

import datetime as dt

import streamlit as st

from app_lib import charts_actuals, components, published_page, runner, state
from app_lib import formatting as fmt
from app_lib import ssda903_page as data
from csc_model.backtest import summary_text as backtest_summary_text

PREFIX = "data:"
HEADER, EPISODES, UASC = PREFIX + "header_file", PREFIX + "episodes_file", PREFIX + "uasc_file"
LA = PREFIX + "la"  # the local authority chosen when the files hold several
SOURCE = PREFIX + "source"  # "files" or "example"
SUGGESTED = PREFIX + "suggested_as_at"  # (what was read, the date offered): a date only, no data
ACTUALS = PREFIX + "actuals"  # children in care by month end in the return: counts only
RESULT = PREFIX + "result"  # (Calibration, where it came from): totals and shares only
RATES = PREFIX + "rates"  # work out the rates too (bool)
MOVES = PREFIX + "moves"  # work out the placement moves too (bool)
KEPT = PREFIX + "kept"  # the settings above, kept while their widgets are not drawn (a file missing)


def _setting(key: str, default: object) -> None:
    """Give a settings widget its kept value: Streamlit forgets a widget's value when a run does
    not draw it (while one file is missing), which once put the window back to its minimum."""
    if key not in ss:
        ss[key] = ss.setdefault(KEPT, {}).get(key, default)


def _keep(key: str) -> None:
    ss.setdefault(KEPT, {})[key] = ss[key]


AS_AT, WINDOW, BASE = PREFIX + "as_at", PREFIX + "window_weeks", PREFIX + "base"
BASES = ("the current scenario", "the defaults")
SETTINGS = {WINDOW: data.DEFAULT_WINDOW_WEEKS, BASE: BASES[0], RATES: True, MOVES: True}
"""The settings and their defaults; the user's own choices are kept under KEPT (``_keep``)."""
EARLIEST = dt.date(1980, 1, 1)
EXAMPLE_SOURCE = "made-up example data"

state.ensure()
components.page_header(
    "Load your data",
    "Start the projection from your own authority's children in care, worked out from your SSDA903 return.",
)
ss = st.session_state
ss.setdefault(SOURCE, "files")

with st.container(border=True):
    st.markdown(
        "**No SSDA903 extract to hand?** Start from your authority's published figures (DfE, children looked after "
        "in England) instead; a return loaded below then refines them."
    )
    published_page.start_from_your_authority(key="data_published")

st.markdown(
    "The **SSDA903 return** is the record of children looked after that every English local authority sends to "
    "the Department for Education each year. This page reads two of its tables, each saved as a **CSV file with "
    "a header row** and dates written **DD/MM/YYYY** (for example 31/03/2026):\n\n"
    "- the **header** table: one row per child (CHILD, SEX, DOB, ...);\n"
    "- the **episodes** table: one row per episode of care (CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, "
    "DEC, REC). PLACE_PROVIDER tells in-house foster carers and children's homes from independent and private "
    "ones.\n\n"
    "Several yearly returns may be **stacked in one file** (with a YEAR column if you have it): an episode that "
    "appears in two returns is counted once, from the latest. A file with several authorities (an LA column) "
    "asks which one to use. The optional **UASC** table (CHILD, and DUC or a UASC flag) counts the children "
    "seeking asylum alone apart.\n\n" + data.ABOUT
)
st.caption(
    ":material/lock: Your files are processed in memory only, for this session: they are not saved to disk, not "
    "logged, not cached and not shared with other users. Only the figures worked out from them (totals and "
    "shares, nothing about any one child) are kept, until you close this browser tab. Once you use them, those "
    "figures are part of the scenario, so they are in its share link and downloads."
)


def _on_files() -> None:
    ss[SOURCE] = "files"
    ss.pop(RESULT, None)


def _on_example() -> None:
    ss[SOURCE] = "example"
    ss.pop(RESULT, None)


def _on_use(as_baseline: bool) -> None:
    kept = ss.get(RESULT)
    if not kept:
        return
    cal, where = kept
    made_up = where == EXAMPLE_SOURCE
    label = f"{'made-up example data' if made_up else 'your data'} at {fmt.long_date(cal.as_at)}"
    scenario = cal.scenario.with_values({"name": label[0].upper() + label[1:]}) if made_up else cal.scenario
    if as_baseline:
        state.set_baseline(scenario, label)
    state.set_actuals(ss.get(ACTUALS), scenario)
    state.set_scenario(
        scenario,
        f"The current scenario now starts from **{fmt.md_escape(label)}**"
        + (" and every page compares with it as the baseline." if as_baseline else ".")
        + " See the Overview, or fine-tune the figures on the Scenario builder (Starting position and Entries). "
        + "**Prices and the budget are still the illustrative authority's**: set your own under Costs and budget "
        "on the Scenario builder before reading the pressure against budget.",
    )


def _show_problems(problems: list[str]) -> None:
    st.error(
        "Your data could not be used:\n\n"
        + "\n".join(f"- {fmt.md_escape(p)}" for p in problems)
        + "\n\nThe current scenario has not been changed.",
        icon=":material/error:",
    )


# --- the two files, or the example -------------------------------------------------------------
st.subheader("Your files", anchor=False)
c1, c2 = st.columns(2, gap="large")
limit = f"CSV, at most {data.MAX_MB} MB"
header_file = c1.file_uploader(
    f"Header table ({limit})",
    type=["csv"],
    key=HEADER,
    on_change=_on_files,
    max_upload_size=data.MAX_MB,
    help="One row per child, with the columns CHILD and DOB at least.",
)
episodes_file = c2.file_uploader(
    f"Episodes table ({limit})",
    type=["csv"],
    key=EPISODES,
    on_change=_on_files,
    max_upload_size=data.MAX_MB,
    help="One row per episode of care, with CHILD, DECOM, RNE, LS, PLACE and DEC at least (PLACE_PROVIDER too, "
    "if you have it).",
)
uasc_file = st.file_uploader(
    f"UASC table, optional ({limit})",
    type=["csv"],
    key=UASC,
    on_change=_on_files,
    max_upload_size=data.MAX_MB,
    help="Unaccompanied asylum-seeking children: CHILD, and DUC (the date they stopped being one) or a UASC column "
    "(1 = yes). They are counted apart in the figures below.",
)
st.button(
    "Try it with made-up example data",
    key=PREFIX + "example",
    on_click=_on_example,
    icon=":material/science:",
    help=f"About {data.EXAMPLE_CHILDREN} made-up children in the shape of an SSDA903 return; no real child.",
)

example = ss[SOURCE] == "example"
problems: list[str] = []
if example:
    st.info(
        "Using **made-up example data** (not real children). Its rates of leaving care and of placement moves are "
        "set higher than a real authority's, so that one year holds enough events to work out every rate. Choose your own two files above "
        "to use them instead.",
        icon=":material/science:",
    )
    read_key: tuple = ("example",)
    source_text = EXAMPLE_SOURCE
else:
    problems = data.upload_problems("header", header_file) + data.upload_problems("episodes", episodes_file)
    ready = header_file is not None and episodes_file is not None
    read_key = ("files", getattr(header_file, "file_id", None), getattr(episodes_file, "file_id", None))
    if uasc_file is not None:
        problems += data.upload_problems("UASC", uasc_file)
    source_text = " and ".join(f.name for f in (header_file, episodes_file) if f is not None)
    if ready and problems:
        _show_problems(problems)
    elif not ready:
        st.caption("Choose both files, or try the page with the made-up example data.")

if example or not problems:
    # the date to offer: worked out once for each pair of files; only the date is kept
    suggested = ss.get(SUGGESTED)
    if not suggested or suggested[0] != read_key:
        if example:
            offered = data.suggest_as_at_example()
        else:
            offered = data.suggest_as_at_uploads(header_file, episodes_file)
        if isinstance(offered, list):
            _show_problems(offered)
            ss.pop(SUGGESTED, None)
            suggested = None
        else:
            las = [] if example else data.local_authorities_uploads(header_file, episodes_file)
            suggested = (read_key, offered, las)
            ss[SUGGESTED] = suggested
            # New files: the settings are those the user last chose (or the defaults). While a file is
            # swapped the browser redraws them from scratch and sends back their minimum and "off": the
            # window once came back at 13 weeks and the rates switched off, with nothing said.
            for key, default in SETTINGS.items():
                ss[key] = ss.setdefault(KEPT, {}).get(key, default)

    if suggested:
        # --- the settings ---------------------------------------------------------------------------
        st.subheader("Work out the figures", anchor=False)
        state.seed(AS_AT, suggested[1])
        for key, default in SETTINGS.items():
            _setting(key, default)
        authorities = suggested[2] if len(suggested) > 2 else []
        if len(authorities) > 1:
            st.selectbox(
                f"Local authority ({len(authorities)} are in your files; they are never added together)",
                authorities,
                index=None,
                key=LA,
                placeholder="Choose one",
                help="Your files have an LA column naming several authorities. The figures are worked out for the "
                "one you choose.",
            )
        c1, c2, c3 = st.columns(3, gap="large")
        c1.date_input(
            "Children in care on (as at)",
            key=AS_AT,
            min_value=EARLIEST,
            max_value=max(suggested[1], dt.date.today()) + dt.timedelta(days=366),
            format="DD/MM/YYYY",
            help="Usually 31 March, the end of the return's year. The projection starts the day after.",
        )
        c2.number_input(
            "Weeks before that date to count (starters and rates)",
            min_value=13,
            max_value=520,
            step=1,
            key=WINDOW,
            help=data.WINDOW_HELP,
            on_change=_keep,
            args=(WINDOW,),
        )
        c3.radio(
            "Keep every other assumption from",
            BASES,
            key=BASE,
            help=data.BASE_HELP,
            on_change=_keep,
            args=(BASE,),
        )
        c2.toggle(
            "Also work out the rates",
            key=RATES,
            on_change=_keep,
            args=(RATES,),
            help="How long proceedings last and how they end, and how fast children move on and leave care, from the "
            "events in those weeks. Off: keep every rate from the scenario chosen on the right.",
        )
        c2.toggle(
            "Also work out the moves",
            key=MOVES,
            on_change=_keep,
            args=(MOVES,),
            help="How often children move from one placement type to another (e.g. from a children's home to foster "
            "care), from the moves in those weeks. Off: keep the placement moves of the scenario chosen on the right.",
        )
        if st.button("Work out the figures", key=PREFIX + "calibrate", type="primary", icon=":material/calculate:"):
            base = state.scenario() if ss[BASE] == BASES[0] else None
            with st.spinner("Working out the figures …"):
                if example:
                    result = data.work_out_example(ss[AS_AT], ss[WINDOW], base, ss[RATES], ss[MOVES])
                else:
                    la = ss.get(LA) if len(authorities) > 1 else None
                    result = data.work_out_uploads(
                        header_file,
                        episodes_file,
                        ss[AS_AT],
                        ss[WINDOW],
                        base,
                        ss[RATES],
                        ss[MOVES],
                        la=la,
                        uasc=uasc_file,
                    )
            if isinstance(result, list):
                ss.pop(RESULT, None)
                _show_problems(result)
            else:
                ss[RESULT] = (result, source_text)
                # the return's own children in care by month, drawn before the projection (counts only)
                actuals = (
                    data.actuals_example(result.as_at)
                    if example
                    else data.actuals_uploads(header_file, episodes_file, result.as_at, la)
                )
                ss[ACTUALS] = None if actuals is None else tuple(actuals.itertuples(index=False, name=None))

# --- the result -----------------------------------------------------------------------------------
kept = ss.get(RESULT)
if kept:
    cal, where = kept
    st.subheader(f"Your figures at {fmt.long_date(cal.as_at)}", anchor=False)
    st.caption(f"Worked out from {fmt.md_escape(where)}.")
    m1, m2, m3 = st.columns(3)
    m1.metric(f"Children in care on {fmt.short_date(cal.as_at)}", f"{cal.children_in_care:,}", border=True)
    m2.metric(
        f"Started care, {cal.window_weeks} weeks before",  # short: a longer label was cut on a laptop screen
        f"{cal.entrants:,}",
        border=True,
        help=f"Children starting to be looked after (episodes with RNE S) in the {cal.window_weeks} weeks to "
        f"{fmt.long_date(cal.as_at)}: about {cal.entrants / cal.window_weeks:.1f} a week.",
    )
    if cal.uasc_in_care is not None:
        m3.metric(
            "Of whom seeking asylum alone (UASC)",
            f"{cal.uasc_in_care:,}",
            border=True,
            help="Children in care on the date listed in the UASC data; they are counted in the children in care too. "
            f"Of the children who started care in those weeks, {cal.uasc_entrants or 0:,} were UASC.",
        )
    # a static table: the explanations wrap instead of being cut off
    st.table(cal.report.assign(Figure=cal.report["Figure"].str.strip()).set_index("Figure"))
    trends = data.rate_trends_table(cal)
    if trends is not None:
        st.markdown(f"**{data.TRENDS_TITLE}**")
        st.caption(data.TRENDS_HELP)
        st.dataframe(trends, hide_index=True, width="stretch")
    if cal.warnings:
        st.warning(
            "Check these points about your data:\n\n" + "\n".join(f"- {fmt.md_escape(w)}" for w in cal.warnings),
            icon=":material/warning:",
        )
    st.markdown(
        "Nothing has changed yet. Use the figures as the current scenario, or also as the **baseline** that every "
        "page compares with, so that other scenarios are measured against your own authority."
    )
    st.caption(
        "Prices and the budget are not in the SSDA903 return: they stay as they are until you set your own under "
        "Costs and budget on the Scenario builder."
    )
    row = st.container(horizontal=True)
    row.button(
        "Use as the current scenario",
        key=PREFIX + "use",
        on_click=_on_use,
        args=(False,),
        icon=":material/check:",
    )
    row.button(
        "Use as the current scenario and as the baseline",
        key=PREFIX + "use_baseline",
        on_click=_on_use,
        args=(True,),
        icon=":material/flag:",
    )

# --- the model's track record on this return --------------------------------------------------------
TRACK = PREFIX + "track_record"  # (read_key, scorecard): counts by cut-off and year only, no child-level data
if kept and (example or not problems):
    st.subheader("The model's track record on this return", anchor=False)
    st.markdown(
        "How well would the model have forecast your own children in care? From each of the last six 31 Marches in "
        "the return, the model is worked out again from **only what was known then**, projected one to three years "
        "ahead, and compared with what happened. A flat forecast (next year = this year) is the yardstick."
    )
    if st.button("Check the track record", key=PREFIX + "track", icon=":material/history:"):
        box = st.empty()
        bar = box.progress(0.0, text="Back-testing from six cut-offs (a minute or so) …")

        def _wait(share: float, what: str) -> None:
            ahead = what.split(":", 1)[1] if what.startswith("waiting:") else "0"
            bar.progress(0.0, text=f"Waiting for {ahead} other run(s) to finish first …")

        if example:
            card = runner.exclusive(data.track_record_example, _wait)
        else:
            la = ss.get(LA) if ss.get(SUGGESTED) and len(ss[SUGGESTED][2]) > 1 else None
            card = runner.exclusive(lambda: data.track_record_uploads(header_file, episodes_file, la), _wait)
        box.empty()
        if isinstance(card, list):
            ss.pop(TRACK, None)
            _show_problems(card)
        else:
            ss[TRACK] = (read_key, card)
    track = ss.get(TRACK)
    if track and track[0] == read_key:
        card = track[1]
        components.chart(
            charts_actuals.track_record_chart,
            card,
            alt="Line chart of the actual children in care at each 31 March, with the band projected from each "
            "earlier cut-off.",
        )
        st.markdown("\n".join(f"- {fmt.md_escape(line)}" for line in backtest_summary_text(card).splitlines()))
        with st.expander("Table: the back-test, cut-off by cut-off"):
            st.dataframe(card.round(1), hide_index=True, width="stretch")
