"""Every malformed SSDA903 input of tests/malformed_ssda903_cases.py gives its message, the same way in the
library, the command line (run in-process) and the page's calibration function; never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app_lib import ssda903_page as page
from csc_model import default_scenario
from csc_model.cli import main
from csc_model.ssda903 import SSDA903Error, calibrate

from .malformed_ssda903_cases import AS_AT, CASES, Case

IDS = [c.id for c in CASES]


def test_the_corpus_is_large_and_distinct() -> None:
    assert len(CASES) >= 20 and len(set(IDS)) == len(IDS)
    assert sum(c.kind == "error" for c in CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_library(case: Case) -> None:
    as_at = dt.date.fromisoformat(AS_AT)
    if case.kind == "error":
        with pytest.raises(SSDA903Error) as exc:
            calibrate(case.header, case.episodes, as_at, la=case.la, uasc=case.uasc)
        assert any(case.expect in p for p in exc.value.problems), exc.value.problems
    else:
        cal = calibrate(case.header, case.episodes, as_at, la=case.la, uasc=case.uasc)
        assert any(case.expect in w for w in cal.warnings), cal.warnings


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_command_line(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "h.csv").write_bytes(case.header)
    (tmp_path / "e.csv").write_bytes(case.episodes)
    args = ["calibrate", "--header", str(tmp_path / "h.csv"), "--episodes", str(tmp_path / "e.csv")]
    args += ["--as-at", AS_AT, "--out", str(tmp_path / "s.json")]
    if case.uasc is not None:
        (tmp_path / "u.csv").write_bytes(case.uasc)
        args += ["--uasc", str(tmp_path / "u.csv")]
    if case.la is not None:
        args += ["--la", case.la]
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if case.kind == "error":
        assert code == 2 and "error: " in err and case.expect in err, err
        assert not (tmp_path / "s.json").exists()
    else:
        assert code == 0 and case.expect in err, err
        assert any(line.startswith("note: ") and case.expect in line for line in err.splitlines())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_page(case: Case) -> None:
    base = default_scenario()
    got = page.work_out(case.header, case.episodes, dt.date.fromisoformat(AS_AT), base=base, la=case.la, uasc=case.uasc)
    if case.kind == "error":
        assert isinstance(got, list) and any(case.expect in p for p in got), got
    else:
        assert not isinstance(got, list), got
        assert any(case.expect in w for w in got.warnings), got.warnings
    assert base == default_scenario()  # the scenario given is never changed


APP_CASES = ["header-dob-twice", "episodes-ids-do-not-match", "everyone-over-18", "two-authorities-none-chosen"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in APP_CASES], ids=APP_CASES)
def test_the_page_in_the_app(case: Case) -> None:
    """A sample of the corpus through the Load your data page itself (AppTest): the message is shown, nothing
    is kept and the current scenario is unchanged."""
    from streamlit.testing.v1 import AppTest

    from .helpers import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data:header_file").upload("header.csv", case.header, "text/csv")
    at.file_uploader(key="data:episodes_file").upload("episodes.csv", case.episodes, "text/csv")
    at.run()
    if not at.error:  # the files read: the problem shows when the figures are worked out
        at.date_input(key="data:as_at").set_value(dt.date.fromisoformat(AS_AT)).run()
        at.button(key="data:calibrate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(e.value for e in at.error).replace("\\", "")
    assert case.expect in shown, shown
    assert "The current scenario has not been changed." in shown
    assert "data:result" not in at.session_state and at.session_state["scenario"] == default_scenario()
