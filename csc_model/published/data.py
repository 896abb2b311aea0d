"""Reading the bundled copy of DfE's published tables (``data/published/``) and finding an authority.

Every table is read once per process and indexed by area and year, so that building one
authority's scenario is a handful of dictionary look-ups. The headline and characteristic figures
come from the pre-indexed form of the same tables (:mod:`.lookup`), quick to read; the CSVs are
parsed instead only if it is missing or was not made from them. Suppressed or unavailable figures
(DfE's ``c``, ``x``, ``z``, ``k``, ``low``) are read as missing (NaN); callers decide how to fill
them and say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from csc_model.published import lookup
from csc_model.scenario.config import DATA_DIR

PUBLISHED_DIR = DATA_DIR / "published"
ENGLAND = "England"
TABLE_NAMES = {
    "headline": "DfE Children looked after in England, headline numbers",
    "in_care": "DfE Children looked after at 31 March, by characteristic",
    "started": "DfE Children starting to be looked after, by characteristic",
    "ceased": "DfE Children ceasing to be looked after, by characteristic",
    "workforce": "DfE Children's social work workforce",
    "population": "ONS mid-year population estimates, aged 0-17",
}
"""Short table key -> the name shown next to every figure taken from it."""


class PublishedError(ValueError):
    """An authority or date the published tables cannot answer for; the message says why."""


@dataclass(frozen=True)
class Authority:
    """One local authority as named in the published tables."""

    code: str  # new_la_code, e.g. E06000026
    old_code: str  # three-digit old LA code, used by the statistical neighbours
    name: str
    region: str  # Inner London and Outer London are regions of their own in these tables
    years: tuple[int, ...]  # years with a published count of children in care at 31 March


def _number(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


@lru_cache(maxsize=2)
def _read(name: str, folder: str = str(PUBLISHED_DIR)) -> pd.DataFrame:
    path = Path(folder) / name
    if not path.is_file():
        raise PublishedError(
            f"the published tables are missing ({path}); run scripts/make_published_data.py to make them"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def headline(folder: str = str(PUBLISHED_DIR)) -> pd.DataFrame:
    """Tidy: ``area``, ``year``, ``in_care``, ``started``, ``ceased``, ``population`` (NaN where not published)."""
    df = _read("headline.csv.gz", folder)
    df = df.assign(year=df["time_period"].astype(int), value=_number(df["number"]))
    wide = df.pivot_table(index=["area", "year"], columns="measure", values="value", aggfunc="first", dropna=False)
    pop = df.assign(p=_number(df["population_estimate"])).groupby(["area", "year"])["p"].first()
    wide["population"] = pop
    wide.columns.name = None
    return wide.reset_index()


@lru_cache(maxsize=1)
def _lookup() -> lookup.Lookup | None:
    """The pre-indexed figures, or None to parse the CSVs (missing, or not made from the CSVs there)."""
    return lookup.read(PUBLISHED_DIR)


@lru_cache(maxsize=1)
def _headline_index() -> dict[tuple[str, int], dict[str, float]]:
    fast = _lookup()
    return fast.headline if fast is not None else _headline_index_csv()


def _headline_index_csv(folder: str = str(PUBLISHED_DIR)) -> dict[tuple[str, int], dict[str, float]]:
    h = headline(folder)
    cols = ["in_care", "started", "ceased", "population"]
    return {
        (a, int(y)): dict(zip(cols, vals, strict=True))
        for a, y, *vals in h[["area", "year", *cols]].itertuples(index=False)
    }


def area_years(area: str) -> list[int]:
    """Years the headline table has a row for ``area`` (figures may still be suppressed)."""
    return sorted(y for a, y in _headline_index() if a == area)


def figure(area: str, year: int, measure: str) -> float:
    """One headline figure (``in_care``, ``started``, ``ceased``, ``population``); NaN if not published."""
    return float(_headline_index().get((area, year), {}).get(measure, np.nan))


@lru_cache(maxsize=4)
def _characteristics(table: str, folder: str = str(PUBLISHED_DIR)) -> dict[tuple[str, int, str], dict[str, float]]:
    df = _read(f"{table}.csv.gz", folder)
    out: dict[tuple[str, int, str], dict[str, float]] = {}
    vals = _number(df["number"]).tolist()
    cols = [df[c].tolist() for c in ("time_period", "area", "cla_group", "characteristic")]  # plain lists: fast
    for year, area, group, char, v in zip(*cols, vals, strict=True):
        out.setdefault((area, int(year), group), {})[char] = v
    return out


def breakdown(table: str, area: str, year: int, group: str) -> dict[str, float]:
    """Characteristic -> count (NaN if suppressed) for one table (``in_care``, ``started``, ``ceased``)
    group, area and year; empty if the table has nothing for them."""
    fast = _lookup()
    if fast is not None:
        return fast.breakdown(table, area, year, group)
    return dict(_characteristics(table).get((area, year, group), {}))


def write_lookup(folder: Path = PUBLISHED_DIR) -> Path:
    """Write the pre-indexed form (:mod:`.lookup`) of the CSVs in ``folder``, parsed here; returns its path."""
    f = str(folder)
    return lookup.write(Path(folder), _headline_index_csv(f), {t: _characteristics(t, f) for t in lookup.TABLES})


@lru_cache(maxsize=1)
def workforce() -> pd.DataFrame:
    """Tidy workforce indicators: ``area``, ``year`` and one numeric column per indicator."""
    df = _read("workforce.csv.gz")
    out = pd.DataFrame({"area": df["area"], "year": df["time_period"].astype(int)})
    for c in df.columns:
        if c not in ("area", "time_period"):
            out[c] = _number(df[c])
    return out


@lru_cache(maxsize=1)
def population() -> pd.DataFrame:
    """ONS 0-17 population: ``area``, ``year``, ``population``."""
    df = _read("population.csv.gz")
    return pd.DataFrame(
        {"area": df["area"], "year": df["time_period"].astype(int), "population": _number(df["population_estimate"])}
    )


@lru_cache(maxsize=1)
def _authority_rows() -> tuple[tuple[str, str, str, str], ...]:
    """(new code, old code, name, region) of every authority in ``authorities.csv`` (small: read without pandas)."""
    path = PUBLISHED_DIR / "authorities.csv"
    if not path.is_file():
        _read("authorities.csv")  # raises PublishedError saying how to make the tables
    with path.open(encoding="utf-8", newline="") as f:
        return tuple((r["new_la_code"], r["old_la_code"], r["la_name"], r["region_name"]) for r in csv.DictReader(f))


@lru_cache(maxsize=1)
def authorities() -> tuple[Authority, ...]:
    """Every authority in the tables with at least one published count of children in care, by name."""
    idx = _headline_index()
    years_all = sorted({y for _, y in idx})
    out = []
    for code, old, name, region in _authority_rows():
        years = tuple(y for y in years_all if not np.isnan(idx.get((code, y), {}).get("in_care", np.nan)))
        if years:
            out.append(Authority(code, old, name, region, years))
    return tuple(sorted(out, key=lambda a: a.name))


def current_authorities(year: int | None = None) -> tuple[Authority, ...]:
    """Authorities with published figures for ``year`` (default: the latest year published)."""
    year = year or latest_year()
    return tuple(a for a in authorities() if year in a.years)


def latest_year() -> int:
    """The latest year ending 31 March with published counts of children in care."""
    return max(y for a in authorities() for y in a.years)


def regions() -> tuple[str, ...]:
    """Region names as used by the tables (including Inner and Outer London)."""
    return tuple(sorted({a.region for a in authorities()}))


def find_authority(text: str) -> Authority:
    """The authority named by its new code (E06000026), old code (879) or name (any case).

    Raises :class:`PublishedError` naming the closest matches when nothing matches exactly.
    """
    key = " ".join(str(text).split()).casefold()
    if not key:
        raise PublishedError("no authority given: give its name (e.g. Plymouth) or code (e.g. E06000026)")
    las = authorities()
    for a in las:
        if key in (a.code.casefold(), a.old_code.casefold(), a.name.casefold()):
            return a
    for code, old, name, _ in _authority_rows():
        if key in (code.casefold(), old.casefold(), name.casefold()):
            raise PublishedError(
                f"{name} has no published count of children in care (DfE: not applicable, no child in care), "
                "so there is nothing to start a scenario from"
            )
    names = {a.name.casefold(): a.name for a in las}
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    contains = [a.name for a in las if key in a.name.casefold()]
    suggestions = list(dict.fromkeys([*(names[c] for c in close), *contains]))[:5]
    hint = (
        f"; did you mean {', '.join(suggestions)}?"
        if suggestions
        else "; `python -m csc_model published --list` lists every authority"
    )
    raise PublishedError(f"no English local authority is called or coded {text!r}{hint}")


def as_at_year(as_at: dt.date, authority: Authority) -> int:
    """The reporting year of an as-at date; it must be a 31 March the authority has figures for."""
    if (as_at.month, as_at.day) != (3, 31):
        raise PublishedError(
            f"as-at date {as_at:%d/%m/%Y}: the published figures are at 31 March; choose 31 March of "
            f"{_years_text(authority.years)}"
        )
    if as_at.year not in authority.years:
        raise PublishedError(
            f"{authority.name} has no published count of children in care at 31 March {as_at.year}; "
            f"choose 31 March of {_years_text(authority.years)}"
        )
    return as_at.year


def _years_text(years: tuple[int, ...]) -> str:
    return ", ".join(map(str, years[:-1])) + (" or " if len(years) > 1 else "") + str(years[-1])


def neighbours(authority: Authority) -> tuple[Authority, ...]:
    """The authority's ten statistical neighbours (DfE 2025 model), closest first, where still published."""
    df = _read("statistical_neighbours.csv")
    row = df[df["old_la_code"] == authority.old_code]
    if row.empty:
        return ()
    by_old = {a.old_code: a for a in authorities()}
    olds = [row.iloc[0][f"SN_{i}"].strip() for i in range(1, 11)]
    return tuple(by_old[o] for o in olds if o in by_old)
