"""Calibrating a scenario from an SSDA903 return (the csc_model/ssda903 package).

A small hand-made return whose answers can be counted by eye, then the made-up example data
end to end, then every kind of bad input; then the rates (occurrence / exposure) from a
hand-made return, from made-up data drawn with known rates, and the rules for too few events
and for chains of episodes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import math
import pkgutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csc_model import Scenario, default_scenario, ssda903
from csc_model.reporting.results import project
from csc_model.solvers.structure import EXIT_ROUTES, build
from csc_model.ssda903 import (
    ExampleRates,
    SSDA903Error,
    calibrate,
    default_as_at,
    example_tables,
    read_table,
    reasons_ceased,
)

from .helpers import cli

AS_AT = dt.date(2026, 3, 31)
HAND = {"window_weeks": 52, "prior_events": 0}
"""Tables counted by hand: the year to the as-at date, the data alone (no credibility weighting towards the base)."""
ROOT = Path(__file__).resolve().parent.parent

HEADER = """CHILD,SEX,DOB
A,1,01/05/2015
B,2,01/01/2010
C,1,15/06/2020
D,2,01/02/2025
E,1,01/03/2024
F,2,01/01/2012
G,1,01/01/2014
H,2,01/09/2011
I,1,20/04/2008
J,2,01/01/2013
"""
# A  care order, in-house foster carer (LA provider), aged 10            -> care_order, in_house, 10_15
# B  started 01/06/2025 on s20 in supported accommodation, aged 15 then 16 -> s20, supported, 16_17; an entrant
# C  interim care order since 01/12/2024 over two unbroken episodes       -> backlog (69 weeks)
# D  interim care order since 01/10/2025, started care then (aged 0)      -> proceedings; an entrant
# E  placement order, placed for adoption (A5)                            -> placement order, placed
# F  short breaks (V3)                                                    -> not counted
# G  episode ended on the as-at date                                      -> not in care
# H  children's home, private provider                                    -> care_order, private home
# I  turned 18 on 20/04/2026, in care on the date at 17                   -> care_order, 16_17, IFA
# J  s20 in supported accommodation at 13 (not allowed at that age)      -> counted as Other, with a warning
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC
A,10/01/2024,S,C2,N1,U4,PR1,,
B,01/06/2025,S,V2,N4,H5,PR4,,
C,01/12/2024,S,C1,N1,U6,PR1,01/05/2025,X1
C,01/05/2025,P,C1,N1,U4,PR4,,
D,01/10/2025,S,C1,N1,U6,PR1,,
E,01/03/2024,S,C1,N1,U6,PR1,01/11/2024,X1
E,01/11/2024,L,E1,N1,A5,PR1,,
F,01/01/2026,S,V3,N1,U4,PR1,,
G,01/01/2025,S,C2,N1,U4,PR1,31/03/2026,E13
H,01/06/2023,S,C2,N1,K2,PR4,,
I,01/06/2022,S,C2,N1,U4,PR4,,
J,01/02/2026,S,V2,N1,H5,PR1,,
"""


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_table(HEADER.encode(), "header"), read_table(EPISODES.encode(), "episodes")


@pytest.fixture(scope="module")
def cal() -> ssda903.Calibration:
    h, e = tables()
    return calibrate(h, e, AS_AT, **HAND)


def test_children_in_care_by_legal_stage(cal) -> None:
    sc = dict(cal.scenario.initial.stage_counts)
    assert cal.children_in_care == 8  # A B C D E H I J
    assert sc == {"s20": 2.0, "proceedings": 1.0, "proceedings_backlog": 1.0, "placement_order": 1.0, "care_order": 3.0}
    assert cal.scenario.initial.placement_order_placed_share == 1.0
    assert cal.scenario.start_date == dt.date(2026, 4, 1)


def test_age_mix_and_placement_mix(cal) -> None:
    ages = dict(cal.scenario.initial.age_band_shares)
    # 1-4: D (1 on the date) and E (2); 5-9: C; 10-15: A, H, J; 16-17: B, I
    assert ages == pytest.approx({"under_1": 0.0, "1_4": 0.25, "5_9": 0.125, "10_15": 0.375, "16_17": 0.25})
    full = {b: dict(m) for b, m in cal.scenario.initial.placement_mix_by_age_band.items()}
    mix = {b: {t: v for t, v in m.items() if v} for b, m in full.items()}
    # every type the base scenario lists stays listed, at 0 where nobody is (not "taken away")
    base_mix = default_scenario().initial.placement_mix_by_age_band
    assert all(set(base_mix[b]) <= set(full[b]) for b in full)
    # 10-15: A in-house, H private home (private provider), J supported accommodation at 13 -> other
    assert mix["10_15"] == pytest.approx(
        {"in_house_fostering": 1 / 3, "private_childrens_home": 1 / 3, "other": 1 / 3}, abs=1e-4
    )
    # 16-17: B supported accommodation, I IFA (foster carer with a private provider)
    assert mix["16_17"] == pytest.approx({"supported_accommodation": 0.5, "ifa": 0.5})
    # E is placed for adoption under a placement order (modelled apart): 1-4 is D alone
    assert mix["1_4"] == {"in_house_fostering": 1.0}
    # nobody under 1: that band keeps the base scenario's mix
    assert full["under_1"] == dict(base_mix["under_1"])
    assert any("does not take their age" in w for w in cal.warnings)


def test_entries_in_the_window(cal) -> None:
    # started (RNE S) in the 52 weeks to 31/03/2026: B (s20, 15), D (ICO, 0), F (short breaks: left out), J (s20, 13)
    assert cal.entrants == 3
    e = cal.scenario.entries
    assert e.weekly_rate == pytest.approx(3 / 52, abs=1e-4)
    assert dict(e.age_band_shares) == pytest.approx(
        {"under_1": 1 / 3, "1_4": 0, "5_9": 0, "10_15": 2 / 3, "16_17": 0}, abs=1e-4
    )
    assert e.s20_share_by_age_band["10_15"] == 1.0 and e.s20_share_by_age_band["under_1"] == 0.0
    # bands with no entrant keep the base scenario's share
    assert e.s20_share_by_age_band["5_9"] == default_scenario().entries.s20_share_by_age_band["5_9"]


def test_report_traces_every_figure(cal) -> None:
    r = cal.report
    assert list(r.columns) == ["Figure", "Value", "Worked out from", "Weight on base"]
    assert r.loc[r["Figure"] == "Children in care", "Value"].item() == "8"
    # a rate kept from the base rests on it entirely; one from the data not at all
    for f in cal.rates:
        assert r.loc[r["Figure"] == f.label, "Weight on base"].item() == ("0%" if f.used else "100%")
    assert (r["Worked out from"].str.len() > 0).all()


def test_everything_else_is_kept_from_the_base(cal) -> None:
    """Prices and budget always; here the rates too: this small return has too few events for any."""
    base = default_scenario()  # starts on 1 April 2026 too, so no date moves here
    assert cal.scenario.proceedings == base.proceedings
    assert cal.scenario.costs == base.costs
    assert cal.scenario.care_order == base.care_order


def test_lever_dates_move_with_the_start_date() -> None:
    h, e = tables()
    base = default_scenario().with_values({"proceedings.target_mean_weeks": 26})
    c = calibrate(h, e, dt.date(2025, 3, 31), base=base)
    shift = c.scenario.start_date - base.start_date
    assert c.scenario.proceedings.target_by_date == base.proceedings.target_by_date + shift
    assert c.scenario.entries.prevention_start == base.entries.prevention_start + shift


def test_calibrated_scenario_round_trips_and_projects(cal) -> None:
    s = cal.scenario
    assert Scenario.from_json(s.to_json()) == s
    fy = project(s).table("fy")
    assert fy["children_in_care"].notna().all()
    assert project(s).table("week")["children_in_care"].iloc[0] == pytest.approx(8, abs=0.5)


def test_example_data_end_to_end() -> None:
    h, e = example_tables()
    assert default_as_at(read_table(e, "episodes")) == AS_AT
    c = calibrate(h, e, AS_AT, window_weeks=52)
    assert 200 < c.children_in_care < 800 and 100 < c.entrants < 400
    assert sum(c.scenario.initial.stage_counts.values()) == c.children_in_care
    assert c.scenario.entries.weekly_rate == pytest.approx(c.entrants / 52, abs=1e-3)
    assert "EX0" not in c.scenario.to_json()  # no child identifier reaches the scenario
    # every rate has enough events in the 52 weeks to be worked out from the example
    assert len(c.rates) == 12 and all(f.used for f in c.rates), [(f.path, f.events) for f in c.rates if not f.used]
    # the only point to check: a kind of move the example never makes, with few child-weeks, rests on the base
    assert all(w.startswith("Placement moves: 1 kind of move rest mostly on the base") for w in c.warnings), c.warnings
    assert example_tables()[1].equals(e)  # the same seed gives the same tables
    # the example's placement moves are worked out from the 52 weeks; the base scenario's other kinds of move
    # are shrunk towards nothing by the child-weeks in which none happened
    simulated = {(f, t) for f, t, _ in ExampleRates().placement_moves}
    fig = {(f.from_type, f.to_type): f for f in c.moves}
    assert set(fig) == simulated | {(m.from_type, m.to_type) for m in default_scenario().placements.moves}
    assert all(fig[k].events >= 20 and fig[k].weight_on_base < 0.4 for k in simulated)
    assert all(f.events == 0 for k, f in fig.items() if k not in simulated)


def test_default_as_at_is_the_31_march_ending_the_return() -> None:
    e = read_table(EPISODES.encode(), "episodes")
    assert default_as_at(e) == dt.date(2026, 3, 31)
    later = e.copy()
    later.loc[0, "DECOM"] = pd.Timestamp("2026-06-30")
    assert default_as_at(later) == dt.date(2026, 3, 31)


# --- bad input ---------------------------------------------------------------------


def test_missing_columns_are_named() -> None:
    with pytest.raises(SSDA903Error) as exc:
        read_table(b"CHILD,SEX\nA,1\n", "header")
    assert exc.value.problems == ["header: missing column DOB (needed: CHILD, DOB; found: CHILD, SEX)"]


def test_bad_dates_name_column_and_row_and_all_are_reported() -> None:
    bad = EPISODES.replace("01/06/2025,S,V2", "31/02/2025,S,V2").replace("01/10/2025,S,C1", "soon,S,C1")
    with pytest.raises(SSDA903Error) as exc:
        read_table(bad.encode(), "episodes")
    assert exc.value.problems == [
        "episodes: column DECOM, row 3: '31/02/2025' is not a real date (write dates as DD/MM/YYYY, e.g. 31/03/2026)",
        "episodes: column DECOM, row 6: 'soon' is not a real date (write dates as DD/MM/YYYY, e.g. 31/03/2026)",
    ]


def test_many_bad_rows_are_counted_not_listed() -> None:
    rows = "\n".join(f"X{i},never" for i in range(30))
    with pytest.raises(SSDA903Error) as exc:
        read_table(f"CHILD,DOB\n{rows}\n".encode(), "header")
    assert len(exc.value.problems) == ssda903.MAX_LISTED + 1
    assert exc.value.problems[-1] == f"header: column DOB: {30 - ssda903.MAX_LISTED} more rows like these"


def test_utf16_files_with_a_byte_order_mark_are_read() -> None:
    df = read_table("CHILD,DOB\nA,01/01/2010\nB,02/02/2011\n".encode("utf-16"), "header")
    assert list(df["CHILD"]) == ["A", "B"] and df["DOB"].iloc[1] == pd.Timestamp(2011, 2, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "header: the file could not be read as CSV"),
        (b"CHILD,DOB\n", "header: the table has no rows"),
        ("CHILD,DOB\nA,01/01/2010\n".encode("utf-16-le"), "header: the file looks like UTF-16 text without"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "header: the file does not look like a CSV file"),
        (b"CHILD,DOB\n,01/01/2010\n", "header: column CHILD, row 2: '' is empty"),
    ],
)
def test_unusable_files(data: bytes, message: str) -> None:
    with pytest.raises(SSDA903Error) as exc:
        read_table(data, "header")
    assert exc.value.problems[0].startswith(message)


def test_files_saved_by_excel_are_read() -> None:
    """Windows-1252 text (Excel's default CSV on Windows) and semicolon separators."""
    h = read_table("CHILD;DOB;NAME_NOTE\nA;01/05/2015;Zoë\n".encode("cp1252"), "header")
    assert list(h.columns) == ["CHILD", "DOB", "NAME_NOTE"] and h.loc[0, "NAME_NOTE"] == "Zoë"
    assert h.loc[0, "DOB"] == pd.Timestamp("2015-05-01")


def test_swapped_files_are_pointed_out() -> None:
    with pytest.raises(SSDA903Error) as exc:
        read_table(EPISODES.encode(), "header")
    assert (
        exc.value.problems[-1] == "header: this looks like the episodes table: the two files may be the wrong way round"
    )


def test_no_child_in_care_on_the_date() -> None:
    h, e = tables()
    with pytest.raises(SSDA903Error) as exc:
        calibrate(h, e, dt.date(2019, 3, 31))
    assert exc.value.problems[0].startswith("no child was in care on 31 March 2019")


def test_unknown_codes_are_counted_and_said() -> None:
    h, e = tables()
    e = e.copy()
    e.loc[e["CHILD"] == "A", "PLACE"] = "Q9"
    e.loc[e["CHILD"] == "H", "LS"] = "ZZ"
    c = calibrate(h, e, AS_AT)
    assert any("placement code not in the table (Q9)" in w for w in c.warnings)
    assert any("legal status not in the table (ZZ)" in w for w in c.warnings)
    assert c.scenario.initial.placement_mix_by_age_band["10_15"]["other"] == pytest.approx(2 / 3, abs=1e-4)


def test_window_out_of_range() -> None:
    h, e = tables()
    with pytest.raises(SSDA903Error, match="window: 2 weeks is out of range"):
        calibrate(h, e, AS_AT, window_weeks=2)


# --- personal data ----------------------------------------------------------------


def test_the_module_never_writes_or_logs() -> None:
    modules = [importlib.import_module(f"csc_model.ssda903.{m.name}") for m in pkgutil.iter_modules(ssda903.__path__)]
    assert len(modules) >= 8  # one module per step
    src = "\n".join(inspect.getsource(m) for m in [ssda903, *modules])
    for forbidden in ("to_csv(", "open(", "write_text", "write_bytes", "logging", "print(", "tempfile"):
        assert forbidden not in src, forbidden


# --- command line -----------------------------------------------------------------


def test_cli_calibrate(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text(HEADER)
    (tmp_path / "e.csv").write_text(EPISODES)
    r = cli(
        "calibrate", "--header", "h.csv", "--episodes", "e.csv", "--out", "s.json", "--report", "r.csv",
        "--window-weeks", "52", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    s = Scenario.from_json((tmp_path / "s.json").read_text())
    assert s.initial.total == 8 and s.start_date == dt.date(2026, 4, 1)
    assert "8 children in care on 31/03/2026; 3 started" in r.stderr
    assert pd.read_csv(tmp_path / "r.csv").columns.tolist() == ["Figure", "Value", "Worked out from", "Weight on base"]


def test_cli_calibrate_bad_input(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("CHILD,SEX\nA,1\n")
    r = cli(
        "calibrate", "--header", "h.csv", "--episodes", "nope.csv", "--as-at", "31/03/2026", "--out", "-", cwd=tmp_path
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert lines == [
        "error: header: missing column DOB (needed: CHILD, DOB; found: CHILD, SEX)",
        "error: episodes: the file could not be opened (No such file or directory)",
        "error: --as-at '31/03/2026': not a date; write it YYYY-MM-DD",
    ]
    assert "Traceback" not in r.stderr


def test_backlog_counts_back_from_the_episode_open_on_the_date() -> None:
    """Later episodes (after the as-at date) do not change how long proceedings had run."""
    h, e = tables()
    later = pd.DataFrame(
        [
            {
                "CHILD": "C",
                "DECOM": pd.Timestamp("2026-05-01"),
                "RNE": "P",
                "LS": "C2",
                "CIN": "N1",
                "PLACE": "U4",
                "PLACE_PROVIDER": "PR1",
                "DEC": pd.NaT,
                "REC": "",
            }
        ]
    )
    e2 = e.copy()
    e2.loc[(e2["CHILD"] == "C") & e2["DEC"].isna(), "DEC"] = pd.Timestamp("2026-05-01")
    c = calibrate(h, pd.concat([e2, later], ignore_index=True), AS_AT)
    assert c.scenario.initial.stage_counts["proceedings_backlog"] == 1.0


# --- rates: a return whose events and child-weeks can be counted by hand ----------------

LO = pd.Timestamp(AS_AT) - pd.Timedelta(weeks=52)  # the window is the 364 days after 1 April 2025


def _day(n: int | None) -> str:
    return "" if n is None else (LO + pd.Timedelta(days=n)).strftime("%d/%m/%Y")


# Each pattern is one child's episodes as (start, end, RNE, LS, PLACE, REC), days after LO
# (end None: still open). Ten children follow each pattern. In the window, per child:
PATTERNS: dict[str, tuple[str, list[tuple]]] = {
    # s20 for 20 weeks (a placement move at day 70 is X1: care goes on), then home (E4A)
    "A": ("01/01/2015", [(-70, 70, "S", "V2", "U4", "X1"), (70, 140, "P", "V2", "U6", "E4A")]),
    # s20 5 weeks -> proceedings 40 weeks -> care order 5 weeks -> special guardianship (E45)
    "B": (
        "01/01/2014",
        [(0, 35, "S", "V2", "U4", "X1"), (35, 315, "L", "C1", "U4", "X1"), (315, 350, "L", "C2", "U4", "E45")],
    ),
    # proceedings 30 weeks -> placement order, waiting 6 weeks -> placed (A5) 14 weeks -> adopted (E11)
    "C": (
        "01/06/2024",
        [(0, 210, "S", "C1", "U4", "X1"), (210, 252, "L", "E1", "U4", "X1"), (252, 350, "P", "E1", "A5", "E11")],
    ),
    # proceedings from 100 days before the window, 56 weeks in all, then home (E4B): 6 weeks over 50
    "D": ("01/01/2016", [(-100, 292, "S", "C1", "U4", "E4B")]),
    # placement order waiting 10 weeks in the window -> care order for the remaining 42 weeks
    "E": (
        "01/01/2020",
        [(-300, -200, "S", "C1", "U4", "X1"), (-200, 70, "L", "E1", "U4", "X1"), (70, None, "L", "C2", "U4", "")],
    ),
    # care order 20 weeks, then left care to live with relatives (E13): home
    "F": ("01/01/2012", [(-300, 140, "S", "C2", "U4", "E13")]),
    # care order 15 weeks, then another authority took over (E3): other
    "G": ("01/01/2011", [(-300, 105, "S", "C2", "U4", "E3")]),
    # proceedings 37 weeks over two episodes (a placement move), then a child arrangements order (E41)
    "H": ("01/01/2017", [(14, 100, "S", "C1", "U4", "X1"), (100, 273, "P", "C1", "U6", "E41")]),
    # care order all 52 weeks of the window
    "J": ("01/01/2013", [(-300, None, "S", "C2", "U4", "")]),
    # care order 20 weeks, ends on the 18th birthday (REC E13, but leaving care at 18: not an event)
    "I": (
        (LO + pd.Timedelta(days=140) - pd.DateOffset(years=18)).strftime("%d/%m/%Y"),
        [(-300, 140, "S", "C2", "U4", "E13")],
    ),
}
# Totals (x10 children): section 20: 250 child-weeks (A 20, B 5), 10 home (A), 10 to proceedings (B).
# Proceedings ending in the window: 40 spells of 40 (B, care order), 30 (C, placement order),
# 56 (D, home) and 37 (H, SGO/CAO) weeks. Placement order waiting: 160 child-weeks (C 6, E 10),
# 10 placed (C) and 10 to a care order (E); placed: 140 child-weeks (C 14), 10 adopted (C).
# Care order: 1,540 child-weeks (B 5, E 42, F 20, G 15, I 20, J 52); 10 home (F), 10 SGO (B), 10 other (G).


def pattern_tables(patterns: dict[str, int] | None = None, changes: dict | None = None) -> tuple[str, str]:
    """Header and episodes CSV text: ``patterns`` maps a pattern to how many children follow it (10)."""
    patterns = patterns if patterns is not None else dict.fromkeys(PATTERNS, 10)
    header, episodes = ["CHILD,SEX,DOB"], ["CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC"]
    for key, n in patterns.items():
        dob, eps = PATTERNS[key]
        eps = (changes or {}).get(key, eps)
        for i in range(n):
            child = f"{key}{i:02d}"
            header.append(f"{child},1,{dob}")
            for start, end, rne, ls, place, rec in eps:
                episodes.append(f"{child},{_day(start)},{rne},{ls},N1,{place},PR1,{_day(end)},{rec}")
    return "\n".join(header) + "\n", "\n".join(episodes) + "\n"


def calibrate_text(header: str, episodes: str, **kw) -> ssda903.Calibration:
    """Hand-counted tables: the data alone (no credibility weighting) over the return's 52 weeks."""
    kw = HAND | kw
    return calibrate(read_table(header.encode(), "header"), read_table(episodes.encode(), "episodes"), AS_AT, **kw)


@pytest.fixture(scope="module")
def by_hand() -> ssda903.Calibration:
    return calibrate_text(*pattern_tables())


def test_rates_counted_by_hand(by_hand) -> None:
    s = by_hand.scenario
    fig = {f.path: f for f in by_hand.rates}
    assert all(f.used for f in by_hand.rates)

    def seen(path: str) -> tuple[int, float]:
        return fig[path].events, fig[path].exposure_weeks

    assert seen("s20.mean_weeks_to_return_home") == (10, 250.0)
    assert s.s20.mean_weeks_to_return_home == 25.0  # 250 / 10
    assert seen("s20.annual_share_to_proceedings") == (10, 250.0)
    assert s.s20.annual_share_to_proceedings == pytest.approx(1 - (1 - 10 / 250) ** 52, abs=1e-6)
    assert fig["proceedings.mean_weeks"].events == 40
    assert s.proceedings.mean_weeks == (40 + 30 + 56 + 37) / 4
    assert dict(s.proceedings.outcome_shares) == dict.fromkeys(
        ("returned_home", "sgo_cao", "placement_order", "care_order"), 0.25
    )
    assert s.proceedings.backlog_mean_remaining_weeks == 6.0  # the 10 spells of 56 weeks
    assert seen("placement_order.mean_weeks_to_placement") == (20, 160.0)
    assert s.placement_order.mean_weeks_to_placement == 8.0  # 160 / (10 + 10)
    assert s.placement_order.share_not_adopted == 0.5
    assert seen("placement_order.mean_weeks_placed_to_order") == (10, 140.0)
    assert s.placement_order.mean_weeks_placed_to_order == 14.0
    for path in ("care_order.annual_discharge_home", "care_order.annual_sgo", "care_order.annual_other"):
        assert seen(path) == (10, 1540.0), path
        assert fig[path].value == pytest.approx(1 - (1 - 10 / 1540) ** 52, abs=1e-6)


def test_rates_become_the_models_weekly_probabilities(by_hand) -> None:
    """structure.py turns the calibrated figures back into events / child-weeks (yearly shares are stored to
    six decimals, hence the 1e-6)."""
    st = build(by_hand.scenario)
    q, s = st.stage_probs[0], st.S
    home, sgo, other = (s + EXIT_ROUTES.index(r) for r in ("returned_home", "sgo_cao", "other"))
    s20, co, po_wait, po_placed = 0, s - 1, s - 3, s - 2
    assert q[s20, home] == pytest.approx(10 / 250)
    assert q[s20, 1] == pytest.approx(10 / 250, abs=1e-6)  # into the first proceedings phase
    assert q[co, home] == pytest.approx(10 / 1540, abs=1e-6) and q[co, sgo] == pytest.approx(10 / 1540, abs=1e-6)
    assert q[co, other] == pytest.approx(10 / 1540, abs=1e-6)
    assert q[po_wait, po_placed] == pytest.approx(10 / 160) and q[po_wait, co] == pytest.approx(10 / 160)
    assert q[po_placed, s + EXIT_ROUTES.index("adoption")] == pytest.approx(10 / 140)


def test_erlang_order_from_the_spread_is_clipped_with_a_warning(by_hand) -> None:
    d = np.repeat([40.0, 30.0, 56.0, 37.0], 10)
    assert d.mean() ** 2 / d.var(ddof=1) == pytest.approx(17.85, abs=0.01)  # above the allowed 12
    assert by_hand.scenario.proceedings.erlang_order == 12
    assert any(w.startswith("Spread of proceedings length (Erlang order): the data give 18") for w in by_hand.warnings)


def test_every_rate_is_in_the_report_with_its_events_and_exposure(by_hand) -> None:
    r = by_hand.report.set_index("Figure")
    row = r.loc["Section 20: average weeks before returning home"]
    assert row["Value"] == "25.0 weeks"
    assert "10 children returned home from section 20 in the 52 weeks to 31 March 2026" in row["Worked out from"]
    assert "250 child-weeks" in row["Worked out from"]
    assert r.loc["Care orders ending in special guardianship", "Value"] == "28.7% a year"
    assert "over 1,540 child-weeks on a care order" in r.loc["Care orders ending in special guardianship"].iloc[1]
    assert "not from the court application" in r.loc["Average length of care proceedings", "Worked out from"]
    assert r.loc["Outcomes at the final hearing", "Value"].startswith("Returned home 25%")
    assert {f.label for f in by_hand.rates} <= set(r.index)
    # the rows about the starting position are still there, and the start date is still last
    assert r.index[0] == "Children in care" and r.index[-1] == "Start date of the projection"


def test_the_threshold_keeps_the_base_value_and_says_so() -> None:
    base = default_scenario()
    nine = dict.fromkeys(PATTERNS, 10) | {"F": 9}  # 9 care orders discharged home: too few
    c = calibrate_text(*pattern_tables(nine))
    assert c.scenario.care_order.annual_discharge_home == base.care_order.annual_discharge_home
    assert c.scenario.care_order.annual_sgo != base.care_order.annual_sgo  # still 10: used
    kept = f"{base.care_order.annual_discharge_home:.1%} a year"  # the base scenario's value, as reported
    assert any(
        w.startswith(f"Care orders discharged, child returns home: kept from the base scenario ({kept})")
        and "only 9 events" in w
        for w in c.warnings
    )
    row = c.report.set_index("Figure").loc["Care orders discharged, child returns home"]
    assert row["Value"] == kept and row["Worked out from"].startswith("kept from the base scenario")


def test_care_order_shares_adding_up_to_more_than_one_are_scaled_down() -> None:
    """Without J's 520 child-weeks: 10 events in 1,020 child-weeks each, 40% a year each, 120% in all."""
    c = calibrate_text(*pattern_tables(dict.fromkeys(PATTERNS, 10) | {"J": 0}))
    co = c.scenario.care_order
    alone = 1 - (1 - 10 / 1020) ** 52
    assert co.annual_discharge_home == co.annual_sgo == co.annual_other == pytest.approx(alone / (3 * alone), abs=1e-5)
    assert co.annual_discharge_home + co.annual_sgo + co.annual_other <= 1
    assert any(w.startswith("Care orders: the yearly shares") and "add up to 120%" in w for w in c.warnings)


def test_too_few_child_weeks_keeps_the_base_value() -> None:
    """Ten returns home from ten one-week stays: 10 events, but only 10 child-weeks at risk."""
    short = [(7, 14, "S", "V2", "U4", "E4A")]
    c = calibrate_text(*pattern_tables({"A": 10, "E": 1}, {"A": short}))
    assert c.scenario.s20.mean_weeks_to_return_home == default_scenario().s20.mean_weeks_to_return_home
    assert any(
        w.startswith("Section 20: average weeks before returning home: kept") and "only 10 child-weeks" in w
        for w in c.warnings
    )


def test_same_day_chains_are_changes_within_care_not_exits(by_hand) -> None:
    # an exit code followed by a new episode the same day: care goes on, exactly as with X1
    a = PATTERNS["A"][1]
    relabelled = [(*a[0][:5], "E13"), a[1]]
    c = calibrate_text(*pattern_tables(changes={"A": relabelled}))
    assert c.scenario.s20 == by_hand.scenario.s20
    assert any("new episode of the child starts the same day: counted as care going on" in w for w in c.warnings)
    # an X1 with nothing after it is neither leaving care nor anything else
    cut = calibrate_text(*pattern_tables(changes={"A": [a[0]]}))
    fig = {f.path: f for f in cut.rates}["s20.mean_weeks_to_return_home"]
    assert (fig.events, fig.exposure_weeks) == (0, 150.0)  # B's 5 weeks and A's 10 weeks before the X1
    assert any("ended X1 (a new episode the same day) but no episode" in w for w in cut.warnings)


def test_leaving_care_at_18_is_not_an_exit_and_18_and_over_is_not_at_risk() -> None:
    """Pattern I turns 18 on day 140. Care going on past 18 adds no child-weeks; going home within a
    week of the 18th birthday (or later) counts as leaving care at 18, not as a return home."""
    i = PATTERNS["I"][1][0]
    for end, weeks in ((168, 1540.0), (137, 1540 - 10 * 3 / 7)):  # 4 weeks after; 3 days before
        c = calibrate_text(*pattern_tables(changes={"I": [(i[0], end, *i[2:5], "E4A")]}))
        fig = {f.path: f for f in c.rates}["care_order.annual_discharge_home"]
        assert fig.events == 10 and fig.exposure_weeks == pytest.approx(weeks), end  # F's 10 only


def test_duplicated_and_overlapping_episodes_are_not_counted_twice(by_hand) -> None:
    header, episodes = pattern_tables()
    lines = episodes.splitlines()
    twice = "\n".join(lines + [line for line in lines if line.startswith("A")]) + "\n"
    c = calibrate_text(header, twice)
    assert c.scenario.s20 == by_hand.scenario.s20
    assert any("repeat an earlier row exactly and were dropped" in w for w in c.warnings)
    # A's first episode also running 7 days into the second: the overlap is not counted twice
    a = PATTERNS["A"][1]
    c = calibrate_text(*pattern_tables(changes={"A": [(*a[0][:1], 77, *a[0][2:]), a[1]]}))
    fig = {f.path: f for f in c.rates}["s20.mean_weeks_to_return_home"]
    assert fig.exposure_weeks == 250.0
    assert any("overlap the next episode" in w for w in c.warnings)


def test_rates_switched_off() -> None:
    c = calibrate_text(*pattern_tables(), rates=False)
    base = default_scenario()
    assert c.rates == ()
    for section in ("s20", "proceedings", "placement_order", "care_order"):
        assert getattr(c.scenario, section) == getattr(base, section)
    assert not any("weeks" in f and "child-weeks" in w for f, _, w, _ in c.report.itertuples(index=False))
    assert c.scenario.initial == calibrate_text(*pattern_tables()).scenario.initial


def test_reasons_ceased_table() -> None:
    t = reasons_ceased()
    route = dict(zip(t["code"], t["route"], strict=True))
    assert route["X1"] == "continues"
    assert {route[c] for c in ("E11", "E12")} == {"adoption"}
    assert {route[c] for c in ("E4A", "E4B", "E13")} == {"returned_home"}
    assert {route[c] for c in ("E41", "E43", "E44", "E45", "E46", "E47", "E48")} == {"sgo_cao"}
    assert {route[c] for c in ("E2", "E3", "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16")} == {"other"}
    assert t["code"].is_unique and (t["description"].str.len() > 0).all()


# --- rates: recovered from made-up data drawn with known rates ---------------------------


@pytest.fixture(scope="module")
def known() -> tuple[ExampleRates, ssda903.Calibration]:
    """Ten thousand made-up children over ten years, drawn from ExampleRates, calibrated over 156 weeks."""
    r = ExampleRates()
    h, e = example_tables(n_children=10_000, seed=7, rates=r)
    return r, calibrate(h, e, AS_AT, window_weeks=156)


def test_known_rates_are_recovered(known) -> None:
    """Ten thousand made-up children over ten years, drawn from ExampleRates; a 156-week window.

    Tolerance: 4 standard errors, each worked out from the events the calibration counted
    (for a rate from n events the relative standard error is 1/sqrt(n); for a share p,
    sqrt(p(1-p)/n); for the mean length, sd/sqrt(n)). The seed is fixed, so the test is
    deterministic; 4 standard errors leaves room for two small known biases of the method
    (leaving care within a week of the 18th birthday counts as leaving at 18; proceedings cut
    short at 18 are not counted), each under one standard error here, while a wrong
    definition (e.g. X1 counted as leaving care: +23% on section 20 returns home) fails.
    """
    r, c = known
    fig = {f.path: f for f in c.rates}
    assert all(f.used for f in c.rates)

    def close_rate(path: str, true_weekly: float, to_weekly) -> None:
        f = fig[path]
        est = to_weekly(f.value)
        assert abs(est - true_weekly) <= 4 * true_weekly / math.sqrt(f.events), (path, f.value, f.events)

    def weekly(a: float) -> float:
        return 1 - (1 - a) ** (1 / 52)

    close_rate("s20.mean_weeks_to_return_home", 1 / r.s20_mean_weeks_to_return_home, lambda m: 1 / m)
    close_rate("s20.annual_share_to_proceedings", weekly(r.s20_annual_share_to_proceedings), weekly)
    close_rate("placement_order.mean_weeks_to_placement", 1 / r.po_mean_weeks_to_placement, lambda m: 1 / m)
    close_rate("placement_order.mean_weeks_placed_to_order", 1 / r.po_mean_weeks_placed_to_order, lambda m: 1 / m)
    close_rate("care_order.annual_discharge_home", weekly(r.co_annual_discharge_home), weekly)
    close_rate("care_order.annual_sgo", weekly(r.co_annual_sgo), weekly)
    close_rate("care_order.annual_other", weekly(r.co_annual_other), weekly)

    def close_share(est: float, p: float, n: int) -> None:
        assert abs(est - p) <= 4 * math.sqrt(p * (1 - p) / n), (est, p, n)

    close_share(
        fig["placement_order.share_not_adopted"].value,
        r.po_share_not_adopted,
        fig["placement_order.share_not_adopted"].events,
    )
    shares = fig["proceedings.outcome_shares"]
    for key, p in (
        ("returned_home", r.outcome_returned_home),
        ("sgo_cao", r.outcome_sgo_cao),
        ("placement_order", r.outcome_placement_order),
        ("care_order", r.outcome_care_order),
    ):
        close_share(shares.value[key], p, shares.events)
    # proceedings last an Erlang time of order k and mean D: sd = D / sqrt(k)
    k, mean = r.proceedings_erlang_order, r.proceedings_mean_weeks
    n = fig["proceedings.mean_weeks"].events
    assert abs(c.scenario.proceedings.mean_weeks - mean) <= 4 * (mean / math.sqrt(k)) / math.sqrt(n)
    # the sample variance of ~2,000 Erlang(3) times is within about 5% (1 sd): the ratio rounds to 3
    assert c.scenario.proceedings.erlang_order == k
    # backlog: the mean time beyond 50 weeks of an Erlang(3, 40) time, by numerical integration
    x = np.linspace(50, 2000, 400_001)
    density = x ** (k - 1) * np.exp(-x * k / mean)
    beyond = float((density * (x - 50)).sum() / density.sum())
    back = fig["proceedings.backlog_mean_remaining_weeks"]
    assert beyond == pytest.approx(19.84, abs=0.01)
    assert abs(back.value - beyond) <= 4 * (mean / math.sqrt(k)) / math.sqrt(back.events)


# --- rates: command line ------------------------------------------------------------------


def test_cli_calibrate_rates_and_no_rates(tmp_path: Path) -> None:
    header, episodes = pattern_tables()
    (tmp_path / "h.csv").write_text(header)
    (tmp_path / "e.csv").write_text(episodes)
    args = ("calibrate", "--header", "h.csv", "--episodes", "e.csv", "--as-at", "2026-03-31", "--window-weeks", "52")
    args += ("--prior-events", "0", "--out")
    r = cli(*args, "with.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "; 12 of 12 rates worked out from the data" in r.stderr
    s = Scenario.from_json((tmp_path / "with.json").read_text())
    assert s.s20.mean_weeks_to_return_home == 25.0 and s.placement_order.mean_weeks_to_placement == 8.0
    r = cli(*args, "without.json", "--no-rates", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "rates not worked out" in r.stderr
    s = Scenario.from_json((tmp_path / "without.json").read_text())
    base = default_scenario()
    assert (s.s20, s.proceedings, s.placement_order, s.care_order) == (
        base.s20,
        base.proceedings,
        base.placement_order,
        base.care_order,
    )
    assert s.initial.total == 20  # the starting position is still worked out (E and J)


# --- placement moves ------------------------------------------------------------------------

# One child's episodes as (start, end, RNE, LS, PLACE, PLACE_PROVIDER, REC), days after LO (end None:
# still open); the header's date of birth first. Ten children follow each pattern unless said.
MOVE_PATTERNS: dict[str, tuple[str, list[tuple]]] = {
    # aged 12: private children's home (K2, private provider) 10 weeks in the window -> IFA 10 weeks -> private home
    # 10 weeks -> a care order in the same home for the last 22 weeks (a legal status change, not a move)
    "P": (
        "01/01/2013",
        [
            (-100, 70, "S", "C1", "K2", "PR4", "X1"),
            (70, 140, "P", "C1", "U4", "PR4", "X1"),
            (140, 210, "P", "C1", "K2", "PR4", "X1"),
            (210, None, "L", "C2", "K2", "PR4", ""),
        ],
    ),
    # aged 6: IFA 5 weeks -> placed for adoption (A5) 25 weeks -> placement disrupted, back to an IFA for 22 weeks:
    # moves into and out of placed for adoption are the placement order's flow, not placement moves
    "A": (
        "01/01/2019",
        [
            (-50, 35, "S", "E1", "U6", "PR4", "X1"),
            (35, 210, "P", "E1", "A5", "PR1", "X1"),
            (210, None, "P", "E1", "U6", "PR4", ""),
        ],
    ),
    # in-house foster care, 16 on day 105 -> supported accommodation (H5) on day 245 -> a flat (P2, the same type)
    "S": (
        (LO + pd.Timedelta(days=105) - pd.DateOffset(years=16)).strftime("%d/%m/%Y"),
        [
            (-200, 245, "S", "C2", "U6", "PR1", "X1"),
            (245, 315, "P", "C2", "H5", "PR1", "X1"),
            (315, None, "P", "C2", "P2", "PR1", ""),
        ],
    ),
    # in-house foster care -> supported accommodation at 14, which the model never does: not counted
    "Y": ("01/01/2011", [(-100, 140, "S", "C2", "U6", "PR1", "X1"), (140, None, "P", "C2", "H5", "PR1", "")]),
    # aged 13: LA children's home for 100 days of the window -> in-house foster care (four children: too few)
    "L": ("01/01/2012", [(-100, 100, "S", "C2", "K2", "PR1", "X1"), (100, None, "P", "C2", "U4", "PR1", "")]),
    # two days in a temporary placement (T4: Other) and back: ten moves each way
    "T": (
        "01/01/2012",
        [
            (-100, 100, "S", "C2", "U4", "PR1", "X1"),
            (100, 102, "P", "C2", "T4", "PR1", "X1"),
            (102, None, "P", "C2", "U4", "PR1", ""),
        ],
    ),
    # six weeks in another placement (Z1: Other), then in-house foster care (O1) or an IFA (O2)
    "O1": ("01/01/2012", [(-100, 42, "S", "C2", "Z1", "PR1", "X1"), (42, None, "P", "C2", "U4", "PR1", "")]),
    "O2": ("01/01/2012", [(-100, 42, "S", "C2", "Z1", "PR1", "X1"), (42, None, "P", "C2", "U4", "PR4", "")]),
}
MOVES_BY_HAND = {"P": 10, "A": 10, "S": 10, "Y": 10, "L": 4}
# Moves in the window, at the ages both placement types take (x10 children):
#   private home -> IFA: 10 (P), over 420 child-weeks in private homes (P 10 + 10 + 22)
#   IFA -> private home: 10 (P), over 370 child-weeks in IFAs at 5-17 (P 10, A 5 + 22; A's 25 weeks placed for
#       adoption are in no placement type)
#   in-house fostering -> supported accommodation: 10 (S), over 200 child-weeks in in-house fostering at 16-17
#       (S from day 105 to 245; Y is 14, L 13: no child-weeks for this move). At any age it would be 550.
#   LA children's home -> in-house fostering: 4 (L): too few, left out
# Not counted: 20 moves into or out of placed for adoption (A), 10 into supported accommodation at 14 (Y),
# 20 new episodes in the same placement type (P's care order, S's flat).


def move_tables(patterns: dict[str, int]) -> tuple[str, str]:
    """Header and episodes CSV text: ``patterns`` maps a move pattern to how many children follow it."""
    header, episodes = ["CHILD,SEX,DOB"], ["CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC"]
    for key, n in patterns.items():
        dob, eps = MOVE_PATTERNS[key]
        for i in range(n):
            child = f"{key}{i:02d}"
            header.append(f"{child},1,{dob}")
            for start, end, rne, ls, place, provider, rec in eps:
                episodes.append(f"{child},{_day(start)},{rne},{ls},N1,{place},{provider},{_day(end)},{rec}")
    return "\n".join(header) + "\n", "\n".join(episodes) + "\n"


@pytest.fixture(scope="module")
def moves_by_hand() -> ssda903.Calibration:
    return calibrate_text(*move_tables(MOVES_BY_HAND))


def _annual(n: int, weeks: float) -> float:
    return 1 - (1 - n / weeks) ** 52


def _shrunk(n: int, weeks: float, base_annual: float, k: float = ssda903.PRIOR_CHILD_WEEKS) -> float:
    """The credibility yearly rate worked out by hand: (n + k * base weekly) / (weeks + k), made yearly."""
    base_weekly = 1 - (1 - base_annual) ** (1 / 52)
    return 1 - (1 - (n + k * base_weekly) / (weeks + k)) ** 52


def test_moves_counted_by_hand(moves_by_hand) -> None:
    c = moves_by_hand
    fig = {(f.from_type, f.to_type): f for f in c.moves}
    found = {k: (f.events, f.exposure_weeks, f.min_age, f.max_age) for k, f in fig.items() if f.events}
    assert found == {
        ("private_childrens_home", "ifa"): (10, 420.0, 5, 17),
        ("ifa", "private_childrens_home"): (10, 370.0, 5, 17),
        ("in_house_fostering", "supported_accommodation"): (10, 200.0, 16, 17),
        ("la_childrens_home", "in_house_fostering"): (4, pytest.approx(400 / 7), 5, 17),
    }
    base = {(m.from_type, m.to_type): m.annual_rate for m in default_scenario().placements.moves}
    # every kind of move found or in the base scenario is looked at; each is shrunk towards the base by its evidence
    assert set(fig) == set(base) | set(found)
    moves = {(m.from_type, m.to_type): m.annual_rate for m in c.scenario.placements.moves}
    for key, f in fig.items():
        k = ssda903.PRIOR_CHILD_WEEKS
        assert f.weight_on_base == pytest.approx(k / (f.exposure_weeks + k))
        assert f.base == base.get(key, 0.0)
        assert moves[key] == pytest.approx(_shrunk(f.events, f.exposure_weeks, f.base), abs=1e-6), key
        if f.exposure_weeks:
            assert f.estimate == pytest.approx(_annual(f.events, f.exposure_weeks))
    # ten moves in 200 child-weeks: the data alone say 93% a year, the base 20%: the rate lies between
    assert 0.2 < moves[("in_house_fostering", "supported_accommodation")] < _annual(10, 200)
    # no child-weeks in secure homes: the base rate stands, all of it resting on the base
    assert (
        moves[("secure", "private_childrens_home")] == 0.8
        and fig[("secure", "private_childrens_home")].weight_on_base == 1
    )
    # nothing into or out of placed for adoption; the legal status change and the flat are no moves
    assert not any("placed_for_adoption" in key for key in moves)
    assert not any(f.from_type == f.to_type for f in c.moves)
    r = c.report.set_index("Figure")
    why = r.loc["Placement moves", "Worked out from"]
    assert why.startswith("34 moves from one placement type to another (a new episode the same day) in the 52 weeks")
    assert "4 kinds of move found, 10 kinds in the base scenario" in why
    assert "the base scenario's rate counted as 520 child-weeks of evidence" in why
    assert (
        "Not counted: 20 moves into or out of placed for adoption (part of the placement order), 10 moves into a "
        "placement type that does not take the child's age, 20 new episodes in the same placement type" in why
    )
    pair = r.loc["  move: In-house fostering to Supported accommodation (16-17)"]
    assert pair["Value"] == f"{_shrunk(10, 200, 0.2):.1%} a year"
    assert pair["Worked out from"] == (
        "10 moves over 200 child-weeks in In-house fostering aged 16-17 (the data alone 93.1% a year); base scenario "
        f"20.0% a year, weight on it {520 / 720:.0%}"
    )
    assert pair["Weight on base"] == f"{520 / 720:.0%}"
    assert r.index[-1] == "Start date of the projection"
    warning = next(w for w in c.warnings if w.startswith("Placement moves: 4 kinds of move rest mostly on the base"))
    assert "In-house fostering to Supported accommodation (16-17) (10 moves over 200 child-weeks: 72% base" in warning
    assert "Secure" not in warning  # nobody in a secure home: nothing to lean on but the base, and no matter
    assert any(
        w.startswith("10 moves were into a placement type that does not take the child's age") for w in c.warnings
    )


def test_calibrated_moves_validate_project_and_become_the_models_weekly_probabilities(moves_by_hand) -> None:
    s = moves_by_hand.scenario
    assert Scenario.from_json(s.to_json()) == s
    assert project(s).table("fy")["children_in_care"].notna().all()
    st = build(s)
    ids = [p.id for p in st.placements]
    house, supported = ids.index("in_house_fostering"), ids.index("supported_accommodation")
    home, ifa = ids.index("private_childrens_home"), ids.index("ifa")

    def weekly(n: int, w: float, base: float) -> float:
        return 1 - (1 - _shrunk(n, w, base)) ** (1 / 52)

    for g, age_weeks in enumerate(st.age_group_edges[:-1]):
        m = st.move_probs[g]
        assert m[house, supported] == pytest.approx(weekly(10, 200, 0.2) if age_weeks >= 16 * 52 else 0.0, abs=1e-6)
        assert m[home, ifa] == pytest.approx(weekly(10, 420, 0.1), abs=1e-6)
        assert m[ifa, home] == pytest.approx(weekly(10, 370, 0.03) if age_weeks >= 5 * 52 else 0.0, abs=1e-6)


def test_sparse_moves_lean_on_the_base_in_proportion_to_the_evidence() -> None:
    """No move over many child-weeks gives a small rate; more child-weeks, less weight on the base."""
    few = calibrate_text(*move_tables(MOVES_BY_HAND))
    more = calibrate_text(*move_tables(MOVES_BY_HAND | {"L": 40}))
    f1 = {(f.from_type, f.to_type): f for f in few.moves}[("la_childrens_home", "in_house_fostering")]
    f2 = {(f.from_type, f.to_type): f for f in more.moves}[("la_childrens_home", "in_house_fostering")]
    assert f2.exposure_weeks > 3 * f1.exposure_weeks and f2.events > 3 * f1.events
    assert f2.weight_on_base < f1.weight_on_base
    # the data say about 98% a year here, the base 20%: more evidence moves the rate towards the data
    assert 0.2 < f1.value < f2.value < f2.estimate
    # in-house fostering to IFA: in the base at 4% a year, never seen over 701 child-weeks: well below the base
    zero = {(f.from_type, f.to_type): f for f in few.moves}[("in_house_fostering", "ifa")]
    assert zero.events == 0 and zero.exposure_weeks > 700
    assert 0 < zero.value < 0.04 / 2
    # a kind of move the base does not have gets only what the data give, shrunk towards nothing
    other = calibrate_text(*move_tables(MOVES_BY_HAND | {"T": 10}))
    o = {(f.from_type, f.to_type): f for f in other.moves}[("other", "in_house_fostering")]
    assert o.base == 0 and o.events == 10 and o.value == pytest.approx(_shrunk(10, o.exposure_weeks, 0.0), abs=1e-6)
    assert o.value < o.estimate


def test_no_move_in_the_data_shrinks_every_base_move_by_its_child_weeks() -> None:
    base = default_scenario()
    none = calibrate_text(*pattern_tables())
    moves = {(m.from_type, m.to_type): m.annual_rate for m in none.scenario.placements.moves}
    assert set(moves) == {(m.from_type, m.to_type) for m in base.placements.moves}
    for m in base.placements.moves:
        assert moves[(m.from_type, m.to_type)] <= m.annual_rate
    assert all(f.events == 0 for f in none.moves)


def test_moves_out_of_one_type_adding_up_to_more_than_one_are_scaled_down() -> None:
    """Other -> in-house and Other -> IFA: 10 moves each over 120 child-weeks in Other, none in the base."""
    c = calibrate_text(*move_tables({"O1": 10, "O2": 10}))
    out = {m.to_type: m.annual_rate for m in c.scenario.placements.moves if m.from_type == "other"}
    alone = _shrunk(10, 120, 0.0)
    assert alone > 0.5  # two of them add up to more than 100% a year
    assert out == pytest.approx({"in_house_fostering": 0.5, "ifa": 0.5}, abs=1e-5)
    assert any(
        f"the yearly moves out of Other (incl. residential schools) add up to {2 * alone:.0%}" in w for w in c.warnings
    )
    assert any("scaled down to 50.0%" in w for w in c.report["Worked out from"])


def test_moves_switched_off(moves_by_hand) -> None:
    c = calibrate_text(*move_tables(MOVES_BY_HAND), moves=False)
    assert c.moves == () and c.scenario.placements == default_scenario().placements
    assert "Placement moves" not in set(c.report["Figure"])
    assert not any("Placement moves" in w or "moves were into" in w for w in c.warnings)
    assert c.scenario.initial == moves_by_hand.scenario.initial  # the rest is still worked out
    # and the other way round: moves without the rates, and without REC (not needed for moves)
    header, episodes = move_tables(MOVES_BY_HAND)
    no_rec = "\n".join(line.rsplit(",", 1)[0] for line in episodes.splitlines()) + "\n"
    only = calibrate_text(header, no_rec, rates=False)
    assert only.rates == () and only.scenario.placements == moves_by_hand.scenario.placements
    assert not any("REC" in w for w in only.warnings)


def test_known_move_rates_are_recovered(known) -> None:
    """The moves of ExampleRates from the same ten thousand children (156 weeks).

    Tolerance: 4 standard errors of the weekly probability (relative standard error 1/sqrt(n)
    for n moves, 190-300 moves here, so 23-29%); the estimates are within 1.3 standard errors.
    Counting the child-weeks at every age instead of 16-17 only would more than halve the rate
    into supported accommodation, far outside the tolerance.
    """
    r, c = known
    fig = {(f.from_type, f.to_type): f for f in c.moves}
    assert {k for k, f in fig.items() if f.events} == {(f, t) for f, t, _ in r.placement_moves}
    for f, t, rate in r.placement_moves:
        m = fig[(f, t)]
        true_weekly = 1 - (1 - rate) ** (1 / 52)
        assert m.used and m.events >= 150 and m.weight_on_base < 0.1, (f, t, m.events)
        assert abs(m.events / m.exposure_weeks - true_weekly) <= 4 * true_weekly / math.sqrt(m.events), (f, t, m)
    # the example makes no other kind of move: those of the base scenario come out far below their base rates
    for key, m in fig.items():
        if key not in {(f, t) for f, t, _ in r.placement_moves} and m.exposure_weeks > 2000:
            assert m.events == 0 and m.value < m.base / 2, key
    assert not c.warnings


def test_cli_calibrate_moves_and_no_moves(tmp_path: Path) -> None:
    header, episodes = move_tables(MOVES_BY_HAND)
    (tmp_path / "h.csv").write_text(header)
    (tmp_path / "e.csv").write_text(episodes)
    args = ("calibrate", "--header", "h.csv", "--episodes", "e.csv", "--as-at", "2026-03-31", "--out")
    r = cli(*args, "with.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (
        "; 10 kinds of placement move worked out (4 resting mostly on the base scenario's rate, with few child-weeks)"
        in r.stderr
    )
    s = Scenario.from_json((tmp_path / "with.json").read_text())
    assert s.placements.moves == calibrate_text(header, episodes).scenario.placements.moves
    r = cli(*args, "without.json", "--no-moves", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "placement moves not worked out" in r.stderr
    s = Scenario.from_json((tmp_path / "without.json").read_text())
    assert s.placements == default_scenario().placements
    assert s.initial.total == 44  # the starting position is still worked out (P, A, S, Y and L)
