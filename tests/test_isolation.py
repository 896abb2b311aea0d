"""Two users at once: what one loads and saves stays in that user's session, and nothing is written to disk.

Two independent AppTest sessions of the whole app run side by side (their runs interleaved, as on a
server). Session A uploads SSDA903 files (the made-up example, with child ids unique to this
test), works out the figures, uses them as its scenario and baseline and saves the scenario by
name; session B, before and after each of A's steps, must still see the defaults, no saved
scenario, no upload and no result. Meanwhile the repository tree must not change, the temporary
folder the app would use must stay empty, and no new file anywhere in the system's temporary
folder may hold one of the uploaded child ids.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import ssda903_page as data
from csc_model import default_scenario

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60
SAVED_NAME = "Our authority from the return"
USED_LABEL = "your data at"  # how the page names figures worked out from uploads (scenario, baseline)
SYSTEM_TMP = Path(tempfile.gettempdir())  # before any test points tempfile elsewhere
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", ".venv", "venv"}


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (caches and .git left out) -> (size, modification time)."""
    out: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(folder, name)
            try:
                st = path.stat()
            except OSError:
                continue
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def files_holding(root: Path, marker: bytes, since_ns: int) -> list[str]:
    """Files under ``root`` changed since ``since_ns`` (up to 50 MB) whose bytes contain ``marker``."""
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            try:
                st = path.stat()
                if st.st_mtime_ns < since_ns or st.st_size > 50 * 2**20:
                    continue
                if marker in path.read_bytes():
                    found.append(str(path))
            except OSError:
                continue  # another process's file, gone or unreadable
    return found


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty folder that ``tempfile`` (and so Streamlit and pandas) uses for the test."""
    folder = tmp_path / "app_tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def uploads(token: str) -> tuple[bytes, bytes]:
    """The made-up example tables as CSV files, every child id starting with ``token``."""
    header, episodes = data.example()
    for df in (header, episodes):
        df["CHILD"] = token + df["CHILD"].astype(str)
    return header.to_csv(index=False).encode(), episodes.to_csv(index=False).encode()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def untouched(b: AppTest) -> None:
    """Session B: the defaults, nothing saved, no upload, no result, no baseline, nothing of A's on its page."""
    ok(b.run())
    ss = b.session_state
    assert ss["scenario"] == default_scenario()
    assert ss["baseline"] is None
    assert ss["saved_scenarios"] == {}
    for key in ("data:result", "data:suggested_as_at"):  # figures worked out, the date read from files
        assert key not in ss, key
    for key in ("data:header_file", "data:episodes_file"):  # B's own upload widgets, when on that page
        if key in ss:
            assert ss[key] is None, key
    shown = " ".join(str(e.value) for e in [*b.markdown, *b.caption, *b.title, *b.success, *b.info])
    assert USED_LABEL not in shown.lower() and SAVED_NAME not in shown


def test_two_sessions_share_nothing_and_write_nothing(private_tmp: Path) -> None:
    token = "ISO" + uuid.uuid4().hex[:10].upper()
    header, episodes = uploads(token)
    repo_before = tree(ROOT)
    start_ns = time.time_ns() - 10**9

    a = ok(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    b = ok(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    untouched(b)

    # A: upload both tables on "Load your data", work out the figures and use them
    ok(a.switch_page("pages/data.py").run())
    a.file_uploader(key="data:header_file").upload("header.csv", header, "text/csv")
    a.file_uploader(key="data:episodes_file").upload("episodes.csv", episodes, "text/csv")
    ok(a.run())
    untouched(b)
    ok(a.button(key="data:calibrate").click().run())
    assert not a.error, [e.value for e in a.error]
    assert "data:result" in a.session_state
    untouched(b)
    ok(a.button(key="data:use_baseline").click().run())
    mine = a.session_state["scenario"]
    assert mine != default_scenario() and mine.initial.total > 0
    assert USED_LABEL in a.session_state["baseline"][1]
    untouched(b)

    # A: save it by name on "Compare scenarios"
    ok(a.switch_page("pages/compare.py").run())
    a.text_input(key="save_name").input(SAVED_NAME).run()
    ok(next(x for x in a.button if x.label == "Save current scenario").click().run())
    assert list(a.session_state["saved_scenarios"]) == [SAVED_NAME]

    # B sees none of it, on the pages where it would show
    for page in ("pages/compare.py", "pages/data.py", "pages/home.py"):
        b.switch_page(page)
        untouched(b)
    assert not any(x.label.startswith(SAVED_NAME) or x.key == f"open:{SAVED_NAME}" for x in b.button)
    # and A still has its own
    ok(a.run())
    assert a.session_state["scenario"] == mine and list(a.session_state["saved_scenarios"]) == [SAVED_NAME]

    # nothing written: the repository, the app's temporary folder, the system's temporary folder
    assert tree(ROOT) == repo_before, "files appeared or changed in the repository"
    assert list(private_tmp.iterdir()) == [], "the app wrote to its temporary folder"
    assert files_holding(SYSTEM_TMP, token.encode(), start_ns) == []
    assert files_holding(Path.home() / ".streamlit", token.encode(), start_ns) == []


def test_the_uploads_carry_the_marker() -> None:
    """The check for files on disk looks for the uploaded child ids: they must be in the uploads."""
    header, episodes = uploads("ISOTEST")
    assert pd.read_csv(pd.io.common.BytesIO(header))["CHILD"].str.startswith("ISOTEST").all()
    assert b"ISOTEST" in episodes
