"""Fan chart and back-test chart builders."""

from __future__ import annotations

import pandas as pd
import pytest

from app_lib.charts_actuals import track_record_chart
from app_lib.charts_uncertainty import (
    BAND_LABELS,
    CENTRAL_LABEL,
    MEDIAN_LABEL,
    backtest_frame,
    fan_chart,
    fan_frame,
)
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
    spec = track_record_chart(card).to_dict()
    assert len(spec["layer"]) == 4  # bands, middles, the actual line and its dots
    # a tick a year (the axis read "2020 2020 2021 2021"), and a legend that is never cut ("Forecast fro...")
    # one tick at each 31 March, where the points are (not at 1 January, a quarter away), labelled by year
    assert spec["layer"][0]["encoding"]["x"]["axis"]["values"] == ["2021-03-31", "2022-03-31", "2023-03-31"]
    assert spec["layer"][0]["encoding"]["color"]["legend"]["labelLimit"] == 0
    with pytest.raises(ValueError, match="no persistence column"):
        backtest_frame(card.drop(columns="persistence"))


def test_a_fan_chart_says_its_axis_does_not_start_at_zero() -> None:
    from app_lib import runner

    fy = runner.tables(default_scenario().with_values({"years": 2}), runs=20).fy
    spec = fan_chart(fy, "spend_gbp").to_dict()
    ys = [layer["encoding"]["y"] for layer in spec["layer"]]
    assert any("axis not from zero" in str(y.get("title", "")) for y in ys)
    assert any(y.get("scale", {}).get("zero") is False for y in ys)


def test_a_fan_chart_of_financial_years_has_a_financial_year_axis_and_the_projection_dashed(fy) -> None:
    """The spend band was drawn on a date axis ("Jan 2028" under a year's spend) and without the projection the
    cards show; its legend was cut ("Half of futures (P25 to P7...")."""
    central = project(default_scenario().with_values({"years": 3})).table()
    spec = fan_chart(fy, "spend_gbp", central).to_dict()
    xs = [layer["encoding"]["x"] for layer in spec["layer"]]
    assert all(x["field"] == "period" and x["type"] == "ordinal" for x in xs)
    lines = pd.DataFrame(spec["datasets"][spec["layer"][1]["data"]["name"]])
    dashed = lines[lines["series"] == CENTRAL_LABEL]
    assert dashed["value"].to_numpy() == pytest.approx(central["spend_gbp"].to_numpy() / 1e6)
    assert lines[lines["series"] == MEDIAN_LABEL]["value"].to_numpy() == pytest.approx(fy["spend_gbp_p50"] / 1e6)
    assert spec["layer"][1]["encoding"]["strokeDash"]["scale"]["range"][1] == [6, 4]
    encodings = [
        layer["encoding"][k] for layer in spec["layer"] for k in ("opacity", "color") if k in layer["encoding"]
    ]
    legends = [e["legend"] for e in encodings if "field" in e]  # not the bands' fixed colour
    assert len(legends) == 2 and all(lg["labelLimit"] == 0 for lg in legends)
    # children by month keep their date axis
    month = project(default_scenario().with_values({"years": 3}), runs=20, seed=1).table("month")
    mspec = fan_chart(month, "children_in_care").to_dict()
    assert all(layer["encoding"]["x"]["type"] == "temporal" for layer in mspec["layer"])


def test_the_fan_chart_s_two_legends_are_not_side_by_side(fy) -> None:
    """Side by side under a half-width chart on a 1280-pixel screen the second legend was cut ('Middle of the
    range (P5'). The bands' legend sits under the chart and the lines' above it, one entry a line, uncut."""
    central = project(default_scenario().with_values({"years": 3})).table()
    spec = fan_chart(fy, "spend_gbp", central).to_dict()
    legends = [
        enc["legend"]
        for layer in spec["layer"]
        for enc in layer["encoding"].values()
        if isinstance(enc, dict) and enc.get("legend")
    ]
    # the lines' colour and dash share one legend above (Vega-Lite merges them), the bands' is below
    assert sorted({lg["orient"] for lg in legends}) == ["bottom", "top"]
    assert all(lg["labelLimit"] == 0 and lg["direction"] == "vertical" for lg in legends)
    # the lines' entries are drawn as short lines, dashed for the projection (a dashed circle was a blob)
    line = spec["layer"][1]["encoding"]
    assert line["color"]["legend"] == line["strokeDash"]["legend"] and line["color"]["legend"]["symbolType"] == "stroke"
