"""Folium map builders that render with no network.

folium's default page pulls Leaflet, jQuery, Bootstrap… from public CDNs; with no network the
first failing script stops the map. We point the map at Leaflet only, served by Streamlit's
static file server from ./static/vendor/leaflet (copied once from the XStatic-Leaflet package and
committed, see its PROVENANCE.md: nothing is written next to the code at run time), draw no base tiles unless explicitly asked, and draw the legend with Streamlit
rather than a branca colormap (which would add d3 from a CDN)."""

from __future__ import annotations

import html
import os
from pathlib import Path

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from data.formatting import period_label
from data.model import N_CLASSES, MapLayer
from ui import wording as w

ROOT = Path(__file__).resolve().parents[1]
STATIC_LEAFLET = ROOT / "static" / "vendor" / "leaflet"  # committed (PROVENANCE.md)
LEAFLET_JS = "/app/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/app/static/vendor/leaflet/leaflet.css"
# Optional online base map (public screens and CI have none): QUARTIERS_TILES=osm
TILES_ENV = "QUARTIERS_TILES"

# 5-class sequential palette (ColorBrewer Blues); missing values get a hatched grey.
PALETTE = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
assert len(PALETTE) == N_CLASSES
NA_STYLE = {"fillColor": "#ffffff", "color": "#6e6e6e", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.0}
HIGHLIGHT = "#d95f02"


def base_map(bounds, tiles: str | None = None) -> folium.Map:
    tiles = tiles if tiles is not None else os.environ.get(TILES_ENV, "")
    m = folium.Map(tiles=None, zoom_control=False, control_scale=False, prefer_canvas=False)
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    FrenchAccessibleControls().add_to(m)
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", attr="© contributeurs OpenStreetMap").add_to(m)
    (minx, miny, maxx, maxy) = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return m


def tooltip_rows(ds, layer: MapLayer, feature) -> dict[str, str]:
    """What the tooltip says of a quartier, in the shared French wording."""
    t = ds.territories[feature.territory]
    pop = feature.population
    rows = {
        "Quartier": t.name,
        "Code officiel": t.code,
        "Population": (w.value_text(pop) + (" hab. (périmètre 2024)" if t.kind == "qpv" else " pers. (estimation)"))
        if not pop.missing
        else w.MISSING,
    }
    if layer.indicator:
        rows[ds.catalogue[layer.indicator].label] = f"{w.value_or_reason(feature.figure)} – {period_label(layer.period)}"
    return rows


def choropleth(
    ds,
    layer: MapLayer,
    shapes: gpd.GeoDataFrame,
    commune: gpd.GeoDataFrame,
    highlight: str | None = None,
    tiles: str | None = None,
    locator: bool = False,
    context: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """QPV polygons + poche squares coloured by the layer's classes, commune outline for context.

    A missing value is drawn hatched, never as a low value. `locator`: no values, just show where
    `highlight` is (filled orange, the others grey). `context`: extra outlines (the 22 ARC
    communes) drawn under everything, and framed."""
    # frame the quartiers (the commune stays around them as context), or the highlighted one
    focus = shapes[shapes["territory"] == highlight] if highlight in set(shapes["territory"]) else shapes
    minx, miny, maxx, maxy = (context if context is not None else focus).total_bounds
    pad = 0.008 if highlight else 0.002
    m = base_map((minx - pad, miny - pad, maxx + pad, maxy + pad), tiles)
    if context is not None:
        folium.GeoJson(
            context[["nom_cog_2026", "code_insee", "geometry"]].__geo_interface__,
            name="Communes de l'ARC",
            style_function=lambda f: {"fillColor": "#ffffff", "color": "#8c8c8c", "weight": 1, "fillOpacity": 0.3},
            tooltip=folium.GeoJsonTooltip(fields=["nom_cog_2026", "code_insee"], aliases=["Commune :", "Code INSEE :"]),
        ).add_to(m)
    folium.GeoJson(
        commune.__geo_interface__,
        name="Commune de Compiègne",
        style_function=lambda f: {"fillColor": "#f5f5f0", "color": "#444444", "weight": 1.5, "fillOpacity": 0.6},
        interactive=False,
    ).add_to(m)

    by_territory = {f.territory: f for f in layer.features}
    rows = {q: tooltip_rows(ds, layer, f) for q, f in by_territory.items()}
    fields = list(next(iter(rows.values())).keys()) if rows else []
    gdf = shapes.copy()
    for field in fields:
        gdf[field] = gdf["territory"].map(lambda t, field=field: rows.get(t, {}).get(field, w.MISSING))
    gdf["fill"] = gdf["territory"].map(
        lambda t: PALETTE[by_territory[t].klass] if t in by_territory and by_territory[t].klass is not None else None
    )

    def style(feature):
        p = feature["properties"]
        # a class per quartier lets the browser tests find (and click) a given quartier
        css = {"className": f"q-quartier q-{p['territory']}"}
        if locator:
            on = p["territory"] == highlight
            return {
                "fillColor": HIGHLIGHT if on else "#9e9e9e",
                "color": "#1b1f24",
                "weight": 2 if on else 1,
                "fillOpacity": 0.8 if on else 0.4,
                **css,
            }
        base = (
            dict(NA_STYLE)
            if p["fill"] is None
            else {"fillColor": p["fill"], "color": "#1b1f24", "weight": 1.5, "fillOpacity": 0.85}
        )
        if highlight and p["territory"] == highlight:
            base.update({"color": HIGHLIGHT, "weight": 4})
        return {**base, **css}

    folium.GeoJson(
        gdf[["territory", "kind", "fill", *fields, "geometry"]].__geo_interface__,
        name="Quartiers",
        style_function=style,
        highlight_function=lambda f: {"weight": 4, "color": HIGHLIGHT},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[f"{f} :" for f in fields], sticky=True),
    ).add_to(m)
    if not locator:
        pts = gdf.geometry.representative_point()
        Labels([(p.y, p.x, w.name(ds, t, True)) for p, t in zip(pts, gdf["territory"], strict=True)]).add_to(m)
    return m


class FrenchAccessibleControls(MacroElement):
    """Inside the map's frame: French zoom buttons, a metric scale only, lang="fr", pinch-zoom
    allowed again (folium's viewport tag forbids it), and the quartier shapes out of the tab
    order — the list of fiche links beside the map is the keyboard equivalent."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            L.control.zoom({zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière"}).addTo(map);
            L.control.scale({imperial: false, metric: true}).addTo(map);
            document.documentElement.lang = "fr";
            document.querySelectorAll('meta[name="viewport"]').forEach(function (vp) {
                vp.setAttribute("content", "width=device-width, initial-scale=1.0");
            });
            var quiet = function () {
                document.querySelectorAll("path.leaflet-interactive").forEach(function (p) {
                    p.setAttribute("tabindex", "-1"); p.setAttribute("focusable", "false");
                });
            };
            map.whenReady(function () { quiet(); setTimeout(quiet, 300); });
            map.on("layeradd", quiet);
            map.getContainer().setAttribute("aria-label", "Carte des quartiers (la liste des fiches, sous la carte, donne les mêmes liens)");
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "FrenchAccessibleControls"


class Labels(MacroElement):
    """All quartier names in one element: one template render instead of one Marker + DivIcon
    each (folium renders a Jinja template per element on every rerun). Pure Leaflet, no CDN."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.items|tojson }}.forEach(function (it) {
            L.marker([it[0], it[1]], {interactive: false, keyboard: false, icon: L.divIcon({
                className: "q-map-label", iconSize: null, iconAnchor: [-8, 8],
                html: '<div style="font:600 12px sans-serif;color:#111;white-space:nowrap;'
                    + 'text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff">' + it[2] + '</div>'})
            }).addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
    """)

    def __init__(self, items: list[tuple[float, float, str]]):
        super().__init__()
        self._name = "Labels"
        self.items = [[lat, lon, html.escape(text)] for lat, lon, text in items]


def outline_map(shapes: gpd.GeoDataFrame, tiles: str | None = None) -> folium.Map:
    """Reference map for the benchmark: the three QPV polygons, nothing else."""
    m = base_map(shapes.total_bounds, tiles)
    folium.GeoJson(shapes[["territory", "geometry"]].__geo_interface__).add_to(m)
    return m


def quartier_map(layer: MapLayer, highlight: str | None = None, locator: bool = False, with_arc: bool = False):
    """Build the map of a layer. Not cached on purpose: st_folium renders the map object it is
    given, and a folium Map rendered a second time produces a broken script (measured: the map
    no longer draws). A new map per rerun it is."""
    from ui import cached

    return choropleth(
        cached.dataset(),
        layer,
        cached.shapes(),
        cached.commune(),
        highlight=highlight,
        locator=locator,
        context=cached.arc_communes() if with_arc else None,
    )
