"""Scenario builder: every lever of the model, grouped, with units, help and sources."""

import datetime as dt

import pandas as pd
import streamlit as st

from app_lib import components, exports, runner, state, uploads, widgets
from app_lib import formatting as fmt
from app_lib.levers import GROUPS, OUTCOME_LABELS, STAGE_KEY_LABELS, value_at
from csc_model.reporting.results import usual_budget
from csc_model.scenario import AGE_BAND_LABELS, AGE_BANDS
from csc_model.scenario.calendar import add_years, fy_from_label, fy_label, fy_start_year
from csc_model.scenario.config import load_placement_types, source_for

state.ensure()
components.page_header(
    "Scenario builder",
    "Change any assumption: single values update the figures below straight away; groups of shares that must "
    "add up to 100% (age mix, outcomes, placement mix) change together when you press their Apply button. "
    "Presets add to your own changes.",
)

s, base = state.scenario(), state.baseline()
t, bt = runner.tables(s), runner.tables(base)
changed = s != base
fy0, last = t.fy.iloc[0], t.fy.iloc[-1]
same_years = list(t.fy["period"]) == list(bt.fy["period"])
same_first = fy0["period"] == bt.fy["period"].iloc[0]  # a baseline may start in another year

# --- the result of the changes, always in view ------------------------------------------
cols = st.columns(4)
components.metric(
    cols[0],
    f"Children in care at {fmt.short_date(last['period_end'])}",
    last["children_in_care"],
    bt.fy["children_in_care"].iloc[-1],
    "children",
    changed and same_years,
)
components.metric(
    cols[1], f"Spend {fy0['period']}", fy0["spend_gbp"], bt.fy["spend_gbp"].iloc[0], "money", changed and same_first
)
components.metric(
    cols[2],
    f"Pressure {fy0['period']}",
    fy0["pressure_gbp"],
    bt.fy["pressure_gbp"].iloc[0],
    "money",
    changed and same_first,
)
components.metric(
    cols[3],
    f"Spend over {fmt.plural(len(t.fy), 'year')}",
    t.fy["spend_gbp"].map(fmt.round_thousand).sum(),  # the sum of the table's yearly figures
    bt.fy["spend_gbp"].map(fmt.round_thousand).sum(),
    "money",
    changed and same_years,
)
# Always one caption here, so that the tabs below keep their place in the page: when it came
# and went with the first change, Streamlit drew the tabs afresh and went back to the first one.
st.caption(components.DELTA_NOTE if changed else "Change any figure below; the results above follow.")

with st.container(border=True):
    st.markdown("**Presets** · one click each; they combine with each other and with your own changes.")
    components.preset_buttons()

placements = load_placement_types()
place_labels = {p.id: p.label for p in placements}
label_ids = {p.label: p.id for p in placements}


def mix_editor(path: str, title: str) -> None:
    """Placement mix by age band, in %, one column per age band."""
    mix = value_at(s, path)
    frame = pd.DataFrame({"Placement type": [p.label for p in placements]})
    for band in AGE_BANDS:
        frame[AGE_BAND_LABELS[band]] = [round(mix[band].get(p.id, 0.0) * 100, 4) for p in placements]

    def to_value(edited: pd.DataFrame) -> dict:
        out = {}
        for band in AGE_BANDS:
            col = edited[AGE_BAND_LABELS[band]]
            if col.isna().any():
                raise ValueError(f"fill in every share for {AGE_BAND_LABELS[band]}")
            out[band] = {label_ids[lbl]: float(v) / 100 for lbl, v in zip(edited["Placement type"], col, strict=True)}
        return out

    config = {"Placement type": st.column_config.TextColumn(disabled=True)}
    for band in AGE_BANDS:
        config[AGE_BAND_LABELS[band]] = st.column_config.NumberColumn(
            AGE_BAND_LABELS[band] + " (%)", min_value=0.0, max_value=100.0, step=0.1, format="%.1f"
        )
    widgets.table_editor(path, frame, to_value, title, "Apply placement mix", config)


# Only the open tab runs (Streamlit's stateful tabs): a rerun draws one group's levers, not all seven
# groups' 66 number boxes (each costs the shared server a pass over the session's state). Switching
# tabs is a rerun; each lever takes its value from the scenario whenever its tab opens.
tabs = st.tabs(list(GROUPS), key="builder:tab", on_change="rerun")
OPEN = {group for group, tab in zip(GROUPS, tabs, strict=True) if tab.open}

# --- Entries -----------------------------------------------------------------------------
if "Entries" in OPEN:
    with tabs[GROUPS.index("Entries")]:
        c1, c2 = st.columns(2, gap="large")
        with c1:
            widgets.number("entries.weekly_rate")
            st.caption(f"That is about {fmt.children(s.entries.weekly_rate * 52)} children a year.")
            widgets.number("entries.annual_trend")
        with c2:
            st.markdown("**Edge-of-care work**")
            widgets.number("entries.prevented_share")
            widgets.date("entries.prevention_start")

        st.markdown("**One-off surges in entries** (for example several large sibling groups)")
        surges = value_at(s, "entries.surges")
        if not surges:
            st.caption("No surge in this scenario.")

        def _remove_surge(i: int) -> None:
            rest = [x for j, x in enumerate(value_at(state.scenario(), "entries.surges")) if j != i]
            state.apply_changes({"entries.surges": rest}, "entries.surges")

        for i, surge in enumerate(surges):
            row = st.container(horizontal=True, vertical_alignment="center")
            row.markdown(
                f"Surge {i + 1}: **{fmt.number(surge['extra_children'])} extra children** over {surge['weeks']} weeks "
                f"from {fmt.long_date(dt.date.fromisoformat(surge['start_date']))}"
            )
            row.button("Remove", key=f"remove_surge:{i}", on_click=_remove_surge, args=(i,), icon=":material/delete:")

        def _add_surge() -> None:
            new = {
                "start_date": st.session_state["new_surge_start"].isoformat(),
                "weeks": int(st.session_state["new_surge_weeks"]),
                "extra_children": float(st.session_state["new_surge_children"]),
            }
            current = value_at(state.scenario(), "entries.surges")
            state.apply_changes({"entries.surges": current + [new]}, "entries.surges")

        with st.form("add_surge", border=True):
            f1, f2, f3 = st.columns(3)
            f1.date_input(
                "Surge starts", value=s.start_date + dt.timedelta(weeks=13), key="new_surge_start", format="DD/MM/YYYY"
            )
            f2.number_input("Surge length (weeks)", min_value=1, max_value=520, value=20, step=1, key="new_surge_weeks")
            f3.number_input(
                "Extra children in the surge",
                min_value=0.0,
                max_value=5000.0,
                value=12.0,
                step=1.0,
                format="%.0f",
                key="new_surge_children",
            )
            st.form_submit_button("Add surge", on_click=_add_surge, icon=":material/add:")
        widgets.show_errors("entries.surges")
        st.caption(f"Source of the default: {source_for('entries.surges').cited}")

        # drawn only when opened (a stateful expander): its three forms and table were a fifth of a rerun here
        who = st.expander(
            "Who enters care: age, legal route and first placement", key="builder:who_enters", on_change="rerun"
        )
        if who.open:
            with who:
                widgets.shares_form(
                    "entries.age_band_shares", AGE_BAND_LABELS, "Age mix of children entering care", "Apply age mix"
                )
                widgets.shares_form(
                    "entries.s20_share_by_age_band",
                    AGE_BAND_LABELS,
                    "Share entering under section 20, by age (the rest enter through care proceedings)",
                    "Apply section 20 shares",
                    must_total=False,
                )
                mix_editor(
                    "entries.placement_mix_by_age_band", "First placement of children entering care, by age band (%)"
                )

# --- Court proceedings ----------------------------------------------------------------------
if "Court proceedings" in OPEN:
    with tabs[GROUPS.index("Court proceedings")]:
        c1, c2 = st.columns(2, gap="large")
        with c1:
            widgets.number("proceedings.mean_weeks")
            widgets.number("proceedings.erlang_order")
            widgets.number("proceedings.backlog_mean_remaining_weeks")
        with c2:
            st.markdown("**Improvement target**")
            if widgets.optional_number(
                "proceedings.target_mean_weeks", "Set a target average length of proceedings", on_value=26.0
            ):
                widgets.date("proceedings.target_from_date")
                widgets.date("proceedings.target_by_date")
        st.caption(
            f"In this scenario {fmt.children(fy0['in_proceedings'])} children are in care proceedings at "
            f"{fmt.long_date(fy0['period_end'])} ({fmt.children(bt.fy['in_proceedings'].iloc[0])} in the baseline)."
        )

# --- Exits and permanence -------------------------------------------------------------------
if "Exits and permanence" in OPEN:
    with tabs[GROUPS.index("Exits and permanence")]:
        widgets.shares_form(
            "proceedings.outcome_shares", OUTCOME_LABELS, "Outcomes at the final hearing", "Apply outcomes"
        )
        c1, c2, c3 = st.columns(3, gap="large")
        with c1:
            st.markdown("**Section 20**")
            widgets.number("s20.mean_weeks_to_return_home")
            widgets.number("s20.annual_share_to_proceedings")
        with c2:
            st.markdown("**Placement order (plan for adoption)**")
            widgets.number("placement_order.mean_weeks_to_placement")
            widgets.number("placement_order.share_not_adopted")
            widgets.number("placement_order.mean_weeks_placed_to_order")
        with c3:
            st.markdown("**Care order**")
            widgets.number("care_order.annual_discharge_home")
            widgets.number("care_order.annual_sgo")
            widgets.number("care_order.annual_other")

# --- Placements ------------------------------------------------------------------------------
if "Placements" in OPEN:
    with tabs[GROUPS.index("Placements")]:
        st.markdown("**Placement sufficiency:** move children from one placement type to another each year")
        c1, c2 = st.columns(2, gap="large")
        with c1:
            widgets.placement("placements.shift.from_type", caption=True)
            widgets.placement("placements.shift.to_type")
        with c2:
            widgets.number("placements.shift.children_per_year")
            widgets.date("placements.shift.start_date")

        moves = value_at(s, "placements.moves")
        move_frame = pd.DataFrame(
            {
                "From": [place_labels.get(m["from_type"], m["from_type"]) for m in moves],
                "To": [place_labels.get(m["to_type"], m["to_type"]) for m in moves],
                "Share moving each year (%)": [round(m["annual_rate"] * 100, 4) for m in moves],
            }
        )

        def moves_value(edited: pd.DataFrame) -> list:
            out = []
            for row in edited.itertuples(index=False):
                a, b, rate = row
                if not isinstance(a, str) or not isinstance(b, str) or rate is None or pd.isna(rate):
                    raise ValueError("every row needs a 'from' type, a 'to' type and a share")
                out.append({"from_type": label_ids[a], "to_type": label_ids[b], "annual_rate": float(rate) / 100})
            return out

        widgets.table_editor(
            "placements.moves",
            move_frame,
            moves_value,
            "Usual moves between placements (step-down and step-up); add or delete rows",
            "Apply moves",
            {
                "From": st.column_config.SelectboxColumn(options=list(label_ids), required=True),
                "To": st.column_config.SelectboxColumn(options=list(label_ids), required=True),
                "Share moving each year (%)": st.column_config.NumberColumn(
                    min_value=0.0, max_value=100.0, step=0.5, format="%.1f", required=True
                ),
            },
            dynamic_rows=True,
        )

# --- Costs and budget ------------------------------------------------------------------------
if "Costs and budget" in OPEN:
    with tabs[GROUPS.index("Costs and budget")]:
        st.markdown(f"**Weekly price by placement type** (at {s.costs.price_base_year} prices)")
        for start in range(0, len(placements), 3):
            price_cols = st.columns(3, gap="medium")
            for col, p in zip(price_cols, placements[start : start + 3], strict=False):
                widgets.number(f"costs.weekly_price_gbp.{p.id}", label=f"{p.label} (£ a week)", where=col)
        c1, c2 = st.columns(2, gap="large")
        with c1:
            widgets.text("costs.price_base_year")
            if fy_from_label(s.costs.price_base_year) > fy_start_year(
                s.start_date
            ):  # allowed (a back-test quotes later prices), but say so
                st.info(
                    f"The prices are quoted at {s.costs.price_base_year} prices, a later year than the projection's "
                    f"first ({fy_label(fy_start_year(s.start_date))}): each earlier year's price is the quoted price "
                    "taken back by that year's inflation."
                )
            widgets.number("costs.annual_inflation")
        with c2:
            widgets.number("costs.budget_first_year_gbp")
            widgets.number("costs.budget_annual_uplift")

        first = fy_start_year(s.start_date)
        years = [fy_label(first + i) for i in range(s.years)]
        st.markdown("**Inflation in particular years** (leave blank for the usual rate)")
        infl_cols = st.columns(min(len(years), 5))
        usual = fmt.pct(s.costs.annual_inflation)  # short enough for the box: "4.0%"
        for i, year in enumerate(years):
            widgets.override(
                "costs.inflation_overrides", year, f"{year} (%)", usual, where=infl_cols[i % len(infl_cols)]
            )
        st.markdown("**Budget in particular years** (leave blank for the uplifted budget)")
        budget_cols = st.columns(min(len(years), 5))
        for i, year in enumerate(years):
            uplifted = usual_budget(s, first + i)  # grown from the first year or the latest earlier override
            widgets.override(
                "costs.budget_overrides",
                year,
                f"{year} (£m)",
                fmt.gbp_short(uplifted),  # the uplifted budget: what a blank box means
                where=budget_cols[i % len(budget_cols)],
            )

# --- Starting position -----------------------------------------------------------------------
if "Starting position" in OPEN:
    with tabs[GROUPS.index("Starting position")]:
        st.markdown(f"**Children in care on {fmt.long_date(s.start_date)}, by legal stage**")
        stage_cols = st.columns(len(STAGE_KEY_LABELS))
        for col, (key, label) in zip(stage_cols, STAGE_KEY_LABELS.items(), strict=True):
            widgets.number(f"initial.stage_counts.{key}", label=f"{label} (children)", where=col, caption=False)
        st.caption(
            f"Total {fmt.children(s.initial.total)} children. Source of the defaults: "
            f"{source_for('initial.stage_counts').cited}"
        )
        widgets.shares_form("initial.age_band_shares", AGE_BAND_LABELS, "Age mix of children in care", "Apply age mix")
        widgets.number("initial.placement_order_placed_share")
        mix_editor("initial.placement_mix_by_age_band", "Placement mix of children in care, by age band (%)")

# --- Projection --------------------------------------------------------------------------------
if "Projection" in OPEN:
    with tabs[GROUPS.index("Projection")]:
        c1, c2 = st.columns(2, gap="large")
        with c1:
            widgets.text("name")
        with c2:
            widgets.date("start_date")
            widgets.number("years")
        end = add_years(s.start_date, s.years) - dt.timedelta(days=1)
        st.caption(f"The projection runs from {fmt.long_date(s.start_date)} to {fmt.long_date(end)}.")

# --- Scenario files --------------------------------------------------------------------------
st.divider()
st.subheader("Save or load a scenario file", anchor=False)
c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown(
        "Download the scenario as a JSON file to keep it, send it to a colleague or load it again later. "
        "The file holds every assumption, so it reproduces these figures exactly."
    )
    st.download_button(
        "Download scenario (JSON)",
        data=exports.scenario_json_bytes(s),
        file_name=f"{exports.file_stem(s)}.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
        key="builder_download_json",
    )


def _on_upload() -> None:
    file = st.session_state.get("upload_scenario")
    if file is None:
        return
    scenario, problems = uploads.read_scenario(file.name, file.size, file.getvalue)
    if scenario is None:
        state.record_errors("upload", problems)
        return
    state.set_scenario(scenario, f"Loaded **{fmt.md_escape(scenario.name)}** from {fmt.md_escape(file.name)}.")


with c2:
    st.file_uploader(
        "Load a scenario file (JSON, at most 1 MB)",
        type=["json"],
        key="upload_scenario",
        on_change=_on_upload,
        max_upload_size=1,
        help="A file downloaded from this app. A file with problems is not loaded and the current scenario is kept.",
    )
    problems = state.errors_for("upload")
    if problems:
        st.error("\n".join(problems) + "\n\nThe current scenario has not been changed.", icon=":material/error:")
