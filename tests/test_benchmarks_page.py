"""The Benchmarks page and the "Start from your authority" widget under AppTest; its charts as pure functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import charts_published as charts
from csc_model.published import data as pub
from csc_model.published import find_authority, forecast
from csc_model.published.benchmarks import comparison, region_projection, region_table

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = str(ROOT / "pages" / "benchmarks.py")
TIMEOUT = 90


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


def test_the_page_renders_on_its_own_with_plymouth_against_its_neighbours() -> None:
    at = _ok(AppTest.from_file(PAGE, default_timeout=TIMEOUT).run())
    assert at.selectbox(key="bench:authority").value == "E06000026"
    captions = " ".join(c.value for c in at.caption)
    assert "Statistical neighbours of Plymouth" in captions
    names = [n.name for n in pub.neighbours(find_authority("Plymouth"))]
    assert all(n in captions for n in names)


def test_the_page_is_in_the_app_navigation() -> None:
    at = _ok(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.switch_page("pages/benchmarks.py").run()
    _ok(at)
    assert at.title[0].value == "Benchmarks"


def test_start_from_your_authority_makes_it_the_scenario_and_the_baseline() -> None:
    # the page on its own: its url path ("benchmarks") names its file, so AppTest reruns it without app.py
    at = _ok(AppTest.from_file(PAGE, default_timeout=TIMEOUT).run())
    at.selectbox(key="bench:start:authority").select("E08000035").run()  # Leeds
    at.selectbox(key="bench:start:year").select(2023).run()
    at.button(key="bench:start:apply").click().run()
    _ok(at)
    s = at.session_state["scenario"]
    assert s.initial.total == pytest.approx(pub.figure("E08000035", 2023, "in_care"))
    assert s.start_date == dt.date(2023, 4, 1)
    base, label = at.session_state["baseline"]
    assert base == s and label.startswith("Leeds at 31 March 2023")
    label_kept, report = at.session_state["published:report"]
    assert "Table" in report.columns and (report["Year"] == "2023").any()
    assert any("Leeds" in e.label for e in at.expander)
    # the screen says the first year is the back-tested forecast, and the scenario reaches it
    captions = " ".join(c.value for c in at.caption)
    assert "The first year is the back-tested forecast" in captions and "2023\u21922024 off by" in captions
    wanted, _ = forecast.one_year_forecast("E08000035", 2023)
    assert forecast.stock_on(s, dt.date(2024, 3, 31)) == pytest.approx(wanted, abs=0.5)
    # and that the years after it carry the entry trend (about half of the later years' rise, docs/published.md),
    # named with its figure and where to change it, and that no year beyond the third has been checked
    notice = " ".join(m.value for m in [*at.success, *at.info])
    assert f"changing {s.entries.annual_trend:+.1%} a year" in notice and "'Trend in entries'" in notice
    assert "up to three years ahead; not beyond" in notice


def test_choosing_another_authority_redraws_its_benchmarks() -> None:
    at = _ok(AppTest.from_file(PAGE, default_timeout=TIMEOUT).run())
    at.selectbox(key="bench:authority").select("E06000001").run()  # Hartlepool
    _ok(at)
    assert "Statistical neighbours of Hartlepool" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="bench:region").value == "North East"


def test_indicator_chart_draws_every_group_with_the_authority_first() -> None:
    c = comparison(find_authority("Plymouth"))
    chart = charts.indicator_chart(c, "in_care_per_10k", "Plymouth")
    spec = chart.to_dict()
    domain = spec["encoding"]["color"]["scale"]["domain"] if "encoding" in spec else None
    assert domain is not None and domain[0] == "Plymouth" and "England" in domain
    assert isinstance(charts.placement_mix_chart(c, 2024, "Plymouth"), alt.TopLevelMixin)
    with pytest.raises(ValueError, match="no published figures"):
        charts.indicator_chart(c, "nonsense", "Plymouth")


def test_region_charts_hold_every_authority_and_the_summed_projection() -> None:
    rt = region_table("North East")
    bars = charts.region_bars(rt, highlight="Hartlepool").to_dict()
    assert len(bars["datasets"][next(iter(bars["datasets"]))]) == len(rt) == 12
    proj = region_projection("North East", dt.date(2024, 3, 31), years=1)
    line = charts.region_projection_chart(proj).to_dict()
    rows = line["datasets"][next(iter(line["datasets"]))]
    assert [r["la_name"] for r in rows] == ["Region total"]
