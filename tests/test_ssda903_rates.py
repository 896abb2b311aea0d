"""SSDA903 calibration: the rates (occurrence / exposure).

From a hand-made return whose events and child-weeks can be counted by hand, from made-up data
drawn with known rates, the rules for too few events and for chains of episodes, and the command line.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from csc_model import Scenario, default_scenario, ssda903
from csc_model.solvers.structure import EXIT_ROUTES, build
from csc_model.ssda903 import reasons_ceased

from .helpers import cli
from .ssda903_cases import PATTERNS, calibrate_text, pattern_tables

# --- rates: a return whose events and child-weeks can be counted by hand ----------------


@pytest.fixture(scope="module")
def by_hand() -> ssda903.Calibration:
    return calibrate_text(*pattern_tables())


def test_rates_counted_by_hand(by_hand) -> None:
    s = by_hand.scenario
    fig = {f.path: f for f in by_hand.rates}
    assert all(f.used for f in by_hand.rates)

    def seen(path: str) -> tuple[int, float]:
        return fig[path].events, fig[path].exposure_weeks

    assert seen("s20.mean_weeks_to_return_home") == (10, 250.0)
    assert s.s20.mean_weeks_to_return_home == 25.0  # 250 / 10
    assert seen("s20.annual_share_to_proceedings") == (10, 250.0)
    assert s.s20.annual_share_to_proceedings == pytest.approx(1 - (1 - 10 / 250) ** 52, abs=1e-6)
    assert fig["proceedings.mean_weeks"].events == 40
    assert s.proceedings.mean_weeks == (40 + 30 + 56 + 37) / 4
    assert dict(s.proceedings.outcome_shares) == dict.fromkeys(
        ("returned_home", "sgo_cao", "placement_order", "care_order"), 0.25
    )
    assert s.proceedings.backlog_mean_remaining_weeks == 6.0  # the 10 spells of 56 weeks
    assert seen("placement_order.mean_weeks_to_placement") == (20, 160.0)
    assert s.placement_order.mean_weeks_to_placement == 8.0  # 160 / (10 + 10)
    assert s.placement_order.share_not_adopted == 0.5
    assert seen("placement_order.mean_weeks_placed_to_order") == (10, 140.0)
    assert s.placement_order.mean_weeks_placed_to_order == 14.0
    for path in ("care_order.annual_discharge_home", "care_order.annual_sgo", "care_order.annual_other"):
        assert seen(path) == (10, 1540.0), path
        assert fig[path].value == pytest.approx(1 - (1 - 10 / 1540) ** 52, abs=1e-6)


def test_rates_become_the_models_weekly_probabilities(by_hand) -> None:
    """structure.py turns the calibrated figures back into events / child-weeks (yearly shares are stored to
    six decimals, hence the 1e-6)."""
    st = build(by_hand.scenario)
    q, s = st.stage_probs[0], st.S
    home, sgo, other = (s + EXIT_ROUTES.index(r) for r in ("returned_home", "sgo_cao", "other"))
    s20, co, po_wait, po_placed = 0, s - 1, s - 3, s - 2
    assert q[s20, home] == pytest.approx(10 / 250)
    assert q[s20, 1] == pytest.approx(10 / 250, abs=1e-6)  # into the first proceedings phase
    assert q[co, home] == pytest.approx(10 / 1540, abs=1e-6) and q[co, sgo] == pytest.approx(10 / 1540, abs=1e-6)
    assert q[co, other] == pytest.approx(10 / 1540, abs=1e-6)
    assert q[po_wait, po_placed] == pytest.approx(10 / 160) and q[po_wait, co] == pytest.approx(10 / 160)
    assert q[po_placed, s + EXIT_ROUTES.index("adoption")] == pytest.approx(10 / 140)


def test_erlang_order_from_the_spread_is_clipped_with_a_warning(by_hand) -> None:
    d = np.repeat([40.0, 30.0, 56.0, 37.0], 10)
    assert d.mean() ** 2 / d.var(ddof=1) == pytest.approx(17.85, abs=0.01)  # above the allowed 12
    assert by_hand.scenario.proceedings.erlang_order == 12
    assert any(
        w.startswith("Spread of proceedings length (number of phases): the data give 18") for w in by_hand.warnings
    )


def test_every_rate_is_in_the_report_with_its_events_and_exposure(by_hand) -> None:
    r = by_hand.report.set_index("Figure")
    row = r.loc["Section 20: average weeks before returning home"]
    assert row["Value"] == "25.0 weeks"
    assert "10 children returned home from section 20 in the 52 weeks to 31 March 2026" in row["Worked out from"]
    assert "250 child-weeks" in row["Worked out from"]
    assert r.loc["Care orders ending in special guardianship", "Value"] == "28.7% a year"
    assert "over 1,540 child-weeks on a care order" in r.loc["Care orders ending in special guardianship"].iloc[1]
    assert "not from the court application" in r.loc["Average length of care proceedings", "Worked out from"]
    assert r.loc["Outcomes at the final hearing", "Value"].startswith("Returned home 25%")
    assert {f.label for f in by_hand.rates} <= set(r.index)
    # the rows about the starting position are still there, and the start date is still last
    assert r.index[0] == "Children in care" and r.index[-1] == "Start date of the projection"


def test_the_threshold_keeps_the_base_value_and_says_so() -> None:
    base = default_scenario()
    nine = dict.fromkeys(PATTERNS, 10) | {"F": 9}  # 9 care orders discharged home: too few
    c = calibrate_text(*pattern_tables(nine))
    assert c.scenario.care_order.annual_discharge_home == base.care_order.annual_discharge_home
    assert c.scenario.care_order.annual_sgo != base.care_order.annual_sgo  # still 10: used
    kept = f"{base.care_order.annual_discharge_home:.1%} a year"  # the base scenario's value, as reported
    assert any(
        w.startswith(f"Care orders discharged, child returns home: kept from the base scenario ({kept})")
        and "only 9 events" in w
        for w in c.warnings
    )
    row = c.report.set_index("Figure").loc["Care orders discharged, child returns home"]
    assert row["Value"] == kept and row["Worked out from"].startswith("kept from the base scenario")


def test_care_order_shares_adding_up_to_more_than_one_are_scaled_down() -> None:
    """Without J's 520 child-weeks: 10 events in 1,020 child-weeks each, 40% a year each, 120% in all."""
    c = calibrate_text(*pattern_tables(dict.fromkeys(PATTERNS, 10) | {"J": 0}))
    co = c.scenario.care_order
    alone = 1 - (1 - 10 / 1020) ** 52
    assert co.annual_discharge_home == co.annual_sgo == co.annual_other == pytest.approx(alone / (3 * alone), abs=1e-5)
    assert co.annual_discharge_home + co.annual_sgo + co.annual_other <= 1
    assert any(w.startswith("Care orders: the yearly shares") and "add up to 120%" in w for w in c.warnings)


def test_too_few_child_weeks_keeps_the_base_value() -> None:
    """Ten returns home from ten one-week stays: 10 events, but only 10 child-weeks at risk."""
    short = [(7, 14, "S", "V2", "U4", "E4A")]
    c = calibrate_text(*pattern_tables({"A": 10, "E": 1}, {"A": short}))
    assert c.scenario.s20.mean_weeks_to_return_home == default_scenario().s20.mean_weeks_to_return_home
    assert any(
        w.startswith("Section 20: average weeks before returning home: kept") and "only 10 child-weeks" in w
        for w in c.warnings
    )


def test_same_day_chains_are_changes_within_care_not_exits(by_hand) -> None:
    # an exit code followed by a new episode the same day: care goes on, exactly as with X1
    a = PATTERNS["A"][1]
    relabelled = [(*a[0][:5], "E13"), a[1]]
    c = calibrate_text(*pattern_tables(changes={"A": relabelled}))
    assert c.scenario.s20 == by_hand.scenario.s20
    assert any("new episode of the child starts the same day: counted as care going on" in w for w in c.warnings)
    # an X1 with nothing after it is neither leaving care nor anything else
    cut = calibrate_text(*pattern_tables(changes={"A": [a[0]]}))
    fig = {f.path: f for f in cut.rates}["s20.mean_weeks_to_return_home"]
    assert (fig.events, fig.exposure_weeks) == (0, 150.0)  # B's 5 weeks and A's 10 weeks before the X1
    assert any("ended X1 (a new episode the same day) but no episode" in w for w in cut.warnings)


def test_leaving_care_at_18_is_not_an_exit_and_18_and_over_is_not_at_risk() -> None:
    """Pattern I turns 18 on day 140. Care going on past 18 adds no child-weeks; going home within a
    week of the 18th birthday (or later) counts as leaving care at 18, not as a return home."""
    i = PATTERNS["I"][1][0]
    for end, weeks in ((168, 1540.0), (137, 1540 - 10 * 3 / 7)):  # 4 weeks after; 3 days before
        c = calibrate_text(*pattern_tables(changes={"I": [(i[0], end, *i[2:5], "E4A")]}))
        fig = {f.path: f for f in c.rates}["care_order.annual_discharge_home"]
        assert fig.events == 10 and fig.exposure_weeks == pytest.approx(weeks), end  # F's 10 only


def test_duplicated_and_overlapping_episodes_are_not_counted_twice(by_hand) -> None:
    header, episodes = pattern_tables()
    lines = episodes.splitlines()
    twice = "\n".join(lines + [line for line in lines if line.startswith("A")]) + "\n"
    c = calibrate_text(header, twice)
    assert c.scenario.s20 == by_hand.scenario.s20
    assert any("repeat an earlier row exactly and were dropped" in w for w in c.warnings)
    # A's first episode also running 7 days into the second: the overlap is not counted twice
    a = PATTERNS["A"][1]
    c = calibrate_text(*pattern_tables(changes={"A": [(*a[0][:1], 77, *a[0][2:]), a[1]]}))
    fig = {f.path: f for f in c.rates}["s20.mean_weeks_to_return_home"]
    assert fig.exposure_weeks == 250.0
    assert any("overlap the next episode" in w for w in c.warnings)


def test_rates_switched_off() -> None:
    c = calibrate_text(*pattern_tables(), rates=False)
    base = default_scenario()
    assert c.rates == ()
    for section in ("s20", "proceedings", "placement_order", "care_order"):
        assert getattr(c.scenario, section) == getattr(base, section)
    assert not any("weeks" in f and "child-weeks" in w for f, _, w, _ in c.report.itertuples(index=False))
    assert c.scenario.initial == calibrate_text(*pattern_tables()).scenario.initial


def test_reasons_ceased_table() -> None:
    t = reasons_ceased()
    route = dict(zip(t["code"], t["route"], strict=True))
    assert route["X1"] == "continues"
    assert {route[c] for c in ("E11", "E12")} == {"adoption"}
    assert {route[c] for c in ("E4A", "E4B", "E13")} == {"returned_home"}
    assert {route[c] for c in ("E41", "E43", "E44", "E45", "E46", "E47", "E48")} == {"sgo_cao"}
    assert {route[c] for c in ("E2", "E3", "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16")} == {"other"}
    assert t["code"].is_unique and (t["description"].str.len() > 0).all()


# --- rates: recovered from made-up data drawn with known rates ---------------------------


def test_known_rates_are_recovered(known) -> None:
    """Ten thousand made-up children over ten years, drawn from ExampleRates; a 156-week window.

    Tolerance: 4 standard errors, each worked out from the events the calibration counted
    (for a rate from n events the relative standard error is 1/sqrt(n); for a share p,
    sqrt(p(1-p)/n); for the mean length, sd/sqrt(n)). The seed is fixed, so the test is
    deterministic; 4 standard errors leaves room for two small known biases of the method
    (leaving care within a week of the 18th birthday counts as leaving at 18; proceedings cut
    short at 18 are not counted), each under one standard error here, while a wrong
    definition (e.g. X1 counted as leaving care: +23% on section 20 returns home) fails.
    """
    r, c = known
    fig = {f.path: f for f in c.rates}
    assert all(f.used for f in c.rates)

    def close_rate(path: str, true_weekly: float, to_weekly) -> None:
        f = fig[path]
        est = to_weekly(f.value)
        assert abs(est - true_weekly) <= 4 * true_weekly / math.sqrt(f.events), (path, f.value, f.events)

    def weekly(a: float) -> float:
        return 1 - (1 - a) ** (1 / 52)

    close_rate("s20.mean_weeks_to_return_home", 1 / r.s20_mean_weeks_to_return_home, lambda m: 1 / m)
    close_rate("s20.annual_share_to_proceedings", weekly(r.s20_annual_share_to_proceedings), weekly)
    close_rate("placement_order.mean_weeks_to_placement", 1 / r.po_mean_weeks_to_placement, lambda m: 1 / m)
    close_rate("placement_order.mean_weeks_placed_to_order", 1 / r.po_mean_weeks_placed_to_order, lambda m: 1 / m)
    close_rate("care_order.annual_discharge_home", weekly(r.co_annual_discharge_home), weekly)
    close_rate("care_order.annual_sgo", weekly(r.co_annual_sgo), weekly)
    close_rate("care_order.annual_other", weekly(r.co_annual_other), weekly)

    def close_share(est: float, p: float, n: int) -> None:
        assert abs(est - p) <= 4 * math.sqrt(p * (1 - p) / n), (est, p, n)

    close_share(
        fig["placement_order.share_not_adopted"].value,
        r.po_share_not_adopted,
        fig["placement_order.share_not_adopted"].events,
    )
    shares = fig["proceedings.outcome_shares"]
    for key, p in (
        ("returned_home", r.outcome_returned_home),
        ("sgo_cao", r.outcome_sgo_cao),
        ("placement_order", r.outcome_placement_order),
        ("care_order", r.outcome_care_order),
    ):
        close_share(shares.value[key], p, shares.events)
    # proceedings last an Erlang time of order k and mean D: sd = D / sqrt(k)
    k, mean = r.proceedings_erlang_order, r.proceedings_mean_weeks
    n = fig["proceedings.mean_weeks"].events
    assert abs(c.scenario.proceedings.mean_weeks - mean) <= 4 * (mean / math.sqrt(k)) / math.sqrt(n)
    # the sample variance of ~2,000 Erlang(3) times is within about 5% (1 sd): the ratio rounds to 3
    assert c.scenario.proceedings.erlang_order == k
    # backlog: the mean time beyond 50 weeks of an Erlang(3, 40) time, by numerical integration
    x = np.linspace(50, 2000, 400_001)
    density = x ** (k - 1) * np.exp(-x * k / mean)
    beyond = float((density * (x - 50)).sum() / density.sum())
    back = fig["proceedings.backlog_mean_remaining_weeks"]
    assert beyond == pytest.approx(19.84, abs=0.01)
    assert abs(back.value - beyond) <= 4 * (mean / math.sqrt(k)) / math.sqrt(back.events)


# --- rates: command line ------------------------------------------------------------------


def test_cli_calibrate_rates_and_no_rates(tmp_path: Path) -> None:
    header, episodes = pattern_tables()
    (tmp_path / "h.csv").write_text(header)
    (tmp_path / "e.csv").write_text(episodes)
    args = ("calibrate", "--header", "h.csv", "--episodes", "e.csv", "--as-at", "2026-03-31", "--window-weeks", "52")
    args += ("--prior-events", "0", "--out")
    r = cli(*args, "with.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "; 12 of 12 rates worked out from the data" in r.stderr
    s = Scenario.from_json((tmp_path / "with.json").read_text())
    assert s.s20.mean_weeks_to_return_home == 25.0 and s.placement_order.mean_weeks_to_placement == 8.0
    r = cli(*args, "without.json", "--no-rates", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "rates not worked out" in r.stderr
    s = Scenario.from_json((tmp_path / "without.json").read_text())
    base = default_scenario()
    assert (s.s20, s.proceedings, s.placement_order, s.care_order) == (
        base.s20,
        base.proceedings,
        base.placement_order,
        base.care_order,
    )
    assert s.initial.total == 20  # the starting position is still worked out (E and J)
