#!/usr/bin/env bash
# Every test, from a fresh clone: installs what the tests need, lints, then runs pytest.
# Chromium is only needed by tests/browser (which skip with a clear reason without it, and fail under
# CI=true): it is installed only when those tests may be selected and we are root to install it.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

needs_browser=1
args=" $* "
case "$args" in
  *"not browser"*) needs_browser=0 ;;  # -m "not browser"
esac
paths=0; browser_paths=0
for a in "$@"; do
  case "$a" in
    tests/browser*) paths=$((paths + 1)); browser_paths=$((browser_paths + 1)) ;;
    tests/*) paths=$((paths + 1)) ;;
  esac
done
if [ "$paths" -gt 0 ] && [ "$browser_paths" -eq 0 ]; then needs_browser=0; fi  # only non-browser files named

if [ "$needs_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || echo "note: could not install chromium; browser tests will skip" >&2
  else
    echo "note: chromium is missing (sudo apt-get install chromium); browser tests will skip" >&2
  fi
fi
python -m ruff check .
python -m ruff format --check .
python -m pytest "$@"
