"""The fiche in the order a resident reads it, on a phone (390 × 844) and a kiosk in portrait
(1080 × 1920): the name, « En bref » on the first screen, the key figures, the small map, then the
rest folded under its headings. On a projector (1920 × 1080) the key figures come first. The measured
positions and page lengths are printed (pytest -s) and the screenshots written to artifacts/."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, offline_page, serve
from .test_browser import open_app, wait_texts

LAYOUT_JS = """() => {
  const top = (sel) => { const el = document.querySelector(sel); return el ? el.getBoundingClientRect().top : null; };
  const main = document.querySelector('[data-testid=stMain]');
  return {
    title: top('h1'), brief: top('.st-key-q-brief'), cards: top('.st-key-q-cards'),
    map: top('[data-testid=stMain] iframe'), folded: top('[data-testid=stExpander]'),
    expanders: document.querySelectorAll('[data-testid=stExpander]').length,
    open: document.querySelectorAll('[data-testid=stExpander] details[open]').length,
    length: Math.max(main.scrollHeight, document.documentElement.scrollHeight),
  };
}"""


@pytest.fixture(scope="module")
def public_url(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("fiche-public"), "streamlit-e2e-fiche.log", QUARTIERS_MODE="consultation") as url:
        yield url


@pytest.mark.parametrize("width,height,name", [(390, 844, "telephone"), (1080, 1920, "borne")])
@pytest.mark.parametrize("q", ["clos-des-roses", "vivier-corax"])
def test_a_resident_reads_en_bref_first_then_figures_then_map(browser, public_url, width, height, name, q):
    ctx, page = offline_page(browser, width, height, has_touch=True, is_mobile=width < 600)
    try:
        open_app(page, f"{public_url}/fiche?q={q}")
        wait_texts(page, ["En bref", "Chiffres clés"])
        page.locator(".st-key-q-cards .q-value").first.wait_for(timeout=30_000)
        page.locator("[data-testid=stMain] iframe").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        m = page.evaluate(LAYOUT_JS)
        print(f"\n{name} {width}×{height} {q} : {m}")
        page.screenshot(path=str(ARTIFACTS / f"fiche-{name}-{q}.png"))
        assert m["title"] < m["brief"] < m["cards"] < m["map"] < m["folded"], m
        assert m["brief"] < height - 60, m  # « En bref » begins on the first screen (was 4 100 px down)
        assert m["expanders"] >= 3 and m["open"] == 0, m  # the rest folded under its headings
        assert m["length"] <= (9000 if width < 600 else 5000), m  # was 13 500 px on a phone
    finally:
        ctx.close()


def test_on_a_projector_the_key_figures_come_before_en_bref(browser, public_url):
    ctx, page = offline_page(browser, 1920, 1080)
    try:
        open_app(page, f"{public_url}/fiche?q=clos-des-roses")
        wait_texts(page, ["En bref", "Chiffres clés"])
        page.locator("[data-testid=stMain] iframe").first.wait_for(timeout=30_000)
        m = page.evaluate(LAYOUT_JS)
        print(f"\nprojecteur 1920×1080 : {m}")
        assert m["cards"] < m["brief"] < m["map"], m
    finally:
        ctx.close()
