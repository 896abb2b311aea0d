"""The return's actuals: children in care at each month end, counted from the episodes as the starting position is."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from csc_model.ssda903.calibrate import _coded
from csc_model.ssda903.checks import prepare
from csc_model.ssda903.reading import SSDA903Error, default_as_at, read_tables


def children_in_care_by_month(
    header: pd.DataFrame | bytes,
    episodes: pd.DataFrame | bytes,
    la: str | None = None,
    until: dt.date | None = None,
    months: int | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Children in care at each month end the return covers: columns ``period_end`` (a date) and ``children_actual``.

    Counted as :func:`~csc_model.ssda903.calibrate` counts the starting position: children with an
    episode open at the end of the day (started on or before it, not yet ended), aged 0-17 then,
    in the header, and not in a legal status the model leaves out; each child once. The tables may
    be raw files or DataFrames, several yearly returns stacked (each episode counted once) and
    several authorities, of which ``la`` chooses one. Months run from the first month end on or after
    the start of the data (before it, children who had left are not in the return) to ``until``
    (default: the 31 March ending the return), the last ``months`` of them if given.
    Raises :class:`SSDA903Error` with plain messages if the tables cannot be used.
    """
    tables = read_tables({"header": header, "episodes": episodes})
    if months is not None and months < 1:
        raise SSDA903Error([f"months: {months} is out of range; at least 1"])
    prep = prepare(tables["header"], tables["episodes"], la=la, today=today)
    ep = _coded(prep.episodes, prep.header, [])
    ep = ep[ep["stage"] != "excluded"]
    end = pd.Timestamp(until or default_as_at(prep.episodes))
    first = prep.data_start if prep.data_start is not None else ep["DECOM"].min()
    ends = pd.date_range(first, end, freq="ME") if pd.notna(first) else pd.DatetimeIndex([])
    if months is not None:
        ends = ends[-months:]
    counts = _in_care_at(ep, ends)
    return pd.DataFrame(
        {"period_end": [d.date() for d in ends], "children_actual": np.asarray(counts, dtype=int)},
        columns=["period_end", "children_actual"],
    )


def _in_care_at(ep: pd.DataFrame, days: pd.DatetimeIndex) -> list[int]:
    """For each day: children (each once) with an episode open at the end of it, aged 0-17 on it."""
    start = ep["DECOM"].to_numpy(dtype="datetime64[D]")
    stop = ep["DEC"].fillna(pd.Timestamp.max.normalize()).to_numpy(dtype="datetime64[D]")
    dob = ep["dob"]
    born_year = dob.dt.year.to_numpy()
    born_md = (dob.dt.month * 100 + dob.dt.day).to_numpy()
    child = pd.factorize(ep["CHILD"])[0]
    out = []
    for d in days:
        day = np.datetime64(d.date(), "D")
        age = d.year - born_year - ((d.month * 100 + d.day) < born_md)
        open_ = (start <= day) & (stop > day) & (age >= 0) & (age < 18)
        out.append(int(np.unique(child[open_]).size))
    return out
