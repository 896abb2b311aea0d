"""Small helpers shared by several test modules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

PAGE_FILES = {
    "overview": "pages/home.py",
    "builder": "pages/builder.py",
    "compare": "pages/compare.py",
    "placements": "pages/placements.py",
    "model": "pages/model.py",
}
"""Short name -> page file, for ``AppTest.switch_page``."""


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m csc_model ARGS`` run from ``cwd`` (the package found through PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "csc_model", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def shown_number(text: object) -> float | None:
    """A figure as a page's table writes it ("£39,482,000", "-£1,000", "+6", "1,234") back as a number;
    None for a blank cell. Raises for text that is not a figure, so a test never reads a label as zero."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    if isinstance(text, int | float):
        return float(text)
    raw = str(text).strip()
    if not raw:
        return None
    return float(raw.replace("£", "").replace(",", "").replace("+", ""))


def shown_numbers(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """A page's table of written figures (see :func:`shown_number`) with ``columns`` (default: every
    column whose cells all read as figures) turned back into numbers."""
    out = df.copy()
    for c in columns if columns is not None else df.columns:
        try:
            out[c] = [shown_number(v) for v in df[c]]
        except ValueError:
            if columns is not None:
                raise
    return out


_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_ALIGN_ROW = re.compile(r"\|( :?---:? \|)+")


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]  # drop the outer pipes
    return [re.sub(r"\\(.)", r"\1", c.strip()) for c in _CELL_SPLIT.split(inner)]


def _html_rows(body: str) -> list[list[str]]:
    """The cells of each row of the HTML tables in ``body`` (``app_lib.components.html_table_markup``)."""
    from html.parser import HTMLParser

    rows: list[list[str]] = []

    class _Parser(HTMLParser):
        cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag == "tr":
                rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                rows[-1].append("".join(self.cell))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    _Parser().feed(body)
    return rows


def page_tables(at: Any) -> list[pd.DataFrame]:
    """The read-only tables a page shows, each as a frame of the text in its cells (escapes undone)
    with the header as column names: the Markdown tables (``app_lib.components.markdown_table``) in the
    page's order, then the HTML ones (``app_lib.components.figures_table``, the Overview's) in theirs.
    Read with :func:`shown_numbers` to get the figures back."""
    found = []
    for m in at.markdown:
        lines = str(m.value).split("\n")
        if len(lines) >= 2 and lines[0].startswith("| ") and _ALIGN_ROW.fullmatch(lines[1]):
            header, *rows = [_cells(line) for line in lines[:1] + lines[2:]]
            found.append(pd.DataFrame(rows, columns=header))
    for h in at.get("html"):
        if 'class="csc-table"' in h.proto.body:
            header, *rows = _html_rows(h.proto.body)
            found.append(pd.DataFrame(rows, columns=header))
    return found


def open_builder_tab(at: Any, group: str) -> Any:
    """Open a tab of the Scenario builder (``at`` on that page) as a click on it does: only the open
    tab's levers are drawn. ``group`` is one of ``app_lib.levers.GROUPS``."""
    at.session_state["builder:tab"] = group
    return at.run()


def lever_input(at: Any, path: str, kind: str = "number_input") -> Any:
    """The Scenario builder's input for ``path`` (``at`` on that page), opening the tab that holds it
    first when it is not drawn (only the open tab's levers are)."""
    from app_lib.levers import group_of

    key = f"lever:{path}"
    if not any(getattr(w, "key", None) == key for w in at.get(kind)):
        open_builder_tab(at, group_of(path))
    return getattr(at, kind)(key=key)
