"""Shared fixtures: the default scenario and its deterministic projection (computed once)."""

from __future__ import annotations

import pytest

from csc_model import default_scenario
from csc_model.reporting.results import Result, project
from csc_model.scenario import Scenario


@pytest.fixture(scope="session")
def base() -> Scenario:
    return default_scenario()


@pytest.fixture(scope="session")
def base_result(base: Scenario) -> Result:
    return project(base)
