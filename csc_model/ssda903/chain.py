"""Episodes linked into periods of care, and the weeks each is at risk in a window."""

from __future__ import annotations

import pandas as pd

from csc_model.ssda903.codes import reasons_ceased

AGE_18_DAYS = 7
"""Leaving care this many days or fewer before the 18th birthday (or later) counts as leaving at 18."""


def _chain(ep: pd.DataFrame, has_rec: bool, warnings: list[str], about_exits: bool = True) -> pd.DataFrame:
    """Episodes in care (short breaks left out) linked into periods of care.

    Warnings about how children left care (REC) are only added with ``about_exits``.

    Adds: ``pred``/``cont`` (an episode of the same child ends / starts the same day, so care
    goes on), ``next_stage``/``next_pfa`` (where care goes on to), ``exit`` (the route of
    leaving care, None if care goes on, the episode is open, or the route is unknown),
    ``b18`` (18th birthday), ``until`` (start of the child's next episode) and ``run`` (one id
    per unbroken run of one legal stage).
    """
    e = ep[ep["stage"] != "excluded"].sort_values(["CHILD", "DECOM", "DEC"], na_position="last")
    twice = e.duplicated(["CHILD", "DECOM", "DEC", "LS", "PLACE"])
    if twice.any():
        warnings.append(f"{int(twice.sum())} episodes appear twice in the episodes table: counted once for the rates")
        e = e[~twice]
    e = e.reset_index(drop=True)
    same_next = e["CHILD"].shift(-1).eq(e["CHILD"])
    e["cont"] = same_next & e["DEC"].notna() & e["DECOM"].shift(-1).eq(e["DEC"])
    # an episode running past the start of the child's next one: its weeks at risk stop there
    e["until"] = e["DECOM"].shift(-1).where(same_next)
    overlap = (e["until"] < e["DEC"]) | (e["until"].notna() & e["DEC"].isna())
    if overlap.any():
        warnings.append(
            f"{int(overlap.sum())} episodes overlap the next episode of the same child: for the rates, each counts "
            "only until the next one starts"
        )
    e["pred"] = e["cont"].shift(1, fill_value=False).astype(bool)
    e["pfa"] = e["ptype"].eq("placed_for_adoption")
    e["next_stage"] = e["stage"].shift(-1).where(e["cont"])
    e["next_pfa"] = e["pfa"].shift(-1).where(e["cont"]).eq(True)
    e["b18"] = e["dob"] + pd.DateOffset(years=18)
    if has_rec:
        rec = e["REC"].astype(str).str.strip().str.upper().replace({"NAN": "", "NONE": "", "NAT": ""})
    else:
        rec = pd.Series("", index=e.index)
    if not about_exits:
        warnings = []  # the rest is about leaving care: not said when only placement moves are worked out
    if not has_rec:
        warnings.append(
            "There is no REC column (reason episode ceased), so how children left care is not known: rates of "
            "leaving care are kept from the base scenario"
        )
    codes = reasons_ceased()
    route = rec.map(dict(zip(codes["code"], codes["route"], strict=True)))
    ended = e["DEC"].notna() & ~e["cont"]
    at18 = ended & (e["DEC"] >= e["b18"] - pd.Timedelta(days=AGE_18_DAYS))
    exit_ = route.where(ended & ~at18)
    exit_ = exit_.where(exit_ != "continues")
    exit_[at18] = "age_18"
    e["exit"] = exit_
    loose = ended & ~at18 & route.eq("continues")
    if loose.any():
        warnings.append(
            f"{int(loose.sum())} episodes ended X1 (a new episode the same day) but no episode of the child starts "
            "that day: not counted as leaving care, nor as anything else"
        )
    unknown = ended & ~at18 & route.isna() & has_rec
    if unknown.any():
        found = sorted({c or "blank" for c in rec[unknown]})
        warnings.append(
            f"{int(unknown.sum())} episodes ended with a reason not in the table ({', '.join(found[:6])}): "
            "not counted as any way of leaving care"
        )
    same_day = e["cont"] & route.notna() & route.ne("continues")
    if same_day.any():
        warnings.append(
            f"{int(same_day.sum())} episodes ended with a reason for leaving care but a new episode of the child "
            "starts the same day: counted as care going on, not as leaving care"
        )
    e["run"] = (~e["pred"] | e["stage"].ne(e["stage"].shift(1))).cumsum()
    return e


def _risk_span(e: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """When each chained episode is at risk in the window: from its start (or the window's), to
    its end, the window's end, the 18th birthday or the start of the child's next episode."""
    start = e["DECOM"].clip(lower=lo)
    end = e["DEC"].fillna(hi).clip(upper=hi)
    end = end.where(end < e["b18"], e["b18"])
    end = end.where(~(e["until"] < end), e["until"])
    return start, end


def _in_window(e: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """Episodes that end in the window (after ``lo``, up to ``hi``), not after the 18th birthday."""
    return (e["DEC"] > lo) & (e["DEC"] <= hi) & (e["DEC"] <= e["b18"])
