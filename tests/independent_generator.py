"""Made-up authorities simulated by a process that is NOT the model, for testing calibration and back-tests.

The example data of :func:`csc_model.ssda903.example_tables` are drawn from the model's own
hazards (exponential and Erlang times), so calibrating and projecting them can only show the
model agrees with itself. This generator breaks that on purpose:

* entries: weekly Poisson counts with a seasonal swing (+/- ``SEASONAL_SWING``, most in
  autumn) and a yearly trend of ``ENTRY_TREND`` (3% a year, compounding);
* times in each legal stage: log-normal (section 20, placement order awaiting placement, care
  order) or Weibull (care proceedings, placed for adoption until the adoption order), never
  exponential or Erlang, and care-order length shortens with age at the order;
* placement moves: hazards by single year of age (teenagers move from fostering to
  children's homes, 16-17s to supported accommodation, young children in homes back to
  fostering), changing at each birthday;
* leaving care at 18 exactly;
* optionally (``care_order_trend``), one route of leaving a care order whose hazard changes by a
  fixed share a year of calendar time (the route is chosen on the date the order ends).

:func:`simulate_authority` writes SSDA903-shaped header and episodes tables (same columns and
codes as the example tables: CHILD, SEX, DOB; CHILD, DECOM, RNE, LS, CIN, PLACE,
PLACE_PROVIDER, DEC, REC; dates dd/mm/YYYY) over ``years`` years so rolling cut-offs work,
plus the generator's truth (expected entries a week on any date). The same seed always gives
the same tables. Not real children.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

ENTRY_TREND = 0.03  # yearly growth of the entry rate
SEASONAL_SWING = 0.15  # entries +/- 15% over the year, peak in early October
BAND_AGES = ((0, 0), (1, 4), (5, 9), (10, 15), (16, 17))
BAND_P = (0.16, 0.15, 0.15, 0.34, 0.20)  # age of children starting care
FOSTER = ("in_house_fostering", "ifa", "kinship_fostering")
CODES = {  # placement type: SSDA903 placement codes and the provider giving that type
    "in_house_fostering": (("U4", "U6"), "PR1"),
    "ifa": (("U4", "U6"), "PR4"),
    "kinship_fostering": (("U1", "U3"), "PR1"),
    "la_childrens_home": (("K2",), "PR1"),
    "private_childrens_home": (("K2",), "PR4"),
    "supported_accommodation": (("H5", "P2"), "PR1"),
    "placed_with_parents": (("P1",), "PR0"),
    "placed_for_adoption": (("A5", "A6"), "PR1"),
}
LS = {"s20": "V2", "proceedings": "C1", "po_wait": "E1", "po_placed": "E1", "care_order": "C2"}
REC = {"returned_home": "E4A", "sgo_cao": "E45", "adoption": "E11", "age_18": "E17", "other": "E3"}
CARE_ORDER_ROUTES = {"returned_home": 0.35, "sgo_cao": 0.40, "other": 0.25}  # how care orders end (before 18)
# mean weeks in care per entrant, measured once from this generator (used only to size an authority)
MEAN_STAY_WEEKS = 102.0


@dataclass(frozen=True)
class Authority:
    """Simulated tables and the generator's truth."""

    header: pd.DataFrame
    episodes: pd.DataFrame
    weekly_entries_base: float  # expected entries a week (before season) on ``as_at``
    as_at: dt.date

    def expected_entries_per_week(self, on: dt.date) -> float:
        """The generator's expected entries a week on ``on`` (trend, without the seasonal swing)."""
        years = (on - self.as_at).days / 365.25
        return self.weekly_entries_base * (1.0 + ENTRY_TREND) ** years

    def in_care_on(self, on: dt.date) -> int:
        """Children with an episode open on ``on`` (the truth a back-test compares with)."""
        e = self.episodes
        start = pd.to_datetime(e["DECOM"], format="%d/%m/%Y")
        end = pd.to_datetime(e["DEC"], format="%d/%m/%Y", errors="coerce")
        ts = pd.Timestamp(on)
        return int(e.loc[(start <= ts) & (end.isna() | (end > ts)), "CHILD"].nunique())


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - int((on.month, on.day) < (dob.month, dob.day))


def _move_hazards(ptype: str, age: int) -> dict[str, float]:
    """Yearly hazards of moving from ``ptype`` at this age (they change at every birthday)."""
    h: dict[str, float] = {}
    if ptype in FOSTER and 11 <= age <= 15:
        h["private_childrens_home"] = 0.02 * (age - 9)  # rises through the teens
        h["la_childrens_home"] = 0.02
    if ptype in ("in_house_fostering", "kinship_fostering") and age <= 15:
        h["ifa"] = 0.06
    if ptype == "private_childrens_home" and age <= 13:
        h["ifa"] = 0.35
    if ptype in FOSTER + ("private_childrens_home", "la_childrens_home") and age >= 16:
        h["supported_accommodation"] = 0.25 + 0.35 * (age - 16)
    return h


def _first_placement(rng: np.random.Generator, age: int) -> str:
    if age <= 4:
        mix = {"in_house_fostering": 0.4, "ifa": 0.25, "kinship_fostering": 0.25, "placed_with_parents": 0.1}
    elif age <= 12:
        mix = {"in_house_fostering": 0.35, "ifa": 0.3, "kinship_fostering": 0.2, "private_childrens_home": 0.1}
        mix["placed_with_parents"] = 0.05
    elif age <= 15:
        mix = {"in_house_fostering": 0.3, "ifa": 0.3, "private_childrens_home": 0.25, "la_childrens_home": 0.1}
        mix["kinship_fostering"] = 0.05
    else:
        mix = {"in_house_fostering": 0.3, "ifa": 0.15, "supported_accommodation": 0.3, "private_childrens_home": 0.25}
    return str(rng.choice(list(mix), p=np.array(list(mix.values())) / sum(mix.values())))


def _care_order_route(u: float, years: float, trend: tuple[str, float] | None) -> str:
    """How a care order ending ``years`` after the as-at date ends, from a uniform ``u``.

    With ``trend`` = (route, r) that route's share of the endings is its usual share times
    ``(1 + r) ** years`` (the others share the rest as usual), so, the care orders' total hazard of
    ending being the same in every year, that route's hazard changes by ``r`` a year."""
    shares = dict(CARE_ORDER_ROUTES)
    if trend is not None:
        route, r = trend
        p = min(shares[route] * (1.0 + r) ** years, 0.99)
        rest = (1.0 - p) / (1.0 - shares[route])
        shares = {k: p if k == route else v * rest for k, v in shares.items()}
    acc = 0.0
    for k, v in shares.items():
        acc += v
        if u < acc:
            return k
    return "other"


def _stage_time(
    rng: np.random.Generator,
    state: str,
    age: int,
    years: float = 0.0,
    trend: tuple[str, float] | None = None,
) -> tuple[float, str]:
    """Weeks in this legal stage and what follows (never exponential or Erlang). ``years``: the stage's
    start in years after the as-at date, for a ``trend`` of the care orders' routes (see :func:`_care_order_route`)."""
    if state == "s20":
        weeks = float(rng.lognormal(math.log(16.0), 1.1))
        return weeks, ("proceedings" if rng.random() < 0.3 else "returned_home")
    if state == "proceedings":
        weeks = float(50.0 * rng.weibull(2.8))  # mean about 45 weeks, rarely under 15
        u = rng.random()
        nxt = "returned_home" if u < 0.15 else "sgo_cao" if u < 0.40 else "po_wait" if u < 0.55 else "care_order"
        if nxt == "po_wait" and age >= 6:
            nxt = "care_order"
        return weeks, nxt
    if state == "po_wait":
        return float(rng.lognormal(math.log(22.0), 0.7)), ("care_order" if rng.random() < 0.2 else "po_placed")
    if state == "po_placed":
        return float(38.0 * rng.weibull(1.6)), "adoption"
    # care order: long, shorter for older children; most last until 18
    weeks = float(rng.lognormal(math.log(260.0 / (1.0 + age / 8.0)), 1.0))
    return weeks, _care_order_route(float(rng.random()), years + weeks / 52.18, trend)


def _child(
    rng: np.random.Generator,
    child: str,
    decom: dt.date,
    dob: dt.date,
    hi: dt.date,
    trend: tuple[str, float] | None = None,
) -> list[dict[str, str]]:
    """One child's episodes from starting care until leaving (or after ``hi``, the as-at date)."""
    b18 = _add_years(dob, 18)
    age = _age(dob, decom)
    state = "s20" if rng.random() < (0.7 if age >= 16 else 0.25) else "proceedings"
    ptype = _first_placement(rng, age)
    t, rne, out = decom, "S", []
    while t <= hi:
        weeks, nxt = _stage_time(rng, state, _age(dob, t), (t - hi).days / 365.25, trend)
        end = t + dt.timedelta(days=max(1, round(weeks * 7)))
        if state == "po_placed":
            ptype = "placed_for_adoption"
        if end >= b18:
            end, nxt = b18, "age_18"
        # placement moves within the stage: piecewise-constant hazards by single year of age
        clock = t
        while state != "po_placed" and clock < end and clock <= hi:
            a = _age(dob, clock)
            seg_end = min(max(_add_years(dob, a + 1), clock + dt.timedelta(days=1)), end)  # 29 February
            h = _move_hazards(ptype, a)
            total = sum(h.values())
            move = None
            if total > 0:
                when = clock + dt.timedelta(days=max(1, round(float(rng.exponential(52.0 / total)) * 7)))
                if when < seg_end:
                    move = when
            if move is None:  # no move before the next birthday (or the end): new age, new hazards
                clock = seg_end
                continue
            to = str(rng.choice(list(h), p=np.array(list(h.values())) / total))
            out.append(_episode(rng, child, t, move, rne, LS[state], ptype, "X1"))
            t, clock, rne, ptype = move, move, "P", to
        if nxt in REC:
            out.append(_episode(rng, child, t, end, rne, LS[state], ptype, REC[nxt]))
            break
        out.append(_episode(rng, child, t, end, rne, LS[state], ptype, "X1"))
        t, rne, state = end, "L", nxt
    return out


def _episode(rng, child, decom, dec, rne, ls, ptype, rec) -> dict[str, str]:  # noqa: ANN001
    codes, provider = CODES[ptype]
    return {
        "CHILD": child,
        "DECOM": decom.strftime("%d/%m/%Y"),
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": str(codes[int(rng.integers(len(codes)))]),
        "PLACE_PROVIDER": provider,
        "DEC": dec.strftime("%d/%m/%Y"),
        "REC": rec,
    }


def simulate_authority(
    children_in_care: int = 600,
    seed: int = 0,
    as_at: dt.date = dt.date(2025, 3, 31),
    years: int = 22,
    care_order_trend: tuple[str, float] | None = None,
) -> Authority:
    """A made-up authority with about ``children_in_care`` children in care on ``as_at``.

    ``care_order_trend`` = (route, r), e.g. ("sgo_cao", 0.15): the hazard of leaving a care order by
    that route (returned_home, sgo_cao or other) changes by ``r`` a year (None: no trend, the default;
    the same seed then gives the same tables as before this option existed).

    ``years`` of history end on ``as_at`` (the first years fill the stock; use cut-offs in the
    last nine or so). As a return made just after ``as_at``: nothing starts or ends later.
    """
    if not 50 <= children_in_care <= 5000:
        raise ValueError(f"children_in_care: {children_in_care} is out of range; allowed 50 to 5,000")
    rng = np.random.default_rng(seed)
    base = children_in_care / MEAN_STAY_WEEKS  # expected entries a week on as_at
    start = as_at - dt.timedelta(weeks=52 * years)
    n_weeks = 52 * years
    wk = np.arange(n_weeks)
    days = [start + dt.timedelta(weeks=int(w)) for w in wk]
    yrs_before = (n_weeks - wk) / 52.0
    season = 1.0 + SEASONAL_SWING * np.cos(2 * np.pi * (np.array([d.timetuple().tm_yday for d in days]) - 280) / 365.25)
    lam = base * (1.0 + ENTRY_TREND) ** (-yrs_before) * season
    counts = rng.poisson(lam)
    rows_h, rows_e = [], []
    i = 0
    for w, n in enumerate(counts):
        for _ in range(int(n)):
            i += 1
            child = f"IG{seed:03d}{i:06d}"
            decom = days[w] + dt.timedelta(days=int(rng.integers(0, 7)))
            lo, top = BAND_AGES[rng.choice(5, p=BAND_P)]
            age = int(rng.integers(lo, top + 1))
            dob = decom - dt.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
            rows_h.append({"CHILD": child, "SEX": str(rng.choice(["1", "2"])), "DOB": dob.strftime("%d/%m/%Y")})
            rows_e += _child(rng, child, decom, dob, as_at, care_order_trend)
    eps = pd.DataFrame(rows_e)
    start_d = pd.to_datetime(eps["DECOM"], format="%d/%m/%Y")
    eps = eps[start_d <= pd.Timestamp(as_at)].copy()
    late = pd.to_datetime(eps["DEC"], format="%d/%m/%Y") > pd.Timestamp(as_at)
    eps.loc[late, ["DEC", "REC"]] = ""
    return Authority(pd.DataFrame(rows_h), eps.reset_index(drop=True), base, as_at)
