"""The HTML brief prints on one A4 page in Chromium, however many levers the scenario changes.

With the five what-if presets applied, the HTML brief printed on two pages (its footer alone on the
second) while the page promises that both briefs fit one A4 page (second review, 30 November).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app_lib import brief
from csc_model import default_scenario
from csc_model.published import build_scenario
from csc_model.reporting.results import project
from csc_model.scenario.presets import PRESETS, apply_preset
from tests.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser


def _cases() -> dict[str, tuple]:
    base = default_scenario()
    every = base
    for key in PRESETS:
        every = apply_preset(every, key)
    more = every.with_values(
        {
            "costs.budget_overrides": {"2028-29": 45_000_000},
            "costs.inflation_overrides": {"2027-28": 0.1},
            "entries.annual_trend": 0.03,
            "costs.budget_annual_uplift": 0.03,
        }
    )
    kent, _ = build_scenario("Kent", dt.date(2024, 3, 31), base)
    kent_every = kent
    for key in PRESETS:
        kent_every = apply_preset(kent_every, key)
    kent_every = kent_every.with_values(
        {
            "name": "Kent: every what-if, a higher trend in entries and a budget uplift of 3% from 2025-26 onwards",
            "entries.annual_trend": 0.03,
            "costs.budget_annual_uplift": 0.03,
            "costs.inflation_overrides": {"2025-26": 0.1},
        }
    )
    return {
        "defaults": (base, base, None),
        # second review, 1 December: printed on two pages (the last caveat and the footer on the second)
        "edge of care, 26 weeks and a budget for 2027-28": (
            base,
            base.with_values(
                {
                    "entries.prevented_share": 0.1,
                    "proceedings.target_mean_weeks": 26.0,
                    "costs.budget_overrides": {"2027-28": 45_000_000},
                }
            ),
            None,
        ),
        "one preset": (base, apply_preset(base, "court_26_weeks"), None),
        "every preset": (base, every, None),
        "every preset and four more changes": (base, more, None),
        "Kent, published, with a change": (kent, apply_preset(kent, "court_26_weeks"), kent.name),
        "Kent, published, every preset, more changes, a long name": (kent, kent_every, kent.name),
    }


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser.new_page()
        browser.close()


@pytest.mark.parametrize("case", list(_cases()))
def test_the_html_brief_prints_on_one_a4_page(page, case: str) -> None:
    base, scen, label = _cases()[case]
    html = brief.build_brief(project(base), project(scen), baseline_label=label, chart_scale=1.0)
    page.set_content(html)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"{case}: {pages} pages"


def test_the_reader_s_browser_sets_the_brief_tighter_when_the_text_length_misjudges_it(page, monkeypatch) -> None:
    """The server guesses the density from the text's length; a brief of many short rows can need more
    room than its length says (second review, 1 December: 3,331 characters, set "normal", two pages). The
    brief's own script measures it and sets it tighter, and never tighter than it needs."""
    base, scen, label = _cases()["every preset and four more changes"]
    monkeypatch.setattr(brief, "density", lambda document: "normal")  # the guess at its worst
    html = brief.build_brief(project(base), project(scen), baseline_label=label, chart_scale=1.0)
    assert '<body class="normal">' in html
    page.set_content(html)
    assert page.evaluate("document.body.className") != "normal"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    # a short brief stays as loose as it can be
    page.set_content(brief.build_brief(project(base), project(base), chart_scale=1.0).replace("dense", "tightest"))
    assert page.evaluate("document.body.className") == "normal"
