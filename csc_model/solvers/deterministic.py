"""The deterministic (expected-value) solver, laid out for speed.

The arithmetic is the model's weekly cycle (see :mod:`csc_model.solvers.engine`): ageing, legal-stage
transitions, placement moves and the shift lever, entries. Two exact solvers share it:

**The year-of-age solver** (:func:`_run_years`, used whenever the placement-shift lever is
off). Every child of the same year of age meets the same weekly operators: stage transitions
(the same for all ages), placement moves (by age group; the groups start at whole years) and
entrants (a mix by year of age). So the children of a year of age can be carried as one
(stage x placement) total, week by week, if the solver knows, each week, the one weekly
cohort that leaves the year (it turns a year older). That cohort's state is its state a year
earlier, when it entered the year, carried through the year's 52 weekly operators:

    C_y[t] = (Q_t ... Q_{t-51}) C_{y-1}[t-52] K_y^52 + (entrants it took in over those weeks)

Stage operators ``Q`` act on the stage axis and placement operators ``K`` on the placement
axis, so the product of 52 weeks is a product of 8 x 8 stage matrices (by doubling) times a
power of one placement matrix. The entrants term is one matrix product over all weeks. The
recursion over years has depth ``weeks / 52``, so the cohorts leaving each year in each week
come in a handful of array operations, not a loop over 261 weeks x 936 ages. What remains
week by week is a small array: children by stage and year of age (placement totals do not
change with moves), and by stage and placement for each age group.

**The cohort solver** (:func:`_run_cohorts`, used when the shift lever is on: it moves a
number of children spread over the ages and stages holding them, which couples the cohorts).
It carries every weekly birth cohort:

* **Age is a ring.** Column ``c`` of the (stage, placement, age) arrays always holds the
  same birth cohort; a week of ageing only moves the ring's origin and empties the column
  of the children turning 18, which becomes the newborns' column. Nothing is copied.
* **Only cells that can hold children are stored.** Children "placed for adoption" (all in
  one placement type, no placement moves) are a row of a small array; placement types no
  child can reach outside that stage are left out.
* **Stage transitions in place.** Children only move forward through the legal stages, so
  the weekly stage operator is lower triangular: one BLAS ``trmm`` call updates the array
  where it is, with no second buffer (less memory traffic).
* **Placement moves only on the types moves touch** (kept in their own array), one matrix
  product per age range.
* **Entrants in one BLAS ``axpy`` call.** Where entrants go is kept in ring columns too; it
  changes, week to week, only in the few columns whose age crosses an age-band edge.
* **Totals by stage and by age from a small (stage x age) array** that the stage
  transitions act on alone, instead of summing the big arrays.

Both work out flows after the loop: the children leaving each stage in a week are the
stage's stock after ageing times the week's probabilities, for all weeks at once.

``tests/reference_engine.py`` keeps the first, straightforward solver (shift the whole
array each week); ``tests/test_solver_equivalence.py`` checks that both solvers give its
numbers on the default scenario, each lever and hundreds of random valid scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import daxpy, dtrmm

from csc_model.solvers.structure import AGE_WEEKS, Structure

A = AGE_WEEKS
W = 52  # weeks in a year of age
NY = A // W  # years of age, 0-17


@dataclass(frozen=True)
class _Plan:
    """Per-week operators of one structure in the solver's layout."""

    T: int
    main: np.ndarray  # stage cells held in the main array (all but "placed for adoption")
    po_a: int  # index of "placement order, awaiting" within main
    perm: np.ndarray  # placement types inside the solver, in order: types that moves touch first
    n_moving: int  # how many placement types moves touch
    qmt: np.ndarray  # (T, S', S') stage operator on the main stages (to x from), lower triangular
    qut: np.ndarray  # (T, S'+1, S'+1) the same plus a last row for children placed for adoption
    move_ranges: tuple[tuple[int, int, np.ndarray], ...]  # age range [a0, a1) and its operator
    ent_rows: tuple[int, int]  # main stages that entrants join
    dist: np.ndarray  # (E, P, A) where entrants go, by age (sums to 1)
    x0: np.ndarray  # (S', P, A) children at the start
    xpo0: np.ndarray  # (A,) children placed for adoption at the start
    entries: np.ndarray  # (T,)
    shift: np.ndarray  # (T,) children moved by the shift lever
    shift_from: int
    shift_to: int
    shift_ages: tuple[int, int]


def _plan(st: Structure) -> _Plan:
    """Operators of ``st`` rearranged for :func:`run_deterministic`."""
    T, S, P = st.weeks, st.S, st.P
    Q = st.stage_probs
    po_p = st.po_placed
    po_a_cell = po_p - 1
    main = np.array([s for s in range(S) if s != po_p])
    # The layout relies on how build() wires the stage "placement order, placed": children
    # arrive only from "awaiting", all in the "placed for adoption" placement, and leave only
    # by adoption. Anything else is a programming error, not a scenario problem.
    others = np.array([s for s in range(S) if s not in (po_a_cell, po_p)])
    if (
        Q[:, po_p, :S].any()
        or Q[:, others, po_p].any()
        or np.delete(st.initial[po_p], st.pfa, axis=0).any()
        or st.entry_dist[po_p].any()
    ):
        raise RuntimeError("structure does not match the deterministic solver's layout")

    stay = 1.0 - Q.sum(axis=2)  # (T, S)
    qs = Q[:, :, :S].copy()
    qs[:, np.arange(S), np.arange(S)] += stay
    qm = qs[:, main][:, :, main]
    qmt = np.ascontiguousarray(qm.transpose(0, 2, 1))
    # Children only move forward through the stages (s20, proceedings phases, backlog,
    # placement order, care order), so the operator is lower triangular and can be applied
    # in place.
    if np.triu(qmt, 1).any():
        raise RuntimeError("stage transitions are not ordered as the deterministic solver expects")
    po_a = int(np.nonzero(main == po_a_cell)[0][0])
    Sm = len(main)
    qut = np.zeros((T, Sm + 1, Sm + 1))
    qut[:, :Sm, :Sm] = qmt
    qut[:, Sm, Sm] = stay[:, po_p]  # still placed for adoption
    qut[:, Sm, po_a] = Q[:, po_a_cell, po_p]  # placed for adoption this week

    # Placement moves: K = I - diag(rowsum) + M^T acts on the placement axis, by age group.
    M = st.move_probs
    touched = sorted(set(np.nonzero(M.any(axis=(0, 2)))[0]) | set(np.nonzero(M.any(axis=(0, 1)))[0]))
    # Placement types that can never hold a child outside "placed for adoption" (no one
    # starts or enters there, no move or shift leads there) are left out: always zero.
    live = set(touched) | set(np.nonzero(np.delete(st.initial, po_p, axis=0).any(axis=(0, 2)))[0])
    live |= set(np.nonzero(st.entry_dist.any(axis=(0, 2)))[0])
    if st.shift_per_week.any():
        live |= {st.shift_from, st.shift_to}
    perm = np.array(touched + [p for p in range(P) if p in live and p not in touched], dtype=int)
    n_moving = len(touched)
    ranges: list[tuple[int, int, np.ndarray]] = []
    if n_moving:
        edges = st.age_group_edges
        for g in range(len(edges) - 1):
            m = M[g][np.ix_(perm[:n_moving], perm[:n_moving])]
            K = np.eye(n_moving) - np.diag(m.sum(axis=1)) + m.T
            if ranges and ranges[-1][1] == edges[g] and np.array_equal(ranges[-1][2], K):
                ranges[-1] = (ranges[-1][0], edges[g + 1], K)
            else:
                ranges.append((edges[g], edges[g + 1], K))

    dist = st.entry_dist[main][:, perm]
    rows = np.nonzero(dist.any(axis=(1, 2)))[0]
    e0, e1 = (int(rows.min()), int(rows.max()) + 1) if rows.size else (0, 1)
    inv_perm = np.full(P, -1)
    inv_perm[perm] = np.arange(len(perm))
    return _Plan(
        T=T,
        main=main,
        po_a=po_a,
        perm=perm,
        n_moving=n_moving,
        qmt=qmt,
        qut=qut,
        move_ranges=tuple(ranges),
        ent_rows=(e0, e1),
        dist=np.ascontiguousarray(dist[e0:e1]),
        x0=np.ascontiguousarray(st.initial[main][:, perm]),
        xpo0=st.initial[po_p, st.pfa].copy(),
        entries=st.entries_per_week,
        shift=st.shift_per_week,
        shift_from=int(inv_perm[st.shift_from]),
        shift_to=int(inv_perm[st.shift_to]),
        shift_ages=st.shift_ages,
    )


def _ring_spans(a0: int, a1: int, o: int) -> list[tuple[int, int]]:
    """Column slices holding ages [a0, a1) when the ring origin is ``o`` (one or two)."""
    r0 = (a0 + o) % A
    r1 = r0 + (a1 - a0)
    return [(r0, r1)] if r1 <= A else [(r0, A), (0, r1 - A)]


def _change_points(d: np.ndarray) -> np.ndarray:
    """Ages at which ``d[..., a]`` differs from ``d[..., a - 1]`` (age 0 always counts)."""
    diff = (d[..., 1:] != d[..., :-1]).reshape(-1, d.shape[-1] - 1).any(axis=0)
    return np.concatenate([[0], np.nonzero(diff)[0] + 1])


class _Ring:
    """Where this week's entrants go, in ring columns, for the given rows of ``dist``.

    Only the columns whose age crosses a point where the entry mix changes (an age-band
    edge, or 18 -> 0) change from one week to the next; :meth:`turn` rewrites just those.
    """

    def __init__(self, rows: np.ndarray, T: int) -> None:
        self.values = rows.reshape(-1, A).copy()  # ring origin 0: age a in column a (turn() writes here)
        cps = _change_points(self.values)
        self._cp_values = self.values[:, cps].reshape(-1)
        origin = (-(np.arange(T) + 1)) % A
        offsets = np.arange(self.values.shape[0])[:, None] * A
        self._cp_index = ((cps[None, None, :] + origin[:, None, None]) % A + offsets[None]).reshape(T, -1)
        self.flat = self.values.reshape(-1)

    def turn(self, t: int) -> None:
        """Move the ring to week ``t``'s origin."""
        np.put(self.flat, self._cp_index[t], self._cp_values)


class _StageByAge:
    """Children by main stage and ring column (placements summed), plus a last row for
    children placed for adoption.

    Stage transitions act on this small array alone (placement moves do not change it), so
    it gives the totals by stage and by age, and the children who are placed for adoption,
    without summing the big arrays.
    """

    def __init__(self, plan: _Plan) -> None:
        T, Sm = plan.T, plan.x0.shape[0]
        self.u = np.vstack([plan.x0.sum(axis=1), plan.xpo0[None]])
        self.stage = np.empty((T, Sm + 1))  # at week end
        self.age = np.empty((T, A))  # by ring column, at week end
        self.aged = np.empty((T, Sm + 1))  # turning 18
        self._ring = _Ring(plan.dist.sum(axis=1), T)
        self._plan = plan
        self._ones_a, self._ones_u = np.ones(A), np.ones(Sm + 1)

    def week(self, t: int) -> None:
        u, plan = self.u, self._plan
        c = (A - 1 - t) % A
        self.aged[t] = u[:, c]
        u[:, c] = 0.0
        self._ring.turn(t)
        dtrmm(1.0, plan.qut[t].T, u.T, side=1, lower=0, overwrite_b=1)
        e0, e1 = plan.ent_rows
        daxpy(self._ring.flat, u[e0:e1].reshape(-1), a=plan.entries[t])
        np.dot(u, self._ones_a, out=self.stage[t])
        np.dot(self._ones_u, u, out=self.age[t])


@dataclass
class _Out:
    place: np.ndarray  # (T, P') children by placement type (solver order) outside "placed for adoption"
    stage: np.ndarray  # (T, S'+1) children by main stage, then placed for adoption
    age: np.ndarray  # (T, 18) children by single year of age
    aged: np.ndarray  # (T, S'+1) children turning 18, by stage as in ``stage``


def _run_cohorts(plan: _Plan) -> _Out:
    """Every week of the plan, each birth cohort (ring column) on its own."""
    T = plan.T
    Sm, P = plan.x0.shape[:2]
    nm = plan.n_moving
    pf = P - nm
    # Children by (main stage, placement, ring column), in two arrays: the placement types
    # that moves touch (two buffers: moves write one from the other) and the rest.
    xm = plan.x0[:, :nm].copy()  # copies: the solver works in place and the plan stays as it was
    xm2 = np.empty_like(xm)
    xf = plan.x0[:, nm:].copy()
    u = _StageByAge(plan)
    sp_m, sp_f = np.empty((T, Sm * nm)), np.empty((T, Sm * pf))
    ones_a = np.ones(A)
    e0, e1 = plan.ent_rows
    ring_m = _Ring(plan.dist[:, :nm], T)
    ring_f = _Ring(plan.dist[:, nm:], T)
    entries, shift = plan.entries, plan.shift
    sa0, sa1 = plan.shift_ages
    for t in range(T):
        u.week(t)
        # 1. ageing: the column of children turning 18 empties and becomes the newborns'
        c = (A - 1 - t) % A
        xm[:, :, c] = 0.0
        xf[:, :, c] = 0.0
        o = (-(t + 1)) % A  # ring origin: age a is in column (a + o) % A
        # 2. legal-stage transitions, in place: the stage operator is lower triangular
        lt = plan.qmt[t].T
        if nm:
            dtrmm(1.0, lt, xm.reshape(Sm, -1).T, side=1, lower=0, overwrite_b=1)
        if pf:
            dtrmm(1.0, lt, xf.reshape(Sm, -1).T, side=1, lower=0, overwrite_b=1)
        # 3. placement moves, by age range, on the placement types moves touch
        if nm:
            for a0, a1, K in plan.move_ranges:
                for c0, c1 in _ring_spans(a0, a1, o):
                    np.matmul(K, xm[:, :, c0:c1], out=xm2[:, :, c0:c1])
            xm, xm2 = xm2, xm
        c_t = shift[t]
        if c_t > 0:  # the shift lever: only children of an age the target type admits
            src = xm[:, plan.shift_from] if plan.shift_from < nm else xf[:, plan.shift_from - nm]
            dst = xm[:, plan.shift_to] if plan.shift_to < nm else xf[:, plan.shift_to - nm]
            spans = _ring_spans(sa0, sa1, o)
            avail = sum(float(src[:, c0:c1].sum()) for c0, c1 in spans)
            if avail > 0:
                frac = 1.0 if c_t >= avail else c_t / avail  # min(1, c / avail) without overflow
                for c0, c1 in spans:
                    moved = src[:, c0:c1] * frac
                    src[:, c0:c1] -= moved
                    dst[:, c0:c1] += moved
        # 4. entries
        ring_m.turn(t)
        ring_f.turn(t)
        if nm:
            daxpy(ring_m.flat, xm[e0:e1].reshape(-1), a=entries[t])
        if pf:
            daxpy(ring_f.flat, xf[e0:e1].reshape(-1), a=entries[t])
        np.dot(xm.reshape(-1, A), ones_a, out=sp_m[t])
        np.dot(xf.reshape(-1, A), ones_a, out=sp_f[t])
    place = np.concatenate([sp_m.reshape(T, Sm, nm).sum(axis=1), sp_f.reshape(T, Sm, pf).sum(axis=1)], axis=1)
    # by single year of age: undo the ring (in week t < A, age a sits in column a + A - 1 - t)
    doubled = np.concatenate([u.age, u.age], axis=1)
    if T <= A:
        by_age = np.lib.stride_tricks.as_strided(doubled[0, A - 1 :], shape=(T, A), strides=((2 * A - 1) * 8, 8))
    else:
        o = (-(np.arange(T) + 1)) % A
        by_age = np.take_along_axis(doubled, o[:, None] + np.arange(A)[None, :], axis=1)
    return _Out(place=place, stage=u.stage, age=by_age.reshape(T, NY, W).sum(axis=2), aged=u.aged)


def _years_apply(plan: _Plan) -> bool:
    """Whether :func:`_run_years` is exact for this plan: no shift lever, and the placement
    moves and the entrants' mix change only at whole years of age."""
    if plan.shift.any():
        return False
    edges = {int(c) for c in _change_points(plan.dist)} | {a for r in plan.move_ranges for a in r[:2]}
    return all(c % W == 0 for c in edges)


def _run_years(plan: _Plan) -> _Out:
    """Every week of the plan, children carried by year of age (see the module docstring).

    Arrays hold (stage, placement) matrices; a last stage row holds the children placed for
    adoption, whose placement column is not used (placement moves keep row totals).
    """
    T = plan.T
    Sm, P = plan.x0.shape[:2]
    S1 = Sm + 1
    e0, e1 = plan.ent_rows
    E = e1 - e0
    Q = plan.qut  # (T, S1, S1), to x from
    x0 = np.zeros((S1, P, A))
    x0[:Sm] = plan.x0
    x0[Sm, 0] = plan.xpo0
    x0r = x0.reshape(S1, P, NY, W)

    # Placement operators, acting from the right (Z @ K), by range of years of age.
    eye = np.eye(P)
    ranges: list[tuple[int, int]] = []
    Kl = []
    for a0, a1, K in plan.move_ranges:
        Kt = eye.copy()
        Kt[: plan.n_moving, : plan.n_moving] = K.T
        ranges.append((a0 // W, a1 // W))
        Kl.append(Kt)
    if not ranges:
        ranges, Kl = [(0, NY)], [eye]
    R = len(ranges)
    Kr = np.stack(Kl)
    kr = np.empty(NY, dtype=int)
    for r, (y0, y1) in enumerate(ranges):
        kr[y0:y1] = r
    Kpow = np.empty((W + 1, R, P, P))
    Kpow[0] = eye
    for m in range(1, W + 1):
        np.matmul(Kpow[m - 1], Kr, out=Kpow[m])

    # Entrants per week of age, by year (NY, E, P); years with the same mix and moves share a class.
    Dy = plan.dist[:, :, ::W].transpose(2, 0, 1)
    key = np.concatenate([kr[:, None], Dy.reshape(NY, -1)], axis=1)
    _, first, cls = np.unique(key, axis=0, return_index=True, return_inverse=True)
    cls = cls.reshape(-1)

    # Products of stage operators. Gt[t + 1, :, j] = (Q_t ... Q_{t-j+1})[:, entry rows], with
    # identity before the start; Phi52[t] = Q_t ... Q_{t-51} by doubling (52 = 32 + 16 + 4);
    # cum[t] = Q_t ... Q_0 in the first year.
    I_S = np.eye(S1)
    Gt = np.empty((T + 1, S1, W, E))
    Gt[0] = I_S[:, e0:e1, None].transpose(0, 2, 1)
    Gt[:, :, 0] = I_S[:, e0:e1]
    for j in range(1, W):
        np.matmul(Q, Gt[:T, :, j - 1], out=Gt[1:, :, j])
    prod = {1: np.concatenate([np.broadcast_to(I_S, (W, S1, S1)), Q])}
    span = 1
    while span < 32:
        nxt = prod[span].copy()
        np.matmul(prod[span][span:], prod[span][:-span], out=nxt[span:])
        span *= 2
        prod[span] = nxt
    Phi52 = prod[32][W:] @ prod[16][W - 32 : W - 32 + T] @ prod[4][W - 48 : W - 48 + T]
    n0 = min(T, W)
    cum = np.empty((n0, S1, S1))
    acc = I_S
    for t in range(n0):
        acc = Q[t] @ acc
        cum[t] = acc

    # Entrants taken in over its last 52 weeks by the oldest cohort of each year class:
    # sum over j of e[t-j] (Q_t ... Q_{t-j+1}) D K^j, as one tensor product.
    epad = np.concatenate([np.zeros(W), plan.entries])
    G = Gt[1:] * epad[W + np.arange(T)[:, None] - np.arange(W)[None, :]][:, None, :, None]  # (T, S1, W, E)
    B = np.matmul(Dy[first][None], Kpow[:W, kr[first]])  # (W, classes, E, P)
    Ec = (G.reshape(T * S1, W * E) @ B.transpose(0, 2, 1, 3).reshape(W * E, -1)).reshape(T, S1, len(first), P)

    # C[t, :, y]: the oldest weekly cohort of year y at the end of week t. In the first year it
    # comes from the starting stock; later, from the year below 52 weeks earlier.
    C = np.empty((T, S1, NY, P))
    Z = np.empty((n0, S1, NY, P))
    src = np.zeros((n0, S1, NY, P))
    k0 = min(n0, W - 1)
    src[:k0] = x0r[:, :, :, W - 2 :: -1][..., :k0].transpose(3, 0, 2, 1)
    if n0 == W:
        src[W - 1, :, 1:] = x0r[:, :, :-1, W - 1].transpose(0, 2, 1)
    np.matmul(cum, src.reshape(n0, S1, NY * P), out=Z.reshape(n0, S1, NY * P))
    for r, (y0, y1) in enumerate(ranges):
        np.matmul(Z[:, :, y0:y1], Kpow[1 : n0 + 1, r, None], out=C[:n0, :, y0:y1])
    C[:n0] += Ec[:n0][:, :, cls]
    for b0 in range(W, T, W):
        b1 = min(b0 + W, T)
        nb = b1 - b0
        Zb = Z[:nb]
        Zb[:, :, 0] = 0.0  # nobody is younger than newborn
        np.matmul(Phi52[b0:b1], C[b0 - W : b1 - W, :, :-1].reshape(nb, S1, -1), out=Zb[:, :, 1:].reshape(nb, S1, -1))
        for r, (y0, y1) in enumerate(ranges):
            np.matmul(Zb[:, :, y0:y1], Kpow[W, r], out=C[b0:b1, :, y0:y1])
        C[b0:b1] += Ec[b0:b1][:, :, cls]

    # Week by week. With Y[t] the children by year, Y'[t] = Y[t] + (C[t] moved up a year - C[t])
    # obeys Y'[t] = Q_t Y'[t-1] K + H[t], H[t] = entrants + (C[t] moved up a year - C[t]).
    # Carried: row totals by year (moves keep them) and, by age range, the placements.
    ones_p = np.ones(P)
    c_sy = (C.reshape(-1, P) @ ones_p).reshape(T, S1, NY)
    V = np.empty((T, S1, NY + R * P))
    H = np.empty((T, S1, NY + R * P))
    Hu, Hz = H[:, :, :NY], H[:, :, NY:].reshape(T, S1, R, P)
    np.negative(c_sy, out=Hu)
    Hu[:, :, 1:] += c_sy[:, :, :-1]
    Hu[:, e0:e1] += plan.entries[:, None, None] * (W * Dy.sum(axis=2).T)[None]
    x0y = x0r.sum(axis=3)  # (S1, P, NY)
    c_1 = x0r[:, :, :, W - 1]  # oldest cohort of each year at the start
    prev = np.empty((S1, NY + R * P))
    prev[:, :NY] = x0y.sum(axis=1) - c_1.sum(axis=1)
    prev[:, 1:NY] += c_1.sum(axis=1)[:, :-1]
    for r, (y0, y1) in enumerate(ranges):
        Hz[:, :, r] = -C[:, :, y1 - 1]
        v = x0y[:, :, y0:y1].sum(axis=2) - c_1[:, :, y1 - 1]
        if y0 > 0:
            Hz[:, :, r] += C[:, :, y0 - 1]
            v += c_1[:, :, y0 - 1]
        Hz[:, e0:e1, r] += plan.entries[:, None, None] * (W * Dy[y0:y1].sum(axis=0))[None]
        prev[:, NY + r * P : NY + (r + 1) * P] = v
    Vz = V[:, :, NY:].reshape(T, S1, R, P).transpose(0, 2, 1, 3)  # views, made once
    for t in range(T):
        out = V[t]
        np.matmul(Q[t], prev, out=out)
        np.matmul(Vz[t], Kr, out=Vz[t])
        out += H[t]
        prev = out
    last = c_sy[:, :, NY - 1]  # turns 18 next week
    age = V[:, :, :NY].sum(axis=1) + c_sy.sum(axis=1)  # (moves keep row totals)
    age[:, 1:] -= c_sy[:, :, :-1].sum(axis=1)
    return _Out(
        place=V[:, :Sm, NY:].reshape(T, Sm, R, P).sum(axis=(1, 2)) + C[:, :Sm, NY - 1].sum(axis=1),
        stage=V[:, :, :NY].sum(axis=2) + last,
        age=age,
        aged=np.concatenate([c_1[:, :, NY - 1].sum(axis=1)[None], last[:-1]]),
    )


SOLVERS = ("auto", "years", "cohorts")


def solve(st: Structure, method: str = "auto") -> dict[str, np.ndarray]:
    """Weekly stocks by stage, placement and single year of age, the children turning 18 by
    stage, and each stage's stock after ageing (from which :func:`csc_model.solvers.engine.run_deterministic`
    works out the flows).

    ``method`` picks the solver: "years" (the fast one; only without the shift lever),
    "cohorts", or "auto" (years where it applies). Both give the same numbers.
    """
    if method not in SOLVERS:
        raise ValueError(f"method must be one of {', '.join(SOLVERS)}, not {method!r}")
    plan = _plan(st)
    if method == "years" and not _years_apply(plan):
        raise ValueError("the year-of-age solver does not apply: the placement-shift lever is on")
    res = _run_years(plan) if method != "cohorts" and _years_apply(plan) else _run_cohorts(plan)
    T, S = st.weeks, st.S
    cells = np.append(plan.main, st.po_placed)  # stage cell of each column of res.stage
    stock_stage = np.zeros((T, S))
    stock_stage[:, cells] = res.stage
    stock_place = np.zeros((T, st.P))
    stock_place[:, plan.perm] = res.place
    stock_place[:, st.pfa] += res.stage[:, -1]
    stock_age = res.age
    aged = np.zeros((T, S))
    aged[:, cells] = res.aged
    start = st.initial.sum(axis=(1, 2))
    after_ageing = np.vstack([start[None], stock_stage[:-1]]) - aged
    return {
        "stock_stage": stock_stage,
        "stock_place": stock_place,
        "stock_age": stock_age,
        "aged": aged,
        "after_ageing": after_ageing,
    }
