"""The :class:`Scenario`: every input of one projection, immutable, with an exact JSON round trip.

Each field carries metadata (label, unit, allowed range, plain-English help) that the validation
messages, the command line and the app's scenario builder all read, so the three never disagree.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import json
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csc_model.scenario.codec import (  # noqa: F401 - get_path re-exported
    _decode,
    _encode,
    _optional,
    get_path,
    set_path,
    type_hints,
)
from csc_model.scenario.errors import Issue, ScenarioError
from csc_model.scenario.fields import (
    SCENARIO_VERSION,
    CareOrder,
    Costs,
    Entries,
    Initial,
    PlacementOrder,
    Placements,
    Proceedings,
    Section20,
    meta,
)
from csc_model.scenario.json_io import InputProblem, loads


@dataclass(frozen=True)
class Scenario:
    """Every input of one projection. Immutable; compare and hash like a value."""

    version: int = field(metadata=meta("Scenario format version", ""))
    name: str = field(metadata=meta("Scenario name", ""))
    start_date: dt.date = field(
        metadata=meta("Start date", "date", help="The stock is as at this date; usually 1 April.")
    )
    years: int = field(
        metadata=meta("Years to project", "years", 1, 10, "How far ahead the projection runs from the start date.")
    )
    initial: Initial = field(metadata=meta("Starting position", ""))
    entries: Entries = field(metadata=meta("Entries", ""))
    proceedings: Proceedings = field(metadata=meta("Care proceedings", ""))
    s20: Section20 = field(metadata=meta("Section 20", ""))
    placement_order: PlacementOrder = field(metadata=meta("Placement order", ""))
    care_order: CareOrder = field(metadata=meta("Care order", ""))
    placements: Placements = field(metadata=meta("Placements", ""))
    costs: Costs = field(metadata=meta("Costs and budget", ""))

    # -- JSON -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (dates as ISO strings); a new dict each call."""
        return json.loads(self._compact_json())

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text; ``Scenario.from_json(s.to_json()) == s`` exactly."""
        if indent is None:
            return self._compact_json()
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def _compact_json(self) -> str:
        # Encoded once per (immutable) scenario: the app asks for it many times a rerun, as a
        # cache key, for share links and comparisons. Not a field: equality and hashing ignore it.
        text = self.__dict__.get("_json")
        if text is None:
            text = json.dumps(_encode(self), ensure_ascii=False)
            object.__setattr__(self, "_json", text)
        return text

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], placement_ids: tuple[str, ...] | None = None) -> Scenario:
        """Build and validate; raises :class:`ScenarioError` listing every problem."""
        issues: list[Issue] = []
        if not isinstance(data, Mapping):
            raise ScenarioError([Issue("(top level)", data, "must be a JSON object")])
        version = data.get("version")
        if version == 1:  # version 1 had no per-type inflation; it loads as "same rate for every type"
            data = {**data, "version": SCENARIO_VERSION}
            if isinstance(data.get("costs"), Mapping) and "inflation_by_type" not in data["costs"]:
                data["costs"] = {**data["costs"], "inflation_by_type": {}}
            version = SCENARIO_VERSION
        if version != SCENARIO_VERSION:
            raise ScenarioError(
                [
                    Issue(
                        "version",
                        version,
                        f"this scenario format version is not supported; expected {SCENARIO_VERSION}",
                    )
                ]
            )
        obj = _decode(cls, data, "", issues)
        if issues:
            from csc_model.scenario.validate import raw_ranges

            named = {i.field for i in issues}
            raise ScenarioError(issues + [i for i in raw_ranges(cls, data) if i.field not in named])
        from csc_model.scenario.validate import validate

        problems = validate(obj, placement_ids)
        if problems:
            raise ScenarioError(problems)
        return obj

    @classmethod
    def from_json(cls, text: str | bytes, placement_ids: tuple[str, ...] | None = None) -> Scenario:
        """Parse JSON text or bytes (UTF-8, or UTF-16 with a byte order mark) with the hardened
        reader of :mod:`.json_io`; raises :class:`ScenarioError` with plain messages."""
        try:
            data = loads(text)
        except InputProblem as exc:
            raise ScenarioError([Issue(f, None, m) for f, m in exc.problems]) from None
        return cls.from_dict(data, placement_ids)

    # -- editing ------------------------------------------------------------
    def with_values(self, overrides: Mapping[str, Any]) -> Scenario:
        """A validated copy with fields replaced by dotted path, e.g. ``{"entries.weekly_rate": 4}``."""
        data = self.to_dict()
        issues: list[Issue] = []
        for path, value in overrides.items():
            try:
                set_path(data, path, value)
            except KeyError as exc:
                issues.append(Issue(path, value, str(exc.args[0])))
        try:
            result = Scenario.from_dict(data)
        except ScenarioError as exc:
            issues.extend(exc.issues)
        if issues:
            raise ScenarioError(issues)
        return result

    def replace(self, **changes: Any) -> Scenario:
        """``dataclasses.replace`` for the top level: an *unchecked* copy (for code that sets whole
        sections at once). :meth:`with_values` gives a validated copy; ``project`` checks a scenario
        before it runs it."""
        return dataclasses.replace(self, **changes)


def field_meta(path: str) -> dict[str, Any]:
    """Metadata (label, unit, min, max, help, group) for a dotted path in a Scenario.

    Paths into mappings (``costs.weekly_price_gbp.ifa``) return the mapping's metadata. A fresh
    dict each call; the walk through the type hints is done once per path (the app asks for the
    same paths on every rerun).
    """
    return dict(_field_meta(path))


@functools.lru_cache(maxsize=4096)
def _field_meta(path: str) -> dict[str, Any]:
    tp: Any = Scenario
    found: dict[str, Any] = {}
    for part in path.split("."):
        if dataclasses.is_dataclass(tp):
            fields = {f.name: f for f in dataclasses.fields(tp)}
            if part not in fields:
                return found
            found = dict(fields[part].metadata)
            tp = type_hints(tp)[part]
            if _optional(tp):
                tp = [a for a in typing.get_args(tp) if a is not type(None)][0]
            if typing.get_origin(tp) is tuple:
                tp = typing.get_args(tp)[0]
        else:
            continue
    return found


def diff(a: Scenario, b: Scenario) -> dict[str, tuple[Any, Any]]:
    """Leaf-level differences between two scenarios as ``{dotted.path: (a_value, b_value)}`` (a new dict
    each call; worked out once per pair of scenarios, which an app asks for several times a page)."""
    return {path: copy.deepcopy(pair) for path, pair in _diff_json(a._compact_json(), b._compact_json())}


@functools.lru_cache(maxsize=64)
def _diff_json(a_json: str, b_json: str) -> tuple[tuple[str, tuple[Any, Any]], ...]:
    out: dict[str, tuple[Any, Any]] = {}

    def walk(x: Any, y: Any, path: str) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            for k in list(x.keys()) + [k for k in y if k not in x]:
                walk(x.get(k), y.get(k), f"{path}.{k}" if path else k)
        elif x != y:
            out[path] = (x, y)

    walk(json.loads(a_json), json.loads(b_json), "")
    return tuple(out.items())
