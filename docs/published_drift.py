"""Why published scenarios rise in their later years: the figures behind docs/published.md.

Run from the repository root (about four minutes on two cores)::

    python docs/published_drift.py

For every authority with figures at 31 March 2024 it prints the median change in children in care
from the second year's end to the fifth's, as the app builds the scenario, with the entry trend set
to none, and with the section 20 balance below; England's leavers at 18 in the first and fifth
years. Then, from 31 March 2022, it compares the legal-stage mix two years ahead with the mix
published for 2024, and the count's error, as built and with the section 20 balance.

The section 20 balance is an experiment, not part of the model: the yearly share of children
accommodated under section 20 who move into care proceedings is set so that, in the first year,
as many children per child leave section 20 (home, to proceedings, at 18) as the published
figures imply for the year before (those under section 20 a year earlier, plus the starters under
section 20, less those under section 20 now).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from csc_model import default_scenario  # noqa: E402
from csc_model.published import authorities  # noqa: E402
from csc_model.published import build as B  # noqa: E402
from csc_model.published import data as pub  # noqa: E402
from csc_model.published.fill import Report, filled_counts  # noqa: E402
from csc_model.reporting.results import project  # noqa: E402
from csc_model.scenario import Scenario  # noqa: E402
from csc_model.solvers.engine import run_deterministic  # noqa: E402
from csc_model.solvers.structure import build  # noqa: E402

STAGES = ("s20", "proceedings", "care_order")


def stage_mix(code: str, region: str, year: int) -> dict[str, float]:
    """Children in care by the model's legal stage (suppressed cells filled as the build does)."""
    total = pub.figure(code, year, "in_care")
    counts, _ = filled_counts("in_care", code, region, year, "Legal status", B.STAGE_OF_STATUS, total)
    return counts


def published_s20_outflow(a, year: int) -> float | None:
    """Children leaving section 20 in the year to 31 March ``year`` per child under section 20 (average)."""
    started = pub.figure(a.code, year, "started")
    if year - 1 not in a.years or math.isnan(started):
        return None
    before, now = stage_mix(a.code, a.region, year - 1)["s20"], stage_mix(a.code, a.region, year)["s20"]
    legal_map = {k: ("s20" if k in B.S20_ROUTES else "court") for k in B._starter_statuses()}
    entered = filled_counts("started", a.code, a.region, year, "Legal status", legal_map, started)[0]["s20"]
    average = (before + now) / 2
    return max(before + entered - now, 0.0) / average if average > 0 else None


def model_s20_outflow(s: Scenario) -> float:
    """The same in the model's first year."""
    stock = run_deterministic(build(s.replace(years=1))).stock_stage[:52, 0, 0]
    e = s.entries
    entered = e.weekly_rate * 52 * sum(e.age_band_shares[b] * e.s20_share_by_age_band[b] for b in e.age_band_shares)
    return (s.initial.stage_counts["s20"] + entered - stock[-1]) / stock.mean()


def s20_balanced(s: Scenario, target: float) -> Scenario:
    """``s`` with the share moving from section 20 into proceedings set so its first year meets ``target``."""
    for _ in range(3):
        q = s.s20.annual_share_to_proceedings
        hazard = -math.log(1 - min(q, 0.999)) + target - model_s20_outflow(s)
        q = min(max(1 - math.exp(-hazard), 0.0), 0.9)
        s = s.replace(s20=dataclasses.replace(s.s20, annual_share_to_proceedings=round(q, 4)))
    return s


def scenario(a, year: int, how: str) -> Scenario:
    """The app's scenario (``as built``), with no entry trend, or with the section 20 balance."""
    s, _ = B.build_scenario(a.code, dt.date(year, 3, 31), default_scenario(), correct=False)
    if how == "no trend":
        s = s.replace(entries=dataclasses.replace(s.entries, annual_trend=0.0))
    if how == "s20 balance":
        target = published_s20_outflow(a, year)
        if target is not None:
            s = s20_balanced(s, target)
    return B._correct_entries(a, year, s, Report())


def later_years() -> None:
    print("From 31 March 2024: change in children in care from the 2nd year's end to the 5th's")
    leavers_18: dict[str, list[float]] = {}
    for how in ("as built", "no trend", "s20 balance"):
        rises, s20_share = [], []
        first, fifth = 0.0, 0.0
        for a in authorities():
            if 2024 not in a.years:
                continue
            fy = project(scenario(a, 2024, how)).table("fy")
            n = fy["children_in_care"].to_numpy()
            rises.append(n[4] / n[1] - 1)
            s20_share.append(fy["stage_s20"].iloc[4] / n[4])
            first += fy["exits_age_18"].iloc[0]
            fifth += fy["exits_age_18"].iloc[4]
        q = statistics.quantiles(rises, n=4)
        leavers_18[how] = [first, fifth]
        print(
            f"  {how:12s} median {statistics.median(rises):+.1%} (quartiles {q[0]:+.1%}, {q[2]:+.1%}); "
            f"under section 20 in the 5th year: median {statistics.median(s20_share):.0%}; "
            f"leaving at 18, all authorities: {first:,.0f} in the 1st year, {fifth:,.0f} in the 5th"
        )


def stage_check() -> None:
    print("From 31 March 2022, two years ahead, against the figures published for 31 March 2024")
    for how in ("as built", "s20 balance"):
        err, gaps = [], {st: [] for st in STAGES}
        shares = {st: [] for st in STAGES}
        for a in authorities():
            if not {2021, 2022, 2024} <= set(a.years):
                continue
            fy = project(scenario(a, 2022, how).replace(years=2)).table("fy")
            n = fy["children_in_care"].iloc[1]
            actual = stage_mix(a.code, a.region, 2024)
            total = sum(actual.values())
            err.append(n / pub.figure(a.code, 2024, "in_care") - 1)
            for st in STAGES:
                model_share = fy[f"stage_{st}"].iloc[1] / n
                shares[st].append((model_share, actual[st] / total))
                gaps[st].append(abs(model_share - actual[st] / total))
        print(f"  {how:12s} count: mean absolute error {np.mean(np.abs(err)):.1%}, median signed {np.median(err):+.1%}")
        for st in STAGES:
            m, p = np.median([x for x, _ in shares[st]]), np.median([y for _, y in shares[st]])
            print(
                f"    {st:12s} median share {m:.0%} (published {p:.0%}); mean gap {np.mean(gaps[st]) * 100:.1f} points"
            )


if __name__ == "__main__":
    later_years()
    stage_check()
