"""Where the data lives. QUARTIERS_DATA_DIR / QUARTIERS_GEO_DIR point elsewhere (tests use them to
load deliberately broken copies); by default the folders shipped with the code."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QPV_DATA = ROOT / "qpv_data"
GEO = ROOT / "geo"
DATA_ENV, GEO_ENV = "QUARTIERS_DATA_DIR", "QUARTIERS_GEO_DIR"


def qpv_data() -> Path:
    return Path(os.environ.get(DATA_ENV) or QPV_DATA)


def geo() -> Path:
    return Path(os.environ.get(GEO_ENV) or GEO)
