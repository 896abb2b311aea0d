"""Starting position, entries and rates from a local authority's SSDA903 return.

The SSDA903 return is the child-level data every English local authority sends to DfE: a
header table (one row per child: CHILD, SEX, DOB, ...) and an episodes table (one row per
episode of care: CHILD, DECOM start date, RNE reason for new episode, LS legal status, CIN,
PLACE placement code, PLACE_PROVIDER, DEC end date, REC reason ceased, ...).

:func:`calibrate` works out, from those two tables, the figures of a scenario that describe
where the authority starts: children in care on a date by legal stage, age band and
placement type, the children already over 50 weeks in care proceedings, and the children
who started to be looked after in the weeks before (rate, ages, section 20 share, first
placement). Unless told not to, it also works out the rates at which children move between
legal stages and leave care over the same weeks, by occurrence / exposure: events divided by
the child-weeks at risk, each child counted in the legal stage they were in. A child's period
of care is a chain of episodes: an episode followed by one starting the same day (usually
REC X1) is a change within care, not leaving care. Prices and the budget are kept from the
base scenario; each rate is shrunk towards the base scenario's value in proportion to the
evidence (:mod:`.credibility`: the base counts as a few events, so a rate from few events leans
on it and one from many follows the data). Each figure is reported with what it was worked out
from and its weight on the base.

Unless told not to, it also works out the usual moves between placement types
(``placements.moves``): a move is an episode followed the same day by one of the same child in
another placement type; its yearly rate is the moves divided by the child-weeks in the type
they left, counted only at the ages both types take (as the model applies it), shrunk towards
the base scenario's rate in proportion to the evidence (:mod:`.moves`). Moves into or out of
"placed for adoption" belong to the placement-order stage and are not counted.

With a window of two years or more, the entries' level and yearly trend come from a Poisson
regression (:mod:`.trend`); so is each legal-stage rate's yearly trend, reported but never applied
(:mod:`.rate_trends`, :attr:`Calibration.rate_trends`). The tables may be several yearly returns stacked, may hold several
authorities (one is chosen, never added), and may come with the optional UASC table
(:mod:`.checks`). :attr:`Calibration.evidence` holds the events and exposure of every figure.

One module per step: ``reading`` (files to checked tables), ``checks`` (across tables: returns,
authorities, repeats, impossible dates, UASC), ``codes``, ``starting`` (starting position),
``entries``, ``trend``, ``chain`` (episodes into periods of care), ``rates``, ``rate_trends``, ``cohorts``,
``moves``, ``credibility`` (shrinking towards the base), ``example`` (made-up data),
``calibrate`` (the steps put together) and ``actuals`` (children in care by month, to draw
beside a projection).

How codes map onto the model is configuration: ``data/ssda903_placement_codes.csv``,
``data/ssda903_legal_status.csv`` and ``data/ssda903_reasons_ceased.csv``.

The tables are personal data. This package only reads what it is given, in memory: it never
writes a file, logs the data or keeps it after a call returns.
"""

from __future__ import annotations

from csc_model.ssda903.actuals import children_in_care_by_month
from csc_model.ssda903.calibrate import calibrate
from csc_model.ssda903.checks import authorities, year_end
from csc_model.ssda903.codes import PRIVATE_PROVIDERS, ROUTES, legal_status_codes, placement_codes, reasons_ceased
from csc_model.ssda903.example import ExampleRates, example_files, example_tables, yearly_returns
from csc_model.ssda903.figures import (
    BACKLOG_WEEKS,
    DEFAULT_WINDOW_WEEKS,
    MIN_EVENTS,
    MIN_EXPOSURE_WEEKS,
    MIN_SPELLS_FOR_SPREAD,
    PRIOR_CHILD_WEEKS,
    PRIOR_EVENTS,
    Calibration,
    MoveFigure,
    RateFigure,
)
from csc_model.ssda903.rate_trends import RateTrend, rate_trend
from csc_model.ssda903.reading import ALIASES, DATES, MAX_LISTED, REQUIRED, SSDA903Error, default_as_at, read_table
from csc_model.ssda903.trend import EntryTrend, entry_trend, poisson_fit

__all__ = [
    "ALIASES",
    "BACKLOG_WEEKS",
    "DEFAULT_WINDOW_WEEKS",
    "DATES",
    "MAX_LISTED",
    "MIN_EVENTS",
    "MIN_EXPOSURE_WEEKS",
    "MIN_SPELLS_FOR_SPREAD",
    "PRIOR_CHILD_WEEKS",
    "PRIOR_EVENTS",
    "PRIVATE_PROVIDERS",
    "REQUIRED",
    "ROUTES",
    "Calibration",
    "EntryTrend",
    "authorities",
    "entry_trend",
    "poisson_fit",
    "year_end",
    "ExampleRates",
    "MoveFigure",
    "RateFigure",
    "RateTrend",
    "rate_trend",
    "SSDA903Error",
    "calibrate",
    "children_in_care_by_month",
    "default_as_at",
    "example_files",
    "example_tables",
    "yearly_returns",
    "legal_status_codes",
    "placement_codes",
    "read_table",
    "reasons_ceased",
]
