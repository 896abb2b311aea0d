"""The work behind the *Load your data* page: SSDA903 files in, a calibrated scenario or plain problems out.

The calibration works out the starting position, the children starting care, (unless
``rates=False``) the rates of moving between legal stages and leaving care and (unless
``moves=False``) the usual moves between placement types; prices and the budget are never in
the return. :data:`ABOUT`, :data:`WINDOW_HELP` and :data:`BASE_HELP` say
so in the page's words.

The two tables of an SSDA903 return are child-level personal data. Everything here works on
the bytes of an upload in memory, inside one function call: nothing is written to disk, logged,
put in a Streamlit cache (those are shared between sessions) or kept in a module variable.
What a caller may keep is the :class:`~csc_model.ssda903.Calibration` (totals and shares only).

Problems come back as plain sentences (not yet escaped for markdown), never as a traceback.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import pandas as pd

from csc_model import Scenario
from csc_model.ssda903 import (
    DEFAULT_WINDOW_WEEKS,
    Calibration,
    SSDA903Error,
    authorities,
    calibrate,
    children_in_care_by_month,
    default_as_at,
    example_tables,
    read_table,
)

MAX_MB = 20
MAX_BYTES = MAX_MB * 1_000_000
EXAMPLE_CHILDREN = 3500
ABOUT = (
    "From them it works out, on the date you choose, **the children in care** by legal stage, age and placement "
    "type, and from the weeks before that date **the children starting care** (how many a week, their ages, the "
    "share under section 20 and their first placement) and **the rates** at which children move on: how long "
    "care proceedings last and how they end, how fast children go home from section 20 or move into proceedings, "
    "how long placement orders take to end in adoption, and how often care orders end; and **the placement "
    "moves**: how often children move from one type of placement to another (for example from a children's home "
    "to foster care, or on to supported accommodation at 16-17). Each rate is the number of events divided by the "
    "weeks children spent at risk of it; a rate with too few events to go on keeps the current figure, and a "
    "placement move with few child-weeks stays near the current figure in proportion to the evidence (the table "
    "below says how much each rests on it). With a window of more than two years (105 weeks or more), the trend "
    "in entries is worked out too; with two years or more, whether each rate is rising or falling (reported, not "
    "applied). The "
    "projection then starts the "
    "day after that date.\n\n"
    "**Prices and the budget are not in the SSDA903 return** and stay as they are: set them on the Scenario "
    "builder."
)
"""What the page works out from the return and what it does not (markdown)."""
WINDOW_HELP = (
    "The weeks before the as-at date used for the children starting care, the rates and the placement moves. "
    "104 weeks (two years, the default: it forecast best in the back-test on simulated authorities) gives more "
    "events for each rate and smooths out an unusual year; 105 weeks or more also gives the trend in entries "
    "(the default keeps the average, which forecast better); 52 weeks counts only the "
    "year to the as-at date. If your files cover fewer "
    "weeks, the window is cut to what they cover (the page says so)."
)
"""Help for the window setting."""
BASE_HELP = (
    "Prices, budget, the other levers, and any rate with too few events come from here; so does most of a kind of "
    "placement move's rate when your data have few child-weeks for it."
)
"""Help for the choice of base scenario."""
GENERIC = (
    "The {what} could not be read. Check that each file is the CSV export of the SSDA903 table it is chosen for, "
    "with a header row and dates written DD/MM/YYYY, and try again."
)

Table = bytes | pd.DataFrame


class Upload(Protocol):
    """What the page needs of an uploaded file (Streamlit's UploadedFile has all of it)."""

    name: str
    size: int

    def getvalue(self) -> bytes: ...


def upload_problems(table: str, file: Upload | None) -> list[str]:
    """Problems found before reading a file: none chosen, empty, or over the size limit."""
    if file is None:
        return [f"Choose the {table} file."]
    if file.size == 0:
        return [f"{file.name} (the {table} file) is empty."]
    if file.size > MAX_BYTES:
        size = f"{file.size / 1e6:,.1f} MB" if file.size >= (MAX_MB + 0.05) * 1e6 else f"just over {MAX_MB} MB"
        return [
            f"{file.name} (the {table} file) is {size}; files of at most {MAX_MB} MB can be loaded. "
            "Export only the header or episodes table, as CSV."
        ]
    return []


def upload_bytes(table: str, file: Upload) -> bytes:
    """The bytes of an upload that passed :func:`upload_problems` (raises SSDA903Error if larger than said)."""
    data = file.getvalue()
    if len(data) > MAX_BYTES:  # the size the browser reported was wrong
        raise SSDA903Error([f"{file.name} (the {table} file) is larger than {MAX_MB} MB."])
    return data


def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Made-up header and episodes tables (not real children), made afresh on each call."""
    return example_tables(n_children=EXAMPLE_CHILDREN, seed=0)


def suggest_as_at(header: Table, episodes: Table) -> dt.date | list[str]:
    """The as-at date to offer (the latest 31 March covered by the episodes), or every problem in the tables."""
    try:
        read_table(header, "header")  # so that problems in both files are listed at once
    except SSDA903Error as exc:
        problems = list(exc.problems)
    except Exception:  # never a traceback on the page
        problems = [GENERIC.format(what="header file")]
    else:
        problems = []
    try:
        date = default_as_at(read_table(episodes, "episodes"))
    except SSDA903Error as exc:
        return problems + list(exc.problems)
    except Exception:
        return problems + [GENERIC.format(what="episodes file")]
    return problems or date


def local_authorities(header: Table, episodes: Table) -> list[str]:
    """The local authorities named in the files' LA column ([] if none, or if the files cannot be read)."""
    try:
        return authorities(read_table(header, "header"), read_table(episodes, "episodes"))
    except Exception:  # the problems are shown when the files are used
        return []


def local_authorities_uploads(header: Upload | None, episodes: Upload | None) -> list[str]:
    """:func:`local_authorities` for two uploaded files that passed :func:`upload_problems`."""
    if upload_problems("header", header) or upload_problems("episodes", episodes):
        return []
    assert header is not None and episodes is not None
    try:
        return local_authorities(upload_bytes("header", header), upload_bytes("episodes", episodes))
    except SSDA903Error:
        return []


def work_out(
    header: Table,
    episodes: Table,
    as_at: dt.date | None = None,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
    base: Scenario | None = None,
    rates: bool = True,
    moves: bool = True,
    la: str | None = None,
    uasc: Table | None = None,
) -> Calibration | list[str]:
    """Calibrate ``base`` from the two tables (CSV bytes or DataFrames): a Calibration, or the problems.

    ``as_at`` defaults to the latest 31 March covered by the episodes; ``rates=False`` keeps every
    rate of ``base``, ``moves=False`` its placement moves; ``la`` chooses one authority of several;
    ``uasc`` is the optional UASC table.
    """
    try:
        if as_at is None:
            suggested = suggest_as_at(header, episodes)
            if isinstance(suggested, list):
                return suggested
            as_at = suggested
        return calibrate(
            header,
            episodes,
            as_at,
            base=base,
            window_weeks=int(window_weeks),
            rates=rates,
            moves=moves,
            la=la,
            uasc=uasc,
        )
    except SSDA903Error as exc:
        return list(exc.problems) or [GENERIC.format(what="files")]
    except Exception:  # e.g. a scenario that does not validate: never a traceback
        return [GENERIC.format(what="files")]


def work_out_uploads(
    header: Upload | None,
    episodes: Upload | None,
    as_at: dt.date | None = None,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
    base: Scenario | None = None,
    rates: bool = True,
    moves: bool = True,
    la: str | None = None,
    uasc: Upload | None = None,
) -> Calibration | list[str]:
    """:func:`work_out` for two uploaded files (and the optional UASC file), after checking that they are there
    and small enough."""
    problems = upload_problems("header", header) + upload_problems("episodes", episodes)
    if uasc is not None:
        problems += upload_problems("UASC", uasc)
    if problems:
        return problems
    assert header is not None and episodes is not None
    try:
        h, e = upload_bytes("header", header), upload_bytes("episodes", episodes)
        u = upload_bytes("UASC", uasc) if uasc is not None else None
    except SSDA903Error as exc:
        return list(exc.problems)
    return work_out(h, e, as_at, window_weeks, base, rates, moves, la=la, uasc=u)


def suggest_as_at_uploads(header: Upload | None, episodes: Upload | None) -> dt.date | list[str]:
    """:func:`suggest_as_at` for two uploaded files (after the same checks as :func:`work_out_uploads`)."""
    problems = upload_problems("header", header) + upload_problems("episodes", episodes)
    if problems:
        return problems
    assert header is not None and episodes is not None
    try:
        return suggest_as_at(upload_bytes("header", header), upload_bytes("episodes", episodes))
    except SSDA903Error as exc:
        return list(exc.problems)


def suggest_as_at_example() -> dt.date | list[str]:
    """:func:`suggest_as_at` for the made-up example data."""
    try:
        tables = example()
    except Exception:  # never a traceback on the page
        return [GENERIC.format(what="example data")]
    return suggest_as_at(*tables)


def work_out_example(
    as_at: dt.date | None = None,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
    base: Scenario | None = None,
    rates: bool = True,
    moves: bool = True,
) -> Calibration | list[str]:
    """:func:`work_out` for the made-up example data."""
    try:
        tables = example()
    except Exception:  # never a traceback on the page
        return [GENERIC.format(what="example data")]
    return work_out(*tables, as_at, window_weeks, base, rates, moves)


# ---------------------------------------------------------------------------
# The model's track record on the return
# ---------------------------------------------------------------------------

TRACK_RUNS = 200
"""Runs a cut-off in the app's back-test (the command line's default is 500)."""


def track_record(header: Table, episodes: Table, la: str | None = None) -> pd.DataFrame | list[str]:
    """Back-test on the return (:func:`csc_model.backtest.backtest`): the scorecard, or the problems.

    The scorecard holds counts by cut-off and year only (no child-level data)."""
    from csc_model.backtest import backtest

    try:
        return backtest(header, episodes, years=3, runs=TRACK_RUNS, la=la)
    except SSDA903Error as exc:
        return list(exc.problems) or [GENERIC.format(what="files")]
    except Exception:  # never a traceback
        return [GENERIC.format(what="files")]


def track_record_uploads(
    header: Upload | None, episodes: Upload | None, la: str | None = None
) -> pd.DataFrame | list[str]:
    """:func:`track_record` for two uploaded files, after the same checks as :func:`work_out_uploads`."""
    problems = upload_problems("header", header) + upload_problems("episodes", episodes)
    if problems:
        return problems
    assert header is not None and episodes is not None
    try:
        h, e = upload_bytes("header", header), upload_bytes("episodes", episodes)
    except SSDA903Error as exc:
        return list(exc.problems)
    return track_record(h, e, la)


def track_record_example() -> pd.DataFrame | list[str]:
    """:func:`track_record` for the made-up example data."""
    return track_record(*example())


# ---------------------------------------------------------------------------
# The return's own counts, drawn before the projection on the Overview
# ---------------------------------------------------------------------------

ACTUAL_MONTHS = 24
"""Months of the return's children in care drawn before the projection."""


def actuals_uploads(
    header: Upload | None, episodes: Upload | None, as_at: dt.date, la: str | None = None
) -> pd.DataFrame | None:
    """Children in care by month end in the uploaded return, up to ``as_at`` (counts only); None if unusable."""
    if header is None or episodes is None or upload_problems("header", header) or upload_problems("episodes", episodes):
        return None
    try:
        h, e = upload_bytes("header", header), upload_bytes("episodes", episodes)
        return children_in_care_by_month(h, e, la=la, until=as_at, months=ACTUAL_MONTHS)
    except Exception:  # a figure we can do without: never a traceback
        return None


def actuals_example(as_at: dt.date) -> pd.DataFrame | None:
    """:func:`actuals_uploads` for the made-up example data."""
    try:
        return children_in_care_by_month(*example(), until=as_at, months=ACTUAL_MONTHS)
    except Exception:
        return None


TRENDS_TITLE = "Are the rates changing?"
TRENDS_HELP = (
    "Each rate above is the average over the whole window. Here each one is split into years (52 weeks back from "
    "the as-at date) to see whether it happens more or less often per child in that stage as time goes on. "
    "**Rising** or **falling** means the change is clear beyond the year-to-year noise (the likely range, a 95% "
    "interval, does not include no change); **no clear trend** means it may be steady. A trend needs at least two "
    "years of data and about 20 events. **Shown only: the projection keeps the window's average rate**, since a "
    "trend over a few years is a reason to check the figure, not a reliable forecast; to plan for it, change the "
    "rate on the Scenario builder."
)
"""What the rate-trends table means and that it is not applied (markdown)."""


def rate_trends_table(cal: Calibration) -> pd.DataFrame | None:
    """The compact "Are the rates changing?" table in plain words (None: no rate was worked out).

    Columns: what happens, events counted, the change a year, its likely range and the verdict.
    Plain text only (the page shows it as a table, never as HTML).
    """
    if not cal.rate_trends:
        return None
    rows = []
    for t in cal.rate_trends:
        known = t.annual_change is not None and t.low is not None and t.high is not None
        rows.append(
            {
                "What happens (per child in that stage)": t.what,
                "Events": f"{t.events:,} over {t.years} year{'' if t.years == 1 else 's'}",
                "Change a year": f"{t.annual_change:+.0%}" if known else "-",
                "Likely range": f"{t.low:+.0%} to {t.high:+.0%}" if known else "-",
                "Verdict": t.verdict[0].upper() + t.verdict[1:],
            }
        )
    return pd.DataFrame(rows)
