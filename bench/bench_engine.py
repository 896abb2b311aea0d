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
(b) 1,000 stochastic runs of five years, timed in fresh subprocesses (median of 3 after a
    warm-up, wall and CPU time): with both sources of uncertainty, as the app's range of
    outcomes runs them (``draw_parameters`` + ``run_with_parameters``: chance and per-run
    parameter draws), and chance alone (``run_stochastic(st, runs, seed)``); and peak memory of
    the both-sources run for 200 and 1,000 runs, each in a fresh subprocess: the increase of
    peak RSS (``ru_maxrss``) over the baseline after imports and ``build``, and the
    ``tracemalloc`` peak (numpy reports its array allocations to tracemalloc).

``--against DIR`` also times another checkout of the project (e.g. the code before a change,
``git worktree add /tmp/before HEAD~3``) in the same way, alternating with this one, and prints
the ratio of the two: on a shared, busy machine the ratio is steadier than either time.

Targets: (a) under 20 ms (issue 2); (b) both sources under 1.5 s (issue 10), under 500 MB.
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
# a child process may be asked to measure another checkout (--against): import that one's code
CODE = Path(sys.argv[sys.argv.index("--_root") + 1]) if "--_root" in sys.argv else ROOT
if str(CODE) not in sys.path:
    sys.path.insert(0, str(CODE))

import numpy as np  # noqa: E402

from csc_model import default_scenario  # noqa: E402
from csc_model.reporting.results import project  # noqa: E402
from csc_model.solvers.engine import run_deterministic, run_stochastic  # noqa: E402
from csc_model.solvers.structure import build  # noqa: E402
from tests.reference_engine import run_deterministic_reference  # noqa: E402

DET_TARGET_MS = 20.0
STOCH_TARGET_S = 1.5  # 1,000 runs, both sources of uncertainty (issue 10)
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


def _both_sources(runs: int, seed: int) -> Callable[[], object]:
    """The app's range of outcomes: per-run parameter draws and chance (build excluded)."""
    from csc_model.solvers.uncertainty import draw_parameters, run_with_parameters

    s = default_scenario()
    st = build(s)
    return lambda: run_with_parameters(st, draw_parameters(s, st, runs, seed), seed)


def _child_time(runs: int, seed: int, repeats: int) -> None:
    """In a fresh process: wall and CPU time of the stochastic runs; prints JSON on stdout."""
    st = build(default_scenario())
    out: dict[str, float] = {}
    for name, fn in (("both", _both_sources(runs, seed)), ("chance", lambda: run_stochastic(st, runs, seed))):
        fn()  # warm-up
        wall, cpu = [], []
        for _ in range(repeats):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        out[f"{name}_wall_s"] = statistics.median(wall)
        out[f"{name}_wall_min_s"] = min(wall)
        out[f"{name}_cpu_s"] = statistics.median(cpu)
    t0 = time.perf_counter()
    project(default_scenario(), runs=runs, seed=seed, parameter_uncertainty=True).table("fy")
    out["project_plus_table_fy_s"] = time.perf_counter() - t0
    print(json.dumps(out))


def _child(mode: str, runs: int, seed: int, root: Path, repeats: int = 3) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--_child", mode, "--runs", str(runs), "--seed", str(seed)]
    cmd += ["--_root", str(root), "--_repeats", str(repeats)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=root)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stochastic_timing(runs: int, seed: int, rounds: int, against: Path | None) -> dict[str, object]:
    """Times of the stochastic runs in fresh subprocesses, this checkout and ``against`` alternately."""
    trees = {"this": ROOT} | ({"against": against} if against else {})
    results: dict[str, list[dict[str, float]]] = {k: [] for k in trees}
    for _ in range(rounds):
        for name, root in trees.items():
            results[name].append(_child("time", runs, seed, root))
    out: dict[str, object] = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in results.items()}
    if against:
        out["ratio_cpu_both"] = statistics.median(
            a["both_cpu_s"] / b["both_cpu_s"] for a, b in zip(results["this"], results["against"], strict=True)
        )
        out["ratio_wall_both"] = statistics.median(
            a["both_wall_s"] / b["both_wall_s"] for a, b in zip(results["this"], results["against"], strict=True)
        )
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
    """In a fresh process: peak memory of one both-sources stochastic run; prints JSON on stdout."""
    import resource
    import tracemalloc

    run = _both_sources(runs, seed)
    if mode == "rss":
        base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
        base_hwm = _vm_hwm_kb()
        raw = run()
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
        raw = run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = {"tracemalloc_peak_mb": peak / 2**20}
    print(json.dumps(result))


def memory(runs: int, seed: int, root: Path = ROOT) -> dict[str, float]:
    """Peak memory of a both-sources run of ``runs`` runs, in two fresh subprocesses (RSS, tracemalloc).

    Call this before the parent process has allocated much: on Linux a child's ``ru_maxrss``
    starts from the peak RSS of the process that spawned it (it survives fork and exec), which
    would inflate the child's baseline. ``VmHWM`` (peak RSS of the new process image) is
    reported as a cross-check.
    """
    out: dict[str, float] = {}
    for mode in ("rss", "tracemalloc"):
        out.update(_child(mode, runs, seed, root))
    return out


def _ms(x: float) -> str:
    return f"{x * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=20, help="timed repeats of the deterministic run")
    ap.add_argument("--runs", type=int, default=1000, help="stochastic runs")
    ap.add_argument("--seed", type=int, default=1, help="seed of the stochastic runs")
    ap.add_argument("--mem-runs", default="200,1000", help="runs for the peak-memory figures (comma-separated)")
    ap.add_argument("--rounds", type=int, default=1, help="fresh processes timing the stochastic runs (each 3 repeats)")
    ap.add_argument("--against", type=Path, help="another checkout to time the same way, alternately")
    ap.add_argument("--skip-deterministic", action="store_true", help="time only the stochastic runs")
    ap.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    ap.add_argument("--_child", choices=["rss", "tracemalloc", "time"], help=argparse.SUPPRESS)
    ap.add_argument("--_root", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--_repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child == "time":
        _child_time(args.runs, args.seed, args._repeats)
        return 0
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

    # memory first, while this process is still small (see memory())
    mem_runs = [int(x) for x in args.mem_runs.split(",") if x.strip()]
    trees = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    mem = {(name, n): memory(n, args.seed, root) for n in mem_runs for name, root in trees.items()}
    det = {} if args.skip_deterministic else deterministic_timings(args.repeats)
    if det:
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

    sto = stochastic_timing(args.runs, args.seed, args.rounds, args.against.resolve() if args.against else None)
    this = sto["this"]
    ok_t = "meets" if this["both_wall_s"] < STOCH_TARGET_S else "MISSES"
    print(
        f"(b) stochastic, {args.runs} runs x {st.weeks} weeks, seed {args.seed}, medians over {args.rounds} process(es)"
    )
    for name, res in ((k, v) for k, v in sto.items() if isinstance(v, dict)):
        label = "" if name == "this" else f" [{trees[name]}]"
        print(f"  both sources (app's range of outcomes){label}")
        print(
            f"  {'  draw_parameters + run_with_parameters':42s} {res['both_wall_s']:8.2f} s wall"
            f" (min {res['both_wall_min_s']:.2f} s), {res['both_cpu_s']:.2f} s CPU"
            + (f"   target < {STOCH_TARGET_S} s: {ok_t}" if name == "this" else "")
        )
        print(
            f"  {'  chance alone: run_stochastic(st, runs, seed)':42s} {res['chance_wall_s']:8.2f} s wall"
            f" (min {res['chance_wall_min_s']:.2f} s), {res['chance_cpu_s']:.2f} s CPU"
        )
        print(
            f"  {'  project(s, runs, both sources).table(fy)':42s} {res['project_plus_table_fy_s']:8.2f} s (one call)"
        )
    if args.against:
        print(
            f"  this / against, both sources: {sto['ratio_cpu_both']:.2f} of the CPU time, "
            f"{sto['ratio_wall_both']:.2f} of the wall time (median of the rounds' ratios)"
        )
    for (name, n), mm in mem.items():
        ok_m = "meets" if mm["rss_increase_mb"] < MEM_TARGET_MB else "MISSES"
        label = "" if name == "this" else f" [{trees[name]}]"
        print(f"  peak memory, both sources, {n} runs{label}")
        print(
            f"  {'  peak RSS increase over baseline':42s} {mm['rss_increase_mb']:8.0f} MB"
            f" (baseline {mm['baseline_rss_mb']:.0f} MB after imports and build)   target < {MEM_TARGET_MB:.0f} MB: {ok_m}"
        )
        if mm.get("vmhwm_increase_mb") is not None:
            print(f"  {'    cross-check: VmHWM increase':42s} {mm['vmhwm_increase_mb']:8.0f} MB")
        print(f"  {'  tracemalloc peak (numpy allocations)':42s} {mm['tracemalloc_peak_mb']:8.0f} MB")
        print(f"  {'  of which the solver output (Raw arrays)':42s} {mm['result_arrays_mb']:8.0f} MB")

    if args.json:
        memory_json = {f"{name}_{n}_runs": mm for (name, n), mm in mem.items()}
        figures = {"machine": m, "deterministic": det, "stochastic": {"runs": args.runs, **sto, "memory": memory_json}}
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
