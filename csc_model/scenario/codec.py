"""JSON to typed scenario parts and back, driven by the type hints; dotted paths into scenario data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from csc_model.scenario.errors import Issue
from csc_model.scenario.frozen import FrozenMap
from csc_model.scenario.json_io import allowed


@functools.cache
def type_hints(tp: type) -> dict[str, Any]:
    """``typing.get_type_hints`` of a scenario dataclass, worked out once per class (the classes never
    change while the process runs): resolving the string annotations took time on every scenario
    decode and on a server's first Model page. Callers must not change the dict."""
    return typing.get_type_hints(tp)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(tp: Any, value: Any, path: str, issues: list[Issue]) -> Any:
    """Convert JSON data to type ``tp``; append an Issue and return None on failure."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    name = path or "(top level)"
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)][0]
        return _decode(inner, value, path, issues)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            issues.append(Issue(name, value, "must be an object"))
            return None
        hints = type_hints(tp)
        names = [f.name for f in dataclasses.fields(tp)]
        for key in value:
            if key not in names:
                issues.append(
                    Issue(f"{path}.{key}" if path else key, None, f"unknown field (allowed: {', '.join(names)})")
                )
        kwargs = {}
        for fname in names:
            sub = f"{path}.{fname}" if path else fname
            if fname not in value:
                issues.append(Issue(sub, None, "is missing"))
                continue
            kwargs[fname] = _decode(hints[fname], value[fname], sub, issues)
        if any(v is None and not _optional(hints[k]) for k, v in kwargs.items()) or len(kwargs) < len(names):
            return None
        return tp(**kwargs)
    if origin is FrozenMap:
        if not isinstance(value, Mapping):
            issues.append(Issue(name, value, "must be an object of name: value pairs"))
            return None
        out = {}
        for k, v in value.items():
            out[str(k)] = _decode(args[1], v, f"{path}.{k}", issues)
        return FrozenMap(out)
    if origin is tuple:
        if not isinstance(value, list):
            issues.append(Issue(name, value, "must be a list"))
            return None
        return tuple(_decode(args[0], v, f"{path}[{i}]", issues) for i, v in enumerate(value))
    if tp is dt.date:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        issues.append(Issue(name, value, "must be a date written YYYY-MM-DD"))
        return None
    if tp is bool:
        if isinstance(value, bool):
            return value
        issues.append(Issue(name, value, "must be true or false"))
        return None
    if tp is int:
        if not _finite(value) or value != int(value):
            issues.append(Issue(name, value, f"{_number_problem(value, 'must be a whole number')}{allowed(path)}"))
            return None
        return int(value)
    if tp is float:
        if not _finite(value):
            issues.append(Issue(name, value, f"{_number_problem(value, 'must be a number')}{allowed(path)}"))
            return None
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            issues.append(Issue(name, value, "must be text"))
            return None
        return value
    raise TypeError(f"unsupported type {tp!r} at {name}")  # pragma: no cover - programming error


def _finite(value: Any) -> bool:
    """A number a float can hold: not bool, NaN, infinite or an integer beyond about 1.8e308."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number_problem(value: Any, otherwise: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and not _finite(value):
        return "is too large"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (NaN and Infinity are not allowed)"
    return otherwise


def _optional(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path in nested dicts/lists; KeyError if the path does not exist."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(f"no such field (list index {part!r} out of range at {where})")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part not in node and not last:
                allowed = ", ".join(map(str, node.keys()))
                raise KeyError(f"no such field '{part}' (allowed here: {allowed})")
            key = part  # a new last key is checked by validation (map keys, or unknown field)
        else:
            raise KeyError(f"no such field: {where} is a single value")
        if last:
            node[key] = value
        else:
            node = node[key]


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """Value at a dotted path in nested dicts/lists (KeyError if absent)."""
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node
