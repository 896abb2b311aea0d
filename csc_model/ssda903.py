"""Starting position and entries from a local authority's SSDA903 return.

The SSDA903 return is the child-level data every English local authority sends to DfE: a
header table (one row per child: CHILD, SEX, DOB, ...) and an episodes table (one row per
episode of care: CHILD, DECOM start date, RNE reason for new episode, LS legal status, CIN,
PLACE placement code, PLACE_PROVIDER, DEC end date, REC reason ceased, ...).

:func:`calibrate` works out, from those two tables, the figures of a scenario that describe
where the authority starts: children in care on a date by legal stage, age band and
placement type, the children already over 50 weeks in care proceedings, and the children
who started to be looked after in the weeks before (rate, ages, section 20 share, first
placement). Everything else (how long proceedings last, outcome shares, rates of leaving
care, prices, budget) is kept from the base scenario. Each figure is reported with what it
was worked out from.

How codes map onto the model is configuration: ``data/ssda903_placement_codes.csv`` and
``data/ssda903_legal_status.csv``.

The tables are personal data. This module only reads what it is given, in memory: it never
writes a file, logs the data or keeps it after a call returns.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import DATA_DIR, load_placement_types
from .defaults import default_scenario
from .scenario import AGE_BAND_LABELS, AGE_BAND_YEARS, AGE_BANDS, STAGE_KEYS, Scenario, ScenarioError

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
) -> Calibration:
    """A scenario starting the day after ``as_at`` from the authority's own figures.

    ``header`` and ``episodes`` are tables as returned by :func:`read_table` (they are read
    again, so raw DataFrames work too). Replaced in ``base`` (default: the bundled defaults):
    ``start_date`` (dates of levers move with it), ``initial.*`` and ``entries.weekly_rate``,
    ``entries.age_band_shares``, ``entries.s20_share_by_age_band`` and
    ``entries.placement_mix_by_age_band``. Raises :class:`SSDA903Error` if the tables do not
    give a usable starting position.
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
    upto = ep[ep["DECOM"] <= as_at_ts]
    started = {c: _status_start(upto[upto["CHILD"] == c], "proceedings") for c in proc["CHILD"]}
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
    )


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


def example_tables(
    n_children: int = 1200, seed: int = 0, as_at: dt.date = dt.date(2026, 3, 31)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Made-up header and episodes tables in SSDA903 shape, for trying the loader.

    Not real children: identifiers, dates and codes are drawn at random, shaped loosely on
    the bundled defaults (a few hundred in care on ``as_at``, about 190 starting a year, over six
    years of episodes).
    """
    rng = np.random.default_rng(seed)
    start_of_data = pd.Timestamp(as_at) - pd.Timedelta(days=round(365.25 * 6))
    rows_h, rows_e = [], []
    band_ages = [(0, 0), (1, 4), (5, 9), (10, 15), (16, 17)]
    band_p = [0.06, 0.13, 0.18, 0.42, 0.21]
    for i in range(n_children):
        child = f"EX{i + 1:05d}"
        lo, hi = band_ages[rng.choice(5, p=band_p)]
        age_at_start = rng.integers(lo, hi + 1)
        decom = start_of_data + pd.Timedelta(days=int(rng.integers(0, round(365.25 * 6))))
        dob = decom - pd.Timedelta(days=int(age_at_start * 365.25 + rng.integers(0, 365)))
        rows_h.append({"CHILD": child, "SEX": str(rng.choice(["1", "2"])), "DOB": dob.strftime("%d/%m/%Y")})
        stay_days = int(rng.exponential(900))
        end = decom + pd.Timedelta(days=stay_days)
        eighteen = dob + pd.DateOffset(years=18)
        end = min(end, eighteen)
        s20 = rng.random() < (0.7 if age_at_start >= 16 else 0.2)
        place = _example_place(rng, age_at_start)
        provider = "PR4" if rng.random() < 0.4 else "PR1"
        first_ls = "V2" if s20 else "C1"
        # one or two episodes: proceedings end in a care order or placement order after a while
        mid = decom + pd.Timedelta(days=int(rng.integers(150, 500)))
        if not s20 and mid < end:
            rows_e.append(_ex_episode(child, decom, mid, "S", first_ls, place, provider, "X1"))
            final_ls = "E1" if (age_at_start < 5 and rng.random() < 0.35) else "C2"
            final_place = "A5" if final_ls == "E1" and rng.random() < 0.4 else place
            rows_e.append(_ex_episode(child, mid, end, "L", final_ls, final_place, provider, "E13"))
        else:
            rows_e.append(_ex_episode(child, decom, end, "S", first_ls, place, provider, "E13"))
    eps = pd.DataFrame(rows_e)
    # as the return would be made just after the as-at date: nothing starts or ends later
    eps = eps[pd.to_datetime(eps["DECOM"], format="%d/%m/%Y") <= pd.Timestamp(as_at)].copy()
    eps.loc[pd.to_datetime(eps["DEC"], format="%d/%m/%Y") > pd.Timestamp(as_at), ["DEC", "REC"]] = ""
    return pd.DataFrame(rows_h), eps.reset_index(drop=True)


def _example_place(rng: np.random.Generator, age: int) -> str:
    if age >= 16:
        return str(rng.choice(["U4", "U6", "H5", "K2", "U3"], p=[0.25, 0.15, 0.35, 0.15, 0.10]))
    if age >= 10:
        return str(rng.choice(["U4", "U6", "U1", "K2", "P1"], p=[0.3, 0.25, 0.15, 0.2, 0.1]))
    return str(rng.choice(["U4", "U6", "U1", "U3", "P1"], p=[0.3, 0.25, 0.2, 0.15, 0.1]))


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
