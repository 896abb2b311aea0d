"""Time to the first figures in a real browser, on a freshly started server.

Run from the repository root (needs the dev requirements and a Chromium; see the README)::

    python bench/bench_browser.py [--sessions 4] [--chromium /usr/bin/chromium]

Starts ``streamlit run app.py`` on a free port, then opens the overview in new browser
sessions one after another and prints, for each, the seconds from asking for the page to the
first headline figure and to the first chart. The first session also pays for the server's
imports and the first projection; later sessions show a warm server.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, timeout_s: float = 60.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not answer its health check")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=4, help="browser sessions, one after another")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t_start = time.perf_counter()
        _wait_healthy(url)
        print(f"server healthy after {time.perf_counter() - t_start:.2f} s (load average {os.getloadavg()[0]:.2f})")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            for i in range(args.sessions):
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(url + "/")
                page.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
                t1 = time.perf_counter()
                page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=60_000)
                t2 = time.perf_counter()
                kind = "cold server" if i == 0 else "warm server"
                print(f"session {i + 1} ({kind}): first headline {t1 - t0:.2f} s, first chart {t2 - t0:.2f} s")
                ctx.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
