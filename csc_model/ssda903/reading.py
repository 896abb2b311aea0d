"""Reading the SSDA903 tables: CSV bytes or files in, checked DataFrames out, every problem named."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

MAX_LISTED = 8
"""At most this many problems are listed for one column; the rest are counted."""

REQUIRED = {
    "header": ("CHILD", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC"),
    "uasc": ("CHILD",),
}
DATES = {"header": ("DOB",), "episodes": ("DECOM", "DEC"), "uasc": ("DOB", "DUC")}
"""Date columns; in the UASC table both are optional (DUC: the date the child stopped being a UASC)."""
OPTIONAL_DATES = {"DEC", "DUC"}
"""Date columns that may be blank: an episode still open, a child still seeking asylum alone."""
ALIASES = {"PL": "PLACE", "PLACEMENT": "PLACE", "DATE_OF_BIRTH": "DOB"}


class SSDA903Error(ValueError):
    """The tables cannot be used; ``problems`` lists every reason in plain words."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def read_table(data: bytes | str | Path | pd.DataFrame, table: str) -> pd.DataFrame:
    """One SSDA903 table as a DataFrame with upper-case column names and parsed dates.

    ``data`` is CSV bytes (e.g. an upload), a path to a CSV file, or a DataFrame; ``table`` is
    ``"header"``, ``"episodes"`` or ``"uasc"`` (the optional table of unaccompanied asylum-seeking
    children). Text may be UTF-8, UTF-16 (with its byte-order mark) or Windows-1252. Dates may be
    written DD/MM/YYYY (as in the return) or YYYY-MM-DD. Raises :class:`SSDA903Error` with
    every problem found: unreadable file, missing or clashing columns, empty table, bad dates.
    """
    if table not in REQUIRED:
        raise ValueError(f"table must be 'header', 'episodes' or 'uasc', not {table!r}")
    if isinstance(data, pd.DataFrame):
        df = data.copy()
    else:
        try:
            raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        except OSError as exc:
            raise SSDA903Error([f"{table}: the file could not be opened ({exc.strerror or exc})"]) from None
        df = _read_csv_bytes(raw, table)
    names = [str(c).strip() for c in df.columns]
    df.columns = [ALIASES.get(c.upper(), c.upper()) for c in names]
    problems: list[str] = _clashes(table, names, list(df.columns))
    if problems:
        raise SSDA903Error(problems)
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    if missing:
        problems.append(
            f"{table}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(needed: {', '.join(REQUIRED[table])}; found: {', '.join(map(str, df.columns)) or 'none'})"
        )
        other = "episodes" if table == "header" else "header"
        if table != "uasc" and all(c in df.columns for c in REQUIRED[other]):
            problems.append(f"{table}: this looks like the {other} table: the two files may be the wrong way round")
        raise SSDA903Error(problems)
    if df.empty:
        raise SSDA903Error([f"{table}: the table has no rows"])
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].astype(str).str.strip()
    for col in DATES[table]:
        if col not in df.columns:  # only the UASC table's dates may be missing
            continue
        df[col], bad = _parse_dates(df[col], optional=(col in OPTIONAL_DATES))
        us = _month_first(bad)
        if us:  # one plain line first, not only twenty rows of "is not a real date"
            day, month, year = us.split("/")[1], us.split("/")[0], us.split("/")[2]
            problems.append(
                f"{table}: column {col}: the dates look like month/day/year (e.g. '{us}'); the return writes "
                f"day/month/year ({day}/{month}/{year}): save the dates as DD/MM/YYYY and load the file again"
            )
        problems += _list_rows(table, col, bad, "is not a real date (write dates as DD/MM/YYYY, e.g. 31/03/2026)")
    blank_child = df.index[df["CHILD"] == ""]
    problems += _list_rows(
        table, "CHILD", [(i, "") for i in blank_child], "is empty: every row needs a child identifier"
    )
    if problems:
        raise SSDA903Error(problems)
    return df


def read_tables(tables: dict[str, bytes | str | Path | pd.DataFrame | None]) -> dict[str, pd.DataFrame]:
    """Read each named table given (None: left out) with :func:`read_table`; every table's problems are
    reported together in one :class:`SSDA903Error`."""
    problems: list[str] = []
    out: dict[str, pd.DataFrame] = {}
    for name, data in tables.items():
        if data is None:
            continue
        try:
            out[name] = read_table(data, name)
        except SSDA903Error as exc:
            problems += exc.problems
    if problems:
        raise SSDA903Error(problems)
    return out


def _read_csv_bytes(raw: bytes, table: str) -> pd.DataFrame:
    """CSV text as saved by a case management system or by Excel: UTF-8 (with or without a
    byte-order mark), UTF-16 with its byte-order mark, or Windows-1252, separated by commas,
    semicolons or tabs. Column names are kept exactly as written (a repeated name is not renamed)."""
    text = _decode(raw, table)
    first_line = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first_line.count)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, header=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise SSDA903Error([f"{table}: the file could not be read as CSV ({first})"]) from None
    names = [str(c) for c in df.iloc[0]] if len(df) else []
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = names
    return df


def _decode(raw: bytes, table: str) -> str:
    """The text of a CSV file, or a problem naming what the file seems to be."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise SSDA903Error(
                [f"{table}: the file says it is UTF-16 text but is not: save it as CSV (UTF-8)"]
            ) from None
    head = raw[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SSDA903Error(
            [f"{table}: the file is an Excel workbook, not CSV: open it in Excel and save the table as CSV (UTF-8)"]
        )
    if b"\x00" in head:
        zeros = head.count(b"\x00") / max(len(head), 1)
        if zeros > 0.3:  # UTF-16 without its byte-order mark: every other byte is zero
            raise SSDA903Error(
                [
                    f"{table}: the file looks like UTF-16 text without a byte-order mark, which cannot be read "
                    "reliably: save it as CSV (UTF-8) and try again"
                ]
            )
        raise SSDA903Error([f"{table}: the file does not look like a CSV file (save the table as CSV and try again)"])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SSDA903Error([f"{table}: the file is not text; save it as CSV (UTF-8) and try again"])


def _clashes(table: str, written: list[str], names: list[str]) -> list[str]:
    """Columns that mean the same (``PLACE`` and ``PL``, ``CHILD`` and ``child``): which one to use is not known."""
    groups: dict[str, list[str]] = {}
    for w, n in zip(written, names, strict=True):
        groups.setdefault(n, []).append(w)
    return [
        f"{table}: the columns {' and '.join(repr(w) for w in ws)} both mean {n}: keep only one of them"
        for n, ws in groups.items()
        if len(ws) > 1
    ]


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


_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _month_first(bad: list[tuple[int, str]]) -> str | None:
    """An example bad date if the bad dates read as month/day/year (every one a valid month first and a
    day over 12 second in at least one), else None."""
    parts = [(v, _SLASHED.match(v)) for _, v in bad]
    if not parts or not all(m for _, m in parts):
        return None
    if all(1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31 for _, m in parts):
        return next((v for v, m in parts if int(m.group(2)) > 12), None)
    return None


def _list_rows(table: str, col: str, bad: list[tuple[int, str]], what: str) -> list[str]:
    """Problem sentences for bad cells, rows numbered as in a spreadsheet (header is row 1)."""
    out = [f"{table}: column {col}, row {i + 2}: '{v}' {what}" for i, v in bad[:MAX_LISTED]]
    if len(bad) > MAX_LISTED:
        out.append(f"{table}: column {col}: {len(bad) - MAX_LISTED} more rows like these")
    return out


def return_year_end(episodes: pd.DataFrame) -> dt.date | None:
    """The 31 March ending the year of the latest date in the episodes (None without dates): the
    latest as-at date the data can describe."""
    dates = pd.concat([episodes["DECOM"], episodes["DEC"]]).dropna()
    if not len(dates):
        return None
    last = dates.max().date()
    return dt.date(last.year if last <= dt.date(last.year, 3, 31) else last.year + 1, 3, 31)


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
