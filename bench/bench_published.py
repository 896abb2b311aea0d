"""Time building one authority's scenario from the published tables, and the whole back-test.

python bench/bench_published.py            # targets: one scenario < 0.5 s; back-test < 60 s

One scenario is the app's: built from the tables, then its entry rate set so that its first year
ends at the back-tested forecast (two one-year deterministic runs). ``correct=False`` (the raw
model) is timed too. The back-test is the default method at 31 March 2023: every authority built,
corrected and projected a year.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from csc_model.published import build_scenario  # noqa: E402
from csc_model.published.backtest import run_backtest  # noqa: E402

PLACES = ("Kent", "Leeds", "Hartlepool", "Barnet", "Cornwall", "Plymouth", "Birmingham", "Rutland")


def _times(correct: bool) -> list[float]:
    out = []
    for la in PLACES:
        t = time.perf_counter()
        build_scenario(la, dt.date(2024, 3, 31), correct=correct)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    build_scenario("Plymouth", dt.date(2023, 3, 31))
    cold = time.perf_counter() - t0
    print(f"one scenario, first in the process (reads the tables, fits the forecast): {cold:.2f} s")
    for correct in (True, False):
        ts = _times(correct)
        what = "with the back-test correction" if correct else "raw model (correct=False)"
        print(f"one scenario, {what}: median {statistics.median(ts) * 1000:.0f} ms, max {max(ts) * 1000:.0f} ms")
    t = time.perf_counter()
    bt = run_backtest(dt.date(2023, 3, 31))
    print(f"back-test ({bt.method}, {len(bt.table)} authorities): {time.perf_counter() - t:.1f} s")
    print(bt.summary())


if __name__ == "__main__":
    main()
