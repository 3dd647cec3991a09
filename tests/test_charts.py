"""Honest charts: territory colours never the verdict red or green; counts on a zero baseline."""

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


def test_counts_start_at_zero_rates_may_not(ds):
    qpv = ("clos-des-roses", "la-victoire", "vivier-corax")
    assert _y_scale(chart_spec(ds, "series", "rsa_recipients", qpv, "RSA"))["zero"] is True
    assert _y_scale(chart_spec(ds, "series", "neet_rate", qpv, "NEET"))["zero"] is False


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
