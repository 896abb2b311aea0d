"""Plain-English words for values, for the levers that differ between two scenarios and for the
key assumptions (the narrative's and the brief's vocabulary).

Every changed lever is described with the labels in :func:`csc_model.scenario.field_meta`; money
in sentences follows :mod:`csc_model.reporting.rounding` (the £1,000 figure, to the nearest £0.1m).

Pure Python: never imports streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from csc_model.reporting import rounding
from csc_model.reporting.results import usual_budget
from csc_model.scenario import AGE_BAND_LABELS, Scenario, diff, field_meta, get_path
from csc_model.scenario.calendar import add_years, fy_from_label, fy_start_year
from csc_model.scenario.config import load_placement_types, source_for

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
            # "up to": the moves stop when the placement is empty (Rutland has 3 children in private homes)
            f"up to {sh.children_per_year:,.4g} children a year moved from {_placement_phrase(sh.from_type)} "
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
        # "Placement budget for 2027-28: £45.0m, later years growing from it by 2% a year instead of £38.8m"
        year = fy_from_label(leaf)
        label = f"Placement budget for {leaf}"
        usual_b, usual_s = fmt_money_gbp(usual_budget(base, year)), fmt_money_gbp(usual_budget(scen, year))
        follow = budget_follow(scen, leaf)
        if n is None:
            clause = f"the placement budget for {leaf} went back to the usual uplift ({usual_s})"
            nt = f"{usual_s} (the usual uplift)"
        else:
            clause = f"the placement budget for {leaf} were {fmt_money_gbp(n)}" + (f", {follow}" if follow else "")
            nt = fmt_money_gbp(n) + (f"; {follow}" if follow else "")
        if o is None:
            ot = f"{usual_b} (the usual uplift)"
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


def budget_follow(scen: Scenario, fy: str) -> str:
    """How the years after an overridden budget follow it ("later years growing from it by 2% a year"),
    or "" when no year of the projection follows from it (the last year, or a later override)."""
    year = fy_from_label(fy)
    last = fy_start_year(add_years(scen.start_date, scen.years) - dt.timedelta(days=1))
    if fy not in scen.costs.budget_overrides or year >= last:
        return ""
    if any(fy_from_label(k) > year for k in scen.costs.budget_overrides):
        return ""
    return f"later years growing from it by {fmt_pct(scen.costs.budget_annual_uplift)} a year"


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


PUBLISHED_LABEL_END = "(published figures)"
"""How the name of a baseline built from DfE's published tables ends (``csc_model.published.build``)."""
PUBLISHED_BUDGET_SOURCE = "Placeholder equal to the first year's forecast spend (no budget is published)"


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    """The bundled defaults as plain data, once a process (read, not changed, by the source look-ups)."""
    from csc_model.scenario.defaults import default_scenario

    return default_scenario().to_dict()


def value_source(path: str, value: Any, base_value: Any, baseline_label: str | None) -> str:
    """Where the value at ``path`` comes from, for a reader of the figures.

    The default's source while the value is the default's; for a baseline of the user's own (an
    authority's published figures, an SSDA903 return, a loaded file) its name, where the value is the
    baseline's; "Set for this scenario" where the scenario changes it. Without this a county's 1,956
    children in care were credited to Plymouth's figures, the default's source.
    """
    try:
        default = get_path(_default_data(), path)
    except KeyError:
        default = None
    if value == default:
        return _source_text(path)
    if value != base_value:
        return "Set for this scenario"
    if baseline_label is None:
        return _source_text(path)
    if path == "costs.budget_first_year_gbp" and baseline_label.endswith(PUBLISHED_LABEL_END):
        return PUBLISHED_BUDGET_SOURCE
    return f"The baseline, {baseline_label}"


def lever_source(lv: LeverChange, base: Scenario, baseline_label: str | None) -> str:
    """Where a changed lever's current-trends figure comes from: ``lv.source`` (the default's) while the
    baseline keeps the default there, else the baseline named ``baseline_label`` (Kent's 10% entry trend
    was credited to "Illustrative: no change")."""
    if baseline_label is None:
        return lv.source
    data, default = base.to_dict(), _default_data()
    for path in lv.paths or (lv.key,):
        try:
            if get_path(data, path) != get_path(default, path):
                return f"The baseline, {baseline_label}"
        except KeyError:
            continue
    return lv.source


def key_assumptions(
    scen: Scenario, base: Scenario | None = None, baseline_label: str | None = None
) -> list[Assumption]:
    """The main inputs of ``scen`` with their sources (:func:`value_source`); ``changed`` marks
    differences from ``base``, whose name ``baseline_label`` gives when it is not the defaults."""
    data = scen.to_dict()
    bdata = base.to_dict() if base is not None else data
    out = [
        Assumption(
            "Projection period",
            f"{scen.years} years from {long_date(scen.start_date)}",
            value_source("start_date", scen.start_date.isoformat(), bdata.get("start_date"), baseline_label),
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
        out.append(Assumption(label, value, value_source(path, v, bv, baseline_label), v != bv))
    return out
