#!/usr/bin/env bash
# Every test, from a fresh clone: installs what the tests need, lints, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    # Only the browser tests need it: they skip (and fail under CI=true) without it.
    echo "note: Debian's chromium is missing (sudo apt-get install chromium); browser tests will skip" >&2
  fi
fi
python -m ruff check .
python -m ruff format --check .
python -m pytest "$@"
