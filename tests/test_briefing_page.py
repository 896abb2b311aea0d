"""The councillor briefing page renders on its own, and its levers change its sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csc_model import default_scenario
from csc_model.reporting.narrative import narrate
from csc_model.reporting.results import project
from csc_model.scenario.config import DATA_DIR

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "briefing.py")
COURT, EDGE, FOSTER, INFLATION = (
    "briefing:court_weeks",
    "briefing:edge_pct",
    "briefing:foster_per_year",
    "briefing:inflation_pct",
)


def unmd(text: str) -> str:
    """Markdown-escaped text back to plain text."""
    return re.sub(r"\\(.)", r"\1", text)


def page_text(at: AppTest) -> str:
    return "\n".join(unmd(m.value) for m in at.markdown)


def sentences(at: AppTest) -> list[str]:
    """The bulleted headline sentences shown at the top of the page."""
    out = []
    for m in at.markdown:
        for line in m.value.splitlines():
            if line.startswith("- ") and "**" not in line:
                out.append(unmd(line[2:]))
    return out


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_renders_on_its_own_with_headings_in_order(at: AppTest) -> None:
    assert [t.value for t in at.title] == ["Councillor briefing"]
    assert [h.value for h in at.header] == [
        "What the model says",
        "What if ...?",
        "Take-away brief",
        "Words used",
    ]
    assert [h.value for h in at.subheader] == ["Children in care", "Placement spending against budget"]
    assert len(at.get("vega_lite_chart")) == 2
    assert len(at.get("download_button")) == 2  # the brief as HTML and as PDF
    assert len(at.slider) == 4


def test_default_sentences_match_the_model(at: AppTest) -> None:
    base = project(default_scenario())
    n = narrate(base, base)
    assert sentences(at)[: len(n.baseline)] == [s.text for s in n.baseline]
    assert n.rounding.text in [c.value for c in at.caption]
    text = page_text(at)
    assert "513 children are in care on 1 April 2026" in text


@pytest.mark.parametrize(
    ("key", "value", "phrase", "path", "expected"),
    [
        (COURT, 26, "fell from 45 to 26 weeks", "proceedings.target_mean_weeks", 26.0),
        (EDGE, 10, "edge-of-care work prevented 1 in 10 entries", "entries.prevented_share", 0.10),
        (
            FOSTER,
            10,
            "10 children a year moved from private children's homes",
            "placements.shift.children_per_year",
            10.0,
        ),
        (INFLATION, 6.0, "placement prices rose 6% a year (instead of 4%)", "costs.annual_inflation", 0.06),
    ],
)
def test_each_lever_changes_the_sentences(
    at: AppTest, key: str, value: float, phrase: str, path: str, expected: float
) -> None:
    before = sentences(at)
    at.slider(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    after = sentences(at)
    assert after != before
    assert phrase in after[0]
    scenario = at.session_state["scenario"]
    node = scenario.to_dict()
    for part in path.split("."):
        node = node[part]
    assert node == pytest.approx(expected)
    # the sentences on the page are the model's sentences for the shared scenario
    n = narrate(project(default_scenario()), project(scenario))
    assert after[: len(n.change)] == [s.text for s in n.change]
    assert "The change in this scenario" in [h.value for h in at.subheader]


def test_court_lever_gives_fewer_children_and_lower_spend(at: AppTest) -> None:
    at.slider(key=COURT).set_value(26).run()
    first = sentences(at)[0]
    assert "fewer children would be in care" in first and "lower in 2027-28" in first
    at.slider(key=COURT).set_value(45).run()  # back to today's length: no change
    assert at.session_state["scenario"] == default_scenario()
    assert "The change in this scenario" not in [h.value for h in at.subheader]


def test_reset_goes_back_to_current_trends(at: AppTest) -> None:
    at.slider(key=EDGE).set_value(20).run()
    assert at.session_state["scenario"] != default_scenario()
    at.button(key="briefing:reset").click().run()
    assert not at.exception
    assert at.session_state["scenario"] == default_scenario()
    assert at.slider(key=EDGE).value == 0


def test_glossary_lists_every_term(at: AppTest) -> None:
    glossary = pd.read_csv(DATA_DIR / "glossary.csv")
    assert list(glossary.columns) == ["term", "plain_english"]
    assert glossary["term"].is_unique and not glossary.isna().any().any()
    text = page_text(at)
    for term in glossary["term"]:
        assert f"**{term}**:" in text
    for word in ("Section 20", "Interim care order", "Special guardianship order", "Pressure", "P10/P90 range"):
        assert any(t.startswith(word) for t in glossary["term"])


def test_chart_descriptions_follow_the_scenario(at: AppTest) -> None:
    text = page_text(at)
    assert "**What the chart shows:** Line chart of children in care" in text
    assert "**What the chart shows:** Line chart of placement spending" in text
    at.slider(key=COURT).set_value(26).run()
    text = page_text(at)
    assert "with the changes (solid line) it would be about 485 by March 2031 (35 fewer)"  # 520 - 485 in text


def test_the_changes_are_named_not_only_counted(at: AppTest) -> None:
    for key, value in ((COURT, 26), (EDGE, 10), (FOSTER, 10)):
        at.slider(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert "With the 3 changes in this scenario" in sentences(at)[0]
    assert "The 3 changes in this scenario" in [h.value for h in at.subheader]
    # the court lever reaches its target over the first year, by the end of March 2027
    assert "1. Edge-of-care work keeps 1 in 10 children out of care from April 2026" in text
    assert "Court proceedings brought down to 26 weeks by March 2027" in text
    assert "10 children a year moved from private children's homes to in-house foster care" in text


def present_text(at: AppTest) -> str:
    return "\n".join([t.value for t in at.title] + [unmd(m.value) for m in at.markdown])


def test_presentation_steps_through_the_slides_and_back(at: AppTest) -> None:
    at.slider(key=COURT).set_value(26).run()
    at.button(key="briefing:present").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["briefing:presenting"] is True
    assert not at.slider and not at.header  # no levers, no page sections: one slide only
    assert [t.value for t in at.title] == ["The change in this scenario"]
    assert "Court proceedings brought down to 26 weeks by March 2027" in present_text(at)
    assert at.button(key="briefing:present_prev").disabled
    seen = [at.title[0].value]
    charts = []
    while not at.button(key="briefing:present_next").disabled:
        at.button(key="briefing:present_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        seen.append(unmd(at.title[0].value))
        charts.append(len(at.get("vega_lite_chart")))
    assert seen == [
        "The change in this scenario",
        "Children in care",
        "Children in care, month by month",
        "Placement spending against the budget, 2027-28",
        "Spending and budget, year by year",
        "How likely is an overspend?",
    ]
    assert charts == [0, 1, 0, 1, 0]  # one chart on its own slide, never beside figures
    # the range of outcomes is off: the last slide says so and offers the switch
    assert "The range of outcomes is off" in present_text(at)
    assert [t.label for t in at.toggle] == ["Say how likely an overspend is"]
    at.button(key="briefing:present_prev").click().run()
    assert unmd(at.title[0].value) == "Spending and budget, year by year"
    at.button(key="briefing:present_leave").click().run()
    assert [t.value for t in at.title] == ["Councillor briefing"]
    assert len(at.slider) == 4


def test_presentation_figures_are_the_briefing_figures(at: AppTest) -> None:
    at.slider(key=COURT).set_value(26).run()
    at.button(key="briefing:present").click().run()
    at.button(key="briefing:present_next").click().run()
    n = narrate(project(default_scenario()), project(at.session_state["scenario"]))
    end = n.by_key("change_longer_term").figures["children_scenario_rounded"]
    text = present_text(at)
    assert "513" in text and f"about {end}" in text


def test_a_scenario_over_other_years_is_briefed_on_its_own_without_an_error() -> None:
    """A scenario starting on 1 April 2025 (an SSDA903 return at 31 March 2025, a scenario file) against the
    defaults from 2026 stopped the page with 'Something went wrong' (KeyError '2025-26') and put the baseline's
    513 children on the slides. The page now says why it cannot set the two side by side, describes the
    scenario on its own, and offers to make it the baseline."""
    s = default_scenario().with_values({"start_date": "2025-04-01", "name": "Our return at 31 March 2025"})
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["scenario"] = s
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    info = " ".join(i.value for i in at.info)
    assert "2025-26 to 2029-30" in unmd(info) and "2026-27 to 2030-31" in unmd(info)
    first = unmd(" ".join(sentences(at)))
    assert "1 April 2025" in first and "1 April 2026" not in first
    assert {b.label for b in at.button} >= {"Make this scenario the baseline", "Present"}
    at.button(key="briefing:make_baseline").click().run()
    assert at.session_state["baseline"][0] == s and not at.info
    # the slides describe the scenario too
    at.button(key="briefing:present").click().run()
    assert not at.exception and not at.error
    assert "1 April 2026" not in " ".join(m.value for m in at.markdown)


def test_a_different_starting_position_is_one_change_and_a_long_list_is_cut_short() -> None:
    """A scenario from a loaded return listed 105 changes in field names on the first slide, which ran off
    a 1920x1080 screen. The starting position is now one phrase and at most eight lines are shown."""
    from app_lib import presentation as pr

    base = default_scenario()
    own = base.with_values(
        {
            "initial.stage_counts": {
                **base.initial.stage_counts,
                "care_order": base.initial.stage_counts["care_order"] + 40,
            },
            "entries.weekly_rate": 4.2,
        }
    )
    phrases = pr.change_phrases(base, own)
    assert phrases[0].startswith("Starts from other children in care:") and len(phrases) == 2
    many = own.with_values(
        {
            "proceedings.mean_weeks": 30.0,
            "costs.annual_inflation": 0.05,
            "costs.budget_annual_uplift": 0.03,
            "entries.annual_trend": 0.02,
            "care_order.annual_sgo": 0.05,
            "care_order.annual_other": 0.05,
            "s20.annual_share_to_proceedings": 0.2,
            "placement_order.share_not_adopted": 0.3,
        }
    )
    phrases = pr.change_phrases(base, many)
    assert len(phrases) == pr.MAX_PHRASES and phrases[-1].startswith("... and 3 more changes")
    assert pr.changes_title(phrases) == "What this scenario changes"
    assert pr.changes_title(phrases[:3]) == "The 3 changes in this scenario"


def test_a_published_authority_s_placeholder_budget_is_called_one_on_the_page_and_the_slides() -> None:
    """From Kent's published figures the briefing said '£160.2m against a budget of £160.2m: in line' and the
    slides '£54.0m over budget' without saying that DfE publishes no budget and the app made one up."""
    import datetime as dt

    from csc_model.published import build_scenario

    kent, _ = build_scenario("Kent", dt.date(2024, 3, 31), default_scenario())
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["scenario"] = kent
    at.session_state["baseline"] = (kent, kent.name)
    at.run()
    assert not at.exception and not at.error
    assert any("placeholder equal to the forecast spend of 2024-25" in unmd(c.value) for c in at.caption)
    at.button(key="briefing:present").click().run()
    seen = []
    for _ in range(5):  # through the slides: the two spending slides carry it
        at.button(key="briefing:present_next").click().run()
        title = at.title[0].value
        if "spend" in title.lower() and "overspend" not in title:
            seen.append(title)
            assert "placeholder" in " ".join(m.value for m in at.markdown), title
    assert len(seen) == 2, seen
    # the council's own budget set: no placeholder to speak of
    at.session_state["scenario"] = kent.with_values({"costs.budget_first_year_gbp": 150_000_000})
    at.session_state["briefing:presenting"] = False
    at.run()
    assert not any("placeholder" in c.value for c in at.caption)
