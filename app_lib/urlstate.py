"""A scenario as a link: its differences from the defaults as URL query parameters.

Each changed value becomes one parameter named by its dotted path, e.g.
``?entries.weekly_rate=4.5&costs.inflation_overrides.2027-28=0.1``. Values are JSON, except
plain text, which is written as it is. Opening the link rebuilds the scenario from the defaults
with ``Scenario.with_values``, so a link is validated exactly like a manual change.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from csc_model import Scenario, ScenarioError, default_scenario
from csc_model.scenario import Issue, diff
from csc_model.scenario_io import InputProblem, loads_value

from .levers import value_at
from .uploads import presentable

SCENARIO_FIELDS = frozenset(f.name for f in dataclasses.fields(Scenario))
MAX_PARAMS = 200
MAX_VALUE_CHARS = 20_000
MAX_KEY_CHARS = 200


def is_scenario_param(key: str) -> bool:
    """True for a parameter that names a scenario field (others, like Streamlit's, are ignored)."""
    return key.split(".")[0] in SCENARIO_FIELDS and key != "version"


def _encode_value(value: Any) -> str:
    if isinstance(value, str):
        try:
            json.loads(value)
        except (ValueError, RecursionError):
            return value  # plain text stays readable
        return json.dumps(value, ensure_ascii=False)  # text that looks like JSON is quoted
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _decode_value(key: str, text: str) -> Any:
    """JSON when it parses (with the library's hardened reader), else the text as written.

    The name is always text: a name that looks like JSON was written quoted by ``encode``.
    """
    if key != "name":
        return loads_value(text, key)
    try:
        value = loads_value(text, key)
    except InputProblem:
        return text
    return value if isinstance(value, str) else text


def encode(s: Scenario, base: Scenario | None = None) -> dict[str, str]:
    """Query parameters for the single values of ``s`` that differ from ``base`` (the defaults).

    One parameter per changed value, e.g. ``placements.shift.children_per_year=10``; lists
    (surges, usual moves) travel whole as JSON; a map entry that is not in ``s`` is ``null``.
    """
    base = base or default_scenario()
    return {path: _encode_value(new) for path, (_old, new) in diff(base, s).items()}


def _is_map(s: Scenario, path: str) -> bool:
    """True when ``path`` names a mapping field (prices, shares, overrides), not a group of fields."""
    node: Any = s
    for part in path.split("."):
        if dataclasses.is_dataclass(node):
            if not hasattr(node, part):
                return False
            node = getattr(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return isinstance(node, Mapping) and not dataclasses.is_dataclass(node)


def decode(params: Mapping[str, str | list[str]], base: Scenario | None = None) -> Scenario:
    """The scenario a link describes; raises ScenarioError naming every bad parameter."""
    base = base or default_scenario()
    issues: list[Issue] = []
    values: dict[str, Any] = {}
    for key, raw in params.items():
        if not isinstance(key, str) or not is_scenario_param(key):
            continue
        if len(key) > MAX_KEY_CHARS:
            issues.append(
                Issue(key[:MAX_KEY_CHARS] + "...", None, "is not a field of a scenario (the name is too long)")
            )
            continue
        text = (raw[-1] if raw else "") if isinstance(raw, list) else raw
        text = text if isinstance(text, str) else str(text)
        if len(values) >= MAX_PARAMS or len(text) > MAX_VALUE_CHARS:
            issues.append(Issue(key, None, "is too long for a scenario link"))
            continue
        try:
            values[key] = _decode_value(key, text)
        except InputProblem as exc:
            issues += [Issue(f, None, m) for f, m in exc.problems]
    changes: dict[str, Any] = {}
    entries: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        parent, _, leaf = key.rpartition(".")
        if parent and _is_map(base, parent):
            entries.setdefault(parent, {})[leaf] = value
        else:
            changes[key] = value
    for parent, items in entries.items():
        merged = dict(value_at(base, parent))
        for leaf, value in items.items():
            if value is None:
                merged.pop(leaf, None)
            else:
                merged[leaf] = value
        changes[parent] = merged
    result = base
    try:
        result = base.with_values(changes) if changes else base
    except ScenarioError as exc:
        issues += exc.issues
    if issues:  # every bad parameter at once, the unreadable ones and the invalid ones
        raise ScenarioError(issues)
    return result


def restore(params: Mapping[str, str | list[str]], base: Scenario | None = None) -> tuple[Scenario, list[Issue]]:
    """``decode`` that never raises: the defaults plus the problems when the link is bad.

    The problems' values are quoted compactly, so the page can always show them.
    """
    base = base or default_scenario()
    try:
        return decode(params, base), []
    except ScenarioError as exc:
        return base, presentable(exc.issues)


def share_url(app_url: str | None, params: Mapping[str, str], page_path: str = "") -> str:
    """A link to the app's front page with the scenario (just the query when the address is unknown).

    ``page_path`` is the url path of the page the user is on; it is taken off so the link opens
    the overview, the page a colleague opening a scenario wants first (and one Streamlit can
    always serve, even to the first visitor after the server starts).
    """
    query = urlencode(params)
    root = (app_url or "").split("?")[0].split("#")[0].rstrip("/")
    if page_path and root.endswith("/" + page_path):
        root = root[: -len(page_path) - 1]
    root = root + "/" if root else ""
    return f"{root}?{query}" if query else root
