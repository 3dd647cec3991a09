"""Honest charts: territory colours never the verdict red or green; counts on a zero baseline."""

from __future__ import annotations

import colorsys

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
