"""Validation problems: one :class:`Issue` per field, gathered in a :class:`ScenarioError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csc_model.scenario.json_io import compact


@dataclass(frozen=True)
class Issue:
    """One validation problem: which field, what value, what is wrong."""

    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        shown = _short(self.value)
        return f"{self.field}: {shown}{self.message}" if shown else f"{self.field}: {self.message}"


def _short(value: Any) -> str:
    return "" if value is None else f"value {compact(value)} "


class ScenarioError(ValueError):
    """A scenario failed to parse or validate; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))
