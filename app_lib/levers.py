"""Plain-English names, display units and messages for scenario fields.

The scenario's field metadata (csc_model.scenario.field_meta) is the one source of labels,
units, ranges and help; this module only decides how to *show* a value (shares as %, money
as £) and how to name a nested path such as ``costs.weekly_price_gbp.ifa``.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from csc_model.reporting.attribution import GROUPS, changed_fields  # noqa: F401 - GROUPS: the lever groups, for the pages
from csc_model.scenario import AGE_BAND_LABELS, Issue, Scenario, diff, field_meta, get_path
from csc_model.scenario.codec import type_hints
from csc_model.scenario.config import load_placement_types, source_for
from csc_model.solvers.structure import STAGE_GROUP_LABELS

from . import formatting as fmt

# Lever groups in the order the scenario builder shows them.

STAGE_KEY_LABELS = {
    "s20": "Section 20",
    "proceedings": "In care proceedings (usual timescales)",
    "proceedings_backlog": "Proceedings backlog (over 50 weeks)",
    "placement_order": "Placement order",
    "care_order": "Care order",
}
OUTCOME_LABELS = {
    "returned_home": "Returned home (supervision or no order)",
    "sgo_cao": "Special guardianship or child arrangements order",
    "placement_order": "Placement order (plan for adoption)",
    "care_order": "Care order",
}
TOP_LEVEL_LABELS = {"(file)": "The file", "(top level)": "The file"}


def placement_label(pid: str) -> str:
    """Plain label of a placement type id (the id itself if unknown)."""
    return {p.id: p.label for p in load_placement_types()}.get(pid, pid)


def _key_label(key: str) -> str:
    for table in (AGE_BAND_LABELS, STAGE_KEY_LABELS, OUTCOME_LABELS, STAGE_GROUP_LABELS):
        if key in table:
            return table[key]
    return placement_label(key)


# ---------------------------------------------------------------------------
# Display units
# ---------------------------------------------------------------------------

PERCENT_UNITS = {"share": "%", "share a year": "% a year", "a year": "% a year", "change a year": "% a year"}
HIDDEN_UNITS = {"", "order", "date", "financial year"}
INT_FIELDS = {"proceedings.erlang_order", "years", "entries.surges.weeks"}


@dataclass(frozen=True)
class Display:
    """How a numeric field is shown and typed: scale (100 for %), unit text, step, format."""

    scale: float
    unit: str
    step: float
    fmt: str
    integer: bool = False
    money: bool = False

    def to_widget(self, value: float | None) -> float | int | None:
        if value is None:
            return None
        if self.integer:
            return int(value)
        return round(float(value) * self.scale, 6)

    def from_widget(self, value: float | int | None) -> float | int | None:
        if value is None:
            return None
        if self.integer:
            return int(value)
        if self.money and self.scale != 1:
            return float(round(float(value) / self.scale))  # whole pounds
        return float(value) / self.scale if self.scale != 1 else float(value)

    def show(self, value: Any) -> str:
        """A model value written for people: 10%, £820 a week, 45 weeks."""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return str(value)
        if self.money:
            if self.unit == "£m":
                return gbp_millions(value)
            text = fmt.gbp_exact(value)
            return f"{text} a week" if "week" in self.unit else text
        if self.scale == 100:
            return f"{fmt.number(value * 100, 2)}{self.unit}"
        text = fmt.number(value, 2)
        return f"{text} {self.unit}".strip() if self.unit not in HIDDEN_UNITS else text

    def show_range(self, lo: float, hi: float) -> str:
        """'0 to 500 children a week', '0% to 100%', '£0 to £50,000 a week'."""
        if self.money:
            if self.unit == "£m":
                return f"{gbp_millions(lo)} to {gbp_millions(hi)}"
            tail = " a week" if "week" in self.unit else ""
            return f"{fmt.gbp_exact(lo)} to {fmt.gbp_exact(hi)}{tail}"
        if self.scale == 100:
            return f"{fmt.number(lo * 100, 2)}% to {fmt.number(hi * 100, 2)}{self.unit}"
        unit = "" if self.unit in HIDDEN_UNITS else f" {self.unit}"
        return f"{fmt.number(lo, 2)} to {fmt.number(hi, 2)}{unit}"


def gbp_millions(x: float) -> str:
    """A budget in £m as a budget paper writes it: "£36.0m", with more decimals only when the
    figure needs them to the nearest £1,000 ("£37.125m", "£38.76m")."""
    if not isinstance(x, (int, float)) or not math.isfinite(x):
        return str(x)
    k = fmt.round_thousand(x) // 1000  # whole thousands
    sign = "-" if k < 0 else ""
    whole, rest = divmod(abs(k), 1000)
    decimals = f"{rest:03d}".rstrip("0").ljust(1, "0")
    return f"{sign}£{whole:,}.{decimals}m"


@lru_cache(maxsize=4096)
def generic_path(path: str) -> str:
    """Path with list indices removed: ``entries.surges[0].weeks`` -> ``entries.surges.weeks``."""
    path = re.sub(r"\[\d+\]", "", path)
    return ".".join(p for p in path.split(".") if not p.isdigit())


@lru_cache(maxsize=4096)
def display_for(path: str) -> Display:
    """The display rule for a (possibly nested) numeric field."""
    g = generic_path(path)
    unit = field_meta(g).get("unit", "") or ""
    if g in INT_FIELDS or any(g.startswith(f + ".") for f in INT_FIELDS):
        return Display(1, unit, 1, "%d", integer=True)
    if unit in PERCENT_UNITS:
        return Display(100, PERCENT_UNITS[unit], 0.5, "%.1f")
    if unit == "£ a week":
        return Display(1, unit, 10, "%.0f", money=True)
    if unit == "£":  # budgets: typed in £m ("36" or "37.125", not an unreadable 36000000 or a padded 36.000)
        return Display(1e-6, "£m", 0.1, "%g", money=True)
    if unit == "children a week":
        return Display(1, unit, 0.1, "%.1f")
    if unit == "weeks":
        return Display(1, unit, 1, "%.1f")
    return Display(1, unit, 1, "%.0f")


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def describe_path(path: str) -> str:
    """Plain-English name of any scenario path, nested map keys and list items included.

    ``costs.weekly_price_gbp.ifa`` -> "Weekly price by placement type: Independent fostering
    agency (IFA)"; ``entries.surges[0].weeks`` -> "Surge 1: Surge length".
    """
    if path in TOP_LEVEL_LABELS:
        return TOP_LEVEL_LABELS[path]
    parts = [p for p in re.split(r"[.\[\]]+", path) if p]
    tp: Any = Scenario
    label, item, used = "", "", 0
    for i, p in enumerate(parts):
        if p.isdigit() and label:
            kind = {"surges": "Surge", "moves": "Move"}.get(parts[i - 1], "Item")
            item, used = f"{kind} {int(p) + 1}", i + 1
            continue
        if not dataclasses.is_dataclass(tp):
            break
        fields = {f.name: f for f in dataclasses.fields(tp)}
        if p not in fields:
            break
        label, used = fields[p].metadata.get("label", p), i + 1
        tp = type_hints(tp)[p]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if typing.get_origin(tp) is tuple or (args and dataclasses.is_dataclass(args[0])):
            tp = args[0]
    if not label:
        return path
    if item:
        label = f"{item}: {label}"
    extras = [_key_label(p) for p in parts[used:]]
    return f"{label}: {', '.join(extras)}" if extras else label


@lru_cache(maxsize=4096)
def group_of(path: str) -> str:
    """Lever group of a path (from field metadata); top-level settings are 'Projection'."""
    g = generic_path(path)
    if "." not in g:
        return "Projection"
    group = field_meta(g).get("group") or ""
    if not group:
        group = field_meta(g.split(".")[0] + "." + g.split(".")[1]).get("group") or ""
    return group or "Projection"


BUDGET_OVERRIDE_HELP = (
    "A figure typed here is the budget for that year. The years after it grow from it by the yearly budget "
    "uplift, until the next year with a figure of its own; a blank year before any typed figure grows from the "
    "first-year budget. Type in £ million: 36 is £36.0m, 37.125 is £37,125,000."
)
"""How the years after a budget override follow (csc_model.reporting.results.budget_by_fy)."""


@lru_cache(maxsize=4096)
def help_text(path: str) -> str:
    """Widget help: plain-English help, allowed range and unit, and the default's source."""
    g = generic_path(path)
    meta = field_meta(g)
    disp = display_for(path)
    lines = []
    if meta.get("help"):
        lines.append(meta["help"])
    if g.startswith("costs.budget_overrides"):
        lines.append(BUDGET_OVERRIDE_HELP)
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None and hi is not None and meta.get("unit") not in ("date", ""):
        lines.append(f"Allowed: {disp.show_range(lo, hi)}.")
    src = source_for(path)
    if src is not None:
        lines.append(f"Source of the default: {src.cited}.")
    return "\n\n".join(lines)


def source_caption(path: str, default_value: Any) -> str:
    """'Default 3.8 children a week · DfE ... (2022-23)' for the caption under a lever."""
    src = source_for(path)
    nested = isinstance(default_value, dict) and any(isinstance(v, dict) for v in default_value.values())
    parts = [] if nested else [f"Default {show_value(path, default_value)}"]  # a table of defaults is too long
    if src is not None:
        parts.append(f"Source: {src.cited}")
    return " · ".join(parts)


@lru_cache(maxsize=4096)
def default_caption(path: str) -> str:
    """The caption under a lever: the default value and its source (both fixed, so cached)."""
    from csc_model import default_scenario

    return source_caption(path, value_at(default_scenario(), path))


def show_value(path: str, value: Any) -> str:
    """A value written for people, in the field's display unit."""
    g = generic_path(path)
    if value is None:
        if g.startswith("costs.inflation_overrides"):
            return "usual rate"
        if g.startswith("costs.budget_overrides"):
            return "uplifted budget"
        return "none"
    if isinstance(value, list):
        if g == "entries.surges":
            if not value:
                return "no surge"
            return "; ".join(
                f"{fmt.number(v['extra_children'], 1)} extra children over {v['weeks']} weeks from "
                f"{fmt.long_date(dt.date.fromisoformat(v['start_date']))}"
                for v in value
            )
        if g == "placements.moves":
            return fmt.plural(len(value), "usual move")
        return fmt.plural(len(value), "item")
    if isinstance(value, dict):
        return ", ".join(f"{_key_label(k)} {show_value(f'{path}.{k}', v)}" for k, v in value.items())
    if isinstance(value, str):
        if g.endswith("from_type") or g.endswith("to_type"):
            return placement_label(value)
        try:
            return fmt.long_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return display_for(path).show(value)


# ---------------------------------------------------------------------------
# Differences and messages
# ---------------------------------------------------------------------------


def changes(base: Scenario, other: Scenario) -> dict[str, tuple[Any, Any]]:
    """Leaf differences that matter to the projection (the name is not a change)."""
    return {p: v for p, v in diff(base, other).items() if p != "name"}


def changed_levers(base: Scenario, other: Scenario) -> list[str]:
    """Fields (two levels deep, e.g. ``costs.weekly_price_gbp``) whose value differs, in scenario order."""
    return changed_fields(base, other)


@lru_cache(maxsize=32)
def scenario_dict(s: Scenario) -> dict[str, Any]:
    """``s.to_dict()``, remembered for the few scenarios in use (read it, never change it)."""
    return s.to_dict()


def value_at(s: Scenario, path: str) -> Any:
    """JSON value at a dotted path (None when a map key is absent)."""
    try:
        value = get_path(scenario_dict(s), path)
    except (KeyError, IndexError):
        return None
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


_RANGE = re.compile(r"^is out of range; allowed ")


def friendly_issue(issue: Issue) -> str:
    """One validation problem in plain words, naming the field and, for ranges, the allowed range."""
    label = describe_path(issue.field)
    where = issue.field.replace("`", "")
    if _RANGE.match(issue.message):
        meta = field_meta(generic_path(issue.field))
        disp = display_for(issue.field)
        lo, hi = meta.get("min"), meta.get("max")
        if lo is not None and hi is not None and isinstance(issue.value, (int, float)):
            hint = ""
            meant = issue.value / 1e6  # a budget typed in pounds into a box in £ millions
            if disp.unit == "£m" and issue.value > hi and lo <= meant <= hi:
                hint = f" The box is in £ millions: type {fmt.number(meant / 1e6, 3)} for {gbp_millions(meant)}."
            return (
                f"**{label}** must be from {disp.show_range(lo, hi)}; "
                f"{fmt.md_escape(disp.show(issue.value))} is outside that range.{hint} (`{where}`)"
            )
    shown = ""
    if issue.value is not None and not isinstance(issue.value, (dict, list)):
        shown = f" ({fmt.md_escape(str(issue.value)[:60])})"
    message = fmt.md_escape(issue.message)
    joiner = " " if issue.message.startswith(_VERB_STARTS) else ": "
    tail = "" if issue.field in TOP_LEVEL_LABELS else f" (`{where}`)"
    return f"**{label}**{shown}{joiner}{message}.{tail}"


_VERB_STARTS = ("is ", "must ", "has ", "shares ", "yearly ", "moves ", "total ", "override ")


def friendly_issues(issues: Iterable[Issue]) -> list[str]:
    """Every problem, in plain words."""
    return [friendly_issue(i) for i in issues]
