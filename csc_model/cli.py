"""Command line: print the default scenario, validate a scenario file, list the presets, run a
projection to CSV, compare two scenarios; from an SSDA903 return, calibrate a scenario and back-test
the model; from DfE's published tables, build any English authority's scenario and back-test every
authority. ``COMMAND --help`` describes each.

Bad input never produces a traceback: each problem is one line on stderr and the exit status is 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from csc_model import backtest
from csc_model.scenario import Scenario, ScenarioError
from csc_model.scenario.defaults import default_scenario
from csc_model.scenario.json_io import InputProblem, loads_value
from csc_model.scenario.presets import PRESETS, apply_preset
from csc_model.ssda903 import DEFAULT_WINDOW_WEEKS, PRIOR_EVENTS

EXIT_BAD_INPUT = 2
MAX_SCENARIO_BYTES = 1_000_000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, status 2, no usage dump
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m csc_model", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("default-scenario", help="print the default scenario as JSON")
    v = sub.add_parser("validate", help="check a scenario file; prints every problem")
    v.add_argument("scenario", help="scenario JSON file")
    sub.add_parser("presets", help="list the one-click presets")
    r = sub.add_parser("run", help="run a projection and write a CSV with one row per period")
    r.add_argument("--scenario", help="scenario JSON file (default: the bundled default scenario)")
    r.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one field by its dotted path, e.g. entries.weekly_rate=4.5 (VALUE is JSON, or text)",
    )
    r.add_argument("--preset", action="append", default=[], choices=sorted(PRESETS), help="apply a preset")
    r.add_argument("--years", type=int, help="years to project (1-10; default: the scenario's, 5 in the defaults)")
    r.add_argument("--runs", type=int, default=0, help="stochastic runs (default 0: the deterministic expected values)")
    r.add_argument("--seed", type=int, default=0, help="random seed for stochastic runs (default 0)")
    r.add_argument(
        "--freq", choices=["week", "month", "fy"], default="fy", help="reporting period (default fy: financial years)"
    )
    r.add_argument(
        "--chance-only",
        action="store_true",
        help="with --runs: vary chance only, not the rates, prices and inflation (default: both)",
    )
    r.add_argument("--out", required=True, help="output CSV file, or - for standard output")
    cmp_ = sub.add_parser(
        "compare", help="a scenario against a baseline by financial year, and which levers drive the difference"
    )
    cmp_.add_argument("--scenario", required=True, help="scenario JSON file")
    cmp_.add_argument("--baseline", help="baseline scenario JSON file (default: the bundled default scenario)")
    cmp_.add_argument("--out", required=True, help="CSV by financial year (baseline, scenario, difference), or -")
    cmp_.add_argument("--levers", help="also write the difference each group of levers makes on its own (CSV)")
    c = sub.add_parser(
        "calibrate",
        help="starting position, entries, rates and placement moves from an SSDA903 return (header and episodes CSV); "
        "writes a scenario",
    )
    c.add_argument("--header", required=True, help="SSDA903 header table (CSV)")
    c.add_argument(
        "--episodes", required=True, help="SSDA903 episodes table (CSV); several yearly returns may be stacked"
    )
    c.add_argument(
        "--uasc", help="optional SSDA903 UASC table (CSV: CHILD, and DUC or a UASC flag): counted apart in the report"
    )
    c.add_argument("--la", help="the local authority to use when the files hold several (LA column)")
    c.add_argument(
        "--as-at", help="date of the starting position, YYYY-MM-DD (default: the 31 March ending the return)"
    )
    c.add_argument(
        "--window-weeks",
        type=int,
        default=DEFAULT_WINDOW_WEEKS,
        help="weeks before that date used for entries, rates and placement moves "
        f"(4-520; default {DEFAULT_WINDOW_WEEKS}, chosen by back-tests: docs/model.md)",
    )
    c.add_argument(
        "--prior-events",
        type=float,
        default=PRIOR_EVENTS,
        help="events the base scenario's value of each rate counts as, so that rates from few events lean on it "
        f"(default {PRIOR_EVENTS:g}; 0: the data alone, a rate needing at least 10 events)",
    )
    c.add_argument(
        "--no-rates",
        dest="rates",
        action="store_false",
        help="keep every rate (proceedings, section 20, placement and care orders) from the base scenario",
    )
    c.add_argument(
        "--no-moves",
        dest="moves",
        action="store_false",
        help="keep the usual moves between placement types (placements.moves) from the base scenario",
    )
    c.add_argument("--scenario", help="base scenario JSON for everything else (default: the bundled defaults)")
    c.add_argument("--out", required=True, help="output scenario JSON file, or - for standard output")
    c.add_argument(
        "--report",
        help="also write how each figure was worked out (CSV file, or - for the screen); rows 'Trend: ...' say whether each rate is rising "
        "or falling over the window (reported only, never applied)",
    )
    c.add_argument(
        "--trends",
        help="also write the yearly trend of each rate over the window (CSV: events, child-weeks, yearly change "
        "with its 95%% interval, verdict); reported only, the scenario keeps the window's average rate",
    )
    from csc_model.published.cli import add_parsers as add_published

    add_published(sub)
    backtest.add_parser(sub)
    return p


def _fail(lines: Sequence[str]) -> int:
    for line in lines:
        sys.stderr.write(f"error: {line}\n")
    return EXIT_BAD_INPUT


def _read_scenario(path: str) -> Scenario:
    file = Path(path)
    if not file.is_file():
        raise ScenarioError([_issue(path, "file not found")])
    if file.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError([_issue(path, f"file is larger than {MAX_SCENARIO_BYTES:,} bytes; not a scenario")])
    try:
        return Scenario.from_json(file.read_bytes())
    except ScenarioError as exc:
        raise ScenarioError([_issue(path, i.message) if i.field.startswith("(") else i for i in exc.issues]) from None


def _issue(where: str, message: str):  # noqa: ANN202 - tiny local helper
    from csc_model.scenario import Issue

    return Issue(where, None, message)


def _parse_sets(items: Sequence[str]) -> tuple[dict[str, object], list[str]]:
    out: dict[str, object] = {}
    errors = []
    for item in items:
        if "=" not in item:
            errors.append(f"--set {item!r}: expected KEY=VALUE")
            continue
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = loads_value(raw, key.strip())  # JSON, or the text as it is
        except InputProblem as exc:
            errors += [f"--set {f}: {m}" for f, m in exc.problems]
    return out, errors


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "default-scenario":
        sys.stdout.write(default_scenario().to_json() + "\n")
        return 0
    if args.command == "presets":
        for p in PRESETS.values():
            sys.stdout.write(f"{p.key}: {p.title_for(default_scenario())}. {p.description_for(default_scenario())}\n")
        return 0
    if args.command == "calibrate":
        return _calibrate(args)
    if args.command.startswith("published"):
        from csc_model.published.cli import dispatch

        return dispatch(args, _read_scenario)
    if args.command == "compare":
        return _compare(args)
    if args.command == "backtest":
        return backtest.main(args)
    try:
        if args.command == "validate":
            _read_scenario(args.scenario)
            sys.stdout.write(f"{args.scenario}: valid\n")
            return 0
        scenario = _read_scenario(args.scenario) if args.scenario else default_scenario()
        sets, errors = _parse_sets(args.set)
        if errors:
            return _fail(errors)
        if args.years is not None:
            sets["years"] = args.years
        if sets:
            scenario = scenario.with_values(sets)
        for key in args.preset:
            scenario = apply_preset(scenario, key)
    except ScenarioError as exc:
        return _fail([str(i) for i in exc.issues])
    if args.runs < 0 or args.runs > 100_000:
        return _fail([f"--runs: value {args.runs} is out of range; allowed 0 to 100,000"])

    from csc_model.reporting.results import project

    result = project(scenario, runs=args.runs, seed=args.seed, parameter_uncertainty=not args.chance_only, threads=2)
    table = result.table(args.freq)
    try:
        if args.out == "-":
            table.to_csv(sys.stdout, index=False)
        else:
            table.to_csv(args.out, index=False)
    except OSError as exc:
        return _fail([f"--out {args.out}: cannot write ({exc.strerror or exc})"])
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: the SSDA903 tables are read in memory; only the aggregate scenario is written."""
    import datetime as dt

    from csc_model.ssda903 import SSDA903Error, calibrate, default_as_at, read_table

    try:
        base = _read_scenario(args.scenario) if args.scenario else default_scenario()
    except ScenarioError as exc:
        return _fail([str(i) for i in exc.issues])
    problems: list[str] = []
    tables = {}
    for name, path in (("header", args.header), ("episodes", args.episodes), ("uasc", args.uasc)):
        if path is None:
            continue
        try:
            tables[name] = read_table(Path(path), name)
        except SSDA903Error as exc:
            problems += exc.problems
    as_at = None
    if args.as_at:
        try:
            as_at = dt.date.fromisoformat(args.as_at)
        except ValueError:
            problems.append(f"--as-at {args.as_at!r}: not a date; write it YYYY-MM-DD")
    if problems:
        return _fail(problems)
    try:
        cal = calibrate(
            tables["header"],
            tables["episodes"],
            as_at or default_as_at(tables["episodes"]),
            base=base,
            window_weeks=args.window_weeks,
            prior_events=args.prior_events,
            rates=args.rates,
            moves=args.moves,
            la=args.la,
            uasc=tables.get("uasc"),
        )
    except SSDA903Error as exc:
        return _fail(exc.problems)
    for w in cal.warnings:
        sys.stderr.write(f"note: {w}\n")
    if args.report == "-" and args.out == "-":
        return _fail(["--out - and --report -: only one of them can go to the screen; give the other a file name"])
    text = cal.scenario.to_json() + "\n"
    try:
        if args.out == "-":
            sys.stdout.write(text)
        else:
            Path(args.out).write_text(text, encoding="utf-8")
        if args.report:  # "-": the screen, as for --out (it made a file named "-")
            cal.report.to_csv(sys.stdout if args.report == "-" else args.report, index=False)
        if args.trends:
            cal.rate_trend_table().to_csv(args.trends, index=False)
    except OSError as exc:
        return _fail([f"cannot write the output ({exc.strerror or exc})"])
    used = sum(r.used for r in cal.rates)
    kept = sum(f.used for f in cal.moves)
    leaning = sum(f.used and f.weight_on_base >= 0.5 and f.exposure_weeks > 0 for f in cal.moves)
    if not args.moves:
        moves = "placement moves not worked out"
    else:
        moves = f"{kept} kinds of placement move worked out ({leaning} resting mostly on the base scenario's rate, with few child-weeks)"
    sys.stderr.write(
        f"{cal.children_in_care} children in care on {cal.as_at:%d/%m/%Y}; "
        f"{cal.entrants} started in the {cal.window_weeks} weeks before"
        + (f"; {used} of {len(cal.rates)} rates worked out from the data" if args.rates else "; rates not worked out")
        + f"; {moves}"
        + (
            f"; {cal.uasc_in_care} of the children in care seeking asylum alone (UASC)"
            if cal.uasc_in_care is not None
            else ""
        )
        + "\n"
    )
    return 0


def _compare(args: argparse.Namespace) -> int:
    """``compare``: deterministic projections of both scenarios; differences by financial year."""
    problems: list[str] = []
    scenarios = {}
    for role, path in (("scenario", args.scenario), ("baseline", args.baseline)):
        try:
            scenarios[role] = _read_scenario(path) if path else default_scenario()
        except ScenarioError as exc:
            problems += [str(i) for i in exc.issues]
    if problems:
        return _fail(problems)
    from csc_model.reporting.attribution import lever_contributions
    from csc_model.reporting.results import compare, project

    base, scen = scenarios["baseline"], scenarios["scenario"]
    if base.start_date != scen.start_date or base.years != scen.years:
        return _fail(["the scenario and the baseline must have the same start date and years to compare them"])
    table = compare(project(base), project(scen))
    try:
        table.to_csv(sys.stdout if args.out == "-" else args.out, index=False)
        if args.levers:
            lever_contributions(base, scen).to_csv(args.levers, index=False)
    except OSError as exc:
        return _fail([f"cannot write the output ({exc.strerror or exc})"])
    return 0
