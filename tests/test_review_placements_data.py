"""A reviewer's points on the Placements, Model and Load your data pages, checked on what each page shows.

1. Placements, three changes: three starting weekly costs per child (£1,493, £1,499, £1,500) with nothing to
   say which was which.
2. Placements: "Mostly Private children's home 46 to 38" (a capital mid-sentence) and, with the defaults,
   "Secure children's home 3 to 3 children (-£7 a week per child)".
3. Model and assumptions: the grid cut each source short and, at 1280 px, put the year out of view.
4. Load your data, example data: the warning on moves resting on the base scenario's rate left out
   "Secure children's home to Private children's home", which rests on it wholly (no child-weeks).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_lib import exports
from csc_model import default_scenario
from csc_model.scenario.config import load_placement_types

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 90
THREE_CHANGES = {
    "entries.prevented_share": "0.1",
    "proceedings.target_mean_weeks": "26.0",
    "costs.budget_overrides.2027-28": "45000000.0",
}
POUNDS = re.compile(r"£(\d{1,3}(?:,\d{3})+|\d+)(?![\d,.]*m\b)")


def _page(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


def _sentences(at: AppTest) -> list[str]:
    """The page's own words (markdown and captions, not its tables or the sidebar), escapes removed."""
    return [m.value.replace("\\", "") for m in [*at.main.markdown, *at.main.caption] if not m.value.startswith("|")]


def _drift(at: AppTest) -> str:
    """The caption on what the placement mix alone does to the cost per child (in its old wording too)."""
    return next(t for t in _sentences(at) if " alone " in t and "weekly cost per child" in t)


# --- 1. one starting weekly cost per child, or each saying what it is ---------------------------------------


def test_each_starting_weekly_cost_per_child_says_what_it_is() -> None:
    at = _page("placements", THREE_CHANGES)
    card = next(m for m in at.metric if m.label == "Weekly cost per child").value
    pounds = int(card.strip("£").replace(",", ""))
    texts = _sentences(at)
    # the card's figure is named as the year's average wherever the page gives it in words
    assert any(f"{card} in 2026-27" in t and "Averaged over each financial year" in t for t in texts), texts
    assert any("the weekly cost per child is the average over the whole year" in t for t in texts)
    # any other figure close to it (a different measure of the "same" cost) says why it differs, beside the card's
    for t in texts:
        near = {int(v.replace(",", "")) for v in POUNDS.findall(t)} - {pounds}
        if any(abs(v - pounds) <= 25 for v in near):
            assert "snapshots of one day's children" in t and f"first card's {card} for 2026-27" in t, t
    # the month's average, a third starting figure, is gone
    assert not any("over April 2026" in t for t in texts)


# --- 2. placement names in a sentence; a count that does not change -----------------------------------------


@pytest.mark.parametrize("query", [None, THREE_CHANGES], ids=["defaults", "three changes"])
def test_the_drift_names_placement_types_in_lower_case_mid_sentence(query: dict[str, str] | None) -> None:
    drift = _drift(_page("placements", query))
    for t in load_placement_types():
        if t.label[:2].isupper():  # "LA children's home" keeps its capitals
            continue
        mid_sentence = re.findall(rf"(?<![.!?]) {re.escape(t.label)}", drift)
        assert not mid_sentence, (t.label, drift)
    if query:
        assert "private children's home, 46 to 38 children (-£44 a week per child)" in drift, drift


def test_a_placement_count_that_does_not_change_reads_as_such() -> None:
    """With the defaults the secure children's home has about 3 children at both ends: not "3 to 3 children"."""
    drift = _drift(_page("placements"))
    assert not re.search(r"\b(\d+) to \1 children", drift), drift
    assert re.search(
        r"secure children's home, about 3 children throughout but a smaller share of all children in "
        r"care \(-£\d+ a week per child\)",
        drift,
        flags=re.I,
    ), drift


# --- 3. every assumption's source in full, with its year ----------------------------------------------------


def _html_rows(at: AppTest) -> list[list[str]]:
    rows = []
    for h in at.main.get("html"):
        for row in re.findall(r"<tr>(.*?)</tr>", h.proto.body, flags=re.S):
            rows.append([html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)])
    return rows


def test_the_model_page_shows_every_source_in_full_with_its_year() -> None:
    at = _page("model")
    rows = _html_rows(at)
    table = exports.assumptions_table(default_scenario())
    expected = {
        (" ".join(str(s).split()), str(y))
        for s, y in zip(table["Source of the default"], table["Year"], strict=True)
        if str(s).strip()
    }
    shown = {(r[2], r[1]) for r in rows if len(r) == 3}
    missing = [s for s in expected if s not in shown]
    assert not missing, missing[:3]
    assert any(s.startswith("Plymouth City Council: 513 in care at 31 March 2024") and y == "2023-24" for s, y in shown)

    # in the grid the year comes before the source, and the columns up to the year fit beside the sidebar at
    # 1280 px (the grid is about 850 px wide there; a 300 px source once pushed the year out of view)
    grid = at.main.dataframe[0].proto
    order = list(grid.column_order)
    assert order.index("Year") < order.index("Source of the default")
    widths = json.loads(grid.columns)
    assert sum(int(widths[c]["width"]) for c in order[: order.index("Year") + 1]) <= 650


# --- 4. moves with no child-weeks that rest wholly on the base rate are listed ------------------------------
