"""The one place the app runs the model: cached, keyed by the scenario, bounded.

Pages never call ``csc_model.results.project`` themselves; they ask for :class:`Tables`, which
hold every frame a page draws. A cache hit costs a few milliseconds (unpickling the frames).

The server is shared by every user, so (see :mod:`app_lib.server_limits`):

* one cache for every projection, bounded in entries and bytes;
* an identical projection asked for by several sessions at once is computed once;
* stochastic runs (the range of outcomes) are capped at :data:`MAX_RUNS` a request and run one
  at a time in the whole server, in the session's own thread (never a forked process); a
  session waiting or running sees a progress bar and can stop;
* memory freed after a stochastic run goes back to the operating system.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app_lib import formatting as fmt
from app_lib import server_limits as limits
from csc_model import Scenario, attribution
from csc_model.attribution import INTERACTION  # noqa: F401 - used by the chart builders and tests
from csc_model.results import project

MAX_RUNS = 1000
"""The most stochastic runs one request may ask for (about 140 MB while it runs)."""
CACHE_ENTRIES = 64
CACHE_BYTES = 64 * 1024 * 1024
"""Bounds of the projection cache (a deterministic projection's tables take about 100-200 kB)."""
STOCHASTIC_SLOTS = 1
"""Stochastic projections running at once in the whole server."""

Progress = Callable[[float, str], None]
"""Told the share done (0 to 1) and what is happening; may raise to stop (the app's progress bar
does, through Streamlit, when the user presses Stop or changes anything)."""


@dataclass(frozen=True)
class Tables:
    """One projection, reported every way the app shows it."""

    fy: pd.DataFrame
    month: pd.DataFrame
    placement_fy: pd.DataFrame
    placement_month: pd.DataFrame
    stage_month: pd.DataFrame
    runs: int = 0


CHART_ENTRIES = 256
CHART_BYTES = 32 * 1024 * 1024
"""Bounds of the chart cache (a finished Vega-Lite spec takes about 10-60 kB)."""


@dataclass
class _Server:
    cache: limits.BoundedCache
    gate: limits.Gate
    inflight: limits.InFlight
    charts: limits.BoundedCache


@st.cache_resource(show_spinner=False)
def _server() -> _Server:
    """The process-wide guards, made once per server process."""
    limits.limit_native_threads(1)
    limits.limit_malloc_arenas(2)
    return _Server(
        limits.BoundedCache(CACHE_ENTRIES, CACHE_BYTES),
        limits.Gate(STOCHASTIC_SLOTS),
        limits.InFlight(),
        limits.BoundedCache(CHART_ENTRIES, CHART_BYTES),
    )


def _compute(scenario_json: str, runs: int, seed: int, progress: Progress | None) -> Tables:
    scenario = Scenario.from_json(scenario_json)
    tick = None if progress is None else (lambda share: progress(share, "running"))
    # The range of outcomes is honest: each run draws its own rates, prices and inflation from
    # their stated ranges (csc_model.uncertainty) as well as chance in who enters and leaves care.
    res = project(scenario, runs=runs, seed=seed, parameter_uncertainty=runs > 0, progress=tick)
    fy = res.table("fy")
    # Pressure as the budget-paper table shows it (spend and budget each to the nearest £1,000,
    # then subtracted, so the table adds up): every card, chart and sentence then agrees with it.
    fy["pressure_gbp"] = [
        float(fmt.round_thousand(a) - fmt.round_thousand(b))
        for a, b in zip(fy["spend_gbp"], fy["budget_gbp"], strict=True)
    ]
    return Tables(
        fy=fy,
        month=res.table("month"),
        placement_fy=res.by_placement("fy"),
        placement_month=res.by_placement("month"),
        stage_month=res.by_stage("month"),
        runs=runs,
    )


def cached(scenario: Scenario, runs: int = 0, seed: int = 0) -> Tables | None:
    """The projection if it is already in the cache (no work done), else None."""
    runs = max(0, min(int(runs), MAX_RUNS))
    return _server().cache.get((scenario.to_json(indent=None), runs, seed))


def tables(scenario: Scenario, runs: int = 0, seed: int = 0, progress: Progress | None = None) -> Tables:
    """The projection of ``scenario`` (deterministic when ``runs`` is 0; at most :data:`MAX_RUNS`)."""
    runs = max(0, min(int(runs), MAX_RUNS))
    server = _server()
    key = (scenario.to_json(indent=None), runs, seed)
    while True:
        hit = server.cache.get(key)
        if hit is not None:
            return hit
        with server.inflight.lead(key) as leader:
            if leader:
                return _lead(server, key, progress)
        # someone else is computing the same projection: wait for it, then take it from the cache
        server.inflight.wait(key, None if progress is None else (lambda: progress(0.0, "same")))
        hit = server.cache.get(key)
        if hit is not None:
            return hit
        # the other session stopped (or its result was too big to keep): compute it here


def _lead(server: _Server, key: tuple[str, int, int], progress: Progress | None) -> Tables:
    scenario_json, runs, seed = key
    if not runs:
        result = _compute(scenario_json, 0, seed, None)
    else:
        wait = None if progress is None else (lambda ahead: progress(0.0, f"waiting:{ahead}"))
        try:
            with server.gate.hold(wait):
                result = _compute(scenario_json, runs, seed, progress)
        finally:
            limits.release_memory()
    server.cache.put(key, result)
    return result


def chart_spec(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec of ``builder(*args, **kwargs)``, built once per distinct input server-wide."""
    digest = hashlib.blake2b(pickle.dumps((args, sorted(kwargs.items())), protocol=5), digest_size=20).hexdigest()
    key = (builder.__module__, builder.__qualname__, digest)
    cache = _server().charts
    spec = cache.get(key)
    if spec is None:
        spec = builder(*args, **kwargs).to_dict(validate=False)  # the builders' output is checked in tests
        cache.put(key, spec)
    return spec


def clear_cache() -> None:
    """Forget every cached projection and chart (tests and benchmarks)."""
    _server().cache.clear()
    _server().charts.clear()


# ---------------------------------------------------------------------------
# Which levers drive a difference
# ---------------------------------------------------------------------------


def lever_contributions(base: Scenario, other: Scenario) -> pd.DataFrame:
    """:func:`csc_model.attribution.lever_contributions` with the app's cached projections."""
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
