"""Templated charts: the server's cached structure filled with new figures gives the very spec the
builder gives, for scenarios whose figures differ (so a cached structure never shows stale data)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from app_lib import briefing_charts as bc
from app_lib import chart_templates as templates
from app_lib import charts, charts_uncertainty, runner
from csc_model import default_scenario
from csc_model.scenario.presets import apply_preset


class _Dict:
    def __init__(self) -> None:
        self.d: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self.d.get(key)

    def put(self, key: Any, value: Any) -> None:
        self.d[key] = value


@pytest.fixture(scope="module")
def two() -> tuple[runner.Tables, runner.Tables]:
    s = default_scenario()
    pair = runner.tables(s), runner.tables(apply_preset(s, "edge_of_care_10"))
    for t, scenario in zip(pair, (s, apply_preset(s, "edge_of_care_10")), strict=True):
        _SCENARIO[id(t)] = scenario
    return pair


_SCENARIO: dict[int, Any] = {}  # the scenario of each fixture's tables (the briefing charts take projections)


def _cases(t: runner.Tables) -> list[tuple[Any, tuple]]:
    return [
        (charts.stage_chart, (t.stage_month,)),
        (
            charts.stage_chart,
            (
                t.stage_month,
                t.month.assign(
                    children_in_care_p10=t.month["children_in_care"] * 0.9,
                    children_in_care_p50=t.month["children_in_care"],
                    children_in_care_p90=t.month["children_in_care"] * 1.1,
                ),
            ),
        ),
        (charts.spend_budget_chart, (t.fy,)),
        (
            charts.spend_budget_chart,
            (t.fy, t.fy.assign(spend_gbp_p10=t.fy["spend_gbp"] * 0.95, spend_gbp_p90=t.fy["spend_gbp"] * 1.05)),
        ),
        (charts.placement_area_chart, (t.placement_month,)),
        (
            charts.scenario_lines,
            (
                {
                    "Baseline (defaults)": t.month,
                    "Other": t.month.assign(children_in_care=t.month["children_in_care"] + 7),
                },
                "children_in_care",
                "Children in care",
            ),
        ),
        (
            charts.scenario_fy_bars,
            ({"Baseline (defaults)": t.fy, "Other": t.fy.assign(spend_gbp=t.fy["spend_gbp"] * 1.02)},),
        ),
        (
            charts.drivers_chart,
            (
                pd.DataFrame(
                    {"group": ["Entries", "Costs and budget"], "spend_gbp": t.fy["spend_gbp"].iloc[:2].to_numpy() / 50}
                ),
            ),
        ),
        (charts_uncertainty.fan_chart, (_band(t.month, "children_in_care"),)),
        (charts_uncertainty.fan_chart, (_band(t.fy, "spend_gbp"), "spend_gbp")),
        (bc.children_chart, (_projection(default_scenario()), _projection(_SCENARIO[id(t)]))),
        (bc.spend_chart, (_projection(default_scenario()), _projection(_SCENARIO[id(t)]), bc.PRESENT, False)),
        (bc.children_chart, (_projection(_SCENARIO[id(t)]),)),
    ]


def _band(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    out = table.copy()
    for q, k in ((10, 0.9), (25, 0.95), (50, 1.0), (75, 1.05), (90, 1.1)):
        out[f"{measure}_p{q}"] = table[measure] * k
    return out


def _projection(scenario):
    from csc_model.reporting.narrative import TableProjection

    t = runner.tables(scenario)
    return TableProjection(scenario, t.fy, t.month)


def test_a_cached_structure_filled_with_other_figures_is_the_builders_own_spec(two) -> None:
    first, second = two
    cache = _Dict()
    for (builder, args_a), (_, args_b) in zip(_cases(first), _cases(second), strict=True):
        assert templates.is_templated(builder)
        a = templates.spec(builder, args_a, {}, cache)
        b = templates.spec(builder, args_b, {}, cache)  # the structure cached from the first scenario
        assert a == builder(*args_a).to_dict(validate=False)
        assert b == builder(*args_b).to_dict(validate=False)
        assert a["datasets"] != b["datasets"], f"{builder.__name__}: the two scenarios' figures should differ"
    # one structure per shape: the stage and placement charts' structures served both scenarios
    per_builder = [key[2] for key in cache.d]
    assert per_builder.count("stage_chart") == 2  # with and without the band
    assert per_builder.count("placement_area_chart") == 1
    assert per_builder.count("spend_budget_chart") <= 4  # the axis top may differ between the scenarios


def test_templated_charts_are_valid_vega_lite(two) -> None:
    for builder, args in _cases(two[0]):
        builder(*args).to_dict()  # validates against the Vega-Lite schema


def test_the_spend_axis_leaves_room_above_the_tallest_bar(two) -> None:
    fy = two[0].fy
    spec = charts.spend_budget_chart(fy).to_dict()
    top = templates.number_of(spec, spec["layer"][0]["layer"][0]["encoding"]["y"]["scale"]["domain"][1])
    tallest = max(fy["spend_gbp"].max(), fy["budget_gbp"].max()) / 1e6
    assert tallest * 1.22 <= top <= tallest * 1.22 * 1.1


def test_a_new_axis_top_is_a_new_number_not_a_new_structure(two) -> None:
    """Scenarios whose spend differs share the spend chart's structure (built once); each keeps its own top."""
    fy = two[0].fy
    more = fy.assign(spend_gbp=fy["spend_gbp"] * 1.5)
    cache: dict = {}

    class Cache:
        def get(self, key):
            return cache.get(key)

        def put(self, key, value):
            cache[key] = value

    low = templates.spec(charts.spend_budget_chart, (fy,), {}, Cache())
    high = templates.spec(charts.spend_budget_chart, (more,), {}, Cache())
    assert sum(1 for k in cache if k[0] == "template") == 1
    domain = ["layer", 0, "layer", 0, "encoding", "y", "scale", "domain"]

    def top(spec):
        node = spec
        for step in domain:
            node = node[step]
        return templates.number_of(spec, node[1])

    assert top(high) > top(low) * 1.3
    assert top(low) == top(charts.spend_budget_chart(fy).to_dict())


def test_the_page_gets_the_same_data_as_the_long_route(two) -> None:
    """Each dataset reaches the browser as the Arrow table Streamlit makes of Altair's rows; the quick
    route straight from the chart's tables must give the very same table (dates as ISO text, NaN and
    infinity as missing), or a chart would draw other figures than its export."""
    import pyarrow as pa

    def table(blob: bytes) -> pd.DataFrame:
        return pa.ipc.open_stream(blob).read_all().to_pandas()

    for t in two:
        for builder, args in _cases(t):
            parts, _ = templates._REGISTRY[builder]
            _, data, *_ = parts(*args)
            for name, df in data.items():
                long = table(runner.arrow_bytes(templates.values(df)))
                quick = table(runner.arrow_bytes(templates.page_frame(df)))
                pd.testing.assert_frame_equal(quick, long, check_dtype=False, obj=f"{builder.__name__}:{name}")
    # and a frame with the awkward values: missing dates, infinities, missing figures
    odd = pd.DataFrame(
        {
            "when": pd.to_datetime(["2026-04-30", None, "2027-03-31"]),
            "x": [float("inf"), float("nan"), 2.5],
            "n": [1, 2, 3],
            "s": ["a", "b", "c"],
        }
    )
    pd.testing.assert_frame_equal(
        table(runner.arrow_bytes(templates.page_frame(odd))),
        table(runner.arrow_bytes(templates.values(odd))),
        check_dtype=False,
    )
