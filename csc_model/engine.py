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

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .deterministic import solve
from .run_params import RunParams, run_tables
from .starting import starting_children
from .structure import AGE_WEEKS, EXIT_ROUTES, R_AGE18, Structure

N_GROUPS = 4  # stage groups; index 4 in flow matrices is "outside care"
OUT = 4


@dataclass
class Raw:
    """Solver output. Leading axes: week (T), run (R; 1 for deterministic)."""

    stock_stage: np.ndarray  # (T, R, S) children by legal-stage cell at week end
    stock_place: np.ndarray  # (T, R, P) children by placement type at week end
    stock_age: np.ndarray | None  # (T, 18) children by single year of age (deterministic only)
    entries: np.ndarray  # (T, R)
    exits: np.ndarray  # (T, R, 5) by exit route
    group_flows: np.ndarray  # (T, R, 5, 5) children moving between stage groups (4 = outside)
    initial: np.ndarray  # (R, S, P) children at the start
    stochastic: bool


# ---------------------------------------------------------------------------
# Deterministic (expected values)
# ---------------------------------------------------------------------------


def run_deterministic(st: Structure, method: str = "auto") -> Raw:
    """Expected-value projection over all weeks (``method``: see :func:`csc_model.deterministic.solve`).

    The weekly stocks come from :func:`csc_model.deterministic.solve`; exits by route and
    flows between stage groups follow from each stage's stock after ageing times that week's
    transition probabilities, for all weeks at once.
    """
    S = st.S
    Q = st.stage_probs
    grp = st.stage_group
    out = solve(st, method)
    tot = out["after_ageing"]  # (T, S)
    aged = out["aged"]  # (T, S)
    groups_onehot = np.zeros((S, N_GROUPS + 1))
    groups_onehot[np.arange(S), grp] = 1.0
    # Destination columns of Q mapped to groups: stage cells to their group, exits to OUT.
    dest_group = np.zeros((Q.shape[2], N_GROUPS + 1))
    dest_group[np.arange(S), grp] = 1.0
    dest_group[S:, OUT] = 1.0
    entries = st.entries_per_week.copy()[:, None]
    cell_flow = tot[:, :, None] * Q  # (T, S, S + 5)
    exits = cell_flow[:, :, S:].sum(axis=1)
    exits[:, R_AGE18] += aged.sum(axis=1)
    flows = groups_onehot.T @ cell_flow @ dest_group  # (T, 5, 5)
    flows[:, :, OUT] += aged @ groups_onehot
    flows[:, OUT, :] += entries * (st.entry_dist.sum(axis=(1, 2)) @ groups_onehot)
    # Within-group moves (e.g. between proceedings phases) are not flows between groups.
    idx = np.arange(N_GROUPS + 1)
    flows[:, idx, idx] = 0.0
    return Raw(
        out["stock_stage"][:, None],
        out["stock_place"][:, None],
        out["stock_age"],
        entries,
        exits[:, None],
        flows[:, None],
        st.initial.sum(axis=2)[None],
        False,
    )


# ---------------------------------------------------------------------------
# Stochastic (individual children, vectorised over runs)
# ---------------------------------------------------------------------------


def _initial_individuals(st: Structure, runs: int) -> tuple[np.ndarray, ...]:
    """The starting children (:func:`starting_children`) repeated for each of ``runs`` runs."""
    stage, place, age = starting_children(st)
    n = stage.size
    return np.repeat(np.arange(runs), n), np.tile(stage, runs), np.tile(place, runs), np.tile(age, runs)


GEN_BITS = 16
GEN_MASK = (1 << GEN_BITS) - 1


class _Buckets:
    """Keys of children due for something (turning 18, an examination), by week.

    Weeks in the next ``window`` weeks are kept split by week; later ones wait, unsorted, in
    one pile that is split a window at a time, so adding keys costs little however far
    ahead they are due.
    """

    def __init__(self, weeks: int, window: int = 13) -> None:
        self.weeks = weeks
        self.window = window
        self.near: dict[int, list[np.ndarray]] = {}
        self.until = 0  # every key due before this week is in ``near``
        self.far_keys: list[np.ndarray] = []
        self.far_weeks: list[np.ndarray] = []

    def _split(self, keys: np.ndarray, w: np.ndarray) -> None:
        if not keys.size:
            return
        order = np.argsort(w, kind="stable")  # radix sort on int16
        keys, w = keys[order], w[order]
        cuts = np.flatnonzero(w[1:] != w[:-1]) + 1
        for part, wk in zip(np.split(keys, cuts), w[np.concatenate([[0], cuts])], strict=True):
            self.near.setdefault(int(wk), []).append(part)

    def add(self, keys: np.ndarray, week: np.ndarray) -> None:
        sel = week < self.weeks
        if not sel.all():
            keys, week = keys[sel], week[sel]
        if not keys.size:
            return
        w = week.astype(np.int16)
        soon = w < self.until
        if soon.all():
            self._split(keys, w)
            return
        if soon.any():
            self._split(keys[soon], w[soon])
            keys, w = keys[~soon], w[~soon]
        self.far_keys.append(keys)
        self.far_weeks.append(w)

    def pop(self, t: int) -> np.ndarray:
        """Keys due in week ``t``; weeks must be popped in order."""
        if t >= self.until:
            self.until = t + self.window
            if self.far_keys:
                keys, w = np.concatenate(self.far_keys), np.concatenate(self.far_weeks)
                soon = w < self.until
                self._split(keys[soon], w[soon])
                self.far_keys, self.far_weeks = [keys[~soon]], [w[~soon]]
        items = self.near.pop(t, [])
        if not items:
            return np.zeros(0, np.int64)
        return items[0] if len(items) == 1 else np.concatenate(items)


class _Pool:
    """Children of a block of runs in flat slot arrays (slot ``f`` belongs to run ``f % R``).

    ``stage`` -1 marks an empty slot; empty slots are reused by later entrants (each reuse
    bumps the slot's generation so that anything still scheduled for the previous child is
    ignored). ``birth`` is the week in which the child's age in weeks was 0, so ageing needs
    no work each week; children turning 18 and children due an examination are found through
    buckets by week, so no week needs a pass over every child.
    """

    def __init__(self, runs: int, width: int, weeks: int) -> None:
        self.R = runs
        n = runs * width
        self.stage = np.full(n, -1, dtype=np.int8)
        self.place = np.zeros(n, dtype=np.int8)
        self.birth = np.zeros(n, dtype=np.int16)
        self.gen = np.zeros(n, dtype=np.uint16)  # bumped when a slot is reused (wraps)
        self.cgen = np.zeros(n, dtype=np.uint16)  # bumped when a child's examination is rescheduled
        self.high = np.zeros(runs, dtype=np.int64)  # columns ever used, per run
        self.free = np.zeros((runs, 16), dtype=np.int64)  # free columns, per run (a stack)
        self.n_free = np.zeros(runs, dtype=np.int64)
        self.turn18 = _Buckets(weeks)
        self.checks = _Buckets(weeks)

    @property
    def width(self) -> int:
        return self.stage.size // self.R

    def key(self, f: np.ndarray, gen: np.ndarray | None = None) -> np.ndarray:
        g = self.gen if gen is None else gen
        return (f << GEN_BITS) | g[f].astype(np.int64)

    def valid(self, keys: np.ndarray, gen: np.ndarray | None = None) -> np.ndarray:
        """Slots of the keys still scheduled for the same child (generation matches), alive."""
        g = self.gen if gen is None else gen
        f = keys >> GEN_BITS
        ok = ((keys & GEN_MASK) == g[f]) & (self.stage[f] >= 0)
        return f[ok]

    def grow(self, width: int) -> None:
        extra = (width - self.width) * self.R
        if extra <= 0:
            return
        self.stage = np.concatenate([self.stage, np.full(extra, -1, np.int8)])
        self.place = np.concatenate([self.place, np.zeros(extra, np.int8)])
        self.birth = np.concatenate([self.birth, np.zeros(extra, np.int16)])
        self.gen = np.concatenate([self.gen, np.zeros(extra, np.uint16)])
        self.cgen = np.concatenate([self.cgen, np.zeros(extra, np.uint16)])

    def release(self, f: np.ndarray) -> None:
        """Empty these slots and put them on their runs' free stacks."""
        if not f.size:
            return
        self.stage[f] = -1
        r, c = f % self.R, f // self.R
        order = np.argsort(r, kind="stable")
        r, c = r[order], c[order]
        n = np.bincount(r, minlength=self.R)
        rank = np.arange(r.size) - np.repeat(np.cumsum(n) - n, n)
        need = int((self.n_free + n).max())
        if need > self.free.shape[1]:
            self.free = np.concatenate(
                [self.free, np.zeros((self.R, max(need, 2 * self.free.shape[1])), np.int64)], axis=1
            )
        self.free[r, self.n_free[r] + rank] = c
        self.n_free += n

    def take(self, k: np.ndarray) -> np.ndarray:
        """Slots for ``k[r]`` new children in each run r (reusing empty slots first)."""
        K = int(k.sum())
        r = np.repeat(np.arange(self.R), k)
        j = np.arange(K) - np.repeat(np.cumsum(k) - k, k)
        nf = self.n_free[r]
        from_free = j < nf
        c_free = self.free[r, np.maximum(nf - 1 - j, 0)]
        c_new = self.high[r] + (j - nf)
        c = np.where(from_free, c_free, c_new)
        used_free = np.minimum(self.n_free, k)
        self.high += k - used_free
        self.n_free -= used_free
        if int(self.high.max()) > self.width:
            self.grow(max(int(self.high.max()), int(self.width * 1.25) + 1))
        f = c * self.R + r
        self.gen[f] += 1
        self.cgen[f] += 1
        return f


def _chunk(
    st: Structure,
    R: int,
    seed: np.random.SeedSequence,
    params: RunParams | None = None,
    tick: Callable[[int], None] | None = None,
) -> Raw:
    """Stochastic runs for one block of runs (see :func:`run_stochastic`), with per-run ``params`` if given.

    A child in legal-stage cell s and placement p is examined in a week with probability
    ``B[s, p]``, an upper bound of its weekly chance of any event over the whole projection,
    so the gap to its next examination is geometric (memoryless, so it is simply redrawn
    when the child's state changes). At an examination the event happens with probability
    ``chance / B``. This thinning gives exactly a weekly Bernoulli draw with the week's
    chance while touching only the children likely to have an event.
    """
    rng = np.random.default_rng(seed)
    T, S, P = st.weeks, st.S, st.P
    A = AGE_WEEKS
    Q = st.stage_probs
    grp = st.stage_group.astype(np.int64)
    PO_P = st.po_placed
    n_dest = Q.shape[2]
    dest_group = np.concatenate([grp, np.full(n_dest - S, OUT)])
    ev = Q.sum(axis=2)  # (T, S) chance of a legal-stage event
    tabs = run_tables(st, R, params)
    row_mult, share_cum = tabs["row"], tabs["share_cum"]  # (R, S), (R, S, S + 5)
    move_any, move_cum = tabs["move_any"], tabs["move_cum"]  # (R, G, P), (R, G, P, P)
    lam = tabs["entries"]  # (T, R)
    shift_r = tabs["shift"]  # (T, R)
    ev_hi = ev.max(axis=0)[None, :] * row_mult  # (R, S)
    B = ev_hi[:, :, None] + move_any.max(axis=1)[:, None, :]  # (R, S, P)
    B[:, PO_P] = ev_hi[:, PO_P, None]  # children placed for adoption do not move placement
    B = np.minimum(B, 1.0)
    with np.errstate(divide="ignore"):
        log_q = np.log1p(-B)  # -inf where B == 1
    edges = np.array(st.age_group_edges)
    age_group = np.searchsorted(edges, np.arange(A), side="right") - 1

    def schedule_checks(f: np.ndarray, t: int) -> None:
        """Next examination for slots ``f``: t + a geometric(B[state]) number of weeks."""
        if not f.size:
            return
        s, p = pool.stage[f].astype(np.int64), pool.place[f].astype(np.int64)
        lq = log_q[f % R, s, p]
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.floor(np.log1p(-rng.random(f.size)) / lq) + 1  # lq == 0 (B == 0): never
        gap = np.where(np.isfinite(gap), gap, T + 1).astype(np.int64)
        pool.checks.add(pool.key(f, pool.cgen), t + gap)

    run_idx, stage0, place0, age0 = _initial_individuals(st, R)
    order = np.argsort(run_idx, kind="stable")
    run_idx, stage0, place0, age0 = run_idx[order], stage0[order], place0[order], age0[order]
    n0 = np.bincount(run_idx, minlength=R)
    room = int(2 * lam.max(initial=0) * 26) + 16
    pool = _Pool(R, int(n0.max()) + room, T)
    f0 = pool.take(n0)
    pool.stage[f0] = stage0
    pool.place[f0] = place0
    pool.birth[f0] = -1 - age0.astype(np.int16)  # ages once more in week 0
    pool.turn18.add(pool.key(f0), pool.birth[f0].astype(np.int64) + A)
    schedule_checks(f0, -1)

    # children by run, stage cell and placement: whole numbers held as floats, so that the
    # weekly totals are BLAS matrix-vector products (exact for counts far below 2**53)
    counts = np.zeros((R, S, P))
    np.add.at(counts, (run_idx, stage0.astype(np.int64), place0.astype(np.int64)), 1)
    initial = counts.astype(np.int32)
    ones_p, ones_s = np.ones(P), np.ones(S)
    stock_stage = np.empty((T, R, S), dtype=np.int32)
    stock_place = np.empty((T, R, P), dtype=np.int32)
    entries = np.zeros((T, R), dtype=np.int32)
    exits = np.zeros((T, R, len(EXIT_ROUTES)), dtype=np.int32)
    flows = np.zeros((T, R, N_GROUPS + 1, N_GROUPS + 1), dtype=np.int32)
    SP, G1 = S * P, N_GROUPS + 1
    counts_flat = counts.reshape(-1)

    # Changes to counts and flows are collected during a week and applied with one bincount.
    pending_keys: list[np.ndarray] = []
    pending_signs: list[np.ndarray] = []
    flow_keys: list[np.ndarray] = []

    def recount(r: np.ndarray, s: np.ndarray, p: np.ndarray, sign: int) -> None:
        if r.size:
            pending_keys.append(r * SP + s * P + p)
            pending_signs.append(np.full(r.size, sign, dtype=np.int8))

    def flush_counts() -> None:
        if pending_keys:
            keys = np.concatenate(pending_keys)
            signs = np.concatenate(pending_signs).astype(np.float64)
            counts_flat[:] += np.bincount(keys, weights=signs, minlength=R * SP)
            pending_keys.clear()
            pending_signs.clear()

    def add_flows(t: int, r: np.ndarray, g_from: np.ndarray, g_to: np.ndarray) -> None:
        if r.size:
            flow_keys.append(r * G1 * G1 + g_from * G1 + g_to)

    def flush_flows(t: int) -> None:
        if flow_keys:
            flows[t].reshape(-1)[:] += np.bincount(np.concatenate(flow_keys), minlength=R * G1 * G1).astype(np.int32)
            flow_keys.clear()

    def placement_moves(t: int, f: np.ndarray, v: np.ndarray) -> None:
        """Move children whose uniform ``v`` falls under their move chance."""
        s_cur = pool.stage[f].astype(np.int64)
        p_cur = pool.place[f].astype(np.int64)
        g = age_group[np.clip(t - pool.birth[f].astype(np.int64), 0, A - 1)]
        r = f % R
        mv = (s_cur != PO_P) & (v < move_any[r, g, p_cur])
        if mv.any():
            f, s_cur, p_cur, g, v, r = f[mv], s_cur[mv], p_cur[mv], g[mv], v[mv], r[mv]
            p_new = np.minimum((v[:, None] >= move_cum[r, g, p_cur]).sum(axis=1), P - 1)
            recount(r, s_cur, p_cur, -1)
            recount(r, s_cur, p_new, +1)
            pool.place[f] = p_new.astype(np.int8)

    n_routes = len(EXIT_ROUTES)
    entry_cdf = np.cumsum(st.entry_dist.reshape(-1))
    entry_cdf /= entry_cdf[-1]
    n_cells = entry_cdf.size

    for t in range(T):
        if tick is not None and t % 13 == 0:  # a quarter's weeks: report progress, or stop if asked to
            tick(t)
        # 1. ageing: children turning 18 this week leave care
        f = pool.valid(pool.turn18.pop(t))
        if f.size:
            r = f % R
            s_old = pool.stage[f].astype(np.int64)
            recount(r, s_old, pool.place[f].astype(np.int64), -1)
            add_flows(t, r, grp[s_old], np.full(f.size, OUT))
            exits[t, :, R_AGE18] += np.bincount(r, minlength=R)
            pool.release(f)
        # 2 and 3. children examined this week
        f = pool.valid(pool.checks.pop(t), pool.cgen)
        if f.size:
            s_old = pool.stage[f].astype(np.int64)
            rf = f % R
            v = rng.random(f.size) * B[rf, s_old, pool.place[f].astype(np.int64)]  # uniform on [0, B)
            e = np.minimum(ev[t, s_old] * row_mult[rf, s_old], 1.0)
            event = v < e
            fe, se = f[event], s_old[event]
            if fe.size:
                # destination by inverse CDF of the run's stage row, using v / e (uniform on [0, 1))
                u = v[event] / e[event]
                dest = np.minimum((u[:, None] >= share_cum[rf[event], se]).sum(axis=1), n_dest - 1)
                p_old = pool.place[fe].astype(np.int64)
                re = fe % R
                add_flows(t, re, grp[se], dest_group[dest])
                recount(re, se, p_old, -1)
                is_exit = dest >= S
                if is_exit.any():
                    exits[t] += (
                        np.bincount(re[is_exit] * n_routes + (dest[is_exit] - S), minlength=R * n_routes)
                        .reshape(R, n_routes)
                        .astype(np.int32)
                    )
                    pool.release(fe[is_exit])
                keep = ~is_exit
                fk, dk = fe[keep], dest[keep]
                pk = np.where(dk == PO_P, st.pfa, p_old[keep])
                pool.stage[fk] = dk.astype(np.int8)
                pool.place[fk] = pk.astype(np.int8)
                recount(re[keep], dk, pk, +1)
                # after a stage change the placement-move chance applies as usual this week
                placement_moves(t, fk, rng.random(fk.size))
            # no stage event: (v - e) / (1 - e) is uniform on [0, (B - e) / (1 - e))
            no = ~event
            if no.any():
                placement_moves(t, f[no], (v[no] - e[no]) / np.maximum(1.0 - e[no], 1e-300))
            schedule_checks(f[pool.stage[f] >= 0], t)
        # placement-shift lever: each eligible child moves with probability c / eligible
        c = shift_r[t]  # (R,) children to move this week, by run
        if c.max(initial=0) > 0:
            fr = st.shift_from
            f = np.flatnonzero(pool.place == fr)
            s_cur = pool.stage[f].astype(np.int64)
            age = t - pool.birth[f].astype(np.int64)
            el = (s_cur >= 0) & (s_cur != PO_P) & (age >= st.shift_ages[0]) & (age < st.shift_ages[1])
            f, s_cur = f[el], s_cur[el]
            n_el = np.bincount(f % R, minlength=R)
            q = np.where(n_el > 0, np.minimum(1.0, c / np.maximum(n_el, 1)), 0.0)
            go = rng.random(f.size) < q[f % R]
            f, s_cur = f[go], s_cur[go]
            if f.size:
                r = f % R
                recount(r, s_cur, np.full(f.size, fr), -1)
                recount(r, s_cur, np.full(f.size, st.shift_to), +1)
                pool.place[f] = st.shift_to
                pool.cgen[f] += 1  # new placement, new examination rate
                schedule_checks(f, t)
        # 4. entries
        k = rng.poisson(lam[t])
        K = int(k.sum())
        if K:
            cell = np.minimum(np.searchsorted(entry_cdf, rng.random(K), side="right"), n_cells - 1)
            s_new, p_new, a_new = cell // (P * A), (cell // A) % P, cell % A
            f = pool.take(k)
            pool.stage[f] = s_new.astype(np.int8)
            pool.place[f] = p_new.astype(np.int8)
            birth = t - a_new
            pool.birth[f] = birth.astype(np.int16)
            pool.turn18.add(pool.key(f), birth + A)
            schedule_checks(f, t)
            r = f % R
            recount(r, s_new, p_new, +1)
            add_flows(t, r, np.full(K, OUT), grp[s_new])
            entries[t] = k
        flush_counts()
        flush_flows(t)
        stock_stage[t] = (counts.reshape(R * S, P) @ ones_p).reshape(R, S)
        stock_place[t] = ones_s @ counts
    idx = np.arange(G1)
    flows[:, :, idx, idx] = 0
    return Raw(stock_stage, stock_place, None, entries, exits, flows, initial, True)


STOCHASTIC_BLOCKS = 2
"""Runs are split into this many blocks, each with its own random stream. The split does not
depend on the machine, so results for a seed are the same everywhere."""

Progress = Callable[[float], None]
"""Called with the share of the work done (0 to 1) as a stochastic run goes on. It may raise
to stop the run (the app does this when the user cancels or moves on)."""


def run_stochastic(
    st: Structure,
    runs: int,
    seed: int,
    progress: Progress | None = None,
    params: RunParams | None = None,
    threads: int = 1,
) -> Raw:
    """``runs`` independent stochastic projections, reproducible from ``seed``.

    By default the blocks run one after the other in the calling thread: nothing is started.
    This runs inside the Streamlit server, one multi-threaded process shared by every user,
    where a forked child inherits locks held by other threads and can freeze the server (seen
    under load with an earlier version that forked); the server never forks. A command-line
    caller may ask for ``threads=2`` (the blocks on two threads, without progress: about 1.6
    times as fast on two cores, as numpy releases the interpreter lock in its larger steps). The
    runs are the same either way.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    blocks = min(STOCHASTIC_BLOCKS, runs)
    sizes = [runs // blocks + (1 if i < runs % blocks else 0) for i in range(blocks)]
    seeds = np.random.SeedSequence(seed).spawn(blocks)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    blocks_params = [None if params is None else params.block(int(a), int(b)) for a, b in pairwise(starts)]
    if threads > 1 and blocks > 1 and progress is None:
        with ThreadPoolExecutor(max_workers=min(threads, blocks)) as ex:
            return concat_runs(list(ex.map(_chunk, [st] * blocks, sizes, seeds, blocks_params)))
    parts: list[Raw] = []
    done = 0
    for n, sq, block in zip(sizes, seeds, blocks_params, strict=True):
        tick = None
        if progress is not None:
            base = done

            def tick(t: int, n: int = n, base: int = base) -> None:
                progress((base + n * t / st.weeks) / runs)

        parts.append(_chunk(st, n, sq, block, tick))
        done += n
        if progress is not None:
            progress(done / runs)
    return concat_runs(parts)


def concat_runs(parts: list[Raw]) -> Raw:
    """Blocks of runs as one (runs side by side)."""
    if len(parts) == 1:
        return parts[0]
    return Raw(
        stock_stage=np.concatenate([p.stock_stage for p in parts], axis=1),
        stock_place=np.concatenate([p.stock_place for p in parts], axis=1),
        stock_age=None,
        entries=np.concatenate([p.entries for p in parts], axis=1),
        exits=np.concatenate([p.exits for p in parts], axis=1),
        group_flows=np.concatenate([p.group_flows for p in parts], axis=1),
        initial=np.concatenate([p.initial for p in parts], axis=0),
        stochastic=True,
    )
