"""What only a freshly started server shows: a bookmarked inner page opened by the first visitor.

Streamlit runs the first session of a new server process in its older multipage mode when a
``pages/`` folder exists, and that mode knows pages by file name. Each page file is therefore
named after its address; this test starts a new server for every page and opens that page's
address as the very first visitor, which is what a councillor's bookmark does after a restart.
"""

from __future__ import annotations

import re

import pytest

from app_lib.pages_index import KNOWN
from tests.test_browser import browser, no_errors, serve, settle  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser


# the default page is served at the root
@pytest.mark.parametrize(
    ("url", "title"), [("" if file == "home.py" else url, title) for file, (title, _, url) in KNOWN.items()]
)
def test_first_visitor_of_a_bookmarked_page_sees_that_page(browser, url: str, title: str) -> None:  # noqa: F811
    with serve() as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server}/{url}")
        settle(page)
        page.get_by_role("heading", name=re.compile(re.escape(title))).first.wait_for(timeout=90_000)
        settle(page)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body, f"/{url}: Streamlit said the page was not found"
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Overview" in nav and "Scenario builder" in nav, f"/{url}: no app navigation: {nav!r}"
        no_errors(page, f"/{url} on a fresh server")
        page.close()
