"""The *Load your data* page: SSDA903 files (or made-up example data) to a calibrated scenario.

The page is driven under AppTest (uploads included); the helper behind it
(app_lib.ssda903_page) is also tested directly. The files are personal data, so a test also
checks that neither the page nor the helper writes, logs or caches them.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import ssda903_page as data
from csc_model import default_scenario
from csc_model.ssda903 import Calibration, example_tables

from .helpers import lever_input

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = str(ROOT / "pages" / "data.py")
HELPER = ROOT / "app_lib" / "ssda903_page.py"
TIMEOUT = 60
AS_AT = dt.date(2026, 3, 31)


def csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


@pytest.fixture(scope="module")
def example_csv() -> tuple[bytes, bytes]:
    header, episodes = data.example()
    return csv(header), csv(episodes)


@dataclass
class FakeUpload:
    name: str
    content: bytes
    size: int = -1

    def __post_init__(self) -> None:
        if self.size < 0:
            self.size = len(self.content)

    def getvalue(self) -> bytes:
        return self.content


def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> str:
    """Every error message on the page, markdown escapes removed."""
    return "\n".join(e.value for e in at.error).replace("\\", "")


def upload(at: AppTest, header: bytes, episodes: bytes) -> AppTest:
    at.file_uploader(key="data:header_file").upload("header.csv", header, "text/csv")
    at.file_uploader(key="data:episodes_file").upload("episodes.csv", episodes, "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------------------
# The page renders
# ---------------------------------------------------------------------------


def test_the_page_renders_on_its_own() -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Load your data"]
    assert at.session_state["scenario"] == default_scenario()
    assert [u.label for u in at.file_uploader] == [
        "Header table (CSV, at most 20 MB)",
        "Episodes table (CSV, at most 20 MB)",
        "UASC table, optional (CSV, at most 20 MB)",
    ]
    assert all(u.allowed_type == [".csv"] for u in at.file_uploader)
    assert at.button(key="data:example").label == "Try it with made-up example data"
    text = " ".join(m.value for m in at.markdown)
    assert "SSDA903" in text and "DD/MM/YYYY" in text and "header row" in text
    assert "Prices and the budget are not in the SSDA903 return" in text  # not worked out from the data
    assert any("processed in memory only" in c.value and "not saved to disk" in c.value for c in at.caption)
    assert not at.error


def test_the_page_renders_through_the_app_after_the_builder() -> None:
    at = page()
    assert [t.value for t in at.title] == ["Load your data"]
    assert not at.error
    # registered in the app's navigation right after the scenario builder
    from app_lib.pages_index import KNOWN

    keys = list(KNOWN)
    assert keys.index("data.py") == keys.index("builder.py") + 1
    assert KNOWN["data.py"] == ("Load your data", ":material/upload_file:", "data")


# ---------------------------------------------------------------------------
# Example data through the page
# ---------------------------------------------------------------------------


def test_example_data_calibrates_and_becomes_the_current_scenario() -> None:
    at = page()
    at.button(key="data:example").click().run()
    assert not at.exception
    assert any("made-up example data" in i.value for i in at.info)
    assert at.date_input(key="data:as_at").value == AS_AT
    window = at.number_input(key="data:window_weeks")
    assert (window.value, window.min, window.max) == (data.DEFAULT_WINDOW_WEEKS, 13, 520)

    at.button(key="data:calibrate").click().run()
    assert not at.exception and not at.error, errors(at)
    cal = at.session_state["data:result"][0]
    assert isinstance(cal, Calibration)
    expected = data.work_out(*data.example(), AS_AT, data.DEFAULT_WINDOW_WEEKS, default_scenario())
    assert isinstance(expected, Calibration)
    assert cal.scenario == expected.scenario
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Children in care on 31 Mar 2026"] == f"{expected.children_in_care:,}"
    assert metrics[f"Started care, {data.DEFAULT_WINDOW_WEEKS} weeks before"] == f"{expected.entrants:,}"
    report = at.table[0].value
    assert report.index.name == "Figure" and list(report.columns) == ["Value", "Worked out from", "Weight on base"]
    assert len(report) == len(expected.report)
    # the rates worked out from the example are shown, each with its events and child-weeks
    assert all(f.used for f in expected.rates)
    for f in expected.rates:
        assert f.label in report.index, f.label
    assert report.loc["Average length of care proceedings", "Value"].endswith(" weeks")
    # and the placement moves, one row each under a summary
    assert report.loc["Placement moves", "Value"] == f"{sum(f.used for f in expected.moves)} kinds of move"
    for f in expected.moves:
        assert f"move: {f.label}" in report.index, f.label
    assert "child-weeks under section 20" in report.loc["Section 20: average weeks before returning home"].iloc[1]
    # the example has enough events for every rate; only a kind of move it never makes rests on the base
    assert all("mostly on the base scenario's rate" in w for w in expected.warnings), expected.warnings
    assert len(at.warning) == (1 if expected.warnings else 0)
    assert at.session_state["scenario"] == default_scenario()  # nothing changes until asked

    at.button(key="data:use").click().run()
    assert not at.exception
    s = at.session_state["scenario"]
    # made-up data is never called "your data"
    assert s == expected.scenario.with_values({"name": "Made-up example data at 31 March 2026"})
    assert s.start_date == dt.date(2026, 4, 1)
    assert s.initial.stage_counts != default_scenario().initial.stage_counts
    assert s.initial.total == pytest.approx(expected.children_in_care)
    assert any("made-up example data at 31 March 2026" in m.value.replace("\\", "") for m in at.success)
    assert any("Prices and the budget are still the illustrative authority's" in m.value for m in at.success)
    notes = [c.value for c in at.sidebar.caption]
    assert any("prices and the budget are still the illustrative authority's" in n for n in notes), notes
    assert not any(n.startswith("Illustrative defaults") for n in notes)  # no longer the defaults
    assert at.session_state["baseline"] is None  # the baseline is still the defaults


def test_rates_can_be_kept_from_the_scenario() -> None:
    """With "Also work out the rates" off, the page keeps every rate and still replaces the
    starting position; the page says that rates are worked out, and prices are not."""
    at = page()
    page_text = " ".join(m.value for m in at.markdown)
    assert "**the rates**" in page_text and "Prices and the budget are not in the SSDA903 return" in page_text
    at.button(key="data:example").click().run()
    assert at.toggle(key="data:rates").value is True
    at.toggle(key="data:rates").set_value(False).run()
    at.button(key="data:calibrate").click().run()
    assert not at.exception and not at.error, errors(at)
    cal = at.session_state["data:result"][0]
    assert cal.rates == ()
    for section in ("s20", "proceedings", "placement_order", "care_order"):
        assert getattr(cal.scenario, section) == getattr(default_scenario(), section), section
    with_rates = data.work_out(*data.example(), AS_AT, data.DEFAULT_WINDOW_WEEKS, default_scenario())
    assert isinstance(with_rates, Calibration)
    assert cal.scenario.initial == with_rates.scenario.initial
    assert cal.scenario.proceedings != with_rates.scenario.proceedings


def test_example_data_as_the_scenario_and_the_baseline() -> None:
    at = page()
    at.button(key="data:example").click().run()
    at.number_input(key="data:window_weeks").set_value(104).run()
    at.button(key="data:calibrate").click().run()
    cal = at.session_state["data:result"][0]
    assert cal.window_weeks == 104
    at.button(key="data:use_baseline").click().run()
    assert not at.exception
    named = cal.scenario.with_values({"name": "Made-up example data at 31 March 2026"})
    assert at.session_state["scenario"] == named
    assert at.session_state["baseline"] == (named, "made-up example data at 31 March 2026")
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert all(m.proto.delta == "" for m in at.metric)
    caption = at.caption[0].value.replace("\\", "")
    assert "compared with the baseline (made-up example data at 31 March 2026)" in caption


def test_keeping_the_other_assumptions_of_the_current_scenario() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/builder.py").run()
    lever_input(at, "costs.annual_inflation").set_value(7.0).run()
    at.switch_page("pages/data.py").run()
    at.button(key="data:example").click().run()
    assert at.radio(key="data:base").value == "the current scenario"
    at.button(key="data:calibrate").click().run()
    assert at.session_state["data:result"][0].scenario.costs.annual_inflation == pytest.approx(0.07)
    at.radio(key="data:base").set_value("the defaults").run()
    at.button(key="data:calibrate").click().run()
    cal = at.session_state["data:result"][0]
    assert cal.scenario.costs.annual_inflation == default_scenario().costs.annual_inflation


def test_a_date_with_no_child_in_care_is_explained_and_changes_nothing() -> None:
    at = page()
    at.button(key="data:example").click().run()
    at.date_input(key="data:as_at").set_value(dt.date(2000, 3, 31)).run()
    at.button(key="data:calibrate").click().run()
    assert not at.exception
    text = errors(at)
    assert "no child was in care" in text and "has not been changed" in text
    assert "data:result" not in at.session_state
    assert at.session_state["scenario"] == default_scenario()


# ---------------------------------------------------------------------------
# Uploads through the page
# ---------------------------------------------------------------------------


def test_good_uploads_calibrate(example_csv: tuple[bytes, bytes]) -> None:
    at = upload(page(), *example_csv)
    assert not at.error, errors(at)
    assert at.date_input(key="data:as_at").value == AS_AT
    at.button(key="data:calibrate").click().run()
    cal, where = at.session_state["data:result"]
    assert where == "header.csv and episodes.csv"
    assert cal.scenario == data.work_out(*data.example(), AS_AT, data.DEFAULT_WINDOW_WEEKS, default_scenario()).scenario
    at.button(key="data:use").click().run()
    assert at.session_state["scenario"] == cal.scenario


def test_a_missing_column_is_listed_and_the_scenario_is_kept(example_csv: tuple[bytes, bytes]) -> None:
    at = page()
    at.button(key="data:example").click().run()
    at.button(key="data:calibrate").click().run()
    at.button(key="data:use").click().run()
    kept = at.session_state["scenario"]
    header = pd.read_csv(pd.io.common.BytesIO(example_csv[0]), dtype=str).drop(columns=["DOB"])
    upload(at, csv(header), example_csv[1])
    text = errors(at)
    assert "DOB" in text and "header" in text, text
    assert "has not been changed" in text
    assert at.session_state["scenario"] == kept
    assert "data:result" not in at.session_state  # the earlier result went with the earlier source
    assert not [b for b in at.button if b.key == "data:calibrate"]


def test_problems_are_shown_escaped(example_csv: tuple[bytes, bytes]) -> None:
    header = pd.read_csv(pd.io.common.BytesIO(example_csv[0]), dtype=str)
    header.loc[3, "DOB"] = "[click](https://example.com)"
    at = upload(page(), csv(header), example_csv[1])
    text = "\n".join(e.value for e in at.error)
    assert "row 5" in text
    assert "\\[click\\]\\(https" in text  # markdown made inert: no link on the page
    assert "[click](https" not in text


def test_a_file_over_the_limit_is_refused(example_csv: tuple[bytes, bytes]) -> None:
    big = example_csv[1] + b"\n" * (data.MAX_BYTES + 10 - len(example_csv[1]))
    at = upload(page(), example_csv[0], big)
    text = errors(at)
    assert "episodes.csv (the episodes file) is just over 20 MB" in text and "at most 20 MB" in text
    assert at.session_state["scenario"] == default_scenario()


def test_the_session_keeps_figures_only(example_csv: tuple[bytes, bytes]) -> None:
    at = upload(page(), *example_csv)
    at.button(key="data:calibrate").click().run()
    uploads = {"data:header_file", "data:episodes_file", "data:uasc_file"}  # Streamlit's own upload widgets
    for key in at.session_state:
        if key in uploads:
            continue
        value = at.session_state[key]
        assert not isinstance(value, (bytes, bytearray, pd.DataFrame)), key
        if isinstance(value, tuple):
            assert not any(isinstance(v, (bytes, bytearray, pd.DataFrame)) for v in value), key
    cal = at.session_state["data:result"][0]
    assert list(cal.report.columns) == ["Figure", "Value", "Worked out from", "Weight on base"]
    assert not cal.report.isin(["EX00001"]).any().any()  # no child identifier in what is kept


# ---------------------------------------------------------------------------
# The helper on its own
# ---------------------------------------------------------------------------


def test_work_out_from_bytes(example_csv: tuple[bytes, bytes]) -> None:
    cal = data.work_out(*example_csv)
    assert isinstance(cal, Calibration)
    assert cal.as_at == AS_AT and cal.window_weeks == data.DEFAULT_WINDOW_WEEKS
    assert cal.scenario.start_date == dt.date(2026, 4, 1)
    same = data.work_out_uploads(FakeUpload("h.csv", example_csv[0]), FakeUpload("e.csv", example_csv[1]))
    assert isinstance(same, Calibration) and same.scenario == cal.scenario
    assert data.suggest_as_at(*example_csv) == AS_AT


def test_work_out_lists_the_problems_of_both_files(example_csv: tuple[bytes, bytes]) -> None:
    header = pd.read_csv(pd.io.common.BytesIO(example_csv[0]), dtype=str).drop(columns=["DOB"])
    episodes = pd.read_csv(pd.io.common.BytesIO(example_csv[1]), dtype=str)
    episodes.loc[10, "DECOM"] = "31/02/2024"
    problems = data.work_out(csv(header), csv(episodes))
    assert isinstance(problems, list)
    assert any("header" in p and "DOB" in p for p in problems), problems
    assert any("DECOM" in p and "row 12" in p and "31/02/2024" in p for p in problems), problems


@pytest.mark.parametrize(
    ("header", "episodes", "expected"),
    [
        (None, b"x", "Choose the header file"),
        (FakeUpload("h.csv", b""), FakeUpload("e.csv", b"x"), "h.csv (the header file) is empty"),
        (FakeUpload("h.csv", b"x", size=25_000_000), FakeUpload("e.csv", b"x"), "25.0 MB"),
        (FakeUpload("h.csv", b"x" * 21_000_000, size=10), FakeUpload("e.csv", b"x"), "larger than 20 MB"),
        (FakeUpload("h.csv", b"\xff\xfe\x00garbage"), FakeUpload("e.csv", b"\x00\x01"), "header"),
    ],
    ids=["missing", "empty", "too-big", "size-lied", "not-text"],
)
def test_bad_uploads_give_plain_problems(header, episodes, expected: str) -> None:
    if isinstance(episodes, bytes):
        episodes = FakeUpload("e.csv", episodes)
    problems = data.work_out_uploads(header, episodes)
    assert isinstance(problems, list) and problems
    assert any(expected in p for p in problems), problems
    assert not any("Traceback" in p for p in problems)


def test_suggested_dates_and_the_example_through_the_helper(example_csv: tuple[bytes, bytes]) -> None:
    assert data.suggest_as_at_example() == AS_AT
    assert data.suggest_as_at_uploads(FakeUpload("h.csv", example_csv[0]), FakeUpload("e.csv", example_csv[1])) == AS_AT
    lied = data.suggest_as_at_uploads(FakeUpload("h.csv", b"x" * 21_000_000, size=10), FakeUpload("e.csv", b"x"))
    assert isinstance(lied, list) and "larger than 20 MB" in lied[0]
    assert data.suggest_as_at_uploads(None, None) == ["Choose the header file.", "Choose the episodes file."]
    cal = data.work_out_example(AS_AT, 26)
    assert isinstance(cal, Calibration) and cal.window_weeks == 26


def test_rates_through_the_helper_and_what_the_page_should_say() -> None:
    cal = data.work_out_example(AS_AT)
    assert isinstance(cal, Calibration) and len(cal.rates) == 12
    assert cal.scenario.proceedings != default_scenario().proceedings  # worked out from the example
    kept = data.work_out_example(AS_AT, rates=False)
    assert isinstance(kept, Calibration) and kept.rates == ()
    for section in ("s20", "proceedings", "placement_order", "care_order"):
        assert getattr(kept.scenario, section) == getattr(default_scenario(), section)
    assert kept.scenario.initial == cal.scenario.initial
    # the words the page should use: rates are worked out, prices and the budget are not in the return
    assert "**the rates**" in data.ABOUT and "too few events" in data.ABOUT
    assert "Prices and the budget are not in the SSDA903 return" in data.ABOUT
    assert "not** worked out" not in data.ABOUT and "rates" in data.WINDOW_HELP and "rate" in data.BASE_HELP


def test_placement_moves_through_the_helper_and_what_the_page_should_say() -> None:
    cal = data.work_out_example(AS_AT)
    assert isinstance(cal, Calibration) and cal.moves and all(f.used for f in cal.moves)
    assert cal.scenario.placements.moves != default_scenario().placements.moves  # worked out from the example
    kept = data.work_out_example(AS_AT, moves=False)
    assert isinstance(kept, Calibration) and kept.moves == ()
    assert kept.scenario.placements == default_scenario().placements
    assert kept.scenario.proceedings == cal.scenario.proceedings  # the rates are still worked out
    # the same switch for uploads
    h, e = (csv(t) for t in data.example())
    up = data.work_out_uploads(
        FakeUpload("h.csv", h), FakeUpload("e.csv", e), AS_AT, data.DEFAULT_WINDOW_WEEKS, None, True, False
    )
    assert isinstance(up, Calibration) and up.scenario == kept.scenario
    # the words: placement moves are worked out now; prices and the budget still are not
    assert "**the placement moves**" in data.ABOUT and "as do placement moves" not in data.ABOUT
    assert "Prices and the budget are not in the SSDA903 return" in data.ABOUT
    assert "placement moves" in data.WINDOW_HELP
    assert data.BASE_HELP.startswith("Prices, budget, the other levers") and "kind of placement move" in data.BASE_HELP


def test_an_unexpected_fault_gives_a_plain_message(monkeypatch: pytest.MonkeyPatch, example_csv) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("internal detail that must not be shown")

    monkeypatch.setattr(data, "calibrate", boom)
    problems = data.work_out(*example_csv, AS_AT)
    assert problems == [data.GENERIC.format(what="files")]
    assert "internal detail" not in problems[0]


# ---------------------------------------------------------------------------
# Personal data: never written, logged or cached
# ---------------------------------------------------------------------------

FORBIDDEN_NAMES = {
    "cache_data",
    "cache_resource",
    "experimental_memo",
    "experimental_singleton",
    "lru_cache",
    "cache",
    "open",
    "logging",
    "getLogger",
    "print",
    "to_csv",
    "to_excel",
    "to_parquet",
    "to_pickle",
    "write_bytes",
    "write_text",
    "NamedTemporaryFile",
    "mkstemp",
}
FORBIDDEN_MODULES = {"logging", "tempfile", "pickle", "shelve", "functools", "os", "shutil"}


@pytest.mark.parametrize("path", [ROOT / "pages" / "data.py", HELPER], ids=["page", "helper"])
def test_the_upload_is_never_written_logged_or_cached(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id not in FORBIDDEN_NAMES, f"{path.name}:{node.lineno} uses {node.id}"
        elif isinstance(node, ast.Attribute):
            assert node.attr not in FORBIDDEN_NAMES, f"{path.name}:{node.lineno} uses .{node.attr}"
        elif isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_MODULES, path.name
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in FORBIDDEN_MODULES, path.name
        elif isinstance(node, ast.Global | ast.Nonlocal):
            raise AssertionError(f"{path.name}:{node.lineno} keeps state in a module variable")


def test_settings_survive_changing_a_file(example_csv: tuple[bytes, bytes]) -> None:
    """Choosing another episodes file (the settings vanish while one file is missing) keeps
    the window, the base and the rates switch as set; the window once fell back to 13 weeks."""
    at = upload(page(), *example_csv)
    at.number_input(key="data:window_weeks").set_value(104).run()
    at.radio(key="data:base").set_value("the defaults").run()
    at.toggle(key="data:rates").set_value(False).run()
    at.file_uploader(key="data:episodes_file").clear().run()
    assert not at.exception and not at.number_input  # settings hidden while a file is missing
    at.file_uploader(key="data:episodes_file").upload("episodes-v2.csv", example_csv[1], "text/csv").run()
    assert not at.exception
    assert at.number_input(key="data:window_weeks").value == 104
    assert at.radio(key="data:base").value == "the defaults"
    assert at.toggle(key="data:rates").value is False
    at.button(key="data:calibrate").click().run()
    cal = at.session_state["data:result"][0]
    assert cal.window_weeks == 104 and cal.rates == ()


def test_placement_moves_can_be_kept_from_the_scenario() -> None:
    """With "Also work out the moves" off, the placement moves stay as they were while
    the rates are still worked out; on (the default), the example's moves are used."""
    at = page()
    at.button(key="data:example").click().run()
    assert at.toggle(key="data:moves").value is True
    at.button(key="data:calibrate").click().run()
    with_moves = at.session_state["data:result"][0]
    assert any(f.used for f in with_moves.moves)
    assert with_moves.scenario.placements.moves != default_scenario().placements.moves
    at.toggle(key="data:moves").set_value(False).run()
    at.button(key="data:calibrate").click().run()
    assert not at.exception and not at.error, errors(at)
    cal = at.session_state["data:result"][0]
    assert cal.moves == () and cal.scenario.placements == default_scenario().placements
    assert cal.scenario.proceedings == with_moves.scenario.proceedings  # the rates are still worked out


# ---------------------------------------------------------------------------
# Several authorities and the UASC table through the page
# ---------------------------------------------------------------------------


def test_several_authorities_are_chosen_on_the_page_never_added() -> None:
    h1, e1 = example_tables(n_children=600, seed=1, years=4)
    h2, e2 = example_tables(n_children=900, seed=2, years=4)
    header = csv(pd.concat([h1.assign(LA="Eastford"), h2.assign(LA="Westbury")], ignore_index=True))
    episodes = csv(pd.concat([e1.assign(LA="Eastford"), e2.assign(LA="Westbury")], ignore_index=True))
    at = upload(page(), header, episodes)
    box = at.selectbox(key="data:la")
    assert box.options == ["Eastford", "Westbury"] and box.value is None
    # nothing chosen: the page stops and lists the authorities, the scenario is unchanged
    at.button(key="data:calibrate").click().run()
    assert "2 local authorities in the LA column (Eastford, Westbury)" in errors(at)
    assert "data:result" not in at.session_state and at.session_state["scenario"] == default_scenario()
    box.set_value("Westbury").run()
    at.button(key="data:calibrate").click().run()
    assert not at.error, errors(at)
    cal = at.session_state["data:result"][0]
    assert cal.scenario.initial == data.work_out(csv(h2), csv(e2), AS_AT).scenario.initial


def test_a_uasc_file_is_counted_apart_on_the_page(example_csv: tuple[bytes, bytes]) -> None:
    header = pd.read_csv(pd.io.common.BytesIO(example_csv[0]), dtype=str)
    uasc = csv(header.iloc[::7][["CHILD", "DOB"]].assign(DUC=""))
    at = upload(page(), *example_csv)
    at.file_uploader(key="data:uasc_file").upload("uasc.csv", uasc, "text/csv")
    at.run()
    at.button(key="data:calibrate").click().run()
    assert not at.error, errors(at)
    cal = at.session_state["data:result"][0]
    expected = data.work_out(*example_csv, AS_AT, uasc=uasc)
    assert cal.uasc_in_care == expected.uasc_in_care > 0
    assert any(
        m.label == "Of whom seeking asylum alone (UASC)" and m.value == f"{cal.uasc_in_care:,}" for m in at.metric
    )


def test_the_overview_draws_the_returns_own_counts_before_the_projection() -> None:
    """After using the example return, the Overview's chart carries the return's children in care by month
    (the same counts as calibration's starting position on the as-at date); after a reset it does not."""
    at = page()
    at.button(key="data:example").click().run()
    at.button(key="data:calibrate").click().run()
    cal = at.session_state["data:result"][0]
    at.button(key="data:use").click().run()
    at.switch_page("pages/home.py").run()
    assert not at.exception
    rows = _chart_rows(at, "children_actual")
    assert 12 <= len(rows) <= data.ACTUAL_MONTHS
    last = max(rows, key=lambda r: str(r["period_end"]))
    assert str(last["period_end"]).startswith(cal.as_at.isoformat())
    assert last["children_actual"] == cal.children_in_care
    assert any("Black dots" in c.value for c in at.caption)

    at.session_state["scenario"] = default_scenario()  # another starting position: no actuals drawn
    at.run()
    assert not _chart_rows(at, "children_actual")


def _chart_rows(at: AppTest, column: str) -> list[dict]:
    """Rows holding ``column`` in the Overview's first chart (Streamlit sends each dataset as Arrow)."""
    import pyarrow as pa

    rows: list[dict] = []
    for ds in at.get("vega_lite_chart")[0].proto.datasets:
        frame = pa.ipc.open_stream(ds.data.data).read_pandas()
        if column in frame:
            rows += frame.dropna(subset=[column]).to_dict("records")
    return rows


def test_new_files_keep_the_settings_the_user_chose() -> None:
    """Seen in review: swapping one file for another put the window back at its minimum (13 weeks) and the
    rates off, with nothing said, because the browser redraws the settings from scratch while a file is
    swapped. New files now take the settings the user last chose (or the defaults)."""
    at = page()
    at.button(key="data:example").click().run()
    at.number_input(key="data:window_weeks").set_value(52).run()
    # what the browser sends back while a file is swapped: the widgets' minimum and "off"; then the new files
    at.session_state["data:window_weeks"] = 13
    at.session_state["data:rates"] = False
    at.session_state["data:suggested_as_at"] = None  # new files: the settings are worked out again
    at.run()
    assert not at.exception
    assert at.number_input(key="data:window_weeks").value == 52  # the user's choice
    assert at.toggle(key="data:rates").value is True  # the default: the user never switched it off
