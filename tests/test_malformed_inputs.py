"""Every malformed scenario file and share link in tests/malformed_cases.py, through every reader.

Each case must be refused with a message containing its expected fragments, the same way in
the library, the command line (status 2, one ``error:`` line per problem, no traceback) and the
app (an st.error on the Scenario builder, never Streamlit's exception box), and the scenario
being edited must stay as it was.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_lib import uploads, urlstate
from app_lib.levers import friendly_issues
from csc_model import Scenario, ScenarioError, default_scenario
from csc_model.cli import main

from .helpers import PAGE_FILES, lever_input
from .malformed_cases import FILE_CASES, LINK_CASES, FileCase, LinkCase

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def run_cli(*args: str) -> tuple[int, str, str]:
    """``python -m csc_model ARGS`` in this process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def plain(markdown: str) -> str:
    """Markdown source as read on the page (escapes removed)."""
    return markdown.replace("\\", "")


def assert_says(text: str, expected: tuple[str, ...]) -> None:
    """Every expected fragment is in the message, and no value is quoted as a long run of digits."""
    missing = [f for f in expected if f not in text]
    assert not missing, f"{missing} not in:\n{text[:2000]}"
    assert not re.search(r"\d[\d,]{30}", text), "a number is written out in full"


def library_issues(case: FileCase) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json(case.content)
    return [str(i) for i in info.value.issues]


def test_the_corpus_is_large_and_each_case_is_distinct() -> None:
    assert len(FILE_CASES) + len(LINK_CASES) >= 60
    assert len({c.id for c in FILE_CASES}) == len(FILE_CASES)
    assert len({c.id for c in LINK_CASES}) == len(LINK_CASES)
    assert len({c.content for c in FILE_CASES}) == len(FILE_CASES)
    assert all(c.expected for c in FILE_CASES + LINK_CASES)  # type: ignore[operator]


def test_a_valid_file_in_every_encoding_loads_the_same_scenario(tmp_path: Path) -> None:
    """The corpus's encodings are refused only for what they hold: the defaults load in each, everywhere."""
    text = default_scenario().to_json()
    for i, data in enumerate(
        (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16"), text.encode("utf-16-be"))
    ):
        if data.startswith(b"{\x00") or data.startswith(b"\x00{"):
            data = (b"\xfe\xff" if data.startswith(b"\x00") else b"\xff\xfe") + data  # UTF-16 needs its mark
        assert Scenario.from_json(data) == default_scenario()
        scenario, problems = uploads.read_scenario("s.json", len(data), lambda d=data: d)
        assert scenario == default_scenario() and problems == []
        path = tmp_path / f"s{i}.json"
        path.write_bytes(data)
        assert run_cli("validate", str(path)) == (0, f"{path}: valid\n", "")


# ---------------------------------------------------------------------------
# Scenario files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_library_refuses_the_file(case: FileCase) -> None:
    issues = library_issues(case)
    assert_says("\n".join(issues), case.expected)
    assert all(len(line) < 400 for line in issues), "a message quotes a value at length"


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_cli_refuses_the_file_in_every_command(case: FileCase, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(case.content)
    issues = library_issues(case)
    commands = {
        "validate": ["validate", str(path)],
        "run": ["run", "--scenario", str(path), "--out", str(tmp_path / "out.csv")],
        "compare": ["compare", "--scenario", str(path), "--out", str(tmp_path / "cmp.csv")],
        "calibrate": [
            "calibrate",
            "--scenario",
            str(path),
            "--header",
            "h.csv",
            "--episodes",
            "e.csv",
            "--out",
            str(tmp_path / "cal.json"),
        ],
    }
    for name, argv in commands.items():
        code, out, err = run_cli(*argv)
        assert code == 2, (name, code, err)
        assert out == "" and "Traceback" not in err, name
        lines = err.splitlines()
        assert all(line.startswith("error: ") for line in lines), (name, lines)
        assert len(lines) == len(issues), (name, lines, issues)  # one line per problem
        assert_says(err, case.expected)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "cal.json").exists()


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_app_upload_reader_refuses_the_file(case: FileCase) -> None:
    """The function the Scenario builder calls on upload: the same answer as the library and the CLI."""
    scenario, problems = uploads.read_scenario("bad.json", len(case.content), lambda: case.content)
    assert scenario is None and problems
    assert_says(plain("\n".join(problems)), case.expected)


@pytest.fixture(scope="module")
def builder() -> AppTest:
    """One Scenario builder session with a changed scenario; every bad file is uploaded to it in turn."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE_FILES["builder"]).run()
    lever_input(at, "entries.weekly_rate").set_value(4.4).run()
    assert at.session_state["scenario"].entries.weekly_rate == 4.4
    return at


APP_FILE_CASES = [c for c in FILE_CASES if c.app]


@pytest.mark.parametrize("case", APP_FILE_CASES, ids=[c.id for c in APP_FILE_CASES])
def test_app_refuses_the_upload_and_keeps_the_scenario(builder: AppTest, case: FileCase) -> None:
    kept = builder.session_state["scenario"]
    builder.file_uploader(key="upload_scenario").upload(f"{case.id}.json", case.content, "application/json")
    builder.run()
    assert not builder.exception, [e.value for e in builder.exception]
    text = plain(" ".join(e.value for e in builder.error))
    assert f"{case.id}.json" in text and "has not been changed" in text
    assert_says(text, case.expected)
    assert builder.session_state["scenario"] == kept


def test_the_app_subset_covers_each_kind_of_problem() -> None:
    assert len(APP_FILE_CASES) >= 15
    kinds = ("deep", "digits", "infinity", "nan", "1e999", "duplicate", "utf16", "png", "9999", "1e20", "1e308")
    assert all(any(k in c.id for c in APP_FILE_CASES) for k in kinds)


# ---------------------------------------------------------------------------
# Share links
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", LINK_CASES, ids=[c.id for c in LINK_CASES])
def test_library_refuses_the_link_and_restore_keeps_the_defaults(case: LinkCase) -> None:
    with pytest.raises(ScenarioError) as info:
        urlstate.decode(case.params)
    assert_says(str(info.value), case.expected)
    scenario, issues = urlstate.restore(case.params)
    assert scenario == default_scenario() and issues
    assert_says(plain("\n".join(friendly_issues(issues))), case.expected)  # the page can write them


CLI_LINK_CASES = [c for c in LINK_CASES if c.cli]


@pytest.mark.parametrize("case", CLI_LINK_CASES, ids=[c.id for c in CLI_LINK_CASES])
def test_cli_set_refuses_the_same_value(case: LinkCase, tmp_path: Path) -> None:
    sets = [a for k, v in case.params.items() for a in ("--set", f"{k}={v}")]
    out_file = tmp_path / "out.csv"
    code, out, err = run_cli("run", *sets, "--out", str(out_file))
    assert code == 2 and out == "" and "Traceback" not in err, err
    assert all(line.startswith("error: ") for line in err.splitlines())
    assert_says(err, case.expected)
    assert not out_file.exists()


APP_LINK_CASES = [c for c in LINK_CASES if c.app]


@pytest.mark.parametrize("case", APP_LINK_CASES, ids=[c.id for c in APP_LINK_CASES])
def test_app_explains_a_bad_link_and_shows_the_defaults(case: LinkCase) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(case.params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = plain(" ".join(e.value for e in at.error))
    assert "could not be opened" in text
    assert_says(text, case.expected)
    assert at.session_state["scenario"] == default_scenario()
