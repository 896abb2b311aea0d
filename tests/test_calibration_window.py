"""The default calibration window: one figure, chosen by back-test, used by calibration, its command line and
the back-test alike, and documented with its evidence in docs/model.md."""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import re
from pathlib import Path

from csc_model import backtest, cli
from csc_model.ssda903 import DEFAULT_WINDOW_WEEKS, calibrate, example_tables, yearly_returns

ROOT = Path(__file__).resolve().parent.parent
AS_AT = dt.date(2026, 3, 31)


def _defaults(parser: argparse.ArgumentParser, command: str) -> dict[str, object]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.default for a in sub.choices[command]._actions}


def test_one_default_window_everywhere() -> None:
    assert inspect.signature(calibrate).parameters["window_weeks"].default == DEFAULT_WINDOW_WEEKS
    assert inspect.signature(backtest.backtest).parameters["window_weeks"].default == DEFAULT_WINDOW_WEEKS
    parser = cli._parser()
    assert _defaults(parser, "calibrate")["window_weeks"] == DEFAULT_WINDOW_WEEKS
    assert _defaults(parser, "backtest")["window_weeks"] == DEFAULT_WINDOW_WEEKS


def test_the_default_window_is_used_and_said_and_cut_to_the_data() -> None:
    h, e = example_tables(1400, seed=3, years=6)
    c = calibrate(h, e, AS_AT)
    assert c.window_weeks == DEFAULT_WINDOW_WEEKS
    assert f"the {DEFAULT_WINDOW_WEEKS} weeks to 31 March 2026" in " ".join(c.report["Worked out from"])
    # one yearly return: the window is cut to the 52 weeks it covers, with a note, not filled with empty weeks
    one_h, one_e = yearly_returns(h, e, [2026])
    short = calibrate(one_h, one_e, AS_AT)
    assert short.window_weeks == 52
    assert any(
        w.startswith(f"The window of {DEFAULT_WINDOW_WEEKS} weeks begins before the episodes") for w in short.warnings
    )


def test_docs_give_the_default_and_the_evidence() -> None:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("## Choosing the calibration window", 1)[1].split("\n## ", 1)[0]
    assert f"**{DEFAULT_WINDOW_WEEKS} weeks**" in section
    assert "python bench/bench_backtest.py --windows" in section
    # a table with a row for the chosen window among the windows compared
    rows = re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)
    assert str(DEFAULT_WINDOW_WEEKS) in rows and len(set(rows)) >= 3
