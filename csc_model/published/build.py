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

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from csc_model.published import data as pub
from csc_model.published.data import Authority, PublishedError
from csc_model.published.exits import set_exits
from csc_model.published.fill import Report, filled_counts, odds_shift, round_shares, shares_text
from csc_model.published.forecast import entries_for, one_year_forecast
from csc_model.reporting.wording import PUBLISHED_LABEL_END
from csc_model.scenario import AGE_BAND_YEARS, AGE_BANDS, Scenario, ScenarioError
from csc_model.scenario.config import load_placement_types
from csc_model.scenario.defaults import default_scenario

WEEKS_A_YEAR = 52.0
"""Weeks in the year to 31 March that the entry rate is spread over (as the SSDA903 calibration's 52-week window)."""
TREND_DAMPING = 0.5
"""Share of the past yearly change in starters carried forward as the entry trend (changes mostly do not persist)."""
TREND_LIMIT = 0.10
PRIVATE_PRIOR = {"foster": None, "residential": None, "supported": 0.8}
"""Prior share run by private or voluntary providers (None: from the base scenario's mix)."""

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
        k = np.divide(cols, cs, out=np.ones_like(cols), where=cs > 0)
        m *= k[None, :]
        if np.abs(k - 1).max() < 1e-4:
            break
    rs = m.sum(axis=1)
    return m * np.divide(rows, rs, out=np.zeros_like(rows), where=rs > 0)[:, None]


# ---------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------


def build_scenario(
    la: str, as_at: dt.date, base: Scenario | None = None, correct: bool = True
) -> tuple[Scenario, pd.DataFrame]:
    """The scenario for authority ``la`` (name or code) starting the day after ``as_at`` (a 31 March).

    Returns the validated scenario and a report (``Figure``, ``Value``, ``Table``, ``Year``,
    ``Worked out from``) naming the published table and year of every figure, or the base
    scenario for what the tables do not give. With ``correct`` (the default) the entry rate is
    then set so that the projection's count at the next 31 March is the back-tested forecast
    (:mod:`csc_model.published.forecast`); ``correct=False`` keeps the published starters (the
    raw model). Raises :class:`PublishedError` for an unknown authority (naming close matches)
    or a date without published figures.
    """
    base = base or default_scenario()
    auth = pub.find_authority(la)
    year = pub.as_at_year(as_at, auth)
    rep = Report()
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
    changes["initial.age_band_shares"] = round_shares(ages)
    rep.add("Age mix", shares_text(ages), "in_care", year, how)

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
    rep.add("Placements", shares_text(groups), "in_care", year, how_pl)
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
    set_exits(auth, year, base, changes, rep)

    # --- what stays from the base ----------------------------------------------------------
    for what in (
        "Length of care proceedings and their outcomes' timing",
        "Moves between placement types",
        "Weekly prices and inflation",
    ):
        rep.add(what, "as the base scenario", "base scenario", "", "not in the published tables: set your own")

    start = as_at + dt.timedelta(days=1)
    changes.update(_moved_dates(base, start))
    changes["name"] = f"{auth.name} at 31 March {year} {PUBLISHED_LABEL_END}"[:120]
    try:
        scenario = base.with_values(changes)
    except ScenarioError as exc:  # pragma: no cover - every authority is checked by the tests
        raise PublishedError(
            f"the published figures for {auth.name} do not make a valid scenario: "
            + "; ".join(str(i) for i in exc.issues)
        ) from None
    rep.add("Start date of the projection", f"{start:%d/%m/%Y}", "", "", "the day after the as-at date")
    if correct:
        scenario = _correct_entries(auth, year, scenario, rep)
    return _placeholder_budget(scenario, rep), rep.frame()


def _placeholder_budget(scenario: Scenario, rep: Report) -> Scenario:
    """The scenario with its first year's budget set to that year's forecast spend, to the nearest £1,000.

    The published tables hold no budget, and the base scenario's (the illustrative authority's £38m)
    made a county's pressure read £122m. A budget equal to the first year's forecast is a neutral
    placeholder: the pressure then shows only how later years move against a budget growing by the
    base's yearly uplift. The base's overrides for named years are dropped (they were for its own years).
    """
    from csc_model.reporting.results import project  # the reporting layer builds on this package's data
    from csc_model.reporting.rounding import thousand

    first = project(scenario.with_values({"years": 1})).table("fy").iloc[0]
    budget = float(thousand(float(first["spend_gbp"])))  # the budget paper's figure: that year reads "in line"
    uplift = scenario.costs.budget_annual_uplift
    rep.add(
        f"Placement budget in {first['period']}",
        f"£{budget / 1e6:,.1f}m",
        "",
        "",
        f"not published: a placeholder equal to the year's forecast spend, growing {uplift:.1%} a year after it, "
        "so that the pressure shows how later years move; set your own budget on the Scenario builder",
    )
    return scenario.with_values({"costs.budget_first_year_gbp": budget, "costs.budget_overrides": {}})


def _correct_entries(auth: Authority, year: int, scenario: Scenario, rep: Report) -> Scenario:
    """The scenario with its entry rate set so that its first year ends at the back-tested forecast."""
    wanted, fitted = one_year_forecast(auth.code, year)
    target = dt.date(year + 1, 3, 31)
    rate, raw, reached = entries_for(scenario, target, wanted)
    published = scenario.entries.weekly_rate
    rep.add(
        f"Back-tested forecast of children in care at 31 March {year + 1}",
        f"{wanted:,.0f} (the model from the published flows alone: {raw:,.0f})",
        "in_care",
        year,
        "this year's count moved by the authority's rate per 10,000 and share aged 16 and over against the "
        f"median authority, with the numbers fitted on {fitted.describe()}; see docs/published.md",
    )
    rep.add(
        "Children starting care a week, after the back-test correction",
        f"{rate:.2f} (published {published:.2f}, {rate / published - 1:+.0%})" if published > 0 else f"{rate:.2f}",
        "headline",
        year,
        "set so that the first year's projection ends at the back-tested forecast"
        + ("" if abs(reached - wanted) < 0.5 else f" (kept within the allowed range: it reaches {reached:,.0f})")
        + "; the published starters alone carry last year's net flow forward, which forecasts worse than "
        "next year = this year",
    )
    # within the allowed 0 to 500 a week (entries_for keeps it there): no need to validate the whole scenario again
    return scenario.replace(entries=dataclasses.replace(scenario.entries, weekly_rate=round(rate, 4)))


def _parents() -> dict[str, str]:
    return {"Parents or other person with parental responsibility": "parents"}


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
    p = odds_shift(weights, priors, prov["private"])
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
        out[band] = round_shares({t: float(v) for t, v in zip(ids, row, strict=True)})
    return out


def _entries(auth: Authority, year: int, base: Scenario, changes: dict[str, object], rep: Report) -> None:
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
    changes["entries.age_band_shares"] = round_shares(ages)
    rep.add("Age mix of children starting care", shares_text(ages), "started", year, how)
    legal_map = {k: ("s20" if k in S20_ROUTES else "court") for k in _starter_statuses()}
    legal, how = filled_counts("started", auth.code, auth.region, year, "Legal status", legal_map, started)
    s20_share = legal["s20"] / started if started > 0 else 0.0
    weights = {b: ages[b] for b in AGE_BANDS}
    shifted = odds_shift(weights, dict(base.entries.s20_share_by_age_band), s20_share * sum(weights.values()))
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
