"""The one place the app runs the model: cached, keyed by the scenario's JSON, bounded.

Pages never call ``csc_model.results.project`` themselves; they ask for :class:`Tables`, which
hold every frame a page draws. A cache hit costs a few milliseconds (unpickling the frames).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from csc_model import Scenario, ScenarioError
from csc_model.results import project

from .levers import GROUPS, changed_levers, group_of, value_at

MAX_RUNS = 1000
CACHE_ENTRIES = 64


@dataclass(frozen=True)
class Tables:
    """One projection, reported every way the app shows it."""

    fy: pd.DataFrame
    month: pd.DataFrame
    placement_fy: pd.DataFrame
    placement_month: pd.DataFrame
    stage_month: pd.DataFrame
    runs: int = 0


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _tables(scenario_json: str, runs: int, seed: int) -> Tables:
    scenario = Scenario.from_json(scenario_json)
    res = project(scenario, runs=runs, seed=seed)
    return Tables(
        fy=res.table("fy"),
        month=res.table("month"),
        placement_fy=res.by_placement("fy"),
        placement_month=res.by_placement("month"),
        stage_month=res.by_stage("month"),
        runs=runs,
    )


def tables(scenario: Scenario, runs: int = 0, seed: int = 0) -> Tables:
    """The projection of ``scenario`` (deterministic when ``runs`` is 0)."""
    runs = max(0, min(int(runs), MAX_RUNS))
    return _tables(scenario.to_json(indent=None), runs, seed)


# ---------------------------------------------------------------------------
# Which levers drive a difference
# ---------------------------------------------------------------------------

INTERACTION = "Combined effect (levers acting together)"


def lever_contributions(base: Scenario, other: Scenario) -> pd.DataFrame:
    """Difference from ``base`` that each changed lever group makes on its own.

    For every group of levers that ``other`` changes (Entries, Court proceedings, ...), run
    ``base`` with only that group's values from ``other``. What the groups do not explain
    alone is the combined effect of levers acting together. Columns: group, spend_gbp
    (total placement spend over the projection), children_end (children in care at the end),
    isolated (False when the group could not be applied alone and is in the combined effect).
    """
    base_fy = tables(base).fy
    other_fy = tables(other).fy
    total_spend = float(other_fy["spend_gbp"].sum() - base_fy["spend_gbp"].sum())
    total_children = float(other_fy["children_in_care"].iloc[-1] - base_fy["children_in_care"].iloc[-1])
    by_group: dict[str, list[str]] = {}
    for path in changed_levers(base, other):
        by_group.setdefault(group_of(path), []).append(path)
    rows = []
    for group in sorted(by_group, key=lambda g: GROUPS.index(g) if g in GROUPS else len(GROUPS)):
        try:
            alone = base.with_values({p: value_at(other, p) for p in by_group[group]})
        except ScenarioError:
            rows.append({"group": group, "spend_gbp": 0.0, "children_end": 0.0, "isolated": False})
            continue
        fy = tables(alone).fy
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
        out = pd.concat(
            [
                out,
                pd.DataFrame(
                    [{"group": INTERACTION, "spend_gbp": rest_spend, "children_end": rest_children, "isolated": True}]
                ),
            ],
            ignore_index=True,
        )
    return out
