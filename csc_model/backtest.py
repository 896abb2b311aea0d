"""Back-test: how well the model would have forecast an authority's own past.

For each cut-off (a 31 March in the data), keep only what was known then (episodes started
by the cut-off, end dates after it blanked), calibrate from that, project with parameter
uncertainty and chance, and compare with what happened at each later 31 March: children in
care, children starting and leaving care in the year, children in care proceedings. The flat
forecast ("persistence": next year = this year) is the yardstick the model must beat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import numpy as np
import pandas as pd

from csc_model.reporting.results import project, runs_by_period
from csc_model.scenario import Scenario
from csc_model.solvers.uncertainty import Evidence
from csc_model.ssda903 import (
    DEFAULT_WINDOW_WEEKS,
    PRIOR_EVENTS,
    SSDA903Error,
    calibrate,
    default_as_at,
    legal_status_codes,
    read_table,
)

MEASURES = ("children_in_care", "entries", "exits", "in_proceedings")


def _march(y: int) -> dt.date:
    return dt.date(y, 3, 31)


def choose_authority(header: pd.DataFrame, episodes: pd.DataFrame, la: str | None) -> tuple[pd.DataFrame, ...]:
    """Keep one authority when the tables have an ``LA`` column; never add authorities together."""
    if "LA" not in episodes.columns:
        if la:
            raise SSDA903Error([f"--la {la}: the episodes have no LA column"])
        return header, episodes
    found = sorted(episodes["LA"].dropna().astype(str).unique())
    if la is None:
        if len(found) > 1:
            raise SSDA903Error(
                [f"the episodes hold {len(found)} authorities ({', '.join(found[:8])}): choose one with --la"]
            )
        return header, episodes
    if la not in found:
        raise SSDA903Error([f"--la {la}: not in the episodes; authorities found: {', '.join(found[:8])}"])
    ep = episodes[episodes["LA"].astype(str) == la]
    hd = header[header["LA"].astype(str) == la] if "LA" in header.columns else header
    return hd, ep


def known_at(episodes: pd.DataFrame, cutoff: dt.date, window_weeks: int) -> pd.DataFrame:
    """Episodes as a return made just after ``cutoff`` would hold them (parsed dates).

    Episodes starting later are dropped; end dates (and reasons) after it are blanked.
    Children who had left care well before the window are dropped too: calibration does not
    look at them, and leaving them out keeps each cut-off quick.
    """
    ts = pd.Timestamp(cutoff)
    ep = episodes[episodes["DECOM"] <= ts].copy()
    late = ep["DEC"] > ts
    ep.loc[late, "DEC"] = pd.NaT
    if "REC" in ep.columns:
        ep.loc[late, "REC"] = ""
    last = ep["DEC"].fillna(ts + pd.Timedelta(days=1)).groupby(ep["CHILD"]).transform("max")
    keep_from = ts - pd.Timedelta(weeks=window_weeks + 60)
    return ep[last >= keep_from].reset_index(drop=True)


def actuals(episodes: pd.DataFrame, header: pd.DataFrame, on: dt.date) -> dict[str, float]:
    """What the full return says for the year to ``on``: in care on the day, entries, exits, in proceedings."""
    ts, lo = pd.Timestamp(on), pd.Timestamp(on) - pd.DateOffset(years=1)
    dob = header.drop_duplicates("CHILD", keep="last").set_index("CHILD")["DOB"]
    open_ = episodes[(episodes["DECOM"] <= ts) & (episodes["DEC"].isna() | (episodes["DEC"] > ts))]
    open_ = open_.sort_values("DECOM").drop_duplicates("CHILD", keep="last")
    age_ok = (ts - open_["CHILD"].map(dob)).dt.days < 18 * 365.25
    open_ = open_[age_ok.fillna(False).to_numpy()]
    stage = dict(zip(legal_status_codes()["code"], legal_status_codes()["stage"], strict=True))
    in_proc = int((open_["LS"].str.upper().map(stage) == "proceedings").sum())
    rne = episodes["RNE"].astype(str).str.upper()
    entries = int(((rne == "S") & (episodes["DECOM"] > lo) & (episodes["DECOM"] <= ts)).sum())
    rec = episodes["REC"].astype(str).str.upper() if "REC" in episodes.columns else pd.Series("", index=episodes.index)
    left = episodes["DEC"].notna() & ~rec.isin(["X1", "", "NAN"])
    exits = int((left & (episodes["DEC"] > lo) & (episodes["DEC"] <= ts)).sum())
    return {"children_in_care": float(len(open_)), "entries": float(entries), "exits": float(exits),
            "in_proceedings": float(in_proc)}  # fmt: skip


def default_cutoffs(episodes: pd.DataFrame, n: int = 6) -> list[dt.date]:
    """The ``n`` latest 31 Marches with at least one later 31 March in the data."""
    last = default_as_at(episodes)
    last_march = last.year if (last.month, last.day) >= (3, 31) else last.year - 1
    return [_march(y) for y in range(last_march - n, last_march)]


def backtest(
    header: pd.DataFrame,
    episodes: pd.DataFrame,
    cutoffs: list[dt.date] | None = None,
    years: int = 3,
    runs: int = 500,
    seed: int = 0,
    la: str | None = None,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
    base: Scenario | None = None,
    parameter_uncertainty: bool = True,
    threads: int = 1,
    prior_events: float = PRIOR_EVENTS,
) -> pd.DataFrame:
    """One row per cut-off and horizon (1 to ``years`` years on, where the data reach).

    ``threads=2`` runs each projection's two blocks of runs side by side (command line; the app
    keeps one thread). Rates are worked out from the ``window_weeks`` before each cut-off (default
    :data:`~csc_model.ssda903.DEFAULT_WINDOW_WEEKS`, the same as calibration's, chosen by back-tests on
    simulated authorities: docs/model.md), shrunk towards ``base`` with ``prior_events`` (see ``calibrate``).

    Columns: ``cutoff``, ``horizon_years``, ``as_of`` (the 31 March compared), then for
    children in care ``actual``, ``p10``, ``p50``, ``p90``, ``persistence`` (the count at the
    cut-off), and the same five for ``entries_*``, ``exits_*`` (children starting / leaving
    care in the year to ``as_of``) and ``in_proceedings_*``. Raises :class:`SSDA903Error` with
    a plain message if the tables or cut-offs cannot be used.
    """
    if not 1 <= years <= 10:
        raise SSDA903Error([f"--years: {years} is out of range; allowed 1 to 10"])
    if not 10 <= runs <= 20_000:
        raise SSDA903Error([f"--runs: {runs} is out of range; allowed 10 to 20,000"])
    header = read_table(header, "header")
    episodes = read_table(episodes, "episodes")
    header, episodes = choose_authority(header, episodes, la)
    last = default_as_at(episodes)
    cutoffs = sorted(cutoffs or default_cutoffs(episodes))
    bad = [c for c in cutoffs if c >= last]
    if bad:
        raise SSDA903Error([f"cut-off {bad[0]:%d/%m/%Y}: the data end on {last:%d/%m/%Y}; a cut-off must be earlier"])
    rows = []
    for i, c in enumerate(cutoffs):
        horizons = [h for h in range(1, years + 1) if _march(c.year + h) <= last]
        if not horizons:
            continue
        ep = known_at(episodes, c, window_weeks)
        cal = calibrate(header, ep, as_at=c, window_weeks=window_weeks, base=base, prior_events=prior_events)
        scen = cal.scenario.with_values({"years": max(horizons)})
        res = project(
            scen, runs=runs, seed=seed + i, parameter_uncertainty=parameter_uncertainty,
            evidence=Evidence.from_calibration(cal), threads=threads,
        )  # fmt: skip
        runs_by = runs_by_period(res, "fy")
        now = actuals(episodes, header, c)
        for h in horizons:
            as_of = _march(c.year + h)
            act = actuals(episodes, header, as_of)
            row: dict[str, object] = {"cutoff": c, "horizon_years": h, "as_of": as_of}
            for m in MEASURES:
                v = runs_by[m][h - 1]
                q10, q50, q90 = np.percentile(v, [10, 50, 90])
                pre = "" if m == "children_in_care" else f"{m}_"
                row.update({f"{pre}actual": act[m], f"{pre}p10": q10, f"{pre}p50": q50, f"{pre}p90": q90,
                            f"{pre}persistence": now[m]})  # fmt: skip
            rows.append(row)
    if not rows:
        raise SSDA903Error(["no cut-off has a later 31 March in the data to compare with"])
    return pd.DataFrame(rows)


def summary(card: pd.DataFrame, measure: str = "children_in_care") -> pd.DataFrame:
    """By horizon: back-tests, mean absolute % error of the median and of persistence, P10-P90 coverage."""
    pre = "" if measure == "children_in_care" else f"{measure}_"
    act = card[f"{pre}actual"]
    d = pd.DataFrame(
        {
            "horizon_years": card["horizon_years"],
            "model": (card[f"{pre}p50"] - act).abs() / act.where(act > 0),
            "persistence": (card[f"{pre}persistence"] - act).abs() / act.where(act > 0),
            "covered": (card[f"{pre}p10"] <= act) & (act <= card[f"{pre}p90"]),
        }
    )
    g = d.groupby("horizon_years")
    return pd.DataFrame(
        {
            "back_tests": g.size(),
            "mape_model": g["model"].mean(),
            "mape_persistence": g["persistence"].mean(),
            "coverage_p10_p90": g["covered"].mean(),
        }
    ).reset_index()


def summary_text(card: pd.DataFrame) -> str:
    """The scorecard in words, one line a horizon, plus the overall coverage."""
    s = summary(card)
    lines = []
    for r in s.itertuples():
        yrs = "one year" if r.horizon_years == 1 else f"{r.horizon_years} years"
        lines.append(
            f"Over {r.back_tests} back-tests, {yrs} ahead, the forecast of children in care was within "
            f"{r.mape_model:.1%} on average; a flat forecast was within {r.mape_persistence:.1%}; "
            f"the P10-P90 band held the actual {r.coverage_p10_p90:.0%} of the time."
        )
    cov = ((card["p10"] <= card["actual"]) & (card["actual"] <= card["p90"])).mean()
    lines.append(f"Overall, the P10-P90 band held the actual in {cov:.0%} of {len(card)} comparisons (aim: about 80%).")
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``backtest`` subcommand."""
    b = sub.add_parser("backtest", help="back-test the model on your SSDA903 return: forecasts from past cut-offs")
    b.add_argument("--header", required=True, help="SSDA903 header table (CSV)")
    b.add_argument("--episodes", required=True, help="SSDA903 episodes table (CSV)")
    b.add_argument("--la", default=None, help="authority to use when the tables hold several (LA column)")
    b.add_argument(
        "--cutoffs", default=None, help="cut-off dates, comma-separated YYYY-MM-DD (default: the last six 31 Marches)"
    )
    b.add_argument("--years", type=int, default=3, help="years ahead to compare (default 3)")
    b.add_argument("--runs", type=int, default=500, help="runs a cut-off (default 500)")
    b.add_argument("--seed", type=int, default=0, help="random seed")
    b.add_argument(
        "--window-weeks",
        type=int,
        default=DEFAULT_WINDOW_WEEKS,
        help=f"weeks of data before each cut-off to calibrate from (default {DEFAULT_WINDOW_WEEKS})",
    )
    b.add_argument("--out", required=True, help="scorecard CSV to write ('-' for the screen)")


def main(args: argparse.Namespace) -> int:
    """Run the ``backtest`` subcommand: write the scorecard, print the summary; 0 if all went well."""
    problems: list[str] = []
    cutoffs = None
    if args.cutoffs:
        try:
            cutoffs = [dt.date.fromisoformat(x.strip()) for x in args.cutoffs.split(",") if x.strip()]
        except ValueError:
            problems.append(f"--cutoffs {args.cutoffs!r}: not dates; write them YYYY-MM-DD,YYYY-MM-DD")
    tables = {}
    for name, path in (("header", args.header), ("episodes", args.episodes)):
        try:
            with open(path, "rb") as fh:
                tables[name] = fh.read()
        except OSError as exc:
            problems.append(f"--{name} {path}: cannot read ({exc.strerror or exc})")
    if problems:
        sys.stderr.write("\n".join(f"error: {p}" for p in problems) + "\n")
        return 2
    try:
        card = backtest(tables["header"], tables["episodes"], cutoffs, args.years, args.runs, args.seed, args.la,
                        args.window_weeks, threads=2)  # fmt: skip
    except SSDA903Error as exc:
        sys.stderr.write("\n".join(f"error: {p}" for p in exc.problems) + "\n")
        return 2
    try:
        card.to_csv(sys.stdout if args.out == "-" else args.out, index=False)
    except OSError as exc:
        sys.stderr.write(f"error: --out {args.out}: cannot write ({exc.strerror or exc})\n")
        return 2
    (sys.stderr if args.out == "-" else sys.stdout).write(summary_text(card) + "\n")
    return 0
