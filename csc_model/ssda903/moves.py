"""Placement moves: occurrence / exposure of moves between placement types over the window."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..scenario import Scenario
from .chain import _in_window, _risk_span
from .common import _annual, _n
from .figures import MIN_EVENTS, MIN_EXPOSURE_WEEKS, MoveFigure
from .reading import MAX_LISTED


@dataclass
class _Moves:
    changes: dict[str, object]
    rows: list[tuple[str, str, str]]
    warnings: list[str]
    figures: list[MoveFigure]


def _calibrate_moves(
    e: pd.DataFrame, base: Scenario, lo: pd.Timestamp, hi: pd.Timestamp, win_txt: str, types: dict
) -> _Moves:
    """``placements.moves`` from the episodes chained by :func:`_chain`.

    A move is an episode followed the same day by one of the same child (care goes on) in a
    different placement type, neither of them "placed for adoption" (that is the placement
    order's own flow). For each kind of move (from, to), the moves in the window divided by the
    child-weeks in ``from`` in the window (clipped as the other rates: window, 18th birthday,
    next episode) is a weekly probability, and ``1 - (1 - weekly)^52`` the yearly rate. Both
    are counted only at the ages both types take, since the model moves a child only into a
    type that takes their age (structure.py): the rate is per child who could make the move.
    """
    out = _Moves({}, [], [], [])
    label = {t: types[t].label if t in types else t for t in set(e["ptype"])}
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
    pairs = sorted(
        set(zip(e.loc[move, "ptype"], nxt[move], strict=True)),
        key=lambda p: (order.get(p[0], len(order)), order.get(p[1], len(order))),
    )
    wrong_age: dict[str, int] = {}
    for f, t in pairs:
        a0 = max(types[f].min_age if f in types else 0, types[t].min_age if t in types else 0)
        a1 = min(types[f].max_age if f in types else 17, types[t].max_age if t in types else 17)
        lower, upper = birthday(a0), birthday(a1 + 1)
        this = move & e["ptype"].eq(f) & nxt.eq(t)
        at_age = this & (e["DEC"] >= lower) & (e["DEC"] < upper)
        n = int(at_age.sum())
        if int(this.sum()) > n:
            wrong_age[t] = wrong_age.get(t, 0) + int(this.sum()) - n
        in_f = e["ptype"].eq(f)
        s = start[in_f].where(start[in_f] > lower[in_f], lower[in_f])
        t_end = end[in_f].where(end[in_f] < upper[in_f], upper[in_f])
        w = float(((t_end - s).dt.days / 7).clip(lower=0).sum())
        ok = n >= MIN_EVENTS and w >= MIN_EXPOSURE_WEEKS
        est = _annual(n, w) if w > 0 else None
        value = round(est, 6) if ok and est is not None else None
        out.figures.append(MoveFigure(f, t, f"{label[f]} to {label[t]}", n, w, a0, a1, est, value, ok))
    if wrong_age:
        out.warnings.append(
            f"{_n(sum(wrong_age.values()), 'move')} were into a placement type that does not take the child's age at the "
            f"time ({', '.join(label[t] for t in wrong_age)}): not counted, since the model never makes such a move"
        )
    _scale_moves(out, label)
    used = [f for f in out.figures if f.used]
    dropped = [f for f in out.figures if not f.used]
    n_moves = sum(f.events for f in out.figures)
    n_age = sum(wrong_age.values())
    not_counted = (
        f"Not counted: {_n(n_adoption, 'move')} into or out of placed for adoption (part of the placement order), "
        + (f"{_n(n_age, 'move')} into a placement type that does not take the child's age, " if n_age else "")
        + f"{_n(int(same_type.sum()), 'new episode')} in the same placement type (e.g. a new legal status or carer)"
    )
    # As for the other rates, a kind of move the data cannot pin down keeps the base scenario's
    # rate (a usual step-down the base has is not set to nothing by a quiet year).
    calibrated = {(f.from_type, f.to_type) for f in used}
    kept_base = [m for m in base.placements.moves if (m.from_type, m.to_type) not in calibrated]
    if dropped:
        base_pairs = {(m.from_type, m.to_type) for m in kept_base}
        listed = ", ".join(
            f"{f.label} ({_few(f)}{'; base rate kept' if (f.from_type, f.to_type) in base_pairs else ''})"
            for f in dropped[:MAX_LISTED]
        )
        more = f" and {len(dropped) - MAX_LISTED} more" if len(dropped) > MAX_LISTED else ""
        out.warnings.append(
            f"Placement moves: {_n(len(dropped), 'kind')} of move had too few to go on in {win_txt}: "
            f"{listed}{more}. A kind of move the base scenario has keeps its rate from there; any other is left "
            f"out. At least {MIN_EVENTS} moves and {MIN_EXPOSURE_WEEKS:,.0f} child-weeks are needed; a longer "
            "window (more weeks before the as-at date) may give enough."
        )
    if not used:
        why = (
            f"no kind of move had at least {MIN_EVENTS} moves"
            if out.figures
            else "no child moved from one placement type to another"
        )
        out.warnings.append(
            f"Placement moves: kept from the base scenario ({_n(len(base.placements.moves), 'kind')} of move) "
            f"because {why} in {win_txt}."
        )
        out.rows.append(
            (
                "Placement moves",
                "kept from the base scenario",
                f"too few to go on: {_n(n_moves, 'move')} from one placement type to another in {win_txt}. "
                + not_counted,
            )
        )
        return out
    merged = [{"from_type": f.from_type, "to_type": f.to_type, "annual_rate": f.value} for f in used]
    merged += [{"from_type": m.from_type, "to_type": m.to_type, "annual_rate": m.annual_rate} for m in kept_base]
    # the yearly moves out of one type may add up to at most 1 (validation): scale base ones down if needed
    for src in {m["from_type"] for m in merged}:
        total = sum(m["annual_rate"] for m in merged if m["from_type"] == src)
        base_part = sum(m["annual_rate"] for m in merged[len(used) :] if m["from_type"] == src)
        if total > 1 and base_part > 0:
            room = max(0.0, 1 - (total - base_part))
            for m in merged[len(used) :]:
                if m["from_type"] == src:
                    m["annual_rate"] = round(m["annual_rate"] * room / base_part, 6)
            out.warnings.append(
                f"Placement moves: with the moves worked out from your data, the base scenario's moves out of "
                f"{label[src]} would add up to more than 100% a year: they are scaled down to fit"
            )
    out.changes["placements.moves"] = merged
    out.rows.append(
        (
            "Placement moves",
            f"{_n(len(used), 'kind')} of move",
            f"{_n(n_moves, 'move')} from one placement type to another (a new episode the same day) in {win_txt}, "
            f"of {_n(len(out.figures), 'kind')}: {len(used)} with at least {MIN_EVENTS} moves worked out below"
            + (f", {len(dropped)} with fewer left out ({sum(f.events for f in dropped)} moves)" if dropped else "")
            + f"; {_n(len(kept_base), 'kind')} of move of the base scenario not worked out here keep their rates. "
            f"{not_counted}. Each rate is the moves divided by the child-weeks in the placement they left, at the "
            "ages both placements take",
        )
    )
    for f in used:
        ages = "" if (f.min_age, f.max_age) == (0, 17) else f" aged {f.min_age}-{f.max_age}"
        how = f"{_n(f.events, 'move')} over {f.exposure_weeks:,.0f} child-weeks in {label[f.from_type]}{ages}: " + (
            f"{f.events / f.exposure_weeks:.2%} a week, so {f.estimate:.1%} a year"
        )
        if f.value is not None and f.estimate is not None and round(f.estimate, 6) != f.value:
            how += f"; scaled down to {f.value:.1%} with the other moves out of {label[f.from_type]}"
        out.rows.append((f"  move: {f.label}", f"{f.value:.1%} a year", how))
    return out


def _few(f: MoveFigure) -> str:
    if f.events < MIN_EVENTS:
        return _n(f.events, "move")
    return f"{_n(f.events, 'move')} but only {f.exposure_weeks:,.0f} child-weeks"


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
            MoveFigure(
                f.from_type,
                f.to_type,
                f.label,
                f.events,
                f.exposure_weeks,
                f.min_age,
                f.max_age,
                f.estimate,
                round(f.value / tot * 0.999999, 6),
                True,
            )
            if f.used and f.from_type == src and f.value is not None
            else f
            for f in out.figures
        ]
