#!/usr/bin/env bash
# Quick start: install, create the SQLite database, load the demo data and serve the site.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p instance
if [ ! -f instance/config.py ]; then
  # A random secret for this machine; instance/ is never committed.
  .venv/bin/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > instance/config.py
fi
export FLASK_APP=webapp
.venv/bin/flask db upgrade
.venv/bin/flask seed
# Bookable sessions for the next 30 days (on a server, cron runs this nightly).
.venv/bin/flask generate-sessions
echo "Open http://127.0.0.1:${PORT:-5000}/"
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
