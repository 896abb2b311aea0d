"""Validation of a decoded scenario: ranges from field metadata plus cross-field rules.

Every problem is collected (not only the first) and names the field, the value and the
allowed range, so a user can fix a file in one go.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from collections.abc import Mapping
from typing import Any

from csc_model.scenario import AGE_BANDS, HEARING_OUTCOMES, STAGE_KEYS, Issue, Scenario
from csc_model.scenario.codec import type_hints
from csc_model.scenario.config import load_placement_types
from csc_model.scenario.config import placement_ids as configured_placements
from csc_model.scenario.frozen import FrozenMap
from csc_model.scenario.json_io import range_text

SHARE_TOL = 1e-6
FY_RE = re.compile(r"^(\d{4})-(\d{2})$")


def fy_ok(label: str) -> bool:
    """True for a financial-year label like '2025-26'."""
    m = FY_RE.match(label)
    return bool(m) and (int(m.group(1)) + 1) % 100 == int(m.group(2))


_range_text = range_text


def _ranges(obj: Any, path: str, issues: list[Issue]) -> None:
    """Check every numeric leaf against its field's min/max metadata."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        sub = f"{path}.{f.name}" if path else f.name
        lo, hi = f.metadata.get("min"), f.metadata.get("max")
        _check_value(value, sub, lo, hi, f.metadata.get("unit", ""), issues)


def _check_value(value: Any, path: str, lo: Any, hi: Any, unit: str, issues: list[Issue]) -> None:
    if dataclasses.is_dataclass(value):
        _ranges(value, path, issues)
    elif isinstance(value, tuple):
        for i, v in enumerate(value):
            _check_value(v, f"{path}[{i}]", lo, hi, unit, issues)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _check_value(v, f"{path}.{k}", lo, hi, unit, issues)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            issues.append(Issue(path, value, f"is out of range; allowed {_range_text(lo, hi, unit)}"))


def _shares(m: Mapping[str, float], keys: tuple[str, ...], path: str, issues: list[Issue]) -> None:
    """A mapping over exactly ``keys`` whose values sum to 1."""
    missing = [k for k in keys if k not in m]
    unknown = [k for k in m if k not in keys]
    if missing:
        issues.append(Issue(path, None, f"is missing {', '.join(missing)}"))
    if unknown:
        issues.append(Issue(path, None, f"has unknown keys {', '.join(unknown)} (allowed: {', '.join(keys)})"))
    total = sum(v for v in m.values() if isinstance(v, (int, float)))
    if abs(total - 1.0) > SHARE_TOL:
        issues.append(Issue(path, None, f"shares add up to {total:.4g} ({total:.1%}); they must add up to 1 (100%)"))


def _keys(m: Mapping[str, Any], keys: tuple[str, ...], path: str, issues: list[Issue], exact: bool = True) -> None:
    unknown = [k for k in m if k not in keys]
    if unknown:
        issues.append(Issue(path, None, f"has unknown keys {', '.join(unknown)} (allowed: {', '.join(keys)})"))
    if exact:
        missing = [k for k in keys if k not in m]
        if missing:
            issues.append(Issue(path, None, f"is missing {', '.join(missing)}"))


def _mix_by_band(
    m: FrozenMap[str, FrozenMap[str, float]], path: str, ids: tuple[str, ...], issues: list[Issue]
) -> None:
    _keys(m, AGE_BANDS, path, issues)
    types = {p.id: p for p in load_placement_types()}
    for band, mix in m.items():
        if band not in AGE_BANDS:
            continue
        bpath = f"{path}.{band}"
        unknown = [k for k in mix if k not in ids]
        if unknown:
            issues.append(
                Issue(bpath, None, f"has unknown placement types {', '.join(unknown)} (allowed: {', '.join(ids)})")
            )
        total = sum(mix.values())
        if abs(total - 1.0) > SHARE_TOL:
            issues.append(
                Issue(bpath, None, f"shares add up to {total:.4g} ({total:.1%}); they must add up to 1 (100%)")
            )
        from csc_model.scenario import AGE_BAND_YEARS

        lo, hi = AGE_BAND_YEARS[band]
        for pid, share in mix.items():
            p = types.get(pid)
            if p is not None and share > 0 and (hi < p.min_age or lo > p.max_age):
                issues.append(
                    Issue(
                        f"{bpath}.{pid}",
                        share,
                        f"must be 0: {p.label} is only for ages {p.min_age}-{p.max_age}",
                    )
                )


def validate(s: Scenario, placement_ids: tuple[str, ...] | None = None) -> list[Issue]:
    """All problems with a decoded scenario; an empty list means it is valid."""
    ids = placement_ids or configured_placements()
    issues: list[Issue] = []
    _ranges(s, "", issues)
    if not s.name.strip():
        issues.append(Issue("name", s.name, "must not be empty"))
    if len(s.name) > 120:
        issues.append(Issue("name", None, "is too long; at most 120 characters"))
    if not (dt.date(2000, 1, 1) <= s.start_date <= dt.date(2100, 1, 1)):
        issues.append(
            Issue("start_date", s.start_date.isoformat(), "is out of range; allowed 2000-01-01 to 2100-01-01")
        )
    years = s.years if 1 <= s.years <= 10 else 10  # an out-of-range value is reported above
    start = s.start_date if dt.date(2000, 1, 1) <= s.start_date <= dt.date(2100, 1, 1) else dt.date(2100, 1, 1)
    end = start + dt.timedelta(days=round(365.25 * years))

    ini = s.initial
    _keys(ini.stage_counts, STAGE_KEYS, "initial.stage_counts", issues)
    if ini.total <= 0:
        issues.append(Issue("initial.stage_counts", None, "total children in care must be above 0"))
    _shares(ini.age_band_shares, AGE_BANDS, "initial.age_band_shares", issues)
    _mix_by_band(ini.placement_mix_by_age_band, "initial.placement_mix_by_age_band", ids, issues)

    e = s.entries
    _shares(e.age_band_shares, AGE_BANDS, "entries.age_band_shares", issues)
    _keys(e.s20_share_by_age_band, AGE_BANDS, "entries.s20_share_by_age_band", issues)
    _mix_by_band(e.placement_mix_by_age_band, "entries.placement_mix_by_age_band", ids, issues)
    for i, surge in enumerate(e.surges):
        if not (s.start_date <= surge.start_date <= end):
            issues.append(
                Issue(
                    f"entries.surges[{i}].start_date",
                    surge.start_date.isoformat(),
                    f"is outside the projection; allowed {s.start_date} to {end}",
                )
            )

    pr = s.proceedings
    _shares(pr.outcome_shares, HEARING_OUTCOMES, "proceedings.outcome_shares", issues)
    # a value already out of its range gets that one message, not a second about the phases as well
    flagged = {i.field for i in issues}
    if pr.mean_weeks < pr.erlang_order and "proceedings.mean_weeks" not in flagged:
        issues.append(
            Issue(
                "proceedings.mean_weeks",
                pr.mean_weeks,
                f"must be at least {pr.erlang_order} weeks, the number of phases proceedings are split into "
                "(proceedings.erlang_order, the spread of their length), so each phase lasts a week or more",
            )
        )
    if pr.target_mean_weeks is not None:
        if pr.target_mean_weeks < pr.erlang_order and "proceedings.target_mean_weeks" not in flagged:
            issues.append(
                Issue(
                    "proceedings.target_mean_weeks",
                    pr.target_mean_weeks,
                    f"must be at least {pr.erlang_order} weeks, the number of phases proceedings are split into "
                    "(proceedings.erlang_order), so each phase lasts a week or more",
                )
            )
        if pr.target_by_date < pr.target_from_date:
            issues.append(
                Issue(
                    "proceedings.target_by_date",
                    pr.target_by_date.isoformat(),
                    f"must be on or after proceedings.target_from_date ({pr.target_from_date})",
                )
            )

    co = s.care_order
    total_co = co.annual_discharge_home + co.annual_sgo + co.annual_other
    if total_co > 1:
        issues.append(Issue("care_order", None, f"yearly exit shares add up to {total_co:.3g}; at most 1"))

    moves_from: dict[str, float] = {}
    for i, mv in enumerate(s.placements.moves):
        for attr in ("from_type", "to_type"):
            val = getattr(mv, attr)
            if val not in ids:
                issues.append(
                    Issue(f"placements.moves[{i}].{attr}", val, f"is not a placement type (allowed: {', '.join(ids)})")
                )
        if mv.from_type == mv.to_type:
            issues.append(Issue(f"placements.moves[{i}]", None, "moves a placement type to itself"))
        moves_from[mv.from_type] = moves_from.get(mv.from_type, 0.0) + mv.annual_rate
    for pid, tot in moves_from.items():
        if tot > 1:
            issues.append(Issue("placements.moves", None, f"yearly moves out of {pid} add up to {tot:.3g}; at most 1"))
    sh = s.placements.shift
    for attr in ("from_type", "to_type"):
        val = getattr(sh, attr)
        if val not in ids:
            issues.append(
                Issue(f"placements.shift.{attr}", val, f"is not a placement type (allowed: {', '.join(ids)})")
            )

    c = s.costs
    _keys(c.weekly_price_gbp, ids, "costs.weekly_price_gbp", issues)
    if not fy_ok(c.price_base_year):
        issues.append(Issue("costs.price_base_year", c.price_base_year, "must be a financial year like 2023-24"))
    for key in c.inflation_by_type:
        if key not in ids:
            issues.append(
                Issue(f"costs.inflation_by_type.{key}", key, f"is not a placement type (allowed: {', '.join(ids)})")
            )
    for key in list(c.inflation_overrides) + list(c.budget_overrides):
        if not fy_ok(key):
            issues.append(Issue("costs", key, "override keys must be financial years like 2027-28"))
    return issues


def raw_ranges(tp: Any, data: Any, path: str = "") -> list[Issue]:
    """Range problems in not-yet-decoded JSON data, so that they are reported together with
    type errors elsewhere in the same file."""
    issues: list[Issue] = []
    if not (dataclasses.is_dataclass(tp) and isinstance(data, Mapping)):
        return issues
    hints = type_hints(tp)
    for f in dataclasses.fields(tp):
        if f.name not in data:
            continue
        sub = f"{path}.{f.name}" if path else f.name
        value, hint = data[f.name], hints[f.name]
        if dataclasses.is_dataclass(hint):
            issues += raw_ranges(hint, value, sub)
        elif typing.get_origin(hint) is tuple and isinstance(value, list):
            elem = typing.get_args(hint)[0]
            for i, v in enumerate(value):
                issues += raw_ranges(elem, v, f"{sub}[{i}]")
        else:
            _raw_leaf(value, sub, f.metadata.get("min"), f.metadata.get("max"), f.metadata.get("unit", ""), issues)
    return issues


def _raw_leaf(value: Any, path: str, lo: Any, hi: Any, unit: str, issues: list[Issue]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _raw_leaf(v, f"{path}.{k}", lo, hi, unit, issues)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_value(value, path, lo, hi, unit, issues)
