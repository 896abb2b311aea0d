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
