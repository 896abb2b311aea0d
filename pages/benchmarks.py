"""Benchmarks: an authority's published figures against its statistical neighbours, its region and
England over the years published; the authorities of a region side by side and summed into a
regional projection; and the "Start from your authority" widget.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from app_lib import charts_published as charts
from app_lib import components, state
from app_lib import published_page as widget
from csc_model.published import data as pub
from csc_model.published.benchmarks import INDICATORS, region_projection

PREFIX = "bench:"
DEFAULT_AUTHORITY = widget.DEFAULT_AUTHORITY


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
applied = ss.get(widget.REPORT)
if PREFIX + "authority" not in ss:
    chosen = ss.get(PREFIX + "start:authority") or DEFAULT_AUTHORITY
    ss[PREFIX + "authority"] = chosen if chosen in codes else codes[0]
code = st.selectbox(
    "Authority to benchmark",
    codes,
    format_func=dict(options).get,
    key=PREFIX + "authority",
    on_change=lambda: ss.pop(PREFIX + "region", None),  # the region follows the authority
    help="Its ten statistical neighbours are DfE's (2025 model): the authorities most like it.",
)
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
    wide = cmp_df.pivot_table(index=["label", "unit", "group"], columns="year", values="value").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.rename(columns={"label": "Indicator", "unit": "Unit", "group": "Who"})
    st.dataframe(wide, hide_index=True, width="stretch")
    st.download_button(
        "Download the table (CSV)",
        cmp_df.to_csv(index=False).encode("utf-8"),
        file_name=f"benchmarks_{auth.code}.csv",
        mime="text/csv",
        key=PREFIX + "download",
        icon=":material/download:",
    )
with tabs[4]:
    region = st.selectbox(
        "Region",
        pub.regions(),
        index=list(pub.regions()).index(auth.region),
        key=PREFIX + "region",
        help="As DfE's tables name them: London is split into Inner and Outer London.",
    )
    rt = widget.region_table_of(region)
    components.chart(charts.region_bars, rt, "in_care_per_10k", highlight=auth.name)
    st.dataframe(rt, hide_index=True, width="stretch")
    latest = pub.latest_year()
    horizon = st.slider("Years to project", 1, 5, 3, key=PREFIX + "region_years")
    if st.button("Project the region", key=PREFIX + "project"):
        ss[PREFIX + "projected"] = (region, horizon)
    if ss.get(PREFIX + "projected") == (region, horizon):
        proj = _region_projection(region, latest, horizon)
        components.chart(charts.region_projection_chart, proj)
        st.caption(
            f"Each authority projected from its own published figures at 31 March {latest} (rates inside care, "
            "prices and budget from the defaults), its entries set so that its first year ends at the back-tested "
            "forecast, then summed."
        )
        st.dataframe(proj, hide_index=True, width="stretch")
        st.download_button(
            "Download the regional projection (CSV)",
            proj.to_csv(index=False).encode("utf-8"),
            file_name=f"region_projection_{region.replace(' ', '_')}.csv",
            mime="text/csv",
            key=PREFIX + "download_region",
        )
