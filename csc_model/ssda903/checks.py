"""Checks across the tables as councils hold them: several yearly returns stacked, several authorities,
repeated rows, impossible dates, and the children seeking asylum alone (UASC).

:func:`prepare` takes the tables as :func:`~csc_model.ssda903.reading.read_table` gives them and returns
them ready to calibrate, with a note for everything it merged or left out. Rows are named as in a
spreadsheet (the header is row 1), as the reading does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csc_model.ssda903.reading import MAX_LISTED, SSDA903Error

TRUE_FLAGS = {"1", "Y", "YES", "TRUE", "T"}
"""How a UASC column says "yes" (anything else, e.g. 0, N, blank, is "no")."""


@dataclass(frozen=True)
class Prepared:
    """The tables ready to calibrate, and what was done to them."""

    header: pd.DataFrame
    episodes: pd.DataFrame
    uasc: pd.Series | None  # per child: the day they stopped being a UASC (NaT: still one); None: not known
    notes: tuple[str, ...]
    data_start: pd.Timestamp | None  # the first day the episodes cover (None if it cannot be told)


def rows_named(index: pd.Index, what: str) -> str:
    """``"rows 4, 9 and 12 ..."`` for rows of a table (index 0 is spreadsheet row 2), the first few then a count."""
    rows = [int(i) + 2 for i in index[:MAX_LISTED]]
    listed = ", ".join(map(str, rows))
    more = f" and {len(index) - MAX_LISTED:,} more" if len(index) > MAX_LISTED else ""
    return f"{what} row{'s' if len(index) > 1 else ''} {listed}{more}".strip()


def authorities(header: pd.DataFrame, episodes: pd.DataFrame) -> list[str]:
    """The local authorities named in the ``LA`` column of the episodes (or the header), sorted; [] if none."""
    for df in (episodes, header):
        if "LA" in df.columns:
            found = sorted({str(v).strip() for v in df["LA"] if str(v).strip() not in ("", "nan")})
            if found:
                return found
    return []


def year_end(values: pd.Series) -> pd.Series:
    """The 31 March each ``YEAR`` ends: 2022, "2021-22", "2021/22" and "202122" all mean 31 March 2022."""
    text = values.astype(str).str.strip()
    ends: dict[str, pd.Timestamp] = {}
    for v in text.unique():  # a few distinct years, however many rows
        m = re.fullmatch(r"(\d{4})\s*[-/]?\s*(\d{2}|\d{4})?", v)
        if m:
            first = int(m.group(1))
            ends[v] = pd.Timestamp(first + 1 if m.group(2) else first, 3, 31)
    return pd.to_datetime(text.map(ends))


def prepare(
    header: pd.DataFrame,
    episodes: pd.DataFrame,
    uasc: pd.DataFrame | None = None,
    la: str | None = None,
    today: dt.date | None = None,
) -> Prepared:
    """The tables with one authority, each episode once and impossible rows left out, with notes saying so.

    Raises :class:`SSDA903Error` if the file holds several authorities and ``la`` does not choose one
    (the message lists them), if ``la`` is not among them, or if nothing usable is left.
    """
    today_ts = pd.Timestamp(today or dt.date.today())
    notes: list[str] = []
    header, episodes = _one_authority(header, episodes, la, notes)
    if uasc is not None and la is not None and "LA" in uasc.columns:
        uasc = uasc[uasc["LA"].astype(str).str.strip().str.upper() == la.strip().upper()]

    # exact repeats first (a file appended twice), then the same episode in several yearly returns
    for name, df in (("header", header), ("episodes", episodes)):
        twice = df.duplicated(keep="first")
        if twice.any():
            notes.append(
                f"{name}: {int(twice.sum()):,} rows repeat an earlier row exactly and were dropped "
                f"({rows_named(df.index[twice], 'the repeated')})"
            )
            if name == "header":
                header = df[~twice]
            else:
                episodes = df[~twice]
    episodes = _merge_returns(episodes, notes)
    header = _merge_header(header, notes)

    # impossible dates: named, and left out
    ends_first = episodes["DEC"].notna() & (episodes["DEC"] < episodes["DECOM"])
    if ends_first.any():
        notes.append(
            f"episodes: {int(ends_first.sum()):,} episodes end before they start ({rows_named(episodes.index[ends_first], '')}"
            "): left out; check DECOM and DEC"
        )
    future_start = episodes["DECOM"] > today_ts
    if future_start.any():
        notes.append(
            f"episodes: {int(future_start.sum()):,} episodes start after today, {today_ts:%d/%m/%Y} "
            f"({rows_named(episodes.index[future_start], '')}): left out; check DECOM"
        )
    future_end = episodes["DEC"].notna() & (episodes["DEC"] > today_ts) & ~future_start
    if future_end.any():
        notes.append(
            f"episodes: {int(future_end.sum()):,} episodes end after today, {today_ts:%d/%m/%Y} "
            f"({rows_named(episodes.index[future_end], '')}): counted as still open"
        )
        episodes = episodes.copy()
        episodes.loc[future_end, "DEC"] = pd.NaT
        if "REC" in episodes.columns:
            episodes.loc[future_end, "REC"] = ""
    episodes = episodes[~ends_first & ~future_start]
    future_dob = header["DOB"] > today_ts
    if future_dob.any():
        notes.append(
            f"header: {int(future_dob.sum()):,} children have a date of birth after today, {today_ts:%d/%m/%Y} "
            f"({rows_named(header.index[future_dob], '')}): left out; check DOB"
        )
        header = header[~future_dob]
    if episodes.empty:
        raise SSDA903Error(
            ["episodes: no episode is left once those that cannot be right are left out: " + "; ".join(notes)]
        )
    return Prepared(header, episodes, _uasc_children(header, uasc, notes), tuple(notes), _data_start(episodes))


def _one_authority(
    header: pd.DataFrame, episodes: pd.DataFrame, la: str | None, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    found = authorities(header, episodes)
    if la is None:
        if len(found) > 1:
            raise SSDA903Error(
                [
                    f"the files hold {len(found)} local authorities in the LA column ({', '.join(found[:20])}"
                    f"{' and more' if len(found) > 20 else ''}): choose one (on the command line: --la NAME; on the Load your data page: the local authority box); "
                    "they are never added together"
                ]
            )
        return header, episodes
    if not found:
        raise SSDA903Error([f"local authority {la!r} was asked for, but the files have no LA column to choose it by"])
    wanted = la.strip().upper()
    if wanted not in {f.upper() for f in found}:
        raise SSDA903Error([f"local authority {la!r} is not in the LA column; the files hold: {', '.join(found[:20])}"])
    out = []
    for df in (header, episodes):
        if "LA" in df.columns:
            df = df[df["LA"].astype(str).str.strip().str.upper() == wanted]
        out.append(df)
    if len(found) > 1:
        notes.append(f"Only local authority {la} is used ({len(found)} are in the files: {', '.join(found[:20])})")
    return out[0], out[1]


def _merge_returns(episodes: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """One row per episode (child and start date): in stacked yearly returns the latest return wins.

    An episode open across a 31 March appears in two returns, first without its end date. With a
    ``YEAR`` column the row of the latest year is kept; without one, the row with an end date (the
    later return), else the last row in the file. An episode that ends the day it starts is not a
    repeat of the next one starting that day (a change of placement on the day care began).
    """
    key = ["CHILD", "DECOM"]
    same_day = episodes["DEC"].eq(episodes["DECOM"])
    repeated = pd.Series(False, index=episodes.index)
    repeated[~same_day] = episodes.loc[~same_day].duplicated(key, keep=False)
    if not repeated.any():
        return episodes
    e = episodes.assign(
        _pos=np.arange(len(episodes)), _closed=episodes["DEC"].notna(), _key2=same_day.cumsum().where(same_day, 0)
    )
    has_year = "YEAR" in e.columns
    if has_year:
        e["_year"] = year_end(e["YEAR"])
        order = ["_year", "_pos"]
    else:
        order = ["_closed", "_pos"]
    e = e.sort_values(order, na_position="first")
    kept = e.drop_duplicates([*key, "_key2"], keep="last").sort_values("_pos")
    n_rows = int(repeated.sum())
    n_eps = int(episodes.loc[repeated, key].drop_duplicates().shape[0])
    dropped = len(episodes) - len(kept)
    by = "the row of the latest YEAR was kept" if has_year else "the row with an end date (else the last row) was kept"
    notes.append(
        f"episodes: {n_eps:,} episodes appear more than once (the same child and start date in {n_rows:,} rows, as "
        f"when yearly returns are loaded together): {by}, {dropped:,} rows merged away"
    )
    return kept.drop(columns=[c for c in ("_pos", "_closed", "_year", "_key2") if c in kept.columns])


def _merge_header(header: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """One row per child; a child in several yearly returns keeps the latest row. Different dates of birth are named."""
    twice = header["CHILD"].duplicated(keep=False)
    if not twice.any():
        return header
    h = header.assign(_pos=np.arange(len(header)))
    if "YEAR" in h.columns:
        h = h.assign(_year=year_end(h["YEAR"])).sort_values(["_year", "_pos"], na_position="first")
    dobs = header.loc[twice].groupby("CHILD")["DOB"].nunique()
    differ = dobs[dobs > 1]
    kept = h.drop_duplicates("CHILD", keep="last").sort_values("_pos")
    n = int(header.loc[twice, "CHILD"].nunique())
    notes.append(
        f"header: {n:,} children appear in more than one row (e.g. one per yearly return): the "
        f"{'latest YEAR' if 'YEAR' in h.columns else 'last row'} was used"
        + (
            f"; {len(differ):,} of them have different dates of birth in different rows "
            f"({rows_named(header.index[twice & header['CHILD'].isin(differ.index)], '')}): check DOB"
            if len(differ)
            else ""
        )
    )
    return kept.drop(columns=[c for c in ("_pos", "_year") if c in kept.columns])


def _uasc_children(header: pd.DataFrame, uasc: pd.DataFrame | None, notes: list[str]) -> pd.Series | None:
    """Per UASC child, the date they stopped being one (NaT: still one), from the UASC table or a header column."""
    if uasc is not None:
        u = uasc
        if "UASC" in u.columns:
            u = u[u["UASC"].astype(str).str.strip().str.upper().isin(TRUE_FLAGS)]
        until = u["DUC"] if "DUC" in u.columns else pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
        out = pd.Series(until.to_numpy(), index=u["CHILD"].to_numpy()).groupby(level=0).max()
        unknown = ~out.index.isin(header["CHILD"])
        if unknown.any():
            notes.append(f"uasc: {int(unknown.sum()):,} children in the UASC table are not in the header: not counted")
        return out[~unknown]
    if "UASC" in header.columns:
        flag = header["UASC"].astype(str).str.strip().str.upper().isin(TRUE_FLAGS)
        return pd.Series(pd.NaT, index=header.loc[flag, "CHILD"].to_numpy(), dtype="datetime64[ns]")
    return None


def _data_start(episodes: pd.DataFrame) -> pd.Timestamp | None:
    """The first day the episodes cover.

    With a ``YEAR`` column, 1 April of the earliest return's year. Otherwise the 1 April on or before
    the earliest end date: a return lists the episodes open at some time in its (financial) year, so
    episodes that ended before it are not in it, and the weeks before are not covered.
    """
    if "YEAR" in episodes.columns:
        ends = year_end(episodes["YEAR"]).dropna()
        if len(ends):
            first = ends.min()
            return pd.Timestamp(first.year - 1, 4, 1)
    dec = episodes["DEC"].dropna()
    if not len(dec):
        return None
    first = dec.min()
    return pd.Timestamp(first.year if (first.month, first.day) >= (4, 1) else first.year - 1, 4, 1)
