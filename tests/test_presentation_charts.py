"""The briefing's charts keep their end labels and year labels whole, from £1m to £999m.

The page fits each chart to its column (Vega's autosize "fit"), which did not count the end
labels hanging off the right of the plot: "Current trends: £46.1m" lost its "m", and with
3-digit £m figures the plot shrank until the years ran together ("2024-252028-29").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app_lib import briefing_charts as bc
from app_lib import chart_templates as templates
from csc_model.reporting.results import Result, project
from csc_model.scenario import Scenario
from csc_model.scenario.presets import apply_preset

BOLD = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")
COLUMNS = (394, 714)  # the chart's column on the briefing page at 1280 and 1920 pixels wide


class Scaled:
    """A projection with its money multiplied by ``k`` (a county's spend from the defaults)."""

    def __init__(self, res: Result, k: float) -> None:
        self.res, self.k, self.scenario = res, k, res.scenario

    def table(self, name: str) -> pd.DataFrame:
        t = self.res.table(name).copy()
        for col in ("spend_gbp", "budget_gbp"):
            if col in t:
                t[col] = t[col] * self.k
        return t


@pytest.fixture(scope="module")
def pair(base: Scenario, base_result: Result) -> tuple[Result, Result]:
    return base_result, project(apply_preset(base, "court_26_weeks"))


def _params(chart) -> dict[str, float]:
    return {p["name"]: p.get("value") for p in chart.to_dict().get("params", [])}


def _layers(chart) -> list[dict]:
    """Every single-view layer of the chart, nested layers opened."""
    out, todo = [], list(chart.to_dict()["layer"])
    while todo:
        layer = todo.pop(0)
        todo.extend(layer.get("layer", []))
        if "encoding" in layer:
            out.append(layer)
    return out


def _x_range(chart) -> list:
    return next(layer["encoding"]["x"]["scale"]["range"] for layer in _layers(chart) if "x" in layer["encoding"])


def _labels(chart) -> list[str]:
    return [row["label"] for row in chart.to_dict()["datasets"]["ends"]]


@pytest.mark.parametrize("k", [1 / 40, 1, 5, 20])  # about £1m, £40m, £200m and £900m a year
@pytest.mark.parametrize("size", [bc.SCREEN, bc.PRESENT, bc.PRINT])
def test_end_labels_have_room_inside_the_chart(k: float, size: bc.ChartSize, pair) -> None:
    base, scen = (Scaled(r, k) for r in pair)
    for chart in (bc.spend_chart(base, scen, size), bc.children_chart(pair[0], pair[1], size)):
        room = _params(chart)["x_room"]
        labels = _labels(chart)
        widest = max(bc.text_width(line, size.font) for t in labels for line in t.split("\n"))
        assert room >= bc.LABEL_DX + widest  # the whole label fits in the room kept for it ...
        assert _x_range(chart)[1] == {"expr": "max(width - x_room, width * 0.2)"}  # ... inside the width
        text = next(layer["mark"] for layer in _layers(chart) if layer["mark"]["type"] == "text")
        assert text["lineBreak"] == "\n" and text["dx"] == bc.LABEL_DX


@pytest.mark.skipif(not BOLD.exists(), reason="Liberation Sans Bold is not installed")
@pytest.mark.parametrize(
    "text", ["Current trends", "With changes", "Budget", "£999.9m", "£1.0m", "£46.1m", "2,085", "12,345"]
)
@pytest.mark.parametrize("font", [16, 20, 28])
def test_text_width_is_never_less_than_the_font_draws(text: str, font: int) -> None:
    from PIL import ImageFont

    drawn = ImageFont.truetype(str(BOLD), font).getlength(text)
    assert drawn <= bc.text_width(text, font) <= drawn * 1.35


@pytest.mark.parametrize("k", [1 / 40, 1, 5, 20])
@pytest.mark.parametrize("column", COLUMNS)
def test_years_never_run_together_in_the_page_column(k: float, column: int, pair) -> None:
    base, scen = (Scaled(r, k) for r in pair)
    chart = bc.spend_chart(base, scen, bc.SCREEN, titled=False)
    x_axis = next(layer["encoding"]["x"]["axis"] for layer in _layers(chart) if "axis" in layer["encoding"]["x"])
    assert x_axis["labelOverlap"] is True  # every other year is dropped rather than overlapped
    years = [str(y) for y in base.table("fy")["period"]]
    y_axis = bc.text_width(f"£{_params(chart)['y_high']:,.0f}m", bc.SCREEN.font) + 10
    plot = column - y_axis - _params(chart)["x_room"] - 15  # the fit leaves this for the years
    # the first and last year (what is left after dropping every other one) are a label apart at least
    step = plot * (len(years) - 1) / (len(years) - 1 + 2 * 0.1)
    assert step >= bc.text_width(years[0], bc.SCREEN.font) + bc.SCREEN.font // 2


def test_the_chart_numbers_are_filled_in_from_the_template(pair) -> None:
    """``x_room`` is a number of the moment: one cached structure serves every authority's figures."""
    base, scen = pair
    small = templates.page_parts(bc.spend_chart, (base, scen), {})
    big = templates.page_parts(bc.spend_chart, (Scaled(base, 20), Scaled(scen, 20)), {})
    assert small[0] == big[0]  # the same shape ...
    for _, data, numbers in (small, big):  # ... with the room for its own labels
        assert numbers["x_room"] == bc.label_room(list(data["ends"]["label"]), bc.SCREEN.font)
