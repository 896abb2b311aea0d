"""Benchmarks from the published tables: an authority against its statistical neighbours, its region
and England, year by year; the authorities of a region side by side, and their summed projection.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from csc_model.published import data as pub
from csc_model.published.data import ENGLAND, Authority

INDICATORS: dict[str, tuple[str, str, str]] = {
    # key: (label, unit, table)
    "in_care_per_10k": ("Children in care per 10,000 children", "per 10,000", "headline"),
    "started_per_10k": ("Children starting care per 10,000 children", "per 10,000", "headline"),
    "ceased_per_10k": ("Children leaving care per 10,000 children", "per 10,000", "headline"),
    "foster_share": ("In foster placements", "% of children in care", "in_care"),
    "residential_share": ("In secure or children's homes", "% of children in care", "in_care"),
    "supported_share": ("In supported accommodation", "% of children in care", "in_care"),
    "private_share": ("With private or voluntary providers", "% of children in care", "in_care"),
    "uasc_share": ("Unaccompanied asylum-seeking children", "% of children in care", "in_care"),
    "agency_rate": ("Agency social workers", "% of social workers (FTE)", "workforce"),
    "vacancy_rate": ("Social worker vacancies", "% of posts (FTE)", "workforce"),
    "caseload": ("Average caseload", "cases per social worker (FTE)", "workforce"),
}
"""Indicator key -> (label, unit, source table key)."""
PLACEMENT_SHARES = {
    "foster_share": ("Placement", "Foster placements"),
    "residential_share": ("Placement", "Secure homes and children's homes"),
    "supported_share": (
        "Placement",
        "Independent and semi-independent living arrangements/supported accommodation",
    ),
    "uasc_share": ("Unaccompanied asylum-seeking children", "UASC"),
}
WORKFORCE = {"agency_rate": "agency_rate_fte", "vacancy_rate": "vacancy_rate_fte", "caseload": "caseload_fte"}


def _share(area: str, year: int, group: str, chars: tuple[str, ...]) -> float:
    b = pub.breakdown("in_care", area, year, group)
    total = b.get("Total", math.nan)
    vals = [b.get(c, math.nan) for c in chars]
    if not b or math.isnan(total) or total <= 0 or any(math.isnan(v) for v in vals):
        return math.nan
    return 100.0 * sum(vals) / total


def area_indicators(area: str) -> pd.DataFrame:
    """Every indicator for one area (authority code, region name or England), one row per year."""
    rows = []
    years = pub.area_years(area)
    for y in years:
        pop = pub.figure(area, y, "population")
        row: dict[str, float | int | str] = {"area": area, "year": y}
        for m in ("in_care", "started", "ceased"):
            v = pub.figure(area, y, m)
            row[f"{m}_per_10k"] = v / pop * 10_000 if pop and not math.isnan(v) else math.nan
        for key, (group, char) in PLACEMENT_SHARES.items():
            row[key] = _share(area, y, group, (char,))
        row["private_share"] = _share(
            area, y, "Place providers", ("Private provision", "Voluntary/third sector provision")
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=["area", "year", *[k for k in INDICATORS if k not in WORKFORCE]])
    wf = pub.workforce()
    wf = wf[wf["area"] == area].rename(columns={v: k for k, v in WORKFORCE.items()})
    wf = wf[["area", "year", *WORKFORCE]]
    return out.merge(wf, on=["area", "year"], how="outer").sort_values("year").reset_index(drop=True)


def comparison(authority: Authority) -> pd.DataFrame:
    """Tidy: ``group`` (the authority, its statistical neighbours' average, region, England), ``year``,
    ``indicator``, ``label``, ``unit``, ``value``; neighbours' average is the plain mean of their values."""
    frames = []
    frames.append(area_indicators(authority.code).assign(group=authority.name))
    neighbours = pub.neighbours(authority)
    if neighbours:
        nb = pd.concat([area_indicators(n.code) for n in neighbours])
        nb = nb.drop(columns="area").groupby("year").mean(numeric_only=True).reset_index()
        frames.append(nb.assign(group=f"Statistical neighbours (average of {len(neighbours)})"))
    frames.append(area_indicators(authority.region).assign(group=f"{authority.region} (region)"))
    frames.append(area_indicators(ENGLAND).assign(group="England"))
    wide = pd.concat(frames, ignore_index=True)
    long = wide.melt(id_vars=["group", "year"], value_vars=list(INDICATORS), var_name="indicator")
    long["label"] = long["indicator"].map(lambda k: INDICATORS[k][0])
    long["unit"] = long["indicator"].map(lambda k: INDICATORS[k][1])
    long["source"] = long["indicator"].map(lambda k: pub.TABLE_NAMES[INDICATORS[k][2]])
    long["value"] = long["value"].astype(float).round(1)
    return long.dropna(subset=["value"]).reset_index(drop=True)[
        ["group", "year", "indicator", "label", "unit", "value", "source"]
    ]


def region_authorities(region: str) -> tuple[Authority, ...]:
    """Authorities of a region (as the tables name it) with figures in the latest year."""
    return tuple(a for a in pub.current_authorities() if a.region == region)


def region_table(region: str, year: int | None = None) -> pd.DataFrame:
    """The authorities of a region side by side for one year (default: the latest): children in care,
    per 10,000, starters, leavers, private share, UASC share."""
    year = year or pub.latest_year()
    rows = []
    for a in region_authorities(region):
        ind = area_indicators(a.code)
        ind = ind[ind["year"] == year]
        r = ind.iloc[0] if len(ind) else pd.Series(dtype=float)
        rows.append(
            {
                "new_la_code": a.code,
                "la_name": a.name,
                "children_in_care": pub.figure(a.code, year, "in_care"),
                "in_care_per_10k": round(float(r.get("in_care_per_10k", np.nan)), 1),
                "started": pub.figure(a.code, year, "started"),
                "ceased": pub.figure(a.code, year, "ceased"),
                "private_share_pct": round(float(r.get("private_share", np.nan)), 1),
                "uasc_share_pct": round(float(r.get("uasc_share", np.nan)), 1),
            }
        )
    return pd.DataFrame(rows)


def region_projection(region: str, as_at: dt.date, years: int = 3) -> pd.DataFrame:
    """Deterministic projections of every authority in the region, each from its own published
    figures, by financial year; with a ``Region total`` row per year (children in care, entries, exits)."""
    from csc_model.published.build import build_scenario
    from csc_model.reporting.results import project

    frames = []
    for a in region_authorities(region):
        if as_at.year not in a.years:
            continue
        s, _ = build_scenario(a.code, as_at)
        t = project(s.replace(years=years)).table("fy")
        frames.append(
            t[["period", "children_in_care", "entries", "exits_total"]].assign(new_la_code=a.code, la_name=a.name)
        )
    if not frames:
        return pd.DataFrame(columns=["period", "children_in_care", "entries", "exits_total", "new_la_code", "la_name"])
    df = pd.concat(frames, ignore_index=True)
    total = df.groupby("period", as_index=False)[["children_in_care", "entries", "exits_total"]].sum()
    total = total.assign(new_la_code="", la_name="Region total")
    out = pd.concat([df, total], ignore_index=True)
    cols = ["children_in_care", "entries", "exits_total"]
    out[cols] = out[cols].round(1)
    return out
