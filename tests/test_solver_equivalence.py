"""The fast deterministic solvers give the same numbers as the straightforward reference.

``csc_model.solvers.deterministic`` rearranges the arithmetic for speed: the year-of-age solver
(children carried by year of age, the cohort leaving each year worked out from a year
earlier) and the cohort solver (age ring, "placed for adoption" kept apart, in-place
triangular stage operator), both with flows after the loop.
``tests/reference_engine.py`` is the first solver, kept as written: it shifts the whole
(stage, placement, age) array every week. Every output must agree to rounding error, for the
default scenario, for each lever and for hundreds of random valid scenarios.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from csc_model import default_scenario
from csc_model.solvers.deterministic import _plan, _run_cohorts, _run_years, _years_apply
from csc_model.solvers.engine import Raw, run_deterministic
from csc_model.solvers.structure import build

from .reference_engine import run_deterministic_reference
from .strategies import scenarios

# The reference divides by a vanishing stock when almost no child can be shifted (min(1, c / x)
# is still right); the fast solver avoids the division.
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in scalar divide:RuntimeWarning")

FIELDS = ("stock_stage", "stock_place", "stock_age", "entries", "exits", "group_flows", "initial")


def assert_same(fast: Raw, ref: Raw) -> None:
    for name in FIELDS:
        a, b = getattr(fast, name), getattr(ref, name)
        assert a.shape == b.shape, name
        scale = max(1.0, float(np.abs(b).max()))
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10 * scale, err_msg=name)


LEVERS = {
    "default": {},
    "surge, faster proceedings and a placement shift": {
        "entries.surges": [{"start_date": "2026-09-01", "weeks": 10, "extra_children": 30}],
        "proceedings.target_mean_weeks": 26,
        "placements.shift.children_per_year": 12,
    },
    "no placement moves": {"placements.moves": []},
    "shift larger than the children available": {
        "placements.shift.children_per_year": 1000,
        "placements.shift.to_type": "supported_accommodation",
    },
    "shift between types no move touches": {
        "placements.shift.from_type": "kinship_fostering",
        "placements.shift.to_type": "other",
        "placements.shift.children_per_year": 20,
    },
    "a move into placed for adoption": {
        "placements.moves": [{"from_type": "in_house_fostering", "to_type": "placed_for_adoption", "annual_rate": 0.1}]
    },
    "Erlang order 1, ten years": {"proceedings.erlang_order": 1, "years": 10},
    "Erlang order 12": {"proceedings.erlang_order": 12},
    "start mid-year": {"start_date": "2027-10-13"},
}


@pytest.mark.parametrize("method", ["auto", "cohorts"])
@pytest.mark.parametrize("changes", LEVERS.values(), ids=LEVERS.keys())
def test_fast_solver_matches_reference(changes: dict, method: str) -> None:
    st = build(default_scenario().with_values(changes))
    assert_same(run_deterministic(st, method), run_deterministic_reference(st))


def test_year_solver_is_used_unless_the_shift_lever_is_on() -> None:
    """The "auto" method takes the year-of-age solver for every lever case but the shift lever, so the
    comparisons above test it; "years" refuses a scenario it cannot solve exactly."""
    for name, changes in LEVERS.items():
        st = build(default_scenario().with_values(changes))
        assert _years_apply(_plan(st)) == (not st.shift_per_week.any()), name
    shifted = build(default_scenario().with_values({"placements.shift.children_per_year": 12}))
    with pytest.raises(ValueError, match="shift"):
        run_deterministic(shifted, "years")
    with pytest.raises(ValueError, match="method must be one of"):
        run_deterministic(shifted, "fastest")


def test_solvers_leave_their_inputs_unchanged() -> None:
    """Solving one plan twice gives the same numbers: neither solver writes to the plan (the
    cohort solver once worked in the plan's own arrays when no placement moves were set)."""
    plan = _plan(build(default_scenario().with_values({"placements.moves": []})))
    for solver in (_run_years, _run_cohorts):
        first, second = solver(plan), solver(plan)
        for name in ("place", "stage", "age", "aged"):
            np.testing.assert_array_equal(getattr(second, name), getattr(first, name), err_msg=name)


def test_reference_comparison_can_fail() -> None:
    """The comparison notices a change of one child in one week."""
    st = build(default_scenario())
    ref = run_deterministic_reference(st)
    fast = run_deterministic(st)
    fast.stock_place[100, 0, 0] += 1.0
    with pytest.raises(AssertionError):
        assert_same(fast, ref)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios(max_years=3))
def test_fast_solver_matches_reference_random(s) -> None:
    """Both solvers on the drawn scenario, and the year-of-age solver on it without the shift
    lever (which the drawn scenarios almost always have on)."""
    st = build(s)
    ref = run_deterministic_reference(st)
    assert_same(run_deterministic(st), ref)
    assert_same(run_deterministic(st, "cohorts"), ref)
    st0 = build(s.with_values({"placements.shift.children_per_year": 0.0}))
    assert_same(run_deterministic(st0, "years"), run_deterministic_reference(st0))
