"""Placement-type configuration and bundled data files (``data/``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class PlacementType:
    """One placement type, read from ``data/placement_types.csv``."""

    id: str
    label: str
    group: str
    min_age: int
    max_age: int
    weekly_price_gbp: float
    price_source: str
    price_year: str
    colour: str


@lru_cache(maxsize=4)
def load_placement_types(path: str | None = None) -> tuple[PlacementType, ...]:
    """Placement types in display order. Adding a row to the CSV adds a type to the model."""
    file = Path(path) if path else DATA_DIR / "placement_types.csv"
    with file.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        PlacementType(
            id=r["id"],
            label=r["label"],
            group=r["group"],
            min_age=int(r["min_age"]),
            max_age=int(r["max_age"]),
            weekly_price_gbp=float(r["weekly_price_gbp"]),
            price_source=r["price_source"],
            price_year=r["price_year"],
            colour=r["colour"],
        )
        for r in rows
    )


def placement_ids() -> tuple[str, ...]:
    """Ids of the configured placement types, in order."""
    return tuple(p.id for p in load_placement_types())


def placement_labels() -> dict[str, str]:
    """Id -> plain-English label."""
    return {p.id: p.label for p in load_placement_types()}


def placement_colours() -> dict[str, str]:
    """Id -> colour (Okabe-Ito based, colour-blind safe)."""
    return {p.id: p.colour for p in load_placement_types()}


@dataclass(frozen=True)
class Source:
    """Where a default value comes from."""

    path: str
    source: str
    year: str
    note: str

    @property
    def cited(self) -> str:
        """The source with its year, "... (2023-24)", without repeating a year it already names."""
        return self.source if not self.year or self.year in self.source else f"{self.source} ({self.year})"


@lru_cache(maxsize=1)
def load_sources() -> dict[str, Source]:
    """Dotted scenario path -> source of its default, from ``data/sources.csv``.

    Placement prices are sourced from ``placement_types.csv`` and added here too.
    """
    out: dict[str, Source] = {}
    with (DATA_DIR / "sources.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out[r["path"]] = Source(r["path"], r["source"], r["year"], r["note"])
    for p in load_placement_types():
        key = f"costs.weekly_price_gbp.{p.id}"
        out.setdefault(key, Source(key, p.price_source, p.price_year, ""))
    return out


def source_for(path: str) -> Source | None:
    """The source of the default at ``path``, or of its nearest parent field."""
    sources = load_sources()
    parts = path.split(".")
    while parts:
        key = ".".join(parts)
        if key in sources:
            return sources[key]
        parts.pop()
    return None
