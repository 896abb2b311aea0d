"""The Benchmarks page follows the authority applied on any page; its charts' text is not cut off; its tables
have plain headings and a dash, not "None", where there is no figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_lib import charts_published as charts
from csc_model.published import find_authority
from csc_model.published.benchmarks import INDICATORS, comparison

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = str(ROOT / "pages" / "benchmarks.py")
TIMEOUT = 120
KENT, LEEDS, HARTLEPOOL, DORSET = "E10000016", "E08000035", "E06000001", "E06000059"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


def _apply_on_overview(at: AppTest, code: str) -> None:
    at.switch_page("pages/home.py").run()
    at.selectbox(key="overview_published:authority").select(code).run()
    at.button(key="overview_published:apply").click().run()
    _ok(at)


def test_benchmarks_open_on_the_authority_applied_on_the_overview_and_follow_the_next_one() -> None:
    at = _ok(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    _apply_on_overview(at, KENT)
    _ok(at.switch_page("pages/benchmarks.py").run())
    assert at.selectbox(key="bench:authority").value == KENT
    assert "Statistical neighbours of Kent" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="bench:region").value == "South East"
    # the user may still benchmark another authority, and it stays chosen after a visit elsewhere
    _ok(at.selectbox(key="bench:authority").select(LEEDS).run())
    at.switch_page("pages/home.py").run()
    _ok(at.switch_page("pages/benchmarks.py").run())
    assert at.selectbox(key="bench:authority").value == LEEDS
    # a different authority applied later is followed
    _apply_on_overview(at, HARTLEPOOL)
    _ok(at.switch_page("pages/benchmarks.py").run())
    assert at.selectbox(key="bench:authority").value == HARTLEPOOL
    assert at.selectbox(key="bench:region").value == "North East"


def _legend_lines(expr: str, labels: list[str]) -> list[str]:
    """The lines a legend's labelExpr draws for ``labels`` (the expression's arrays, else the label itself)."""
    wrapped = {
        label: json.loads(lines) for label, lines in re.findall(r'datum\.label === ("[^"]*") \? (\[[^\]]*\])', expr)
    }
    return [line for label in labels for line in wrapped.get(json.dumps(label), [label])]


@pytest.mark.parametrize(
    "authority", ["Plymouth", "Bournemouth, Christchurch and Poole", "Kingston upon Hull, City of"]
)
def test_indicator_chart_titles_and_legends_fit_a_third_of_1280_pixels(authority: str) -> None:
    # three charts side by side at 1280 px with the sidebar open: about 270 px a chart, 210 px after the y axis
    c = comparison(find_authority(authority))
    for key in INDICATORS:
        if key not in set(c["indicator"]) or key in ("foster_share", "residential_share", "supported_share"):
            continue
        spec = charts.indicator_chart(c, key, authority).to_dict()
        title = spec["title"]["text"]
        assert isinstance(title, list) and all(len(line) <= 26 for line in title), title
        legend = spec["encoding"]["color"]["legend"]
        assert legend.get("columns", 1) == 1 and legend["direction"] == "vertical"  # one entry a line
        assert legend["labelLimit"] >= 24 * 7.5 and legend["symbolLimit"] == 0
        groups = spec["encoding"]["color"]["scale"]["domain"]
        assert all(len(line) <= 24 for line in _legend_lines(legend["labelExpr"], groups)), groups


def test_placement_mix_names_every_bar() -> None:
    spec = charts.placement_mix_chart(comparison(find_authority("Plymouth")), 2024, "Plymouth").to_dict()
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False


def test_tables_have_plain_headings_and_a_dash_where_there_is_no_figure() -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["bench:authority"] = DORSET  # Dorset's private share is not published
    _ok(at.run())
    at.button(key="bench:project").click().run()
    _ok(at)
    frames = [d.value for d in at.dataframe]
    raw = {"new_la_code", "la_name", "in_care_per_10k", "private_share_pct", "uasc_share_pct", "exits_total"}
    plain = [f for f in frames if {"Authority", "Children in care per 10,000 children"} <= set(f.columns)]
    assert plain, [list(f.columns) for f in frames]
    region = plain[0]
    shown = [d for d in at.dataframe if d.proto.column_order]
    assert shown, "the region tables name the columns they show"
    for d in shown:
        assert not raw & set(d.proto.column_order), list(d.proto.column_order)
    assert "Placed with private or voluntary providers (%)" in region.columns
    assert region.loc[region["Authority"] == "Dorset", "Placed with private or voluntary providers (%)"].isna().all()
    for d in at.dataframe:  # the region and its projection (the comparison by year is an HTML table now)
        assert d.proto.placeholder == "\u2013", "a missing figure would show as None"
        assert not (d.value.astype(str) == "None").to_numpy().any()
    by_year = [h.proto.body for h in at.get("html") if "<th>Indicator</th>" in h.proto.body]
    assert by_year, "the comparison by year"
    for body in by_year:  # Dorset's workforce before 2021 and its private share: a dash, never None or a blank
        assert ">\u2013</td>" in body and ">None<" not in body and not re.search(r"<td[^>]*></td>", body)
    numeric = region.select_dtypes("number").columns
    assert "Children in care per 10,000 children" in numeric  # numbers stay numbers: the column sorts
    captions = " ".join(c.value for c in at.caption)
    assert "A dash (\u2013) means no figure" in captions
