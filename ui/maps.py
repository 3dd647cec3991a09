"""Folium map builders that render with no network.

folium's default page pulls Leaflet, jQuery, Bootstrap… from public CDNs; with no network the
first failing script stops the map. We point the map at Leaflet only, served by Streamlit's
static file server from ./static/vendor/leaflet (copied once from the XStatic-Leaflet package and
committed, see its PROVENANCE.md: nothing is written next to the code at run time), draw no base tiles unless explicitly asked, and draw the legend with Streamlit
rather than a branca colormap (which would add d3 from a CDN)."""

from __future__ import annotations

import functools
import html
import os
from pathlib import Path

import branca.element
import folium
import folium.features
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from data.formatting import period_label
from data.model import N_CLASSES, MapLayer
from ui import wording as w
from ui.document import consultation
from ui.locator import HIGHLIGHT

ROOT = Path(__file__).resolve().parents[1]
POCHE_CODE = "aucun (carreau INSEE de 200 m)"


# branca compiles the Jinja template of every element it creates from a string, at every map build
# (≈ 25 compilations, a third of a map's rerun): each module's template class (jinja2's in branca.element,
# folium's subclass with its `tojavascript` filter in folium.features) is wrapped in a cache, so the same
# source is compiled once per process. A compiled template is immutable; rendering it is safe from several
# sessions at once. mypy forbids putting another callable in a class's place ([misc], [assignment]).
branca.element.Template = functools.lru_cache(maxsize=128)(Template)  # type: ignore[misc,assignment]
folium.features.Template = functools.lru_cache(maxsize=128)(folium.features.Template)  # type: ignore[misc,assignment]

LEAFLET_JS = "/app/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/app/static/vendor/leaflet/leaflet.css"
# Optional online base map (public screens and CI have none): QUARTIERS_TILES=osm
TILES_ENV = "QUARTIERS_TILES"

# 5-class sequential palette (blues), its steps evenly apart in lightness (CIE L* 92, 76, 58, 41, 21:
# 17 to 20 apart, where ColorBrewer's 5 light-to-mid blues were 7 apart) so that neighbouring classes
# stay apart on a projector, from the back of a room; missing values get a hatched outline.
PALETTE = ["#deebf7", "#8fc1de", "#4292c6", "#1762a9", "#08306b"]
assert len(PALETTE) == N_CLASSES
NA_STYLE = {"fillColor": "#ffffff", "color": "#6e6e6e", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.0}


def feature_collection(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """The GeoJSON of some columns of a GeoDataFrame, built with shapely's `mapping`: the same
    features as `gdf.__geo_interface__` (ids, properties, NaN as null, geometries; no bounding boxes) in a
    fraction of its time — measured 5 ms per layer, on every rerun of every page with a map."""
    values = {c: [None if isinstance(v, float) and v != v else v for v in gdf[c].tolist()] for c in columns}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "id": str(i),
                "type": "Feature",
                "properties": {c: values[c][n] for c in columns},
                "geometry": mapping(geom),
            }
            for n, (i, geom) in enumerate(zip(gdf.index, gdf.geometry, strict=True))
        ],
    }


def base_map(bounds, tiles: str | None = None) -> folium.Map:
    tiles = tiles if tiles is not None else os.environ.get(TILES_ENV, "")
    # tenth zoom steps: the frame fits the quartiers (whole steps left them small in a wide map)
    m = folium.Map(tiles=None, zoom_control=False, control_scale=False, prefer_canvas=False, zoom_snap=0.1, zoom_delta=0.5)
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
        # a poche's code is INSEE's grid identifier (CRS3035RES200m…): not for a public screen
        "Code officiel": t.code if t.kind == "qpv" or not consultation() else POCHE_CODE,
        "Population": (w.value_text(pop) + (" hab. (périmètre 2024)" if t.kind == "qpv" else " pers. (estimation)"))
        if not pop.missing
        else w.MISSING,
    }
    if layer.indicator:
        rows[ds.catalogue[layer.indicator].label] = f"{w.value_or_reason(feature.figure)} – {period_label(feature.figure.period)}"
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
            feature_collection(context, ["nom_cog_2026", "code_insee"]),
            name="Communes de l'ARC",
            style_function=lambda f: {"fillColor": "#ffffff", "color": "#8c8c8c", "weight": 1, "fillOpacity": 0.3},
            tooltip=folium.GeoJsonTooltip(fields=["nom_cog_2026", "code_insee"], aliases=["Commune :", "Code INSEE :"]),
        ).add_to(m)
    folium.GeoJson(
        feature_collection(commune, []),
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

    def fill(territory: str) -> str | None:
        found = by_territory.get(territory)
        return None if found is None or found.klass is None else PALETTE[found.klass]

    gdf["fill"] = gdf["territory"].map(fill)

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
        feature_collection(gdf, ["territory", "kind", "fill", *fields]),
        name="Quartiers",
        style_function=style,
        highlight_function=lambda f: {"weight": 4, "color": HIGHLIGHT},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[f"{f} :" for f in fields], sticky=True),
    ).add_to(m)
    if not locator:
        pts = gdf.geometry.representative_point()
        Labels([(p.y, p.x, w.name(ds, t, True), t) for p, t in zip(pts, gdf["territory"], strict=True)]).add_to(m)
    return m


class FrenchAccessibleControls(MacroElement):
    """Inside the map's frame: French zoom buttons, a metric scale only, credits as text (no link a
    tap could follow offline), lang="fr", pinch-zoom allowed again (folium's viewport tag forbids
    it), and the quartier shapes out of the tab order — the list of fiche links beside the map is
    the keyboard equivalent."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            L.control.zoom({zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière"}).addTo(map);
            L.control.scale({imperial: false, metric: true}).addTo(map);
            // the credits stay, as plain text: Leaflet's own is a link (leafletjs.com) that a tap
            // on a kiosk, offline, turns into an error page inside the map's frame
            if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
            // tooltips stay inside the map: wrapped to its width, pushed back from its edges
            if (!L.Tooltip.prototype._qInside) {
                L.Tooltip.prototype._qInside = true;
                var st = document.createElement("style");
                st.textContent = ".leaflet-tooltip{white-space:normal;max-width:calc(100vw - 24px);font-size:18px}"
                    + ".leaflet-tooltip table{border-collapse:collapse}"
                    + ".leaflet-control-scale-line,.leaflet-control-attribution{font-size:18px !important}"
                    // a name is tapped like its shape: a target of 44 px at least around the text
                    + ".q-map-label{cursor:pointer}.q-map-label>div{position:relative}"
                    + ".q-map-label>div::before{content:'';position:absolute;inset:-7px -3px}";
                document.head.appendChild(st);
                var setPosition = L.Tooltip.prototype._setPosition;
                L.Tooltip.prototype._setPosition = function (pos) {
                    setPosition.call(this, pos);
                    var m = this._map, c = this._container, edge = 4;
                    if (!m || !c) return;
                    // measured on screen: the direction classes add their own margins
                    var r = c.getBoundingClientRect(), b = m.getContainer().getBoundingClientRect(), dx = 0, dy = 0;
                    if (r.right > b.right - edge) dx = b.right - edge - r.right;
                    if (r.left + dx < b.left + edge) dx = b.left + edge - r.left;
                    if (r.bottom > b.bottom - edge) dy = b.bottom - edge - r.bottom;
                    if (r.top + dy < b.top + edge) dy = b.top + edge - r.top;
                    if (dx || dy) L.DomUtil.setPosition(c, L.DomUtil.getPosition(c).add(L.point(dx, dy)));
                };
            }
            // a press on the map focuses it (Leaflet's keyboard handler, on mousedown), and focusing
            // scrolls every page around the map's frame to show all of it: on a phone whose page is
            // scrolled past the map's top, the page moved between the finger's down and up, and the tap
            // (a click, sent at release) landed beside the name it was aimed at. Focus, never scroll.
            if (map.keyboard && map.keyboard.enabled()) {
                map.keyboard.disable();
                map.keyboard._onMouseDown = function () {
                    if (!this._focused) this._map.getContainer().focus({preventScroll: true});
                };
                map.keyboard.enable();
            }
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
    """The quartier names, placed where they cover no quartier: beside each shape (right, left,
    above, below, then further out), inside the map, clear of the other names, with a thin
    leader line to the shape. Placed again after every zoom or resize and whenever a name changes
    size (a style sheet arriving late), in screen pixels against the shapes' real outlines (not
    their boxes), read from the drawn layer; none when more than 40 quartiers are in view (the
    tooltips name them). All names in one element: one template render instead of one Marker +
    DivIcon each. Pure Leaflet, no CDN."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, items) {
            var GAP = 6, EDGE = 4, MAX_NAMES = 40, layer = L.layerGroup().addTo(map);
            var style = 'font:600 18px sans-serif;color:#111418;white-space:nowrap;background:rgba(255,255,255,0.92);'
                + 'border:1px solid #6e7781;border-radius:3px;padding:3px 7px;line-height:1.3';
            items.forEach(function (it) {
                // a tap (or click) on a name does what a tap on its shape does (the page opens the
                // fiche); the keyboard's way is the list of fiche links beside the map
                it.marker = L.marker([it.lat, it.lon], {interactive: true, keyboard: false, bubblingMouseEvents: false,
                    icon: L.divIcon({className: "q-map-label", iconSize: null, iconAnchor: [0, 0],
                    html: '<div style="' + style + '">' + it.text + '</div>'})}).addTo(layer);
                it.marker.on("click", function () {
                    map.eachLayer(function (l) {
                        var p = l.feature && l.feature.properties;
                        if (p && p.territory === it.territory && l.getBounds) {
                            if (l.openTooltip) l.openTooltip(l.getBounds().getCenter());
                            l.fire("click", {latlng: l.getBounds().getCenter()}, true);
                        }
                    });
                });
                it.leader = L.polyline([[it.lat, it.lon], [it.lat, it.lon]],
                    {interactive: false, color: "#3d434b", weight: 1.5, className: "q-map-leader"}).addTo(layer);
            });
            function px(ll) { return map.latLngToContainerPoint(ll); }
            function segHitsRect(a, b, r) {
                // Liang-Barsky clipping of segment ab against rectangle r
                var t0 = 0, t1 = 1, dx = b.x - a.x, dy = b.y - a.y;
                var p = [-dx, dx, -dy, dy], q = [a.x - r.x0, r.x1 - a.x, a.y - r.y0, r.y1 - a.y];
                for (var i = 0; i < 4; i++) {
                    if (p[i] === 0) { if (q[i] < 0) return false; continue; }
                    var t = q[i] / p[i];
                    if (p[i] < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
                    else { if (t < t0) return false; if (t < t1) t1 = t; }
                }
                return true;
            }
            function inside(pt, ring) {
                var c = false;
                for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    var a = ring[i], b = ring[j];
                    if ((a.y > pt.y) !== (b.y > pt.y) && pt.x < (b.x - a.x) * (pt.y - a.y) / (b.y - a.y) + a.x) c = !c;
                }
                return c;
            }
            function hitsShape(r, rings) {
                for (var k = 0; k < rings.length; k++) {
                    var ring = rings[k];
                    for (var i = 0; i < ring.length - 1; i++) if (segHitsRect(ring[i], ring[i + 1], r)) return true;
                    if (inside({x: (r.x0 + r.x1) / 2, y: (r.y0 + r.y1) / 2}, ring)) return true;
                }
                return false;
            }
            function overlap(a, b) {
                return Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
            }
            function ringsOf(latlngs, out) {
                // a polygon's rings (or a multipolygon's), however deeply Leaflet nests them
                if (latlngs.length && latlngs[0] && latlngs[0].lat !== undefined) out.push(latlngs);
                else latlngs.forEach(function (l) { ringsOf(l, out); });
                return out;
            }
            function place() {
                var size = map.getSize(), done = [], outlines = {};
                // the quartiers' outlines, read from the drawn layer itself (not sent twice)
                map.eachLayer(function (l) {
                    var t = l.feature && l.feature.properties && l.feature.properties.territory;
                    if (t && l.getLatLngs) outlines[t] = ringsOf(l.getLatLngs(), []);
                });
                var shapes = items.map(function (it) {
                    var rings = (outlines[it.territory] || [[L.latLng(it.lat, it.lon)]]).map(function (ring) {
                        return ring.map(px);
                    });
                    var xs = [], ys = [];
                    rings.forEach(function (ring) { ring.forEach(function (p) { xs.push(p.x); ys.push(p.y); }); });
                    return {rings: rings, x0: Math.min.apply(null, xs), x1: Math.max.apply(null, xs),
                            y0: Math.min.apply(null, ys), y1: Math.max.apply(null, ys)};
                });
                var shown = shapes.filter(function (s) { return s.x1 >= 0 && s.x0 <= size.x && s.y1 >= 0 && s.y0 <= size.y; });
                items.forEach(function (it, n) {
                    var el = it.marker.getElement(), box = el && el.firstChild, s = shapes[n];
                    if (!box) return;
                    var visible = shown.length <= MAX_NAMES && s.x1 >= 0 && s.x0 <= size.x && s.y1 >= 0 && s.y0 <= size.y;
                    el.style.display = visible ? "" : "none";
                    it.leader.setStyle({opacity: visible ? 1 : 0});
                    if (!visible) return;
                    var w = box.offsetWidth, h = box.offsetHeight, cx = (s.x0 + s.x1) / 2, cy = (s.y0 + s.y1) / 2;
                    var best = null, bestCost = Infinity;
                    [GAP, 3 * GAP, 6 * GAP, 12 * GAP, 20 * GAP].forEach(function (g) {
                        [[s.x1 + g, cy - h / 2], [s.x0 - g - w, cy - h / 2], [cx - w / 2, s.y0 - g - h], [cx - w / 2, s.y1 + g],
                         [s.x1 + g, s.y0 - g - h], [s.x1 + g, s.y1 + g], [s.x0 - g - w, s.y0 - g - h], [s.x0 - g - w, s.y1 + g]
                        ].forEach(function (c) {
                            if (bestCost === 0) return;
                            var r = {x0: c[0] - 2, y0: c[1] - 2, x1: c[0] + w + 2, y1: c[1] + h + 2};
                            var cost = 0;
                            if (r.x0 < EDGE || r.y0 < EDGE || r.x1 > size.x - EDGE || r.y1 > size.y - EDGE) cost += 1e6;
                            shown.forEach(function (o) {
                                if (o.x0 <= r.x1 && r.x0 <= o.x1 && o.y0 <= r.y1 && r.y0 <= o.y1 && hitsShape(r, o.rings)) cost += 1e4;
                            });
                            done.forEach(function (d) { cost += 10 * overlap(r, d); });
                            cost += g / 1000;
                            if (cost < bestCost) { bestCost = cost; best = r; }
                        });
                    });
                    done.push(best);
                    var tl = map.containerPointToLatLng([best.x0 + 2, best.y0 + 2]);
                    it.marker.setLatLng(tl);
                    // leader: from the shape's point to the nearest point of the name's box
                    var a = px([it.lat, it.lon]);
                    var bx = Math.min(Math.max(a.x, best.x0 + 2), best.x1 - 2), by = Math.min(Math.max(a.y, best.y0 + 2), best.y1 - 2);
                    it.leader.setLatLngs([[it.lat, it.lon], map.containerPointToLatLng([bx, by])]);
                });
            }
            map.whenReady(function () { place(); setTimeout(place, 200); });
            map.on("zoomend resize", place);
            // placed again whenever a name's box changes size: Leaflet's style sheet is linked without being
            // waited for, and a name measured before it arrives is as wide as the map (a busy kiosk or phone:
            // two names were placed 666 px to the left of their quartiers, off the map, never placed again)
            if (window.ResizeObserver) {
                var queued = false, watch = new ResizeObserver(function () {
                    if (queued) return;
                    queued = true;
                    requestAnimationFrame(function () { queued = false; place(); });
                });
                items.forEach(function (it) { var el = it.marker.getElement(); if (el && el.firstChild) watch.observe(el.firstChild); });
            }
        })({{ this._parent.get_name() }}, {{ this.items|tojson }});
        {% endmacro %}
    """)

    def __init__(self, items: list[tuple[float, float, str, str]]):
        """items: (lat, lon, name, territory) — the territory finds the outline on the map."""
        super().__init__()
        self._name = "Labels"
        self.items = [{"lat": lat, "lon": lon, "text": html.escape(text), "territory": t} for lat, lon, text, t in items]


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
