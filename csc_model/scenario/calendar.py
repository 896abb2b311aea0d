"""Weeks, months and financial years (1 April - 31 March)."""

from __future__ import annotations

import datetime as dt


def fy_start_year(d: dt.date) -> int:
    """Calendar year in which the financial year containing ``d`` starts."""
    return d.year if d.month >= 4 else d.year - 1


def fy_label(start_year: int) -> str:
    """'2025-26' for the year starting 1 April 2025."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_from_label(label: str) -> int:
    """2025 for '2025-26'."""
    return int(label[:4])


def add_years(d: dt.date, years: int) -> dt.date:
    """Same day ``years`` later (28 February for 29 February)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def horizon_days(start: dt.date, years: int) -> int:
    """Days from ``start`` up to (not including) the same date ``years`` later."""
    return (add_years(start, years) - start).days


def n_weeks(start: dt.date, years: int) -> int:
    """Weekly steps needed to cover the horizon (the last week may run past it)."""
    return -(-horizon_days(start, years) // 7)
