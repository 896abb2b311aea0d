"""Shared helpers for building a scenario from published tables: the report, filling suppressed
cells from the region, and shares (rounding, moving shares' log-odds together)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from csc_model.published import data as pub
from csc_model.published.data import ENGLAND, TABLE_NAMES
from csc_model.scenario import AGE_BAND_LABELS

REPORT_COLUMNS = ["Figure", "Value", "Table", "Year", "Worked out from"]


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, figure: str, value: str, table: str, year: int | str, how: str) -> None:
        self.rows.append((figure, value, TABLE_NAMES.get(table, table), str(year), how))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REPORT_COLUMNS)


# ---------------------------------------------------------------------------
# Filling suppressed cells from the region
# ---------------------------------------------------------------------------


def _grouped(raw: Mapping[str, float], mapping: Mapping[str, str]) -> tuple[dict[str, float], list[str]]:
    """Counts summed into the model's groups; the groups with a suppressed cell are listed (their known part kept)."""
    out: dict[str, float] = {}
    missing: list[str] = []
    for char, group in mapping.items():
        v = raw.get(char, math.nan)
        out.setdefault(group, 0.0)
        if math.isnan(v):
            missing.append(group)
        else:
            out[group] += v
    return out, sorted(set(missing), key=list(dict.fromkeys(mapping.values())).index)


def filled_counts(
    table: str, area: str, region: str, year: int, group: str, mapping: Mapping[str, str], total: float
) -> tuple[dict[str, float], str]:
    """Counts by model group adding up to ``total``, and how they were made (for the report).

    The authority's own cells where published; suppressed cells share what is left of the total in
    the region's proportions (England's if the region's are suppressed too); if the authority has
    no usable table, the region's mix. The result is scaled to add up to ``total`` exactly.
    """
    keys = list(dict.fromkeys(mapping.values()))
    own_raw = pub.breakdown(table, area, year, group)
    ref, fallback = {k: 1.0 for k in keys}, "equal shares"
    for ref_area in (region, ENGLAND):  # suppressed cells of the region or England count as 0
        counts, _ = _grouped(pub.breakdown(table, ref_area, year, group), mapping)
        if sum(counts.values()) > 0:
            ref, fallback = counts, ("England" if ref_area == ENGLAND else f"the {ref_area} region")
            break
    own, miss = _grouped(own_raw, mapping)
    known = sum(own.values())
    if not own_raw or known <= 0:
        ref_total = sum(ref.values()) or 1.0
        return {k: total * ref[k] / ref_total for k in keys}, f"not published for the authority: {fallback}'s mix"
    how = "the authority's own figures"
    if miss:
        rest = max(total - known, 0.0)
        weight = sum(ref[k] for k in miss) or 1.0
        for k in miss:
            own[k] += rest * ref[k] / weight
        how += f"; suppressed cells ({_miss_text(miss)}) share the rest in {fallback}'s proportions"
    s = sum(own.values())
    if s <= 0:
        return {k: total / len(keys) for k in keys}, "no child counted: equal shares"
    return {k: total * own[k] / s for k in keys}, how


def _miss_text(keys: list[str]) -> str:
    return ", ".join(k.replace("_", " ") for k in keys)


# ---------------------------------------------------------------------------
# Helpers on shares
# ---------------------------------------------------------------------------


def round_shares(raw: Mapping[str, float]) -> dict[str, float]:
    """Shares rounded to 4 places that still sum to exactly 1 (the largest takes the rest)."""
    total = sum(raw.values())
    out = {k: round(v / total, 4) if total > 0 else 0.0 for k, v in raw.items()}
    top = max(out, key=lambda k: out[k])
    out[top] = round(1.0 - sum(v for k, v in out.items() if k != top), 4)
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def odds_shift(weights: Mapping[str, float], priors: Mapping[str, float], target: float) -> dict[str, float]:
    """Shares ``p_k`` = prior shares with their log-odds all moved by one amount, so that
    ``sum(weights_k * p_k) == target`` (clipped to what is reachable)."""
    total = sum(weights.values())
    if total <= 0:
        return dict(priors)
    target = min(max(target, 0.0), total)
    keys = list(weights)
    w = np.array([weights[k] for k in keys])
    base = np.array([_logit(priors[k]) for k in keys])
    lo, hi = -15.0, 15.0
    for _ in range(40):  # bisection: the weighted sum rises with the shift
        mid = (lo + hi) / 2
        got = float(w @ (1.0 / (1.0 + np.exp(-(base + mid)))))
        lo, hi = (mid, hi) if got < target else (lo, mid)
    shift = (lo + hi) / 2
    return {k: _sigmoid(b + shift) for k, b in zip(keys, base, strict=True)}


def shares_text(counts: Mapping[str, float]) -> str:
    total = sum(counts.values()) or 1.0
    # age bands as the app writes them ("1-4", not "1 4", which read as two figures: analyst review)
    return ", ".join(f"{AGE_BAND_LABELS.get(k, k.replace('_', ' '))} {v / total:.0%}" for k, v in counts.items())
