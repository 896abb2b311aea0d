"""A corpus of malformed scenario files and share-link parameters, each with what its message must say.

Every case is built from the default scenario with one thing wrong, so each tests one problem.
``expected`` holds text fragments that the library's message, the command line's stderr and the
app's error (markdown escapes removed) must all contain; ``app`` marks the representative subset
that is also uploaded to the Scenario builder under AppTest (about a second each).
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field

from csc_model import default_scenario

PLACEHOLDER = "@@RAW@@"


@dataclass(frozen=True)
class FileCase:
    """A scenario file (bytes) that must be refused."""

    id: str
    content: bytes
    expected: tuple[str, ...]
    app: bool = False


@dataclass(frozen=True)
class LinkCase:
    """Share-link query parameters that must be refused (the defaults are kept)."""

    id: str
    params: dict[str, str]
    expected: tuple[str, ...]
    app: bool = False
    cli: bool = True  # also as ``run --set KEY=VALUE`` (the same reader)
    extra: dict[str, str] = field(default_factory=dict)


def _text() -> str:
    return default_scenario().to_json()


def _data() -> dict:
    return json.loads(_text())


def _dump(data: object) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


def _with(path: str, value: object) -> bytes:
    """The default scenario with the value at a dotted path replaced (``PLACEHOLDER`` -> raw JSON)."""
    data = _data()
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    node[parts[-1]] = value
    return _dump(data)


def _raw(path: str, token: str) -> bytes:
    """The default scenario with a raw JSON token (Infinity, 1e999, ...) at a dotted path."""
    text = _with(path, PLACEHOLDER).decode()
    assert text.count(f'"{PLACEHOLDER}"') == 1
    return text.replace(f'"{PLACEHOLDER}"', token).encode()


_IFA_PRICE = json.dumps(_data()["costs"]["weekly_price_gbp"]["ifa"])  # as the defaults write it


def _replace(old: str, new: str) -> bytes:
    text = _text()
    assert text.count(old) == 1, old
    return text.replace(old, new).encode()


def _without(path: str) -> bytes:
    data = _data()
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[p]
    del node[parts[-1]]
    return _dump(data)


FIVE_THOUSAND_DIGITS = "9" * 5000
TOO_DEEP = "[" * 100_000 + "]" * 100_000


FILE_CASES: list[FileCase] = [
    # -- not a scenario at all
    FileCase("not-json", b"this is not json", ("is not valid JSON",), app=True),
    FileCase("truncated", _text()[:500].encode(), ("is not valid JSON",)),
    FileCase("trailing-text", _text().encode() + b"\nhello", ("is not valid JSON", "Extra data")),
    FileCase("top-level-list", b"[1, 2]", ("must be a JSON object",)),
    FileCase("top-level-text", b'"a scenario"', ("must be a JSON object",)),
    FileCase("top-level-number", b"42", ("must be a JSON object",)),
    FileCase("top-level-null", b"null", ("must be a JSON object",)),
    FileCase("version-missing", _without("version"), ("format version is not supported",)),
    FileCase("version-99", _with("version", 99), ("format version is not supported",), app=True),
    FileCase("version-as-text", _with("version", "1"), ("format version is not supported",)),
    # -- deep nesting (RecursionError before)
    FileCase("deep-lists", TOO_DEEP.encode(), ("nested more than 20 levels deep",), app=True),
    FileCase("deep-objects", ('{"a":' * 60 + "1" + "}" * 60).encode(), ("nested more than 20 levels deep",)),
    FileCase("deep-in-a-field", _raw("name", "[" * 30 + "]" * 30), ("nested more than 20 levels deep",)),
    # -- numbers that cannot be held (ValueError / OverflowError before)
    FileCase("years-5000-digits", _raw("years", FIVE_THOUSAND_DIGITS), ("5,000-digit number", "too large"), app=True),
    FileCase(
        "price-5000-digits",
        _raw("costs.weekly_price_gbp.ifa", "-" + FIVE_THOUSAND_DIGITS),
        ("5,000-digit number", "too large", "£0 to £50,000 a week"),
    ),
    FileCase("years-1e20", _raw("years", "100000000000000000000"), ("1e+20", "1 to 10"), app=True),
    FileCase("start-9999", _with("start_date", "9999-12-31"), ("9999-12-31", "2000-01-01 to 2100-01-01"), app=True),
    FileCase("start-1066", _with("start_date", "1066-10-14"), ("1066-10-14", "2000-01-01 to 2100-01-01")),
    FileCase("start-not-iso", _with("start_date", "31/03/2026"), ("must be a date written YYYY-MM-DD",)),
    FileCase("start-bad-day", _with("start_date", "2026-02-30"), ("must be a date written YYYY-MM-DD",)),
    FileCase("rate-infinity", _raw("entries.weekly_rate", "Infinity"), ("Infinity", "not a number"), app=True),
    FileCase("rate-minus-infinity", _raw("entries.weekly_rate", "-Infinity"), ("-Infinity", "not a number"), app=True),
    FileCase("rate-nan", _raw("entries.weekly_rate", "NaN"), ("NaN", "not a number", "0 to 500"), app=True),
    FileCase("rate-1e999", _raw("entries.weekly_rate", "1e999"), ("1e999", "too large"), app=True),
    FileCase("share-minus-1e999", _raw("entries.prevented_share", "-1e999"), ("-1e999", "too large")),
    FileCase(
        "nan-in-a-map",
        _raw("initial.age_band_shares.1_4", "NaN"),
        ("initial.age_band_shares.1_4", "not a number"),
    ),
    FileCase("price-1e308", _raw("costs.weekly_price_gbp.ifa", "1e308"), ("1e+308", "£0 to £50,000 a week"), app=True),
    FileCase("budget-1e300", _raw("costs.budget_first_year_gbp", "-1e300"), ("-1e+300",)),
    # -- ambiguous: a key given twice
    FileCase(
        "duplicate-years", _replace('"years": 5,', '"years": 5, "years": 3,'), ('"years"', "more than once"), app=True
    ),
    FileCase(
        "duplicate-nested",
        _replace('"weekly_rate": 3.8,', '"weekly_rate": 3.8, "weekly_rate": 9,'),
        ('"weekly_rate"', "more than once", "entries"),
    ),
    FileCase(
        "duplicate-in-a-map",
        _replace(f'"ifa": {_IFA_PRICE},', f'"ifa": {_IFA_PRICE}, "ifa": 10,'),
        ('"ifa"', "more than once", "costs.weekly_price_gbp"),
    ),
    # -- encodings: the same answer everywhere
    FileCase(
        "utf16-le-bom", _text().replace('"years": 5', '"years": 99').encode("utf-16"), ("99", "1 to 10"), app=True
    ),
    FileCase(
        "utf16-be-bom",
        b"\xfe\xff" + _text().replace('"years": 5', '"years": 0').encode("utf-16-be"),
        ("1 to 10",),
    ),
    FileCase("utf8-bom", b"\xef\xbb\xbf" + _text().replace('"years": 5', '"years": 11').encode(), ("11", "1 to 10")),
    FileCase("utf16-no-bom", _text().encode("utf-16-le"), ("not a text file", "NUL"), app=True),
    FileCase("utf32", _text().encode("utf-32"), ("not a text file", "UTF-32")),
    FileCase("latin1", _text().replace("Illustrative", "Illustrativé").encode("latin-1"), ("not a text file",)),
    FileCase("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ("not a text file",), app=True),
    # -- well-formed JSON, wrong shape or values
    FileCase("unknown-field", _with("colour", "blue"), ("colour", "unknown field")),
    FileCase("missing-section", _without("entries"), ("entries", "is missing")),
    FileCase("section-is-a-number", _with("initial", 5), ("initial", "must be an object")),
    FileCase("map-is-a-list", _with("initial.stage_counts", [1, 2]), ("initial.stage_counts", "name: value pairs")),
    FileCase("years-fraction", _with("years", 2.5), ("years", "must be a whole number")),
    FileCase("years-text", _with("years", "five"), ("years", "must be a whole number")),
    FileCase("years-true", _with("years", True), ("years", "must be a whole number")),
    FileCase("rate-negative", _with("entries.weekly_rate", -3), ("entries.weekly_rate", "0 to 500")),
    FileCase("shares-not-1", _with("initial.age_band_shares.1_4", 0.9), ("must add up to 1 (100%)",), app=True),
    FileCase("name-empty", _with("name", "  "), ("must not be empty",)),
    FileCase("name-too-long", _with("name", "x" * 500), ("too long", "120 characters")),
    FileCase("base-year-not-fy", _with("costs.price_base_year", "2023"), ("financial year like 2023-24",)),
    FileCase(
        "move-unknown-type",
        _with("placements.moves", [{"from_type": "castle", "to_type": "ifa", "annual_rate": 0.1}]),
        ("castle", "is not a placement type"),
    ),
    FileCase(
        "surge-outside",
        _with("entries.surges", [{"start_date": "2040-01-01", "weeks": 4, "extra_children": 5}]),
        ("entries.surges[0].start_date", "outside the projection"),
    ),
    FileCase(
        "html-in-name-and-key",
        _with("<script>alert(1)</script>", 1),
        ("unknown field",),
        app=True,
    ),
]


LINK_CASES: list[LinkCase] = [
    LinkCase("rate-negative", {"entries.weekly_rate": "-4"}, ("0 to 500",)),
    LinkCase("rate-infinity", {"entries.weekly_rate": "Infinity"}, ("Infinity", "not a number"), app=True),
    LinkCase("rate-nan", {"entries.weekly_rate": "NaN"}, ("NaN", "not a number"), app=True),
    LinkCase("rate-1e999", {"entries.weekly_rate": "1e999"}, ("1e999", "too large"), app=True),
    LinkCase("price-1e308", {"costs.weekly_price_gbp.ifa": "1e308"}, ("1e+308", "£0 to £50,000 a week"), app=True),
    LinkCase("years-1e20", {"years": "100000000000000000000"}, ("1e+20", "1 to 10")),
    LinkCase("years-5000-digits", {"years": FIVE_THOUSAND_DIGITS}, ("5,000-digit number", "too large"), app=True),
    LinkCase("years-text", {"years": "five"}, ("must be a whole number",)),
    LinkCase("start-9999", {"start_date": "9999-12-31"}, ("9999-12-31", "2000-01-01 to 2100-01-01"), app=True),
    LinkCase("start-not-a-date", {"start_date": "next April"}, ("must be a date written YYYY-MM-DD",)),
    LinkCase(
        "deep-value", {"placements.moves": "[" * 5000 + "]" * 5000}, ("nested more than 20 levels deep",), app=True
    ),
    LinkCase(
        "duplicate-key-in-value",
        {"placements.shift": '{"from_type": "ifa", "from_type": "la_foster"}'},
        ('"from_type"', "more than once"),
    ),
    LinkCase("unknown-field", {"entries.colour": "blue"}, ("unknown field",)),
    LinkCase("no-such-path", {"costs.nothing.deeper": "1"}, ("no such field",)),
    LinkCase("list-index-out-of-range", {"entries.surges.5.weeks": "4"}, ("out of range",)),
    LinkCase("value-too-long", {"name": "x" * 25_000}, ("too long for a scenario link",), cli=False),
    LinkCase("key-too-long", {"entries." + "x" * 300: "1"}, ("name is too long",), cli=False),
    LinkCase("map-value-object", {"costs.weekly_price_gbp.ifa": "{}"}, ("must be a number",)),
    LinkCase("order-fraction", {"proceedings.erlang_order": "2.5"}, ("must be a whole number",)),
    LinkCase("empty-value", {"entries.weekly_rate": ""}, ("must be a number",)),
    LinkCase("band-mix-not-object", {"initial.placement_mix_by_age_band.1_4": "5"}, ("must be an object",)),
    LinkCase("unknown-placement", {"placements.shift.from_type": "castle"}, ("is not a placement type",), app=True),
    LinkCase("html-in-key", {"entries.<b>x</b>": "1"}, ("unknown field",), app=True),
]
"""Each case is refused and the defaults kept; the app leg runs on the ``app`` subset."""


def _packed(raw: bytes, compress: bool = True) -> dict[str, str]:
    """A packed share link (``?s=``) holding ``raw``: zlib-compressed unless ``compress`` is False."""
    data = zlib.compress(raw, 9) if compress else raw
    return {"s": base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")}


LINK_CASES += [
    LinkCase(
        "packed-not-base64", {"s": "not base64!!"}, ("is not a packed scenario", "letters, digits"), app=True, cli=False
    ),
    LinkCase("packed-bad-padding", {"s": "abcde"}, ("cut short or garbled",), cli=False),
    LinkCase("packed-not-zlib", _packed(b"hello, world", compress=False), ("cannot be unpacked",), cli=False),
    LinkCase(
        "packed-cut-short",
        {"s": _packed(b'{"entries.weekly_rate": 4.5, "years": 7}')["s"][:-6]},
        ("cut short",),
        cli=False,
    ),
    # 50 MB of spaces packs into about 50 kB: refused after 1 MB is unpacked, never held whole
    LinkCase("packed-zip-bomb", _packed(b" " * 50_000_000), ("unpacks to more than 1 MB",), app=True, cli=False),
    LinkCase("packed-too-long", {"s": "A" * 250_000}, ("too long for a scenario link",), cli=False),
    LinkCase("packed-bad-json", _packed(b'{"entries.weekly_rate": 4.5,'), ("is not valid JSON",), app=True, cli=False),
    LinkCase("packed-not-object", _packed(b"[1, 2, 3]"), ("changed fields by name",), cli=False),
    LinkCase("packed-deep", _packed(b"[" * 5000 + b"]" * 5000), ("nested more than 20 levels deep",), cli=False),
    LinkCase("packed-utf16", _packed('{"years": 7}'.encode("utf-16-le")), ("not a text file",), cli=False),
    LinkCase("packed-negative-rate", _packed(b'{"entries.weekly_rate": -4}'), ("0 to 500",), cli=False),
    LinkCase("packed-nan", _packed(b'{"entries.weekly_rate": NaN}'), ("NaN", "not a number"), app=True, cli=False),
    LinkCase("packed-1e999", _packed(b'{"years": 1e999}'), ("1e999", "too large"), cli=False),
    LinkCase(
        "packed-duplicate-key",
        _packed(b'{"years": 7, "years": 8}'),
        ('"years"', "more than once"),
        cli=False,
    ),
    LinkCase("packed-html-key", _packed(b'{"<b>x</b>": 1}'), ("unknown field",), app=True, cli=False),
    LinkCase("packed-unknown-field", _packed(b'{"entries.colour": "blue"}'), ("unknown field",), cli=False),
]
