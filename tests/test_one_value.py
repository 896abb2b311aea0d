"""One figure, one value, everywhere: every difference a page shows is the difference of the exports.

For a few scenarios (the defaults, two presets, a preset against a baseline of the user's own)
the real app is run under AppTest and each page's cards and sentences are read back. Every
difference shown (a card's small figure, "N fewer children", a pressure, "over budget in K of N
years") is checked against the budget-paper table (:func:`app_lib.exports.fy_table`) and the
comparison CSV (:func:`app_lib.exports.comparison_csv`) a user downloads. Issue 11 saw an Overview
card say +6 where Compare's CSV said +5, and the briefing count 3 years over budget where the
Overview's bars showed 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import exports, runner
from app_lib import formatting as fmt
from csc_model import Scenario, default_scenario
from csc_model.reporting.results import project
from csc_model.reporting.rounding import tenth_m, thousand
from csc_model.scenario.presets import apply_preset
from tests.helpers import page_tables, shown_numbers

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
CHILDREN, SPEND, PRESSURE = ("Children in care at 31 March", "Placement spend (£)", "Pressure (£)")
OURS = "Our plan"


@dataclass(frozen=True)
class Case:
    id: str
    scenario: Scenario
    baseline: Scenario | None = None  # None: the bundled defaults

    @property
    def base(self) -> Scenario:
        return self.baseline or default_scenario()

    @property
    def changed(self) -> bool:
        return self.scenario != self.base


def _cases() -> list[Case]:
    d = default_scenario()
    # a baseline of the user's own whose budget for 2027-28 is £46k below its spend: over, by a little
    own = d.with_values({"entries.weekly_rate": 2.6})
    spend = project(own).table("fy").set_index("period")["spend_gbp"]
    own = own.with_values({"costs.budget_overrides": {"2027-28": float(thousand(spend["2027-28"]) - 46_000)}})
    return [
        Case("defaults", d),
        Case("court-26-weeks", apply_preset(d, "court_26_weeks")),
        Case("inflation-shock", apply_preset(d, "inflation_shock")),
        Case("surge-against-own-baseline", apply_preset(own, "sibling_surge"), own),
    ]


CASES = _cases()


@dataclass
class Figures:
    """What the exports say for a case: the budget-paper tables and the comparison CSV."""

    table: pd.DataFrame  # scenario, by financial year (index)
    base_table: pd.DataFrame
    csv: pd.DataFrame  # the comparison CSV of every measure

    def difference(self, measure: str, year: str) -> int:
        rows = self.csv[(self.csv["Figure"] == f"Difference from the baseline: {measure}")]
        return int(rows[rows["Scenario"] == "Scenario"][year].iloc[0])

    def value(self, measure: str, who: str, column: str) -> int:
        rows = self.csv[(self.csv["Figure"] == measure) & (self.csv["Scenario"] == who)]
        return int(rows[column].iloc[0])


def figures(case: Case) -> Figures:
    t, bt = runner.tables(case.scenario), runner.tables(case.base)
    frames = {"Baseline": bt.fy, "Scenario": t.fy}
    parts = []
    for measure in exports.COMPARE_MEASURES:
        values, diffs = exports.comparison_tables(frames, measure)
        parts.append(exports.comparison_csv(values, diffs, measure))
    return Figures(
        exports.fy_table(t.fy).set_index(exports.FY),
        exports.fy_table(bt.fy).set_index(exports.FY),
        pd.concat(parts, ignore_index=True),
    )


def run_page(case: Case, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.session_state["scenario"] = case.scenario
    if case.baseline is not None:
        at.session_state["baseline"] = (case.baseline, OURS)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


def cards(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def texts(at: AppTest) -> list[str]:
    return [md.value.replace("\\", "") for md in at.markdown]


def pounds(text: str) -> int:
    """'-£1.2m' -> -1,200,000; '+£46k' -> 46,000 (the card's own figure, in pounds)."""
    m = re.fullmatch(r"([+-]?)£([\d,.]+)([mk])", text)
    assert m, text
    v = float(m.group(2).replace(",", "")) * (1e6 if m.group(3) == "m" else 1e3)
    return round(-v if m.group(1) == "-" else v)


def assert_money_delta(shown: str, difference: int, changed: bool) -> None:
    """A card's money difference is the export's difference, written shorter (to £0.1m or £1k)."""
    if not changed or difference == 0:
        assert shown == ""
        return
    assert shown == fmt.gbp_short(difference, signed=True)
    step = 100_000 if shown.endswith("m") else 1_000
    assert abs(pounds(shown) - difference) <= step / 2
    assert (pounds(shown) > 0) == (difference > 0)


def assert_children_delta(shown: str, difference: int, changed: bool) -> None:
    if not changed or difference == 0:
        assert shown == ""
        return
    assert int(shown.replace(",", "")) == difference  # exactly, with its sign


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


# ---------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------


def test_overview_cards_are_the_exports_figures_and_differences(case: Case) -> None:
    f = figures(case)
    at = run_page(case, "home")
    c = cards(at)
    now = next(v for k, v in c.items() if k.startswith("Start, "))
    assert now[0] == fmt.children(case.scenario.initial.total)
    assert_children_delta(now[1], round(case.scenario.initial.total) - round(case.base.initial.total), case.changed)
    for year, row in f.table.iterrows():
        end = fmt.short_date(runner.tables(case.scenario).fy.set_index("period").at[year, "period_end"])
        value, delta = c[end]
        assert int(value.replace(",", "")) == row[exports.CHILDREN_END] == f.value(CHILDREN, "Scenario", year)
        assert_children_delta(delta, f.difference(CHILDREN, year), case.changed)
        for measure, column, label in ((SPEND, exports.SPEND, "Spend"), (PRESSURE, exports.PRESSURE, "Pressure")):
            value, delta = c[f"{label} {year}"]
            assert value == fmt.gbp_short(row[column]) == fmt.gbp_short(f.value(measure, "Scenario", year))
            assert_money_delta(delta, f.difference(measure, year), case.changed)
    # the totals: the sums of the yearly figures of the table, and their differences
    years = f"{len(f.table)} years"
    for label, column in ((f"Spend, {years}", exports.SPEND), (f"Pressure, {years}", exports.PRESSURE)):
        value, delta = c[label]
        assert value == fmt.gbp_short(f.table[column].sum())
        assert_money_delta(delta, int(f.table[column].sum() - f.base_table[column].sum()), case.changed)


def test_overview_sentences_state_the_figures_of_the_cards(case: Case) -> None:
    f = figures(case)
    at = run_page(case, "home")
    c = cards(at)
    children = next(t for t in texts(at) if t.startswith("Children in care "))
    m = re.search(r"\(([+-]?[\d,]+)\)", children)
    last_card = c[fmt.short_date(runner.tables(case.scenario).fy["period_end"].iloc[-1])][0]
    # "(+N)" is the last card's figure minus the start card's figure
    assert int(m.group(1).replace(",", "")) == int(last_card.replace(",", "")) - int(
        next(v for k, v in c.items() if k.startswith("Start, "))[0].replace(",", "")
    )
    spend = next(t for t in texts(at) if t.startswith("Placement spend is "))
    first = f.table.iloc[0]
    if first[exports.PRESSURE] > 0:
        assert f"a pressure of {fmt.gbp_short(first[exports.PRESSURE])}." in spend
    elif first[exports.PRESSURE] < 0:
        assert f"a saving of {fmt.gbp_short(-first[exports.PRESSURE])}." in spend
    else:
        assert "in line with the budget." in spend
    total = int(f.table[exports.PRESSURE].sum())
    assert spend.endswith(f"{'pressure' if total > 0 else 'saving'} is {fmt.gbp_short(abs(total))}.")
    assert fmt.gbp_short(abs(total)) == c[f"Pressure, {len(f.table)} years"][0].lstrip("-")


def test_overview_headline_sentence_states_the_figures_of_the_cards(case: Case) -> None:
    """The sentence above everything (drawn with the title, before the cards) says the cards' figures: the
    start and last counts, the first year's spend, budget and pressure, the total pressure; and, for a
    changed scenario over the baseline's years, the cards' differences in the last count and total pressure."""
    f = figures(case)
    at = run_page(case, "home")
    c = cards(at)
    head = texts(at)[0].replace("**", "")
    start = next(v for k, v in c.items() if k.startswith("Start, "))[0]
    last_card = c[fmt.short_date(runner.tables(case.scenario).fy["period_end"].iloc[-1])]
    first = f.table.iloc[0]
    year = f.table.index[0]
    assert head.startswith(f"{start} children in care on ") and f", {last_card[0]} by " in head
    assert (
        f"Placement spend {c[f'Spend {year}'][0]} in {year} against a budget of {fmt.gbp_short(first[exports.BUDGET])}"
        in head
    )
    pressure = c[f"Pressure, {len(f.table)} years"]
    total = int(f.table[exports.PRESSURE].sum())
    if total:
        assert f"a total {'pressure' if total > 0 else 'saving'} of {pressure[0].lstrip('-')} over " in head
    same_years = list(f.table.index) == list(f.base_table.index)
    if case.changed and same_years and last_card[1]:
        n = int(last_card[1].replace(",", ""))
        assert f"({abs(n):,} {'more' if n > 0 else 'fewer'} than the baseline)" in head
    if case.changed and same_years and pressure[1]:
        assert (
            f"({pressure[1].lstrip('+-')} {'more' if pressure[1].startswith('+') else 'less'} than the baseline)"
            in head
        )
    if not case.changed:
        assert "baseline" not in head


# ---------------------------------------------------------------------------
# Scenario builder and Compare
# ---------------------------------------------------------------------------


def test_builder_cards_are_the_exports_figures_and_differences(case: Case) -> None:
    f = figures(case)
    at = run_page(case, "builder")
    c = cards(at)
    last, first = f.table.index[-1], f.table.index[0]
    end = fmt.short_date(runner.tables(case.scenario).fy["period_end"].iloc[-1])
    value, delta = c[f"Children in care at {end}"]
    assert int(value.replace(",", "")) == f.value(CHILDREN, "Scenario", last)
    assert_children_delta(delta, f.difference(CHILDREN, last), case.changed)
    assert_money_delta(c[f"Spend {first}"][1], f.difference(SPEND, first), case.changed)
    assert_money_delta(c[f"Pressure {first}"][1], f.difference(PRESSURE, first), case.changed)
    value, delta = c[f"Spend over {len(f.table)} years"]
    assert value == fmt.gbp_short(f.table[exports.SPEND].sum())
    assert_money_delta(delta, int(f.table[exports.SPEND].sum() - f.base_table[exports.SPEND].sum()), case.changed)


def test_compare_states_the_figures_of_its_csv(case: Case) -> None:
    f = figures(case)
    at = run_page(case, "compare")
    end = next(t for t in texts(at) if t.startswith("Children in care at the end of the projection"))
    last = f.table.index[-1]
    assert f"Current scenario {f.value(CHILDREN, 'Scenario', last):,}" in end
    assert f" {f.value(CHILDREN, 'Baseline', last):,}," in end
    # the table on the page is the CSV's (the first figure shown is placement spend)
    written = page_tables(at)[1].set_index("Scenario").iloc[0]  # values, then differences
    diffs = shown_numbers(page_tables(at)[1]).set_index("Scenario").iloc[0]
    for year in f.table.index:
        assert int(diffs[year]) == f.difference(SPEND, year)
        # written with its sign, as on the Overview and in the Excel: "+£986,000" (review: Compare had "£986,000")
        if f.difference(SPEND, year) > 0:
            assert written[year].startswith("+£"), written[year]
    # the levers' sentence gives the CSV's total difference in words: "spends £8.1m less", not "by -£8.1m"
    total = f.difference(SPEND, "Total")
    said = next((t for t in texts(at) if "The biggest part comes from" in t), None)
    if total:
        assert said is not None
        assert f"spends **{fmt.gbp_short(abs(total))} {'less' if total < 0 else 'more'}** than the baseline" in said
        assert "differs from the baseline by" not in said


def test_compare_total_is_the_sum_of_the_years_as_on_the_overview() -> None:
    f = figures(CASES[0])
    assert f.value(SPEND, "Baseline", "Total") == f.base_table[exports.SPEND].sum()


# ---------------------------------------------------------------------------
# The briefing
# ---------------------------------------------------------------------------


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_a_small_overspend_is_over_budget_in_the_exports() -> None:
    """The case the briefing once called "in line": the own baseline is £46k over in 2027-28."""
    f = figures(CASES[-1])
    assert f.base_table.at["2027-28", exports.PRESSURE] == 46_000


def test_briefing_sentences_agree_with_the_exports(case: Case) -> None:
    f = figures(case)
    at = run_page(case, "briefing")
    words = "\n".join(texts(at))
    # on current trends: the number now and at the end, and their difference, as the baseline's cards
    m = re.search(
        r"([\d,]+) children are in care on .*?about ([\d,]+) would be in care by \w+ \d{4} \(([^)]*)\)", words
    )
    now, end = _number(m.group(1)), _number(m.group(2))
    assert now == round(case.base.initial.total)
    assert end == f.value(CHILDREN, "Baseline", f.base_table.index[-1])
    trend = end - now
    assert m.group(3) == (f"{abs(trend)} {'more' if trend > 0 else 'fewer'} than now" if trend else "the same as now")
    # over budget in as many years as the Overview's bars (the table's pressure above zero)
    over = int((f.base_table[exports.PRESSURE] > 0).sum())
    n = len(f.base_table)
    want = (
        "above the budget in every year"
        if over == n
        else "at or below the budget in every year"
        if over == 0
        else f"above the budget in {over} of the {n} years"
    )
    assert want in words
    # the first year's pressure: over or under as the table says
    p1 = f.base_table[exports.PRESSURE].iloc[0]
    money = next(t for t in texts(at) if "Placement spending in" in t and "is forecast at" in t)
    assert ("overspend" in money or "over:" in money) if p1 > 0 else ("underspend" in money or "under" in money)
    if not case.changed:
        return
    # with the changes, in the focus year (the second): children exactly as Compare's CSV
    year = f.table.index[1]
    d = f.difference(CHILDREN, year)
    if d:
        assert f"about {abs(d):,} {'more' if d > 0 else 'fewer'} children would be in care" in words
    else:
        assert "no change in the number of children in care" in words
    # money: Compare's difference written to £0.1m (about the same when under £50k or level to £0.1m)
    dk = f.difference(SPEND, year)
    dm = tenth_m(dk)
    if abs(dk) >= 50_000 and tenth_m(f.value(SPEND, "Scenario", year)) != tenth_m(f.value(SPEND, "Baseline", year)):
        assert f"about £{abs(dm):.1f}m {'higher' if dm > 0 else 'lower'} in {year}" in words
    elif dk:
        assert f"in {year} would be about the same (£{abs(dk) // 1000:,}k {'higher' if dk > 0 else 'lower'})" in words
    # by the end: the number in care and the difference, as Compare's CSV
    last = f.table.index[-1]
    assert f"about {f.value(CHILDREN, 'Scenario', last):,} children would be in care" in words
    d_end = f.difference(CHILDREN, last)
    if d_end:
        assert f"({abs(d_end):,} {'more' if d_end > 0 else 'fewer'} than on current trends)" in words
    # against the budget in the focus year: never "in line" when the table shows a pressure
    budget = re.search(r"Against the budget, spending in [^\n]*", words).group(0)
    p = f.table.at[year, exports.PRESSURE]
    if p:
        assert ("over" if p > 0 else "under") in budget.split(" instead of ")[0]
    assert "would be in line" not in budget if p else True


# ---------------------------------------------------------------------------
# The rule, stated once on the Model page; its table rows told apart
# ---------------------------------------------------------------------------


def test_the_model_page_states_the_rule_and_tells_assumption_rows_apart() -> None:
    from csc_model.reporting.rounding import RULE

    at = run_page(CASES[0], "model")
    assert [h.value for h in at.subheader if "rounded" in h.value] == ["How figures are rounded: one figure, one value"]
    assert RULE in texts(at)
    table = next(df.value for df in at.dataframe if "Assumption" in df.value.columns)
    stages = table[table["Assumption"] == "Children in care on the start date, by legal stage"]
    # each row names its stage in a column of its own (the full label was cut before the stage)
    assert len(stages) >= 4 and stages["For"].is_unique and (stages["For"] != "").all()
    assert (table["Assumption"].str.len() <= 60).all()


# ---------------------------------------------------------------------------
# The shared mechanism: the shown figure and the shown difference
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "base", "kind", "want"),
    [
        (519.4, 513.6, "children", "+5"),  # 519 and 514 are shown: not +6 (519.4 - 513.6 = 5.8)
        (513.6, 519.4, "children", "-5"),
        (510.4, 510.2, "children", ""),  # both show 510
        (38_149_600, 38_000_400, "money", "+£150k"),  # £38,150,000 - £38,000,000
        (39_400, 39_600, "money", "-£1k"),  # £39,000 and £40,000 are shown: the raw gap is £200
        (41_250_000, 39_000_400, "money", "+£2.3m"),  # £2,250,000 written shorter
    ],
)
def test_a_difference_is_the_difference_of_the_shown_figures(value: float, base: float, kind: str, want: str) -> None:
    assert fmt.difference(value, base, kind) == fmt.shown(value, kind) - fmt.shown(base, kind)
    assert (fmt.difference_text(value, base, kind) if fmt.difference(value, base, kind) else "") == want


def test_short_money_rounds_the_tables_figure() -> None:
    # £38,149,600 is £38,150,000 in the tables, so £38.2m (halves away from zero), not £38.1m
    assert fmt.gbp(38_149_600) == "£38,150,000" and fmt.gbp_short(38_149_600) == "£38.2m"
    assert fmt.gbp_short(-999_600) == "-£1.0m" and fmt.gbp_short(999_400) == "£999k"
    assert fmt.gbp_short(400, signed=True) == "£0" and fmt.gbp_short(0) == "£0"  # not "£0k" (second review)


def test_labels_inside_a_sentence_keep_their_capitals() -> None:
    assert fmt.lower_first("Children in care at 31 March") == "children in care at 31 March"
    assert fmt.lower_first("LA children's home") == "LA children's home"
    assert fmt.lower_first("Independent fostering agency (IFA)") == "independent fostering agency (IFA)"
