"""One rounding rule for every figure the project shows.

1. A figure is rounded once, to what the tables show: children to whole numbers, money to the
   nearest £1,000 (halves away from zero, as a budget paper would).
2. Every difference (a change from the baseline, a pressure = spend minus budget, a total) is
   taken between the rounded figures, so a table always adds up; a card or a sentence that
   writes money shorter (£38.1m, -£336k) rounds the table's figure, value or difference, again.
3. The briefing speaks in £0.1m: a difference it states is the difference of the two £0.1m
   figures it shows. Whether spend is over or under the budget always follows the £1,000
   figures, so the words never contradict a table ("£46k over: about in line with the budget").

The app's :mod:`app_lib.formatting` and the narrative use these functions; pure Python.
"""

from __future__ import annotations

import math

RULE = (
    "Every figure is rounded once: children to whole numbers, money to the nearest £1,000. Every difference "
    "(a change from the baseline, spend minus budget, a total) is worked out from those rounded figures, so "
    "the tables add up, and a card or sentence that writes money shorter (£38.1m) rounds the table's figure "
    "again. The briefing speaks in £0.1m: each difference it states is the difference of the £0.1m figures it "
    'shows. Over or under budget always follows the £1,000 figures: £46k over is "£46k over: about in line '
    'with the budget", never "in line".'
)


def _half_away(x: float) -> float:
    return math.copysign(math.floor(abs(x) + 0.5), x)


def whole(x: float) -> int:
    """A number of children as the tables show it (nearest whole number, as pandas rounds)."""
    return int(round(x)) or 0


def thousand(x: float) -> int:
    """Pounds to the nearest £1,000 (halves away from zero); never -0."""
    return int(_half_away(x / 1000.0)) * 1000 or 0 if x else 0


def tenth_m(x_gbp: float) -> float:
    """Pounds as the shorter headline figure: the £1,000 figure to the nearest £0.1m, in £m."""
    tenths = _half_away(thousand(x_gbp) / 100_000.0)
    return (tenths / 10.0) or 0.0


def pressure(spend_gbp: float, budget_gbp: float) -> int:
    """Spend minus budget as the table shows it: the difference of the two £1,000 figures."""
    return thousand(spend_gbp) - thousand(budget_gbp)


def difference_m(a_gbp: float, b_gbp: float) -> float:
    """``a - b`` between the two shorter (£0.1m) figures, in £m."""
    return round(tenth_m(a_gbp) - tenth_m(b_gbp), 1) or 0.0
