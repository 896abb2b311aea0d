"""One hardened reader for scenario JSON: files (command line and app uploads) and share-link values.

``json.loads`` alone accepts things a scenario must never hold, or fails with a traceback:
``NaN`` and ``Infinity``, numbers too large for a float (``1e999``, 5,000-digit integers),
nesting deep enough to exhaust the stack, a key given twice (which value wins is a guess), and
text in an encoding the command line and the app would read differently. This module refuses
each of them with a message that names the field, so every reader gives the same answer.

It imports nothing from the rest of the package at module level, so :mod:`.scenario` and
:mod:`.validate` can both use it.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 20
"""Deepest nesting of objects and lists accepted; a scenario is at most 5 levels deep."""
MAX_INT_DIGITS = 300
"""Longer integers cannot be held as a float (the largest is about 1.8e308): refused at once."""
FILE = "(file)"


class InputProblem(ValueError):
    """JSON that cannot be a scenario; ``problems`` is a list of (field, message) pairs.

    ``syntax`` is True when the text is not JSON at all (so a share-link value can be read
    as plain text instead).
    """

    def __init__(self, problems: list[tuple[str, str]], syntax: bool = False) -> None:
        self.problems = list(problems)
        self.syntax = syntax
        super().__init__("\n".join(f"{f}: {m}" for f, m in self.problems))


# ---------------------------------------------------------------------------
# Writing values in messages
# ---------------------------------------------------------------------------


def compact(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: short, whatever its size.

    ``1e308`` -> ``1e+308``; a 5,000-digit integer -> ``a 5,000-digit number``; NaN and
    infinities by name; text in quotes, cut at ``limit`` characters.
    """
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        if abs(value) < 10**15:
            return str(value)
        if value.bit_length() < 1020:
            return f"{float(value):.4g}"
        digits = int((value.bit_length() - 1) * math.log10(2)) + 1  # exact but for the last step
        digits += abs(value) >= 10**digits
        return f"a {digits:,}-digit number"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value != 0 and (abs(value) >= 1e15 or abs(value) < 1e-6):
            return f"{value:.4g}"
        return repr(value)
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, default=str, allow_nan=True)
        except (ValueError, TypeError, RecursionError):
            text = f"({type(value).__name__})"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bound(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"


FRACTION_UNITS = ("share", "share a year", "a year", "change a year")
"""Units of fields held as fractions (0.04) that the app shows as percentages (4%)."""


def range_text(lo: float | None, hi: float | None, unit: str) -> str:
    """'0 to 500 children a week', '£0 to £50,000 a week', '0 to 1 (0% to 100%)'.

    A fraction's range also reads as percentages, as the app's boxes show it: "allowed -0.2 to 0.5 a
    year" beside a box that reads 4.0 (%) left a user to guess the scale.
    """
    if unit.startswith("£"):
        rest = unit[1:].strip()
        return f"£{_bound(lo)} to £{_bound(hi)}" + (f" {rest}" if rest else "")
    unit_txt = f" {unit}" if unit and unit not in ("share", "order", "date") else ""
    text = f"{_bound(lo)} to {_bound(hi)}{unit_txt}"
    if unit in FRACTION_UNITS and lo is not None and hi is not None:
        text += f" ({lo * 100:g}% to {hi * 100:g}%{' a year' if 'year' in unit else ''})"
    return text


def allowed(path: str) -> str:
    """'; allowed 1 to 10 years' for a scenario path with a range, else ''."""
    from csc_model.scenario import field_meta  # here, not at the top: scenario imports this module

    generic = re.sub(r"\[\d+\]", "", path)
    meta = field_meta(generic) if generic and not generic.startswith("(") else {}
    lo, hi = meta.get("min"), meta.get("max")
    if lo is None or hi is None:
        return ""
    return f"; allowed {range_text(lo, hi, meta.get('unit', ''))}"


# ---------------------------------------------------------------------------
# Bytes to text
# ---------------------------------------------------------------------------

_NOT_TEXT = (
    "is not a text file (encoding {}), so it cannot be read as JSON (a scenario or workspace file): save it as UTF-8"
)


def decode_bytes(data: bytes, where: str = FILE) -> str:
    """Text of a scenario file: UTF-8 (with or without a byte order mark) or UTF-16 with one.

    Anything else is refused as not a text file, the same way in the command line and the app.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputProblem([(where, _NOT_TEXT.format("UTF-32 is not read"))])
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputProblem(
            [(where, _NOT_TEXT.format(f"not UTF-8 or UTF-16: byte {exc.start + 1:,} cannot be read"))]
        ) from None
    if "\x00" in text:
        raise InputProblem(
            [(where, _NOT_TEXT.format("it holds NUL characters, as in UTF-16 without a byte order mark"))]
        )
    return text


# ---------------------------------------------------------------------------
# Text to JSON data
# ---------------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> tuple[int, int]:
    """(deepest nesting of objects and lists, index where it first passes ``limit``, or -1).

    Brackets inside strings are ignored; the text need not be valid JSON. Linear time, no recursion.
    """
    # blank out strings, keeping positions (so the index maps to a line)
    bare = _STRING.sub(lambda m: " " * len(m.group(0)), text)
    depth = deepest = 0
    first = -1
    for m in _BRACKET.finditer(bare):
        depth += 1 if m.group(0) in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit and first < 0:
                first = m.start()
    return deepest, first


class _Bad:
    """Placeholder the parser leaves where a number cannot be held; reported with its path."""

    def __init__(self, text: str, why: str) -> None:
        self.text, self.why = text, why


class _Obj(dict):
    """A JSON object that remembers the keys it was given more than once."""

    dups: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj()
    obj.dups = []
    for key, value in pairs:
        if key in obj and key not in obj.dups:
            obj.dups.append(key)
        obj[key] = value
    return obj


def _parse_int(text: str) -> Any:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Bad(f"a {digits:,}-digit number", "is too large to be a number here")
    return int(text)


def _parse_float(text: str) -> Any:
    value = float(text)
    if not math.isfinite(value):
        return _Bad(text if len(text) <= 20 else text[:17] + "...", "is too large to be a number here")
    return value


def _parse_constant(text: str) -> Any:
    return _Bad(text, "is not a number a scenario can hold (NaN and Infinity are not allowed)")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _clean(value: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    """Plain dicts and lists; every placeholder and repeated key becomes a problem naming its path."""
    if isinstance(value, _Bad):
        problems.append((path or FILE, f"{value.text} {value.why}{allowed(path)}"))
        return None
    if isinstance(value, dict):
        for key in getattr(value, "dups", []):
            where = "in the file" if not path else f"in {path}"
            problems.append(
                (_join(path, key), f'the key "{key}" is given more than once {where}; give each field once')
            )
        return {k: _clean(v, _join(path, k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return value


def loads(text: str | bytes, where: str = FILE, path: str = "") -> Any:
    """JSON data from scenario text (or bytes), refusing what a scenario must never hold.

    ``where`` names the input in messages about the whole text; ``path`` is the scenario path
    the text is the value of (share links), so problems inside it are named in full.
    Raises :class:`InputProblem` listing every problem.
    """
    if isinstance(text, (bytes, bytearray)):
        text = decode_bytes(bytes(text), where)
    text = text.removeprefix("\ufeff")
    deepest, at = nesting_depth(text)
    if at >= 0:
        line = text.count("\n", 0, at) + 1
        raise InputProblem(
            [
                (
                    where,
                    f"is nested more than {MAX_DEPTH} levels deep (line {line:,}); "
                    "a scenario is only a few levels deep, so this is not a scenario",
                )
            ]
        )
    try:
        raw = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputProblem([(where, f"is not valid JSON ({exc})")], syntax=True) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InputProblem([(where, f"is nested more than {MAX_DEPTH} levels deep")]) from None
    problems: list[tuple[str, str]] = []
    data = _clean(raw, path, problems)
    if problems:
        raise InputProblem(problems)
    return data


def loads_value(text: str, path: str, fallback: Callable[[str], Any] = lambda t: t) -> Any:
    """A share-link or ``--set`` value: JSON when it parses, ``fallback(text)`` (the text) when it
    is not JSON at all; JSON that a scenario cannot hold raises :class:`InputProblem`."""
    try:
        return loads(text, where=path, path=path)
    except InputProblem as exc:
        if exc.syntax:
            return fallback(text)
        raise
