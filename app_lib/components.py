"""Pieces every page shares: the header, the sidebar, presets, headline metrics and tables."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import streamlit as st

from csc_model import Scenario, ScenarioError, default_scenario
from csc_model.scenario import presets
from csc_model.scenario.presets import PRESETS, apply_preset

from . import budget_paper, charts, exports, runner, state, urlstate, widgets
from . import formatting as fmt
from .levers import changes, describe_path, friendly_issues, show_value
from .runner import Tables

DELTA_NOTE = "The small figure under a number is its difference from the baseline."
LONG_LINK = 400  # characters; a longer share link is folded away in the sidebar
MAX_CHANGES_LISTED = 12  # changes listed in the sidebar; the rest are counted


def page_header(title: str, intro: str) -> None:
    """Title, one line saying what the page is for, the scenario name, and waiting messages."""
    st.title(title, anchor=False)
    s = state.scenario()
    n = len(changes(state.baseline(), s))
    st.caption(
        f"{intro}  \nScenario: **{fmt.md_escape(s.name)}** · "
        f"{fmt.plural(n, 'change')} from the baseline · compared with the baseline "
        f"({fmt.md_escape(state.baseline_label())})."
    )
    show_notices()


def baseline_series_name() -> str:
    """The baseline's name in chart legends and comparison tables ("Baseline (defaults)" by default)."""
    return charts.baseline_name(state.baseline_label() if state.custom_baseline() else None)


def _on_defaults_as_baseline() -> None:
    state.reset_baseline()
    state.notice("success", "Now comparing with the defaults again.")


def show_notices() -> None:
    for kind, text in state.pop_notices():
        {"success": st.success, "error": st.error}.get(kind, st.info)(text)


# ---------------------------------------------------------------------------
# Presets
# ---------------------------------------------------------------------------


def _on_preset(key: str) -> None:
    try:
        new = apply_preset(state.scenario(), key)
    except ScenarioError as exc:
        state.notice(
            "error", "The preset could not be applied:\n\n" + "\n".join(f"- {m}" for m in friendly_issues(exc.issues))
        )
        return
    title = PRESETS[key].title_for(state.scenario())
    state.set_scenario(new, f"Applied: {title}. It adds to any other changes you made.")


def preset_in_effect(s: Scenario, key: str) -> bool:
    """True when applying the preset would change nothing (it is already part of ``s``)."""
    return _preset_in_effect(s.to_json(indent=None), key)


@functools.lru_cache(maxsize=256)
def _preset_in_effect(scenario_json: str, key: str) -> bool:
    # keyed by the scenario's JSON (encoded once per scenario): hashing the nested dataclass itself
    # on every rerun, for every preset, cost 2% of the shared server's CPU
    return presets.in_effect(Scenario.from_json(scenario_json), key)


def preset_buttons(where: Any = st) -> None:
    """One button per preset; each applies on top of the current scenario."""
    s = state.scenario()
    box = where.container(horizontal=True, gap="small")
    for key, preset in PRESETS.items():
        in_effect = preset_in_effect(s, key)
        box.button(
            preset.title_for(s),
            key=f"preset:{key}",
            help=preset.description_for(s) + (" (already in effect)" if in_effect else ""),
            on_click=_on_preset,
            args=(key,),
            disabled=in_effect,
            icon=":material/check:" if in_effect else ":material/add:",
        )


# ---------------------------------------------------------------------------
# Metrics and tables
# ---------------------------------------------------------------------------


def metric(
    where: Any,
    label: str,
    value: float,
    base: float,
    kind: str,
    changed: bool,
    help: str | None = None,
    more_is_better: bool = False,
) -> None:
    """A headline figure with its difference from the baseline (none when nothing is changed).

    ``kind`` is "children", "money" or "weekly"; more children or more money shows red, except where
    ``more_is_better`` (a budget: more of it lowers the pressure, so it shows green). The
    figure and its difference are those of the tables and exports (:func:`fmt.shown`,
    :func:`fmt.difference_text`): the difference of the rounded figures, never a rounded
    difference, so a card and the table under it never differ by a child or £1k.
    """
    show = {"children": fmt.children, "money": fmt.gbp_short, "weekly": fmt.gbp_exact}[kind]
    shown_delta = fmt.difference_text(value, base, kind) if changed and fmt.difference(value, base, kind) else None
    where.metric(
        label,
        show(value),
        delta=shown_delta,
        delta_color="normal" if more_is_better else "inverse",
        # no "vs baseline" on each card: on a laptop screen it was cut to "vs bas…"; the
        # pages say once what the small figures are (DELTA_NOTE)
        help=help,
        border=True,
    )


def _is_money(name: str) -> bool:
    return "(£)" in name or name[:2] == "20" or name == "Total"


def _pounds(v: Any, signed: bool = False) -> str:
    return fmt.gbp_exact(float(v), signed=signed)


def _count(v: Any, signed: bool = False) -> str:
    return f"{int(v):+,}" if signed and int(v) else f"{int(v):,}"


def shown_table(df: pd.DataFrame, money: bool | None = None, signed: bool = False) -> pd.DataFrame:
    """``df`` with its figures written as :func:`table` shows them: money columns (named with (£), or
    financial years and Total when ``money`` is not False) as -£1,234,000, other numbers with thousands
    separators, a missing figure as blank; text columns as they are. ``signed``: a table of differences,
    increases written with a "+" (+£986,000, +6) as on the Overview and in the exports."""
    columns: dict[Any, Any] = {}
    for c in df.columns:
        col = df[c]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            columns[c] = col.to_numpy()
            continue
        write = _pounds if money is not False and _is_money(str(c)) else _count
        columns[c] = ["" if pd.isna(v) else write(v, signed) for v in col]
    return pd.DataFrame(columns, index=df.index)


def markdown_table(shown: pd.DataFrame, right: Iterable[str]) -> str:
    """``shown`` (cells already written as text) as a GitHub-flavoured Markdown table, the ``right``
    columns right-aligned as figures are; every cell is made inert, so a name typed by a user never
    becomes a link, emphasis or HTML."""
    right = set(right)

    def cell(v: Any) -> str:
        text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
        return fmt.md_escape(" ".join(text.split()))

    lines = [
        "| " + " | ".join(cell(c) for c in shown.columns) + " |",
        "| " + " | ".join("---:" if str(c) in right else ":---" for c in shown.columns) + " |",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in shown.itertuples(index=False, name=None)]
    return "\n".join(lines)


def text_table(shown: pd.DataFrame, right: list[str]) -> None:
    """A read-only table of figures already written as text (e.g. £38,106,000), every row in view, the
    ``right`` columns right-aligned as figures are.

    A Markdown table, not ``st.dataframe``: the interactive grid made the browser load and run half a
    megabyte of script before any figure on the page appeared, and a plain table pastes into a budget
    paper (Word or Excel) with its rows and columns. Text, not numbers with a pandas Styler (a fifth of
    an Overview rerun on the shared server); the downloads keep the numbers.
    """
    st.markdown(markdown_table(shown, right))


HTML_TABLE_STYLE = (
    "<style>.csc-table{border-collapse:collapse;margin:0 0 1rem 0;line-height:1.6;width:auto !important;"
    "table-layout:auto !important;min-width:0 !important;max-width:100%}"
    ".csc-table th,.csc-table td{border:1px solid #D5DCE4;padding:0.25rem 0.6rem;text-align:left;"
    "vertical-align:top}.csc-table th{font-weight:600}.csc-table .r{text-align:right;white-space:nowrap}"
    ".csc-scroll{overflow-x:auto;max-width:100%}</style>"
)
"""The look of the Markdown tables (borders in the theme's colour, a bold header, figures to the right)."""


def html_table_markup(shown: pd.DataFrame, right: Iterable[str]) -> str:
    """``shown`` (cells already written as text) as an HTML table, every cell escaped (nothing in it is
    read as markup), the ``right`` columns right-aligned as figures are."""
    right = {str(c) for c in right}

    def cell(tag: str, column: Any, v: Any) -> str:
        text = "" if v is None or (isinstance(v, float) and v != v) else " ".join(str(v).split())
        align = ' class="r"' if str(column) in right else ""
        return f"<{tag}{align}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", c, c) for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(cell("td", c, v) for c, v in zip(shown.columns, row, strict=True)) + "</tr>"
        for row in shown.itertuples(index=False, name=None)
    )
    # a wide table (a scenario over other years than its baseline: seven years and a total) scrolls
    # sideways inside its own box instead of running off the page
    return (
        f'{HTML_TABLE_STYLE}<div class="csc-scroll"><table class="csc-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def figures_table(shown: pd.DataFrame, right: list[str]) -> None:
    """:func:`text_table` drawn as HTML, for a long table on a page's first screen visit (the Overview's).

    The browser parses a Markdown table with the rest of the page's text before it draws anything: the
    Overview's two tables held its first figures back by about 0.2 s (alternated sessions). An HTML
    element is drawn a moment after the first figures, and it pastes into a budget paper the same way.
    """
    st.html(html_table_markup(shown, right))


def table(df: pd.DataFrame, money: bool | None = None) -> None:
    """A read-only table for a budget paper, every row in view, figures written as :func:`shown_table`."""
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    text_table(shown_table(df, money), [str(c) for c in numeric])


def cached_table(
    name: str, scenarios: tuple[Scenario, ...], work: Callable[[], pd.DataFrame], money: bool | None = None
) -> None:
    """:func:`table` of ``work()``, a table that depends only on ``name`` and ``scenarios``: written once
    server-wide (:func:`runner.derived`), so a rerun that shows it again only sends the text."""

    st.markdown(runner.derived(name, scenarios, lambda: written_table(work(), money)))


def cached_figures_table(
    name: str, scenarios: tuple[Scenario, ...], work: Callable[[], pd.DataFrame], money: bool | None = None
) -> None:
    """:func:`cached_table` drawn as :func:`figures_table`."""

    def markup() -> str:
        shown = shown_table(work(), money)
        return html_table_markup(shown, figure_columns(shown))

    st.html(runner.derived(name + ":html", scenarios, markup))


def written_table(df: pd.DataFrame, money: bool | None = None, signed: bool = False) -> str:
    """``df`` as :func:`table` draws it, as Markdown text (to keep in a cache and draw with ``st.markdown``);
    ``signed`` for a table of differences."""
    shown = shown_table(df, money, signed)
    return markdown_table(shown, figure_columns(shown))


_FIGURE = re.compile(r"^[-+]?£?[\d,]+(\.\d+)?%?$")


def figure_columns(shown: pd.DataFrame) -> list[str]:
    """The columns of a table of written figures that hold figures only (blanks allowed): right-aligned."""
    return [
        str(c)
        for c in shown.columns
        if shown[c].map(lambda v: isinstance(v, str) and (v == "" or bool(_FIGURE.match(v)))).all()
        and (shown[c] != "").any()
    ]


# ---------------------------------------------------------------------------
# Sidebar
# ---------------------------------------------------------------------------


def sidebar(tables: Tables, page_path: str = "") -> None:
    """Scenario name, changes from the baseline, the baseline in use, reset, share link and downloads.

    ``page_path`` is the url path of the page being shown (the share link points at the app's root).
    """
    s = state.scenario()
    diffs = changes(state.baseline(), s)
    custom = state.custom_baseline()
    label = fmt.md_escape(state.baseline_label())
    with st.sidebar:
        st.markdown("**Current scenario**")
        st.markdown(fmt.md_escape(s.name))
        st.caption(f"{fmt.plural(len(diffs), 'change')} from the baseline")
        if diffs:
            with st.expander("What has changed", expanded=False):
                items = list(diffs.items())
                lines = [
                    f"- {fmt.md_escape(describe_path(path))}: "
                    f"{fmt.md_escape(show_value(path, old))} → **{fmt.md_escape(show_value(path, new))}**"
                    for path, (old, new) in items[:MAX_CHANGES_LISTED]
                ]
                st.markdown("\n".join(lines))
                if len(items) > MAX_CHANGES_LISTED:  # e.g. a starting position from your own data
                    sections = sorted({describe_path(p).split(":")[0] for p, _ in items[MAX_CHANGES_LISTED:]})
                    st.caption(
                        f"and {len(items) - MAX_CHANGES_LISTED} more, in: {fmt.md_escape(', '.join(sections[:6]))}"
                        + (" …" if len(sections) > 6 else "")
                        + ". The Scenario builder shows every value."
                    )
        st.button(
            "Reset to defaults",
            key="reset",
            on_click=state.reset,
            disabled=s == default_scenario(),
            help="Put every assumption of the current scenario back to the bundled defaults.",
            icon=":material/restart_alt:",
            width="stretch",
        )
        if custom:
            st.markdown(f"**Baseline:** {label}")
            st.caption("Every page compares the current scenario with this baseline instead of the defaults.")
            st.button(
                "Compare with the defaults",
                key="defaults_as_baseline",
                on_click=_on_defaults_as_baseline,
                help="Go back to the bundled defaults as the baseline (the current scenario is not changed).",
                icon=":material/undo:",
                width="stretch",
            )
        st.markdown("**Share this scenario**")
        chosen = (state.baseline(), state.baseline_label()) if custom else ()
        link = urlstate.share_url(st.context.url, urlstate.link_params(s, *chosen), page_path)
        # A popover draws its contents only when opened: st.code's copy button needs the browser to
        # load a 1.5 MB syntax highlighter, which cost every page about a second before its figures.
        with st.popover(
            "Link to this scenario" if len(link) <= LONG_LINK else f"Link to this scenario ({len(link):,} characters)",
            icon=":material/link:",
            width="stretch",
        ):
            st.code(link, language=None, wrap_lines=True)
            st.caption("Copy the link with the button at its right.")
        st.caption(
            f"The link opens the overview of this scenario, compared with your baseline ({label})."
            if custom
            else "The link opens the overview of this scenario, with its changes from the defaults."
        )
        advice = urlstate.link_advice(link)
        if advice:
            st.caption(advice)
        st.markdown("**Download**")
        stem = exports.file_stem(s)
        # the range of outcomes goes into the workbook when it has been worked out (never started here)
        band = runner.cached(s, runs=int(state.pref("runs"))) if state.pref("stochastic") else None
        base_t = runner.tables(state.baseline())
        st.download_button(
            "Projection (Excel)",
            data=functools.partial(
                exports.workbook_bytes,
                s,
                tables.fy,
                tables.month,
                tables.placement_fy,
                band.fy if band is not None else None,
                baseline=state.baseline(),
                baseline_fy=base_t.fy,
                baseline_month=base_t.month,
                baseline_label=state.baseline_label() if custom else None,
                stage_month=tables.stage_month,
                spec_of=runner.chart_spec,
            ),
            file_name=f"{stem}-projection.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            icon=":material/table_view:",
            width="stretch",
            key="download_xlsx",
        )
        st.download_button(
            "By financial year (CSV)",
            data=functools.partial(_fy_csv, tables.fy, base_t.fy),
            file_name=f"{stem}-by-financial-year.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/csv:",
            width="stretch",
            key="download_csv",
        )
        st.download_button(
            "Scenario (JSON)",
            data=functools.partial(exports.scenario_json_bytes, s),
            file_name=f"{stem}.json",
            mime="application/json",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            key="download_json",
        )
        d = default_scenario()
        if s.initial != d.initial:
            # a starting position of its own (e.g. from Load your data or published figures): prices and the
            # budget may still be the illustrative authority's (published figures set a placeholder budget)
            same_budget = (s.costs.budget_first_year_gbp, s.costs.budget_overrides) == (
                d.costs.budget_first_year_gbp,
                d.costs.budget_overrides,
            )
            stale = [
                w
                for w, same in (
                    ("prices", s.costs.weekly_price_gbp == d.costs.weekly_price_gbp),
                    ("the budget", same_budget),
                )
                if same
            ]
            note = "Check every assumption before quoting"
            if stale:
                verb = "are" if len(stale) > 1 or stale == ["prices"] else "is"
                note += f": {' and '.join(stale)} {verb} still the illustrative authority's"
            st.caption(note + ".")
        else:
            st.caption("Illustrative defaults shaped on published figures: check every assumption before quoting.")


def _fy_csv(fy: pd.DataFrame, baseline_fy: pd.DataFrame) -> bytes:
    return exports.csv_bytes(budget_paper.budget_paper_table(fy, baseline_fy))


def _on_stop_range() -> None:
    """Stop button: the range is switched off before the next run draws the switch."""
    state.set_pref("stochastic", False)
    st.session_state[widgets.pref_key("stochastic")] = False
    state.notice("info", "The range of outcomes was stopped. Switch it on again to work it out.")


def range_tables(scenario: Scenario, runs: int) -> Tables | None:
    """The stochastic projection for the range of outcomes, with a progress bar and a Stop button.

    Runs one at a time in the whole server: while others are running this shows its place in
    line. Stop (or any other change) ends the run at once; nothing is kept of it.
    """
    hit = runner.cached(scenario, runs=runs)
    if hit is not None:
        return hit
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text=f"Working out the range from {runs} simulated futures …")
        st.button(
            "Stop",
            key="stop_range",
            icon=":material/stop_circle:",
            on_click=_on_stop_range,
            help="Stops working out the range; the expected figures stay on the page.",
        )

    def show(share: float, what: str) -> None:
        if what.startswith("waiting:"):
            ahead = int(what.split(":", 1)[1])
            text = f"Waiting for {fmt.plural(ahead, 'other range')} to be worked out first …"
        elif what == "same":
            text = "The same range is being worked out for someone else: waiting for it …"
        else:
            text = f"Working out the range from {runs} simulated futures: {share:.0%}"
        bar.progress(min(max(share, 0.0), 1.0), text=text)

    result = runner.tables(scenario, runs=runs, progress=show)
    box.empty()
    return result


def chart(
    builder: Callable[..., Any],
    *args: Any,
    alt: str | None = None,
    where: Any = st,
    width: str | int = "stretch",
    **kwargs: Any,
) -> None:
    """Draw ``builder(*args, **kwargs)`` (a pure function returning an Altair chart) in ``where`` (full width
    unless ``width`` says otherwise).

    Building an Altair chart and turning it into Vega-Lite is most of the CPU a rerun costs
    (0.2-0.8 s a chart on two busy cores), so the finished spec is kept in the server's chart
    cache, keyed by the builder and its inputs: a chart already drawn for any session with the
    same figures is not built again.
    """
    spec = runner.page_chart_spec(builder, args, kwargs)
    where.vega_lite_chart(spec, width=width, alt=alt)
