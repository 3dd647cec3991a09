"""Charts and the map as PNG and SVG, rendered offline by vl-convert from the page's own specs,
with the source line inside the image; the download buttons on the pages."""

from __future__ import annotations

import pytest

from data import model
from data.dataset import load_dataset
from ui import images
from ui.charts import chart_spec
from ui.locator import locator_svg

from .test_pages import run_page


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


SOURCE = "Source : contrat de ville · QPV 2015 · Éducation – NEETs"


def test_chart_png_and_svg_with_the_source_line(ds):
    spec = chart_spec(ds, "series", "neet_rate", ("clos-des-roses", "la-victoire", "vivier-corax", "arc"), "Taux de NEET")
    png = images.chart_png(spec, SOURCE)
    svg = images.chart_svg(spec, SOURCE).decode()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert "<svg" in svg and "Source : contrat de ville · QPV 2015" in svg  # the source line in the image
    assert "Taux de NEET" in svg and "Clos des Roses" in svg and "Période" in svg


def test_map_svg_and_png_keep_the_classes_and_missing_dashed(ds):
    from ui.maps import PALETTE

    layer = model.map_layer(ds, "poverty_rate", "2019")
    fills = {f.territory: PALETTE[f.klass] for f in layer.features if f.klass is not None}
    body = locator_svg("", {}, fills, label="Taux de pauvreté – 2019")
    svg = images.map_svg(body, "Taux de pauvreté – 2019", [(PALETTE[2], "40 % – 60 %")], "Source : contrat · QPV 2015")
    assert PALETTE[2] in svg and PALETTE[3] in svg and "stroke-dasharray='6 4'" in svg and "Source : contrat" in svg
    assert images.svg_to_png(svg)[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_image_names_every_quartier_beside_its_shape(ds):
    """The map image names the five quartiers, each name box over no shape, clear of the others and
    inside the map; a name is escaped text."""
    import re

    from shapely.geometry import box

    from ui.locator import place_names

    layer = model.map_layer(ds, "poverty_rate", "2019")
    fills = {f.territory: "#3182bd" for f in layer.features if f.klass is not None}
    names = {q: ds.territories[q].name for q in ds.quartier_ids}
    svg = locator_svg("", names, fills, label="Taux de pauvreté – 2019")
    shown = re.findall(r"<text class='q-name'[^>]*>([^<]+)</text>", svg)
    assert sorted(shown) == sorted(n.replace("'", "&#x27;") for n in names.values()), shown
    # the placement itself, on shapes packed close together (as at the town's scale)
    shapes = [box(100, 100, 160, 160), box(165, 100, 225, 160), box(100, 165, 160, 225), box(300, 300, 304, 304)]
    boxes = [box(*b) for b in place_names(shapes, [(120, 24)] * 4, 520, 520)]
    for i, b in enumerate(boxes):
        assert not any(b.intersects(s) for s in shapes), (i, b.bounds)
        assert not any(b.intersects(o) for o in boxes[:i]), (i, b.bounds)
        x0, y0, x1, y1 = b.bounds
        assert x0 >= 4 and y0 >= 4 and x1 <= 516 and y1 <= 516, b.bounds


@pytest.mark.parametrize(
    "page,query,labels",
    [
        ("pages/evolutions.py", {"ind": "neet_rate"}, ["Image PNG", "Image SVG"]),
        ("pages/emploi.py", {}, ["Image PNG", "Image SVG"]),
        ("pages/priorites.py", {}, ["Image PNG", "Image SVG"]),
        ("pages/carte.py", {"ind": "poverty_rate", "periode": "2019"}, ["Carte PNG", "Carte SVG"]),
    ],
)
def test_pages_offer_the_images(page, query, labels):
    at = run_page(page, query)
    offered = [b.proto.label for b in at.get("download_button")]
    for label in labels:
        assert label in offered, (page, offered)


def test_map_layers_are_the_same_geojson_as_geopandas_gives():
    """ui.maps.feature_collection replaces the slow `__geo_interface__`: same ids, properties
    (NaN → null) and geometries."""
    import json

    from data.geo import load_quartier_shapes
    from ui.maps import feature_collection

    shapes = load_quartier_shapes()
    shapes["valeur"] = [1.5, float("nan"), 3.0, None, 2.0]
    ours = feature_collection(shapes, ["territory", "kind", "valeur"])
    theirs = shapes[["territory", "kind", "valeur", "geometry"]].__geo_interface__
    assert len(ours["features"]) == len(theirs["features"]) == 5
    for a, b in zip(ours["features"], theirs["features"], strict=True):
        assert a["id"] == b["id"] and a["properties"] == b["properties"]
        assert json.dumps(a["geometry"], sort_keys=True) == json.dumps(b["geometry"], sort_keys=True)
    assert [f["properties"]["valeur"] for f in ours["features"]] == [1.5, None, 3.0, None, 2.0]
