"""Perimeters: QPV 2024 polygons, poches (INSEE 200 m squares), Compiègne, ARC communes.

Every layer is returned in EPSG:4326 with a `territory` slug column matching qpv_data ids,
validated (valid geometry, inside the commune of Compiègne for the quartiers)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from . import paths
from .errors import DataValidationError

QPV_CODE_TO_TERRITORY = {"QN06006I": "vivier-corax", "QN06007M": "clos-des-roses", "QN06008I": "la-victoire"}
GRID_ID = re.compile(r"^CRS3035RES(?P<res>\d+)mN(?P<n>\d+)E(?P<e>\d+)$")
# The upstream commune outline is simplified (IGN Admin Express 2018, 25 %): allow a few metres.
COMMUNE_TOLERANCE_M = 25.0


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise DataValidationError(path.name, "fichier introuvable")
    if path.stat().st_size == 0:
        raise DataValidationError(path.name, "fichier vide")
    try:
        gdf = gpd.read_file(path)
    except Exception:  # pyogrio raises several types for unreadable files; their text names server paths
        raise DataValidationError(path.name, "fichier géographique illisible (GeoJSON attendu)") from None
    if gdf.empty:
        raise DataValidationError(path.name, "aucune entité géographique")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        gdf = gdf.set_crs(4326, allow_override=True) if gdf.crs is None else gdf.to_crs(4326)
    return gdf


def _check_valid(gdf: gpd.GeoDataFrame, file: str, label_col: str) -> None:
    for pos, (label, geom) in enumerate(zip(gdf[label_col], gdf.geometry)):
        if geom is not None and geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise DataValidationError(
                file, f"entité n° {pos + 1} : géométrie de type « {geom.geom_type} » pour « {label} » (polygone attendu)"
            )
        if geom is None or geom.is_empty:
            raise DataValidationError(file, f"entité n° {pos + 1} : géométrie vide pour « {label} »")
        if not geom.is_valid:
            raise DataValidationError(
                file, f"entité n° {pos + 1} : géométrie invalide pour « {label} » ({shapely.is_valid_reason(geom)})"
            )


def _no_duplicate(gdf: gpd.GeoDataFrame, col: str, file: str) -> None:
    dup = gdf[col].duplicated()
    if dup.any():
        pos = int(dup.to_numpy().nonzero()[0][0])
        raise DataValidationError(file, f"« {gdf[col].iloc[pos]} » en double (entité n° {pos + 1})")


def check_inside(gdf: gpd.GeoDataFrame, commune: gpd.GeoDataFrame, file: str, label_col: str) -> None:
    outline = commune.to_crs(2154).geometry.union_all().buffer(COMMUNE_TOLERANCE_M)
    for pos, (label, geom) in enumerate(zip(gdf[label_col], gdf.to_crs(2154).geometry)):
        if not outline.contains(geom):
            raise DataValidationError(file, f"entité n° {pos + 1} : « {label} » est en dehors de la commune de Compiègne")


def load_commune(path: Path | None = None) -> gpd.GeoDataFrame:
    path = path or paths.geo() / "compiegne_commune_60159.geojson"
    gdf = _read(path)
    _check_valid(gdf, path.name, "code_insee")
    gdf["code_insee"] = gdf["code_insee"].astype(str)
    return gdf


def load_arc_communes(path: Path | None = None) -> gpd.GeoDataFrame:
    path = path or paths.geo() / "arc_communes_200067965.geojson"
    gdf = _read(path)
    _check_valid(gdf, path.name, "code_insee")
    if len(gdf) != 22:
        raise DataValidationError(path.name, f"{len(gdf)} communes au lieu des 22 communes de l'ARC")
    return gdf


def load_qpv(
    path: Path | None = None, commune: gpd.GeoDataFrame | None = None, code_to_territory: dict[str, str] | None = None
) -> gpd.GeoDataFrame:
    path = path or paths.geo() / "qpv2024_compiegne.geojson"
    gdf = _read(path)
    for col in ("code_qp", "lib_qp"):
        if col not in gdf.columns:
            raise DataValidationError(path.name, f"propriété « {col} » absente des entités")
    mapping = code_to_territory if code_to_territory is not None else QPV_CODE_TO_TERRITORY
    _no_duplicate(gdf, "code_qp", path.name)
    gdf["territory"] = gdf["code_qp"].map(mapping)
    unknown = gdf[gdf["territory"].isna()]
    if len(unknown):
        raise DataValidationError(
            path.name, f"entité n° {int(unknown.index[0]) + 1} : code QPV inconnu « {unknown.iloc[0]['code_qp']} »"
        )
    _check_valid(gdf, path.name, "code_qp")
    check_inside(gdf, commune if commune is not None else load_commune(), path.name, "code_qp")
    gdf["kind"] = "qpv"
    gdf["code"] = gdf["code_qp"]
    gdf["name"] = gdf["lib_qp"]
    return gdf


def grid_square(grid_id: str) -> Polygon:
    """The INSEE grid id encodes the square's lower-left corner in EPSG:3035; build it there
    (densified) and reproject, so the square stays exact in lon/lat."""
    m = GRID_ID.match(grid_id)
    if not m:
        raise ValueError(f"identifiant de carreau INSEE invalide : « {grid_id} »")
    res, n, e = int(m["res"]), int(m["n"]), int(m["e"])
    ring = Polygon([(e, n), (e + res, n), (e + res, n + res), (e, n + res)]).segmentize(res / 10)
    to_wgs84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
    return shapely.transform(ring, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))


def load_poches(path: Path | None = None, commune=None) -> gpd.GeoDataFrame:
    path = path or paths.geo() / "poches_pauvrete_carreaux_200m.geojson"
    gdf = _read(path)
    for col in ("slug", "id_carreau", "nom"):
        if col not in gdf.columns:
            raise DataValidationError(path.name, f"propriété « {col} » absente des entités")
    _no_duplicate(gdf, "id_carreau", path.name)
    _no_duplicate(gdf, "slug", path.name)
    _check_valid(gdf, path.name, "id_carreau")
    for pos, (gid, geom) in enumerate(zip(gdf["id_carreau"], gdf.geometry)):
        try:
            expected = grid_square(gid)
        except ValueError as exc:
            raise DataValidationError(path.name, f"entité n° {pos + 1} : {exc}") from None
        # the stored square must be the one its id encodes (within 1 m)
        a = gpd.GeoSeries([geom, expected], crs=4326).to_crs(3035)
        if a.iloc[0].symmetric_difference(a.iloc[1]).area > 200:
            raise DataValidationError(
                path.name, f"entité n° {pos + 1} : le carreau « {gid} » ne correspond pas à son identifiant"
            )
    check_inside(gdf, commune if commune is not None else load_commune(), path.name, "id_carreau")
    gdf["territory"] = gdf["slug"]
    gdf["kind"] = "poche"
    gdf["code"] = gdf["id_carreau"]
    gdf["name"] = gdf["nom"]
    return gdf


def load_quartier_shapes() -> gpd.GeoDataFrame:
    """QPV polygons and poche squares in one layer: territory, kind, code, name, geometry."""
    commune = load_commune()
    qpv = load_qpv(commune=commune)[["territory", "kind", "code", "name", "geometry"]]
    poches = load_poches(commune=commune)[["territory", "kind", "code", "name", "geometry"]]
    return gpd.GeoDataFrame(pd.concat([qpv, poches], ignore_index=True), crs=4326)


def provenance_notes() -> list[tuple[str, str]]:
    """The provenance notes beside the perimeter files (README first)."""
    folder = paths.geo()
    files = [folder / "README.md"] + sorted(p for p in folder.glob("*.md") if p.name != "README.md")
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]
