"""The range of outcomes worked out in a second process, so the web server keeps answering.

The Streamlit server is one Python process: while a range of outcomes (hundreds of stochastic
runs, 1-6 s of CPU) runs in a session's thread it holds the interpreter lock most of the time,
and every other user's page waits. On a two-core machine, one worker process lets the ranges use
the second core while the server draws pages on the first.

Safe by construction:

* the worker is *spawned* (a fresh interpreter), never forked from the multi-threaded server,
  so it inherits no lock another thread held;
* one job at a time (the server's :class:`~app_lib.server_limits.Gate` already lets one range
  through at a time); the worker reports its progress after each block of runs;
* Stop (or a session that goes away) terminates the worker, which frees its CPU at once; the
  next range starts a fresh one;
* if the worker cannot start or dies, the range is computed in the session's thread as before.

Set ``CSC_RANGE_WORKER=0`` to always compute in the session's thread.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from app_lib.projection import Progress, Tables

POLL_SECONDS = 0.25


def enabled() -> bool:
    """Whether ranges go to the worker process (``CSC_RANGE_WORKER=0`` turns it off)."""
    return os.environ.get("CSC_RANGE_WORKER", "1") != "0"


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: receive (scenario JSON, runs, seed), send progress, then the tables."""
    from app_lib import server_limits as limits
    from app_lib.projection import compute
    from csc_model import Scenario

    limits.limit_native_threads(1)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        scenario_json, runs, seed = job
        try:
            tables = compute(
                Scenario.from_json(scenario_json),
                runs,
                seed,
                lambda share, _what: conn.send(("progress", float(share))),
            )
            conn.send(("done", tables))
        except Exception as exc:  # reported to the session, which computes in its own thread
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            limits.release_memory()


class WorkerFailed(RuntimeError):
    """The worker could not start, died, or failed on the job (the caller computes in-thread)."""


class RangeWorker:
    """One spawned worker process, started when first needed and restarted after a Stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def _start(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child,), name="csc-range-worker", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    def stop(self) -> None:
        """End the worker process now (its job, if any, is abandoned)."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            proc.terminate()
            proc.join(5)
            if proc.is_alive():  # pragma: no cover - terminate is normally enough
                proc.kill()
                proc.join(5)

    def run(self, scenario_json: str, runs: int, seed: int, progress: Progress | None = None) -> Tables:
        """The range of outcomes of a scenario, worked out in the worker.

        ``progress`` is called in the caller's thread after each block of runs; if it raises
        (Stop), the worker is terminated and the exception goes on up.
        """
        with self._lock:
            try:
                if self._proc is None or not self._proc.is_alive():
                    self._start()
                assert self._conn is not None
                self._conn.send((scenario_json, runs, seed))
            except (OSError, ValueError) as exc:
                self.stop()
                raise WorkerFailed(f"the worker could not start: {exc}") from exc
            try:
                return self._wait(progress)
            except BaseException:
                self.stop()
                raise

    def _wait(self, progress: Progress | None) -> Tables:
        conn, proc = self._conn, self._proc
        assert conn is not None and proc is not None
        while True:
            if progress is not None:
                progress(-1.0, "tick")  # lets the caller stop while the worker starts up
            try:
                ready = conn.poll(POLL_SECONDS)
            except (OSError, EOFError) as exc:
                raise WorkerFailed("the worker went away") from exc
            if not ready:
                if not proc.is_alive():
                    raise WorkerFailed(f"the worker stopped (exit code {proc.exitcode})")
                continue
            try:
                kind, payload = conn.recv()
            except (OSError, EOFError) as exc:
                raise WorkerFailed("the worker went away") from exc
            if kind == "progress":
                if progress is not None:
                    progress(payload, "running")
            elif kind == "done":
                return payload
            else:
                raise WorkerFailed(str(payload))
