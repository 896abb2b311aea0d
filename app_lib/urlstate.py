"""A scenario as a link: its differences from the defaults as URL query parameters.

A few changes are readable: each changed value becomes one parameter named by its dotted path,
e.g. ``?entries.weekly_rate=4.5&costs.inflation_overrides.2027-28=0.1``. Values are JSON, except
plain text, which is written as it is. When that would make a long link (a scenario worked out
from your own data changes hundreds of values), the differences travel packed in one parameter,
``?s=...``: the compact JSON of ``{path: value}``, compressed with zlib and written in base64url.
Opening either form rebuilds the scenario from the defaults with ``Scenario.with_values``, so a
link is validated exactly like a manual change; a packed link is unpacked with a cap on its
size (no zip bomb) and read with the library's hardened JSON reader.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from csc_model import Scenario, ScenarioError, default_scenario
from csc_model.scenario import Issue, diff
from csc_model.scenario.json_io import InputProblem, decode_bytes, loads, loads_value

from .levers import value_at
from .uploads import presentable

SCENARIO_FIELDS = frozenset(f.name for f in dataclasses.fields(Scenario))
MAX_PARAMS = 200
MAX_VALUE_CHARS = 20_000
MAX_KEY_CHARS = 200

PACKED = "s"
"""The one parameter that carries a packed scenario."""
READABLE_CHARS = 200
"""A query up to this long stays readable (one parameter per change); a longer one is packed."""
MAX_PACKED_CHARS = 200_000
MAX_UNPACKED_BYTES = 1_000_000
"""Caps on a packed parameter and on what it unpacks to (a scenario's JSON is about 10 kB)."""
BASELINE_PARAM = "b"
"""The parameter that carries the sender's baseline, when it is not the defaults: its changes from the
defaults, packed. The scenario's own parameters are then its changes from that baseline."""
BASELINE_NAME_PARAM = "bn"
"""The baseline's name as the sender's pages show it (plain text, at most 80 characters)."""
_BASELINE_KEYS = (BASELINE_PARAM, BASELINE_NAME_PARAM)
FILE_BETTER_CHARS = 1_000
"""From this length a link may be cut by email and chat tools: the sidebar suggests the scenario file."""
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def is_scenario_param(key: str) -> bool:
    """True for a parameter that carries the scenario (others, like Streamlit's, are ignored)."""
    return key in (PACKED, *_BASELINE_KEYS) or (key.split(".")[0] in SCENARIO_FIELDS and key != "version")


def pack(changes: Mapping[str, Any]) -> str:
    """``{path: value}`` as compact JSON, compressed (zlib) and written in base64url without padding."""
    text = json.dumps(dict(changes), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def unpack(text: str) -> dict[str, Any]:
    """The ``{path: value}`` a packed parameter holds; raises InputProblem naming what is wrong."""

    def bad(message: str) -> InputProblem:
        return InputProblem([(PACKED, message)])

    if len(text) > MAX_PACKED_CHARS:
        raise bad("is too long for a scenario link")
    if not _BASE64URL.fullmatch(text):
        raise bad("is not a packed scenario: it holds characters other than letters, digits, - and _")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise bad("is not a packed scenario: it is cut short or garbled (base64)") from None
    unzip = zlib.decompressobj()
    try:
        raw = unzip.decompress(data, MAX_UNPACKED_BYTES + 1)
    except zlib.error:
        raise bad("is not a packed scenario: it cannot be unpacked (it may have been cut short)") from None
    if len(raw) > MAX_UNPACKED_BYTES or unzip.unconsumed_tail:
        raise bad(f"unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB, far more than any scenario")
    if not unzip.eof:
        raise bad("is not a packed scenario: it is cut short")
    value = loads(decode_bytes(raw, PACKED), where=PACKED)
    if not isinstance(value, dict):
        raise bad("is not a packed scenario: it must hold the changed fields by name")
    return value


def _encode_value(value: Any) -> str:
    if isinstance(value, str):
        try:
            json.loads(value)
        except (ValueError, RecursionError):
            return value  # plain text stays readable
        return json.dumps(value, ensure_ascii=False)  # text that looks like JSON is quoted
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _decode_value(key: str, text: str) -> Any:
    """JSON when it parses (with the library's hardened reader), else the text as written.

    The name is always text: a name that looks like JSON was written quoted by ``encode``.
    """
    if key != "name":
        return loads_value(text, key)
    try:
        value = loads_value(text, key)
    except InputProblem:
        return text
    return value if isinstance(value, str) else text


def encode(s: Scenario, base: Scenario | None = None) -> dict[str, str]:
    """Query parameters for the single values of ``s`` that differ from ``base`` (the defaults).

    One parameter per changed value, e.g. ``placements.shift.children_per_year=10``; lists
    (surges, usual moves) travel whole as JSON; a map entry that is not in ``s`` is ``null``.
    When that query would be longer than :data:`READABLE_CHARS`, the same changes go packed in
    one parameter, :data:`PACKED` (if that is shorter).
    """
    base = base or default_scenario()
    changes = {path: new for path, (_old, new) in diff(base, s).items()}
    readable = {path: _encode_value(new) for path, new in changes.items()}
    query = len(urlencode(readable))
    if query <= READABLE_CHARS:
        return readable
    packed = pack(changes)
    return {PACKED: packed} if len(PACKED) + 1 + len(packed) < query else readable


def link_params(s: Scenario, baseline: Scenario | None = None, label: str = "") -> dict[str, str]:
    """The parameters of a link to ``s`` compared with ``baseline`` (None: the defaults).

    A baseline other than the defaults travels with the link (:data:`BASELINE_PARAM`, packed, and its
    name), and the scenario's parameters are then its changes from that baseline: whoever opens the
    link sees the same comparison as the sender, e.g. an authority's scenario against the same
    authority rather than against the illustrative defaults.
    """
    defaults = default_scenario()
    if baseline is None or not diff(defaults, baseline):
        return encode(s, defaults)
    out = {BASELINE_PARAM: pack({path: new for path, (_old, new) in diff(defaults, baseline).items()})}
    name = " ".join(str(label).split())[:80]
    if name:
        out[BASELINE_NAME_PARAM] = name
    out.update(encode(s, baseline))
    return out


def restore_link(
    params: Mapping[str, str | list[str]],
) -> tuple[Scenario, tuple[Scenario, str] | None, list[Issue]]:
    """The scenario and the baseline (with its name) a link describes, and the problems if it is bad.

    Never raises: a bad link gives the defaults, no baseline, and every problem found.
    """
    raw = params.get(BASELINE_PARAM)
    if raw is None:
        scenario, issues = restore(params)
        return scenario, None, issues
    text = raw[-1] if isinstance(raw, list) and raw else raw
    try:
        baseline = decode({PACKED: text if isinstance(text, str) else ""})
    except ScenarioError as exc:
        return (
            default_scenario(),
            None,
            presentable([Issue(f"{i.field} (in the link's baseline)", i.value, i.message) for i in exc.issues]),
        )
    scenario, issues = restore(params, baseline)
    if issues:
        return default_scenario(), None, issues
    name = params.get(BASELINE_NAME_PARAM)
    name = name[-1] if isinstance(name, list) and name else name
    label = " ".join(str(name or "").split())[:80] or "the baseline from the link"
    return scenario, (baseline, label), []


def link_advice(link: str) -> str | None:
    """A sentence for the sidebar when a file is the better way to share (a long link), else None."""
    if len(link) < FILE_BETTER_CHARS:
        return None
    return (
        f"This link is long ({len(link):,} characters), because the scenario holds many figures of its own (for "
        "example from your data): some email and chat tools cut long links. To share it safely, download the "
        'scenario (JSON) below and send the file; it opens with "Load a scenario file" on the Scenario builder.'
    )


def _is_map(s: Scenario, path: str) -> bool:
    """True when ``path`` names a mapping field (prices, shares, overrides), not a group of fields."""
    node: Any = s
    for part in path.split("."):
        if dataclasses.is_dataclass(node):
            if not hasattr(node, part):
                return False
            node = getattr(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return isinstance(node, Mapping) and not dataclasses.is_dataclass(node)


def decode(params: Mapping[str, str | list[str]], base: Scenario | None = None) -> Scenario:
    """The scenario a link describes; raises ScenarioError naming every bad parameter."""
    base = base or default_scenario()
    issues: list[Issue] = []
    values: dict[str, Any] = {}

    def take(key: Any, text: str | None, value: Any = None) -> None:
        """One changed value: ``text`` from a readable parameter, or a ``value`` already read."""
        if not isinstance(key, str) or not is_scenario_param(key) or key == PACKED:
            if text is None:  # inside a packed link every key must be a field
                issues.append(Issue(str(key)[:MAX_KEY_CHARS], None, "is not a field of a scenario (unknown field)"))
            return
        if len(key) > MAX_KEY_CHARS:
            issues.append(
                Issue(key[:MAX_KEY_CHARS] + "...", None, "is not a field of a scenario (the name is too long)")
            )
            return
        if len(values) >= MAX_PARAMS or (text is not None and len(text) > MAX_VALUE_CHARS):
            issues.append(Issue(key, None, "is too long for a scenario link"))
            return
        if text is None:
            values[key] = value
            return
        try:
            values[key] = _decode_value(key, text)
        except InputProblem as exc:
            issues.extend(Issue(f, None, m) for f, m in exc.problems)

    def text_of(raw: Any) -> str:
        text = (raw[-1] if raw else "") if isinstance(raw, list) else raw
        return text if isinstance(text, str) else str(text)

    if PACKED in params:  # the packed changes first; readable parameters beside them win
        try:
            packed = unpack(text_of(params[PACKED]))
        except InputProblem as exc:
            issues.extend(Issue(f, None, m) for f, m in exc.problems)
        else:
            for key, value in packed.items():
                take(key, None, value)
    for key, raw in params.items():
        if key != PACKED and key not in _BASELINE_KEYS:
            take(key, text_of(raw))
    changes: dict[str, Any] = {}
    entries: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        parent, _, leaf = key.rpartition(".")
        if parent and _is_map(base, parent):
            entries.setdefault(parent, {})[leaf] = value
        else:
            changes[key] = value
    for parent, items in entries.items():
        merged = dict(value_at(base, parent))
        for leaf, value in items.items():
            if value is None:
                merged.pop(leaf, None)
            else:
                merged[leaf] = value
        changes[parent] = merged
    result = base
    try:
        result = base.with_values(changes) if changes else base
    except ScenarioError as exc:
        issues += exc.issues
    if issues:  # every bad parameter at once, the unreadable ones and the invalid ones
        raise ScenarioError(issues)
    return result


def restore(params: Mapping[str, str | list[str]], base: Scenario | None = None) -> tuple[Scenario, list[Issue]]:
    """``decode`` that never raises: the defaults plus the problems when the link is bad.

    The problems' values are quoted compactly, so the page can always show them.
    """
    base = base or default_scenario()
    try:
        return decode(params, base), []
    except ScenarioError as exc:
        return base, presentable(exc.issues)


def share_url(app_url: str | None, params: Mapping[str, str], page_path: str = "") -> str:
    """A link to the app's front page with the scenario (just the query when the address is unknown).

    ``page_path`` is the url path of the page the user is on; it is taken off so the link opens
    the overview, the page a colleague opening a scenario wants first (and one Streamlit can
    always serve, even to the first visitor after the server starts).
    """
    query = urlencode(params)
    root = (app_url or "").split("?")[0].split("#")[0].rstrip("/")
    if page_path and root.endswith("/" + page_path):
        root = root[: -len(page_path) - 1]
    root = root + "/" if root else ""
    return f"{root}?{query}" if query else root
