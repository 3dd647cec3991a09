"""Honest charts: territory colours never the verdict red or green; every value axis on a zero baseline;
periods on a time scale."""

from __future__ import annotations

import colorsys
import re

import pytest

from data.dataset import load_dataset
from ui.charts import chart_spec


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def hue_sat(hex_colour: str) -> tuple[float, float]:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360, s


def test_no_territory_is_drawn_in_verdict_red_or_green(ds):
    for t in ds.territories.values():
        h, s = hue_sat(t.colour)
        if s < 0.25:
            continue  # greys
        assert not (h < 15 or h > 335), f"{t.id} : {t.colour} est un rouge (réservé à « dégradation »)"
        assert not 75 < h < 165, f"{t.id} : {t.colour} est un vert (réservé à « amélioration »)"


def _y_scale(spec: dict) -> dict:
    layer = spec.get("layer", [spec])[0]
    return layer["encoding"]["y"].get("scale", {})


def _layer_values(spec: dict, field: str) -> list[float]:
    return [row[field] for row in spec["layer"][0]["data"]["values"]]


def test_every_value_axis_starts_at_zero_so_a_few_points_do_not_fill_the_chart(ds):
    """README, « Règles des graphiques »: counts, rates and amounts on a zero baseline. La Victoire's
    poverty rate 56,0 % → 59,3 % (+3,3 points) drawn on 56–59 filled the whole height."""
    for indicator in ("rsa_recipients", "neet_rate", "poverty_rate", "median_declared_income", "unemployment_rate"):
        spec = chart_spec(ds, "series", indicator, tuple(t for t in ds.territories if ds.series(t, indicator)), indicator)
        assert _y_scale(spec) == {"zero": True}, indicator
    spec = chart_spec(ds, "series", "poverty_rate", ("la-victoire",), "Pauvreté")
    values = _layer_values(spec, "valeur")
    assert values == [56.0, 59.3]
    # the axis runs from 0 to at least the highest value: the 3,3-point change is under 6 % of its height
    assert (max(values) - min(values)) / max(values) < 0.06
    for p in ds.pillars:  # and every chart of every pillar page
        for view in p.diagnostic:
            if view.chart == "series":
                assert _y_scale(chart_spec(ds, "series", view.indicator, tuple(view.territories), "t"))["zero"] is True


def _x_labels(x: dict) -> dict[float, str]:
    """The contract's period strings the axis writes at each position (its label expression read back)."""
    found = re.findall(r'datum\.value == ([0-9.]+) \? "([^"]*)"', x["axis"]["labelExpr"])
    return {float(at): label for at, label in found}


def test_periods_sit_on_a_time_scale_at_the_middle_of_their_span(ds):
    from ui.charts import period_middle, period_span

    assert [period_span(p) for p in ("2019", "2017-2018", "2021-T2", "2023-S1", "2023-06")] == [
        (2019, 2020),
        (2017, 2019),
        (2021.25, 2021.5),
        (2023, 2023.5),
        (2023 + 5 / 12, 2023.5),
    ]
    assert period_middle("2016-12-31") == 2016.9986 and period_span("") is None
    # NEET: « 2017-2018 », « 2019 » (QPV de France), « 2020-2021 »: placed at 2018, 2019,5 and 2021
    education = next(v for p in ds.pillars for v in p.diagnostic if v.indicator == "neet_rate" and "qpv-france" in v.territories)
    spec = chart_spec(ds, "series", "neet_rate", tuple(education.territories), "NEET")
    x = spec["layer"][0]["encoding"]["x"]
    assert (x["field"], x["type"]) == ("an", "quantitative")
    assert x["axis"]["values"] == [2018.0, 2019.5, 2021.0]
    assert _x_labels(x) == {2018.0: "2017-2018", 2019.5: "2019", 2021.0: "2020-2021"}
    assert x["scale"]["domain"] == [2017.0, 2022.0]  # the first period's start to the last one's end
    rows = spec["layer"][0]["data"]["values"]
    assert {(r["territory"], r["période"], r["an"]) for r in rows if r["territory"] in ("arc", "qpv-france")} == {
        ("arc", "2017-2018", 2018.0),
        ("arc", "2020-2021", 2021.0),
        ("qpv-france", "2019", 2019.5),
    }
    # unequal steps stay unequal: unemployment 2013 → T3 2023 is ten years, not one step
    spec = chart_spec(ds, "series", "unemployment_rate", ("zone-emploi-compiegne", "oise", "hauts-de-france"), "Chômage")
    labels = _x_labels(spec["layer"][0]["encoding"]["x"])
    assert labels[2013.5] == "2013" and labels[2023.625] == "T3 2023", labels


def test_one_legend_per_chart_tells_colour_dash_and_shape(ds):
    spec = chart_spec(ds, "series", "neet_rate", ("clos-des-roses", "la-victoire", "vivier-corax", "arc"), "NEET")
    enc = spec["layer"][0]["encoding"]
    # identical legends on the same field merge into one (three « Territoire » legends before)
    assert enc["color"]["legend"] == enc["strokeDash"]["legend"] == enc["shape"]["legend"]
    assert enc["color"]["scale"]["domain"] == enc["shape"]["scale"]["domain"] == enc["strokeDash"]["scale"]["domain"]


def test_map_classes_cannot_make_a_high_rate_look_low(ds):
    from data import model

    layer = model.map_layer(ds, "poverty_rate", "2019")
    klass = {f.territory: f.klass for f in layer.features}
    # 59,3 % poverty was painted in the palest class by a stretch over 59,3–64,5 %
    assert layer.breaks == (0.0, 20.0, 40.0, 60.0, 80.0, 100.0) and layer.basis == model.FIXED_PERCENT
    assert klass["la-victoire"] == 2 and klass["clos-des-roses"] == 3 and klass["echarde"] is None
    income = model.map_layer(ds, "median_declared_income", "2020")
    assert income.breaks[0] == 0 and income.basis == model.FROM_ZERO
    neet = model.map_layer(ds, "neet_rate", "2020-2021")
    assert [(r.territory, r.value) for r in neet.references] == [("arc", 15.9)]


def test_map_legend_states_the_classes_and_the_references():
    from streamlit.testing.v1 import AppTest

    from .test_pages import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ind"] = "neet_rate"
    at.query_params["periode"] = "2020-2021"
    at.run()
    at.switch_page("pages/carte.py").run()
    text = " ".join([c.value for c in at.caption] + [e.proto.body for e in at.get("html")] + [m.value for m in at.markdown])
    assert "Classes fixes de 20 points" in text and "ARC (EPCI) : 15,9 %" in text and "0 % – 20 %" in text


def test_evolutions_say_why_no_reference_line_and_gaps_follow_the_choice():
    from .test_pages import page_text, run_page

    at = run_page("pages/evolutions.py", {"ind": "poverty_rate"})
    text = page_text(at) + " ".join(t.value.to_string() for t in at.table)
    assert "Aucun territoire de référence n'a de valeur de cet indicateur dans le contrat" in text
    assert "Taux de NEET" not in " ".join(t.value.to_string() for t in at.table)  # not chosen: not in the gap table
    assert "Le contrat ne donne d'écart à une référence pour aucun des indicateurs choisis" in text
    at = run_page("pages/evolutions.py", {"ind": "neet_rate"})
    gaps = " ".join(t.value.to_string() for t in at.table)
    assert "+19,6 points" in gaps and "Aucun territoire de référence n'a de valeur" not in page_text(at)


def test_whole_counts_get_classes_of_distinct_integers(ds):
    """3 public facilities at the Clos des Roses, 1 at La Victoire: classes « 0 », « 1 », « 2 », « 3 »,
    not « 0 – 1, 1 – 1, 1 – 2 … » (equal fifths of 3 rounded to whole numbers)."""
    from data import model
    from ui import wording as w

    layer = model.map_layer(ds, "npnru_public_facilities", "2023-06-30")
    assert layer.basis == model.INTEGER_COUNTS and layer.breaks == (0.0, 0.0, 1.0, 2.0, 3.0)
    assert w.map_class_labels(layer.breaks, layer.basis, "nombre", 0) == ["0", "1", "2", "3"]
    assert {f.territory: f.klass for f in layer.features if f.klass is not None} == {"clos-des-roses": 3, "la-victoire": 1}
    rsa = model.map_layer(ds, "rsa_recipients", "2019")  # 271: fifths of 271 rounded up, no bound shared
    labels = w.map_class_labels(rsa.breaks, rsa.basis, "nombre", 0)
    assert labels == ["0 – 55", "56 – 109", "110 – 163", "164 – 217", "218 – 271"]
    # each class holds its own integers: a lower bound is one more than the previous upper bound
    assert [model.class_of(v, rsa.breaks) for v in (0, 55, 56, 109, 110, 271)] == [0, 0, 1, 1, 2, 4]
    half = model.map_layer(ds, "npnru_demolished_buildings", "2023-06-30")  # 2,5 buildings: not whole
    assert half.basis == model.FROM_ZERO


def test_map_legend_of_a_whole_count_on_the_page():
    from streamlit.testing.v1 import AppTest

    from .test_pages import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ind"] = "npnru_public_facilities"
    at.query_params["periode"] = "2023-06-30"
    at.run()
    at.switch_page("pages/carte.py").run()
    assert not at.exception
    legend = next(m.value for m in at.markdown if "Légende de la carte" in m.value)
    items = re.findall(r"</span>([^<]*)</li>", legend)
    assert items == ["0", "1", "2", "3", "non disponible (pointillés)"]
    assert any("Classes de nombres entiers" in c.value for c in at.caption)


def _lightness(hex_colour: str) -> float:
    """CIE L* of an sRGB colour."""
    lin = [
        (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        for c in (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    ]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_map_classes_stay_apart_on_a_projector():
    """Neighbouring classes at least 15 L* apart (ColorBrewer's first two were 7 apart: one colour
    from the back of a room), lightest to darkest."""
    from ui.maps import PALETTE

    ls = [_lightness(c) for c in PALETTE]
    steps = [a - b for a, b in zip(ls, ls[1:], strict=False)]
    assert min(steps) >= 15, [round(s, 1) for s in steps]


def test_locator_map_has_a_legible_scale_and_a_drawn_frame():
    import re as _re

    from ui import locator

    svg = locator.locator_svg("clos-des-roses", {"clos-des-roses": "Le Clos des Roses"})
    width, height = (float(v) for v in _re.search(r"viewBox='0 0 ([0-9.]+) ([0-9.]+)'", svg).groups())
    (text,) = _re.findall(r"<g font-family='[^']*' font-size='(\d+)'[^>]*>.*?<text[^>]*>1 km</text>", svg)
    # on a slide the image is at least 560 px wide: « 1 km » at 22 px or more on screen
    assert int(text) * 560 / width >= 21
    assert "fill='#ffffff' fill-opacity='0.92'" in svg.split("1 km")[0]  # on a white plate
    # the frame is drawn inside the image (the town's cut reads as the map's edge, no stroke cut off)
    assert f"<rect x='1' y='1' width='{width - 2:.1f}' height='{height - 2:.1f}' fill='none'" in svg
    # the 1-km bar is 1 km at the map's scale
    (minx, miny, maxx, maxy), _, _ = locator.frame_and_layers()
    bar = float(_re.search(r"<rect x='14' y='[0-9.]+' width='([0-9.]+)' height='6'", svg).group(1))
    assert abs(bar - 1000 * locator.SIZE / max(maxx - minx, maxy - miny)) < 0.1


def test_pdf_locator_scale_is_printed_at_8_pt():
    from reportlab.graphics.shapes import String

    from ui.pdf import map_drawing

    (label,) = [s for s in map_drawing("la-victoire").contents if isinstance(s, String)]
    assert label.text == "1 km" and label.fontSize >= 8


def test_cached_map_templates_keep_folium_s_own_filter():
    """ui.maps compiles each template source once; folium's templates keep their `tojavascript`
    filter (a folium upgrade compiling one at map time must not fail), branca's stay jinja2's."""
    import branca.element
    import folium.features

    import ui.maps  # noqa: F401 - installs the cached compilers

    t = folium.features.Template("{{ x|tojavascript }}")
    assert '"a": 1' in t.render(x={"a": 1})
    assert folium.features.Template("{{ x|tojavascript }}") is t  # compiled once
    assert branca.element.Template("{{ y }}").render(y="ok") == "ok"
