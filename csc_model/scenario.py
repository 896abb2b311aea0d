"""Typed, immutable scenario objects with exact JSON round trip and validation.

A :class:`Scenario` holds every input of the model. Each field carries metadata (label,
unit, allowed range, plain-English help) that the validation messages, the command line
and the app's scenario builder all read, so the three never disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .frozen import FrozenMap
from .scenario_io import InputProblem, allowed, compact, loads

SCENARIO_VERSION = 2

AGE_BANDS: tuple[str, ...] = ("under_1", "1_4", "5_9", "10_15", "16_17")
"""DfE age bands used for shares; (first, last) whole years of age in each."""
AGE_BAND_YEARS: dict[str, tuple[int, int]] = {
    "under_1": (0, 0),
    "1_4": (1, 4),
    "5_9": (5, 9),
    "10_15": (10, 15),
    "16_17": (16, 17),
}
AGE_BAND_LABELS: dict[str, str] = {
    "under_1": "Under 1",
    "1_4": "1-4",
    "5_9": "5-9",
    "10_15": "10-15",
    "16_17": "16-17",
}
STAGE_KEYS: tuple[str, ...] = (
    "s20",
    "proceedings",
    "proceedings_backlog",
    "placement_order",
    "care_order",
)
HEARING_OUTCOMES: tuple[str, ...] = ("returned_home", "sgo_cao", "placement_order", "care_order")


def meta(
    label: str,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    help: str = "",
    group: str = "",
) -> dict[str, Any]:
    """Field metadata: what the field means and the range it must lie in."""
    return {"label": label, "unit": unit, "min": lo, "max": hi, "help": help, "group": group}


# ---------------------------------------------------------------------------
# Scenario sections
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Initial:
    """Children in care on the start date."""

    stage_counts: FrozenMap[str, float] = field(
        metadata=meta(
            "Children in care on the start date, by legal stage",
            "children",
            0,
            20000,
            "s20, in care proceedings (within normal timescales), proceedings backlog "
            "(already over 50 weeks), placement order, care order.",
            "Starting position",
        )
    )
    age_band_shares: FrozenMap[str, float] = field(
        metadata=meta(
            "Age mix of children in care",
            "share",
            0,
            1,
            "Shares by age band; sum to 1.",
            "Starting position",
        )
    )
    placement_mix_by_age_band: FrozenMap[str, FrozenMap[str, float]] = field(
        metadata=meta(
            "Placement mix of children in care, by age band",
            "share",
            0,
            1,
            "For each age band, the share in each placement type; each band sums to 1.",
            "Starting position",
        )
    )
    placement_order_placed_share: float = field(
        metadata=meta(
            "Children with a placement order already placed for adoption",
            "share",
            0,
            1,
            "The rest are still waiting to be matched with adopters.",
            "Starting position",
        )
    )

    @property
    def total(self) -> float:
        """Children in care on the start date."""
        return float(sum(self.stage_counts.values()))


@dataclass(frozen=True)
class Surge:
    """A one-off run of extra entries, e.g. several large sibling groups."""

    start_date: dt.date = field(metadata=meta("Surge starts", "date", help="First week of extra entries."))
    weeks: int = field(
        metadata=meta("Surge length", "weeks", 1, 520, "Extra entries are spread evenly over these weeks.")
    )
    extra_children: float = field(
        metadata=meta("Extra children in the surge", "children", 0, 5000, "On top of the usual entries.")
    )


@dataclass(frozen=True)
class Entries:
    """Children starting to be looked after."""

    weekly_rate: float = field(
        metadata=meta(
            "Children entering care per week",
            "children a week",
            0,
            500,
            "The usual rate of new entries at the start date.",
            "Entries",
        )
    )
    annual_trend: float = field(
        metadata=meta(
            "Trend in entries",
            "change a year",
            -0.5,
            1.0,
            "Yearly change in the entry rate, compounding (0.05 = 5% more each year).",
            "Entries",
        )
    )
    age_band_shares: FrozenMap[str, float] = field(
        metadata=meta("Age mix of entrants", "share", 0, 1, "Shares by age band; sum to 1.", "Entries")
    )
    s20_share_by_age_band: FrozenMap[str, float] = field(
        metadata=meta(
            "Share entering under section 20",
            "share",
            0,
            1,
            "The rest enter through care proceedings (interim care order).",
            "Entries",
        )
    )
    placement_mix_by_age_band: FrozenMap[str, FrozenMap[str, float]] = field(
        metadata=meta(
            "First placement of entrants, by age band",
            "share",
            0,
            1,
            "For each age band, the share starting in each placement type; each sums to 1.",
            "Entries",
        )
    )
    prevented_share: float = field(
        metadata=meta(
            "Entries prevented by edge-of-care work",
            "share",
            0,
            1,
            "Share of usual entries that edge-of-care work stops (0.1 = one in ten).",
            "Entries",
        )
    )
    prevention_start: dt.date = field(
        metadata=meta(
            "Edge-of-care work takes effect from",
            "date",
            help="Entries are reduced by the share above from this date on.",
            group="Entries",
        )
    )
    surges: tuple[Surge, ...] = field(
        metadata=meta(
            "One-off surges in entries",
            "",
            help="Extra children on top of the usual entries, e.g. several large sibling groups.",
            group="Entries",
        )
    )


@dataclass(frozen=True)
class Proceedings:
    """Care proceedings (s31) from application to final hearing."""

    mean_weeks: float = field(
        metadata=meta(
            "Average length of care proceedings",
            "weeks",
            4,
            156,
            "From application to final hearing. The statutory target is 26 weeks.",
            "Court proceedings",
        )
    )
    erlang_order: int = field(
        metadata=meta(
            "Spread of proceedings length (Erlang order)",
            "order",
            1,
            12,
            "1 = very variable (exponential); higher = more predictable. "
            "3 gives about a third (34%) within 26 weeks at a 38-week average.",
            "Court proceedings",
        )
    )
    backlog_mean_remaining_weeks: float = field(
        metadata=meta(
            "Backlog: average weeks still to go",
            "weeks",
            1,
            156,
            "For children already over 50 weeks in proceedings on the start date.",
            "Court proceedings",
        )
    )
    target_mean_weeks: float | None = field(
        metadata=meta(
            "Target average length of proceedings",
            "weeks",
            4,
            156,
            "Leave empty for no change. Reached in a straight line between the two dates.",
            "Court proceedings",
        )
    )
    target_from_date: dt.date = field(
        metadata=meta(
            "Improvement starts",
            "date",
            help="Proceedings start to get shorter from this date, in a straight line to the target.",
            group="Court proceedings",
        )
    )
    target_by_date: dt.date = field(
        metadata=meta(
            "Target reached by",
            "date",
            help="From this date proceedings take the target length on average.",
            group="Court proceedings",
        )
    )
    outcome_shares: FrozenMap[str, float] = field(
        metadata=meta(
            "Outcomes at the final hearing",
            "share",
            0,
            1,
            "Returned home (supervision or no order), special guardianship or child "
            "arrangements order, placement order (plan for adoption), care order. Sum to 1.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class Section20:
    """Voluntary accommodation with parental agreement."""

    mean_weeks_to_return_home: float = field(
        metadata=meta(
            "Section 20: average weeks before returning home",
            "weeks",
            1,
            520,
            "Children accommodated under s20 return home at this average pace.",
            "Exits and permanence",
        )
    )
    annual_share_to_proceedings: float = field(
        metadata=meta(
            "Section 20: share moving into care proceedings each year",
            "share a year",
            0,
            1,
            "Children accommodated under s20 for whom the council then applies to court.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class PlacementOrder:
    """Placement order: the plan is adoption."""

    mean_weeks_to_placement: float = field(
        metadata=meta(
            "Placement order to placed with adopters",
            "weeks",
            1,
            520,
            "Average weeks from the placement order to moving in with adopters.",
            "Exits and permanence",
        )
    )
    share_not_adopted: float = field(
        metadata=meta(
            "Placement orders that do not end in adoption",
            "share",
            0,
            1,
            "These children move to a care order (usually long-term fostering).",
            "Exits and permanence",
        )
    )
    mean_weeks_placed_to_order: float = field(
        metadata=meta(
            "Placed for adoption to adoption order",
            "weeks",
            1,
            520,
            "Average weeks from moving in with adopters to the adoption order.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class CareOrder:
    """Care order: long-term care, often long-term fostering."""

    annual_discharge_home: float = field(
        metadata=meta(
            "Care orders discharged, child returns home",
            "share a year",
            0,
            1,
            "Share of children on care orders whose order is discharged each year so they go home.",
            "Exits and permanence",
        )
    )
    annual_sgo: float = field(
        metadata=meta(
            "Care orders ending in special guardianship",
            "share a year",
            0,
            1,
            "Share of children on care orders who leave care each year to a special guardian (often family).",
            "Exits and permanence",
        )
    )
    annual_other: float = field(
        metadata=meta(
            "Care orders ending for other reasons",
            "share a year",
            0,
            1,
            "E.g. moved abroad, transferred to another authority.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class PlacementMove:
    """A weekly flow of children from one placement type to another."""

    from_type: str = field(metadata=meta("From placement", ""))
    to_type: str = field(metadata=meta("To placement", ""))
    annual_rate: float = field(
        metadata=meta("Share moving each year", "share a year", 0, 1, "Of children in the 'from' placement.")
    )


@dataclass(frozen=True)
class PlacementShift:
    """Lever: move a number of children a year from one placement type to another."""

    from_type: str = field(metadata=meta("Move children from", "", group="Placements"))
    to_type: str = field(metadata=meta("Move children to", "", group="Placements"))
    children_per_year: float = field(
        metadata=meta(
            "Children moved a year",
            "children a year",
            0,
            1000,
            "Spread evenly through the year; limited by how many are in the 'from' placement.",
            "Placements",
        )
    )
    start_date: dt.date = field(
        metadata=meta(
            "Moves start", "date", help="The first moves happen in the week of this date.", group="Placements"
        )
    )


@dataclass(frozen=True)
class Placements:
    """Moves between placement types."""

    moves: tuple[PlacementMove, ...] = field(
        metadata=meta("Usual moves between placements (step-down, step-up)", "", group="Placements")
    )
    shift: PlacementShift = field(metadata=meta("Placement sufficiency lever", "", group="Placements"))


@dataclass(frozen=True)
class Costs:
    """Placement prices, inflation and budget."""

    weekly_price_gbp: FrozenMap[str, float] = field(
        metadata=meta(
            "Weekly price by placement type",
            "£ a week",
            0,
            50000,
            "At the prices of the base year below.",
            "Costs and budget",
        )
    )
    price_base_year: str = field(
        metadata=meta(
            "Price base year",
            "financial year",
            help="The financial year the weekly prices are quoted in, e.g. 2023-24.",
            group="Costs and budget",
        )
    )
    annual_inflation: float = field(
        metadata=meta(
            "Placement price inflation",
            "a year",
            -0.2,
            0.5,
            "The forecast: applied once per financial year from the start year on. Years between the "
            "price base year and the start year use the price changes that already happened "
            "(data/price_history.csv).",
            "Costs and budget",
        )
    )
    inflation_overrides: FrozenMap[str, float] = field(
        metadata=meta(
            "Inflation in particular years",
            "a year",
            -0.2,
            0.5,
            "Replaces the usual rate in the named financial years, e.g. {'2027-28': 0.10}.",
            "Costs and budget",
        )
    )
    budget_first_year_gbp: float = field(
        metadata=meta(
            "Placement budget in the first financial year",
            "£",
            0,
            5e9,
            "The budget for placements in the financial year of the start date.",
            "Costs and budget",
        )
    )
    budget_annual_uplift: float = field(
        metadata=meta(
            "Yearly budget uplift",
            "a year",
            -0.5,
            0.5,
            "Growth of the budget each financial year.",
            "Costs and budget",
        )
    )
    budget_overrides: FrozenMap[str, float] = field(
        metadata=meta(
            "Budget in particular years",
            "£",
            0,
            5e9,
            "Replaces the uplifted budget in the named financial years.",
            "Costs and budget",
        )
    )
    inflation_by_type: FrozenMap[str, float] = field(
        default_factory=FrozenMap,
        metadata=meta(
            "Price inflation by placement type",
            "a year",
            -0.2,
            0.5,
            "The forecast rate for the named placement types, e.g. {'private_childrens_home': 0.08} "
            "where children's home prices outrun the general rate; other types use the rate above.",
            "Costs and budget",
        ),
    )


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
            from .validate import raw_ranges

            named = {i.field for i in issues}
            raise ScenarioError(issues + [i for i in raw_ranges(cls, data) if i.field not in named])
        from .validate import validate

        problems = validate(obj, placement_ids)
        if problems:
            raise ScenarioError(problems)
        return obj

    @classmethod
    def from_json(cls, text: str | bytes, placement_ids: tuple[str, ...] | None = None) -> Scenario:
        """Parse JSON text or bytes (UTF-8, or UTF-16 with a byte order mark) with the hardened
        reader of :mod:`.scenario_io`; raises :class:`ScenarioError` with plain messages."""
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
        """``dataclasses.replace`` for the top level."""
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One validation problem: which field, what value, what is wrong."""

    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        shown = _short(self.value)
        return f"{self.field}: {shown}{self.message}" if shown else f"{self.field}: {self.message}"


def _short(value: Any) -> str:
    return "" if value is None else f"value {compact(value)} "


class ScenarioError(ValueError):
    """A scenario failed to parse or validate; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


# ---------------------------------------------------------------------------
# Generic (de)serialisation driven by the type hints
# ---------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(tp: Any, value: Any, path: str, issues: list[Issue]) -> Any:
    """Convert JSON data to type ``tp``; append an Issue and return None on failure."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    name = path or "(top level)"
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)][0]
        return _decode(inner, value, path, issues)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            issues.append(Issue(name, value, "must be an object"))
            return None
        hints = typing.get_type_hints(tp)
        names = [f.name for f in dataclasses.fields(tp)]
        for key in value:
            if key not in names:
                issues.append(
                    Issue(f"{path}.{key}" if path else key, None, f"unknown field (allowed: {', '.join(names)})")
                )
        kwargs = {}
        for fname in names:
            sub = f"{path}.{fname}" if path else fname
            if fname not in value:
                issues.append(Issue(sub, None, "is missing"))
                continue
            kwargs[fname] = _decode(hints[fname], value[fname], sub, issues)
        if any(v is None and not _optional(hints[k]) for k, v in kwargs.items()) or len(kwargs) < len(names):
            return None
        return tp(**kwargs)
    if origin is FrozenMap:
        if not isinstance(value, Mapping):
            issues.append(Issue(name, value, "must be an object of name: value pairs"))
            return None
        out = {}
        for k, v in value.items():
            out[str(k)] = _decode(args[1], v, f"{path}.{k}", issues)
        return FrozenMap(out)
    if origin is tuple:
        if not isinstance(value, list):
            issues.append(Issue(name, value, "must be a list"))
            return None
        return tuple(_decode(args[0], v, f"{path}[{i}]", issues) for i, v in enumerate(value))
    if tp is dt.date:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        issues.append(Issue(name, value, "must be a date written YYYY-MM-DD"))
        return None
    if tp is bool:
        if isinstance(value, bool):
            return value
        issues.append(Issue(name, value, "must be true or false"))
        return None
    if tp is int:
        if not _finite(value) or value != int(value):
            issues.append(Issue(name, value, f"{_number_problem(value, 'must be a whole number')}{allowed(path)}"))
            return None
        return int(value)
    if tp is float:
        if not _finite(value):
            issues.append(Issue(name, value, f"{_number_problem(value, 'must be a number')}{allowed(path)}"))
            return None
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            issues.append(Issue(name, value, "must be text"))
            return None
        return value
    raise TypeError(f"unsupported type {tp!r} at {name}")  # pragma: no cover - programming error


def _finite(value: Any) -> bool:
    """A number a float can hold: not bool, NaN, infinite or an integer beyond about 1.8e308."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number_problem(value: Any, otherwise: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and not _finite(value):
        return "is too large"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (NaN and Infinity are not allowed)"
    return otherwise


def _optional(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path in nested dicts/lists; KeyError if the path does not exist."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(f"no such field (list index {part!r} out of range at {where})")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part not in node and not last:
                allowed = ", ".join(map(str, node.keys()))
                raise KeyError(f"no such field '{part}' (allowed here: {allowed})")
            key = part  # a new last key is checked by validation (map keys, or unknown field)
        else:
            raise KeyError(f"no such field: {where} is a single value")
        if last:
            node[key] = value
        else:
            node = node[key]


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """Value at a dotted path in nested dicts/lists (KeyError if absent)."""
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node


def field_meta(path: str) -> dict[str, Any]:
    """Metadata (label, unit, min, max, help, group) for a dotted path in a Scenario.

    Paths into mappings (``costs.weekly_price_gbp.ifa``) return the mapping's metadata.
    """
    tp: Any = Scenario
    found: dict[str, Any] = {}
    for part in path.split("."):
        if dataclasses.is_dataclass(tp):
            fields = {f.name: f for f in dataclasses.fields(tp)}
            if part not in fields:
                return found
            found = dict(fields[part].metadata)
            tp = typing.get_type_hints(tp)[part]
            if _optional(tp):
                tp = [a for a in typing.get_args(tp) if a is not type(None)][0]
            if typing.get_origin(tp) is tuple:
                tp = typing.get_args(tp)[0]
        else:
            continue
    return found


def diff(a: Scenario, b: Scenario) -> dict[str, tuple[Any, Any]]:
    """Leaf-level differences between two scenarios as ``{dotted.path: (a_value, b_value)}``."""
    out: dict[str, tuple[Any, Any]] = {}

    def walk(x: Any, y: Any, path: str) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            for k in list(x.keys()) + [k for k in y if k not in x]:
                walk(x.get(k), y.get(k), f"{path}.{k}" if path else k)
        elif x != y:
            out[path] = (x, y)

    walk(a.to_dict(), b.to_dict(), "")
    return out
