"""Run a scenario and report it as tidy pandas frames by week, month or financial year.

Reporting rules (also in docs/model.md):

* Everything is allocated by day. A week's entries, exits and spend are spread evenly over its
  seven days; children in care at the end of a day are the stock at the end of the week before
  plus that share of the week's change. So a period's figures do not depend on how many weekly
  steps end in it (a financial year holding 53 week ends reports the same entries as one
  holding 52), months add up to their financial year in every table, and for every period
  ``children at end = children at previous end + entries - exits`` exactly.
* Each day is priced in its own financial year, so spend, budget and pressure are exact by
  financial year and month. Days after the end of the horizon are not reported.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from csc_model.scenario import Scenario, ScenarioError
from csc_model.scenario.calendar import add_years, fy_from_label, fy_label, fy_start_year
from csc_model.scenario.validate import validate
from csc_model.solvers.engine import Progress, Raw, run_deterministic, run_stochastic
from csc_model.solvers.structure import (
    EXIT_ROUTES,
    LONG_PROCEEDINGS_WEEKS,
    STAGE_GROUPS,
    Structure,
    build,
    long_proceedings,
)
from csc_model.solvers.uncertainty import Evidence, ParameterDraws, draw_parameters, run_with_parameters

Freq = Literal["week", "month", "fy"]
PERCENTILES = (10, 50, 90)


def budget_by_fy(s: Scenario, fy_years: list[int]) -> dict[int, float]:
    """Budget (£) for each financial-year start year.

    The first financial year of the projection has ``budget_first_year_gbp``; each later year
    grows by ``budget_annual_uplift`` from the year before. An override
    (``costs.budget_overrides``) is the budget for its year, and the years after it grow from
    the latest overridden year (an override of 2028-29 makes 2029-30 the override uplifted once,
    not the first-year budget uplifted three times). Overrides of years before the first year
    are ignored.
    """
    first = fy_start_year(s.start_date)
    uplift = 1.0 + s.costs.budget_annual_uplift
    anchors = {fy_from_label(k): float(v) for k, v in s.costs.budget_overrides.items()}
    anchors = {y: v for y, v in anchors.items() if y >= first}
    out = {}
    for y in fy_years:
        earlier = [a for a in anchors if a <= y]
        if earlier:
            a = max(earlier)
            out[y] = anchors[a] * uplift ** (y - a)
        else:
            out[y] = s.costs.budget_first_year_gbp * uplift ** (y - first)
    return {y: float(v) for y, v in out.items()}


def usual_budget(s: Scenario, fy_year: int) -> float:
    """The budget (£) financial year ``fy_year`` would have with no override of its own: what a
    blank override box means (grown from the first year, or from the latest earlier override)."""
    own = fy_label(fy_year)
    if own in s.costs.budget_overrides:
        rest = {k: v for k, v in s.costs.budget_overrides.items() if k != own}
        s = s.with_values({"costs.budget_overrides": rest})
    return budget_by_fy(s, [fy_year])[fy_year]


@functools.lru_cache(maxsize=32)
def _week_ends(start: dt.date, weeks: int) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=6), periods=weeks, freq="7D")


@functools.lru_cache(maxsize=32)
def _calendar_days(start: dt.date, years: int, weeks: int) -> pd.DataFrame:
    """Every reported day: its date, model week, financial year and month end (shared: never modify)."""
    end = pd.Timestamp(add_years(start, years))
    days = pd.date_range(pd.Timestamp(start), periods=weeks * 7, freq="D")
    df = pd.DataFrame({"date": days, "week": np.repeat(np.arange(weeks), 7)})
    df["fy"] = np.where(days.month >= 4, days.year, days.year - 1)
    df["month_end"] = days + pd.offsets.MonthEnd(0)
    return df[df["date"] < end].reset_index(drop=True)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@functools.lru_cache(maxsize=96)
def _calendar_keys(
    start: dt.date, years: int, weeks: int, freq: str
) -> tuple[np.ndarray, np.ndarray, list[pd.Timestamp], list[str]]:
    """Period index of each week (by week end) and of each reported day, with labels (read-only arrays)."""
    days = _calendar_days(start, years, weeks)
    week_end = _week_ends(start, weeks)
    last_day = days["date"].iloc[-1]
    weeks_ok = week_end <= last_day
    if freq == "week":
        wk = np.where(weeks_ok, np.arange(weeks), -1)
        day_p = days["week"].to_numpy()
        n = int(weeks_ok.sum())
        day_p = np.where(day_p < n, day_p, -1)
        ends = list(week_end[:n])
        labels = [d.strftime("%d %b %Y") for d in ends]
        return _frozen(wk), _frozen(day_p), ends, labels
    if freq == "month":
        day_key = days["month_end"]
        week_key = week_end + pd.offsets.MonthEnd(0)
    elif freq == "fy":
        day_key = pd.Series(days["fy"])
        week_key = pd.Index(np.where(week_end.month >= 4, week_end.year, week_end.year - 1))
    else:
        raise ValueError(f"freq must be week, month or fy, not {freq!r}")
    codes, uniq_index = pd.factorize(day_key, sort=False)  # first-seen order, as the days run
    uniq = list(uniq_index)
    pos = {k: i for i, k in enumerate(uniq)}
    day_p = np.asarray(codes, dtype=np.int64)
    wk = np.array([pos.get(k, -1) if ok else -1 for k, ok in zip(week_key, weeks_ok, strict=True)])
    if freq == "month":
        ends = [pd.Timestamp(k) for k in uniq]
        labels = [k.strftime("%b %Y") for k in ends]
    else:
        ends = [pd.Timestamp(dt.date(int(k) + 1, 3, 31)) for k in uniq]
        labels = [fy_label(int(k)) for k in uniq]
    return _frozen(wk), _frozen(day_p), ends, labels


@dataclass
class Result:
    """A projection: the scenario, its tables and the solver output."""

    scenario: Scenario
    structure: Structure
    raw: Raw
    draws: ParameterDraws | None = None  # per-run parameters (parameter uncertainty), if drawn

    # -- calendar -----------------------------------------------------------
    # The calendar depends only on the start date, the years and the weeks modelled, so it is
    # worked out once per calendar (module-level cache), not once per scenario: in the app every
    # lever change is a new scenario on the same calendar, and this was a third of a run.
    @property
    def _days(self) -> pd.DataFrame:
        s = self.scenario
        return _calendar_days(s.start_date, s.years, self.structure.weeks)

    @cached_property
    def long_proceedings(self) -> np.ndarray:
        """(T, R) children in care proceedings for over 50 weeks at each week end (see
        :func:`csc_model.solvers.structure.long_proceedings`): the starting backlog plus the children
        whose proceedings, started on or after the start date, pass 50 weeks."""
        raw, st = self.raw, self.structure
        k = st.k
        flows = raw.group_flows
        inflow = flows[:, :, 0, 1].astype(float) + flows[:, :, 4, 1]  # from s20 and from outside care
        back = st.stage_names.index("proceedings_backlog")
        return long_proceedings(
            st,
            inflow,
            raw.stock_stage[:, :, 1 : k + 1].sum(axis=2),
            raw.initial[:, 1 : k + 1].sum(axis=2),
            raw.stock_stage[:, :, back],
            LONG_PROCEEDINGS_WEEKS,
        )

    @property
    def week_end(self) -> pd.DatetimeIndex:
        """Last day of each modelled week."""
        return _week_ends(self.scenario.start_date, self.structure.weeks)

    def _period_keys(self, freq: Freq) -> tuple[np.ndarray, np.ndarray, list[pd.Timestamp], list[str]]:
        """Period index of each week (by week end) and of each reported day, with labels."""
        s = self.scenario
        return _calendar_keys(s.start_date, s.years, self.structure.weeks, freq)

    # -- core arrays by period --------------------------------------------------
    @cached_property
    def _period_memo(self) -> dict[str, Any]:
        return {}

    def _by_period(self, freq: Freq) -> dict[str, np.ndarray | list]:
        """The core arrays by period, worked out once per frequency (every table of a period uses them)."""
        memo = self._period_memo
        if freq not in memo:
            memo[freq] = self._work_out_by_period(freq)
        return memo[freq]

    def _work_out_by_period(self, freq: Freq) -> dict[str, np.ndarray | list]:
        raw, st = self.raw, self.structure
        _, day_p, ends, labels = self._period_keys(freq)
        n = len(labels)
        R = raw.stock_stage.shape[1]
        days = self._days
        keep = day_p >= 0
        days, day_p = days[keep], day_p[keep]
        day_week = days["week"].to_numpy()
        # stocks at the end of each period's last day: the week's change spread evenly over its days
        last_day = np.full(n, -1)
        np.maximum.at(last_day, day_p, np.arange(len(day_p)))
        wk_end = day_week[last_day]
        frac = ((np.arange(len(day_p))[last_day] % 7) + 1) / 7.0
        start_stage = raw.initial.sum(axis=2)  # (R, S)
        start_place = raw.initial.sum(axis=1)  # (R, P)
        prev_stage = np.where((wk_end > 0)[:, None, None], raw.stock_stage[np.maximum(wk_end - 1, 0)], start_stage)
        prev_place = np.where((wk_end > 0)[:, None, None], raw.stock_place[np.maximum(wk_end - 1, 0)], start_place)
        f3 = frac[:, None, None]
        stage_end = (1.0 - f3) * prev_stage + f3 * raw.stock_stage[wk_end]  # (n, R, S)
        place_end = (1.0 - f3) * prev_place + f3 * raw.stock_place[wk_end]  # (n, R, P)
        lp = self.long_proceedings
        lp_start = raw.initial[:, st.stage_names.index("proceedings_backlog")].sum(axis=1)  # (R,)
        lp_prev = np.where((wk_end > 0)[:, None], lp[np.maximum(wk_end - 1, 0)], lp_start[None])
        long_end = (1.0 - frac[:, None]) * lp_prev + frac[:, None] * lp[wk_end]  # (n, R)
        # flows: each week's flow spread evenly over its days
        Dn = np.zeros((n, st.weeks))
        np.add.at(Dn, (day_p, day_week), 1.0 / 7.0)
        entries = Dn @ raw.entries  # (n, R)
        exits = np.einsum("nt,tre->nre", Dn, raw.exits)
        # money by day
        D = np.zeros((n, st.weeks, st.P))  # price index by placement type, summed over each period's days
        np.add.at(D, (day_p, day_week), st.daily_price_index[: len(day_p)] / 7.0)
        place_stock = raw.stock_place  # (T, R, P)
        base = np.array([self.scenario.costs.weekly_price_gbp[p.id] for p in st.placements])
        spend_place = np.einsum("ntp,trp->nrp", D, place_stock) * base  # (n, R, P)
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
            "long_end": long_end,
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
        memo = self._period_memo.setdefault("tables", {})
        if freq not in memo:
            memo[freq] = self._work_out_table(freq)
        return memo[freq].copy()

    def _work_out_table(self, freq: Freq) -> pd.DataFrame:
        b = self._by_period(freq)
        st = self.structure
        grp = st.stage_group
        by_cell = b["stage_end"]  # (n, R, S)
        total = by_cell.sum(axis=2)  # (n, R)
        # with each run's drawn prices and inflation, if any: the mean agrees with the percentiles
        spend = spend_by_run(self, b)  # (n, R)
        cw = b["child_weeks_place"].sum(axis=2)
        cols: dict[str, Any] = {
            "period": b["labels"],
            "period_end": [d.date() for d in b["ends"]],
            "days": b["days"],
            "children_in_care": total.mean(axis=1),
            "entries": b["entries"].mean(axis=1),
        }
        for i, route in enumerate(EXIT_ROUTES):
            cols[f"exits_{route}"] = b["exits"][:, :, i].mean(axis=1)
        cols["exits_total"] = b["exits"].sum(axis=2).mean(axis=1)
        for g, name in enumerate(STAGE_GROUPS):
            cols[f"stage_{name}"] = by_cell[:, :, grp == g].sum(axis=2).mean(axis=1)
        cols["in_proceedings"] = cols["stage_proceedings"]
        cols["in_proceedings_backlog"] = b["long_end"].mean(axis=1)
        spend_mean, budget = spend.mean(axis=1), np.asarray(b["budget"], dtype=float)
        cols["spend_gbp"] = spend_mean.round(2)
        cols["budget_gbp"] = budget.round(2)
        cols["pressure_gbp"] = (spend_mean - budget).round(2)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["avg_weekly_cost_per_child_gbp"] = (spend_mean / cw.mean(axis=1)).round(2)
        df = pd.DataFrame(cols)
        if self.raw.stochastic:
            add_run_columns(self, df, b)
        return df

    def by_placement(self, freq: Freq = "fy") -> pd.DataFrame:
        """Tidy: one row per period and placement type (children at end, child-weeks, spend)."""
        b = self._by_period(freq)
        st = self.structure
        stock = b["place_end"].mean(axis=1)  # (n, P)
        spend = spend_by_run_and_type(self, b).mean(axis=1)
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


def spend_by_run_and_type(res: Result, b: dict) -> np.ndarray:
    """Spend (£) by period, run and placement type, (n, R, P): with each run's drawn prices and inflation, if any."""
    spend_place = b["spend_place"]  # (n, R, P)
    d = res.draws
    if d is None:
        return spend_place
    start = pd.Timestamp(res.scenario.start_date)
    mid = np.array([(e - start).days - n / 2 for e, n in zip(b["ends"], b["days"], strict=True)]) / 365.25
    infl = res.scenario.costs.annual_inflation
    factor = ((1.0 + infl + d.inflation_delta[None, :]) / (1.0 + infl)) ** np.maximum(mid, 0.0)[:, None]  # (n, R)
    return spend_place * d.price_mult[None, :, :] * factor[:, :, None]


def spend_by_run(res: Result, b: dict) -> np.ndarray:
    """Spend (£) by period and run, (n, R): with each run's drawn prices and inflation, if any."""
    return spend_by_run_and_type(res, b).sum(axis=2)


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
    progress: Progress | None = None,
    threads: int = 1,
) -> Result:
    """Run ``scenario``: deterministic when ``runs`` is 0, else ``runs`` runs.

    With ``parameter_uncertainty`` each run also draws its own rates, prices and inflation
    (:mod:`csc_model.solvers.uncertainty`; ``evidence`` from a calibration gives the spread of rates
    from data, otherwise the stated ranges); ``chance`` off makes each run the expected values
    for its drawn parameters. The same seed gives the same draws for a scenario and its
    baseline, so their difference is steady. ``progress`` (runs with chance) is called with the
    share of the work done; it may raise to stop the run. ``threads=2`` runs the two blocks of
    runs side by side (command line; the app keeps the default, one thread).

    Raises :class:`~csc_model.scenario.ScenarioError` naming each field out of its range first: a
    copy made with ``Scenario.replace`` is not checked, and 1,000 years would fill the memory.
    """
    problems = validate(scenario)
    if problems:
        raise ScenarioError(problems)
    st = build(scenario)
    if runs and parameter_uncertainty:
        draws = draw_parameters(scenario, st, runs, seed, evidence)
        return Result(scenario, st, run_with_parameters(st, draws, seed, chance, progress, threads), draws)
    raw = run_stochastic(st, runs, seed, progress, threads=threads) if runs and chance else run_deterministic(st)
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


def mix_drift(placement_month: pd.DataFrame, scenario: Scenario) -> dict[str, object]:
    """How the placement mix alone moves the average weekly cost per child over the projection.

    From :meth:`Result.by_placement` by month, with prices held at the start year's (so inflation
    plays no part): the cost per child at the end of the first month against the last, and each
    placement type's part in the change (its change in share of children times its price),
    largest first. The Placements page says from this, in words, how much drift there is with
    no lever moved and where it comes from.
    """
    from csc_model.scenario.calendar import fy_start_year
    from csc_model.solvers.structure import price_index_by_fy

    wide = placement_month.pivot_table(index="period_end", columns="placement", values="children", sort=True)
    y0 = np.array([fy_start_year(scenario.start_date)])
    ids = list(wide.columns)
    price = np.array([scenario.costs.weekly_price_gbp[p] * price_index_by_fy(scenario, y0, p)[0] for p in ids])
    n0, n1 = wide.iloc[0].to_numpy(), wide.iloc[-1].to_numpy()
    c0, c1 = float(n0 @ price / n0.sum()), float(n1 @ price / n1.sum())
    part = (n1 / n1.sum() - n0 / n0.sum()) * price
    labels = dict(zip(placement_month["placement"], placement_month["placement_label"], strict=False))
    rows = [
        {
            "placement": ids[i],
            "label": labels[ids[i]],
            "children_start": float(n0[i]),
            "children_end": float(n1[i]),
            "part_gbp": float(part[i]),
        }
        for i in np.argsort(-np.abs(part))
    ]
    return {"cost_start": c0, "cost_end": c1, "change": c1 / c0 - 1.0, "years": scenario.years, "types": rows}


def long_run_shares(scenario: Scenario, years: int = 20) -> dict[str, float]:
    """Exits by route (share of the last five years' leavers) and children by age band (share at
    the end) in a ``years``-year deterministic run of ``scenario`` with its own inputs held.

    Used to compare the defaults' long-run behaviour with published figures (docs/model.md).
    """
    from dataclasses import replace

    from csc_model.scenario import AGE_BAND_YEARS, AGE_BANDS

    raw = run_deterministic(build(replace(scenario, years=years)))
    ex = raw.exits[-5 * 52 :, 0].sum(axis=0)
    age = raw.stock_age[-1]
    out = {f"exit_{route}": float(ex[i] / ex.sum()) for i, route in enumerate(EXIT_ROUTES)}
    for b in AGE_BANDS:
        y0, y1 = AGE_BAND_YEARS[b]
        out[f"age_{b}"] = float(age[y0 : y1 + 1].sum() / age.sum())
    out["children_ratio"] = float(age.sum() / scenario.initial.total)
    return out


def weekly_prices(scenario: Scenario) -> pd.DataFrame:
    """The weekly price of each placement type in each financial year of the projection, in pounds.

    ``placement`` (id), ``placement_label``, the price as quoted (``quoted_gbp``, in the price base
    year) and one column per financial year ("2026-27", ...): the quoted price moved by that type's
    inflation (its own rates where set, the general rate and the year overrides otherwise), as the
    projection's spend uses it. Finance officers asked for the prices behind the spend.
    """
    from csc_model.scenario.calendar import fy_label, fy_start_year
    from csc_model.scenario.config import load_placement_types
    from csc_model.solvers.structure import price_index_by_fy

    first = fy_start_year(scenario.start_date)
    years = np.arange(first, first + scenario.years + (1 if scenario.start_date.month != 4 else 0))
    rows = []
    for p in load_placement_types():
        quoted = float(scenario.costs.weekly_price_gbp[p.id])
        index = price_index_by_fy(scenario, years, p.id)
        rows.append(
            {
                "placement": p.id,
                "placement_label": p.label,
                "quoted_gbp": quoted,
                **{fy_label(int(y)): quoted * float(i) for y, i in zip(years, index, strict=True)},
            }
        )
    return pd.DataFrame(rows)
