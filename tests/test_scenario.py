"""Scenario objects: exact JSON round trip, immutability and validation messages."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csc_model.reporting.results import compare, project
from csc_model.scenario import SCENARIO_VERSION, Scenario, ScenarioError, diff, field_meta
from csc_model.scenario.frozen import FrozenMap
from csc_model.scenario.presets import PRESETS, apply_preset

from .strategies import scenarios


def test_default_round_trips_exactly(base: Scenario) -> None:
    again = Scenario.from_json(base.to_json())
    assert again == base
    assert again.to_json() == base.to_json()
    assert hash(again) == hash(base)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_round_trip_exactly(s: Scenario) -> None:
    assert Scenario.from_json(s.to_json()) == s
    assert Scenario.from_json(s.to_json(indent=None)) == s


def test_scenario_is_immutable(base: Scenario) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.years = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        base.entries.age_band_shares["under_1"] = 0.5  # type: ignore[index]
    assert isinstance(base.costs.weekly_price_gbp, FrozenMap)


def test_default_is_labelled_illustrative(base: Scenario) -> None:
    assert "illustrative" in base.name.lower()
    assert base.version == SCENARIO_VERSION


def messages(exc: ScenarioError) -> list[str]:
    return [str(i) for i in exc.issues]


def test_all_errors_reported_at_once_naming_field_value_and_range(base: Scenario) -> None:
    data = base.to_dict()
    data["entries"]["weekly_rate"] = -2
    data["proceedings"]["outcome_shares"]["sgo_cao"] += 0.6  # the shares now add up to 1.6
    data["costs"]["weekly_price_gbp"]["ifa"] = -10
    data["years"] = 11
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    msgs = messages(info.value)
    assert any(m.startswith("entries.weekly_rate: value -2") and "allowed 0 to 500" in m for m in msgs)
    assert any(
        m.startswith("costs.weekly_price_gbp.ifa: value -10") and "allowed £0 to £50,000 a week" in m for m in msgs
    )
    assert any(m.startswith("years: value 11") and "allowed 1 to 10" in m for m in msgs)
    assert any(m.startswith("proceedings.outcome_shares") and "add up to 1.6 (160.0%);" in m for m in msgs)
    assert len(msgs) == 4


def test_unknown_and_missing_keys_refused(base: Scenario) -> None:
    data = base.to_dict()
    data["entries"]["weekly_rat"] = 3
    del data["s20"]
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    msgs = messages(info.value)
    assert any("entries.weekly_rat" in m and "unknown field" in m and "weekly_rate" in m for m in msgs)
    assert any(m == "s20: is missing" for m in msgs)


def test_wrong_types_and_dates(base: Scenario) -> None:
    data = base.to_dict()
    data["start_date"] = "1 April 2026"
    data["proceedings"]["erlang_order"] = 2.5
    data["name"] = 7
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    msgs = messages(info.value)
    assert any(m.startswith("start_date") and "YYYY-MM-DD" in m for m in msgs)
    assert any(m.startswith("proceedings.erlang_order") and "whole number" in m for m in msgs)
    assert any(m.startswith("name") and "text" in m for m in msgs)


def test_version_and_not_json() -> None:
    with pytest.raises(ScenarioError, match="version"):
        Scenario.from_json(json.dumps({"version": 99}))
    with pytest.raises(ScenarioError, match="not valid JSON"):
        Scenario.from_json("{not json")
    with pytest.raises(ScenarioError, match="JSON object"):
        Scenario.from_dict([1, 2])  # type: ignore[arg-type]


def test_cross_field_rules(base: Scenario) -> None:
    cases = {
        "entries.placement_mix_by_age_band.under_1.supported_accommodation": (0.1, "only for ages 16-17"),
        "placements.shift.to_type": ("castle", "is not a placement type"),
        "proceedings.target_mean_weeks": (2.0, "is out of range; allowed 4 to 156 weeks"),  # only that (review)
        "costs.price_base_year": ("2023/24", "financial year like 2023-24"),
        "care_order.annual_sgo": (0.99, "add up to"),
    }
    for path, (value, text) in cases.items():
        with pytest.raises(ScenarioError) as info:
            base.with_values({path: value})
        assert any(text in m for m in messages(info.value)), (path, messages(info.value))


def test_with_values_reports_unknown_path_and_range_together(base: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        base.with_values({"entries.nope": 1, "entries.weekly_rate": 900})
    msgs = messages(info.value)
    assert any(m.startswith("entries.nope") for m in msgs)
    assert any(m.startswith("entries.weekly_rate: value 900") for m in msgs)


def test_diff_lists_changed_leaves(base: Scenario) -> None:
    s = base.with_values({"entries.weekly_rate": 4.2, "costs.inflation_overrides": {"2027-28": 0.1}})
    d = diff(base, s)
    assert d["entries.weekly_rate"] == (3.8, 4.2)
    assert d["costs.inflation_overrides.2027-28"] == (None, 0.1)
    assert len(d) == 2


def test_field_meta_gives_labels_units_and_ranges() -> None:
    m = field_meta("proceedings.mean_weeks")
    assert m["unit"] == "weeks" and m["min"] == 4 and m["max"] == 156 and m["label"]
    assert field_meta("costs.weekly_price_gbp.ifa")["unit"] == "£ a week"


@pytest.mark.parametrize(
    ("key", "children", "spend"),
    [
        ("court_26_weeks", "lower", "lower"),
        ("edge_of_care_10", "lower", "lower"),
        ("fostering_sufficiency", "same", "lower"),
        ("sibling_surge", "higher", "higher"),
        ("inflation_shock", "same", "higher"),
    ],
)
def test_presets_move_results_the_right_way(base: Scenario, base_result, key: str, children: str, spend: str) -> None:
    c = compare(base_result, project(apply_preset(base, key)))
    last = c.iloc[-1]
    sign = {"lower": -1, "higher": 1, "same": 0}
    dc, ds = last["children_in_care_difference"], c["spend_gbp_difference"].sum()
    if children == "same":
        assert abs(dc) < 1e-6
    else:
        assert dc * sign[children] > 1
    assert ds * sign[spend] > 100_000


def test_presets_combine_with_manual_changes(base: Scenario) -> None:
    s = apply_preset(base.with_values({"entries.weekly_rate": 5.0}), "court_26_weeks")
    s = apply_preset(s, "sibling_surge")
    assert s.entries.weekly_rate == 5.0
    assert s.proceedings.target_mean_weeks == 26
    assert len(s.entries.surges) == 1


def test_a_preset_pressed_twice_adds_nothing_more(base: Scenario) -> None:
    """The surge preset pressed twice added a second, identical surge (+72 children) while the page said
    'Applied: ... 36 extra children' and '1 change'. Like every preset it is now in effect after one press
    (its button then shows a tick and is disabled)."""
    from csc_model.scenario.presets import in_effect

    for key in PRESETS:
        once = apply_preset(base, key)
        assert apply_preset(once, key) == once, key
        assert in_effect(once, key) and not in_effect(base, key), key
    assert set(PRESETS) >= {
        "court_26_weeks",
        "edge_of_care_10",
        "fostering_sufficiency",
        "sibling_surge",
        "inflation_shock",
    }


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(PRESETS)))
def test_every_preset_validates(key: str) -> None:
    from csc_model import default_scenario

    assert apply_preset(default_scenario(), key) != default_scenario()


def test_type_errors_and_range_errors_reported_together(base: Scenario) -> None:
    data = base.to_dict()
    data["start_date"] = "2026-13-01"
    data["entries"]["weekly_rate"] = -1
    data["costs"]["weekly_price_gbp"]["ifa"] = 60000
    data["costs"]["annual_inflation"] = 4  # 4% typed as in the app's box, not 0.04
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    msgs = messages(info.value)
    # a fraction's range also as percentages, the scale of the app's boxes
    assert "costs.annual_inflation: value 4 is out of range; allowed -0.2 to 0.5 a year (-20% to 50% a year)" in msgs
    assert any(m.startswith("start_date") for m in msgs)
    assert "entries.weekly_rate: value -1 is out of range; allowed 0 to 500 children a week" in msgs
    assert "costs.weekly_price_gbp.ifa: value 60000 is out of range; allowed £0 to £50,000 a week" in msgs


def test_with_values_can_add_a_key_to_a_map_but_not_an_unknown_field(base: Scenario) -> None:
    s = base.with_values({"costs.inflation_overrides.2027-28": 0.1})
    assert s.costs.inflation_overrides == {"2027-28": 0.1}
    with pytest.raises(ScenarioError) as info:
        base.with_values({"costs.inflation_overrides.2027/28": 0.1})
    assert any("2027/28" in m and "financial years like 2027-28" in m for m in messages(info.value))
    with pytest.raises(ScenarioError) as info:
        base.with_values({"entries.weekly_rte": 3})
    assert any(m.startswith("entries.weekly_rte") and "unknown field" in m for m in messages(info.value))


# ---------------------------------------------------------------------------
# The hardened JSON reader (csc_model/scenario/json_io.py); the full corpus is in test_malformed_inputs.py
# ---------------------------------------------------------------------------


def test_compact_quotes_any_value_briefly() -> None:
    from csc_model.scenario.json_io import compact

    assert compact(1e308) == "1e+308" and compact(-1e300) == "-1e+300"
    assert compact(10**20) == "1e+20" and compact(10**5000 - 1) == "a 5,000-digit number"
    assert compact(float("inf")) == "Infinity" and compact(float("-inf")) == "-Infinity"
    assert compact(float("nan")) == "NaN"
    assert compact(3.8) == "3.8" and compact(500) == "500" and compact(True) == "true"
    assert len(compact("x" * 1000)) == 60 and compact("ab") == "'ab'"


def test_values_python_callers_pass_are_refused_like_json_ones(base: Scenario) -> None:
    """``with_values`` and ``from_dict`` (not only files) refuse non-finite and huge numbers, naming the range."""
    for value, said in [(float("inf"), "finite"), (float("nan"), "finite"), (10**400, "too large")]:
        with pytest.raises(ScenarioError) as info:
            base.with_values({"years": value, "costs.weekly_price_gbp.ifa": value})
        text = str(info.value)
        assert said in text and "allowed 1 to 10 years" in text and "allowed £0 to £50,000 a week" in text
        assert len(info.value.issues) == 2  # one line per problem: no second range message for the same field
    with pytest.raises(ScenarioError, match=r"start_date: value '9999-12-31' is out of range"):
        base.with_values({"start_date": "9999-12-31", "years": 10**20})


def test_nesting_is_measured_without_recursion_and_ignores_strings() -> None:
    from csc_model.scenario.json_io import nesting_depth

    assert nesting_depth('{"a": [1, {"b": "[[[[[[["}]}')[0] == 3
    deepest, at = nesting_depth("[" * 1_000_000, limit=20)
    assert deepest == 1_000_000 and at == 20


def test_utf8_and_utf16_files_read_the_same(base: Scenario) -> None:
    text = base.to_json()
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16"), text.encode("utf-16-be")):
        if not data.startswith((b"{", b"\xef", b"\xff\xfe", b"\xfe\xff")):
            data = b"\xfe\xff" + data
        assert Scenario.from_json(data) == base
    with pytest.raises(ScenarioError, match="not a text file"):
        Scenario.from_json(text.encode("cp1252") + b"\xe9")


def test_preset_in_effect_agrees_with_applying_it() -> None:
    """The quick field-by-field check says a preset is in effect exactly when applying it changes nothing."""
    from csc_model import default_scenario
    from csc_model.scenario.presets import in_effect

    s = default_scenario()
    for key in PRESETS:
        applied = apply_preset(s, key)
        for candidate in (s, applied, apply_preset(applied, key)):
            for other in PRESETS:
                assert in_effect(candidate, other) == (apply_preset(candidate, other) == candidate), (key, other)


def test_an_out_of_range_proceedings_length_gets_one_message_not_two(base: Scenario) -> None:
    """-5 weeks got the range message and a second, technical one about 'the number of phases proceedings are
    split into (proceedings.erlang_order ...)' (second review)."""
    with pytest.raises(ScenarioError) as err:
        base.with_values({"proceedings.mean_weeks": -5.0})
    assert [str(i) for i in err.value.issues] == [
        "proceedings.mean_weeks: value -5.0 is out of range; allowed 4 to 156 weeks"
    ]
    # within the range but under the number of phases, the phases' message still comes
    with pytest.raises(ScenarioError, match="number of phases"):
        base.with_values({"proceedings.mean_weeks": 5.0, "proceedings.erlang_order": 6})
    with pytest.raises(ScenarioError, match="at least 6 weeks, the number of phases"):
        base.with_values({"proceedings.target_mean_weeks": 5.0, "proceedings.erlang_order": 6})


def test_the_presets_children_scale_with_the_authority(base: Scenario) -> None:
    """A 36-child surge more than doubled Rutland's 27 children in care, and '10 children a year' to foster care
    was more than its private homes held (second review). The presets' numbers of children are for an authority
    of the defaults' size and scale with the scenario's; the buttons' titles say the number."""
    import datetime as dt

    from csc_model.published import build_scenario
    from csc_model.scenario.presets import in_effect

    rutland, _ = build_scenario("Rutland", dt.date(2024, 3, 31), base)
    kent, _ = build_scenario("Kent", dt.date(2024, 3, 31), base)
    surge, shift = PRESETS["sibling_surge"], PRESETS["fostering_sufficiency"]
    assert surge.title_for(base) == "A surge of sibling groups: 36 extra children"  # the defaults: as before
    for s, extra, moves in ((base, 36, 10), (rutland, 2, 1), (kent, round(36 * kent.initial.total / 513), 38)):
        after = apply_preset(s, "sibling_surge")
        assert after.entries.surges[-1].extra_children == extra and f": {extra} extra children" in surge.title_for(s)
        assert in_effect(after, "sibling_surge")
        moved = apply_preset(s, "fostering_sufficiency").placements.shift.children_per_year
        assert moved == moves and f"{moves} children a year" in shift.title_for(s)


def test_a_projection_checks_its_scenario_first() -> None:
    """``Scenario.replace`` makes an unchecked copy: ``project`` of 1,000 years filled 24 GB and was killed,
    and a negative entry rate gave negative entries (analyst review). It now names the field and range."""
    from csc_model import default_scenario

    s = default_scenario()
    with pytest.raises(ScenarioError, match="years: value 1000 is out of range; allowed 1 to 10 years"):
        project(s.replace(years=1000))
    with pytest.raises(ScenarioError, match="entries.weekly_rate"):
        project(s.replace(entries=dataclasses.replace(s.entries, weekly_rate=-5.0)))
    assert len(project(s.replace(years=2)).table("fy")) == 2  # a valid copy still runs
