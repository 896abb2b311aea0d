"""One-click "what if" presets. Each returns field changes that combine with manual edits."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csc_model.scenario import Scenario
from csc_model.scenario.calendar import add_years, fy_label, fy_start_year

REFERENCE_CHILDREN = 513.0
"""Children in care on the start date of the bundled defaults: the presets' numbers of children (a surge of 36,
10 moves a year) are for an authority of that size and scale with the scenario's own (Rutland has 27 children
in care, and a surge of 36 more than doubled them)."""


def children_for(s: Scenario, at_reference: float) -> float:
    """``at_reference`` children for an authority of the defaults' size, scaled to ``s``'s children in care
    (whole children, at least 1)."""
    return float(max(1, round(at_reference * s.initial.total / REFERENCE_CHILDREN)))


@dataclass(frozen=True)
class Preset:
    """A named change to a scenario, described in plain English.

    ``title`` and ``description`` may hold ``{n}``: the number of children the preset moves or adds for
    the scenario at hand (:meth:`title_for`, :meth:`description_for`)."""

    key: str
    title: str
    description: str
    changes: Callable[[Scenario], dict[str, Any]]
    children: float | None = None  # for an authority of the defaults' size; scaled by children_for

    def title_for(self, s: Scenario) -> str:
        return self.title.format(n=self._n(s))

    def description_for(self, s: Scenario) -> str:
        return self.description.format(n=self._n(s))

    def _n(self, s: Scenario) -> str:
        return f"{children_for(s, self.children):g}" if self.children is not None else ""


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
            "children_per_year": children_for(s, 10.0),
            "start_date": s.start_date.isoformat(),
        }
    }


def _surge(s: Scenario) -> dict[str, Any]:
    surges = [x for x in s.to_dict()["entries"]["surges"]]
    surge = {
        "start_date": (s.start_date + dt.timedelta(weeks=13)).isoformat(),
        "weeks": 20,
        "extra_children": children_for(s, 36.0),
    }
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
            "Fostering sufficiency: {n} children a year to in-house foster care",
            "Recruiting in-house foster carers lets {n} children a year move from private children's homes "
            "(10 a year for an authority of about 500 children in care, in proportion for others).",
            _fostering,
            10.0,
        ),
        Preset(
            "sibling_surge",
            "A surge of sibling groups: {n} extra children",
            "{n} extra children (several large sibling groups) come into care over 20 weeks, starting after 3 months "
            "(36 for an authority of about 500 children in care, in proportion for others).",
            _surge,
            36.0,
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
