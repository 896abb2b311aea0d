"""Turn a Scenario into the week-by-week transition tables that both solvers use.

One model, two solvers: the deterministic solver multiplies expected numbers of children by
these probabilities; the stochastic solver draws each child's next state from the same
probabilities. Everything here is numpy arrays indexed by week, legal-stage cell,
placement type and age in weeks.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from csc_model.scenario import AGE_BAND_YEARS, AGE_BANDS, Scenario
from csc_model.scenario.calendar import fy_from_label, fy_start_year, n_weeks
from csc_model.scenario.config import DATA_DIR, PlacementType, load_placement_types

WEEKS_PER_YEAR_AGE = 52
AGE_WEEKS = 18 * WEEKS_PER_YEAR_AGE  # children leave care when age reaches 936 weeks (18)
STAGE_GROUPS: tuple[str, ...] = ("s20", "proceedings", "placement_order", "care_order")
STAGE_GROUP_LABELS = {
    "s20": "Section 20",
    "proceedings": "In care proceedings",
    "placement_order": "Placement order",
    "care_order": "Care order",
}
EXIT_ROUTES: tuple[str, ...] = ("returned_home", "sgo_cao", "adoption", "age_18", "other")
EXIT_ROUTE_LABELS = {
    "returned_home": "Returned home",
    "sgo_cao": "Special guardianship / child arrangements order",
    "adoption": "Adopted",
    "age_18": "Left care at 18",
    "other": "Other",
}
R_HOME, R_SGO, R_ADOPT, R_AGE18, R_OTHER = range(5)


def weekly_from_annual(a: float) -> float:
    """Weekly probability that gives a yearly share ``a`` when acting alone."""
    return 1.0 - (1.0 - min(a, 1.0)) ** (1.0 / 52.0)


@dataclass(frozen=True)
class Structure:
    """Index layout and per-week tables for one scenario."""

    weeks: int
    k: int  # Erlang order of proceedings
    stage_names: tuple[str, ...]  # one per stage cell
    stage_group: np.ndarray  # (S,) group index of each cell
    placements: tuple[PlacementType, ...]
    pfa: int  # index of "placed for adoption"
    po_placed: int  # stage cell of "placement order, placed for adoption"
    stage_probs: np.ndarray  # (T, S, S + 5): to stage cell d, or to exit route
    move_probs: np.ndarray  # (G, P, P) placement-move probabilities by age group (rows: from)
    age_group_edges: tuple[int, ...]  # age (weeks) boundaries of the move age groups
    shift_per_week: np.ndarray  # (T,) children moved by the shift lever each week
    shift_from: int
    shift_to: int
    shift_ages: tuple[int, int]  # ages in weeks [from, to) the target placement type admits
    entries_per_week: np.ndarray  # (T,) expected entries
    entry_dist: np.ndarray  # (S, P, A) where entrants go; sums to 1
    initial: np.ndarray  # (S, P, A) expected children on the start date
    weekly_price: np.ndarray  # (T, P) £ per child-week, inflation by day within the week
    daily_price_index: np.ndarray  # (T*7, P) price index by simulated day and placement type
    proceedings_mean: np.ndarray  # (T,) mean proceedings length in force each week

    @property
    def S(self) -> int:
        return len(self.stage_names)

    @property
    def P(self) -> int:
        return len(self.placements)


def _weeks_since(start: dt.date, d: dt.date) -> int:
    return (d - start).days // 7


def _age_weights(shares: dict[str, float]) -> np.ndarray:
    """Distribution over age in weeks (A,) from band shares, uniform within each band."""
    w = np.zeros(AGE_WEEKS)
    for band, share in shares.items():
        lo, hi = AGE_BAND_YEARS[band]
        a0, a1 = lo * 52, (hi + 1) * 52
        w[a0:a1] = share / (a1 - a0)
    return w


def _band_of_age_weeks() -> np.ndarray:
    """Band index of each age in weeks."""
    out = np.zeros(AGE_WEEKS, dtype=np.int64)
    for i, band in enumerate(AGE_BANDS):
        lo, hi = AGE_BAND_YEARS[band]
        out[lo * 52 : (hi + 1) * 52] = i
    return out


def _mix_matrix(mix: dict[str, dict[str, float]], ids: tuple[str, ...]) -> np.ndarray:
    """(bands, P) placement shares."""
    return np.array([[mix[b].get(p, 0.0) for p in ids] for b in AGE_BANDS])


PRICE_HISTORY_FILE = "price_history.csv"


@lru_cache(maxsize=4)
def load_price_history(path: str | None = None) -> dict[tuple[str, str], float]:
    """Price changes that already happened, by (financial year, placement type or "all").

    From ``data/price_history.csv`` (stated yearly figures with their source, e.g. ONS CPI by
    financial year). Prices are brought from their base year to the start year with these, so
    the forecast inflation rate only acts from the start year on.
    """
    file = Path(path) if path else DATA_DIR / PRICE_HISTORY_FILE
    with file.open(newline="", encoding="utf-8") as fh:
        return {(r["fy"], r["placement_type"]): float(r["annual_change"]) for r in csv.DictReader(fh)}


def yearly_price_change(s: Scenario, fy: int, placement: str | None = None) -> tuple[float, str]:
    """Price change in financial year ``fy`` (start year) for one placement type, and where it comes from.

    In order: the scenario's rate for that year (``costs.inflation_overrides``); before the
    start year, what already happened (``data/price_history.csv``, the type's own row, else
    "all"); from the start year on, the forecast: the type's rate (``costs.inflation_by_type``),
    else ``costs.annual_inflation``.
    """
    label = f"{fy}-{(fy + 1) % 100:02d}"
    c = s.costs
    if label in c.inflation_overrides:
        return c.inflation_overrides[label], "override"
    if fy <= fy_start_year(s.start_date) - 1:
        hist = load_price_history()
        for key in ((label, placement or "all"), (label, "all")):
            if key in hist:
                return hist[key], "history"
    if placement is not None and placement in c.inflation_by_type:
        return c.inflation_by_type[placement], "forecast"
    return c.annual_inflation, "forecast"


def price_index_by_fy(s: Scenario, fy_years: np.ndarray, placement: str | None = None) -> np.ndarray:
    """Cumulative price index for each financial-year start year, 1.0 in the base year.

    ``placement`` picks a placement type's own rates (see :func:`yearly_price_change`).
    """
    base = fy_from_label(s.costs.price_base_year)
    out = np.ones(len(fy_years))
    for i, y in enumerate(fy_years):
        idx = 1.0
        if y > base:
            for yy in range(base + 1, int(y) + 1):
                idx *= 1.0 + yearly_price_change(s, yy, placement)[0]
        elif y < base:
            for yy in range(int(y) + 1, base + 1):
                idx /= 1.0 + yearly_price_change(s, yy, placement)[0]
        out[i] = idx
    return out


def build(s: Scenario) -> Structure:
    """All per-week tables for scenario ``s``."""
    T = n_weeks(s.start_date, s.years)
    k = s.proceedings.erlang_order
    placements = load_placement_types()
    ids = tuple(p.id for p in placements)
    P = len(ids)
    stage_names = (
        ("s20",)
        + tuple(f"proceedings_{j + 1}" for j in range(k))
        + (
            "proceedings_backlog",
            "placement_order_awaiting",
            "placement_order_placed",
            "care_order",
        )
    )
    S = len(stage_names)
    S20, PH1, BACK, PO_A, PO_P, CO = 0, 1, k + 1, k + 2, k + 3, k + 4
    stage_group = np.array([0] + [1] * (k + 1) + [2, 2, 3])
    pfa = ids.index("placed_for_adoption")

    # --- proceedings length by week (the improvement lever) -------------------
    weeks = np.arange(T)
    mean = np.full(T, s.proceedings.mean_weeks, dtype=float)
    pr = s.proceedings
    if pr.target_mean_weeks is not None:
        w0 = _weeks_since(s.start_date, pr.target_from_date)
        w1 = _weeks_since(s.start_date, pr.target_by_date)
        if w1 <= w0:
            frac = (weeks >= w0).astype(float)
        else:
            frac = np.clip((weeks - w0) / (w1 - w0), 0.0, 1.0)
        mean = pr.mean_weeks + (pr.target_mean_weeks - pr.mean_weeks) * frac

    # --- stage transition probabilities --------------------------------------
    E0 = S  # first exit column
    Q = np.zeros((T, S, S + len(EXIT_ROUTES)))
    Q[:, S20, E0 + R_HOME] = 1.0 / s.s20.mean_weeks_to_return_home
    Q[:, S20, PH1] = weekly_from_annual(s.s20.annual_share_to_proceedings)
    phase_p = np.minimum(1.0, k / mean)
    for j in range(1, k):
        Q[:, j, j + 1] = phase_p
    back_p = np.minimum(1.0, (1.0 / pr.backlog_mean_remaining_weeks) * (pr.mean_weeks / mean))
    oc = pr.outcome_shares
    for cell, p in ((k, phase_p), (BACK, back_p)):
        Q[:, cell, E0 + R_HOME] = p * oc["returned_home"]
        Q[:, cell, E0 + R_SGO] = p * oc["sgo_cao"]
        Q[:, cell, PO_A] = p * oc["placement_order"]
        Q[:, cell, CO] = p * oc["care_order"]
    po = s.placement_order
    Q[:, PO_A, PO_P] = (1.0 - po.share_not_adopted) / po.mean_weeks_to_placement
    Q[:, PO_A, CO] = po.share_not_adopted / po.mean_weeks_to_placement
    Q[:, PO_P, E0 + R_ADOPT] = 1.0 / po.mean_weeks_placed_to_order
    co = s.care_order
    Q[:, CO, E0 + R_HOME] = weekly_from_annual(co.annual_discharge_home)
    Q[:, CO, E0 + R_SGO] = weekly_from_annual(co.annual_sgo)
    Q[:, CO, E0 + R_OTHER] = weekly_from_annual(co.annual_other)
    rowsum = Q.sum(axis=2, keepdims=True)
    Q = np.where(rowsum > 1.0, Q / np.maximum(rowsum, 1e-300), Q)

    # --- placement moves by age group (target type must admit the child's age) --
    edges = sorted({0, AGE_WEEKS} | {p.min_age * 52 for p in placements} | {(p.max_age + 1) * 52 for p in placements})
    edges = [e for e in edges if 0 <= e <= AGE_WEEKS]
    G = len(edges) - 1
    M = np.zeros((G, P, P))
    for g in range(G):
        age_years = edges[g] // 52
        for mv in s.placements.moves:
            f, t = ids.index(mv.from_type), ids.index(mv.to_type)
            if placements[t].min_age <= age_years <= placements[t].max_age:
                M[g, f, t] += weekly_from_annual(mv.annual_rate)
    for g in range(G):
        out = M[g].sum(axis=1)
        M[g] = np.where(out[:, None] > 1, M[g] / np.maximum(out[:, None], 1e-300), M[g])
    sh = s.placements.shift
    shift = np.where(weeks >= _weeks_since(s.start_date, sh.start_date), sh.children_per_year / 52.0, 0.0)

    # --- entries -------------------------------------------------------------
    e = s.entries
    lam = e.weekly_rate * (1.0 + e.annual_trend) ** (weeks / 52.0)
    lam = lam * np.where(weeks >= _weeks_since(s.start_date, e.prevention_start), 1.0 - e.prevented_share, 1.0)
    for surge in e.surges:
        w0 = _weeks_since(s.start_date, surge.start_date)
        lo, hi = max(w0, 0), min(w0 + surge.weeks, T)
        if hi > lo:
            lam[lo:hi] += surge.extra_children / surge.weeks
    age_w = _age_weights(dict(e.age_band_shares))
    band = _band_of_age_weeks()
    mix = _mix_matrix({b: dict(m) for b, m in e.placement_mix_by_age_band.items()}, ids)  # (B, P)
    s20 = np.array([e.s20_share_by_age_band[b] for b in AGE_BANDS])
    dist = np.zeros((S, P, AGE_WEEKS))
    dist[S20] = (mix[band] * (s20[band] * age_w)[:, None]).T
    dist[PH1] = (mix[band] * ((1.0 - s20[band]) * age_w)[:, None]).T
    dist /= dist.sum()

    # --- initial stock ---------------------------------------------------------
    ini = s.initial
    age0 = _age_weights(dict(ini.age_band_shares))
    mix0 = _mix_matrix({b: dict(m) for b, m in ini.placement_mix_by_age_band.items()}, ids)
    ap = (mix0[band] * age0[:, None]).T  # (P, A), sums to 1
    X0 = np.zeros((S, P, AGE_WEEKS))
    sc = ini.stage_counts
    X0[S20] = sc["s20"] * ap
    # proceedings within usual timescales: spread across phases like a steady stream
    for j in range(k):
        X0[PH1 + j] = sc["proceedings"] / k * ap
    X0[BACK] = sc["proceedings_backlog"] * ap
    X0[PO_A] = sc["placement_order"] * (1.0 - ini.placement_order_placed_share) * ap
    # children placed for adoption are in the "placed for adoption" placement, under 10 in practice
    young = age0 * (np.arange(AGE_WEEKS) < 10 * 52)
    young = young / young.sum() if young.sum() > 0 else age0
    X0[PO_P, pfa] = sc["placement_order"] * ini.placement_order_placed_share * young
    X0[CO] = sc["care_order"] * ap

    # --- prices ------------------------------------------------------------------
    days = np.datetime64(s.start_date, "D") + np.arange(T * 7)
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    fy = np.where(months >= 4, years, years - 1)
    uniq = np.unique(fy)
    pos = np.searchsorted(uniq, fy)
    day_index = np.stack([price_index_by_fy(s, uniq, p)[pos] for p in ids], axis=1)  # (days, P)
    week_index = day_index.reshape(T, 7, P).mean(axis=1)
    base_price = np.array([s.costs.weekly_price_gbp[p] for p in ids])
    weekly_price = week_index * base_price[None, :]

    return Structure(
        weeks=T,
        k=k,
        stage_names=stage_names,
        stage_group=stage_group,
        placements=placements,
        pfa=pfa,
        po_placed=PO_P,
        stage_probs=Q,
        move_probs=M,
        age_group_edges=tuple(edges),
        shift_per_week=shift,
        shift_from=ids.index(sh.from_type),
        shift_to=ids.index(sh.to_type),
        shift_ages=(
            placements[ids.index(sh.to_type)].min_age * 52,
            min((placements[ids.index(sh.to_type)].max_age + 1) * 52, AGE_WEEKS),
        ),
        entries_per_week=lam,
        entry_dist=dist,
        initial=X0,
        weekly_price=weekly_price,
        daily_price_index=day_index,
        proceedings_mean=mean,
    )


LONG_PROCEEDINGS_WEEKS = 50


def long_proceedings(
    st: Structure,
    inflow: np.ndarray,
    phase_stock: np.ndarray,
    start_phase: np.ndarray,
    backlog: np.ndarray,
    weeks: int = LONG_PROCEEDINGS_WEEKS,
) -> np.ndarray:
    """Children whose care proceedings have lasted over ``weeks`` weeks, at each week end, by run.

    Worked out after the solver, from each run's weekly flows into proceedings (``inflow``, (T, R))
    and the proceedings phases' weekly transition probabilities: a child who starts proceedings in
    week t0 is still in them in week t with the chance the Erlang phases give, so the children over
    ``weeks`` weeks are the weekly starts, each carried through its weeks, counted once older than
    ``weeks``. Children in proceedings on the start date (``start_phase``, (R, k) by phase) are taken
    to have started evenly over the ``weeks`` weeks before it. The phases lose children only at the
    hearing; the few who turn 18 in proceedings are allowed for by scaling to the solver's own
    proceedings stock (``phase_stock``, (T, R)). The starting backlog (``backlog``, (T, R), children
    already over ``weeks`` weeks on the start date) is added as the solver carries it.
    """
    T, k = st.weeks, st.k
    Q = st.stage_probs[:, 1 : k + 1, 1 : k + 1]  # (T, from, to) among the phases
    ops = Q.transpose(0, 2, 1).copy()  # to x from
    stay = 1.0 - st.stage_probs[:, 1 : k + 1].sum(axis=2)
    ops[:, np.arange(k), np.arange(k)] += stay
    # cohort columns: weekly starts (unit, in phase 1), then start-date cohorts (elapsed e, phase j)
    n_start = weeks * k
    V = np.zeros((k, T + n_start))
    for e in range(weeks):
        V[np.arange(k), T + e * k + np.arange(k)] = 1.0
    start_elapsed = np.repeat(np.arange(weeks), k)  # weeks already in proceedings on the start date
    surv_new = np.zeros((T, T))  # [t, t0]: chance a child starting in week t0 is still in proceedings
    surv_start = np.zeros((T, n_start))
    for t in range(T):
        V[:, :t] = ops[t] @ V[:, :t]
        V[:, T:] = ops[t] @ V[:, T:]
        V[0, t] = 1.0
        tot = V.sum(axis=0)
        surv_new[t] = tot[:T]
        surv_start[t] = tot[T:]
    t_idx = np.arange(T)
    old_new = (t_idx[:, None] - t_idx[None, :]) > weeks
    old_start = (t_idx[:, None] + 1 + start_elapsed[None, :]) > weeks
    x_start = np.tile(start_phase, (1, weeks)) / weeks  # (R, n_start), same order as the columns
    model_total = surv_new @ inflow + surv_start @ x_start.T  # (T, R)
    model_long = (surv_new * old_new) @ inflow + (surv_start * old_start) @ x_start.T
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(model_total > 1e-12, np.minimum(phase_stock / model_total, 1.0), 0.0)
    return model_long * scale + backlog
