"""axe-core in headless Chromium on static HTML: the printable brief has no serious problems.

Marked ``browser``: needs Debian's chromium and the bundled axe-core script (see axe.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app_lib import brief
from csc_model.reporting.results import Result, project
from csc_model.scenario import Scenario
from csc_model.scenario.presets import PRESETS, apply_preset

from .axe import AxeUnavailable, axe_script_path, report, run_axe, serious

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        axe_script_path()
    except AxeUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    pg = browser.new_page(viewport={"width": 1000, "height": 1400})
    yield pg
    pg.close()


def _brief_file(tmp_path: Path, base: Result, scen: Result, name: str = "brief.html") -> Path:
    f = tmp_path / name
    f.write_text(brief.build_brief(base, scen, today=dt.date(2026, 5, 14)), encoding="utf-8")
    return f


def test_axe_finds_problems_in_a_bad_page(page: Any, tmp_path: Path) -> None:
    # guards against a check that silently runs no rules
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>x</h1>"
        '<img src="data:image/png;base64,iVBORw0KGgo="><p style="color:#ccc">faint</p></main></body></html>'
    )
    page.goto(bad.as_uri())
    ids = {v["id"] for v in serious(run_axe(page))}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= ids


@pytest.mark.parametrize("preset", [None, "court_26_weeks"])
def test_brief_has_no_serious_accessibility_violations(
    page: Any, tmp_path: Path, base: Scenario, base_result: Result, preset: str | None
) -> None:
    s = base if preset is None else apply_preset(base, preset).replace(name="<script>alert(1)</script>")
    f = _brief_file(tmp_path, base_result, project(s))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f.as_uri())
    found = serious(run_axe(page))
    assert not found, report(found)
    # the one script is the brief's own fitting code: the name's "<script>" stayed text
    scripts = page.evaluate("() => [...document.querySelectorAll('script')].map(s => s.textContent)")
    assert scripts == [brief.FIT_SCRIPT]
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []  # opens offline


def test_brief_prints_on_one_a4_page(page: Any, tmp_path: Path, base: Scenario, base_result: Result) -> None:
    for key in (None, "court_26_weeks", "sibling_surge"):
        s = base if key is None else apply_preset(base, key)
        f = _brief_file(tmp_path, base_result, project(s), f"brief-{key}.html")
        page.goto(f.as_uri())
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
        assert pages == 1, f"{key}: {pages} pages"


def test_brief_with_every_preset_stays_readable(page: Any, tmp_path: Path, base: Scenario, base_result: Result) -> None:
    s = base
    for key in PRESETS:
        s = apply_preset(s, key)
    f = _brief_file(tmp_path, base_result, project(s), "brief-all.html")
    page.goto(f.as_uri())
    found = serious(run_axe(page))
    assert not found, report(found)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) <= 2
