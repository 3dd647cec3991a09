#!/usr/bin/env bash
# Installs what the app needs into .venv/ and starts it on the embedded defaults (no configuration).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
ensure_venv requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
