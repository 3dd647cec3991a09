"""A static locator map as inline SVG (slides, and anywhere a light map is enough): the commune's
outline, every quartier in grey, one highlighted. Drawn from the perimeter files in a metric
projection (Lambert-93) with a 1 km scale bar; no tiles, no script, no network; a text alternative
for screen readers."""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

# the package first, whole: a thread importing a submodule while another thread builds the package
# gets a half-built shapely (« cannot import name … from partially initialized module »); a plain
# `import shapely` waits for it (tests/test_imports.py)
import shapely  # noqa: F401
from shapely.affinity import affine_transform
from shapely.geometry import MultiPolygon, Polygon, box

from data.geo import load_commune, load_quartier_shapes

# the locator's colours, shared by the SVG, the PDF (ui/pdf.py) and the interactive map (ui/maps.py)
HIGHLIGHT = "#d95f02"  # the quartier shown
OTHERS = "#b8bec6"  # the other quartiers
TOWN = "#f2f2f2"  # the commune
SIZE = 520


def rings(geom) -> list:
    """The exterior rings (coordinate sequences) of a polygon or multipolygon."""
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []
    return [p.exterior.coords for p in polys]


def alt_text(name: str) -> str:
    """The text alternative of a locator map."""
    return (
        f"Carte de situation : {name} (en orange) dans la commune de Compiègne ; "
        "en gris, les autres quartiers de la politique de la ville."
    )


@functools.cache
def frame_and_layers(pad: float = 900.0):
    """(minx, miny, maxx, maxy) in Lambert-93 around the quartiers, the commune clipped to it, the
    quartier shapes: what both the SVG and the PDF map draw. Read and projected once per process
    (the perimeter files do not change while it runs); callers only read the result."""
    shapes = load_quartier_shapes().to_crs(2154)
    commune = load_commune().to_crs(2154)
    minx, miny, maxx, maxy = shapes.total_bounds  # the quartiers, with the town around them
    bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    frame = box(*bounds)
    return bounds, [g.intersection(frame) for g in commune.geometry], shapes


NAME_PX = 16  # the names' font size in the map image


def place_names(shapes: list, sizes: Sequence[tuple[float, float]], width: float, height: float, gap: float = 6) -> list:
    """A box (x0, y0, x1, y1) per name, beside its shape (right, left, above, below, then the
    corners, further and further out) where it covers no shape, stays in the frame and clears the
    names already placed; the least bad spot when none is free. `shapes`: geometries in the
    image's pixels. The interactive map does the same in the browser (ui/maps.py, Labels)."""
    placed: list = []
    for shape, (w, h) in zip(shapes, sizes, strict=True):
        x0, y0, x1, y1 = shape.bounds
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        best, best_cost = None, float("inf")
        for g in (gap, 3 * gap, 6 * gap, 12 * gap, 20 * gap):
            for x, y in (
                (x1 + g, cy - h / 2), (x0 - g - w, cy - h / 2), (cx - w / 2, y0 - g - h), (cx - w / 2, y1 + g),
                (x1 + g, y0 - g - h), (x1 + g, y1 + g), (x0 - g - w, y0 - g - h), (x0 - g - w, y1 + g),
            ):  # fmt: skip
                r = box(x - 2, y - 2, x + w + 2, y + h + 2)
                cost = 1e6 if x - 2 < 4 or y - 2 < 4 or x + w + 2 > width - 4 or y + h + 2 > height - 4 else 0
                cost += 1e4 * sum(r.intersects(o) for o in shapes) + 10 * sum(r.intersection(b).area for b in placed)
                cost += g / 1000
                if cost < best_cost:
                    best, best_cost = r, cost
            if best_cost < 1:
                break
        placed.append(best)
    return [b.bounds for b in placed]


def locator_svg(highlight: str, names: dict[str, str], fills: dict[str, str] | None = None, label: str = "") -> str:
    """`fills`: a colour per territory (the choropleth's classes, for the map image); a territory
    absent from it is drawn dashed (no value), never as a low one."""
    (minx, miny, maxx, maxy), town, shapes = frame_and_layers()
    scale = SIZE / max(maxx - minx, maxy - miny)
    width, height = (maxx - minx) * scale, (maxy - miny) * scale

    def path(geom) -> str:
        out = []
        for ring in rings(geom):
            pts = " L".join(f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y, *_ in ring)
            out.append(f"M{pts} Z")
        return " ".join(out)

    parts = [f"<path d='{path(g)}' fill='{TOWN}' stroke='#6e7781' stroke-width='1.5'/>" for g in town]
    for _, row in shapes.iterrows():
        on = row["territory"] == highlight
        if fills is not None:
            fill = fills.get(row["territory"])
            dash = "" if fill else " stroke-dasharray='6 4'"
            parts.append(f"<path d='{path(row.geometry)}' fill='{fill or '#ffffff'}' stroke='#333333' stroke-width='1.5'{dash}/>")
            continue
        parts.append(
            f"<path d='{path(row.geometry)}' fill='{HIGHLIGHT if on else OTHERS}' stroke='{'#3d2a00' if on else '#59636e'}' "
            f"stroke-width='{3 if on else 1.2}'/>"
        )
    if fills is not None and names:
        # the map image names its quartiers, beside their shapes (never over one)
        to_px = [scale, 0, 0, -scale, -minx * scale, maxy * scale]
        rows = [row for _, row in shapes.iterrows() if row["territory"] in names]
        texts = [names[row["territory"]] for row in rows]
        sizes = [(0.62 * NAME_PX * len(t) + 10, NAME_PX + 8) for t in texts]
        geoms = [affine_transform(row.geometry, to_px) for row in rows]
        for t, g, (x0, y0, x1, y1) in zip(texts, geoms, place_names(geoms, sizes, width, height), strict=True):
            p = g.representative_point()
            ex, ey = min(max(p.x, x0), x1), min(max(p.y, y0), y1)
            parts.append(
                f"<line x1='{p.x:.1f}' y1='{p.y:.1f}' x2='{ex:.1f}' y2='{ey:.1f}' stroke='#3d434b' stroke-width='1.5'/>"
                f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{x1 - x0:.1f}' height='{y1 - y0:.1f}' fill='#ffffff' "
                f"fill-opacity='0.92' stroke='#6e7781' rx='3'/><text class='q-name' x='{x0 + 7:.1f}' y='{y1 - 8:.1f}' "
                f"font-size='{NAME_PX}' font-weight='bold' fill='#111418'>{html.escape(t)}</text>"
            )
    parts.append(scale_bar(1000 * scale, height))
    # the frame drawn, inside the image: the commune cut at the frame reads as the map's edge, and no
    # stroke is cut by the image's border
    parts.append(
        f"<rect x='1' y='1' width='{width - 2:.1f}' height='{height - 2:.1f}' fill='none' stroke='#57606a' stroke-width='2'/>"
    )
    alt = html.escape(label or alt_text(names.get(highlight, highlight)))
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{alt}' viewBox='0 0 {width:.1f} {height:.1f}' "
        f"width='100%' style='max-height:100%'><title>{alt}</title>{''.join(parts)}</svg>"
    )


SCALE_PX = 22  # the scale's text in the image (≈ 24–32 px on a slide, where the image is 560–740 px wide)


def scale_bar(km: float, height: float) -> str:
    """« 1 km » over a bar of 1 km, on a white plate in the bottom-left corner, inside the frame."""
    x, bottom = 14, height - 14
    return (
        f"<g font-family='Source Sans Pro, DejaVu Sans, Arial, sans-serif' font-size='{SCALE_PX}' fill='#1f2328'>"
        f"<rect x='{x - 8}' y='{bottom - SCALE_PX - 26:.1f}' width='{km + 16:.1f}' height='{SCALE_PX + 30}' rx='4' "
        f"fill='#ffffff' fill-opacity='0.92' stroke='#8c959f'/>"
        f"<text x='{x}' y='{bottom - 14:.1f}' font-weight='bold'>1 km</text>"
        f"<rect x='{x}' y='{bottom - 8:.1f}' width='{km:.1f}' height='6' fill='#1f2328'/></g>"
    )
