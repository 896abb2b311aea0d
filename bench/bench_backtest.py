"""Benchmark of parameter uncertainty and the back-test.

Run from the repository root::

    python bench/bench_backtest.py [--runs 500] [--children 1000] [--seed 1] [--skip-backtest]
    python bench/bench_backtest.py --windows 52,78,104,156 [--runs 200]

Measures

(a) 1,000 runs of the bundled default scenario over five years with both sources of
    uncertainty (``project(s, runs=1000, parameter_uncertainty=True)``, drawing included,
    tables excluded), median of 3 after a warm-up; and the same with chance only, for
    comparison. Target (issue 10): under 1.5 s.
(b) the back-test of six cut-offs x 3 years x ``--runs`` runs on an authority of about
    ``--children`` children in care simulated by tests/independent_generator.py (the
    simulation is not timed), split into calibration and projection. Target (issue 9):
    under 15 s for 500 runs and 1,000 children.

(c) with ``--windows``, instead of (a) and (b): which calibration window forecasts best. For
    each window (weeks before each cut-off), the back-test of six cut-offs x 1-3 years x
    ``--runs`` runs on each of the authorities :data:`WINDOW_AUTHORITIES` (200 to 1,200 children
    in care, simulated by tests/independent_generator.py, not by the model), pooled: P10-P90
    coverage and mean absolute % error of the median by horizon, and persistence's error. The
    table in docs/model.md ("Choosing the calibration window") comes from this.

The machine's load is printed: on a shared machine the figures can be several times slower.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from csc_model import backtest as bt  # noqa: E402
from csc_model import default_scenario  # noqa: E402
from csc_model.reporting.results import project  # noqa: E402
from tests.independent_generator import simulate_authority  # noqa: E402

WINDOW_AUTHORITIES = ((200, 100), (400, 101), (600, 102), (800, 103), (1000, 104), (1200, 105))
"""(children in care, seed) of the authorities the windows are compared on."""
BOTH_TARGET_S = 1.5
BACKTEST_TARGET_S = 15.0


def _median(fn, repeats: int = 3) -> float:  # noqa: ANN001
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=500, help="runs a cut-off in the back-test")
    ap.add_argument("--children", type=int, default=1000, help="children in care of the simulated authority")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--windows", help="compare calibration windows, e.g. 52,78,104,156 (weeks)")
    ap.add_argument(
        "--seed-shift", type=int, default=0, help="with --windows: add this to each authority's seed (another sample)"
    )
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if args.windows:
        return compare_windows([int(w) for w in args.windows.split(",")], args.runs, args.seed_shift)
    s = default_scenario()
    both = _median(lambda: project(s, runs=1000, seed=args.seed, parameter_uncertainty=True))
    chance = _median(lambda: project(s, runs=1000, seed=args.seed))
    ok = "meets" if both < BOTH_TARGET_S else "MISSES"
    print(
        f"(a) 1,000 runs, 5 years, rates + chance: {both:.2f} s ({ok} the {BOTH_TARGET_S} s target); chance only {chance:.2f} s"
    )
    if args.skip_backtest:
        return 0
    a = simulate_authority(args.children, seed=args.seed)
    timings = {"calibrate": 0.0, "project": 0.0}
    real_cal, real_proj = bt.calibrate, bt.project

    def cal(*a_, **k):  # noqa: ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return real_cal(*a_, **k)
        finally:
            timings["calibrate"] += time.perf_counter() - t0

    def proj(*a_, **k):  # noqa: ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return real_proj(*a_, **k)
        finally:
            timings["project"] += time.perf_counter() - t0

    bt.calibrate, bt.project = cal, proj
    try:
        t0 = time.perf_counter()
        card = bt.backtest(a.header, a.episodes, years=3, runs=args.runs, seed=args.seed, threads=2)
        total = time.perf_counter() - t0
    finally:
        bt.calibrate, bt.project = real_cal, real_proj
    ok = "meets" if total < BACKTEST_TARGET_S else "MISSES"
    print(
        f"(b) back-test, {card['cutoff'].nunique()} cut-offs x up to 3 years x {args.runs} runs, "
        f"{a.in_care_on(a.as_at)} children in care at the end: {total:.1f} s ({ok} the {BACKTEST_TARGET_S:.0f} s "
        f"target); calibration {timings['calibrate']:.1f} s, projection {timings['project']:.1f} s"
    )
    print(bt.summary_text(card))
    return 0


def compare_windows(windows: list[int], runs: int, seed_shift: int = 0) -> int:
    """Print, for each window, the pooled back-test scores on :data:`WINDOW_AUTHORITIES` (seeds + ``seed_shift``)."""
    import pandas as pd

    authorities = [(n, simulate_authority(n, seed=seed + seed_shift), seed) for n, seed in WINDOW_AUTHORITIES]
    rows = []
    for w in windows:
        t0 = time.perf_counter()
        card = pd.concat(
            [
                bt.backtest(a.header, a.episodes, years=3, runs=runs, seed=seed - 100, window_weeks=w, threads=2)
                for _, a, seed in authorities
            ],
            ignore_index=True,
        )
        s = bt.summary(card).set_index("horizon_years")
        covered = ((card["p10"] <= card["actual"]) & (card["actual"] <= card["p90"])).mean()
        err = (card["p50"] - card["actual"]).abs() / card["actual"]
        rows.append(
            {
                "window_weeks": w,
                "comparisons": len(card),
                "coverage_1_2_3": " / ".join(f"{x:.0%}" for x in s["coverage_p10_p90"]),
                "coverage_all": f"{covered:.0%}",
                "mape_1_2_3": " / ".join(f"{x:.1%}" for x in s["mape_model"]),
                "mape_all": f"{err.mean():.2%}",
                "persistence_1_2_3": " / ".join(f"{x:.1%}" for x in s["mape_persistence"]),
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
        print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
