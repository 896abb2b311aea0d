"""A room opening the link at once: what Streamlit's server pays to send new visitors its files.

Run from the repository root (needs the dev requirements and a Chromium; see the README)::

    python bench/bench_static.py [--visitors 30] [--chromium /usr/bin/chromium]

Starts ``streamlit run app.py`` on a free port and opens the Overview once in Chromium to list the
files a first visit asks for (scripts, styles, fonts). Then ``--visitors`` clients fetch the page and
every one of those files at the same moment, each one file after another, as visitors with an empty
browser cache would. Prints the wall time until the last visitor had every file and the server
process's CPU time: Streamlit serves these files from its one Python process, on the thread that also
carries every session's messages, so a burst of new visitors slows every session while it lasts.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import ROOT, _server, _wait_healthy  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _files_of_a_first_visit(url: str, chromium: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_context().new_page()
        page.goto(url + "/")
        page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=60_000)
        names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        browser.close()
    return [n for n in names if "/static/" in n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=30, help="visitors arriving at the same moment (30)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args(argv)
    server, url = _server(ROOT / "app.py", ROOT)
    try:
        _wait_healthy(url)
        files = _files_of_a_first_visit(url, args.chromium)
        time.sleep(10)  # the server's warm-up (its own thread) is over before the burst

        def visitor(_: int) -> tuple[float, int]:
            t0, size = time.perf_counter(), 0
            for name in [url + "/", *files]:
                with urllib.request.urlopen(name, timeout=120) as r:
                    size += len(r.read())
            return time.perf_counter() - t0, size

        cpu0, t0 = _cpu_seconds(server.pid), time.perf_counter()
        with cf.ThreadPoolExecutor(args.visitors) as pool:
            results = list(pool.map(visitor, range(args.visitors)))
        wall, cpu = time.perf_counter() - t0, _cpu_seconds(server.pid) - cpu0
        print(f"a first visit asks for {len(files)} files, {results[0][1] / 1e6:.1f} MB")
        print(
            f"{args.visitors} visitors at once: the last had every file after {wall:.2f} s; "
            f"server CPU {cpu:.2f} s ({cpu / args.visitors * 1000:.0f} ms a visitor)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
