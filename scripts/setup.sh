#!/usr/bin/env bash
# Creates .venv and installs the project into it. Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
# Message catalogues are compiled from the committed .po files.
for dir in translations/*/; do
  [ -d "$dir" ] && .venv/bin/pybabel compile -d "$dir" >/dev/null
done
