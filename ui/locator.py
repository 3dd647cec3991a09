"""A static locator map as inline SVG (slides, and anywhere a light map is enough): the commune's
outline, every quartier in grey, one highlighted. Drawn from the perimeter files in a metric
projection (Lambert-93) with a 1 km scale bar; no tiles, no script, no network; a text alternative
for screen readers."""

from __future__ import annotations

import html

from shapely.geometry import MultiPolygon, Polygon, box

from data.geo import load_commune, load_quartier_shapes

HIGHLIGHT = "#d95f02"
SIZE = 520


def _rings(geom) -> list:
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []
    return [p.exterior.coords for p in polys]


def frame_and_layers(pad: float = 900.0):
    """(minx, miny, maxx, maxy) in Lambert-93 around the quartiers, the commune clipped to it, the
    quartier shapes: what both the SVG and the PDF map draw."""
    shapes = load_quartier_shapes().to_crs(2154)
    commune = load_commune().to_crs(2154)
    minx, miny, maxx, maxy = shapes.total_bounds  # the quartiers, with the town around them
    bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    frame = box(*bounds)
    return bounds, [g.intersection(frame) for g in commune.geometry], shapes


def rings(geom) -> list:
    return [list(r) for r in _rings(geom)]


def locator_svg(highlight: str, names: dict[str, str], fills: dict[str, str] | None = None, label: str = "") -> str:
    """`fills`: a colour per territory (the choropleth's classes, for the map image); a territory
    absent from it is drawn dashed (no value), never as a low one."""
    (minx, miny, maxx, maxy), town, shapes = frame_and_layers()
    scale = SIZE / max(maxx - minx, maxy - miny)
    width, height = (maxx - minx) * scale, (maxy - miny) * scale

    def path(geom) -> str:
        out = []
        for ring in _rings(geom):
            pts = " L".join(f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y, *_ in ring)
            out.append(f"M{pts} Z")
        return " ".join(out)

    parts = [f"<path d='{path(g)}' fill='#f2f2f2' stroke='#6e7781' stroke-width='1.5'/>" for g in town]
    for _, row in shapes.iterrows():
        on = row["territory"] == highlight
        if fills is not None:
            fill = fills.get(row["territory"])
            dash = "" if fill else " stroke-dasharray='6 4'"
            parts.append(f"<path d='{path(row.geometry)}' fill='{fill or '#ffffff'}' stroke='#333333' stroke-width='1.5'{dash}/>")
            continue
        parts.append(
            f"<path d='{path(row.geometry)}' fill='{HIGHLIGHT if on else '#b8bec6'}' stroke='{'#3d2a00' if on else '#59636e'}' "
            f"stroke-width='{3 if on else 1.2}'/>"
        )
    km = 1000 * scale
    parts.append(
        f"<g font-size='16' fill='#1f2328'><rect x='12' y='{height - 28:.0f}' width='{km:.1f}' height='6' fill='#1f2328'/>"
        f"<text x='12' y='{height - 34:.0f}'>1 km</text></g>"
    )
    label = html.escape(
        label
        or f"Carte de situation : {names.get(highlight, highlight)} (en orange) dans la commune de Compiègne ; "
        "en gris, les autres quartiers de la politique de la ville."
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{label}' viewBox='0 0 {width:.0f} {height:.0f}' "
        f"width='100%' style='max-height:100%'><title>{label}</title>{''.join(parts)}</svg>"
    )
