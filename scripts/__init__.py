"""Shell helpers (run.sh, test.sh, venv.sh) and the one launcher of the app (serve.py)."""
