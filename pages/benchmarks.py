"""Benchmarks: an authority's published figures against its statistical neighbours, its region and
England over the years published; the authorities of a region side by side and summed into a
regional projection; and the "Start from your authority" widget.
"""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app_lib import charts_published as charts
from app_lib import components, state
from app_lib import published_page as widget
from csc_model.published import data as pub
from csc_model.published.benchmarks import INDICATORS, region_projection

PREFIX = "bench:"
DEFAULT_AUTHORITY = widget.DEFAULT_AUTHORITY
CHOICE = PREFIX + "choice"  # the authority benchmarked last (a plain key: it outlives the page's widgets)
FOLLOWED = PREFIX + "followed"  # the label of the applied authority the page last followed
REGION = PREFIX + "region"  # the region selector's key
REGION_OF = PREFIX + "region_of"  # the authority whose region the region selector was last set to (a plain key)
MISSING = "\u2013"  # an en dash in a table cell with no figure
MISSING_NOTE = (
    "A dash (\u2013) means no figure: DfE suppressed it (to protect small numbers) or did not publish it for "
    "that authority and year."
)
# column: (plain heading, number format or None for text); columns not named here (the LA code) are left out
REGION_COLUMNS = {
    "la_name": ("Authority", None),
    "children_in_care": ("Children in care", "localized"),
    "in_care_per_10k": ("Children in care per 10,000 children", "%.1f"),
    "started": ("Children starting care", "localized"),
    "ceased": ("Children leaving care", "localized"),
    "private_share_pct": ("Placed with private or voluntary providers (%)", "%.1f"),
    "uasc_share_pct": ("Unaccompanied asylum-seeking children (%)", "%.1f"),
}
PROJECTION_COLUMNS = {
    "la_name": ("Authority", None),
    "period": ("Financial year", None),
    "children_in_care": ("Children in care at the year's end", "localized"),
    "entries": ("Children starting care", "localized"),
    "exits_total": ("Children leaving care", "localized"),
}


def plain_table(df: pd.DataFrame, columns: dict[str, tuple[str, str | None]]) -> None:
    """``df`` as a table with plain headings, only the columns named, numbers formatted but still numbers
    (so they sort), and a dash where there is no figure."""
    st.dataframe(
        df.rename(columns={k: heading for k, (heading, _) in columns.items()}),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_order=[heading for heading, _ in columns.values()],
        column_config={
            # the authority stays in view when the table scrolls sideways, wide enough for the longest name
            "Authority": st.column_config.TextColumn(width=260, pinned=True),
            **{heading: st.column_config.NumberColumn(format=f) for heading, f in columns.values() if f},
        },
    )


TABLE_SECTIONS = {  # the Table tab's tables: (heading, the source tables of INDICATORS they hold)
    "Children in care and placements": ("headline", "in_care"),
    "Social work workforce": ("workforce",),
}


def comparison_tables(comparison: pd.DataFrame) -> list[tuple[str, pd.DataFrame, list[str]]]:
    """The Table tab: (heading, table, year columns) for each of :data:`TABLE_SECTIONS` with figures. One row
    an indicator and who (the authority, its neighbours, region, England, in the order of the charts), one
    column a year that section has figures for, figures to one decimal place and a dash where there is none.

    Drawn as HTML tables (:func:`components.figures_table`), whose text wraps: the one grid of
    ``st.dataframe``, eight years wide for the workforce's sake, kept every label on one line and needed
    scrolling sideways for 2022 to 2024 at 1280 pixels (review). Split by what is published over which years
    (the workforce from 2017, the rest from 2021), so neither table carries columns of dashes; no label is
    shortened, no figure left out, and the download keeps the numbers.
    """
    out = []
    for heading, sources in TABLE_SECTIONS.items():
        keys = [k for k, (_, _, source) in INDICATORS.items() if source in sources]
        part = comparison[comparison["indicator"].isin(keys)]
        wide = part.pivot_table(index=["label", "unit", "group"], columns="year", values="value", sort=False)
        if wide.empty:
            continue
        wide = wide[sorted(wide.columns)]
        years = [str(y) for y in wide.columns]
        shown = pd.DataFrame(
            {
                "Indicator": wide.index.get_level_values("label"),
                "Unit": wide.index.get_level_values("unit"),
                "Who": wide.index.get_level_values("group"),
                **{
                    y: [MISSING if pd.isna(v) else f"{v:,.1f}" for v in wide[c]]
                    for y, c in zip(years, wide.columns, strict=True)
                },
            }
        )
        out.append((heading, shown, years))
    return out


def applied_authority(ss: Any) -> tuple[str, str] | None:
    """(code, a label of the application) of the authority last applied with "Use this authority" on any
    page (``published_page.APPLIED``), or None."""
    kept = ss.get(widget.APPLIED)
    return (kept[0], f"{kept[0]} at 31 March {kept[1]}") if kept else None


def follow_applied(ss: Any, codes: list[str]) -> None:
    """Set the authority to benchmark before its selectbox is drawn: the one just applied (anywhere) when a
    new one has been applied since the page last looked, else the user's last choice here, else Plymouth."""
    applied = applied_authority(ss)
    if applied and applied[0] in codes and ss.get(FOLLOWED) != applied[1]:
        ss[FOLLOWED] = applied[1]
        ss[CHOICE] = applied[0]
        ss[PREFIX + "authority"] = applied[0]
    elif PREFIX + "authority" not in ss:
        chosen = ss.get(CHOICE) or (applied[0] if applied else DEFAULT_AUTHORITY)
        ss[PREFIX + "authority"] = chosen if chosen in codes else codes[0]


def follow_authority_region(ss: Any, code: str, region: str) -> None:
    """Set the region selector to ``region``, the region of the authority benchmarked (``code``), before the
    selector is drawn, when that authority has changed since the selector last followed one (or a visit to
    another page cleared it); otherwise leave the user's own choice of region.

    Set through the selector's key, which the browser is told to show: dropping the key and changing its
    default (``index``) left the browser showing, and sending back, the region of the authority before
    (South West beside Leeds' Yorkshire and The Humber authorities; "Project the region" then projected
    the South West: review).
    """
    if ss.get(REGION_OF) != code or REGION not in ss:
        ss[REGION] = region
        ss[REGION_OF] = code


@st.cache_data(show_spinner="Projecting every authority in the region...", max_entries=8)
def _region_projection(region: str, year: int, years: int) -> pd.DataFrame:
    return region_projection(region, dt.date(year, 3, 31), years)


state.ensure()
components.page_header(
    "Benchmarks",
    "Your authority's published figures against its statistical neighbours, its region and England.",
)
ss = st.session_state

st.subheader("Start from your authority", anchor=False)
widget.start_from_your_authority(key=PREFIX + "start")

st.subheader("Compare", anchor=False)
options = widget.authority_options()
codes = [c for c, _ in options]
follow_applied(ss, codes)
code = st.selectbox(
    "Authority to benchmark",
    codes,
    format_func=dict(options).get,
    key=PREFIX + "authority",
    help="Its ten statistical neighbours are DfE's (2025 model): the authorities most like it. It opens on the "
    'authority last applied with "Use this authority" (on any page); choose another here to benchmark it.',
)
ss[CHOICE] = code  # kept while the user is on other pages (the widget's own key is not)
auth = pub.find_authority(code)
cmp_df = widget.comparison_of(code)
neighbours = pub.neighbours(auth)
st.caption(
    f"Statistical neighbours of {auth.name}: {', '.join(n.name for n in neighbours) or 'none published'}. "
    "The neighbours' line is the plain average of their figures. Source: DfE Children looked after in England "
    "including adoptions; DfE Children's social work workforce; ONS population estimates (Open Government "
    "Licence v3.0)."
)

tabs = st.tabs(["Children in care", "Placements", "Workforce", "Table", "Your region"])
with tabs[0]:
    cols = st.columns(3)
    for col, key in zip(cols, ("in_care_per_10k", "started_per_10k", "ceased_per_10k"), strict=True):
        components.chart(charts.indicator_chart, cmp_df, key, auth.name, where=col)
    if "uasc_share" in set(cmp_df["indicator"]):
        components.chart(charts.indicator_chart, cmp_df, "uasc_share", auth.name)
with tabs[1]:
    years = sorted(cmp_df[cmp_df["indicator"] == "private_share"]["year"].unique())
    if years:
        year = st.select_slider("Year to 31 March", years, value=years[-1], key=PREFIX + "mix_year")
        components.chart(charts.placement_mix_chart, cmp_df, int(year), auth.name, width="content")
        components.chart(charts.indicator_chart, cmp_df, "private_share", auth.name)
    else:
        st.info("No placement figures are published for this authority.")
with tabs[2]:
    cols = st.columns(3)
    for col, key in zip(cols, ("agency_rate", "vacancy_rate", "caseload"), strict=True):
        if key in set(cmp_df["indicator"]):
            components.chart(charts.indicator_chart, cmp_df, key, auth.name, where=col)
        else:
            col.info(f"No figures published for: {INDICATORS[key][0].lower()}.")
with tabs[3]:
    for heading, shown, year_cols in comparison_tables(cmp_df):
        st.markdown(f"**{heading}**")
        components.figures_table(shown, year_cols)
    st.caption(f"Each year is the year to 31 March. {MISSING_NOTE}")
    st.download_button(
        "Download the table (CSV)",
        cmp_df.to_csv(index=False).encode("utf-8"),
        file_name=f"benchmarks_{auth.code}.csv",
        mime="text/csv",
        key=PREFIX + "download",
        icon=":material/download:",
    )
with tabs[4]:
    follow_authority_region(ss, code, auth.region)  # the region follows the authority; the user may pick another
    region = st.selectbox(
        "Region",
        pub.regions(),
        key=REGION,
        help="As DfE's tables name them: London is split into Inner and Outer London. It follows the authority "
        "to benchmark; choose another to see its authorities side by side.",
    )
    rt = widget.region_table_of(region)
    components.chart(charts.region_bars, rt, "in_care_per_10k", highlight=auth.name)
    plain_table(rt, REGION_COLUMNS)
    st.caption(f"At 31 March {pub.latest_year()}; starters and leavers in the year to that date. {MISSING_NOTE}")
    latest = pub.latest_year()
    horizon = st.slider("Years to project", 1, 5, 3, key=PREFIX + "region_years")
    if st.button("Project the region", key=PREFIX + "project"):
        ss[PREFIX + "projected"] = (region, horizon)
    if ss.get(PREFIX + "projected") == (region, horizon):
        proj = _region_projection(region, latest, horizon)
        components.chart(charts.region_projection_chart, proj)
        st.caption(
            f"Each authority projected from its own published figures at 31 March {latest} (rates inside care "
            "and prices from the defaults), its entries set so that its first year ends at the back-tested "
            "forecast, then summed."
        )
        plain_table(proj.round(0), PROJECTION_COLUMNS)
        st.download_button(
            "Download the regional projection (CSV)",
            proj.to_csv(index=False).encode("utf-8"),
            file_name=f"region_projection_{region.replace(' ', '_')}.csv",
            mime="text/csv",
            key=PREFIX + "download_region",
        )
