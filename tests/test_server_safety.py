"""The shared server stays safe: no fork, bounded caches, one stochastic run at a time, stoppable runs.

The Streamlit server is one multi-threaded process for every user. A forked child of such a
process inherits locks held by other threads and froze the whole server under load, so the
solver must never fork; long runs must be stoppable and must not pile up.
"""

from __future__ import annotations

import gc
import os
import threading
import time

import numpy as np
import pandas as pd
import pytest

from app_lib import runner
from app_lib.server_limits import BoundedCache, Gate, InFlight, MemorySweeper
from csc_model import default_scenario
from csc_model.solvers import engine
from csc_model.solvers.structure import build

FIELDS = ("stock_stage", "stock_place", "entries", "exits", "group_flows", "initial")


@pytest.fixture(scope="module")
def st(base):
    return build(base.with_values({"years": 2}))


def test_stochastic_runs_never_fork_or_start_threads(st, monkeypatch) -> None:
    def no_fork() -> int:
        raise AssertionError("run_stochastic forked the server process")

    monkeypatch.setattr(os, "fork", no_fork)
    before = threading.active_count()
    raw = engine.run_stochastic(st, 200, seed=3)
    assert raw.stock_stage.shape[1] == 200
    assert threading.active_count() == before


def test_progress_reaches_the_end_in_order_and_does_not_change_the_runs(st) -> None:
    seen: list[float] = []
    with_progress = engine.run_stochastic(st, 65, seed=11, progress=seen.append)
    plain = engine.run_stochastic(st, 65, seed=11)
    assert all(np.array_equal(getattr(with_progress, k), getattr(plain, k)) for k in FIELDS)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0) and len(seen) > 4


def test_a_run_stops_when_its_progress_callback_raises(st) -> None:
    class Stop(Exception):
        pass

    calls = []

    def stop_early(share: float) -> None:
        calls.append(share)
        if share > 0.2:
            raise Stop

    with pytest.raises(Stop):
        engine.run_stochastic(st, 100, seed=1, progress=stop_early)
    assert max(calls) < 0.5  # it stopped soon after asking, not at the end


def test_cache_is_bounded_in_entries_and_bytes_and_returns_copies() -> None:
    cache = BoundedCache(max_entries=3, max_bytes=10_000)
    for i in range(5):
        cache.put(i, list(range(10)))
    assert cache.stats()[0] == 3 and cache.get(0) is None and cache.get(4) == list(range(10))
    cache.put("big", b"x" * 4_000)
    cache.put("big2", b"y" * 4_000)
    entries, size = cache.stats()
    assert size <= 10_000 and cache.get("big2") == b"y" * 4_000
    cache.put("too big", b"z" * 20_000)  # never kept
    assert cache.get("too big") is None
    got = cache.get(4)
    got.append("changed")
    assert cache.get(4) == list(range(10))  # a caller's change never reaches the next caller


def test_cached_projections_are_shared_but_a_callers_change_never_reaches_the_next_caller() -> None:
    """The projection cache hands out shallow copies (no unpickling on every rerun); copy-on-write keeps
    one session's change to a frame, in place or by a new column, out of every other session's figures."""
    from app_lib.projection import compute
    from app_lib.runner import fresh_tables
    from csc_model import default_scenario

    cache = BoundedCache(max_entries=3, max_bytes=10_000_000, fresh=fresh_tables)
    t = compute(default_scenario(), 0, 0)
    expected = t.fy.copy(deep=True)
    cache.put("s", t)
    t.fy.loc[0, "spend_gbp"] = -1.0  # the caller that put it changes its own frame afterwards
    got = cache.get("s")
    got.fy.loc[0, "spend_gbp"] = 0.0
    got.fy["extra"] = 1
    again = cache.get("s")
    pd.testing.assert_frame_equal(again.fy, expected)
    assert cache.stats()[1] > 10_000  # sized by its estimated memory


def test_gate_lets_one_through_at_a_time_and_tells_the_others_their_place() -> None:
    gate = Gate(1)
    inside, most, places = [0], [0], []
    lock = threading.Lock()

    def work(i: int) -> None:
        with gate.hold(wait=lambda ahead: places.append(ahead), poll_s=0.01):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == 1
    assert places and max(places) >= 2  # someone waited behind more than one
    assert gate.busy() == (0, 0)


def test_a_caller_that_gives_up_leaves_the_line() -> None:
    gate = Gate(1)
    release = threading.Event()

    def hold_it() -> None:
        with gate.hold():
            release.wait(5)

    holder = threading.Thread(target=hold_it)
    holder.start()
    time.sleep(0.05)

    class GiveUp(Exception):
        pass

    def give_up(ahead: int) -> None:
        raise GiveUp

    with pytest.raises(GiveUp), gate.hold(wait=give_up):
        pass
    assert gate.busy() == (1, 0)
    release.set()
    holder.join(5)
    with gate.hold():  # the gate is free again
        assert gate.busy() == (1, 0)


def test_identical_work_asked_for_at_once_is_done_once() -> None:
    flight, done, started = InFlight(), [], threading.Event()

    def ask() -> None:
        with flight.lead("k") as leader:
            if leader:
                started.set()
                time.sleep(0.1)
                done.append(1)
                return
        flight.wait("k")

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(3)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(5)
    assert done == [1]


def test_app_runner_caps_runs_and_caches_the_range(base) -> None:
    runner.clear_cache()
    s = base.with_values({"years": 1})
    assert runner.cached(s, runs=50) is None
    got = runner.tables(s, runs=50)
    assert got.runs == 50 and "children_in_care_p90" in got.fy
    again = runner.cached(s, runs=50)
    assert again is not None and again.fy.equals(got.fy)
    assert runner.tables(s, runs=10**9).runs == runner.MAX_RUNS


def test_a_chart_is_built_once_per_distinct_input(base) -> None:
    runner.clear_cache()
    built = []

    def builder(frame, title: str = "x"):
        import altair as alt

        built.append(title)
        return alt.Chart(frame).mark_line().encode(x="a:Q", y="b:Q").properties(title=title)

    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    first = runner.chart_spec(builder, (frame,), {"title": "one"})
    again = runner.chart_spec(builder, (frame.copy(),), {"title": "one"})  # equal figures: no new build
    assert first == again and built == ["one"]
    runner.chart_spec(builder, (frame.assign(b=[3, 5]),), {"title": "one"})  # new figures: built again
    runner.chart_spec(builder, (frame,), {"title": "two"})
    assert built == ["one", "one", "two"]
    assert first["title"] == "one" and first["mark"]["type"] == "line"


def test_two_threads_give_the_same_runs_as_one(st) -> None:
    """The command line's threads=2 is only faster: the same blocks, seeds and runs."""
    one = engine.run_stochastic(st, 65, seed=4)
    two = engine.run_stochastic(st, 65, seed=4, threads=2)
    assert all(np.array_equal(getattr(one, k), getattr(two, k)) for k in FIELDS)


def test_the_memory_sweeper_collects_and_empties_the_caches_once_the_server_is_quiet() -> None:
    """Objects held only by reference cycles (as a closed session's are) are freed by a sweep from
    the sweeper's own daemon thread, and the caches emptied, only after a quiet spell, once."""
    import gc
    import weakref

    class Node:
        pass

    for thread in threading.enumerate():  # a server's warm-up ends with gc.freeze(), which would keep
        if thread.name == "csc-warm-up":  # this test's cycle out of the collector: let it finish first
            thread.join(120)
    emptied = []
    gc.disable()  # as under load: no automatic collection may free the cycle first
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None  # a cycle: reference counting alone does not free it
        sweeper = MemorySweeper(idle=0.6, on_idle=lambda: emptied.append(1), poll=0.05)
        sweeper.start()
        sweeper.start()  # a second start does nothing
        for _ in range(10):  # busy: a request every 0.1 s, so no sweep
            sweeper.touch()
            time.sleep(0.1)
        assert sweeper.sweeps == 0 and alive() is not None
        deadline = time.monotonic() + 10
        while (alive() is not None or sweeper.sweeps < 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive() is None and sweeper.sweeps == 1 and emptied == [1]
        time.sleep(1.0)
        assert sweeper.sweeps == 1  # once per quiet spell
        sweeper.touch()
        deadline = time.monotonic() + 10
        while sweeper.sweeps < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sweeper.sweeps == 2  # the next quiet spell sweeps again
        sweeper.stop()
        assert any(t.name == "csc-memory-sweeper" and t.daemon for t in threading.enumerate())
    finally:
        gc.enable()


def test_the_server_starts_one_memory_sweeper(base) -> None:
    server = runner._server()
    assert server.sweeper is runner._server().sweeper and server.sweeper.idle == runner.IDLE_SECONDS
    assert server.sweeper._thread is not None and server.sweeper._thread.is_alive()


def test_a_new_server_prepares_the_default_pages_in_the_background(caplog) -> None:
    """The warm-up builds the default pages' chart structures and the Benchmarks' default comparison,
    so that the first visitor of the briefing or the benchmarks does not wait a second for them."""
    from app_lib import briefing_charts as bc
    from app_lib import charts, published_page

    runner.clear_cache()
    with caplog.at_level("ERROR", logger="csc_app"):
        runner._warm_up()
    assert not [r for r in caplog.records if r.name == "csc_app"]  # nothing failed
    shapes = {key[2] for key in runner._server().shapes._items}
    assert {charts.stage_chart.__qualname__, bc.children_chart.__qualname__, bc.spend_chart.__qualname__} <= shapes
    assert published_page._comparison.cache_info().currsize >= 1
    assert gc.get_freeze_count() > 10_000  # what lives as long as the server is out of the collector's walks


@pytest.mark.parametrize("page", ["overview", "compare", "placements"])
def test_the_warm_up_builds_the_charts_a_first_visit_asks_for(page: str) -> None:
    """A first visit of these pages on the defaults finds every chart already built: the warm-up asks
    for them with the same inputs as the page (a chart's key is a digest of its inputs, so a copy
    pickled differently would miss)."""
    from streamlit.testing.v1 import AppTest

    from .helpers import PAGE_FILES, ROOT

    runner.clear_cache()
    runner._warm_up()
    before = {k for k in runner._server().charts._items if k[0] == "arrow"}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(PAGE_FILES[page]).run()
    assert not at.exception
    asked = {k for k in runner._server().charts._items if k[0] == "arrow"}
    assert asked == before, f"built on the first visit: {sorted(k[2] for k in asked - before)}"


def test_after_the_warm_up_a_changed_scenario_s_briefing_builds_no_chart_structure() -> None:
    """The briefing of any changed scenario draws its charts from structures the warm-up built (with
    a preset): only the figures are filled in. The Model page's table of assumptions for the defaults
    is ready too."""
    from streamlit.testing.v1 import AppTest

    from .helpers import ROOT

    runner.clear_cache()
    runner._warm_up()
    assert runner._server().derived.get((runner.MODEL_ASSUMPTIONS, default_scenario().to_json(indent=None))) is not None
    shapes = set(runner._server().shapes._items)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["scenario"] = default_scenario().with_values({"entries.weekly_rate": 4.2})
    at.switch_page("pages/briefing.py").run()
    assert not at.exception
    assert "4.2" in str(at.session_state["scenario"].entries.weekly_rate)
    built = set(runner._server().shapes._items) - shapes
    assert not built, f"built on the first briefing of a changed scenario: {sorted(k[2] for k in built)}"


def test_a_new_projection_and_its_cached_copy_give_one_chart_key() -> None:
    """The run that computes a projection and every later rerun ask for its charts under one key (the
    computed frames once pickled differently from the cache's copies, so each chart was built twice)."""
    from app_lib import charts
    from csc_model import default_scenario

    runner.clear_cache()
    s = default_scenario().with_values({"entries.weekly_rate": 4.321})
    first, again = runner.tables(s), runner.tables(s)
    for builder, args in ((charts.stage_chart, "stage_month"), (charts.spend_budget_chart, "fy")):
        keys = {runner._chart_key(builder, (getattr(t, args), None), {}) for t in (first, again)}
        assert len(keys) == 1, builder.__qualname__


def test_server_config_switches_off_per_rerun_housekeeping() -> None:
    """The server as started from the repository (Streamlit reads ``.streamlit/config.toml``) does not
    watch source files and does not run a full garbage collection after each rerun. Each cost the one
    shared server for every session: the watcher resolved the path of every loaded module after every
    script run on the event-loop thread that also serves pages (75% of that thread's time in a round of
    page switches); the collection took 21% of the server's CPU under load."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    probe = (
        "from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(config.get_option('server.fileWatcherType'), config.get_option('runner.postScriptGC'))"
    )
    shown = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True)
    watcher, post_gc = shown.stdout.split()
    assert watcher == "none", f"the file watcher must be off for the shared server, not {watcher!r}"
    assert post_gc == "False"
