"""Credibility weighting: a figure from few events leans on the base scenario's value, one from many on the data.

Each estimate is the mean of a conjugate posterior whose prior is the base scenario's value worth
a fixed amount of evidence (Gamma-Poisson for rates, Beta / Dirichlet for shares):

* a weekly rate from ``events`` over ``exposure`` child-weeks: ``(events + k * b) / (exposure + k)``,
  with ``b`` the base scenario's weekly rate, ``m`` the prior events and ``k = m / max(b, events /
  exposure)`` child-weeks: the child-weeks in which the higher of the two rates gives ``m``
  events. Where the data's rate is the lower, this is the Gamma-Poisson posterior mean (zero
  events over a long exposure give a small rate); where it is the higher, the plain weighted
  mean ``(events * data + m * base) / (events + m)``, so that a small base rate (which would
  count as very many child-weeks) cannot outweigh many events;
* a mean time from ``events`` spells or exits lasting ``total`` weeks in all:
  ``(total + m * base) / (events + m)``;
* a share from ``events`` out of ``trials``: ``(events + m * base) / (trials + m)`` (each outcome
  of a set of shares alike, so they still sum to 1).

With ``m`` prior events the weight on the base is ``m / (events + m)`` for a mean or a share and
``k / (exposure + k)`` for a rate: half when the data hold ``m`` events (or, for a rate below the
base, the child-weeks in which the base rate expects ``m``), a few per cent with a hundred or more.
``m`` is :data:`~.figures.PRIOR_EVENTS`; ``m = 0`` is the data alone.

Placement moves use the same rate formula with a fixed number of child-weeks instead
(:func:`shrunk_weekly`, :data:`~.figures.PRIOR_CHILD_WEEKS`), since a move's base rate may be 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from csc_model.ssda903.figures import PRIOR_CHILD_WEEKS


def shrunk_weekly(events: float, exposure_weeks: float, base_weekly: float, prior_weeks: float) -> float:
    """Credibility (Gamma-Poisson) weekly rate: ``(events + k * base) / (exposure + k)`` with ``k`` prior child-weeks.

    The base rate counts as ``k`` child-weeks of evidence: with little exposure the rate stays near the
    base, with much it follows the data; zero events over a long exposure give a small rate.
    """
    return (events + prior_weeks * base_weekly) / (exposure_weeks + prior_weeks)


@dataclass(frozen=True)
class Counts:
    """What a figure was worked out from, for :func:`credible`.

    ``kind``: ``"rate"`` (a yearly share from ``events`` over ``total`` child-weeks at risk),
    ``"mean"`` (a mean time: ``total`` weeks over ``events`` exits or spells) or ``"share"``
    (``events`` out of ``total`` trials).
    """

    kind: Literal["rate", "mean", "share"]
    events: float
    total: float


def credible(c: Counts, base: float, prior_events: float) -> tuple[float | None, float]:
    """The credibility estimate of a figure and the weight it puts on ``base`` (0 to 1).

    ``base`` is in the figure's own units (a yearly share for ``"rate"``, weeks for ``"mean"``,
    a share for ``"share"``). Returns ``(None, 0.0)`` when there is nothing to go on without a
    prior (``prior_events == 0`` and no events), and ``(base, 1.0)`` when the data hold nothing.
    """
    m = float(prior_events)
    if c.kind == "rate":
        if c.total <= 0:
            return base, 1.0
        b = 1.0 - (1.0 - min(max(base, 0.0), 1.0)) ** (1 / 52)
        top = max(b, c.events / c.total)  # the base's m events counted at the higher of its rate and the data's
        prior_weeks = m / top if top > 0 else (PRIOR_CHILD_WEEKS if m > 0 else 0.0)
        weekly = min(shrunk_weekly(c.events, c.total, b, prior_weeks), 1.0)
        return 1.0 - (1.0 - weekly) ** 52, prior_weeks / (c.total + prior_weeks)
    if c.events + m <= 0:
        return (None, 0.0) if c.total > 0 else (base, 1.0)
    if c.kind == "mean" and c.events == 0 and c.total <= 0:
        return base, 1.0
    if c.kind == "share" and c.total <= 0:
        return base, 1.0
    weight = m / (c.events + m) if c.kind == "mean" else m / (c.total + m)
    num = c.total if c.kind == "mean" else c.events
    den = c.events if c.kind == "mean" else c.total
    return (num + m * base) / (den + m), weight
