"""Small helpers shared by several test modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGE_FILES = {
    "overview": "pages/overview.py",
    "builder": "pages/scenario_builder.py",
    "compare": "pages/compare_scenarios.py",
    "placements": "pages/placements_and_costs.py",
    "model": "pages/model_and_assumptions.py",
}
"""Short name -> page file, for ``AppTest.switch_page``."""


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m csc_model ARGS`` run from ``cwd`` (the package found through PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "csc_model", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
