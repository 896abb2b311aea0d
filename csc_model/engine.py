"""The two solvers of the stock-and-flow model.

Each week, in this order: children age one week (those reaching 18 leave care); legal-stage
transitions (s20, proceedings phases, final hearing outcomes, placement order, care order,
exits); placement moves and the placement-shift lever; new entries. Stocks are counted at
the end of each week.

* :func:`run_deterministic` carries expected numbers of children in an array
  (stage cell x placement x age in weeks).
* :func:`run_stochastic` carries individual children for R runs at once (arrays of shape
  runs x slots), drawing Poisson entries and a Bernoulli event for each child each week from
  the same probabilities, so that counts of exits and moves are binomial / multinomial.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .structure import AGE_WEEKS, EXIT_ROUTES, R_AGE18, Structure

N_GROUPS = 4  # stage groups; index 4 in flow matrices is "outside care"
OUT = 4


@dataclass
class Raw:
    """Solver output. Leading axes: week (T), run (R; 1 for deterministic)."""

    stock: np.ndarray  # (T, R, S, P) children by stage cell and placement at week end
    stock_age: np.ndarray | None  # (T, 18) children by single year of age (deterministic only)
    entries: np.ndarray  # (T, R)
    exits: np.ndarray  # (T, R, 5) by exit route
    group_flows: np.ndarray  # (T, R, 5, 5) children moving between stage groups (4 = outside)
    initial: np.ndarray  # (R, S, P) children at the start
    stochastic: bool


# ---------------------------------------------------------------------------
# Deterministic (expected values)
# ---------------------------------------------------------------------------


def run_deterministic(st: Structure) -> Raw:
    """Expected-value projection over all weeks."""
    T, S, P = st.weeks, st.S, st.P
    Q = st.stage_probs
    grp = st.stage_group
    PO_A, PO_P = st.po_placed - 1, st.po_placed
    X = st.initial.copy()
    groups_onehot = np.zeros((S, N_GROUPS + 1))
    groups_onehot[np.arange(S), grp] = 1.0
    # Destination columns of Q mapped to groups: stage cells to their group, exits to OUT.
    dest_group = np.zeros((Q.shape[2], N_GROUPS + 1))
    dest_group[np.arange(S), grp] = 1.0
    dest_group[S:, OUT] = 1.0
    # Placement-move operators per age group: K = I - diag(rowsum) + M^T (acts on columns).
    K = np.stack([np.eye(P) - np.diag(m.sum(axis=1)) + m.T for m in st.move_probs])
    edges = st.age_group_edges
    f, to = st.shift_from, st.shift_to
    not_placed = np.ones(S, dtype=bool)
    not_placed[PO_P] = False

    stock = np.empty((T, 1, S, P))
    stock_age = np.empty((T, 18))
    entries = st.entries_per_week.copy()[:, None]
    exits = np.zeros((T, 1, len(EXIT_ROUTES)))
    flows = np.zeros((T, 1, N_GROUPS + 1, N_GROUPS + 1))
    dist = st.entry_dist
    dist_group = dist.sum(axis=(1, 2)) @ groups_onehot

    for t in range(T):
        # 1. ageing: the oldest week leaves care at 18
        aged = X[:, :, -1].sum(axis=1)  # (S,)
        X[:, :, 1:] = X[:, :, :-1]
        X[:, :, 0] = 0.0
        exits[t, 0, R_AGE18] = aged.sum()
        flows[t, 0, :, OUT] += aged @ groups_onehot
        # 2. legal-stage transitions
        Qt = Q[t]
        tot = X.sum(axis=(1, 2))
        stay = 1.0 - Qt.sum(axis=1)
        X2 = X.reshape(S, -1)
        Qs = Qt[:, :S].copy()
        Qs[PO_A, PO_P] = 0.0
        new = Qs.T @ X2 + stay[:, None] * X2
        X = new.reshape(S, P, AGE_WEEKS)
        X[PO_P, st.pfa] += Qt[PO_A, PO_P] * X2[PO_A].reshape(P, AGE_WEEKS).sum(axis=0)
        cell_flow = tot[:, None] * Qt  # (S, S+5)
        exits[t, 0] += cell_flow[:, S:].sum(axis=0)
        flows[t, 0] += groups_onehot.T @ cell_flow @ dest_group
        # 3. placement moves (not for children already placed for adoption)
        keep = X[PO_P].copy()
        for g in range(len(edges) - 1):
            a0, a1 = edges[g], edges[g + 1]
            X[:, :, a0:a1] = np.matmul(K[g], X[:, :, a0:a1])
        X[PO_P] = keep
        c = st.shift_per_week[t]
        if c > 0:
            avail = X[not_placed, f, :].sum()
            if avail > 0:
                frac = min(1.0, c / avail)
                moved = X[not_placed, f, :] * frac
                X[not_placed, f, :] -= moved
                X[not_placed, to, :] += moved
        # 4. entries
        X += entries[t, 0] * dist
        flows[t, 0, OUT, :] += entries[t, 0] * dist_group
        stock[t, 0] = X.sum(axis=2)
        stock_age[t] = X.sum(axis=(0, 1)).reshape(18, 52).sum(axis=1)
    # Within-group moves (e.g. between proceedings phases) are not flows between groups.
    idx = np.arange(N_GROUPS + 1)
    flows[:, :, idx, idx] = 0.0
    return Raw(stock, stock_age, entries, exits, flows, st.initial.sum(axis=2)[None], False)


# ---------------------------------------------------------------------------
# Stochastic (individual children, vectorised over runs)
# ---------------------------------------------------------------------------


def _initial_individuals(st: Structure, runs: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Integer starting children drawn from the expected starting stock.

    Each cell's count is rounded by sampling (floor plus a Bernoulli remainder) so the
    expected total is the scenario's total, and totals by stage are kept exact where the
    inputs are whole numbers.
    """
    X0 = st.initial
    S, P, A = X0.shape
    flat = X0.reshape(S, -1)
    stages, places, ages = [], [], []
    counts = np.zeros((runs, S), dtype=np.int64)
    per_run: list[list[np.ndarray]] = [[] for _ in range(3)]
    for s in range(S):
        total = flat[s].sum()
        if total <= 0:
            continue
        n_int = int(np.floor(total + 1e-9))
        extra = rng.random(runs) < (total - n_int)
        n = n_int + extra.astype(np.int64)
        counts[:, s] = n
        cdf = np.cumsum(flat[s]) / total
        draws = np.minimum(np.searchsorted(cdf, rng.random(int(n.sum())), side="right"), flat.shape[1] - 1)
        stages.append(np.full(draws.size, s, dtype=np.int8))
        places.append((draws // A).astype(np.int8))
        ages.append((draws % A).astype(np.int16))
        per_run[0].append(np.repeat(np.arange(runs), n))
    run_idx = np.concatenate(per_run[0]) if per_run[0] else np.zeros(0, dtype=np.int64)
    stage = np.concatenate(stages) if stages else np.zeros(0, dtype=np.int8)
    place = np.concatenate(places) if places else np.zeros(0, dtype=np.int8)
    age = np.concatenate(ages) if ages else np.zeros(0, dtype=np.int16)
    return run_idx, stage, place, age


class _Pool:
    """Children of all runs in (runs x slots) arrays; stage -1 marks an empty slot."""

    def __init__(self, runs: int, width: int) -> None:
        self.stage = np.full((runs, width), -1, dtype=np.int8)
        self.place = np.zeros((runs, width), dtype=np.int8)
        self.age = np.zeros((runs, width), dtype=np.int16)
        self.used = np.zeros(runs, dtype=np.int64)  # slots in use from the left (alive or dead)

    @property
    def width(self) -> int:
        return self.stage.shape[1]

    def compact(self) -> None:
        """Move living children to the left of each row."""
        order = np.argsort(self.stage < 0, axis=1, kind="stable")
        self.stage = np.take_along_axis(self.stage, order, axis=1)
        self.place = np.take_along_axis(self.place, order, axis=1)
        self.age = np.take_along_axis(self.age, order, axis=1)
        self.used = (self.stage >= 0).sum(axis=1)

    def ensure(self, need: int) -> None:
        """Make room for ``need`` more children in every row."""
        if int(self.used.max()) + need <= self.width:
            return
        self.compact()
        short = int(self.used.max()) + need - self.width
        if short > 0:
            grow = max(short, self.width // 2)
            R = self.stage.shape[0]
            self.stage = np.concatenate([self.stage, np.full((R, grow), -1, np.int8)], axis=1)
            self.place = np.concatenate([self.place, np.zeros((R, grow), np.int8)], axis=1)
            self.age = np.concatenate([self.age, np.zeros((R, grow), np.int16)], axis=1)


def run_stochastic(st: Structure, runs: int, seed: int) -> Raw:
    """``runs`` independent stochastic projections, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    T, S, P = st.weeks, st.S, st.P
    R = runs
    Q = st.stage_probs
    grp = st.stage_group.astype(np.int64)
    PO_P = st.po_placed
    n_dest = Q.shape[2]
    dest_group = np.concatenate([grp, np.full(n_dest - S, OUT)])
    stay = 1.0 - Q.sum(axis=2)  # (T, S)
    cum = np.cumsum(Q, axis=2)  # (T, S, n_dest), offset by stay when drawing
    # Placement moves: per age group and placement, probability of any move and its cumulative split.
    M = st.move_probs
    move_any = M.sum(axis=2)  # (G, P)
    move_cum = np.cumsum(M, axis=2)
    edges = np.array(st.age_group_edges)
    age_group = np.searchsorted(edges, np.arange(AGE_WEEKS), side="right") - 1
    p_move_max = float(move_any.max()) if move_any.size else 0.0

    run_idx, stage0, place0, age0 = _initial_individuals(st, R, rng)
    order = np.argsort(run_idx, kind="stable")
    run_idx, stage0, place0, age0 = run_idx[order], stage0[order], place0[order], age0[order]
    n0 = np.bincount(run_idx, minlength=R)
    exp_entries = float(st.entries_per_week.sum())
    width = int(n0.max()) + int(1.5 * exp_entries / max(T / 52, 1)) + 64
    pool = _Pool(R, max(width, 16))
    pos = np.arange(run_idx.size) - np.repeat(np.cumsum(n0) - n0, n0)
    pool.stage[run_idx, pos] = stage0
    pool.place[run_idx, pos] = place0
    pool.age[run_idx, pos] = age0
    pool.used[:] = n0

    counts = np.zeros((R, S, P), dtype=np.int64)
    np.add.at(counts, (run_idx, stage0.astype(np.int64), place0.astype(np.int64)), 1)
    initial = counts.copy()

    stock = np.empty((T, R, S, P), dtype=np.int32)
    entries = np.zeros((T, R), dtype=np.int64)
    exits = np.zeros((T, R, len(EXIT_ROUTES)), dtype=np.int64)
    flows = np.zeros((T, R, N_GROUPS + 1, N_GROUPS + 1), dtype=np.int64)
    SP = S * P
    G5 = (N_GROUPS + 1) ** 2

    def add_counts(r: np.ndarray, s: np.ndarray, p: np.ndarray, sign: int) -> None:
        key = r * SP + s.astype(np.int64) * P + p.astype(np.int64)
        counts.reshape(-1)[:] += sign * np.bincount(key, minlength=R * SP)

    def add_flows(r: np.ndarray, g_from: np.ndarray, g_to: np.ndarray, t: int) -> None:
        key = r * G5 + g_from * (N_GROUPS + 1) + g_to
        flows[t].reshape(-1)[:] += np.bincount(key, minlength=R * G5)

    flat_dist = st.entry_dist.reshape(-1)
    entry_cdf = np.cumsum(flat_dist)
    entry_cdf /= entry_cdf[-1]
    A = AGE_WEEKS

    for t in range(T):
        if t % 52 == 51:
            pool.compact()
        w = int(pool.used.max())
        stg = pool.stage[:, :w]
        plc = pool.place[:, :w]
        age = pool.age[:, :w]
        alive = stg >= 0
        # 1. ageing
        age += 1
        r_i, c_i = np.nonzero(alive & (age >= A))
        if r_i.size:
            s_old = stg[r_i, c_i].astype(np.int64)
            add_counts(r_i, s_old, plc[r_i, c_i], -1)
            add_flows(r_i, grp[s_old], np.full(r_i.size, OUT), t)
            exits[t, :, R_AGE18] += np.bincount(r_i, minlength=R)
            stg[r_i, c_i] = -1
            alive[r_i, c_i] = False
        # 2. legal-stage transitions (thinning: only children with u above the smallest stay)
        u = rng.random((R, w), dtype=np.float32)
        cand = alive & (u >= stay[t].min())
        r_i, c_i = np.nonzero(cand)
        if r_i.size:
            s_old = stg[r_i, c_i].astype(np.int64)
            uu = u[r_i, c_i].astype(np.float64)
            moving = uu >= stay[t, s_old]
            r_i, c_i, s_old, uu = r_i[moving], c_i[moving], s_old[moving], uu[moving]
            dest = (uu[:, None] >= stay[t, s_old][:, None] + cum[t, s_old]).sum(axis=1)
            dest = np.minimum(dest, n_dest - 1)
            p_old = plc[r_i, c_i]
            add_counts(r_i, s_old, p_old, -1)
            add_flows(r_i, grp[s_old], dest_group[dest], t)
            is_exit = dest >= S
            if is_exit.any():
                routes = dest[is_exit] - S
                np.add.at(exits[t], (r_i[is_exit], routes), 1)
                stg[r_i[is_exit], c_i[is_exit]] = -1
            keep = ~is_exit
            rk, ck, dk = r_i[keep], c_i[keep], dest[keep]
            pk = np.where(dk == PO_P, st.pfa, p_old[keep]).astype(np.int8)
            stg[rk, ck] = dk.astype(np.int8)
            plc[rk, ck] = pk
            add_counts(rk, dk, pk, +1)
            alive = stg >= 0
        # 3. placement moves
        if p_move_max > 0:
            u2 = rng.random((R, w), dtype=np.float32)
            r_i, c_i = np.nonzero(alive & (u2 < p_move_max) & (stg != PO_P))
            if r_i.size:
                gidx = age_group[np.minimum(age[r_i, c_i], A - 1)]
                p_old = plc[r_i, c_i].astype(np.int64)
                uu = u2[r_i, c_i].astype(np.float64)
                moving = uu < move_any[gidx, p_old]
                r_i, c_i, gidx, p_old, uu = r_i[moving], c_i[moving], gidx[moving], p_old[moving], uu[moving]
                if r_i.size:
                    p_new = (uu[:, None] >= move_cum[gidx, p_old]).sum(axis=1)
                    s_cur = stg[r_i, c_i]
                    add_counts(r_i, s_cur, p_old, -1)
                    add_counts(r_i, s_cur, p_new, +1)
                    plc[r_i, c_i] = p_new.astype(np.int8)
        c = st.shift_per_week[t]
        if c > 0:
            elig = alive & (plc == st.shift_from) & (stg != PO_P)
            n_el = elig.sum(axis=1)
            q = np.where(n_el > 0, np.minimum(1.0, c / np.maximum(n_el, 1)), 0.0)
            u3 = rng.random((R, w))
            r_i, c_i = np.nonzero(elig & (u3 < q[:, None]))
            if r_i.size:
                s_cur = stg[r_i, c_i]
                add_counts(r_i, s_cur, plc[r_i, c_i], -1)
                add_counts(r_i, s_cur, np.full(r_i.size, st.shift_to), +1)
                plc[r_i, c_i] = st.shift_to
        # 4. entries
        k = rng.poisson(st.entries_per_week[t], R)
        K = int(k.sum())
        if K:
            pool.ensure(int(k.max()))
            cell = np.minimum(np.searchsorted(entry_cdf, rng.random(K), side="right"), flat_dist.size - 1)
            s_new = cell // (P * A)
            p_new = (cell // A) % P
            a_new = cell % A
            r_new = np.repeat(np.arange(R), k)
            slot = pool.used[r_new] + (np.arange(K) - np.repeat(np.cumsum(k) - k, k))
            pool.stage[r_new, slot] = s_new.astype(np.int8)
            pool.place[r_new, slot] = p_new.astype(np.int8)
            pool.age[r_new, slot] = a_new.astype(np.int16)
            pool.used += k
            add_counts(r_new, s_new, p_new, +1)
            add_flows(r_new, np.full(K, OUT), grp[s_new], t)
            entries[t] = k
        stock[t] = counts
    idx = np.arange(N_GROUPS + 1)
    flows[:, :, idx, idx] = 0
    return Raw(stock, None, entries, exits, flows, initial, True)
