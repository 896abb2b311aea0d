"""The Model page's stock-and-flow diagram as an SVG, labelled with a scenario's own values.

The layout was made once by Graphviz (``docs/flow_diagram.dot``) and is kept as ``flow_diagram.svg``;
here only the labels that carry the scenario's values change (on the arrows, and the entry rate). Before, the page sent the DOT text and the browser laid it
out with Streamlit's Graphviz component: 0.8 MB of script to load and a layout to compute on every
first visit, a third of a second on a two-core machine, for a picture whose shape never changes.
"""

from __future__ import annotations

import copy
import functools
import xml.etree.ElementTree as ET
from pathlib import Path

from csc_model.scenario import Scenario

from . import formatting as fmt

SVG = "{http://www.w3.org/2000/svg}"
LAYOUT = Path(__file__).with_name("flow_diagram.svg")
NODE_LINE = 14.4  # the layout's line spacing at the nodes (laid out at 12 pt)
EDGE_LINE = 12.0  # and at the arrows (10 pt); the text is drawn at 11 and 9.5 pt, to fit as an image


@functools.lru_cache(maxsize=1)
def _layout() -> ET.ElementTree:
    ET.register_namespace("", SVG[1:-1])
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.parse(LAYOUT)


def _groups(root: ET.Element) -> dict[str, ET.Element]:
    """Each node and arrow of the drawing by its Graphviz title ("IN", "S20->PROC")."""
    return {g.findtext(f"{SVG}title"): g for g in root.iter(f"{SVG}g") if g.get("class") in ("node", "edge")}


def labels(sc: Scenario) -> dict[str, list[str | None]]:
    """The lines of text that depend on the scenario, by node or arrow; None for a line left out."""
    e, pr, po, co, s20 = sc.entries, sc.proceedings, sc.placement_order, sc.care_order, sc.s20
    oc = pr.outcome_shares
    target = pr.target_mean_weeks
    return {
        "IN": [
            "Children entering care",
            f"{fmt.number(e.weekly_rate)} a week",
            f"{fmt.pct(e.prevented_share)} prevented" if e.prevented_share else None,
        ],
        "S20->HOME": [f"average {fmt.number(s20.mean_weeks_to_return_home)} weeks"],
        "S20->PROC": [f"{fmt.pct(s20.annual_share_to_proceedings)} a year"],
        "PROC->FH": [
            f"average {fmt.number(pr.mean_weeks)} weeks",
            f"(target {fmt.number(target)})" if target is not None else None,
        ],
        "BACK->FH": [f"average {fmt.number(pr.backlog_mean_remaining_weeks)} weeks to go"],
        "FH->HOME": [fmt.pct(oc["returned_home"])],
        "FH->SGO": [fmt.pct(oc["sgo_cao"])],
        "FH->POA": [fmt.pct(oc["placement_order"])],
        "FH->CO": [fmt.pct(oc["care_order"])],
        "POA->POP": [f"average {fmt.number(po.mean_weeks_to_placement)} weeks"],
        "POA->CO": [f"{fmt.pct(po.share_not_adopted)} not adopted"],
        "POP->ADOPT": [f"average {fmt.number(po.mean_weeks_placed_to_order)} weeks"],
        "CO->HOME": [f"{fmt.pct(co.annual_discharge_home)} a year"],
        "CO->SGO": [f"{fmt.pct(co.annual_sgo)} a year"],
        "CO->OTHER": [f"{fmt.pct(co.annual_other)} a year"],
    }


def flow_svg(sc: Scenario) -> str:
    """The diagram as SVG text for ``st.image``: the scenario's rates and durations on the arrows.

    A line left out (no share prevented, no target for proceedings) is removed and the lines above it
    move down by half a line, so the label stays centred on its node or arrow.
    """
    root = copy.deepcopy(_layout().getroot())
    groups = _groups(root)
    for title, lines in labels(sc).items():
        group = groups[title]
        texts = group.findall(f"{SVG}text")
        if len(texts) != len(lines):
            raise ValueError(f"the diagram's {title} has {len(texts)} lines of text, not {len(lines)}")
        kept = [(t, line) for t, line in zip(texts, lines, strict=True) if line is not None]
        step = (NODE_LINE if group.get("class") == "node" else EDGE_LINE) * (len(texts) - len(kept)) / 2
        for t, line in zip(texts, lines, strict=True):
            if line is None:
                group.remove(t)
        for t, line in kept:
            t.text = line
            t.set("y", f"{float(t.get('y', '0')) + step:.2f}")
    return ET.tostring(root, encoding="unicode")
