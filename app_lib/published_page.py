"""The reusable "Start from your authority" widget: pick one of the English authorities and a year;
on apply, that authority's scenario (built from DfE's published figures) becomes the current
scenario and the baseline, and the figures it was built from are shown with their table and year.

Call :func:`start_from_your_authority` on any page (after ``state.ensure()``). Its widget keys
start with ``key`` so that it can sit on several pages.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from csc_model.published import PublishedError, build_scenario
from csc_model.published import data as pub
from csc_model.published.forecast import track_record
from csc_model.reporting.wording import PUBLISHED_LABEL_END
from csc_model.scenario.calendar import fy_label, fy_start_year

from . import formatting as fmt
from . import state

REPORT = "published:report"  # (label, report DataFrame) of the last authority applied
APPLIED = "published:applied"  # (code, year) of the last authority applied, on any page
DEFAULT_AUTHORITY = "E06000026"  # Plymouth, the authority the project grew from: Benchmarks opens on it


@functools.cache
def authority_options() -> tuple[tuple[str, str], ...]:
    """(code, "Name (region)") for every authority with published figures, by name.

    The bundled published tables, the same for every user: kept once per process, and handed out
    as they are (``st.cache_data`` copied the whole list for each of the 154 labels of a rerun).
    """
    return tuple((a.code, f"{a.name} ({a.region})") for a in pub.authorities())


@functools.cache
def _labels() -> dict[str, str]:
    return dict(authority_options())


@st.cache_data(show_spinner=False)
def forecast_note() -> str:
    """Plain words under the choice: the first year is the back-tested forecast, and how well it did."""
    rec = track_record()
    tested = rec[rec["fitted_on"] != "nothing: persistence"]
    parts = [
        f"{r.as_at}\u2192{r.as_at + 1} off by {r.mape:.1f}% (no change: {r.mape_persistence:.1f}%)"
        for r in tested.itertuples()
    ]
    return (
        "**The first year is the back-tested forecast:** this year's count, lowered where the authority has more "
        "children in care per 10,000 or more aged 16-17 than the median authority, raised where fewer (starters and "
        'leavers alone forecast worse than "no change"). '
        + (f"Tested on about {tested['authorities'].min()} authorities: " + "; ".join(parts) + ". " if parts else "")
        + "Later years follow the model."
    )


def placeholder_budget_note() -> str | None:
    """'The budget is a placeholder ...' while the current scenario keeps the placeholder budget of a
    baseline built from published figures (the briefing, its slides and the brief quoted it as a budget)."""
    if not state.custom_baseline() or not state.baseline_label().endswith(PUBLISHED_LABEL_END):
        return None
    s, b = state.scenario(), state.baseline()
    if (s.costs.budget_first_year_gbp, s.costs.budget_overrides) != (
        b.costs.budget_first_year_gbp,
        b.costs.budget_overrides,
    ):
        return None
    first = fy_label(fy_start_year(b.start_date))
    return (
        f"The budget is a placeholder equal to the forecast spend of {first}: DfE publishes "
        "no budget, so the pressure shows only how later years move. Set the council's own on the Scenario builder."
    )


def comparison_of(code: str) -> pd.DataFrame:
    """The Benchmarks page's comparison of an authority with its neighbours, region and England
    (published figures: the same for every user, so worked out once per process; a shallow copy)."""
    return _comparison(code).copy(deep=False)


@functools.lru_cache(maxsize=32)
def _comparison(code: str) -> pd.DataFrame:
    from csc_model.published.benchmarks import comparison

    return comparison(pub.find_authority(code))


def region_table_of(region: str) -> pd.DataFrame:
    """Every authority of a region on the headline measures (published figures; once per process)."""
    return _region_table(region).copy(deep=False)


@functools.lru_cache(maxsize=16)
def _region_table(region: str) -> pd.DataFrame:
    from csc_model.published.benchmarks import region_table

    return region_table(region)


def _label(code: str) -> str:
    return _labels().get(code, code)


def apply_authority(code: str, year: int) -> tuple[str, pd.DataFrame] | str:
    """Make ``code``'s scenario at 31 March ``year`` the current scenario and the baseline.

    Returns (label, report), or a problem in plain words (the scenario is then unchanged).
    """
    try:
        scenario, report = build_scenario(code, dt.date(year, 3, 31), state.scenario())
    except PublishedError as exc:
        return str(exc)
    label = f"{pub.find_authority(code).name} at 31 March {year} {PUBLISHED_LABEL_END}"
    forecast_row = report[report["Figure"].str.startswith("Back-tested forecast")]
    first_year = (
        f" Its entries are set so that the count at 31 March {year + 1} is the back-tested forecast, "
        f"{fmt.md_escape(forecast_row['Value'].iloc[0])}; the years after it follow the model's rates, with entries "
        f"changing {scenario.entries.annual_trend:+.1%} a year (half the published trend in starters: 'Trend in entries' on the "
        "Scenario builder). Checked against what happened up to three years ahead; not beyond."
        if not forecast_row.empty
        else ""
    )
    state.set_baseline(scenario, label)
    state.set_scenario(
        scenario,
        f"The current scenario and the baseline now start from **{fmt.md_escape(label)}**.{first_year} The "
        f"placement budget is not published: it is a placeholder equal to {year}-{(year + 1) % 100:02d}'s forecast "
        f"spend, {fmt.gbp_short(scenario.costs.budget_first_year_gbp)}, so the pressure shows only how later years "
        "move. The rates of leaving care are scaled to the authority's leavers by route; the length of court "
        "proceedings, moves between placements and prices are still the previous scenario's. After the first year "
        "the model over-states the share under section 20 (two years ahead: a median 33% against 21% published; "
        "the total is not affected). Set your own budget and prices on the Scenario builder; an SSDA903 upload on "
        "Load your data refines the rest.",
    )
    st.session_state[REPORT] = (label, report)
    st.session_state[APPLIED] = (pub.find_authority(code).code, int(year))
    return label, report


def start_from_your_authority(key: str = "published") -> None:
    """Searchable choice of authority and year, an apply button, and the figures used."""
    options = authority_options()
    codes = [c for c, _ in options]
    ss = st.session_state
    pick_key, year_key = f"{key}:authority", f"{key}:year"
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    code = c1.selectbox(
        "Start from your authority",
        codes,
        index=None,
        format_func=_label,
        key=pick_key,
        placeholder="Type to search the English local authorities",
        help="Children in care, entries and leavers from DfE's published statistics for the authority.",
    )
    years = list(pub.find_authority(code).years) if code else sorted({y for a in pub.authorities() for y in a.years})
    if ss.get(year_key) not in years:
        ss[year_key] = years[-1]
    year = c2.selectbox("At 31 March", years, key=year_key)
    st.caption(forecast_note())
    if c3.button("Use this authority", key=f"{key}:apply", disabled=code is None, type="primary"):
        out = apply_authority(code, int(year))
        if isinstance(out, str):
            st.error(out)
        else:
            st.rerun()
    kept = ss.get(REPORT)
    if kept:
        label, report = kept
        with st.expander(f"Where the figures for {label} come from", expanded=False):
            st.dataframe(report, hide_index=True, width="stretch")
            st.caption(
                "Source: Department for Education, Children looked after in England including adoptions; ONS "
                "population estimates. Open Government Licence v3.0."
            )
