"""A workspace file: every saved scenario and the baseline in one JSON file, to download and load again.

Saved scenarios last one browser session; this file keeps them. It is read with the library's
hardened JSON reader (:func:`csc_model.scenario.json_io.loads`: no NaN, no repeated keys, no deep
nesting) after a size check, and each scenario in it is validated like an uploaded scenario file.
A file with any problem is not loaded at all and every problem is named in plain words.

The functions above :func:`workspace_panel` are pure (no streamlit); the panel holds the widgets.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csc_model import Scenario, ScenarioError
from csc_model.scenario.json_io import FILE, InputProblem, loads

from . import formatting as fmt
from .levers import friendly_issues
from .uploads import presentable

KIND = "children-in-care-workspace"
VERSION = 1
MAX_BYTES = 4_000_000
"""A workspace holds at most a dozen scenarios and a baseline, each about 10-30 kB."""
MAX_SAVED = 12
MAX_NAME = 60
MAX_LABEL = 80


@dataclass(frozen=True)
class Workspace:
    """Saved scenarios by name (in order) and the baseline with its label (None: the defaults)."""

    saved: dict[str, Scenario] = field(default_factory=dict)
    baseline: tuple[Scenario, str] | None = None


def to_bytes(ws: Workspace) -> bytes:
    """The workspace file: JSON, one scenario per saved name, the baseline apart."""
    data = {
        "kind": KIND,
        "version": VERSION,
        "saved_on": dt.date.today().isoformat(),
        "baseline": None if ws.baseline is None else {"label": ws.baseline[1], "scenario": ws.baseline[0].to_dict()},
        "saved": [{"name": name, "scenario": s.to_dict()} for name, s in ws.saved.items()],
    }
    return json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")


def file_name(today: dt.date | None = None) -> str:
    """'scenario-workspace-2026-04-01.json'."""
    return f"scenario-workspace-{(today or dt.date.today()).isoformat()}.json"


def _scenario(data: Any, where: str, problems: list[str]) -> Scenario | None:
    try:
        return Scenario.from_dict(data)
    except ScenarioError as exc:
        problems.append(f"{where} is not a valid scenario:")
        problems.extend(f"  - {m}" for m in friendly_issues(presentable(exc.issues)))
        return None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text if 0 < len(text) <= limit else None


def read(data: bytes, reserved: tuple[str, ...] = (), max_saved: int = MAX_SAVED) -> tuple[Workspace | None, list[str]]:
    """(workspace, []) for a good file; (None, problems in markdown-safe plain words) otherwise.

    ``reserved`` are names a saved scenario may not have (the page's own lines, e.g. "Current scenario").
    """
    if len(data) > MAX_BYTES:
        return None, [
            f"The file is {len(data) / 1e6:,.1f} MB; a workspace file is at most {MAX_BYTES // 1_000_000} MB."
        ]
    if not data:
        return None, ["The file is empty."]
    try:
        top = loads(data)
    except InputProblem as exc:
        return None, [fmt.md_escape(f"The file {m}." if f == FILE else f"{f}: {m}.") for f, m in exc.problems]
    if not isinstance(top, Mapping) or top.get("kind") != KIND:
        if isinstance(top, Mapping) and "entries" in top and "costs" in top:
            return None, [
                "This is a single scenario file, not a workspace: load it with “Load a scenario file” on the "
                "Scenario builder."
            ]
        return None, ["This is not a workspace file downloaded from this app."]
    if top.get("version") != VERSION:
        return None, [fmt.md_escape(f"The workspace file is version {top.get('version')!r}; this app reads version 1.")]
    problems: list[str] = []
    saved: dict[str, Scenario] = {}
    items = top.get("saved", [])
    if not isinstance(items, list):
        problems.append("“saved” must be a list of saved scenarios.")
        items = []
    if len(items) > max_saved:
        problems.append(f"The file holds {len(items):,} saved scenarios; at most {max_saved} can be kept.")
        items = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.append(f"Saved scenario {i} must be an object with a name and a scenario.")
            continue
        name = _text(item.get("name"), MAX_NAME)
        if name is None:
            problems.append(f"Saved scenario {i} needs a name of 1 to {MAX_NAME} characters.")
            continue
        shown = f"Saved scenario **{fmt.md_escape(name)}**"
        if name in saved or name in reserved:
            problems.append(f"{shown}: the name is used twice or by the page itself; rename it.")
            continue
        scenario = _scenario(item.get("scenario"), shown, problems)
        if scenario is not None:
            saved[name] = scenario
    baseline = None
    raw = top.get("baseline")
    if raw is not None:
        label = _text(raw.get("label"), MAX_LABEL) if isinstance(raw, Mapping) else None
        if label is None:
            problems.append(f"The baseline needs a label of 1 to {MAX_LABEL} characters and a scenario.")
        else:
            scenario = _scenario(raw.get("scenario"), f"The baseline **{fmt.md_escape(label)}**", problems)
            baseline = None if scenario is None else (scenario, label)
    if problems:
        return None, problems
    return Workspace(saved, baseline), []


# ---------------------------------------------------------------------------
# The widgets (Compare scenarios, under the saved scenarios)
# ---------------------------------------------------------------------------

UPLOAD_KEY = "upload_workspace"
ERRORS = "workspace"


def _current() -> Workspace:
    from . import state

    chosen = state.baseline(), state.baseline_label()
    return Workspace(dict(state.saved()), chosen if state.custom_baseline() else None)


def _on_upload() -> None:
    import streamlit as st

    from . import charts, state

    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    if file.size > MAX_BYTES:
        ws, problems = None, [f"The file is {file.size / 1e6:,.1f} MB; a workspace file is at most 4 MB."]
    # the names the Compare page uses for its own lines
    else:
        ws, problems = read(
            file.getvalue(), reserved=("Current scenario", charts.BASELINE_NAME), max_saved=state.MAX_SAVED
        )
    if ws is None:
        state.record_errors(ERRORS, [f"**{fmt.md_escape(file.name)}** was not loaded:"] + [f"- {p}" for p in problems])
        return
    state.record_errors(ERRORS, [])
    st.session_state[state.SAVED] = dict(ws.saved)
    state.set_pref("compare", None)  # compare what was loaded: the current scenario and the first saved ones
    if ws.baseline is None:
        state.reset_baseline()
        base = "the defaults as the baseline"
    else:
        state.set_baseline(*ws.baseline)
        base = f"the baseline **{fmt.md_escape(state.baseline_label())}**"
    state.notice(
        "success",
        f"Loaded {fmt.md_escape(file.name)}: {fmt.plural(len(ws.saved), 'saved scenario')} and {base}. "
        "The current scenario is unchanged.",
    )


def workspace_panel() -> None:
    """Download every saved scenario and the baseline as one file, and load such a file again."""
    import streamlit as st

    from . import state

    st.caption(
        "Saved scenarios last while this browser tab is open. Keep them, with the baseline, in a workspace file "
        "and load it again another day; loading replaces the saved scenarios and the baseline."
    )
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.download_button(
        "Download the workspace (JSON)",
        data=functools.partial(to_bytes, _current()),
        file_name=file_name(),
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
        key="download_workspace",
    )
    row.file_uploader(
        "Load a workspace file (JSON)",
        type=["json"],
        key=UPLOAD_KEY,
        on_change=_on_upload,
        max_upload_size=4,
        help="A workspace file downloaded from this app. A file with problems is not loaded at all.",
    )
    problems = state.errors_for(ERRORS)
    if problems:
        st.error("\n".join(problems), icon=":material/error:")
