"""Poisson regression of counts on time (and the season): the level and yearly trend of entries, with
standard errors. A small iteratively reweighted least squares fit (numpy only)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

BIN_DAYS = 28
"""Counts are taken in 4-week bins counted back from the as-at date (13 a year)."""
MIN_YEARS_FOR_TREND = 2.0
"""A yearly trend is estimated only from a window of at least this many years."""
MIN_YEARS_FOR_SEASON = 2.0
"""So is a season (one yearly wave, peak and trough)."""


@dataclass(frozen=True)
class EntryTrend:
    """What the Poisson regression of the entries gave. Rates are children a week; trend is a yearly change.

    ``weekly_rate`` is the level at the as-at date (over a whole year of seasons), ``annual_trend``
    the compounding yearly change ``exp(slope) - 1``; each with its standard error (scaled up by the
    overdispersion when the counts vary more than a Poisson count would). ``season_peak_month`` and
    ``season_ratio`` (peak over trough) describe the yearly wave; ``season_p`` is the p-value of a
    test that there is none.
    """

    weekly_rate: float
    weekly_rate_se: float
    annual_trend: float
    annual_trend_se: float
    events: int
    bins: int
    bin_days: int
    years: float
    dispersion: float
    season_peak_month: int | None = None
    season_ratio: float | None = None
    season_p: float | None = None

    def trend_interval(self) -> tuple[float, float]:
        """A 95% interval of the yearly trend."""
        return self.annual_trend - 1.96 * self.annual_trend_se, self.annual_trend + 1.96 * self.annual_trend_se


def poisson_fit(y: np.ndarray, x: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, their covariance (scaled by the dispersion if above 1) and the dispersion of a Poisson
    regression ``log E[y] = offset + x @ beta``, fitted by iteratively reweighted least squares."""
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(max(y.sum(), 0.5) / np.exp(offset).sum())
    for _ in range(50):
        eta = offset + x @ beta
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        xtw = x.T * mu
        new = np.linalg.solve(xtw @ x, xtw @ z)
        done = np.max(np.abs(new - beta)) < 1e-10
        beta = new
        if done:
            break
    mu = np.exp(offset + x @ beta)
    cov = np.linalg.inv((x.T * mu) @ x)
    df = max(len(y) - x.shape[1], 1)
    dispersion = float(np.sum((y - mu) ** 2 / mu) / df)
    return beta, cov * max(dispersion, 1.0), dispersion


def entry_trend(dates: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp) -> EntryTrend | None:
    """Level, yearly trend and season of the entries whose start ``dates`` fall in (lo, hi]; None if the
    window is shorter than :data:`MIN_YEARS_FOR_TREND` years or has no entry."""
    years = (hi - lo).days / 365.25
    if years < MIN_YEARS_FOR_TREND or len(dates) == 0:
        return None
    n_bins = int((hi - lo).days // BIN_DAYS)
    back = ((hi - dates).dt.days // BIN_DAYS).to_numpy()  # 0: the last 4 weeks before hi
    back = back[(back >= 0) & (back < n_bins)]
    y = np.bincount(back, minlength=n_bins)[::-1].astype(float)  # oldest first
    mid_back = (np.arange(n_bins)[::-1] + 0.5) * BIN_DAYS  # days before hi of each bin's middle
    t = -mid_back / 365.25  # years, 0 at the as-at date
    mids = hi - pd.to_timedelta(mid_back, unit="D")
    phase = 2 * np.pi * (mids.day_of_year.to_numpy() / 365.25)
    season = years >= MIN_YEARS_FOR_SEASON
    cols = [np.ones(n_bins), t] + ([np.sin(phase), np.cos(phase)] if season else [])
    x = np.column_stack(cols)
    offset = np.full(n_bins, math.log(BIN_DAYS))
    beta, cov, dispersion = poisson_fit(y, x, offset)
    grid = 2 * np.pi * np.arange(365) / 365.25
    wave = np.exp(beta[2] * np.sin(grid) + beta[3] * np.cos(grid)) if season else np.ones(1)
    per_day = math.exp(beta[0]) * float(wave.mean())
    weekly = 7 * per_day
    out = dict(
        weekly_rate=weekly,
        weekly_rate_se=weekly * math.sqrt(cov[0, 0]),
        annual_trend=math.exp(beta[1]) - 1,
        annual_trend_se=math.exp(beta[1]) * math.sqrt(cov[1, 1]),
        events=int(y.sum()),
        bins=n_bins,
        bin_days=BIN_DAYS,
        years=n_bins * BIN_DAYS / 365.25,
        dispersion=dispersion,
    )
    if season:
        b = beta[2:4]
        wald = float(b @ np.linalg.solve(cov[2:4, 2:4], b))
        peak_day = int(np.argmax(wave))
        out.update(
            season_peak_month=int((pd.Timestamp(2001, 1, 1) + pd.Timedelta(days=peak_day)).month),
            season_ratio=float(wave.max() / wave.min()),
            season_p=math.exp(-wald / 2),  # chi-squared with 2 degrees of freedom
        )
    return EntryTrend(**out)
