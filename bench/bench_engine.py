"""Benchmark of the csc_model engine on the bundled default scenario.

Run from the repository root::

    python bench/bench_engine.py [--repeats 20] [--runs 1000] [--seed 1] [--json FILE]

Measures

(a) deterministic 5-year weekly run (``build`` + ``run_deterministic``), and separately
    ``build`` alone, ``run_deterministic`` alone and ``project()`` + ``.table("fy")``:
    median and minimum over ``--repeats`` timed repeats after one warm-up call. The default
    run takes the year-of-age solver; also timed: the cohort solver on the same scenario,
    a run with the placement-shift lever on (which takes the cohort solver), and the first,
    straightforward solver (tests/reference_engine.py) on the same machine, so that figures
    from different machines can be compared;
(b) ``run_stochastic(st, 1000, seed)``: wall time (median of 3 after a warm-up), and peak
    memory in fresh subprocesses: the increase of peak RSS (``ru_maxrss``) over the
    baseline after imports, and the ``tracemalloc`` peak (numpy reports its array
    allocations to tracemalloc).

Targets (issue 2): (a) under 20 ms; (b) under 1 s on a 2-core machine, under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from csc_model import default_scenario  # noqa: E402
from csc_model.engine import run_deterministic, run_stochastic  # noqa: E402
from csc_model.results import project  # noqa: E402
from csc_model.structure import build  # noqa: E402
from tests.reference_engine import run_deterministic_reference  # noqa: E402

DET_TARGET_MS = 20.0
STOCH_TARGET_S = 1.0
MEM_TARGET_MB = 500.0


def timeit(fn: Callable[[], object], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median and minimum wall time (seconds) of ``fn`` over ``repeats`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "repeats": repeats}


def machine() -> dict[str, object]:
    """CPU count, numpy and BLAS versions, load at the time of the run."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas_txt = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # pragma: no cover - older numpy
        blas_txt = "unknown"
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_txt,
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "code": code_version(),
    }


def code_version() -> str:
    """Commit of the checkout being measured, marked if csc_model/ or data/ has uncommitted changes."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "csc_model", "data"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{rev} (csc_model/ or data/ modified)" if dirty else rev


def deterministic_timings(repeats: int) -> dict[str, dict[str, float]]:
    """Timings of the deterministic 5-year run and its parts."""
    s = default_scenario()  # parsed and validated once (cached), not part of the timings
    st = build(s)
    shifted = s.with_values({"placements.shift.children_per_year": 12})
    return {
        "build": timeit(lambda: build(s), repeats),
        "run_deterministic": timeit(lambda: run_deterministic(st), repeats),
        "build_plus_run": timeit(lambda: run_deterministic(build(s)), repeats),
        "project_plus_table_fy": timeit(lambda: project(s).table("fy"), repeats),
        "cohort_solver": timeit(lambda: run_deterministic(st, "cohorts"), repeats),
        "shift_lever_build_plus_run": timeit(lambda: run_deterministic(build(shifted)), repeats),
        "reference_solver": timeit(lambda: run_deterministic_reference(st), max(3, repeats // 4)),
    }


def stochastic_timing(runs: int, seed: int, repeats: int = 3) -> dict[str, float]:
    """Wall time of ``run_stochastic(st, runs, seed)`` (build excluded), median of ``repeats``."""
    st = build(default_scenario())
    out = timeit(lambda: run_stochastic(st, runs, seed), repeats)
    t0 = time.perf_counter()
    project(default_scenario(), runs=runs, seed=seed).table("fy")
    out["project_plus_table_fy_s"] = time.perf_counter() - t0
    return out


def _vm_hwm_kb() -> int | None:
    """Peak resident set of this process image (Linux ``VmHWM``, kB), or None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _nbytes(raw: object) -> int:
    """Bytes held by the numpy arrays of a solver result."""
    return sum(v.nbytes for v in vars(raw).values() if isinstance(v, np.ndarray))


def _child_memory(runs: int, seed: int, mode: str) -> None:
    """In a fresh process: peak memory of one stochastic run; prints JSON on stdout."""
    import resource
    import tracemalloc

    st = build(default_scenario())
    if mode == "rss":
        base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
        base_hwm = _vm_hwm_kb()
        raw = run_stochastic(st, runs, seed)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_hwm = _vm_hwm_kb()
        result = {  # the solver runs in this process (it never forks)
            "baseline_rss_mb": base_kb / 1024,
            "peak_rss_mb": peak_kb / 1024,
            "rss_increase_mb": (peak_kb - base_kb) / 1024,
            "vmhwm_increase_mb": (peak_hwm - base_hwm) / 1024 if base_hwm and peak_hwm else None,
            "result_arrays_mb": _nbytes(raw) / 2**20,
        }
    else:
        tracemalloc.start()
        raw = run_stochastic(st, runs, seed)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = {"tracemalloc_peak_mb": peak / 2**20}
    print(json.dumps(result))


def memory(runs: int, seed: int) -> dict[str, float]:
    """Peak memory of ``run_stochastic`` measured in two fresh subprocesses (RSS, tracemalloc).

    Call this before the parent process has allocated much: on Linux a child's ``ru_maxrss``
    starts from the peak RSS of the process that spawned it (it survives fork and exec), which
    would inflate the child's baseline. ``VmHWM`` (peak RSS of the new process image) is
    reported as a cross-check.
    """
    out: dict[str, float] = {}
    for mode in ("rss", "tracemalloc"):
        cmd = [sys.executable, __file__, "--_child", mode, "--runs", str(runs), "--seed", str(seed)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def _ms(x: float) -> str:
    return f"{x * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=20, help="timed repeats of the deterministic run")
    ap.add_argument("--runs", type=int, default=1000, help="stochastic runs")
    ap.add_argument("--seed", type=int, default=1, help="seed of the stochastic runs")
    ap.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    ap.add_argument("--_child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        _child_memory(args.runs, args.seed, args._child)
        return 0

    m = machine()
    st = build(default_scenario())
    print(f"csc_model engine benchmark (bundled default scenario), code at {m['code']}")
    print(
        f"CPUs: {m['cpu_count']} (usable {m['cpus_usable']}), python {m['python']}, numpy {m['numpy']}, "
        f"BLAS {m['blas']}, load average {m['load_average_1min']}"
    )
    print(
        f"Model: {st.weeks} weeks, {st.S} stage cells x {st.P} placement types x 936 ages, "
        f"{st.initial.sum():.0f} children at the start"
    )
    print()

    mem = memory(args.runs, args.seed)  # first, while this process is still small (see memory())
    det = deterministic_timings(args.repeats)
    print(f"(a) deterministic, median / min of {args.repeats} after a warm-up")
    print(f"  {'build(default_scenario())':42s} {_ms(det['build']['median_s'])} / {_ms(det['build']['min_s'])}")
    print(
        f"  {'run_deterministic(st)':42s} {_ms(det['run_deterministic']['median_s'])} / "
        f"{_ms(det['run_deterministic']['min_s'])}"
    )
    bp = det["build_plus_run"]
    ok = "meets" if bp["median_s"] * 1000 < DET_TARGET_MS else "MISSES"
    print(
        f"  {'build + run_deterministic':42s} {_ms(bp['median_s'])} / {_ms(bp['min_s'])}"
        f"   target < {DET_TARGET_MS:.0f} ms: {ok}"
    )
    pt = det["project_plus_table_fy"]
    print(f"  {'project(s).table(fy)':42s} {_ms(pt['median_s'])} / {_ms(pt['min_s'])}")
    cs = det["cohort_solver"]
    label = 'run_deterministic(st, "cohorts")'
    print(f"  {label:42s} {_ms(cs['median_s'])} / {_ms(cs['min_s'])}")
    sh = det["shift_lever_build_plus_run"]
    print(f"  {'build + run, shift lever on (cohort solver)':42s} {_ms(sh['median_s'])} / {_ms(sh['min_s'])}")
    rf = det["reference_solver"]
    print(
        f"  {'first solver (tests/reference_engine.py)':42s} {_ms(rf['median_s'])} / {_ms(rf['min_s'])}"
        f"   {rf['median_s'] / det['run_deterministic']['median_s']:.1f}x the time of run_deterministic"
    )
    print()

    sto = stochastic_timing(args.runs, args.seed)
    ok_t = "meets" if sto["median_s"] < STOCH_TARGET_S else "MISSES"
    ok_m = "meets" if mem["rss_increase_mb"] < MEM_TARGET_MB else "MISSES"
    print(f"(b) stochastic, {args.runs} runs x {st.weeks} weeks, seed {args.seed}")
    print(
        f"  {'run_stochastic(st, runs, seed)':42s} {sto['median_s']:8.2f} s (median of 3; min {sto['min_s']:.2f} s)"
        f"   target < {STOCH_TARGET_S:.0f} s: {ok_t}"
    )
    print(f"  {'project(s, runs, seed).table(fy)':42s} {sto['project_plus_table_fy_s']:8.2f} s (one call)")
    print(
        f"  {'peak RSS increase over baseline':42s} {mem['rss_increase_mb']:8.0f} MB"
        f" (baseline {mem['baseline_rss_mb']:.0f} MB after imports and build)   target < {MEM_TARGET_MB:.0f} MB: {ok_m}"
    )
    if mem.get("vmhwm_increase_mb") is not None:
        print(f"  {'  cross-check: VmHWM increase':42s} {mem['vmhwm_increase_mb']:8.0f} MB")
    print(f"  {'tracemalloc peak (numpy allocations)':42s} {mem['tracemalloc_peak_mb']:8.0f} MB")
    print(f"  {'of which the solver output (Raw arrays)':42s} {mem['result_arrays_mb']:8.0f} MB")

    if args.json:
        figures = {"machine": m, "deterministic": det, "stochastic": {"runs": args.runs, **sto, **mem}}
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
