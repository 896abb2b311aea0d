"""The budget paper: the financial-year table a finance officer pastes (baseline, scenario and
difference, adding up as printed), the workbook behind it, Compare's download of every figure, and
how a budget typed for one year carries into the years after it."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from app_lib import budget_paper as bp
from app_lib import exports, levers, runner, sheets
from app_lib import formatting as fmt
from csc_model import Scenario, default_scenario
from csc_model.reporting.results import budget_by_fy, project, usual_budget
from csc_model.scenario.presets import apply_preset

YEARS = ["2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]


@pytest.fixture(scope="module")
def base() -> Scenario:
    return default_scenario()


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    s = apply_preset(default_scenario(), "court_26_weeks")
    return s.with_values({"costs.budget_overrides": {"2028-29": 41_000_000.0}})


@pytest.fixture(scope="module")
def base_t(base: Scenario) -> runner.Tables:
    return runner.tables(base)


@pytest.fixture(scope="module")
def scen_t(scenario: Scenario) -> runner.Tables:
    return runner.tables(scenario)


@pytest.fixture(scope="module")
def book(scenario: Scenario, scen_t: runner.Tables, base: Scenario, base_t: runner.Tables) -> openpyxl.Workbook:
    data = exports.workbook_bytes(
        scenario,
        scen_t.fy,
        scen_t.month,
        scen_t.placement_fy,
        baseline=base,
        baseline_fy=base_t.fy,
        baseline_month=base_t.month,
        baseline_label="Our plan",
        stage_month=scen_t.stage_month,
        spec_of=runner.chart_spec,  # as the sidebar calls it: charts already drawn come from the cache
    )
    return openpyxl.load_workbook(io.BytesIO(data))


# ---------------------------------------------------------------------------
# Budgets: an override is that year's budget, and later years grow from it
# ---------------------------------------------------------------------------


def test_later_years_grow_from_the_latest_override(base: Scenario) -> None:
    uplift = 1 + base.costs.budget_annual_uplift
    first = base.costs.budget_first_year_gbp
    s = base.with_values({"costs.budget_overrides": {"2028-29": 41_000_000.0}})
    budgets = budget_by_fy(s, [2026, 2027, 2028, 2029, 2030])
    assert budgets[2026] == pytest.approx(first) and budgets[2027] == pytest.approx(first * uplift)
    assert budgets[2028] == 41_000_000
    assert budgets[2029] == pytest.approx(41_000_000 * uplift)  # not first * uplift**3, £2.4m lower
    assert budgets[2030] == pytest.approx(41_000_000 * uplift**2)
    # a second override takes over from its own year
    two = base.with_values({"costs.budget_overrides": {"2027-28": 30e6, "2029-30": 50e6}})
    b2 = budget_by_fy(two, [2026, 2027, 2028, 2029, 2030])
    assert b2[2028] == pytest.approx(30e6 * uplift) and b2[2030] == pytest.approx(50e6 * uplift)
    assert b2[2026] == pytest.approx(first)
    # an override of a year before the projection starts changes nothing
    early = base.with_values({"costs.budget_overrides": {"2024-25": 10e6}})
    assert budget_by_fy(early, [2026, 2027]) == budget_by_fy(base, [2026, 2027])


def test_the_projection_and_the_builder_use_the_rule(base: Scenario) -> None:
    s = base.with_values({"costs.budget_overrides": {"2028-29": 41_000_000.0}})
    fy = project(s).table("fy").set_index("period")["budget_gbp"]
    uplift = 1 + base.costs.budget_annual_uplift
    assert fy["2029-30"] == pytest.approx(41_000_000 * uplift, rel=1e-9)
    assert fy["2030-31"] == pytest.approx(41_000_000 * uplift**2, rel=1e-9)
    # what a blank override box means: grown from the latest earlier override, not its own figure
    assert usual_budget(s, 2029) == pytest.approx(41_000_000 * uplift)
    assert usual_budget(s, 2028) == pytest.approx(base.costs.budget_first_year_gbp * uplift**2)
    assert "grow from it by the yearly budget uplift" in levers.help_text("costs.budget_overrides")


def test_budgets_are_shown_in_millions_not_padded() -> None:
    assert levers.show_value("costs.budget_first_year_gbp", 36_000_000) == "£36.0m"
    assert levers.show_value("costs.budget_overrides.2028-29", 37_125_000) == "£37.125m"
    assert levers.show_value("costs.budget_overrides", {"2028-29": 38_760_000}) == "2028-29 £38.76m"
    assert levers.show_value("costs.budget_overrides.2028-29", None) == "uplifted budget"
    box = levers.display_for("costs.budget_overrides.2028-29")
    assert box.unit == "£m" and box.fmt % box.to_widget(36e6) == "36"  # the box: "36", never "36.000"
    assert box.fmt % box.to_widget(37_125_000) == "37.125"


# ---------------------------------------------------------------------------
# The financial-year table
# ---------------------------------------------------------------------------


def test_budget_paper_table_adds_up_as_printed(scen_t: runner.Tables, base_t: runner.Tables) -> None:
    table = bp.budget_paper_table(scen_t.fy, base_t.fy)
    assert list(table.columns) == ["Measure", "Figure", *YEARS, "Total"]
    assert list(dict.fromkeys(table["Measure"])) == list(bp.MEASURES)
    assert list(table["Figure"][:3]) == ["Baseline", "Scenario", "Difference"]
    t = table.set_index(["Measure", "Figure"])
    for figure in ("Baseline", "Scenario", "Difference"):
        spend, budget, pressure = (t.loc[(m, figure), YEARS + ["Total"]] for m in (bp.SPEND, bp.BUDGET, bp.PRESSURE))
        assert (pressure == spend - budget).all()
    for measure in bp.MEASURES:
        diff = t.loc[(measure, "Difference"), YEARS]
        assert (diff == t.loc[(measure, "Scenario"), YEARS] - t.loc[(measure, "Baseline"), YEARS]).all(), measure
        row = t.loc[(measure, "Scenario")]
        if bp.MEASURES[measure].total:
            assert row["Total"] == row[YEARS].sum(), measure
        else:
            assert pd.isna(row["Total"]), measure  # children on 31 March: no total over years
    # the figures are the model's, rounded as the rest of the app rounds them
    assert t.loc[(bp.SPEND, "Scenario"), "2026-27"] == fmt.round_thousand(scen_t.fy["spend_gbp"].iloc[0])
    assert t.loc[(bp.BUDGET, "Scenario"), "2028-29"] == 41_000_000
    assert t.loc[(bp.CHILDREN_END, "Baseline"), "2030-31"] == round(base_t.fy["children_in_care"].iloc[-1])
    assert t.loc[(bp.STARTERS, "Scenario"), "Total"] == sum(round(v) for v in scen_t.fy["entries"])
    assert (t.loc[(bp.SPEND, "Difference"), YEARS] < 0).all()  # shorter proceedings cost less


def test_part_years_and_different_horizons(base_t: runner.Tables) -> None:
    short = runner.tables(default_scenario().with_values({"start_date": "2026-10-15", "years": 2}))
    t = bp.budget_paper_table(short.fy, base_t.fy).set_index(["Measure", "Figure"])
    assert list(t.loc[(bp.DAYS, "Scenario"), ["2026-27", "2027-28", "2028-29"]]) == [168, 366, 197]
    assert pd.isna(t.loc[(bp.SPEND, "Scenario"), "2029-30"]) and pd.isna(t.loc[(bp.SPEND, "Difference"), "2029-30"])
    # totals over different years are not like for like: no difference of totals
    assert pd.isna(t.loc[(bp.SPEND, "Difference"), "Total"])
    assert (
        t.loc[(bp.SPEND, "Scenario"), "Total"] == t.loc[(bp.SPEND, "Scenario"), ["2026-27", "2027-28", "2028-29"]].sum()
    )


def test_years_run_in_date_order_when_the_scenario_starts_before_its_baseline(base_t: runner.Tables) -> None:
    early = runner.tables(default_scenario().with_values({"start_date": "2024-04-01"}))
    t = bp.budget_paper_table(early.fy, base_t.fy)
    years = [c for c in t.columns if c not in ("Measure", "Figure", "Total")]
    assert years == ["2024-25", "2025-26", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    t = t.set_index(["Measure", "Figure"])
    assert pd.isna(t.loc[(bp.SPEND, "Baseline"), "2024-25"]) and pd.isna(t.loc[(bp.SPEND, "Scenario"), "2030-31"])


def test_without_a_baseline_only_the_scenario_rows(scen_t: runner.Tables) -> None:
    table = bp.budget_paper_table(scen_t.fy)
    assert set(table["Figure"]) == {"Scenario"} and len(table) == len(bp.MEASURES)


def test_page_text_signs_differences_and_leaves_no_total_blank(scen_t: runner.Tables, base_t: runner.Tables) -> None:
    shown = bp.display_frame(bp.budget_paper_table(scen_t.fy, base_t.fy)).set_index(["Measure", "Figure"])
    raw = bp.budget_paper_table(scen_t.fy, base_t.fy).set_index(["Measure", "Figure"])
    assert shown.loc[(bp.SPEND, "Scenario"), "2026-27"] == fmt.gbp(raw.loc[(bp.SPEND, "Scenario"), "2026-27"])
    assert shown.loc[(bp.SPEND, "Difference"), "2026-27"].startswith("-£")
    assert shown.loc[(bp.BUDGET, "Difference"), "2028-29"].startswith("+£")  # the override is above the uplift
    assert shown.loc[(bp.CHILDREN_END, "Difference"), "2030-31"].startswith("-")
    assert shown.loc[(bp.CHILDREN_END, "Scenario"), "Total"] == ""
    # the page right-aligns every column of figures, and only those
    assert bp.figure_columns(shown.reset_index()) == [c for c in shown.columns if c[:2] == "20" or c == "Total"]


# ---------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------


def test_workbook_sheets_named_for_what_they_hold(book: openpyxl.Workbook, scenario: Scenario) -> None:
    assert book.sheetnames == [
        "Changes from the baseline",
        "By financial year",
        "By month",
        "Spend by placement type",
        "Children by placement type",
        "Weekly prices by year",
        "Charts",
        "Assumptions",
        "Scenario JSON",
        "About",
    ]
    for ws in book.worksheets:
        if ws.title != "Charts":
            assert ws.freeze_panes == "A2", ws.title
            assert all(c.font.bold for c in ws[1] if c.value is not None), ws.title
    # the first sheet: the assumptions that differ from the baseline, with both values
    first = pd.DataFrame(book.worksheets[0].values)
    first.columns = first.iloc[0]
    first = first.iloc[1:].set_index("Field")
    assert set(first.index) == set(levers.changes(default_scenario(), scenario))
    # numbers a finance officer can calculate with, in formats that read "£41.0m" and "26 weeks"
    assert first.loc["costs.budget_overrides.2028-29", "This scenario"] == 41_000_000
    assert first.loc["proceedings.target_mean_weeks", "This scenario"] == 26
    cells = {r[-1].value: r for r in book.worksheets[0].iter_rows(min_row=2)}
    assert cells["costs.budget_overrides.2028-29"][3].number_format == '£#,##0.0,,"m"'
    assert cells["proceedings.target_mean_weeks"][3].number_format == '#,##0 "weeks"'
    assert first.loc["proceedings.target_mean_weeks", "Baseline"] == "none"  # no number: text


def test_workbook_money_is_numbers_in_pound_formats_and_totals_add_up(book: openpyxl.Workbook) -> None:
    ws = book["By financial year"]
    header = [c.value for c in ws[1]]
    assert header == ["Measure", "Figure", *YEARS, "Total"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 3 * len(bp.MEASURES)
    for row in rows:
        measure, figure = row[0].value, row[1].value
        cells = row[2:]
        expected = sheets.row_format(measure, figure)
        money = "(£)" in measure
        assert expected.startswith("+" if figure == "Difference" else ("£" if money else "#"))
        for c in cells:
            if c.value is None:
                continue
            assert isinstance(c.value, int) and c.data_type == "n", (measure, figure, c.value)
            assert c.number_format == expected, (measure, figure, c.number_format)
        years, total = [c.value for c in cells[:-1]], cells[-1].value
        if bp.MEASURES[measure].total:
            assert total == sum(years), (measure, figure)
        else:
            assert total is None
    # the columns are wide enough for their biggest figure ("£212,679,000" in the total column)
    widest = max(len(f"£{abs(r[-1].value):,}") + 1 for r in rows if r[-1].value is not None)
    assert ws.column_dimensions["H"].width >= widest
    assert ws.column_dimensions["A"].width >= len("Children in care at 31 March")


def test_workbook_dates_are_dates(book: openpyxl.Workbook) -> None:
    ws = book["By month"]
    header = [c.value for c in ws[1]]
    month, end = ws.cell(row=2, column=1), ws.cell(row=2, column=header.index("Month end") + 1)
    assert isinstance(month.value, dt.datetime) and month.value.date() == dt.date(2026, 4, 1)
    assert month.number_format == "mmm yyyy"
    assert isinstance(end.value, dt.datetime) and end.value.date() == dt.date(2026, 4, 30)
    assert end.number_format == "d mmm yyyy"
    assert book["About"]["B3"].value == "Our plan"
    produced = book["About"]["B4"]
    assert isinstance(produced.value, dt.datetime) and produced.number_format == "d mmm yyyy"
    spend = ws.cell(row=2, column=header.index(exports.SPEND) + 1)
    assert isinstance(spend.value, int) and spend.number_format.startswith("£")


def test_workbook_charts_are_images_on_their_own_sheet(book: openpyxl.Workbook) -> None:
    ws = book["Charts"]
    titles = [r[0] for r in ws.iter_rows(values_only=True) if r[0]]
    assert "Placement spend against the budget, by financial year" in titles
    assert "Children in care: the scenario and the baseline (the axis does not start at zero)" in titles
    images = ws._images
    assert len(images) == 5  # spend and budget, spend by scenario, children by scenario, legal stage, placement
    shown = {}  # top row -> height in pixels as placed on the sheet (drawn at twice that for print)
    for image in images:
        assert image._data()[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = image.anchor.ext.width / 9525, image.anchor.ext.height / 9525  # EMU to pixels
        assert image.width == pytest.approx(2 * width, abs=2)
        assert sheets.CHART_WIDTH <= width <= 1000 and height > 200
        shown[image.anchor._from.row] = height
    rows = sorted(shown)  # no image sits on top of another (rows are 20 pixels high)
    for a, b in zip(rows, rows[1:], strict=False):
        assert (b - a) * 20 >= shown[a], (a, b)


def test_a_chart_that_cannot_be_drawn_leaves_a_message_not_a_traceback(
    scenario: Scenario, scen_t: runner.Tables
) -> None:
    def broken(builder, args, kwargs):  # noqa: ANN001, ANN202 - the spec_of signature
        raise ValueError("no renderer")

    data = exports.workbook_bytes(scenario, scen_t.fy, scen_t.month, scen_t.placement_fy, spec_of=broken)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Charts"]
    texts = [r[0] for r in ws.iter_rows(values_only=True) if r[0]]
    assert any("could not be drawn" in t for t in texts) and not ws._images


# ---------------------------------------------------------------------------
# Compare: every figure, every scenario
# ---------------------------------------------------------------------------


def test_compare_download_holds_every_figure_for_every_scenario(
    scen_t: runner.Tables, base_t: runner.Tables, scenario: Scenario
) -> None:
    other = default_scenario().with_values({"entries.weekly_rate": 4.5})
    frames = {"Baseline (defaults)": base_t.fy, "Court": scen_t.fy, "More entries": runner.tables(other).fy}
    every = bp.comparison_figures(frames)
    assert list(every.columns) == ["Measure", "Scenario", "Figure", *YEARS, "Total"]
    for measure in bp.MEASURES:
        part = every[every["Measure"] == measure]
        values = part[part["Figure"] == "Value"].set_index("Scenario")
        diffs = part[part["Figure"] == "Difference from the baseline"].set_index("Scenario")
        assert list(values.index) == list(frames) and list(diffs.index) == ["Court", "More entries"]
        for name in diffs.index:
            assert (diffs.loc[name, YEARS] == values.loc[name, YEARS] - values.loc["Baseline (defaults)", YEARS]).all()
    # the same figures as the budget-paper table of one scenario against the baseline
    paper = bp.budget_paper_table(scen_t.fy, base_t.fy).set_index(["Measure", "Figure"])
    court = every[(every["Scenario"] == "Court") & (every["Figure"] == "Value")].set_index("Measure")
    for measure in bp.MEASURES:
        assert list(court.loc[measure, YEARS]) == list(paper.loc[(measure, "Scenario"), YEARS])
    # and the on-screen table is the same figures
    values, diffs = exports.comparison_tables(frames, "Pressure (£)")
    shown = values.set_index("Scenario")
    assert list(shown.loc["Court", YEARS]) == list(paper.loc[(bp.PRESSURE, "Scenario"), YEARS])
    assert shown.loc["Court", "Total"] == shown.loc["Court", YEARS].sum()

    data = exports.comparison_workbook_bytes(frames, {"Court": scenario, "More entries": other}, default_scenario())
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "Changes from the baseline",
        "Placement spend",
        "Budget",
        "Pressure",
        "Children at 31 March",
        "Children starting care",
        "Children leaving care",
        "All figures",
        "About",
    ]
    changes = pd.DataFrame(wb["Changes from the baseline"].values)
    assert set(changes.iloc[1:, 0]) == {"Court", "More entries"}
    ws = wb["Children leaving care"]
    assert [c.value for c in ws[1]] == ["Scenario", "Figure", *YEARS, "Total"] and ws.freeze_panes == "A2"
    body = list(ws.iter_rows(min_row=2))
    assert len(body) == 3 + 2
    assert all(
        isinstance(c.value, int) and c.number_format in ("#,##0", "+#,##0;-#,##0;0") for r in body for c in r[2:]
    )
    assert all(r[-1].value == sum(c.value for c in r[2:-1]) for r in body)
    assert "Total" not in [c.value for c in wb["Children at 31 March"][1]]
