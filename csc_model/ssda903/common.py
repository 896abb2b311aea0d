"""Small helpers shared by the calibration steps: ages, age bands, shares and plain-words counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from csc_model.scenario import AGE_BAND_LABELS, AGE_BAND_YEARS, AGE_BANDS
from csc_model.ssda903.figures import BACKLOG_WEEKS


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


def _annual(events: int, exposure: float) -> float:
    """The yearly share whose weekly probability (structure.weekly_from_annual) is events / exposure."""
    weekly = min(events / exposure, 1.0) if exposure > 0 else 0.0
    return 1.0 - (1.0 - weekly) ** 52


def _n(k: float, one: str, many: str | None = None) -> str:
    k = int(k)
    return f"{k:,} {one if k == 1 else (many or one + 's')}"


def _stage_label(key: str) -> str:
    return {
        "s20": "section 20",
        "proceedings": "in care proceedings",
        "proceedings_backlog": f"in proceedings over {BACKLOG_WEEKS} weeks",
        "placement_order": "placement order",
        "care_order": "care order",
    }[key]


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
