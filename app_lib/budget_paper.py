"""The budget-paper tables: a scenario against its baseline, by financial year, as a finance officer
pastes them into a paper.

One rule for every figure here: each year's figure is rounded first (money to the nearest £1,000,
children to whole numbers), then pressure, differences and totals are worked out from the
rounded figures. So every row and column adds up as printed: pressure = spend - budget,
difference = scenario - baseline, total = the sum of the years shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import formatting as fmt

MEASURE = "Measure"
FIGURE = "Figure"
SCENARIO = "Scenario"
TOTAL = "Total"
BASELINE_ROW = "Baseline"
SCENARIO_ROW = "Scenario"
DIFFERENCE_ROW = "Difference"
VALUE = "Value"
DIFFERENCE_FROM_BASELINE = "Difference from the baseline"

SPEND = "Placement spend (£)"
BUDGET = "Budget (£)"
PRESSURE = "Pressure (£)"
CHILDREN_END = "Children in care at 31 March"
STARTERS = "Children starting care"
LEAVERS = "Children leaving care"
DAYS = "Days in the projection"


@dataclass(frozen=True)
class Measure:
    """A row of the budget paper: where it comes from, whether it is money, whether it has a total."""

    column: str
    money: bool
    total: bool


MEASURES: dict[str, Measure] = {
    SPEND: Measure("spend_gbp", True, True),
    BUDGET: Measure("budget_gbp", True, True),
    PRESSURE: Measure("", True, True),  # spend - budget, both as shown
    CHILDREN_END: Measure("children_in_care", False, False),  # a count on a day: no total over years
    STARTERS: Measure("entries", False, True),
    LEAVERS: Measure("exits_total", False, True),
}


def is_money(measure: str) -> bool:
    """True for a money row (its name carries £)."""
    return "(£)" in measure


def periods_of(frames: Mapping[str, pd.DataFrame] | list[pd.DataFrame]) -> list[str]:
    """Every financial year in the frames, in date order ("2024-25" before "2026-27", whichever frame
    holds it: a scenario may start earlier than its baseline)."""
    out: set[str] = set()
    for df in frames.values() if isinstance(frames, Mapping) else frames:
        out.update(str(p) for p in df["period"])
    return sorted(out)


def shown(fy: pd.DataFrame, periods: list[str]) -> dict[str, pd.Series]:
    """Each measure by financial year as a budget paper shows it (``Int64``; missing years are NA).

    ``fy`` is ``Result.table("fy")`` (or the runner's ``Tables.fy``).
    """
    return {name: pd.Series(values, index=periods, dtype="Int64") for name, values in _shown(fy, periods).items()}


Figures = list[int | None]


def _shown(fy: pd.DataFrame, periods: list[str]) -> dict[str, Figures]:
    """:func:`shown` as plain lists (None for a missing year): a few dozen figures, so plain Python
    is ten times quicker than pandas here, and this runs for every new scenario on the shared server."""
    at = {p: i for i, p in enumerate(fy["period"])}
    out: dict[str, Figures] = {}
    for name, m in MEASURES.items():
        if not m.column:
            continue
        raw = fy[m.column].tolist()
        values: Figures = []
        for p in periods:
            v = raw[at[p]] if p in at else None
            if v is None or v != v:  # a year outside this projection, or no figure
                values.append(None)
            else:  # money to the nearest £1,000 (half away from zero); children whole (as pandas rounds)
                values.append(fmt.round_thousand(v) if m.money else int(round(v)))
        out[name] = values
    out[PRESSURE] = _minus(out[SPEND], out[BUDGET])
    return {name: out[name] for name in MEASURES}


def _minus(a: Figures, b: Figures) -> Figures:
    return [x - y if x is not None and y is not None else None for x, y in zip(a, b, strict=True)]


def _with_total(values: Figures, measure: str) -> Figures:
    present = [v for v in values if v is not None]
    total = sum(present) if MEASURES[measure].total and present else None
    return list(values) + [total]


def _difference(scen: Figures, base: Figures, measure: str) -> Figures:
    """Scenario minus baseline by year, and the difference of the totals; no total difference when the
    two cover different years (their totals are not like for like)."""
    row = _with_total(_minus(scen, base), measure)
    if [v is None for v in scen] != [v is None for v in base]:
        row[-1] = None
    return row


def _days(fy: pd.DataFrame, periods: list[str]) -> pd.Series | None:
    if fy["days"].isin([365, 366]).all():
        return None
    return fy.set_index("period")["days"].reindex(periods).astype("Int64")


def budget_paper_table(fy: pd.DataFrame, baseline_fy: pd.DataFrame | None = None) -> pd.DataFrame:
    """The financial-year table for a budget paper: measures down, financial years across, and a total.

    For each of placement spend, budget, pressure (£, to the nearest £1,000), children in care at
    31 March, children starting and leaving care, three rows: the baseline, the scenario, and the
    difference (scenario minus baseline, of the figures as shown). Without ``baseline_fy``, only the
    scenario's rows. The total is the sum of the years shown (none for children at 31 March, a count on
    a day). When a year is only partly in the projection, a row gives the days each year covers.
    """
    frames = [fy] if baseline_fy is None else [baseline_fy, fy]
    periods = periods_of(frames)
    scen = _shown(fy, periods)
    base = _shown(baseline_fy, periods) if baseline_fy is not None else None
    rows = []
    for measure in MEASURES:
        if base is not None:
            rows.append([measure, BASELINE_ROW] + _with_total(base[measure], measure))
        rows.append([measure, SCENARIO_ROW] + _with_total(scen[measure], measure))
        if base is not None:
            rows.append([measure, DIFFERENCE_ROW] + _difference(scen[measure], base[measure], measure))
    for label, frame in ((BASELINE_ROW, baseline_fy), (SCENARIO_ROW, fy)):
        days = _days(frame, periods) if frame is not None else None
        if days is not None:
            rows.append([DAYS, label] + list(days) + [days.sum(skipna=True)])
    out = pd.DataFrame(rows, columns=[MEASURE, FIGURE, *periods, TOTAL])
    numbers = [*periods, TOTAL]
    out[numbers] = out[numbers].astype("Int64")
    return out


def comparison_figures(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every figure for every compared scenario, by financial year: values and differences from the baseline.

    ``frames`` maps a scenario name to its ``fy`` table, the baseline first. For each measure of
    :data:`MEASURES`, one row per scenario (its values), then one row per other scenario (its
    difference from the baseline, of the figures as shown). Columns: Measure, Scenario, Figure
    ("Value" or "Difference from the baseline"), the financial years, Total.
    """
    names = list(frames)
    periods = periods_of(frames)
    figures = {name: _shown(df, periods) for name, df in frames.items()}
    base = figures[names[0]]
    rows = []
    for measure in MEASURES:
        for name in names:
            rows.append([measure, name, VALUE] + _with_total(figures[name][measure], measure))
        for name in names[1:]:
            rows.append(
                [measure, name, DIFFERENCE_FROM_BASELINE] + _difference(figures[name][measure], base[measure], measure)
            )
    out = pd.DataFrame(rows, columns=[MEASURE, SCENARIO, FIGURE, *periods, TOTAL])
    numbers = [*periods, TOTAL]
    out[numbers] = out[numbers].astype("Int64")
    return out


def figure_table(all_figures: pd.DataFrame, measure: str, figure: str = VALUE) -> pd.DataFrame:
    """One measure's rows of :func:`comparison_figures` (values or differences): scenarios down, years across."""
    part = all_figures[(all_figures[MEASURE] == measure) & (all_figures[FIGURE] == figure)]
    out = part.drop(columns=[MEASURE, FIGURE]).reset_index(drop=True)
    if not MEASURES[measure].total:
        out = out.drop(columns=[TOTAL])
    return out


# ---------------------------------------------------------------------------
# On a page
# ---------------------------------------------------------------------------


def _text(v: object, money: bool, signed: bool) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return ""
    return fmt.gbp(float(v), signed=signed) if money else fmt.children(float(v), signed=signed)


def display_frame(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`budget_paper_table` (or :func:`comparison_figures`) written for people, every cell text:
    money as £38,106,000, children whole, differences with a sign (+£1,000, -6), no total as blank.

    For a page (``st.dataframe``); the downloads keep the numbers.
    """
    out = table.copy()
    numbers = [c for c in out.columns if c not in (MEASURE, FIGURE, SCENARIO)]
    for col in numbers:
        out[col] = [
            _text(v, is_money(m), f in (DIFFERENCE_ROW, DIFFERENCE_FROM_BASELINE))
            for v, m, f in zip(out[col], out[MEASURE], out[FIGURE], strict=True)
        ]
    return out


def figure_columns(table: pd.DataFrame) -> list[str]:
    """The columns of figures (financial years and Total) of :func:`budget_paper_table` or
    :func:`comparison_figures`: right-aligned on a page."""
    return [c for c in table.columns if c not in (MEASURE, FIGURE, SCENARIO)]
