"""Reading the SSDA903 tables: CSV bytes or files in, checked DataFrames out, every problem named."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

MAX_LISTED = 8
"""At most this many problems are listed for one column; the rest are counted."""

REQUIRED = {
    "header": ("CHILD", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC"),
}
DATES = {"header": ("DOB",), "episodes": ("DECOM", "DEC")}
ALIASES = {"PL": "PLACE", "PLACEMENT": "PLACE", "DATE_OF_BIRTH": "DOB"}


class SSDA903Error(ValueError):
    """The tables cannot be used; ``problems`` lists every reason in plain words."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


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
