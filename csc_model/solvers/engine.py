"""The two solvers of the stock-and-flow model.

Each week, in this order: children age one week (those reaching 18 leave care); legal-stage
transitions (s20, proceedings phases, final hearing outcomes, placement order, care order,
exits); placement moves and the placement-shift lever; new entries. Stocks are counted at
the end of each week.

* :func:`run_deterministic` carries expected numbers of children in an array
  (stage cell x placement x age in weeks).
* :func:`run_stochastic` carries individual children for R runs at once (flat slot arrays,
  run by run), drawing Poisson entries and a Bernoulli event for each child each week from
  the same probabilities, so that counts of exits and moves are binomial / multinomial. Only
  the children likely to have an event in a week are touched (thinning, see :func:`_chunk`),
  all of them at once with whole-array numpy operations: no Python loop over children or runs.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from csc_model.solvers.deterministic import solve
from csc_model.solvers.run_params import RunParams, run_tables
from csc_model.solvers.starting import starting_children
from csc_model.solvers.structure import AGE_WEEKS, EXIT_ROUTES, R_AGE18, WEEKS_PER_YEAR_AGE, Structure

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
    """Expected-value projection over all weeks (``method``: see :func:`csc_model.solvers.deterministic.solve`).

    The weekly stocks come from :func:`csc_model.solvers.deterministic.solve`; exits by route and
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

NEVER = np.iinfo(np.int16).max  # "no examination due" (empty slot)


def _compress_cdf(cum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse-CDF tables over only the outcomes that can happen.

    ``cum`` (X, Y, K) holds cumulative chances over K outcomes for rows (x, y). For each y,
    the outcomes whose chance is above 0 in some row x are kept (a uniform ``w`` lands in an
    outcome with a chance above 0, so the draws are unchanged). Returns the cumulative values
    below the last kept outcome, (Kc - 1, X * Y), padded with 2 (never reached by a uniform),
    and the kept outcomes, (Y, Kc), padded with the last one.
    """
    X, Y, K = cum.shape
    rises = (np.diff(cum, axis=2, prepend=0.0) > 0).any(axis=0)  # (Y, K)
    kept = [np.flatnonzero(rises[y]) for y in range(Y)]
    kc = max(2, max(len(k) for k in kept))  # at least one column of ``below``
    outcomes = np.full((Y, kc), K - 1, dtype=np.intp)
    below = np.full((X, Y, kc - 1), 2.0)
    for y, k in enumerate(kept):
        if k.size:
            outcomes[y, : k.size] = k
            outcomes[y, k.size :] = k[-1]
            below[:, y, : k.size - 1] = cum[:, y, k[:-1]]
    return np.ascontiguousarray(below.reshape(X * Y, -1).T, dtype=np.float32), outcomes


def _pick(w: np.ndarray, below: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Index of the kept outcome that uniform ``w`` falls in, for each row (see :func:`_compress_cdf`).

    ``below`` is column by column (Kc - 1, rows): one gather and comparison per column.
    """
    out = (w >= below[0][rows]).astype(np.intp)
    for col in below[1:]:
        out += w >= col[rows]
    return out


def _alias(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for drawing index i with probability ``w[i] / w.sum()``."""
    n = w.size
    prob = (w * (n / w.sum())).tolist()
    alias = list(range(n))
    small = [i for i, p in enumerate(prob) if p < 1.0]
    large = [i for i, p in enumerate(prob) if p >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        alias[s] = g
        prob[g] += prob[s] - 1.0
        (small if prob[g] < 1.0 else large).append(g)
    for i in small + large:  # left over by rounding: keep their own index
        prob[i] = 1.0
    return np.array(prob), np.array(alias, dtype=np.intp)


@dataclass
class _EntrySampler:
    """Draws entrants' (stage cell, placement, age in weeks) cells from ``st.entry_dist``.

    First a year of age with its stage cell and placement (alias method over S x P x 18
    cells), then the week within that year: uniform where the scenario's entry ages are
    uniform within the year (always, from whole-year age bands), else by that year's weeks.
    """

    prob: np.ndarray  # alias table over (stage cell, placement, year of age)
    alias: np.ndarray
    even: np.ndarray  # per coarse cell: are the weeks of the year equally likely?
    week_cdf: np.ndarray  # (coarse cells, 52) cumulative chance of the weeks within the year

    @classmethod
    def of(cls, st: Structure) -> _EntrySampler:
        d = st.entry_dist.reshape(-1, WEEKS_PER_YEAR_AGE)  # (S * P * 18, 52)
        coarse = d.sum(axis=1)
        prob, alias = _alias(coarse)
        even = np.isclose(d, d[:, :1], rtol=1e-12, atol=0.0).all(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            week_cdf = np.cumsum(d, axis=1) / coarse[:, None]
        return cls(prob, alias, even, np.nan_to_num(week_cdf, nan=1.0))

    def draw(self, u: np.ndarray, u2: np.ndarray) -> np.ndarray:
        """Cells (flat index into ``entry_dist``) for uniforms ``u``, ``u2`` on [0, 1)."""
        n = self.prob.size
        x = u * n
        i = np.minimum(x.astype(np.intp), n - 1)
        coarse = np.where(x - i < self.prob[i], i, self.alias[i])
        week = (u2 * WEEKS_PER_YEAR_AGE).astype(np.intp)
        odd = np.flatnonzero(~self.even[coarse])
        if odd.size:
            week[odd] = (u2[odd, None] >= self.week_cdf[coarse[odd], :-1]).sum(axis=1)
        return coarse * WEEKS_PER_YEAR_AGE + week


def _chunk(
    st: Structure,
    R: int,
    seed: np.random.SeedSequence,
    params: RunParams | None = None,
    tick: Callable[[int], None] | None = None,
    sampler: _EntrySampler | None = None,
    out: Raw | None = None,
) -> Raw:
    """Stochastic runs for one block of runs (see :func:`run_stochastic`), with per-run ``params`` if given.

    A child in legal-stage cell s and placement p is examined in a week with probability
    ``B[s, p]``, an upper bound of its weekly chance of any event over the whole projection,
    so the gap to its next examination is geometric (memoryless, so it is simply redrawn
    when the child's state changes). At an examination the event happens with probability
    ``chance / B``. This thinning gives exactly a weekly Bernoulli draw with the week's
    chance while touching only the children likely to have an event.

    Children of the block sit in flat slot arrays, run by run (slot ``f`` belongs to run
    ``f // W``): a state cell (stage x placement, -1 if empty), the week of birth and the week
    of the next examination (or of turning 18, if sooner). Each week one comparison over the
    slots find the children due, and all of them are handled with whole-array operations.
    The results are written into ``out`` (zeroed arrays for these runs) if given.
    """
    rng = np.random.default_rng(seed)
    T, S, P = st.weeks, st.S, st.P
    A = AGE_WEEKS
    SP = S * P
    Q = st.stage_probs
    PO_P, pfa = st.po_placed, st.pfa
    ev = Q.sum(axis=2)  # (T, S) chance of a legal-stage event
    tabs = run_tables(st, R, params)
    row_mult, share_cum = tabs["row"], tabs["share_cum"]  # (R, S), (R, S, S + 5)
    move_any, move_cum = tabs["move_any"], tabs["move_cum"]  # (R, G, P), (R, G, P, P)
    lam = tabs["entries"]  # (T, R)
    shift_r = tabs["shift"]  # (T, R)
    G = move_any.shape[1]
    ev_hi = ev.max(axis=0)[None, :] * row_mult  # (R, S)
    B = ev_hi[:, :, None] + move_any.max(axis=1)[:, None, :]  # (R, S, P)
    B[:, PO_P] = ev_hi[:, PO_P, None]  # children placed for adoption do not move placement
    B = np.minimum(B, 1.0)
    B_tab = B.reshape(-1).astype(np.float32)  # by r * SP + cell; float32 chances: far finer than sampling noise
    with np.errstate(divide="ignore"):
        # gap = floor(log(u) / log(1 - B)) + 1 for u in (0, 1]; B == 0 gives inf/nan (never), B == 1 gives 1
        inv_log_q = (1.0 / np.log1p(-B.reshape(-1))).astype(np.float32)
    move_tab = move_any.reshape(-1).astype(np.float32)  # by (r * G + g) * P + p
    stage_below, stage_out = _compress_cdf(share_cum)  # rows r * S + s
    move_below, move_out = _compress_cdf(move_cum.reshape(R * G, P, P))  # rows (r * G + g) * P + p
    edges = np.array(st.age_group_edges)
    age_group = np.searchsorted(edges, np.arange(A + 1), side="right") - 1
    age_group = np.minimum(age_group, G - 1)  # (A + 1,): age A only for children leaving this week
    cells = np.arange(SP + 1)
    stage_of = np.where(cells < SP, cells // P, S)  # entry SP: none
    place_of = cells % P
    grp = np.concatenate([st.stage_group.astype(np.intp), np.full(len(EXIT_ROUTES), OUT)])  # stage or exit
    movable = np.arange(S + len(EXIT_ROUTES)) < S  # by stage or exit: may the child move placement?
    movable[PO_P] = False  # children placed for adoption stay put
    if sampler is None:
        sampler = _EntrySampler.of(st)

    def next_due(t: int, rk: np.ndarray, birth: np.ndarray) -> np.ndarray:
        """Week of the next examination (geometric gap after week ``t``), or of turning 18 if sooner."""
        u = 1.0 - rng.random(rk.size, dtype=np.float32)  # (0, 1]
        with np.errstate(invalid="ignore", over="ignore"):
            gap = np.fmin(np.floor(np.log(u) * inv_log_q[rk]), T)  # nan and inf (B == 0): after the end
        return np.minimum(gap.astype(np.int16) + (t + 1), birth + A)  # int16: weeks and births fit

    # the starting children, the same in every run
    stage0, place0, age0 = starting_children(st)
    n0 = stage0.size
    room = int(2 * lam.max(initial=0) * 26) + 16
    W = n0 + room
    cell_dtype = np.int8 if SP < 128 else np.int16
    cell = np.full(R * W, -1, dtype=cell_dtype)
    birth = np.zeros(R * W, dtype=np.int16)
    due = np.full(R * W, NEVER, dtype=np.int16)
    high = np.full(R, n0, dtype=np.intp)  # columns used in each run
    c0 = stage0.astype(np.intp) * P + place0
    f0 = (np.arange(R)[:, None] * W + np.arange(n0)[None, :]).reshape(-1)
    r0 = np.repeat(np.arange(R), n0)
    b0 = np.tile((-1 - age0).astype(np.int16), R)  # ages once more in week 0
    cell[f0] = np.tile(c0, R)
    birth[f0] = b0
    due[f0] = next_due(-1, r0 * SP + np.tile(c0, R), b0)
    # children by run and cell (r * SP + cell): whole numbers held as floats, so that the weekly
    # totals are BLAS matrix-vector products (exact for counts far below 2**53)
    counts = np.tile(np.bincount(c0, minlength=SP), R).astype(np.float64)
    # (SP, S + P): 1 where a cell is in that stage (first S columns) or placement (last P)
    totals_of = np.concatenate([cells[:SP, None] // P == np.arange(S), cells[:SP, None] % P == np.arange(P)], axis=1)
    totals_of = totals_of.astype(np.float64)
    no_slots = np.zeros(0, dtype=np.intp)

    res = out if out is not None else _empty_raw(st, R)
    res.initial[:] = counts.reshape(R, S, P)
    stock_stage, stock_place, entries = res.stock_stage, res.stock_place, res.entries
    n_routes = len(EXIT_ROUTES)
    exits = res.exits
    G1 = N_GROUPS + 1
    flows = res.group_flows
    e_tab = np.empty(0)
    ev_prev = None

    def relayout(new_w: int) -> None:
        """Move each run's children to the first columns of rows ``new_w`` wide (empties dropped)."""
        nonlocal cell, birth, due, W, high
        src = np.flatnonzero(cell >= 0)
        r = src // W
        n = np.bincount(r, minlength=R)
        col = np.arange(src.size) - np.repeat(np.cumsum(n) - n, n)
        dst = r * new_w + col
        new_cell = np.full(R * new_w, -1, dtype=cell_dtype)
        new_birth = np.zeros(R * new_w, dtype=np.int16)
        new_due = np.full(R * new_w, NEVER, dtype=np.int16)
        new_cell[dst], new_birth[dst], new_due[dst] = cell[src], birth[src], due[src]
        cell, birth, due, W, high = new_cell, new_birth, new_due, new_w, n

    for t in range(T):
        if tick is not None and t % 13 == 0:  # a quarter's weeks: report progress, or stop if asked to
            tick(t)
        if ev_prev is None or not np.array_equal(ev[t], ev_prev):
            ev_prev = ev[t]
            e_tab = np.repeat(np.minimum(ev[t][None, :] * row_mult, 1.0).reshape(-1).astype(np.float32), P)
        minus: list[np.ndarray] = []
        plus: list[np.ndarray] = []
        flow_keys: list[np.ndarray] = []
        freed, freed_r = no_slots, no_slots  # slots emptied this week, reused by this week's entrants
        # 1-3. children due this week: turning 18 (they leave care), else examined for a
        # legal-stage event and a placement move
        f = np.flatnonzero(due == t)
        if f.size:
            n = f.size
            c_old = cell[f].astype(np.intp)
            b = birth[f]
            r = f // W
            rk = r * SP + c_old
            x = rng.random(n, dtype=np.float32) * B_tab[rk]  # uniform on [0, B)
            e = e_tab[rk]
            age = t - b  # int16
            leave = age >= A
            event = (x < e) & ~leave
            s_old = stage_of[c_old]
            # destination by inverse CDF of the run's stage row, using x / e (uniform on [0, 1))
            with np.errstate(divide="ignore", invalid="ignore"):
                pick = _pick(x / e, stage_below, r * S + s_old)
            s_new = np.where(event, stage_out[s_old, pick], s_old)
            s_new[leave] = S + R_AGE18
            gone = s_new >= S
            p_new = np.where(s_new == PO_P, pfa, place_of[c_old])
            # placement move: after a stage event with a fresh uniform; otherwise
            # (x - e) / (1 - e), uniform on [0, (B - e) / (1 - e)), which covers the move chance
            mk = (r * G + age_group[age]) * P + p_new
            w = np.where(event, rng.random(n, dtype=np.float32), (x - e) / np.maximum(1.0 - e, np.float32(1e-30)))
            mi = np.flatnonzero((w < move_tab[mk]) & movable[s_new])
            if mi.size:
                p_new[mi] = move_out[p_new[mi], _pick(w[mi], move_below, mk[mi])]
            c_new = s_new * P + p_new
            rk_new = np.where(gone, R * SP, r * SP + c_new)
            minus.append(rk)
            plus.append(rk_new)
            flow_keys.append(r * (G1 * G1) + grp[s_old] * G1 + grp[s_new])  # unchanged: diagonal, dropped
            gi = np.flatnonzero(gone)
            if gi.size:
                exits[t] += np.bincount(r[gi] * n_routes + (s_new[gi] - S), minlength=R * n_routes).reshape(R, n_routes)
            nd = next_due(t, np.minimum(rk_new, R * SP - 1), b)
            nd[gi] = NEVER
            due[f] = nd
            cell[f] = np.where(gone, -1, c_new).astype(cell_dtype)
            freed, freed_r = f[gi], r[gi]  # in run order
        # placement-shift lever: each eligible child moves with probability c / eligible
        c = shift_r[t]  # (R,) children to move this week, by run
        if c.max(initial=0) > 0:
            fr = st.shift_from
            f = np.flatnonzero((cell >= 0) & (place_of[cell] == fr) & (stage_of[cell] != PO_P))
            age = t - birth[f].astype(np.intp)
            f = f[(age >= st.shift_ages[0]) & (age < st.shift_ages[1])]
            r = f // W
            n_el = np.bincount(r, minlength=R)
            q = np.where(n_el > 0, np.minimum(1.0, c / np.maximum(n_el, 1)), 0.0)
            go = rng.random(f.size) < q[r]
            f, r = f[go], r[go]
            if f.size:
                c_old = cell[f].astype(np.intp)
                c_new = c_old - fr + st.shift_to
                minus.append(r * SP + c_old)
                plus.append(r * SP + c_new)
                cell[f] = c_new
                due[f] = next_due(t, r * SP + c_new, birth[f])  # new placement, new rate
        # 4. entries
        k = rng.poisson(lam[t])
        K = int(k.sum())
        if K:
            cell_e = sampler.draw(rng.random(K), rng.random(K))
            s_e, p_e, a_e = cell_e // (P * A), (cell_e // A) % P, cell_e % A
            n_freed = np.bincount(freed_r, minlength=R)
            extra = np.maximum(k - n_freed, 0)  # entrants beyond the slots freed in their run this week
            if int((high + extra).max()) > W:  # no room left in some run: drop empty slots, widen if need be
                alive = np.bincount(np.flatnonzero(cell >= 0) // W, minlength=R)
                relayout(max(W, int((alive + k).max()) + room))
                freed, n_freed, extra = no_slots, np.zeros(R, dtype=np.intp), k
            r = np.repeat(np.arange(R), k)
            j = np.arange(K) - np.repeat(np.cumsum(k) - k, k)  # rank among the run's entrants
            nf = n_freed[r]
            f = r * W + high[r] + (j - nf)
            if freed.size:
                reuse = j < nf
                f[reuse] = freed[(np.cumsum(n_freed) - n_freed)[r[reuse]] + j[reuse]]
            high += extra
            c_e = s_e * P + p_e
            b_e = (t - a_e).astype(np.int16)
            cell[f] = c_e
            birth[f] = b_e
            due[f] = next_due(t, r * SP + c_e, b_e)
            plus.append(r * SP + c_e)
            flow_keys.append(r * (G1 * G1) + OUT * G1 + grp[s_e])
            entries[t] = k
        if minus:
            counts -= np.bincount(np.concatenate(minus), minlength=R * SP)
        if plus:
            counts += np.bincount(np.concatenate(plus), minlength=R * SP + 1)[: R * SP]
        if flow_keys:
            flows[t] = np.bincount(np.concatenate(flow_keys), minlength=R * G1 * G1).reshape(R, G1, G1)
        tot = counts.reshape(R, SP) @ totals_of
        stock_stage[t] = tot[:, :S]
        stock_place[t] = tot[:, S:]
    idx = np.arange(G1)
    flows[:, :, idx, idx] = 0
    return res


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
    caller may ask for ``threads=2`` (the blocks on two threads, without progress). Since the
    weekly steps became small array operations that hold the interpreter lock, this gains
    nothing (1,000 runs: 1.05 s on one thread, 1.08 s on two, 30 Nov). The runs are the same
    either way, and each block writes into its own runs of one result.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    blocks = min(STOCHASTIC_BLOCKS, runs)
    sizes = [runs // blocks + (1 if i < runs % blocks else 0) for i in range(blocks)]
    seeds = np.random.SeedSequence(seed).spawn(blocks)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    blocks_params = [None if params is None else params.block(int(a), int(b)) for a, b in pairwise(starts)]
    sampler = _EntrySampler.of(st)
    # each block writes into its runs' slice of the result (no copy of the blocks at the end)
    res = _empty_raw(st, runs)
    views = [_runs_view(res, int(a), int(b)) for a, b in pairwise(starts)]
    if threads > 1 and blocks > 1 and progress is None:
        with ThreadPoolExecutor(max_workers=min(threads, blocks)) as ex:
            list(ex.map(_chunk, [st] * blocks, sizes, seeds, blocks_params, [None] * blocks, [sampler] * blocks, views))
        return res
    done = 0
    for n, sq, block, view in zip(sizes, seeds, blocks_params, views, strict=True):
        tick = None
        if progress is not None:
            base = done

            def tick(t: int, n: int = n, base: int = base) -> None:
                progress((base + n * t / st.weeks) / runs)

        _chunk(st, n, sq, block, tick, sampler, view)
        done += n
        if progress is not None:
            progress(done / runs)
    return res


def _empty_raw(st: Structure, runs: int) -> Raw:
    """Zeroed result arrays of a stochastic run of ``runs`` runs."""
    T, S, P, G1 = st.weeks, st.S, st.P, N_GROUPS + 1
    z = np.zeros
    return Raw(
        z((T, runs, S), np.int32),
        z((T, runs, P), np.int32),
        None,
        z((T, runs), np.int32),
        z((T, runs, len(EXIT_ROUTES)), np.int32),
        z((T, runs, G1, G1), np.int32),
        z((runs, S, P), np.int32),
        True,
    )


def _runs_view(raw: Raw, lo: int, hi: int) -> Raw:
    """Runs ``lo`` to ``hi - 1`` of ``raw`` (views: writing to them writes to ``raw``)."""
    return Raw(
        raw.stock_stage[:, lo:hi],
        raw.stock_place[:, lo:hi],
        None,
        raw.entries[:, lo:hi],
        raw.exits[:, lo:hi],
        raw.group_flows[:, lo:hi],
        raw.initial[lo:hi],
        True,
    )


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
