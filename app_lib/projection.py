"""What one projection of a scenario gives the app: every frame a page draws (no Streamlit here,
so the range-of-outcomes worker process can compute it too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from app_lib import formatting as fmt
from csc_model import Scenario
from csc_model.reporting.results import project

Progress = Callable[[float, str], None]
"""Told the share done (0 to 1) and what is happening; may raise to stop (the app's progress bar
does, through Streamlit, when the user presses Stop or changes anything)."""


@dataclass(frozen=True)
class Tables:
    """One projection, reported every way the app shows it."""

    fy: pd.DataFrame
    month: pd.DataFrame
    placement_fy: pd.DataFrame
    placement_month: pd.DataFrame
    stage_month: pd.DataFrame
    runs: int = 0


def compute(scenario: Scenario, runs: int, seed: int, progress: Progress | None = None) -> Tables:
    """Project ``scenario`` (deterministic when ``runs`` is 0) and report it every way the app shows it."""
    tick = None if progress is None else (lambda share: progress(share, "running"))
    # The range of outcomes is honest: each run draws its own rates, prices and inflation from
    # their stated ranges (csc_model.solvers.uncertainty) as well as chance in who enters and leaves care.
    res = project(scenario, runs=runs, seed=seed, parameter_uncertainty=runs > 0, progress=tick)
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
