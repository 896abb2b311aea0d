"""The command line: round trips and every bad-input path (exit 2, one line per problem, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from csc_model import default_scenario
from csc_model.reporting.results import project
from csc_model.scenario import Scenario
from csc_model.solvers.structure import EXIT_ROUTES, STAGE_GROUPS

from .helpers import cli

ROOT = Path(__file__).resolve().parent.parent


def test_default_scenario_round_trip_through_run(tmp_path: Path) -> None:
    out = cli("default-scenario")
    assert out.returncode == 0
    assert Scenario.from_json(out.stdout) == default_scenario()
    f = tmp_path / "s.json"
    f.write_text(out.stdout)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert cli("run", "--scenario", str(f), "--out", str(a)).returncode == 0
    assert cli("run", "--out", str(b)).returncode == 0
    ta, tb = pd.read_csv(a), pd.read_csv(b)
    pd.testing.assert_frame_equal(ta, tb)
    expected = project(default_scenario()).table("fy")
    assert ta["children_in_care"].to_numpy() == pytest.approx(expected["children_in_care"].to_numpy(), rel=1e-12)
    assert ta["spend_gbp"].to_numpy() == pytest.approx(expected["spend_gbp"].to_numpy(), abs=0.01)


def test_csv_columns(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    assert cli("run", "--freq", "month", "--years", "2", "--out", str(f)).returncode == 0
    t = pd.read_csv(f)
    assert len(t) == 24
    required = ["period_end", "children_in_care", "entries", "in_proceedings", "spend_gbp", "budget_gbp"]
    required += [f"exits_{r}" for r in EXIT_ROUTES] + [f"stage_{g}" for g in STAGE_GROUPS]
    assert set(required) <= set(t.columns)


def test_set_and_stochastic_percentiles(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    res = cli(
        "run",
        "--set",
        "entries.weekly_rate=6",
        "--set",
        'name="Higher entries"',
        "--runs",
        "50",
        "--seed",
        "4",
        "--years",
        "2",
        "--out",
        str(f),
    )
    assert res.returncode == 0, res.stderr
    t = pd.read_csv(f)
    for col in ("children_in_care", "spend_gbp"):
        assert (t[f"{col}_p10"] <= t[f"{col}_p50"]).all() and (t[f"{col}_p50"] <= t[f"{col}_p90"]).all()
    base = project(default_scenario().with_values({"years": 2})).table("fy")
    assert (t["children_in_care"] > base["children_in_care"]).all()
    again = tmp_path / "r2.csv"
    cli("run", "--set", "entries.weekly_rate=6", "--runs", "50", "--seed", "4", "--years", "2", "--out", str(again))
    pd.testing.assert_frame_equal(t, pd.read_csv(again))


def test_preset_option(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    assert cli("run", "--preset", "court_26_weeks", "--out", str(f)).returncode == 0
    base = project(default_scenario()).table("fy")
    assert (pd.read_csv(f)["in_proceedings"].iloc[1:] < base["in_proceedings"].iloc[1:]).all()


BAD_JSON = "{not json"


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["run", "--scenario", "missing.json", "--out", "x.csv"], ["missing.json: file not found"]),
        (["run", "--scenario", "{bad}", "--out", "x.csv"], ["is not valid JSON"]),
        (["run", "--scenario", "{invalid}", "--out", "x.csv"], ["entries.weekly_rate: value -1", "years: value 0"]),
        (["run", "--scenario", "{version}", "--out", "x.csv"], ["version: value 7"]),
        (["run", "--set", "entries.weekly_rte=3", "--out", "x.csv"], ["entries.weekly_rte", "unknown field"]),
        (["run", "--set", "entries.nothing.deeper=3", "--out", "x.csv"], ["entries.nothing.deeper", "no such field"]),
        (["run", "--set", "nonsense", "--out", "x.csv"], ["expected KEY=VALUE"]),
        (["run", "--years", "0", "--out", "x.csv"], ["years: value 0 is out of range; allowed 1 to 10"]),
        (["run", "--freq", "year", "--out", "x.csv"], ["invalid choice"]),
        (["run"], ["--out"]),
        (["run", "--out", "/no/such/dir/x.csv"], ["cannot write"]),
        (["validate", "{invalid}"], ["entries.weekly_rate"]),
    ],
)
def test_bad_input_exits_2_with_plain_messages(tmp_path: Path, args: list[str], expect: list[str]) -> None:
    data = default_scenario().to_dict()
    files = {"{bad}": BAD_JSON}
    inv = json.loads(json.dumps(data))
    inv["entries"]["weekly_rate"] = -1
    inv["years"] = 0
    files["{invalid}"] = json.dumps(inv)
    ver = json.loads(json.dumps(data))
    ver["version"] = 7
    files["{version}"] = json.dumps(ver)
    real = []
    for a in args:
        if a in files:
            p = tmp_path / "s.json"
            p.write_text(files[a])
            a = str(p)
        real.append(a)
    res = cli(*real)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    for text in expect:
        assert text in res.stderr, res.stderr
    assert all(line.startswith("error: ") for line in res.stderr.strip().splitlines())


def test_validate_ok_and_presets_listing() -> None:
    res = cli("presets")
    assert res.returncode == 0 and "court_26_weeks" in res.stdout
    assert cli("validate", str(ROOT / "data" / "default_scenario.json")).stdout.endswith("valid\n")


def test_a_report_can_go_to_the_screen_but_not_with_the_scenario(tmp_path: Path) -> None:
    """``--report -`` made a file named "-" while ``--out -`` meant the screen (analyst review)."""
    out = cli(
        "published", "--la", "Rutland", "--as-at", "2024-03-31", "--out", str(tmp_path / "s.json"), "--report", "-"
    )
    assert out.returncode == 0 and out.stdout.startswith("Figure,Value,Table,Year")
    assert not (Path.cwd() / "-").exists() and Scenario.from_json((tmp_path / "s.json").read_text()).initial.total > 0
    both = cli("published", "--la", "Rutland", "--out", "-", "--report", "-")
    assert both.returncode == 2 and "only one of them can go to the screen" in both.stderr and not both.stdout
    assert "Traceback" not in both.stderr


def test_run_help_gives_the_defaults() -> None:
    text = " ".join(cli("run", "--help").stdout.split())  # as read, whatever the wrapping
    assert "default 0: the deterministic expected values" in text and "default fy" in text
    top = " ".join(cli("--help").stdout.split())
    assert "published-backtest" in top and "back-test" in top
