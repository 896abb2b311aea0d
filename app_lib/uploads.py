"""Reading a scenario file a user uploads: size first, then JSON, version and validation.

Nothing is written to disk: the bytes stay in memory. Every problem comes back in plain words.
"""

from __future__ import annotations

from collections.abc import Callable

from csc_model import Scenario, ScenarioError

from . import formatting as fmt
from .levers import friendly_issues

MAX_BYTES = 1_000_000


def read_scenario(name: str, size: int, read: Callable[[], bytes]) -> tuple[Scenario | None, list[str]]:
    """(scenario, []) for a good file; (None, problems) otherwise. ``read`` is called only for small files."""
    shown = fmt.md_escape(name or "the file")
    if size > MAX_BYTES:
        return None, [
            f"**{shown}** is {size / 1e6:,.1f} MB; a scenario file is at most 1 MB. "
            "Choose the .json file downloaded from this app."
        ]
    if size == 0:
        return None, [f"**{shown}** is empty."]
    data = read()
    if len(data) > MAX_BYTES:  # the size reported by the browser was wrong
        return None, [f"**{shown}** is larger than 1 MB; a scenario file is at most 1 MB."]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [f"**{shown}** is not a text file, so it cannot be a scenario (a .json file is expected)."]
    try:
        return Scenario.from_json(text), []
    except ScenarioError as exc:
        head = f"**{shown}** could not be loaded as a scenario:"
        return None, [head] + [f"- {m}" for m in friendly_issues(exc.issues)]
