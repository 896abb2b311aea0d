"""The calibration itself: the steps (starting position, entries, rates, moves) put together into a scenario."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from csc_model.scenario import Scenario, ScenarioError
from csc_model.scenario.config import load_placement_types
from csc_model.scenario.defaults import default_scenario
from csc_model.ssda903.chain import _chain
from csc_model.ssda903.checks import prepare, rows_named
from csc_model.ssda903.codes import PRIVATE_PROVIDERS, legal_status_codes, placement_codes
from csc_model.ssda903.entries import entries_step
from csc_model.ssda903.figures import DEFAULT_WINDOW_WEEKS, PRIOR_EVENTS, Calibration, MoveFigure, RateFigure
from csc_model.ssda903.moves import _calibrate_moves
from csc_model.ssda903.rate_trends import RateTrend
from csc_model.ssda903.rates import _calibrate_rates, _RateCalibration
from csc_model.ssda903.reading import SSDA903Error, read_tables, return_year_end
from csc_model.ssda903.starting import starting_position
from csc_model.ssda903.trend import EntryTrend


def calibrate(
    header: pd.DataFrame,
    episodes: pd.DataFrame,
    as_at: dt.date,
    base: Scenario | None = None,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
    rates: bool = True,
    moves: bool = True,
    la: str | None = None,
    uasc: pd.DataFrame | None = None,
    today: dt.date | None = None,
    prior_events: float = PRIOR_EVENTS,
) -> Calibration:
    """A scenario starting the day after ``as_at`` from the authority's own figures.

    ``header`` and ``episodes`` are tables as returned by :func:`read_table` (they are read
    again, so raw DataFrames work too); they may be several yearly returns stacked (an episode in
    two returns is counted once, the latest return winning) and may hold several authorities in an
    ``LA`` column, of which ``la`` chooses one (never added together). ``uasc`` is the optional table
    of unaccompanied asylum-seeking children (or a ``UASC`` column in the header): they are counted
    apart in the report. Replaced in ``base`` (default: the bundled defaults):
    ``start_date`` (dates of levers move with it), ``initial.*`` and ``entries.weekly_rate``,
    ``entries.annual_trend`` (from a window of two years or more: Poisson regression),
    ``entries.age_band_shares``, ``entries.s20_share_by_age_band`` and
    ``entries.placement_mix_by_age_band``. With ``rates`` (the default) also the rates of the
    ``s20``, ``proceedings``, ``placement_order`` and ``care_order`` sections, each from the
    events and child-weeks at risk in the ``window_weeks`` before ``as_at`` (default
    :data:`DEFAULT_WINDOW_WEEKS`, cut to the weeks the data cover), each shrunk towards the base
    value with the base counted as ``prior_events`` events (:mod:`.credibility`; the weight on the
    base is in the report and :attr:`Calibration.evidence`). ``prior_events=0`` takes the data
    alone, and a rate with fewer than :data:`MIN_EVENTS` events or :data:`MIN_EXPOSURE_WEEKS`
    child-weeks then keeps the base value, with a warning. With ``moves`` (the default) also
    ``placements.moves``, each shrunk towards the base scenario's rate in proportion to the evidence
    (see :mod:`.moves`). ``today`` (default: today) is the date after which no date can be real.
    Raises :class:`SSDA903Error` if the tables do not give a usable starting position.
    """
    base = base or default_scenario()
    if not 4 <= window_weeks <= 520:
        raise SSDA903Error([f"window: {window_weeks} weeks is out of range; allowed 4 to 520"])
    if not 0 <= prior_events <= 1000:
        raise SSDA903Error([f"prior events: {prior_events} is out of range; allowed 0 to 1,000"])
    tables = read_tables({"header": header, "episodes": episodes, "uasc": uasc})
    prep = prepare(tables["header"], tables["episodes"], tables.get("uasc"), la=la, today=today)
    header, episodes = prep.header, prep.episodes
    year_end = return_year_end(episodes)
    if year_end is not None and as_at > year_end:  # open episodes would be taken as open years on (analyst review)
        raise SSDA903Error(
            [
                f"as-at date: {as_at:%d/%m/%Y} is after the data, whose year ends on {year_end:%d/%m/%Y}; "
                f"choose a date on or before {year_end:%d/%m/%Y}"
            ]
        )
    warnings: list[str] = list(prep.notes)
    rows: list[tuple[str, str, str]] = []
    as_at_ts = pd.Timestamp(as_at)
    as_at_txt = f"{as_at.day} {as_at:%B %Y}"
    types = {p.id: p for p in load_placement_types()}
    ep = _coded(episodes, header, warnings)

    # --- children in care on the date ------------------------------------------------
    start_changes, start_rows, n_stock, uasc_in_care = starting_position(
        ep, episodes, as_at, base, types, warnings, prep.uasc
    )
    changes: dict[str, object] = dict(start_changes)
    rows += start_rows

    # --- the window: the weeks before the as-at date, within the data -------------------
    lo = as_at_ts - pd.Timedelta(weeks=window_weeks)
    used_weeks: float = window_weeks
    if prep.data_start is not None and lo < prep.data_start < as_at_ts:
        used_weeks = max(4, (as_at_ts - prep.data_start).days // 7)
        lo = as_at_ts - pd.Timedelta(weeks=used_weeks)
        warnings.append(
            f"The window of {window_weeks} weeks begins before the episodes do (they cover from "
            f"{prep.data_start:%d/%m/%Y}: {'the first YEAR' if 'YEAR' in episodes.columns else 'the 1 April before the earliest end date'}"
            f"): it was cut to the {used_weeks} weeks the data cover, so that weeks with no data do not count as "
            "weeks with no children starting or leaving care"
        )
    window_txt = f"the {used_weeks} weeks to {as_at_txt}"

    # --- entries in the window -----------------------------------------------------
    ent_changes, ent_rows, n_ent, uasc_entrants, trend = entries_step(
        ep, lo, as_at_ts, used_weeks, window_txt, base, types, warnings, prep.uasc
    )
    changes.update(ent_changes)
    rows += ent_rows

    # --- rates over the same window ---------------------------------------------------
    figures: tuple[RateFigure, ...] = ()
    cohorts: tuple = ([], None, None)
    rate_trends: tuple[RateTrend, ...] = ()
    move_figures: tuple[MoveFigure, ...] = ()
    evidence: list[dict] = _entry_evidence(base, n_ent, used_weeks, trend, changes)
    chained = None
    if rates:
        rc = _RateCalibration(base, lo, as_at_ts, window_txt, prior_events)
        chained = _chain(ep, "REC" in episodes.columns, rc.warnings)
        _calibrate_rates(chained, rc)
        changes.update(rc.changes)
        rows += rc.rows
        warnings += rc.warnings
        rate_trends = tuple(rc.trends)
        by_path = {t.path: t for t in rate_trends}
        figures = tuple(dataclasses.replace(f, trend=by_path.get(f.path)) for f in rc.figures)
        evidence += rc.evidence()
        cohorts = rc.proceedings_cohorts
    if moves:
        if chained is None:  # without the rates: only the warnings about the chaining itself
            chained = _chain(ep, "REC" in episodes.columns, warnings, about_exits=False)
        mv = _calibrate_moves(chained, base, lo, as_at_ts, window_txt, types)
        changes.update(mv.changes)
        rows += mv.rows
        warnings += mv.warnings
        move_figures = tuple(mv.figures)
        evidence += [
            {
                "path": f"placements.moves.{f.from_type}.{f.to_type}",
                "kind": "move",
                "events": f.events,
                "exposure_weeks": f.exposure_weeks,
                "trials": float("nan"),
                "base": f.base,
                "value": f.value or 0.0,
                "weight_on_base": f.weight_on_base,
                "used": f.used,
            }
            for f in move_figures
        ]

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
    report["Weight on base"] = _weights(report, figures, move_figures)
    return Calibration(
        scenario=scenario,
        report=report,
        warnings=tuple(warnings),
        as_at=as_at,
        children_in_care=n_stock,
        entrants=n_ent,
        window_weeks=int(used_weeks),
        rates=figures,
        moves=move_figures,
        uasc_in_care=uasc_in_care,
        uasc_entrants=uasc_entrants,
        entry_trend=trend,
        notes=prep.notes,
        proceedings_by_issue=tuple(cohorts[0]),
        proceedings_trend=None if cohorts[1] is None else (cohorts[1], cohorts[2]),
        evidence=pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS),
        rate_trends=rate_trends,
    )


def _coded(episodes: pd.DataFrame, header: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """The episodes with the model's legal stage (``stage``), placement type (``ptype``) and date of birth
    (``dob``); episodes of children not in the header are left out, with a warning naming the rows."""
    codes = placement_codes()
    statuses = legal_status_codes()
    stage_of = dict(zip(statuses["code"], statuses["stage"], strict=True))
    own_type = dict(zip(codes["code"], codes["placement_type"], strict=True))
    private_type = {c: t for c, t in zip(codes["code"], codes["if_private_or_voluntary"], strict=True) if t}
    dob = header.set_index("CHILD")["DOB"]
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
    if no_dob.any() and not no_dob.all():
        warnings.append(
            f"{int(ep.loc[no_dob, 'CHILD'].nunique())} children in the episodes are not in the header "
            f"(no date of birth; {rows_named(ep.index[no_dob], 'episodes')}): left out"
        )
    return ep[~no_dob]


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


EVIDENCE_COLUMNS = [
    "path",
    "kind",
    "events",
    "exposure_weeks",
    "trials",
    "base",
    "value",
    "weight_on_base",
    "used",
    "estimate",
    "se",
]
"""Columns of :attr:`Calibration.evidence`; estimate and se only for the entries trend."""


def _entry_evidence(base: Scenario, n_ent: int, weeks: float, trend: EntryTrend | None, changes: dict) -> list[dict]:
    """The entries' evidence: the starts over the window's weeks (and the trend's estimate and standard error)."""
    if n_ent == 0:
        return []
    rows = [
        {
            "path": "entries.weekly_rate",
            "kind": "entries",
            "events": n_ent,
            "exposure_weeks": float(weeks),
            "trials": float("nan"),
            "base": base.entries.weekly_rate,
            "value": changes["entries.weekly_rate"],
            "weight_on_base": 0.0,
            "used": True,
        }
    ]
    if trend is not None:
        rows.append(
            {
                "path": "entries.annual_trend",
                "kind": "trend",
                "events": n_ent,
                "exposure_weeks": float(weeks),
                "trials": float("nan"),
                "base": base.entries.annual_trend,
                "value": changes["entries.annual_trend"],
                "weight_on_base": 0.0,
                "used": True,
                "estimate": trend.annual_trend,
                "se": trend.annual_trend_se,
            }
        )
    return rows


def _weights(report: pd.DataFrame, rates: tuple[RateFigure, ...], moves: tuple[MoveFigure, ...]) -> list[str]:
    """The report's "Weight on base" column: how much of each rate rests on the base scenario (blank: not a rate)."""
    by_label = {f.label: f"{f.weight_on_base:.0%}" for f in rates}
    by_label |= {f"  move: {f.label}": f"{f.weight_on_base:.0%}" for f in moves if f.used}
    return [by_label.get(str(x), "") for x in report["Figure"]]
