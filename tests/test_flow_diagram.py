"""The Model page's stock-and-flow diagram carries the scenario's own rates on its arrows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app_lib import flow_diagram
from app_lib import formatting as fmt
from csc_model import default_scenario
from csc_model.scenario.presets import PRESETS, apply_preset

SVG = flow_diagram.SVG


def _texts(svg: str) -> dict[str, list[tuple[str, float]]]:
    root = ET.fromstring(svg)
    return {
        g.findtext(f"{SVG}title"): [(t.text or "", float(t.get("y", "0"))) for t in g.findall(f"{SVG}text")]
        for g in root.iter(f"{SVG}g")
        if g.get("class") in ("node", "edge")
    }


@pytest.mark.parametrize("preset", [None, *PRESETS])
def test_every_label_is_the_scenarios_value(preset: str | None) -> None:
    s = default_scenario() if preset is None else apply_preset(default_scenario(), preset)
    shown = _texts(flow_diagram.flow_svg(s))
    for title, lines in flow_diagram.labels(s).items():
        assert [text for text, _ in shown[title]] == [line for line in lines if line is not None], title


def test_a_changed_rate_changes_its_arrow_and_nothing_else() -> None:
    s = default_scenario()
    changed = s.with_values({"care_order.annual_sgo": 0.07})
    before, after = _texts(flow_diagram.flow_svg(s)), _texts(flow_diagram.flow_svg(changed))
    assert after["CO->SGO"][0][0] == f"{fmt.pct(0.07)} a year" != before["CO->SGO"][0][0]
    assert {k for k in before if before[k] != after[k]} == {"CO->SGO"}


def test_optional_lines_come_and_go_and_labels_stay_centred() -> None:
    s = default_scenario().with_values({"entries.prevented_share": 0.0, "proceedings.target_mean_weeks": None})
    full = s.with_values({"entries.prevented_share": 0.1, "proceedings.target_mean_weeks": 26.0})
    plain, both = _texts(flow_diagram.flow_svg(s)), _texts(flow_diagram.flow_svg(full))
    assert [t for t, _ in both["IN"]][2] == f"{fmt.pct(0.1)} prevented" and len(plain["IN"]) == 2
    assert [t for t, _ in both["PROC->FH"]][1] == "(target 26)" and len(plain["PROC->FH"]) == 1

    def middle(lines: list[tuple[str, float]]) -> float:
        return (lines[0][1] + lines[-1][1]) / 2

    assert middle(plain["IN"]) == pytest.approx(middle(both["IN"]), abs=0.01)
    assert middle(plain["PROC->FH"]) == pytest.approx(middle(both["PROC->FH"]), abs=0.01)


def test_the_layout_is_not_changed_by_drawing() -> None:
    """Each drawing starts from a copy of the layout: a left-out line never goes missing for the next one."""
    with_line = default_scenario().with_values({"entries.prevented_share": 0.1})
    flow_diagram.flow_svg(default_scenario().with_values({"entries.prevented_share": 0.0}))
    assert len(_texts(flow_diagram.flow_svg(with_line))["IN"]) == 3
