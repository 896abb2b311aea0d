"""SSDA903 calibration: the usual moves between placement types (step-down and step-up).

Counted by hand from a made-up return, the credibility weighting towards the base, and recovered
from made-up data drawn with known rates.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from csc_model import Scenario, default_scenario, ssda903
from csc_model.reporting.results import project
from csc_model.solvers.structure import build

from .helpers import cli
from .ssda903_cases import MOVES_BY_HAND, calibrate_text, move_tables, pattern_tables

# --- placement moves ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moves_by_hand() -> ssda903.Calibration:
    return calibrate_text(*move_tables(MOVES_BY_HAND))


def _annual(n: int, weeks: float) -> float:
    return 1 - (1 - n / weeks) ** 52


def _shrunk(n: int, weeks: float, base_annual: float, k: float = ssda903.PRIOR_CHILD_WEEKS) -> float:
    """The credibility yearly rate worked out by hand: (n + k * base weekly) / (weeks + k), made yearly."""
    base_weekly = 1 - (1 - base_annual) ** (1 / 52)
    return 1 - (1 - (n + k * base_weekly) / (weeks + k)) ** 52


def test_moves_counted_by_hand(moves_by_hand) -> None:
    c = moves_by_hand
    fig = {(f.from_type, f.to_type): f for f in c.moves}
    found = {k: (f.events, f.exposure_weeks, f.min_age, f.max_age) for k, f in fig.items() if f.events}
    assert found == {
        ("private_childrens_home", "ifa"): (10, 420.0, 5, 17),
        ("ifa", "private_childrens_home"): (10, 370.0, 5, 17),
        ("in_house_fostering", "supported_accommodation"): (10, 200.0, 16, 17),
        ("la_childrens_home", "in_house_fostering"): (4, pytest.approx(400 / 7), 5, 17),
    }
    base = {(m.from_type, m.to_type): m.annual_rate for m in default_scenario().placements.moves}
    # every kind of move found or in the base scenario is looked at; each is shrunk towards the base by its evidence
    assert set(fig) == set(base) | set(found)
    moves = {(m.from_type, m.to_type): m.annual_rate for m in c.scenario.placements.moves}
    for key, f in fig.items():
        k = ssda903.PRIOR_CHILD_WEEKS
        assert f.weight_on_base == pytest.approx(k / (f.exposure_weeks + k))
        assert f.base == base.get(key, 0.0)
        assert moves[key] == pytest.approx(_shrunk(f.events, f.exposure_weeks, f.base), abs=1e-6), key
        if f.exposure_weeks:
            assert f.estimate == pytest.approx(_annual(f.events, f.exposure_weeks))
    # ten moves in 200 child-weeks: the data alone say 93% a year, the base 20%: the rate lies between
    assert 0.2 < moves[("in_house_fostering", "supported_accommodation")] < _annual(10, 200)
    # no child-weeks in secure homes: the base rate stands, all of it resting on the base
    assert (
        moves[("secure", "private_childrens_home")] == 0.8
        and fig[("secure", "private_childrens_home")].weight_on_base == 1
    )
    # nothing into or out of placed for adoption; the legal status change and the flat are no moves
    assert not any("placed_for_adoption" in key for key in moves)
    assert not any(f.from_type == f.to_type for f in c.moves)
    r = c.report.set_index("Figure")
    why = r.loc["Placement moves", "Worked out from"]
    assert why.startswith("34 moves from one placement type to another (a new episode the same day) in the 52 weeks")
    assert "4 kinds of move found, 10 kinds in the base scenario" in why
    assert "the base scenario's rate counted as 520 child-weeks of evidence" in why
    assert (
        "Not counted: 20 moves into or out of placed for adoption (part of the placement order), 10 moves into a "
        "placement type that does not take the child's age, 20 new episodes in the same placement type" in why
    )
    pair = r.loc["  move: In-house fostering to Supported accommodation (16-17)"]
    assert pair["Value"] == f"{_shrunk(10, 200, 0.2):.1%} a year"
    assert pair["Worked out from"] == (
        "10 moves over 200 child-weeks in In-house fostering aged 16-17 (the data alone 93.1% a year); base scenario "
        f"20.0% a year, weight on it {520 / 720:.0%}"
    )
    assert pair["Weight on base"] == f"{520 / 720:.0%}"
    assert r.index[-1] == "Start date of the projection"
    warning = next(w for w in c.warnings if w.startswith("Placement moves: 4 kinds of move rest mostly on the base"))
    assert "In-house fostering to Supported accommodation (16-17) (10 moves over 200 child-weeks: 72% base" in warning
    assert "Secure" not in warning  # nobody in a secure home: nothing to lean on but the base, and no matter
    assert any(
        w.startswith("10 moves were into a placement type that does not take the child's age") for w in c.warnings
    )


def test_calibrated_moves_validate_project_and_become_the_models_weekly_probabilities(moves_by_hand) -> None:
    s = moves_by_hand.scenario
    assert Scenario.from_json(s.to_json()) == s
    assert project(s).table("fy")["children_in_care"].notna().all()
    st = build(s)
    ids = [p.id for p in st.placements]
    house, supported = ids.index("in_house_fostering"), ids.index("supported_accommodation")
    home, ifa = ids.index("private_childrens_home"), ids.index("ifa")

    def weekly(n: int, w: float, base: float) -> float:
        return 1 - (1 - _shrunk(n, w, base)) ** (1 / 52)

    for g, age_weeks in enumerate(st.age_group_edges[:-1]):
        m = st.move_probs[g]
        assert m[house, supported] == pytest.approx(weekly(10, 200, 0.2) if age_weeks >= 16 * 52 else 0.0, abs=1e-6)
        assert m[home, ifa] == pytest.approx(weekly(10, 420, 0.1), abs=1e-6)
        assert m[ifa, home] == pytest.approx(weekly(10, 370, 0.03) if age_weeks >= 5 * 52 else 0.0, abs=1e-6)


def test_sparse_moves_lean_on_the_base_in_proportion_to_the_evidence() -> None:
    """No move over many child-weeks gives a small rate; more child-weeks, less weight on the base."""
    few = calibrate_text(*move_tables(MOVES_BY_HAND))
    more = calibrate_text(*move_tables(MOVES_BY_HAND | {"L": 40}))
    f1 = {(f.from_type, f.to_type): f for f in few.moves}[("la_childrens_home", "in_house_fostering")]
    f2 = {(f.from_type, f.to_type): f for f in more.moves}[("la_childrens_home", "in_house_fostering")]
    assert f2.exposure_weeks > 3 * f1.exposure_weeks and f2.events > 3 * f1.events
    assert f2.weight_on_base < f1.weight_on_base
    # the data say about 98% a year here, the base 20%: more evidence moves the rate towards the data
    assert 0.2 < f1.value < f2.value < f2.estimate
    # in-house fostering to IFA: in the base at 4% a year, never seen over 701 child-weeks: well below the base
    zero = {(f.from_type, f.to_type): f for f in few.moves}[("in_house_fostering", "ifa")]
    assert zero.events == 0 and zero.exposure_weeks > 700
    assert 0 < zero.value < 0.04 / 2
    # a kind of move the base does not have gets only what the data give, shrunk towards nothing
    other = calibrate_text(*move_tables(MOVES_BY_HAND | {"T": 10}))
    o = {(f.from_type, f.to_type): f for f in other.moves}[("other", "in_house_fostering")]
    assert o.base == 0 and o.events == 10 and o.value == pytest.approx(_shrunk(10, o.exposure_weeks, 0.0), abs=1e-6)
    assert o.value < o.estimate


def test_no_move_in_the_data_shrinks_every_base_move_by_its_child_weeks() -> None:
    base = default_scenario()
    none = calibrate_text(*pattern_tables())
    moves = {(m.from_type, m.to_type): m.annual_rate for m in none.scenario.placements.moves}
    assert set(moves) == {(m.from_type, m.to_type) for m in base.placements.moves}
    for m in base.placements.moves:
        assert moves[(m.from_type, m.to_type)] <= m.annual_rate
    assert all(f.events == 0 for f in none.moves)


def test_moves_out_of_one_type_adding_up_to_more_than_one_are_scaled_down() -> None:
    """Other -> in-house and Other -> IFA: 10 moves each over 120 child-weeks in Other, none in the base."""
    c = calibrate_text(*move_tables({"O1": 10, "O2": 10}))
    out = {m.to_type: m.annual_rate for m in c.scenario.placements.moves if m.from_type == "other"}
    alone = _shrunk(10, 120, 0.0)
    assert alone > 0.5  # two of them add up to more than 100% a year
    assert out == pytest.approx({"in_house_fostering": 0.5, "ifa": 0.5}, abs=1e-5)
    assert any(
        f"the yearly moves out of Other (incl. residential schools) add up to {2 * alone:.0%}" in w for w in c.warnings
    )
    assert any("scaled down to 50.0%" in w for w in c.report["Worked out from"])


def test_moves_switched_off(moves_by_hand) -> None:
    c = calibrate_text(*move_tables(MOVES_BY_HAND), moves=False)
    assert c.moves == () and c.scenario.placements == default_scenario().placements
    assert "Placement moves" not in set(c.report["Figure"])
    assert not any("Placement moves" in w or "moves were into" in w for w in c.warnings)
    assert c.scenario.initial == moves_by_hand.scenario.initial  # the rest is still worked out
    # and the other way round: moves without the rates, and without REC (not needed for moves)
    header, episodes = move_tables(MOVES_BY_HAND)
    no_rec = "\n".join(line.rsplit(",", 1)[0] for line in episodes.splitlines()) + "\n"
    only = calibrate_text(header, no_rec, rates=False)
    assert only.rates == () and only.scenario.placements == moves_by_hand.scenario.placements
    assert not any("REC" in w for w in only.warnings)


def test_known_move_rates_are_recovered(known) -> None:
    """The moves of ExampleRates from the same ten thousand children (156 weeks).

    Tolerance: 4 standard errors of the weekly probability (relative standard error 1/sqrt(n)
    for n moves, 190-300 moves here, so 23-29%); the estimates are within 1.3 standard errors.
    Counting the child-weeks at every age instead of 16-17 only would more than halve the rate
    into supported accommodation, far outside the tolerance.
    """
    r, c = known
    fig = {(f.from_type, f.to_type): f for f in c.moves}
    assert {k for k, f in fig.items() if f.events} == {(f, t) for f, t, _ in r.placement_moves}
    for f, t, rate in r.placement_moves:
        m = fig[(f, t)]
        true_weekly = 1 - (1 - rate) ** (1 / 52)
        assert m.used and m.events >= 150 and m.weight_on_base < 0.1, (f, t, m.events)
        assert abs(m.events / m.exposure_weeks - true_weekly) <= 4 * true_weekly / math.sqrt(m.events), (f, t, m)
    # the example makes no other kind of move: those of the base scenario come out far below their base rates
    for key, m in fig.items():
        if key not in {(f, t) for f, t, _ in r.placement_moves} and m.exposure_weeks > 2000:
            assert m.events == 0 and m.value < m.base / 2, key
    assert not c.warnings


def test_cli_calibrate_moves_and_no_moves(tmp_path: Path) -> None:
    header, episodes = move_tables(MOVES_BY_HAND)
    (tmp_path / "h.csv").write_text(header)
    (tmp_path / "e.csv").write_text(episodes)
    args = ("calibrate", "--header", "h.csv", "--episodes", "e.csv", "--as-at", "2026-03-31", "--out")
    r = cli(*args, "with.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (
        "; 10 kinds of placement move worked out (4 resting mostly on the base scenario's rate, with few child-weeks)"
        in r.stderr
    )
    s = Scenario.from_json((tmp_path / "with.json").read_text())
    assert s.placements.moves == calibrate_text(header, episodes).scenario.placements.moves
    r = cli(*args, "without.json", "--no-moves", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "placement moves not worked out" in r.stderr
    s = Scenario.from_json((tmp_path / "without.json").read_text())
    assert s.placements == default_scenario().placements
    assert s.initial.total == 44  # the starting position is still worked out (P, A, S, Y and L)
