"""The range of outcomes on the Overview: chance in words, the risk table, and the page itself."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_lib import formatting as fmt
from app_lib import runner, summaries
from csc_model import default_scenario
from tests.helpers import ROOT


@pytest.mark.parametrize(
    ("p", "words"),
    [(0.0, "less than 1 in 20"), (0.049, "less than 1 in 20"), (0.07, "about 1 in 20"), (0.08, "about 1 in 10"),
     (0.5, "about 5 in 10"), (0.68, "about 7 in 10"), (0.92, "about 9 in 10"), (0.95, "about 19 in 20"),
     (0.951, "more than 19 in 20"), (1.0, "more than 19 in 20"), (float("nan"), "–")],
)  # fmt: skip
def test_chance_in_words(p: float, words: str) -> None:
    assert fmt.chance(p) == words


@pytest.fixture(scope="module")
def band() -> runner.Tables:
    return runner.tables(default_scenario().with_values({"years": 3}), runs=100, seed=1)


def test_the_range_counts_rates_and_prices_not_only_chance() -> None:
    s = default_scenario().with_values({"years": 3})
    from csc_model.reporting.results import project

    # 400 runs: with 100, the P10 and P90 of either band move by about 10% from seed to seed
    # (the first year's ratio ranged 0.9-2.0 over 12 seeds, against about 1.5 with 1,000 runs)
    band = runner.tables(s, runs=400, seed=1)
    chance_only = project(s, runs=400, seed=1).table("fy")
    width = band.fy["spend_gbp_p90"] - band.fy["spend_gbp_p10"]
    narrow = chance_only["spend_gbp_p90"] - chance_only["spend_gbp_p10"]
    assert (width > narrow * 1.2).all()  # prices and rates that are not known exactly widen the band


def test_risk_table_agrees_with_the_runs(band: runner.Tables) -> None:
    fy = band.fy
    table = summaries.risk_table(fy).set_index("Measure")
    assert list(table.columns) == list(fy["period"])
    for period, p in zip(fy["period"], fy["prob_over_budget"], strict=True):
        assert table.at["Chance spend is over budget", period] == fmt.chance(p)
    assert (fy["budget_80pct_confidence_gbp"] >= fy["spend_gbp_p50"]).all()
    assert (fy["budget_80pct_confidence_gbp"] <= fy["spend_gbp_p90"]).all()
    assert np.all((fy["prob_over_budget"] >= 0) & (fy["prob_over_budget"] <= 1))


def test_overview_says_how_likely_an_overspend_is() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.toggle(key="pref:stochastic").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    fy = runner.tables(at.session_state["scenario"], runs=at.session_state["prefs"]["runs"]).fy
    sentence = next(m.value for m in at.markdown if "chance that placement spend exceeds" in m.value)
    assert fmt.chance(fy["prob_over_budget"].iloc[0]) in sentence
    assert fmt.gbp_short(fy["budget_80pct_confidence_gbp"].iloc[0]) in sentence
    assert any(h.value == "How sure is this?" for h in at.subheader)


def test_briefing_says_the_chance_of_an_overspend_in_words() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.switch_page("pages/briefing.py").run()
    at.toggle(key="pref:stochastic").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    fy = runner.tables(at.session_state["scenario"], runs=at.session_state["prefs"]["runs"]).fy
    text = next(m.value for m in at.markdown if "How likely is an overspend?" in m.value)
    for row in fy.itertuples():
        assert f"In {row.period}, the chance that placement spend is over the budget" in text
        assert f"is {fmt.chance(row.prob_over_budget)}." in text


def test_the_workbook_holds_the_range_as_numbers(band: runner.Tables) -> None:
    import io

    import openpyxl

    from app_lib import exports

    s = default_scenario().with_values({"years": 3})
    t = runner.tables(s)
    wb = openpyxl.load_workbook(io.BytesIO(exports.workbook_bytes(s, t.fy, t.month, t.placement_fy, band.fy)))
    ws = wb["Range of outcomes"]
    header = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == list(band.fy["period"])
    chance = header.index("Chance spend is over budget (0 to 1)")
    assert [r[chance] for r in rows] == pytest.approx(list(band.fy["prob_over_budget"]), abs=0.001)
    p90 = header.index("Placement spend (£), P90")
    assert all(isinstance(r[p90], int) and r[p90] % 1000 == 0 for r in rows)
    assert ws.cell(row=2, column=p90 + 1).number_format.startswith("£")
    no_band = openpyxl.load_workbook(io.BytesIO(exports.workbook_bytes(s, t.fy, t.month, t.placement_fy)))
    assert "Range of outcomes" not in no_band.sheetnames


def test_the_mean_spend_is_of_the_same_runs_as_the_percentiles(band: runner.Tables) -> None:
    """The stochastic table's mean spend left out each run's drawn prices and inflation while its percentiles
    had them: on the defaults a mean of £46.6m in 2030-31 beside a P50 of £47.9m. Now both come from the same
    runs, and the placement-type table adds up to it."""
    from csc_model.reporting.results import project, runs_by_period

    res = project(default_scenario().with_values({"years": 3}), runs=100, seed=1, parameter_uncertainty=True)
    fy = res.table("fy")
    assert fy["spend_gbp"].to_numpy() == pytest.approx(runs_by_period(res)["spend_gbp"].mean(axis=1), rel=1e-9)
    by_type = res.by_placement("fy").groupby("period", sort=False)["spend_gbp"].sum()
    assert by_type.to_numpy() == pytest.approx(fy["spend_gbp"].to_numpy(), rel=1e-9)
    assert fy["pressure_gbp"].to_numpy() == pytest.approx((fy["spend_gbp"] - fy["budget_gbp"]).to_numpy(), abs=0.02)


def test_the_overview_says_why_the_middle_of_the_range_is_not_the_projection() -> None:
    """Seen in review: the spend band's middle line ended at £47.9m where every card said £46.1m, with nothing
    to say why or which to use. Now the projection is drawn as a dashed line and a caption gives both figures."""
    s = default_scenario()
    band, t = runner.tables(s, runs=200, seed=0), runner.tables(s)
    note = summaries.centre_note(band.fy, t.fy)
    last = band.fy.iloc[-1]
    assert (
        f"in {last['period']}, {fmt.gbp_short(last['spend_gbp_p50'])} against {fmt.gbp_short(t.fy['spend_gbp'].iloc[-1])}"
        in note
    )
    assert ("above" if last["spend_gbp_p50"] > t.fy["spend_gbp"].iloc[-1] else "below") in note
    assert "from 1 point below to 2 points above the forecast rate" in note  # data/uncertainty_ranges.csv
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.toggle(key="pref:stochastic").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("The middle of the range is" in c.value and "(the dashed line)" in c.value for c in at.caption)
