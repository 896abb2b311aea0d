"""Per-user state: the scenario being edited, the baseline, saved scenarios and page preferences.

Everything lives in ``st.session_state`` (never in module globals). The Scenario object is the
canonical state: widgets are seeded from it and write their changes back through
``Scenario.with_values``, so a widget being cleaned up when its page is not shown never loses
an input. Every page calls :func:`ensure` first, so each page also works on its own.
"""

from __future__ import annotations

import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from csc_model import Scenario, ScenarioError, default_scenario

from . import urlstate
from .formatting import md_escape
from .levers import friendly_issues

SCENARIO = "scenario"
SAVED = "saved_scenarios"
ERRORS = "lever_errors"
NOTICES = "notices"
PREFS = "prefs"
SEEDS = "widget_seeds"
BASELINE = "baseline"  # (Scenario, label) chosen by the user; absent or None: the bundled defaults
ACTUALS = "ssda903_actuals"  # (children in care by month, start date, starting position) of a loaded return
DEFAULTS_LABEL = "the defaults"

DEFAULT_PREFS: dict[str, Any] = {"stochastic": False, "runs": 200, "compare": None, "compare_measure": None}
MAX_SAVED = 12


ENTRY = "_entrypoint_running"


def entry_started() -> None:
    """Called by app.py first thing: pages run inside this run are run through the entrypoint."""
    st.session_state[ENTRY] = True


def entry_finished() -> None:
    """Called by app.py when its run ends (also when it ends by a rerun or page switch)."""
    st.session_state[ENTRY] = False


def _page_run_without_entrypoint() -> tuple[str, str] | None:
    """(page file, entrypoint path) when Streamlit runs a page file without app.py.

    Because the page files live in ``pages/``, the first session of a freshly started server
    runs in Streamlit's older multipage mode, which knows pages by file name: each page file is
    named after its address, so a bookmarked ``/model`` runs ``pages/model.py``, on its own,
    without the entrypoint's navigation and sidebar. AppTest's ``switch_page`` does the same.
    """
    ctx = get_script_run_ctx()
    if ctx is None or st.session_state.get(ENTRY):
        return None
    main = Path(ctx.main_script_path)
    if main.name != "app.py":
        return None  # a page opened on its own (e.g. AppTest.from_file("pages/x.py"))
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    path = info.get("script_path")
    if path and Path(path).resolve() != main.resolve():
        return Path(path).name, str(main)
    return None


def ensure() -> None:
    """Create any missing state (restoring a shared link on a new session) and sync the URL.

    A page run without the entrypoint (a deep link on a fresh server) runs app.py in its
    place, which opens the page that was asked for.
    """
    ss = st.session_state
    if SCENARIO not in ss:
        scenario, linked_baseline, issues = urlstate.restore_link(st.query_params.to_dict())
        ss[SCENARIO] = scenario
        ss[NOTICES] = []
        if linked_baseline is not None:
            set_baseline(*linked_baseline)
        if issues:
            notice(
                "error",
                "The link could not be opened as a scenario, so the defaults are shown. Problems:\n\n"
                + "\n".join(f"- {m}" for m in friendly_issues(issues)),
            )
        elif linked_baseline is not None:
            notice(
                "success",
                f"Opened the scenario from the link, compared with the baseline it was made with: "
                f"{md_escape(baseline_label())}.",
            )
        elif urlstate.encode(scenario):
            notice("success", "Opened the scenario from the link.")
    ss.setdefault(SAVED, {})
    ss.setdefault(ERRORS, {})
    ss.setdefault(NOTICES, [])
    ss.setdefault(SEEDS, {})
    ss.setdefault(BASELINE, None)
    if PREFS not in ss:
        ss[PREFS] = dict(DEFAULT_PREFS)
    sync_url()
    direct = _page_run_without_entrypoint()
    if direct is not None:
        # Run the entrypoint here, in this same run: its navigation opens the page that was asked
        # for (this file, again, now inside the app) with the sidebar. Widget values and the link's
        # scenario are kept, which a switch to the entrypoint would drop. Then this bare run ends.
        runpy.run_path(direct[1], run_name="__main__")
        st.stop()


def scenario() -> Scenario:
    """The scenario being edited."""
    return st.session_state[SCENARIO]


def baseline() -> Scenario:
    """The baseline every page compares against: the user's choice, else the bundled defaults."""
    chosen = st.session_state.get(BASELINE)
    return chosen[0] if chosen else default_scenario()


def baseline_label() -> str:
    """How the page names the baseline: "the defaults" or the name the user's baseline was given."""
    chosen = st.session_state.get(BASELINE)
    return chosen[1] if chosen else DEFAULTS_LABEL


def custom_baseline() -> bool:
    """True when the user has chosen a baseline other than the bundled defaults."""
    return bool(st.session_state.get(BASELINE))


def set_actuals(actuals: tuple[tuple[Any, int], ...] | None, source: Scenario) -> None:
    """Keep the children in care by month end of a loaded return, ``(date, count)`` pairs (counts only, no
    frame of the upload in the session), for the scenarios that start from it."""
    if not actuals:
        st.session_state.pop(ACTUALS, None)
    else:
        st.session_state[ACTUALS] = (tuple(actuals), source.start_date, source.initial)


def actuals_for(s: Scenario) -> pd.DataFrame | None:
    """The loaded return's children in care by month, if ``s`` starts from that return's position, else None."""
    kept = st.session_state.get(ACTUALS)
    if kept is None:
        return None
    rows, start, initial = kept
    if s.start_date != start or s.initial != initial:
        return None
    return pd.DataFrame(list(rows), columns=["period_end", "children_actual"])


def set_baseline(s: Scenario, label: str) -> None:
    """Compare every page with ``s`` (already validated), named ``label`` on the pages."""
    label = " ".join(str(label).split())[:80] or "your baseline"
    st.session_state[BASELINE] = (s, label)


def reset_baseline() -> None:
    """Compare with the bundled defaults again."""
    st.session_state[BASELINE] = None


def set_scenario(new: Scenario, message: str | None = None) -> None:
    """Replace the scenario (already validated) and forget errors from earlier attempts."""
    st.session_state[SCENARIO] = new
    st.session_state[ERRORS] = {}
    if message:
        notice("success", message)


def apply_changes(changes: Mapping[str, Any], source: str) -> bool:
    """Apply field changes; on a problem keep the scenario and record plain messages under ``source``."""
    errors: dict[str, list[str]] = st.session_state.setdefault(ERRORS, {})
    try:
        new = scenario().with_values(dict(changes))
    except ScenarioError as exc:
        errors[source] = friendly_issues(exc.issues)
        return False
    set_scenario(new)
    return True


def record_errors(source: str, messages: list[str]) -> None:
    """Keep plain messages about a rejected change to show next to its input."""
    st.session_state.setdefault(ERRORS, {})[source] = list(messages)


def errors_for(source: str) -> list[str]:
    """Messages about the last rejected change made through ``source``."""
    return list(st.session_state.get(ERRORS, {}).get(source, []))


def reset() -> None:
    """The scenario back to the bundled defaults (saved scenarios and the chosen baseline are kept)."""
    set_scenario(default_scenario(), "Reset to the defaults.")


def notice(kind: str, text: str) -> None:
    """A message shown once at the top of the next page drawn ('success', 'info', 'error')."""
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def pop_notices() -> list[tuple[str, str]]:
    """Messages waiting to be shown; showing them clears them."""
    out = list(st.session_state.get(NOTICES, []))
    st.session_state[NOTICES] = []
    return out


def pref(name: str) -> Any:
    """A page preference (stochastic band, runs, comparison choices)."""
    return st.session_state[PREFS].get(name, DEFAULT_PREFS.get(name))


def set_pref(name: str, value: Any) -> None:
    st.session_state[PREFS][name] = value


def saved() -> dict[str, Scenario]:
    """Scenarios saved under a name in this session, oldest first."""
    return st.session_state[SAVED]


def save_current(name: str) -> str | None:
    """Save the current scenario under ``name``; returns a problem in words, or None."""
    name = name.strip()
    if not name:
        return "Give the scenario a name before saving it."
    if len(name) > 60:
        return "Use a shorter name (at most 60 characters)."
    store = saved()
    if name in store and store[name] != scenario():
        # never replaced unasked: a second "High entries" once overwrote the first without a word
        return (
            f'A different scenario is already saved as "{md_escape(name)}". Choose another name, or remove the saved '
            "one first (its Remove button) to save this one in its place."
        )
    if name not in store and len(store) >= MAX_SAVED:
        return f"You can save up to {MAX_SAVED} scenarios; remove one first."
    store[name] = scenario()
    return None


def sync_url() -> None:
    """Keep the address bar equal to the link of the scenario (and of the baseline, when it is not the
    defaults): reloading the page or copying the address keeps both."""
    chosen = st.session_state.get(BASELINE)
    want = urlstate.link_params(scenario(), *(chosen or ()))
    have = {k: v for k, v in st.query_params.to_dict().items() if urlstate.is_scenario_param(k)}
    if have == want:
        return
    for key in have:
        if key not in want:
            del st.query_params[key]
    st.query_params.update(want)


def seed(key: str, value: Any) -> None:
    """Give widget ``key`` the canonical ``value`` when the widget is new or the value changed.

    A widget keeps what the user typed when that change was rejected (the canonical value did
    not move), and is refilled from the scenario after a reset, a preset or a page switch.
    """
    ss = st.session_state
    seeds = ss.setdefault(SEEDS, {})
    if key not in ss or seeds.get(key, _MISSING) != value:
        ss[key] = value
        seeds[key] = value


_MISSING = object()
