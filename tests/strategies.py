"""Hypothesis strategies for valid scenarios (random but always within the allowed ranges)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from csc_model import default_scenario
from csc_model.scenario import AGE_BAND_YEARS, AGE_BANDS, Scenario
from csc_model.scenario.config import load_placement_types


def _shares(keys: list[str]) -> st.SearchStrategy[dict[str, float]]:
    """Non-negative shares over ``keys`` that sum to exactly 1 (the last takes the remainder)."""

    def build(ws: list[int]) -> dict[str, float]:
        total = sum(ws)
        vals = [w / total for w in ws]
        vals[-1] = max(0.0, 1.0 - sum(vals[:-1]))
        return dict(zip(keys, vals, strict=True))

    return st.lists(st.integers(0, 20), min_size=len(keys), max_size=len(keys)).filter(lambda w: sum(w) > 0).map(build)


def _mix_by_band() -> st.SearchStrategy[dict[str, dict[str, float]]]:
    types = load_placement_types()

    def allowed(band: str) -> list[str]:
        lo, hi = AGE_BAND_YEARS[band]
        return [p.id for p in types if not (hi < p.min_age or lo > p.max_age)]

    def full(band: str, mix: dict[str, float]) -> dict[str, float]:
        return {p.id: mix.get(p.id, 0.0) for p in types}

    return st.fixed_dictionaries({b: _shares(allowed(b)).map(lambda m, b=b: full(b, m)) for b in AGE_BANDS})


@st.composite
def scenarios(draw: st.DrawFn, max_years: int = 10) -> Scenario:
    """A random valid scenario built on the defaults."""
    base = default_scenario()
    start = base.start_date
    k = draw(st.integers(1, 12))
    mean = draw(st.floats(max(k, 4), 156))
    target = draw(st.one_of(st.none(), st.floats(max(k, 4), 156)))
    years = draw(st.integers(1, max_years))
    surge_day = draw(st.integers(0, 365 * years - 1))
    types = [p.id for p in load_placement_types()]
    changes = {
        "years": years,
        "name": draw(
            st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(
                lambda t: t.strip() != ""
            )
        ),
        "initial.stage_counts": {
            key: float(draw(st.integers(0, 400)))
            for key in ("s20", "proceedings", "proceedings_backlog", "placement_order")
        }
        | {"care_order": float(draw(st.integers(1, 800)))},
        "initial.age_band_shares": draw(_shares(list(AGE_BANDS))),
        "initial.placement_mix_by_age_band": draw(_mix_by_band()),
        "initial.placement_order_placed_share": draw(st.floats(0, 1)),
        "entries.weekly_rate": draw(st.floats(0, 40)),
        "entries.annual_trend": draw(st.floats(-0.5, 1.0)),
        "entries.age_band_shares": draw(_shares(list(AGE_BANDS))),
        "entries.s20_share_by_age_band": {b: draw(st.floats(0, 1)) for b in AGE_BANDS},
        "entries.placement_mix_by_age_band": draw(_mix_by_band()),
        "entries.prevented_share": draw(st.floats(0, 1)),
        "entries.surges": [
            {
                "start_date": (start + dt.timedelta(days=surge_day)).isoformat(),
                "weeks": draw(st.integers(1, 520)),
                "extra_children": draw(st.floats(0, 5000)),
            }
        ]
        if draw(st.booleans())
        else [],
        "proceedings.mean_weeks": mean,
        "proceedings.erlang_order": k,
        "proceedings.backlog_mean_remaining_weeks": draw(st.floats(1, 156)),
        "proceedings.target_mean_weeks": target,
        "proceedings.outcome_shares": draw(_shares(["returned_home", "sgo_cao", "placement_order", "care_order"])),
        "s20.mean_weeks_to_return_home": draw(st.floats(1, 520)),
        "s20.annual_share_to_proceedings": draw(st.floats(0, 1)),
        "placement_order.mean_weeks_to_placement": draw(st.floats(1, 520)),
        "placement_order.share_not_adopted": draw(st.floats(0, 1)),
        "placement_order.mean_weeks_placed_to_order": draw(st.floats(1, 520)),
        "care_order.annual_discharge_home": draw(st.floats(0, 0.33)),
        "care_order.annual_sgo": draw(st.floats(0, 0.33)),
        "care_order.annual_other": draw(st.floats(0, 0.33)),
        "placements.shift": {
            "from_type": draw(st.sampled_from(types)),
            "to_type": draw(st.sampled_from(types)),
            "children_per_year": draw(st.floats(0, 1000)),
            "start_date": start.isoformat(),
        },
        "placements.moves": [
            {"from_type": f, "to_type": t, "annual_rate": draw(st.floats(0, 0.3))}
            for f, t in draw(
                st.lists(
                    st.tuples(st.sampled_from(types), st.sampled_from(types)).filter(lambda x: x[0] != x[1]), max_size=3
                )
            )
        ],
        "costs.weekly_price_gbp": {p: draw(st.floats(0, 50000)) for p in types},
        "costs.annual_inflation": draw(st.floats(-0.2, 0.5)),
    }
    return base.with_values(changes)
