"""Reference deterministic solver: the straightforward version the engine started with.

It shifts the whole (stage, placement, age) array every week and applies the placement
moves to every stage, age group by age group. ``csc_model.solvers.engine.run_deterministic`` does
the same arithmetic in a faster layout; tests/test_solver_equivalence.py checks that the two
agree on the default scenario and on hundreds of random valid scenarios.
"""

from __future__ import annotations

import numpy as np

from csc_model.solvers.engine import N_GROUPS, OUT, Raw
from csc_model.solvers.structure import AGE_WEEKS, EXIT_ROUTES, R_AGE18, Structure


def run_deterministic_reference(st: Structure) -> Raw:
    """The first deterministic solver, kept unchanged as the reference for the fast one."""
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

    stock_stage = np.empty((T, 1, S))
    stock_place = np.empty((T, 1, P))
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
        Qs = Qt[:, :S] + np.diag(stay)
        Qs[PO_A, PO_P] = 0.0  # these children also change placement: added below
        new = Qs.T @ X2
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
        if c > 0:  # only children of an age the target placement type admits
            a0, a1 = st.shift_ages
            avail = X[not_placed, f, a0:a1].sum()
            if avail > 0:
                frac = min(1.0, c / avail)
                moved = X[not_placed, f, a0:a1] * frac
                X[not_placed, f, a0:a1] -= moved
                X[not_placed, to, a0:a1] += moved
        # 4. entries
        X += entries[t, 0] * dist
        flows[t, 0, OUT, :] += entries[t, 0] * dist_group
        sp = X.sum(axis=2)
        stock_stage[t, 0] = sp.sum(axis=1)
        stock_place[t, 0] = sp.sum(axis=0)
        stock_age[t] = X.sum(axis=(0, 1)).reshape(18, 52).sum(axis=1)
    # Within-group moves (e.g. between proceedings phases) are not flows between groups.
    idx = np.arange(N_GROUPS + 1)
    flows[:, :, idx, idx] = 0.0
    return Raw(stock_stage, stock_place, stock_age, entries, exits, flows, st.initial.sum(axis=2)[None], False)
