"""The range of outcomes in a spawned worker process: the same numbers as in the session's thread,
a Stop that ends the worker at once, and a fresh worker for the next range."""

from __future__ import annotations

import os
import signal
import time

import pandas as pd
import pytest

from app_lib import range_worker
from app_lib.projection import compute
from csc_model import default_scenario

RUNS = 24


@pytest.fixture()
def worker():
    w = range_worker.RangeWorker()
    yield w
    w.stop()


def test_the_worker_gives_the_same_range_as_the_sessions_thread(worker) -> None:
    s = default_scenario()
    shares: list[float] = []
    got = worker.run(s.to_json(indent=None), RUNS, 7, lambda share, what: shares.append(share))
    here = compute(s, RUNS, 7)
    for name in ("fy", "month", "placement_fy", "placement_month", "stage_month"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(here, name))
    assert got.runs == RUNS
    assert shares and max(shares) == pytest.approx(1.0)  # progress came back from the worker
    assert worker.pid is not None  # kept for the next range


def test_stop_ends_the_worker_and_the_next_range_starts_a_fresh_one(worker) -> None:
    s = default_scenario()
    worker.run(s.to_json(indent=None), 4, 1)
    first = worker.pid

    class Stop(Exception):
        pass

    def stop_at_once(share: float, what: str) -> None:
        raise Stop

    with pytest.raises(Stop):
        worker.run(s.to_json(indent=None), RUNS, 2, stop_at_once)
    assert worker.pid is None  # terminated: its CPU is free at once
    worker.run(s.to_json(indent=None), 4, 3)
    assert worker.pid not in (None, first)


def test_a_failing_job_is_reported_not_hung(worker) -> None:
    with pytest.raises(range_worker.WorkerFailed):
        worker.run("{not json", 4, 1)
    assert worker.run(default_scenario().to_json(indent=None), 4, 1).runs == 4  # the worker still serves


def test_a_silent_worker_is_ended_and_reported_not_waited_on_for_ever(monkeypatch) -> None:
    """A worker that starts but never answers (not even "ready") must not hold a session for ever."""
    monkeypatch.setattr(range_worker, "SILENCE_SECONDS", 1.0)
    w = range_worker.RangeWorker()
    w.command = ("-c", "import time; time.sleep(60)")
    started = time.monotonic()
    with pytest.raises(range_worker.WorkerFailed, match="said nothing"):
        w.run(default_scenario().to_json(indent=None), 4, 1)
    assert time.monotonic() - started < 30
    assert w.pid is None  # ended, so the next range starts a fresh worker
    assert w.try_run(default_scenario().to_json(indent=None)) is None  # the quick path gives up too
    w.stop()


FAST_WORKER = """
import pickle, struct, sys, time
def message(x):
    body = pickle.dumps(x)
    return struct.pack("!Q", len(body)) + body
sys.stdout.buffer.write(message(("ready", None)) + message(("error", "ValueError: boom")))
sys.stdout.buffer.flush()
time.sleep(60)
"""


def test_an_answer_that_comes_with_ready_is_read_at_once() -> None:
    """'ready' and the answer in the pipe together: a buffered reader took both while reading 'ready', and
    select() then waited for ever for the answer it had already read (hung on a loaded machine)."""
    w = range_worker.RangeWorker()
    w.command = ("-c", FAST_WORKER)
    started = time.monotonic()
    with pytest.raises(range_worker.WorkerFailed, match="boom"):
        w.run(default_scenario().to_json(indent=None), 4, 1)
    assert time.monotonic() - started < 20  # not the 120 s of silence that ends a stuck worker
    w.stop()


def test_text_on_the_worker_s_pipe_is_refused_not_read_for_ever() -> None:
    """Eight bytes of text read as a message's length announce exabytes: refused at once."""
    import io

    with pytest.raises(range_worker.pickle.UnpicklingError, match="not a message"):
        range_worker._receive(io.BytesIO(b"Warning: something printed\n"))


def test_the_app_works_out_its_ranges_in_the_worker() -> None:
    """Under Streamlit (whose script is ``__main__``) the range really comes from the worker process, not
    from the fallback in the session's thread: the worker is alive afterwards and the band is drawn."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from app_lib import runner

    runner.clear_cache()
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=180)
    at.run()
    at.toggle(key="pref:stochastic").set_value(True).run()
    assert not at.exception
    assert runner._server().worker.pid is not None
    assert any("Grey band" in c.value for c in at.caption)


def test_the_worker_does_not_run_the_servers_main_script(tmp_path, monkeypatch) -> None:
    """Streamlit registers the app's script as ``__main__``; a worker started by multiprocessing's spawn
    re-runs ``__main__`` in the child (the whole app, and from there more workers). The worker must not."""
    import sys
    import types

    bomb = tmp_path / "app_script.py"
    bomb.write_text("raise SystemExit('the app script ran in the worker')\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(bomb)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    w = range_worker.RangeWorker()
    try:
        assert w.run(default_scenario().to_json(indent=None), 4, 1).runs == 4
    finally:
        w.stop()


def test_the_model_worker_gives_the_same_projection_as_the_sessions_thread(worker) -> None:
    s = default_scenario()
    worker.warm_up()
    got = _when_ready(worker, s.to_json(indent=None))  # None while the process is still importing the model
    assert got is not None, "the model worker never became ready"
    here = compute(s, 0, 0)
    for name in ("fy", "month", "placement_fy", "placement_month", "stage_month"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(here, name))
    assert got.runs == 0


def test_the_model_worker_never_makes_a_session_wait_or_fail(worker) -> None:
    s = default_scenario().to_json(indent=None)
    # still starting: None at once (the session computes the scenario itself), and it is started
    t0 = time.perf_counter()
    assert worker.try_run(s, 0) is None
    assert time.perf_counter() - t0 < 5 and worker.pid is not None
    # busy with another session's job: None after the short wait
    with worker._lock:
        t0 = time.perf_counter()
        assert worker.try_run(s, 0, wait_s=0.05) is None
        assert time.perf_counter() - t0 < 1
    # once ready: a job that fails gives None (the worker is ended), and the next job starts a fresh one
    assert _when_ready(worker, s) is not None
    assert worker.try_run("{not json", 0) is None and worker.pid is None
    assert _when_ready(worker, s) is not None
    # a worker that dies between jobs: None, then a fresh one
    os.kill(worker.pid or 0, signal.SIGKILL)
    worker._proc.wait(5)
    assert worker.try_run(s, 0) is None
    assert _when_ready(worker, s) is not None


def _when_ready(worker: range_worker.RangeWorker, scenario_json: str):
    for _ in range(150):
        got = worker.try_run(scenario_json, 0)
        if got is not None:
            return got
        time.sleep(0.1)
    return None


def test_the_model_worker_works_out_the_long_run_as_the_library_does(worker) -> None:
    from csc_model.reporting.results import long_run_shares

    s = default_scenario()
    worker.warm_up()
    got = None
    for _ in range(150):
        got = worker.try_run(s.to_json(indent=None), kind="long_run", years=12)
        if got is not None:
            break
        time.sleep(0.1)
    assert got == long_run_shares(s, years=12)
