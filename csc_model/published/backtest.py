"""Back-test on real authorities: forecast the children in care a year (or more) ahead from what was
published up to a cut-off, and compare with what was published afterwards.

Methods (``method``):

* ``"persistence"``: the count at the cut-off, carried forward (this year = last year).
* ``"model"``: the stock-and-flow model's projection of the scenario built from the published
  figures (entries from the starters and their trend, exits from the leavers by route).
* ``"blend"`` (the default): the model's change damped toward persistence, plus a small
  adjustment for what the published flows miss. Published starters and leavers count children,
  not spells, once a year, so they do not add up to the change in the stock (a child who starts,
  leaves and starts again is one starter and one leaver but +1 in the stock), and a year's net
  flow hardly persists into the next. The blend is
  ``start + w * (model - start) + start * (drift + b_rate * rate_gap + b_turnover * turnover_gap)``
  where ``rate_gap`` is the log of the authority's children in care per 10,000 children over the
  median authority's and ``turnover_gap`` its starters per child in care over the median. The
  four numbers are fitted (least mean absolute percentage error, on a grid) to the previous
  cut-off's forecasts and outcomes, all published by the cut-off; with no earlier year to fit on
  the blend is persistence.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..results import project
from ..scenario import Scenario
from . import data as pub
from .build import build_scenario

METHODS = ("blend", "model", "persistence")
GRID = {
    "w": np.round(np.arange(0.0, 0.61, 0.1), 2),
    "drift": np.round(np.arange(-0.01, 0.0101, 0.0025), 4),
    "b_rate": np.round(np.arange(-0.05, 0.0001, 0.01), 2),
    "b_turnover": np.round(np.arange(-0.2, 0.0001, 0.05), 2),
}
ZERO = {"w": 0.0, "drift": 0.0, "b_rate": 0.0, "b_turnover": 0.0}


@dataclass(frozen=True)
class Backtest:
    """One back-test: a row per authority and the figures of the summary."""

    table: pd.DataFrame
    as_at: dt.date
    years: int
    method: str
    runs: int
    mape: float
    mape_persistence: float
    coverage: float | None  # share of actuals within p10-p90 (None without runs)
    params: dict[str, float] = field(default_factory=dict)  # the blend's fitted numbers
    fitted_on: str = ""

    def summary(self) -> str:
        """Plain-English summary lines."""
        target = self.as_at.year + self.years
        lines = [
            f"{len(self.table)} authorities, children in care at 31 March {target} forecast from what was published "
            f"to 31 March {self.as_at.year} (method: {self.method})",
            f"mean absolute percentage error: {self.mape:.2%} (persistence {self.mape_persistence:.2%})",
        ]
        better = self.mape < self.mape_persistence
        lines.append(
            "beats persistence"
            if better
            else ("equals persistence" if self.mape == self.mape_persistence else "does not beat persistence")
        )
        if self.coverage is not None:
            lines.append(f"actual within the P10-P90 band: {self.coverage:.0%} of authorities (80% expected)")
        if self.params:
            lines.append(
                "blend fitted on "
                + (self.fitted_on or "nothing")
                + ": "
                + ", ".join(f"{k} {v:g}" for k, v in self.params.items())
            )
        return "\n".join(lines)


def _features(codes: list[str], year: int) -> tuple[np.ndarray, np.ndarray]:
    """Log rate per 10,000 over the median, and starters per child in care over the median, at ``year``."""
    s = np.array([pub.figure(c, year, "in_care") for c in codes])
    pop = np.array([pub.figure(c, year, "population") for c in codes])
    st = np.array([pub.figure(c, year, "started") for c in codes])
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.log(s / pop)
        turn = st / s
    rate = np.nan_to_num(rate - np.nanmedian(rate))
    turn = np.nan_to_num(turn - np.nanmedian(turn))
    return rate, turn


def _final_stock(s: Scenario, target: dt.date, runs: int, seed: int) -> np.ndarray:
    """Children in care at the end of the last modelled week ending on or before ``target``, by run."""
    res = project(s, runs=runs, seed=seed)
    week = ((target - s.start_date).days + 1) // 7 - 1
    return res.raw.stock_stage[week].sum(axis=-1)


def _forecasts(
    as_at: dt.date,
    years: int,
    runs: int,
    seed: int,
    base: Scenario | None,
    with_model: bool = True,
    only: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Start, actual and (``with_model``) the model's projection for every authority with figures at both dates."""
    target_year = as_at.year + years
    target = dt.date(target_year, 3, 31)
    rows = []
    for a in pub.authorities():
        if as_at.year not in a.years or target_year not in a.years or (only is not None and a.code not in only):
            continue
        if with_model:
            scen, _ = build_scenario(a.code, as_at, base)
            stock = _final_stock(scen.replace(years=years), target, runs, seed)
        else:
            stock = np.full(max(runs, 1), math.nan)
        row = {
            "new_la_code": a.code,
            "la_name": a.name,
            "region": a.region,
            "start": pub.figure(a.code, as_at.year, "in_care"),
            "actual": pub.figure(a.code, target_year, "in_care") if target_year <= pub.latest_year() else math.nan,
            "model": float(np.mean(stock)),
        }
        if runs:
            row["model_p10"], row["model_p50"], row["model_p90"] = np.percentile(stock, [10, 50, 90])
        rows.append(row)
    return pd.DataFrame(rows)


def _blend(df: pd.DataFrame, year: int, params: dict[str, float]) -> np.ndarray:
    rate, turn = _features(list(df["new_la_code"]), year)
    s0 = df["start"].to_numpy()
    adj = params["drift"] + params["b_rate"] * rate + params["b_turnover"] * turn
    return s0 + params["w"] * (df["model"].to_numpy() - s0) + s0 * adj


def _fit(df: pd.DataFrame, year: int) -> tuple[dict[str, float], np.ndarray]:
    """Grid search for the blend's numbers with the least MAPE on ``df`` (forecasts from ``year``);
    also the relative errors of the best fit (for the band)."""
    ok = df["actual"].notna().to_numpy()
    d = df[ok]
    rate, turn = _features(list(d["new_la_code"]), year)
    s0, model, actual = d["start"].to_numpy(), d["model"].to_numpy(), d["actual"].to_numpy()
    best, best_err = dict(ZERO), math.inf
    for w, drift, br, bt in itertools.product(*GRID.values()):
        pred = s0 + w * (model - s0) + s0 * (drift + br * rate + bt * turn)
        err = float(np.mean(np.abs(pred - actual) / actual))
        if err < best_err - 1e-12:
            best, best_err = {"w": float(w), "drift": float(drift), "b_rate": float(br), "b_turnover": float(bt)}, err
    rel = (_blend(d, year, best) - actual) / actual
    return best, rel


def run_backtest(
    as_at: dt.date,
    years: int = 1,
    runs: int = 0,
    method: str = "blend",
    seed: int = 0,
    base: Scenario | None = None,
    only: Sequence[str] | None = None,
) -> Backtest:
    """Forecast every authority's children in care ``years`` after ``as_at`` (a 31 March) and compare.

    ``only`` limits the back-test to some authorities (codes or names). Raises
    :class:`~csc_model.published.data.PublishedError` for a cut-off or horizon without
    published figures, or an unknown method.
    """
    if method not in METHODS:
        raise pub.PublishedError(f"method {method!r} is not known; choose {', '.join(METHODS)}")
    if not 1 <= years <= 3:
        raise pub.PublishedError(f"years: {years} is out of range; allowed 1 to 3")
    if not 0 <= runs <= 1000:
        raise pub.PublishedError(f"runs: {runs} is out of range; allowed 0 to 1,000")
    all_years = sorted({y for a in pub.authorities() for y in a.years})
    if (as_at.month, as_at.day) != (3, 31) or as_at.year not in all_years:
        raise pub.PublishedError(
            f"as-at date {as_at:%d/%m/%Y}: choose 31 March of a published year ({all_years[0]} to {all_years[-1]})"
        )
    if as_at.year + years > all_years[-1]:
        raise pub.PublishedError(
            f"the outcome at 31 March {as_at.year + years} is not published yet (latest {all_years[-1]}); "
            f"choose an earlier as-at date or fewer years"
        )
    keep = frozenset(pub.find_authority(x).code for x in only) if only is not None else None
    df = _forecasts(as_at, years, runs, seed, base, with_model=method != "persistence", only=keep)
    params: dict[str, float] = {}
    fitted_on = ""
    rel_past = np.array([])
    if method == "persistence":
        df["p50"] = df["start"]
    elif method == "model":
        df["p50"] = df["model_p50"] if runs else df["model"]
    else:
        prev = dt.date(as_at.year - years, 3, 31)
        if prev.year in all_years:
            past = _forecasts(prev, years, 0, seed, base, only=keep)
            params, rel_past = _fit(past, prev.year)
            fitted_on = f"the forecasts from 31 March {prev.year} against 31 March {as_at.year}"
        else:
            params = dict(ZERO)
            fitted_on = "nothing (no earlier year published): persistence"
        df["p50"] = _blend(df, as_at.year, params)
    df["persistence"] = df["start"]
    coverage = None
    if runs:
        half_lo = (df["model_p50"] - df["model_p10"]).to_numpy()
        half_hi = (df["model_p90"] - df["model_p50"]).to_numpy()
        if method == "persistence":
            half_lo = half_hi = np.zeros(len(df))
            df[["model_p10", "model_p50", "model_p90"]] = math.nan
        elif method == "blend" and rel_past.size:  # widen by the fitted year's errors (in quadrature)
            lo_q, hi_q = np.percentile(rel_past, [10, 90])
            s0 = df["start"].to_numpy()
            half_lo = np.sqrt(half_lo**2 + (s0 * max(-lo_q, 0.0)) ** 2)
            half_hi = np.sqrt(half_hi**2 + (s0 * max(hi_q, 0.0)) ** 2)
        df["p10"] = df["p50"] - half_lo
        df["p90"] = df["p50"] + half_hi
        inside = (df["actual"] >= df["p10"]) & (df["actual"] <= df["p90"])
        coverage = float(inside[df["actual"].notna()].mean())
    df["error_pct"] = (df["p50"] - df["actual"]) / df["actual"] * 100
    df["persistence_error_pct"] = (df["persistence"] - df["actual"]) / df["actual"] * 100
    ok = df["actual"].notna()
    mape = float(np.mean(np.abs(df.loc[ok, "error_pct"]))) / 100
    mape_p = float(np.mean(np.abs(df.loc[ok, "persistence_error_pct"]))) / 100
    cols = ["new_la_code", "la_name", "region", "start", "actual", "p50"]
    cols += ["p10", "p90"] if runs else []
    cols += ["persistence", "model", "error_pct", "persistence_error_pct"]
    out = df[cols].copy()
    for c in ("p50", "p10", "p90", "model"):
        if c in out:
            out[c] = out[c].round(1)
    out[["error_pct", "persistence_error_pct"]] = out[["error_pct", "persistence_error_pct"]].round(2)
    return Backtest(out, as_at, years, method, runs, mape, mape_p, coverage, params, fitted_on)


def flow_gaps() -> pd.DataFrame:
    """For each authority and year: the change in children in care against starters minus leavers.

    ``gap`` = (in care at 31 March - in care a year before) - (started - ceased); with ``gap_pct``
    (of the count a year before), the UASC share of starters and the count, to study why the
    published flows do not add up.
    """
    rows = []
    for a in pub.authorities():
        for y in a.years:
            prev = pub.figure(a.code, y - 1, "in_care")
            if math.isnan(prev):
                continue
            now = pub.figure(a.code, y, "in_care")
            st, ce = pub.figure(a.code, y, "started"), pub.figure(a.code, y, "ceased")
            uasc = pub.breakdown("started", a.code, y, "Unaccompanied asylum-seeking children").get(
                "Unaccompanied asylum-seeking children", math.nan
            )
            gap = (now - prev) - (st - ce)
            rows.append(
                {
                    "new_la_code": a.code,
                    "la_name": a.name,
                    "year": y,
                    "in_care_before": prev,
                    "in_care": now,
                    "started": st,
                    "ceased": ce,
                    "gap": gap,
                    "gap_pct": gap / prev * 100 if prev else math.nan,
                    "uasc_share_of_starters": uasc / st if st else math.nan,
                }
            )
    return pd.DataFrame(rows)
