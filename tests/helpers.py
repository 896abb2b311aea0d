"""Small helpers shared by several test modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
