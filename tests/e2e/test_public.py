"""Public consultation screens (QUARTIERS_MODE=consultation) and accessibility in both modes, in
Debian's Chromium with every non-loopback request blocked: no write surface, no internal data in
pages or downloads, no Streamlit chrome, portrait / landscape / phone without
cut-offs, axe-core with no critical or serious violation, French only, nothing reflected from the
address, no traceback. Screenshots go to artifacts/ (public-*.png)."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ui.registry import PAGES

from .conftest import ARTIFACTS, POLL_MS, RUN_STATE_JS, offline_page, run_ended, serve

MAP_FRAME = 'iframe[title="Carte interactive des quartiers"], iframe[title="streamlit_folium.st_folium"]'
SECRET_AUTHOR, SECRET_COMMENT = "agent.confidentiel", "note interne à ne pas publier"
PUBLIC = [p for p in PAGES if p.public]
ADDRESS = {"fiche": "/fiche?q=clos-des-roses"}
# English a user could see or hear (Streamlit, Leaflet, Vega defaults)
ENGLISH = [
    "Choose an option",
    "Choose options",
    "No results",
    "Page not found",
    "Running the app",
    "Link to heading",
    "Skip to main content",
    "Zoom in",
    "Zoom out",
    "Vega visualization",
    "Made with Streamlit",
    "Deploy",
    "Main menu",
    "Selectbox",
    "Clear value",
    "App pages",
    "Stop script",
    "does not seem to exist",
    "Record a screencast",
    "Print",
    "Settings",
    "Show more",
    "Download as CSV",
    "Search",
    "Fullscreen",
]


def address(entry) -> str:
    return ADDRESS.get(entry.url_path, "/" + entry.url_path)


@pytest.fixture(scope="module")
def public_url(tmp_path_factory):
    """A consultation server over a database where the team recorded one value, with an author
    and an internal comment the public must never see."""
    from data.dataset import load_dataset
    from data.followup import FollowupStore, referentiel_indicators

    folder = tmp_path_factory.mktemp("public")
    ds = load_dataset()
    from data import db

    db.migrate(f"sqlite:///{folder / 'suivi.sqlite3'}")
    store = FollowupStore(f"sqlite:///{folder / 'suivi.sqlite3'}")
    store.add(
        indicator=referentiel_indicators(ds.framework)[0],
        territory="clos-des-roses",
        territories=ds.territories,
        year=2025,
        value_text="42",
        unit="actions",
        source="Bilan 2025 du centre social",
        author=SECRET_AUTHOR,
        comment=SECRET_COMMENT,
    )
    from tests.test_followup import publish

    publish(store)  # validated by an administrateur: public
    # no idle reset during these checks (a busy machine takes more than a few seconds per page: a
    # 5 s reset sent pages home mid-check); the idle reset is tested in test_kiosk
    with serve(folder, "streamlit-e2e-public.log", QUARTIERS_MODE="consultation", QUARTIERS_IDLE_S="3600") as url:
        yield url


def new_page(browser, width=1920, height=1080):
    return offline_page(browser, width, height, accept_downloads=True)


def open_page(page, url: str):
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    # the page's run has ended (on a public screen the status widget is hidden: its absence proves
    # nothing; a busy machine once paused a run for more than the settling time below)
    run_ended(page)
    # the page's translator (ui/document.py) is installed, then the page streams in and it runs on each change
    page.wait_for_function("() => window.__q2030 === true", timeout=30_000, polling=POLL_MS)
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    return page


NAVIGATE_JS = """(path) => {
    window.__qNav = {title: document.title};
    history.pushState(null, '', path);
    dispatchEvent(new PopStateEvent('popstate'));
}"""
# the new page has run to its end: its browser title (one per page, fiche and slide: test_distinct_browser_titles)
# replaced the previous one, and the run is over; a document without __qNav was reloaded (an idle reset)
ARRIVED_JS = (
    "() => !window.__qNav ? 'rechargée' : document.title !== window.__qNav.title && ("
    + RUN_STATE_JS
    + ")() === 'notRunning' && !!document.querySelector('h1') && 'ok'"
)


def visit(page, url: str):
    """Open `url` in this tab as a visitor going from page to page does: by its address the first time
    (a whole load, as open_page), then through the app's own navigation — the address changes in the
    history and Streamlit runs the new page without reloading its front end, as a click on a menu entry
    does. A sweep of every page costs a third of the processor time of as many whole loads (BENCHMARKS.md
    § 6.1). Waits for the previous page's own runs to end (the map asks for one once drawn), then for the
    new page's browser title and the end of its run, then for the page to settle; a page reloaded meanwhile
    or a run that ends in an error fails here. Two addresses with the same browser title in a row time out."""
    origin = re.match(r"https?://[^/]+", url)
    assert origin is not None, url
    if page.url == url or not page.url.startswith(origin.group(0) + "/") or page.evaluate("() => window.__q2030 !== true"):
        return open_page(page, url)  # a first page, another server, or the same page again (same title)
    run_ended(page)
    page.blocked.clear()  # what this page asks for, not the previous one
    page.evaluate(NAVIGATE_JS, url[len(origin.group(0)) :] or "/")
    try:
        arrived = page.wait_for_function(ARRIVED_JS, timeout=60_000, polling=POLL_MS).json_value()
    except PlaywrightTimeout:
        where = page.evaluate(
            f"() => ({{state: ({RUN_STATE_JS})(), title: document.title, h1: document.querySelector('h1')?.innerText, at: location.href}})"
        )
        raise AssertionError(f"la page {url} n'a pas fini de s'afficher en 60 s : {where}") from None
    assert arrived == "ok", f"la page a été rechargée pendant le passage à {url} (retour à l'accueil ?)"
    settle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    return page


def settle(page, quiet_ms: int = 500, at_most_ms: int = 4000) -> None:
    """Wait until the document (head included: styles are injected there) has not changed for
    `quiet_ms` — a condition, not a fixed sleep: most pages settle in a few hundred milliseconds. A page
    that never stops changing (the idle countdown ticks every second) is waited for `at_most_ms`."""
    page.evaluate("""() => {
        if (window.__qObs) return;
        window.__qLast = performance.now();
        window.__qObs = new MutationObserver(() => { window.__qLast = performance.now(); });
        window.__qObs.observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true});
    }""")
    try:
        page.wait_for_function(f"() => performance.now() - window.__qLast > {quiet_ms}", timeout=at_most_ms, polling=POLL_MS)
    except PlaywrightTimeout:
        pass  # still changing (a countdown): the page has had its time


def visible_text(page) -> str:
    return page.evaluate("""() => {
        const parts = [document.body.innerText, document.title];
        document.querySelectorAll('[aria-label],[title],[placeholder],[alt]').forEach(el => {
            for (const a of ['aria-label', 'title', 'placeholder', 'alt']) { const v = el.getAttribute(a); if (v) parts.push(v); }
        });
        return parts.join('\\n');
    }""")


# --- one load per (mode, page, window size), shared by the checks --------------------------------------
# The read-only, layout, axe, French-only, headings and title checks each read the same pages: each
# (server, address, window) is opened once, what every check reads is taken from it, then each test
# asserts on its part. A load that failed fails every test that reads it.
CHROME = (
    "[data-testid=stMainMenu]",
    "[data-testid=stToolbarActions]",
    "[data-testid=stAppDeployButton]",
    "[data-testid=stStatusWidget]",
)
AXE_WINDOW = (1400, 1200)  # axe, French only, headings, titles
READ_ONLY_WINDOW = (1920, 1080)  # no write surface, no chrome, large nav targets (and the landscape layout)


def look(page, url: str, width: int, height: int) -> dict:
    """What the checks read on `url`, opened in this tab (`visit`: by its address, or from the tab's
    previous page)."""
    visit(page, url)
    seen: dict = {"text": visible_text(page), "title": page.title()}
    seen["chrome"] = [c for c in CHROME if page.locator(c).count() and page.locator(c).first.is_visible()]
    out = page.get_by_role("link", name="Quitter la présentation")
    seen["out"] = out.count() > 0 and out.is_visible() and out.bounding_box()["height"]
    nav = page.locator("[data-testid=stTopNav]")
    seen["nav"] = nav.inner_text() if nav.count() and nav.is_visible() else None
    if seen["nav"] is not None and (width, height) == READ_ONLY_WINDOW:
        # the public styles arrive with the page's first element: on a busy machine, wait for them
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=stTopNavSection]')].every(s => s.getBoundingClientRect().height >= 44)",
                timeout=10_000,
                polling=POLL_MS,
            )
        except PlaywrightTimeout:
            pass  # the heights are read below and asserted by the test
    sections = page.locator("[data-testid=stTopNavSection]")
    seen["sections"] = [sections.nth(i).bounding_box()["height"] for i in range(sections.count())]
    seen["forms"] = page.locator("[data-testid=stForm]").count()
    seen["lang"] = page.evaluate("document.documentElement.lang")
    seen["levels"] = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] h1, [data-testid=stMain] h2,'
        + '[data-testid=stMain] h3, [data-testid=stMain] h4, [data-testid=stMain] h5, [data-testid=stMain] h6')]
        .filter(h => h.offsetParent).map(h => +h.tagName[1])""")
    seen["overflow"] = page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]') || document.scrollingElement;
        const root = document.scrollingElement;
        return {main: main.scrollWidth - main.clientWidth, root: root.scrollWidth - root.clientWidth};
    }""")
    seen["body"] = page.evaluate("""() => Math.min(...[...document.querySelectorAll('[data-testid=stMarkdownContainer] p')]
        .filter(p => p.offsetParent && p.innerText.trim().length > 20).map(p => parseFloat(getComputedStyle(p).fontSize)))""")
    seen["cut"] = page.evaluate(
        """() => [...document.querySelectorAll('.q-card')].filter(c => c.scrollWidth > c.clientWidth + 1).length"""
    )
    seen["small"] = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] a, [data-testid=stMain] button')]
        .filter(e => e.offsetParent && getComputedStyle(e).visibility !== 'hidden')
        .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && (r.height < 43.5 || r.width < 43.5)).length""")
    if (width, height) == AXE_WINDOW:
        settle(page, quiet_ms=800)  # charts drawn: the page has not changed for 0,8 s
        seen["axe"] = axe_violations(page)
    else:
        seen["screenshot"] = page.screenshot()
    seen["blocked"] = list(page.blocked)
    return seen


@pytest.fixture(scope="module")
def loaded(browser):
    """loaded(url, width, height): what the checks read on that page in that window, loaded once."""
    cache: dict = {}
    tabs: dict = {}

    def get(url: str, width: int, height: int) -> dict:
        key = (url, width, height)
        if key not in cache:
            # the axe window opens each page by its address, in a new tab (as a visitor arriving from a
            # link); the other windows keep one tab per (server, window) and go from page to page
            tab = (url.split("/", 3)[2], width, height) if (width, height) != AXE_WINDOW else None
            try:
                if tab is None:
                    ctx, page = new_page(browser, width, height)
                    try:
                        cache[key] = look(page, url, width, height)
                    finally:
                        ctx.close()
                else:
                    if tab not in tabs:
                        tabs[tab] = new_page(browser, width, height)
                    cache[key] = look(tabs[tab][1], url, width, height)
            except Exception as failure:  # every test reading this page fails, without a reload
                cache[key] = failure
                if tab in tabs:  # the next page starts from a fresh tab
                    tabs.pop(tab)[0].close()
        if isinstance(cache[key], Exception):
            raise cache[key]
        return cache[key]

    yield get
    for ctx, _ in tabs.values():
        ctx.close()


# --- no write surface, no internal data, no chrome ----------------------------------------------------
@pytest.mark.parametrize("entry", PUBLIC, ids=[p.url_path or "accueil" for p in PUBLIC])
def test_public_page_is_read_only_chromeless_and_internal_free(loaded, public_url, entry):
    seen = loaded(public_url + address(entry), *READ_ONLY_WINDOW)
    text = seen["text"]
    for secret in (SECRET_AUTHOR, SECRET_COMMENT, "QUARTIERS_", "sqlite", "postgresql", "var/", "Saisi par", "Traceback"):
        assert secret not in text, (entry.path, secret)
    assert seen["chrome"] == [], (entry.path, seen["chrome"])
    if entry.url_path == "presentation":  # full screen: the way out is one large link
        assert seen["out"] and seen["out"] >= 44
    else:
        # the way around stays: French sections, large targets
        assert seen["nav"] is not None and "Les quatre piliers" in seen["nav"]
        sections = seen["sections"]
        assert len(sections) >= 4 and all(h >= 44 for h in sections), sections
    assert seen["forms"] == 0
    assert seen["lang"] == "fr"
    assert seen["blocked"] == [], seen["blocked"]


def test_public_follow_up_shows_published_values_only(browser, public_url):
    ctx, page = new_page(browser)
    open_page(page, public_url + "/suivi")
    text = visible_text(page)
    assert "Bilan 2025 du centre social" in text and "42" in text and "actions" in text
    assert "Enregistrer une valeur" not in text and page.locator("textarea").count() == 0
    with page.expect_download() as dl:
        page.get_by_role("button", name=re.compile("Télécharger les valeurs publiées")).click()
    data = open(dl.value.path(), encoding="utf-8-sig").read()
    assert "Bilan 2025 du centre social" in data and SECRET_AUTHOR not in data and SECRET_COMMENT not in data
    assert "historique" not in visible_text(page).lower()
    ctx.close()


def test_public_store_never_writes(tmp_path, browser):
    """A consultation server on a database that does not exist yet: pages work, nothing is created."""
    db = tmp_path / "jamais-cree.sqlite3"
    with serve(tmp_path, "streamlit-e2e-readonly.log", QUARTIERS_MODE="consultation", QUARTIERS_DB_URL=f"sqlite:///{db}") as url:
        ctx, page = new_page(browser)
        open_page(page, url + "/suivi")
        assert "Aucune valeur n'a encore été enregistrée." in visible_text(page)
        ctx.close()
    assert not db.exists()


def test_database_address_with_a_password_never_shown(tmp_path, browser):
    with serve(tmp_path, "streamlit-e2e-badurl.log", QUARTIERS_DB_URL="mysql://agent:MotDePasseSecret@db.interne/suivi") as url:
        ctx, page = new_page(browser)
        open_page(page, url + "/suivi")
        text = visible_text(page)
        assert "MotDePasseSecret" not in text and "db.interne" not in text and "Traceback" not in text
        assert "adresse de base de données non reconnue" in text
        ctx.close()


# --- sizes, orientations (the idle reset is tested in test_kiosk, on a 14 s delay) ---------------------
SIZES = [("paysage", 1920, 1080), ("portrait", 1080, 1920), ("telephone", 390, 844)]


@pytest.mark.parametrize("name,width,height", SIZES)
@pytest.mark.parametrize("path", [address(p) for p in PUBLIC], ids=[p.url_path or "accueil" for p in PUBLIC])
def test_public_layout_fits(loaded, public_url, name, width, height, path):
    seen = loaded(public_url + path, width, height)
    overflow = seen["overflow"]
    assert overflow["main"] <= 1 and overflow["root"] <= 1, (path, name, overflow)
    body = seen["body"]
    assert body >= 18, (path, name, body)
    cut = seen["cut"]
    assert cut == 0, (path, name)
    small = seen["small"]
    assert small == 0, (path, name, small)
    slug = path.strip("/").split("?")[0] or "accueil"
    (ARTIFACTS / f"public-{slug}-{name}.png").write_bytes(seen["screenshot"])


# --- accessibility: axe-core, keyboard, headings, zoom — in both modes --------------------------------
def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in ("critical", "serious"):
            out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nœuds) : {v['nodes'][0]['target']}")
    return out


@pytest.fixture(params=["consultation", "equipe"])
def mode_url(request, public_url, app_url):
    return public_url if request.param == "consultation" else app_url


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path or "accueil" for p in PAGES])
def test_axe_no_critical_or_serious_violation(loaded, mode_url, entry):
    assert loaded(mode_url + address(entry), *AXE_WINDOW)["axe"] == []


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path or "accueil" for p in PAGES])
def test_french_only_and_ordered_headings(loaded, mode_url, entry):
    seen = loaded(mode_url + address(entry), *AXE_WINDOW)
    text = seen["text"]
    found = [e for e in ENGLISH if re.search(r"(?<![\w'])" + re.escape(e) + r"(?![\w])", text)]
    assert found == [], (entry.path, found)
    levels = seen["levels"]
    assert levels and levels[0] == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (entry.path, levels)


def test_distinct_browser_titles(loaded, app_url):
    titles = {}
    for entry in PAGES:
        titles[entry.url_path or "accueil"] = loaded(app_url + address(entry), *AXE_WINDOW)["title"]
    assert len(set(titles.values())) == len(titles), titles
    assert "Le Clos des Roses" in titles["fiche"]


def test_the_tab_title_follows_a_menu_click(browser, public_url):
    """From a fiche (its own title) to another page by the menu: the tab says the new page (it kept
    « Le Clos des Roses – Fiche quartier » on every later page: the sweeps from page to page found it)."""
    ctx, page = new_page(browser, 1400, 1200)
    open_page(page, public_url + "/fiche?q=clos-des-roses")
    assert page.title() == "Le Clos des Roses – Fiche quartier"
    page.locator("[data-testid=stTopNavSection]", has_text="Les quatre piliers").click()
    page.locator("[data-testid=stTopNavDropdownLink]", has_text="Emploi").first.click()
    page.wait_for_url(re.compile(r"/emploi$"), timeout=30_000)
    page.get_by_role("heading", level=1, name="Emploi").wait_for(timeout=30_000)
    page.wait_for_function("() => document.title === 'Emploi'", timeout=30_000, polling=POLL_MS)
    ctx.close()


def test_map_frame_is_french(browser, mode_url):
    ctx, page = new_page(browser, 1400, 1200)
    open_page(page, mode_url + "/carte")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.q-quartier").nth(4).wait_for(state="attached", timeout=30_000)
    assert frame.locator("a.leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert frame.locator("a.leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    assert frame.locator("html").get_attribute("lang") == "fr"
    assert frame.locator(".leaflet-control-scale-line").count() == 1  # metric only
    assert frame.locator("path.q-quartier").first.get_attribute("tabindex") == "-1"  # the fiche links are the keyboard way
    viewports = frame.locator('meta[name="viewport"]')
    assert all("user-scalable=no" not in viewports.nth(i).get_attribute("content") for i in range(viewports.count()))
    legend = page.locator("ul[aria-label='Légende de la carte'] li")
    assert legend.count() >= 2 and "non disponible" in legend.last.inner_text()
    ctx.close()


def test_keyboard_focus_is_always_visible(browser, mode_url):
    ctx, page = new_page(browser, 1400, 1200)
    open_page(page, mode_url + "/")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    invisible = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const e = document.activeElement; if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            return {tag: e.tagName, text: (e.innerText || e.getAttribute('aria-label') || '').slice(0, 40),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, shadow: s.boxShadow !== 'none'};
        }""")
        if info and not (info["outline"] or info["shadow"]):
            invisible.append(info)
    assert invisible == [], invisible
    ctx.close()


@pytest.mark.parametrize("path", ["/", "/fiche?q=vivier-corax"])
def test_zoom_200_percent_loses_nothing(browser, mode_url, path):
    """200 % zoom on a 1280 px window is a 640 px wide CSS viewport."""
    ctx, page = new_page(browser, 640, 900)
    open_page(page, mode_url + path)
    overflow = page.evaluate("""() => { const m = document.querySelector('[data-testid=stMain]');
        return m.scrollWidth - m.clientWidth; }""")
    assert overflow <= 1
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.q-card, .q-value')].filter(c => c.scrollWidth > c.clientWidth + 1).length"""
    )
    assert cut == 0
    ctx.close()


# --- nothing reflected from the address, no traceback -------------------------------------------------
EVIL = (
    "[Retour au site officiel](https://evil.example/phish) ![x](https://evil.example/q.png) <img src=https://evil.example/i.png>"
)


@pytest.mark.parametrize(
    "path,param",
    [
        ("/fiche", "q"),
        ("/carte", "ind"),
        ("/carte", "periode"),
        ("/evolutions", "ind"),
        ("/evolutions", "q"),
        ("/cadre-de-vie", "quartier"),
        ("/referentiel", "recherche"),
        ("/referentiel", "orientation"),
    ],
)
def test_address_values_are_never_rendered(browser, mode_url, path, param):
    ctx, page = new_page(browser, 1400, 1200)
    open_page(page, f"{mode_url}{path}?{param}={urllib.parse.quote(EVIL)}")
    assert page.locator("[data-testid=stMain] a[href*='evil.example']").count() == 0
    assert page.locator("img[src*='evil.example']").count() == 0
    assert not any("evil.example" in u for u in page.blocked), page.blocked
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Retour au site officiel" not in text or path == "/referentiel"  # the search field keeps its text, inert
    ctx.close()


def test_huge_and_duplicated_parameters(browser, mode_url):
    ctx, page = new_page(browser, 1400, 1200)
    open_page(page, mode_url + "/evolutions?ind=poverty_rate,poverty_rate,neet_rate,poverty_rate")
    assert page.locator("[data-testid=stException]").count() == 0
    open_page(page, mode_url + "/referentiel?recherche=" + "A" * 10_000)
    assert len(page.locator("input[type=text]").first.input_value()) <= 100
    # 100 KB in the address: the server refuses the request itself, nothing is echoed
    try:
        response = page.goto(mode_url + "/referentiel?recherche=" + "B" * 100_000)
    except Exception:  # the browser reports the server's refusal as a navigation error
        response = None
    assert response is None or response.status >= 400 or "B" * 200 not in page.content()
    ctx.close()
