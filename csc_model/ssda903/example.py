"""Made-up example data in SSDA903 shape (not real children), drawn from the model's own hazards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csc_model.scenario.config import load_placement_types
from csc_model.solvers.structure import weekly_from_annual


@dataclass(frozen=True)
class ExampleRates:
    """The rates the made-up example data are drawn from, in the scenario's own units.

    Each legal stage lasts as the model says: section 20 and care orders end by competing
    exponential times whose weekly hazards are the model's weekly probabilities
    (``1 / mean weeks``, :func:`~csc_model.solvers.structure.weekly_from_annual` of a yearly share),
    proceedings last an Erlang time of the given order and mean, and so on. Calibrating the
    example therefore gives these figures back, within sampling error. Care orders end faster
    than the bundled defaults say, so that the example has enough of every event in 52 weeks.

    ``placement_moves`` are (from type, to type, yearly rate): each is a competing exponential
    time with weekly hazard ``weekly_from_annual(rate)``, which starts only at an age the new
    type takes (as in the model), so calibrating gives the rates back, and no other kind of
    move happens. ``same_type_changes_a_year``: new episodes in the same placement type (a new
    carer or home), which are not placement moves.
    """

    s20_mean_weeks_to_return_home: float = 40.0
    s20_annual_share_to_proceedings: float = 0.35
    proceedings_mean_weeks: float = 40.0
    proceedings_erlang_order: int = 3
    outcome_returned_home: float = 0.15
    outcome_sgo_cao: float = 0.25
    outcome_placement_order: float = 0.2
    outcome_care_order: float = 0.4
    po_mean_weeks_to_placement: float = 30.0
    po_share_not_adopted: float = 0.2
    po_mean_weeks_placed_to_order: float = 40.0
    co_annual_discharge_home: float = 0.08
    co_annual_sgo: float = 0.12
    co_annual_other: float = 0.1
    placement_moves: tuple[tuple[str, str, float], ...] = (
        ("private_childrens_home", "ifa", 0.5),
        ("ifa", "private_childrens_home", 0.3),
        ("in_house_fostering", "supported_accommodation", 0.7),
    )
    same_type_changes_a_year: float = 0.3  # a new carer or home of the same type (new episode, REC X1)


_EXAMPLE_LS = {"s20": "V2", "proceedings": "C1", "po_wait": "E1", "po_placed": "E1", "care_order": "C2"}
_EXAMPLE_CODES = {  # placement type: SSDA903 codes and the provider that gives the type
    "in_house_fostering": (("U4", "U6"), "PR1"),
    "ifa": (("U4", "U6"), "PR4"),
    "kinship_fostering": (("U1", "U3"), "PR1"),
    "la_childrens_home": (("K2",), "PR1"),
    "private_childrens_home": (("K2",), "PR4"),
    "supported_accommodation": (("H5", "P2"), "PR1"),
    "placed_with_parents": (("P1",), "PR0"),
    "placed_for_adoption": (("A5", "A6"), "PR1"),
}
_EXAMPLE_MIX = {  # placement type at the start of care, by age from
    16: {
        "in_house_fostering": 0.45,
        "ifa": 0.1,
        "supported_accommodation": 0.1,
        "la_childrens_home": 0.05,
        "private_childrens_home": 0.2,
        "kinship_fostering": 0.1,
    },
    10: {
        "in_house_fostering": 0.3,
        "ifa": 0.2,
        "kinship_fostering": 0.15,
        "la_childrens_home": 0.07,
        "private_childrens_home": 0.18,
        "placed_with_parents": 0.1,
    },
    0: {"in_house_fostering": 0.35, "ifa": 0.25, "kinship_fostering": 0.3, "placed_with_parents": 0.1},
}
_EXAMPLE_REC = {
    "returned_home": (("E4A", "E4B", "E13"), (0.6, 0.1, 0.3)),
    "sgo_cao": (("E45", "E46", "E47", "E48", "E41"), (0.35, 0.1, 0.35, 0.05, 0.15)),
    "other": (("E3", "E16", "E8", "E9"), (0.5, 0.2, 0.2, 0.1)),
    "adoption": (("E11", "E12"), (0.6, 0.4)),
    "age_18": (("E17", "E5", "E6"), (0.4, 0.4, 0.2)),
}


def example_tables(
    n_children: int = 3500,
    seed: int = 0,
    as_at: dt.date = dt.date(2026, 3, 31),
    rates: ExampleRates | None = None,
    years: int = 10,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Made-up header and episodes tables in SSDA903 shape, for trying the loader.

    Not real children: ``n_children`` start care at random over the ``years`` before ``as_at``
    (350 a year by default, about 550-600 in care at the end) and move between legal stages,
    placement types and out of care as :class:`ExampleRates` says, with a new episode (REC X1)
    at each change within care.
    The same ``seed`` always gives the same tables. As a return made just after ``as_at``:
    nothing starts or ends later.
    """
    r = rates or ExampleRates()
    rng = np.random.default_rng(seed)
    hi = as_at
    span = round(365.25 * years)
    start_of_data = hi - dt.timedelta(days=span)
    rows_h: list[dict[str, str]] = []
    rows_e: list[dict[str, str]] = []
    band_ages = [(0, 0), (1, 4), (5, 9), (10, 15), (16, 17)]
    band_p = [0.06, 0.13, 0.18, 0.42, 0.21]
    min_age = {p.id: p.min_age for p in load_placement_types()}
    for i in range(n_children):
        child = f"EX{i + 1:05d}"
        lo, top = band_ages[rng.choice(5, p=band_p)]
        age_at_start = int(rng.integers(lo, top + 1))
        decom = start_of_data + dt.timedelta(days=int(rng.integers(0, span)))
        dob = decom - dt.timedelta(days=int(age_at_start * 365.25 + rng.integers(0, 365)))
        rows_h.append({"CHILD": child, "SEX": str(rng.choice(["1", "2"])), "DOB": dob.strftime("%d/%m/%Y")})
        s20 = rng.random() < (0.7 if age_at_start >= 16 else 0.2)
        rows_e += _example_child(rng, r, child, decom, dob, "s20" if s20 else "proceedings", hi, min_age)
    eps = pd.DataFrame(rows_e)
    eps = eps[pd.to_datetime(eps["DECOM"], format="%d/%m/%Y") <= pd.Timestamp(hi)].copy()
    eps.loc[pd.to_datetime(eps["DEC"], format="%d/%m/%Y") > pd.Timestamp(hi), ["DEC", "REC"]] = ""
    return pd.DataFrame(rows_h), eps.reset_index(drop=True)


def _example_child(
    rng: np.random.Generator,
    r: ExampleRates,
    child: str,
    decom: dt.date,
    dob: dt.date,
    state: str,
    hi: dt.date,
    min_age: dict[str, int],
) -> list[dict[str, str]]:
    """One made-up child's episodes, from starting care until leaving it (or after ``hi``)."""
    b18 = _add_years(dob, 18)
    outcomes = ("returned_home", "sgo_cao", "placement_order", "care_order")
    shares = np.array([r.outcome_returned_home, r.outcome_sgo_cao, r.outcome_placement_order, r.outcome_care_order])
    t, rne = decom, "S"
    age = _example_age(dob, t)
    mix = _EXAMPLE_MIX[max(a for a in _EXAMPLE_MIX if a <= age)]
    ptype = str(rng.choice(list(mix), p=list(mix.values())))
    place, provider = _example_code(rng, ptype)
    out: list[dict[str, str]] = []
    while t <= hi:
        if state == "s20":
            weeks, nxt = _compete(
                rng,
                {
                    "returned_home": 1.0 / r.s20_mean_weeks_to_return_home,
                    "proceedings": weekly_from_annual(r.s20_annual_share_to_proceedings),
                },
            )
        elif state == "proceedings":
            k = r.proceedings_erlang_order
            weeks = float(rng.gamma(k, r.proceedings_mean_weeks / k))
            nxt = str(rng.choice(outcomes, p=shares / shares.sum()))
            nxt = {"placement_order": "po_wait"}.get(nxt, nxt)
        elif state == "po_wait":
            weeks = float(rng.exponential(r.po_mean_weeks_to_placement))
            nxt = "care_order" if rng.random() < r.po_share_not_adopted else "po_placed"
        elif state == "po_placed":
            weeks, nxt = float(rng.exponential(r.po_mean_weeks_placed_to_order)), "adoption"
            ptype = "placed_for_adoption"
            place, provider = _example_code(rng, ptype)
        else:  # care order
            weeks, nxt = _compete(
                rng,
                {
                    "returned_home": weekly_from_annual(r.co_annual_discharge_home),
                    "sgo_cao": weekly_from_annual(r.co_annual_sgo),
                    "other": weekly_from_annual(r.co_annual_other),
                },
            )
        end = t + dt.timedelta(days=round(weeks * 7))
        if end >= b18:
            end, nxt = b18, "age_18"
        ls = _EXAMPLE_LS[state]
        while state != "po_placed":  # changes of placement within the stage: care goes on
            move, to = _example_move(rng, r, ptype, t, dob, min_age)
            if move is None or move >= end or move > hi:
                break
            out.append(_ex_episode(child, t, move, rne, ls, place, provider, "X1"))
            t, rne, ptype = move, "P", to
            place, provider = _example_code(rng, ptype)
        if nxt in _EXAMPLE_REC:  # leaves care
            codes, p = _EXAMPLE_REC[nxt]
            out.append(_ex_episode(child, t, end, rne, ls, place, provider, str(rng.choice(codes, p=p))))
            break
        out.append(_ex_episode(child, t, end, rne, ls, place, provider, "X1"))
        t, rne, state = end, ("P" if nxt == "po_placed" else "L"), nxt
    return out


def _compete(rng: np.random.Generator, hazards: dict[str, float]) -> tuple[float, str]:
    """Weeks to the first of several competing events with these weekly hazards, and which it is."""
    total = sum(hazards.values())
    keys = list(hazards)
    p = np.array([hazards[k] for k in keys]) / total
    return float(rng.exponential(1.0 / total)), str(rng.choice(keys, p=p))


def _example_age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - int((on.month, on.day) < (dob.month, dob.day))


def _add_years(d: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (28 February for 29 February), as pandas' DateOffset gives."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _example_code(rng: np.random.Generator, ptype: str) -> tuple[str, str]:
    """A placement code and provider that count as ``ptype``."""
    codes, provider = _EXAMPLE_CODES[ptype]
    return str(rng.choice(codes)), provider


def _example_move(
    rng: np.random.Generator, r: ExampleRates, ptype: str, t: dt.date, dob: dt.date, min_age: dict[str, int]
) -> tuple[dt.date | None, str]:
    """The date of the next change of placement from ``t`` and the type moved to (the same type for a new
    carer or home). Competing exponential times; a move into a type starts only at an age that type takes."""
    first: tuple[dt.date | None, str] = (None, ptype)
    hazards = [(frm, to, weekly_from_annual(a)) for frm, to, a in r.placement_moves if frm == ptype and a > 0]
    if r.same_type_changes_a_year > 0:
        hazards.append((ptype, ptype, r.same_type_changes_a_year / 52))
    for _, to, h in hazards:
        onset = max(t, _add_years(dob, min_age[to]))
        when = onset + dt.timedelta(days=max(1, round(float(rng.exponential(1.0 / h)) * 7)))
        if first[0] is None or when < first[0]:
            first = (when, to)
    return first


def _ex_episode(child, decom, dec, rne, ls, place, provider, rec) -> dict[str, str]:
    return {
        "CHILD": child,
        "DECOM": decom.strftime("%d/%m/%Y"),
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "DEC": dec.strftime("%d/%m/%Y"),
        "REC": rec,
    }


def yearly_returns(header: pd.DataFrame, episodes: pd.DataFrame, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables as an authority keeps them: one return per year, stacked, with a ``YEAR`` column.

    The return for ``YEAR`` Y lists the episodes open at some time from 1 April Y-1 to 31 March Y, an end
    date after 31 March Y left blank (with its REC), and the header rows of those children; so an episode
    open across a 31 March appears in two returns, first without its end date. Made-up data only.
    """
    start = pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y")
    end = pd.to_datetime(episodes["DEC"], format="%d/%m/%Y", errors="coerce")
    heads, eps = [], []
    for y in years:
        lo, hi = pd.Timestamp(y - 1, 4, 1), pd.Timestamp(y, 3, 31)
        keep = (start <= hi) & (end.isna() | (end >= lo))
        e = episodes[keep].copy()
        later = end[keep] > hi
        e.loc[later, ["DEC", "REC"]] = ""
        e["YEAR"] = str(y)
        eps.append(e)
        h = header[header["CHILD"].isin(e["CHILD"])].copy()
        h["YEAR"] = str(y)
        heads.append(h)
    return pd.concat(heads, ignore_index=True), pd.concat(eps, ignore_index=True)


def example_files(n_children: int = 3500, seed: int = 0, years: int = 10) -> tuple[bytes, bytes]:
    """:func:`example_tables` as the CSV bytes of two uploads (header, episodes), with the further columns a
    council's export has (REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN), to try size limits and speed:
    ``example_files(14_000)`` gives about 30,000 episodes, an episodes file of about 3 MB. Made-up data."""
    h, e = example_tables(n_children=n_children, seed=seed, years=years)
    rng = np.random.default_rng(seed + 1)
    n = len(e)
    e = e.assign(
        REASON_PLACE_CHANGE=np.where(e["RNE"].to_numpy() == "P", "CARPL", ""),
        HOME_POST=[f"PL{a} {b}" for a, b in zip(rng.integers(1, 30, n), rng.integers(1, 10, n), strict=True)],
        PL_POST=[f"PL{a} {b}" for a, b in zip(rng.integers(1, 30, n), rng.integers(1, 10, n), strict=True)],
        URN=[f"SC{u:06d}" for u in rng.integers(0, 999_999, n)],
    )
    return _csv(h), _csv(e)


def _csv(df: pd.DataFrame) -> bytes:
    """Plain CSV text of a table of strings (no quoting is needed: no value holds a comma)."""
    lines = [",".join(df.columns)] + [",".join(row) for row in df.astype(str).itertuples(index=False, name=None)]
    return ("\n".join(lines) + "\n").encode()
