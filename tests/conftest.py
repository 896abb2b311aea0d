"""Shared fixtures: the default scenario and its deterministic projection (computed once)."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_model import default_scenario
from csc_model.reporting.results import Result, project
from csc_model.scenario import Scenario
from csc_model.ssda903 import Calibration, ExampleRates, calibrate, example_tables


@pytest.fixture(scope="session")
def base() -> Scenario:
    return default_scenario()


@pytest.fixture(scope="session")
def base_result(base: Scenario) -> Result:
    return project(base)


@pytest.fixture(scope="session")
def known() -> tuple[ExampleRates, Calibration]:
    """Ten thousand made-up children over ten years, drawn from ExampleRates, calibrated over 156 weeks
    (the SSDA903 rate and move tests both check what it recovers)."""
    r = ExampleRates()
    h, e = example_tables(n_children=10_000, seed=7, rates=r)
    return r, calibrate(h, e, dt.date(2026, 3, 31), window_weeks=156)
