#!/usr/bin/env bash
# Installs what the app needs into .venv/ and starts it on the embedded defaults (no configuration).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
ensure_venv requirements.txt
# the follow-up database's schema (Alembic), created or upgraded here, never at page load;
# public screens (QUARTIERS_MODE=consultation) only read and create nothing
if [ "${QUARTIERS_MODE:-}" != "consultation" ]; then
  .venv/bin/python -m data.cli migrate >/dev/null
fi
# the one launcher (scripts/serve.py: loopback, headless, …); --watch reloads edited code
exec .venv/bin/python scripts/serve.py --watch "$@"
