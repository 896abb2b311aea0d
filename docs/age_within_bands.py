"""How the ages inside each published age band move the later years: the figures behind docs/published.md.

Run from the repository root (about two minutes on two cores)::

    python docs/age_within_bands.py

The model spreads each age band's children (under 1, 1-4, 5-9, 10-15, 16-17) evenly over the band's
weeks of age (``csc_model.solvers.structure._age_weights``). In England there are more 15-year-olds in
care than 10-year-olds, so the even spread puts too few children near 18 two to five years ahead:
leavers at 18 fall after the second year and the count rises. This script compares that spread with
an experiment that is not part of the model: a smooth spread (a monotone PCHIP curve through the
bands' cumulative shares, each band keeping its share exactly). For the defaults and for every
authority with figures at 31 March 2024 it prints the children in care, England's leavers at 18 year
by year, and the median change in children in care from the second year's end to the fifth's.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.interpolate import PchipInterpolator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from csc_model import default_scenario  # noqa: E402
from csc_model.published import authorities, build_scenario  # noqa: E402
from csc_model.reporting.results import project  # noqa: E402
from csc_model.solvers import structure  # noqa: E402

EVEN = structure._age_weights


def smooth(shares: dict[str, float]) -> np.ndarray:
    """Weights by week of age from band shares, along a monotone curve through the cumulative shares."""
    edges, cum = [0.0], [0.0]
    for band in structure.AGE_BANDS:
        _lo, hi = structure.AGE_BAND_YEARS[band]
        edges.append((hi + 1) * 52.0)
        cum.append(cum[-1] + shares.get(band, 0.0))
    curve = PchipInterpolator(np.array(edges), np.array(cum))
    w = np.clip(np.diff(curve(np.arange(structure.AGE_WEEKS + 1, dtype=float))), 0.0, None)
    for band in structure.AGE_BANDS:  # each band keeps its share exactly
        lo, hi = structure.AGE_BAND_YEARS[band]
        a0, a1 = lo * 52, (hi + 1) * 52
        total, share = w[a0:a1].sum(), shares.get(band, 0.0)
        w[a0:a1] = w[a0:a1] * (share / total) if total > 0 else share / (a1 - a0)
    return w


def measure(weights: Callable[[dict[str, float]], np.ndarray], label: str) -> None:
    structure._age_weights = weights
    base = default_scenario()
    fy = project(base).table("fy")
    print(f"{label}: the defaults, children in care at 31 March {fy['children_in_care'].round().astype(int).tolist()}")
    leavers, changes = np.zeros(len(fy)), []
    for a in authorities():
        if 2024 not in a.years:
            continue
        t = project(build_scenario(a.code, dt.date(2024, 3, 31), base)[0]).table("fy")
        leavers = leavers + t["exits_age_18"].to_numpy()[: len(leavers)]
        changes.append(t["children_in_care"].iloc[4] / t["children_in_care"].iloc[1] - 1)
    q = statistics.quantiles(changes, n=4)
    print(f"{label}: England's leavers at 18 by year {np.round(leavers).astype(int).tolist()}")
    print(
        f"{label}: median change, year 2 to 5, {statistics.median(changes):+.1%} (quartiles {q[0]:+.1%}, {q[2]:+.1%})"
    )


if __name__ == "__main__":
    measure(EVEN, "even within bands (the model)")
    measure(smooth, "smooth within bands (experiment)")
    structure._age_weights = EVEN
