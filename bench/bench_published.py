"""Time building one authority's scenario from the published tables, and the whole back-test.

python bench/bench_published.py            # targets: one scenario < 0.5 s; back-test < 60 s
python bench/bench_published.py --runs 9 --no-backtest

One scenario is the app's: built from the tables, then its entry rate set so that its first year
ends at the back-tested forecast (two one-year deterministic runs). Cold: the first scenario in a
fresh process (median of ``--runs`` subprocesses), timed from after the imports (the app has
imported the library before a user's first click) and, separately, the imports themselves. Warm:
later scenarios in the same process; ``correct=False`` (the raw model) is timed too. The back-test
is the default method at 31 March 2023: every authority built, corrected and projected a year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from csc_model.published import build_scenario  # noqa: E402
from csc_model.published.backtest import run_backtest  # noqa: E402

PLACES = ("Kent", "Leeds", "Hartlepool", "Barnet", "Cornwall", "Plymouth", "Birmingham", "Rutland")
COLD = """
import time
t0 = time.perf_counter()
import datetime as dt
from csc_model.published import build_scenario
t1 = time.perf_counter()
build_scenario("Plymouth", dt.date(2023, 3, 31))
print(t1 - t0, time.perf_counter() - t1)
"""


def cold(runs: int) -> tuple[list[float], list[float]]:
    """(import times, first-scenario times) in seconds, one fresh Python process each."""
    imports, firsts = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True)
        i, f = map(float, out.stdout.split())
        imports.append(i)
        firsts.append(f)
    return imports, firsts


def _times(correct: bool) -> list[float]:
    out = []
    for la in PLACES:
        t = time.perf_counter()
        build_scenario(la, dt.date(2024, 3, 31), correct=correct)
        out.append(time.perf_counter() - t)
    return out


def _ms(ts: list[float]) -> str:
    return f"median {statistics.median(ts) * 1000:.0f} ms (min {min(ts) * 1000:.0f}, max {max(ts) * 1000:.0f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="fresh processes for the cold figure")
    ap.add_argument("--no-backtest", action="store_true", help="skip the all-authority back-test")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    imports, firsts = cold(args.runs)
    print(f"cold: first scenario in a new process, after the imports ({args.runs} processes): {_ms(firsts)}")
    print(f"      importing csc_model.published (pandas, numpy, scipy.linalg, the model): {_ms(imports)}")
    build_scenario("Plymouth", dt.date(2023, 3, 31))
    for correct in (True, False):
        what = "with the back-test correction" if correct else "raw model (correct=False)"
        print(f"warm: one scenario, {what}: {_ms(_times(correct))}")
    if not args.no_backtest:
        t = time.perf_counter()
        bt = run_backtest(dt.date(2023, 3, 31))
        print(f"back-test ({bt.method}, {len(bt.table)} authorities): {time.perf_counter() - t:.1f} s")
        print(bt.summary())
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
