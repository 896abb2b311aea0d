"""Chart specs: encodings, fixed colour-blind safe colours, formatted tooltips and the data behind each chart."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from app_lib import chart_templates as templates
from app_lib import charts, runner
from app_lib import formatting as fmt
from csc_model import default_scenario
from csc_model.scenario.config import load_placement_types
from csc_model.scenario.presets import apply_preset
from csc_model.solvers.structure import STAGE_GROUP_LABELS, STAGE_GROUPS

OKABE_ITO = {"#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#999999", "#F0E442", "#000000"}
TOL_VIBRANT = {"#0077BB", "#33BBEE", "#009988", "#EE7733", "#CC3311", "#EE3377", "#BBBBBB"}


@pytest.fixture(scope="module")
def tables() -> runner.Tables:
    return runner.tables(default_scenario())


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every single-view spec inside a (possibly nested) layer chart."""
    if "layer" in spec:
        return [leaf for layer in spec["layer"] for leaf in layers(layer)]
    return [spec]


def datasets(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return list(spec.get("datasets", {}).values())


def colour_scale(spec: dict[str, Any]) -> dict[str, Any]:
    for layer in layers(spec):
        color = layer.get("encoding", {}).get("color", {})
        if "scale" in color:
            return color["scale"]
    raise AssertionError("no colour scale")


def tooltip_titles(layer: dict[str, Any]) -> list[str]:
    return [t.get("title", t.get("field")) for t in layer["encoding"]["tooltip"]]


def test_stage_chart_stacks_every_legal_stage_in_fixed_colours(tables: runner.Tables) -> None:
    spec = charts.stage_chart(tables.stage_month).to_dict()
    scale = colour_scale(spec)
    assert scale["domain"] == [STAGE_GROUP_LABELS[g] for g in STAGE_GROUPS]
    assert scale["range"] == [charts.STAGE_COLOURS[g] for g in STAGE_GROUPS]
    assert set(scale["range"]) <= TOL_VIBRANT
    area = layers(spec)[0]
    assert area["mark"]["type"] == "area"
    assert area["encoding"]["y"]["field"] == "children" and area["encoding"]["y"]["stack"] == "zero"
    assert area["encoding"]["x"]["field"] == "period_end" and area["encoding"]["x"]["type"] == "temporal"
    # the stack puts care orders at the bottom
    data = pd.DataFrame(datasets(spec)[0])
    first = data[data["period_end"] == data["period_end"].min()].set_index("stage")
    assert first.loc["care_order", "stack_order"] == 0 and first.loc["s20", "stack_order"] == 3
    # the data are the model's numbers: 60 months x 4 stages, summing to children in care
    assert len(data) == 60 * 4
    last = data[data["period_end"] == data["period_end"].max()]
    assert last["children"].sum() == pytest.approx(tables.fy["children_in_care"].iloc[-1])
    # the hover rule lists the total and every stage, formatted as whole children
    rule = layers(spec)[1]
    assert tooltip_titles(rule) == ["Month end", "Total"] + [
        STAGE_GROUP_LABELS[g] for g in reversed(charts.STAGE_STACK)
    ]
    assert all(t.get("format") in (",.0f", "%d %b %Y") for t in rule["encoding"]["tooltip"])


def test_stage_chart_band_shows_p10_to_p90() -> None:
    stochastic = runner.tables(default_scenario(), runs=20)
    spec = charts.stage_chart(stochastic.stage_month, stochastic.month).to_dict()
    shade = [lay for lay in layers(spec) if lay.get("encoding", {}).get("y2")]
    assert len(shade) == 1
    assert shade[0]["encoding"]["y"]["field"] == "children_in_care_p10"
    assert shade[0]["encoding"]["y2"]["field"] == "children_in_care_p90"
    assert [t["title"] for t in shade[0]["encoding"]["tooltip"]] == ["Month end", "P10", "Median", "P90"]


def test_spend_chart_bars_and_budget_marks_with_pound_tooltips(tables: runner.Tables) -> None:
    spec = charts.spend_budget_chart(tables.fy).to_dict()
    scale = colour_scale(spec)
    assert scale == {"domain": ["Placement spend", "Budget"], "range": [charts.SPEND_COLOUR, charts.BUDGET_COLOUR]}
    bars, budget = layers(spec)[0], layers(spec)[1]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["y"]["field"] == "spend_m"
    assert budget["mark"]["type"] == "tick" and budget["encoding"]["y"]["field"] == "budget_m"
    assert "£" in bars["encoding"]["y"]["axis"]["labelExpr"]
    assert tooltip_titles(bars) == ["Financial year", "Placement spend", "Budget", "Pressure (+) or saving (-)"]
    data = pd.DataFrame(bars["data"]["values"] if "data" in bars else datasets(spec)[0])
    assert list(data["period"]) == list(tables.fy["period"])
    first = data.iloc[0]
    assert first["spend_text"] == fmt.gbp(tables.fy["spend_gbp"].iloc[0])
    assert first["budget_text"] == "£38,000,000"  # the default first-year budget
    assert first["pressure_text"] == fmt.gbp(tables.fy["pressure_gbp"].iloc[0], signed=True)
    assert first["spend_m"] == pytest.approx(tables.fy["spend_gbp"].iloc[0] / 1e6)
    # the pressure in words above each year, coloured by its own scale (not the legend's)
    words = [lay for lay in layers(spec) if lay["encoding"].get("text", {}).get("field") == "pressure_label"]
    assert len(words) == 1 and words[0]["encoding"]["color"]["legend"] is None
    assert spec["resolve"]["scale"]["color"] == "independent"
    for row, pressure in zip(data.itertuples(), tables.fy["pressure_gbp"], strict=True):
        want = f"{fmt.gbp_short(abs(pressure))}\n{'over' if pressure > 0 else 'under'}" if pressure else "on\nbudget"
        assert row.pressure_label == want


def test_spend_chart_band_adds_p10_p90_rules() -> None:
    stochastic = runner.tables(default_scenario(), runs=20)
    spec = charts.spend_budget_chart(stochastic.fy, stochastic.fy).to_dict()
    rules = [lay for lay in layers(spec) if lay["mark"]["type"] == "rule"]
    assert len(rules) == 1
    assert rules[0]["encoding"]["y"]["field"] == "p10_m" and rules[0]["encoding"]["y2"]["field"] == "p90_m"


def test_placement_charts_use_the_configured_colours(tables: runner.Tables) -> None:
    types = load_placement_types()
    for chart in (
        charts.placement_area_chart(tables.placement_month),
        charts.placement_spend_chart(tables.placement_fy),
    ):
        scale = colour_scale(chart.to_dict())
        assert scale["domain"] == [p.label for p in types]
        assert scale["range"] == [p.colour for p in types]
    assert len({p.colour for p in types}) == len(types)  # every type distinguishable


def test_placement_spend_chart_data_add_up_to_total_spend(tables: runner.Tables) -> None:
    spec = charts.placement_spend_chart(tables.placement_fy).to_dict()
    data = pd.DataFrame(datasets(spec)[0])
    by_year = data.groupby("period", sort=False)["spend_m"].sum()
    assert list(by_year.index) == list(tables.fy["period"])
    assert by_year.to_numpy() == pytest.approx(tables.fy["spend_gbp"].to_numpy() / 1e6)
    layer = layers(spec)[0]
    assert layer["encoding"]["y"]["stack"] == "zero"
    assert tooltip_titles(layer) == ["Financial year", "Placement type", "Spend", "Children at 31 March"]


def test_scenario_lines_dash_the_baseline_and_colour_the_rest(tables: runner.Tables) -> None:
    other = runner.tables(apply_preset(default_scenario(), "edge_of_care_10"))
    frames = {charts.BASELINE_NAME: tables.month, "Edge of care": other.month}
    spec = charts.scenario_lines(frames, "children_in_care", "Children in care").to_dict()
    enc = layers(spec)[0]["encoding"]
    assert enc["color"]["scale"] == {
        "domain": list(frames),
        "range": [charts.BASELINE_COLOUR, charts.SCENARIO_COLOURS[0]],
    }
    assert enc["strokeDash"]["scale"]["range"] == [[6, 4], [1, 0]]
    assert enc["strokeDash"].get("legend", {}) is not None  # one legend shows colour and dash together
    data = pd.DataFrame(datasets(spec)[0])
    assert set(data["scenario"]) == set(frames)
    assert len(data) == 2 * len(tables.month)
    money = charts.scenario_lines(frames, "avg_weekly_cost_per_child_gbp", "£ a week", money=True).to_dict()
    values = pd.DataFrame(datasets(money)[0])["value_text"]
    assert values.str.startswith("£").all()


def test_scenario_fy_bars_group_by_scenario(tables: runner.Tables) -> None:
    other = runner.tables(apply_preset(default_scenario(), "inflation_shock"))
    spec = charts.scenario_fy_bars({charts.BASELINE_NAME: tables.fy, "Inflation": other.fy}).to_dict()
    layer = layers(spec)[0]
    assert layer["encoding"]["xOffset"]["field"] == "scenario"
    data = pd.DataFrame(datasets(spec)[0]).set_index(["scenario", "period"])
    assert data.loc[("Inflation", "2027-28"), "value_m"] > data.loc[(charts.BASELINE_NAME, "2027-28"), "value_m"]
    assert data.loc[("Inflation", "2026-27"), "value_m"] == pytest.approx(
        data.loc[(charts.BASELINE_NAME, "2026-27"), "value_m"]
    )


def test_drivers_chart_colours_increases_and_savings() -> None:
    contrib = pd.DataFrame(
        {
            "group": ["Court proceedings", "Costs and budget", runner.INTERACTION],
            "spend_gbp": [-2_000_000.0, 1_500_000.0, 100_000.0],
            "children_end": [-30.0, 0.0, 1.0],
            "isolated": [True, True, True],
        }
    )
    spec = charts.drivers_chart(contrib).to_dict()
    bars = layers(spec)[0]
    assert bars["encoding"]["color"]["scale"] == {
        "domain": ["Adds", "Saves", "Combined effect"],
        "range": [charts.INCREASE_COLOUR, charts.DECREASE_COLOUR, charts.COMBINED_COLOUR],
    }
    data = pd.DataFrame(datasets(spec)[0]).set_index("group")
    assert data.loc["Court proceedings", "direction"] == "Saves"
    assert data.loc["Costs and budget", "direction"] == "Adds"
    assert data.loc[runner.INTERACTION, "direction"] == "Combined effect"
    assert data.loc["Court proceedings", "text"] == "-£2.0m"
    assert data.loc["Costs and budget", "value"] == pytest.approx(1.5)
    kids = pd.DataFrame(datasets(charts.drivers_chart(contrib, "children_end").to_dict())[0]).set_index("group")
    assert kids.loc["Court proceedings", "direction"] == "Fewer children"
    assert kids.loc["Court proceedings", "text"] == "-30"


def test_every_palette_is_colour_blind_safe() -> None:
    assert set(charts.SCENARIO_COLOURS) <= OKABE_ITO
    assert {charts.INCREASE_COLOUR, charts.DECREASE_COLOUR, charts.COMBINED_COLOUR} <= OKABE_ITO
    assert set(charts.STAGE_COLOURS.values()) <= TOL_VIBRANT
    assert len(set(charts.STAGE_COLOURS.values())) == len(charts.STAGE_COLOURS)


def test_charts_have_readable_fonts(tables: runner.Tables) -> None:
    config = charts.stage_chart(tables.stage_month).to_dict()["config"]
    assert config["axis"]["labelFontSize"] >= 12 and config["legend"]["labelFontSize"] >= 12


def test_a_line_whose_axis_does_not_start_at_zero_says_so(tables: runner.Tables) -> None:
    """Compare's lines span the figures with a margin (a 12-child dip is visible), and the axis title says so."""
    other = tables.month.assign(children_in_care=tables.month["children_in_care"] - 12)
    spec = charts.scenario_lines(
        {charts.BASELINE_NAME: tables.month, "Fewer": other}, "children_in_care", "Children in care"
    ).to_dict()
    y = spec["encoding"]["y"]
    bottom, top = (templates.number_of(spec, v) for v in y["scale"]["domain"])
    assert bottom > 0
    assert y["title"] == ["Children in care", "(axis not from zero)"]
    low = min(other["children_in_care"].min(), tables.month["children_in_care"].min())
    assert bottom <= low <= top


def test_drivers_chart_labels_sit_outside_their_bars_with_room_for_them() -> None:
    """'-£12.9m' was written inside the dark blue bar it labels and '-£719k' over the zero line (first review):
    a saving's label now ends just left of its bar, an addition's starts just right of it, and the axis leaves
    room for both."""
    contrib = pd.DataFrame(
        {"group": ["Court proceedings", "Costs and budget", runner.INTERACTION], "spend_gbp": [-12.9e6, 10.2e6, -0.7e6]}
    )
    spec = charts.drivers_chart(contrib).to_dict()
    texts = [leaf for leaf in layers(spec) if leaf["mark"]["type"] == "text"]
    by_test = {leaf["transform"][0]["filter"]: leaf["mark"] for leaf in texts}
    assert by_test["datum.value < 0"]["align"] == "right" and by_test["datum.value < 0"]["dx"] < 0
    assert by_test["datum.value >= 0"]["align"] == "left" and by_test["datum.value >= 0"]["dx"] > 0
    params = {p["name"]: p["value"] for p in spec["params"]}
    assert params["x_low"] < -12.9 and params["x_high"] > 10.2


def test_month_charts_label_the_first_of_april_where_financial_years_begin(tables: runner.Tables) -> None:
    """Beside cards that count children on 31 March, the month charts' axis read "Jan 2027" (second review):
    drawn, it now labels 1 April of each year and nothing else."""
    import re

    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(charts.stage_chart(tables.stage_month).properties(width=560).to_json())
    dates = re.findall(r">(\d{1,2} [A-Z][a-z]{2} \d{4})<", svg)
    assert dates == ["1 Apr 2027", "1 Apr 2028", "1 Apr 2029", "1 Apr 2030"]
    assert not re.search(r">(Jan|Jul|Oct) \d{4}<", svg)
