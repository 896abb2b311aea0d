"""The starting position: children in care on the as-at date by legal stage, age and placement type,
the backlog of long care proceedings, and the children seeking asylum alone (UASC) among them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from csc_model.scenario import AGE_BAND_LABELS, AGE_BANDS, STAGE_KEYS, Scenario
from csc_model.ssda903.checks import rows_named
from csc_model.ssda903.common import (
    _admissible,
    _age_years,
    _band,
    _fmt_mix,
    _fmt_shares,
    _mix_by_band,
    _shares,
    _stage_label,
)
from csc_model.ssda903.figures import BACKLOG_WEEKS
from csc_model.ssda903.reading import SSDA903Error, default_as_at


def starting_position(
    ep: pd.DataFrame,
    all_episodes: pd.DataFrame,
    as_at: dt.date,
    base: Scenario,
    types: dict,
    warnings: list[str],
    uasc: pd.Series | None,
) -> tuple[dict[str, object], list[tuple[str, str, str]], int, int | None]:
    """Scenario changes, report rows, the number in care and the number of them who are UASC (None: not known).

    ``ep`` are the episodes with a date of birth and a legal stage; ``all_episodes`` every episode
    read (to say why nobody is in care, if so).
    """
    as_at_ts = pd.Timestamp(as_at)
    as_at_txt = f"{as_at.day} {as_at:%B %Y}"
    rows: list[tuple[str, str, str]] = []
    open_ = ep[(ep["DECOM"] <= as_at_ts) & (ep["DEC"].isna() | (ep["DEC"] > as_at_ts)) & (ep["stage"] != "excluded")]
    multi = int(open_["CHILD"].duplicated().sum())
    if multi:
        warnings.append(f"{multi} children had more than one episode open on {as_at_txt}: the latest was used")
    stock = open_.sort_values("DECOM").drop_duplicates("CHILD", keep="last").copy()
    stock["age"] = _age_years(stock["dob"], as_at)
    adult = stock["age"] >= 18
    if adult.any():
        warnings.append(f"{int(adult.sum())} children were 18 or over on {as_at_txt}: left out")
    unborn = stock["age"] < 0
    if unborn.any():
        warnings.append(
            f"{int(unborn.sum())} children in care on {as_at_txt} were born after it ("
            f"{rows_named(stock.index[unborn], 'episodes')}): left out; check DOB"
        )
    stock = stock[~unborn & ~adult]
    n_stock = len(stock)
    if n_stock == 0:
        raise SSDA903Error([_why_nobody(ep, all_episodes, open_, int(adult.sum()), as_at, as_at_txt)])
    stock["band"] = _band(stock["age"].to_numpy())
    stock = _admissible(stock, types, warnings, f"in care on {as_at_txt}")

    # backlog: in proceedings for more than BACKLOG_WEEKS, counting back over unbroken episodes
    proc = stock[stock["stage"] == "proceedings"]
    upto = ep[(ep["DECOM"] <= as_at_ts) & ep["CHILD"].isin(proc["CHILD"])]
    started = _run_starts(upto, "proceedings")
    backlog = set(started.index[(as_at_ts - started).dt.days / 7 > BACKLOG_WEEKS])
    stage_counts = {k: 0.0 for k in STAGE_KEYS}
    for st_key, n in stock["stage"].value_counts().items():
        stage_counts[str(st_key)] += float(n)
    stage_counts["proceedings"] -= len(backlog)
    stage_counts["proceedings_backlog"] = float(len(backlog))
    po = stock[stock["stage"] == "placement_order"]
    placed_share = (
        float((po["ptype"] == "placed_for_adoption").mean()) if len(po) else base.initial.placement_order_placed_share
    )

    changes: dict[str, object] = {"initial.stage_counts": stage_counts}
    rows.append(("Children in care", f"{n_stock:,}", f"children with an episode open on {as_at_txt}"))
    n_uasc = None
    if uasc is not None:
        is_uasc = stock["CHILD"].map(lambda c: c in uasc.index and not (uasc[c] <= as_at_ts))
        n_uasc = int(is_uasc.sum())
        rows.append(
            (
                "  of whom seeking asylum alone (UASC)",
                f"{n_uasc:,}",
                f"children in care on {as_at_txt} listed as unaccompanied asylum-seeking children and still so on that "
                "date; counted in the figures above too (the scenario has no UASC group of its own)",
            )
        )
    for k in STAGE_KEYS:
        how = {
            "s20": "legal status V2 (and J1-J3, L1, L3)",
            "proceedings": f"legal status C1 or L2, in proceedings up to {BACKLOG_WEEKS} weeks",
            "proceedings_backlog": f"legal status C1 or L2 for more than {BACKLOG_WEEKS} weeks, counting back "
            "over unbroken episodes",
            "placement_order": "legal status E1 or D1",
            "care_order": "legal status C2",
        }[k]
        rows.append((f"  by legal stage: {_stage_label(k)}", f"{stage_counts[k]:,.0f}", how))
    # the model keeps children placed for adoption under a placement order apart
    mix_pool = stock[~((stock["stage"] == "placement_order") & (stock["ptype"] == "placed_for_adoption"))]
    age_shares = _shares(stock["band"], AGE_BANDS)
    changes["initial.age_band_shares"] = age_shares
    rows.append(("Age mix of children in care", _fmt_shares(age_shares, AGE_BAND_LABELS), f"age on {as_at_txt}"))
    mix, kept = _mix_by_band(mix_pool, base.initial.placement_mix_by_age_band, types)
    changes["initial.placement_mix_by_age_band"] = mix
    rows.append(
        (
            "Placement mix of children in care",
            _fmt_mix(mix_pool, types),
            "placement code (and provider) of the open episode"
            + (f"; kept from the base scenario for {', '.join(kept)} (no child of that age)" if kept else ""),
        )
    )
    changes["initial.placement_order_placed_share"] = placed_share
    rows.append(
        (
            "Placement orders already placed for adoption",
            f"{placed_share:.0%}",
            f"{int((po['ptype'] == 'placed_for_adoption').sum())} of {len(po)} children with a placement order "
            "in placements A3-A6"
            if len(po)
            else "no child with a placement order: kept from the base scenario",
        )
    )
    return changes, rows, n_stock, n_uasc


def _why_nobody(
    ep: pd.DataFrame, all_episodes: pd.DataFrame, open_: pd.DataFrame, adults: int, as_at: dt.date, as_at_txt: str
) -> str:
    """What is actually wrong when no child is in care on the date: ids, ages, legal statuses, or the date."""
    if ep.empty:
        return (
            f"none of the {all_episodes['CHILD'].nunique():,} children in the episodes is in the header (no CHILD of "
            "the episodes matches a CHILD of the header): check that both files come from the same return and that "
            "the CHILD columns are written the same way (e.g. leading zeros)"
        )
    if len(open_) and adults >= open_["CHILD"].nunique():
        return (
            f"every child with an episode open on {as_at_txt} ({adults:,}) was 18 or over on that date, so none counts "
            "as a child in care: check the dates of birth (DOB) in the header"
        )
    if len(open_):
        return (
            f"the children with an episode open on {as_at_txt} have no usable age (born after the date): check the "
            "dates of birth (DOB) in the header"
        )
    in_care = ep[(ep["DECOM"] <= pd.Timestamp(as_at)) & (ep["DEC"].isna() | (ep["DEC"] > pd.Timestamp(as_at)))]
    if len(in_care):
        return (
            f"every episode open on {as_at_txt} has a legal status that is not counted as care (short breaks): "
            "there is no child in care to start from"
        )
    return (
        f"no child was in care on {as_at_txt}: choose a date covered by the episodes (they run to "
        f"{default_as_at(all_episodes):%d/%m/%Y} or later)"
    )


def _run_starts(eps: pd.DataFrame, stage: str) -> pd.Series:
    """Per child, the start of the unbroken run of ``stage`` episodes that ends with their latest episode:
    counting back while each episode is in ``stage`` and ends the day the next one starts."""
    e = eps.sort_values(["CHILD", "DECOM"], kind="stable")
    child, start, end, st = e["CHILD"], e["DECOM"], e["DEC"], e["stage"].eq(stage)
    link = child.shift(-1).eq(child) & end.eq(start.shift(-1)) & st & st.shift(-1, fill_value=False)
    run = (~link.shift(1, fill_value=False)).cumsum()
    first = start.groupby(run).transform("first")
    return first.groupby(child).last()
