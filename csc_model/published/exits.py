"""Routes out of care from the published leavers by reason and age, and the exit rates scaled to them."""

from __future__ import annotations

import math
from functools import lru_cache

from csc_model.published import data as pub
from csc_model.published.data import Authority
from csc_model.published.fill import Report, filled_counts
from csc_model.scenario import Scenario

ROUTE_FACTOR_LIMITS = (0.25, 4.0)
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


# ---------------------------------------------------------------------------
# The base model's routes out of care (for scaling the exit rates)
# ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _base_route_rates(base: Scenario) -> dict[str, float]:
    """Exits by route in the base scenario's first year, per child in care at its start."""
    from csc_model.reporting.results import project

    base = base.replace(years=1)
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


def set_exits(auth: Authority, year: int, base: Scenario, changes: dict[str, object], rep: Report) -> None:
    routes, total, how = _published_routes(auth, year)
    if not routes:
        rep.add("Children leaving care", "not published", "ceased", year, "rates kept from the base scenario")
        return
    prev = pub.figure(auth.code, year - 1, "in_care")
    now = pub.figure(auth.code, year, "in_care")
    at_risk = (prev + now) / 2 if not math.isnan(prev) else now
    base_rates = _base_route_rates(base)
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
