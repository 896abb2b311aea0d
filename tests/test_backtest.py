"""Calibration and back-test on authorities simulated by a process that is not the model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from csc_model.ssda903 import calibrate
from tests.independent_generator import ENTRY_TREND, simulate_authority


@pytest.fixture(scope="module")
def county():
    return simulate_authority(900, seed=2)


def test_generator_is_reproducible_and_in_ssda903_shape() -> None:
    a, b = simulate_authority(200, seed=5), simulate_authority(200, seed=5)
    assert a.episodes.equals(b.episodes) and a.header.equals(b.header)
    assert not simulate_authority(200, seed=6).episodes.equals(a.episodes)
    assert list(a.episodes.columns) == ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
    assert list(a.header.columns) == ["CHILD", "SEX", "DOB"]
    assert 120 <= a.in_care_on(a.as_at) <= 300


def test_generator_entries_carry_the_trend_and_season(county) -> None:
    start = county.episodes[county.episodes["RNE"] == "S"]["DECOM"]
    d = np.array([dt.datetime.strptime(x, "%d/%m/%Y").date() for x in start])
    years = np.array([x.year if x.month >= 4 else x.year - 1 for x in d])
    counts = np.array([(years == y).sum() for y in range(2015, 2024)])
    growth = np.polyfit(np.arange(counts.size), np.log(counts), 1)[0]
    assert abs(growth - np.log1p(ENTRY_TREND)) < 0.02
    autumn = np.isin([x.month for x in d], (9, 10, 11)).mean()
    spring = np.isin([x.month for x in d], (3, 4, 5)).mean()
    assert autumn > spring * 1.15


def test_calibration_recovers_the_generators_starting_stock_and_entry_rate(county) -> None:
    for cutoff in (dt.date(2021, 3, 31), dt.date(2023, 3, 31)):
        cal = calibrate(county.header, county.episodes, as_at=cutoff)
        # the starting stock is counted, not estimated: exact
        assert cal.children_in_care == county.in_care_on(cutoff)
        assert cal.scenario.initial.total == pytest.approx(cal.children_in_care)
        # entries: the 52-week average of the generator's rate (season averages out), within 4 Poisson s.e.
        truth = county.expected_entries_per_week(cutoff - dt.timedelta(weeks=26))
        se = np.sqrt(truth * 52) / 52
        assert abs(cal.scenario.entries.weekly_rate - truth) < 4 * se
