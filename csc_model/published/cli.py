"""Command line for the published statistics: ``published`` (list authorities, build a scenario) and
``published-backtest`` (forecast every authority from what was published and compare).

Bad input exits with status 2 and one plain line per problem, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from csc_model.published.data import PublishedError
from csc_model.scenario import Scenario, ScenarioError

EXIT_BAD_INPUT = 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the two subcommands to the main parser."""
    p = sub.add_parser("published", help="start a scenario from an English authority's published figures")
    p.add_argument("--list", action="store_true", help="list every authority with its code and years published")
    p.add_argument("--la", help="authority: name (e.g. Plymouth), new code (E06000026) or old code (879)")
    p.add_argument("--as-at", help="31 March of a published year, YYYY-MM-DD (default: the latest published)")
    p.add_argument("--scenario", help="base scenario JSON for what the tables do not give (default: the defaults)")
    p.add_argument("--out", help="output scenario JSON file, or - for standard output")
    p.add_argument("--report", help="also write where each figure came from (CSV file, or - for the screen)")
    b = sub.add_parser(
        "published-backtest",
        help="forecast every authority's children in care from what was published and compare with the outcome",
    )
    b.add_argument("--as-at", required=True, help="cut-off: 31 March of a published year, YYYY-MM-DD")
    b.add_argument("--years", type=int, default=1, help="years ahead (1-3)")
    b.add_argument("--runs", type=int, default=0, help="stochastic runs for the P10-P90 band (0 = none)")
    b.add_argument("--seed", type=int, default=0, help="random seed for the runs")
    b.add_argument(
        "--method",
        default="corrected",
        choices=["corrected", "model", "persistence", "blend"],
        help="forecast method (blend: the older name of corrected)",
    )
    b.add_argument("--scenario", help="base scenario JSON (default: the defaults)")
    b.add_argument("--out", required=True, help="output CSV (a row per authority), or - for standard output")


def dispatch(args: argparse.Namespace, read_scenario) -> int | None:  # noqa: ANN001 - the caller's reader
    """Run ``args`` if it is one of these subcommands; None otherwise."""
    if args.command == "published":
        return _published(args, read_scenario)
    if args.command == "published-backtest":
        return _backtest(args, read_scenario)
    return None


def _fail(lines: list[str]) -> int:
    for line in lines:
        sys.stderr.write(f"error: {line}\n")
    return EXIT_BAD_INPUT


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PublishedError(f"{what} {text!r}: not a date; write it YYYY-MM-DD, e.g. 2024-03-31") from None


def _base(path: str | None, read_scenario) -> Scenario | None:  # noqa: ANN001
    return read_scenario(path) if path else None


def _published(args: argparse.Namespace, read_scenario) -> int:  # noqa: ANN001
    from csc_model.published import data as pub
    from csc_model.published.build import build_scenario

    if args.list:
        for a in pub.authorities():
            years = f"{a.years[0]}-{a.years[-1]}" if len(a.years) > 1 else str(a.years[0])
            sys.stdout.write(f"{a.code}  {a.old_code}  {a.name}  ({a.region}; {years})\n")
        return 0
    if not args.la or not args.out:
        return _fail(["give --la and --out (or --list to see the authorities)"])
    try:
        base = _base(args.scenario, read_scenario)
        auth = pub.find_authority(args.la)
        as_at = _date(args.as_at, "--as-at") or dt.date(auth.years[-1], 3, 31)
        scenario, report = build_scenario(auth.code, as_at, base)
    except ScenarioError as exc:
        return _fail([str(i) for i in exc.issues])
    except PublishedError as exc:
        return _fail([str(exc)])
    if args.report == "-" and args.out == "-":
        return _fail(["--out - and --report -: only one of them can go to the screen; give the other a file name"])
    text = scenario.to_json() + "\n"
    try:
        if args.out == "-":
            sys.stdout.write(text)
        else:
            Path(args.out).write_text(text, encoding="utf-8")
        if args.report:  # "-": the screen, as for --out (it made a file named "-")
            report.to_csv(sys.stdout if args.report == "-" else args.report, index=False)
    except OSError as exc:
        return _fail([f"cannot write the output ({exc.strerror or exc})"])
    fc = report[report["Figure"].str.startswith("Back-tested forecast")]
    first_year = f"; first year set to the back-tested forecast, {fc['Value'].iloc[0]}" if not fc.empty else ""
    sys.stderr.write(
        f"{auth.name}: {scenario.initial.total:,.0f} children in care on {as_at:%d/%m/%Y}; "
        # the model's entry rate, corrected from the published starters (the report says how): not the starters
        f"entries {scenario.entries.weekly_rate:.2f} a week in the model ({scenario.entries.weekly_rate * 52:,.0f} "
        f"a year; the report gives the published starters){first_year}; prices from the base scenario; "
        f"placement budget a placeholder equal to the first year's forecast spend, "
        f"£{scenario.costs.budget_first_year_gbp / 1e6:,.1f}m (set your own)\n"
    )
    return 0


def _backtest(args: argparse.Namespace, read_scenario) -> int:  # noqa: ANN001
    from csc_model.published.backtest import run_backtest

    try:
        base = _base(args.scenario, read_scenario)
        as_at = _date(args.as_at, "--as-at")
        assert as_at is not None
        bt = run_backtest(as_at, years=args.years, runs=args.runs, method=args.method, seed=args.seed, base=base)
    except ScenarioError as exc:
        return _fail([str(i) for i in exc.issues])
    except PublishedError as exc:
        return _fail([str(exc)])
    try:
        bt.table.to_csv(sys.stdout if args.out == "-" else args.out, index=False)
    except OSError as exc:
        return _fail([f"--out {args.out}: cannot write ({exc.strerror or exc})"])
    sys.stderr.write(bt.summary() + "\n")
    return 0
