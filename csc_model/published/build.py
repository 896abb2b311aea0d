"""A scenario that starts from an authority's published figures at 31 March.

Like the SSDA903 calibration (``csc_model.ssda903.calibrate``) this replaces the starting
position and the entries of a base scenario, but from DfE's published tables instead of
child-level records: children in care by legal stage, age band and placement (the provider
split tells in-house from independent and private), entries (level, trend, ages, route) and the
rates of leaving care by route (scaled so that the base model's routes out of care match the
authority's leavers by reason). What the tables cannot give (how long proceedings last, moves
between placements, prices, the budget) stays as in the base scenario, and the report says so.
Suppressed cells (small numbers) and missing tables are filled from the region's mix, and the
report says where.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from ..config import load_placement_types
from ..defaults import default_scenario
from ..scenario import AGE_BAND_YEARS, AGE_BANDS, Scenario, ScenarioError
from . import data as pub
from .data import ENGLAND, TABLE_NAMES, Authority, PublishedError

WEEKS_A_YEAR = 52.0
"""Weeks in the year to 31 March that the entry rate is spread over (as the SSDA903 calibration's 52-week window)."""
TREND_DAMPING = 0.5
"""Share of the past yearly change in starters carried forward as the entry trend (changes mostly do not persist)."""
TREND_LIMIT = 0.10
PRIVATE_PRIOR = {"foster": None, "residential": None, "supported": 0.8}
"""Prior share run by private or voluntary providers (None: from the base scenario's mix)."""
ROUTE_FACTOR_LIMITS = (0.25, 4.0)
REPORT_COLUMNS = ["Figure", "Value", "Table", "Year", "Worked out from"]

STAGE_OF_STATUS = {
    "Full care order": "care_order",
    "Interim care order": "proceedings",
    "Placement order granted": "placement_order",
    "Voluntary agreements under S20 CA 1989": "s20",
    "Detained for child protection": "s20",
    "Youth justice legal statuses": "s20",
}
AGE_OF_GROUP = {
    "Under 1 year": "under_1",
    "1 to 4 years": "1_4",
    "5 to 9 years": "5_9",
    "10 to 15 years": "10_15",
    "16 years and over": "16_17",
}
PLACEMENT_GROUP = {
    "Foster placements": "foster",
    "Secure homes and children's homes": "residential",
    "Independent and semi-independent living arrangements/supported accommodation": "supported",
    "Placed with parents or other person with parental responsibility": "placed_with_parents",
    "Placed for adoption": "placed_for_adoption",
    "Other placements": "other",
    "Other residential settings": "other",
    "Residential schools": "other",
}
PROVIDER_GROUP = {
    "Own provision (by the LA)": "public",
    "Other LA provision": "public",
    "Other public provision (e.g. by a PCT etc)": "public",
    "Private provision": "private",
    "Voluntary/third sector provision": "private",
}
S20_ROUTES = {  # legal status on starting counted as entering under section 20 (as the SSDA903 mapping)
    "Voluntary agreement under S20",
    "Police protection in LA accommodation",
    "Child assessment order and in LA accommodation",
    "LA accommodation under PACE 1989",
    "Remand",
    "Sentenced to youth rehabilitation order",
}
ROUTE_OF_REASON = {
    "Adopted": "adoption",
    "Special guardianship order": "sgo_cao",
    "Residence order or child arrangement order granted": "sgo_cao",
    "Returned home to live with parents or other person with parental responsibility which was part of the care "
    "planning process": "returned_home",
    "Returned home to live with parents or other person with parental responsibility which was not part of the "
    "care planning process": "returned_home",
    "Left care to live with parents, relatives or other person with no parental responsibility": "returned_home",
}
ROUTES = ("returned_home", "sgo_cao", "adoption", "age_18", "other")
ROUTE_LABELS = {
    "returned_home": "returned home",
    "sgo_cao": "special guardianship or child arrangements order",
    "adoption": "adopted",
    "age_18": "aged 18 or over",
    "other": "other reasons",
}


class _Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, figure: str, value: str, table: str, year: int | str, how: str) -> None:
        self.rows.append((figure, value, TABLE_NAMES.get(table, table), str(year), how))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REPORT_COLUMNS)


# ---------------------------------------------------------------------------
# Filling suppressed cells from the region
# ---------------------------------------------------------------------------


def _grouped(raw: Mapping[str, float], mapping: Mapping[str, str]) -> tuple[dict[str, float], list[str]]:
    """Counts summed into the model's groups; the groups with a suppressed cell are listed (their known part kept)."""
    out: dict[str, float] = {}
    missing: list[str] = []
    for char, group in mapping.items():
        v = raw.get(char, math.nan)
        out.setdefault(group, 0.0)
        if math.isnan(v):
            missing.append(group)
        else:
            out[group] += v
    return out, sorted(set(missing), key=list(dict.fromkeys(mapping.values())).index)


def filled_counts(
    table: str, area: str, region: str, year: int, group: str, mapping: Mapping[str, str], total: float
) -> tuple[dict[str, float], str]:
    """Counts by model group adding up to ``total``, and how they were made (for the report).

    The authority's own cells where published; suppressed cells share what is left of the total in
    the region's proportions (England's if the region's are suppressed too); if the authority has
    no usable table, the region's mix. The result is scaled to add up to ``total`` exactly.
    """
    keys = list(dict.fromkeys(mapping.values()))
    own_raw = pub.breakdown(table, area, year, group)
    ref, fallback = {k: 1.0 for k in keys}, "equal shares"
    for ref_area in (region, ENGLAND):  # suppressed cells of the region or England count as 0
        counts, _ = _grouped(pub.breakdown(table, ref_area, year, group), mapping)
        if sum(counts.values()) > 0:
            ref, fallback = counts, ("England" if ref_area == ENGLAND else f"the {ref_area} region")
            break
    own, miss = _grouped(own_raw, mapping)
    known = sum(own.values())
    if not own_raw or known <= 0:
        ref_total = sum(ref.values()) or 1.0
        return {k: total * ref[k] / ref_total for k in keys}, f"not published for the authority: {fallback}'s mix"
    how = "the authority's own figures"
    if miss:
        rest = max(total - known, 0.0)
        weight = sum(ref[k] for k in miss) or 1.0
        for k in miss:
            own[k] += rest * ref[k] / weight
        how += f"; suppressed cells ({_miss_text(miss)}) share the rest in {fallback}'s proportions"
    s = sum(own.values())
    if s <= 0:
        return {k: total / len(keys) for k in keys}, "no child counted: equal shares"
    return {k: total * own[k] / s for k in keys}, how


def _miss_text(keys: list[str]) -> str:
    return ", ".join(k.replace("_", " ") for k in keys)


# ---------------------------------------------------------------------------
# Helpers on shares
# ---------------------------------------------------------------------------


def _round_shares(raw: Mapping[str, float]) -> dict[str, float]:
    """Shares rounded to 4 places that still sum to exactly 1 (the largest takes the rest)."""
    total = sum(raw.values())
    out = {k: round(v / total, 4) if total > 0 else 0.0 for k, v in raw.items()}
    top = max(out, key=lambda k: out[k])
    out[top] = round(1.0 - sum(v for k, v in out.items() if k != top), 4)
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _odds_shift(weights: Mapping[str, float], priors: Mapping[str, float], target: float) -> dict[str, float]:
    """Shares ``p_k`` = prior shares with their log-odds all moved by one amount, so that
    ``sum(weights_k * p_k) == target`` (clipped to what is reachable)."""
    total = sum(weights.values())
    if total <= 0:
        return dict(priors)
    target = min(max(target, 0.0), total)
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        got = sum(w * _sigmoid(_logit(priors[k]) + mid) for k, w in weights.items())
        lo, hi = (mid, hi) if got < target else (lo, mid)
    shift = (lo + hi) / 2
    return {k: _sigmoid(_logit(priors[k]) + shift) for k in weights}


def _admissible(band: str) -> dict[str, bool]:
    lo, hi = AGE_BAND_YEARS[band]
    return {p.id: not (hi < p.min_age or lo > p.max_age) for p in load_placement_types()}


def _rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 60) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` (bands x types) to row and column totals."""
    m = seed.copy()
    for _ in range(iters):
        rs = m.sum(axis=1)
        m *= np.divide(rows, rs, out=np.zeros_like(rows), where=rs > 0)[:, None]
        cs = m.sum(axis=0)
        m *= np.divide(cols, cs, out=np.ones_like(cols), where=cs > 0)[None, :]
    rs = m.sum(axis=1)
    return m * np.divide(rows, rs, out=np.zeros_like(rows), where=rs > 0)[:, None]


# ---------------------------------------------------------------------------
# The base model's routes out of care (for scaling the exit rates)
# ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _base_route_rates(base_json: str) -> dict[str, float]:
    """Exits by route in the base scenario's first year, per child in care at its start."""
    from ..results import project

    base = Scenario.from_json(base_json).with_values({"years": 1})
    row = project(base).table("fy").iloc[0]
    n0 = base.initial.total
    return {r: float(row[f"exits_{r}"]) / n0 for r in ROUTES}


def _published_routes(auth: Authority, year: int) -> tuple[dict[str, float], float, str]:
    """Leavers in the year by the model's routes, their total and how suppressed cells were filled."""
    total = pub.figure(auth.code, year, "ceased")
    if math.isnan(total):
        return {}, math.nan, ""
    mapping = dict(ROUTE_OF_REASON)
    by_reason, how = filled_counts(
        "ceased", auth.code, auth.region, year, "Reason episode ceased", {**mapping, **_other_reasons()}, total
    )
    age18_map = {"18 years and over": "age_18", **{k: "younger" for k in _younger_ages()}}
    by_age, how_age = filled_counts("ceased", auth.code, auth.region, year, "Age on ceasing", age18_map, total)
    routes = {r: by_reason.get(r, 0.0) for r in ("returned_home", "sgo_cao", "adoption")}
    routes["age_18"] = by_age["age_18"]
    routes["other"] = max(total - sum(routes.values()), 0.0)
    return routes, total, f"reasons: {how}; ages: {how_age}"


def _other_reasons() -> dict[str, str]:
    return {
        r: "rest"
        for r in (
            "Accommodation on remand ended",
            "Age assessment determined child aged 18 or over",
            "Aged 18 (or over) and remained with current carers",
            "Care ceased for any other reason",
            "Care taken by another local authority",
            "Child moved abroad",
            "Died",
            "Moved into independent living (with no formalised support)",
            "Moved into independent living (with supportive accommodation)",
            "Sentenced to custody",
            "Transferred to residential care funded by adult social services",
        )
    }


def _younger_ages() -> tuple[str, ...]:
    return ("Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years", "17 years")


# ---------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------


def build_scenario(la: str, as_at: dt.date, base: Scenario | None = None) -> tuple[Scenario, pd.DataFrame]:
    """The scenario for authority ``la`` (name or code) starting the day after ``as_at`` (a 31 March).

    Returns the validated scenario and a report (``Figure``, ``Value``, ``Table``, ``Year``,
    ``Worked out from``) naming the published table and year of every figure, or the base
    scenario for what the tables do not give. Raises :class:`PublishedError` for an unknown
    authority (naming close matches) or a date without published figures.
    """
    base = base or default_scenario()
    auth = pub.find_authority(la)
    year = pub.as_at_year(as_at, auth)
    rep = _Report()
    changes: dict[str, object] = {}
    types = {p.id: p for p in load_placement_types()}
    total = pub.figure(auth.code, year, "in_care")
    rep.add("Children in care", f"{total:,.0f}", "headline", year, f"{auth.name} ({auth.code}) at 31 March {year}")

    # --- legal stage ------------------------------------------------------------------
    stages, how = filled_counts("in_care", auth.code, auth.region, year, "Legal status", STAGE_OF_STATUS, total)
    proc = stages["proceedings"]
    b = base.initial.stage_counts
    backlog_share = b["proceedings_backlog"] / (b["proceedings"] + b["proceedings_backlog"] or 1.0)
    counts = {
        "s20": stages["s20"],
        "proceedings": proc * (1 - backlog_share),
        "proceedings_backlog": proc * backlog_share,
        "placement_order": stages["placement_order"],
        "care_order": stages["care_order"],
    }
    counts = {k: round(v, 3) for k, v in counts.items()}
    counts["care_order"] = round(total - sum(v for k, v in counts.items() if k != "care_order"), 3)
    changes["initial.stage_counts"] = counts
    rep.add(
        "By legal stage",
        ", ".join(f"{k.replace('_', ' ')} {v:,.0f}" for k, v in stages.items()),
        "in_care",
        year,
        how + "; section 20 includes detained for child protection and youth justice statuses",
    )
    rep.add(
        "Interim care orders over 50 weeks (proceedings backlog)",
        f"{backlog_share:.0%} of interim care orders",
        "base scenario",
        "",
        "not published: the base scenario's share",
    )

    # --- age -------------------------------------------------------------------------------
    ages, how = filled_counts("in_care", auth.code, auth.region, year, "Age group", AGE_OF_GROUP, total)
    changes["initial.age_band_shares"] = _round_shares(ages)
    rep.add("Age mix", _shares_text(ages), "in_care", year, how)

    # --- placements -----------------------------------------------------------------------
    groups, how_pl = filled_counts("in_care", auth.code, auth.region, year, "Placement", PLACEMENT_GROUP, total)
    prov, how_pr = filled_counts(
        "in_care", auth.code, auth.region, year, "Place providers", {**PROVIDER_GROUP, **_parents()}, total
    )
    placed = min(groups["placed_for_adoption"], stages["placement_order"])
    placed_share = placed / stages["placement_order"] if stages["placement_order"] > 0 else 0.0
    changes["initial.placement_order_placed_share"] = round(min(max(placed_share, 0.0), 1.0), 4)
    rep.add(
        "Placement orders already placed for adoption",
        f"{placed_share:.0%}",
        "in_care",
        year,
        "children placed for adoption over children with a placement order",
    )
    totals, private_how = _placement_totals(groups, prov, base)
    totals["placed_for_adoption"] = groups["placed_for_adoption"] - placed
    mix = _mix_by_band(ages, totals, base.initial.placement_mix_by_age_band)
    changes["initial.placement_mix_by_age_band"] = mix
    rep.add("Placements", _shares_text(groups), "in_care", year, how_pl)
    rep.add(
        "Providers",
        f"private or voluntary {prov['private']:,.0f}, local authority or public {prov['public']:,.0f}",
        "in_care",
        year,
        how_pr,
    )
    rep.add(
        "Placement types",
        ", ".join(f"{types[t].label} {v / max(sum(totals.values()), 1e-9):.0%}" for t, v in totals.items() if v > 0.5),
        "in_care",
        year,
        private_how,
    )
    rep.add(
        "Placement mix by age band",
        "fitted",
        "base scenario",
        "",
        "not published by age: the base scenario's pattern by age, fitted to the authority's age and placement totals",
    )

    # --- entries ---------------------------------------------------------------------------
    _entries(auth, year, base, changes, rep)

    # --- exits -----------------------------------------------------------------------------
    _exits(auth, year, base, changes, rep)

    # --- what stays from the base ----------------------------------------------------------
    for what in (
        "Length of care proceedings and their outcomes' timing",
        "Moves between placement types",
        "Weekly prices and inflation",
        "Placement budget",
    ):
        rep.add(what, "as the base scenario", "base scenario", "", "not in the published tables: set your own")

    start = as_at + dt.timedelta(days=1)
    changes.update(_moved_dates(base, start))
    changes["name"] = f"{auth.name} at 31 March {year} (published figures)"[:120]
    try:
        scenario = base.with_values(changes)
    except ScenarioError as exc:  # pragma: no cover - every authority is checked by the tests
        raise PublishedError(
            f"the published figures for {auth.name} do not make a valid scenario: "
            + "; ".join(str(i) for i in exc.issues)
        ) from None
    rep.add("Start date of the projection", f"{start:%d/%m/%Y}", "", "", "the day after the as-at date")
    return scenario, rep.frame()


def _parents() -> dict[str, str]:
    return {"Parents or other person with parental responsibility": "parents"}


def _shares_text(counts: Mapping[str, float]) -> str:
    total = sum(counts.values()) or 1.0
    return ", ".join(f"{k.replace('_', ' ')} {v / total:.0%}" for k, v in counts.items())


def _placement_totals(
    groups: Mapping[str, float], prov: Mapping[str, float], base: Scenario
) -> tuple[dict[str, float], str]:
    """Children by the model's placement types from the published placement groups and provider split."""
    shares = dict(base.initial.age_band_shares)
    agg: dict[str, float] = {}
    for band, mix in base.initial.placement_mix_by_age_band.items():
        for t, v in mix.items():
            agg[t] = agg.get(t, 0.0) + shares[band] * v
    foster_base = agg.get("in_house_fostering", 0) + agg.get("kinship_fostering", 0) + agg.get("ifa", 0)
    kin = agg.get("kinship_fostering", 0) / (agg.get("in_house_fostering", 0) + agg.get("kinship_fostering", 0) or 1)
    res_base = agg.get("la_childrens_home", 0) + agg.get("private_childrens_home", 0) + agg.get("secure", 0)
    secure = agg.get("secure", 0) / (res_base or 1)
    priors = {
        "foster": agg.get("ifa", 0) / (foster_base - agg.get("kinship_fostering", 0) or 1),
        "residential": agg.get("private_childrens_home", 0)
        / (agg.get("la_childrens_home", 0) + agg.get("private_childrens_home", 0) or 1),
        "supported": PRIVATE_PRIOR["supported"],
    }
    foster_nk = groups["foster"] * (1 - kin)
    homes = groups["residential"] * (1 - secure)
    weights = {"foster": foster_nk, "residential": homes, "supported": groups["supported"]}
    p = _odds_shift(weights, priors, prov["private"])
    totals = {
        "in_house_fostering": foster_nk * (1 - p["foster"]),
        "kinship_fostering": groups["foster"] * kin,
        "ifa": foster_nk * p["foster"],
        "la_childrens_home": homes * (1 - p["residential"]),
        "private_childrens_home": homes * p["residential"],
        "supported_accommodation": groups["supported"],
        "placed_with_parents": groups["placed_with_parents"],
        "placed_for_adoption": 0.0,
        "secure": groups["residential"] * secure,
        "other": groups["other"],
    }
    how = (
        f"foster placements split by the provider table ({prov['private']:,.0f} children with private or voluntary "
        f"providers): independent fostering {p['foster']:.0%} of non-kinship fostering, private homes "
        f"{p['residential']:.0%} of children's homes (the base scenario's proportions, their odds moved together "
        f"to match the providers); kinship fostering {kin:.0%} of fostering and secure homes {secure:.0%} of "
        "homes as in the base scenario (not published)"
    )
    return totals, how


def _mix_by_band(
    ages: Mapping[str, float], totals: Mapping[str, float], base_mix: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, float]]:
    ids = [p.id for p in load_placement_types()]
    pool = sum(totals.values())
    age_total = sum(ages.values()) or 1.0
    rows = np.array([ages[b] / age_total * pool for b in AGE_BANDS])
    cols = np.array([max(totals.get(t, 0.0), 0.0) for t in ids])
    seed = np.zeros((len(AGE_BANDS), len(ids)))
    for i, band in enumerate(AGE_BANDS):
        ok = _admissible(band)
        for j, t in enumerate(ids):
            if ok[t]:
                seed[i, j] = (base_mix[band].get(t, 0.0) + 0.01) * rows[i]
    fitted = _rake(seed, rows, cols)
    out: dict[str, dict[str, float]] = {}
    for i, band in enumerate(AGE_BANDS):
        row = fitted[i]
        if row.sum() <= 0:
            out[band] = dict(base_mix[band])
            continue
        out[band] = _round_shares({t: float(v) for t, v in zip(ids, row, strict=True)})
    return out


def _entries(auth: Authority, year: int, base: Scenario, changes: dict[str, object], rep: _Report) -> None:
    started = pub.figure(auth.code, year, "started")
    if math.isnan(started):
        rep.add("Children starting care", "not published", "headline", year, "kept from the base scenario")
        return
    changes["entries.weekly_rate"] = round(started / WEEKS_A_YEAR, 4)
    rep.add(
        "Children starting care a week",
        f"{started / WEEKS_A_YEAR:.2f}",
        "headline",
        year,
        f"{started:,.0f} in the year to 31 March {year}",
    )
    past = [(y, pub.figure(auth.code, y, "started")) for y in auth.years if y <= year]
    past = [(y, v) for y, v in past if not math.isnan(v) and v > 0]
    if len(past) >= 2:
        ys = np.array([y for y, _ in past], dtype=float)
        slope = float(np.polyfit(ys, np.log([v for _, v in past]), 1)[0])
        trend = round(max(-TREND_LIMIT, min(TREND_LIMIT, TREND_DAMPING * (math.exp(slope) - 1))), 4)
        changes["entries.annual_trend"] = trend
        rep.add(
            "Trend in entries",
            f"{trend:+.1%} a year",
            "headline",
            f"{past[0][0]}-{year}",
            f"half the yearly change in starters over {len(past)} years (log-linear), at most ±{TREND_LIMIT:.0%}",
        )
    else:
        changes["entries.annual_trend"] = 0.0
        rep.add("Trend in entries", "none", "headline", year, "only one year published: no trend")
    ages, how = filled_counts("started", auth.code, auth.region, year, "Age on starting", AGE_OF_GROUP, started)
    changes["entries.age_band_shares"] = _round_shares(ages)
    rep.add("Age mix of children starting care", _shares_text(ages), "started", year, how)
    legal_map = {k: ("s20" if k in S20_ROUTES else "court") for k in _starter_statuses()}
    legal, how = filled_counts("started", auth.code, auth.region, year, "Legal status", legal_map, started)
    s20_share = legal["s20"] / started if started > 0 else 0.0
    weights = {b: ages[b] for b in AGE_BANDS}
    shifted = _odds_shift(weights, dict(base.entries.s20_share_by_age_band), s20_share * sum(weights.values()))
    changes["entries.s20_share_by_age_band"] = {b: round(v, 4) for b, v in shifted.items()}
    rep.add(
        "Share starting care under section 20",
        f"{s20_share:.0%} overall; " + ", ".join(f"{b.replace('_', '-')} {v:.0%}" for b, v in shifted.items()),
        "started",
        year,
        how + "; by age the base scenario's pattern, moved to the authority's overall share (police protection, "
        "remand and similar count as section 20, as in the SSDA903 mapping)",
    )
    uasc, how = filled_counts(
        "started",
        auth.code,
        auth.region,
        year,
        "Unaccompanied asylum-seeking children",
        {
            "Unaccompanied asylum-seeking children": "uasc",
            "Children excluding unaccompanied asylum-seeking children": "other",
        },
        started,
    )
    rep.add(
        "Unaccompanied asylum-seeking children starting care",
        f"{uasc['uasc']:,.0f} ({uasc['uasc'] / started:.0%})" if started else "0",
        "started",
        year,
        how + "; counted among the starters (in their ages and section 20 share): the scenario has no separate "
        "UASC stream",
    )
    rep.add(
        "First placement of children starting care",
        "as the base scenario",
        "base scenario",
        "",
        "not published",
    )


def _starter_statuses() -> tuple[str, ...]:
    return (
        "Child assessment order and in LA accommodation",
        "Emergency protection order",
        "Full care order",
        "Interim care order",
        "LA accommodation under PACE 1989",
        "Placement order granted",
        "Police protection in LA accommodation",
        "Remand",
        "Sentenced to youth rehabilitation order",
        "Voluntary agreement under S20",
    )


def _exits(auth: Authority, year: int, base: Scenario, changes: dict[str, object], rep: _Report) -> None:
    routes, total, how = _published_routes(auth, year)
    if not routes:
        rep.add("Children leaving care", "not published", "ceased", year, "rates kept from the base scenario")
        return
    prev = pub.figure(auth.code, year - 1, "in_care")
    now = pub.figure(auth.code, year, "in_care")
    at_risk = (prev + now) / 2 if not math.isnan(prev) else now
    base_rates = _base_route_rates(base.to_json(indent=None))
    lo, hi = ROUTE_FACTOR_LIMITS
    f = {}
    for r in ROUTES:
        want = routes[r] / at_risk if at_risk > 0 else 0.0
        have = base_rates[r]
        f[r] = min(max(want / have, lo), hi) if have > 0 else 1.0
    rep.add(
        "Children leaving care",
        f"{total:,.0f}: " + ", ".join(f"{ROUTE_LABELS[r]} {routes[r]:,.0f}" for r in ROUTES),
        "ceased",
        year,
        how + "; aged 18 or over from the age on ceasing, other = the rest",
    )
    s = base
    home, sgo = f["returned_home"], f["sgo_cao"]
    shares = dict(s.proceedings.outcome_shares)
    new_home, new_sgo = shares["returned_home"] * home, shares["sgo_cao"] * sgo
    if new_home + new_sgo > 0.9:
        k = 0.9 / (new_home + new_sgo)
        new_home, new_sgo = new_home * k, new_sgo * k
    rest = shares["placement_order"] + shares["care_order"]
    left = 1.0 - round(new_home, 4) - round(new_sgo, 4)
    po = round(left * shares["placement_order"] / rest, 4) if rest > 0 else round(left / 2, 4)
    outcome = {
        "returned_home": round(new_home, 4),
        "sgo_cao": round(new_sgo, 4),
        "placement_order": po,
        "care_order": round(1.0 - round(new_home, 4) - round(new_sgo, 4) - po, 4),
    }
    changes["proceedings.outcome_shares"] = outcome
    changes["s20.mean_weeks_to_return_home"] = round(min(max(s.s20.mean_weeks_to_return_home / home, 1.0), 520.0), 2)
    co = {
        "annual_discharge_home": s.care_order.annual_discharge_home * home,
        "annual_sgo": s.care_order.annual_sgo * sgo,
        "annual_other": s.care_order.annual_other * f["other"],
    }
    tot = sum(co.values())
    if tot > 0.9:
        co = {k: v * 0.9 / tot for k, v in co.items()}
    for k, v in co.items():
        changes[f"care_order.{k}"] = round(v, 5)
    adopt = f["adoption"]
    changes["placement_order.mean_weeks_placed_to_order"] = round(
        min(max(s.placement_order.mean_weeks_placed_to_order / adopt, 1.0), 520.0), 2
    )
    changes["placement_order.mean_weeks_to_placement"] = round(
        min(max(s.placement_order.mean_weeks_to_placement / adopt, 1.0), 520.0), 2
    )
    rep.add(
        "Rates of leaving care by route",
        ", ".join(f"{ROUTE_LABELS[r]} x{f[r]:.2f}" for r in ROUTES if r != "age_18"),
        "ceased",
        year,
        "the base scenario's rates scaled by the authority's leavers per child in care against the base "
        f"scenario's (limited to x{lo:g} to x{hi:g}); leaving at 18 follows from the ages of children in care",
    )


def _moved_dates(base: Scenario, start: dt.date) -> dict[str, object]:
    """Lever dates moved by as much as the start date, so that levers keep their timing."""
    shift = start - base.start_date

    def mv(d: dt.date) -> str:
        return (d + shift).isoformat()

    out: dict[str, object] = {
        "start_date": start.isoformat(),
        "entries.prevention_start": mv(base.entries.prevention_start),
        "proceedings.target_from_date": mv(base.proceedings.target_from_date),
        "proceedings.target_by_date": mv(base.proceedings.target_by_date),
        "placements.shift.start_date": mv(base.placements.shift.start_date),
    }
    if base.entries.surges:
        out["entries.surges"] = [
            {"start_date": mv(s.start_date), "weeks": s.weeks, "extra_children": s.extra_children}
            for s in base.entries.surges
        ]
    return out


__all__ = ["PublishedError", "build_scenario", "filled_counts"]
