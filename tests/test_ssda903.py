"""Calibrating a scenario from an SSDA903 return (the csc_model/ssda903 package): the starting position.

A small hand-made return whose answers can be counted by eye, then the made-up example data
end to end, then every kind of bad input, personal data and the command line. The rates are in
test_ssda903_rates.py, the placement moves in test_ssda903_moves.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

from csc_model import Scenario, default_scenario, ssda903
from csc_model.reporting.results import project
from csc_model.ssda903 import (
    ExampleRates,
    SSDA903Error,
    calibrate,
    default_as_at,
    example_tables,
    read_table,
)

from .helpers import cli
from .ssda903_cases import AS_AT, HAND

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
    assert all(w.startswith("Placement moves: 1 kind of move rests mostly on the base") for w in c.warnings), c.warnings
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


def test_an_as_at_date_after_the_return_is_refused_by_name() -> None:
    """A date four years after the example data ends was taken, with every open episode still open in 2030
    ("399 children in care on 31/03/2030; 0 started in the 104 weeks before"; analyst review)."""
    h, e = example_tables()
    with pytest.raises(SSDA903Error, match=r"as-at date: 31/03/2030 is after the data, whose year ends on 31/03/2026"):
        calibrate(h, e, dt.date(2030, 3, 31))
    assert calibrate(h, e, AS_AT, window_weeks=52, rates=False, moves=False).children_in_care > 0


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


def test_month_first_dates_are_named_in_one_plain_line_first() -> None:
    """Seen in review: a return saved with American dates (03/20/2026) gave about twenty lines of "is not a real
    date" and nothing that said why. Now one line says so first, with the date written the right way."""
    us = "CHILD,SEX,DOB\nA,1,05/20/2015\nB,2,01/01/2010\nC,1,06/15/2020\n"
    with pytest.raises(SSDA903Error) as exc:
        read_table(us.encode(), "header")
    assert exc.value.problems[0] == (
        "header: column DOB: the dates look like month/day/year (e.g. '05/20/2015'); the return writes "
        "day/month/year (20/05/2015): save the dates as DD/MM/YYYY and load the file again"
    )
    # day-first dates that are simply wrong get no such line
    with pytest.raises(SSDA903Error) as exc:
        read_table(EPISODES.replace("01/06/2025,S,V2", "31/02/2025,S,V2").encode(), "episodes")
    assert not any("month/day/year" in p for p in exc.value.problems)


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
