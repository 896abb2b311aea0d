"""Run a scenario and report it as tidy pandas frames by week, month or financial year.

Reporting rules (also in docs/model.md):

* Children (stocks) are counted at the end of the last modelled week that ends in the period;
  entries and exits are summed over the weeks that end in the period. So for every period
  ``children at end = children at previous end + entries - exits`` exactly.
* Money is allocated by day: a week's spend is spread evenly over its seven days and each day
  is priced in its own financial year. Spend, budget and pressure are therefore exact by
  financial year and month. Days after the end of the horizon are not reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from .calendar import add_years, fy_label, fy_start_year
from .engine import Raw, run_deterministic, run_stochastic
from .scenario import Scenario
from .structure import EXIT_ROUTES, STAGE_GROUPS, Structure, build
from .uncertainty import Evidence, ParameterDraws, draw_parameters, run_with_parameters

Freq = Literal["week", "month", "fy"]
PERCENTILES = (10, 50, 90)


def budget_by_fy(s: Scenario, fy_years: list[int]) -> dict[int, float]:
    """Budget (£) for each financial-year start year: first year, uplifted, then overrides."""
    first = fy_start_year(s.start_date)
    out = {}
    for y in fy_years:
        val = s.costs.budget_first_year_gbp * (1.0 + s.costs.budget_annual_uplift) ** (y - first)
        out[y] = float(s.costs.budget_overrides.get(fy_label(y), val))
    return out


@dataclass
class Result:
    """A projection: the scenario, its tables and the solver output."""

    scenario: Scenario
    structure: Structure
    raw: Raw
    draws: ParameterDraws | None = None  # per-run parameters (parameter uncertainty), if drawn

    # -- calendar -----------------------------------------------------------
    @cached_property
    def _days(self) -> pd.DataFrame:
        s = self.scenario
        end = pd.Timestamp(add_years(s.start_date, s.years))
        T = self.structure.weeks
        days = pd.date_range(pd.Timestamp(s.start_date), periods=T * 7, freq="D")
        df = pd.DataFrame({"date": days, "week": np.repeat(np.arange(T), 7)})
        df["fy"] = np.where(days.month >= 4, days.year, days.year - 1)
        df["month_end"] = days + pd.offsets.MonthEnd(0)
        df["price_index"] = self.structure.daily_price_index
        return df[df["date"] < end].reset_index(drop=True)

    @cached_property
    def week_end(self) -> pd.DatetimeIndex:
        """Last day of each modelled week."""
        return pd.date_range(
            pd.Timestamp(self.scenario.start_date) + pd.Timedelta(days=6), periods=self.structure.weeks, freq="7D"
        )

    def _period_keys(self, freq: Freq) -> tuple[np.ndarray, np.ndarray, list[pd.Timestamp], list[str]]:
        """Period index of each week (by week end) and of each reported day, with labels."""
        days = self._days
        last_day = days["date"].iloc[-1]
        weeks_ok = self.week_end <= last_day
        if freq == "week":
            wk = np.where(weeks_ok, np.arange(self.structure.weeks), -1)
            day_p = days["week"].to_numpy()
            n = int(weeks_ok.sum())
            day_p = np.where(day_p < n, day_p, -1)
            ends = list(self.week_end[:n])
            labels = [d.strftime("%d %b %Y") for d in ends]
            return wk, day_p, ends, labels
        if freq == "month":
            day_key = days["month_end"]
            week_key = self.week_end + pd.offsets.MonthEnd(0)
        elif freq == "fy":
            day_key = pd.Series(days["fy"])
            week_key = pd.Index(np.where(self.week_end.month >= 4, self.week_end.year, self.week_end.year - 1))
        else:
            raise ValueError(f"freq must be week, month or fy, not {freq!r}")
        uniq = list(pd.unique(day_key))
        pos = {k: i for i, k in enumerate(uniq)}
        day_p = np.array([pos[k] for k in day_key])
        wk = np.array([pos.get(k, -1) if ok else -1 for k, ok in zip(week_key, weeks_ok, strict=True)])
        if freq == "month":
            ends = [pd.Timestamp(k) for k in uniq]
            labels = [k.strftime("%b %Y") for k in ends]
        else:
            ends = [pd.Timestamp(dt.date(int(k) + 1, 3, 31)) for k in uniq]
            labels = [fy_label(int(k)) for k in uniq]
        return wk, day_p, ends, labels

    # -- core arrays by period --------------------------------------------------
    def _by_period(self, freq: Freq) -> dict[str, np.ndarray | list]:
        raw, st = self.raw, self.structure
        wk, day_p, ends, labels = self._period_keys(freq)
        n = len(labels)
        R = raw.stock_stage.shape[1]
        # last week ending in each period; stocks by (run, stage cell, placement)
        last_week = np.full(n, -1)
        for t, p in enumerate(wk):
            if p >= 0:
                last_week[p] = t
        has = (last_week >= 0)[:, None, None]
        stage_end = np.where(has, raw.stock_stage[np.maximum(last_week, 0)], np.nan)  # (n, R, S)
        place_end = np.where(has, raw.stock_place[np.maximum(last_week, 0)], np.nan)  # (n, R, P)
        # flows summed over weeks ending in the period
        W = np.zeros((n, st.weeks))
        ok = wk >= 0
        W[wk[ok], np.arange(st.weeks)[ok]] = 1.0
        entries = W @ raw.entries  # (n, R)
        exits = np.einsum("nt,tre->nre", W, raw.exits)
        # money by day
        days = self._days
        D = np.zeros((n, st.weeks))
        keep = day_p >= 0
        days, day_p = days[keep], day_p[keep]
        np.add.at(D, (day_p, days["week"].to_numpy()), days["price_index"].to_numpy() / 7.0)
        Dn = np.zeros((n, st.weeks))
        np.add.at(Dn, (day_p, days["week"].to_numpy()), 1.0 / 7.0)
        place_stock = raw.stock_place  # (T, R, P)
        base = np.array([self.scenario.costs.weekly_price_gbp[p.id] for p in st.placements])
        spend_place = np.einsum("nt,trp->nrp", D, place_stock) * base  # (n, R, P)
        child_weeks_place = np.einsum("nt,trp->nrp", Dn, place_stock)
        fy_years = sorted(set(days["fy"]))
        budgets = budget_by_fy(self.scenario, fy_years)
        days_in_fy = {y: (dt.date(y + 1, 4, 1) - dt.date(y, 4, 1)).days for y in fy_years}
        daily_budget = days["fy"].map(lambda y: budgets[y] / days_in_fy[y]).to_numpy()
        budget = np.bincount(day_p, weights=daily_budget, minlength=n)
        n_days = np.bincount(day_p, minlength=n)
        return {
            "labels": labels,
            "ends": ends,
            "days": n_days,
            "stage_end": stage_end,
            "place_end": place_end,
            "entries": entries,
            "exits": exits,
            "spend_place": spend_place,
            "child_weeks_place": child_weeks_place,
            "budget": budget,
            "R": R,
        }

    # -- public tables ------------------------------------------------------------
    def table(self, freq: Freq = "fy") -> pd.DataFrame:
        """One row per period: children, entries, exits by route, legal stages, spend, budget.

        Stochastic results give the mean over runs, plus ``_p10``/``_p50``/``_p90`` columns
        for children in care and spend.
        """
        b = self._by_period(freq)
        st = self.structure
        grp = st.stage_group
        by_cell = b["stage_end"]  # (n, R, S)
        total = by_cell.sum(axis=2)  # (n, R)
        spend = b["spend_place"].sum(axis=2)  # (n, R)
        cw = b["child_weeks_place"].sum(axis=2)
        df = pd.DataFrame(
            {
                "period": b["labels"],
                "period_end": [d.date() for d in b["ends"]],
                "days": b["days"],
                "children_in_care": total.mean(axis=1),
                "entries": b["entries"].mean(axis=1),
            }
        )
        for i, route in enumerate(EXIT_ROUTES):
            df[f"exits_{route}"] = b["exits"][:, :, i].mean(axis=1)
        df["exits_total"] = b["exits"].sum(axis=2).mean(axis=1)
        for g, name in enumerate(STAGE_GROUPS):
            df[f"stage_{name}"] = by_cell[:, :, grp == g].sum(axis=2).mean(axis=1)
        df["in_proceedings"] = df["stage_proceedings"]
        backlog = st.stage_names.index("proceedings_backlog")
        df["in_proceedings_backlog"] = by_cell[:, :, backlog].mean(axis=1)
        df["spend_gbp"] = spend.mean(axis=1)
        df["budget_gbp"] = b["budget"]
        df["pressure_gbp"] = df["spend_gbp"] - df["budget_gbp"]
        with np.errstate(invalid="ignore", divide="ignore"):
            df["avg_weekly_cost_per_child_gbp"] = spend.mean(axis=1) / cw.mean(axis=1)
        money = ["spend_gbp", "budget_gbp", "pressure_gbp", "avg_weekly_cost_per_child_gbp"]
        df[money] = df[money].round(2)
        if self.raw.stochastic:
            add_run_columns(self, df, b)
        return df

    def by_placement(self, freq: Freq = "fy") -> pd.DataFrame:
        """Tidy: one row per period and placement type (children at end, child-weeks, spend)."""
        b = self._by_period(freq)
        st = self.structure
        stock = b["place_end"].mean(axis=1)  # (n, P)
        spend = b["spend_place"].mean(axis=1)
        cw = b["child_weeks_place"].mean(axis=1)
        rows = []
        for i, label in enumerate(b["labels"]):
            for j, p in enumerate(st.placements):
                rows.append((label, b["ends"][i].date(), p.id, p.label, stock[i, j], cw[i, j], spend[i, j]))
        return pd.DataFrame(
            rows,
            columns=["period", "period_end", "placement", "placement_label", "children", "child_weeks", "spend_gbp"],
        )

    def by_stage(self, freq: Freq = "fy") -> pd.DataFrame:
        """Tidy: one row per period and legal stage (children at the end of the period)."""
        t = self.table(freq)
        long = t.melt(
            id_vars=["period", "period_end"],
            value_vars=[f"stage_{g}" for g in STAGE_GROUPS],
            var_name="stage",
            value_name="children",
        )
        long["stage"] = long["stage"].str.removeprefix("stage_")
        return long

    def by_age(self) -> pd.DataFrame:
        """Tidy, weekly: children by single year of age (deterministic runs only)."""
        if self.raw.stock_age is None:
            raise ValueError("children by age are reported for deterministic runs only")
        T = self.structure.weeks
        ages = np.arange(18)
        return pd.DataFrame(
            {
                "week_end": np.repeat(self.week_end.date, 18),
                "age": np.tile(ages, T),
                "children": self.raw.stock_age.reshape(-1),
            }
        )


def spend_by_run(res: Result, b: dict) -> np.ndarray:
    """Spend (£) by period and run, (n, R): with each run's drawn prices and inflation, if any."""
    spend_place = b["spend_place"]  # (n, R, P)
    d = res.draws
    if d is None:
        return spend_place.sum(axis=2)
    start = pd.Timestamp(res.scenario.start_date)
    mid = np.array([(e - start).days - n / 2 for e, n in zip(b["ends"], b["days"], strict=True)]) / 365.25
    infl = res.scenario.costs.annual_inflation
    factor = ((1.0 + infl + d.inflation_delta[None, :]) / (1.0 + infl)) ** np.maximum(mid, 0.0)[:, None]  # (n, R)
    return np.einsum("nrp,rp->nr", spend_place, d.price_mult) * factor


def runs_by_period(res: Result, freq: Freq = "fy") -> dict[str, np.ndarray]:
    """Per period and run, (n, R): children in care at the period end, entries, exits, children in
    proceedings at the end, and spend (with each run's drawn prices, if any); ``budget`` is (n,)."""
    b = res._by_period(freq)
    grp = res.structure.stage_group
    return {
        "children_in_care": b["stage_end"].sum(axis=2),
        "entries": b["entries"],
        "exits": b["exits"].sum(axis=2),
        "in_proceedings": b["stage_end"][:, :, grp == 1].sum(axis=2),
        "spend_gbp": spend_by_run(res, b),
        "budget_gbp": b["budget"],
    }


def add_run_columns(res: Result, df: pd.DataFrame, b: dict) -> None:
    """Columns from the runs: P10/P25/P50/P75/P90 of children in care and spend, P80 of spend (the budget
    that would be enough with 80% confidence) and ``prob_over_budget``, the share of runs whose
    spend exceeds the period's budget (0 to 1)."""
    total = b["stage_end"].sum(axis=2)
    spend = spend_by_run(res, b)
    for q in PERCENTILES:
        df[f"children_in_care_p{q}"] = np.percentile(total, q, axis=1)
    for q in PERCENTILES:
        df[f"spend_gbp_p{q}"] = np.percentile(spend, q, axis=1).round(2)
    df["spend_gbp_p80"] = np.percentile(spend, 80, axis=1).round(2)
    for q in (25, 75):  # the 50% band of fan charts
        df[f"children_in_care_p{q}"] = np.percentile(total, q, axis=1)
        df[f"spend_gbp_p{q}"] = np.percentile(spend, q, axis=1).round(2)
    df["budget_80pct_confidence_gbp"] = df["spend_gbp_p80"]
    df["prob_over_budget"] = (spend > b["budget"][:, None]).mean(axis=1)


def project(
    scenario: Scenario,
    runs: int = 0,
    seed: int = 0,
    parameter_uncertainty: bool = False,
    chance: bool = True,
    evidence: Evidence | None = None,
) -> Result:
    """Run ``scenario``: deterministic when ``runs`` is 0, else ``runs`` runs.

    With ``parameter_uncertainty`` each run also draws its own rates, prices and inflation
    (:mod:`csc_model.uncertainty`; ``evidence`` from a calibration gives the spread of rates
    from data, otherwise the stated ranges); ``chance`` off makes each run the expected values
    for its drawn parameters. The same seed gives the same draws for a scenario and its
    baseline, so their difference is steady.
    """
    st = build(scenario)
    if runs and parameter_uncertainty:
        draws = draw_parameters(scenario, st, runs, seed, evidence)
        return Result(scenario, st, run_with_parameters(st, draws, seed, chance), draws)
    raw = run_stochastic(st, runs, seed) if runs and chance else run_deterministic(st)
    return Result(scenario, st, raw)


def compare(base: Result, other: Result, freq: Freq = "fy") -> pd.DataFrame:
    """Scenario minus baseline for the main columns of :meth:`Result.table`."""
    a, b = base.table(freq), other.table(freq)
    cols = ["children_in_care", "entries", "exits_total", "in_proceedings", "spend_gbp", "budget_gbp", "pressure_gbp"]
    out = b[["period", "period_end"]].copy()
    for c in cols:
        out[f"{c}_baseline"] = a[c].to_numpy()
        out[f"{c}_scenario"] = b[c].to_numpy()
        out[f"{c}_difference"] = b[c].to_numpy() - a[c].to_numpy()
    return out
