"""Headline sentences match the model's figures, with the right words for each direction."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from csc_model.reporting.narrative import (
    ROUNDING_STATEMENT,
    changed_levers,
    fmt_money_m,
    key_assumptions,
    narrate,
    pressure_phrase,
    round_children,
    round_money_m,
)
from csc_model.reporting.results import Result, compare, project
from csc_model.reporting.rounding import pressure, thousand
from csc_model.scenario import Scenario, field_meta
from csc_model.scenario.presets import apply_preset

MONEY = re.compile(r"£([\d,]+\.\d)m")
CHILDREN = re.compile(r"about ([\d,]+) (?:more |fewer )?children")


@pytest.fixture(scope="module")
def preset_results(base: Scenario) -> dict[str, Result]:
    keys = ("court_26_weeks", "sibling_surge", "inflation_shock", "edge_of_care_10", "fostering_sufficiency")
    return {k: project(apply_preset(base, k)) for k in keys}


def short_m(gbp: int) -> float:
    """A difference of the tables (whole £1,000s) written to £0.1m, halves away from zero, worked out here
    with decimals rather than with the module under test."""
    return float((Decimal(gbp) / Decimal(1_000_000)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def expected_m(a_gbp: float, b_gbp: float) -> float:
    """The £m a sentence gives for ``a - b``: the tables' difference written short, or 0.0 ("about the same")
    when the tables' figures are under £50k apart or the two £0.1m figures read the same."""
    dk = thousand(a_gbp) - thousand(b_gbp)
    return 0.0 if abs(dk) < 50_000 or round_money_m(a_gbp) == round_money_m(b_gbp) else short_m(dk)


def _money_in(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in MONEY.findall(text)]


# -- rounding ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [(0, 0), (0.4, 0), (-0.4, 0), (-12.886, -13), (513, 513), (519.18, 519), (518.6, 519), (1237.6, 1238)],
)
def test_round_children_to_whole_numbers_as_every_page(x: float, expected: int) -> None:
    assert round_children(x) == expected
    assert str(round_children(x)) != "-0"


@pytest.mark.parametrize(
    ("gbp", "expected"),
    [
        (0, 0.0),
        (49_499, 0.0),
        (49_500, 0.1),  # £50,000 in the tables, so £0.1m: the shorter figure rounds the table's figure
        (-49_499, 0.0),
        (-50_000, -0.1),
        (2_105_630, 2.1),
        (-1_600_009, -1.6),
        (38_149_600, 38.2),  # £38,150,000 in the tables
    ],
)
def test_round_money_to_nearest_100k_from_the_thousands(gbp: float, expected: float) -> None:
    assert round_money_m(gbp) == pytest.approx(expected)
    assert fmt_money_m(round_money_m(gbp)) == f"£{abs(expected):.1f}m"


# -- no change ------------------------------------------------------------------


def test_no_change_gives_baseline_sentences(base_result: Result) -> None:
    n = narrate(base_result, base_result)
    assert not n.changed
    assert n.change == ()
    keys = [s.key for s in n.headline]
    assert keys == ["baseline_children", "baseline_money", "rounding"]
    assert 3 <= len(n.headline) <= 4

    t = base_result.table("fy")
    kids = n.by_key("baseline_children")
    assert kids.figures["children_now"] == pytest.approx(base_result.structure.initial.sum())
    assert kids.figures["children_end"] == pytest.approx(t["children_in_care"].iloc[-1])
    # the number in care now is a count: exact, as on the overview
    assert kids.figures["children_now_rounded"] == round(base_result.structure.initial.sum())
    assert f"{kids.figures['children_now_rounded']:,} children are in care" in kids.text
    assert f"about {kids.figures['children_end_rounded']:,} would be in care by March 2031" in kids.text
    # whole numbers, as on the Overview's cards; "(N more than now)" is the difference of the two numbers given
    assert kids.figures["children_end_rounded"] == round(t["children_in_care"].iloc[-1])
    trend = kids.figures["children_end_rounded"] - kids.figures["children_now_rounded"]
    words = f"{abs(trend)} {'more' if trend > 0 else 'fewer'} than now" if trend else "the same as now"
    assert f"({words})" in kids.text

    money = n.by_key("baseline_money")
    assert money.figures["spend_first_gbp"] == pytest.approx(t["spend_gbp"].iloc[0])
    assert money.figures["budget_first_gbp"] == pytest.approx(t["budget_gbp"].iloc[0])
    # the pressure of the tables: spend and budget each to £1,000, then subtracted
    assert money.figures["pressure_first_gbp"] == pressure(t["spend_gbp"].iloc[0], t["budget_gbp"].iloc[0])
    shown = _money_in(money.text)
    spend_m, budget_m = round_money_m(t["spend_gbp"].iloc[0]), round_money_m(t["budget_gbp"].iloc[0])
    # the pressure in £m is the difference of the two figures in £m the sentence gives
    assert shown[:3] == [spend_m, budget_m, round(abs(spend_m - budget_m), 1)]
    # the default budget is set below spend: a pressure (overspend)
    assert "pressure (overspend)" in money.text
    assert n.rounding.text == ROUNDING_STATEMENT
    assert "whole numbers" in n.rounding.text and "£0.1m" in n.rounding.text
    # in a councillor's words: no "the tables' difference (to £1,000) written to £0.1m" (second review)
    assert "tables'" not in n.rounding.text and "written to" not in n.rounding.text


def test_scenario_name_alone_is_not_a_change(base: Scenario, base_result: Result) -> None:
    renamed = project(base.with_values({"name": "Renamed"}))
    assert changed_levers(base, renamed.scenario) == []
    assert not narrate(base_result, renamed).changed


# -- changes in each direction -------------------------------------------------------


def _check_change_figures(base_result: Result, res: Result) -> dict[str, object]:
    """The change sentences state the model's differences (by financial year), rounded."""
    n = narrate(base_result, res)
    assert n.changed
    assert [s.key for s in n.headline] == ["change_headline", "change_longer_term", "change_budget", "rounding"]
    cmp = compare(base_result, res, "fy")
    head = n.by_key("change_headline")
    i = 1  # the focus year: the second financial year
    assert head.figures["fy"] == cmp["period"].iloc[i] == n.focus_fy
    assert head.figures["children_difference"] == pytest.approx(cmp["children_in_care_difference"].iloc[i])
    assert head.figures["spend_difference_gbp"] == pytest.approx(cmp["spend_gbp_difference"].iloc[i])
    # the difference of the rounded numbers, so that the sentences add up
    dc = round_children(cmp["children_in_care_scenario"].iloc[i]) - round_children(
        cmp["children_in_care_baseline"].iloc[i]
    )
    # money: the tables' difference written to £0.1m (the value every page gives), unless about the same
    sb, ss = cmp["spend_gbp_baseline"].iloc[i], cmp["spend_gbp_scenario"].iloc[i]
    dk = thousand(ss) - thousand(sb)
    ds = expected_m(ss, sb)
    assert head.figures["spend_difference_thousand"] == dk
    assert head.figures["children_difference_rounded"] == dc
    assert head.figures["spend_difference_m"] == ds
    if dc:
        assert f"about {abs(dc)} {'more' if dc > 0 else 'fewer'} children would be in care" in head.text
    if ds:
        assert f"about {fmt_money_m(ds)} {'higher' if ds > 0 else 'lower'} in {head.figures['fy']}" in head.text
    assert "by March 2028" in head.text

    longer = n.by_key("change_longer_term")
    total = cmp["spend_gbp_difference"].sum()
    assert longer.figures["spend_difference_total_gbp"] == pytest.approx(total)
    assert longer.figures["children_difference"] == pytest.approx(cmp["children_in_care_difference"].iloc[-1])
    assert longer.figures["children_scenario_rounded"] == round_children(cmp["children_in_care_scenario"].iloc[-1])
    assert f"about {longer.figures['children_scenario_rounded']} children" in longer.text
    d_end = longer.figures["children_scenario_rounded"] - round_children(cmp["children_in_care_baseline"].iloc[-1])
    if d_end:
        assert f"({abs(d_end)} {'more' if d_end > 0 else 'fewer'} than on current trends)" in longer.text
    # the totals are the sums of the yearly £1,000 figures (as the Overview's total cards)
    tot_s = sum(thousand(v) for v in cmp["spend_gbp_scenario"])
    tot_b = sum(thousand(v) for v in cmp["spend_gbp_baseline"])
    total_m = expected_m(tot_s, tot_b)
    assert longer.figures["spend_difference_total_m"] == total_m
    if total_m:
        assert fmt_money_m(total_m) in longer.text

    budget = n.by_key("change_budget")
    for w in ("scenario", "baseline"):
        spend, bud = cmp[f"spend_gbp_{w}"].iloc[i], cmp[f"budget_gbp_{w}"].iloc[i]
        assert budget.figures[f"pressure_{w}_gbp"] == thousand(spend) - thousand(bud)
        # over or under as the tables say; the words are those of pressure_phrase
        assert pressure_phrase(spend, bud) in budget.text
        assert budget.figures[f"pressure_{w}_m"] == expected_m(spend, bud)
        if thousand(spend) > thousand(bud):
            assert "over" in pressure_phrase(spend, bud)
    return {"n": n, "dc": dc, "ds": ds, "head": head.text, "longer": longer.text}


def test_court_26_weeks_fewer_children_lower_spend(base_result: Result, preset_results: dict[str, Result]) -> None:
    out = _check_change_figures(base_result, preset_results["court_26_weeks"])
    assert out["dc"] < 0 and out["ds"] < 0
    head = out["head"]
    assert head.startswith("If the average length of care proceedings fell from 45 to 26 weeks")
    assert "fewer children" in head and "lower" in head
    assert "more children" not in head and "higher" not in head
    assert "fewer than on current trends" in out["longer"] and "lower in total" in out["longer"]


def test_sibling_surge_more_children_higher_spend(base_result: Result, preset_results: dict[str, Result]) -> None:
    out = _check_change_figures(base_result, preset_results["sibling_surge"])
    assert out["dc"] > 0 and out["ds"] > 0
    head = out["head"]
    assert head.startswith("If 36 extra children came into care over 20 weeks from July 2026")
    assert "more children" in head and "higher" in head
    assert "fewer" not in head and "lower" not in head
    assert "higher in total" in out["longer"]


def test_inflation_shock_same_children_higher_spend(base_result: Result, preset_results: dict[str, Result]) -> None:
    out = _check_change_figures(base_result, preset_results["inflation_shock"])
    assert out["dc"] == 0 and out["ds"] > 0
    head = out["head"]
    assert head.startswith("If placement prices rose 10% in 2027-28 (instead of 4%)")
    assert "no change in the number of children in care" in head
    assert "more children" not in head and "fewer children" not in head
    assert "higher in 2027-28" in head
    assert "(no change from current trends)" in out["longer"]


@pytest.mark.parametrize("key", ["edge_of_care_10", "fostering_sufficiency"])
def test_other_presets_lower_spend(base_result: Result, preset_results: dict[str, Result], key: str) -> None:
    out = _check_change_figures(base_result, preset_results[key])
    assert out["ds"] < 0
    assert "lower" in out["head"]


def test_tiny_change_is_no_change_in_money(base: Scenario, base_result: Result) -> None:
    # £1 a week more for children placed with parents: far less than £0.05m a year
    s = base.with_values({"costs.weekly_price_gbp.placed_with_parents": 61.0})
    n = narrate(base_result, project(s))
    head = n.by_key("change_headline")
    assert head.figures["spend_difference_gbp"] > 0
    assert head.figures["spend_difference_m"] == 0.0
    # the tables show a few £1,000 more: the words say so instead of "no change"
    dk = head.figures["spend_difference_thousand"]
    assert 0 < dk < 50_000
    assert f"placement spending in 2027-28 would be about the same (£{dk // 1000}k higher)" in head.text
    assert "lower" not in head.text
    assert "no change in the number of children in care" in head.text


def test_sentences_change_when_a_lever_changes(base: Scenario, base_result: Result) -> None:
    a = narrate(base_result, project(base.with_values({"proceedings.mean_weeks": 40.0})))
    b = narrate(base_result, project(base.with_values({"proceedings.mean_weeks": 30.0})))
    assert a.texts() != b.texts()
    assert "took 40 weeks" in a.change[0].text and "took 30 weeks" in b.change[0].text
    assert b.change[0].figures["children_difference"] < a.change[0].figures["children_difference"] < 0


def test_generic_lever_uses_field_label(base: Scenario, base_result: Result) -> None:
    s = base.with_values({"s20.mean_weeks_to_return_home": 40.0})
    n = narrate(base_result, project(s))
    (lever,) = n.levers
    label = field_meta("s20.mean_weeks_to_return_home")["label"]
    assert lever.label == label
    assert label[0].lower() + label[1:] in lever.clause
    assert f"40 weeks (instead of {base.s20.mean_weeks_to_return_home:g} weeks)" in lever.clause
    assert lever.source  # the default's source is carried along


def test_many_levers_are_summarised(base: Scenario, base_result: Result) -> None:
    s = base
    for key in ("court_26_weeks", "edge_of_care_10", "inflation_shock"):
        s = apply_preset(s, key)
    n = narrate(base_result, project(s))
    assert len(n.levers) == 3
    assert n.change[0].text.startswith("With the 3 changes in this scenario, by March 2028")


def test_focus_year_can_be_chosen(base_result: Result, preset_results: dict[str, Result]) -> None:
    res = preset_results["court_26_weeks"]
    n = narrate(base_result, res, focus=0)
    assert n.focus_fy == "2026-27"
    assert "by March 2027" in n.change[0].text


def test_key_assumptions_have_sources_and_mark_changes(base: Scenario) -> None:
    s = apply_preset(base, "inflation_shock").with_values({"costs.annual_inflation": 0.05})
    rows = key_assumptions(s, base)
    assert all(r.source for r in rows)
    changed = [r.label for r in rows if r.changed]
    assert changed == [field_meta("costs.annual_inflation")["label"]]
    assert any(r.value == "5% a year" for r in rows)


# -- spend against budget: words that agree with the tables ----------------------------------


@pytest.mark.parametrize(
    ("spend", "budget", "words"),
    [
        (41_386_000, 41_340_000, "£46k over: about in line with the budget"),  # issue 11's 2027-28
        (39_040_000, 38_960_000, "£80k over: about in line with the budget"),  # both £39.0m: no £0.1m gap
        (38_960_000, 39_040_000, "£80k under: about in line with the budget"),
        (39_913_492, 38_000_000, "£1.9m over budget"),  # £39.9m against £38.0m
        (38_000_400, 38_000_000, "in line with the budget"),  # the same £1,000 figure
        (39_149_600, 39_000_000, "£0.2m over budget"),  # £39,150,000 is £39.2m: 39.2 - 39.0
    ],
)
def test_pressure_words_follow_the_tables(spend: float, budget: float, words: str) -> None:
    assert pressure_phrase(spend, budget) == words
    # never "in line" alone while the table shows a pressure or a saving
    assert (pressure(spend, budget) == 0) == (words == "in line with the budget")


def test_a_pressure_and_a_total_have_the_values_of_the_overview_and_the_exports(base: Scenario) -> None:
    """Seen in review: with court proceedings at 26 weeks and the inflation shock, the briefing said the baseline
    was "about £3.4m over budget" in 2027-28 and spending "£3.4m lower in total", where the Overview's cards
    and the CSV give £3,476,000 (£3.5m) and -£3,475,000 (-£3.5m): differences of £0.1m figures, not the tables'."""
    s = apply_preset(apply_preset(base, "court_26_weeks"), "inflation_shock")
    b_res, s_res = project(base), project(s)
    n = narrate(b_res, s_res)
    a, b = b_res.table("fy"), s_res.table("fy")
    fy = n.focus_fy
    i = list(a["period"]).index(fy)
    press_base = thousand(a["spend_gbp"].iloc[i]) - thousand(a["budget_gbp"].iloc[i])  # the Overview table's
    total = sum(thousand(v) for v in b["spend_gbp"]) - sum(thousand(v) for v in a["spend_gbp"])  # the total card's
    budget, longer = n.by_key("change_budget").text, n.by_key("change_longer_term").text
    assert f"instead of about {fmt_money_m(short_m(press_base))} over budget on current trends" in budget
    assert f"placement spending would be about {fmt_money_m(short_m(total))} lower in total" in longer
    # the case the review saw: the two £0.1m figures' difference is not the tables' difference written short
    assert round(round_money_m(a["spend_gbp"].iloc[i]) - round_money_m(a["budget_gbp"].iloc[i]), 1) != short_m(
        press_base
    )
