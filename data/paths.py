"""Where the data lives. QUARTIERS_DATA_DIR / QUARTIERS_GEO_DIR point elsewhere (tests use them to
load deliberately broken copies); by default the folders shipped with the code."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QPV_DATA = ROOT / "qpv_data"
GEO = ROOT / "geo"
DATA_ENV, GEO_ENV = "QUARTIERS_DATA_DIR", "QUARTIERS_GEO_DIR"
# The one writable place (default SQLite file). A deployment whose code directory is read-only
# points it elsewhere (systemd: /var/lib/quartiers) or uses PostgreSQL (QUARTIERS_DB_URL).
VAR_ENV = "QUARTIERS_VAR_DIR"


def qpv_data() -> Path:
    return Path(os.environ.get(DATA_ENV) or QPV_DATA)


def geo() -> Path:
    return Path(os.environ.get(GEO_ENV) or GEO)


def var() -> Path:
    return Path(os.environ.get(VAR_ENV) or ROOT / "var")
