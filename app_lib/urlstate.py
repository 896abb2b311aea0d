"""A scenario as a link: its differences from the defaults as URL query parameters.

Each changed field becomes one parameter named by its dotted path, e.g.
``?entries.weekly_rate=4.5&costs.inflation_overrides={"2027-28":0.1}``. Values are JSON, except
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
from csc_model.scenario import Issue

from .levers import changed_levers, value_at

SCENARIO_FIELDS = frozenset(f.name for f in dataclasses.fields(Scenario))
MAX_PARAMS = 200
MAX_VALUE_CHARS = 20_000


def is_scenario_param(key: str) -> bool:
    """True for a parameter that names a scenario field (others, like Streamlit's, are ignored)."""
    return key.split(".")[0] in SCENARIO_FIELDS and key != "version"


def _encode_value(value: Any) -> str:
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value  # plain text stays readable
        return json.dumps(value, ensure_ascii=False)  # text that looks like JSON is quoted
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _decode_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def encode(s: Scenario, base: Scenario | None = None) -> dict[str, str]:
    """Query parameters for the fields of ``s`` that differ from ``base`` (the defaults)."""
    base = base or default_scenario()
    return {path: _encode_value(value_at(s, path)) for path in changed_levers(base, s, include_name=True)}


def decode(params: Mapping[str, str | list[str]], base: Scenario | None = None) -> Scenario:
    """The scenario a link describes; raises ScenarioError naming every bad parameter."""
    base = base or default_scenario()
    changes: dict[str, Any] = {}
    issues: list[Issue] = []
    for key, raw in params.items():
        if not is_scenario_param(key):
            continue
        text = raw[-1] if isinstance(raw, list) else raw
        if len(changes) >= MAX_PARAMS or len(text) > MAX_VALUE_CHARS:
            issues.append(Issue(key, None, "is too long for a scenario link"))
            continue
        changes[key] = _decode_value(text)
    if issues:
        raise ScenarioError(issues)
    return base.with_values(changes) if changes else base


def restore(params: Mapping[str, str | list[str]], base: Scenario | None = None) -> tuple[Scenario, list[Issue]]:
    """``decode`` that never raises: the defaults plus the problems when the link is bad."""
    base = base or default_scenario()
    try:
        return decode(params, base), []
    except ScenarioError as exc:
        return base, exc.issues


def share_url(app_url: str | None, params: Mapping[str, str]) -> str:
    """A full link (or just the query string when the app's address is unknown)."""
    query = urlencode(params)
    root = (app_url or "").split("?")[0]
    return f"{root}?{query}" if query else root
