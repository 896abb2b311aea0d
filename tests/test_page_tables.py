"""The pages' read-only tables are Markdown tables: figures right-aligned, user text inert, and what the
page shows reads back exactly (the tests read every table through ``helpers.page_tables``)."""

from __future__ import annotations

import re

import pandas as pd
from streamlit.testing.v1 import AppTest

from app_lib.components import markdown_table

from .helpers import PAGE_FILES, ROOT, page_tables

NASTY = "[link](https://x.org) | *b* <b>h</b> \\ a_b $x$ # 1."  # under the 60 characters a name may have


class _Page:
    """Just enough of an AppTest for ``page_tables``: a list of markdown elements, and of HTML ones."""

    def __init__(self, *bodies: str, html: tuple[str, ...] = ()) -> None:
        self.markdown = [type("M", (), {"value": b})() for b in bodies]
        self._html = [type("H", (), {"proto": type("P", (), {"body": b})()})() for b in html]

    def get(self, kind: str) -> list:
        return self._html if kind == "html" else []


def test_html_tables_read_back_exactly_and_user_text_is_never_markup() -> None:
    """The Overview's tables are HTML (drawn after its first figures): every cell escaped, so a name typed
    by a user is text, never a tag; the cells read back exactly; figures right-aligned."""
    from app_lib.components import html_table_markup

    shown = pd.DataFrame(
        {"Scenario": [NASTY + " <script>x</script>", "Baseline"], "2026-27": ["£40,332,000", "-£1,000"]}
    )
    markup = html_table_markup(shown, ["2026-27"])
    assert "<script>" not in markup and "<b>h</b>" not in markup and "&lt;script&gt;" in markup
    assert markup.count('<td class="r">') == 2 and '<th class="r">2026-27</th>' in markup
    [back] = page_tables(_Page(html=(markup,)))
    pd.testing.assert_frame_equal(back, shown)


def test_cells_read_back_exactly_and_user_text_stays_inert() -> None:
    shown = pd.DataFrame(
        {
            "Scenario": [NASTY, "Baseline (defaults)", ""],
            "2026-27": ["£40,332,000", "-£1,000", ""],
            "Total": ["+5", "0", "7"],
        }
    )
    text = markdown_table(shown, ["2026-27", "Total"])
    [back] = page_tables(_Page("Some words, not a table", text))
    pd.testing.assert_frame_equal(back, shown)
    # nothing a user typed can become a link, emphasis, HTML or a formula on the page: every markup
    # character of the cell is escaped (the first " | " of the row is the real cell border)
    row = text.split("\n")[2]
    cell = row[2 : row.index(" | ")]
    assert len(cell) > len(NASTY)
    assert re.search(r"(?<!\\)[\[\]()*<>$#|_]", cell) is None


def test_figures_are_right_aligned_and_labels_left() -> None:
    shown = pd.DataFrame({"Measure": ["Spend"], "2026-27": ["£1"], "Total": ["£1"]})
    align = markdown_table(shown, ["2026-27", "Total"]).split("\n")[1]
    assert align == "| :--- | ---: | ---: |"


def test_a_line_break_in_a_cell_cannot_break_the_table() -> None:
    shown = pd.DataFrame({"Scenario": ["two\nlines"], "Total": ["1"]})
    text = markdown_table(shown, ["Total"])
    assert len(text.split("\n")) == 3
    assert list(page_tables(_Page(text))[0]["Scenario"]) == ["two lines"]


def test_a_saved_scenario_named_with_markup_is_shown_as_typed_on_compare() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(PAGE_FILES["compare"]).run()
    at.text_input(key="save_name").input(NASTY).run()
    [b for b in at.button if b.label == "Save current scenario"][0].click().run()
    assert not at.exception and not at.error
    values = page_tables(at)[0]
    assert NASTY in list(values["Scenario"])
    assert not any("<b>" in m.value and "\\<b\\>" not in m.value for m in at.markdown)
