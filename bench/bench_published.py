"""Time building one authority's scenario from the published tables, and the whole back-test.

python bench/bench_published.py            # targets: one scenario < 0.5 s; back-test < 60 s
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from csc_model.published import build_scenario  # noqa: E402
from csc_model.published.backtest import run_backtest  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    build_scenario("Plymouth", dt.date(2024, 3, 31))
    cold = time.perf_counter() - t0
    times = []
    for la in ("Kent", "Leeds", "Hartlepool", "Barnet", "Cornwall"):
        t = time.perf_counter()
        build_scenario(la, dt.date(2024, 3, 31))
        times.append(time.perf_counter() - t)
    print(f"one scenario: first {cold:.2f} s (reads the tables), then {max(times) * 1000:.0f} ms at most")
    t = time.perf_counter()
    bt = run_backtest(dt.date(2023, 3, 31))
    print(f"back-test (blend, {len(bt.table)} authorities): {time.perf_counter() - t:.1f} s")
    print(bt.summary())


if __name__ == "__main__":
    main()
