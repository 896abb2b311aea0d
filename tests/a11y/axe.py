"""Run axe-core in a Playwright page, offline, and report its violations.

The axe-core script is bundled, never fetched at test time. It is found, in order, at:

1. the file named by the ``AXE_CORE_JS`` environment variable;
2. ``axe.min.js`` shipped inside the PyPI package ``axe-playwright-python`` (a dev dependency);
3. ``node_modules/axe-core/axe.min.js`` next to this file (``npm install --prefix tests/a11y axe-core``).

Usage::

    from tests.a11y.axe import run_axe, serious, report

    violations = run_axe(page)            # every violation axe finds
    assert not serious(violations), report(serious(violations))
"""

from __future__ import annotations

import importlib.util
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FAILING_IMPACTS = ("serious", "critical")
DEFAULT_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


class AxeUnavailable(RuntimeError):
    """No bundled axe-core script was found (see the module docstring for where it is looked for)."""


def axe_script_path() -> Path:
    """Where the axe-core script is (raises :class:`AxeUnavailable` if nowhere)."""
    env = os.environ.get("AXE_CORE_JS")
    candidates: list[Path] = [Path(env)] if env else []
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec and spec.submodule_search_locations:
        candidates += [Path(p) / "axe.min.js" for p in spec.submodule_search_locations]
    candidates.append(HERE / "node_modules" / "axe-core" / "axe.min.js")
    for path in candidates:
        if path.is_file():
            return path
    raise AxeUnavailable(
        "axe-core is not installed: pip install axe-playwright-python (it bundles axe.min.js), "
        "or npm install --prefix tests/a11y axe-core, or set AXE_CORE_JS to an axe.min.js file"
    )


@lru_cache(maxsize=1)
def axe_source() -> str:
    return axe_script_path().read_text(encoding="utf-8")


def axe_version() -> str:
    """The bundled axe-core version, e.g. '4.12.1'."""
    head = axe_source()[:200]
    marker = "axe v"
    i = head.find(marker)
    return head[i + len(marker) :].split()[0] if i >= 0 else "unknown"


def run_axe(
    page: Any,
    context: str | dict[str, Any] | None = None,
    tags: tuple[str, ...] | None = DEFAULT_TAGS,
    disable_rules: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Inject axe-core into a Playwright ``page`` (sync API) and return its violations.

    ``context`` limits the check to part of the page (a CSS selector or an axe context
    object); ``tags`` picks the rule sets (None for axe's defaults); ``disable_rules`` turns
    off named rules. Each violation is axe's dict: id, impact, help, helpUrl, nodes (each
    with target and failureSummary).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if tags:
        options["runOnly"] = {"type": "tag", "values": list(tags)}
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    result = page.evaluate(
        "async ([context, options]) => await window.axe.run(context ?? document, options)",
        [context, options],
    )
    return list(result["violations"])


def serious(violations: list[dict[str, Any]], impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict[str, Any]]:
    """Only the violations whose impact is serious or critical."""
    return [v for v in violations if v.get("impact") in impacts]


def report(violations: list[dict[str, Any]], max_nodes: int = 5) -> str:
    """A readable summary for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} [{len(v.get('nodes', []))} element(s)]")
        for node in v.get("nodes", [])[:max_nodes]:
            lines.append(f"    {json.dumps(node.get('target'))}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines) or "no violations"
