"""Compare scenarios: save scenarios by name and compare up to four with the baseline."""

import functools
import json

import pandas as pd
import streamlit as st

from app_lib import budget_paper, charts, components, exports, runner, state, widgets, workspace
from app_lib import formatting as fmt
from app_lib.levers import changes
from csc_model import default_scenario

state.ensure()
components.page_header(
    "Compare scenarios",
    "Save scenarios under a name, then compare up to four of them with the baseline side by side.",
)

CURRENT = "Current scenario"
BASE_NAME = components.baseline_series_name()
RESERVED = (CURRENT, BASE_NAME, charts.BASELINE_NAME)
s, base = state.scenario(), state.baseline()


def _all_figures_csv(fy_frames: dict[str, pd.DataFrame]) -> bytes:
    """Every figure of every compared scenario and the baseline, values and differences (on click)."""
    return exports.csv_bytes(budget_paper.comparison_figures(fy_frames))


def _on_save() -> None:
    name = (st.session_state.get("save_name") or "").strip() or state.scenario().name
    problem = (
        "That name is used for another line on this page; choose another."
        if name in RESERVED
        else state.save_current(name)
    )
    if problem:
        state.record_errors("save", [problem])
        return
    state.record_errors("save", [])
    chosen = list(state.pref("compare") or [CURRENT])
    if name not in chosen and len(chosen) < 4:
        state.set_pref("compare", chosen + [name])
    state.notice("success", f"Saved as **{fmt.md_escape(name)}**.")


def _on_remove(name: str) -> None:
    state.saved().pop(name, None)


def _on_open(name: str) -> None:
    state.set_scenario(state.saved()[name], f"Now editing **{fmt.md_escape(name)}** (the saved copy is unchanged).")


def _baseline_label(choice: str, scn) -> str:
    """The name a new baseline gets when the user leaves the name box empty."""
    if choice != CURRENT:
        return choice
    defaults = default_scenario()
    if scn.name != defaults.name:
        return scn.name
    return f"{scn.name}, with {fmt.plural(len(changes(defaults, scn)), 'change')}"


def _on_make_baseline() -> None:
    choice = st.session_state.get("baseline_choice") or CURRENT
    if choice != CURRENT and choice not in state.saved():
        return  # removed in the meantime
    scn = state.scenario() if choice == CURRENT else state.saved()[choice]
    if scn == default_scenario():
        state.reset_baseline()
        state.notice("success", "That scenario is the defaults, so every page now compares with the defaults.")
        return
    label = (st.session_state.get("baseline_name") or "").strip() or _baseline_label(choice, scn)
    state.set_baseline(scn, label)
    st.session_state["baseline_name"] = ""
    state.notice(
        "success",
        f"Every page now compares with the baseline **{fmt.md_escape(state.baseline_label())}**. "
        "Go back to the defaults from the sidebar at any time.",
    )


# --- save ------------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("**Save the current scenario**")
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.text_input("Name for the saved scenario", key="save_name", placeholder=s.name, max_chars=60)
    row.button("Save current scenario", on_click=_on_save, icon=":material/bookmark_add:")
    for message in state.errors_for("save"):
        st.error(message)
    saved = state.saved()
    if saved:
        for name, scn in saved.items():
            line = st.container(horizontal=True, vertical_alignment="center")
            line.markdown(
                f"**{fmt.md_escape(name)}** · {fmt.plural(len(changes(base, scn)), 'change')} from the baseline"
            )
            line.button("Edit", key=f"open:{name}", on_click=_on_open, args=(name,), icon=":material/edit:")
            line.button("Remove", key=f"remove:{name}", on_click=_on_remove, args=(name,), icon=":material/delete:")
    else:
        st.caption("No saved scenarios yet. Change some levers, save, change again and save again to compare.")
    workspace.workspace_panel()

# --- the baseline ----------------------------------------------------------------------------
with st.container(border=True):
    st.markdown(f"**Baseline:** {fmt.md_escape(state.baseline_label())}")
    st.caption(
        "Every page compares with the baseline. Make the current scenario, or a saved one, the baseline to "
        "compare other scenarios with it (for example your own authority's figures). The baseline stays as it is "
        "when you go on changing the current scenario."
    )
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.selectbox("Scenario to use as the baseline", [CURRENT] + list(state.saved()), key="baseline_choice")
    row.text_input(
        "Name for the baseline (optional)",
        key="baseline_name",
        max_chars=60,
        placeholder="the scenario's name",
    )
    row.button("Use as the baseline", key="make_baseline", on_click=_on_make_baseline, icon=":material/flag:")

# --- choose ----------------------------------------------------------------------------------
options = [CURRENT] + [n for n in state.saved() if n != BASE_NAME]
chosen = widgets.pref_multiselect(
    "compare",
    "Scenarios to compare with the baseline (up to four)",
    options,
    default=options[:4],
    limit=4,
)
scenarios = {name: (s if name == CURRENT else state.saved()[name]) for name in chosen}
same = [name for name, scn in state.saved().items() if scn == s]
if CURRENT in scenarios and same:
    st.caption(f"The current scenario is the same as the saved scenario **{fmt.md_escape(same[0])}**.")
frames = {BASE_NAME: runner.tables(base)}
frames.update({name: runner.tables(scn) for name, scn in scenarios.items()})

if not scenarios:
    st.info("Choose at least one scenario above to compare it with the baseline.")
else:
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("##### Children in care")
        components.chart(
            charts.scenario_lines,
            {n: f.month for n, f in frames.items()},
            "children_in_care",
            "Children in care",
            baseline=BASE_NAME,
            alt="Line chart of children in care over time, one line per scenario.",
        )
        ends = ", ".join(
            f"{fmt.md_escape(n)} {fmt.children(f.fy['children_in_care'].iloc[-1])}" for n, f in frames.items()
        )
        st.markdown(f"Children in care at the end of the projection: {ends}.")
    with right:
        st.markdown("##### Placement spend by financial year")
        components.chart(
            charts.scenario_fy_bars,
            {n: f.fy for n, f in frames.items()},
            baseline=BASE_NAME,
            alt="Grouped bar chart of placement spend by financial year, one bar per scenario.",
        )
        totals = ", ".join(
            f"{fmt.md_escape(n)} {fmt.gbp_short(sum(fmt.shown(v, 'money') for v in f.fy['spend_gbp']))}"
            for n, f in frames.items()
        )
        st.markdown(f"Total placement spend over the projection: {totals}.")

    # --- the financial-year table ---------------------------------------------------------
    st.subheader("By financial year", anchor=False)
    measure = widgets.pref_choice("compare_measure", "Figure", list(exports.COMPARE_MEASURES))
    money = exports.COMPARE_MEASURES[measure] == "money"
    # written once server-wide for these scenarios, names and measure (the names label the rows)
    label = "compare:" + json.dumps([measure, BASE_NAME, *scenarios])

    def _written() -> tuple[str, str]:
        values, differences = exports.comparison_tables({n: f.fy for n, f in frames.items()}, measure)
        return components.written_table(values, money), components.written_table(differences, money, signed=True)

    values_md, differences_md = runner.derived(label, (base, *scenarios.values()), _written)
    st.markdown(f"**{measure}**")
    st.markdown(values_md)
    st.markdown(f"**Difference from the baseline: {fmt.lower_first(measure)}**")
    st.markdown(differences_md)
    st.caption(
        "Money to the nearest £1,000. Differences and totals are worked out from the figures as shown, so they add "
        "up. The downloads hold every figure (placement spend, budget, pressure, children in care at 31 March, "
        "children starting and leaving care) for the baseline and every scenario compared, not only the one above."
    )
    fy_frames = {n: f.fy for n, f in frames.items()}
    row = st.container(horizontal=True)
    row.download_button(
        "Download every figure (CSV)",
        data=functools.partial(_all_figures_csv, fy_frames),
        file_name="scenario-comparison-every-figure.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/csv:",
        key="download_comparison",
    )
    row.download_button(
        "Download every figure (Excel)",
        data=functools.partial(exports.comparison_workbook_bytes, fy_frames, scenarios, base),
        file_name="scenario-comparison.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/table_view:",
        key="download_comparison_xlsx",
    )

    # --- what drives the difference ------------------------------------------------------------
    st.subheader("Which levers drive the difference", anchor=False)
    explainable = [n for n, scn in scenarios.items() if changes(base, scn)]
    if not explainable:
        st.caption("The chosen scenarios are the same as the baseline, so there is no difference to explain.")
    else:
        c1, c2 = st.columns(2)
        target = c1.selectbox("Explain the difference for", explainable, key="explain_target")
        basis = c2.segmented_control(
            "Measure",
            # short: at 1280 px the second option was cut ("Children in care at the end") under the chart's toolbar
            ["Placement spend", "Children at the end"],
            default="Placement spend",
            required=True,
            key="explain_measure",
        )
        column = "spend_gbp" if basis.startswith("Placement") else "children_end"
        with st.spinner("Running each group of levers on its own …"):
            contrib = runner.lever_contributions(base, scenarios[target])
        components.chart(
            charts.drivers_chart,
            contrib,
            column,
            alt="Bar chart of the difference from the baseline made by each group of levers on its own.",
        )
        shown = contrib.assign(
            Difference=contrib[column].map(
                (lambda v: fmt.gbp_short(v, signed=True))
                if column == "spend_gbp"
                else (lambda v: fmt.children(v, signed=True))
            )
        )
        top = shown.loc[shown[column].abs().idxmax()]
        # the difference of the figures as every page shows them (money: the yearly £1,000 figures added up)
        target_fy, base_fy = runner.tables(scenarios[target]).fy, runner.tables(base).fy
        # in words ("£8.1m less"), not a signed figure ("by -£8.1m")
        if column == "spend_gbp":
            d = fmt.difference(
                sum(fmt.shown(v, "money") for v in target_fy["spend_gbp"]),
                sum(fmt.shown(v, "money") for v in base_fy["spend_gbp"]),
                "money",
            )
            words = (
                f"spends **{fmt.gbp_short(abs(d))} {'less' if d < 0 else 'more'}** than the baseline over the projection"
                if d
                else "spends the same as the baseline over the projection"
            )
        else:
            d = fmt.difference(target_fy["children_in_care"].iloc[-1], base_fy["children_in_care"].iloc[-1], "children")
            words = (
                f"has **{fmt.children(abs(d))} {'fewer' if d < 0 else 'more'} children in care** than the baseline at "
                "the end of the projection"
                if d
                else "has as many children in care as the baseline at the end of the projection"
            )
        st.markdown(
            f"**{fmt.md_escape(target)}** {words}. The biggest part comes from **{top['group'].lower()}** "
            f"({top['Difference']})."
        )
        st.caption(
            "Each bar runs the baseline with only that group's changes. What the groups do not explain on their own "
            "is the combined effect of changes acting together."
        )
        with st.expander("Table: difference by group of levers"):
            components.table(shown[["group", "Difference"]].rename(columns={"group": "Group of levers"}))
