"""The calibration itself: the steps (starting position, entries, rates, moves) put together into a scenario."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import load_placement_types
from ..defaults import default_scenario
from ..scenario import AGE_BAND_LABELS, AGE_BANDS, STAGE_KEYS, Scenario, ScenarioError
from .chain import _chain
from .codes import PRIVATE_PROVIDERS, legal_status_codes, placement_codes
from .common import _admissible, _age_years, _band, _fmt_mix, _fmt_shares, _mix_by_band, _shares, _stage_label
from .figures import BACKLOG_WEEKS, Calibration, MoveFigure, RateFigure
from .moves import _calibrate_moves
from .rates import _calibrate_rates, _RateCalibration
from .reading import SSDA903Error, default_as_at, read_table


def calibrate(
    header: pd.DataFrame,
    episodes: pd.DataFrame,
    as_at: dt.date,
    base: Scenario | None = None,
    window_weeks: int = 52,
    rates: bool = True,
    moves: bool = True,
) -> Calibration:
    """A scenario starting the day after ``as_at`` from the authority's own figures.

    ``header`` and ``episodes`` are tables as returned by :func:`read_table` (they are read
    again, so raw DataFrames work too). Replaced in ``base`` (default: the bundled defaults):
    ``start_date`` (dates of levers move with it), ``initial.*`` and ``entries.weekly_rate``,
    ``entries.age_band_shares``, ``entries.s20_share_by_age_band`` and
    ``entries.placement_mix_by_age_band``. With ``rates`` (the default) also the rates of the
    ``s20``, ``proceedings``, ``placement_order`` and ``care_order`` sections, each from the
    events and child-weeks at risk in the ``window_weeks`` before ``as_at``; a rate with fewer
    than :data:`MIN_EVENTS` events or :data:`MIN_EXPOSURE_WEEKS` child-weeks keeps the base
    value, with a warning. With ``moves`` (the default) also ``placements.moves``: the kinds of
    move between placement types with at least :data:`MIN_EVENTS` moves (and
    :data:`MIN_EXPOSURE_WEEKS` child-weeks) in the window replace the base scenario's list; if
    none has, the base list is kept, with a warning. Raises :class:`SSDA903Error` if the tables
    do not give a usable starting position.
    """
    base = base or default_scenario()
    if not 4 <= window_weeks <= 520:
        raise SSDA903Error([f"window: {window_weeks} weeks is out of range; allowed 4 to 520"])
    header = read_table(header, "header")
    episodes = read_table(episodes, "episodes")
    warnings: list[str] = []
    rows: list[tuple[str, str, str]] = []
    as_at_ts = pd.Timestamp(as_at)
    as_at_txt = f"{as_at.day} {as_at:%B %Y}"

    types = {p.id: p for p in load_placement_types()}
    codes = placement_codes()
    statuses = legal_status_codes()
    stage_of = dict(zip(statuses["code"], statuses["stage"], strict=True))
    own_type = dict(zip(codes["code"], codes["placement_type"], strict=True))
    private_type = {c: t for c, t in zip(codes["code"], codes["if_private_or_voluntary"], strict=True) if t}

    dob = header.drop_duplicates("CHILD", keep="last").set_index("CHILD")["DOB"]
    dup = int(header["CHILD"].duplicated().sum())
    if dup:
        warnings.append(f"{dup} children appear more than once in the header: the last row was used")
    ep = episodes.copy()
    ep["LS"] = ep["LS"].str.upper()
    ep["PLACE"] = ep["PLACE"].str.upper()
    provider = ep["PLACE_PROVIDER"].str.upper() if "PLACE_PROVIDER" in ep.columns else pd.Series("", index=ep.index)
    ep["stage"] = ep["LS"].map(stage_of)
    unknown_ls = sorted(set(ep.loc[ep["stage"].isna(), "LS"]))
    if unknown_ls:
        n = int(ep["stage"].isna().sum())
        warnings.append(
            f"{n} episodes had a legal status not in the table ({', '.join(unknown_ls[:6])}): counted as care order"
        )
        ep["stage"] = ep["stage"].fillna("care_order")
    ptype = ep["PLACE"].map(own_type)
    priv = provider.isin(PRIVATE_PROVIDERS) & ep["PLACE"].isin(private_type)
    ptype = ptype.where(~priv, ep["PLACE"].map(private_type))
    unknown_pl = sorted(set(ep.loc[ptype.isna(), "PLACE"]))
    if unknown_pl:
        warnings.append(
            f"{int(ptype.isna().sum())} episodes had a placement code not in the table "
            f"({', '.join(unknown_pl[:6])}): counted as Other"
        )
        ptype = ptype.fillna("other")
    needs_provider = ep["PLACE"].isin(private_type)
    if needs_provider.any() and "PLACE_PROVIDER" not in ep.columns:
        warnings.append(
            "There is no PLACE_PROVIDER column, so foster placements (U4-U6) count as in-house fostering and "
            "children's homes (K2) as LA children's homes"
        )
    ep["ptype"] = ptype
    ep["dob"] = ep["CHILD"].map(dob)
    no_dob = ep["dob"].isna()
    if no_dob.any():
        warnings.append(
            f"{int(ep.loc[no_dob, 'CHILD'].nunique())} children in the episodes are not in the header "
            "(no date of birth): left out"
        )
        ep = ep[~no_dob]

    # --- children in care on the date ------------------------------------------------
    open_ = ep[(ep["DECOM"] <= as_at_ts) & (ep["DEC"].isna() | (ep["DEC"] > as_at_ts)) & (ep["stage"] != "excluded")]
    multi = int(open_["CHILD"].duplicated().sum())
    if multi:
        warnings.append(f"{multi} children had more than one episode open on {as_at_txt}: the latest was used")
    stock = open_.sort_values("DECOM").drop_duplicates("CHILD", keep="last").copy()
    stock["age"] = _age_years(stock["dob"], as_at)
    adult = stock["age"] >= 18
    if adult.any():
        warnings.append(f"{int(adult.sum())} children were 18 or over on {as_at_txt}: left out")
    stock = stock[(stock["age"] >= 0) & ~adult]
    n_stock = len(stock)
    if n_stock == 0:
        raise SSDA903Error(
            [
                f"no child was in care on {as_at_txt}: choose a date covered by the episodes (they run to "
                f"{default_as_at(episodes):%d/%m/%Y} or later)"
            ]
        )
    stock["band"] = _band(stock["age"].to_numpy())
    stock = _admissible(stock, types, warnings, f"in care on {as_at_txt}")

    # backlog: in proceedings for more than BACKLOG_WEEKS, counting back over unbroken episodes
    proc = stock[stock["stage"] == "proceedings"]
    upto = ep[(ep["DECOM"] <= as_at_ts) & ep["CHILD"].isin(proc["CHILD"])]
    by_child = dict(tuple(upto.groupby("CHILD")))
    started = {c: _status_start(by_child[c], "proceedings") for c in proc["CHILD"]}
    weeks_in = {c: (as_at_ts - s).days / 7 for c, s in started.items()}
    backlog = {c for c, w in weeks_in.items() if w > BACKLOG_WEEKS}
    stage_counts = {k: 0.0 for k in STAGE_KEYS}
    for st_key, n in stock["stage"].value_counts().items():
        stage_counts[str(st_key)] += float(n)
    stage_counts["proceedings"] -= len(backlog)
    stage_counts["proceedings_backlog"] = float(len(backlog))
    po = stock[stock["stage"] == "placement_order"]
    placed_share = (
        float((po["ptype"] == "placed_for_adoption").mean()) if len(po) else base.initial.placement_order_placed_share
    )

    changes: dict[str, object] = {}
    changes["initial.stage_counts"] = stage_counts
    rows.append(("Children in care", f"{n_stock:,}", f"children with an episode open on {as_at_txt}"))
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

    # --- entries in the window -----------------------------------------------------
    lo = as_at_ts - pd.Timedelta(weeks=window_weeks)
    ent = ep[(ep["RNE"].str.upper() == "S") & (ep["DECOM"] > lo) & (ep["DECOM"] <= as_at_ts)]
    ent = ent[ent["stage"] != "excluded"].copy()
    ent["age"] = _age_years(ent["dob"], ent["DECOM"])
    ent = ent[(ent["age"] >= 0) & (ent["age"] < 18)]
    ent["band"] = _band(ent["age"].to_numpy())
    ent = _admissible(ent, types, warnings, "starting care")
    n_ent = len(ent)
    window_txt = f"the {window_weeks} weeks to {as_at_txt}"
    if n_ent == 0:
        warnings.append(
            f"No child started to be looked after (RNE S) in {window_txt}: entries kept from the base scenario"
        )
    else:
        changes["entries.weekly_rate"] = round(n_ent / window_weeks, 4)
        rows.append(
            (
                "Children starting care a week",
                f"{n_ent / window_weeks:.2f}",
                f"{n_ent} episodes with RNE S in {window_txt}",
            )
        )
        ent_age = _shares(ent["band"], AGE_BANDS)
        changes["entries.age_band_shares"] = ent_age
        rows.append(
            ("Age mix of children starting care", _fmt_shares(ent_age, AGE_BAND_LABELS), "age on the day care started")
        )
        s20 = dict(base.entries.s20_share_by_age_band)
        for b in AGE_BANDS:
            grp = ent[ent["band"] == b]
            if len(grp):
                s20[b] = round(float((grp["stage"] == "s20").mean()), 4)
        changes["entries.s20_share_by_age_band"] = s20
        rows.append(
            (
                "Share starting care under section 20",
                _fmt_shares(s20, AGE_BAND_LABELS),
                "legal status of the first episode (V2, J1-J3, L1, L3); bands with no starter kept from the base",
            )
        )
        emix, ekept = _mix_by_band(ent, base.entries.placement_mix_by_age_band, types)
        changes["entries.placement_mix_by_age_band"] = emix
        rows.append(
            (
                "First placement of children starting care",
                _fmt_mix(ent, types),
                "placement code (and provider) of the first episode"
                + (f"; kept from the base scenario for {', '.join(ekept)} (no starter of that age)" if ekept else ""),
            )
        )

    # --- rates over the same window ---------------------------------------------------
    figures: tuple[RateFigure, ...] = ()
    move_figures: tuple[MoveFigure, ...] = ()
    chained = None
    if rates:
        rc = _RateCalibration(base, lo, as_at_ts, window_txt)
        chained = _chain(ep, "REC" in episodes.columns, rc.warnings)
        _calibrate_rates(chained, rc)
        changes.update(rc.changes)
        rows += rc.rows
        warnings += rc.warnings
        figures = tuple(rc.figures)
    if moves:
        if chained is None:  # without the rates: only the warnings about the chaining itself
            chained = _chain(ep, "REC" in episodes.columns, warnings, about_exits=False)
        mv = _calibrate_moves(chained, base, lo, as_at_ts, window_txt, types)
        changes.update(mv.changes)
        rows += mv.rows
        warnings += mv.warnings
        move_figures = tuple(mv.figures)

    # --- the scenario ------------------------------------------------------------------
    start = as_at + dt.timedelta(days=1)
    changes.update(_moved_dates(base, start))
    changes["name"] = f"Your data at {as_at_txt}"
    try:
        scenario = base.with_values(changes)
    except ScenarioError as exc:
        raise SSDA903Error([f"the figures worked out do not make a valid scenario: {i}" for i in exc.issues]) from None
    rows.append(("Start date of the projection", f"{start:%d/%m/%Y}", "the day after the as-at date"))
    report = pd.DataFrame(rows, columns=["Figure", "Value", "Worked out from"])
    return Calibration(
        scenario=scenario,
        report=report,
        warnings=tuple(warnings),
        as_at=as_at,
        children_in_care=n_stock,
        entrants=n_ent,
        window_weeks=window_weeks,
        rates=figures,
        moves=move_figures,
    )


def _status_start(child_eps: pd.DataFrame, stage: str) -> pd.Timestamp:
    """Start of the unbroken run of ``stage`` episodes that is open last for one child."""
    e = child_eps.sort_values("DECOM")
    start = e["DECOM"].iloc[-1]
    prev_end = None
    for _, row in e.iloc[::-1].iterrows():
        if row["stage"] != stage or (prev_end is not None and row["DEC"] != prev_end):
            break
        start = row["DECOM"]
        prev_end = row["DECOM"]
    return start


def _moved_dates(base: Scenario, start: dt.date) -> dict[str, object]:
    """Lever dates moved by as much as the start date, so that levers keep their timing."""
    shift = start - base.start_date
    out: dict[str, object] = {"start_date": start.isoformat()}

    def mv(d: dt.date) -> str:
        return (d + shift).isoformat()

    out["entries.prevention_start"] = mv(base.entries.prevention_start)
    out["proceedings.target_from_date"] = mv(base.proceedings.target_from_date)
    out["proceedings.target_by_date"] = mv(base.proceedings.target_by_date)
    out["placements.shift.start_date"] = mv(base.placements.shift.start_date)
    if base.entries.surges:
        out["entries.surges"] = [
            {"start_date": mv(s.start_date), "weeks": s.weeks, "extra_children": s.extra_children}
            for s in base.entries.surges
        ]
    return out
