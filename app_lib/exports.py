"""Tables for people, and the files to download: CSV, an Excel workbook, scenario JSON.

The tables shown on the pages are the same frames that go into the files, so a figure on the
screen is the figure in the download. Money is rounded to the nearest £1,000 and pressure is
spend minus budget *after* rounding, so every row adds up in a budget paper. Children are
expected numbers, shown whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pandas as pd

from csc_model import Scenario, default_scenario
from csc_model.reporting import rounding
from csc_model.reporting.attribution import changed_fields
from csc_model.scenario.config import source_for

from . import budget_paper as bp
from . import formatting as fmt
from . import sheets
from .levers import changes, describe_path, group_of, show_value
from .sheets import _PLAIN_NUMBER, FORMULA_STARTS, cell_safe, safe_frame  # noqa: F401 - part of this module's API

FY = "Financial year"
CHILDREN_END = "Children in care at 31 March"
ENTRIES = "Children starting care"
EXITS = "Children leaving care"
PROCEEDINGS = "In care proceedings at 31 March"
SPEND = "Placement spend (£)"
BUDGET = "Budget (£)"
PRESSURE = "Pressure (£)"
AVG_COST = "Average weekly cost per child (£)"
MONEY_COLUMNS = (SPEND, BUDGET, PRESSURE, AVG_COST, "Spend (£)")
COUNT_COLUMNS = (CHILDREN_END, ENTRIES, EXITS, PROCEEDINGS, "Children at month end", "In care proceedings at month end")


def _whole(s: pd.Series) -> pd.Series:
    return s.round().astype("int64")


def _thousands(s: pd.Series) -> pd.Series:
    return s.map(fmt.round_thousand).astype("int64")


def _common(df: pd.DataFrame, first: dict[str, Any], children_col: str, proceedings_col: str) -> pd.DataFrame:
    out = pd.DataFrame(first)
    out[children_col] = _whole(df["children_in_care"])
    out[ENTRIES] = _whole(df["entries"])
    out[EXITS] = _whole(df["exits_total"])
    out[proceedings_col] = _whole(df["in_proceedings"])
    out[SPEND] = _thousands(df["spend_gbp"])
    out[BUDGET] = _thousands(df["budget_gbp"])
    out[PRESSURE] = out[SPEND] - out[BUDGET]
    out[AVG_COST] = _whole(df["avg_weekly_cost_per_child_gbp"])
    return out


DAYS = "Days in the projection"


def fy_table(fy: pd.DataFrame) -> pd.DataFrame:
    """The budget-paper table: one row per financial year (from ``Result.table("fy")``).

    When the projection starts or ends part way through a year, a column gives the days each
    year covers, so a part-year figure is never read as a full year.
    """
    out = _common(fy, {FY: fy["period"].to_numpy()}, CHILDREN_END, PROCEEDINGS)
    if not fy["days"].isin([365, 366]).all():
        out[DAYS] = fy["days"].astype("int64").to_numpy()
    return out


def fy_table_wide(fy: pd.DataFrame) -> pd.DataFrame:
    """The budget-paper table with financial years across: one row per measure (as on the overview)."""
    long = fy_table(fy).set_index(FY)
    wide = long.T
    wide.columns.name = None
    wide.index.name = "Measure"
    return wide.reset_index()


def is_money_measure(name: str) -> bool:
    """True for a money row or column (its name carries £)."""
    return "(£)" in name


def month_table(month: pd.DataFrame) -> pd.DataFrame:
    """One row per month (from ``Result.table("month")``); Month (its first day) and Month end are dates."""
    ends = pd.to_datetime(month["period_end"])
    fys = [f"{d.year if d.month >= 4 else d.year - 1}-{(d.year + (1 if d.month >= 4 else 0)) % 100:02d}" for d in ends]
    starts = ends.dt.to_period("M").dt.start_time.dt.date  # a real date, shown as "Apr 2026"
    first = {"Month": starts.to_numpy(), "Month end": ends.dt.date.to_numpy(), FY: fys}
    return _common(month, first, "Children at month end", "In care proceedings at month end")


def placement_pivot(placement_fy: pd.DataFrame, measure: str = "spend") -> pd.DataFrame:
    """Placement types down, financial years across, with an all-types row.

    ``measure`` is "spend" (£, nearest thousand, with a total column) or "children" (at 31
    March). The all-types row is rounded from the exact sums, so it matches the financial-year
    table; the rounded types may differ from it by £1,000 or so. The total is the sum of the years
    as shown, as in the budget-paper table.
    """
    column = "spend_gbp" if measure == "spend" else "children"
    raw = placement_fy.pivot_table(index="placement_label", columns="period", values=column, aggfunc="sum", sort=False)
    raw = raw.reindex(list(dict.fromkeys(placement_fy["placement_label"])))
    raw = raw[list(dict.fromkeys(placement_fy["period"]))]
    raw.loc["All placement types"] = raw.sum(axis=0)
    out = raw.map(fmt.round_thousand) if measure == "spend" else raw.round()
    out = out.astype("int64")
    if measure == "spend":
        out["Total"] = out.sum(axis=1)
    out.index.name = "Placement type"
    out.columns.name = None
    return out.reset_index()


def prices_table(scenario: Scenario) -> pd.DataFrame:
    """Weekly price per child of each placement type: as quoted and in each financial year, to the pound.

    The prices the spend is worked out from (:func:`csc_model.reporting.results.weekly_prices`):
    quoted in the price base year and moved by inflation; the workbook and the Placements page show them.
    """
    from csc_model.reporting.results import weekly_prices

    w = weekly_prices(scenario)
    years = [c for c in w.columns if c not in ("placement", "placement_label", "quoted_gbp")]
    out = pd.DataFrame({"Placement type": w["placement_label"]})
    out[f"Quoted at {scenario.costs.price_base_year} prices (£)"] = w["quoted_gbp"].map(rounding.pound).astype("int64")
    for y in years:
        out[y] = w[y].map(rounding.pound).astype("int64")
    return out


# ---------------------------------------------------------------------------
# Assumptions
# ---------------------------------------------------------------------------


WHOLE_MAPS = ("costs.inflation_overrides", "costs.budget_overrides", "costs.inflation_by_type")


def _leaves(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) for every single value; lists and the override maps stay whole."""
    if isinstance(data, dict) and path not in WHOLE_MAPS:
        for k, v in data.items():
            yield from _leaves(v, f"{path}.{k}" if path else k)
    else:
        yield path, data


def assumptions_table(scenario: Scenario, defaults: Scenario | None = None) -> pd.DataFrame:
    """Every input of ``scenario`` with its default, source and year, one row per value."""
    rows = []
    for path, value, default in _assumption_values(scenario, defaults):
        src = source_for(path)
        rows.append(
            {
                "Group": group_of(path),
                "Assumption": describe_path(path),
                "Value": _show(path, value),
                "Default": _show(path, default),
                "Changed": value != default,
                "Source of the default": src.source if src else "",
                "Year": src.year if src else "",
                "Note": src.note if src else "",
                "Field": path,
            }
        )
    return pd.DataFrame(rows)


def _assumption_values(scenario: Scenario, defaults: Scenario | None = None) -> list[tuple[str, Any, Any]]:
    """(field, value, default) of every input of ``scenario``, in the order of :func:`assumptions_table`."""
    current = dict(_leaves(scenario.to_dict()))
    base = dict(_leaves((defaults or default_scenario()).to_dict()))
    paths = [p for p in list(current) + [p for p in base if p not in current] if p != "version"]
    return [(p, current.get(p), base.get(p)) for p in paths]


def _show(path: str, value: Any) -> str:
    if isinstance(value, dict) and not value:
        return "none"
    return show_value(path, value)


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark so Excel reads the £ sign correctly; text cells made formula-safe."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


def scenario_json_bytes(scenario: Scenario) -> bytes:
    """The scenario file users download and upload again."""
    return scenario.to_json().encode("utf-8")


def file_stem(scenario: Scenario) -> str:
    """A safe file name from the scenario name.

    A scenario changed from the defaults but still under their name also gets the number of
    fields changed and a short fingerprint of its values, so that two downloads from one
    session can be told apart ("...-3-changes-5f2a9c"); the defaults keep the plain name.
    """
    keep = "".join(c if c.isalnum() else "-" for c in scenario.name.lower())
    stem = "-".join(p for p in keep.split("-") if p)[:60] or "scenario"
    return stem + change_tag(scenario)


def slug(text: str, limit: int = 60) -> str:
    """Lower-case letters and digits joined by hyphens, for file names: "Placement spend (£)" -> "placement-spend"."""
    keep = "".join(c if c.isalnum() and c.isascii() else "-" for c in text.lower())
    return "-".join(p for p in keep.split("-") if p)[:limit] or "figures"


def change_tag(scenario: Scenario) -> str:
    """'-3-changes-5f2a9c' for a scenario changed from the defaults but still under their
    name (the number of fields changed and a fingerprint of its values); otherwise ''."""
    base = default_scenario()
    if scenario.name != base.name or scenario == base:
        return ""
    n = len(changed_fields(base, scenario))
    fingerprint = hashlib.sha256(scenario.to_json(indent=None).encode()).hexdigest()[:6]
    return f"-{n}-change{'s' if n != 1 else ''}-{fingerprint}"


def range_table(band_fy: pd.DataFrame) -> pd.DataFrame:
    """The range of outcomes by financial year, as numbers (children whole, money to £1,000, chance 0 to 1)."""
    out = pd.DataFrame({"Financial year": band_fy["period"]})
    for q in (10, 50, 90):
        out[f"Children at 31 March, P{q}"] = _whole(band_fy[f"children_in_care_p{q}"])
    for q in (10, 50, 90):
        out[f"Placement spend (£), P{q}"] = _thousands(band_fy[f"spend_gbp_p{q}"])
    out["Budget (£)"] = _thousands(band_fy["budget_gbp"])
    out["Chance spend is over budget (0 to 1)"] = band_fy["prob_over_budget"].round(3)
    out["Budget enough 8 times in 10 (£)"] = _thousands(band_fy["budget_80pct_confidence_gbp"])
    return out


def column_format(col: str) -> str | None:
    """Number format of a column of the exports, from its name."""
    name = str(col)
    if name.startswith("Chance "):
        return sheets.SHARE
    if col in MONEY_COLUMNS or "(£)" in name:
        return sheets.GBP
    if col in COUNT_COLUMNS or name.startswith("Children at 31 March") or name.startswith("Child-weeks"):
        return sheets.COUNT
    if name == "Month":
        return sheets.MONTH
    if name == "Month end" or name.endswith(" date"):
        return sheets.DATE
    return None


def _chart_list(
    scenario_name: str,
    fy: pd.DataFrame,
    month: pd.DataFrame,
    placement_fy: pd.DataFrame,
    baseline_fy: pd.DataFrame | None,
    baseline_month: pd.DataFrame | None,
    baseline_label: str | None,
    stage_month: pd.DataFrame | None,
    band_fy: pd.DataFrame | None,
) -> list[sheets.ChartItem]:
    """(title, builder, args, kwargs) of each chart the workbook carries, as the pages draw them."""
    from . import charts

    base = charts.baseline_name(baseline_label)
    name = scenario_name if scenario_name != base else f"{scenario_name} (scenario)"
    out: list[sheets.ChartItem] = [
        ("Placement spend against the budget, by financial year", charts.spend_budget_chart, (fy,), {})
    ]
    if band_fy is not None:
        out[0] = (out[0][0] + " (with the range of outcomes)", charts.spend_budget_chart, (fy, band_fy), {})
    if baseline_fy is not None:
        out.append(
            (
                "Placement spend by financial year: the scenario and the baseline",
                charts.scenario_fy_bars,
                ({base: baseline_fy, name: fy},),
                {"baseline": base},
            )
        )
    if baseline_month is not None:
        out.append(
            (
                "Children in care: the scenario and the baseline (the axis does not start at zero)",
                charts.scenario_lines,
                ({base: baseline_month, name: month}, "children_in_care", "Children in care"),
                {"baseline": base},
            )
        )
    if stage_month is not None:
        out.append(("Children in care by legal stage", charts.stage_chart, (stage_month,), {}))
    out.append(("Placement spend by placement type", charts.placement_spend_chart, (placement_fy,), {}))
    return out


def changes_table(scenario: Scenario, baseline: Scenario | None = None) -> pd.DataFrame:
    """The assumptions of ``scenario`` that differ from ``baseline`` (the defaults when None), with
    the value in each and the source of the default: what a reader of the figures needs first."""
    base = baseline or default_scenario()
    rows = []
    for path, (old, new) in changes(base, scenario).items():
        src = source_for(path)
        rows.append(
            {
                "Group": group_of(path),
                "Assumption": describe_path(path),
                "Baseline": _show(path, old),
                "This scenario": _show(path, new),
                "Source of the default": src.cited if src else "",
                "Field": path,
            }
        )
    if not rows:
        rows.append(
            {
                "Group": "",
                "Assumption": "No assumption differs from the baseline.",
                "Baseline": "",
                "This scenario": "",
                "Source of the default": "",
                "Field": "",
            }
        )
    return pd.DataFrame(rows)


def _budget_paper_sheet(xw: pd.ExcelWriter, name: str, table: pd.DataFrame) -> None:
    formats = [sheets.row_format(m, f) for m, f in zip(table[bp.MEASURE], table[bp.FIGURE], strict=True)]
    sheets.write_sheet(xw, name, table, row_formats=formats, label_columns=2)


def workbook_bytes(
    scenario: Scenario,
    fy: pd.DataFrame,
    month: pd.DataFrame,
    placement_fy: pd.DataFrame,
    band_fy: pd.DataFrame | None = None,
    *,
    baseline: Scenario | None = None,
    baseline_fy: pd.DataFrame | None = None,
    baseline_month: pd.DataFrame | None = None,
    baseline_label: str | None = None,
    stage_month: pd.DataFrame | None = None,
    charts: bool = True,
    spec_of: sheets.SpecOf | None = None,
) -> bytes:
    """Excel workbook for a budget paper.

    Sheets: Changes from the baseline (the assumptions that differ from ``baseline``, the defaults
    when None), By financial year (the budget-paper table: baseline, scenario and difference when
    ``baseline_fy`` is given), Range of outcomes (when ``band_fy`` from a stochastic projection is
    given), By month, Spend by placement type, Children by placement type, Weekly prices by year, Charts (images, when
    ``charts``), Assumptions, Scenario JSON, About. Money cells are numbers in £ formats, dates are
    dates, the header row stays in view. ``baseline_label`` names the baseline as the pages do ("Our
    plan"; None for the defaults). ``spec_of`` (e.g. ``runner.chart_spec``) reuses charts already built.
    """
    from openpyxl.styles import Alignment

    base_name = baseline_label or "the defaults"
    tables = {
        "Changes from the baseline": changes_table(scenario, baseline),
        "By financial year": bp.budget_paper_table(fy, baseline_fy),
        **({"Range of outcomes": range_table(band_fy)} if band_fy is not None else {}),
        "By month": month_table(month),
        "Spend by placement type": placement_pivot(placement_fy, "spend"),
        "Children by placement type": placement_pivot(placement_fy, "children"),
        "Weekly prices by year": prices_table(scenario),
    }
    about = pd.DataFrame(
        {
            "Item": [
                "Scenario",
                "Baseline",
                "Produced",
                "Money",
                "Differences and totals",
                "Children",
                "Budget",
                "Rounding",
                "Months",
                "Financial years",
                "Status",
            ],
            "Detail": [
                scenario.name,
                base_name,
                dt.date.today(),
                "Pounds, rounded to the nearest £1,000; pressure = spend minus budget after rounding.",
                "Worked out from the figures as shown: difference = scenario minus baseline, total = the sum of "
                "the years shown, so every row and column adds up as printed.",
                "Expected numbers from the model, rounded to whole children; children in care are counted on 31 "
                "March (no total over years).",
                "A budget typed for a year is that year's budget; the years after it grow from it by the yearly "
                "uplift, until the next typed year.",
                "Each figure is rounded on its own, so the months of a year, or the placement types, can add up "
                "to a few £1,000 or a few children more or less than the year's figure (which is the model's "
                "own, rounded once), and over several years the differences can add up.",
                "The model moves in weeks, so a month holds 4 or 5 weekly steps: monthly entries and exits go up "
                "and down with that, not with the seasons. Children in care at a month's end are read between "
                "two weekly steps, so a month's start count plus its entries less its leavers can differ from its "
                "end count by a few children.",
                "1 April to 31 March; children are counted at the end of each period.",
                "Illustrative model output: check every assumption (sheets Changes from the baseline and "
                "Assumptions) before quoting.",
            ],
        }
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in tables.items():
            if name == "By financial year":
                _budget_paper_sheet(xw, name, df)
            elif name.endswith("by placement type") or name == "Weekly prices by year":  # years across
                number = sheets.GBP if not name.startswith("Children") else sheets.COUNT
                sheets.write_sheet(xw, name, df, lambda c, number=number: None if c == "Placement type" else number)
            else:
                sheets.write_sheet(xw, name, df, column_format)
        if charts:
            wanted = _chart_list(
                scenario.name,
                fy,
                month,
                placement_fy,
                baseline_fy,
                baseline_month,
                baseline_label,
                stage_month,
                band_fy,
            )
            sheets.charts_sheet(xw.book, wanted, spec_of)
        # the values of the two sheets of assumptions as numbers in formats that read as the pages write them
        diffs = list(changes(baseline or default_scenario(), scenario).values())
        sheets.numbers_in_place(
            xw.sheets["Changes from the baseline"],
            tables["Changes from the baseline"],
            {"Baseline": [old for old, _ in diffs] or [None], "This scenario": [new for _, new in diffs] or [None]},
        )
        every = _assumption_values(scenario)
        sheets.write_sheet(xw, "Assumptions", assumptions_table(scenario))
        sheets.numbers_in_place(
            xw.sheets["Assumptions"],
            assumptions_table(scenario),
            {"Value": [v for _, v, _ in every], "Default": [d for _, _, d in every]},
        )
        sheets.write_sheet(
            xw,
            "Scenario JSON",
            pd.DataFrame({"Scenario JSON (save as a .json file to load it again)": scenario.to_json().splitlines()}),
            widest=100,
        )
        sheets.write_sheet(xw, "About", about, column_format, widest=100)
        for row in xw.sheets["About"].iter_rows(min_row=2, min_col=2, max_col=2):
            row[0].alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Comparing scenarios
# ---------------------------------------------------------------------------

COMPARE_MEASURES: dict[str, str] = {
    "Placement spend (£)": "money",
    "Budget (£)": "money",
    "Pressure (£)": "money",  # the budget paper's name (it was "Pressure against budget (£)" here alone)
    "Children in care at 31 March": "children",
    "Children starting care": "children",
    "Children leaving care": "children",
}


def comparison_tables(frames: dict[str, pd.DataFrame], measure: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenarios down, financial years across: the values, and their differences from the first (the baseline).

    ``frames`` maps a scenario name to ``Result.table("fy")``, baseline first. The figures are the
    budget paper's (:func:`app_lib.budget_paper.comparison_figures`): money rounded to £1,000 (with a
    total column, the sum of the years shown), differences taken after rounding, so they add up.
    """
    every = bp.comparison_figures(frames)
    values = bp.figure_table(every, measure, bp.VALUE)
    diffs = bp.figure_table(every, measure, bp.DIFFERENCE_FROM_BASELINE)
    return values, diffs


def comparison_csv(values: pd.DataFrame, differences: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Both comparison tables of one figure in one frame for a CSV file."""
    a = values.assign(Figure=measure)
    b = differences.assign(Figure=f"Difference from the baseline: {measure}")
    out = pd.concat([a, b], ignore_index=True)
    return out[["Figure"] + [c for c in values.columns]]


COMPARE_SHEETS = {
    bp.SPEND: "Placement spend",
    bp.BUDGET: "Budget",
    bp.PRESSURE: "Pressure",
    bp.CHILDREN_END: "Children at 31 March",
    bp.STARTERS: "Children starting care",
    bp.LEAVERS: "Children leaving care",
}
"""Sheet of each figure in the comparison workbook."""


def comparison_changes(scenarios: dict[str, Scenario], baseline: Scenario) -> pd.DataFrame:
    """For each compared scenario, the assumptions that differ from the baseline."""
    parts = [changes_table(scn, baseline).assign(Scenario=name) for name, scn in scenarios.items()]
    out = pd.concat(parts, ignore_index=True)
    return out[["Scenario"] + [c for c in out.columns if c != "Scenario"]]


def comparison_workbook_bytes(
    frames: dict[str, pd.DataFrame], scenarios: dict[str, Scenario], baseline: Scenario
) -> bytes:
    """Excel workbook of a comparison: every figure for every scenario and the baseline.

    ``frames`` maps a name to its ``fy`` table, the baseline first; ``scenarios`` maps each compared
    scenario's name (not the baseline's) to the scenario. Sheets: Changes from the baseline (each
    scenario's assumptions that differ from the baseline), one sheet per figure (placement spend,
    budget, pressure, children at 31 March, starting and leaving care: values, then differences from
    the baseline), All figures (the same in one table, as in the CSV), About.
    """
    every = bp.comparison_figures(frames)
    about = pd.DataFrame(
        {
            "Item": ["Baseline", "Scenarios", "Produced", "Money", "Differences and totals", "Children"],
            "Detail": [
                next(iter(frames)),
                "; ".join(list(frames)[1:]),
                dt.date.today(),
                "Pounds, rounded to the nearest £1,000; pressure = spend minus budget after rounding.",
                "Worked out from the figures as shown: difference = scenario minus baseline, total = the sum of the "
                "years shown, so every row and column adds up as printed.",
                "Expected numbers from the model, rounded to whole children; children in care are counted on 31 "
                "March (no total over years).",
            ],
        }
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        changed = comparison_changes(scenarios, baseline)
        sheets.write_sheet(xw, "Changes from the baseline", changed)
        diffs = [list(changes(baseline, scn).values()) or [(None, None)] for scn in scenarios.values()]
        sheets.numbers_in_place(
            xw.sheets["Changes from the baseline"],
            changed,
            {
                "Baseline": [old for d in diffs for old, _ in d],
                "This scenario": [new for d in diffs for _, new in d],
            },
        )
        for measure, sheet in COMPARE_SHEETS.items():
            part = every[every[bp.MEASURE] == measure].drop(columns=[bp.MEASURE])
            if not bp.MEASURES[measure].total:
                part = part.drop(columns=[bp.TOTAL])
            formats = [sheets.row_format(measure, f) for f in part[bp.FIGURE]]
            sheets.write_sheet(xw, sheet, part, row_formats=formats, label_columns=2)
        formats = [sheets.row_format(m, f) for m, f in zip(every[bp.MEASURE], every[bp.FIGURE], strict=True)]
        sheets.write_sheet(xw, "All figures", every, row_formats=formats, label_columns=3)
        sheets.write_sheet(xw, "About", about, column_format, widest=100)
    return buf.getvalue()
