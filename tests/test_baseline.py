"""A baseline the user chooses: every page compares with it, names it, and can go back to the defaults.

Drives the real app (``app.py``) under AppTest: the baseline is made on the Compare scenarios
page, the sidebar names it and takes it away, and the headline deltas follow it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import brief, charts, runner
from csc_model import default_scenario
from csc_model.reporting.narrative import TableProjection
from csc_model.scenario.presets import apply_preset

from .helpers import PAGE_FILES, lever_input, page_tables, shown_numbers

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = PAGE_FILES | {"data": "pages/data.py", "briefing": "pages/briefing.py"}
TIMEOUT = 60


def start() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


def deltas(at: AppTest) -> dict[str, str]:
    return {m.label: m.proto.delta for m in at.metric}


def side(at: AppTest) -> list:
    return [n for n in at.sidebar if hasattr(n, "type")]


def side_text(at: AppTest) -> list[str]:
    return [n.value.replace("\\", "") for n in side(at) if n.type in ("caption", "markdown")]


def header_caption(at: AppTest) -> str:
    return at.caption[0].value.replace("\\", "")


def changed_app() -> AppTest:
    """The app with a changed scenario (more children entering care)."""
    at = go(start(), "builder")
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    assert at.session_state["scenario"].entries.weekly_rate == 4.4
    return at


def make_baseline(at: AppTest, choice: str = "Current scenario", name: str | None = None) -> AppTest:
    go(at, "compare")
    at.selectbox(key="baseline_choice").select(choice)
    if name is not None:
        at.text_input(key="baseline_name").input(name)
    at.button(key="make_baseline").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------------------
# Making a baseline
# ---------------------------------------------------------------------------


def test_the_current_scenario_as_baseline_removes_the_deltas() -> None:
    at = go(changed_app(), "overview")
    assert deltas(at)["31 Mar 2031"].startswith("+")  # against the defaults
    changed = at.session_state["scenario"]

    make_baseline(at, name="Our plan")
    assert any("Our plan" in s.value for s in at.success)
    assert at.session_state["baseline"] == (changed, "Our plan")
    assert at.session_state["scenario"] == changed  # the scenario itself is not touched

    go(at, "overview")
    assert all(d == "" for d in deltas(at).values()), deltas(at)
    caption = header_caption(at)
    assert "0 changes from the baseline" in caption
    assert "compared with the baseline (Our plan)" in caption
    assert "0 changes from the baseline" in side_text(at)
    assert "**Baseline:** Our plan" in side_text(at)

    # a further change is measured from the new baseline, not from the defaults
    go(at, "builder")
    lever_input(at, "proceedings.mean_weeks").set_value(30.0).run()
    assert "1 change from the baseline" in side_text(at)
    go(at, "overview")
    assert deltas(at)["31 Mar 2031"].startswith("-")


def test_the_baseline_is_named_on_the_compare_page_and_in_its_tables() -> None:
    at = make_baseline(changed_app(), name="Our plan")
    assert any("Baseline:** Our plan" in m.value.replace("\\", "") for m in at.markdown)
    values = shown_numbers(page_tables(at)[0]).set_index("Scenario")
    assert list(values.index) == ["Baseline (Our plan)", "Current scenario"]
    diffs = shown_numbers(page_tables(at)[1]).set_index("Scenario")
    assert (diffs.loc["Current scenario"].fillna(0) == 0).all()  # the same scenario: no difference
    assert any("no difference to explain" in c.value for c in at.caption)
    # the CSV of the comparison names the baseline too
    button = at.get("download_button")
    assert any(b.proto.label == "Download every figure (CSV)" for b in button)
    assert any(b.proto.label == "Download every figure (Excel)" for b in button)


def test_a_saved_scenario_as_baseline_with_its_own_name() -> None:
    at = go(changed_app(), "compare")
    at.text_input(key="save_name").input("Higher entries").run()
    [b for b in at.button if b.label == "Save current scenario"][0].click().run()
    saved = at.session_state["saved_scenarios"]["Higher entries"]
    at.button(key="reset").click().run()  # the current scenario back to the defaults
    assert at.session_state["scenario"] == default_scenario()

    make_baseline(at, "Higher entries")
    assert at.session_state["baseline"] == (saved, "Higher entries")
    values = shown_numbers(page_tables(at)[0]).set_index("Scenario")
    assert list(values.index)[0] == "Baseline (Higher entries)"
    go(at, "overview")
    # the defaults have fewer children entering care than the baseline
    assert deltas(at)["31 Mar 2031"].startswith("-")
    assert "compared with the baseline (Higher entries)" in header_caption(at)


def test_an_unnamed_current_scenario_gets_a_name_that_says_it_is_changed() -> None:
    at = make_baseline(changed_app())
    label = at.session_state["baseline"][1]
    assert label == f"{default_scenario().name}, with 1 change"


def test_the_defaults_chosen_as_baseline_mean_no_custom_baseline() -> None:
    at = make_baseline(start())
    assert at.session_state["baseline"] is None
    assert not [n for n in side(at) if n.type == "button" and n.label == "Compare with the defaults"]


# ---------------------------------------------------------------------------
# Resetting
# ---------------------------------------------------------------------------


def test_reset_to_defaults_resets_the_scenario_and_keeps_the_baseline() -> None:
    at = make_baseline(changed_app(), name="Our plan")
    baseline = at.session_state["baseline"]
    go(at, "overview")
    reset = at.button(key="reset")
    assert reset.label == "Reset to defaults" and not reset.disabled
    reset.click().run()
    assert at.session_state["scenario"] == default_scenario()
    assert at.session_state["baseline"] == baseline
    assert deltas(at)["31 Mar 2031"].startswith("-")  # the defaults against the higher baseline
    assert at.button(key="reset").disabled


def test_going_back_to_the_defaults_as_baseline() -> None:
    at = go(make_baseline(changed_app(), name="Our plan"), "overview")
    assert "The link opens the overview of this scenario, compared with your baseline (Our plan)." in side_text(at)
    button = at.button(key="defaults_as_baseline")
    assert button.label == "Compare with the defaults"
    button.click().run()
    assert not at.exception
    assert at.session_state["baseline"] is None
    assert any("comparing with the defaults" in s.value for s in at.success)
    assert deltas(at)["31 Mar 2031"].startswith("+")  # the changed scenario against the defaults again
    assert "compared with the baseline (the defaults)" in header_caption(at)
    assert "1 change from the baseline" in side_text(at)
    texts = side_text(at)
    assert not any(t.startswith("**Baseline:**") for t in texts)
    assert "The link opens the overview of this scenario, with its changes from the defaults." in texts
    assert not [n for n in side(at) if n.type == "button" and n.label == "Compare with the defaults"]
    go(at, "compare")
    assert list(page_tables(at)[0]["Scenario"]) == [charts.BASELINE_NAME, "Current scenario"]


def test_the_briefing_clears_changes_back_to_the_chosen_baseline() -> None:
    at = make_baseline(changed_app(), name="Our plan")
    baseline = at.session_state["baseline"][0]
    go(at, "briefing")
    assert any("Our plan" in c.value for c in at.caption)
    at.slider(key="briefing:court_weeks").set_value(26).run()
    assert at.session_state["scenario"] != baseline
    at.button(key="briefing:reset").click().run()
    assert at.session_state["scenario"] == baseline


# ---------------------------------------------------------------------------
# Every page with a custom baseline
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_baseline() -> AppTest:
    at = make_baseline(changed_app(), name="Our (plan) *one*")
    go(at, "builder")
    lever_input(at, "costs.annual_inflation").set_value(6.0).run()
    return at


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_a_custom_baseline(with_baseline: AppTest, page: str) -> None:
    at = go(with_baseline, page)
    assert not [e.value for e in at.error], [e.value for e in at.error]
    caption = header_caption(at)
    assert "1 change from the baseline" in caption
    assert "compared with the baseline (Our (plan) *one*)" in caption
    assert "**Baseline:** Our (plan) *one*" in side_text(at)


def test_the_placements_chart_names_the_baseline(with_baseline: AppTest) -> None:
    at = go(with_baseline, "placements")
    spec = at.get("vega_lite_chart")[-1].proto.spec
    assert "Baseline (Our (plan) *one*)" in spec


# ---------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------


def test_baseline_series_names_and_colours() -> None:
    assert charts.baseline_name() == charts.BASELINE_NAME == "Baseline (defaults)"
    assert charts.baseline_name("your data at 31 March 2026") == "Baseline (your data at 31 March 2026)"
    name = charts.baseline_name("Our plan")
    colours = charts.scenario_colours([name, "Current scenario"], baseline=name)
    assert colours == {name: charts.BASELINE_COLOUR, "Current scenario": charts.SCENARIO_COLOURS[0]}
    t = runner.tables(default_scenario())
    spec = charts.scenario_lines({name: t.month, "Other": t.month}, "children_in_care", "Children", baseline=name)
    enc = spec.to_dict()["encoding"]
    assert enc["strokeDash"]["scale"]["range"] == [[6, 4], [1, 0]]
    bars = charts.scenario_fy_bars({name: t.fy, "Other": t.fy}, baseline=name).to_dict()
    assert bars["encoding"]["color"]["scale"]["range"][0] == charts.BASELINE_COLOUR


def test_the_brief_names_a_chosen_baseline() -> None:
    base = apply_preset(default_scenario(), "court_26_weeks")
    t = runner.tables(base)
    proj = TableProjection(base, t.fy, t.month)
    html = brief.build_brief(proj, proj, chart_scale=0.5, baseline_label="Our <plan>")
    assert "compared with the baseline <strong>Our &lt;plan&gt;</strong>" in html
    assert "assumptions of the baseline (Our &lt;plan&gt;)" in html
    plain = brief.build_brief(proj, proj, chart_scale=0.5)
    assert "compared with the baseline" not in plain and "default assumptions" in plain


def test_comparison_rows_are_named_by_the_caller() -> None:
    from app_lib import exports

    t = runner.tables(default_scenario())
    values, diffs = exports.comparison_tables(
        {"Baseline (Our plan)": t.fy, "Current scenario": t.fy}, "Placement spend (£)"
    )
    csv = exports.comparison_csv(values, diffs, "Placement spend (£)")
    assert isinstance(csv, pd.DataFrame)
    assert list(csv["Scenario"]) == ["Baseline (Our plan)", "Current scenario", "Current scenario"]


def test_builder_captions_give_the_baseline_value_where_it_differs_from_the_default() -> None:
    at = start()
    at.session_state["baseline"] = (default_scenario().with_values({"entries.weekly_rate": 6}), "our [link](https://x)")
    go(at, "builder")
    captions = [c.value for c in at.caption]
    rate = [c for c in captions if c.replace("\\", "").startswith("Baseline (our [link](https://x)): 6")]
    assert rate, captions[:12]
    assert "\\[link\\]" in rate[0]  # the user's name for the baseline is shown as text, not as a link
    # a lever where the baseline equals the default has no such note
    assert not any("Baseline (" in c and "Average length of care proceedings" in c for c in captions)
