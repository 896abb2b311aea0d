"""Starting position, entries and rates from a local authority's SSDA903 return.

The SSDA903 return is the child-level data every English local authority sends to DfE: a
header table (one row per child: CHILD, SEX, DOB, ...) and an episodes table (one row per
episode of care: CHILD, DECOM start date, RNE reason for new episode, LS legal status, CIN,
PLACE placement code, PLACE_PROVIDER, DEC end date, REC reason ceased, ...).

:func:`calibrate` works out, from those two tables, the figures of a scenario that describe
where the authority starts: children in care on a date by legal stage, age band and
placement type, the children already over 50 weeks in care proceedings, and the children
who started to be looked after in the weeks before (rate, ages, section 20 share, first
placement). Unless told not to, it also works out the rates at which children move between
legal stages and leave care over the same weeks, by occurrence / exposure: events divided by
the child-weeks at risk, each child counted in the legal stage they were in. A child's period
of care is a chain of episodes: an episode followed by one starting the same day (usually
REC X1) is a change within care, not leaving care. Prices and the budget are kept from the
base scenario, as is any rate with too few events to go on. Each figure is reported with what
it was worked out from.

Unless told not to, it also works out the usual moves between placement types
(``placements.moves``): a move is an episode followed the same day by one of the same child in
another placement type; its yearly rate is the moves divided by the child-weeks in the type
they left, counted only at the ages both types take (as the model applies it). Moves into or
out of "placed for adoption" belong to the placement-order stage and are not counted.

How codes map onto the model is configuration: ``data/ssda903_placement_codes.csv``,
``data/ssda903_legal_status.csv`` and ``data/ssda903_reasons_ceased.csv``.

The tables are personal data. This module only reads what it is given, in memory: it never
writes a file, logs the data or keeps it after a call returns.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import DATA_DIR, load_placement_types
from .defaults import default_scenario
from .scenario import (
    AGE_BAND_LABELS,
    AGE_BAND_YEARS,
    AGE_BANDS,
    HEARING_OUTCOMES,
    STAGE_KEYS,
    Scenario,
    ScenarioError,
    field_meta,
)
from .structure import weekly_from_annual

BACKLOG_WEEKS = 50
"""Children in care proceedings longer than this on the start date count as the backlog."""
MAX_LISTED = 8
"""At most this many problems are listed for one column; the rest are counted."""

REQUIRED = {
    "header": ("CHILD", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC"),
}
DATES = {"header": ("DOB",), "episodes": ("DECOM", "DEC")}
ALIASES = {"PL": "PLACE", "PLACEMENT": "PLACE", "DATE_OF_BIRTH": "DOB"}
PRIVATE_PROVIDERS = {"PR4", "PR5"}
ROUTES = ("returned_home", "sgo_cao", "adoption", "age_18", "other", "continues")
"""Routes a reason ceased (REC) can count as: the model's exit routes, or care continuing (X1)."""
MIN_EVENTS = 10
"""A rate worked out from fewer events than this is not used: the base scenario's value is kept."""
MIN_EXPOSURE_WEEKS = 52.0
"""Nor is a rate worked out from fewer child-weeks at risk than this."""
MIN_SPELLS_FOR_SPREAD = 30
"""The Erlang order (from the spread of proceedings lengths) needs at least this many spells."""
AGE_18_DAYS = 7
"""Leaving care this many days or fewer before the 18th birthday (or later) counts as leaving at 18."""


class SSDA903Error(ValueError):
    """The tables cannot be used; ``problems`` lists every reason in plain words."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Calibration:
    """The calibrated scenario and how each of its figures was worked out."""

    scenario: Scenario
    report: pd.DataFrame  # columns "Figure", "Value", "Worked out from"
    warnings: tuple[str, ...]
    as_at: dt.date
    children_in_care: int
    entrants: int
    window_weeks: int
    rates: tuple[RateFigure, ...] = ()  # the rates looked at (empty when rates are not calibrated)
    moves: tuple[MoveFigure, ...] = ()  # the kinds of placement move found (empty when moves are not calibrated)


@dataclass(frozen=True)
class RateFigure:
    """One rate worked out from the episodes (totals only, nothing about any one child).

    ``estimate`` is what the data gave in the scenario's units, before any clipping (None if
    there was nothing to go on); ``value`` is what the calibrated scenario holds: the estimate
    (clipped to the allowed range) if ``used``, else the base scenario's value.
    """

    path: str  # the scenario field, e.g. "s20.mean_weeks_to_return_home"
    label: str
    value: Any
    base: Any
    estimate: Any
    events: int
    exposure_weeks: float  # child-weeks at risk; 0 for figures from lengths of spells
    used: bool


@dataclass(frozen=True)
class MoveFigure:
    """One kind of placement move (from one placement type to another) found in the window.

    ``events`` and ``exposure_weeks`` count only moves and child-weeks at ages from ``min_age`` to
    ``max_age``: the ages both placement types take, where the model applies the move.
    ``estimate`` is the yearly rate the data give; ``value`` what the calibrated scenario holds
    (None if the move is left out: too few moves or child-weeks).
    """

    from_type: str
    to_type: str
    label: str  # e.g. "Private children's home to Independent fostering agency (IFA)"
    events: int
    exposure_weeks: float
    min_age: int
    max_age: int
    estimate: float | None
    value: float | None
    used: bool


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_table(data: bytes | str | Path | pd.DataFrame, table: str) -> pd.DataFrame:
    """One SSDA903 table as a DataFrame with upper-case column names and parsed dates.

    ``data`` is CSV bytes (e.g. an upload), a path to a CSV file, or a DataFrame. Dates may be
    written DD/MM/YYYY (as in the return) or YYYY-MM-DD. Raises :class:`SSDA903Error` with
    every problem found: unreadable file, missing columns, empty table, bad dates.
    """
    if table not in REQUIRED:
        raise ValueError(f"table must be 'header' or 'episodes', not {table!r}")
    if isinstance(data, pd.DataFrame):
        df = data.copy()
    else:
        try:
            raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        except OSError as exc:
            raise SSDA903Error([f"{table}: the file could not be opened ({exc.strerror or exc})"]) from None
        df = _read_csv_bytes(raw, table)
    df.columns = [ALIASES.get(str(c).strip().upper(), str(c).strip().upper()) for c in df.columns]
    problems: list[str] = []
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    if missing:
        problems.append(
            f"{table}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(needed: {', '.join(REQUIRED[table])}; found: {', '.join(map(str, df.columns)) or 'none'})"
        )
        other = "episodes" if table == "header" else "header"
        if all(c in df.columns for c in REQUIRED[other]):
            problems.append(f"{table}: this looks like the {other} table: the two files may be the wrong way round")
        raise SSDA903Error(problems)
    if df.empty:
        raise SSDA903Error([f"{table}: the table has no rows"])
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].astype(str).str.strip()
    for col in DATES[table]:
        df[col], bad = _parse_dates(df[col], optional=(col == "DEC"))
        problems += _list_rows(table, col, bad, "is not a real date (write dates as DD/MM/YYYY, e.g. 31/03/2026)")
    blank_child = df.index[df["CHILD"] == ""]
    problems += _list_rows(
        table, "CHILD", [(i, "") for i in blank_child], "is empty: every row needs a child identifier"
    )
    if problems:
        raise SSDA903Error(problems)
    return df


def _read_csv_bytes(raw: bytes, table: str) -> pd.DataFrame:
    """CSV text as saved by a case management system or by Excel: UTF-8 (with or without a
    byte-order mark) or Windows-1252, separated by commas, semicolons or tabs."""
    if b"\x00" in raw[:4096]:
        raise SSDA903Error([f"{table}: the file does not look like a CSV file (save the table as CSV and try again)"])
    text = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise SSDA903Error([f"{table}: the file is not text; save it as CSV (UTF-8) and try again"])
    first_line = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first_line.count)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise SSDA903Error([f"{table}: the file could not be read as CSV ({first})"]) from None


def _parse_dates(col: pd.Series, optional: bool) -> tuple[pd.Series, list[tuple[int, str]]]:
    if pd.api.types.is_datetime64_any_dtype(col):  # already parsed (e.g. read_table's own output)
        bad_mask = col.isna() & (not optional)
        return col, [(int(i), "") for i in col.index[bad_mask]]
    text = col.astype(str).str.strip()
    blank = text.isna() | text.isin(["", "nan", "NaT", "None"])
    parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.where(parsed.isna()), format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(iso)
    bad_mask = parsed.isna() & ~(blank & optional)
    bad = [(int(i), "" if pd.isna(text[i]) else str(text[i])) for i in col.index[bad_mask]]
    return parsed, bad


def _list_rows(table: str, col: str, bad: list[tuple[int, str]], what: str) -> list[str]:
    """Problem sentences for bad cells, rows numbered as in a spreadsheet (header is row 1)."""
    out = [f"{table}: column {col}, row {i + 2}: '{v}' {what}" for i, v in bad[:MAX_LISTED]]
    if len(bad) > MAX_LISTED:
        out.append(f"{table}: column {col}: {len(bad) - MAX_LISTED} more rows like these")
    return out


def default_as_at(episodes: pd.DataFrame) -> dt.date:
    """A sensible as-at date: the 31 March that ends the return's year.

    That is the first 31 March on or after the last date in the episodes if it is at most a
    month later (a return for 2025-26 runs to 31 March 2026), else the last one before it.
    """
    dates = pd.concat([episodes["DECOM"], episodes["DEC"]]).dropna()
    last = dates.max().date() if len(dates) else dt.date.today()
    after = dt.date(last.year if last <= dt.date(last.year, 3, 31) else last.year + 1, 3, 31)
    if (after - last).days <= 31:
        return after
    return dt.date(after.year - 1, 3, 31)


# ---------------------------------------------------------------------------
# Code tables
# ---------------------------------------------------------------------------


def placement_codes() -> pd.DataFrame:
    """SSDA903 placement codes and the placement type each counts as (``data/``)."""
    return pd.read_csv(DATA_DIR / "ssda903_placement_codes.csv", dtype=str, keep_default_na=False)


def legal_status_codes() -> pd.DataFrame:
    """SSDA903 legal statuses and the legal stage each counts as (``data/``)."""
    return pd.read_csv(DATA_DIR / "ssda903_legal_status.csv", dtype=str, keep_default_na=False)


def reasons_ceased() -> pd.DataFrame:
    """SSDA903 reasons an episode ceased (REC) and the route each counts as (``data/``).

    Routes are the model's ways of leaving care (returned_home, sgo_cao, adoption, age_18,
    other) or ``continues`` (X1: a new episode starts the same day, care goes on).
    """
    df = pd.read_csv(DATA_DIR / "ssda903_reasons_ceased.csv", dtype=str, keep_default_na=False)
    bad = sorted(set(df["route"]) - set(ROUTES))
    if bad:
        raise ValueError(f"ssda903_reasons_ceased.csv: unknown route {', '.join(bad)}; allowed {', '.join(ROUTES)}")
    return df


def _band(age_years: np.ndarray) -> np.ndarray:
    out = np.full(age_years.shape, "", dtype=object)
    for band, (lo, hi) in AGE_BAND_YEARS.items():
        out[(age_years >= lo) & (age_years <= hi)] = band
    return out


def _age_years(dob: pd.Series, on: pd.Series | dt.date) -> np.ndarray:
    """Completed years of age on a date (or on each row's date)."""
    on_ts = pd.to_datetime(pd.Series(on, index=dob.index)) if not isinstance(on, dt.date) else pd.Timestamp(on)
    years = on_ts.year - dob.dt.year if isinstance(on_ts, pd.Timestamp) else on_ts.dt.year - dob.dt.year
    if isinstance(on_ts, pd.Timestamp):
        before = (dob.dt.month > on_ts.month) | ((dob.dt.month == on_ts.month) & (dob.dt.day > on_ts.day))
    else:
        before = (dob.dt.month > on_ts.dt.month) | ((dob.dt.month == on_ts.dt.month) & (dob.dt.day > on_ts.dt.day))
    return (years - before.astype(int)).to_numpy(dtype=float)


# ---------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Rates: occurrence / exposure over the window
# ---------------------------------------------------------------------------


class _RateCalibration:
    """Collects the rates worked out from the episodes: scenario changes, report rows, warnings."""

    def __init__(self, base: Scenario, lo: pd.Timestamp, hi: pd.Timestamp, window_txt: str) -> None:
        self.base = base
        self.lo, self.hi = lo, hi
        self.window_txt = window_txt
        self.base_dict = base.to_dict()
        self.changes: dict[str, object] = {}
        self.rows: list[tuple[str, str, str]] = []
        self.warnings: list[str] = []
        self.figures: list[RateFigure] = []

    def base_value(self, path: str) -> Any:
        node: Any = self.base_dict
        for part in path.split("."):
            node = node[part]
        return node

    def put(
        self,
        path: str,
        estimate: float | None,
        events: int,
        what: str,
        how: str,
        exposure: float | None = None,
        min_events: int = MIN_EVENTS,
    ) -> None:
        """Use ``estimate`` for ``path`` if there are enough events (and child-weeks), clipped to range.

        ``what`` says what the events and exposure were (plain words); ``how`` how the figure
        follows from them. ``exposure`` is None for figures from lengths of spells.
        """
        meta = field_meta(path)
        label = meta["label"]
        base = self.base_value(path)
        short = _short_reason(events, exposure, min_events)
        if short or estimate is None:
            self.warnings.append(
                f"{label}: kept from the base scenario ({_fmt_value(path, base)}) because {short or 'nothing to go on'} "
                f"in {self.window_txt}. A longer window (more weeks before the as-at date) may give enough."
            )
            self.rows.append((label, _fmt_value(path, base), f"kept from the base scenario, too few to go on: {what}"))
            self.figures.append(RateFigure(path, label, base, base, estimate, events, exposure or 0.0, False))
            return
        value = _rounded(path, estimate)
        lo, hi = meta.get("min"), meta.get("max")
        below, above = lo is not None and value < lo, hi is not None and value > hi
        if below or above:
            bound = lo if below else hi
            bound = int(bound) if meta["unit"] == "order" else float(bound)
            self.warnings.append(
                f"{label}: the data give {_fmt_value(path, value)}, {'less' if below else 'more'} than the "
                f"model allows; {_fmt_value(path, bound)} is used"
            )
            how += f"; the data give {_fmt_value(path, value)}, outside the allowed range, so {_fmt_value(path, bound)}"
            value = bound
        self.changes[path] = value
        self.rows.append((label, _fmt_value(path, value), f"{what}: {how}"))
        self.figures.append(RateFigure(path, label, value, base, estimate, events, exposure or 0.0, True))

    def put_shares(self, path: str, counts: dict[str, int], labels: dict[str, str], what: str) -> None:
        """Shares (summing to 1) from counts of how spells ended."""
        meta = field_meta(path)
        label = meta["label"]
        base = dict(self.base_value(path))
        n = int(sum(counts.values()))
        listed = ", ".join(f"{labels[k]} {counts[k]}" for k in counts)
        if n < MIN_EVENTS:
            self.warnings.append(
                f"{label}: kept from the base scenario because only {n} spells of care proceedings ended with a "
                f"final order or a return home in {self.window_txt} (at least {MIN_EVENTS} are needed). A longer "
                "window (more weeks before the as-at date) may give enough."
            )
            self.rows.append(
                (label, _fmt_shares(base, labels), f"kept from the base scenario, too few to go on: {what}")
            )
            self.figures.append(RateFigure(path, label, base, base, None, n, 0.0, False))
            return
        estimate = {k: counts[k] / n for k in counts}
        value = _round_shares(estimate)
        self.changes[path] = value
        self.rows.append((label, _fmt_shares(value, labels), f"{what}: {listed}"))
        self.figures.append(RateFigure(path, label, value, base, estimate, n, 0.0, True))


def _short_reason(events: int, exposure: float | None, min_events: int) -> str:
    if events < min_events:
        return f"only {events} event{'' if events == 1 else 's'} happened (at least {min_events} are needed)"
    if exposure is not None and exposure < MIN_EXPOSURE_WEEKS:
        return f"there were only {exposure:,.0f} child-weeks at risk (at least {MIN_EXPOSURE_WEEKS:,.0f} are needed)"
    return ""


def _rounded(path: str, v: float) -> float | int:
    unit = field_meta(path)["unit"]
    if unit == "order":
        return int(round(v))
    if unit == "weeks":
        return round(float(v), 2)
    if unit == "share a year":
        return round(float(v), 6)
    return round(float(v), 4)


def _fmt_value(path: str, v: Any) -> str:
    unit = field_meta(path)["unit"]
    if unit == "order":
        return f"{int(v)}"
    if unit == "weeks":
        return f"{v:,.1f} weeks"
    if unit == "share a year":
        return f"{v:.1%} a year"
    return f"{v:.0%}"


def _erlang_cdf(t: float, k: int, mean: float) -> float:
    """P(an Erlang time of order ``k`` and this mean is at most ``t``)."""
    x = k * t / mean
    return 1.0 - math.exp(-x) * sum(x**i / math.factorial(i) for i in range(k))


def _annual(events: int, exposure: float) -> float:
    """The yearly share whose weekly probability (structure.weekly_from_annual) is events / exposure."""
    weekly = min(events / exposure, 1.0) if exposure > 0 else 0.0
    return 1.0 - (1.0 - weekly) ** 52


def _n(k: float, one: str, many: str | None = None) -> str:
    k = int(k)
    return f"{k:,} {one if k == 1 else (many or one + 's')}"


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


def _calibrate_rates(e: pd.DataFrame, rc: _RateCalibration) -> None:
    """Every rate of the s20, proceedings, placement_order and care_order sections, into ``rc``.

    ``e`` is the episodes chained by :func:`_chain`. Rates are occurrence / exposure: the events
    in the window divided by the child-weeks at risk in it, each child counted in the legal stage
    (and, under a placement order, placed or not) of the episode they were in, and only up to
    their 18th birthday.
    """
    e = e.copy()
    lo, hi, win_txt = rc.lo, rc.hi, rc.window_txt
    statuses, reasons = legal_status_codes(), reasons_ceased()
    proc_codes = " or ".join(statuses.loc[statuses["stage"] == "proceedings", "code"])

    def rec(route: str) -> str:
        return "REC " + ", ".join(reasons.loc[reasons["route"] == route, "code"])

    start, end = _risk_span(e, lo, hi)
    e["weeks"] = ((end - start).dt.days / 7).clip(lower=0)
    e["in_win"] = _in_window(e, lo, hi)
    stage, win = e["stage"], e["in_win"]

    def weeks(mask: pd.Series) -> float:
        return float(e.loc[mask, "weeks"].sum())

    def count(mask: pd.Series) -> int:
        return int((mask & win).sum())

    def every(w: float, n: int) -> str:
        return f"{w / n:,.1f}" if n else "-"

    def a_year(n: int, w: float) -> str:
        return f"{n / w:.2%} a week, so {_annual(n, w):.1%} a year" if w else "no child-weeks"

    # --- section 20 ------------------------------------------------------------------
    s20 = stage.eq("s20")
    w_s20 = weeks(s20)
    n_home = count(s20 & e["exit"].eq("returned_home"))
    rc.put(
        "s20.mean_weeks_to_return_home",
        w_s20 / n_home if n_home else None,
        n_home,
        f"{_n(n_home, 'child', 'children')} returned home from section 20 in {win_txt}, over {w_s20:,.0f} "
        "child-weeks under section 20",
        f"one return home every {every(w_s20, n_home)} child-weeks",
        w_s20,
    )
    n_proc = count(s20 & e["next_stage"].isin(["proceedings", "care_order"]))
    rc.put(
        "s20.annual_share_to_proceedings",
        _annual(n_proc, w_s20) if w_s20 else None,
        n_proc,
        f"{_n(n_proc, 'child', 'children')} moved from section 20 into care proceedings or a care order in "
        f"{win_txt}, over {w_s20:,.0f} child-weeks under section 20",
        a_year(n_proc, w_s20),
        w_s20,
    )

    # --- care proceedings: unbroken runs of the proceedings stage (C1, L2) --------------
    pr = e[stage.eq("proceedings")]
    first = pr.drop_duplicates("run", keep="first").set_index("run")
    last = pr.drop_duplicates("run", keep="last").set_index("run")
    outcome = pd.Series(None, index=last.index, dtype=object)
    outcome[last["next_stage"].eq("care_order")] = "care_order"
    outcome[last["next_stage"].eq("placement_order")] = "placement_order"
    outcome[last["exit"].eq("returned_home")] = "returned_home"
    outcome[last["exit"].eq("sgo_cao")] = "sgo_cao"
    ending = last["in_win"] & (last["cont"] | last["exit"].notna())
    ended = ending & outcome.notna()
    counts = {k: int((ended & outcome.eq(k)).sum()) for k in HEARING_OUTCOMES}
    others = int((ending & outcome.isna()).sum())
    n_ended = sum(counts.values())
    rc.put_shares(
        "proceedings.outcome_shares",
        counts,
        {
            "returned_home": "Returned home",
            "sgo_cao": "Special guardianship or child arrangements order",
            "placement_order": "Placement order",
            "care_order": "Care order",
        },
        f"how the {_n(n_ended, 'spell')} of care proceedings (legal status {proc_codes}) that ended in {win_txt} with "
        "a final order or a return home ended"
        + (
            f" ({_n(others, 'other spell')} ended otherwise, e.g. at 18 or back to section 20: not counted)"
            if others
            else ""
        ),
    )
    known = first["pred"] | first["RNE"].astype(str).str.upper().eq("S")
    weeks_in = (last["DEC"] - first["DECOM"]).dt.days / 7
    d = weeks_in[ended & known].to_numpy(dtype=float)
    unknown_start = int((ended & ~known).sum())
    n_d = len(d)
    mean = float(d.mean()) if n_d else None
    sd = float(d.std(ddof=1)) if n_d > 1 else 0.0
    spread = (
        f" (standard deviation {sd:,.1f} weeks, middle half {np.percentile(d, 25):,.0f} to "
        f"{np.percentile(d, 75):,.0f} weeks, {np.mean(d <= 26):.0%} within 26 weeks)"
        if n_d
        else ""
    )
    rc.put(
        "proceedings.mean_weeks",
        mean,
        n_d,
        f"{_n(n_d, 'spell')} of care proceedings that ended in {win_txt} with a final order or a return home"
        + (f" ({_n(unknown_start, 'spell')} that began before the data left out)" if unknown_start else ""),
        f"average {mean or 0:,.1f} weeks{spread}, counted from the first interim care order (or emergency "
        "protection order) episode, not from the court application",
    )
    k_est = (mean**2 / sd**2 if sd > 0 else 12.0) if mean else None
    fit = ""
    if k_est and mean:
        k_fit = min(max(round(k_est), 1), 12)
        fit = (
            f"; at order {k_fit} and {mean:,.1f} weeks the model has {_erlang_cdf(26, k_fit, mean):.0%} of proceedings "
            f"within 26 weeks, the data {np.mean(d <= 26):.0%}"
        )
    rc.put(
        "proceedings.erlang_order",
        k_est,
        n_d,
        f"the spread of the same {_n(n_d, 'spell')}",
        f"average squared / variance = {k_est or 0:,.1f}, rounded (an Erlang time of order k has exactly this "
        f"ratio; at least {MIN_SPELLS_FOR_SPREAD} spells are needed){fit}",
        min_events=MIN_SPELLS_FOR_SPREAD,
    )
    over = d[d > BACKLOG_WEEKS] - BACKLOG_WEEKS
    rc.put(
        "proceedings.backlog_mean_remaining_weeks",
        float(over.mean()) if len(over) else None,
        len(over),
        f"the {_n(len(over), 'spell')} of those that lasted more than {BACKLOG_WEEKS} weeks",
        f"on average {float(over.mean()) if len(over) else 0:,.1f} weeks more after week {BACKLOG_WEEKS}",
    )

    # --- placement orders (E1, D1): waiting, then placed for adoption (A3-A6) ----------------
    po = stage.eq("placement_order")
    waiting, placed = po & ~e["pfa"], po & e["pfa"]
    w_wait, w_placed = weeks(waiting), weeks(placed)
    n_placed = count(waiting & e["next_stage"].eq("placement_order") & e["next_pfa"])
    n_co = count(waiting & e["next_stage"].eq("care_order"))
    n_out = n_placed + n_co
    waiting_txt = (
        f"{_n(n_out, 'child', 'children')} on a placement order and not yet placed moved on in {win_txt} "
        f"({n_placed} placed for adoption, {n_co} to a care order), over {w_wait:,.0f} child-weeks waiting"
    )
    rc.put(
        "placement_order.mean_weeks_to_placement",
        w_wait / n_out if n_out else None,
        n_out,
        waiting_txt,
        f"one every {every(w_wait, n_out)} child-weeks",
        w_wait,
    )
    rc.put(
        "placement_order.share_not_adopted",
        n_co / n_out if n_out else None,
        n_out,
        waiting_txt,
        f"{n_co} of {n_out} moved to a care order",
    )
    n_adopt = count(placed & e["exit"].eq("adoption"))
    rc.put(
        "placement_order.mean_weeks_placed_to_order",
        w_placed / n_adopt if n_adopt else None,
        n_adopt,
        f"{_n(n_adopt, 'child', 'children')} placed for adoption under a placement order were adopted ({rec('adoption')}) "
        f"in {win_txt}, over {w_placed:,.0f} child-weeks placed",
        f"one adoption every {every(w_placed, n_adopt)} child-weeks",
        w_placed,
    )

    # --- care orders (C2) -----------------------------------------------------------------
    co = stage.eq("care_order")
    w_co = weeks(co)
    for path, route, what in (
        ("care_order.annual_discharge_home", "returned_home", f"left care to go home ({rec('returned_home')})"),
        ("care_order.annual_sgo", "sgo_cao", "left care under a special guardianship or child arrangements order"),
        ("care_order.annual_other", "other", "left care before 18 for another reason (e.g. to another authority)"),
    ):
        n = count(co & e["exit"].eq(route))
        rc.put(
            path,
            _annual(n, w_co) if w_co else None,
            n,
            f"{_n(n, 'child', 'children')} on a care order {what} in {win_txt}, over {w_co:,.0f} child-weeks on a "
            "care order",
            a_year(n, w_co),
            w_co,
        )
    _make_consistent(rc)


def _make_consistent(rc: _RateCalibration) -> None:
    """Keep the rules that tie figures together (validate.py), saying what was changed.

    Care-order yearly shares are each "acting alone", so three high ones can add up to more
    than 1, which the model does not allow: they are then scaled down together. The Erlang
    order cannot exceed the average length of proceedings (nor a target length) in weeks.
    """

    def value(path: str) -> Any:
        return rc.changes.get(path, rc.base_value(path))

    def replace(path: str, new: Any, why: str) -> None:
        rc.changes[path] = new
        rc.figures = [
            RateFigure(f.path, f.label, new, f.base, f.estimate, f.events, f.exposure_weeks, f.used)
            if f.path == path
            else f
            for f in rc.figures
        ]
        label = field_meta(path)["label"]
        rc.rows = [
            (lab, _fmt_value(path, new), f"{how}; {why}") if lab == label else (lab, v, how) for lab, v, how in rc.rows
        ]

    co = ("care_order.annual_discharge_home", "care_order.annual_sgo", "care_order.annual_other")
    total = sum(value(p) for p in co)
    if total > 1 and any(p in rc.changes for p in co):
        rc.warnings.append(
            f"Care orders: the yearly shares leaving home, to special guardianship and for other reasons add up to "
            f"{total:.0%}, more than the model allows (100%): each was scaled down by the same factor"
        )
        for p in co:
            replace(
                p,
                round(value(p) / total * 0.999999, 6),
                f"scaled down with the other two (they added up to {total:.0%})",
            )
    limit = min(x for x in (value("proceedings.mean_weeks"), value("proceedings.target_mean_weeks")) if x is not None)
    k = value("proceedings.erlang_order")
    if k > limit and ("proceedings.erlang_order" in rc.changes or "proceedings.mean_weeks" in rc.changes):
        new = max(1, int(limit))
        rc.warnings.append(
            f"Spread of proceedings length (Erlang order): {k} is more than the average length of proceedings "
            f"({limit:g} weeks) allows; {new} is used"
        )
        replace("proceedings.erlang_order", new, f"at most the average length in weeks, so {new}")


def _in_window(e: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """Episodes that end in the window (after ``lo``, up to ``hi``), not after the 18th birthday."""
    return (e["DEC"] > lo) & (e["DEC"] <= hi) & (e["DEC"] <= e["b18"])


# ---------------------------------------------------------------------------
# Placement moves: occurrence / exposure over the window
# ---------------------------------------------------------------------------


@dataclass
class _Moves:
    changes: dict[str, object]
    rows: list[tuple[str, str, str]]
    warnings: list[str]
    figures: list[MoveFigure]


def _calibrate_moves(
    e: pd.DataFrame, base: Scenario, lo: pd.Timestamp, hi: pd.Timestamp, win_txt: str, types: dict
) -> _Moves:
    """``placements.moves`` from the episodes chained by :func:`_chain`.

    A move is an episode followed the same day by one of the same child (care goes on) in a
    different placement type, neither of them "placed for adoption" (that is the placement
    order's own flow). For each kind of move (from, to), the moves in the window divided by the
    child-weeks in ``from`` in the window (clipped as the other rates: window, 18th birthday,
    next episode) is a weekly probability, and ``1 - (1 - weekly)^52`` the yearly rate. Both
    are counted only at the ages both types take, since the model moves a child only into a
    type that takes their age (structure.py): the rate is per child who could make the move.
    """
    out = _Moves({}, [], [], [])
    label = {t: types[t].label if t in types else t for t in set(e["ptype"])}
    start, end = _risk_span(e, lo, hi)
    win = _in_window(e, lo, hi)
    nxt = e["ptype"].shift(-1).where(e["cont"])
    changed = e["cont"] & nxt.ne(e["ptype"])
    adoption = changed & (e["pfa"] | e["next_pfa"])
    move = changed & ~adoption & win
    same_type = e["cont"] & nxt.eq(e["ptype"]) & win
    n_adoption = int((adoption & win).sum())
    birthdays: dict[int, pd.Series] = {}

    def birthday(years: int) -> pd.Series:
        if years not in birthdays:
            birthdays[years] = e["dob"] + pd.DateOffset(years=years)
        return birthdays[years]

    order = {t: i for i, t in enumerate(types)}
    pairs = sorted(
        set(zip(e.loc[move, "ptype"], nxt[move], strict=True)),
        key=lambda p: (order.get(p[0], len(order)), order.get(p[1], len(order))),
    )
    wrong_age: dict[str, int] = {}
    for f, t in pairs:
        a0 = max(types[f].min_age if f in types else 0, types[t].min_age if t in types else 0)
        a1 = min(types[f].max_age if f in types else 17, types[t].max_age if t in types else 17)
        lower, upper = birthday(a0), birthday(a1 + 1)
        this = move & e["ptype"].eq(f) & nxt.eq(t)
        at_age = this & (e["DEC"] >= lower) & (e["DEC"] < upper)
        n = int(at_age.sum())
        if int(this.sum()) > n:
            wrong_age[t] = wrong_age.get(t, 0) + int(this.sum()) - n
        in_f = e["ptype"].eq(f)
        s = start[in_f].where(start[in_f] > lower[in_f], lower[in_f])
        t_end = end[in_f].where(end[in_f] < upper[in_f], upper[in_f])
        w = float(((t_end - s).dt.days / 7).clip(lower=0).sum())
        ok = n >= MIN_EVENTS and w >= MIN_EXPOSURE_WEEKS
        est = _annual(n, w) if w > 0 else None
        value = round(est, 6) if ok and est is not None else None
        out.figures.append(MoveFigure(f, t, f"{label[f]} to {label[t]}", n, w, a0, a1, est, value, ok))
    if wrong_age:
        out.warnings.append(
            f"{_n(sum(wrong_age.values()), 'move')} were into a placement type that does not take the child's age at the "
            f"time ({', '.join(label[t] for t in wrong_age)}): not counted, since the model never makes such a move"
        )
    _scale_moves(out, label)
    used = [f for f in out.figures if f.used]
    dropped = [f for f in out.figures if not f.used]
    n_moves = sum(f.events for f in out.figures)
    n_age = sum(wrong_age.values())
    not_counted = (
        f"Not counted: {_n(n_adoption, 'move')} into or out of placed for adoption (part of the placement order), "
        + (f"{_n(n_age, 'move')} into a placement type that does not take the child's age, " if n_age else "")
        + f"{_n(int(same_type.sum()), 'new episode')} in the same placement type (e.g. a new legal status or carer)"
    )
    # As for the other rates, a kind of move the data cannot pin down keeps the base scenario's
    # rate (a usual step-down the base has is not set to nothing by a quiet year).
    calibrated = {(f.from_type, f.to_type) for f in used}
    kept_base = [m for m in base.placements.moves if (m.from_type, m.to_type) not in calibrated]
    if dropped:
        base_pairs = {(m.from_type, m.to_type) for m in kept_base}
        listed = ", ".join(
            f"{f.label} ({_few(f)}{'; base rate kept' if (f.from_type, f.to_type) in base_pairs else ''})"
            for f in dropped[:MAX_LISTED]
        )
        more = f" and {len(dropped) - MAX_LISTED} more" if len(dropped) > MAX_LISTED else ""
        out.warnings.append(
            f"Placement moves: {_n(len(dropped), 'kind')} of move had too few to go on in {win_txt}: "
            f"{listed}{more}. A kind of move the base scenario has keeps its rate from there; any other is left "
            f"out. At least {MIN_EVENTS} moves and {MIN_EXPOSURE_WEEKS:,.0f} child-weeks are needed; a longer "
            "window (more weeks before the as-at date) may give enough."
        )
    if not used:
        why = (
            f"no kind of move had at least {MIN_EVENTS} moves"
            if out.figures
            else "no child moved from one placement type to another"
        )
        out.warnings.append(
            f"Placement moves: kept from the base scenario ({_n(len(base.placements.moves), 'kind')} of move) "
            f"because {why} in {win_txt}."
        )
        out.rows.append(
            (
                "Placement moves",
                "kept from the base scenario",
                f"too few to go on: {_n(n_moves, 'move')} from one placement type to another in {win_txt}. "
                + not_counted,
            )
        )
        return out
    merged = [{"from_type": f.from_type, "to_type": f.to_type, "annual_rate": f.value} for f in used]
    merged += [{"from_type": m.from_type, "to_type": m.to_type, "annual_rate": m.annual_rate} for m in kept_base]
    # the yearly moves out of one type may add up to at most 1 (validation): scale base ones down if needed
    for src in {m["from_type"] for m in merged}:
        total = sum(m["annual_rate"] for m in merged if m["from_type"] == src)
        base_part = sum(m["annual_rate"] for m in merged[len(used) :] if m["from_type"] == src)
        if total > 1 and base_part > 0:
            room = max(0.0, 1 - (total - base_part))
            for m in merged[len(used) :]:
                if m["from_type"] == src:
                    m["annual_rate"] = round(m["annual_rate"] * room / base_part, 6)
            out.warnings.append(
                f"Placement moves: with the moves worked out from your data, the base scenario's moves out of "
                f"{label[src]} would add up to more than 100% a year: they are scaled down to fit"
            )
    out.changes["placements.moves"] = merged
    out.rows.append(
        (
            "Placement moves",
            f"{_n(len(used), 'kind')} of move",
            f"{_n(n_moves, 'move')} from one placement type to another (a new episode the same day) in {win_txt}, "
            f"of {_n(len(out.figures), 'kind')}: {len(used)} with at least {MIN_EVENTS} moves worked out below"
            + (f", {len(dropped)} with fewer left out ({sum(f.events for f in dropped)} moves)" if dropped else "")
            + f"; {_n(len(kept_base), 'kind')} of move of the base scenario not worked out here keep their rates. "
            f"{not_counted}. Each rate is the moves divided by the child-weeks in the placement they left, at the "
            "ages both placements take",
        )
    )
    for f in used:
        ages = "" if (f.min_age, f.max_age) == (0, 17) else f" aged {f.min_age}-{f.max_age}"
        how = f"{_n(f.events, 'move')} over {f.exposure_weeks:,.0f} child-weeks in {label[f.from_type]}{ages}: " + (
            f"{f.events / f.exposure_weeks:.2%} a week, so {f.estimate:.1%} a year"
        )
        if f.value is not None and f.estimate is not None and round(f.estimate, 6) != f.value:
            how += f"; scaled down to {f.value:.1%} with the other moves out of {label[f.from_type]}"
        out.rows.append((f"  move: {f.label}", f"{f.value:.1%} a year", how))
    return out


def _few(f: MoveFigure) -> str:
    if f.events < MIN_EVENTS:
        return _n(f.events, "move")
    return f"{_n(f.events, 'move')} but only {f.exposure_weeks:,.0f} child-weeks"


def _scale_moves(out: _Moves, label: dict[str, str]) -> None:
    """Yearly moves out of one placement type may add up to at most 1 (validate.py): scale them down together."""
    total: dict[str, float] = {}
    for f in out.figures:
        if f.used and f.value is not None:
            total[f.from_type] = total.get(f.from_type, 0.0) + f.value
    for src, tot in total.items():
        if tot <= 1:
            continue
        out.warnings.append(
            f"Placement moves: the yearly moves out of {label[src]} add up to {tot:.0%}, more than the model allows "
            "(100%): each was scaled down by the same factor"
        )
        out.figures = [
            MoveFigure(
                f.from_type,
                f.to_type,
                f.label,
                f.events,
                f.exposure_weeks,
                f.min_age,
                f.max_age,
                f.estimate,
                round(f.value / tot * 0.999999, 6),
                True,
            )
            if f.used and f.from_type == src and f.value is not None
            else f
            for f in out.figures
        ]


def _stage_label(key: str) -> str:
    return {
        "s20": "section 20",
        "proceedings": "in care proceedings",
        "proceedings_backlog": f"in proceedings over {BACKLOG_WEEKS} weeks",
        "placement_order": "placement order",
        "care_order": "care order",
    }[key]


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


def _admissible(df: pd.DataFrame, types: dict, warnings: list[str], who: str) -> pd.DataFrame:
    """Placement types that do not take children of the age are counted as Other (with a warning)."""
    min_age = np.array([types[t].min_age if t in types else 0 for t in df["ptype"]], dtype=float)
    max_age = np.array([types[t].max_age if t in types else 17 for t in df["ptype"]], dtype=float)
    age = df["age"].to_numpy(dtype=float)
    bad = pd.Series((age < min_age) | (age > max_age), index=df.index)
    if bad.any():
        names = sorted({types[t].label for t in df.loc[bad, "ptype"] if t in types})
        warnings.append(
            f"{int(bad.sum())} children {who} were in a placement type that does not take their age "
            f"({', '.join(names)}): counted as Other"
        )
        df = df.copy()
        df.loc[bad, "ptype"] = "other"
    return df


def _shares(values: pd.Series, keys: Iterable[str]) -> dict[str, float]:
    keys = list(keys)
    counts = values.value_counts()
    total = float(counts.sum())
    raw = {k: float(counts.get(k, 0)) / total for k in keys}
    return _round_shares(raw)


def _round_shares(raw: dict[str, float]) -> dict[str, float]:
    """Shares rounded to 4 places that still sum to exactly 1 (the largest takes the rest)."""
    out = {k: round(v, 4) for k, v in raw.items()}
    top = max(out, key=lambda k: out[k])
    out[top] = round(1.0 - sum(v for k, v in out.items() if k != top), 4)
    return out


def _mix_by_band(df: pd.DataFrame, base_mix, types: dict) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Placement shares for each age band; bands with nobody keep the base scenario's mix."""
    mix: dict[str, dict[str, float]] = {}
    kept: list[str] = []
    for b in AGE_BANDS:
        grp = df[df["band"] == b]
        if len(grp) == 0:
            mix[b] = dict(base_mix[b])
            kept.append(AGE_BAND_LABELS[b])
            continue
        counts = grp["ptype"].value_counts()
        # every type the base scenario lists for the band stays listed (0 if nobody is there),
        # so that the new mix reads as changed shares, not as types taken away
        listed = [t for t in types if counts.get(t, 0) > 0 or t in base_mix[b]]
        mix[b] = _round_shares({t: float(counts.get(t, 0)) / len(grp) for t in listed})
    return mix, kept


def _fmt_shares(shares: dict[str, float], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels[k]} {v:.0%}" for k, v in shares.items())


def _fmt_mix(df: pd.DataFrame, types: dict) -> str:
    counts = df["ptype"].value_counts()
    total = float(counts.sum()) or 1.0
    return ", ".join(f"{types[t].label} {n / total:.0%}" for t, n in counts.items() if t in types)


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


# ---------------------------------------------------------------------------
# Made-up example data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleRates:
    """The rates the made-up example data are drawn from, in the scenario's own units.

    Each legal stage lasts as the model says: section 20 and care orders end by competing
    exponential times whose weekly hazards are the model's weekly probabilities
    (``1 / mean weeks``, :func:`~csc_model.structure.weekly_from_annual` of a yearly share),
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
