"""Downloads and tables: rounding that adds up, the workbook's sheets and formats, assumptions with sources."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from app_lib import exports, runner, uploads
from app_lib import formatting as fmt
from csc_model import Scenario, default_scenario
from csc_model.scenario.config import load_sources
from csc_model.scenario.presets import apply_preset


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return apply_preset(apply_preset(default_scenario(), "court_26_weeks"), "inflation_shock")


@pytest.fixture(scope="module")
def tables(scenario: Scenario) -> runner.Tables:
    return runner.tables(scenario)


def test_fy_table_rounds_money_to_thousands_and_adds_up(tables: runner.Tables) -> None:
    t = exports.fy_table(tables.fy)
    assert list(t[exports.FY]) == ["2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    assert (t[exports.SPEND] % 1000 == 0).all() and (t[exports.BUDGET] % 1000 == 0).all()
    assert (t[exports.PRESSURE] == t[exports.SPEND] - t[exports.BUDGET]).all()
    assert t[exports.SPEND].iloc[0] == fmt.round_thousand(tables.fy["spend_gbp"].iloc[0])
    assert t[exports.CHILDREN_END].iloc[-1] == round(tables.fy["children_in_care"].iloc[-1])
    assert t[exports.BUDGET].iloc[0] == 38_000_000  # the default first-year budget
    assert t[exports.BUDGET].iloc[1] == 38_760_000  # uplifted 2%


def test_wide_table_is_the_same_numbers_with_years_across(tables: runner.Tables) -> None:
    long = exports.fy_table(tables.fy).set_index(exports.FY)
    wide = exports.fy_table_wide(tables.fy).set_index("Measure")
    assert list(wide.columns) == list(long.index)
    for measure in wide.index:
        assert list(wide.loc[measure]) == list(long[measure])


def test_month_table_has_sixty_months_that_sum_to_the_years(tables: runner.Tables) -> None:
    m = exports.month_table(tables.month)
    assert len(m) == 60
    assert m["Month"].iloc[0] == dt.date(2026, 4, 1) and m["Month end"].iloc[0] == dt.date(2026, 4, 30)
    assert m[exports.FY].iloc[0] == "2026-27"
    assert m[exports.FY].iloc[-1] == "2030-31"
    exact = tables.month.groupby(m[exports.FY].to_numpy())["spend_gbp"].sum()
    assert exact.to_numpy() == pytest.approx(tables.fy["spend_gbp"].to_numpy())


def test_placement_pivot_totals_match_the_fy_table(tables: runner.Tables) -> None:
    pivot = exports.placement_pivot(tables.placement_fy).set_index("Placement type")
    fy = exports.fy_table(tables.fy).set_index(exports.FY)
    for year in fy.index:
        assert pivot.loc["All placement types", year] == fy.loc[year, exports.SPEND]
    # each row's total is the sum of its years as shown, so the all-types total is the budget paper's
    years = [c for c in pivot.columns if c != "Total"]
    assert (pivot["Total"] == pivot[years].sum(axis=1)).all()
    assert pivot.loc["All placement types", "Total"] == fy[exports.SPEND].sum()
    children = exports.placement_pivot(tables.placement_fy, "children").set_index("Placement type")
    assert "Total" not in children.columns
    assert children.loc["All placement types", "2030-31"] == round(tables.fy["children_in_care"].iloc[-1])


def test_workbook_sheets_formats_and_figures(scenario: Scenario, tables: runner.Tables) -> None:
    """Without a baseline (as older callers make it): the scenario's own rows, the same sheets and formats."""
    data = exports.workbook_bytes(scenario, tables.fy, tables.month, tables.placement_fy, charts=False)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Changes from the baseline",
        "By financial year",
        "By month",
        "Spend by placement type",
        "Children by placement type",
        "Weekly prices by year",
        "Assumptions",
        "Scenario JSON",
        "About",
    ]
    ws = book["By financial year"]
    header = [c.value for c in ws[1]]
    assert header == ["Measure", "Figure", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31", "Total"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    spend = rows[exports.SPEND]
    assert spend[1].value == "Scenario"
    assert spend[2].value == fmt.round_thousand(tables.fy["spend_gbp"].iloc[0])
    assert spend[2].number_format == "£#,##0;-£#,##0;£0"
    assert rows[exports.CHILDREN_END][2].number_format == "#,##0"
    assert ws.freeze_panes == "A2"
    month = book["By month"]
    assert month.max_row == 61
    places = book["Spend by placement type"]
    assert places.max_row == 1 + 10 + 1  # ten placement types and all types
    assert places["B2"].number_format.startswith("£") and isinstance(places["B2"].value, int)
    changed = [r[-1] for r in book["Changes from the baseline"].iter_rows(min_row=2, values_only=True)]
    assert set(changed) == {"proceedings.target_mean_weeks", "costs.inflation_overrides.2027-28"}
    json_text = "\n".join(r[0] for r in book["Scenario JSON"].iter_rows(min_row=2, values_only=True))
    assert Scenario.from_json(json_text) == scenario


def test_csv_opens_in_excel_with_the_pound_sign(tables: runner.Tables) -> None:
    data = exports.csv_bytes(exports.fy_table_wide(tables.fy))
    assert data.startswith(b"\xef\xbb\xbf")  # byte-order mark
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").set_index("Measure")
    assert back.loc[exports.SPEND, "2026-27"] == fmt.round_thousand(tables.fy["spend_gbp"].iloc[0])


def test_assumptions_list_every_value_with_its_source(scenario: Scenario) -> None:
    table = exports.assumptions_table(scenario)
    assert table["Field"].is_unique
    changed = table[table["Changed"]].set_index("Field")
    assert set(changed.index) == {"proceedings.target_mean_weeks", "costs.inflation_overrides"}
    assert changed.loc["proceedings.target_mean_weeks", "Value"] == "26 weeks"
    assert changed.loc["proceedings.target_mean_weeks", "Default"] == "none"
    assert changed.loc["costs.inflation_overrides", "Value"] == "2027-28 10% a year"
    # every source in the data files is shown against the values it covers
    sources = load_sources()
    for path, src in sources.items():
        rows = table[(table["Field"] == path) | table["Field"].str.startswith(path + ".")]
        assert len(rows), path
        assert (rows["Source of the default"] == src.source).all(), path
        assert (rows["Year"] == src.year).all(), path
    ifa = table.set_index("Field").loc["costs.weekly_price_gbp.ifa"]
    # quoted at the scenario's price base year, its source saying how the 2021-22 figure was brought there
    assert ifa["Value"] == "£954 a week" and ifa["Year"] == "2023-24" and "2021-22" in ifa["Source of the default"]
    assert ifa["Assumption"] == "Weekly price by placement type: Independent fostering agency (IFA)"


def test_comparison_tables_differences_add_up(tables: runner.Tables) -> None:
    base = runner.tables(default_scenario())
    values, diffs = exports.comparison_tables({"Baseline": base.fy, "Court": tables.fy}, "Placement spend (£)")
    assert list(values.columns) == ["Scenario", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31", "Total"]
    v = values.set_index("Scenario")
    d = diffs.set_index("Scenario")
    for col in v.columns:
        assert d.loc["Court", col] == v.loc["Court", col] - v.loc["Baseline", col]
    kids, kid_diffs = exports.comparison_tables(
        {"Baseline": base.fy, "Court": tables.fy}, "Children in care at 31 March"
    )
    assert "Total" not in kids.columns
    assert kid_diffs.set_index("Scenario").loc["Court", "2030-31"] < 0


def test_scenario_file_round_trip_and_name() -> None:
    s = default_scenario().replace(name="Court plan: 26 weeks / 2026")
    assert Scenario.from_json(exports.scenario_json_bytes(s)) == s
    assert exports.file_stem(s) == "court-plan-26-weeks-2026"
    # changed but still under the defaults' name: the number of changes and a fingerprint, so
    # that two downloads from one session differ; the defaults keep the plain name
    plain = exports.file_stem(default_scenario())
    assert plain == "illustrative-authority-about-500-children-in-care"
    one = exports.file_stem(default_scenario().with_values({"entries.weekly_rate": 4.5}))
    other = exports.file_stem(default_scenario().with_values({"entries.weekly_rate": 5.0}))
    assert one.startswith(plain + "-1-change-") and other.startswith(plain + "-1-change-") and one != other
    two = default_scenario().with_values({"entries.weekly_rate": 4.5, "costs.annual_inflation": 0.05})
    assert exports.file_stem(two).startswith(plain + "-2-changes-")


def test_upload_reader_rejects_big_files_before_reading() -> None:
    def never() -> bytes:
        raise AssertionError("a file over 1 MB must not be read")

    scenario, problems = uploads.read_scenario("huge.json", 50 * 1024 * 1024, never)
    assert scenario is None
    assert "52.4 MB" in problems[0] and "at most 1 MB" in problems[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"version": 1}', "is missing"),
    ],
)
def test_upload_reader_explains_bad_files(content: bytes, expected: str) -> None:
    scenario, problems = uploads.read_scenario("x.json", len(content), lambda: content)
    assert scenario is None
    assert expected in " ".join(problems).replace("\\", "")


def test_formatting_for_finance_officers() -> None:
    assert fmt.gbp(38_105_631) == "£38,106,000"
    assert fmt.gbp(-2_105_631, signed=True) == "-£2,106,000"
    assert fmt.gbp_short(38_105_631) == "£38.1m"
    assert fmt.gbp_short(2_105_631) == "£2.1m"
    assert fmt.gbp_short(-12_849_000, signed=True) == "-£12.8m" and fmt.gbp_short(-8_900_000) == "-£8.9m"
    assert fmt.gbp_short(888_572) == "£889k"
    assert fmt.gbp_short(999_600) == "£1.0m"
    assert fmt.gbp_short(-450_000, signed=True) == "-£450k"
    assert fmt.gbp_short(2_000, signed=True) == "+£2k"
    assert fmt.gbp_exact(1442.48) == "£1,442"
    assert fmt.gbp_exact(912.5) == "£913" and fmt.gbp_exact(-912.5) == "-£913"  # halves away from zero, as Excel
    assert fmt.children(504.6) == "505" and fmt.children(-3.2, signed=True) == "-3"
    assert fmt.pct(0.045) == "4.5%"
    assert fmt.round_thousand(1500) == 2000 and fmt.round_thousand(-1500) == -2000
    assert fmt.md_escape("[link](http://x) **bold**") == r"\[link\]\(http\://x\) \*\*bold\*\*"


def test_part_years_say_how_many_days_they_cover() -> None:
    s = default_scenario().with_values({"start_date": "2026-10-15", "years": 2})
    t = exports.fy_table(runner.tables(s).fy)
    assert list(t[exports.FY]) == ["2026-27", "2027-28", "2028-29"]
    assert list(t[exports.DAYS]) == [168, 366, 197]
    assert exports.DAYS not in exports.fy_table(runner.tables(default_scenario()).fy).columns


def test_the_weekly_prices_by_year_are_the_prices_the_spend_uses() -> None:
    """The prices used in each year appeared nowhere (first review). The table holds, for each type and year,
    the model's own weekly price in a week of that year, with a year's inflation override and a type's own
    inflation; the workbook has it as a sheet of £ numbers."""
    import io

    import numpy as np
    import openpyxl

    from csc_model.reporting.results import project
    from csc_model.solvers.structure import build

    s = default_scenario().with_values(
        {"costs.inflation_overrides": {"2027-28": 0.10}, "costs.inflation_by_type": {"ifa": 0.06}}
    )
    table = exports.prices_table(s)
    st = build(s)
    for week, fy in ((10, "2026-27"), (60, "2027-28"), (250, "2030-31")):
        assert np.allclose(table[fy].to_numpy(), st.weekly_price[week].round(), atol=0.5), fy
    assert table.iloc[:, 1].tolist() == [round(v) for v in s.costs.weekly_price_gbp.values()]
    ifa = table.set_index("Placement type").loc["Independent fostering agency (IFA)"]
    assert ifa["2028-29"] == round(ifa["2027-28"] * 1.06)  # its own rate, not the general 4%
    r = project(s)
    book = exports.workbook_bytes(s, r.table("fy"), r.table("month"), r.by_placement("fy"), charts=False)
    sheet = openpyxl.load_workbook(io.BytesIO(book))["Weekly prices by year"]
    assert sheet["C1"].value == "2026-27" and isinstance(sheet["C2"].value, int) and "£" in sheet["C2"].number_format


def _as_excel_shows(value: float, number_format: str) -> str:
    """What Excel shows for ``value`` in the formats the assumption sheets use: an optional £, thousands
    separators, a fixed number of decimals, a % or a ,, (millions), then quoted text."""
    import re

    m = re.fullmatch(r'(£?)(?:#,##)?0(?:\.(0+))?(,,)?(%)?(?:"m")?(?: "([^"]*)")?', number_format)
    assert m, number_format
    pound, decimals, millions, percent, text = m.groups()
    from decimal import ROUND_HALF_UP, Decimal

    x = Decimal(str(value)) * 100 if percent else Decimal(str(value)) / 10**6 if millions else Decimal(str(value))
    x = x.quantize(Decimal(1).scaleb(-len(decimals or "")), rounding=ROUND_HALF_UP)  # as Excel rounds
    shown = f"{pound}{x:,}{'%' if percent else ''}{'m' if millions else ''}"
    return f"{shown} {text}" if text else shown


def test_assumption_values_in_the_workbook_are_numbers_that_read_as_the_pages_write_them() -> None:
    """A finance officer can calculate with the values on the two sheets of assumptions: each one-number
    value is a number (£912.50 a week is 912.5), in a format that shows what the page shows."""
    s = default_scenario()
    d = s.to_dict()
    d["costs"]["weekly_price_gbp"]["ifa"] = 912.5
    d["entries"]["annual_trend"] = 0.125
    d["costs"]["budget_overrides"] = {"2028-29": 45_125_000}
    d["proceedings"]["target_mean_weeks"] = 26
    changed = Scenario.from_dict(d)
    t, bt = runner.tables(changed), runner.tables(s)
    data = exports.workbook_bytes(changed, t.fy, t.month, t.placement_fy, baseline=s, baseline_fy=bt.fy, charts=False)
    book = openpyxl.load_workbook(io.BytesIO(data))
    text = exports.changes_table(changed, s).set_index("Field")
    cells = {r[-1].value: r for r in book["Changes from the baseline"].iter_rows(min_row=2)}
    assert cells["costs.weekly_price_gbp.ifa"][3].value == 912.5
    assert cells["entries.annual_trend"][3].value == 0.125
    assert cells["costs.budget_overrides.2028-29"][3].value == 45_125_000
    assert cells["costs.budget_overrides.2028-29"][2].value == "uplifted budget"  # no number: stays text
    for field, row in cells.items():
        for col, name in ((2, "Baseline"), (3, "This scenario")):
            cell = row[col]
            if isinstance(cell.value, (int, float)):
                assert _as_excel_shows(cell.value, cell.number_format) == text.loc[field, name], (field, name)
    # every input on the Assumptions sheet: numbers where the page shows one number, reading the same
    every = exports.assumptions_table(changed).set_index("Field")
    numbers = 0
    for row in book["Assumptions"].iter_rows(min_row=2):
        field = row[-1].value
        for col, name in ((2, "Value"), (3, "Default")):
            cell = row[col]
            if isinstance(cell.value, (int, float)):
                numbers += 1
                assert _as_excel_shows(cell.value, cell.number_format) == every.loc[field, name], (field, name)
            else:
                assert cell.value == every.loc[field, name] or isinstance(cell.value, dt.datetime), (field, name)
    assert numbers > 250  # the prices, rates, shares and counts of both columns
