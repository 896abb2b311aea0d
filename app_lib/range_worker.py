"""The range of outcomes worked out in a second process, so the web server keeps answering.

The Streamlit server is one Python process: while a range of outcomes (hundreds of stochastic
runs, 1-6 s of CPU) runs in a session's thread it holds the interpreter lock most of the time,
and every other user's page waits. On a two-core machine, one worker process lets the ranges use
the second core while the server draws pages on the first.

Safe by construction:

* the worker is a fresh interpreter started with :mod:`subprocess` (fork and exec at once),
  never a Python-level fork of the multi-threaded server, so it inherits no lock another thread
  held; it imports only the model (``multiprocessing``'s spawn would re-run the app's script in
  the child, which Streamlit registers as ``__main__``);
* one job at a time (the server's :class:`~app_lib.server_limits.Gate` already lets one range
  through at a time); the worker reports its progress after each block of runs;
* Stop (or a session that goes away) terminates the worker, which frees its CPU at once; the
  next range starts a fresh one;
* if the worker cannot start or dies, the range is computed in the session's thread as before.

Set ``CSC_RANGE_WORKER=0`` to always compute in the session's thread.

The same class also serves the app's *deterministic* projections (a new scenario: about 70 ms of
numpy and pandas work) from a second worker, the *model worker* (:meth:`RangeWorker.try_run`).
Under load, twenty sessions' model runs held the server's interpreter lock for about a third of
its time; in the worker they use the second core and the server only waits. A session never
waits long for it: when the model worker is busy with another session's scenario for more than
a moment, still starting, or gone, the scenario is projected in the session's thread as before
(the same code, the same numbers). Set ``CSC_MODEL_WORKER=0`` to keep every deterministic run in
the session's thread.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from app_lib.projection import Progress, Tables

POLL_SECONDS = 0.25
SILENCE_SECONDS = 120.0
"""The longest the worker may say nothing (no "ready", no progress, no answer) before it is taken for stuck,
ended, and the job worked out in the session's thread: a started worker says "ready" after its imports (a
few seconds) and reports progress after every block of runs, so silence this long means it is stuck (a
hang seen once in the test suite on a loaded machine), and a session must never wait on it for ever."""
ROOT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("!Q")


def enabled() -> bool:
    """Whether ranges of outcomes go to the worker process (``CSC_RANGE_WORKER=0`` turns them off)."""
    return os.environ.get("CSC_RANGE_WORKER", "1") != "0"


def model_worker_enabled() -> bool:
    """Whether new scenarios are projected in the model worker (``CSC_MODEL_WORKER=0`` turns it off)."""
    return os.environ.get("CSC_MODEL_WORKER", "1") != "0"


def _send(stream: IO[bytes], message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(_HEADER.pack(len(body)) + body)
    while data:  # an unbuffered pipe (the server's end) may take a long message in parts
        written = stream.write(data)
        data = data[written if written is not None else len(data) :]
    stream.flush()


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


MAX_MESSAGE_BYTES = 1 << 32
"""Far above any answer (a range of 1,000 runs pickles to tens of MB): a larger header is not one of ours (text
written to the pipe by something else), and reading that many bytes would wait for ever."""


def _receive(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    if size > MAX_MESSAGE_BYTES:
        raise pickle.UnpicklingError(f"not a message of the worker's ({size:,} bytes announced)")
    return pickle.loads(_read_exactly(stream, size))


def _serve(inp: IO[bytes], out: IO[bytes]) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: receive (scenario JSON, runs, seed[, kind]), send progress, then the answer.

    ``kind`` "tables" (the default) answers the projection's :class:`Tables` (a range of outcomes when
    ``runs`` > 0); "long_run" answers :func:`csc_model.reporting.results.long_run_shares` over ``runs`` years.
    """
    from app_lib import server_limits as limits
    from app_lib.projection import compute
    from csc_model import Scenario
    from csc_model.reporting.results import long_run_shares

    limits.limit_native_threads(1)
    _send(out, ("ready", None))  # the imports are done: jobs are answered at once from now on
    while True:
        try:
            scenario_json, runs, seed, *kind = _receive(inp)
        except EOFError:
            return
        try:
            scenario = Scenario.from_json(scenario_json)
            if kind and kind[0] == "long_run":
                answer: Any = long_run_shares(scenario, years=runs)
            else:
                answer = compute(scenario, runs, seed, lambda share, _what: _send(out, ("progress", float(share))))
            _send(out, ("done", answer))
        except Exception as exc:  # reported to the session, which computes in its own thread
            _send(out, ("error", f"{type(exc).__name__}: {exc}"))
        finally:
            limits.release_memory()


class WorkerFailed(RuntimeError):
    """The worker could not start, died, or failed on the job (the caller computes in-thread)."""


class RangeWorker:
    """One worker process (``python -m app_lib.range_worker``), started when first needed, restarted after a Stop.

    Started with :mod:`subprocess` (fork and exec at once: no Python code of the server runs in the
    child, and the child imports only the model, not the app's script) and spoken to over its
    standard input and output.
    """

    command: tuple[str, ...] = ("-m", "app_lib.range_worker")
    """The worker's command line after the Python executable (a test puts a silent process here)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False  # the process has finished its imports

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _start(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        self._proc = subprocess.Popen(
            [sys.executable, *self.command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # unbuffered: the server waits for the worker with select() on the pipe, which sees only what is
            # still in the pipe. A buffered reader read ahead: reading "ready" it also took the next message
            # (the answer) into its buffer, and select() then waited for ever for bytes already read (a hang
            # found on 1 December on a loaded machine, when the two messages came close together)
            bufsize=0,
            cwd=ROOT,
            env=env,
            close_fds=True,
        )
        self._ready = False

    def warm_up(self) -> None:
        """Start the process now (if it is not running), so that it is ready when first needed."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                try:
                    self._start()
                except OSError:
                    self._proc = None

    def _is_ready(self) -> bool:
        """Whether the process has said it is ready (reads its "ready" without waiting)."""
        proc = self._proc
        if self._ready or proc is None or proc.stdout is None:
            return self._ready
        if select.select([proc.stdout], [], [], 0)[0]:
            kind, _ = _receive(proc.stdout)
            self._ready = kind == "ready"
        return self._ready

    def try_run(
        self, scenario_json: str, seed: int = 0, wait_s: float = 0.1, kind: str = "tables", years: int = 0
    ) -> Any:
        """The deterministic projection of a scenario from the worker, or None (the caller computes it).

        With ``kind="long_run"``: its long-run shares over ``years`` years instead.

        None when another job holds the worker for more than ``wait_s`` seconds, when the process
        is still starting (it is started then, for next time), or when it fails (it is ended then,
        and started again next time). Never raises for the worker's sake.
        """
        if not self._lock.acquire(timeout=wait_s):
            return None
        try:
            if self._proc is None or self._proc.poll() is not None:
                self._start()
            if not self._is_ready():
                return None
            assert self._proc is not None and self._proc.stdin is not None
            _send(
                self._proc.stdin,
                (scenario_json, years, seed, "long_run") if kind == "long_run" else (scenario_json, 0, seed),
            )
            return self._wait(None)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, WorkerFailed):
            self.stop()
            return None
        except BaseException:
            self.stop()
            raise
        finally:
            self._lock.release()

    def shutdown(self) -> None:
        """End the process once its current job (if any) is done: the server has been idle a while."""
        with self._lock:
            self.stop()

    def stop(self) -> None:
        """End the worker process now (its job, if any, is abandoned)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - terminate is normally enough
            proc.kill()
            proc.wait(5)

    def run(self, scenario_json: str, runs: int, seed: int, progress: Progress | None = None) -> Tables:
        """The projection of a scenario (a range of outcomes when ``runs`` > 0), worked out in the worker.

        ``progress`` is called in the caller's thread after each block of runs and between polls; if
        it raises (Stop), the worker is terminated and the exception goes on up.
        """
        with self._lock:
            try:
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                assert self._proc is not None and self._proc.stdin is not None
                _send(self._proc.stdin, (scenario_json, runs, seed))
            except (OSError, ValueError) as exc:
                self.stop()
                raise WorkerFailed(f"the worker could not start: {exc}") from exc
            try:
                return self._wait(progress)
            except BaseException:
                self.stop()
                raise

    def _wait(self, progress: Progress | None) -> Any:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        heard = time.monotonic()
        while True:
            if progress is not None:
                progress(-1.0, "tick")  # lets the caller stop while the worker starts up
            ready, _, _ = select.select([proc.stdout], [], [], POLL_SECONDS)
            if not ready:
                if proc.poll() is not None:
                    raise WorkerFailed(f"the worker stopped (exit code {proc.returncode})")
                if time.monotonic() - heard > SILENCE_SECONDS:
                    raise WorkerFailed(f"the worker said nothing for {SILENCE_SECONDS:.0f} s")
                continue
            heard = time.monotonic()
            try:
                kind, payload = _receive(proc.stdout)
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                raise WorkerFailed("the worker went away") from exc
            if kind == "ready":
                self._ready = True
            elif kind == "progress":
                if progress is not None:
                    progress(payload, "running")
            elif kind == "done":
                return payload
            else:
                raise WorkerFailed(str(payload))


if __name__ == "__main__":  # pragma: no cover - the worker process
    _serve(sys.stdin.buffer, sys.stdout.buffer)
