"""The one place the app runs the model: cached, keyed by the scenario, bounded.

Pages never call ``csc_model.reporting.results.project`` themselves; they ask for :class:`Tables`, which
hold every frame a page draws. A cache hit costs microseconds: the frames are shallow copies, which
pandas' copy-on-write keeps from changing the cached ones.

The server is shared by every user, so (see :mod:`app_lib.server_limits`):

* one cache for every projection, bounded in entries and bytes;
* an identical projection asked for by several sessions at once is computed once;
* a new scenario is projected in the *model worker*, a second spawned process, when it is free
  (else in the session's thread: the same code and numbers), so that model runs use the second
  core instead of holding the interpreter lock that every session's page needs;
* stochastic runs (the range of outcomes) are capped at :data:`MAX_RUNS` a request and run one
  at a time in the whole server, in a *spawned* worker process (:mod:`app_lib.range_worker`: the
  second core, never a fork of the server), or in the session's own thread when the worker is
  off or fails; a session waiting or running sees a progress bar and can stop;
* memory freed after a stochastic run goes back to the operating system.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import hashlib
import logging
import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app_lib import chart_templates as templates
from app_lib import range_worker
from app_lib import server_limits as limits
from app_lib.projection import Progress, Tables, compute
from csc_model import Scenario
from csc_model.reporting import attribution
from csc_model.reporting.attribution import INTERACTION  # noqa: F401 - used by the chart builders and tests
from csc_model.reporting.results import long_run_shares

MAX_RUNS = 1000
IDLE_SECONDS = 20.0  # without a model request: the caches are emptied and memory handed back
"""The most stochastic runs one request may ask for (about 140 MB while it runs)."""
CACHE_ENTRIES = 64
CACHE_BYTES = 64 * 1024 * 1024
"""Bounds of the projection cache (a deterministic projection's tables take about 100-200 kB)."""
STOCHASTIC_SLOTS = 1
"""Stochastic projections running at once in the whole server."""

LONG_RUN_YEARS = 20
"""Years of the Model page's long run (where the inputs lead if held)."""
MODEL_ASSUMPTIONS = "model:assumptions"
"""Name of the Model page's table of assumptions in :func:`derived` (the warm-up makes the defaults')."""
MODEL_WORKER_WAIT = 0.5
"""Seconds a new scenario waits for the model worker to finish another's before it is worked out in
the session's own thread (70 ms in the worker; several times that in a thread of a busy server)."""

SHAPE_ENTRIES = 128
SHAPE_BYTES = 16 * 1024 * 1024
"""Bounds of the cache of chart structures (one per chart shape; kept when the server is idle)."""

CHART_ENTRIES = 256
CHART_BYTES = 32 * 1024 * 1024
"""Bounds of the chart cache (a finished Vega-Lite spec takes about 10-60 kB)."""
DERIVED_ENTRIES = 512
DERIVED_BYTES = 16 * 1024 * 1024
"""Bounds of the cache of tables and figures worked out from projections (a budget-paper table takes
about 5 kB; a scenario has up to about eight of them across the pages, so this keeps them for as many
scenarios as the projection cache holds)."""


@dataclass
class _Server:
    cache: limits.BoundedCache
    gate: limits.Gate
    inflight: limits.InFlight
    charts: limits.BoundedCache
    shapes: limits.BoundedCache
    derived: limits.BoundedCache
    worker: range_worker.RangeWorker
    model_worker: range_worker.RangeWorker
    sweeper: limits.MemorySweeper


@st.cache_resource(show_spinner=False)
def _server() -> _Server:
    """The process-wide guards, made once per server process."""
    limits.limit_native_threads(1)
    limits.limit_malloc_arenas(2)
    cache = limits.BoundedCache(CACHE_ENTRIES, CACHE_BYTES, fresh=fresh_tables)
    # a spec is only ever read below its top level (Streamlit copies the top level before changing it)
    charts = limits.BoundedCache(CHART_ENTRIES, CHART_BYTES, fresh=dict)
    derived = limits.BoundedCache(DERIVED_ENTRIES, DERIVED_BYTES, fresh=_fresh_derived)
    # the charts' structures (one per chart shape, a few hundred kB in all): kept when the server is idle
    shapes = limits.BoundedCache(SHAPE_ENTRIES, SHAPE_BYTES, fresh=dict)

    worker, model_worker = range_worker.RangeWorker(), range_worker.RangeWorker()
    if range_worker.model_worker_enabled():
        model_worker.warm_up()  # ready (imports done) by the time a second scenario comes along

    def empty_caches() -> None:
        cache.clear()
        charts.clear()
        derived.clear()
        model_worker.shutdown()  # its memory goes back too; the next new scenario starts it again

    sweeper = limits.MemorySweeper(IDLE_SECONDS, on_idle=empty_caches)
    sweeper.start()
    if WARM_UP:
        threading.Thread(target=_warm_up, name="csc-warm-up", daemon=True).start()
    return _Server(
        cache, limits.Gate(STOCHASTIC_SLOTS), limits.InFlight(), charts, shapes, derived, worker, model_worker, sweeper
    )


WARM_UP = os.environ.get("CSC_WARM_UP", "1") != "0"
"""Whether a new server process prepares the default pages in the background (``CSC_WARM_UP=0``: not)."""


def _warm_up() -> None:
    """Once per server process, in the background: import what the heavier pages use and build the
    chart structures of the default scenario's pages, so that the first visitor of the briefing or
    the benchmarks does not wait a second or more for them (measured on two cores). Best effort:
    a failure is logged and changes nothing."""
    try:
        import app_lib.brief  # noqa: F401 - imported for its cost, once
        import app_lib.brief_pdf  # noqa: F401
        from app_lib import briefing_charts as bc
        from app_lib import charts, charts_uncertainty  # noqa: F401
        from csc_model import default_scenario
        from csc_model.published import benchmarks  # noqa: F401
        from csc_model.published import data as pub
        from csc_model.reporting.narrative import TableProjection

        pub.authorities()
        s = default_scenario()
        t = tables(s)
        page_chart_spec(charts.stage_chart, (t.stage_month, None), {})
        page_chart_spec(charts.spend_budget_chart, (t.fy, None), {})
        page_chart_spec(charts.placement_area_chart, (t.placement_month,), {})
        # Placements' other charts, and Compare as it opens (the defaults against themselves)
        page_chart_spec(charts.placement_spend_chart, (t.placement_fy,), {})
        page_chart_spec(
            charts.scenario_lines,
            ({"This scenario": t.month}, "avg_weekly_cost_per_child_gbp", "£ a week per child"),
            {"money": True, "height": 260, "baseline": charts.BASELINE_NAME},
        )
        # two copies, as the page has (one frame twice pickles differently, so its key would differ)
        compared = {charts.BASELINE_NAME: tables(s), "Current scenario": tables(s)}
        page_chart_spec(
            charts.scenario_lines,
            ({n: f.month for n, f in compared.items()}, "children_in_care", "Children in care"),
            {"baseline": charts.BASELINE_NAME},
        )
        page_chart_spec(
            charts.scenario_fy_bars, ({n: f.fy for n, f in compared.items()},), {"baseline": charts.BASELINE_NAME}
        )
        long_run(s, LONG_RUN_YEARS)  # the Model page's long run of the defaults
        base = TableProjection(s, t.fy, t.month)
        page_chart_spec(bc.children_chart, (base, None), {"titled": False})
        page_chart_spec(bc.spend_chart, (base, None), {"titled": False})
        # ... and their other shape, a changed scenario against the baseline (the first briefing
        # after any change built it: about 0.5 s on two cores); any preset gives that shape
        from csc_model.scenario.presets import PRESETS, apply_preset

        changed = apply_preset(s, next(iter(PRESETS)))
        ct = tables(changed)
        scen = TableProjection(changed, ct.fy, ct.month)
        page_chart_spec(bc.children_chart, (base, scen), {"titled": False})
        page_chart_spec(bc.spend_chart, (base, scen), {"titled": False})
        # the Model page's table of assumptions (the same key as the page's)
        from app_lib import exports

        derived(MODEL_ASSUMPTIONS, (s,), lambda: exports.assumptions_table(s))
        # the Benchmarks page opens on Plymouth (the authority the project grew from): its charts
        from app_lib import charts_published as cp
        from app_lib import published_page

        plymouth = pub.find_authority(published_page.DEFAULT_AUTHORITY)
        cmp_df = published_page.comparison_of(plymouth.code)
        for key in ("in_care_per_10k", "started_per_10k", "ceased_per_10k", "uasc_share", "private_share"):
            if key in set(cmp_df["indicator"]):
                page_chart_spec(cp.indicator_chart, (cmp_df, key, plymouth.name), {})
        rt = published_page.region_table_of(plymouth.region)
        page_chart_spec(cp.region_bars, (rt, "in_care_per_10k"), {"highlight": plymouth.name})
        # Everything imported and built so far lives as long as the server: keep it out of Python's
        # cyclic garbage collector, whose full collections otherwise walk those ~180,000 objects
        # (about 200 ms holding the interpreter lock, a stall for every session) again and again.
        gc.freeze()
    except Exception:  # noqa: BLE001 - a warm-up must never harm the server
        logging.getLogger("csc_app").exception("warming up the default pages failed (nothing else is affected)")


def fresh_tables(t: Tables) -> Tables:
    """``t`` with shallow copies of its frames: a caller may change them (copy-on-write copies the
    data then) without changing what the cache keeps for every other session."""
    return dataclasses.replace(t, **{f.name: getattr(t, f.name).copy(deep=False) for f in FRAMES})


FRAMES = [f for f in dataclasses.fields(Tables) if f.name != "runs"]


def _fresh_derived(value: Any) -> Any:
    return value.copy(deep=False) if isinstance(value, pd.DataFrame) else copy.deepcopy(value)


def cached(scenario: Scenario, runs: int = 0, seed: int = 0) -> Tables | None:
    """The projection if it is already in the cache (no work done), else None."""
    runs = max(0, min(int(runs), MAX_RUNS))
    server = _server()
    server.sweeper.touch()
    return server.cache.get((scenario.to_json(indent=None), runs, seed))


def tables(scenario: Scenario, runs: int = 0, seed: int = 0, progress: Progress | None = None) -> Tables:
    """The projection of ``scenario`` (deterministic when ``runs`` is 0; at most :data:`MAX_RUNS`)."""
    runs = max(0, min(int(runs), MAX_RUNS))
    server = _server()
    server.sweeper.touch()
    try:
        return _tables(server, scenario, runs, seed, progress)
    finally:
        server.sweeper.touch()  # a long range counts as activity until it ends


def _tables(server: _Server, scenario: Scenario, runs: int, seed: int, progress: Progress | None) -> Tables:
    key = (scenario.to_json(indent=None), runs, seed)
    while True:
        hit = server.cache.get(key)
        if hit is not None:
            return hit
        with server.inflight.lead(key) as leader:
            if leader:
                # a fresh copy like every hit's: the frames then pickle alike on every run, so the
                # chart keys (a digest of the pickle) are the same on the run that computed them
                return fresh_tables(_lead(server, key, scenario, progress))
        # someone else is computing the same projection: wait for it, then take it from the cache
        server.inflight.wait(key, None if progress is None else (lambda: progress(0.0, "same")))
        hit = server.cache.get(key)
        if hit is not None:
            return hit
        # the other session stopped (or its result was too big to keep): compute it here


def _lead(server: _Server, key: tuple[str, int, int], scenario: Scenario, progress: Progress | None) -> Tables:
    scenario_json, runs, seed = key
    if not runs:
        result = (
            server.model_worker.try_run(scenario_json, seed, wait_s=MODEL_WORKER_WAIT)
            if range_worker.model_worker_enabled()
            else None
        )
        if result is None:  # the model worker is busy, starting or off: here, the same numbers
            result = compute(scenario, 0, seed, None)
    else:
        wait = None if progress is None else (lambda ahead: progress(0.0, f"waiting:{ahead}"))
        try:
            with server.gate.hold(wait):
                result = _range(server, scenario, scenario_json, runs, seed, progress)
        finally:
            limits.release_memory()
    server.cache.put(key, result)
    return result


def _range(
    server: _Server, scenario: Scenario, scenario_json: str, runs: int, seed: int, progress: Progress | None
) -> Tables:
    """A range of outcomes: in the worker process (the second core), else in this thread."""
    if range_worker.enabled():
        ticks = None
        if progress is not None:
            done = [0.0]

            def ticks(share: float, what: str) -> None:
                if what != "tick":  # a tick repeats the last share (and lets Stop through)
                    done[0] = share
                progress(done[0], "running")

        try:
            return server.worker.run(scenario_json, runs, seed, ticks)
        except range_worker.WorkerFailed:
            pass  # computed here instead, as the same numbers
    return compute(scenario, runs, seed, progress)


def _chart_key(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> tuple[str, str, str]:
    """The chart cache's key: a digest of the inputs' pickle. The frames come from the projection cache
    as fresh copies every time (also on the run that computed them), and copies pickle alike."""
    digest = hashlib.blake2b(pickle.dumps((args, sorted(kwargs.items())), protocol=5), digest_size=20).hexdigest()
    return (builder.__module__, builder.__qualname__, digest)


def chart_spec(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec of ``builder(*args, **kwargs)``, built once per distinct input server-wide.

    Its datasets are rows of values, as Altair writes them (for the exports' chart images).
    """
    return _chart_spec(_chart_key(builder, args, kwargs), builder, args, kwargs)


def _chart_spec(key: tuple, builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    server = _server()
    server.sweeper.touch()
    cache = server.charts
    spec = cache.get(key)
    if spec is None:
        if templates.is_templated(builder):  # the structure once per shape, the figures filled in
            spec = templates.spec(builder, args, kwargs, server.shapes)
        else:
            spec = builder(*args, **kwargs).to_dict(validate=False)  # the builders' output is checked in tests
        cache.put(key, spec)
    return spec


def page_chart_spec(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """:func:`chart_spec` ready for ``st.vega_lite_chart``: each dataset already as the Arrow bytes
    Streamlit would make of it on every rerun (the same conversion, done once per chart server-wide;
    for a templated builder straight from its tables, without writing them out as rows first)."""
    key = _chart_key(builder, args, kwargs)
    server = _server()
    server.sweeper.touch()
    arrow_key = ("arrow", *key)
    spec = server.charts.get(arrow_key)
    if spec is None:
        if templates.is_templated(builder):
            shape, frames, numbers = templates.page_parts(builder, args, kwargs)
            datasets = {name: arrow_bytes(df) for name, df in frames.items()}
            spec = templates.fill(templates.template(builder, shape, server.shapes), datasets, numbers)
        else:
            spec = _chart_spec(key, builder, args, kwargs)
            spec["datasets"] = {name: arrow_bytes(rows) for name, rows in spec.get("datasets", {}).items()}
        server.charts.put(arrow_key, spec)
    return spec


def arrow_bytes(rows: Any) -> bytes:
    """A dataset (rows of values) as Streamlit sends it to the browser: Arrow IPC bytes."""
    from streamlit import dataframe_util

    return dataframe_util.convert_anything_to_arrow_bytes(rows)


def derived(name: str, scenarios: tuple[Scenario, ...], work: Callable[[], Any]) -> Any:
    """A table worked out from the projections of ``scenarios`` by ``work`` (e.g. the budget paper of a
    scenario against its baseline), kept server-wide under ``name`` and those scenarios: a rerun that
    shows it again costs a shallow copy. ``work`` must depend only on ``name`` and the scenarios."""
    server = _server()
    server.sweeper.touch()
    key = (name, *(s.to_json(indent=None) for s in scenarios))
    table = server.derived.get(key)
    if table is None:
        table = work()
        server.derived.put(key, table)
    return table


def long_run(scenario: Scenario, years: int) -> dict[str, float]:
    """:func:`csc_model.reporting.results.long_run_shares` of ``scenario`` over ``years`` years: a long
    model run, so worked out in the model worker when it is free, and kept server-wide."""
    scenario_json = scenario.to_json(indent=None)

    def work() -> dict[str, float]:
        server = _server()
        found = (
            server.model_worker.try_run(scenario_json, wait_s=MODEL_WORKER_WAIT, kind="long_run", years=years)
            if range_worker.model_worker_enabled()
            else None
        )
        return found if found is not None else long_run_shares(scenario, years=years)

    return derived(f"long_run:{years}", (scenario,), work)


def clear_cache() -> None:
    """Forget every cached projection, chart, chart structure and derived table (tests and benchmarks)."""
    _server().cache.clear()
    _server().charts.clear()
    _server().shapes.clear()
    _server().derived.clear()


# ---------------------------------------------------------------------------
# Which levers drive a difference
# ---------------------------------------------------------------------------


def lever_contributions(base: Scenario, other: Scenario) -> pd.DataFrame:
    """:func:`csc_model.reporting.attribution.lever_contributions` with the app's cached projections."""
    return attribution.lever_contributions(base, other, fy_table=lambda s: tables(s).fy)


def exclusive(work: Callable[[], Any], progress: Progress | None = None) -> Any:
    """Run heavy work (a back-test) in the same line as the ranges of outcomes: one at a time in the
    whole server, then hand freed memory back. Not cached: its inputs may be personal data."""
    server = _server()
    wait = None if progress is None else (lambda ahead: progress(0.0, f"waiting:{ahead}"))
    try:
        with server.gate.hold(wait):
            return work()
    finally:
        limits.release_memory()
