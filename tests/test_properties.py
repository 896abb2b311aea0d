"""Property-based: no negative, NaN or infinite numbers for any valid scenario."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from csc_model.reporting.results import Result
from csc_model.solvers.engine import run_deterministic, run_stochastic
from csc_model.solvers.structure import build

from .strategies import scenarios


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios(max_years=3))
def test_no_negative_or_nan_stocks_deterministic(s) -> None:
    st = build(s)
    raw = run_deterministic(st)
    assert np.isfinite(raw.stock_stage).all() and np.isfinite(raw.stock_place).all()
    assert raw.stock_stage.min() >= -1e-9 and raw.stock_place.min() >= -1e-9
    assert raw.exits.min() >= -1e-9
    total_in = st.initial.sum() + raw.entries.sum()
    total_out = raw.exits.sum() + raw.stock_stage[-1].sum()
    assert abs(total_in - total_out) <= 1e-9 * max(1.0, total_in)
    fy = Result(s, st, raw).table("fy")
    assert np.isfinite(fy[["children_in_care", "spend_gbp", "budget_gbp"]].to_numpy()).all()
    assert (fy["spend_gbp"] >= 0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios(max_years=2))
def test_no_negative_stocks_stochastic(s) -> None:
    st = build(s)
    raw = run_stochastic(st, 5, seed=3)
    assert raw.stock_stage.min() >= 0 and raw.stock_place.min() >= 0
    assert (
        raw.initial.sum(axis=(1, 2)) + raw.entries.sum(axis=0)
        == raw.exits.sum(axis=(0, 2)) + raw.stock_stage[-1].sum(axis=1)
    ).all()
