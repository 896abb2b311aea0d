"""Yearly trends of the legal-stage rates over the calibration window (csc_model/ssda903/rate_trends.py).

The authority comes from the independent generator (not the model's hazards), with the hazard of
leaving a care order for special guardianship rising 15% a year; the other rates it draws have no
calendar trend.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csc_model.ssda903 import calibrate
from csc_model.ssda903.common import _annual
from csc_model.ssda903.rate_trends import FALLING, FLAT, RISING, TABLE_COLUMNS, TOO_FEW, rate_trend
from tests.independent_generator import simulate_authority

from .helpers import cli

RISE = 0.15
WINDOW = 312  # six 52-week years
UNTOUCHED = (  # rates the generator draws with no calendar trend
    "s20.mean_weeks_to_return_home",
    "s20.annual_share_to_proceedings",
    "placement_order.mean_weeks_to_placement",
    "placement_order.mean_weeks_placed_to_order",
)


@pytest.fixture(scope="module")
def rising():
    return simulate_authority(1500, seed=1, years=14, care_order_trend=("sgo_cao", RISE))


@pytest.fixture(scope="module")
def cal(rising):
    return calibrate(rising.header, rising.episodes, rising.as_at, window_weeks=WINDOW)


def _trends(c) -> dict:
    return {t.path: t for t in c.rate_trends}


# --- the estimate itself, on made-up counts with a known answer ---------------------------


def _synthetic(rate_per_week: list[float], children: int = 400) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``children`` at risk all through each 52-week year back from 2025-03-31, and exactly the expected events."""
    hi = pd.Timestamp("2025-03-31")
    n = len(rate_per_week)
    lo = hi - pd.Timedelta(days=364 * n)
    start = pd.Series([lo] * children)
    end = pd.Series([hi] * children)
    dates = []
    for j, r in enumerate(rate_per_week):  # oldest year first
        y_lo = lo + pd.Timedelta(days=364 * j)
        k = int(round(r * children * 52))
        dates += [y_lo + pd.Timedelta(days=int(d)) for d in np.linspace(1, 363, k)]
    return start, end, pd.Series(dates)


def test_exact_log_linear_counts_give_the_trend() -> None:
    rates = [0.01 * 1.2**j for j in range(5)]
    start, end, dates = _synthetic(rates)
    hi = pd.Timestamp("2025-03-31")
    t = rate_trend("x", "X", start, end, dates, hi - pd.Timedelta(days=364 * 5), hi)
    assert t.years == 5 and t.events == len(dates)
    assert [w for _, w in t.by_year] == pytest.approx([400 * 52] * 5)
    assert t.annual_change == pytest.approx(1.2 ** (365.25 / 364) - 1, abs=0.01)
    assert t.low < t.annual_change < t.high and t.verdict == RISING
    _, _, fewer = _synthetic(rates[::-1])
    down = rate_trend("x", "X", start, end, fewer, hi - pd.Timedelta(days=364 * 5), hi)
    assert down.verdict == FALLING and down.annual_change == pytest.approx(1 / 1.2 - 1, abs=0.01)


def test_flat_counts_give_no_clear_trend_and_few_events_too_few() -> None:
    hi = pd.Timestamp("2025-03-31")
    start, end, dates = _synthetic([0.01] * 4)
    t = rate_trend("x", "X", start, end, dates, hi - pd.Timedelta(days=364 * 4), hi)
    assert t.verdict == FLAT and abs(t.annual_change) < 0.01 and t.low < 0 < t.high
    few = rate_trend("x", "X", start, end, dates.iloc[:: len(dates) // 10], hi - pd.Timedelta(days=364 * 4), hi)
    assert few.events < 20 and few.verdict == TOO_FEW and few.annual_change is None
    assert "too few events or too short a window to say" in few.sentence().lower()
    one_year = rate_trend("x", "X", start, end, dates, hi - pd.Timedelta(days=364), hi)
    assert one_year.verdict == TOO_FEW and one_year.years == 1


# --- on the independent generator ------------------------------------------------------------


def test_rising_hazard_is_reported_rising_of_about_the_right_size(cal) -> None:
    t = _trends(cal)["care_order.annual_sgo"]
    assert t.verdict == RISING, t
    assert t.low < RISE < t.high  # the interval holds the truth
    assert 0.05 < t.annual_change < 0.30
    assert t.events > 200 and t.years == WINDOW // 52
    assert "rising" in t.sentence().lower() and "more often" in t.sentence()


def test_rates_without_a_trend_report_no_clear_trend(cal) -> None:
    trends = _trends(cal)
    for path in UNTOUCHED:
        assert trends[path].verdict == FLAT, trends[path]
        assert trends[path].low < 0 < trends[path].high


def test_trends_are_reported_not_applied(cal) -> None:
    """The scenario keeps the window's average: the data's figure is events / child-weeks, trend or not."""
    f = next(f for f in cal.rates if f.path == "care_order.annual_sgo")
    assert f.trend is not None and f.trend.verdict == RISING
    assert f.estimate == pytest.approx(_annual(f.events, f.exposure_weeks))
    assert f.trend.events == f.events and f.trend.exposure_weeks == pytest.approx(f.exposure_weeks)
    row = cal.report.set_index("Figure").loc[f"Trend: {f.label}"]
    assert row["Value"].endswith("a year (rising)")
    assert "Reported only: the scenario keeps the window's average rate" in row["Worked out from"]


def test_a_short_window_is_too_short_to_say(rising) -> None:
    c = calibrate(rising.header, rising.episodes, rising.as_at, window_weeks=78)
    assert c.rate_trends and all(t.verdict == TOO_FEW for t in c.rate_trends)
    assert all(t.annual_change is None for t in c.rate_trends)
    assert c.rate_trend_table()["verdict"].eq(TOO_FEW).all()


def test_every_event_rate_has_a_trend_and_the_table_its_columns(cal) -> None:
    table = cal.rate_trend_table()
    assert list(table.columns) == TABLE_COLUMNS
    paths = {f.path for f in cal.rates if f.exposure_weeks > 0}
    assert set(table["path"]) == paths and len(paths) == 7
    rising_row = table.set_index("path").loc["care_order.annual_sgo"]
    assert rising_row["annual_change_low"] < RISE < rising_row["annual_change_high"]
    assert all(math.isfinite(x) for x in table["annual_change"])


# --- the command line ------------------------------------------------------------------------


def test_cli_writes_the_trend_columns(rising, tmp_path: Path) -> None:
    rising.header.to_csv(tmp_path / "h.csv", index=False)
    rising.episodes.to_csv(tmp_path / "e.csv", index=False)
    r = cli(
        "calibrate", "--header", "h.csv", "--episodes", "e.csv", "--out", "s.json", "--as-at", rising.as_at.isoformat(),
        "--window-weeks", str(WINDOW), "--no-moves", "--report", "r.csv", "--trends", "t.csv", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(tmp_path / "t.csv")
    assert list(t.columns) == TABLE_COLUMNS
    sgo = t.set_index("path").loc["care_order.annual_sgo"]
    assert sgo["verdict"] == RISING and sgo["annual_change_low"] < RISE < sgo["annual_change_high"]
    report = pd.read_csv(tmp_path / "r.csv")
    trend_rows = report[report["Figure"].str.startswith("Trend: ")]
    assert len(trend_rows) == 7 and trend_rows["Value"].str.contains("a year|to say").all()


# --- the page ---------------------------------------------------------------------------------


def test_page_table_in_plain_words(cal) -> None:
    from app_lib import ssda903_page as data

    table = data.rate_trends_table(cal)
    assert list(table.columns) == [
        "What happens (per child in that stage)",
        "Events",
        "Change a year",
        "Likely range",
        "Verdict",
    ]
    row = table.set_index("What happens (per child in that stage)").loc[
        "Children leaving a care order for special guardianship or a child arrangements order"
    ]
    assert row["Verdict"] == "Rising" and row["Events"].endswith("over 6 years")
    assert row["Change a year"].startswith("+") and " to " in row["Likely range"]
    assert "keeps the window's average rate" in data.TRENDS_HELP
    assert data.rate_trends_table(calibrate(*_example(), dt.date(2026, 3, 31), rates=False)) is None


def _example():
    from csc_model.ssda903 import example_tables

    return example_tables(n_children=200, seed=3)


def test_page_shows_are_the_rates_changing() -> None:
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.button(key="data:example").click().run()
    at.button(key="data:calibrate").click().run()
    assert not at.exception and not at.error
    assert any(m.value == "**Are the rates changing?**" for m in at.markdown)
    shown = at.dataframe[0].value
    assert "Verdict" in shown.columns and len(shown) == 7
    assert set(shown["Verdict"]) <= {
        "Rising",
        "Falling",
        "No clear trend",
        "Too few events or too short a window to say",
    }
