"""The one-year forecast of an authority's children in care that the back-test shows works, and the
entry rate that makes a scenario's first year reach it.

Why not the flows: published starters and leavers count children, not periods of care, once a
year, so starters minus leavers misses the change in the count by a steady +0.5% of it a year
(:func:`csc_model.published.backtest.flow_gaps`), and a year's net flow or change in the count
hardly carries into the next year (correlation about 0). Carrying the net flow forward (or the
model, which reproduces it) is worse than "next year = this year".

What does carry, across authorities, is their position against the others: an authority with
more children in care per 10,000 children than the median, or an older group of children in care
(more of them aged 16 or 17, so more turning 18 within the year), tends to fall; one below tends
to rise. The forecast is

    start x (1 + b_rate x rate_gap + b_older x older_gap)

with ``rate_gap`` the log of the rate per 10,000 over the median authority's and ``older_gap``
the share aged 16 and over minus the median share, both at the cut-off. ``b_rate`` and
``b_older`` are fitted by least mean absolute percentage error (a linear programme) to every
year-on-year outcome published by the cut-off; with none, the forecast is "next year = this
year". There is no common drift: the median authority's change was +1.0%, +1.8% and -0.1% in
the three published years and one year's drift did not foretell the next.

The fitted numbers for each cut-off of the bundled tables are stored in
``data/published/forecast_fits.json`` (written by ``scripts/make_published_data.py`` with
:func:`write_fits`; a test checks them against a fresh fit), so that the first scenario of a
process does not wait for the fit and scipy's optimiser to load. They are used only while the
tables they were fitted on are unchanged (same SHA-256); otherwise the numbers are fitted afresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from csc_model.published import data as pub
from csc_model.published.lookup import digests
from csc_model.scenario import Scenario
from csc_model.solvers.engine import run_deterministic
from csc_model.solvers.structure import build

FEATURES = ("rate_gap", "older_gap")
COEF_NAMES = {"rate_gap": "b_rate", "older_gap": "b_older"}
OLDER = "16 years and over"
MAX_WEEKLY_RATE = 500.0  # the scenario's upper bound for entries a week
FITS_FILE = "forecast_fits.json"
FIT_SOURCES = ("authorities.csv", "headline.csv.gz", "in_care.csv.gz")
"""The tables the fit reads (the authorities, their counts and population, the share aged 16 and over)."""


@dataclass(frozen=True)
class Fit:
    """The forecast's fitted numbers at a cut-off and what they were fitted on."""

    year: int  # the cut-off: 31 March of this year
    coefs: dict[str, float]  # b_rate, b_older (zero: persistence)
    pairs: tuple[int, ...]  # the cut-off years of the outcomes fitted on (u -> u + 1)
    fitted: int  # authority-years fitted on

    @cached_property
    def rel_errors(self) -> np.ndarray:
        """(forecast - actual) / actual on the fitted outcomes (worked out when first asked for)."""
        if not self.pairs:
            return np.array([])
        frame = _fit_frame(self.pairs)
        actual = frame["actual"].to_numpy()
        return (predict(frame, self.coefs) - actual) / actual

    def describe(self) -> str:
        """Plain words: what it was fitted on and the numbers."""
        if not self.pairs:
            return "nothing (no earlier outcome published): next year = this year"
        years = ", ".join(f"{u}->{u + 1}" for u in self.pairs)
        nums = ", ".join(f"{k} {v:+.3f}" for k, v in self.coefs.items())
        return f"the outcomes {years} ({self.fitted} authority-years): {nums}"


@lru_cache(maxsize=8)
def panel(year: int) -> pd.DataFrame:
    """Every authority with a count at 31 March ``year``: ``start``, ``rate_gap``, ``older_gap`` and
    ``actual`` (the count a year later; NaN if not published), indexed by code."""
    rows = []
    for a in pub.authorities():
        s = pub.figure(a.code, year, "in_care")
        if math.isnan(s) or s <= 0:
            continue
        pop = pub.figure(a.code, year, "population")
        older = pub.breakdown("in_care", a.code, year, "Age group").get(OLDER, math.nan)
        rows.append(
            {
                "code": a.code,
                "start": s,
                "rate": math.log(s / pop) if pop > 0 else math.nan,
                "older": older / s,
                "actual": pub.figure(a.code, year + 1, "in_care"),
            }
        )
    df = pd.DataFrame(rows).set_index("code")
    df["rate_gap"] = (df["rate"] - df["rate"].median()).fillna(0.0)
    df["older_gap"] = (df["older"] - df["older"].median()).fillna(0.0)
    return df[["start", *FEATURES, "actual"]]


def predict(frame: pd.DataFrame, coefs: dict[str, float]) -> np.ndarray:
    """The forecast a year ahead for each row of ``frame`` (``start`` and the feature columns)."""
    x = frame[list(FEATURES)].to_numpy(dtype=float)
    b = np.array([coefs.get(COEF_NAMES[f], 0.0) for f in FEATURES])
    return frame["start"].to_numpy(dtype=float) * (1.0 + x @ b)


def fit_coefficients(frame: pd.DataFrame) -> dict[str, float]:
    """The numbers with the least mean absolute percentage error on ``frame`` (``start``, the features,
    ``actual``); rows without an actual are skipped. Solved exactly as a linear programme."""
    from scipy.optimize import linprog  # here: importing it costs a fraction of a second, needed only to fit

    f = frame[frame["actual"].notna() & (frame["actual"] > 0)]
    if f.empty:
        return {COEF_NAMES[k]: 0.0 for k in FEATURES}
    s, a = f["start"].to_numpy(dtype=float), f["actual"].to_numpy(dtype=float)
    z = f[list(FEATURES)].to_numpy(dtype=float) * (s / a)[:, None]
    y = 1.0 - s / a  # |s/a (1 + x.b) - 1| = |z.b - y|
    n, k = z.shape
    cost = np.concatenate([np.zeros(2 * k), np.full(2 * n, 1.0 / n)])
    eye = np.eye(n)
    res = linprog(cost, A_eq=np.hstack([z, -z, eye, -eye]), b_eq=y, bounds=(0, None), method="highs")
    b = res.x[:k] - res.x[k : 2 * k] if res.status == 0 else np.zeros(k)
    return {COEF_NAMES[f]: round(float(v), 4) for f, v in zip(FEATURES, b, strict=True)}


def _pairs(year: int) -> tuple[int, ...]:
    """The cut-off years ``u`` of the outcomes (u -> u + 1) published by 31 March ``year``."""
    years = sorted({y for a in pub.authorities() for y in a.years})
    return tuple(u for u in years if u + 1 <= year and u + 1 in years)


def _fit_frame(pairs: tuple[int, ...]) -> pd.DataFrame:
    # each year's features against its own actual one year on (only outcomes published by the cut-off)
    frame = pd.concat([panel(u) for u in pairs])
    return frame[frame["actual"].notna()]


@lru_cache(maxsize=1)
def _stored_fits() -> dict[int, Fit]:
    """Cut-off -> its fit from :data:`FITS_FILE`; empty if the file is missing or was made from other tables."""
    path = pub.PUBLISHED_DIR / FITS_FILE
    if not path.is_file():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("made_from") != digests(pub.PUBLISHED_DIR, FIT_SOURCES):
        return {}
    return {int(y): Fit(int(y), dict(v["coefs"]), tuple(v["pairs"]), int(v["fitted"])) for y, v in doc["fits"].items()}


def write_fits() -> Path:
    """Fit afresh at every cut-off of the bundled tables (and the year after the last) and store the numbers."""
    years = sorted({y for a in pub.authorities() for y in a.years})
    fits = {}
    for year in [*years, years[-1] + 1]:
        f = fit(year, stored=False)
        fits[str(year)] = {"coefs": f.coefs, "pairs": list(f.pairs), "fitted": f.fitted}
    doc = {"made_from": digests(pub.PUBLISHED_DIR, FIT_SOURCES), "fits": fits}
    path = pub.PUBLISHED_DIR / FITS_FILE
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=8)
def fit(year: int, stored: bool = True) -> Fit:
    """The forecast fitted at the cut-off 31 March ``year``: on every outcome published by then.

    With ``stored``, the numbers stored for the bundled tables (:data:`FITS_FILE`) if they were
    fitted on the same outcomes; otherwise (or without ``stored``) a fresh fit."""
    pairs = _pairs(year)
    if not pairs:
        return Fit(year, {COEF_NAMES[k]: 0.0 for k in FEATURES}, (), 0)
    kept = _stored_fits().get(year) if stored else None
    if kept is not None and kept.pairs == pairs:
        return kept
    frame = _fit_frame(pairs)
    return Fit(year, fit_coefficients(frame), pairs, len(frame))


def one_year_forecast(code: str, year: int) -> tuple[float, Fit]:
    """The forecast of ``code``'s children in care at 31 March ``year + 1``, and the fit it used."""
    p = panel(year)
    if code not in p.index:
        raise pub.PublishedError(f"{code} has no published count of children in care at 31 March {year}")
    f = fit(year)
    return float(predict(p.loc[[code]], f.coefs)[0]), f


def stock_on(s: Scenario, target: dt.date) -> float:
    """Children in care (deterministic) at the end of the last modelled week ending on or before ``target``."""
    week = ((target - s.start_date).days + 1) // 7 - 1
    years = min(max(1, math.ceil((week + 1) / 52)), 10)
    raw = run_deterministic(build(s.replace(years=years)))
    return float(raw.stock_stage[week].sum())


def entries_for(s: Scenario, target: dt.date, wanted: float) -> tuple[float, float, float]:
    """The entry rate a week that brings ``s`` to ``wanted`` children in care at ``target``.

    The deterministic count is linear in the entry rate, so two runs (at the scenario's rate and at
    none) give it exactly. Returns (rate, count with the scenario's rate, count with the new rate),
    the rate kept within 0 and the scenario's upper bound.
    """
    r0 = s.entries.weekly_rate
    now = stock_on(s, target)
    without = stock_on(s.replace(entries=dataclasses.replace(s.entries, weekly_rate=0.0)), target)  # valid: 0 allowed
    per_rate = (now - without) / r0 if r0 > 0 else 0.0
    if per_rate <= 0:
        return r0, now, now
    rate = min(max(r0 + (wanted - now) / per_rate, 0.0), MAX_WEEKLY_RATE)
    return rate, now, without + per_rate * rate


def track_record() -> pd.DataFrame:
    """For every cut-off with a later outcome published: ``as_at`` (year), ``authorities``, the forecast's
    and persistence's mean absolute percentage error (``mape``, ``mape_persistence``, in %), and the
    years it was fitted on. Cheap: the first year of the corrected scenario is the forecast itself."""
    rows = []
    for year in sorted({y for a in pub.authorities() for y in a.years}):
        p = panel(year)
        p = p[p["actual"].notna()]
        if p.empty:
            continue
        f = fit(year)
        actual = p["actual"].to_numpy()
        rows.append(
            {
                "as_at": year,
                "authorities": len(p),
                "mape": float(np.mean(np.abs(predict(p, f.coefs) - actual) / actual) * 100),
                "mape_persistence": float(np.mean(np.abs(p["start"].to_numpy() - actual) / actual) * 100),
                "fitted_on": ", ".join(f"{u}->{u + 1}" for u in f.pairs) or "nothing: persistence",
            }
        )
    return pd.DataFrame(rows)
