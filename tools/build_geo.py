"""Build the project's perimeter files in geo/ from ../shared/geo_sources (build time only).

The app and its tests never read ../shared: this script is run by a developer when the
sources change, and its output (geo/*.geojson + provenance .md) is committed.

Poches de pauvreté: the contract gives two INSEE 200 m grid-square ids
(CRS3035RES200mN<northing>E<easting>). The id encodes the square's lower-left corner in
EPSG:3035 (LAEA Europe); the square is that corner + 200 m east and north. We build it in
EPSG:3035 (densified so the lon/lat outline stays exact to well under a metre) and
reproject to EPSG:4326.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from data.geo import grid_square  # noqa: E402  (one definition of the id → square rule)

SRC = ROOT.parent / "shared" / "geo_sources"
OUT = ROOT / "geo"


POCHES = [
    # (slug, name, INSEE grid id as printed in the contract, footnote 2)
    ("echarde", "Square de l'Echarde", "CRS3035RES200mN2948600E3802600"),
    ("jean-moulin", "Square Jean Moulin", "CRS3035RES200mN2946200E3799800"),
]


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name in (
        "qpv2024_compiegne.geojson",
        "compiegne_commune_60159.geojson",
        "arc_communes_200067965.geojson",
        "arc_epci_200067965_membres.json",
    ):
        shutil.copyfile(SRC / name, OUT / name)
        md = name.rsplit(".", 1)[0] + ".md"
        shutil.copyfile(SRC / md, OUT / md)

    rows = []
    for slug, nom, gid in POCHES:
        rows.append({"slug": slug, "nom": nom, "id_carreau": gid, "geometry": grid_square(gid)})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf.to_file(OUT / "poches_pauvrete_carreaux_200m.geojson", driver="GeoJSON", COORDINATE_PRECISION=7)
    print(gdf.to_crs("EPSG:3035").area.round(1).tolist(), file=sys.stderr)
    print(json.dumps(gdf.total_bounds.tolist()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
