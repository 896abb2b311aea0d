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
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from csc_model import Scenario, default_scenario
from csc_model.attribution import changed_fields
from csc_model.config import source_for

from . import formatting as fmt
from .levers import describe_path, group_of, show_value

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
    """One row per month (from ``Result.table("month")``)."""
    ends = pd.to_datetime(month["period_end"])
    fys = [f"{d.year if d.month >= 4 else d.year - 1}-{(d.year + (1 if d.month >= 4 else 0)) % 100:02d}" for d in ends]
    first = {"Month": month["period"].to_numpy(), "Month end": ends.dt.date.to_numpy(), FY: fys}
    return _common(month, first, "Children at month end", "In care proceedings at month end")


def placement_table(placement_fy: pd.DataFrame) -> pd.DataFrame:
    """One row per financial year and placement type (from ``Result.by_placement("fy")``)."""
    return pd.DataFrame(
        {
            FY: placement_fy["period"].to_numpy(),
            "Placement type": placement_fy["placement_label"].to_numpy(),
            "Children at 31 March": _whole(placement_fy["children"]).to_numpy(),
            "Child-weeks in the year": _whole(placement_fy["child_weeks"]).to_numpy(),
            "Spend (£)": _thousands(placement_fy["spend_gbp"]).to_numpy(),
        }
    )


def placement_pivot(placement_fy: pd.DataFrame, measure: str = "spend") -> pd.DataFrame:
    """Placement types down, financial years across, with an all-types row.

    ``measure`` is "spend" (£, nearest thousand, with a total column) or "children" (at 31
    March). Totals are rounded from the exact sums, so they match the financial-year table;
    the rounded rows may differ from a total by £1,000 or so.
    """
    column = "spend_gbp" if measure == "spend" else "children"
    raw = placement_fy.pivot_table(index="placement_label", columns="period", values=column, aggfunc="sum", sort=False)
    raw = raw.reindex(list(dict.fromkeys(placement_fy["placement_label"])))
    raw = raw[list(dict.fromkeys(placement_fy["period"]))]
    if measure == "spend":
        raw["Total"] = raw.sum(axis=1)
    raw.loc["All placement types"] = raw.sum(axis=0)
    out = raw.map(fmt.round_thousand) if measure == "spend" else raw.round()
    out = out.astype("int64")
    out.index.name = "Placement type"
    out.columns.name = None
    return out.reset_index()


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
    defaults = defaults or default_scenario()
    current = dict(_leaves(scenario.to_dict()))
    base = dict(_leaves(defaults.to_dict()))
    rows = []
    for path in list(current) + [p for p in base if p not in current]:
        if path == "version":
            continue
        value, default = current.get(path), base.get(path)
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


def _show(path: str, value: Any) -> str:
    if isinstance(value, dict) and not value:
        return "none"
    return show_value(path, value)


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets."""
_PLAIN_NUMBER = re.compile(r"[+-]?£?\d[\d,]*(\.\d+)?%?[km]?")


def cell_safe(value: Any) -> Any:
    """Text a spreadsheet would evaluate, made inert with a leading ``'`` (OWASP's advice on CSV
    injection): a scenario named ``=HYPERLINK(...)`` stays text. Numbers, and text that is only a
    number such as ``-£2,106,000`` or ``-5%`` (which cannot run anything), are left as they are."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and value != "-"
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell and column name passed through :func:`cell_safe`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(cell_safe)
    out.columns = [cell_safe(c) for c in out.columns]
    return out


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


def workbook_bytes(
    scenario: Scenario,
    fy: pd.DataFrame,
    month: pd.DataFrame,
    placement_fy: pd.DataFrame,
    band_fy: pd.DataFrame | None = None,
) -> bytes:
    """Excel workbook for a budget paper.

    Sheets: By financial year, (Range of outcomes, when ``band_fy`` from a stochastic projection is
    given), By month, By placement type, Assumptions, Scenario JSON, About.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheets = {
        "By financial year": fy_table_wide(fy),
        **({"Range of outcomes": range_table(band_fy)} if band_fy is not None else {}),
        "By month": month_table(month),
        "By placement type": placement_table(placement_fy),
        "Assumptions": assumptions_table(scenario),
        "Scenario JSON": pd.DataFrame(
            {"Scenario JSON (save as a .json file to load it again)": scenario.to_json().splitlines()}
        ),
        "About": pd.DataFrame(
            {
                "Item": [
                    "Scenario",
                    "Produced",
                    "Money",
                    "Children",
                    "Rounding",
                    "Months",
                    "Financial years",
                    "Status",
                ],
                "Detail": [
                    scenario.name,
                    dt.date.today().isoformat(),
                    "Pounds, rounded to the nearest £1,000; pressure = spend minus budget after rounding.",
                    "Expected numbers from the model, rounded to whole children.",
                    "Each figure is rounded on its own, so the months of a year, or the placement types, can add up "
                    "to £1,000 or a child more or less than the year's figure.",
                    "The model moves in weeks, so a month holds 4 or 5 weekly steps: monthly entries and exits go up "
                    "and down with that, not with the seasons.",
                    "1 April to 31 March; children are counted at the end of each period.",
                    "Illustrative model output: check every assumption (sheet Assumptions) before quoting.",
                ],
            }
        ),
    }
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df = safe_frame(df)
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            for row in ws.iter_rows():  # no formulas in this workbook: every text cell is a string
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = PatternFill("solid", fgColor="1F4E79")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for i, col in enumerate(df.columns, start=1):
                letter = get_column_letter(i)
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)])
                ws.column_dimensions[letter].width = min(max(10, width + 2), 80 if name != "Scenario JSON" else 100)
                number_format = (
                    "£#,##0;-£#,##0"
                    if col in MONEY_COLUMNS or "(£)" in str(col)
                    else "#,##0"
                    if col in COUNT_COLUMNS or str(col).startswith("Children at 31 March, P")
                    else "0%"
                    if str(col).startswith("Chance ")
                    else None
                )
                if number_format:
                    for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                        row[0].number_format = number_format
            if "Measure" in df.columns:  # measures down, years across: format by row
                for r, measure in enumerate(df["Measure"], start=2):
                    fmt_row = "£#,##0;-£#,##0" if is_money_measure(measure) else "#,##0"
                    for cell in ws[r][1:]:
                        cell.number_format = fmt_row
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Comparing scenarios
# ---------------------------------------------------------------------------

COMPARE_MEASURES: dict[str, str] = {
    "Placement spend (£)": "money",
    "Pressure against budget (£)": "money",
    "Children in care at 31 March": "children",
}
_MEASURE_COLUMNS = {
    "Placement spend (£)": "spend_gbp",
    "Pressure against budget (£)": "pressure_gbp",
    "Children in care at 31 March": "children_in_care",
}


def comparison_tables(frames: dict[str, pd.DataFrame], measure: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenarios down, financial years across: the values, and their differences from the first (the baseline).

    ``frames`` maps a scenario name to ``Result.table("fy")``, baseline first. Money is rounded
    to £1,000 (with a total column) and differences are taken after rounding, so they add up.
    """
    column = _MEASURE_COLUMNS[measure]
    money = COMPARE_MEASURES[measure] == "money"
    periods: list[str] = []
    for df in frames.values():
        periods += [p for p in df["period"] if p not in periods]
    rows = []
    for name, df in frames.items():
        series = df.set_index("period")[column].reindex(periods)
        rounded = series.map(lambda v: fmt.round_thousand(v) if pd.notna(v) else pd.NA) if money else series.round()
        row = {"Scenario": name, **{p: rounded[p] for p in periods}}
        if money:
            row["Total"] = fmt.round_thousand(float(series.sum()))
        rows.append(row)
    values = pd.DataFrame(rows)
    number_cols = [c for c in values.columns if c != "Scenario"]
    values[number_cols] = values[number_cols].astype("Int64")
    base = values.iloc[0]
    diffs = values.iloc[1:].copy()
    for c in number_cols:
        diffs[c] = diffs[c] - base[c]
    return values, diffs.reset_index(drop=True)


def comparison_csv(values: pd.DataFrame, differences: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Both comparison tables in one frame for a CSV file."""
    a = values.assign(Figure=measure)
    b = differences.assign(Figure=f"Difference from the baseline: {measure}")
    out = pd.concat([a, b], ignore_index=True)
    return out[["Figure"] + [c for c in values.columns]]
