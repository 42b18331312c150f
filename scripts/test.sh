#!/usr/bin/env bash
# The whole test suite: installs what it needs, then runs pytest.
# SQLite by default; set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
# to run the same suite on a fresh database on that PostgreSQL server.
# SKIP_SETUP=1 skips the installation (CI installs once, then runs two suites side by side).
set -euo pipefail
cd "$(dirname "$0")/.."

install_everything() {
  scripts/setup.sh --dev
  if [ -x /usr/bin/chromium ]; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  fi
}

if [ "${SKIP_SETUP:-}" != "1" ]; then
  install_everything
fi
exec .venv/bin/python -m pytest "$@"
