"""What a calibration gives back: the Calibration, and one record per rate and per kind of placement move."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from csc_model.scenario import Scenario

if TYPE_CHECKING:
    from csc_model.ssda903.rate_trends import RateTrend
    from csc_model.ssda903.trend import EntryTrend

BACKLOG_WEEKS = 50
"""Children in care proceedings longer than this on the start date count as the backlog."""
MIN_EVENTS = 10
"""Without credibility weighting (``prior_events=0``), a rate from fewer events than this keeps the base value."""
MIN_EXPOSURE_WEEKS = 52.0
"""Nor (without credibility weighting) a rate from fewer child-weeks at risk than this."""
PRIOR_EVENTS = 3.0
"""A legal-stage rate's or share's base-scenario value counts as this many events of evidence (:mod:`.credibility`):
half the weight with 3 events, a tenth with 27. Gamma-Poisson credibility puts it at ``1 / cv**2`` for rates that vary
between authorities by a coefficient of variation ``cv``: 3 is a spread of about 60% (an assumption: authorities' rates
differ by a factor of two or more). On small made-up returns whose rates are far from the base, it halves the error of
the former all-or-nothing rule of 10 events (tests/test_ssda903_credibility.py)."""
DEFAULT_WINDOW_WEEKS = 104
"""Weeks of data before the as-at date that rates are worked out from, unless told otherwise: chosen by back-tests on
authorities simulated by a process that is not the model (docs/model.md, "Choosing the calibration window")."""
PRIOR_CHILD_WEEKS = 520.0
"""A placement move's base-scenario rate counts as this many child-weeks of evidence (ten child-years)."""
MIN_SPELLS_FOR_SPREAD = 30
"""The Erlang order (from the spread of proceedings lengths) needs at least this many spells."""


@dataclass(frozen=True)
class Calibration:
    """The calibrated scenario and how each of its figures was worked out."""

    scenario: Scenario
    report: pd.DataFrame  # columns "Figure", "Value", "Worked out from"
    warnings: tuple[str, ...]
    as_at: dt.date
    children_in_care: int
    entrants: int
    window_weeks: int
    rates: tuple[RateFigure, ...] = ()  # the rates looked at (empty when rates are not calibrated)
    moves: tuple[MoveFigure, ...] = ()  # the kinds of placement move found (empty when moves are not calibrated)
    uasc_in_care: int | None = None  # of children_in_care, those seeking asylum alone (None: no UASC data given)
    uasc_entrants: int | None = None  # of entrants, the same
    entry_trend: EntryTrend | None = None  # the Poisson regression of entries (None: window under 2 years)
    notes: tuple[str, ...] = ()
    proceedings_by_issue: tuple[tuple[int, int, float], ...] = ()  # (financial year of issue, spells, median weeks)
    proceedings_trend: tuple[float, float] | None = (
        None  # (weeks a year, standard error) of that median  # what was merged or left out when reading (also among the warnings)
    )
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per figure worked out from events: path, kind, events, exposure_weeks, trials, base, value,
    weight_on_base, used. For drawing parameter uncertainty (Gamma for rates, Beta / Dirichlet for shares)."""
    rate_trends: tuple[RateTrend, ...] = ()
    """The yearly trend of each occurrence / exposure rate over the window (:mod:`.rate_trends`): reported only,
    the scenario keeps the window's average rate. Also on each :attr:`RateFigure.trend`."""

    def rate_trend_table(self) -> pd.DataFrame:
        """One row per rate trend: figure, path, what, events, exposure_weeks, years, annual_change (a fraction a
        year), annual_change_low, annual_change_high (its 95% interval) and verdict."""
        from csc_model.ssda903.rate_trends import trend_table

        return trend_table(self.rate_trends)


@dataclass(frozen=True)
class RateFigure:
    """One rate worked out from the episodes (totals only, nothing about any one child).

    ``estimate`` is what the data gave in the scenario's units, before any clipping (None if
    there was nothing to go on); ``value`` is what the calibrated scenario holds: the estimate
    shrunk towards ``base`` with weight ``weight_on_base`` (:mod:`.credibility`) and clipped to the
    allowed range if ``used``, else the base scenario's value.
    """

    path: str  # the scenario field, e.g. "s20.mean_weeks_to_return_home"
    label: str
    value: Any
    base: Any
    estimate: Any
    events: int
    exposure_weeks: float  # child-weeks at risk; 0 for figures from lengths of spells
    used: bool
    weight_on_base: float | None = None  # share of the value resting on the base value (None: 0 if used, else 1)
    prior_events: float = 0.0  # events the base value counted as (credibility weighting); 0: the data alone
    trend: RateTrend | None = None  # its yearly trend over the window, reported only (None: not an event rate)

    def __post_init__(self) -> None:
        if self.weight_on_base is None:
            object.__setattr__(self, "weight_on_base", 0.0 if self.used else 1.0)


@dataclass(frozen=True)
class MoveFigure:
    """One kind of placement move (from one placement type to another) found in the window or in the base scenario.

    ``events`` and ``exposure_weeks`` count only moves and child-weeks at ages from ``min_age`` to
    ``max_age``: the ages both placement types take, where the model applies the move.
    ``estimate`` is the yearly rate the data alone give (None: no child-weeks); ``value`` what the
    calibrated scenario holds: the credibility estimate, shrunk towards ``base`` with weight
    ``weight_on_base`` (None if it is 0: no move found and none in the base scenario).
    """

    from_type: str
    to_type: str
    label: str  # e.g. "Private children's home to Independent fostering agency (IFA)"
    events: int
    exposure_weeks: float
    min_age: int
    max_age: int
    estimate: float | None
    value: float | None
    used: bool
    base: float = 0.0  # the base scenario's yearly rate (0: it has no such move)
    weight_on_base: float = 0.0  # the share of the value resting on the base rate: k / (child-weeks + k)
    scaled: bool = False  # scaled down with the other moves out of the same type (they added up to over 100%)
