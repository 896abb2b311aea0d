"""Rates of moving between legal stages and leaving care: occurrence / exposure over the window."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from csc_model.scenario import HEARING_OUTCOMES, Scenario, field_meta
from csc_model.ssda903.chain import _in_window, _risk_span
from csc_model.ssda903.codes import legal_status_codes, reasons_ceased
from csc_model.ssda903.cohorts import proceedings_by_cohort
from csc_model.ssda903.common import _annual, _fmt_shares, _n, _round_shares
from csc_model.ssda903.credibility import Counts, credible
from csc_model.ssda903.figures import (
    BACKLOG_WEEKS,
    MIN_EVENTS,
    MIN_EXPOSURE_WEEKS,
    MIN_SPELLS_FOR_SPREAD,
    PRIOR_EVENTS,
    RateFigure,
)
from csc_model.ssda903.moves import LEANS_ON_BASE
from csc_model.ssda903.rate_trends import RateTrend, rate_trend, trend_rows


class _RateCalibration:
    """Collects the rates worked out from the episodes: scenario changes, report rows, warnings."""

    def __init__(
        self, base: Scenario, lo: pd.Timestamp, hi: pd.Timestamp, window_txt: str, prior_events: float = PRIOR_EVENTS
    ) -> None:
        self.base = base
        self.prior_events = float(prior_events)
        self.lo, self.hi = lo, hi
        self.window_txt = window_txt
        self.base_dict = base.to_dict()
        self.changes: dict[str, object] = {}
        self.rows: list[tuple[str, str, str]] = []
        self.warnings: list[str] = []
        self.figures: list[RateFigure] = []
        self.proceedings_cohorts: tuple = ([], None, None)
        self.kinds: dict[str, dict[str, Any]] = {}  # path -> what kind of evidence (see evidence())
        self.at_risk: dict[str, tuple[pd.Series, pd.Series]] = {}  # path -> (at risk, event) masks of episodes
        self.trends: list[RateTrend] = []  # each occurrence / exposure rate's yearly trend (reported only)

    def base_value(self, path: str) -> Any:
        node: Any = self.base_dict
        for part in path.split("."):
            node = node[part]
        return node

    def note(self, path: str, kind: str, **extra: Any) -> None:
        """Say what kind of evidence ``path`` rests on, for :meth:`evidence` (trials, or the weeks of spells)."""
        self.kinds[path] = {"kind": kind, **extra}

    def evidence(self) -> list[dict[str, Any]]:
        """One row per figure: path, kind, events, exposure_weeks, trials, base, value, weight_on_base, used.

        Kinds: ``mean_weeks`` (a mean time = exposure / events), ``annual_share`` (weekly probability
        events / exposure, made yearly), ``proportion`` (events out of ``trials``), ``share`` (one row per
        outcome: events out of ``trials``), ``length`` (mean of ``events`` spells lasting ``exposure_weeks``
        in all) and ``spread`` (the Erlang order from the same spells).
        """
        out = []
        for f in self.figures:
            info = self.kinds.get(f.path, {})
            kind = info.get("kind") or (
                "annual_share" if field_meta(f.path)["unit"] == "share a year" else "mean_weeks"
            )
            row = {
                "path": f.path,
                "kind": kind,
                "events": info.get("events", f.events),
                "exposure_weeks": info.get("exposure_weeks", f.exposure_weeks),
                "trials": info.get("trials", float("nan")),
                "base": f.base,
                "value": f.value,
                "weight_on_base": f.weight_on_base,
                "used": f.used,
            }
            if kind == "share":
                counts = info["counts"]
                for k, n in counts.items():
                    out.append(
                        row
                        | {
                            "path": f"{f.path}.{k}",
                            "events": n,
                            "trials": sum(counts.values()),
                            "base": f.base[k],
                            "value": f.value[k],
                        }
                    )
            else:
                out.append(row)
        return out

    def put(
        self,
        path: str,
        estimate: float | None,
        events: int,
        what: str,
        how: str,
        exposure: float | None = None,
        min_events: int = MIN_EVENTS,
        counts: Counts | None = None,
    ) -> None:
        """Use ``estimate`` for ``path``, shrunk towards the base value by ``counts``, clipped to range.

        ``what`` says what the events and exposure were (plain words); ``how`` how the figure
        follows from them. ``exposure`` is None for figures from lengths of spells. With ``counts``
        and prior events the value is the credibility estimate (:func:`.credibility.credible`);
        without, it is the data alone if there are at least ``min_events`` events (and
        :data:`MIN_EXPOSURE_WEEKS` child-weeks), else the base value.
        """
        meta = field_meta(path)
        label = meta["label"]
        base = self.base_value(path)
        m = self.prior_events if counts is not None else 0.0
        value_raw, weight = estimate, 0.0
        if m > 0:
            value_raw, weight = credible(counts, float(base), m)
            short = "nothing happened over no child-weeks" if weight >= 1 else ""
            if not short:
                alone = _fmt_value(path, estimate) if estimate is not None else "no figure (no events)"
                how += (
                    f"; the data alone give {alone}, shrunk towards the base scenario's {_fmt_value(path, base)} "
                    f"(counted as {m:g} events): weight on it {weight:.0%}"
                )
        else:
            short = _short_reason(events, exposure, min_events)
        if short or value_raw is None:
            self.warnings.append(
                f"{label}: kept from the base scenario ({_fmt_value(path, base)}) because {short or 'nothing to go on'} "
                f"in {self.window_txt}. A longer window (more weeks before the as-at date) may give enough."
            )
            self.rows.append((label, _fmt_value(path, base), f"kept from the base scenario, too few to go on: {what}"))
            self.figures.append(RateFigure(path, label, base, base, estimate, events, exposure or 0.0, False))
            return
        value = _rounded(path, value_raw)
        lo, hi = meta.get("min"), meta.get("max")
        below, above = lo is not None and value < lo, hi is not None and value > hi
        if below or above:
            bound = lo if below else hi
            bound = int(bound) if meta["unit"] == "order" else float(bound)
            self.warnings.append(
                f"{label}: the data give {_fmt_value(path, value)}, {'less' if below else 'more'} than the "
                f"model allows; {_fmt_value(path, bound)} is used"
            )
            how += f"; the data give {_fmt_value(path, value)}, outside the allowed range, so {_fmt_value(path, bound)}"
            value = bound
        self.changes[path] = value
        self.rows.append((label, _fmt_value(path, value), f"{what}: {how}"))
        self.figures.append(RateFigure(path, label, value, base, estimate, events, exposure or 0.0, True, weight, m))

    def put_shares(self, path: str, counts: dict[str, int], labels: dict[str, str], what: str) -> None:
        """Shares (summing to 1) from counts of how spells ended."""
        meta = field_meta(path)
        label = meta["label"]
        base = dict(self.base_value(path))
        n = int(sum(counts.values()))
        listed = ", ".join(f"{labels[k]} {counts[k]}" for k in counts)
        m = self.prior_events
        if m > 0 and n > 0:
            alone = {k: counts[k] / n for k in counts}
            pairs = {k: credible(Counts("share", counts[k], n), float(base.get(k, 0.0)), m) for k in counts}
            weight = m / (n + m)
            value = _round_shares({k: v for k, (v, _) in pairs.items()})
            self.changes[path] = value
            self.rows.append(
                (
                    label,
                    _fmt_shares(value, labels),
                    f"{what}: {listed}; the data alone give {_fmt_shares(_round_shares(alone), labels)}, shrunk "
                    f"towards the base scenario's shares (counted as {m:g} spells): weight on them {weight:.0%}",
                )
            )
            self.figures.append(RateFigure(path, label, value, base, alone, n, 0.0, True, weight, m))
            return
        if n < MIN_EVENTS or m > 0:  # with prior events: no spell at all
            need = "" if m > 0 else f" (at least {MIN_EVENTS} are needed)"
            self.warnings.append(
                f"{label}: kept from the base scenario because only {n} spells of care proceedings ended with a "
                f"final order or a return home in {self.window_txt}{need}. A longer "
                "window (more weeks before the as-at date) may give enough."
            )
            self.rows.append(
                (label, _fmt_shares(base, labels), f"kept from the base scenario, too few to go on: {what}")
            )
            self.figures.append(RateFigure(path, label, base, base, None, n, 0.0, False))
            return
        estimate = {k: counts[k] / n for k in counts}
        value = _round_shares(estimate)
        self.changes[path] = value
        self.rows.append((label, _fmt_shares(value, labels), f"{what}: {listed}"))
        self.figures.append(RateFigure(path, label, value, base, estimate, n, 0.0, True))


def _short_reason(events: int, exposure: float | None, min_events: int) -> str:
    if events < min_events:
        return f"only {events} event{'' if events == 1 else 's'} happened (at least {min_events} are needed)"
    if exposure is not None and exposure < MIN_EXPOSURE_WEEKS:
        return f"there were only {exposure:,.0f} child-weeks at risk (at least {MIN_EXPOSURE_WEEKS:,.0f} are needed)"
    return ""


def _rounded(path: str, v: float) -> float | int:
    unit = field_meta(path)["unit"]
    if unit == "order":
        return int(round(v))
    if unit == "weeks":
        return round(float(v), 2)
    if unit == "share a year":
        return round(float(v), 6)
    return round(float(v), 4)


def _fmt_value(path: str, v: Any) -> str:
    unit = field_meta(path)["unit"]
    if unit == "order":
        return f"{int(v)}"
    if unit == "weeks":
        return f"{v:,.1f} weeks"
    if unit == "share a year":
        return f"{v:.1%} a year"
    return f"{v:.0%}"


def _erlang_cdf(t: float, k: int, mean: float) -> float:
    """P(an Erlang time of order ``k`` and this mean is at most ``t``)."""
    x = k * t / mean
    return 1.0 - math.exp(-x) * sum(x**i / math.factorial(i) for i in range(k))


def _calibrate_rates(e: pd.DataFrame, rc: _RateCalibration) -> None:
    """Every rate of the s20, proceedings, placement_order and care_order sections, into ``rc``.

    ``e`` is the episodes chained by :func:`_chain`. Rates are occurrence / exposure: the events
    in the window divided by the child-weeks at risk in it, each child counted in the legal stage
    (and, under a placement order, placed or not) of the episode they were in, and only up to
    their 18th birthday.
    """
    e = e.copy()
    lo, hi, win_txt = rc.lo, rc.hi, rc.window_txt
    statuses, reasons = legal_status_codes(), reasons_ceased()
    proc_codes = " or ".join(statuses.loc[statuses["stage"] == "proceedings", "code"])

    def rec(route: str) -> str:
        return "REC " + ", ".join(reasons.loc[reasons["route"] == route, "code"])

    start, end = _risk_span(e, lo, hi)
    e["weeks"] = ((end - start).dt.days / 7).clip(lower=0)
    e["in_win"] = _in_window(e, lo, hi)
    stage, win = e["stage"], e["in_win"]

    def weeks(mask: pd.Series) -> float:
        return float(e.loc[mask, "weeks"].sum())

    def count(mask: pd.Series) -> int:
        return int((mask & win).sum())

    def every(w: float, n: int) -> str:
        return f"{w / n:,.1f}" if n else "-"

    def a_year(n: int, w: float) -> str:
        return f"{n / w:.2%} a week, so {_annual(n, w):.1%} a year" if w else "no child-weeks"

    # --- section 20 ------------------------------------------------------------------
    s20 = stage.eq("s20")
    w_s20 = weeks(s20)
    n_home = count(s20 & e["exit"].eq("returned_home"))
    rc.at_risk["s20.mean_weeks_to_return_home"] = (s20, s20 & e["exit"].eq("returned_home"))
    rc.put(
        "s20.mean_weeks_to_return_home",
        w_s20 / n_home if n_home else None,
        n_home,
        f"{_n(n_home, 'child', 'children')} returned home from section 20 in {win_txt}, over {w_s20:,.0f} "
        "child-weeks under section 20",
        f"one return home every {every(w_s20, n_home)} child-weeks",
        w_s20,
        counts=Counts("mean", n_home, w_s20),
    )
    n_proc = count(s20 & e["next_stage"].isin(["proceedings", "care_order"]))
    rc.at_risk["s20.annual_share_to_proceedings"] = (s20, s20 & e["next_stage"].isin(["proceedings", "care_order"]))
    rc.put(
        "s20.annual_share_to_proceedings",
        _annual(n_proc, w_s20) if w_s20 else None,
        n_proc,
        f"{_n(n_proc, 'child', 'children')} moved from section 20 into care proceedings or a care order in "
        f"{win_txt}, over {w_s20:,.0f} child-weeks under section 20",
        a_year(n_proc, w_s20),
        w_s20,
        counts=Counts("rate", n_proc, w_s20),
    )

    # --- care proceedings: unbroken runs of the proceedings stage (C1, L2) --------------
    pr = e[stage.eq("proceedings")]
    first = pr.drop_duplicates("run", keep="first").set_index("run")
    last = pr.drop_duplicates("run", keep="last").set_index("run")
    outcome = pd.Series(None, index=last.index, dtype=object)
    outcome[last["next_stage"].eq("care_order")] = "care_order"
    outcome[last["next_stage"].eq("placement_order")] = "placement_order"
    outcome[last["exit"].eq("returned_home")] = "returned_home"
    outcome[last["exit"].eq("sgo_cao")] = "sgo_cao"
    ending = last["in_win"] & (last["cont"] | last["exit"].notna())
    ended = ending & outcome.notna()
    counts = {k: int((ended & outcome.eq(k)).sum()) for k in HEARING_OUTCOMES}
    others = int((ending & outcome.isna()).sum())
    n_ended = sum(counts.values())
    rc.note("proceedings.outcome_shares", "share", counts=counts)
    rc.put_shares(
        "proceedings.outcome_shares",
        counts,
        {
            "returned_home": "Returned home",
            "sgo_cao": "Special guardianship or child arrangements order",
            "placement_order": "Placement order",
            "care_order": "Care order",
        },
        f"how the {_n(n_ended, 'spell')} of care proceedings (legal status {proc_codes}) that ended in {win_txt} with "
        "a final order or a return home ended"
        + (
            f" ({_n(others, 'other spell')} ended otherwise, e.g. at 18 or back to section 20: not counted)"
            if others
            else ""
        ),
    )
    known = first["pred"] | first["RNE"].astype(str).str.upper().eq("S")
    weeks_in = (last["DEC"] - first["DECOM"]).dt.days / 7
    d = weeks_in[ended & known].to_numpy(dtype=float)
    unknown_start = int((ended & ~known).sum())
    n_d = len(d)
    mean = float(d.mean()) if n_d else None
    sd = float(d.std(ddof=1)) if n_d > 1 else 0.0
    spread = (
        f" (standard deviation {sd:,.1f} weeks, middle half {np.percentile(d, 25):,.0f} to "
        f"{np.percentile(d, 75):,.0f} weeks, {np.mean(d <= 26):.0%} within 26 weeks)"
        if n_d
        else ""
    )
    rc.note("proceedings.mean_weeks", "length", exposure_weeks=float(d.sum()))
    rc.note("proceedings.erlang_order", "spread", exposure_weeks=float(d.sum()))
    rc.put(
        "proceedings.mean_weeks",
        mean,
        n_d,
        f"{_n(n_d, 'spell')} of care proceedings that ended in {win_txt} with a final order or a return home"
        + (f" ({_n(unknown_start, 'spell')} that began before the data left out)" if unknown_start else ""),
        f"average {mean or 0:,.1f} weeks{spread}, counted from the first interim care order (or emergency "
        "protection order) episode, not from the court application",
        counts=Counts("mean", n_d, float(d.sum())),
    )
    k_est = (mean**2 / sd**2 if sd > 0 else 12.0) if mean else None
    fit = ""
    if k_est and mean:
        k_fit = min(max(round(k_est), 1), 12)
        fit = (
            f"; at order {k_fit} and {mean:,.1f} weeks the model has {_erlang_cdf(26, k_fit, mean):.0%} of proceedings "
            f"within 26 weeks, the data {np.mean(d <= 26):.0%}"
        )
    rc.put(
        "proceedings.erlang_order",
        k_est,
        n_d,
        f"the spread of the same {_n(n_d, 'spell')}",
        f"average squared / variance = {k_est or 0:,.1f}, rounded (an Erlang time of order k has exactly this "
        f"ratio; at least {MIN_SPELLS_FOR_SPREAD} spells are needed){fit}",
        min_events=MIN_SPELLS_FOR_SPREAD,
    )
    over = d[d > BACKLOG_WEEKS] - BACKLOG_WEEKS
    rc.note("proceedings.backlog_mean_remaining_weeks", "length", exposure_weeks=float(over.sum()))
    rc.put(
        "proceedings.backlog_mean_remaining_weeks",
        float(over.mean()) if len(over) else None,
        len(over),
        f"the {_n(len(over), 'spell')} of those that lasted more than {BACKLOG_WEEKS} weeks",
        f"on average {float(over.mean()) if len(over) else 0:,.1f} weeks more after week {BACKLOG_WEEKS}",
        counts=Counts("mean", len(over), float(over.sum())),
    )

    _cohort_rows(first[first["pred"] | first["RNE"].astype(str).str.upper().eq("S")], last, lo, hi, rc)

    # --- placement orders (E1, D1): waiting, then placed for adoption (A3-A6) ----------------
    po = stage.eq("placement_order")
    waiting, placed = po & ~e["pfa"], po & e["pfa"]
    w_wait, w_placed = weeks(waiting), weeks(placed)
    to_adopters = waiting & e["next_stage"].eq("placement_order") & e["next_pfa"]
    to_co = waiting & e["next_stage"].eq("care_order")
    n_placed, n_co = count(to_adopters), count(to_co)
    n_out = n_placed + n_co
    rc.at_risk["placement_order.mean_weeks_to_placement"] = (waiting, to_adopters | to_co)
    waiting_txt = (
        f"{_n(n_out, 'child', 'children')} on a placement order and not yet placed moved on in {win_txt} "
        f"({n_placed} placed for adoption, {n_co} to a care order), over {w_wait:,.0f} child-weeks waiting"
    )
    rc.put(
        "placement_order.mean_weeks_to_placement",
        w_wait / n_out if n_out else None,
        n_out,
        waiting_txt,
        f"one every {every(w_wait, n_out)} child-weeks",
        w_wait,
        counts=Counts("mean", n_out, w_wait),
    )
    rc.note("placement_order.share_not_adopted", "proportion", trials=n_out, exposure_weeks=0.0, events=n_co)
    rc.put(
        "placement_order.share_not_adopted",
        n_co / n_out if n_out else None,
        n_out,
        waiting_txt,
        f"{n_co} of {n_out} moved to a care order",
        counts=Counts("share", n_co, n_out),
    )
    n_adopt = count(placed & e["exit"].eq("adoption"))
    rc.at_risk["placement_order.mean_weeks_placed_to_order"] = (placed, placed & e["exit"].eq("adoption"))
    rc.put(
        "placement_order.mean_weeks_placed_to_order",
        w_placed / n_adopt if n_adopt else None,
        n_adopt,
        f"{_n(n_adopt, 'child', 'children')} placed for adoption under a placement order were adopted ({rec('adoption')}) "
        f"in {win_txt}, over {w_placed:,.0f} child-weeks placed",
        f"one adoption every {every(w_placed, n_adopt)} child-weeks",
        w_placed,
        counts=Counts("mean", n_adopt, w_placed),
    )

    # --- care orders (C2) -----------------------------------------------------------------
    co = stage.eq("care_order")
    w_co = weeks(co)
    for path, route, what in (
        ("care_order.annual_discharge_home", "returned_home", f"left care to go home ({rec('returned_home')})"),
        ("care_order.annual_sgo", "sgo_cao", "left care under a special guardianship or child arrangements order"),
        ("care_order.annual_other", "other", "left care before 18 for another reason (e.g. to another authority)"),
    ):
        n = count(co & e["exit"].eq(route))
        rc.at_risk[path] = (co, co & e["exit"].eq(route))
        rc.put(
            path,
            _annual(n, w_co) if w_co else None,
            n,
            f"{_n(n, 'child', 'children')} on a care order {what} in {win_txt}, over {w_co:,.0f} child-weeks on a "
            "care order",
            a_year(n, w_co),
            w_co,
            counts=Counts("rate", n, w_co),
        )
    _make_consistent(rc)
    _name_leaning(rc)
    for path, (risk, event) in rc.at_risk.items():
        hit = event & win
        label = field_meta(path)["label"]
        rc.trends.append(rate_trend(path, label, start[risk], end[risk], e.loc[hit, "DEC"], lo, hi))
    rc.rows += trend_rows(rc.trends, win_txt)


def _name_leaning(rc: _RateCalibration) -> None:
    """One warning naming the rates that rest mostly on the base scenario's value (credibility weighting)."""
    leaning = [f for f in rc.figures if f.used and f.weight_on_base >= LEANS_ON_BASE]
    if not leaning:
        return
    listed = ", ".join(f"{f.label} ({_n(f.events, 'event')}: {f.weight_on_base:.0%} base scenario)" for f in leaning)
    rc.warnings.append(
        f"Rates: {_n(len(leaning), 'figure')} rest mostly on the base scenario's value, the data holding few events "
        f"in {rc.window_txt}: {listed}. A longer window (more weeks before the as-at date) gives the data more weight."
    )


def _cohort_rows(
    first: pd.DataFrame, last: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp, rc: _RateCalibration
) -> None:
    """Report the median length of proceedings by financial year of issue, and its trend (report only)."""
    end = last["DEC"].reindex(first.index)
    cohorts, slope, se = proceedings_by_cohort(first["DECOM"], end, lo, hi)
    if not cohorts:
        return
    listed = ", ".join(f"{y}-{(y + 1) % 100:02d}: {m:,.0f} weeks ({n})" for y, n, m in cohorts)
    if slope is None or se is None:
        trend = "too few cohorts (at least 3 financial years) for a trend"
        value = "by year of issue"
    else:
        lo95, hi95 = slope - 1.96 * se, slope + 1.96 * se
        way = "lengthening" if lo95 > 0 else "shortening" if hi95 < 0 else "no clear change"
        value = f"{slope:+.1f} weeks a year (standard error {se:.1f})"
        trend = f"{way}: the median changes by {slope:+.1f} weeks a year (95% interval {lo95:+.1f} to {hi95:+.1f})"
    rc.rows.append(
        (
            "Length of proceedings by year of issue",
            value,
            f"median weeks (spells) of care proceedings begun in each financial year of {rc.window_txt}, spells still "
            f"open counted as lasting at least to the as-at date (Kaplan-Meier): {listed}; {trend}. Reported only: "
            "the scenario's average length is the one above",
        )
    )
    rc.proceedings_cohorts = (cohorts, slope, se)


def _make_consistent(rc: _RateCalibration) -> None:
    """Keep the rules that tie figures together (validate.py), saying what was changed.

    Care-order yearly shares are each "acting alone", so three high ones can add up to more
    than 1, which the model does not allow: they are then scaled down together. The Erlang
    order cannot exceed the average length of proceedings (nor a target length) in weeks.
    """

    def value(path: str) -> Any:
        return rc.changes.get(path, rc.base_value(path))

    def replace(path: str, new: Any, why: str) -> None:
        rc.changes[path] = new
        rc.figures = [dataclasses.replace(f, value=new) if f.path == path else f for f in rc.figures]
        label = field_meta(path)["label"]
        rc.rows = [
            (lab, _fmt_value(path, new), f"{how}; {why}") if lab == label else (lab, v, how) for lab, v, how in rc.rows
        ]

    co = ("care_order.annual_discharge_home", "care_order.annual_sgo", "care_order.annual_other")
    total = sum(value(p) for p in co)
    if total > 1 and any(p in rc.changes for p in co):
        rc.warnings.append(
            f"Care orders: the yearly shares leaving home, to special guardianship and for other reasons add up to "
            f"{total:.0%}, more than the model allows (100%): each was scaled down by the same factor"
        )
        for p in co:
            replace(
                p,
                round(value(p) / total * 0.999999, 6),
                f"scaled down with the other two (they added up to {total:.0%})",
            )
    limit = min(x for x in (value("proceedings.mean_weeks"), value("proceedings.target_mean_weeks")) if x is not None)
    k = value("proceedings.erlang_order")
    if k > limit and ("proceedings.erlang_order" in rc.changes or "proceedings.mean_weeks" in rc.changes):
        new = max(1, int(limit))
        rc.warnings.append(
            f"Spread of proceedings length (number of phases): {k} is more than the average length of proceedings "
            f"({limit:g} weeks) allows; {new} is used"
        )
        replace("proceedings.erlang_order", new, f"at most the average length in weeks, so {new}")
