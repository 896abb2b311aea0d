"""Time the SSDA903 calibration of about 30,000 episodes (target: under 5 s).

    python bench/bench_calibrate.py [--children 14000] [--repeats 3] [--window-weeks 156]

The tables are made-up example data (csc_model.ssda903.example_files, about 2.2 episodes a child, so
14,000 children give about 30,000 episodes and a 2 MB episodes file), passed as CSV bytes as an
upload is: the time counts reading, checks and every step of the calibration. Prints the median and
the fastest of the repeats, the machine's CPU count and 1-minute load average (timings on a busy
machine are noisy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from csc_model.ssda903 import calibrate, default_as_at, example_files, read_table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=14_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--window-weeks", type=int, default=156)
    args = ap.parse_args()
    header, episodes = example_files(args.children)
    n_eps = episodes.count(b"\n") - 1
    as_at = default_as_at(read_table(episodes, "episodes"))
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        cal = calibrate(header, episodes, as_at, window_weeks=args.window_weeks)
        times.append(time.perf_counter() - t0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{n_eps:,} episodes ({len(episodes) / 1e6:.1f} MB), {cal.children_in_care:,} in care on {as_at}, "
        f"window {cal.window_weeks} weeks: median {statistics.median(times):.2f} s, fastest {min(times):.2f} s "
        f"over {args.repeats} runs (target under 5 s); {os.cpu_count()} CPUs, load average {load:.1f}"
    )


if __name__ == "__main__":
    main()
