"""Parameter uncertainty: draw the model's rates for each stochastic run, as well as chance.

Each run gets its own multipliers on the scenario's rates (see docs/uncertainty.md):

* rates worked out from a return carry their sampling uncertainty: a rate from ``events`` over
  child-weeks at risk gets a Gamma(``events``) multiplier with mean 1 (the spread of a rate
  estimated from that many events); shares (outcomes of proceedings, placement orders not
  ending in adoption) get Dirichlet / Beta draws with the strength of the cases behind them;
* figures without data (the bundled defaults; prices, inflation, the trend in entries) get the
  stated ranges of ``data/uncertainty_ranges.csv`` (P10 and P90, with source and year).

Draws come from their own random streams, one per parameter, keyed by the seed and the
parameter's name, apart from the streams of chance: the same seed gives the same parameter
draws and the same chance streams in a scenario and its baseline (common random numbers), so
the difference between them is steady.
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csc_model.scenario import Scenario
from csc_model.solvers.engine import Progress, Raw, concat_runs, run_deterministic, run_stochastic
from csc_model.solvers.run_params import RunParams
from csc_model.solvers.structure import EXIT_ROUTES, R_HOME, R_OTHER, R_SGO, Structure

RANGES_CSV = Path(__file__).resolve().parents[2] / "data" / "uncertainty_ranges.csv"
Z90 = 1.2815515655446004  # standard normal P90
OUTCOMES = ("returned_home", "sgo_cao", "placement_order", "care_order")


@cache
def ranges() -> pd.DataFrame:
    """The stated ranges (P10, P90) of figures without data, with their source and year."""
    df = pd.read_csv(RANGES_CSV)
    return df.set_index("parameter")


@dataclass(frozen=True)
class Evidence:
    """Events (and child-weeks) behind each rate, from a calibration; totals only, no child."""

    rates: dict[str, tuple[int, float]]  # scenario path: (events, child-weeks at risk; 0 for spells)
    moves: dict[tuple[str, str], int]  # (from type, to type): moves seen
    entrants: int  # children starting care in the window

    @classmethod
    def from_calibration(cls, cal: Any) -> Evidence:
        """From a :class:`csc_model.ssda903.Calibration` (uses only rates it used)."""
        # a rate shrunk towards the base (credibility) rests on its events plus the events the base counted as
        rates = {
            f.path: (round(f.events + getattr(f, "prior_events", 0.0)), float(f.exposure_weeks))
            for f in cal.rates
            if f.used and f.events + getattr(f, "prior_events", 0.0) > 0
        }
        moves = {(m.from_type, m.to_type): int(m.events) for m in cal.moves if m.used and m.events > 0}
        return cls(rates, moves, int(cal.entrants))


@dataclass(frozen=True)
class ParameterDraws:
    """Per-run parameters: the engine's multipliers plus prices and inflation (for spend)."""

    run_params: RunParams
    price_mult: np.ndarray  # (R, P)
    inflation_delta: np.ndarray  # (R,) added to the yearly inflation rate

    @property
    def runs(self) -> int:
        return self.price_mult.shape[0]


def _rng(seed: int, name: str) -> np.random.Generator:
    """The stream for one parameter: the same seed and name always give the same draws."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, 0x9E37, zlib.crc32(name.encode())])


def _range_mult(seed: int, name: str, key: str, runs: int) -> np.ndarray:
    """Log-normal multipliers with the stated P10 and P90 of ``key``."""
    r = ranges().loc[key]
    lo, hi = float(r["p10"]), float(r["p90"])
    mu, sigma = 0.5 * np.log(lo * hi), np.log(hi / lo) / (2 * Z90)
    return np.exp(mu + sigma * _rng(seed, name).standard_normal(runs))


def _range_add(seed: int, name: str, key: str, runs: int) -> np.ndarray:
    """Normal additive changes with the stated P10 and P90 of ``key``."""
    r = ranges().loc[key]
    lo, hi = float(r["p10"]), float(r["p90"])
    return 0.5 * (lo + hi) + (hi - lo) / (2 * Z90) * _rng(seed, name).standard_normal(runs)


def _gamma_mult(seed: int, name: str, events: int, runs: int) -> np.ndarray:
    """Mean-1 Gamma multipliers: the spread of a rate estimated from ``events`` events."""
    a = max(float(events), 1.0)
    return _rng(seed, name).gamma(a, 1.0 / a, runs)


def _rate_mult(seed: int, path: str, ev: Evidence | None, runs: int) -> np.ndarray:
    if ev is not None and path in ev.rates:
        return _gamma_mult(seed, path, ev.rates[path][0], runs)
    return _range_mult(seed, path, "stage_rate", runs)


def draw_parameters(
    s: Scenario, st: Structure, runs: int, seed: int, evidence: Evidence | None = None
) -> ParameterDraws:
    """Draw ``runs`` sets of parameters around the scenario's values (see the module docstring)."""
    S, P, k, T = st.S, st.P, st.k, st.weeks
    S20, BACK, PO_A, PO_P, CO = 0, k + 1, k + 2, k + 3, k + 4
    dm = np.ones((runs, S, S + len(EXIT_ROUTES)))
    ev = evidence

    def rate(path: str) -> np.ndarray:
        return _rate_mult(seed, path, ev, runs)

    dm[:, S20, S + R_HOME] *= rate("s20.mean_weeks_to_return_home")
    dm[:, S20, 1] *= rate("s20.annual_share_to_proceedings")
    speed = rate("proceedings.mean_weeks")
    dm[:, 1 : k + 1, :] *= speed[:, None, None]  # every phase, including the final hearing
    dm[:, BACK, :] *= rate("proceedings.backlog_mean_remaining_weeks")[:, None]
    # outcomes of proceedings: Dirichlet around the scenario's shares
    shares = np.array([s.proceedings.outcome_shares[o] for o in OUTCOMES])
    if ev is not None and "proceedings.outcome_shares" in ev.rates:
        strength = float(ev.rates["proceedings.outcome_shares"][0])
    else:
        strength = float(ranges().loc["proceedings.outcome_shares", "p10"])
    pos = shares > 0
    draw = np.zeros((runs, len(OUTCOMES)))
    draw[:, pos] = _rng(seed, "proceedings.outcome_shares").dirichlet(shares[pos] * strength + 0.5, runs)
    ratio = np.where(pos, draw / np.where(pos, shares, 1.0), 1.0)
    dest = {"returned_home": S + R_HOME, "sgo_cao": S + 1, "placement_order": PO_A, "care_order": CO}
    for i, o in enumerate(OUTCOMES):
        dm[:, [k, BACK], dest[o]] *= ratio[:, i : i + 1]
    dm[:, PO_A, :] *= rate("placement_order.mean_weeks_to_placement")[:, None]
    sna = float(s.placement_order.share_not_adopted)
    n = (
        ev.rates["placement_order.share_not_adopted"][0]
        if ev and "placement_order.share_not_adopted" in ev.rates
        else 30
    )
    b = _rng(seed, "placement_order.share_not_adopted").beta(sna * n + 0.5, (1 - sna) * n + 0.5, runs)
    if 0 < sna < 1:
        dm[:, PO_A, CO] *= b / sna
        dm[:, PO_A, PO_P] *= (1 - b) / (1 - sna)
    dm[:, PO_P, :] *= rate("placement_order.mean_weeks_placed_to_order")[:, None]
    dm[:, CO, S + R_HOME] *= rate("care_order.annual_discharge_home")
    dm[:, CO, S + R_SGO] *= rate("care_order.annual_sgo")
    dm[:, CO, S + R_OTHER] *= rate("care_order.annual_other")

    ids = [p.id for p in st.placements]
    mm = np.ones((runs, P, P))
    for mv in s.placements.moves:
        key = (mv.from_type, mv.to_type)
        name = f"placements.moves.{mv.from_type}.{mv.to_type}"
        if ev is not None and key in ev.moves:
            m = _gamma_mult(seed, name, ev.moves[key], runs)
        else:
            m = _range_mult(seed, name, "placement_moves", runs)
        mm[:, ids.index(mv.from_type), ids.index(mv.to_type)] = m

    if ev is not None and ev.entrants > 0:
        level = _gamma_mult(seed, "entries.weekly_rate", ev.entrants, runs)
    else:
        level = _range_mult(seed, "entries.weekly_rate", "entries.weekly_rate", runs)
    trend = s.entries.annual_trend
    delta = _range_add(seed, "entries.annual_trend", "entries.annual_trend", runs)
    growth = ((1.0 + trend + delta) / (1.0 + trend))[None, :] ** (np.arange(T)[:, None] / 52.0)
    entries = st.entries_per_week[:, None] * level[None, :] * growth
    # levers: each run achieves its own share of what the scenario sets (stated range)
    ps = float(s.entries.prevented_share)
    if ps > 0:
        a = np.minimum(_range_mult(seed, "lever.prevented_share", "lever_effect", runs) * ps, 0.95)
        on = np.arange(T) >= max(0, (s.entries.prevention_start - s.start_date).days // 7)
        entries = entries * np.where(on[:, None], (1.0 - a[None, :]) / (1.0 - ps), 1.0)
    shift = None
    if st.shift_per_week.max(initial=0) > 0:
        shift = st.shift_per_week[:, None] * _range_mult(seed, "lever.shift", "lever_effect", runs)[None, :]

    price = np.column_stack([_range_mult(seed, f"weekly_price_gbp.{i}", "weekly_price_gbp", runs) for i in ids])
    infl = _range_add(seed, "annual_inflation", "annual_inflation", runs)
    return ParameterDraws(RunParams(entries, dm, mm, shift), price, infl)


def run_with_parameters(
    st: Structure,
    draws: ParameterDraws,
    seed: int,
    chance: bool = True,
    progress: Progress | None = None,
    threads: int = 1,
) -> Raw:
    """Runs with drawn parameters: stochastic (``chance``) or expected values for each draw.

    With ``chance`` the runs use the same blocks and chance streams as
    :func:`csc_model.solvers.engine.run_stochastic` for this seed (in the calling thread unless ``threads``
    asks for more; never a process). Without, each run is the
    deterministic projection with its drawn parameters (slower: one solve a run).
    """
    runs = draws.runs
    rp = draws.run_params
    if chance:
        return run_stochastic(st, runs, seed, progress, params=rp, threads=threads)
    parts = []
    Q, M = st.stage_probs, st.move_probs
    for r in range(runs):
        q = Q * rp.stage[r][None]
        tot = q.sum(axis=2, keepdims=True)
        q = np.where(tot > 1.0, q / np.maximum(tot, 1e-300), q)
        m = M * rp.moves[r][None]
        out = m.sum(axis=2, keepdims=True)
        m = np.where(out > 1.0, m / np.maximum(out, 1e-300), m)
        one = dataclasses.replace(st, stage_probs=q, move_probs=m, entries_per_week=rp.entries[:, r].copy())
        raw = run_deterministic(one)
        parts.append(dataclasses.replace(raw, stock_age=None, stochastic=True))
    return concat_runs(parts)
