"""The return's actuals (children in care at each month end) and the chart that draws them over the projection."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import vl_convert as vlc

from app_lib import charts, charts_actuals, runner
from csc_model import default_scenario
from csc_model.ssda903 import SSDA903Error, calibrate, children_in_care_by_month, example_tables, yearly_returns

HEADER = """CHILD,SEX,DOB
P,1,15/05/2010
Q,2,20/04/2008
R,1,01/01/2015
T,2,01/01/2012
"""
# P  in care from 10/06/2025 over three episodes (changes of placement on 15/09/2025 and 20/03/2026)
# Q  in care from 05/01/2025; 18 on 20/04/2026: not counted from then
# R  in care from 31/07/2025 to 31/08/2025: in care at the end of 31 July, not at the end of 31 August
# T  short breaks (V3): not in care for the model
# U  not in the header: left out
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC
P,10/06/2025,S,C2,N1,U4,PR1,15/09/2025,X1
P,15/09/2025,P,C2,N1,U6,PR1,20/03/2026,X1
P,20/03/2026,P,C2,N1,U4,PR1,,
Q,05/01/2025,S,V2,N1,H5,PR1,,
R,31/07/2025,S,V2,N1,U4,PR1,31/08/2025,E13
T,01/06/2025,S,V3,N1,U4,PR1,,
U,01/06/2025,S,C2,N1,U4,PR1,,
"""
TODAY = dt.date(2026, 6, 30)


def test_children_in_care_counted_by_hand() -> None:
    got = children_in_care_by_month(HEADER.encode(), EPISODES.encode(), until=dt.date(2026, 5, 31), today=TODAY)
    assert list(got.columns) == ["period_end", "children_actual"]
    # the data start on the 1 April before the earliest end date (no YEAR column): 1 April 2025
    expected = {
        dt.date(2025, 4, 30): 1,  # Q
        dt.date(2025, 5, 31): 1,
        dt.date(2025, 6, 30): 2,  # Q, P
        dt.date(2025, 7, 31): 3,  # Q, P, R
        dt.date(2025, 8, 31): 2,  # R left that day
        dt.date(2025, 9, 30): 2,  # P once, over two episodes
        dt.date(2026, 3, 31): 2,
        dt.date(2026, 4, 30): 1,  # Q is 18
        dt.date(2026, 5, 31): 1,
    }
    assert len(got) == 14 and got["period_end"].iloc[0] == dt.date(2025, 4, 30)
    by_month = dict(zip(got["period_end"], got["children_actual"], strict=True))
    assert {d: by_month[d] for d in expected} == expected
    # the default end: the 31 March ending the return; months: only the last ones
    assert children_in_care_by_month(HEADER.encode(), EPISODES.encode(), today=TODAY)["period_end"].iloc[-1] == (
        dt.date(2026, 3, 31)
    )
    last3 = children_in_care_by_month(HEADER.encode(), EPISODES.encode(), months=3, today=TODAY)
    assert list(last3["period_end"]) == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


@pytest.fixture(scope="module")
def six_years() -> tuple[pd.DataFrame, pd.DataFrame]:
    return example_tables(n_children=1400, seed=3, years=6)


def test_the_last_actual_is_the_projections_starting_position(six_years) -> None:
    """The line of actuals meets the projection: at any month end, the count is calibration's children in care."""
    h, e = six_years
    got = children_in_care_by_month(h, e).set_index("period_end")["children_actual"]
    for on in (dt.date(2023, 3, 31), dt.date(2024, 9, 30), dt.date(2026, 3, 31)):
        assert got[on] == calibrate(h, e, on, rates=False, moves=False).children_in_care


def test_stacked_yearly_returns_and_authorities(six_years) -> None:
    h, e = six_years
    one = children_in_care_by_month(h, e)
    sh, se = yearly_returns(h, e, [2024, 2025, 2026])
    stacked = children_in_care_by_month(sh, se)
    # the stacked returns start on 1 April 2023: the same counts from then on
    assert stacked["period_end"].iloc[0] == dt.date(2023, 4, 30)
    assert stacked.equals(one[one["period_end"] >= dt.date(2023, 4, 30)].reset_index(drop=True))
    two = pd.concat([se.assign(LA="Northshire"), se.assign(LA="Southshire", CHILD="S" + se["CHILD"])])
    heads = pd.concat([sh.assign(LA="Northshire"), sh.assign(LA="Southshire", CHILD="S" + sh["CHILD"])])
    with pytest.raises(SSDA903Error, match="Northshire, Southshire"):
        children_in_care_by_month(heads, two)
    assert children_in_care_by_month(heads, two, la="Southshire").equals(stacked)


def test_bad_input_gets_a_plain_message() -> None:
    with pytest.raises(SSDA903Error, match="DECOM"):
        children_in_care_by_month(HEADER.encode(), b"CHILD,LS\nP,C2\n", today=TODAY)
    with pytest.raises(SSDA903Error, match="months: 0 is out of range"):
        children_in_care_by_month(HEADER.encode(), EPISODES.encode(), months=0, today=TODAY)


# --- the chart -----------------------------------------------------------------------------------


def _leaves(spec: dict) -> list[dict]:
    if "layer" in spec:
        return [leaf for layer in spec["layer"] for leaf in _leaves(layer)]
    return [spec]


@pytest.fixture(scope="module")
def frames():
    t = runner.tables(default_scenario())
    actuals = pd.DataFrame(
        {
            "period_end": [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)],
            "children_actual": [498, 503, 507],
        }
    )
    return t, actuals


def test_actuals_are_black_dots_and_a_line_with_their_own_legend(frames) -> None:
    t, actuals = frames
    plain = charts.stage_chart(t.stage_month).to_dict()
    spec = charts_actuals.stage_chart_with_actuals(t.stage_month, None, actuals).to_dict()
    # the projection chart is unchanged underneath: same layers first, same size and configuration
    assert spec["layer"][: len(plain["layer"])] == plain["layer"]
    assert spec["height"] == plain["height"] and spec["config"] == plain["config"]
    top = spec["layer"][-1]
    rows = spec["datasets"][top["data"]["name"]]
    assert [r["children_actual"] for r in rows] == [498, 503, 507]
    assert {r["source"] for r in rows} == {"Your data (SSDA903)"}
    marks = {leaf["mark"]["type"]: leaf for leaf in _leaves(top)}
    assert set(marks) == {"line", "point"}
    assert marks["line"]["mark"]["color"] == marks["point"]["mark"]["color"] == "#000000"
    shape = marks["point"]["encoding"]["shape"]
    assert shape["scale"]["domain"] == ["Your data (SSDA903)"] and shape["title"] is None
    # above the chart, uncut: beside the two-column colour legend at the bottom it read "Your da" (review)
    assert shape["legend"]["orient"] == "top" and shape["legend"]["labelLimit"] == 0
    assert "legend" not in marks["line"]["encoding"].get("shape", {})  # one legend entry, from the dots
    tips = {tip["title"] for tip in marks["point"]["encoding"]["tooltip"]}
    assert "Month end" in tips
    vlc.vegalite_to_vega(spec)  # a valid Vega-Lite spec


def test_with_a_band_and_without_actuals(frames) -> None:
    t, actuals = frames
    band = t.month.assign(children_in_care_p10=1.0, children_in_care_p50=2.0, children_in_care_p90=3.0)
    spec = charts_actuals.stage_chart_with_actuals(t.stage_month, band, actuals).to_dict()
    assert spec["layer"][-1]["layer"][1]["encoding"]["shape"]["scale"]["domain"] == ["Your data (SSDA903)"]
    vlc.vegalite_to_vega(spec)
    # no actuals (or none in the months): the projection chart as it was
    assert (
        charts_actuals.stage_chart_with_actuals(t.stage_month).to_dict() == charts.stage_chart(t.stage_month).to_dict()
    )
    empty = actuals.iloc[:0]
    assert charts_actuals.with_actuals(charts.stage_chart(t.stage_month), empty).to_dict() == (
        charts.stage_chart(t.stage_month).to_dict()
    )


def test_a_single_view_chart_gets_the_actuals_too(frames) -> None:
    _, actuals = frames
    import altair as alt

    base = (
        alt.Chart(pd.DataFrame({"period_end": pd.to_datetime(["2026-04-30"]), "children": [510.0]}))
        .mark_line()
        .encode(x="period_end:T", y="children:Q")
        .properties(height=200)
        .configure(view=alt.ViewConfig(strokeWidth=0))
    )
    spec = charts_actuals.with_actuals(base, actuals).to_dict()
    assert spec["height"] == 200 and spec["config"]["view"]["strokeWidth"] == 0
    assert len(spec["layer"]) == 2 and "config" not in spec["layer"][0]
    vlc.vegalite_to_vega(spec)
