"""Reading a scenario file a user uploads: size first, then the library's hardened JSON reader, version and
validation.

Nothing is written to disk: the bytes stay in memory. Every problem comes back in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

from csc_model import Scenario, ScenarioError
from csc_model.scenario import Issue
from csc_model.scenario.json_io import FILE, InputProblem, compact, loads

from . import formatting as fmt
from .levers import friendly_issues

MAX_BYTES = 1_000_000


def read_scenario(name: str, size: int, read: Callable[[], bytes]) -> tuple[Scenario | None, list[str]]:
    """(scenario, []) for a good file; (None, problems) otherwise. ``read`` is called only for small files."""
    shown = fmt.md_escape(name or "the file")
    if size > MAX_BYTES:
        return None, [
            f"**{shown}** is {size / 1e6:,.1f} MB; a scenario file is at most 1 MB. "
            "Choose the .json file downloaded from this app."
        ]
    if size == 0:
        return None, [f"**{shown}** is empty."]
    data = read()
    if len(data) > MAX_BYTES:  # the size reported by the browser was wrong
        return None, [f"**{shown}** is larger than 1 MB; a scenario file is at most 1 MB."]
    try:  # the library's reader: the same answer as the command line for the same bytes
        return Scenario.from_json(data), []
    except ScenarioError as exc:
        issues = exc.issues
    if _is_workspace(data):  # the reverse of the workspace loader's "This is a single scenario file"
        return None, [
            f"**{shown}** is a workspace file (the baseline and every saved scenario), not a single scenario: load "
            "it with “Load a workspace file” on the Compare scenarios page."
        ]
    try:
        whole = [f"**{shown}** {fmt.md_escape(i.message)}." for i in issues if i.field == FILE]
        if whole and len(whole) == len(issues):
            return None, whole
        head = f"**{shown}** could not be loaded as a scenario:"
        return None, [head] + [f"- {m}" for m in friendly_issues(presentable(issues))]
    except (ValueError, TypeError, OverflowError, RecursionError):  # pragma: no cover - a last safety net
        return None, [f"**{shown}** could not be loaded as a scenario:"] + [
            f"- {fmt.md_escape(str(i))}" for i in issues
        ]


def _is_workspace(data: bytes) -> bool:
    """True for a workspace file of this app (read with the library's hardened JSON reader)."""
    from .workspace import KIND  # here: workspace imports this module

    try:
        top = loads(data)
    except InputProblem:
        return False
    return isinstance(top, Mapping) and top.get("kind") == KIND


def presentable(issues: Iterable[Issue]) -> list[Issue]:
    """Issues whose values the app can show: a number too large or not finite (which the app's
    money and count formats cannot write, or would write as hundreds of digits) is quoted compactly."""
    out = []
    for issue in issues:
        v = issue.value
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not _small_finite(v):
            issue = Issue(issue.field, compact(v), issue.message)
        out.append(issue)
    return out


def _small_finite(v: float) -> bool:
    try:
        return math.isfinite(v) and abs(v) < 1e12
    except OverflowError:
        return False
