"""Time to the first figures in a real browser, on a freshly started server.

Run from the repository root (needs the dev requirements and a Chromium; see the README)::

    python bench/bench_browser.py [--sessions 4] [--chromium /usr/bin/chromium]

Starts ``streamlit run app.py`` on a free port, then opens the overview in new browser
sessions one after another and prints, for each, the seconds from asking for the page to the
first headline figures (the Overview's sentence of them, drawn with the title), to the first card and
to the first chart. The first session also pays for the server's
imports and the first projection; later sessions show a warm server.

With ``--returning``, first figures are also timed for a returning visitor: new tabs of one browser
profile, whose cache keeps the app's script files between visits (its first tab fills the cache).

With ``--against DIR``, only the first headline is timed, for this checkout and for the checkout in
DIR (e.g. ``git worktree add /tmp/before HEAD~1``), in new browser sessions taken in turn.

With ``--floor``, the same is first timed for a Streamlit app with one heading and one figure, in a
new browser session each time: the least any Streamlit page takes to show a figure on this machine,
whatever the app does.

With ``--interactions N`` the last session then goes round the pages N times by the sidebar's
links, and changes a lever on the Scenario builder N times, and prints the seconds from the click
(or the typed value) to the new page's figures (its title and headline figures drawn, nothing
left greyed out as stale, the app no longer running), and to the changed figure: median and
maximum. Then, N times for each page but the builder, it changes the lever and switches to that
page: the page's first visit of a scenario no page has shown before (its own work not yet done).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
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


PAGES = (
    "Scenario builder",
    "Compare scenarios",
    "Placements and costs",
    "Model and assumptions",
    "Councillor briefing",
    "Overview",
)


FLOOR_APP = """import streamlit as st

st.title("Overview")
st.metric("Children in care", "510", "+6")
"""


FIRST_FIGURES = "[data-testid='stMetricValue'], .st-key-overview_headline [data-testid='stMarkdown']"
"""The first headline figures: the Overview's sentence of headline figures (Markdown, drawn with the title)
or a card, whichever the browser draws first (a card in the one-figure app and in older checkouts)."""


def _first_figures(
    browser,
    url: str,
    sessions: int,
    label: str,
    chart: bool = True,
    after=None,
    returning: bool = False,
    cold: bool = True,
) -> None:
    """Open ``url`` in ``sessions`` new browser sessions one after another; print the seconds to the
    first headline figure (and to the first chart). ``returning``: each session is a new tab of one
    browser profile, which keeps the app's files in its cache (a visitor who has opened the app before);
    otherwise each is a new profile with an empty cache (a first visit ever)."""
    shared = browser.new_context(viewport={"width": 1280, "height": 800}) if returning else None
    for i in range(sessions):
        ctx = shared or browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector(FIRST_FIGURES, timeout=60_000)
        t1 = time.perf_counter()
        line = f"{label} session {i + 1} ({'cold server' if i == 0 and cold else 'warm server'}): first headline {t1 - t0:.2f} s"
        page.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
        line += f", first card {time.perf_counter() - t0:.2f} s"
        if chart:
            page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=60_000)
            line += f", first chart {time.perf_counter() - t0:.2f} s"
        print(line)
        if after is not None and i == sessions - 1:
            after(page)
        if shared is None:
            ctx.close()
        else:
            page.close()
    if shared is not None:
        shared.close()


def _server(app: Path, cwd: Path):
    """``streamlit run app`` on a free port: (process, url)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ), f"http://127.0.0.1:{port}"


def _settled(page, title: str | None = None, timeout_ms: int = 30_000) -> None:
    """Wait until the app has finished its run: the title shown (if given), headline figures drawn,
    no element greyed out as stale and Streamlit's running indicator gone."""
    if title is not None:
        page.wait_for_function(
            "t => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === t)",
            arg=title,
            timeout=timeout_ms,
        )
    page.wait_for_function(
        """() => !document.querySelector("[data-stale='true']")
              && !document.querySelector("[data-testid='stStatusWidgetRunningIcon']")
              && !document.querySelector("[data-testid='stStatusWidget'] button")""",
        timeout=timeout_ms,
    )


def _switch(page, name: str) -> float:
    """Click the sidebar's link to page ``name``; seconds until its figures are drawn and settled."""
    link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=name).first
    t0 = time.perf_counter()
    link.click()
    _settled(page, title=name)
    page.wait_for_selector("[data-testid='stMetricValue'], [data-testid='stMarkdown']", timeout=30_000)
    return time.perf_counter() - t0


def _interactions(page, rounds: int) -> None:
    import statistics

    switches: list[float] = []
    slowest: dict[str, float] = {}
    for _ in range(rounds):
        for name in PAGES:
            switches.append(_switch(page, name))
            slowest[name] = max(slowest.get(name, 0.0), switches[-1])
    levers: list[float] = []
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Scenario builder").first.click()
    _settled(page, title="Scenario builder")
    box = page.locator("[data-testid='stNumberInput'] input").first
    for k in range(rounds * 3):
        before = page.locator("[data-testid='stMetricValue']").first.inner_text()
        t0 = time.perf_counter()
        box.fill(f"{3.0 + 0.37 * (k + 1):.2f}")
        box.press("Enter")
        page.wait_for_function(
            "b => { const m = document.querySelector(\"[data-testid='stMetricValue']\"); return m && m.innerText !== b; }",
            arg=before,
            timeout=30_000,
        )
        _settled(page)
        levers.append(time.perf_counter() - t0)
    # the first visit of each page for a scenario no page has seen: a lever changed, then the page
    after_change: list[float] = []
    slowest_new: dict[str, float] = {}
    for k in range(rounds):
        for name in PAGES[1:]:
            _switch(page, "Scenario builder")
            box = page.locator("[data-testid='stNumberInput'] input").first
            box.fill(f"{2.0 + 0.11 * (k * len(PAGES) + PAGES.index(name) + 1):.2f}")
            box.press("Enter")
            page.wait_for_timeout(300)
            _settled(page)
            after_change.append(_switch(page, name))
            slowest_new[name] = max(slowest_new.get(name, 0.0), after_change[-1])
    for what, xs in (
        ("page switch (sidebar link to the page's figures)", switches),
        ("lever change to the new figures", levers),
        ("page switch just after a lever change (the page's first visit of that scenario)", after_change),
    ):
        print(f"{what}: median {statistics.median(xs):.2f} s, max {max(xs):.2f} s (n={len(xs)})")
    print("slowest switch to each page: " + ", ".join(f"{k} {v:.2f} s" for k, v in slowest.items()))
    print("slowest switch just after a change: " + ", ".join(f"{k} {v:.2f} s" for k, v in slowest_new.items()))


def _against(browser, other: Path, sessions: int) -> None:
    """First headline of this checkout's app and of ``other``'s, in new browser sessions taken in turn
    (one of each, then again), after one untimed visit of each: on a noisy machine only a comparison
    made at the same time says which is faster."""
    import statistics

    apps = {"this checkout": ROOT, str(other): other}
    servers = {name: _server(root / "app.py", root) for name, root in apps.items()}
    times: dict[str, list[float]] = {name: [] for name in apps}
    try:
        for _, url in servers.values():
            _wait_healthy(url)
        for i in range(sessions + 1):
            for name, (_, url) in servers.items():
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(url + "/")
                page.wait_for_selector(FIRST_FIGURES, timeout=60_000)
                if i:  # the first round warms each server
                    times[name].append(time.perf_counter() - t0)
                ctx.close()
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=10)
    for name, xs in times.items():
        print(
            f"{name}: first headline median {statistics.median(xs):.2f} s ({min(xs):.2f}-{max(xs):.2f} s, n={len(xs)})"
        )
    pairs = [a - b for a, b in zip(*times.values(), strict=True)]
    print(f"this checkout minus the other, session by session: median {statistics.median(pairs):+.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=4, help="browser sessions, one after another")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--interactions", type=int, default=0, help="rounds of page switches and lever changes")
    ap.add_argument("--floor", action="store_true", help="first time a one-figure Streamlit app, for comparison")
    ap.add_argument(
        "--returning", action="store_true", help="also time first figures for a returning visitor (browser cache kept)"
    )
    ap.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="only compare first headlines with another checkout of the app (e.g. a git worktree), alternately",
    )
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        if args.against is not None:
            _against(browser, args.against.resolve(), args.sessions)
            browser.close()
            return 0
        if args.floor:
            with tempfile.TemporaryDirectory() as tmp:
                app = Path(tmp) / "floor_app.py"
                app.write_text(FLOOR_APP, encoding="utf-8")
                server, url = _server(app, Path(tmp))
                try:
                    _wait_healthy(url)
                    _first_figures(browser, url, args.sessions, "one-figure app:", chart=False)
                    if args.returning:
                        _first_figures(
                            browser,
                            url,
                            args.sessions,
                            "one-figure app, returning:",
                            chart=False,
                            returning=True,
                            cold=False,
                        )
                finally:
                    server.terminate()
                    server.wait(timeout=10)
        server, url = _server(ROOT / "app.py", ROOT)
        try:
            t_start = time.perf_counter()
            _wait_healthy(url)
            print(f"server healthy after {time.perf_counter() - t_start:.2f} s (load average {os.getloadavg()[0]:.2f})")
            after = (lambda page: _interactions(page, args.interactions)) if args.interactions else None
            _first_figures(browser, url, args.sessions, "this app:", after=after)
            if args.returning:
                _first_figures(browser, url, args.sessions, "this app, returning visitor:", returning=True, cold=False)
        finally:
            server.terminate()
            server.wait(timeout=10)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
