"""Shared cases for the SSDA903 rate and move tests: the as-at date, the hand-counted settings and
a calibration of CSV text."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from csc_model import ssda903
from csc_model.ssda903 import calibrate, read_table

AS_AT = dt.date(2026, 3, 31)
HAND = {"window_weeks": 52, "prior_events": 0}
"""Tables counted by hand: the year to the as-at date, the data alone (no credibility weighting towards the base)."""
LO = pd.Timestamp(AS_AT) - pd.Timedelta(weeks=52)  # the window is the 364 days after 1 April 2025


def day(n: int | None) -> str:
    """A date ``n`` days after the window opens, as a return writes it (blank for ``None``)."""
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
                episodes.append(f"{child},{day(start)},{rne},{ls},N1,{place},PR1,{day(end)},{rec}")
    return "\n".join(header) + "\n", "\n".join(episodes) + "\n"


def calibrate_text(header: str, episodes: str, **kw) -> ssda903.Calibration:
    """Hand-counted tables: the data alone (no credibility weighting) over the return's 52 weeks."""
    kw = HAND | kw
    return calibrate(read_table(header.encode(), "header"), read_table(episodes.encode(), "episodes"), AS_AT, **kw)


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
                episodes.append(f"{child},{day(start)},{rne},{ls},N1,{place},{provider},{day(end)},{rec}")
    return "\n".join(header) + "\n", "\n".join(episodes) + "\n"
