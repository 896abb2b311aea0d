"""Writing tables into an Excel workbook a finance officer can paste from: numbers stay numbers in £
or count formats, dates are dates, the header row stays in view, columns fit, charts are pictures.

Text a spreadsheet would evaluate (a scenario named ``=HYPERLINK(...)``) is made inert on the way in.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from . import budget_paper as bp

ChartItem = tuple[str, Callable[..., Any], tuple, dict[str, Any]]
"""(title, builder, args, kwargs) of a chart for the workbook."""

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


GBP = "£#,##0;-£#,##0;£0"
GBP_CHANGE = "+£#,##0;-£#,##0;£0"
COUNT = "#,##0"
COUNT_CHANGE = "+#,##0;-#,##0;0"
DATE = "d mmm yyyy"
MONTH = "mmm yyyy"
SHARE = "0%"
CHART_WIDTH = 640
"""Width (pixels) of a chart image in the workbook (drawn at twice that for sharp printing)."""


def _decimals(x: float, most: int = 2) -> int:
    """How many decimals (up to ``most``) ``x`` needs to be written exactly as the pages write it."""
    for dp in range(most + 1):
        if abs(round(x, dp) - round(x, most)) < 1e-9:
            return dp
    return most


def _literal(text: str) -> str:
    """``text`` as a literal inside an Excel number format (after the figure)."""
    return f' "{text.strip()}"' if text.strip() else ""  # units are words ("a week"): no quotes inside


def value_cell(path: str, value: Any) -> tuple[Any, str] | None:
    """An assumption's value as an Excel number with a format that writes it as the pages do ("£550 a
    week", "12.5% a year", "26 weeks", "£36.0m"), so a finance officer can calculate with it; None for
    a value that is not one number (a map of shares, a list of surges, a name), which stays text.
    A date becomes a date."""
    from .levers import HIDDEN_UNITS, display_for

    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value), DATE
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    d = display_for(path)
    unit = "" if d.unit in HIDDEN_UNITS else d.unit
    if d.money and d.unit == "£m":  # £36,000,000 written £36.0m (Excel's ",," counts in millions)
        dp = max(1, _decimals(value / 1e6, 3))
        return value, f'£#,##0.{"0" * dp},,"m"'
    if d.money:  # the pages write prices to the pound (halves away from zero, as Excel shows them)
        return value, "£#,##0" + _literal(unit.replace("£", "", 1))
    if d.scale == 100:  # a share, written as a percentage: 0.125 -> 12.5%
        dp = _decimals(value * 100)
        return value, "0" + ("." + "0" * dp if dp else "") + "%" + _literal(unit.replace("%", "", 1))
    dp = 0 if d.integer else _decimals(value)
    return value, "#,##0" + ("." + "0" * dp if dp else "") + _literal(unit)


def numbers_in_place(ws: Any, df: pd.DataFrame, columns: dict[str, list[Any]]) -> None:
    """Replace the text of ``columns`` (column name -> the raw value of each row, with the row's
    ``Field``) on a sheet :func:`write_sheet` wrote from ``df`` by numbers in formats that read the same
    (:func:`value_cell`); cells whose value is not one number keep their text."""
    fields = list(df["Field"])
    for name, values in columns.items():
        col = list(df.columns).index(name) + 1
        for r, (path, value) in enumerate(zip(fields, values, strict=True), start=2):
            cell = value_cell(path, value) if path else None
            if cell is not None:
                ws.cell(row=r, column=col).value, ws.cell(row=r, column=col).number_format = cell


SpecOf = Callable[[Callable[..., Any], tuple, dict[str, Any]], dict[str, Any]]
"""``spec_of(builder, args, kwargs)`` -> Vega-Lite spec (e.g. ``runner.chart_spec``, which caches)."""


def row_format(measure: str, figure: str) -> str:
    """Number format of a row of years: money (its name carries £) or a count; a difference with a sign."""
    change = figure in (bp.DIFFERENCE_ROW, bp.DIFFERENCE_FROM_BASELINE)
    money = bp.is_money(measure)
    if money:
        return GBP_CHANGE if change else GBP
    return COUNT_CHANGE if change else COUNT


def _shown_width(value: Any, number_format: str | None) -> int:
    """About how many characters a cell shows (for a column width that fits)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return 0
    if isinstance(value, (dt.date, pd.Timestamp)):
        return 8 if number_format == MONTH else 11
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if number_format == SHARE:
            return 4
        text = f"{abs(value):,.0f}" if number_format else str(value)
        return (
            len(text)
            + (1 if "£" in (number_format or "") else 0)
            + (1 if value < 0 or "+" in (number_format or "") else 0)
        )
    return max(len(line) for line in str(value).splitlines() or [""])


def write_sheet(
    xw: pd.ExcelWriter,
    name: str,
    df: pd.DataFrame,
    column_format: Callable[[str], str | None] = lambda _: None,
    row_formats: list[str | None] | None = None,
    label_columns: int = 1,
    widest: int = 60,
) -> None:
    """One table on its own sheet: a bold header row that stays in view, numbers as numbers with £
    or count formats (``column_format`` of each column name, or by row when ``row_formats`` is given, for
    the columns after the first ``label_columns``), dates as dates, and columns wide enough for their
    contents. Text cells go through :func:`safe_frame` first."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    df = safe_frame(df)
    df.to_excel(xw, sheet_name=name, index=False)
    ws = xw.sheets[name]
    for row in ws.iter_rows(min_row=2):  # no formulas in this workbook: every text cell is a string
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    header_lines = 1
    for i, col in enumerate(df.columns, start=1):
        col_format = None if row_formats is not None and i > label_columns else column_format(str(col))
        widths = []
        for r, cell in enumerate(ws.iter_rows(min_row=2, min_col=i, max_col=i), start=0):
            cell = cell[0]
            number_format = row_formats[r] if row_formats is not None and i > label_columns else col_format
            if number_format is None and isinstance(cell.value, dt.date):  # a date in a text column
                number_format = DATE
            if number_format and not isinstance(cell.value, str):
                cell.number_format = number_format
            widths.append(_shown_width(cell.value, number_format))
        title = str(col)
        longest_word = max((len(w) for w in title.split()), default=0)
        width = min(max([8, longest_word, *widths]) + 2, widest)
        ws.column_dimensions[get_column_letter(i)].width = width
        if max(widths, default=0) > width - 2:  # longer text than the widest column: wrap it
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, str) and len(cell.value) > width - 2:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_lines = max(header_lines, -(-len(title) // max(width - 1, 1)))
        head = ws.cell(row=1, column=i)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = PatternFill("solid", fgColor="1F4E79")
        head.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 15 * min(header_lines, 4)


def chart_png(spec: dict[str, Any], width: int = CHART_WIDTH, scale: float = 2.0) -> bytes:
    """A Vega-Lite spec (from a chart builder's ``.to_dict()``) drawn as a PNG, offline, ``width`` pixels wide."""
    import vl_convert as vlc

    return vlc.vegalite_to_png({**spec, "width": width}, scale=scale)


def charts_sheet(wb: Any, charts_wanted: list[ChartItem], spec_of: SpecOf | None) -> None:
    """A sheet "Charts" of chart images (``(title, builder, args, kwargs)`` each), each under its title,
    drawn from the builder's Vega-Lite spec; a plain message in place of a chart that cannot be drawn."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    ws = wb.create_sheet("Charts")
    ws.column_dimensions["A"].width = 100
    row = 1
    for title, builder, args, kwargs in charts_wanted:
        ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
        try:
            spec = spec_of(builder, args, kwargs) if spec_of else builder(*args, **kwargs).to_dict(validate=False)
            png = chart_png(spec)
        except Exception as exc:  # noqa: BLE001 - a chart that cannot be drawn must not stop the download
            ws.cell(
                row=row + 1, column=1, value=f"This chart could not be drawn here ({type(exc).__name__}); see the app."
            )
            row += 3
            continue
        image = Image(io.BytesIO(png))
        image.width, image.height = image.width // 2, image.height // 2
        ws.add_image(image, f"A{row + 1}")
        row += 2 + -(-image.height // 20)  # rows are 20 pixels high
    ws.cell(row=row, column=1, value="Illustrative model output: check every assumption before quoting.")
