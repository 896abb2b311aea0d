#!/usr/bin/env bash
# Install the app's requirements in a virtual environment (.venv) and start it on the bundled defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -d .venv ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -r requirements.txt
exec python -m streamlit run app.py "$@"
