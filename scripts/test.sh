#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs the whole suite.
#   - Python packages (requirements-test.txt: the app's packages + pytest + Playwright)
#   - Debian's chromium for the browser tests (Playwright drives the system browser; it never downloads one)
# A missing browser makes the browser tests fail, never skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -r requirements-test.txt

mkdir -p artifacts
python3 -m pytest -q -p no:cacheprovider tests "$@"
