"""The bundled default scenario (an illustrative authority of about 500 children in care)."""

from __future__ import annotations

from functools import lru_cache

from csc_model.scenario import Scenario
from csc_model.scenario.config import DATA_DIR


@lru_cache(maxsize=1)
def default_scenario() -> Scenario:
    """The default scenario from ``data/default_scenario.json`` (validated)."""
    return Scenario.from_json((DATA_DIR / "default_scenario.json").read_text(encoding="utf-8"))
