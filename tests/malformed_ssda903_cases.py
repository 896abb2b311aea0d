"""Malformed SSDA903 inputs (header, episodes, UASC table, authority) and the message each must give.

Each case is run through the library, the command line and the page's calibration function by
tests/test_malformed_ssda903.py. ``kind`` is "error" (nothing is calibrated: the message says what is
wrong) or "note" (the calibration goes on without the rows named, and says so among its warnings).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.test_ssda903 import EPISODES, HEADER  # the hand-counted tables, spoiled one way per case below

AS_AT = "2026-03-31"


def _with_la(text: str, names: list[str]) -> str:
    lines = text.strip().split("\n")
    return "\n".join([lines[0] + ",LA"] + [f"{row},{names[i % len(names)]}" for i, row in enumerate(lines[1:])]) + "\n"


@dataclass(frozen=True)
class Case:
    id: str
    expect: str  # a fragment the message must contain
    kind: str = "error"  # "error" or "note"
    header: bytes = HEADER.encode()
    episodes: bytes = EPISODES.encode()
    uasc: bytes | None = None
    la: str | None = None


EP_LINES = EPISODES.strip().split("\n")

CASES = [
    Case("header-empty-file", "header: the file could not be read as CSV", header=b""),
    Case("header-no-rows", "header: the table has no rows", header=b"CHILD,SEX,DOB\n"),
    Case("header-missing-dob", "header: missing column DOB", header=b"CHILD,SEX\nA,1\n"),
    Case("files-swapped", "header: this looks like the episodes table", header=EPISODES.encode()),
    Case(
        "header-impossible-date",
        "header: column DOB, row 2: '31/02/2015' is not a real date",
        header=HEADER.replace("01/05/2015", "31/02/2015").encode(),
    ),
    Case(
        "header-blank-child",
        "header: column CHILD, row 3: '' is empty",
        header=HEADER.replace("B,2,01/01/2010", ",2,01/01/2010").encode(),
    ),
    Case(
        "header-child-twice",
        "header: the columns 'CHILD' and 'child' both mean CHILD",
        header=b"CHILD,child,DOB\nA,A,01/05/2015\n",
    ),
    Case(
        "header-dob-twice",
        "header: the columns 'DOB' and 'DATE_OF_BIRTH' both mean DOB",
        header=b"CHILD,DOB,DATE_OF_BIRTH\nA,01/05/2015,01/05/2015\n",
    ),
    Case(
        "header-utf16-without-bom",
        "header: the file looks like UTF-16 text without a byte-order mark",
        header=HEADER.encode("utf-16-le"),
    ),
    Case(
        "header-excel-workbook", "header: the file is an Excel workbook, not CSV", header=b"PK\x03\x04" + b"\x00" * 64
    ),
    Case(
        "header-binary", "header: the file does not look like a CSV file", header=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    ),
    Case(
        "episodes-place-twice",
        "episodes: the columns 'PLACE' and 'PL' both mean PLACE",
        episodes=EPISODES.replace("PLACE,PLACE_PROVIDER", "PLACE,PL").encode(),
    ),
    Case(
        "episodes-missing-columns",
        "episodes: missing columns LS, DEC",
        episodes=b"CHILD,DECOM,RNE,PLACE\nA,10/01/2024,S,U4\n",
    ),
    Case(
        "episodes-impossible-start",
        "episodes: column DECOM, row 3: '31/06/2025' is not a real date",
        episodes=EPISODES.replace("B,01/06/2025", "B,31/06/2025").encode(),
    ),
    Case(
        "episodes-bad-end",
        "episodes: column DEC, row 4: '2025-13-01' is not a real date",
        episodes=EPISODES.replace("01/05/2025,X1", "2025-13-01,X1").encode(),
    ),
    Case(
        "episodes-ids-do-not-match",
        "none of the 10 children in the episodes is in the header",
        header=("CHILD,DOB\n" + "".join(f"X{i},01/01/2015\n" for i in range(10))).encode(),
    ),
    Case(
        "everyone-over-18",
        "was 18 or over on that date, so none counts as a child in care",
        header=HEADER.replace("/20", "/19").encode(),
    ),
    Case(
        "only-short-breaks",
        "has a legal status that is not counted as care (short breaks)",
        episodes=EPISODES.replace(",C2,", ",V3,")
        .replace(",C1,", ",V3,")
        .replace(",V2,", ",V3,")
        .replace(",E1,", ",V3,")
        .encode(),
    ),
    Case(
        "episode-ends-before-it-starts",
        "episodes: 1 episodes end before they start (row 9): left out",
        kind="note",
        episodes=EPISODES.replace(
            "F,01/01/2026,S,V3,N1,U4,PR1,,", "F,01/01/2026,S,V3,N1,U4,PR1,01/01/2025,E13"
        ).encode(),
    ),
    Case(
        "episode-starts-in-the-future",
        "episodes: 1 episodes start after today",
        kind="note",
        episodes=EPISODES.replace("J,01/02/2026", "J,01/02/2099").encode(),
    ),
    Case(
        "born-in-the-future",
        "header: 1 children have a date of birth after today",
        kind="note",
        header=HEADER.replace("J,2,01/01/2013", "J,2,01/01/2099").encode(),
    ),
    Case(
        "exact-repeats",
        "episodes: 12 rows repeat an earlier row exactly and were dropped",
        kind="note",
        episodes=(EPISODES + "\n".join(EP_LINES[1:]) + "\n").encode(),
    ),
    Case(
        "children-in-episodes-not-in-header",
        "1 children in the episodes are not in the header (no date of birth; episodes row 13)",
        kind="note",
        header=HEADER.replace("J,2,01/01/2013\n", "").encode(),
    ),
    Case(
        "two-authorities-none-chosen",
        "the files hold 2 local authorities in the LA column (Eastford, Westbury)",
        header=_with_la(HEADER, ["Eastford", "Westbury"]).encode(),
        episodes=_with_la(EPISODES, ["Eastford", "Westbury"]).encode(),
    ),
    Case(
        "authority-not-in-files",
        "local authority 'Northam' is not in the LA column; the files hold: Eastford, Westbury",
        header=_with_la(HEADER, ["Eastford", "Westbury"]).encode(),
        episodes=_with_la(EPISODES, ["Eastford", "Westbury"]).encode(),
        la="Northam",
    ),
    Case("authority-without-la-column", "the files have no LA column to choose it by", la="Eastford"),
    Case("uasc-missing-child", "uasc: missing column CHILD", uasc=b"ID,DUC\nB,\n"),
    Case(
        "uasc-bad-date", "uasc: column DUC, row 2: '40/01/2025' is not a real date", uasc=b"CHILD,DUC\nB,40/01/2025\n"
    ),
    Case(
        "uasc-child-not-in-header",
        "uasc: 1 children in the UASC table are not in the header: not counted",
        kind="note",
        uasc=b"CHILD,DUC\nB,\nZZ,\n",
    ),
    Case("uasc-empty", "uasc: the table has no rows", uasc=b"CHILD,DUC\n"),
]
"""Every case; ids are unique."""
