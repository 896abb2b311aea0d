"""The pre-indexed form of the bundled tables (``data/published/lookup.json.gz``): fast to read.

Parsing the characteristics CSVs and indexing them row by row takes a few tenths of a second,
which a new user's first scenario would wait for. ``scripts/make_published_data.py`` therefore also
writes the same figures already indexed: the headline figures by area and year, and each
characteristic table by area and group, the characteristic names written once per group. Each
area and group's figures (by year) are kept as a JSON text of their own, decoded only when first
asked for: a scenario needs a few areas, the forecast one group of every authority. The figures are the ones the CSV path reads (written with their exact decimal representation;
suppressed cells as ``null``), so both paths give identical results. The file records the SHA-256
of the CSVs it was made from; if any differs (the CSVs were changed without rerunning the
script), :func:`read` returns None and the CSVs are read instead.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path

FILE = "lookup.json.gz"
FORMAT = 2
TABLES = ("in_care", "started", "ceased")
MEASURES = ("in_care", "started", "ceased", "population")
SOURCES = ("headline.csv.gz", *(f"{t}.csv.gz" for t in TABLES))

HeadlineIndex = dict[tuple[str, int], dict[str, float]]
Breakdowns = dict[tuple[str, int, str], dict[str, float]]


def digests(folder: Path, names: tuple[str, ...]) -> dict[str, str]:
    """SHA-256 of each named file in ``folder`` ("" where missing)."""
    out = {}
    for n in names:
        p = folder / n
        out[n] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
    return out


def _enc(v: float) -> float | None:
    return None if math.isnan(v) else v


def _dec(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _dumps(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def write(folder: Path, headline: HeadlineIndex, breakdowns: Mapping[str, Breakdowns]) -> Path:
    """Write the lookup made from the indexed CSV figures to ``folder``; returns its path."""
    tables: dict[str, object] = {}
    for t in TABLES:
        chars: dict[str, list[str]] = {}
        areas: dict[str, dict[str, dict[str, object]]] = {}
        for (area, year, group), cells in breakdowns[t].items():
            names = chars.setdefault(group, list(cells))
            if list(cells) == names:  # the usual case: the group's characteristics, in the same order
                row: object = [_enc(v) for v in cells.values()]
            else:
                row = {k: _enc(v) for k, v in cells.items()}
            areas.setdefault(area, {}).setdefault(group, {})[str(year)] = row
        chunks = {a: {g: _dumps(by_year) for g, by_year in groups.items()} for a, groups in areas.items()}
        tables[t] = {"characteristics": chars, "chunks": chunks}
    doc = {
        "format": FORMAT,
        "made_from": digests(folder, SOURCES),
        "headline": {
            "measures": list(MEASURES),
            "rows": [[a, y, *(_enc(m[k]) for k in MEASURES)] for (a, y), m in headline.items()],
        },
        "tables": tables,
    }
    path = folder / FILE
    text = _dumps(doc)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return path


class Lookup:
    """The bundled figures, indexed: the same answers as the CSV path of :mod:`.data`."""

    def __init__(self, doc: dict) -> None:
        self._tables = doc["tables"]
        self._decoded: dict[tuple[str, str, str], dict[str, dict[str, float]]] = {}
        measures = doc["headline"]["measures"]
        self.headline: HeadlineIndex = {
            (a, int(y)): {k: _dec(v) for k, v in zip(measures, vals, strict=True)}
            for a, y, *vals in doc["headline"]["rows"]
        }

    def breakdown(self, table: str, area: str, year: int, group: str) -> dict[str, float]:
        """Characteristic -> count (NaN if suppressed); empty if the table has nothing for them."""
        key = (table, area, group)
        by_year = self._decoded.get(key)
        if by_year is None:
            by_year = self._decoded[key] = self._decode(table, area, group)
        return dict(by_year.get(str(year), {}))

    def _decode(self, table: str, area: str, group: str) -> dict[str, dict[str, float]]:
        t = self._tables[table]
        chunk = t["chunks"].get(area, {}).get(group)
        if chunk is None:
            return {}
        names = t["characteristics"][group]
        return {
            year: {k: _dec(v) for k, v in (row.items() if isinstance(row, dict) else zip(names, row, strict=True))}
            for year, row in json.loads(chunk).items()
        }


def read(folder: Path) -> Lookup | None:
    """The lookup in ``folder``, or None if it is missing, of another format or not made from the CSVs there."""
    path = folder / FILE
    if not path.is_file():
        return None
    doc = json.loads(gzip.decompress(path.read_bytes()))
    if doc.get("format") != FORMAT or doc.get("made_from") != digests(folder, SOURCES):
        return None
    return Lookup(doc)
