"""The Benchmarks review: the region selector follows the authority benchmarked (and what the browser shows
agrees with the chart, the table and the projection); charts whose axis does not start at zero say so and
do not make a small change look large; the model's track record names its actual line and tells its
forecasts apart; the Table tab fits a 1280-pixel screen without losing a figure.

The chart builders are pure functions, tested directly; the page under AppTest; the two things only a
browser shows (what a selectbox displays after a rerun, whether a table scrolls sideways) in headless
Chromium as well (marked ``browser``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import charts_actuals
from app_lib import charts_published as charts
from app_lib.published_page import comparison_of
from csc_model.published import data as pub
from csc_model.published import find_authority
from csc_model.published.benchmarks import INDICATORS, comparison, region_authorities, region_projection

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "benchmarks.py")
TIMEOUT = 120
PLYMOUTH, LEEDS, KENT = "E06000026", "E08000035", "E10000016"
NOTE = "axis not from zero"
REGION = "bench:region"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]
    return at


# ---------------------------------------------------------------------------------------------------------
# 1. The region selector follows the authority; selector, chart, table and projection agree
# ---------------------------------------------------------------------------------------------------------


class Browser:
    """What a browser shows in the region selectbox after each run, as Streamlit's front end decides it: the
    value the server sends with the element when the server sets it (``set_value``), else the value already
    shown (a new default does not change a selectbox already on the screen), else the default. AppTest itself
    reads the server's value, which is how the page could draw Yorkshire's authorities under a selector still
    showing "South West" (review)."""

    def __init__(self) -> None:
        self.shown: str | None = None

    def look(self, at: AppTest) -> str:
        box = at.selectbox(key=REGION)
        if box.proto.set_value:
            self.shown = box.proto.raw_value
        elif self.shown is None:
            self.shown = box.options[box.proto.default]
        return self.shown

    def choose(self, at: AppTest, region: str) -> AppTest:
        """The user picks ``region``: the browser shows it and sends it."""
        self.shown = region
        return at.selectbox(key=REGION).select(region)

    def send(self, at: AppTest) -> None:
        """Send back what the browser shows, as a browser does with every rerun."""
        at.selectbox(key=REGION).set_value(self.look(at))


def _region_table(at: AppTest) -> set[str]:
    tables = [
        d.value for d in at.dataframe if "Authority" in d.value.columns and "Financial year" not in d.value.columns
    ]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return set(tables[0]["Authority"])


def _projection_table(at: AppTest) -> set[str]:
    tables = [d.value for d in at.dataframe if "Financial year" in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return set(tables[0]["Authority"]) - {"Region total"}


def _region_chart(at: AppTest) -> tuple[set[str], set[str]]:
    """(authorities drawn, authorities highlighted) of the region's bar chart."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("title") != "Children in care per 10,000 children" or "la_name" not in str(spec["encoding"]):
            continue
        frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
        if not frames:
            frames = [pa.ipc.open_stream(chart.proto.data.data).read_pandas()]
        df = pd.concat(frames)
        return set(df["la_name"]), set(df.loc[df["chosen"], "la_name"])
    raise AssertionError("no region chart on the page")


def _names(region: str) -> set[str]:
    return {a.name for a in region_authorities(region) if pub.latest_year() in a.years}


def _agree(at: AppTest, browser: Browser, region: str, highlighted: set[str]) -> None:
    assert browser.look(at) == region  # the selector the user sees
    assert at.selectbox(key=REGION).value == region  # the region the page works with
    drawn, chosen = _region_chart(at)
    assert drawn == _names(region) and chosen == highlighted
    assert _region_table(at) == _names(region)


def test_the_region_selector_shows_the_region_of_the_authority_chosen_and_everything_follows_it() -> None:
    browser = Browser()
    at = _ok(AppTest.from_file(PAGE, default_timeout=TIMEOUT).run())
    _agree(at, browser, "South West", {"Plymouth"})
    # choosing Leeds: the selector shows Leeds' region, with its authorities in the chart and the table
    browser.send(at)
    _ok(at.selectbox(key="bench:authority").select(LEEDS).run())
    leeds = find_authority(LEEDS).region
    assert leeds == "Yorkshire and The Humber"
    _agree(at, browser, leeds, {"Leeds"})
    # "Project the region" projects the region shown
    browser.send(at)
    _ok(at.button(key="bench:project").click().run())
    assert _projection_table(at) == _names(leeds)
    # the user may still choose another region: everything follows it, and it stays through other reruns
    _ok(browser.choose(at, "North East").run())
    _agree(at, browser, "North East", set())
    browser.send(at)
    _ok(at.slider(key="bench:region_years").set_value(2).run())
    _agree(at, browser, "North East", set())
    browser.send(at)
    _ok(at.button(key="bench:project").click().run())
    assert _projection_table(at) == _names("North East")
    # another authority: the region follows it again
    browser.send(at)
    _ok(at.selectbox(key="bench:authority").select(KENT).run())
    _agree(at, browser, "South East", {"Kent"})


# ---------------------------------------------------------------------------------------------------------
# 2. Charts whose axis does not start at zero say so; a small change does not look large
# ---------------------------------------------------------------------------------------------------------


def _title_text(title: Any) -> str:
    return " ".join(title) if isinstance(title, list) else str(title)


def _axis_start(y: dict[str, Any], values: pd.Series) -> float:
    """Where a y axis starts: its domain's start, zero when Vega-Lite includes zero (its default for a bar or a
    line), else the lowest value (``zero: false`` fits the axis to the data)."""
    scale = y.get("scale", {})
    if "domain" in scale:
        return float(scale["domain"][0])
    return float(values.min()) if scale.get("zero") is False else 0.0


@pytest.mark.parametrize("authority", ["Plymouth", "Leeds", "Blackpool", "Kent", "City of London"])
def test_indicator_charts_say_when_the_axis_is_not_from_zero_and_keep_changes_in_proportion(authority: str) -> None:
    c = comparison(find_authority(authority))
    for key in INDICATORS:
        values = c.loc[c["indicator"] == key, "value"].dropna()
        if values.empty:
            continue
        y = charts.indicator_chart(c, key, authority).to_dict()["encoding"]["y"]
        start = _axis_start(y, values)
        if start > 0:
            assert NOTE in _title_text(y["title"]), (authority, key, y)
        # every point at least halfway up from the axis to its value: a rise of 31% (Plymouth's leavers from
        # 2021 to 2024) is drawn as less than twice that, not as a near doubling
        assert start <= values.min() / 2 + 1e-9, (authority, key, start, values.min())


def test_plymouths_rates_per_10000_say_their_axis_is_not_from_zero() -> None:
    c = comparison(find_authority("Plymouth"))
    for key in ("in_care_per_10k", "ceased_per_10k"):
        y = charts.indicator_chart(c, key, "Plymouth").to_dict()["encoding"]["y"]
        assert y["title"][-1] == "(axis not from zero)" and y["scale"]["domain"][0] > 0
    leavers = c[(c["indicator"] == "ceased_per_10k") & (c["group"] == "Plymouth")].set_index("year")["value"]
    y = charts.indicator_chart(c, "ceased_per_10k", "Plymouth").to_dict()["encoding"]["y"]
    low = y["scale"]["domain"][0]
    drawn = (leavers[2024] - low) / (leavers[2021] - low)
    assert drawn < 2 * leavers[2024] / leavers[2021] - 1 < 1.7  # 26.9 to 35.3 is not drawn as a doubling


def test_an_axis_that_includes_zero_carries_no_note() -> None:
    c = comparison(find_authority("Plymouth"))
    y = charts.indicator_chart(c, "uasc_share", "Plymouth").to_dict()["encoding"]["y"]  # 1.3% to 9.1%
    assert _axis_start(y, c.loc[c["indicator"] == "uasc_share", "value"]) == 0
    assert NOTE not in _title_text(y["title"])


@pytest.mark.parametrize("region", ["South West", "Yorkshire and The Humber"])
def test_the_regional_projection_says_its_axis_is_not_from_zero_and_keeps_its_rise_in_proportion(region: str) -> None:
    proj = region_projection(region, dt.date(pub.latest_year(), 3, 31), years=3)
    total = proj.loc[proj["la_name"] == "Region total", "children_in_care"]
    y = charts.region_projection_chart(proj).to_dict()["encoding"]["y"]
    start = _axis_start(y, total)
    assert start <= total.min() / 2
    if start > 0:
        assert NOTE in _title_text(y["title"])
    # the chart holds the projected years only (no published year beside them)
    periods = proj.loc[proj["la_name"] == "Region total", "period"].tolist()
    assert periods == [f"{y}-{(y + 1) % 100:02d}" for y in range(pub.latest_year(), pub.latest_year() + 3)]


# ---------------------------------------------------------------------------------------------------------
# 3. The track record: the actual line in the legend, the axis note, forecasts told apart
# ---------------------------------------------------------------------------------------------------------


def _card(cutoffs: int = 6) -> pd.DataFrame:
    """A scorecard as :func:`csc_model.backtest` writes it: ``cutoffs`` cut-offs, one to three years ahead."""
    rows = []
    actual = {2019 + i: 480 + 25 * i for i in range(cutoffs + 4)}
    for i in range(cutoffs):
        cut = 2019 + i
        for h in (1, 2, 3):
            if cut + h > 2019 + cutoffs:
                continue
            mid = actual[cut] * (1 + 0.03 * h)
            rows.append(
                {
                    "cutoff": f"{cut}-03-31",
                    "horizon_years": h,
                    "as_of": f"{cut + h}-03-31",
                    "actual": actual[cut + h],
                    "p10": mid * 0.92,
                    "p50": mid,
                    "p90": mid * 1.08,
                    "persistence": actual[cut],
                }
            )
    return pd.DataFrame(rows)


def _leaves(spec: dict[str, Any]) -> list[dict[str, Any]]:
    if "layer" in spec:
        return [leaf for layer in spec["layer"] for leaf in _leaves(layer)]
    return [spec]


def _legend_entries(spec: dict[str, Any]) -> dict[str, str | None]:
    """Every legend entry of a layered chart -> its colour (None for a shape legend, whose colour is fixed)."""
    entries: dict[str, str | None] = {}
    for leaf in _leaves(spec):
        for channel, enc in leaf.get("encoding", {}).items():
            if channel not in ("color", "fill", "shape", "strokeDash") or not isinstance(enc, dict):
                continue
            if enc.get("legend", {}) is None or "field" not in enc:
                continue
            domain = enc.get("scale", {}).get("domain", [])
            rng = enc.get("scale", {}).get("range", [None] * len(domain))
            for name, colour in zip(domain, rng, strict=False):
                entries.setdefault(name, colour if channel in ("color", "fill") else None)
    return entries


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _distance(a: str, b: str) -> float:
    """A weighted RGB distance ("redmean"): about 0-765; colours under 100 apart are hard to tell apart."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(a), _rgb(b)
    rm = (r1 + r2) / 2
    return ((2 + rm / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - rm) / 256) * (b1 - b2) ** 2) ** 0.5


def test_the_track_record_names_its_actual_line_and_says_its_axis_is_not_from_zero() -> None:
    card = _card()
    spec = charts_actuals.track_record_chart(card).to_dict()
    entries = _legend_entries(spec)
    actual = [name for name in entries if name.lower().startswith("actual")]
    assert actual, entries
    # the entry belongs to the black line through the actual counts
    drawn = [leaf for leaf in _leaves(spec) if leaf.get("encoding", {}).get("y", {}).get("field") == "actual"]
    assert drawn and all(leaf["mark"].get("color") == "#000000" for leaf in drawn)
    assert any(actual[0] in json.dumps(leaf["encoding"]) for leaf in drawn)
    ys = [leaf["encoding"]["y"] for leaf in _leaves(spec) if "title" in leaf["encoding"].get("y", {})]
    assert ys and all(y["scale"]["domain"][0] > 0 for y in ys)
    assert all(NOTE in _title_text(y["title"]) for y in ys)


def test_the_track_record_forecasts_are_named_and_told_apart() -> None:
    card = _card()
    spec = charts_actuals.track_record_chart(card).to_dict()
    entries = _legend_entries(spec)
    forecasts = {name: colour for name, colour in entries.items() if name.startswith("Forecast from")}
    cutoffs = sorted(pd.to_datetime(card["cutoff"]).unique())
    assert list(forecasts) == [f"Forecast from {pd.Timestamp(c):%d %b %Y}" for c in cutoffs]
    colours = list(forecasts.values())
    assert all(c and c.startswith("#") for c in colours), colours
    pairs = [(a, b) for i, a in enumerate(colours) for b in colours[i + 1 :]]
    assert min(_distance(a, b) for a, b in pairs) >= 100, colours  # no two forecasts in near-identical shades
    assert min(_distance(c, "#000000") for c in colours) >= 150  # nor like the actual line
    bands = [leaf for leaf in _leaves(spec) if leaf["mark"].get("type") == "area"]
    assert bands and all(leaf["mark"]["opacity"] >= 0.25 for leaf in bands)  # not washed out (was 0.18)


# ---------------------------------------------------------------------------------------------------------
# 4. The Table tab: every figure, in tables that fit
# ---------------------------------------------------------------------------------------------------------


def _html_tables(at: AppTest) -> list[pd.DataFrame]:
    """The HTML tables on the page, their cells as text."""
    out = []
    for h in at.get("html"):
        for table in re.findall(r"<table.*?</table>", h.proto.body, flags=re.S):
            rows = [
                [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
            ]
            out.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return out


@pytest.mark.parametrize("code", [PLYMOUTH, LEEDS])
def test_the_table_tab_holds_every_figure_of_the_comparison(code: str) -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["bench:authority"] = code
    _ok(at.run())
    tables = [t for t in _html_tables(at) if {"Indicator", "Who"} <= set(t.columns)]
    assert tables, "the comparison by year is drawn as tables whose text wraps"
    assert not [d for d in at.dataframe if "Indicator" in d.value.columns]  # not in the one-line grid
    cells = {}
    for t in tables:
        years = [c for c in t.columns if c.isdigit()]
        assert years == sorted(years)
        for r in t.to_dict("records"):
            for y in years:
                cells[(r["Indicator"], r["Unit"], r["Who"], int(y))] = r[y]
    c = comparison_of(code).dropna(subset=["value"])
    assert len(c) > 100
    for row in c.itertuples():
        assert cells.pop((row.label, row.unit, row.group, row.year)) == f"{row.value:,.1f}"
    assert set(cells.values()) <= {"\u2013"}, "a cell left is a year without a figure: a dash"


# ---------------------------------------------------------------------------------------------------------
# In a browser: what the selector shows, and nothing scrolling sideways at 1280 pixels
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from tests.test_browser import serve

    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser test: run `bash scripts/test.sh` to install it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b.new_page(viewport={"width": 1280, "height": 800})
        b.close()


def _open_benchmarks(page: Any, server: str) -> None:
    from tests.test_browser import settle

    page.goto(f"{server}/benchmarks")
    settle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Authority to benchmark").first.wait_for(timeout=90_000)


def _choose_authority(page: Any, name: str) -> None:
    from tests.test_browser import settle

    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Authority to benchmark")
    box.locator("input").click()
    page.keyboard.type(name)
    page.get_by_role("option", name=re.compile("^" + re.escape(name) + r" \(")).first.click()
    settle(page)


def _shown_region(page: Any) -> str:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=re.compile("^Region"))
    return box.locator("input").input_value()


@pytest.mark.browser
def test_in_a_browser_the_region_selector_follows_the_authority_and_the_projection_follows_it(
    server: str, page: Any
) -> None:
    from tests.test_browser import no_errors, settle

    _open_benchmarks(page, server)
    page.get_by_role("tab", name="Your region").click()
    assert _shown_region(page) == "South West"
    _choose_authority(page, "Leeds")
    assert _shown_region(page) == "Yorkshire and The Humber"
    page.get_by_role("button", name="Project the region").click()
    settle(page)
    page.locator("text=Region total: children in care").first.wait_for(timeout=120_000)
    settle(page)
    text = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Bradford" in text and "Cornwall" not in text  # Yorkshire and The Humber, not the South West
    no_errors(page, "Benchmarks")


@pytest.mark.browser
@pytest.mark.parametrize("authority", ["Plymouth", "Bournemouth, Christchurch and Poole", "Leeds"])
def test_in_a_browser_the_table_tab_fits_1280_pixels(server: str, page: Any, authority: str) -> None:
    _open_benchmarks(page, server)
    if authority != "Plymouth":
        _choose_authority(page, authority)
    page.get_by_role("tab", name="Table").click()
    panel = page.locator('[role="tabpanel"]:visible').first
    panel.get_by_text("Each year is the year to 31 March").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    wide = panel.evaluate(
        """(panel) => [panel, ...panel.querySelectorAll('*')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
                    && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
            .map(e => [e.className, e.scrollWidth, e.clientWidth])"""
    )
    assert not wide, wide  # nothing in the tab scrolls sideways
    assert panel.evaluate("(p) => p.scrollWidth <= p.clientWidth + 1")
