"""The app's pages under Streamlit's AppTest: rendering, levers, page switches, links, uploads, downloads.

Each test drives the real app (``app.py`` with st.navigation) and checks real figures: what
the metrics say, what the tables hold and what is in session state.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import exports, runner, urlstate
from app_lib import formatting as fmt
from csc_model import default_scenario
from csc_model.scenario.presets import apply_preset

from .helpers import PAGE_FILES, lever_input, page_tables, shown_numbers

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = PAGE_FILES
TIMEOUT = 60


def start(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    """label -> (value, delta) for every st.metric on the page."""
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def plain(markdown: str) -> str:
    """Markdown source as read on the page (escapes removed)."""
    return markdown.replace("\\", "")


def sidebar(at: AppTest) -> list:
    """Every element in the sidebar (after the page navigation)."""
    return [n for n in at.sidebar if hasattr(n, "type")]


def children_value(text: str) -> int:
    return int(text.replace(",", ""))


def money_m(text: str) -> float:
    """'£38.1m' -> 38.1; '-£450k' -> -0.45."""
    m = re.fullmatch(r"([-+]?)£([\d,.]+)([mk])", text)
    assert m, text
    return float(m.group(2).replace(",", "")) * (-1 if m.group(1) == "-" else 1) / (1 if m.group(3) == "m" else 1000)


def scenario(at: AppTest):
    return at.session_state["scenario"]


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_defaults(page: str) -> None:
    at = go(start(), page)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    titles = [t.value for t in at.title]
    expected = {
        "overview": "Overview",
        "builder": "Scenario builder",
        "compare": "Compare scenarios",
        "placements": "Placements and costs",
        "model": "Model and assumptions",
    }[page]
    assert titles == [expected]
    # the sidebar is there on every page: scenario, reset, share link, downloads
    side = sidebar(at)
    assert [n.label for n in side if n.type == "button"] == ["Reset to defaults"]
    assert [n.label for n in side if n.type == "download_button"] == [
        "Projection (Excel)",
        "By financial year (CSV)",
        "Scenario (JSON)",
    ]
    assert "0 changes from the baseline" in [n.value for n in side if n.type == "caption"]


@pytest.mark.parametrize("page", list(PAGES.values()))
def test_each_page_also_runs_on_its_own(page: str) -> None:
    """A page run directly (no app.py, so no state set up by it) initialises what it needs."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["scenario"] == default_scenario()


def test_overview_headlines_on_the_defaults_match_the_model() -> None:
    at = go(start(), "overview")
    fy = runner.tables(default_scenario()).fy
    m = metrics(at)
    assert m["Start, 1 Apr 2026"][0] == "513"  # "Now" for a start long past (a published authority at 2024)
    assert m["31 Mar 2031"][0] == fmt.children(fy["children_in_care"].iloc[-1])
    assert m["Spend 2026-27"][0] == fmt.gbp_short(fy["spend_gbp"].iloc[0])
    assert m["Pressure 2026-27"][0] == fmt.gbp_short(fy["pressure_gbp"].iloc[0])
    assert m["Spend, 5 years"][0] == fmt.gbp_short(fy["spend_gbp"].map(fmt.round_thousand).sum())
    # nothing is changed, so no metric shows a difference from the baseline
    assert all(delta == "" for _, delta in m.values())
    # one chart of children by legal stage, one of spend against budget
    assert len(at.get("vega_lite_chart")) == 2


def test_overview_cards_agree_with_the_budget_paper_table() -> None:
    """Every money card shows the exported table's figure, and a card's difference is the
    difference of the table's figures (it once said £566k over a table's £567,000, and -£336k
    over a difference table's -£337,000)."""
    for s in (default_scenario(), apply_preset(default_scenario(), "court_26_weeks")):
        at = start()
        at.session_state["scenario"] = s
        at = go(at.run(), "overview")
        m = metrics(at)
        table = exports.fy_table(runner.tables(s).fy).set_index("Financial year")
        base = exports.fy_table(runner.tables(default_scenario()).fy).set_index("Financial year")
        assert len(table) == 5 and f"Spend, {len(table)} years" in m
        for year, row in table.iterrows():
            assert row[exports.PRESSURE] == row[exports.SPEND] - row[exports.BUDGET]
            assert m[f"Pressure {year}"][0] == fmt.gbp_short(row[exports.PRESSURE])
            assert m[f"Spend {year}"][0] == fmt.gbp_short(row[exports.SPEND])
            if s != default_scenario():
                want = fmt.gbp_short(row[exports.SPEND] - base.at[year, exports.SPEND], signed=True)
                assert m[f"Spend {year}"][1] == want, year
        assert m["Pressure, 5 years"][0] == fmt.gbp_short(table[exports.PRESSURE].sum())
        # the sentence under the chart totals the same years as the card (it once said 4)
        total = table[exports.PRESSURE].sum()
        words = f"Over {table.index[0]} to {table.index[-1]} the total {'pressure' if total > 0 else 'saving'} is"
        sentence = next(md.value for md in at.markdown if words in md.value)
        assert sentence.endswith(f"{words} {fmt.gbp_short(abs(total))}.")


# ---------------------------------------------------------------------------
# Levers move the headline figures in the expected direction
# ---------------------------------------------------------------------------


def test_more_entries_means_more_children_and_more_spend() -> None:
    at = go(start(), "builder")
    before = metrics(at)
    lever_input(at, "entries.weekly_rate").set_value(5.0).run()
    assert not at.exception
    assert scenario(at).entries.weekly_rate == 5.0
    after = metrics(at)
    end = "Children in care at 31 Mar 2031"
    assert children_value(after[end][0]) > children_value(before[end][0]) + 50
    assert after[end][1].startswith("+")
    assert money_m(after["Spend 2026-27"][0]) > money_m(before["Spend 2026-27"][0])

    go(at, "overview")
    m = metrics(at)
    base_fy = runner.tables(default_scenario()).fy
    for row in base_fy.itertuples():
        label = fmt.short_date(row.period_end)
        assert children_value(m[label][0]) > row.children_in_care, label
        assert m[label][1].startswith("+"), label
    assert money_m(m["Pressure 2026-27"][0]) > money_m(fmt.gbp_short(base_fy["pressure_gbp"].iloc[0]))


def test_shorter_proceedings_preset_means_fewer_children_and_less_spend() -> None:
    at = go(start(), "overview")
    at.button(key="preset:court_26_weeks").click().run()
    assert not at.exception
    assert scenario(at).proceedings.target_mean_weeks == 26.0
    assert any("Court proceedings back to 26 weeks" in s.value for s in at.success)
    m = metrics(at)
    base_fy = runner.tables(default_scenario()).fy
    assert children_value(m["31 Mar 2031"][0]) < base_fy["children_in_care"].iloc[-1] - 20
    assert m["31 Mar 2031"][1].startswith("-")
    assert m["Spend 2027-28"][1].startswith("-")
    # the preset is now in effect, so its button is disabled; the others still combine with it
    assert at.button(key="preset:court_26_weeks").disabled
    at.button(key="preset:edge_of_care_10").click().run()
    s = scenario(at)
    assert s.proceedings.target_mean_weeks == 26.0 and s.entries.prevented_share == 0.1
    assert children_value(metrics(at)["31 Mar 2031"][0]) < children_value(m["31 Mar 2031"][0])


def test_fostering_sufficiency_lowers_the_weekly_cost_per_child() -> None:
    at = go(start(), "placements")
    before = metrics(at)["Weekly cost per child"][0]
    go(at, "builder")
    lever_input(at, "placements.shift.children_per_year").set_value(20.0).run()
    go(at, "placements")
    after = metrics(at)
    assert int(after["Weekly cost per child"][0].strip("£").replace(",", "")) < int(before.strip("£").replace(",", ""))
    assert after["In private children's homes"][1].startswith("-")


def test_budgets_are_typed_in_millions_and_kept_to_the_pound() -> None:
    """Budgets are typed in £m (36.000, not 36000000, which made a factor-of-ten slip easy),
    and what is typed becomes whole pounds in the scenario; a blank year shows the uplifted
    budget, short enough to read in the box."""
    at = go(start(), "builder")
    first = lever_input(at, "costs.budget_first_year_gbp")
    assert first.label.endswith("(£m)")
    assert first.value == pytest.approx(default_scenario().costs.budget_first_year_gbp / 1e6)
    first.set_value(37.125).run()
    assert scenario(at).costs.budget_first_year_gbp == 37_125_000
    year2 = lever_input(at, "costs.budget_overrides.2027-28")
    assert year2.label == "2027-28 (£m)" and year2.placeholder == "£37.9m"  # £37.125m uplifted 2%; fits the box
    year2.set_value(41.0).run()
    assert scenario(at).costs.budget_overrides == {"2027-28": 41_000_000}
    assert not at.exception
    # pounds typed into the £m box: refused, with the figure to type instead (review: only the range was given)
    lever_input(at, "costs.budget_first_year_gbp").set_value(45_000_000.0).run()
    assert scenario(at).costs.budget_first_year_gbp == 37_125_000
    assert any("The box is in £ millions: type 45 for £45.0m." in e.value for e in at.error)


# ---------------------------------------------------------------------------
# Inputs survive page switches; bad input is refused in plain words
# ---------------------------------------------------------------------------


def test_inputs_survive_switching_pages() -> None:
    at = go(start(), "builder")
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    lever_input(at, "costs.weekly_price_gbp.ifa").set_value(900.0).run()
    lever_input(at, "proceedings.mean_weeks").set_value(40.0).run()
    for page in ("compare", "placements", "model", "overview"):
        go(at, page)
        assert scenario(at).entries.weekly_rate == 4.4
    go(at, "builder")
    assert lever_input(at, "entries.weekly_rate").value == 4.4
    assert lever_input(at, "costs.weekly_price_gbp.ifa").value == 900.0
    assert lever_input(at, "proceedings.mean_weeks").value == 40.0
    assert "3 changes from the baseline" in [n.value for n in sidebar(at) if n.type == "caption"]
    # page preferences survive too
    go(at, "overview")
    at.toggle(key="pref:stochastic").set_value(True).run()
    go(at, "model")
    go(at, "overview")
    assert at.toggle(key="pref:stochastic").value is True
    assert any("from 200 runs" in c.value for c in at.caption)


def test_out_of_range_input_names_the_field_and_range_and_keeps_the_scenario() -> None:
    at = go(start(), "builder")
    before = metrics(at)
    lever_input(at, "entries.weekly_rate").set_value(900.0).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "Children entering care per week" in errors[0]
    assert "0 to 500 children a week" in errors[0]
    assert "not applied" in errors[0]
    assert scenario(at) == default_scenario()
    assert metrics(at) == before
    # a good value afterwards clears the message
    lever_input(at, "entries.weekly_rate").set_value(4.0).run()
    assert not at.error
    assert scenario(at).entries.weekly_rate == 4.0


def test_shares_that_do_not_add_up_are_refused() -> None:
    oc = default_scenario().proceedings.outcome_shares
    home = round(oc["returned_home"] * 100 + 18.0, 2)  # 18 points too many
    at = go(start(), "builder")
    lever_input(at, "proceedings.outcome_shares.returned_home").set_value(home)
    submit = [b for b in at.button if b.label == "Apply outcomes"][0]
    submit.click().run()
    errors = [plain(e.value) for e in at.error]
    assert any("Outcomes at the final hearing" in e and "add up to 1.18" in e for e in errors), errors
    assert scenario(at) == default_scenario()
    # fix the sum (18 points fewer in care orders) and apply: accepted
    lever_input(at, "proceedings.outcome_shares.care_order").set_value(round(oc["care_order"] * 100 - 18.0, 2))
    [b for b in at.button if b.label == "Apply outcomes"][0].click().run()
    assert not at.error
    assert scenario(at).proceedings.outcome_shares["returned_home"] == pytest.approx(home / 100)


def test_reset_returns_to_the_defaults() -> None:
    at = go(start(), "builder")
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    at.button(key="reset").click().run()
    assert scenario(at) == default_scenario()
    assert lever_input(at, "entries.weekly_rate").value == 3.8


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------


def test_the_url_follows_the_scenario_and_a_link_restores_it() -> None:
    at = go(start(), "builder")
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    at.button(key="preset:inflation_shock").click().run()
    at.button(key="preset:sibling_surge").click().run()
    wanted = scenario(at)
    params = {k: v for k, v in at.query_params.items() if urlstate.is_scenario_param(k)}
    assert params["entries.weekly_rate"] == "4.4"
    assert params["costs.inflation_overrides.2027-28"] == "0.1"
    assert json.loads(params["entries.surges"])[0]["extra_children"] == 36.0

    fresh = start(params)  # a new session opening the shared link
    assert scenario(fresh) == wanted
    assert any("Opened the scenario from the link" in s.value for s in fresh.success)
    go(fresh, "overview")
    assert metrics(fresh)["31 Mar 2031"][1].startswith("+")


def test_the_sidebar_share_link_opens_the_front_page_with_the_changes() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = "https://council.example/explorer/builder"
    at.run()
    go(at, "builder")
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    codes = [n.value for n in sidebar(at) if n.type == "code"]
    assert codes == ["https://council.example/explorer/?entries.weekly_rate=4.4"]


def test_a_bad_link_explains_the_problem_and_shows_the_defaults() -> None:
    at = start({"entries.weekly_rate": "-4", "proceedings.mean_weeks": "forty"})
    assert scenario(at) == default_scenario()
    text = " ".join(e.value for e in at.error)
    assert "could not be opened" in text
    assert "Children entering care per week" in text and "Average length of care proceedings" in text


# ---------------------------------------------------------------------------
# Scenario files
# ---------------------------------------------------------------------------


def _changed_builder() -> AppTest:
    at = go(start(), "builder")
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    return at


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"this is not json", "is not valid JSON"),
        (json.dumps({"version": 99}).encode(), "format version is not supported"),
        (
            default_scenario().to_json().replace('"weekly_rate": 3.8', '"weekly_rate": -3').encode(),
            "Children entering care per week",
        ),
        (b"{" + b" " * 1_500_000 + b"}", "at most 1 MB"),
    ],
    ids=["not-json", "wrong-version", "failed-validation", "too-big"],
)
def test_a_bad_upload_shows_the_problem_and_keeps_the_scenario(content: bytes, expected: str) -> None:
    at = _changed_builder()
    kept = scenario(at)
    at.file_uploader(key="upload_scenario").upload("scenario.json", content, "application/json")
    at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert expected in text, text
    assert "has not been changed" in text
    assert scenario(at) == kept


def test_a_good_upload_replaces_the_scenario() -> None:
    at = _changed_builder()
    wanted = apply_preset(default_scenario(), "court_26_weeks").replace(name="Court plan")
    at.file_uploader(key="upload_scenario").upload("court.json", wanted.to_json().encode(), "application/json")
    at.run()
    assert scenario(at) == wanted
    assert any("Court plan" in s.value for s in at.success)


# ---------------------------------------------------------------------------
# Downloads hold the figures the page shows
# ---------------------------------------------------------------------------


def test_downloads_contain_the_figures_on_the_page() -> None:
    at = go(start(), "overview")
    at.button(key="preset:edge_of_care_10").click().run()
    s = scenario(at)
    paper = shown_numbers(
        page_tables(at)[-1]
    )  # the budget paper: measures down (baseline, scenario, difference), years across
    shown = paper[paper["Figure"] == "Scenario"].drop(columns="Figure").set_index("Measure")
    t = runner.tables(s)

    # Excel workbook: the same table, the same numbers
    book = openpyxl.load_workbook(io.BytesIO(exports.workbook_bytes(s, t.fy, t.month, t.placement_fy, charts=False)))
    assert book.sheetnames[:3] == ["Changes from the baseline", "By financial year", "By month"]
    sheet = pd.DataFrame(book["By financial year"].values)
    sheet.columns = sheet.iloc[0]
    sheet = sheet.iloc[1:]
    sheet = sheet[sheet["Figure"] == "Scenario"].set_index("Measure")  # the budget paper's scenario rows
    both = [m for m in shown.index if m in sheet.index]
    assert len(both) == 6, both
    for measure in both:
        for year in [c for c in shown.columns if c != "Total"]:
            assert int(sheet.loc[measure, year]) == int(shown.loc[measure, year]), (measure, year)
    # the headline metric is the rounded table figure
    spend = int(shown.loc[exports.SPEND, "2026-27"])
    assert metrics(at)["Spend 2026-27"][0] == fmt.gbp_short(spend)
    # the scenario JSON sheet reloads to the same scenario
    lines = [row[0] for row in book["Scenario JSON"].iter_rows(min_row=2, values_only=True)]
    from csc_model import Scenario

    assert Scenario.from_json("\n".join(lines)) == s

    # CSV (the sidebar's download): the same table, baseline, scenario and difference
    from app_lib import components

    csv = pd.read_csv(io.BytesIO(components._fy_csv(t.fy, runner.tables(default_scenario()).fy)), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(csv, paper.reset_index(drop=True), check_dtype=False)


def test_compare_page_saves_scenarios_and_explains_the_difference() -> None:
    at = go(start(), "overview")
    at.button(key="preset:court_26_weeks").click().run()
    at.button(key="preset:inflation_shock").click().run()
    go(at, "compare")
    at.text_input(key="save_name").input("Court and inflation").run()
    [b for b in at.button if b.label == "Save current scenario"][0].click().run()
    assert list(at.session_state["saved_scenarios"]) == ["Court and inflation"]
    assert not at.exception
    saved = at.session_state["saved_scenarios"]["Court and inflation"]
    # a different scenario under the same name is refused, not saved over the first (seen in review)
    go(at, "overview")
    at.button(key="preset:sibling_surge").click().run()
    go(at, "compare")
    at.text_input(key="save_name").input("Court and inflation").run()
    [b for b in at.button if b.label == "Save current scenario"][0].click().run()
    assert at.session_state["saved_scenarios"]["Court and inflation"] == saved
    assert any("A different scenario is already saved as" in e.value for e in at.error)
    at.session_state["scenario"] = saved  # back to the saved scenario, so the rest compares it
    at.run()

    values = shown_numbers(page_tables(at)[0]).set_index("Scenario")
    diffs = shown_numbers(page_tables(at)[1]).set_index("Scenario")
    assert list(values.index) == ["Baseline (defaults)", "Current scenario", "Court and inflation"]
    base_fy = runner.tables(default_scenario()).fy
    assert int(values.loc["Baseline (defaults)", "2026-27"]) == fmt.round_thousand(base_fy["spend_gbp"].iloc[0])
    for year in ("2026-27", "2027-28", "Total"):
        assert int(diffs.loc["Court and inflation", year]) == int(values.loc["Court and inflation", year]) - int(
            values.loc["Baseline (defaults)", year]
        )
    # the drivers chart splits the difference by lever group
    contrib = runner.lever_contributions(default_scenario(), scenario(at))
    groups = list(contrib["group"])
    assert "Court proceedings" in groups and "Costs and budget" in groups
    row = contrib.set_index("group")
    assert row.loc["Court proceedings", "spend_gbp"] < 0 < row.loc["Costs and budget", "spend_gbp"]
    total = float(runner.tables(scenario(at)).fy["spend_gbp"].sum() - base_fy["spend_gbp"].sum())
    assert contrib["spend_gbp"].sum() == pytest.approx(total)
    assert len(at.get("vega_lite_chart")) == 3


def test_a_fault_in_a_page_shows_a_plain_message_and_keeps_the_sidebar(monkeypatch) -> None:
    """A page that fails part-way shows the app's own message, never a traceback, and the sidebar
    (sent after the page) is still there, so that "reset to the defaults from the sidebar" can be done."""
    from app_lib import summaries

    def broken(*_args, **_kwargs):
        raise RuntimeError("a fault in the page")

    monkeypatch.setattr(summaries, "children_summary", broken)
    at = start()
    assert not at.exception
    assert [e for e in at.error if "Something went wrong while drawing this page" in e.value]
    assert [b for b in at.sidebar.button if b.key == "reset"], "the sidebar's reset button is missing"
    assert at.metric, "the figures drawn before the fault stay"


def test_a_fault_in_the_sidebar_leaves_the_page_drawn(monkeypatch) -> None:
    """The sidebar comes after the page: if it fails, the page's figures are all there and the sidebar
    says it could not be drawn, with no traceback."""

    def broken(*_args, **_kwargs):
        raise RuntimeError("a fault in the sidebar")

    monkeypatch.setattr(urlstate, "share_url", broken)
    at = start()
    assert not at.exception
    assert not [e for e in at.error if "Something went wrong" in e.value]
    assert [e for e in at.sidebar.error if "sidebar could not be drawn" in e.value]
    assert len(at.metric) >= 10 and page_tables(at), "the Overview's figures and tables are drawn"


def test_a_cleared_number_box_changes_nothing_and_says_so() -> None:
    """Seen in review: clearing "Children entering care per week" (to retype it) applied 0, and the children
    in care at 31 March 2031 went from 515 to 154 without a word. A cleared box is now "enter a number"."""
    at = go(start(), "builder")
    before = scenario(at)
    box = at.number_input(key="lever:entries.weekly_rate")
    # no default for the browser to fall back to when the box is cleared (it was 0.0): cleared sends None
    assert not box.proto.HasField("default")
    box.set_value(None).run()
    assert not at.exception
    assert scenario(at) == before
    assert any("enter a number" in e.value for e in at.error)
    # a number typed again is applied as usual
    at.number_input(key="lever:entries.weekly_rate").set_value(4.0).run()
    assert scenario(at).entries.weekly_rate == 4.0


def test_a_scenario_starting_on_another_date_is_compared_only_where_the_dates_meet() -> None:
    """A shared link of a scenario from a return at 31 March 2025 showed 'Start 339, -174' against the
    baseline's children on 1 April 2026, a year apart. The start card has no difference then, the years both
    cover keep theirs, and the caption says so."""
    at = start()
    at.session_state["scenario"] = default_scenario().with_values({"start_date": "2025-04-01"})
    at = go(at, "overview")
    m = metrics(at)
    assert m["Start, 1 Apr 2025"][1] == ""  # no difference
    assert m["31 Mar 2027"][1] != "" and m["31 Mar 2026"][1] == ""  # 2026-27 in both; 2025-26 only here
    assert any("only the dates and years both cover are compared" in plain(c.value) for c in at.caption)


def test_a_higher_budget_is_not_shown_red_as_an_overspend_is() -> None:
    """'Budget, 5 years +£16.7m' was red with an up arrow, like more spending, though more budget lowers the
    pressure (first review). Spend and pressure stay red when they rise."""
    at = start()
    at.session_state["scenario"] = default_scenario().with_values({"costs.budget_annual_uplift": 0.05})
    at = go(at, "overview")
    colour = {m.label: m.proto.color for m in at.metric if m.proto.delta}
    budget = next(k for k in colour if k.startswith("Budget, "))
    pressure = next(k for k in colour if k.startswith("Pressure, "))
    # more budget and less pressure are the same good news: one colour (before, the budget's rise was red)
    assert colour[budget] == colour[pressure]


def test_prices_quoted_after_the_projection_starts_are_explained_not_refused() -> None:
    """A price base year after the first projection year is allowed (the back-tests quote 2023-24 prices
    for 2021), but the builder says how the earlier years' prices follow (second review)."""
    at = go(start(), "builder")
    assert not [i for i in at.info if "taken back by" in i.value]
    lever_input(at, "costs.price_base_year", "text_input").set_value("2028-29").run()
    assert not at.exception and not at.error
    assert scenario(at).costs.price_base_year == "2028-29"
    notes = [i.value for i in at.info if "taken back by" in i.value]
    assert len(notes) == 1 and "2028-29 prices" in notes[0] and "(2026-27)" in notes[0]
