"""The resident's screens, tried as a resident uses them, in Debian's Chromium with every
non-loopback request blocked: a kiosk in portrait (1080 × 1920, touch) and a phone (390 × 844).

- nothing technical or English around a chart: no Streamlit element toolbar, no Vega menu, no
  « Show data » (the raw frame) on a public screen; the team keeps them;
- the map cannot be broken by a tap: its credits are plain text, not links;
- an unattended kiosk (QUARTIERS_KIOSK=1) offers no download and nothing that leaves the app; a
  public website (consultation without kiosk) keeps the downloads;
- the idle reset warns ten seconds before with a French countdown a touch cancels, and counts
  from the last touch.

Screenshots go to artifacts/kiosk-*.png."""

from __future__ import annotations

import re

import pytest

from .conftest import ARTIFACTS, offline_page, serve
from .test_public import MAP_FRAME, open_page

TOUCH_SIZES = [("borne", 1080, 1920), ("telephone", 390, 844)]
# what Streamlit's element toolbar and vega-embed's actions menu say (Streamlit 1.67, vega-embed 6)
CHART_MENU = [
    "Show data",
    "Download as PNG",
    "Download as SVG",
    "Copy Vega-Lite spec",
    "View Source",
    "View Compiled Vega",
    "Open in Vega Editor",
    "Save as PNG",
    "Save as SVG",
]
CHART_MENU_SELECTORS = [
    "[data-testid=stElementToolbar]",
    "[data-testid=stElementToolbarButton]",
    ".vega-embed details",
    ".vega-actions",
    "[role=dialog]",
    "[data-testid=stDataFrame]",
]


@pytest.fixture(scope="module")
def website_url(tmp_path_factory):
    """A public website: consultation mode, not a kiosk."""
    with serve(
        tmp_path_factory.mktemp("site"), "streamlit-e2e-site.log", QUARTIERS_MODE="consultation", QUARTIERS_KIOSK=""
    ) as url:
        yield url


@pytest.fixture(scope="module")
def kiosk_url(tmp_path_factory):
    """An unattended screen: consultation mode and QUARTIERS_KIOSK=1."""
    with serve(
        tmp_path_factory.mktemp("borne"), "streamlit-e2e-borne.log", QUARTIERS_MODE="consultation", QUARTIERS_KIOSK="1"
    ) as url:
        yield url


def touch_page(browser, width: int, height: int):
    return offline_page(browser, width, height, has_touch=True, is_mobile=width < 600, accept_downloads=True)


def shown_text(page) -> str:
    """What a visitor sees or hears: the visible text, and the labels of elements that are displayed."""
    return page.evaluate("""() => {
        const parts = [document.body.innerText];
        document.querySelectorAll('[aria-label],[title]').forEach(el => {
            if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') return;
            for (const a of ['aria-label', 'title']) { const v = el.getAttribute(a); if (v) parts.push(v); }
        });
        return parts.join('\\n');
    }""")


def visible_chart_menus(page) -> list[str]:
    found = []
    for sel in CHART_MENU_SELECTORS:
        loc = page.locator(sel)
        found += [sel for i in range(loc.count()) if loc.nth(i).is_visible()]
    text = shown_text(page)
    found += [word for word in CHART_MENU if word in text]
    return found


def charts_ready(page, count: int = 1):
    charts = page.locator("[data-testid=stVegaLiteChart]")
    charts.nth(count - 1).wait_for(timeout=60_000)
    page.wait_for_function(
        f"() => document.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length >= {count}", timeout=60_000
    )
    return charts


# --- 1. nothing technical or English around a chart ---------------------------------------------------
@pytest.mark.parametrize("name,width,height", TOUCH_SIZES, ids=[s[0] for s in TOUCH_SIZES])
@pytest.mark.parametrize("path", ["/evolutions", "/emploi"])
def test_public_chart_has_no_toolbar_menu_or_raw_data(browser, website_url, path, name, width, height):
    ctx, page = touch_page(browser, width, height)
    open_page(page, website_url + path)
    charts = charts_ready(page, 2)
    for i in range(2):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        chart.hover()  # a mouse, or a finger resting on a kiosk's screen
        page.wait_for_timeout(600)
        assert visible_chart_menus(page) == [], (path, name, "survol", i)
        box = chart.bounding_box()
        # a tap on the chart, then on its top right corner, where the toolbar appears
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(400)
        page.touchscreen.tap(box["x"] + box["width"] - 12, box["y"] + 8)
        page.wait_for_timeout(600)
        assert visible_chart_menus(page) == [], (path, name, "toucher", i)
        # nor by the keyboard: no focusable button of a toolbar
        focusable = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stElementToolbar] button')]
            .filter(b => b.getClientRects().length).length""")
        assert focusable == 0, (path, name)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-graphique-{path.strip('/')}-{name}.png"))
    ctx.close()


def test_team_chart_keeps_its_toolbar(browser, app_url):
    """The team mode is unchanged: hovering a chart shows Streamlit's toolbar, « Show data » opens the table."""
    ctx, page = offline_page(browser, 1400, 1200)
    open_page(page, app_url + "/evolutions")
    chart = charts_ready(page).first
    chart.scroll_into_view_if_needed()
    chart.hover()
    toolbar = page.locator("[data-testid=stElementToolbar]").first
    toolbar.wait_for(state="visible", timeout=10_000)
    show = page.locator("[data-testid=stElementToolbar] button[aria-label='Show data']").first
    assert show.is_visible()
    show.click()
    page.locator("[data-testid=stDataFrame]").first.wait_for(state="visible", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "kiosk-graphique-equipe.png"))
    ctx.close()


# --- 2. the map cannot be broken by a tap ----------------------------------------------------------------
@pytest.mark.parametrize("name,width,height", TOUCH_SIZES, ids=[s[0] for s in TOUCH_SIZES])
def test_map_credits_are_text_a_tap_cannot_break(browser, website_url, name, width, height):
    ctx, page = touch_page(browser, width, height)
    open_page(page, website_url + "/carte")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.q-quartier").nth(4).wait_for(state="attached", timeout=30_000)
    credit = frame.locator(".leaflet-control-attribution")
    credit.wait_for(state="visible", timeout=10_000)
    credit.scroll_into_view_if_needed()
    box = credit.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a visitor taps « Leaflet »
    page.wait_for_timeout(1500)
    assert frame.locator("path.q-quartier").count() >= 5, "la carte a disparu après un toucher sur ses crédits"
    assert frame.locator(".leaflet-control-attribution a").count() == 0
    assert "Leaflet" in frame.locator(".leaflet-control-attribution").inner_text()
    assert not any("leafletjs" in u for u in page.blocked), page.blocked
    page.screenshot(path=str(ARTIFACTS / f"kiosk-carte-credits-{name}.png"))
    ctx.close()


# --- 3. a kiosk offers no download; a public website keeps them ----------------------------------------
DOWNLOADS = re.compile(r"\b(PDF|PNG|SVG|CSV)\b|Télécharger")


def page_complete(page, path: str):
    """The page has run to its end: its last element (the sources footer) is there (on a public screen
    the status widget is hidden, so its absence proves nothing), and the charts are drawn."""
    end = "Les écarts de taux sont exprimés" if path.startswith("/sources") else "Source des chiffres :"
    page.get_by_text(end).first.wait_for(state="attached", timeout=60_000)
    if path.startswith("/evolutions"):
        charts_ready(page, 2)
    page.wait_for_timeout(500)


def leaving_links(page) -> list[str]:
    """Links that would take a visitor out of the app (another site, a new window, a file)."""
    return page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => { const u = new URL(a.href, location.href);
                       return u.origin !== location.origin || a.target === '_blank' || a.hasAttribute('download'); })
        .map(a => a.href)""")


@pytest.mark.parametrize("path", ["/fiche?q=clos-des-roses", "/evolutions", "/carte", "/sources", "/suivi"])
def test_kiosk_offers_no_download_and_nothing_leaving(browser, kiosk_url, path):
    ctx, page = touch_page(browser, 1080, 1920)
    open_page(page, kiosk_url + path)
    page_complete(page, path)
    assert page.locator("[data-testid=stDownloadButton]").count() == 0, path
    labels = page.locator("[data-testid=stMain] button").all_inner_texts()
    assert [b for b in labels if DOWNLOADS.search(b)] == [], (path, labels)
    assert leaving_links(page) == [], path
    slug = path.strip("/").split("?")[0]
    page.screenshot(path=str(ARTIFACTS / f"kiosk-borne-{slug}.png"), full_page=True)
    ctx.close()


@pytest.mark.parametrize(
    "path,expected",
    [("/fiche?q=clos-des-roses", ["Télécharger la fiche (PDF)"]), ("/evolutions", ["Image PNG", "Image SVG"])],
)
def test_public_website_keeps_downloads(browser, website_url, path, expected):
    ctx, page = touch_page(browser, 390, 844)
    open_page(page, website_url + path)
    page_complete(page, path)
    assert page.locator("[data-testid=stDownloadButton]").count() >= len(expected), path
    for label in expected:
        button = page.get_by_role("button", name=re.compile(re.escape(label))).first
        assert button.is_visible(), label
    with page.expect_download() as dl:
        page.get_by_role("button", name=re.compile(re.escape(expected[0]))).first.click()
    assert dl.value.suggested_filename.endswith((".pdf", ".png"))
    slug = path.strip("/").split("?")[0]
    page.screenshot(path=str(ARTIFACTS / f"kiosk-site-{slug}.png"))
    ctx.close()
