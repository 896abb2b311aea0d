"""One-click "what if" presets. Each returns field changes that combine with manual edits."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csc_model.scenario import Scenario
from csc_model.scenario.calendar import add_years, fy_label, fy_start_year


@dataclass(frozen=True)
class Preset:
    """A named change to a scenario, described in plain English."""

    key: str
    title: str
    description: str
    changes: Callable[[Scenario], dict[str, Any]]


def _court(s: Scenario) -> dict[str, Any]:
    return {
        "proceedings.target_mean_weeks": 26.0,
        "proceedings.target_from_date": s.start_date.isoformat(),
        "proceedings.target_by_date": (add_years(s.start_date, 1) - dt.timedelta(days=1)).isoformat(),
    }


def _edge(s: Scenario) -> dict[str, Any]:
    return {"entries.prevented_share": 0.10, "entries.prevention_start": s.start_date.isoformat()}


def _fostering(s: Scenario) -> dict[str, Any]:
    return {
        "placements.shift": {
            "from_type": "private_childrens_home",
            "to_type": "in_house_fostering",
            "children_per_year": 10.0,
            "start_date": s.start_date.isoformat(),
        }
    }


def _surge(s: Scenario) -> dict[str, Any]:
    surges = [x for x in s.to_dict()["entries"]["surges"]]
    surge = {"start_date": (s.start_date + dt.timedelta(weeks=13)).isoformat(), "weeks": 20, "extra_children": 36.0}
    if surge not in surges:  # pressed twice, it once added a second, identical surge without a word
        surges.append(surge)
    return {"entries.surges": surges}


def _inflation(s: Scenario) -> dict[str, Any]:
    second = fy_label(fy_start_year(s.start_date) + 1)
    over = dict(s.costs.inflation_overrides)
    over[second] = 0.10
    return {"costs.inflation_overrides": over}


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "court_26_weeks",
            "Court proceedings back to 26 weeks",
            "Average care proceedings fall from today's length to the 26-week statutory target over the first year.",
            _court,
        ),
        Preset(
            "edge_of_care_10",
            "Edge-of-care work prevents 1 in 10 entries",
            "Intensive family support stops 10% of the children who would otherwise come into care.",
            _edge,
        ),
        Preset(
            "fostering_sufficiency",
            "Fostering sufficiency: 10 children a year to in-house foster care",
            "Recruiting in-house foster carers lets 10 children a year move from private children's homes.",
            _fostering,
        ),
        Preset(
            "sibling_surge",
            "A surge of sibling groups: 36 extra children",
            "36 extra children (several large sibling groups) come into care over 20 weeks, starting after 3 months.",
            _surge,
        ),
        Preset(
            "inflation_shock",
            "Inflation shock: placement prices up 10% next year",
            "Placement prices rise 10% in the second financial year instead of the usual rate.",
            _inflation,
        ),
    )
}


def apply_preset(s: Scenario, key: str) -> Scenario:
    """``s`` with preset ``key`` applied on top of its current values (validated)."""
    if key not in PRESETS:
        raise KeyError(f"unknown preset {key!r}; choose from {', '.join(PRESETS)}")
    return s.with_values(PRESETS[key].changes(s))


def in_effect(s: Scenario, key: str) -> bool:
    """True when applying preset ``key`` to ``s`` would change nothing (it is already part of ``s``).

    Compares the preset's values with the scenario's own, field by field, instead of building and
    validating a new scenario (a page checks every preset on every rerun).
    """
    current = s.to_dict()
    for path, value in PRESETS[key].changes(s).items():
        node: Any = current
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        if json.loads(json.dumps(value)) != node:
            return False
    return True
