"""Downloads are safe to open: text a spreadsheet would evaluate (a scenario named
``=HYPERLINK(...)``) is written as inert text in every export, numbers stay numbers, and
HTML or markdown in a scenario name is shown as text on the pages.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import budget_paper, exports, runner
from csc_model import Scenario, default_scenario
from csc_model.cli import main

from .helpers import PAGE_FILES

ROOT = Path(__file__).resolve().parent.parent
FORMULA = '=HYPERLINK("http://x","y")'
NAMES = [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
STARTS = exports.FORMULA_STARTS


def risky(text: object) -> bool:
    """True for a text cell a spreadsheet would evaluate."""
    return isinstance(text, str) and text.startswith(STARTS) and not exports._PLAIN_NUMBER.fullmatch(text)


@pytest.fixture(scope="module")
def named() -> Scenario:
    # a budget above the first year's spend (about £40.3m), so some pressures are negative
    return default_scenario().with_values({"name": FORMULA, "costs.budget_first_year_gbp": 41e6})


@pytest.fixture(scope="module")
def tables(named: Scenario) -> runner.Tables:
    return runner.tables(named)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", NAMES)
def test_cell_safe_quotes_formula_text_and_leaves_numbers(name: str) -> None:
    assert exports.cell_safe(name) == "'" + name
    for value in (-2_106_000, -0.5, 3, "-£2,106,000", "-5.0%", "+£450k", "-", "Court plan", "2026-27", None):
        assert exports.cell_safe(value) == value


def test_workbook_writes_the_name_as_text_not_a_formula(named: Scenario, tables: runner.Tables) -> None:
    base = runner.tables(default_scenario())
    data = exports.workbook_bytes(
        named,
        tables.fy,
        tables.month,
        tables.placement_fy,
        baseline=default_scenario(),
        baseline_fy=base.fy,
        baseline_month=base.month,
        baseline_label=NAMES[1],  # a baseline named like a formula too
        charts=False,
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["Assumptions"]["C2"].value == "'" + FORMULA and wb["Assumptions"]["C2"].data_type == "s"
    assert wb["About"]["B2"].value == "'" + FORMULA and wb["About"]["B2"].data_type == "s"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not risky(cell.value), (ws.title, cell.coordinate, cell.value)
    # numbers stay numbers, negative ones included: the pressure row of the wide table
    fy = wb["By financial year"]
    pressure = next(r for r in fy.iter_rows(min_row=2) if r[0].value == exports.PRESSURE and r[1].value == "Difference")
    values = [c.value for c in pressure[2:]]
    assert all(isinstance(v, int) for v in values) and any(v < 0 for v in values), values
    assert all(c.data_type == "n" for c in pressure[2:])
    assert wb["About"]["B3"].value == "'" + NAMES[1]


def test_comparison_downloads_quote_every_scenario_name(tables: runner.Tables) -> None:
    """The Compare page's downloads of every figure: names made inert, figures kept as numbers."""
    other = default_scenario().with_values({"entries.weekly_rate": 2.0})
    frames = {NAMES[0]: runner.tables(default_scenario()).fy, NAMES[1]: tables.fy, NAMES[3]: runner.tables(other).fy}
    rows = csv_rows(exports.csv_bytes(budget_paper.comparison_figures(frames)))
    assert not any(risky(cell) for row in rows for cell in row)
    assert {r[1] for r in rows[1:]} == {"'" + n for n in frames}
    data = exports.comparison_workbook_bytes(
        frames, {NAMES[1]: default_scenario(), NAMES[3]: other}, default_scenario()
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not risky(cell.value), (ws.title, cell.coordinate, cell.value)
    spend = wb["Placement spend"]
    diffs = [r for r in spend.iter_rows(min_row=2) if r[1].value == "Difference from the baseline"]
    assert diffs and all(isinstance(c.value, int) for r in diffs for c in r[2:])
    assert any(c.value < 0 for r in diffs for c in r[2:])


def test_assumptions_csv_quotes_the_name(named: Scenario) -> None:
    rows = csv_rows(exports.csv_bytes(exports.assumptions_table(named)))
    header = rows[0]
    name_row = next(r for r in rows if r[header.index("Field")] == "name")
    assert name_row[header.index("Value")] == "'" + FORMULA
    assert not any(risky(cell) for row in rows for cell in row)


def test_fy_csv_keeps_negative_figures_as_numbers(tables: runner.Tables) -> None:
    rows = csv_rows(exports.csv_bytes(exports.fy_table_wide(tables.fy)))
    pressure = next(r for r in rows if r[0] == exports.PRESSURE)
    assert any(v.startswith("-") for v in pressure[1:])
    assert all(int(v) % 1000 == 0 for v in pressure[1:])  # plain numbers, no quote


def test_comparison_csv_quotes_every_scenario_name(tables: runner.Tables) -> None:
    other = runner.tables(default_scenario().with_values({"entries.weekly_rate": 2.0}))
    frames = {NAMES[0]: tables.fy, NAMES[1]: other.fy, NAMES[4]: other.fy}
    for measure in exports.COMPARE_MEASURES:
        values, differences = exports.comparison_tables(frames, measure)
        rows = csv_rows(exports.csv_bytes(exports.comparison_csv(values, differences, measure)))
        col = rows[0].index("Scenario")
        assert [r[col] for r in rows[1:4]] == ["'" + n for n in frames]
        assert not any(risky(cell) for row in rows for cell in row)
        if measure.startswith("Placement spend"):  # fewer entries: a negative difference, kept as a number
            assert any(c.startswith("-") and c[1:].isdigit() for r in rows[4:] for c in r[2:])


def test_cli_csv_outputs_hold_no_formula_text(tmp_path: Path, named: Scenario) -> None:
    """The command line's CSV files carry figures only: a formula-like name never reaches them."""
    scenario = tmp_path / "s.json"
    scenario.write_text(named.to_json(), encoding="utf-8")
    run, cmp_, levers = tmp_path / "run.csv", tmp_path / "cmp.csv", tmp_path / "levers.csv"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", "--scenario", str(scenario), "--out", str(run)]) == 0
        assert main(["compare", "--scenario", str(scenario), "--out", str(cmp_), "--levers", str(levers)]) == 0
    for f in (run, cmp_, levers):
        rows = list(csv.reader(f.open(encoding="utf-8")))
        assert len(rows) > 1 and not any(risky(cell) for row in rows for cell in row), f.name


MALICIOUS = "<script>alert(1)</script> [x](javascript:alert(2)) **b**"


def test_html_and_markdown_in_a_name_are_shown_as_text_on_every_page() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(PAGE_FILES["builder"]).run()
    data = default_scenario().replace(name=MALICIOUS).to_json().encode()
    at.file_uploader(key="upload_scenario").upload("evil.json", data, "application/json").run()
    assert at.session_state["scenario"].name == MALICIOUS
    seen = 0
    for page in PAGE_FILES:
        at.switch_page(PAGE_FILES[page]).run()
        assert not at.exception
        texts = [e.value for e in list(at.markdown) + list(at.caption) + list(at.success) + list(at.info)]
        for text in texts:
            if "alert(1)" in text or "alert\\(1\\)" in text:
                seen += 1
                assert "<script>" not in text and "[x](" not in text and "**b**" not in text, text
    assert seen >= len(PAGE_FILES) - 1  # the name is on the pages, escaped
