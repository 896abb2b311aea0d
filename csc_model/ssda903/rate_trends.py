"""Is each legal-stage rate rising or falling over the calibration window? Reported, never applied.

Each rate worked out as occurrence / exposure (events over child-weeks at risk: going home from
section 20, moving into proceedings, being placed for adoption, adoption, leaving a care order by
each route) is split into 52-week years counted back from the as-at date (the oldest part-year
keeps its own child-weeks). A log-linear Poisson model, ``log E[events] = log(child-weeks) + a +
b * year``, gives the yearly change ``exp(b) - 1`` with a 95% interval (the standard error scaled
up when the years vary more than Poisson counts would). The scenario keeps the window's average
rate: a trend seen over a few years is a warning to read, not a forecast to extrapolate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csc_model.ssda903.trend import poisson_fit

YEAR_DAYS = 364
"""The rates are split into 52-week years counted back from the as-at date."""
MIN_YEARS = 2
"""A trend needs at least this many whole 52-week years in the window."""
MIN_EVENTS_FOR_TREND = 20
"""A trend needs at least this many events in the window (and events in at least two years)."""
Z = 1.96
"""The interval is a 95% one."""
RISING, FALLING, FLAT = "rising", "falling", "no clear trend"
TOO_FEW = "too few events or too short a window to say"

WHAT_HAPPENS = {
    "s20.mean_weeks_to_return_home": "Children under section 20 going home",
    "s20.annual_share_to_proceedings": "Children under section 20 moving into care proceedings",
    "placement_order.mean_weeks_to_placement": "Children on a placement order being placed for adoption (or moving on)",
    "placement_order.mean_weeks_placed_to_order": "Children placed for adoption being adopted",
    "care_order.annual_discharge_home": "Care orders ending with the child going home",
    "care_order.annual_sgo": "Children leaving a care order for special guardianship or a child arrangements order",
    "care_order.annual_other": "Children leaving a care order for another reason",
}
"""What each rate counts, in plain words (a rising rate: it happens more often per child in the stage)."""


@dataclass(frozen=True)
class RateTrend:
    """The yearly trend of one occurrence / exposure rate over the window (reported only).

    ``by_year`` holds (events, child-weeks) for each 52-week year, oldest first; ``annual_change`` is
    the compounding yearly change of the rate per child-week (0.15: 15% more a year), ``low`` and
    ``high`` its 95% interval; all three None when ``verdict`` is :data:`TOO_FEW`.
    """

    path: str
    label: str
    events: int
    exposure_weeks: float
    years: int
    by_year: tuple[tuple[int, float], ...]
    annual_change: float | None
    low: float | None
    high: float | None
    dispersion: float | None
    verdict: str

    @property
    def what(self) -> str:
        """What the rate counts, in plain words."""
        return WHAT_HAPPENS.get(self.path, self.label)

    def sentence(self) -> str:
        """The trend in one plain sentence."""
        if self.annual_change is None or self.low is None or self.high is None:
            return (
                f"{TOO_FEW[0].upper()}{TOO_FEW[1:]} ({self.events:,} events over {self.years} whole 52-week "
                f"year{'' if self.years == 1 else 's'}; a trend needs at least {MIN_EVENTS_FOR_TREND} events and "
                f"{MIN_YEARS} years)"
            )
        size = f"{abs(self.annual_change):.0%} {'more' if self.annual_change >= 0 else 'less'} often a year"
        return (
            f"{self.verdict[0].upper()}{self.verdict[1:]}: about {size} per child at risk "
            f"(95% interval {self.low:+.0%} to {self.high:+.0%}), from {self.events:,} events over {self.years} years"
        )


def rate_trend(
    path: str,
    label: str,
    start: pd.Series,
    end: pd.Series,
    event_dates: pd.Series,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
) -> RateTrend:
    """The trend of one rate: child-weeks at risk from ``start`` to ``end`` (already clipped to the
    window) and events on ``event_dates`` (in (lo, hi]), split into 52-week years back from ``hi``."""
    days = (hi - lo).days
    n_blocks = max(1, math.ceil(days / YEAR_DAYS))
    whole = days // YEAR_DAYS
    s, t = start.to_numpy(dtype="datetime64[ns]"), end.to_numpy(dtype="datetime64[ns]")
    hi64 = np.datetime64(hi.to_datetime64(), "ns")
    day = np.timedelta64(1, "D")
    exposure = np.zeros(n_blocks)
    mids = np.zeros(n_blocks)
    for j in range(n_blocks):  # block j: the j-th 52-week year back from hi (0: the latest)
        b_hi = hi64 - j * YEAR_DAYS * day
        b_lo = max(hi64 - (j + 1) * YEAR_DAYS * day, np.datetime64(lo.to_datetime64(), "ns"))
        overlap = (np.minimum(t, b_hi) - np.maximum(s, b_lo)) / day
        exposure[j] = float(np.clip(overlap, 0, None).sum()) / 7
        mids[j] = -((hi64 - b_hi) + (hi64 - b_lo)) / day / 2 / 365.25  # years before hi (negative)
    back = ((hi - event_dates).dt.days // YEAR_DAYS).to_numpy()
    back = back[(back >= 0) & (back < n_blocks)]
    events = np.bincount(back.astype(int), minlength=n_blocks).astype(float)
    by_year = tuple((int(events[j]), float(exposure[j])) for j in reversed(range(n_blocks)))
    n = int(events.sum())
    out = dict(
        path=path, label=label, events=n, exposure_weeks=float(exposure.sum()), years=int(whole), by_year=by_year
    )
    keep = exposure > 0
    if whole < MIN_YEARS or n < MIN_EVENTS_FOR_TREND or int((events[keep] > 0).sum()) < 2:
        return RateTrend(**out, annual_change=None, low=None, high=None, dispersion=None, verdict=TOO_FEW)
    x = np.column_stack([np.ones(int(keep.sum())), mids[keep]])
    beta, cov, dispersion = poisson_fit(events[keep], x, np.log(exposure[keep]))
    slope, se = float(beta[1]), float(math.sqrt(cov[1, 1]))
    low, high = math.exp(slope - Z * se) - 1, math.exp(slope + Z * se) - 1
    verdict = RISING if low > 0 else FALLING if high < 0 else FLAT
    return RateTrend(
        **out, annual_change=math.exp(slope) - 1, low=low, high=high, dispersion=dispersion, verdict=verdict
    )


def trend_rows(trends: list[RateTrend], window_txt: str) -> list[tuple[str, str, str]]:
    """Rows of the calibration report, one per rate: "Trend: <label>", the yearly change, how it was found."""
    rows = []
    for tr in trends:
        value = TOO_FEW if tr.annual_change is None else f"{tr.annual_change:+.0%} a year ({tr.verdict})"
        counts = "; ".join(f"{n:,} in {w:,.0f}" for n, w in tr.by_year)
        rows.append(
            (
                f"Trend: {tr.label}",
                value,
                f"{tr.what}, events in child-weeks at risk by 52-week year of {window_txt}, oldest first: {counts}. "
                f"{tr.sentence()}. Reported only: the scenario keeps the window's average rate",
            )
        )
    return rows


TABLE_COLUMNS = [
    "figure",
    "path",
    "what",
    "events",
    "exposure_weeks",
    "years",
    "annual_change",
    "annual_change_low",
    "annual_change_high",
    "verdict",
]
"""Columns of :func:`trend_table` (changes are fractions a year; the interval is 95%)."""


def trend_table(trends: tuple[RateTrend, ...] | list[RateTrend]) -> pd.DataFrame:
    """One row per rate trend, with :data:`TABLE_COLUMNS` (numbers, for a CSV)."""
    rows = [
        [
            t.label,
            t.path,
            t.what,
            t.events,
            t.exposure_weeks,
            t.years,
            t.annual_change,
            t.low,
            t.high,
            t.verdict,
        ]
        for t in trends
    ]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)
