"""What is changing: the entries' level, yearly trend and season by Poisson regression (trend.py), proceedings
length by year of issue (cohorts.py), and the evidence behind every figure (Calibration.evidence)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csc_model import default_scenario
from csc_model.ssda903 import calibrate, entry_trend, example_tables, poisson_fit
from csc_model.ssda903.cohorts import km_median, proceedings_by_cohort

from .ssda903_cases import AS_AT, MOVES_BY_HAND, calibrate_text, move_tables

HI = pd.Timestamp(AS_AT)


def simulated_starts(weekly: float, trend: float, years: int, seed: int, season: float = 0.0) -> pd.Series:
    """Start dates of a Poisson process with ``weekly`` starts a week at the end, ``trend`` a year, and a yearly
    wave of relative size ``season`` peaking in mid-January."""
    rng = np.random.default_rng(seed)
    days = np.arange(1, years * 365 + 1)  # days before HI
    t = -days / 365.25
    wave = np.exp(season * np.cos(2 * np.pi * ((HI - pd.to_timedelta(days, unit="D")).day_of_year - 15) / 365.25))
    lam = weekly / 7 * (1 + trend) ** t * wave / np.mean(wave)
    n = rng.poisson(lam)
    return pd.Series(np.repeat(HI - pd.to_timedelta(days, unit="D"), n))


@pytest.mark.parametrize(("trend", "seed"), [(0.0, 1), (0.08, 2), (-0.1, 3)])
def test_the_trend_is_recovered_within_its_standard_error(trend: float, seed: int) -> None:
    dates = simulated_starts(6.0, trend, 5, seed)
    fit = entry_trend(dates, HI - pd.Timedelta(weeks=260), HI)
    assert fit is not None and fit.events == len(dates[dates > HI - pd.Timedelta(weeks=260)])
    assert abs(fit.annual_trend - trend) < 3 * fit.annual_trend_se
    assert abs(fit.weekly_rate - 6.0) < 3 * fit.weekly_rate_se
    # the level is at the end of the window, 2.5 years from its middle: its relative standard error is
    # sqrt((1 + 2.5^2 / var(t)) / events) with var(t) = 5^2 / 12 for times spread evenly over 5 years
    expected = math.sqrt((1 + 2.5**2 / (25 / 12)) / fit.events)
    assert fit.weekly_rate_se / fit.weekly_rate == pytest.approx(expected, rel=0.25)
    # and the trend's: (1 + trend) / sqrt(events * var(t))
    assert fit.annual_trend_se == pytest.approx((1 + fit.annual_trend) / math.sqrt(fit.events * 25 / 12), rel=0.25)


def test_a_season_is_found_when_the_data_carry_one_and_not_otherwise() -> None:
    seasonal = entry_trend(simulated_starts(8.0, 0.0, 4, 7, season=0.4), HI - pd.Timedelta(weeks=208), HI)
    flat = entry_trend(simulated_starts(8.0, 0.0, 4, 8), HI - pd.Timedelta(weeks=208), HI)
    assert seasonal is not None and flat is not None
    assert seasonal.season_p < 0.001 and seasonal.season_peak_month in (12, 1, 2)
    assert seasonal.season_ratio > 1.5 and flat.season_ratio < seasonal.season_ratio


def test_no_trend_from_less_than_two_years() -> None:
    assert entry_trend(simulated_starts(6.0, 0.0, 1, 1), HI - pd.Timedelta(weeks=52), HI) is None


def test_poisson_fit_matches_the_closed_form_of_a_constant_rate() -> None:
    y = np.array([3.0, 5.0, 4.0, 8.0])
    beta, cov, _ = poisson_fit(y, np.ones((4, 1)), np.log(np.full(4, 2.0)))
    assert math.exp(beta[0]) == pytest.approx(y.sum() / 8)  # events / exposure
    assert cov[0, 0] == pytest.approx(1 / y.sum())


def test_calibration_sets_the_trend_and_reports_it() -> None:
    h, e = example_tables(n_children=2500, seed=4, years=6)
    c = calibrate(h, e, AS_AT, window_weeks=156)
    t = c.entry_trend
    assert t is not None and t.events == c.entrants
    assert c.scenario.entries.annual_trend == pytest.approx(t.annual_trend, abs=1e-4)
    assert c.scenario.entries.weekly_rate == pytest.approx(t.weekly_rate, abs=1e-4)
    # the example's entries do not change over time: no clear trend
    lo, hi = t.trend_interval()
    assert lo < 0 < hi
    r = c.report.set_index("Figure")
    assert r.loc["Trend in entries", "Value"].endswith(f"(standard error {t.annual_trend_se:.1%})")
    assert "not clearly different from no change" in r.loc["Trend in entries", "Worked out from"]
    assert "Season of entries" in r.index
    # proceedings by year of issue: three financial years, and the example's lengths do not change
    assert [y for y, _, _ in c.proceedings_by_issue] == [2023, 2024, 2025]
    assert all(n >= 10 and 20 < m < 50 for _, n, m in c.proceedings_by_issue)
    slope, se = c.proceedings_trend
    assert abs(slope) < 3 * se + 0.5
    assert "Length of proceedings by year of issue" in r.index
    ev = c.evidence.set_index("path")
    assert ev.loc["entries.annual_trend", "se"] == pytest.approx(t.annual_trend_se)
    # a year's window: the trend stays the base scenario's, and the report says why
    one = calibrate(h, e, AS_AT)
    assert one.entry_trend is None and one.scenario.entries.annual_trend == default_scenario().entries.annual_trend
    why = one.report.set_index("Figure").loc["Trend in entries", "Worked out from"]
    # in the page's weeks: "at least 2 years" beside a 104-week window read as met (review)
    # and not "105 weeks or more (2 years)" beside "104 weeks", which read as two years too (second review)
    assert f"at least 2 years of 365 days (105 weeks or more); this one is {one.window_weeks:g} weeks, " in why


def test_kaplan_meier_median() -> None:
    assert km_median(np.array([10.0, 20, 30, 40, 50]), np.ones(5, bool)) == 30
    # the two longest still open: the median is not pulled down by them
    assert km_median(np.array([10.0, 20, 30, 35, 35]), np.array([1, 1, 1, 0, 0], bool)) == 30
    assert km_median(np.array([10.0, 20, 30]), np.array([1, 0, 0], bool)) is None


def test_proceedings_lengthening_by_year_of_issue_is_seen() -> None:
    rng = np.random.default_rng(0)
    issue, end = [], []
    for year, mean in ((2021, 30), (2022, 36), (2023, 42), (2024, 48)):
        for _ in range(60):
            s = pd.Timestamp(year, 4, 1) + pd.Timedelta(days=int(rng.integers(0, 365)))
            issue.append(s)
            end.append(s + pd.Timedelta(weeks=float(rng.gamma(9, mean / 9))))
    issue_s, end_s = pd.Series(issue), pd.Series(end)
    cohorts, slope, se = proceedings_by_cohort(issue_s, end_s, pd.Timestamp(2021, 3, 31), HI)
    assert [c[0] for c in cohorts][:3] == [2021, 2022, 2023]
    assert slope is not None and se is not None and abs(slope - 6) < 3 * se + 1


def test_evidence_is_machine_readable_and_adds_up(known_small) -> None:
    c = known_small
    ev = c.evidence
    assert list(ev.columns)[:9] == [
        "path",
        "kind",
        "events",
        "exposure_weeks",
        "trials",
        "base",
        "value",
        "weight_on_base",
        "used",
    ]
    assert set(ev["kind"]) >= {"entries", "mean_weeks", "annual_share", "share", "length", "proportion", "move"}
    for row in ev.itertuples():
        if row.kind == "mean_weeks" and row.used:
            assert row.value == pytest.approx(row.exposure_weeks / row.events, abs=0.01)
        if row.kind == "annual_share" and row.used:
            assert row.value == pytest.approx(1 - (1 - row.events / row.exposure_weeks) ** 52, abs=1e-6)
        if row.kind == "length" and row.used and row.path == "proceedings.mean_weeks":
            assert row.value == pytest.approx(row.exposure_weeks / row.events, abs=0.01)
    shares = ev[ev["kind"] == "share"]
    assert len(shares) == 4 and shares["trials"].nunique() == 1 and shares["events"].sum() == shares["trials"].iloc[0]
    entries = ev.set_index("path").loc["entries.weekly_rate"]
    assert entries["events"] == c.entrants and entries["exposure_weeks"] == c.window_weeks


def test_moves_evidence_carries_the_weight_on_the_base() -> None:
    c = calibrate_text(*move_tables(MOVES_BY_HAND))
    ev = c.evidence[c.evidence["kind"] == "move"].set_index("path")
    for f in c.moves:
        row = ev.loc[f"placements.moves.{f.from_type}.{f.to_type}"]
        assert (row["events"], row["exposure_weeks"], row["weight_on_base"]) == (
            f.events,
            f.exposure_weeks,
            f.weight_on_base,
        )


@pytest.fixture(scope="module")
def known_small():
    h, e = example_tables(n_children=3500, seed=0)
    return calibrate(h, e, AS_AT, window_weeks=52, prior_events=0)  # the data alone: figures are events / exposure
