#!/usr/bin/env bash
# Install everything the tests need and run every test (unit, app, browser end-to-end).
# Uses the active virtual environment, or creates .venv. Installs Debian's chromium if it is
# missing (the browser test drives it headless through Playwright; no browser is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -d .venv ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -r requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not found and apt-get unavailable: the browser test will fail" >&2
  fi
fi
ruff check .
ruff format --check .
if [ "$#" -gt 0 ]; then
  python -m pytest "$@"
else
  # the tests that need no browser on every core, then the browser tests one at a time (each
  # starts its own server and Chromium: run side by side they would take each other's CPU)
  python -m pytest -n auto -m "not browser"
  python -m pytest -m browser
fi
