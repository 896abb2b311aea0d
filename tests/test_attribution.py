"""Which levers drive the difference (csc_model/reporting/attribution.py) and ``python -m csc_model compare``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csc_model import default_scenario
from csc_model.reporting.attribution import INTERACTION, changed_fields, lever_contributions
from csc_model.reporting.results import project

from .helpers import cli

ROOT = Path(__file__).resolve().parent.parent


def totals(base, other) -> tuple[float, float]:
    a, b = project(base).table("fy"), project(other).table("fy")
    return (
        float(b["spend_gbp"].sum() - a["spend_gbp"].sum()),
        float(b["children_in_care"].iloc[-1] - a["children_in_care"].iloc[-1]),
    )


def test_groups_and_combined_effect_add_up_to_the_whole_difference() -> None:
    base = default_scenario()
    other = base.with_values(
        {"entries.weekly_rate": 5.0, "proceedings.target_mean_weeks": 26, "costs.annual_inflation": 0.06}
    )
    c = lever_contributions(base, other).set_index("group")
    assert list(c.index) == ["Entries", "Court proceedings", "Costs and budget", INTERACTION]
    spend, children = totals(base, other)
    assert c["spend_gbp"].sum() == pytest.approx(spend, rel=1e-12)
    assert c["children_end"].sum() == pytest.approx(children, rel=1e-12)
    # the directions a finance officer expects
    assert c.at["Entries", "spend_gbp"] > 0 and c.at["Entries", "children_end"] > 0
    assert c.at["Court proceedings", "children_end"] < 0
    assert c.at["Costs and budget", "spend_gbp"] > 0 and c.at["Costs and budget", "children_end"] == 0


def test_one_group_explains_everything_and_has_no_combined_row() -> None:
    base = default_scenario()
    other = base.with_values({"entries.weekly_rate": 5.0, "entries.annual_trend": 0.05})
    c = lever_contributions(base, other)
    assert list(c["group"]) == ["Entries"]
    assert c["spend_gbp"].iloc[0] == pytest.approx(totals(base, other)[0], rel=1e-12)


def test_a_new_name_is_not_a_change() -> None:
    base = default_scenario()
    renamed = base.with_values({"name": "Another name"})
    assert changed_fields(base, renamed) == []
    assert lever_contributions(base, renamed).empty


def test_cli_compare(tmp_path: Path) -> None:
    s = default_scenario().with_values({"entries.weekly_rate": 5.0, "proceedings.target_mean_weeks": 26})
    (tmp_path / "s.json").write_text(s.to_json())
    r = cli("compare", "--scenario", "s.json", "--out", "fy.csv", "--levers", "levers.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    fy = pd.read_csv(tmp_path / "fy.csv")
    assert len(fy) == 5 and {"spend_gbp_baseline", "spend_gbp_scenario", "spend_gbp_difference"} <= set(fy.columns)
    assert (fy["children_in_care_difference"] > 0).all()
    levers = pd.read_csv(tmp_path / "levers.csv")
    assert list(levers["group"]) == ["Entries", "Court proceedings", INTERACTION]
    assert levers["spend_gbp"].sum() == pytest.approx(fy["spend_gbp_difference"].sum(), rel=1e-9)


def test_cli_compare_bad_input(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text(default_scenario().with_values({"years": 3}).to_json())
    r = cli("compare", "--scenario", "nope.json", "--baseline", "bad.json", "--out", "-", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["error: nope.json: file not found", "error: bad.json: file not found"]
    r = cli("compare", "--scenario", "other.json", "--out", "-", cwd=tmp_path)
    assert r.returncode == 2 and "same start date and years" in r.stderr and "Traceback" not in r.stderr
