"""The workspace file: every saved scenario and the baseline, downloaded and loaded again exactly;
a bad file is refused whole, with every problem named and no user text rendered as markup."""

from __future__ import annotations

import json
import zlib

from streamlit.testing.v1 import AppTest

from app_lib import widgets, workspace
from app_lib.workspace import Workspace
from csc_model import default_scenario
from csc_model.scenario.presets import apply_preset
from tests.helpers import PAGE_FILES, ROOT


def sample() -> Workspace:
    d = default_scenario()
    court = apply_preset(d, "court_26_weeks")
    surge = apply_preset(d, "sibling_surge").with_values({"name": "Surge & more", "years": 7})
    own = d.with_values({"entries.weekly_rate": 2.6, "costs.budget_overrides": {"2027-28": 41_000_000.0}})
    return Workspace({"Court 26 weeks": court, "Surge <b>big</b>": surge}, (own, "Our plan"))


def data_of(ws: Workspace) -> dict:
    return json.loads(workspace.to_bytes(ws))


def read_data(data: object) -> tuple[Workspace | None, list[str]]:
    return workspace.read(json.dumps(data).encode("utf-8"))


def test_a_workspace_comes_back_exactly() -> None:
    ws = sample()
    back, problems = workspace.read(workspace.to_bytes(ws))
    assert problems == []
    assert back == ws
    assert list(back.saved) == list(ws.saved)  # in the order they were saved


def test_a_workspace_without_a_baseline_means_the_defaults() -> None:
    ws = Workspace({"Court": apply_preset(default_scenario(), "court_26_weeks")}, None)
    back, problems = workspace.read(workspace.to_bytes(ws))
    assert problems == [] and back.baseline is None and back == ws


def test_an_empty_workspace_is_allowed() -> None:
    back, problems = workspace.read(workspace.to_bytes(Workspace()))
    assert problems == [] and back == Workspace()


def test_the_file_name_says_what_it_is() -> None:
    import datetime as dt

    assert workspace.file_name(dt.date(2026, 4, 1)) == "scenario-workspace-2026-04-01.json"


# -- refused files ------------------------------------------------------------------


def refused(data: bytes) -> str:
    ws, problems = workspace.read(data)
    assert ws is None and problems
    return "\n".join(problems)


def with_change(mutate) -> bytes:
    data = data_of(sample())
    mutate(data)
    return json.dumps(data).encode("utf-8")


def test_not_json_or_empty_or_too_big_is_refused() -> None:
    assert "not valid JSON" in refused(b"{not json")
    assert "empty" in refused(b"")
    assert "at most 4 MB" in refused(b" " * (workspace.MAX_BYTES + 1))
    assert "nested more than 20 levels deep" in refused(b"[" * 5000 + b"]" * 5000)
    assert "not a text file" in refused('{"kind": 1}'.encode("utf-16-le"))


def test_nan_and_repeated_keys_are_refused_by_the_hardened_reader() -> None:
    text = workspace.to_bytes(sample()).decode("utf-8")
    assert "NaN" in refused(text.replace('"weekly_rate": 2.6', '"weekly_rate": NaN', 1).encode())
    assert "more than once" in refused(text.replace('"version": 1,', '"version": 1, "version": 1,', 1).encode())


def test_a_single_scenario_file_is_pointed_to_the_builder() -> None:
    assert "Load a scenario file" in refused(default_scenario().to_json().encode())
    assert "not a workspace file" in refused(b'{"kind": "something else"}')
    assert "version" in refused(with_change(lambda d: d.update(version=9)))


def test_a_workspace_file_loaded_as_a_scenario_is_pointed_to_compare() -> None:
    """Seen in review: a workspace file in "Load a scenario file" gave four schema errors ("kind: unknown
    field ...") where the reverse mistake gets one plain pointer."""
    from app_lib import uploads

    data = workspace.to_bytes(sample())
    scenario, problems = uploads.read_scenario("plan.json", len(data), lambda: data)
    assert scenario is None and len(problems) == 1
    assert "is a workspace file" in problems[0] and "Load a workspace file" in problems[0]
    assert "Compare scenarios" in problems[0] and "unknown field" not in problems[0]


def test_a_bad_scenario_inside_is_named_and_nothing_is_loaded() -> None:
    def bad(d: dict) -> None:
        d["saved"][0]["scenario"]["entries"]["weekly_rate"] = -4
        d["baseline"]["scenario"]["years"] = 99

    text = refused(with_change(bad))
    assert "Saved scenario **Court 26 weeks** is not a valid scenario" in text
    assert "The baseline **Our plan** is not a valid scenario" in text
    assert "0 to 500" in text


def test_names_are_checked_and_escaped() -> None:
    def twice(d: dict) -> None:
        d["saved"][1]["name"] = d["saved"][0]["name"]

    assert "used twice" in refused(with_change(twice))
    assert "needs a name" in refused(with_change(lambda d: d["saved"][0].update(name="")))
    assert "needs a name" in refused(with_change(lambda d: d["saved"][0].update(name="x" * 61)))
    assert "needs a label" in refused(with_change(lambda d: d["baseline"].update(label=None)))
    ws, problems = workspace.read(workspace.to_bytes(sample()), reserved=("Court 26 weeks",))
    assert ws is None and "used twice or by the page itself" in problems[0]

    # a name with markup is quoted as text in a message, never rendered
    def html_and_bad(d: dict) -> None:
        d["saved"][1]["scenario"]["years"] = 0

    text = refused(with_change(html_and_bad))
    assert "<b>" not in text and r"Surge \<b\>big\</b\>" in text


def test_too_many_saved_scenarios_are_refused() -> None:
    many = Workspace({f"S{i}": default_scenario() for i in range(workspace.MAX_SAVED + 1)})
    assert f"at most {workspace.MAX_SAVED}" in refused(workspace.to_bytes(many))


def test_a_packed_bomb_is_just_bytes_here() -> None:
    # a workspace is never decompressed: compressed bytes are refused as not text / not JSON
    assert refused(zlib.compress(b" " * 1_000_000))


# -- the panel, under AppTest ----------------------------------------------------------

PANEL = """
from app_lib import state, workspace
state.ensure()
workspace.workspace_panel()
"""


def panel() -> AppTest:
    return AppTest.from_string(PANEL, default_timeout=60).run()


def test_the_panel_loads_a_workspace_into_the_session() -> None:
    at = panel()
    assert not at.exception
    ws = sample()
    at.file_uploader(key=workspace.UPLOAD_KEY).upload("ours.json", workspace.to_bytes(ws), "application/json")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["saved_scenarios"] == ws.saved
    assert at.session_state["baseline"] == ws.baseline
    assert at.session_state["scenario"] == default_scenario()  # the current scenario is kept


def test_the_panel_refuses_a_bad_file_and_keeps_the_session() -> None:
    at = panel()
    keep = {"Mine": apply_preset(default_scenario(), "court_26_weeks")}
    at.session_state["saved_scenarios"] = dict(keep)
    at.run()
    at.file_uploader(key=workspace.UPLOAD_KEY).upload("bad.json", b"{oops", "application/json")
    at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error).replace("\\", "")
    assert "bad.json" in text and "was not loaded" in text and "not valid JSON" in text
    assert at.session_state["saved_scenarios"] == keep


DUMP = """
import streamlit as st
from app_lib import state, workspace
state.ensure()
workspace.workspace_panel()
st.code(workspace.to_bytes(workspace._current()).decode("utf-8"))  # what the download button is given
"""


def test_a_loaded_workspace_downloads_again_unchanged() -> None:
    at = AppTest.from_string(DUMP, default_timeout=60).run()
    empty, _ = workspace.read(at.code[0].value.encode("utf-8"))
    assert empty == Workspace()  # nothing saved, the defaults as the baseline
    assert [b.label for b in at.get("download_button")] == ["Download the workspace (JSON)"]
    ws = sample()
    at.file_uploader(key=workspace.UPLOAD_KEY).upload("ours.json", workspace.to_bytes(ws), "application/json")
    at.run()
    assert not at.exception
    back, problems = workspace.read(at.code[0].value.encode("utf-8"))
    assert problems == [] and back == ws


def test_a_latin1_file_loaded_as_a_workspace_is_not_called_a_scenario() -> None:
    """A Latin-1 file in 'Load a workspace file' was refused with '... so it cannot be a scenario' (second
    review): the message now fits either kind of file."""
    from app_lib import workspace

    ws, problems = workspace.read('{"name": "Café"}'.encode("latin-1"))
    assert ws is None and problems
    text = " ".join(problems)
    assert "not a text file" in text and "cannot be a scenario" not in text and "workspace" in text


def test_a_loaded_workspace_s_scenarios_are_compared_straight_away() -> None:
    """Only 'Current scenario' stayed chosen after loading a workspace (second review, 1 December)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page(PAGE_FILES["compare"]).run()
    ws = sample()
    at.file_uploader(key=workspace.UPLOAD_KEY).upload("ours.json", workspace.to_bytes(ws), "application/json")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    picked = at.multiselect(key=widgets.pref_key("compare")).value
    assert picked == ["Current scenario", *list(ws.saved)[:3]]
