"""The starting position of stochastic runs: the children in care on the start date, as whole children.

The starting position is known, not a matter of chance, so every run starts from the same list.
"""

from __future__ import annotations

import numpy as np

from csc_model.solvers.structure import Structure, _band_of_age_weeks


def _largest_remainder(w: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to ``total``, each within 1 of ``w * total / w.sum()`` (largest remainders)."""
    w = np.asarray(w, dtype=float).reshape(-1)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.size, dtype=np.int64)
    exact = w * (total / w.sum())
    n = np.floor(exact + 1e-9).astype(np.int64)
    short = total - int(n.sum())
    if short > 0:
        order = np.argsort(-(exact - n), kind="stable")
        n[order[:short]] += 1
    return n


def _spread(n: np.ndarray) -> np.ndarray:
    """Labels 0..len(n)-1, label i ``n[i]`` times, interleaved evenly (label i at (j + 0.5) / n[i])."""
    labels = np.repeat(np.arange(n.size), n)
    pos = np.concatenate([(np.arange(m) + 0.5) / m for m in n if m > 0]) if n.sum() else np.zeros(0)
    return labels[np.argsort(pos, kind="stable")]


def _quantiles(w: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices of ``w`` at the mid-points of equal slices of its distribution (deterministic)."""
    cdf = np.cumsum(w) / w.sum()
    return np.minimum(np.searchsorted(cdf, (np.arange(n) + 0.5) / n, side="right"), w.size - 1)


def starting_children(st: Structure) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The children on the start date as whole numbers: legal-stage cell, placement, age in weeks.

    The starting position is known, not a matter of chance, so every stochastic run starts
    from this one list. Counts by legal stage (s20, proceedings, backlog, placement order
    awaiting / placed, care order) and by placement type and age band are the scenario's,
    rounded by largest remainders where they are fractional; the stages are spread evenly
    over the placement-and-age cells (the scenario gives no link between them), proceedings
    evenly over the Erlang phases, and ages at the mid-points of each cell's age mix.
    """
    X0 = st.initial
    S, P, A = X0.shape
    k, po_p = st.k, st.po_placed
    blocks = [[0], list(range(1, k + 1)), [k + 1], [k + 2], [k + 3], [k + 4]]
    totals = np.array([X0[c].sum() for c in blocks])
    n_block = _largest_remainder(totals, int(round(totals.sum())))
    stages, places, ages = [], [], []
    # children placed for adoption (placement order): their own placement and age mix
    ib = [i for i, c in enumerate(blocks) if c == [po_p]][0]
    if n_block[ib]:
        cells = _quantiles(X0[po_p].reshape(-1), int(n_block[ib]))
        stages.append(np.full(cells.size, po_p))
        places.append(cells // A)
        ages.append(cells % A)
    rest = [i for i in range(len(blocks)) if i != ib]
    n_rest = int(n_block[rest].sum())
    if n_rest:
        band = _band_of_age_weeks()
        nb = int(band.max()) + 1
        C = sum(X0[c] for i in rest for c in blocks[i])  # (P, A)
        by_pb = C @ (band[:, None] == np.arange(nb)[None, :])  # (P, bands)
        n_pb = _largest_remainder(by_pb, n_rest).reshape(P, nb)
        for p in range(P):
            for b in range(nb):
                m = int(n_pb[p, b])
                if m:
                    w = np.where(band == b, C[p], 0.0)
                    w = w if w.sum() > 0 else (band == b).astype(float)
                    places.append(np.full(m, p))
                    ages.append(_quantiles(w, m))
        block_of = np.asarray(rest)[_spread(n_block[rest])]
        cell = np.empty(n_rest, dtype=np.int64)
        for i in rest:
            sel = np.flatnonzero(block_of == i)
            cs = np.asarray(blocks[i])
            wts = np.array([X0[c].sum() for c in cs])
            cell[sel] = cs[_spread(_largest_remainder(wts, sel.size))] if wts.sum() > 0 else cs[0]
        stages.append(cell)
    if not places:
        return np.zeros(0, np.int8), np.zeros(0, np.int8), np.zeros(0, np.int16)
    stage = np.concatenate(stages).astype(np.int8)
    place = np.concatenate(places).astype(np.int8)
    age = np.concatenate(ages).astype(np.int16)
    return stage, place, age
