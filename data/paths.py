from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QPV_DATA = ROOT / "qpv_data"
GEO = ROOT / "geo"
