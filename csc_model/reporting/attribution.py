"""Which levers drive the difference between a scenario and its baseline.

For every group of levers (Entries, Court proceedings, ...) that a scenario changes, the
baseline is run with only that group's values from the scenario. What the groups do not
explain on their own is the combined effect of levers acting together (for example faster
proceedings on top of more entries), so the rows always add up to the whole difference.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from csc_model.reporting.results import project
from csc_model.scenario import Scenario, ScenarioError, diff, field_meta, get_path

GROUPS: tuple[str, ...] = (
    "Entries",
    "Court proceedings",
    "Exits and permanence",
    "Placements",
    "Costs and budget",
    "Starting position",
    "Projection",
)
"""Lever groups, in the order the app shows them (from the scenario's field metadata)."""
INTERACTION = "Combined effect (levers acting together)"


def changed_fields(base: Scenario, other: Scenario) -> list[str]:
    """Fields two levels deep (e.g. ``costs.weekly_price_gbp``) whose value differs, in order.

    The scenario's name is not a change.
    """
    out: list[str] = []
    for path in diff(base, other):
        if path == "name":
            continue
        field = ".".join(path.split(".")[:2])
        if field not in out:
            out.append(field)
    return out


def group_of(field: str) -> str:
    """Lever group of a field (``entries.weekly_rate`` -> "Entries"); top-level settings are "Projection"."""
    if "." not in field:
        return "Projection"
    return field_meta(field).get("group") or "Projection"


def lever_contributions(
    base: Scenario,
    other: Scenario,
    fy_table: Callable[[Scenario], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The difference from ``base`` that each changed lever group of ``other`` makes on its own.

    Columns: ``group``; ``spend_gbp`` (total placement spend over the projection);
    ``children_end`` (children in care at the end); ``isolated`` (False when the group could
    not be applied alone, e.g. its values do not validate on the baseline, so its effect is
    in the combined row). ``fy_table(s)`` gives a scenario's financial-year table (default:
    ``project(s).table("fy")``; the app passes its cached one).
    """
    table = fy_table or (lambda s: project(s).table("fy"))
    base_fy, other_fy = table(base), table(other)
    total_spend = float(other_fy["spend_gbp"].sum() - base_fy["spend_gbp"].sum())
    total_children = float(other_fy["children_in_care"].iloc[-1] - base_fy["children_in_care"].iloc[-1])
    by_group: dict[str, list[str]] = {}
    for field in changed_fields(base, other):
        by_group.setdefault(group_of(field), []).append(field)
    other_dict = other.to_dict()
    rows = []
    for group in sorted(by_group, key=lambda g: GROUPS.index(g) if g in GROUPS else len(GROUPS)):
        try:
            alone = base.with_values({f: get_path(other_dict, f) for f in by_group[group]})
        except ScenarioError:
            rows.append({"group": group, "spend_gbp": 0.0, "children_end": 0.0, "isolated": False})
            continue
        fy = table(alone)
        if len(fy) != len(base_fy):  # a different horizon cannot be compared year by year
            rows.append({"group": group, "spend_gbp": 0.0, "children_end": 0.0, "isolated": False})
            continue
        rows.append(
            {
                "group": group,
                "spend_gbp": float(fy["spend_gbp"].sum() - base_fy["spend_gbp"].sum()),
                "children_end": float(fy["children_in_care"].iloc[-1] - base_fy["children_in_care"].iloc[-1]),
                "isolated": True,
            }
        )
    out = pd.DataFrame(rows, columns=["group", "spend_gbp", "children_end", "isolated"])
    rest_spend = total_spend - float(out["spend_gbp"].sum())
    rest_children = total_children - float(out["children_end"].sum())
    if len(out) > 1 or not out["isolated"].all():
        combined = {"group": INTERACTION, "spend_gbp": rest_spend, "children_end": rest_children, "isolated": True}
        out = pd.concat([out, pd.DataFrame([combined])], ignore_index=True)
    return out
