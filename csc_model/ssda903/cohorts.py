"""How long care proceedings last by the cohort's issue date (financial year the spell began), so that a
lengthening or shortening trend is seen. Spells still open are counted as lasting at least until the
as-at date (Kaplan-Meier), so recent cohorts are not made to look short."""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_SPELLS_PER_COHORT = 10
"""A cohort with fewer spells than this is not reported."""


def km_median(weeks: np.ndarray, ended: np.ndarray) -> float | None:
    """The Kaplan-Meier median length (None if fewer than half have ended)."""
    order = np.argsort(weeks, kind="stable")
    w, e = weeks[order], ended[order]
    at_risk = len(w)
    surv = 1.0
    for t in np.unique(w):
        here = w == t
        d = int(e[here].sum())
        if d:
            surv *= 1 - d / at_risk
            if surv <= 0.5:
                return float(t)
        at_risk -= int(here.sum())
    return None


def proceedings_by_cohort(
    issue: pd.Series, end: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp
) -> tuple[list[tuple[int, int, float]], float | None, float | None]:
    """Per financial year of issue in the window (cohorts with enough spells and a median reached):
    (first year, spells, median weeks); and the trend of the median in weeks a year with its standard error
    (weighted least squares by spells; None with fewer than three cohorts)."""
    keep = (issue > lo) & (issue <= hi)
    issue, end = issue[keep], end[keep]
    ended = (end.notna() & (end <= hi)).to_numpy()
    weeks = ((end.where(ended, hi) - issue).dt.days / 7).to_numpy(dtype=float)
    fy = np.where(issue.dt.month >= 4, issue.dt.year, issue.dt.year - 1)
    out: list[tuple[int, int, float]] = []
    for year in sorted(set(fy)):
        here = fy == year
        if here.sum() < MIN_SPELLS_PER_COHORT:
            continue
        med = km_median(weeks[here], ended[here])
        if med is not None:
            out.append((int(year), int(here.sum()), med))
    if len(out) < 3:
        return out, None, None
    x = np.array([c[0] for c in out], dtype=float)
    y = np.array([c[2] for c in out])
    wts = np.array([c[1] for c in out], dtype=float)
    xm = np.average(x, weights=wts)
    ym = np.average(y, weights=wts)
    sxx = float(np.sum(wts * (x - xm) ** 2))
    slope = float(np.sum(wts * (x - xm) * (y - ym)) / sxx)
    resid = y - ym - slope * (x - xm)
    s2 = float(np.sum(wts * resid**2) / (len(out) - 2))
    return out, slope, float(np.sqrt(s2 / sxx))
