"""The Placements page's words about the cost per child follow its own figures."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from app_lib import runner, summaries
from csc_model import default_scenario
from csc_model.published.build import build_scenario


def _moves_within_years(month: pd.DataFrame) -> list[float]:
    """The change in the cost per child from the first to the last month of each financial year."""
    out = []
    for start in sorted({d.year - (d.month < 4) for d in pd.to_datetime(month["period_end"])}):
        ends = pd.to_datetime(month["period_end"])
        cost = month[(ends >= pd.Timestamp(start, 4, 1)) & (ends <= pd.Timestamp(start + 1, 3, 31))][
            "avg_weekly_cost_per_child_gbp"
        ]
        if len(cost) == 12:
            out.append(float(cost.iloc[-1] / cost.iloc[0] - 1))
    return out


@pytest.mark.parametrize("authority", [None, "Kent"])
def test_the_cost_note_says_the_direction_the_chart_shows(authority: str | None) -> None:
    """Seen in review: the caption always said the cost 'falls a little within each year as the mix moves
    towards cheaper placements', under Kent's chart that rose within each year."""
    s = default_scenario()
    if authority:
        s = build_scenario(authority, dt.date(2024, 3, 31), s)[0]
    month = runner.tables(s).month
    note = summaries.cost_note(month)
    moves = _moves_within_years(month)
    up, down = sum(m > 0.005 for m in moves), sum(m < -0.005 for m in moves)
    assert up != down  # both cases move within most years, one each way
    years = "each year" if all(m > 0 for m in moves) or all(m < 0 for m in moves) else "most years"
    assert (f"rises within {years}" if up > down else f"falls within {years}") in note
    assert ("dearer" if up > down else "cheaper") in note


def test_the_cost_note_says_most_years_when_a_year_moves_the_other_way() -> None:
    """A chart whose first year rose and whose later years fell was captioned 'falls within each year'."""
    from csc_model.scenario.presets import apply_preset

    month = runner.tables(apply_preset(default_scenario(), "sibling_surge")).month
    moves = _moves_within_years(month)
    assert any(m > 0 for m in moves) and any(m < 0 for m in moves)
    assert "within most years" in summaries.cost_note(month)


def test_the_two_first_month_costs_say_which_they_are() -> None:
    """'£1,694 in the first month' on one line and 'from £1,685 at the end of the first month' on the next
    read as two values of one figure (Rutland, first review). The page now gives the year's average (the first
    card's measure) and, for the drift, one day's children at fixed prices, each saying which it is, with its date.
    The month's average ("over April 2026") is no longer a third starting figure (second review)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).parent.parent / "pages" / "placements.py"), default_timeout=90).run()
    assert not at.exception
    text = " ".join(m.value for m in [*at.markdown, *at.caption]).replace("\\", "")
    assert "for the children in care on 30 April 2026 to" in text and "snapshots of one day's children" in text
    assert "Averaged over each financial year" in text
    assert "first month" not in text and "over April 2026" not in text
