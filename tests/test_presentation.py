"""Slides for the council chamber: the changes named, figures that add up, the risk or a plain note."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from app_lib import presentation as pr
from csc_model.reporting.narrative import narrate, pressure_phrase, round_children, round_money_m
from csc_model.reporting.results import Result, project
from csc_model.reporting.rounding import pressure, tenth_m
from csc_model.scenario import Scenario
from csc_model.scenario.presets import apply_preset

PRESETS = ("court_26_weeks", "edge_of_care_10", "fostering_sufficiency", "inflation_shock", "sibling_surge")


@pytest.fixture(scope="module")
def projections(base: Scenario) -> dict[str, Result]:
    return {p: project(apply_preset(base, p)) for p in PRESETS}


def money(text: str) -> float:
    """'£39.2m' -> 39.2; '£46k' -> 0.046."""
    m = re.fullmatch(r"£([\d,.]+)([mk])", text)
    assert m, text
    v = float(m.group(1).replace(",", ""))
    return v if m.group(2) == "m" else v / 1000


def test_the_four_briefing_levers_are_named_in_plain_words(base: Scenario) -> None:
    court = base.with_values(
        {
            "proceedings.target_mean_weeks": 26.0,
            "proceedings.target_from_date": "2026-04-01",
            "proceedings.target_by_date": "2027-03-31",
        }
    )
    assert pr.change_phrases(base, court) == ["Court proceedings brought down to 26 weeks by March 2027"]
    longer = court.with_values({"proceedings.target_mean_weeks": base.proceedings.mean_weeks + 5})
    assert pr.change_phrases(base, longer)[0].startswith("Court proceedings allowed to rise to")
    edge = base.with_values({"entries.prevented_share": 0.1, "entries.prevention_start": "2026-10-01"})
    assert pr.change_phrases(base, edge) == ["Edge-of-care work keeps 1 in 10 children out of care from October 2026"]
    edge15 = edge.with_values({"entries.prevented_share": 0.15})
    assert pr.change_phrases(base, edge15) == ["Edge-of-care work keeps 15% of children out of care from October 2026"]
    prices = base.with_values({"costs.annual_inflation": base.costs.annual_inflation + 0.02})
    was, now = base.costs.annual_inflation * 100, prices.costs.annual_inflation * 100
    assert pr.change_phrases(base, prices) == [f"Placement prices rising {now:g}% a year instead of {was:g}%"]


def test_every_change_is_listed_once_and_never_only_counted(base: Scenario, projections: dict[str, Result]) -> None:
    s = base
    for p in ("court_26_weeks", "edge_of_care_10", "fostering_sufficiency"):
        s = apply_preset(s, p)
    phrases = pr.change_phrases(base, s)
    n = narrate(project(base), project(s))
    assert len(phrases) == len(n.levers) == 3
    assert "With the 3 changes" in n.change[0].text  # the sentence counts them ...
    slide = pr.slides(project(base), project(s))[0]
    assert slide.title == "The 3 changes in this scenario" and list(slide.lines) == phrases  # ... the slide names them
    # any lever the briefing has no special words for still says what it is and both values
    surge = pr.change_phrases(base, apply_preset(base, "sibling_surge"))
    assert len(surge) == 1 and " instead of " in surge[0]
    assert pr.change_phrases(base, base) == []


def test_nothing_changed_shows_current_trends(base_result: Result) -> None:
    slides = pr.slides(base_result, base_result)
    assert slides[0].title == "Current trends"
    children = slides[1]
    fy = base_result.table("fy")
    now, end = round(base_result.scenario.initial.total), round_children(fy["children_in_care"].iloc[-1])
    assert [f.value for f in children.figures] == [f"{now:,}", f"about {end:,}"]
    assert "on current trends" in children.figures[1].label


@pytest.mark.parametrize("preset", PRESETS)
def test_children_figures_add_up_and_match_the_sentences(
    preset: str, base_result: Result, projections: dict[str, Result]
) -> None:
    scen = projections[preset]
    slide = pr.slides(base_result, scen)[1]
    n = narrate(base_result, scen)
    end = n.by_key("change_longer_term").figures
    assert slide.figures[1].value == f"about {end['children_scenario_rounded']:,}"
    # the note says what the figures are: it once said "rounded to the nearest 5" beside "about 479"
    assert slide.note == pr.CHILDREN_NOTE and "nearest child" in slide.note
    assert "nearest 5" not in slide.note and "nearest 5" not in (pr.__doc__ or "")
    base_end = round_children(base_result.table("fy")["children_in_care"].iloc[-1])
    line = slide.lines[0]
    assert f"about {base_end:,} by" in line
    d = end["children_scenario_rounded"] - base_end  # the difference of the figures as shown
    if d:
        assert f"{abs(d):,} {'more' if d > 0 else 'fewer'} with the changes" in line
    else:
        assert "the same number" in line


@pytest.mark.parametrize("preset", PRESETS)
def test_spend_against_budget_has_the_briefing_sentences_values(
    preset: str, base_result: Result, projections: dict[str, Result]
) -> None:
    scen = projections[preset]
    slide = next(s for s in pr.slides(base_result, scen) if s.key == "spend")
    fy = scen.table("fy").iloc[pr.focus_index(len(scen.table("fy")))]
    assert slide.title.endswith(str(fy["period"]))
    spend, budget = (money(f.value) for f in slide.figures)
    assert spend == round_money_m(fy["spend_gbp"]) and budget == round_money_m(fy["budget_gbp"])
    # the gap is the one the briefing's sentence gives for the same year: one value on page and slide
    phrase = pressure_phrase(fy["spend_gbp"], fy["budget_gbp"])
    assert slide.lines[0] == f"Spending with the changes would be {phrase} in {fy['period']}."
    assert phrase in narrate(base_result, scen).by_key("change_budget").text
    m = re.search(r"would be (£[\d.,]+[mk]) (over|under) budget", slide.lines[0])
    gap = round(spend - budget, 1)
    if m and m.group(1).endswith("m"):  # the Overview's pressure card, within £0.1m of the figures shown
        table_gap = pressure(fy["spend_gbp"], fy["budget_gbp"])  # the budget paper's £1,000 figure
        assert money(m.group(1)) == pytest.approx(abs(tenth_m(table_gap)))
        assert money(m.group(1)) == pytest.approx(abs(gap), abs=0.1001)
        assert m.group(2) == ("over" if table_gap > 0 else "under")
    elif not gap:  # level to £0.1m: never "£0.1m" beside two equal figures
        assert m is None or m.group(1).endswith("k")


def test_risk_slide_gives_the_chance_from_the_range_of_outcomes(base_result: Result) -> None:
    fy = base_result.table("fy")
    band = pd.DataFrame(
        {"period": fy["period"], "budget_gbp": fy["budget_gbp"], "prob_over_budget": [0.62, 0.81, 0.97, 0.5, 0.02]}
    )
    slide = pr.slides(base_result, base_result, band)[-1]
    assert slide.key == "risk"
    assert slide.figures[0].value == "about 6 in 10"
    assert fy["period"].iloc[0] in slide.figures[0].label
    assert len(slide.lines) == len(fy) - 1
    assert slide.lines[1].startswith(f"{fy['period'].iloc[2]}: more than 19 in 20")
    assert slide.lines[-1].startswith(f"{fy['period'].iloc[-1]}: less than 1 in 20")


def test_risk_slide_says_when_the_range_is_off(base_result: Result) -> None:
    slide = pr.slides(base_result, base_result, None)[-1]
    assert not slide.figures
    assert "range of outcomes is off" in slide.lines[0]


def test_one_chart_per_chart_slide_and_no_chart_beside_figures(base_result: Result, projections) -> None:
    for scen in (base_result, projections["court_26_weeks"]):
        slides = pr.slides(base_result, scen)
        assert [s.chart for s in slides if s.chart] == [pr.CHILDREN_CHART, pr.SPEND_CHART]
        assert all(not (s.chart and s.figures) for s in slides)
        assert len({s.key for s in slides}) == len(slides)


@pytest.mark.parametrize(
    ("index", "delta", "count", "expected"),
    [(0, 1, 6, 1), (5, 1, 6, 5), (0, -1, 6, 0), (3, -1, 6, 2), (9, 0, 6, 5), (2, 1, 0, 0)],
)
def test_step_stays_within_the_slides(index: int, delta: int, count: int, expected: int) -> None:
    assert pr.step(index, delta, count) == expected


def test_the_placement_shift_says_up_to_as_the_model_stops_when_the_placement_is_empty() -> None:
    """Rutland has 3 children in private children's homes; the slide said '10 children a year moved' while the
    model moved only those there (second review). The phrase and the narrative now say 'up to'."""
    from csc_model import default_scenario

    base = default_scenario()
    scen = apply_preset(base, "fostering_sufficiency")
    assert pr.change_phrases(base, scen)[0].startswith("Up to 10 children a year moved from private children's homes")
    lever = narrate(project(base), project(scen)).levers[0]
    assert lever.clause.startswith("up to 10 children a year moved")


def test_current_trends_on_the_spend_slide_keep_their_own_budget(base: Scenario, base_result: Result) -> None:
    """A scenario that changes the budget: current trends are still measured against the baseline's budget."""
    fy_b = base_result.table("fy")
    i = pr.focus_index(len(fy_b))
    year = str(fy_b["period"].iloc[i])
    s = apply_preset(base, "edge_of_care_10").with_values({f"costs.budget_overrides.{year}": 45_000_000.0})
    scen = project(s)
    slide = next(sl for sl in pr.slides(base_result, scen) if sl.key == "spend")
    trends = next(line for line in slide.lines if line.startswith("On current trends"))
    own = pressure_phrase(fy_b["spend_gbp"].iloc[i], fy_b["budget_gbp"].iloc[i])
    assert own in trends and "(its budget " in trends, trends
    # the same words as the briefing's sentence about the same year
    assert f"instead of about {own} on current trends" in narrate(base_result, scen).by_key("change_budget").text


def test_a_budget_for_one_year_is_named_with_how_later_years_follow(base: Scenario) -> None:
    """'Budget in particular years (2027-28): £45.0m instead of usual uplift' said neither the old budget
    nor that 2028-29 onwards grow from the new one."""
    from csc_model.reporting.results import usual_budget

    one = base.with_values({"costs.budget_overrides": {"2027-28": 45e6}})
    was = round_money_m(usual_budget(base, 2027))
    assert pr.change_phrases(base, one) == [
        f"Placement budget for 2027-28 set at £45.0m instead of £{was:.1f}m, "
        f"later years growing from it by {base.costs.budget_annual_uplift * 100:g}% a year"
    ]
    # the projection does grow the later years from it, as the words say
    fy = project(one).table("fy").set_index("period")["budget_gbp"]
    assert fy["2028-29"] == pytest.approx(45e6 * (1 + base.costs.budget_annual_uplift))
    # a later override, or the last year, has no "later years" to describe
    two = one.with_values({"costs.budget_overrides": {"2027-28": 45e6, "2029-30": 50e6}})
    assert not pr.change_phrases(base, two)[0].endswith("a year")
    last = base.with_values({"costs.budget_overrides": {"2030-31": 50e6}})
    assert pr.change_phrases(base, last)[0].endswith(f"instead of £{round_money_m(usual_budget(base, 2030)):.1f}m")
