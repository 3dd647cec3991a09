"""Presentation mode at 1920×1080 in Chromium, network blocked: every slide fits with no scrolling,
body text ≥ 24 px, key figures ≥ 64 px, source lines ≥ 16 px; each quartier's figures and generated
sentences; ←/→ and Page Up/Down; the address reproduces the slide. Screenshots of every slide go
to artifacts/presentation-N.png (looked at)."""

from __future__ import annotations

import re

import pytest

from data import model
from data.dataset import load_dataset
from ui.sentences import fiche_sentences

from .conftest import ARTIFACTS, POLL_MS, offline_page
from .test_browser import open_app
from .test_public import settle, visit

N_SLIDES = 11
QUARTIER_SLIDES = {2: "clos-des-roses", 3: "la-victoire", 4: "vivier-corax", 5: "echarde", 6: "jean-moulin"}

SIZES_JS = """() => {
  const slide = [...document.querySelectorAll('.q-slide')];
  const sizes = {body: [], fig: [], src: []};
  for (const root of slide) for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (el.closest('.q-src')) sizes.src.push(px); else if (el.closest('.q-fig')) sizes.fig.push(px); else sizes.body.push(px);
  }
  const h = Math.max(document.scrollingElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')].map((e) => e.scrollHeight));
  return {sizes, height: h, inner: window.innerHeight, width: document.scrollingElement.scrollWidth};
}"""


# the share of the screen nothing covers: 10-px cells outside the title, the slide's text blocks and
# cards, the map, the chart and the navigation (the issue measured 40–60 % on slides 1, 5, 6 and 11)
EMPTY_JS = """() => {
  const W = innerWidth, H = innerHeight, C = 10, cols = Math.ceil(W / C), rows = Math.ceil(H / C);
  const grid = new Uint8Array(cols * rows);
  const sel = "h1, .q-slide .q-sub, .q-bigfig, .q-slide > ul, .q-slide > p, .q-map img, [data-testid=stVegaLiteChart], "
    + "[data-testid=stHorizontalBlock]:has(.q-count) button, .q-count, [data-testid=stHorizontalBlock]:has(.q-count) a";
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    for (let y = Math.max(0, Math.floor(r.top / C)); y < Math.min(rows, Math.ceil(r.bottom / C)); y++)
      for (let x = Math.max(0, Math.floor(r.left / C)); x < Math.min(cols, Math.ceil(r.right / C)); x++) grid[y * cols + x] = 1;
  }
  return 1 - grid.reduce((a, b) => a + b, 0) / grid.length;
}"""
SPARSE_SLIDES = (1, 5, 6, 11)  # the territory, the two poverty pockets, the priorities


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def room(browser):
    ctx, page = offline_page(browser, 1920, 1080)
    yield page
    ctx.close()


def wait_slide(page, number: int):
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('p.q-slide')].some((p) => p.innerText.trim() === n)",
        arg=f"{number} / {N_SLIDES}",
        timeout=30_000,
        polling=POLL_MS,
    )
    drawn(page)


def drawn(page):
    """Charts drawn, images decoded, then nothing moved for half a second (a condition, not a fixed wait)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every((c) => c.querySelector('svg.marks'))"
        " && [...document.querySelectorAll('[data-testid=stMain] img')].every((i) => i.complete)",
        timeout=30_000,
        polling=POLL_MS,
    )
    settle(page)


@pytest.mark.parametrize("number", range(1, N_SLIDES + 1))
def test_every_slide_fits_the_projector_with_legible_text(room, app_url, ds, number):
    visit(room, f"{app_url}/presentation?slide={number}")  # the first by its address, then from slide to slide
    wait_slide(room, number)
    m = room.evaluate(SIZES_JS)
    empty = room.evaluate(EMPTY_JS)
    room.screenshot(path=str(ARTIFACTS / f"presentation-{number:02d}.png"))
    assert empty <= (0.30 if number in SPARSE_SLIDES else 0.40), f"diapositive {number} : {empty:.0%} de l'écran vide"
    assert m["height"] <= m["inner"] + 1 and m["width"] <= 1921, m  # no scrolling
    assert m["sizes"]["body"] and min(m["sizes"]["body"]) >= 24, m["sizes"]["body"]
    if number in QUARTIER_SLIDES:  # a quartier slide has big figures and their source lines: measured, not skipped
        assert m["sizes"]["fig"] and m["sizes"]["src"], m["sizes"]
    if m["sizes"]["fig"]:
        assert min(m["sizes"]["fig"]) >= 64
    if m["sizes"]["src"]:
        assert min(m["sizes"]["src"]) >= 16
    assert room.blocked == []
    text = room.locator("[data-testid=stMain]").inner_text()
    if number in QUARTIER_SLIDES:
        q = QUARTIER_SLIDES[number]
        assert f"q={q}" in room.url  # the address says which quartier is shown
        fiche = model.fiche(ds, q)
        assert room.locator("h1").first.inner_text().strip() == fiche.territory.name
        for s in fiche_sentences(ds, fiche):
            assert s.text in text
        assert room.locator("img[alt^='Carte de situation']").count() == 1
    else:
        assert f"slide={number}" in room.url
    if number == 2:
        assert (
            "10 190 €" in text
            and "63,1 %" in text
            and "Entre 2015 et 2020, la médiane des revenus déclarés du Clos des Roses" in text
        )
    if number == N_SLIDES:  # the priorities: every theme ranked 3rd ex æquo is kept
        assert "3 (ex æquo). Accéder à des services et des commerces dans mon quartier" in text
        assert "3 (ex æquo). Bien grandir dans mon quartier" in text


def test_keys_and_clicker_move_between_slides_and_the_address_follows(room, app_url):
    open_app(room, f"{app_url}/presentation?slide=1")
    wait_slide(room, 1)
    room.keyboard.press("ArrowRight")
    room.wait_for_url(re.compile(r".*q=clos-des-roses"), timeout=30_000)
    wait_slide(room, 2)  # a key pressed during the rerun clicks the previous slide's button
    room.keyboard.press("PageDown")  # what a presenter's clicker sends
    room.wait_for_url(re.compile(r".*q=la-victoire"), timeout=30_000)
    wait_slide(room, 3)
    room.keyboard.press("ArrowLeft")
    room.wait_for_url(re.compile(r".*q=clos-des-roses"), timeout=30_000)
    wait_slide(room, 2)
    room.keyboard.press("PageUp")
    room.wait_for_url(re.compile(r".*slide=1$"), timeout=30_000)
    room.get_by_role("button", name="Suivant").click()
    room.wait_for_url(re.compile(r".*q=clos-des-roses"), timeout=30_000)


def test_a_quartier_by_address_and_bad_addresses(room, app_url):
    open_app(room, f"{app_url}/presentation?q=vivier-corax")
    wait_slide(room, 4)
    assert room.locator("h1").first.inner_text().strip() == "Vivier Corax"
    open_app(room, f"{app_url}/presentation?slide=99")
    wait_slide(room, 1)
    assert "doit être un numéro de 1 à 11" in room.locator("[data-testid=stMain]").inner_text()


def test_present_buttons_on_home_and_fiche(room, app_url):
    open_app(room, f"{app_url}/fiche?q=la-victoire")
    room.get_by_role("link", name="Présenter ce quartier").click()
    room.wait_for_url(re.compile(r".*/presentation\?q=la-victoire"), timeout=30_000)
    wait_slide(room, 3)


def test_slide_charts_have_lines_and_points_a_room_tells_apart(ds):
    """Lines ≥ 4 px and points ≥ 14 px (Vega-Lite's size is an area: a square of side √size, a
    circle of diameter 2√(size/π)), legend symbols as large, opaque points."""
    import math

    from ui.charts import chart_spec
    from ui.slides import build

    slides = build(ds, lambda k, i, t, title: chart_spec(ds, k, i, t, title))
    lines = points = 0
    for spec in (s.chart for s in slides if s.chart):
        for layer in spec.get("layer", [spec]):
            mark = layer["mark"]
            if mark["type"] == "line":
                lines += 1
                assert mark["strokeWidth"] >= 4, mark
            if mark["type"] == "point":
                points += 1
                assert min(math.sqrt(mark["size"]), 2 * math.sqrt(mark["size"] / math.pi)) >= 14, mark
                assert mark.get("opacity") == 1
        legend = spec["config"]["legend"]
        assert legend["symbolSize"] >= 14**2 and legend["symbolStrokeWidth"] >= 4
    assert lines >= 1 and points >= 1  # the pillars' series charts were measured, not skipped
    # the page's own charts keep their size
    page = chart_spec(ds, "series", "neet_rate", ("clos-des-roses", "arc"), "NEET")
    assert page["layer"][0]["mark"]["strokeWidth"] == 2.5


def test_charts_on_slides_have_projector_text(ds):
    from ui.charts import chart_spec
    from ui.slides import build

    slides = build(ds, lambda k, i, t, title: chart_spec(ds, k, i, t, title))
    charts = [s.chart for s in slides if s.chart]
    assert len(charts) == 4
    for spec in charts:
        cfg = spec["config"]
        assert cfg["axis"]["labelFontSize"] >= 18 and cfg["axis"]["titleFontSize"] >= 18 and cfg["legend"]["labelFontSize"] >= 18


def test_the_fiche_shows_its_key_figures_above_the_fold_on_a_projector(room, app_url):
    open_app(room, f"{app_url}/fiche?q=clos-des-roses")
    room.wait_for_function("() => document.querySelectorAll('.q-value').length >= 4", timeout=30_000, polling=POLL_MS)
    room.evaluate("() => window.scrollTo(0, 0)")
    # the cards are laid out column by column: the first figure of each column of the first row
    tops = room.evaluate(
        """() => {
          const row = document.querySelector('.q-value').closest('[data-testid=stHorizontalBlock]');
          return [...row.querySelectorAll(':scope > [data-testid=stColumn]')]
            .map((c) => c.querySelector('.q-value').getBoundingClientRect().bottom);
        }"""
    )
    assert len(tops) == 4, tops
    assert max(tops) <= 1080, tops  # the first row of key figures is visible without scrolling


SMALL_TEXT_JS = """() => {
  const out = {total: 0, small: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode()); ) {
    const t = n.textContent.replace(/\\s+/g, ' ').trim(), el = n.parentElement;
    if (!t || !el || el.closest('style, script, noscript, [aria-hidden=true]')) continue;
    const cs = getComputedStyle(el), r = el.getBoundingClientRect();
    if (cs.display === 'none' || cs.visibility === 'hidden' || !r.width || !r.height) continue;
    const px = parseFloat(cs.fontSize);
    out.total += t.length;
    if (px < 16) out.small.push([px, t.slice(0, 50)]);
  }
  return out;
}"""


@pytest.mark.parametrize(
    "path", ["/", "/fiche?q=clos-des-roses", "/fiche?q=echarde", "/evolutions", "/emploi", "/carte", "/priorites"]
)
def test_no_text_under_16_px_on_a_projector(room, app_url, path):
    """At 1920 px every visible character of the page — navigation, captions, source lines, table
    notes, chart labels (Vega draws SVG text) — is at least 16 px (the issue measured 63 % under)."""
    visit(room, app_url + path)
    drawn(room)
    seen = room.evaluate(SMALL_TEXT_JS)
    assert seen["total"] > 1000, seen["total"]
    assert seen["small"] == [], seen["small"][:20]


@pytest.mark.parametrize("path", ["/fiche?q=clos-des-roses", "/emploi"])
@pytest.mark.parametrize("key", ["PageDown", "ArrowDown", "Space"])
def test_a_page_opened_by_its_address_scrolls_with_the_remote_without_a_click(room, app_url, path, key):
    """The official's remote (Page Down) or keyboard (↓, Space) scrolls an ordinary page at once:
    Streamlit scrolls an inner container, and before any click the keys went to the body."""
    open_app(room, app_url + path)
    # the page laid out (charts and cards drawn): its title and height stay put for half a second
    room.wait_for_function(
        """() => { const t = document.querySelector('h1').getBoundingClientRect().top + ' '
                     + document.querySelector('[data-testid=stMain]').scrollHeight;
                   const ok = window.__lastTop === t; window.__lastTop = t; return ok; }""",
        polling=500,
        timeout=20_000,
    )
    state = """() => [document.querySelector('h1').getBoundingClientRect().top,
                      document.querySelector('[data-testid=stMain]').scrollTop, document.activeElement.tagName]"""
    top, scrolled, focused = room.evaluate(state)
    assert (scrolled, focused) == (0, "BODY")  # at the top, nothing clicked, nothing focused
    room.keyboard.press(key)
    # a page for Page Down and Space, a line for ↓
    least = 40 if key == "ArrowDown" else 800
    room.wait_for_function(
        "(d) => document.querySelector('[data-testid=stMain]').scrollTop >= d", arg=least, timeout=5_000, polling=POLL_MS
    )
    room.wait_for_timeout(600)
    now = room.evaluate(state)
    assert now[0] <= top - least and now[2] == "BODY", (top, now)  # the title went up with the content
    # the reverse key goes back up by one step (once, on a busy machine, the page was not back at the top
    # within 5 s after Shift+Space: measured from where the page is, with more time)
    down = now[1]
    room.keyboard.press("Shift+Space" if key == "Space" else "PageUp" if key == "PageDown" else "ArrowUp")
    room.wait_for_function(
        "(d) => document.querySelector('[data-testid=stMain]').scrollTop <= d",
        arg=max(0, down - least) + 1,
        timeout=10_000,
        polling=POLL_MS,
    )
