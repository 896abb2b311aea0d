"""One rounding rule for every figure the project shows.

1. A figure is rounded once, to what the tables show: children to whole numbers, money to the
   nearest £1,000 (halves away from zero, as a budget paper would).
2. Every difference (a change from the baseline, a pressure = spend minus budget, a total) is
   taken between the rounded figures, so a table always adds up; a card or a sentence that
   writes money shorter (£38.1m, -£336k) rounds the table's figure, value or difference, again.
3. The briefing and the cards speak in £0.1m: a difference they state is the table's difference
   (of the £1,000 figures) written to £0.1m, so a pressure or a change has one value on every page
   and in every export. It can be £0.1m away from the difference of two £0.1m figures shown beside
   it, as in any budget paper. Whether spend is over or under the budget always follows the
   £1,000 figures, so the words never contradict a table ("£46k over: about in line with the
   budget"); two figures level to £0.1m are never called £0.1m apart.

The app's :mod:`app_lib.formatting` and the narrative use these functions; pure Python.
"""

from __future__ import annotations

import math

RULE = (
    "Every figure is rounded once: children to whole numbers, money to the nearest £1,000. Every difference "
    "(a change from the baseline, spend minus budget, a total) is worked out from those rounded figures, so "
    "the tables add up, and a card or sentence that writes money shorter (£38.1m) rounds the table's figure "
    "again: a pressure of £3,476,000 is £3.5m on the Overview's card, in the briefing and on the slides, even where "
    "the spend and budget beside it are £42.2m and £38.8m. Over or under budget always follows the £1,000 figures: "
    '£46k over is "£46k over: about in line with the budget", never "in line".'
)


def _half_away(x: float) -> float:
    return math.copysign(math.floor(abs(x) + 0.5), x)


def whole(x: float) -> int:
    """A number of children as the tables show it (nearest whole number, as pandas rounds)."""
    return int(round(x)) or 0


def pound(x: float) -> int:
    """Pounds to the nearest £1 (halves away from zero, as Excel's £#,##0 shows £912.50: £913); never -0."""
    return int(_half_away(x)) or 0


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
    """``a - b`` as the tables give it (the difference of the two £1,000 figures), written to £0.1m, in £m."""
    return tenth_m(thousand(a_gbp) - thousand(b_gbp))
