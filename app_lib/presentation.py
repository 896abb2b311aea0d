"""Slides for presenting the councillor briefing in a council chamber.

One big figure or one chart per slide, in words a room can repeat: children in care now and
by the end; spending against the budget; the chance of an overspend (when the range of
outcomes has been worked out); and the changes in the scenario named in plain words
("Court proceedings brought down to 26 weeks by March 2027").

Pure Python (no streamlit): the briefing page only draws what :func:`slides` returns. Every
figure is rounded as in the briefing's sentences (:mod:`csc_model.reporting.rounding`: children
to whole numbers, money to £0.1m), and every difference in words is the one those sentences give
(:func:`~csc_model.reporting.narrative.pressure_phrase`), so a figure has one value on the page
and on the slides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from csc_model.reporting import narrative
from csc_model.reporting.narrative import (
    PLACEMENT_PHRASES,
    LeverChange,
    Projection,
    changed_levers,
    children_at_start,
    fmt_children,
    fmt_money_m,
    long_date,
    month_year,
    round_children,
    round_money_m,
)
from csc_model.reporting.results import usual_budget
from csc_model.reporting.wording import budget_follow, fmt_money_gbp
from csc_model.scenario import Scenario
from csc_model.scenario.calendar import fy_from_label

from . import briefing_charts as bc
from . import formatting as fmt
from .levers import placement_label

CHILDREN_CHART = "children"
SPEND_CHART = "spend"

CHILDREN_NOTE = "Projected numbers are the model's central figures, to the nearest child, as in the briefing."
"""The children slide's note: the figures are whole numbers (:func:`round_children`), not rounded to 5."""


@dataclass(frozen=True)
class Figure:
    """One big number and the words under it."""

    value: str
    label: str


@dataclass(frozen=True)
class Slide:
    """What one screen shows: a title, big figures or one chart, and a few plain lines.

    ``chart`` names the chart the page draws (:data:`CHILDREN_CHART` or :data:`SPEND_CHART`),
    or is None for a slide of figures and words.
    """

    key: str
    title: str
    figures: tuple[Figure, ...] = ()
    lines: tuple[str, ...] = ()
    chart: str | None = None
    note: str = ""


# ---------------------------------------------------------------------------
# The changes, in plain words
# ---------------------------------------------------------------------------


def _placement(pid: str) -> str:
    return PLACEMENT_PHRASES.get(pid) or placement_label(pid).lower()


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _change_phrase(lv: LeverChange, base: Scenario, scen: Scenario) -> str:
    if lv.key == "proceedings.target":
        p = scen.proceedings
        if p.target_mean_weeks is None or p.target_mean_weeks == p.mean_weeks:
            return f"Court proceedings kept at {p.mean_weeks:g} weeks on average"
        word = "brought down" if p.target_mean_weeks < p.mean_weeks else "allowed to rise"
        return f"Court proceedings {word} to {p.target_mean_weeks:g} weeks by {month_year(p.target_by_date)}"
    if lv.key == "entries.prevention":
        share = scen.entries.prevented_share
        if share <= 0:
            return "No entries to care prevented by edge-of-care work"
        inv = 1 / share
        what = f"1 in {round(inv)} children" if abs(inv - round(inv)) < 1e-9 else f"{fmt.pct(share)} of children"
        return f"Edge-of-care work keeps {what} out of care from {month_year(scen.entries.prevention_start)}"
    if lv.key == "placements.shift":
        sh = scen.placements.shift
        if not sh.children_per_year:
            return "No children moved between placement types"
        return (
            # "Up to": the moves stop when the placement is empty (Rutland has 3 children in private homes)
            f"Up to {sh.children_per_year:,.4g} children a year moved from {_placement(sh.from_type)} "
            f"to {_placement(sh.to_type)} from {month_year(sh.start_date)}"
        )
    if lv.key == "costs.annual_inflation":
        return (
            f"Placement prices rising {fmt.pct(scen.costs.annual_inflation)} a year "
            f"instead of {fmt.pct(base.costs.annual_inflation)}"
        )
    if lv.key.startswith("costs.inflation_overrides."):
        fy = lv.key.rsplit(".", 1)[-1]
        rate = scen.costs.inflation_overrides.get(fy)
        usual = fmt.pct(scen.costs.annual_inflation)
        if rate is None:
            return f"Placement prices in {fy} rising at the usual {usual}"
        was = base.costs.inflation_overrides.get(fy)
        return f"Placement prices rising {fmt.pct(rate)} in {fy} instead of {usual if was is None else fmt.pct(was)}"
    if lv.key.startswith("costs.budget_overrides."):
        # "Placement budget for 2027-28 set at £45.0m instead of £38.8m, later years growing from it by 2% a year"
        fy = lv.key.rsplit(".", 1)[-1]
        if fy not in scen.costs.budget_overrides:
            return f"{lv.label} back to the usual uplift: {fmt_money_gbp(usual_budget(scen, fy_from_label(fy)))}"
        follow = budget_follow(scen, fy)
        return (
            f"{lv.label} set at {fmt_money_gbp(scen.costs.budget_overrides[fy])} instead of "
            f"{fmt_money_gbp(usual_budget(base, fy_from_label(fy)))}" + (f", {follow}" if follow else "")
        )
    if lv.key == "proceedings.mean_weeks":
        return f"Court proceedings taking {scen.proceedings.mean_weeks:g} weeks on average instead of {base.proceedings.mean_weeks:g}"
    if lv.key == "entries.weekly_rate":
        return (
            f"{scen.entries.weekly_rate:,.3g} children a week coming into care "
            f"instead of {base.entries.weekly_rate:,.3g}"
        )
    return f"{_sentence_case(lv.label)}: {lv.scenario_text} instead of {lv.baseline_text}"


MAX_PHRASES = 8
"""Most changes named one by one on a slide or the briefing; more are counted in one last line."""


def change_phrases(base: Scenario, scen: Scenario, limit: int | None = MAX_PHRASES) -> list[str]:
    """Each change from ``base`` to ``scen`` as a short plain phrase, in the order of the levers.

    A different starting position (a loaded return or a published authority: dozens of fields, the
    children in care by stage, age band and placement) is one phrase, and beyond ``limit`` phrases the
    rest are counted in one line: a scenario from an SSDA903 return against the defaults listed 105
    changes in field names ("Placement mix ... (in house fostering)" five times) and ran off the slide.
    """
    levers = changed_levers(base, scen)
    start = [lv for lv in levers if lv.key.startswith("initial.") or lv.key == "start_date"]
    phrases = []
    if start:
        now, was = scen.initial.total, base.initial.total
        phrases.append(
            f"Starts from other children in care: {fmt_children(round(now))} on {long_date(scen.start_date)}"
            + (
                f" (current trends: {fmt_children(round(was))} on {long_date(base.start_date)})"
                if (round(now), scen.start_date) != (round(was), base.start_date)
                else " in a different mix"
            )
        )
    phrases += [_change_phrase(lv, base, scen) for lv in levers if lv not in start]
    if limit is not None and len(phrases) > limit:
        rest = len(phrases) - (limit - 1)
        phrases = phrases[: limit - 1] + [f"{MORE_START} {rest} more changes: the Scenario builder lists them all"]
    return phrases


MORE_START = "... and"


def changes_title(phrases: list[str]) -> str:
    """'The change in this scenario', 'The 3 changes in this scenario', or, when some are only counted,
    'What this scenario changes'."""
    if len(phrases) == 1:
        return "The change in this scenario"
    if phrases and phrases[-1].startswith(MORE_START):
        return "What this scenario changes"
    return f"The {len(phrases)} changes in this scenario"


# ---------------------------------------------------------------------------
# Slides
# ---------------------------------------------------------------------------


def _changed(base: Projection, scen: Projection) -> bool:
    return scen is not base and bool(changed_levers(base.scenario, scen.scenario))


def _more_fewer(d: int) -> str:
    return f"{fmt_children(d)} {'more' if d > 0 else 'fewer'}"


def changes_slide(base: Projection, scen: Projection) -> Slide:
    """The first slide: what the scenario changes (or that nothing has changed)."""
    if not _changed(base, scen):
        return Slide(
            "changes",
            "Current trends",
            lines=("Nothing has been changed: these slides show what happens on current trends.",),
        )
    phrases = change_phrases(base.scenario, scen.scenario)
    return Slide("changes", changes_title(phrases), lines=tuple(phrases))


def children_slide(base: Projection, scen: Projection) -> Slide:
    """Children in care now and by the end of the projection (current trends and, if any, the changes)."""
    now = round(children_at_start(base))
    end_date: dt.date = base.table("fy")["period_end"].iloc[-1]
    end_b = round_children(float(base.table("fy")["children_in_care"].iloc[-1]))
    by = month_year(end_date)
    figures = [Figure(fmt_children(now), f"in care on {long_date(base.scenario.start_date)}")]
    if _changed(base, scen):
        end_s = round_children(float(scen.table("fy")["children_in_care"].iloc[-1]))
        figures.append(Figure(f"about {fmt_children(end_s)}", f"by {by} with the changes"))
        d = end_s - end_b  # between the figures as shown
        with_changes = f"{_more_fewer(d)} with the changes" if d else "the same number as with the changes"
        lines = (f"On current trends: about {fmt_children(end_b)} by {by}, so {with_changes}.",)
    else:
        figures.append(Figure(f"about {fmt_children(end_b)}", f"by {by} on current trends"))
        d = end_b - now
        lines = (f"About {_more_fewer(d)} than now." if d else "About the same number as now.",)
    return Slide("children", "Children in care", tuple(figures), lines, note=CHILDREN_NOTE)


def focus_index(n_years: int) -> int:
    """The financial year a changed scenario's slides are about: the second (as the briefing's sentences)."""
    return 1 if n_years > 1 else 0


def spend_slide(base: Projection, scen: Projection) -> Slide:
    """Placement spending against the budget: the second financial year with changes, else the first."""
    changed = _changed(base, scen)
    t = (scen if changed else base).table("fy")
    tb = base.table("fy")
    i = focus_index(len(t)) if changed else 0
    row, brow = t.iloc[i], tb.iloc[i]
    fy = str(row["period"])
    spend, budget = float(row["spend_gbp"]), float(row["budget_gbp"])
    s_m, b_m = round_money_m(spend), round_money_m(budget)
    who = "with the changes" if changed else "on current trends"
    figures = (
        Figure(fmt_money_m(s_m), f"placement spending in {fy} {who}"),
        Figure(fmt_money_m(b_m), f"budget for {fy}"),
    )
    lines = [f"Spending {who} would be {narrative.pressure_phrase(spend, budget)} in {fy}."]
    if changed:
        bs, bb = float(brow["spend_gbp"]), float(brow["budget_gbp"])
        # current trends are measured against their own budget (a scenario may change the budget)
        own = "" if round(bb, -3) == round(budget, -3) else f" (its budget {fmt_money_m(round_money_m(bb))})"
        lines.append(f"On current trends: {fmt_money_m(round_money_m(bs))}, {narrative.pressure_phrase(bs, bb)}{own}.")
    last = t.iloc[-1]
    if len(t) > 1 and i != len(t) - 1:
        ls, lb = float(last["spend_gbp"]), float(last["budget_gbp"])
        lm, lbm = round_money_m(ls), round_money_m(lb)
        lines.append(
            f"By {last['period']}: {fmt_money_m(lm)} against a budget of {fmt_money_m(lbm)}, "
            f"{narrative.pressure_phrase(ls, lb)}."
        )
    return Slide(
        "spend",
        f"Placement spending against the budget, {fy}",
        figures,
        tuple(lines),
        note=("Money to the nearest £0.1m; each gap is the budget paper's, rounded; placement costs only."),
    )


def risk_slide(band_fy: pd.DataFrame | None, changed: bool) -> Slide:
    """The chance of an overspend by financial year, or a plain note that the range of outcomes is off."""
    title = "How likely is an overspend?"
    if band_fy is None or "prob_over_budget" not in band_fy.columns or band_fy.empty:
        return Slide(
            "risk",
            title,
            lines=(
                "The range of outcomes is off, so the chance of an overspend has not been worked out.",
                "Switch on “Say how likely an overspend is” to work it out (it takes a few seconds).",
            ),
        )
    first = band_fy.iloc[0]
    who = " with the changes" if changed else ""
    figures = (
        Figure(
            fmt.chance(float(first["prob_over_budget"])),
            f"chance that placement spending in {first['period']}{who} is over the budget of "
            f"{fmt.gbp_short(float(first['budget_gbp']))}",
        ),
    )
    lines = tuple(
        f"{row.period}: {fmt.chance(float(row.prob_over_budget))} (budget {fmt.gbp_short(float(row.budget_gbp))})"
        for row in band_fy.iloc[1:].itertuples()
    )
    return Slide(
        "risk",
        title,
        figures,
        lines,
        note="From many simulated futures, allowing for chance and for the uncertainty in rates and prices.",
    )


def _chart_note(subtitle: str) -> str:
    # the briefing charts fit the scale to the lines (bc.y_domain), so the room is told
    return bc.with_axis_note(subtitle)


def slides(base: Projection, scen: Projection, band_fy: pd.DataFrame | None = None) -> list[Slide]:
    """Every slide, in order: the changes; children (figures, chart); spending (figures, chart); the risk."""
    changed = _changed(base, scen)
    return [
        changes_slide(base, scen),
        children_slide(base, scen),
        Slide(
            "children_chart",
            "Children in care, month by month",
            chart=CHILDREN_CHART,
            note=_chart_note(bc.children_subtitle(base)),
        ),
        spend_slide(base, scen),
        Slide(
            "spend_chart",
            "Spending and budget, year by year",
            chart=SPEND_CHART,
            note=_chart_note(bc.spend_subtitle(base)),
        ),
        risk_slide(band_fy, changed),
    ]


def step(index: int, delta: int, count: int) -> int:
    """The slide after moving ``delta`` from ``index``, kept within the first and last slide."""
    if count <= 0:
        return 0
    return max(0, min(int(index) + int(delta), count - 1))
