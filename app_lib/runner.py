"""The one place the app runs the model: cached, keyed by the scenario's JSON, bounded.

Pages never call ``csc_model.results.project`` themselves; they ask for :class:`Tables`, which
hold every frame a page draws. A cache hit costs a few milliseconds (unpickling the frames).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app_lib import formatting as fmt
from csc_model import Scenario, attribution
from csc_model.attribution import INTERACTION  # noqa: F401 - used by the chart builders and tests
from csc_model.results import project

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
    fy = res.table("fy")
    # Pressure as the budget-paper table shows it (spend and budget each to the nearest £1,000,
    # then subtracted, so the table adds up): every card, chart and sentence then agrees with it.
    fy["pressure_gbp"] = [
        float(fmt.round_thousand(a) - fmt.round_thousand(b))
        for a, b in zip(fy["spend_gbp"], fy["budget_gbp"], strict=True)
    ]
    return Tables(
        fy=fy,
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


def lever_contributions(base: Scenario, other: Scenario) -> pd.DataFrame:
    """:func:`csc_model.attribution.lever_contributions` with the app's cached projections."""
    return attribution.lever_contributions(base, other, fy_table=lambda s: tables(s).fy)
