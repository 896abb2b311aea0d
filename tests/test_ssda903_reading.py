"""Reading what councils actually export (csc_model/ssda903/reading.py and checks.py): stacked yearly returns,
several authorities, repeated rows, impossible dates, a window before the data, clashing columns, UTF-16,
the UASC table, and the messages when nobody is in care."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from app_lib import ssda903_page as page
from csc_model.ssda903 import (
    SSDA903Error,
    calibrate,
    default_as_at,
    example_files,
    example_tables,
    read_table,
    year_end,
    yearly_returns,
)

from .ssda903_cases import AS_AT
from .test_ssda903 import EPISODES, HEADER

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def six_years() -> tuple[pd.DataFrame, pd.DataFrame]:
    """About 1,400 made-up children over six years: one file with every episode once."""
    return example_tables(n_children=1400, seed=3, years=6)


def cal(h, e, **kw):
    kw.setdefault("today", TODAY)
    return calibrate(h, e, AS_AT, **kw)


# --- stacked yearly returns -------------------------------------------------------------------------


@pytest.mark.parametrize("with_year", [True, False])
def test_stacked_yearly_returns_count_each_episode_once(six_years, with_year: bool) -> None:
    h, e = six_years
    sh, se = yearly_returns(h, e, [2021, 2022, 2023, 2024, 2025, 2026])
    # an episode open across a 31 March is in two returns, first without its end date
    assert len(se) > len(e) and se.duplicated(["CHILD", "DECOM"]).sum() > 100
    if not with_year:
        sh, se = sh.drop(columns="YEAR"), se.drop(columns="YEAR")
    one = cal(h, e, window_weeks=156)
    stacked = cal(sh, se, window_weeks=156)
    assert stacked.children_in_care == one.children_in_care and stacked.entrants == one.entrants
    assert stacked.scenario == one.scenario
    merged = next(n for n in stacked.notes if "appear more than once (the same child and start date" in n)
    assert ("latest YEAR" in merged) == with_year
    covered = pd.to_datetime(e["DEC"], dayfirst=True, errors="coerce").fillna(pd.Timestamp(2100, 1, 1))
    extra = len(se) - int((covered >= pd.Timestamp(2020, 4, 1)).sum())  # rows beyond one per episode
    merged_away = int(merged.split(", ")[-1].split()[0].replace(",", ""))
    if with_year:
        assert merged_away == extra
    else:  # without YEAR, a row repeated unchanged in two returns is an exact repeat: dropped first, and said
        exact = next(n for n in stacked.notes if n.startswith("episodes: ") and "rows repeat an earlier row" in n)
        assert int(exact.split()[1].replace(",", "")) + merged_away == extra
    said = "children appear in more than one row" if with_year else "header: "
    assert any(said in n for n in stacked.notes)
    assert set(stacked.notes) <= set(stacked.warnings)


def test_the_latest_return_wins_even_when_rows_come_in_another_order(six_years) -> None:
    h, e = six_years
    sh, se = yearly_returns(h, e, [2024, 2025, 2026])
    shuffled = se.sample(frac=1.0, random_state=1)
    assert cal(sh, shuffled, window_weeks=104).scenario == cal(sh, se, window_weeks=104).scenario


def test_year_column_forms() -> None:
    got = year_end(pd.Series(["2022", "2021-22", "2021/22", "202122", "x"]))
    assert list(got[:4]) == [pd.Timestamp(2022, 3, 31)] * 4 and pd.isna(got[4])


# --- several authorities ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_authorities() -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    h1, e1 = example_tables(n_children=800, seed=1, years=4)
    h2, e2 = example_tables(n_children=1200, seed=2, years=4)
    h = pd.concat([h1.assign(LA="Northshire"), h2.assign(LA="Southby")], ignore_index=True)
    e = pd.concat([e1.assign(LA="Northshire"), e2.assign(LA="Southby")], ignore_index=True)
    return h, e, (h1, e1, h2, e2)


def test_several_authorities_are_never_added_together(two_authorities) -> None:
    h, e, _ = two_authorities
    with pytest.raises(SSDA903Error) as exc:
        cal(h, e)
    assert exc.value.problems == [
        "the files hold 2 local authorities in the LA column (Northshire, Southby): choose one (on the command "
        "line: --la NAME; on the Load your data page: the local authority box); they are never added together"
    ]


def test_one_authority_is_chosen_by_name(two_authorities) -> None:
    h, e, (h1, e1, h2, e2) = two_authorities
    south = cal(h, e, la="southby")  # case does not matter
    alone = cal(h2, e2)
    assert south.scenario == alone.scenario and south.children_in_care == alone.children_in_care
    assert any("Only local authority southby is used (2 are in the files" in w for w in south.warnings)
    with pytest.raises(SSDA903Error, match="local authority 'Westham' is not in the LA column; the files hold: "):
        cal(h, e, la="Westham")
    with pytest.raises(SSDA903Error, match="the files have no LA column to choose it by"):
        cal(h1, e1, la="Northshire")


def test_authorities_through_the_cli_and_the_page(tmp_path, two_authorities) -> None:
    from csc_model.cli import main

    h, e, (_, _, h2, e2) = two_authorities
    h.to_csv(tmp_path / "h.csv", index=False)
    e.to_csv(tmp_path / "e.csv", index=False)
    base = ["calibrate", "--header", str(tmp_path / "h.csv"), "--episodes", str(tmp_path / "e.csv")]
    assert main([*base, "--as-at", "2026-03-31", "--out", str(tmp_path / "none.json")]) == 2
    assert not (tmp_path / "none.json").exists()
    assert main([*base, "--as-at", "2026-03-31", "--la", "Southby", "--out", str(tmp_path / "s.json")]) == 0
    from csc_model import Scenario

    got = Scenario.from_json((tmp_path / "s.json").read_text())
    assert got.initial == calibrate(h2, e2, AS_AT).scenario.initial
    hb, eb = (tmp_path / "h.csv").read_bytes(), (tmp_path / "e.csv").read_bytes()
    assert page.local_authorities(hb, eb) == ["Northshire", "Southby"]
    problems = page.work_out(hb, eb, AS_AT)
    assert isinstance(problems, list) and "2 local authorities" in problems[0]
    chosen = page.work_out(hb, eb, AS_AT, la="Southby")
    assert not isinstance(chosen, list) and chosen.scenario.initial == got.initial


# --- repeated rows and impossible dates ------------------------------------------------------------------


def test_exact_duplicate_rows_are_dropped_and_counted(six_years) -> None:
    h, e = six_years
    twice = pd.concat([e, e], ignore_index=True)
    c = cal(h, twice)
    assert c.entrants == cal(h, e).entrants
    assert c.scenario.entries.weekly_rate == cal(h, e).scenario.entries.weekly_rate
    note = next(n for n in c.notes if n.startswith("episodes: "))
    assert note.startswith(
        f"episodes: {len(e):,} rows repeat an earlier row exactly and were dropped (the repeated rows "
    )
    assert f"{len(e) + 2}, " in note and f"and {len(e) - 8:,} more)" in note  # first few by row, then a count


def test_impossible_dates_are_named_by_row_and_left_out() -> None:
    h = read_table(HEADER.encode(), "header")
    e = read_table(EPISODES.encode(), "episodes")
    e.loc[7, "DEC"] = pd.Timestamp(2025, 1, 1)  # F (short breaks) ends before it starts
    e.loc[1, "DECOM"] = pd.Timestamp(2026, 9, 1)  # B starts after today
    h.loc[9, "DOB"] = pd.Timestamp(2027, 1, 1)  # J born after today
    c = calibrate(h, e, AS_AT, today=TODAY)
    notes = "\n".join(c.notes)
    assert "episodes: 1 episodes end before they start (row 9): left out; check DECOM and DEC" in notes
    assert "episodes: 1 episodes start after today, 01/06/2026 (row 3): left out; check DECOM" in notes
    assert "header: 1 children have a date of birth after today, 01/06/2026 (row 11): left out; check DOB" in notes
    assert c.children_in_care == 8 - 2  # B (future start) and J (no date of birth left) are not counted


def test_a_window_before_the_data_is_cut_to_the_data_with_a_note(six_years) -> None:
    h, e = six_years
    one_h, one_e = yearly_returns(h, e, [2026])
    one_e = one_e.drop(columns="YEAR")
    wide = cal(one_h, one_e, window_weeks=156)
    year = cal(one_h, one_e, window_weeks=52)
    assert wide.window_weeks == 52 and wide.entrants == year.entrants
    assert wide.scenario.entries.weekly_rate == year.scenario.entries.weekly_rate
    assert any(
        w.startswith("The window of 156 weeks begins before the episodes do (they cover from 01/04/2025")
        for w in wide.warnings
    )
    # with a YEAR column the data start on 1 April of the first return's year
    two_h, two_e = yearly_returns(h, e, [2025, 2026])
    assert cal(two_h, two_e, window_weeks=156).window_weeks == 104


# --- columns and encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "text", "message"),
    [
        (
            "episodes",
            "CHILD,DECOM,RNE,LS,PLACE,PL,DEC\nA,01/01/2025,S,C2,U4,U4,\n",
            "the columns 'PLACE' and 'PL' both",
        ),
        ("header", "CHILD,DOB,DATE_OF_BIRTH\nA,01/01/2015,01/01/2015\n", "the columns 'DOB' and 'DATE_OF_BIRTH' both"),
        ("header", "CHILD,child,DOB\nA,A,01/01/2015\n", "the columns 'CHILD' and 'child' both mean CHILD"),
        ("header", "CHILD,DOB,DOB\nA,01/01/2015,01/01/2015\n", "the columns 'DOB' and 'DOB' both mean DOB"),
    ],
)
def test_clashing_columns_are_named(table: str, text: str, message: str) -> None:
    with pytest.raises(SSDA903Error) as exc:
        read_table(text.encode(), table)
    assert message in exc.value.problems[0] and exc.value.problems[0].endswith("keep only one of them")


def test_utf16_and_workbooks() -> None:
    h = read_table(HEADER.encode("utf-16"), "header")
    assert h.equals(read_table(HEADER.encode(), "header"))
    with pytest.raises(SSDA903Error, match="header: the file is an Excel workbook, not CSV"):
        read_table(b"PK\x03\x04" + b"\x00" * 40, "header")


# --- unaccompanied asylum-seeking children ----------------------------------------------------------------


def test_uasc_children_are_counted_apart() -> None:
    h = read_table(HEADER.encode(), "header")
    e = read_table(EPISODES.encode(), "episodes")
    # B (in care, started in the window) and I are UASC; H was one until 2024; Z is in no header
    uasc = "CHILD,DOB,DUC\nB,01/01/2010,\nI,20/04/2008,\nH,01/09/2011,01/01/2024\nZ,01/01/2010,\n"
    c = calibrate(h, e, AS_AT, uasc=uasc.encode(), window_weeks=52)
    plain = calibrate(h, e, AS_AT, window_weeks=52)
    assert (c.uasc_in_care, c.uasc_entrants) == (2, 1) and plain.uasc_in_care is None
    assert c.scenario == plain.scenario  # counted apart, in the report only
    r = c.report.set_index("Figure")
    assert r.loc["  of whom seeking asylum alone (UASC)", "Value"].tolist() == ["2", "1 (33%)"]
    assert any("uasc: 1 children in the UASC table are not in the header" in w for w in c.warnings)
    # or a flag in the header (and a flag column in the UASC table)
    flagged = h.assign(UASC=["0", "1", "0", "0", "0", "0", "0", "0", "1", "0"])
    assert calibrate(flagged, e, AS_AT).uasc_in_care == 2
    table = calibrate(h, e, AS_AT, uasc=b"CHILD,UASC\nB,1\nI,0\n")
    assert (table.uasc_in_care, table.uasc_entrants) == (1, 1)


# --- what is actually wrong when nobody is in care --------------------------------------------------------


def test_all_children_over_18_is_said() -> None:
    old = HEADER.replace("/20", "/19")  # everyone born a hundred years earlier
    with pytest.raises(SSDA903Error) as exc:
        calibrate(read_table(old.encode(), "header"), read_table(EPISODES.encode(), "episodes"), AS_AT)
    assert exc.value.problems == [
        "every child with an episode open on 31 March 2026 (8) was 18 or over on that date, so none counts as a "
        "child in care: check the dates of birth (DOB) in the header"
    ]


def test_child_ids_that_do_not_match_the_header_are_said() -> None:
    other = "\n".join(["CHILD,DOB"] + [f"X{i},01/01/2015" for i in range(5)]) + "\n"
    with pytest.raises(SSDA903Error) as exc:
        calibrate(read_table(other.encode(), "header"), read_table(EPISODES.encode(), "episodes"), AS_AT)
    assert exc.value.problems[0].startswith(
        "none of the 10 children in the episodes is in the header (no CHILD of the episodes matches a CHILD of the "
        "header)"
    )
    assert "31 March" not in exc.value.problems[0]


# --- a county's file -----------------------------------------------------------------------------------------


def test_a_three_megabyte_episodes_file_calibrates() -> None:
    """The size the upload limit must let through (the browser test uploads the same: example_files(19_000))."""
    h, e = example_files(19_000, seed=5)
    assert len(e) > 3_000_000 and e.count(b"\n") > 40_000
    assert page.upload_problems("episodes", page_upload("e.csv", e)) == []
    c = page.work_out(h, e)
    assert not isinstance(c, list), c
    assert c.as_at == default_as_at(read_table(e, "episodes")) and 2000 < c.children_in_care < 5000


def page_upload(name: str, data: bytes):
    class Up:
        def __init__(self) -> None:
            self.name, self.size = name, len(data)

        def getvalue(self) -> bytes:
            return data

    return Up()
