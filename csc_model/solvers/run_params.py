"""Per-run parameters of the stochastic solver (parameter uncertainty) and the chance tables they give."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csc_model.solvers.structure import Structure


@dataclass(frozen=True)
class RunParams:
    """Per-run parameter multipliers for one block of ``R`` runs (parameter uncertainty).

    ``entries``: expected entries a week in each run, (T, R). ``stage``: multipliers on each
    legal-stage transition chance, (R, S, S + 5), by source cell and destination (stage cell
    or exit route); they change both how fast a stage ends and where children go, since the
    destination shares of every stage row are the same in every week. ``moves``: multipliers on
    each kind of placement move, (R, P, P). ``shift``: children moved by the placement-shift
    lever each week in each run, (T, R), or None for the scenario's. All ones and the scenario's
    entries give the scenario itself.
    """

    entries: np.ndarray
    stage: np.ndarray
    moves: np.ndarray
    shift: np.ndarray | None = None

    def block(self, lo: int, hi: int) -> RunParams:
        """The multipliers of runs ``lo`` to ``hi - 1``."""
        shift = None if self.shift is None else self.shift[:, lo:hi]
        return RunParams(self.entries[:, lo:hi], self.stage[lo:hi], self.moves[lo:hi], shift)


def run_tables(st: Structure, R: int, params: RunParams | None) -> dict[str, np.ndarray]:
    """Per-run chance tables for :func:`_chunk`: stage-event speed and destination CDF, moves, entries."""
    Q = st.stage_probs
    S, P = st.S, st.P
    n_dest = Q.shape[2]
    dm = np.ones((R, S, n_dest)) if params is None else params.stage
    mm = np.ones((R, P, P)) if params is None else params.moves
    tot = Q.sum(axis=0)  # (S, S + 5); each row's destination shares are the same every week
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(tot.sum(axis=1, keepdims=True) > 0, tot / tot.sum(axis=1, keepdims=True), 0.0)
    w = shares[None] * dm  # (R, S, S + 5)
    row = w.sum(axis=2)
    row = np.where(row > 0, row, 1.0)
    share_cum = np.cumsum(w, axis=2) / row[:, :, None]
    M = st.move_probs[None] * mm[:, None]  # (R, G, P, P)
    out = M.sum(axis=3, keepdims=True)
    M = np.where(out > 1.0, M / np.maximum(out, 1e-300), M)
    entries = st.entries_per_week[:, None] * np.ones((1, R)) if params is None else params.entries
    if params is None or params.shift is None:
        shift = st.shift_per_week[:, None] * np.ones((1, R))
    else:
        shift = params.shift
    return {
        "row": row,
        "share_cum": share_cum,
        "move_any": M.sum(axis=3),
        "move_cum": np.cumsum(M, axis=3),
        "entries": entries,
        "shift": shift,
    }
