"""Plain-English headline sentences for a scenario against its baseline.

Councillors need three or four sentences they can repeat. Every sentence here is computed
from the two projections (the differences by financial year from :meth:`Result.table`) and
from the levers that differ between the two scenarios (:func:`csc_model.scenario.diff`),
described with the labels in :func:`csc_model.scenario.field_meta`. Nothing is canned:
change a lever and the words and numbers change.

Figures follow the project's one rounding rule (:mod:`csc_model.rounding`): children are whole
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

from . import rounding
from .config import load_placement_types, source_for
from .scenario import AGE_BAND_LABELS, Scenario, diff, field_meta, get_path

CHILDREN_STEP = 1
MONEY_STEP_GBP = 100_000.0
ABOUT_IN_LINE_GBP = 50_000
"""Spend this close to the budget (in the £1,000 figures) is "about in line", the gap given in £k."""

ROUNDING_STATEMENT = (
    "Numbers of children are whole numbers, as in the explorer; money is rounded to the nearest £0.1m and "
    "each difference is the difference of the rounded figures shown, so they add up. Spend within £50k of "
    "the budget, or level with it once rounded, is called about in line, with the gap in £k as in the "
    "explorer's tables."
)

# Fields that describe the scenario rather than change the model.
IGNORED_PATHS = ("name", "version")

# Short plural phrases for the bundled placement types, for sentences.
PLACEMENT_PHRASES = {
    "in_house_fostering": "in-house foster care",
    "kinship_fostering": "kinship foster care",
    "ifa": "independent fostering agencies",
    "la_childrens_home": "council children's homes",
    "private_childrens_home": "private children's homes",
    "supported_accommodation": "supported accommodation",
    "placed_with_parents": "placements with parents",
    "placed_for_adoption": "placements for adoption",
    "secure": "secure children's homes",
    "other": "other placements",
}


class Projection(Protocol):
    """What the sentences need from a projection: its scenario and its tables.

    :class:`csc_model.results.Result` is one; :class:`TableProjection` wraps tables that were
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
# Rounding and formatting
# ---------------------------------------------------------------------------


def round_children(x: float) -> int:
    """A number of children as every page shows it: whole (never -0)."""
    return rounding.whole(x)


def round_money_m(x_gbp: float) -> float:
    """Pounds to £m to one decimal place: the £1,000 figure of the tables, to the nearest £0.1m."""
    return rounding.tenth_m(x_gbp)


def fmt_children(n: int) -> str:
    """'515', '1,240'."""
    return f"{abs(n):,}"


def fmt_money_m(m: float) -> str:
    """'£2.1m' for a rounded £m figure (sign dropped: the words carry the direction)."""
    return f"£{abs(m):,.1f}m"


def fmt_money_gbp(x: float) -> str:
    """Pounds, rounded to £0.1m, as '£2.1m'."""
    return fmt_money_m(round_money_m(x))


def fmt_pct(x: float) -> str:
    """0.1 -> '10%', 0.125 -> '12.5%'."""
    v = round(x * 100, 1)
    return f"{v:g}%"


def month_year(d: dt.date) -> str:
    return d.strftime("%B %Y")


def long_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _lc_first(text: str) -> str:
    """Lower-case the first letter unless the word is an abbreviation ('LA', 'IFA')."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _placement_phrase(pid: str) -> str:
    if pid in PLACEMENT_PHRASES:
        return PLACEMENT_PHRASES[pid]
    labels = {p.id: p.label for p in load_placement_types()}
    return _lc_first(labels.get(pid, pid.replace("_", " ")))


def _as_date(v: Any) -> dt.date | None:
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return None
    return None


def format_value(value: Any, unit: str) -> str:
    """A field value in plain words, using its unit from :func:`field_meta`."""
    if value is None:
        return "not set"
    if unit == "date":
        d = _as_date(value)
        return long_date(d) if d else str(value)
    if isinstance(value, (dict, list, tuple)):
        return "a list of values" if isinstance(value, (list, tuple)) else "a set of values"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit in ("share",):
        return fmt_pct(value)
    if unit in ("share a year", "a year", "change a year"):
        return f"{fmt_pct(value)} a year"
    if unit == "£ a week":
        return f"£{value:,.0f} a week"
    if unit == "£":
        return fmt_money_gbp(value)
    if unit in ("weeks", "children", "children a week", "children a year", "years"):
        return f"{value:,.4g} {unit}"
    return f"{value:,.4g} {unit}".strip()


# ---------------------------------------------------------------------------
# Levers: what differs between the baseline and the scenario
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LeverChange:
    """One changed lever (possibly several related fields) in plain English."""

    key: str  # the field path, or the group of paths, e.g. "placements.shift"
    label: str  # the field's label from field_meta
    clause: str  # completes "If ...", e.g. "court proceedings took 26 weeks on average"
    baseline_text: str  # the baseline value in words
    scenario_text: str  # the scenario value in words
    source: str  # where the baseline value comes from
    paths: tuple[str, ...] = ()


def _source_text(path: str) -> str:
    src = source_for(path)
    if src is None:
        return ""
    return f"{src.source} ({src.year})" if src.year and src.year not in src.source else src.source


def _group_of(path: str) -> str:
    """Related fields described together as one lever."""
    if path.startswith("proceedings.target_"):
        return "proceedings.target"
    if path in ("entries.prevented_share", "entries.prevention_start"):
        return "entries.prevention"
    if path.startswith("placements.shift"):
        return "placements.shift"
    return path


def _surge_clause(s: Scenario, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    added = [x for x in new if x not in old]
    if not added:
        return "the one-off surges in entries were removed"
    parts = []
    for x in added:
        start = _as_date(x.get("start_date"))
        when = f" from {month_year(start)}" if start else ""
        n = float(x.get("extra_children", 0.0))
        parts.append(f"{n:,.0f} extra children came into care over {int(x.get('weeks', 0))} weeks{when}")
    return " and ".join(parts)


def _describe(group: str, paths: list[str], base: Scenario, scen: Scenario) -> LeverChange:
    b, s = base.to_dict(), scen.to_dict()

    def old(p: str) -> Any:
        try:
            return get_path(b, p)
        except (KeyError, IndexError, ValueError):
            return None

    def new(p: str) -> Any:
        try:
            return get_path(s, p)
        except (KeyError, IndexError, ValueError):
            return None

    if group == "proceedings.target":
        target = scen.proceedings.target_mean_weeks
        by = scen.proceedings.target_by_date
        now = scen.proceedings.mean_weeks
        m = field_meta("proceedings.target_mean_weeks")
        start = scen.proceedings.target_from_date
        if target is None or target == now:
            clause = f"the average length of care proceedings stayed at {now:g} weeks"
        else:
            word = "fell" if target < now else "rose"
            clause = (
                f"the average length of care proceedings {word} from {now:g} to {target:g} weeks "
                f"between {month_year(start)} and {month_year(by)}"
            )
        bt = base.proceedings.target_mean_weeks
        return LeverChange(
            group,
            m["label"],
            clause,
            "no target" if bt is None else f"{bt:g} weeks by {month_year(base.proceedings.target_by_date)}",
            "no target" if target is None else f"{target:g} weeks by {month_year(by)}",
            _source_text("proceedings.target_mean_weeks"),
            tuple(paths),
        )
    if group == "entries.prevention":
        share = scen.entries.prevented_share
        start = scen.entries.prevention_start
        m = field_meta("entries.prevented_share")
        one_in = f"1 in {round(1 / share):d}" if share > 0 and abs(1 / share - round(1 / share)) < 1e-9 else ""
        what = f"{one_in} entries" if one_in else f"{fmt_pct(share)} of entries"
        clause = f"edge-of-care work prevented {what} to care from {month_year(start)}"
        bs = base.entries.prevented_share
        return LeverChange(
            group,
            m["label"],
            clause,
            f"{fmt_pct(bs)} from {month_year(base.entries.prevention_start)}",
            f"{fmt_pct(share)} from {month_year(start)}",
            _source_text("entries.prevented_share"),
            tuple(paths),
        )
    if group == "placements.shift":
        sh, bsh = scen.placements.shift, base.placements.shift
        clause = (
            f"{sh.children_per_year:,.4g} children a year moved from {_placement_phrase(sh.from_type)} "
            f"to {_placement_phrase(sh.to_type)} from {month_year(sh.start_date)}"
        )

        def shift_text(x: Any) -> str:
            if not x.children_per_year:
                return "none"
            return (
                f"{x.children_per_year:,.4g} children a year from {_placement_phrase(x.from_type)} "
                f"to {_placement_phrase(x.to_type)}"
            )

        return LeverChange(
            group,
            field_meta("placements.shift")["label"],
            clause,
            shift_text(bsh),
            shift_text(sh),
            _source_text("placements.shift"),
            tuple(paths),
        )

    path = paths[0]
    m = field_meta(path)
    label = m.get("label", path)
    unit = m.get("unit", "")
    o, n = old(path), new(path)
    ot, nt = format_value(o, unit), format_value(n, unit)
    src = _source_text(path)
    leaf = path.rsplit(".", 1)[-1]

    if path == "entries.surges":
        clause = _surge_clause(scen, list(o or []), list(n or []))
        ot = _surge_clause(scen, [], list(o)).replace(" came into care", "") if o else "none"
        nt = _surge_clause(scen, [], list(n)).replace(" came into care", "") if n else "none"
    elif path == "proceedings.mean_weeks":
        clause = f"court proceedings took {n:g} weeks on average (instead of {o:g})"
    elif path == "entries.weekly_rate":
        clause = f"{n:,.3g} children a week came into care (instead of {o:,.3g})"
    elif path == "entries.annual_trend":
        word = "grew" if n > 0 else "fell" if n < 0 else "stayed level"
        amount = f" {fmt_pct(abs(n))} a year" if n else ""
        clause = f"entries to care {word}{amount} (instead of {fmt_pct(o)} a year)"
    elif path == "costs.annual_inflation":
        clause = f"placement prices rose {fmt_pct(n)} a year (instead of {fmt_pct(o)})"
    elif path.startswith("costs.inflation_overrides."):
        usual = fmt_pct(scen.costs.annual_inflation)
        if n is None:
            clause = f"placement prices in {leaf} rose at the usual {usual} (instead of {fmt_pct(o)})"
        else:
            clause = (
                f"placement prices rose {fmt_pct(n)} in {leaf} (instead of {fmt_pct(o) if o is not None else usual})"
            )
        label = f"{label} ({leaf})"
        ot = f"usual rate ({usual})" if o is None else fmt_pct(o)
        nt = f"usual rate ({usual})" if n is None else fmt_pct(n)
    elif path == "costs.budget_first_year_gbp":
        clause = f"the placement budget in the first year were {fmt_money_gbp(n)} (instead of {fmt_money_gbp(o)})"
    elif path == "costs.budget_annual_uplift":
        clause = f"the placement budget rose {fmt_pct(n)} a year (instead of {fmt_pct(o)})"
    elif path.startswith("costs.budget_overrides."):
        label = f"{label} ({leaf})"
        if n is None:
            clause = f"the placement budget for {leaf} went back to the usual uplift"
            nt = "usual uplift"
        else:
            clause = f"the placement budget for {leaf} were {fmt_money_gbp(n)}"
            if o is None:
                ot = "usual uplift"
    elif path.startswith("costs.weekly_price_gbp."):
        plabel = {p.id: p.label for p in load_placement_types()}.get(leaf, leaf.replace("_", " "))
        clause = f"the weekly price of {_lc_first(plabel)} placements were £{n:,.0f} (instead of £{o:,.0f})"
        label = f"{label} ({plabel})"
    elif isinstance(o, (dict, list)) or isinstance(n, (dict, list)):
        clause = f"the {_lc_first(label)} changed"
    else:
        # A value inside a mapping (e.g. a share by age band): name the key too.
        parent = path.rsplit(".", 1)[0]
        if field_meta(parent).get("label") == label and leaf not in ("",):
            label = f"{label} ({AGE_BAND_LABELS.get(leaf, leaf.replace('_', ' '))})"
        clause = f"the {_lc_first(label)} were {nt} (instead of {ot})"
    return LeverChange(path, label, clause, ot, nt, src, (path,))


def changed_levers(base: Scenario, scen: Scenario) -> list[LeverChange]:
    """The levers that differ between the two scenarios, described in plain English."""
    d = diff(base, scen)
    groups: dict[str, list[str]] = {}
    for path in d:
        if path in IGNORED_PATHS:
            continue
        groups.setdefault(_group_of(path), []).append(path)
    return [_describe(g, paths, base, scen) for g, paths in groups.items()]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------------------
# Key assumptions (for the brief)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumption:
    """One input shown next to the numbers: its label, value in words and source."""

    label: str
    value: str
    source: str
    changed: bool = False


KEY_ASSUMPTION_PATHS = (
    "initial.stage_counts",
    "entries.weekly_rate",
    "proceedings.mean_weeks",
    "costs.weekly_price_gbp.ifa",
    "costs.weekly_price_gbp.private_childrens_home",
    "costs.annual_inflation",
    "costs.budget_first_year_gbp",
    "costs.budget_annual_uplift",
)


def key_assumptions(scen: Scenario, base: Scenario | None = None) -> list[Assumption]:
    """The main inputs of ``scen`` with their sources; ``changed`` marks differences from ``base``."""
    data = scen.to_dict()
    bdata = base.to_dict() if base is not None else data
    out = [
        Assumption(
            "Projection period",
            f"{scen.years} years from {long_date(scen.start_date)}",
            _source_text("start_date"),
            base is not None and (scen.start_date != base.start_date or scen.years != base.years),
        )
    ]
    for path in KEY_ASSUMPTION_PATHS:
        try:
            v = get_path(data, path)
        except KeyError:
            continue
        try:
            bv = get_path(bdata, path)
        except KeyError:
            bv = None
        m = field_meta(path)
        label = m.get("label", path)
        if path == "initial.stage_counts":
            value = f"{sum(v.values()):,.0f} children"
            label = "Children in care on the start date"
        elif path.startswith("costs.weekly_price_gbp."):
            leaf = path.rsplit(".", 1)[1]
            labels = {p.id: p.label for p in load_placement_types()}
            label = f"Weekly price: {labels.get(leaf, leaf)}, {scen.costs.price_base_year} prices"
            value = f"£{v:,.0f}"
        else:
            value = format_value(v, m.get("unit", ""))
        out.append(Assumption(label, value, _source_text(path), v != bv))
    return out


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
    """``a - b`` in words' terms: (£m between the two £0.1m figures, £ between the two £1,000 figures).

    The £m figure is 0.0 when the gap is "about level": the two £0.1m figures are the same, or
    the £1,000 figures are less than :data:`ABOUT_IN_LINE_GBP` apart. The £ figure always has the
    direction of the tables.
    """
    dk = rounding.thousand(a_gbp) - rounding.thousand(b_gbp)
    dm = rounding.difference_m(a_gbp, b_gbp)
    return (0.0 if abs(dk) < ABOUT_IN_LINE_GBP else dm), dk


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
