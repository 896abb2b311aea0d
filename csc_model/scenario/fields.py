"""The parts of a scenario (starting position, entries, legal stages, placements, costs) and
the field metadata (label, unit, allowed range, help) that validation, the command line and the
app all read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from csc_model.scenario.frozen import FrozenMap

SCENARIO_VERSION = 2

AGE_BANDS: tuple[str, ...] = ("under_1", "1_4", "5_9", "10_15", "16_17")
"""DfE age bands used for shares; (first, last) whole years of age in each."""
AGE_BAND_YEARS: dict[str, tuple[int, int]] = {
    "under_1": (0, 0),
    "1_4": (1, 4),
    "5_9": (5, 9),
    "10_15": (10, 15),
    "16_17": (16, 17),
}
AGE_BAND_LABELS: dict[str, str] = {
    "under_1": "Under 1",
    "1_4": "1-4",
    "5_9": "5-9",
    "10_15": "10-15",
    "16_17": "16-17",
}
STAGE_KEYS: tuple[str, ...] = (
    "s20",
    "proceedings",
    "proceedings_backlog",
    "placement_order",
    "care_order",
)
HEARING_OUTCOMES: tuple[str, ...] = ("returned_home", "sgo_cao", "placement_order", "care_order")


def meta(
    label: str,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    help: str = "",
    group: str = "",
) -> dict[str, Any]:
    """Field metadata: what the field means and the range it must lie in."""
    return {"label": label, "unit": unit, "min": lo, "max": hi, "help": help, "group": group}


# ---------------------------------------------------------------------------
# Scenario sections
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Initial:
    """Children in care on the start date."""

    stage_counts: FrozenMap[str, float] = field(
        metadata=meta(
            "Children in care on the start date, by legal stage",
            "children",
            0,
            20000,
            "s20, in care proceedings (within normal timescales), proceedings backlog "
            "(already over 50 weeks), placement order, care order.",
            "Starting position",
        )
    )
    age_band_shares: FrozenMap[str, float] = field(
        metadata=meta(
            "Age mix of children in care",
            "share",
            0,
            1,
            "Shares by age band; sum to 1.",
            "Starting position",
        )
    )
    placement_mix_by_age_band: FrozenMap[str, FrozenMap[str, float]] = field(
        metadata=meta(
            "Placement mix of children in care, by age band",
            "share",
            0,
            1,
            "For each age band, the share in each placement type; each band sums to 1.",
            "Starting position",
        )
    )
    placement_order_placed_share: float = field(
        metadata=meta(
            "Children with a placement order already placed for adoption",
            "share",
            0,
            1,
            "The rest are still waiting to be matched with adopters.",
            "Starting position",
        )
    )

    @property
    def total(self) -> float:
        """Children in care on the start date."""
        return float(sum(self.stage_counts.values()))


@dataclass(frozen=True)
class Surge:
    """A one-off run of extra entries, e.g. several large sibling groups."""

    start_date: dt.date = field(metadata=meta("Surge starts", "date", help="First week of extra entries."))
    weeks: int = field(
        metadata=meta("Surge length", "weeks", 1, 520, "Extra entries are spread evenly over these weeks.")
    )
    extra_children: float = field(
        metadata=meta("Extra children in the surge", "children", 0, 5000, "On top of the usual entries.")
    )


@dataclass(frozen=True)
class Entries:
    """Children starting to be looked after."""

    weekly_rate: float = field(
        metadata=meta(
            "Children entering care per week",
            "children a week",
            0,
            500,
            "The usual rate of new entries at the start date.",
            "Entries",
        )
    )
    annual_trend: float = field(
        metadata=meta(
            "Trend in entries",
            "change a year",
            -0.5,
            1.0,
            "Yearly change in the entry rate, compounding (0.05 = 5% more each year).",
            "Entries",
        )
    )
    age_band_shares: FrozenMap[str, float] = field(
        metadata=meta("Age mix of entrants", "share", 0, 1, "Shares by age band; sum to 1.", "Entries")
    )
    s20_share_by_age_band: FrozenMap[str, float] = field(
        metadata=meta(
            "Share entering under section 20",
            "share",
            0,
            1,
            "The rest enter through care proceedings (interim care order).",
            "Entries",
        )
    )
    placement_mix_by_age_band: FrozenMap[str, FrozenMap[str, float]] = field(
        metadata=meta(
            "First placement of entrants, by age band",
            "share",
            0,
            1,
            "For each age band, the share starting in each placement type; each sums to 1.",
            "Entries",
        )
    )
    prevented_share: float = field(
        metadata=meta(
            "Entries prevented by edge-of-care work",
            "share",
            0,
            1,
            "Share of usual entries that edge-of-care work stops (0.1 = one in ten).",
            "Entries",
        )
    )
    prevention_start: dt.date = field(
        metadata=meta(
            "Edge-of-care work takes effect from",
            "date",
            help="Entries are reduced by the share above from this date on.",
            group="Entries",
        )
    )
    surges: tuple[Surge, ...] = field(
        metadata=meta(
            "One-off surges in entries",
            "",
            help="Extra children on top of the usual entries, e.g. several large sibling groups.",
            group="Entries",
        )
    )


@dataclass(frozen=True)
class Proceedings:
    """Care proceedings (s31) from application to final hearing."""

    mean_weeks: float = field(
        metadata=meta(
            "Average length of care proceedings",
            "weeks",
            4,
            156,
            "From application to final hearing. The statutory target is 26 weeks.",
            "Court proceedings",
        )
    )
    erlang_order: int = field(
        metadata=meta(
            "Spread of proceedings length (number of phases)",
            "order",
            1,
            12,
            "1 = very variable (exponential); higher = more predictable. "
            "3 gives about a third (34%) within 26 weeks at a 38-week average.",
            "Court proceedings",
        )
    )
    backlog_mean_remaining_weeks: float = field(
        metadata=meta(
            "Backlog: average weeks still to go",
            "weeks",
            1,
            156,
            "For children already over 50 weeks in proceedings on the start date.",
            "Court proceedings",
        )
    )
    target_mean_weeks: float | None = field(
        metadata=meta(
            "Target average length of proceedings",
            "weeks",
            4,
            156,
            "Leave empty for no change. Reached in a straight line between the two dates.",
            "Court proceedings",
        )
    )
    target_from_date: dt.date = field(
        metadata=meta(
            "Improvement starts",
            "date",
            help="Proceedings start to get shorter from this date, in a straight line to the target.",
            group="Court proceedings",
        )
    )
    target_by_date: dt.date = field(
        metadata=meta(
            "Target reached by",
            "date",
            help="From this date proceedings take the target length on average.",
            group="Court proceedings",
        )
    )
    outcome_shares: FrozenMap[str, float] = field(
        metadata=meta(
            "Outcomes at the final hearing",
            "share",
            0,
            1,
            "Returned home (supervision or no order), special guardianship or child "
            "arrangements order, placement order (plan for adoption), care order. Sum to 1.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class Section20:
    """Voluntary accommodation with parental agreement."""

    mean_weeks_to_return_home: float = field(
        metadata=meta(
            "Section 20: average weeks before returning home",
            "weeks",
            1,
            520,
            "Children accommodated under s20 return home at this average pace.",
            "Exits and permanence",
        )
    )
    annual_share_to_proceedings: float = field(
        metadata=meta(
            "Section 20: share moving into care proceedings each year",
            "share a year",
            0,
            1,
            "Children accommodated under s20 for whom the council then applies to court.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class PlacementOrder:
    """Placement order: the plan is adoption."""

    mean_weeks_to_placement: float = field(
        metadata=meta(
            "Placement order to placed with adopters",
            "weeks",
            1,
            520,
            "Average weeks from the placement order to moving in with adopters.",
            "Exits and permanence",
        )
    )
    share_not_adopted: float = field(
        metadata=meta(
            "Placement orders that do not end in adoption",
            "share",
            0,
            1,
            "These children move to a care order (usually long-term fostering).",
            "Exits and permanence",
        )
    )
    mean_weeks_placed_to_order: float = field(
        metadata=meta(
            "Placed for adoption to adoption order",
            "weeks",
            1,
            520,
            "Average weeks from moving in with adopters to the adoption order.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class CareOrder:
    """Care order: long-term care, often long-term fostering."""

    annual_discharge_home: float = field(
        metadata=meta(
            "Care orders discharged, child returns home",
            "share a year",
            0,
            1,
            "Share of children on care orders whose order is discharged each year so they go home.",
            "Exits and permanence",
        )
    )
    annual_sgo: float = field(
        metadata=meta(
            "Care orders ending in special guardianship",
            "share a year",
            0,
            1,
            "Share of children on care orders who leave care each year to a special guardian (often family).",
            "Exits and permanence",
        )
    )
    annual_other: float = field(
        metadata=meta(
            "Care orders ending for other reasons",
            "share a year",
            0,
            1,
            "E.g. moved abroad, transferred to another authority.",
            "Exits and permanence",
        )
    )


@dataclass(frozen=True)
class PlacementMove:
    """A weekly flow of children from one placement type to another."""

    from_type: str = field(metadata=meta("From placement", ""))
    to_type: str = field(metadata=meta("To placement", ""))
    annual_rate: float = field(
        metadata=meta("Share moving each year", "share a year", 0, 1, "Of children in the 'from' placement.")
    )


@dataclass(frozen=True)
class PlacementShift:
    """Lever: move a number of children a year from one placement type to another."""

    from_type: str = field(metadata=meta("Move children from", "", group="Placements"))
    to_type: str = field(metadata=meta("Move children to", "", group="Placements"))
    children_per_year: float = field(
        metadata=meta(
            "Children moved a year",
            "children a year",
            0,
            1000,
            "Spread evenly through the year; limited by how many are in the 'from' placement.",
            "Placements",
        )
    )
    start_date: dt.date = field(
        metadata=meta(
            "Moves start", "date", help="The first moves happen in the week of this date.", group="Placements"
        )
    )


@dataclass(frozen=True)
class Placements:
    """Moves between placement types."""

    moves: tuple[PlacementMove, ...] = field(
        metadata=meta("Usual moves between placements (step-down, step-up)", "", group="Placements")
    )
    shift: PlacementShift = field(metadata=meta("Placement sufficiency lever", "", group="Placements"))


@dataclass(frozen=True)
class Costs:
    """Placement prices, inflation and budget."""

    weekly_price_gbp: FrozenMap[str, float] = field(
        metadata=meta(
            "Weekly price by placement type",
            "£ a week",
            0,
            50000,
            "At the prices of the base year below.",
            "Costs and budget",
        )
    )
    price_base_year: str = field(
        metadata=meta(
            "Price base year",
            "financial year",
            help="The financial year the weekly prices are quoted in, e.g. 2023-24.",
            group="Costs and budget",
        )
    )
    annual_inflation: float = field(
        metadata=meta(
            "Placement price inflation",
            "a year",
            -0.2,
            0.5,
            "The forecast: applied once per financial year from the start year on. Years between the "
            "price base year and the start year use the price changes that already happened "
            "(data/price_history.csv).",
            "Costs and budget",
        )
    )
    inflation_overrides: FrozenMap[str, float] = field(
        metadata=meta(
            "Inflation in particular years",
            "a year",
            -0.2,
            0.5,
            "Replaces the usual rate in the named financial years (e.g. 10% in 2027-28).",
            "Costs and budget",
        )
    )
    budget_first_year_gbp: float = field(
        metadata=meta(
            "Placement budget in the first financial year",
            "£",
            0,
            5e9,
            "The budget for placements in the financial year of the start date.",
            "Costs and budget",
        )
    )
    budget_annual_uplift: float = field(
        metadata=meta(
            "Yearly budget uplift",
            "a year",
            -0.5,
            0.5,
            "Growth of the budget each financial year.",
            "Costs and budget",
        )
    )
    budget_overrides: FrozenMap[str, float] = field(
        metadata=meta(
            "Budget in particular years",
            "£",
            0,
            5e9,
            "Replaces the uplifted budget in the named financial years.",
            "Costs and budget",
        )
    )
    inflation_by_type: FrozenMap[str, float] = field(
        default_factory=FrozenMap,
        metadata=meta(
            "Price inflation by placement type",
            "a year",
            -0.2,
            0.5,
            "The forecast rate for the named placement types, e.g. {'private_childrens_home': 0.08} "
            "where children's home prices outrun the general rate; other types use the rate above.",
            "Costs and budget",
        ),
    )
