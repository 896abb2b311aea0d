"""csc_model against the aggregate model an analyst would build in Vensim / PySD instead.

Run from the repository root (needs ``pip install -r requirements-bench.txt``)::

    python bench/pysd_compare.py [--repeats 20] [--pysd-runs 1000] [--json FILE]

1. Translates ``bench/aggregate_model.mdl`` with ``pysd.read_vensim`` (in a temporary
   directory, so no generated ``.py`` is left in the repository) and sets its constants from
   the bundled default scenario.
2. Checks that the two models are in the same ballpark after 5 years (260 weeks): children in
   care in total and by legal stage, exits in the fifth year, spend over the five years.
3. Times one deterministic 260-week run of each (median and min over ``--repeats`` after a
   warm-up; PySD with ``return_columns`` limited to five stocks and with its default columns).
4. Times 1,000 runs of each: ``run_stochastic(st, 1000, seed)`` for csc_model (vectorised
   over runs), and a Python loop of ``model.run(params=...)`` for PySD, each run with its own
   weekly entry rate and mean proceedings length (a parameter sweep: PySD has no vectorised
   multi-run mode). With ``--pysd-runs N`` below 1,000 the loop is timed for N runs and
   extrapolated linearly, and the output says so.

Ratios are csc_model time / PySD time: above 1 means csc_model is slower.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np  # noqa: E402
import pysd  # noqa: E402
from bench_engine import machine, timeit  # noqa: E402

from csc_model import default_scenario  # noqa: E402
from csc_model.scenario import AGE_BAND_YEARS, AGE_BANDS, Scenario  # noqa: E402
from csc_model.solvers.engine import run_deterministic, run_stochastic  # noqa: E402
from csc_model.solvers.structure import EXIT_ROUTES, STAGE_GROUPS, build, price_index_by_fy, weekly_from_annual  # noqa: E402

MDL = HERE / "aggregate_model.mdl"
WEEKS = 260  # 5 years of weekly steps
FEW_COLUMNS = ["Children in care", "Section 20", "In proceedings", "Placement order", "Care order"]


def aggregate_params(s: Scenario) -> dict[str, float]:
    """Constants of the aggregate model from a csc_model scenario (what an analyst would derive)."""
    e, ini, pr = s.entries, s.initial, s.proceedings
    s20_share = sum(e.age_band_shares[b] * e.s20_share_by_age_band[b] for b in AGE_BANDS)
    # Share of the starting stock aged exactly 17: the 16-17 band's share spread over its 2 years.
    lo, hi = AGE_BAND_YEARS["16_17"]
    share_17 = ini.age_band_shares["16_17"] / (hi - lo + 1)
    # Average weekly price of a child-week: starting placement mix x base prices x price index of the first FY.
    mix = {
        p: sum(ini.age_band_shares[b] * ini.placement_mix_by_age_band[b][p] for b in AGE_BANDS)
        for p in s.costs.weekly_price_gbp
    }
    base_price = sum(mix[p] * s.costs.weekly_price_gbp[p] for p in mix)
    first_fy = s.start_date.year if s.start_date.month >= 4 else s.start_date.year - 1
    index = float(price_index_by_fy(s, np.array([first_fy]))[0])
    po = ini.stage_counts["placement_order"]
    return {
        "weekly entries": e.weekly_rate,
        "s20 share of entrants": s20_share,
        "weekly share leaving at 18": share_17 / 52.0,
        "s20 mean weeks to return home": s.s20.mean_weeks_to_return_home,
        "s20 weekly probability to proceedings": weekly_from_annual(s.s20.annual_share_to_proceedings),
        "initial s20": ini.stage_counts["s20"],
        "mean proceedings weeks": pr.mean_weeks,
        "backlog mean remaining weeks": pr.backlog_mean_remaining_weeks,
        "initial proceedings": ini.stage_counts["proceedings"],
        "initial backlog": ini.stage_counts["proceedings_backlog"],
        "share returned home at hearing": pr.outcome_shares["returned_home"],
        "share sgo at hearing": pr.outcome_shares["sgo_cao"],
        "share placement order at hearing": pr.outcome_shares["placement_order"],
        "share care order at hearing": pr.outcome_shares["care_order"],
        "mean weeks to placement": s.placement_order.mean_weeks_to_placement,
        "share not adopted": s.placement_order.share_not_adopted,
        "mean weeks placed to order": s.placement_order.mean_weeks_placed_to_order,
        "initial placement order awaiting": po * (1.0 - ini.placement_order_placed_share),
        "initial placement order placed": po * ini.placement_order_placed_share,
        "initial care order": ini.stage_counts["care_order"],
        "care order weekly discharge home": weekly_from_annual(s.care_order.annual_discharge_home),
        "care order weekly sgo": weekly_from_annual(s.care_order.annual_sgo),
        "care order weekly other": weekly_from_annual(s.care_order.annual_other),
        "average weekly price": base_price * index,
    }


def load_model(tmp: Path) -> tuple[pysd.py_backend.model.Model, float]:
    """Translate the .mdl in ``tmp`` (PySD writes a .py beside it); returns the model and seconds taken."""
    shutil.copy(MDL, tmp / MDL.name)
    t0 = time.perf_counter()
    model = pysd.read_vensim(str(tmp / MDL.name))
    return model, time.perf_counter() - t0


def ballpark(model: pysd.py_backend.model.Model, s: Scenario) -> dict[str, dict[str, float]]:
    """Both models after 260 weeks: children by stage, fifth-year exits, five-year spend (current prices)."""
    st = build(s)
    raw = run_deterministic(st)
    T = WEEKS  # csc_model's stock[t] is at the end of week t+1; PySD's time t is after t steps
    by_group = {g: float(raw.stock_stage[T - 1, 0, st.stage_group == i].sum()) for i, g in enumerate(STAGE_GROUPS)}
    last_year = slice(T - 52, T)
    exits = raw.exits[last_year, 0].sum(axis=0)
    spend = float((raw.stock_place[:T, 0] * st.weekly_price[:T]).sum())
    csc = {
        "children_in_care": float(raw.stock_stage[T - 1, 0].sum()),
        **{f"stage_{g}": v for g, v in by_group.items()},
        "entries_year5": float(raw.entries[last_year, 0].sum()),
        **{f"exits_{r}_year5": float(exits[i]) for i, r in enumerate(EXIT_ROUTES)},
        "spend_5y_gbp": spend,
    }
    cols = FEW_COLUMNS + ["weekly entries", "exits returned home", "exits sgo", "adoptions", "exits at 18"]
    df = model.run(return_columns=cols + ["care order other", "Cumulative spend"])
    w = df.index.to_numpy()
    # Euler: the flows evaluated at time t move the stocks from t to t + 1, so the fifth year
    # (steps 208 -> 209 ... 259 -> 260, csc_model weeks index 208..259) is flows at t = 208..259.
    yr5 = (w >= T - 52) & (w < T)
    flows = df
    agg = {
        "children_in_care": float(df["Children in care"].iloc[T]),
        "stage_s20": float(df["Section 20"].iloc[T]),
        "stage_proceedings": float(df["In proceedings"].iloc[T]),
        "stage_placement_order": float(df["Placement order"].iloc[T]),
        "stage_care_order": float(df["Care order"].iloc[T]),
        "entries_year5": float(flows.loc[yr5, "weekly entries"].sum()),
        "exits_returned_home_year5": float(flows.loc[yr5, "exits returned home"].sum()),
        "exits_sgo_cao_year5": float(flows.loc[yr5, "exits sgo"].sum()),
        "exits_adoption_year5": float(flows.loc[yr5, "adoptions"].sum()),
        "exits_age_18_year5": float(flows.loc[yr5, "exits at 18"].sum()),
        "exits_other_year5": float(flows.loc[yr5, "care order other"].sum()),
        "spend_5y_gbp": float(df["Cumulative spend"].iloc[T]),
    }
    return {"csc_model": csc, "pysd_aggregate": agg}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=20, help="timed repeats of the single deterministic run")
    ap.add_argument("--runs", type=int, default=1000, help="runs to compare (csc_model stochastic runs)")
    ap.add_argument("--pysd-runs", type=int, default=1000, help="PySD runs actually timed (extrapolated to --runs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = ap.parse_args(argv)

    m = machine()
    print(f"csc_model vs an aggregate PySD model (bundled default scenario, 260 weeks), code at {m['code']}")
    print(
        f"CPUs: {m['cpu_count']} (usable {m['cpus_usable']}), python {m['python']}, numpy {m['numpy']}, "
        f"pysd {pysd.__version__}, load average {m['load_average_1min']}"
    )
    s = default_scenario()
    params = aggregate_params(s)
    with tempfile.TemporaryDirectory() as tmp:
        model, t_translate = load_model(Path(tmp))
        model.set_components(params)
        print(f"pysd.read_vensim (translate + load, once): {t_translate * 1000:.0f} ms")
        print()

        # --- ballpark --------------------------------------------------------
        bp = ballpark(model, s)
        print("Same ballpark? after 260 weeks (stocks), in the fifth year (flows), over 5 years (spend)")
        print(f"  {'':34s} {'csc_model':>12s} {'PySD aggregate':>15s} {'difference':>11s}")
        for key, a in bp["csc_model"].items():
            b = bp["pysd_aggregate"][key]
            pct = f"{(b - a) / a * 100:+.1f}%" if a else ""
            fmt = "{:12,.0f}" if key.endswith("gbp") else "{:12.1f}"
            print(f"  {key:34s} {fmt.format(a)} {fmt.format(b):>15s} {pct:>11s}")
        print()

        # --- one deterministic run ------------------------------------------
        st = build(s)
        csc_det = timeit(lambda: run_deterministic(build(s)), args.repeats)
        pysd_few = timeit(lambda: model.run(return_columns=FEW_COLUMNS), args.repeats)
        pysd_default = timeit(lambda: model.run(), args.repeats)
        n_cols = model.run().shape[1]
        print(f"One deterministic run, median / min of {args.repeats} after a warm-up")
        rows = [
            ("csc_model build + run_deterministic", csc_det),
            (f"PySD model.run(return_columns={len(FEW_COLUMNS)} stocks)", pysd_few),
            (f"PySD model.run() ({n_cols} default columns)", pysd_default),
        ]
        for label, t in rows:
            print(f"  {label:48s} {t['median_s'] * 1000:8.1f} ms / {t['min_s'] * 1000:8.1f} ms")
        r_few = csc_det["median_s"] / pysd_few["median_s"]
        r_def = csc_det["median_s"] / pysd_default["median_s"]
        r_few_min = csc_det["min_s"] / pysd_few["min_s"]
        r_def_min = csc_det["min_s"] / pysd_default["min_s"]
        print(
            f"  ratio csc_model / PySD, medians: {r_few:.2f} (5 columns), {r_def:.2f} (default columns);"
            f" minimums: {r_few_min:.2f}, {r_def_min:.2f}"
        )
        print()

        # --- many runs -------------------------------------------------------
        csc_many = timeit(lambda: run_stochastic(st, args.runs, args.seed), 3)
        rng = np.random.default_rng(args.seed)
        n = min(args.pysd_runs, args.runs)
        entries = np.maximum(rng.normal(params["weekly entries"], 0.1 * params["weekly entries"], n), 0.0)
        proc = np.maximum(rng.normal(params["mean proceedings weeks"], 0.1 * params["mean proceedings weeks"], n), 4.0)
        model.run(params={"weekly entries": float(entries[0])}, return_columns=FEW_COLUMNS)  # warm-up
        finals = np.empty(n)
        t0 = time.perf_counter()
        for i in range(n):
            df = model.run(
                params={"weekly entries": float(entries[i]), "mean proceedings weeks": float(proc[i])},
                return_columns=FEW_COLUMNS,
            )
            finals[i] = df["Children in care"].iloc[-1]
        t_loop = time.perf_counter() - t0
        model.set_components(params)  # back to the defaults
        pysd_many = t_loop * args.runs / n
        extrap = f" (timed {n} runs, extrapolated x{args.runs / n:g})" if n < args.runs else ""
        print(f"{args.runs} runs of 260 weeks")
        print(
            f"  {'csc_model run_stochastic(st, runs, seed)':48s} {csc_many['median_s']:8.2f} s"
            f" (median of 3; min {csc_many['min_s']:.2f} s)"
        )
        print(f"  {'PySD loop of model.run(params=..., 5 columns)':48s} {pysd_many:8.2f} s{extrap}")
        r_many = csc_many["median_s"] / pysd_many
        print(f"  ratio csc_model / PySD: {r_many:.3f}")
        print(
            f"  (PySD runs: children in care after 260 weeks P10 {np.percentile(finals, 10):.0f}, "
            f"P50 {np.percentile(finals, 50):.0f}, P90 {np.percentile(finals, 90):.0f}; parameter sweep, not chance variation)"
        )

    if args.json:
        figures = {
            "machine": {**m, "pysd": pysd.__version__},
            "translate_s": t_translate,
            "ballpark": bp,
            "deterministic": {
                "csc_model_build_plus_run": csc_det,
                "pysd_run_few_columns": pysd_few,
                "pysd_run_default_columns": {**pysd_default, "columns": n_cols},
                "ratio_few": r_few,
                "ratio_default": r_def,
                "ratio_few_min": r_few_min,
                "ratio_default_min": r_def_min,
            },
            "many_runs": {
                "runs": args.runs,
                "csc_model_run_stochastic": csc_many,
                "pysd_loop_s": pysd_many,
                "pysd_runs_timed": n,
                "extrapolated": n < args.runs,
                "ratio": r_many,
            },
        }
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
