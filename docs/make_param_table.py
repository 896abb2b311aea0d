"""Print the parameter table of docs/model.md from the scenario field metadata.

Run from the repository root and paste the output between the markers in docs/model.md::

    python docs/make_param_table.py

Every row comes from ``csc_model.scenario`` (label, unit, allowed range), the bundled default
scenario (default value) and ``data/sources.csv`` / ``data/placement_types.csv`` (source, year),
so the table cannot drift from the code without this script showing it.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from csc_model import default_scenario  # noqa: E402
from csc_model.scenario import Scenario, field_meta  # noqa: E402
from csc_model.scenario.config import source_for  # noqa: E402


def _fmt_num(x: float) -> str:
    if isinstance(x, (int, float)) and float(x).is_integer() and abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:g}" if isinstance(x, float) else str(x)


def _fmt_value(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, Mapping):
        if not v:
            return "none"
        if any(isinstance(x, Mapping) for x in v.values()):
            return "by age band, see `data/default_scenario.json`"
        return ", ".join(f"{k} {_fmt_num(x)}" for k, x in v.items())
    if isinstance(v, tuple):
        return "none" if not v else f"{len(v)} entries, see `data/default_scenario.json`"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _fmt_num(v)
    return str(v)


def _fmt_range(m: dict[str, Any]) -> str:
    lo, hi = m.get("min"), m.get("max")
    if lo is None and hi is None:
        return ""
    return f"{_fmt_num(lo) if lo is not None else ''} to {_fmt_num(hi) if hi is not None else ''}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows(obj: Any, tp: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(dotted path, metadata, default value) for every leaf field, depth first."""
    hints = typing.get_type_hints(tp)
    for f in dataclasses.fields(tp):
        sub = f"{path}.{f.name}" if path else f.name
        value = getattr(obj, f.name) if obj is not None else None
        ftp = hints[f.name]
        args = typing.get_args(ftp)
        if dataclasses.is_dataclass(ftp):
            yield from rows(value, ftp, sub)
        elif typing.get_origin(ftp) is tuple and args and dataclasses.is_dataclass(args[0]):
            yield sub, dict(f.metadata), value
            yield from rows(None, args[0], f"{sub}[]")
        elif sub == "costs.weekly_price_gbp":
            for pid, price in value.items():
                yield f"{sub}.{pid}", dict(f.metadata), price
        else:
            yield sub, dict(f.metadata), value


def main() -> None:
    s = default_scenario()
    print("| Parameter | Meaning | Unit | Allowed | Default | Source of the default (year) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for path, m, value in rows(s, Scenario):
        assert field_meta(path.replace("[]", "")) or "[]" in path
        label = m.get("label", "")
        if m.get("help"):
            label = f"{label}. {m['help']}"
        src = source_for(path) if "[]" not in path else None
        src_txt = f"{src.source} ({src.year})" if src else ""
        default = _fmt_value(value) if "[]" not in path else ""
        print(
            f"| `{path}` | {_cell(label)} | {_cell(m.get('unit', ''))} | {_fmt_range(m)} | {_cell(default)} | {_cell(src_txt)} |"
        )


if __name__ == "__main__":
    main()
