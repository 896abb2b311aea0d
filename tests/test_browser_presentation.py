"""The councillor briefing presented on a 1920x1080 projector and a 1280x800 laptop, in a real browser.

Opens the briefing with three changes (a shared link), presses Present, and checks what a room
sees: no sidebar, headline figures at least 48 px high on the projector, every slide and its
Previous/Next buttons inside the screen without scrolling (bounding boxes), the changes named,
and the arrow keys moving between slides (Escape leaves). A screenshot of each slide goes to
``artifacts/screenshots/present_*.png`` (the laptop's as ``present_1280_*.png``; and to
``docs/screenshots/`` with ``UPDATE_DOCS_SCREENSHOTS=1``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.a11y.axe import report, run_axe, serious
from tests.test_brief import pdf_pages, pdf_text
from tests.test_browser import ARGS, CHROMIUM, DOC_SHOTS, SHOTS, no_errors, serve, settle

pytestmark = pytest.mark.browser

W, H = 1920, 1080
LAPTOP = (1280, 800)
CHANGES = (
    "proceedings.target_mean_weeks=26&proceedings.target_from_date=2026-04-01&proceedings.target_by_date=2027-03-31"
    "&entries.prevented_share=0.1&entries.prevention_start=2026-04-01"
    "&placements.shift.children_per_year=10&placements.shift.from_type=private_childrens_home"
    "&placements.shift.to_type=in_house_fostering&placements.shift.start_date=2026-04-01"
)
SLIDES = [
    "The 3 changes in this scenario",
    "Children in care",
    "Children in care, month by month",
    "Placement spending against the budget, 2027-28",
    "Spending and budget, year by year",
    "How likely is an overspend?",
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def shot(page, name: str) -> None:
    """What the projector shows: the screen, not the whole page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"present_{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") and not name.startswith(f"{LAPTOP[0]}_"):
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOC_SHOTS / f"present_{name}.png")


def px(page, selector: str, prop: str = "font-size") -> float:
    value = page.locator(selector).first.evaluate(f"e => getComputedStyle(e).getPropertyValue('{prop}')")
    return float(value.removesuffix("px"))


def title(page) -> str:
    return page.locator(".st-key-present-slide h1").first.inner_text().strip()


def bottom(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


# what a slide shows: its title, figures, chart, lines, note, toggle; and the buttons below it
SLIDE_PARTS = (
    ".st-key-present-slide h1",
    '[class*="st-key-present-value-"]',
    '[class*="st-key-present-label-"]',
    ".st-key-present-slide [data-testid='stVegaLiteChart']",
    ".st-key-present-lines",
    ".st-key-present-note",
    ".st-key-present-risk-toggle",
)
BUTTONS = ("Previous", "Next", "Leave presentation")


def outside(page, width: int, height: int) -> list[str]:
    """Each part of the slide on screen, and each of its buttons, not wholly inside the viewport."""
    out = []
    boxes = [(sel, loc) for sel in SLIDE_PARTS for loc in page.locator(sel).all()]
    boxes += [(name, page.get_by_role("button", name=name).first) for name in BUTTONS]
    for name, loc in boxes:
        box = loc.bounding_box()
        assert box is not None, name
        if (
            box["x"] < 0
            or box["y"] < 0
            or box["x"] + box["width"] > width + 0.5
            or box["y"] + box["height"] > height + 0.5
        ):
            out.append(f"{name}: {box}")
    return out


def press(page, key: str) -> None:
    before = title(page)
    page.keyboard.press(key)
    for _ in range(100):
        settle(page)
        if page.locator(".st-key-present-slide h1").count() == 0 or title(page) != before:
            return


def test_presenting_the_briefing_on_a_projector(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": W, "height": H})
    page.goto(f"{server}/briefing?{CHANGES}")
    settle(page)
    page.get_by_role("button", name="Present").first.wait_for(timeout=90_000)
    no_errors(page, "briefing")
    # on the page itself the sentences say which changes, not only how many
    body = page.locator("body").inner_text()
    assert "The 3 changes in this scenario" in body
    assert "Court proceedings brought down to 26 weeks by March 2027" in body
    # the first chart starts on the first screen (its top part at least), without scrolling
    first_chart = page.locator("[data-testid='stVegaLiteChart']").first
    first_chart.wait_for(timeout=60_000)
    box = first_chart.bounding_box()
    assert box and box["y"] < H - 150, box
    shot(page, "0_briefing_page")

    # the one-page brief downloads as a PDF, made in the server without a browser
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download the one-page brief (PDF)").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF-") and pdf_pages(data) == 1
    assert "With the 3 changes in this scenario" in pdf_text(data)
    page.keyboard.press("Home")

    page.get_by_role("button", name="Present").first.click()
    page.locator(".st-key-present-slide h1").first.wait_for(timeout=60_000)
    settle(page)
    no_errors(page, "presentation")
    assert not page.locator('[data-testid="stSidebar"]').first.is_visible()
    assert not page.locator('[data-testid="stHeader"]').first.is_visible()

    seen = []
    for k, expected in enumerate(SLIDES):
        if k:
            press(page, "ArrowRight")
        no_errors(page, f"slide {k + 1}")
        seen.append(title(page))
        assert px(page, ".st-key-present-slide h1") >= 48
        # everything on the slide, and the buttons, fit the screen: nothing to scroll to
        assert bottom(page, ".st-key-present-controls") <= H
        assert not outside(page, W, H), outside(page, W, H)
        assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight") <= H + 1
        if k == 1:  # a figures slide passes the accessibility check too (contrast, names, structure)
            found = serious(run_axe(page))
            assert not found, report(found)
        if expected == "Children in care" and k == 1:
            assert px(page, '[class*="st-key-present-value-"] p') >= 48  # the headline figure
            assert px(page, '[class*="st-key-present-label-"] p') >= 32
            assert px(page, ".st-key-present-lines p") >= 32
        if k == 0:
            text = page.locator(".st-key-present-slide").inner_text()
            assert "Court proceedings brought down to 26 weeks by March 2027" in text
            assert px(page, ".st-key-present-lines li") >= 32
        if k in (2, 4):
            chart = page.locator(
                ".st-key-present-slide [data-testid='stVegaLiteChart'] canvas, "
                ".st-key-present-slide [data-testid='stVegaLiteChart'] svg"
            ).first
            chart.wait_for(timeout=30_000)
            box = chart.bounding_box()
            assert box and box["height"] >= 400 and box["y"] + box["height"] <= H
        shot(page, f"{k + 1}_{['changes', 'children', 'children_chart', 'spend', 'spend_chart', 'risk'][k]}")
    assert seen == SLIDES

    press(page, "ArrowRight")  # the last slide stays the last
    assert title(page) == SLIDES[-1]
    press(page, "ArrowLeft")
    assert title(page) == SLIDES[-2]
    press(page, "ArrowRight")
    # the range of outcomes switched on from the last slide: the chance of an overspend, in big figures
    page.locator(".st-key-present-risk-toggle label").first.click()
    page.get_by_text("chance that placement spending in").first.wait_for(timeout=120_000)
    settle(page)
    no_errors(page, "risk slide with the range")
    assert px(page, '[class*="st-key-present-value-"] p') >= 48
    assert "in 10" in page.locator('[class*="st-key-present-value-"] p').first.inner_text() or "in 20" in (
        page.locator('[class*="st-key-present-value-"] p').first.inner_text()
    )
    assert bottom(page, ".st-key-present-controls") <= H
    assert not outside(page, W, H), outside(page, W, H)
    shot(page, "7_risk_with_range")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Present").first.wait_for(timeout=60_000)
    settle(page)
    assert page.locator('[data-testid="stSidebar"]').first.is_visible()
    no_errors(page, "after the presentation")
    page.close()


def test_presenting_the_briefing_on_a_laptop(server: str, browser) -> None:
    """At 1280x800 every slide, its chart and its Previous/Next buttons fit without scrolling."""
    w, h = LAPTOP
    page = browser.new_page(viewport={"width": w, "height": h})
    page.goto(f"{server}/briefing?{CHANGES}")
    settle(page)
    page.get_by_role("button", name="Present").first.click(timeout=90_000)
    page.locator(".st-key-present-slide h1").first.wait_for(timeout=60_000)
    settle(page)
    problems: list[str] = []
    for k, expected in enumerate(SLIDES):
        if k:
            press(page, "ArrowRight")
        no_errors(page, f"slide {k + 1} at {w}x{h}")
        assert title(page) == expected
        if k in (2, 4):  # the chart is drawn (and big enough to read) before it is measured
            page.locator(
                ".st-key-present-slide [data-testid='stVegaLiteChart'] svg, "
                ".st-key-present-slide [data-testid='stVegaLiteChart'] canvas"
            ).first.wait_for(timeout=30_000)
            box = page.locator(".st-key-present-slide [data-testid='stVegaLiteChart']").first.bounding_box()
            assert box and box["height"] >= 300, box
        shot(page, f"{w}_{k + 1}_{['changes', 'children', 'children_chart', 'spend', 'spend_chart', 'risk'][k]}")
        scroll = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        if scroll > h + 1:
            problems.append(f"{expected}: the page scrolls ({scroll} px)")
        problems += [f"{expected}: {p}" for p in outside(page, w, h)]
        assert px(page, ".st-key-present-slide h1") >= 32
    assert not problems, problems
    page.close()
