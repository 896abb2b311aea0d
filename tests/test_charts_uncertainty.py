"""Fan chart and back-test chart builders."""

from __future__ import annotations

import pandas as pd
import pytest

from app_lib.charts_uncertainty import BAND_LABELS, backtest_chart, backtest_frame, fan_chart, fan_frame
from csc_model.reporting.results import project
from csc_model.scenario.defaults import default_scenario


@pytest.fixture(scope="module")
def fy():
    return project(default_scenario().with_values({"years": 3}), runs=100, seed=1, parameter_uncertainty=True).table()


def test_fan_frame_nests_the_50_band_inside_the_80_band(fy) -> None:
    f = fan_frame(fy, "spend_gbp")
    wide, narrow = f[f["band"] == BAND_LABELS[0]], f[f["band"] == BAND_LABELS[1]]
    assert len(wide) == len(narrow) == len(fy)
    assert (wide["low"].to_numpy() <= narrow["low"].to_numpy()).all()
    assert (narrow["high"].to_numpy() <= wide["high"].to_numpy()).all()
    assert wide["median"].to_numpy() == pytest.approx(fy["spend_gbp_p50"].to_numpy() / 1e6)
    spec = fan_chart(fy, "children_in_care").to_dict()
    assert len(spec["layer"]) == 2


def test_fan_chart_needs_runs() -> None:
    det = project(default_scenario().with_values({"years": 1})).table()
    with pytest.raises(ValueError, match="children_in_care_p10.*runs above 0"):
        fan_frame(det)
    with pytest.raises(ValueError, match="measure must be one of"):
        fan_frame(det, "entries")


def test_backtest_frame_starts_each_band_at_the_cutoff_count() -> None:
    card = pd.DataFrame(
        {
            "cutoff": ["2021-03-31", "2021-03-31", "2022-03-31"],
            "horizon_years": [1, 2, 1],
            "as_of": ["2022-03-31", "2023-03-31", "2023-03-31"],
            "actual": [510, 530, 530],
            "p10": [480, 470, 500],
            "p50": [505, 515, 520],
            "p90": [530, 560, 545],
            "persistence": [500, 500, 510],
        }
    )
    bands, actual = backtest_frame(card)
    assert len(bands) == 5  # two starting points plus three forecasts
    first = bands[(bands["cutoff"] == "2021-03-31") & (bands["as_of"] == "2021-03-31")].iloc[0]
    assert first["p10"] == first["p90"] == 500
    assert list(actual["actual"]) == [500, 510, 530]
    assert len(backtest_chart(card).to_dict()["layer"]) == 3
    with pytest.raises(ValueError, match="no persistence column"):
        backtest_frame(card.drop(columns="persistence"))


def test_a_fan_chart_says_its_axis_does_not_start_at_zero() -> None:
    from app_lib import runner

    fy = runner.tables(default_scenario().with_values({"years": 2}), runs=20).fy
    spec = fan_chart(fy, "spend_gbp").to_dict()
    ys = [layer["encoding"]["y"] for layer in spec["layer"]]
    assert any("axis not from zero" in str(y.get("title", "")) for y in ys)
    assert any(y.get("scale", {}).get("zero") is False for y in ys)
