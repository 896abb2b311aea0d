"""Placement moves: occurrence / exposure of moves between placement types over the window, each shrunk
towards the base scenario's rate in proportion to the evidence (a credibility, or Gamma-Poisson, estimate)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from csc_model.scenario import Scenario
from csc_model.ssda903.chain import _in_window, _risk_span
from csc_model.ssda903.common import _n
from csc_model.ssda903.credibility import shrunk_weekly
from csc_model.ssda903.figures import PRIOR_CHILD_WEEKS, MoveFigure
from csc_model.ssda903.reading import MAX_LISTED

LEANS_ON_BASE = 0.5
"""A move whose weight on the base scenario is at least this is named in a warning."""


@dataclass
class _Moves:
    changes: dict[str, object]
    rows: list[tuple[str, str, str]]
    warnings: list[str]
    figures: list[MoveFigure]


def _calibrate_moves(
    e: pd.DataFrame,
    base: Scenario,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    win_txt: str,
    types: dict,
    prior_weeks: float = PRIOR_CHILD_WEEKS,
) -> _Moves:
    """``placements.moves`` from the episodes chained by :func:`_chain`.

    A move is an episode followed the same day by one of the same child (care goes on) in a
    different placement type, neither of them "placed for adoption" (that is the placement
    order's own flow). For each kind of move found, and each the base scenario has, the moves in the
    window and the child-weeks in ``from`` in the window (clipped as the other rates: window, 18th
    birthday, next episode) are counted, only at the ages both types take, since the model moves a
    child only into a type that takes their age (structure.py). The weekly rate is the credibility
    estimate :func:`shrunk_weekly` towards the base scenario's weekly rate (0 for a kind of move it
    does not have), and ``1 - (1 - weekly)^52`` the yearly rate.
    """
    out = _Moves({}, [], [], [])
    base_rate = {(m.from_type, m.to_type): m.annual_rate for m in base.placements.moves}
    label = {t: types[t].label if t in types else t for t in set(e["ptype"]) | set(types)}
    start, end = _risk_span(e, lo, hi)
    win = _in_window(e, lo, hi)
    nxt = e["ptype"].shift(-1).where(e["cont"])
    changed = e["cont"] & nxt.ne(e["ptype"])
    adoption = changed & (e["pfa"] | e["next_pfa"])
    move = changed & ~adoption & win
    same_type = e["cont"] & nxt.eq(e["ptype"]) & win
    n_adoption = int((adoption & win).sum())
    birthdays: dict[int, pd.Series] = {}

    def birthday(years: int) -> pd.Series:
        if years not in birthdays:
            birthdays[years] = e["dob"] + pd.DateOffset(years=years)
        return birthdays[years]

    order = {t: i for i, t in enumerate(types)}
    found = set(zip(e.loc[move, "ptype"], nxt[move], strict=True))
    pairs = sorted(found | set(base_rate), key=lambda p: (order.get(p[0], len(order)), order.get(p[1], len(order))))
    wrong_age: dict[str, int] = {}
    exposure_cache: dict[tuple[str, int, int], float] = {}
    for f, t in pairs:
        a0 = max(types[f].min_age if f in types else 0, types[t].min_age if t in types else 0)
        a1 = min(types[f].max_age if f in types else 17, types[t].max_age if t in types else 17)
        lower, upper = birthday(a0), birthday(a1 + 1)
        this = move & e["ptype"].eq(f) & nxt.eq(t)
        at_age = this & (e["DEC"] >= lower) & (e["DEC"] < upper)
        n = int(at_age.sum())
        if int(this.sum()) > n:
            wrong_age[t] = wrong_age.get(t, 0) + int(this.sum()) - n
        if (f, a0, a1) not in exposure_cache:
            in_f = e["ptype"].eq(f)
            s = start[in_f].where(start[in_f] > lower[in_f], lower[in_f])
            t_end = end[in_f].where(end[in_f] < upper[in_f], upper[in_f])
            exposure_cache[(f, a0, a1)] = float(((t_end - s).dt.days / 7).clip(lower=0).sum())
        w = exposure_cache[(f, a0, a1)]
        b = base_rate.get((f, t), 0.0)
        b_weekly = 1 - (1 - b) ** (1 / 52)
        weekly = shrunk_weekly(n, w, b_weekly, prior_weeks)
        est = 1 - (1 - min(weekly, 1.0)) ** 52
        alone = 1 - (1 - min(n / w, 1.0)) ** 52 if w > 0 else None
        value = round(est, 6)
        out.figures.append(
            MoveFigure(
                f,
                t,
                f"{label[f]} to {label[t]}",
                n,
                w,
                a0,
                a1,
                alone,
                value if value > 0 else None,
                value > 0,
                base=b,
                weight_on_base=prior_weeks / (w + prior_weeks),
            )
        )
    if wrong_age:
        out.warnings.append(
            f"{_n(sum(wrong_age.values()), 'move')} were into a placement type that does not take the child's age at the "
            f"time ({', '.join(label[t] for t in wrong_age)}): not counted, since the model never makes such a move"
        )
    _scale_moves(out, label)
    used = [f for f in out.figures if f.used]
    n_moves = sum(f.events for f in out.figures)
    n_age = sum(wrong_age.values())
    not_counted = (
        f"Not counted: {_n(n_adoption, 'move')} into or out of placed for adoption (part of the placement order), "
        + (f"{_n(n_age, 'move')} into a placement type that does not take the child's age, " if n_age else "")
        + f"{_n(int(same_type.sum()), 'new episode')} in the same placement type (e.g. a new legal status or carer)"
    )
    leaning = [f for f in used if f.weight_on_base >= LEANS_ON_BASE and f.exposure_weeks > 0]
    if leaning:
        listed = ", ".join(
            f"{f.label} ({_n(f.events, 'move')} over {f.exposure_weeks:,.0f} child-weeks: {f.weight_on_base:.0%} "
            "base scenario)"
            for f in leaning[:MAX_LISTED]
        )
        more = f" and {len(leaning) - MAX_LISTED} more" if len(leaning) > MAX_LISTED else ""
        out.warnings.append(
            f"Placement moves: {_n(len(leaning), 'kind')} of move {'rests' if len(leaning) == 1 else 'rest'} mostly on the base scenario's rate, the data "
            f"holding too few child-weeks in {win_txt}: {listed}{more}. A longer window (more weeks before the as-at "
            "date) gives the data more weight."
        )
    out.changes["placements.moves"] = [
        {"from_type": f.from_type, "to_type": f.to_type, "annual_rate": f.value} for f in used
    ]
    out.rows.append(
        (
            "Placement moves",
            f"{_n(len(used), 'kind')} of move",
            f"{_n(n_moves, 'move')} from one placement type to another (a new episode the same day) in {win_txt}, "
            f"{_n(len(found), 'kind')} of move found, {_n(len(base_rate), 'kind')} in the base scenario. {not_counted}. "
            "Each rate is the moves divided by the child-weeks in the placement they left, at the ages both "
            f"placements take, with the base scenario's rate counted as {prior_weeks:,.0f} child-weeks of evidence "
            "(so a rate with few child-weeks stays near the base, and no move over many child-weeks gives a small "
            "rate); the share resting on the base is given for each",
        )
    )
    for f in used:
        ages = "" if (f.min_age, f.max_age) == (0, 17) else f" aged {f.min_age}-{f.max_age}"
        alone = f"the data alone {f.estimate:.1%} a year" if f.estimate is not None else "no child-weeks in the data"
        how = (
            f"{_n(f.events, 'move')} over {f.exposure_weeks:,.0f} child-weeks in {label[f.from_type]}{ages} ({alone}); "
            f"base scenario {f.base:.1%} a year, weight on it {f.weight_on_base:.0%}"
        )
        if f.scaled:
            how += f"; scaled down to {f.value:.1%} with the other moves out of {label[f.from_type]}"
        out.rows.append((f"  move: {f.label}", f"{f.value:.1%} a year", how))
    return out


def _scale_moves(out: _Moves, label: dict[str, str]) -> None:
    """Yearly moves out of one placement type may add up to at most 1 (validate.py): scale them down together."""
    total: dict[str, float] = {}
    for f in out.figures:
        if f.used and f.value is not None:
            total[f.from_type] = total.get(f.from_type, 0.0) + f.value
    for src, tot in total.items():
        if tot <= 1:
            continue
        out.warnings.append(
            f"Placement moves: the yearly moves out of {label[src]} add up to {tot:.0%}, more than the model allows "
            "(100%): each was scaled down by the same factor"
        )
        out.figures = [
            replace(f, value=round(f.value / tot * 0.999999, 6), scaled=True)
            if f.used and f.from_type == src and f.value is not None
            else f
            for f in out.figures
        ]
