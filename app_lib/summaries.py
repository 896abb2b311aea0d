"""Plain-English sentences that pair with each chart (pure functions of the projection tables)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from csc_model.solvers.structure import STAGE_GROUP_LABELS, STAGE_GROUPS

from . import formatting as fmt


def _end_date(fy: pd.DataFrame, i: int = -1) -> str:
    return fmt.long_date(fy["period_end"].iloc[i])


def children_summary(fy: pd.DataFrame, start_total: float, stage_month: pd.DataFrame) -> str:
    """'Children in care go from 513 now to 519 at 31 March 2031 (+6). ...'"""
    end = float(fy["children_in_care"].iloc[-1])
    change = fmt.difference(end, start_total, "children")  # the two figures in the sentence, subtracted
    last = stage_month[stage_month["period_end"] == stage_month["period_end"].max()]
    biggest = last.sort_values("children", ascending=False).iloc[0]
    direction = "rise" if change > 0 else "fall" if change < 0 else "stay"
    move = (
        f"stay at about {fmt.children(end)}"
        if direction == "stay"
        else f"{direction} from {fmt.children(start_total)} now to {fmt.children(end)}"
    )
    share = float(biggest["children"]) / end if end else 0.0
    return (
        f"Children in care {move} by {_end_date(fy)} ({fmt.children(change, signed=True)}). "
        f"The largest group then is {fmt.lower_first(STAGE_GROUP_LABELS[biggest['stage']])} "
        f"({fmt.children(biggest['children'])}, {fmt.pct(share, 0)}); "
        f"{fmt.children(fy['in_proceedings'].iloc[-1])} are in care proceedings."
    )


def spend_summary(fy: pd.DataFrame, years: int | None = None) -> str:
    """'Placement spend is £38.1m in 2026-27 against a budget of £36.0m: a pressure of £2.1m. ...'

    The total covers every year of the projection (or the first ``years``), as the cards do.
    """
    first = fy.iloc[0]
    head = (
        f"Placement spend is {fmt.gbp_short(first['spend_gbp'])} in {first['period']} against a budget of "
        f"{fmt.gbp_short(first['budget_gbp'])}: {gap_words(first['spend_gbp'], first['budget_gbp'])}."
    )
    part = fy if years is None else fy.iloc[:years]
    total = _total_pressure(part)
    span = f"{part['period'].iloc[0]} to {part['period'].iloc[-1]}"
    if not total:
        return head + f" Over {span} spend and budget are in line in total."
    word = "pressure" if total > 0 else "saving"
    return head + f" Over {span} the total {word} is {fmt.gbp_short(abs(total))}."


def _total_pressure(fy: pd.DataFrame) -> int:
    """The table's total pressure: the yearly spend and budget each to £1,000, subtracted, summed."""
    return sum(fmt.difference(a, b, "money") for a, b in zip(fy["spend_gbp"], fy["budget_gbp"], strict=True))


def headline(fy: pd.DataFrame, start_total: float, start_date: dt.date, base_fy: pd.DataFrame | None = None) -> str:
    """The Overview's answer in two sentences, above everything else: children now and at the end, spend
    against budget in the first year and over the projection; with ``base_fy`` (a changed scenario over
    the same years), how the end count and the total pressure differ from the baseline. Every figure is
    the cards' and the table's (:mod:`csc_model.reporting.rounding`).

    Plain Markdown with no widget: the browser draws it with the page's title, before the code of the
    cards has loaded (the cards come 0.5-0.9 s later on a first visit)."""
    end = float(fy["children_in_care"].iloc[-1])
    kids = f"**{fmt.children(start_total)}** children in care on {fmt.long_date(start_date)}, **{fmt.children(end)}** by {_end_date(fy)}"
    first = fy.iloc[0]
    total = _total_pressure(fy)
    span = f"{fy['period'].iloc[0]} to {fy['period'].iloc[-1]}"
    if total:
        over = f"a total {'pressure' if total > 0 else 'saving'} of **{fmt.gbp_short(abs(total))}** over {span}"
    else:
        over = f"spend in line with the budget over {span}"
    money = (
        f"Placement spend **{fmt.gbp_short(first['spend_gbp'])}** in {first['period']} against a budget of "
        f"{fmt.gbp_short(first['budget_gbp'])} ({gap_words(first['spend_gbp'], first['budget_gbp'])}); {over}"
    )
    if base_fy is not None and list(base_fy["period"]) == list(fy["period"]):
        more = fmt.difference(end, float(base_fy["children_in_care"].iloc[-1]), "children")
        if more:
            kids += f" ({abs(more):,} {'more' if more > 0 else 'fewer'} than the baseline)"
        change = total - _total_pressure(base_fy)
        if change:
            money += f" ({fmt.gbp_short(abs(change))} {'more' if change > 0 else 'less'} than the baseline)"
    return f"{kids}. {money}."


def gap_words(spend_gbp: float, budget_gbp: float) -> str:
    """'a pressure of £2.1m', 'a saving of £46k', 'in line with the budget': spend minus budget as the
    table gives it (each to £1,000, then subtracted), written as :func:`fmt.difference_text` writes it."""
    gap = fmt.difference(spend_gbp, budget_gbp, "money")
    if not gap:
        return "in line with the budget"
    word = "a pressure" if gap > 0 else "a saving"
    return f"{word} of {fmt.difference_text(spend_gbp, budget_gbp, 'money').lstrip('+-')}"


def stage_table(stage_month: pd.DataFrame, fy: pd.DataFrame) -> pd.DataFrame:
    """Children by legal stage at 31 March of each financial year (the chart's table)."""
    out = pd.DataFrame({"Financial year": fy["period"].to_numpy()})
    for g in STAGE_GROUPS:
        out[f"{STAGE_GROUP_LABELS[g]} at 31 March"] = fy[f"stage_{g}"].round().astype("int64").to_numpy()
    out["All children in care at 31 March"] = fy["children_in_care"].round().astype("int64").to_numpy()
    return out


def placement_summary(placement_fy: pd.DataFrame) -> str:
    """Which placement types cost most in the first year, and how that changes."""
    first_fy = placement_fy["period"].iloc[0]
    last_fy = placement_fy["period"].iloc[-1]
    first = placement_fy[placement_fy["period"] == first_fy].sort_values("spend_gbp", ascending=False)
    total = float(first["spend_gbp"].sum())
    top = first.iloc[0]
    last = placement_fy[placement_fy["period"] == last_fy]
    top_last = float(last.loc[last["placement"] == top["placement"], "children"].iloc[0])
    return (
        f"In {first_fy}, {fmt.lower_first(top['placement_label'])} placements cost the most: "
        f"{fmt.gbp_short(top['spend_gbp'])} ({fmt.pct(top['spend_gbp'] / total, 0)} of placement spend) "
        f"for {fmt.children(top['children'])} children at 31 March; "
        f"{fmt.children(top_last)} children are in them at the end of {last_fy}."
    )


def cost_note(month: pd.DataFrame) -> str:
    """What moves the average weekly cost per child, in the direction this projection shows.

    Within a financial year prices are fixed, so the cost per child moves only with the placement mix;
    each April it changes with the year's inflation. The direction within the year is read from the
    figures (the median over the years of the change from a year's first month to its last), not assumed:
    a fixed "falls as the mix moves towards cheaper placements" once sat under a chart that rose by 22%.
    """
    ends = pd.to_datetime(month["period_end"])
    fy = ends.dt.year - (ends.dt.month < 4)
    cost = month["avg_weekly_cost_per_child_gbp"].astype(float)
    moves = [float(c.iloc[-1] / c.iloc[0] - 1) for _, c in cost.groupby(fy.to_numpy()) if len(c) >= 6 and c.iloc[0] > 0]
    within = float(pd.Series(moves).median()) if moves else 0.0
    # "each year" only when every year moves that way: under a chart whose first year rose and the later ones
    # fell, "falls within each year" contradicted the picture (second review, 1 December)
    same = all(m * within > 0 for m in moves)
    years = "each year" if same else "most years"
    if within > 0.005:
        mix = f"rises within {years} (by about {within:.0%} a year) as the mix moves towards dearer placements"
    elif within < -0.005:
        mix = f"falls within {years} (by about {-within:.0%} a year) as the mix moves towards cheaper placements"
    else:
        mix = "stays about level within each year (the placement mix changes little)"
    return f"The cost per child {mix}, and changes each April with the year's price inflation."


def risk_table(band_fy: pd.DataFrame) -> pd.DataFrame:
    """The range of outcomes by financial year, for the budget paper: children and spend from P10 to
    P90, the chance that spend exceeds the budget, and the budget that would be enough 8 times in 10."""
    rows = {
        "Children in care at 31 March (8 in 10 futures)": [
            f"{fmt.children(lo)} to {fmt.children(hi)}"
            for lo, hi in zip(band_fy["children_in_care_p10"], band_fy["children_in_care_p90"], strict=True)
        ],
        "Placement spend (8 in 10 futures)": [
            f"{fmt.gbp_short(lo)} to {fmt.gbp_short(hi)}"
            for lo, hi in zip(band_fy["spend_gbp_p10"], band_fy["spend_gbp_p90"], strict=True)
        ],
        "Budget": [fmt.gbp_short(b) for b in band_fy["budget_gbp"]],
        "Chance spend is over budget": [fmt.chance(p) for p in band_fy["prob_over_budget"]],
        "Budget enough 8 times in 10": [fmt.gbp_short(b) for b in band_fy["budget_80pct_confidence_gbp"]],
    }
    return pd.DataFrame(rows, index=list(band_fy["period"])).T.rename_axis("Measure").reset_index()


def risk_summary(band_fy: pd.DataFrame) -> str:
    """One sentence: this year's chance of an overspend and the budget that would be enough."""
    first = band_fy.iloc[0]
    return (
        f"In {first['period']} the chance that placement spend exceeds the budget of "
        f"{fmt.gbp_short(first['budget_gbp'])} is **{fmt.chance(first['prob_over_budget'])}**; a budget of "
        f"{fmt.gbp_short(first['budget_80pct_confidence_gbp'])} would be enough 8 times in 10."
    )


def chance_sentences(band_fy: pd.DataFrame) -> str:
    """Plain-English bullets: the chance of an overspend in each financial year, in words."""
    lines = [
        f"- In {row.period}, the chance that placement spend is over the budget of {fmt.gbp_short(row.budget_gbp)} "
        f"is {fmt.chance(row.prob_over_budget)}."
        for row in band_fy.itertuples()
    ]
    return "**How likely is an overspend?** From many possible futures of the scenario:\n\n" + "\n".join(lines)


def centre_note(band_fy: pd.DataFrame, fy: pd.DataFrame) -> str:
    """Why the middle of the range is not the projection on the cards, with both figures for the last year.

    The futures start from whole children and draw rates, prices and inflation from stated ranges,
    some of which lean one way (inflation: from 1 point below to 2 points above the forecast rate);
    the projection keeps every figure at its stated value. Without this a finance officer sees
    £47.9m in the middle of the band and £46.1m on the card, with nothing to say which to use.
    """
    from csc_model.solvers.uncertainty import ranges  # the stated ranges (data/uncertainty_ranges.csv)

    last, central = band_fy.iloc[-1], fy.set_index("period")
    period = str(last["period"])
    if period not in central.index:
        return ""
    mid, proj = float(last["spend_gbp_p50"]), float(central.at[period, "spend_gbp"])
    kids_mid, kids_proj = float(last["children_in_care_p50"]), float(central.at[period, "children_in_care"])
    infl = ranges().loc["annual_inflation"]
    lo, hi = -float(infl["p10"]) * 100, float(infl["p90"]) * 100
    side = "above" if mid > proj else "below" if mid < proj else "level with"
    lean = (
        f"inflation, for one, runs from {lo:g} point{'s' if lo != 1 else ''} below to {hi:g} point"
        f"{'s' if hi != 1 else ''} above the forecast rate"
        if lo != hi
        else "inflation runs as far above as below the forecast rate"
    )
    return (
        f"The middle of the range is {side} the projection on the cards: in {period}, "
        f"{fmt.gbp_short(mid)} against {fmt.gbp_short(proj)} of spend and {fmt.children(kids_mid)} against "
        f"{fmt.children(kids_proj)} children (the dashed line). The futures start from whole children and draw their "
        f"rates, prices and inflation from stated ranges, some of which lean one way ({lean}); the projection keeps "
        "every figure at its stated value. The cards, the budget paper and the briefing use the projection; the "
        "chance of an overspend and the budget enough 8 times in 10 use the range."
    )
