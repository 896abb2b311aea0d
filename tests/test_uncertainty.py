"""Parameter uncertainty: per-run rates, prices and inflation; common random numbers; budget columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csc_model.reporting.results import project
from csc_model.scenario.defaults import default_scenario
from csc_model.solvers.structure import build
from csc_model.solvers.uncertainty import Evidence, draw_parameters, ranges
from csc_model.ssda903 import calibrate, example_tables


@pytest.fixture(scope="module")
def base():
    return default_scenario().with_values({"years": 3})


def test_every_stated_range_has_a_source_and_year() -> None:
    r = ranges()
    assert {"entries.weekly_rate", "entries.annual_trend", "weekly_price_gbp", "annual_inflation"} <= set(r.index)
    assert r["source"].str.len().min() > 20 and r["year"].notna().all()
    assert (r["p10"] <= r["p90"]).all()


def test_parameter_uncertainty_widens_the_band_and_keeps_the_centre(base) -> None:
    chance = project(base, runs=300, seed=4).table("fy")
    both = project(base, runs=300, seed=4, parameter_uncertainty=True).table("fy")
    width = lambda t: (t["children_in_care_p90"] - t["children_in_care_p10"]).to_numpy()  # noqa: E731
    assert (width(both)[1:] > 1.3 * width(chance)[1:]).all()
    assert both["children_in_care"].to_numpy() == pytest.approx(chance["children_in_care"].to_numpy(), rel=0.04)
    sw = (both["spend_gbp_p90"] - both["spend_gbp_p10"]) / (chance["spend_gbp_p90"] - chance["spend_gbp_p10"])
    assert (sw > 1.3).all()


def test_same_seed_same_draws_and_steady_differences(base) -> None:
    st = build(base)
    a, b = draw_parameters(base, st, 50, seed=3), draw_parameters(base, st, 50, seed=3)
    assert np.array_equal(a.run_params.stage, b.run_params.stage) and np.array_equal(a.price_mult, b.price_mult)
    c = draw_parameters(base, st, 50, seed=4)
    assert not np.array_equal(a.run_params.stage, c.run_params.stage)
    # a scenario with fewer entries, same seed: the per-run difference is much steadier than the runs
    less = base.with_values({"entries.weekly_rate": base.entries.weekly_rate * 0.9})
    r0 = project(base, runs=200, seed=8, parameter_uncertainty=True).raw.stock_stage.sum(axis=2)[-1]
    r1 = project(less, runs=200, seed=8, parameter_uncertainty=True).raw.stock_stage.sum(axis=2)[-1]
    r0_other = project(base, runs=200, seed=9, parameter_uncertainty=True).raw.stock_stage.sum(axis=2)[-1]
    assert (r1 - r0).mean() < 0
    # common draws: the run-by-run difference varies far less than with different seeds
    assert np.std(r1 - r0) < 0.6 * np.std(r1 - r0_other)


def test_more_evidence_narrows_the_rates() -> None:
    s = default_scenario()
    st = build(s)
    few = Evidence({"care_order.annual_sgo": (10, 5000.0)}, {}, 20)
    many = Evidence({"care_order.annual_sgo": (1000, 500000.0)}, {}, 2000)
    co_sgo = (st.k + 4, st.S + 1)
    spread = lambda ev: draw_parameters(s, st, 2000, 1, ev).run_params.stage[:, co_sgo[0], co_sgo[1]].std()  # noqa: E731
    assert spread(few) == pytest.approx(1 / np.sqrt(10), rel=0.15)
    assert spread(many) == pytest.approx(1 / np.sqrt(1000), rel=0.15)
    e_few = draw_parameters(s, st, 2000, 1, few).run_params.entries[0]
    assert e_few.std() / e_few.mean() == pytest.approx(1 / np.sqrt(20), rel=0.15)


def test_evidence_from_a_calibration_counts_events() -> None:
    h, e = example_tables(n_children=1500, seed=1, years=5)
    cal = calibrate(h, e, as_at=dt.date(2026, 3, 31))
    ev = Evidence.from_calibration(cal)
    assert ev.entrants == cal.entrants > 0
    assert all(n > 0 for n, _ in ev.rates.values()) and "care_order.annual_sgo" in ev.rates


def test_budget_columns_in_the_financial_year_table(base) -> None:
    t = project(base, runs=200, seed=2, parameter_uncertainty=True).table("fy")
    assert t["prob_over_budget"].between(0, 1).all()
    assert (t["spend_gbp_p10"] <= t["spend_gbp_p50"]).all() and (t["spend_gbp_p80"] <= t["spend_gbp_p90"]).all()
    # a budget at the P80 of spend is exceeded in about 20% of runs
    rich = base.with_values({"costs.budget_first_year_gbp": float(t["spend_gbp_p80"].iloc[0])})
    t2 = project(rich, runs=200, seed=2, parameter_uncertainty=True).table("fy")
    assert t2["prob_over_budget"].iloc[0] == pytest.approx(0.2, abs=0.011)
    assert t2["prob_over_budget"].iloc[0] < t["prob_over_budget"].iloc[0] or t["prob_over_budget"].iloc[0] <= 0.2


def test_chance_off_gives_expected_values_per_draw(base) -> None:
    r = project(base.with_values({"years": 1}), runs=20, seed=1, parameter_uncertainty=True, chance=False)
    t = r.table("fy")
    assert t["children_in_care_p10"].iloc[0] < t["children_in_care_p90"].iloc[0]
    assert not np.allclose(r.raw.stock_stage.sum(axis=2)[-1], np.round(r.raw.stock_stage.sum(axis=2)[-1]))


def test_cli_run_with_runs_reports_the_chance_of_an_overspend(tmp_path) -> None:
    from csc_model.cli import main

    out, out2 = tmp_path / "fy.csv", tmp_path / "fy2.csv"
    assert main(["run", "--years", "2", "--runs", "60", "--seed", "3", "--out", str(out)]) == 0
    t = pd.read_csv(out)
    for col in ("prob_over_budget", "spend_gbp_p10", "spend_gbp_p50", "spend_gbp_p90", "spend_gbp_p80"):
        assert col in t.columns
    for col in ("children_in_care_p10", "children_in_care_p50", "children_in_care_p90"):
        assert col in t.columns
    assert t["prob_over_budget"].between(0, 1).all()
    assert main(["run", "--years", "2", "--runs", "60", "--seed", "3", "--chance-only", "--out", str(out2)]) == 0
    t2 = pd.read_csv(out2)
    wide = (t["children_in_care_p90"] - t["children_in_care_p10"]).iloc[-1]
    assert wide > (t2["children_in_care_p90"] - t2["children_in_care_p10"]).iloc[-1]


def test_lever_effects_vary_by_run_around_what_is_set(base) -> None:
    """Each run achieves its own share (stated range 0.77-1.3 at P10-P90, centred on 1) of a lever's effect."""
    prevent = base.with_values({"entries.prevented_share": 0.2, "entries.prevention_start": "2026-04-01"})
    st = build(prevent)
    lam = draw_parameters(prevent, st, 4000, 5).run_params.entries
    plain = draw_parameters(base, build(base), 4000, 5).run_params.entries
    achieved = 1.0 - lam[-1] / plain[-1]  # same level and trend draws: only the lever differs
    assert np.median(achieved) == pytest.approx(0.2, rel=0.03)
    assert np.percentile(achieved, 10) == pytest.approx(0.2 * 0.77, rel=0.05)
    assert np.percentile(achieved, 90) == pytest.approx(0.2 * 1.3, rel=0.05)
    shifted = base.with_values({"placements.shift.children_per_year": 26.0})
    sh = draw_parameters(shifted, build(shifted), 2000, 5).run_params.shift
    assert sh is not None and np.median(sh[-1]) == pytest.approx(0.5, rel=0.03) and sh[-1].std() > 0.05
    assert draw_parameters(base, build(base), 10, 5).run_params.shift is None
    # the shift lever still moves children in every run, by about what was set
    r = project(shifted.with_values({"years": 1}), runs=100, seed=2, parameter_uncertainty=True)
    assert r.raw.stock_place[-1].mean(axis=0).sum() > 0
