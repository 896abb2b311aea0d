"""Scenario links: differences from the defaults in the query string, restored exactly."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from app_lib import urlstate
from csc_model import Scenario, ScenarioError, default_scenario
from csc_model.scenario.presets import PRESETS, apply_preset


def via_url(s: Scenario) -> Scenario:
    """Encode, write as a real link, parse it back as a browser would, decode."""
    link = urlstate.share_url("https://example.org/app/builder", urlstate.encode(s))
    params = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
    return urlstate.decode(params)


def test_the_defaults_need_no_parameters() -> None:
    assert urlstate.encode(default_scenario()) == {}
    assert urlstate.decode({}) == default_scenario()
    assert urlstate.share_url("http://localhost:8501/", {}) == "http://localhost:8501/"


def test_share_links_open_the_front_page() -> None:
    params = {"entries.weekly_rate": "4.5"}
    assert (
        urlstate.share_url("https://x.org/app/builder", params, "builder")
        == "https://x.org/app/?entries.weekly_rate=4.5"
    )
    assert urlstate.share_url("https://x.org/app/", params, "") == "https://x.org/app/?entries.weekly_rate=4.5"
    assert urlstate.share_url("https://x.org/app/model?old=1#top", {}, "model") == "https://x.org/app/"
    assert urlstate.share_url(None, params) == "?entries.weekly_rate=4.5"


def test_one_changed_number_is_one_readable_parameter() -> None:
    s = default_scenario().with_values({"entries.weekly_rate": 4.5})
    assert urlstate.encode(s) == {"entries.weekly_rate": "4.5"}
    assert urlstate.share_url("http://h/app", urlstate.encode(s)) == "http://h/app/?entries.weekly_rate=4.5"


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_survives_a_link(key: str) -> None:
    s = apply_preset(default_scenario(), key)
    assert via_url(s) == s


def test_a_scenario_with_many_kinds_of_change_survives_a_link() -> None:
    s = default_scenario()
    for key in PRESETS:
        s = apply_preset(s, key)
    s = s.with_values(
        {
            "name": "Plan B: 26 weeks & more foster carers? 100%",
            "years": 7,
            "costs.weekly_price_gbp.ifa": 905.5,
            "costs.budget_overrides": {"2027-28": 41_000_000.0},
            "proceedings.outcome_shares": {
                "returned_home": 0.2,
                "sgo_cao": 0.3,
                "placement_order": 0.1,
                "care_order": 0.4,
            },
            "placements.moves": [],
        }
    )
    # so many changes make a long query: they travel packed in one parameter, and come back exactly
    assert list(urlstate.encode(s)) == [urlstate.PACKED]
    assert via_url(s) == s
    # readable, each value is as written: plain text for the name, JSON for the rest
    few = default_scenario().with_values({"name": "Plan B: 26 weeks & more foster carers? 100%", "years": 7})
    params = urlstate.encode(few)
    assert params["name"] == "Plan B: 26 weeks & more foster carers? 100%"  # plain text, not JSON
    assert params["years"] == "7"
    assert via_url(few) == few


def test_map_entries_travel_one_by_one_and_can_be_removed() -> None:
    s = default_scenario().with_values(
        {"costs.inflation_overrides": {"2027-28": 0.1, "2028-29": 0.06}, "costs.weekly_price_gbp.ifa": 900.0}
    )
    assert urlstate.encode(s) == {
        "costs.weekly_price_gbp.ifa": "900.0",
        "costs.inflation_overrides.2027-28": "0.1",
        "costs.inflation_overrides.2028-29": "0.06",
    }
    assert via_url(s) == s
    # against a base that has an override, a scenario without it says so with null
    fewer = s.with_values({"costs.inflation_overrides": {"2028-29": 0.06}})
    params = urlstate.encode(fewer, base=s)
    assert params == {"costs.inflation_overrides.2027-28": "null"}
    assert urlstate.decode(params, base=s) == fewer


def test_text_that_looks_like_json_is_quoted() -> None:
    s = default_scenario().replace(name="2027")
    assert urlstate.encode(s)["name"] == '"2027"'
    assert via_url(s) == s


def test_a_target_switched_off_again_is_not_a_change() -> None:
    s = apply_preset(default_scenario(), "court_26_weeks").with_values({"proceedings.target_mean_weeks": None})
    assert urlstate.encode(s) == {}


def test_other_parameters_are_ignored() -> None:
    params = {"embed": "true", "utm_source": "email", "entries.weekly_rate": "4"}
    assert urlstate.decode(params) == default_scenario().with_values({"entries.weekly_rate": 4.0})
    assert not urlstate.is_scenario_param("version")


def test_repeated_parameters_use_the_last_value() -> None:
    assert urlstate.decode({"entries.weekly_rate": ["4", "5"]}).entries.weekly_rate == 5.0


def test_a_bad_link_names_every_bad_field() -> None:
    with pytest.raises(ScenarioError) as err:
        urlstate.decode({"entries.weekly_rate": "-1", "proceedings.mean_weeks": "forty", "entries.nonsense": "1"})
    fields = {i.field for i in err.value.issues}
    assert {"entries.weekly_rate", "proceedings.mean_weeks", "entries.nonsense"} <= fields
    scenario, issues = urlstate.restore({"entries.weekly_rate": "-1"})
    assert scenario == default_scenario()
    assert issues and issues[0].field == "entries.weekly_rate"


def test_an_overlong_parameter_is_refused() -> None:
    with pytest.raises(ScenarioError, match="too long"):
        urlstate.decode({"name": "x" * (urlstate.MAX_VALUE_CHARS + 1)})


def test_every_bad_parameter_is_reported_at_once_and_the_defaults_kept() -> None:
    params = {"entries.weekly_rate": "Infinity", "years": "99", "placements.moves": "[" * 50 + "]" * 50}
    with pytest.raises(ScenarioError) as info:
        urlstate.decode(params)
    fields = [i.field for i in info.value.issues]
    assert sorted(fields) == ["entries.weekly_rate", "placements.moves", "years"], fields
    scenario, issues = urlstate.restore(params)
    assert scenario == default_scenario() and len(issues) == 3


def test_a_name_typed_into_a_link_is_text_even_when_it_looks_like_a_number() -> None:
    for typed in ("NaN", "Infinity", "1e999", "[[1]]", "42"):
        assert urlstate.decode({"name": typed}).name == typed
    s = default_scenario().replace(name="NaN")
    assert via_url(s) == s


# ---------------------------------------------------------------------------
# Short links: many changes packed in one parameter
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_data() -> Scenario:
    """A scenario worked out from an authority's own SSDA903 return (the example data): about 100 values."""
    import datetime as dt

    from csc_model.ssda903 import example_tables
    from csc_model.ssda903.calibrate import calibrate

    header, episodes = example_tables(n_children=1500)
    return calibrate(header, episodes, dt.date(2026, 3, 31)).scenario


def readable_length(s: Scenario) -> int:
    """How long the query would be with one readable parameter per changed value (the old form)."""
    from urllib.parse import urlencode

    from csc_model.scenario import diff

    return len(urlencode({p: urlstate._encode_value(new) for p, (_old, new) in diff(default_scenario(), s).items()}))


def test_a_scenario_from_own_data_is_a_short_link_and_comes_back_exactly(own_data: Scenario) -> None:
    params = urlstate.encode(own_data)
    assert list(params) == [urlstate.PACKED]
    link = urlstate.share_url("https://example.org/app/", params)
    # a quarter of the old link or less (6,307 characters were seen for own data)
    assert len(link) * 4 <= readable_length(own_data), (len(link), readable_length(own_data))
    assert via_url(own_data) == own_data
    # still long enough to be cut by some tools: the sidebar says a file is the better way
    assert len(link) >= urlstate.FILE_BETTER_CHARS and urlstate.link_advice(link)


def test_the_old_readable_form_of_a_long_link_still_opens(own_data: Scenario) -> None:
    from csc_model.scenario import diff

    old = {p: urlstate._encode_value(new) for p, (_old, new) in diff(default_scenario(), own_data).items()}
    assert len(old) > 20 and urlstate.decode(old) == own_data


def test_readable_parameters_beside_a_packed_one_win() -> None:
    s = default_scenario().with_values({"entries.weekly_rate": 4.5, "years": 7})
    packed = urlstate.pack({"entries.weekly_rate": 4.5, "years": 7})
    assert urlstate.decode({urlstate.PACKED: packed}) == s
    assert urlstate.decode({urlstate.PACKED: packed, "years": "8"}) == s.with_values({"years": 8})
    assert urlstate.is_scenario_param(urlstate.PACKED)


def test_a_bad_packed_link_is_refused_with_the_readable_problems_too() -> None:
    with pytest.raises(ScenarioError) as info:
        urlstate.decode({urlstate.PACKED: "%%%", "entries.weekly_rate": "-1"})
    assert {i.field for i in info.value.issues} == {urlstate.PACKED, "entries.weekly_rate"}


def test_the_sidebar_suggests_a_file_for_a_long_link_only(own_data: Scenario) -> None:
    short = urlstate.share_url(
        "https://example.org/app/", urlstate.encode(apply_preset(default_scenario(), "court_26_weeks"))
    )
    assert urlstate.link_advice(short) is None
    long = "https://example.org/app/?" + "s=" + "A" * urlstate.FILE_BETTER_CHARS
    advice = urlstate.link_advice(long)
    assert advice and f"{len(long):,} characters" in advice and "scenario (JSON)" in advice


def test_the_app_opens_a_packed_link_and_keeps_the_address_packed(own_data: Scenario) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=90)
    at.query_params.update(urlstate.encode(own_data))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["scenario"] == own_data
    assert any("Opened the scenario from the link" in s.value for s in at.success)
    # the address bar keeps the one packed parameter (state.sync_url compares it with encode)
    shown = {k: v for k, v in at.query_params.items() if urlstate.is_scenario_param(k)}
    assert shown == urlstate.encode(own_data)


# ---------------------------------------------------------------------------
# The baseline travels with the link
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def leeds() -> Scenario:
    """Leeds from DfE's published figures at 31 March 2024: another start date and starting position."""
    import datetime as dt

    from csc_model.published import authorities, build_scenario

    code = next(a.code for a in authorities() if a.name == "Leeds")
    return build_scenario(code, dt.date(2024, 3, 31), default_scenario())[0]


def test_a_link_carries_a_baseline_other_than_the_defaults(leeds: Scenario) -> None:
    court = apply_preset(leeds, "court_26_weeks")
    params = urlstate.link_params(court, leeds, "Leeds at 31 March 2024")
    link = urlstate.share_url("https://example.org/app/", params)
    back = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
    scenario, baseline, issues = urlstate.restore_link(back)
    assert not issues
    assert scenario == court and baseline == (leeds, "Leeds at 31 March 2024")
    # the scenario's own parameters are its changes from the baseline: one readable change here
    own = {k: v for k, v in params.items() if k not in (urlstate.BASELINE_PARAM, urlstate.BASELINE_NAME_PARAM)}
    assert own == urlstate.encode(court, leeds) and urlstate.PACKED not in own
    # the defaults as baseline add nothing to the link, and an old link opens against the defaults
    assert urlstate.link_params(court) == urlstate.encode(court)
    assert urlstate.link_params(court, default_scenario(), "the defaults") == urlstate.encode(court)
    assert urlstate.restore_link(urlstate.encode(court)) == (court, None, [])


def test_a_bad_baseline_in_a_link_is_named_and_the_defaults_kept() -> None:
    bad = urlstate.pack({"entries.weekly_rate": -3})
    scenario, baseline, issues = urlstate.restore_link({urlstate.BASELINE_PARAM: bad, "years": "7"})
    assert scenario == default_scenario() and baseline is None
    assert [i.field for i in issues] == ["entries.weekly_rate (in the link's baseline)"]


def test_the_app_opens_a_link_with_its_baseline_and_keeps_both_in_the_address(leeds: Scenario) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    court = apply_preset(leeds, "court_26_weeks")
    params = urlstate.link_params(court, leeds, "Leeds <b>at</b> 2024")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=90)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["scenario"] == court
    assert at.session_state["baseline"] == (leeds, "Leeds <b>at</b> 2024")
    assert any("compared with the baseline it was made with" in s.value for s in at.success)
    # the Overview compares like with like: the same years, and the one change counted
    n = len(urlstate.encode(court, leeds))
    assert f"{n} change{'s' if n > 1 else ''} from the baseline" in [m.value for m in at.sidebar.caption]
    shown = {k: v for k, v in at.query_params.items() if urlstate.is_scenario_param(k)}
    assert shown == params
