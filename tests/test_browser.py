"""End to end in a real browser: `streamlit run app.py`, driven by Playwright in headless Chromium.

Moves a lever on the scenario builder, switches to the overview and checks the headline
changed, visits every page (no exception shown anywhere), runs the accessibility check on
the overview and briefing pages, and saves a screenshot of every page to
``artifacts/screenshots/`` (set ``UPDATE_DOCS_SCREENSHOTS=1`` to refresh ``docs/screenshots/``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.a11y.axe import report, run_axe, serious

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
DOC_SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = [
    ("overview", "Overview"),
    ("builder", "Scenario builder"),
    ("compare", "Compare scenarios"),
    ("placements", "Placements and costs"),
    ("model", "Model and assumptions"),
    ("briefing", "Councillor briefing"),
    ("benchmarks", "Benchmarks"),
]
LEVER = re.compile(r"^Children entering care per week")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """A freshly started ``streamlit run app.py`` on a free loopback port; yields its address."""
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"streamlit did not start:\n{out}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser test: run `bash scripts/test.sh` to install it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def settle(page) -> None:
    """Wait until Streamlit has finished running the script and drawing."""
    page.wait_for_load_state("networkidle")
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=90_000)
    for _ in range(200):
        running = page.locator('[data-testid="stStatusWidget"]').count()
        skeleton = page.locator('[data-testid="stSkeleton"]').count()
        if not running and not skeleton:
            break
        time.sleep(0.1)
    time.sleep(0.8)  # charts draw after the script ends


def metrics(page, expect: str = "Mar 2031") -> dict[str, str]:
    """Headline figures by label, once the one labelled ``expect`` is drawn (a cold start is slow)."""
    page.locator('[data-testid="stMetricLabel"]', has_text=expect).first.wait_for(timeout=90_000)
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
        out[label] = value
    return out


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def no_errors(page, where: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, f"exception shown on {where}"
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, f"traceback shown on {where}"


def go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    settle(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOC_SHOTS / f"{name}.png")


def test_lever_changes_headline_across_pages_and_every_page_renders(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 2200})
    page.goto(server)
    settle(page)
    no_errors(page, "overview")
    before = metrics(page)
    end_label = next(k for k in before if "Mar 2031" in k)  # children in care at the end
    base_children = number(before[end_label])
    shot(page, "overview_default")

    go(page, "Scenario builder")
    box = page.get_by_label(LEVER).first
    box.fill("6")
    box.press("Enter")
    settle(page)
    no_errors(page, "scenario builder")
    shot(page, "builder")

    go(page, "Overview")
    after = metrics(page)
    changed_children = number(after[end_label])
    assert changed_children > base_children + 50, (base_children, changed_children)
    no_errors(page, "overview after change")
    shot(page, "overview")
    # the budget paper pastes into Excel as rows and columns: selected, it copies as tab-separated rows
    copied = page.evaluate(
        """() => {
          const t = [...document.querySelectorAll("[data-testid='stMarkdown'] table, table.csc-table")].pop();
          const r = document.createRange(); r.selectNode(t);
          const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
          return s.toString();
        }"""
    )
    rows = [line.split("\t") for line in copied.strip().splitlines()]
    assert rows[0][:3] == ["Measure", "Figure", "2026-27"] and rows[0][-1] == "Total", rows[0]
    assert len({len(r) for r in rows}) == 1 and len(rows) >= 10, [len(r) for r in rows]
    assert rows[1][:2] == ["Placement spend (£)", "Baseline"] and rows[1][2].startswith("£"), rows[1]

    # the input survived the page switches
    go(page, "Scenario builder")
    assert float(page.get_by_label(LEVER).first.input_value()) == pytest.approx(6.0)

    for url, title in PAGES[2:]:
        go(page, title)
        no_errors(page, title)
        shot(page, url)
    page.close()


def test_your_data_becomes_the_scenario_and_baseline_on_every_page(server: str, browser) -> None:
    """Load your data (made-up example), use it as scenario and baseline, see it on the overview."""
    page = browser.new_page(viewport={"width": 1440, "height": 2200})
    page.goto(server)
    settle(page)
    go(page, "Load your data")
    no_errors(page, "load your data")
    page.get_by_role("button", name="Try it with made-up example data").click()
    settle(page)
    page.get_by_role("button", name="Work out the figures").click()
    settle(page)
    no_errors(page, "load your data, worked out")
    in_care = metrics(page, expect="Children in care on")
    children = number(next(v for k, v in in_care.items() if k.startswith("Children in care on")))
    assert children > 100
    shot(page, "your_data")
    page.get_by_role("button", name="Use as the current scenario and as the baseline").click()
    settle(page)
    go(page, "Overview")
    now = metrics(page, expect="Start, ")
    assert number(next(v for k, v in now.items() if k.startswith("Start, "))) == pytest.approx(children, abs=0.5)
    body = page.locator("body").inner_text()
    assert "made-up example data at" in body.lower()  # the baseline is named, and not as "your data"
    # nothing changed from the baseline, so no differences are shown
    assert page.locator('[data-testid="stMetricDelta"]').count() == 0
    assert "difference from the baseline" not in body
    no_errors(page, "overview with your data")
    shot(page, "overview_your_data")
    page.close()


def test_the_builder_stays_on_its_tab_after_the_first_change(server: str, browser) -> None:
    """A first change on a tab other than the first keeps that tab open (the tabs were once
    drawn afresh when the note about differences appeared above them, going back to Entries)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server)
    settle(page)
    go(page, "Scenario builder")
    page.get_by_role("tab", name="Costs and budget").click()
    settle(page)
    box = page.locator('input[aria-label="2027-28 (£m)"]').first
    box.fill("37.5")
    box.press("Enter")
    settle(page)
    no_errors(page, "scenario builder, costs")
    selected = page.get_by_role("tab", name="Costs and budget")
    assert selected.get_attribute("aria-selected") == "true"
    assert page.locator('input[aria-label="2027-28 (£m)"]').first.is_visible()
    page.close()


def test_range_of_outcomes_runs_in_the_server(server: str, browser) -> None:
    """The stochastic band (200 runs, in the session's own thread: the server never forks) works inside a real server."""
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server)
    settle(page)
    page.get_by_text("Show the range of outcomes (P10 to P90)").first.click()
    page.get_by_text("from 200 runs").first.wait_for(timeout=90_000)
    settle(page)
    no_errors(page, "overview with the range of outcomes")
    page.get_by_text("How sure is this?").first.scroll_into_view_if_needed()
    assert page.get_by_text("chance that placement spend exceeds the budget").count() >= 1
    shot(page, "overview_range")
    page.close()


@pytest.mark.parametrize(("url", "title"), [("", "Overview"), ("briefing", "Councillor briefing")])
def test_accessibility_no_serious_violations(server: str, browser, url: str, title: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server)
    settle(page)
    if url:
        go(page, title)
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
    settle(page)
    no_errors(page, title)
    found = serious(run_axe(page))
    page.close()
    assert not found, report(found)


def test_deep_link_with_a_scenario_opens_the_page_inside_the_app(server: str, browser) -> None:
    """A shared link to an inner page keeps the app's navigation, sidebar and scenario."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/briefing?entries.weekly_rate=6")
    settle(page)
    page.get_by_text("instead of 3.8").first.wait_for(timeout=90_000)
    no_errors(page, "briefing deep link")
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Councillor briefing" in nav and "Scenario builder" in nav, nav
    body = page.locator("body").inner_text()
    assert "Councillor briefing" in body
    assert "1 change from the baseline" in body
    assert "instead of 3.8" in body  # the sentences describe the linked scenario
    page.close()


def test_a_link_with_its_baseline_shows_the_same_comparison_on_every_page(server: str, browser) -> None:
    """An authority's scenario shared with its baseline (Leeds, published figures) opens compared with Leeds,
    not with the illustrative defaults ('73 changes from the baseline' before), and keeps it across pages."""
    import datetime as dt
    from urllib.parse import urlencode

    from app_lib import urlstate
    from csc_model import default_scenario
    from csc_model.published import authorities, build_scenario
    from csc_model.scenario.presets import apply_preset

    code = next(a.code for a in authorities() if a.name == "Leeds")
    leeds = build_scenario(code, dt.date(2024, 3, 31), default_scenario())[0]
    court = apply_preset(leeds, "court_26_weeks")
    query = urlencode(urlstate.link_params(court, leeds, "Leeds at 31 March 2024"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/compare?{query}")
    settle(page)
    page.get_by_text("compared with the baseline it was made with").first.wait_for(timeout=90_000)
    n = len(urlstate.encode(court, leeds))
    for title in ("Compare scenarios", "Overview", "Councillor briefing"):
        if title != "Compare scenarios":
            go(page, title)
        sidebar = page.locator('section[data-testid="stSidebar"]')
        sidebar.get_by_text("from the baseline").first.wait_for(timeout=60_000)  # drawn after the page
        no_errors(page, f"{title}, opened from a link with its baseline")
        side = sidebar.inner_text()
        assert f"{n} change{'s' if n > 1 else ''} from the baseline" in side, (title, side[:400])
        assert "Leeds at 31 March 2024" in side, title
    page.close()


def test_a_three_megabyte_return_uploads_and_calibrates(server: str, browser, tmp_path: Path) -> None:
    """A county's episodes file (over 3 MB, made up) goes through the real upload limit and is worked out."""
    from csc_model.ssda903 import example_files

    header, episodes = example_files(19_000, seed=5)
    assert len(episodes) > 3_000_000
    (tmp_path / "header.csv").write_bytes(header)
    (tmp_path / "episodes.csv").write_bytes(episodes)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{server}/data")
    settle(page)
    inputs = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    inputs.nth(0).set_input_files(str(tmp_path / "header.csv"))
    settle(page)
    inputs.nth(1).set_input_files(str(tmp_path / "episodes.csv"))
    settle(page)
    page.get_by_role("button", name="Work out the figures").first.click()
    page.get_by_text("Your figures at").first.wait_for(timeout=180_000)
    settle(page)
    body = page.locator("body").inner_text()
    # Streamlit's refusal reads "AxiosError: Request failed with status code 413" (a bare "413" also
    # matched the server's port in the share link, e.g. 127.0.0.1:41331)
    assert "AxiosError" not in body and "status code 413" not in body, "the upload was refused"
    no_errors(page, "load your data with a 3 MB return")
    shot(page, "your_data_3mb")
    page.close()


def test_stop_ends_a_long_range_of_outcomes(server: str, browser) -> None:
    """1,000 runs with a progress bar: Stop ends them and switches the range off, with a message."""
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(server)
    settle(page)
    page.get_by_text("Show the range of outcomes (P10 to P90)").first.click()
    runs = page.locator('input[aria-label="Number of simulation runs"]').first
    runs.wait_for(timeout=90_000)
    settle(page)
    runs.fill("1000")
    runs.press("Enter")
    # the app's own Stop button (key stop_range), not Streamlit's "Stop" in the running-script status
    # widget, which stops the script without a rerun (and so without the message)
    stop = page.locator(".st-key-stop_range button").first
    stop.wait_for(timeout=60_000)
    stop.click()
    page.get_by_text("The range of outcomes was stopped").first.wait_for(timeout=60_000)
    settle(page)
    no_errors(page, "overview after stopping the range")
    assert page.get_by_text("How sure is this?").count() == 0
    page.close()
