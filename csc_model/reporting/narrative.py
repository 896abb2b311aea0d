"""Plain-English headline sentences for a scenario against its baseline.

Councillors need three or four sentences they can repeat. Every sentence here is computed
from the two projections (the differences by financial year from :meth:`Result.table`) and
from the levers that differ between the two scenarios (:func:`csc_model.scenario.diff`),
described with the labels in :func:`csc_model.scenario.field_meta`. Nothing is canned:
change a lever and the words and numbers change.

Figures follow the project's one rounding rule (:mod:`csc_model.reporting.rounding`): children are whole
numbers, as on every page; money is written to the nearest £0.1m for speech, and a difference
is the difference of the figures written. Whether spend is over or under budget follows the
£1,000 figures of the tables, so a £46k overspend is "£46k over: about in line with the
budget", never "in line". Each :class:`Sentence` carries the figures it used (raw and rounded)
so tests and exports can check the text.

Pure Python: never imports streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from csc_model.reporting import rounding
from csc_model.reporting.wording import (  # noqa: F401 - the narrative's vocabulary, imported from here by the app and tests
    IGNORED_PATHS,
    KEY_ASSUMPTION_PATHS,
    PLACEMENT_PHRASES,
    Assumption,
    LeverChange,
    _join,
    changed_levers,
    fmt_children,
    fmt_money_gbp,
    fmt_money_m,
    fmt_pct,
    format_value,
    key_assumptions,
    long_date,
    month_year,
    round_children,
    round_money_m,
)
from csc_model.scenario import Scenario

CHILDREN_STEP = 1
MONEY_STEP_GBP = 100_000.0
ABOUT_IN_LINE_GBP = 50_000
"""Spend this close to the budget (in the £1,000 figures) is "about in line", the gap given in £k."""

ROUNDING_STATEMENT = (  # plain words for a councillor (the rule in full is on the Model and assumptions page)
    "Figures are rounded: children to whole numbers, money to the nearest £0.1m. Each difference is worked out "
    "before rounding, so it can be £0.1m away from subtracting two rounded figures. Spending within £50k of the "
    "budget, or the same as the budget once both are rounded, is called about in line."
)


class Projection(Protocol):
    """What the sentences need from a projection: its scenario and its tables.

    :class:`csc_model.reporting.results.Result` is one; :class:`TableProjection` wraps tables that were
    computed elsewhere (e.g. by the app's cached runner).
    """

    @property
    def scenario(self) -> Scenario: ...

    def table(self, freq: str = "fy") -> pd.DataFrame: ...


@dataclass(frozen=True)
class TableProjection:
    """A scenario with its already computed tables by financial year (and optionally month)."""

    scenario: Scenario
    fy: pd.DataFrame
    month: pd.DataFrame | None = None

    def table(self, freq: str = "fy") -> pd.DataFrame:
        if freq == "fy":
            return self.fy
        if freq == "month" and self.month is not None:
            return self.month
        raise ValueError(f"no {freq!r} table in this projection")


def children_at_start(res: Projection) -> float:
    """Children in care on the start date (the scenario's starting position)."""
    return float(res.scenario.initial.total)


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence and the figures it states (raw model values and the rounded ones shown)."""

    key: str
    text: str
    figures: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Narrative:
    """Headline sentences for a scenario against its baseline."""

    baseline: tuple[Sentence, ...]  # about the baseline alone ("on current trends")
    change: tuple[Sentence, ...]  # what the scenario changes; empty when nothing changed
    rounding: Sentence
    levers: tuple[LeverChange, ...]
    focus_fy: str  # the financial year of the first change sentence

    @property
    def changed(self) -> bool:
        return bool(self.levers)

    @property
    def headline(self) -> tuple[Sentence, ...]:
        """Three or four sentences to lead with: the change if any, else the baseline."""
        if self.changed:
            return (*self.change, self.rounding)
        return (*self.baseline, self.rounding)

    def sentences(self) -> tuple[Sentence, ...]:
        """Every sentence: change (if any), baseline, rounding."""
        return (*self.change, *self.baseline, self.rounding)

    def texts(self) -> list[str]:
        return [s.text for s in self.headline]

    def by_key(self, key: str) -> Sentence:
        for s in self.sentences():
            if s.key == key:
                return s
        raise KeyError(key)


def _k(gbp: int) -> str:
    return f"£{abs(gbp) // 1000:,}k"


def money_gap(a_gbp: float, b_gbp: float) -> tuple[float, int]:
    """``a - b`` in words' terms: (the tables' difference written to £0.1m, in £m; the tables' difference
    of the two £1,000 figures, in £).

    The £m figure is the one every page gives for this difference (a card, Compare, the exports). It is
    0.0 when the gap is "about level": the £1,000 figures are less than :data:`ABOUT_IN_LINE_GBP` apart,
    or the two £0.1m figures are the same (never "£0.1m over" beside two figures that read £39.0m).
    The £ figure always has the direction of the tables.
    """
    dk = rounding.thousand(a_gbp) - rounding.thousand(b_gbp)
    level = abs(dk) < ABOUT_IN_LINE_GBP or rounding.tenth_m(a_gbp) == rounding.tenth_m(b_gbp)
    return (0.0 if level else rounding.difference_m(a_gbp, b_gbp)), dk


def pressure_phrase(spend_gbp: float, budget_gbp: float) -> str:
    """Spend against budget in words that agree with the tables: "£2.1m over budget",
    "£46k over: about in line with the budget", "in line with the budget"."""
    dm, dk = money_gap(spend_gbp, budget_gbp)
    if dm:
        return f"{fmt_money_m(dm)} {'over' if dm > 0 else 'under'} budget"
    if dk:
        return f"{_k(dk)} {'over' if dk > 0 else 'under'}: about in line with the budget"
    return "in line with the budget"


def over_budget(spend_gbp: float, budget_gbp: float) -> bool:
    """True when the table shows a pressure (spend above budget, each to £1,000), however small."""
    return rounding.pressure(spend_gbp, budget_gbp) > 0


def _about(phrase: str) -> str:
    return phrase if "in line" in phrase else f"about {phrase}"


def _children_change(d: int, by: str) -> str:
    if d > 0:
        return f"about {fmt_children(d)} more children would be in care"
    if d < 0:
        return f"about {fmt_children(d)} fewer children would be in care"
    return "there would be no change in the number of children in care"


def _money_change(a_gbp: float, b_gbp: float, fy: str) -> str:
    """Spending in ``fy`` with the changes (``a``) against current trends (``b``)."""
    dm, dk = money_gap(a_gbp, b_gbp)
    if dm:
        return f"placement spending would be about {fmt_money_m(dm)} {'higher' if dm > 0 else 'lower'} in {fy}"
    if dk:
        return f"placement spending in {fy} would be about the same ({_k(dk)} {'higher' if dk > 0 else 'lower'})"
    return f"there would be no change in placement spending in {fy}"


def baseline_sentences(base: Projection) -> list[Sentence]:
    """What the baseline projection says on its own: children now and at the end; spend vs budget."""
    t = base.table("fy")
    s = base.scenario
    now = children_at_start(base)
    first, last = t.iloc[0], t.iloc[-1]
    end_date: dt.date = last["period_end"]
    # whole numbers, as on every page; the change is the difference of the two numbers in the sentence
    now_r, end_r = round_children(now), round_children(float(last["children_in_care"]))
    trend = end_r - now_r
    if trend > 0:
        trend_words = f"{fmt_children(trend)} more than now"
    elif trend < 0:
        trend_words = f"{fmt_children(trend)} fewer than now"
    else:
        trend_words = "the same as now"
    children = Sentence(
        "baseline_children",
        f"{fmt_children(now_r)} children are in care on {long_date(s.start_date)}; on current trends, "
        f"about {fmt_children(end_r)} would be in care by {month_year(end_date)} ({trend_words}).",
        {
            "children_now": now,
            "children_now_rounded": now_r,
            "children_end": float(last["children_in_care"]),
            "children_end_rounded": end_r,
            "end_date": end_date,
        },
    )
    spend1, budget1 = float(first["spend_gbp"]), float(first["budget_gbp"])
    spendN, budgetN = float(last["spend_gbp"]), float(last["budget_gbp"])
    press1, pressN = rounding.pressure(spend1, budget1), rounding.pressure(spendN, budgetN)
    p1, _ = money_gap(spend1, budget1)
    pN, _ = money_gap(spendN, budgetN)
    if p1 > 0:
        gap = f"a pressure (overspend) of about {fmt_money_m(p1)}"
    elif p1 < 0:
        gap = f"a saving (underspend) of about {fmt_money_m(p1)}"
    else:
        gap = pressure_phrase(spend1, budget1)
    later = f" By {last['period']} spending would be {_about(pressure_phrase(spendN, budgetN))}." if len(t) > 1 else ""
    money = Sentence(
        "baseline_money",
        f"Placement spending in {first['period']} is forecast at about {fmt_money_gbp(spend1)} against a budget of "
        f"{fmt_money_gbp(budget1)}: {gap}.{later}",
        {
            "fy_first": first["period"],
            "spend_first_gbp": spend1,
            "spend_first_m": round_money_m(spend1),
            "budget_first_gbp": budget1,
            "budget_first_m": round_money_m(budget1),
            "pressure_first_gbp": float(press1),
            "pressure_first_m": p1,
            "fy_last": last["period"],
            "pressure_last_gbp": float(pressN),
            "pressure_last_m": pN,
        },
    )
    out = [children, money]
    if "children_in_care_p10" in t.columns:
        lo, hi = (
            round_children(float(last["children_in_care_p10"])),
            round_children(float(last["children_in_care_p90"])),
        )
        out.append(
            Sentence(
                "baseline_range",
                f"Allowing for chance, in 8 out of 10 simulated futures between {fmt_children(lo)} and "
                f"{fmt_children(hi)} children would be in care by {month_year(end_date)}.",
                {"children_end_p10_rounded": lo, "children_end_p90_rounded": hi},
            )
        )
    return out


def change_sentences(
    base: Projection, scen: Projection, levers: list[LeverChange], focus: int | None = None
) -> list[Sentence]:
    """What the scenario changes, by financial year, compared with the baseline."""
    a, b = base.table("fy"), scen.table("fy")
    n = min(len(a), len(b))
    if n == 0:
        return []
    i = (1 if n > 1 else 0) if focus is None else max(0, min(focus, n - 1))
    fy = b["period"].iloc[i]
    end_date: dt.date = b["period_end"].iloc[i]
    d_child = float(b["children_in_care"].iloc[i] - a["children_in_care"].iloc[i])
    d_spend = float(b["spend_gbp"].iloc[i] - a["spend_gbp"].iloc[i])
    # differences of the rounded figures, as every page and export gives them
    dc = round_children(float(b["children_in_care"].iloc[i])) - round_children(float(a["children_in_care"].iloc[i]))
    ds, ds_k = money_gap(float(b["spend_gbp"].iloc[i]), float(a["spend_gbp"].iloc[i]))

    if len(levers) <= 2:
        lead = f"If {_join([lv.clause for lv in levers])}, by"
    else:
        lead = f"With the {len(levers)} changes in this scenario, by"
    money_words = _money_change(float(b["spend_gbp"].iloc[i]), float(a["spend_gbp"].iloc[i]), fy)
    first = Sentence(
        "change_headline",
        f"{lead} {month_year(end_date)} {_children_change(dc, month_year(end_date))} and {money_words}.",
        {
            "fy": fy,
            "date": end_date,
            "children_baseline": float(a["children_in_care"].iloc[i]),
            "children_scenario": float(b["children_in_care"].iloc[i]),
            "children_difference": d_child,
            "children_difference_rounded": dc,
            "spend_difference_gbp": d_spend,
            "spend_difference_thousand": ds_k,
            "spend_difference_m": ds,
        },
    )

    j = n - 1
    last_fy = b["period"].iloc[j]
    last_date: dt.date = b["period_end"].iloc[j]
    end_child = float(b["children_in_care"].iloc[j])
    d_end = end_child - float(a["children_in_care"].iloc[j])
    d_end_r = round_children(end_child) - round_children(float(a["children_in_care"].iloc[j]))
    total = float(b["spend_gbp"].iloc[:n].sum() - a["spend_gbp"].iloc[:n].sum())
    # the totals are the sums of the yearly £1,000 figures, as in the tables
    tot_b = float(sum(rounding.thousand(v) for v in b["spend_gbp"].iloc[:n]))
    tot_a = float(sum(rounding.thousand(v) for v in a["spend_gbp"].iloc[:n]))
    total_m, total_k = money_gap(tot_b, tot_a)
    if d_end_r > 0:
        vs = f"{fmt_children(d_end_r)} more than on current trends"
    elif d_end_r < 0:
        vs = f"{fmt_children(d_end_r)} fewer than on current trends"
    else:
        vs = "no change from current trends"
    years = f"the {n} financial years to {last_fy}" if n > 1 else last_fy
    if total_m:
        more = "higher" if total_m > 0 else "lower"
        money = f"over {years} placement spending would be about {fmt_money_m(total_m)} {more} in total"
    elif total_k:
        more = "higher" if total_k > 0 else "lower"
        money = f"over {years} total placement spending would be about the same ({_k(total_k)} {more})"
    else:
        money = f"over {years} there would be no change in total placement spending"
    second = Sentence(
        "change_longer_term",
        f"By {month_year(last_date)} about {fmt_children(round_children(end_child))} children would be in care "
        f"({vs}); {money}.",
        {
            "fy": last_fy,
            "date": last_date,
            "children_scenario": end_child,
            "children_scenario_rounded": round_children(end_child),
            "children_difference": d_end,
            "children_difference_rounded": d_end_r,
            "spend_difference_total_gbp": total,
            "spend_difference_total_thousand": total_k,
            "spend_difference_total_m": total_m,
        },
    )

    sb, bb = float(a["spend_gbp"].iloc[i]), float(a["budget_gbp"].iloc[i])
    ss, bs = float(b["spend_gbp"].iloc[i]), float(b["budget_gbp"].iloc[i])
    now_words, then_words = pressure_phrase(ss, bs), pressure_phrase(sb, bb)
    if now_words == then_words:
        budget_text = f"Against the budget, spending in {fy} would still be {_about(now_words)}."
    else:
        budget_text = (
            f"Against the budget, spending in {fy} would be {_about(now_words)}, "
            f"instead of {_about(then_words)} on current trends."
        )
    third = Sentence(
        "change_budget",
        budget_text,
        {
            "fy": fy,
            "pressure_baseline_gbp": float(rounding.pressure(sb, bb)),
            "pressure_scenario_gbp": float(rounding.pressure(ss, bs)),
            "pressure_baseline_m": money_gap(sb, bb)[0],
            "pressure_scenario_m": money_gap(ss, bs)[0],
        },
    )
    return [first, second, third]


def narrate(base: Projection, scen: Projection, focus: int | None = None) -> Narrative:
    """Headline sentences for ``scen`` against ``base``.

    ``focus`` is the index of the financial year the first change sentence is about: by
    default the second year of the projection (the end of next financial year), when the
    effect of most levers has started to show and the figure matters for next year's budget.
    """
    levers = changed_levers(base.scenario, scen.scenario)
    change = change_sentences(base, scen, levers, focus) if levers else []
    t = scen.table("fy")
    n = len(t)
    i = (1 if n > 1 else 0) if focus is None else max(0, min(focus, n - 1))
    return Narrative(
        baseline=tuple(baseline_sentences(base)),
        change=tuple(change),
        rounding=Sentence(
            "rounding", ROUNDING_STATEMENT, {"children_step": CHILDREN_STEP, "money_step_gbp": MONEY_STEP_GBP}
        ),
        levers=tuple(levers),
        focus_fy=str(t["period"].iloc[i]) if n else "",
    )
