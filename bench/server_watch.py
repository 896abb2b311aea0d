"""The server side of the load test (bench/load_test.py): start it, watch its health, memory and CPU.

Linux only: memory and CPU are read from /proc (the server and every process below it).
"""

from __future__ import annotations

import collections
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROJECT_CODE = ("app_lib/", "csc_model/", "pages/", "app.py")  # how py-spy names the project's files


def start_server(env: dict[str, str], log: IO[bytes]) -> tuple[subprocess.Popen[bytes], str]:
    """``streamlit run app.py`` with this Python, headless, on a free loopback port; returns it and its URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    # no overrides of .streamlit/config.toml: the load test measures the server as it is shipped
    cmd += ["--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, f"http://127.0.0.1:{port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str, timeout_s: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout_s) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def wait_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float = 90.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (status {server.returncode}) before it was healthy")
        if healthy(url, 2):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not answer its health check within {timeout_s:g} s")


def tree_sample(root: int) -> dict[str, float] | None:
    """RSS (MB) of ``root`` and of ``root`` with its descendants, their count, and CPU seconds.

    CPU: user + system time of the root, of its live descendants and of the children it has
    reaped. A child's RSS counts again the pages it shares with the server (a forked child).
    """
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            stats[int(entry.name)] = text[text.rindex(")") + 2 :].split()  # from field 3, "state"
    if root not in stats:
        return None
    children: dict[int, list[int]] = collections.defaultdict(list)
    for pid, st in stats.items():
        children[int(st[1])].append(pid)  # field 4: parent pid
    tree, todo = [], [root]
    while todo:
        tree.append(todo.pop())
        todo.extend(children[tree[-1]])

    def rss(pid: int) -> float:
        return int(stats[pid][21]) * PAGE_SIZE / 2**20  # field 24: rss in pages

    def cpu(pid: int) -> float:  # fields 14-17: utime, stime, cutime, cstime (reaped children)
        st = stats[pid]
        return (int(st[11]) + int(st[12]) + (int(st[13]) + int(st[14]) if pid == root else 0)) / CLOCK_TICKS

    return {
        "server_rss_mb": round(rss(root), 1),
        "tree_rss_mb": round(sum(map(rss, tree)), 1),
        "processes": len(tree),
        "cpu_s": round(sum(map(cpu, tree)), 2),
    }


class Sampler(threading.Thread):
    """The server's memory and CPU every second, and its health every 5 s, in a thread."""

    def __init__(self, pid: int, url: str, t0: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.url, self.t0 = pid, url, t0
        self.samples: list[dict[str, Any]] = []
        self.health: list[tuple[float, bool]] = []
        self.phase = "load"  # then "after"
        self._done = threading.Event()

    def run(self) -> None:
        next_health = 0.0
        while not self._done.is_set():
            now = time.monotonic()
            sample = tree_sample(self.pid)
            if sample is not None:
                self.samples.append({"t_s": round(now - self.t0, 2), "phase": self.phase, **sample})
            if now >= next_health:
                self.health.append((round(now - self.t0, 2), healthy(self.url)))
                next_health = time.monotonic() + 5.0
            self._done.wait(max(0.0, 1.0 - (time.monotonic() - now)))

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=10)


def profile_summary(path: Path, rate: int, top: int = 15) -> dict[str, Any]:
    """From py-spy's raw stacks: the project's functions by the samples in them or in what they call.

    py-spy leaves out idle threads, but a thread waiting in C code (a lock, a socket) still counts.
    """
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for frame in set(stack.split(";")):
            if not frame.startswith("process ") and any(p in frame for p in PROJECT_CODE):
                inclusive[frame] += int(count)
    return {
        "thread_samples": total,
        "thread_s": round(total / rate, 1),
        "project_functions": [(f, n, round(100 * n / max(1, total), 1)) for f, n in inclusive.most_common(top)],
    }
