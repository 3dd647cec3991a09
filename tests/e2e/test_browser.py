"""Every page in a real browser, offline: no Streamlit exception box, real content (map
polygons, charts, the expected figures), click-through from the map, fiches by URL.
Screenshots of every page go to artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import ARTIFACTS, POLL_MS, offline_page
from .test_public import visit

# the app translates the component's frame title (ui/document.py)
MAP_FRAME = 'iframe[title="Carte interactive des quartiers"], iframe[title="streamlit_folium.st_folium"]'


def open_app(page, url: str, shot: str | None = None):
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    # wait until the script run is over (the status widget disappears)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000, polling=POLL_MS)
    page.wait_for_timeout(500)
    exc = page.locator("[data-testid=stException]")
    assert exc.count() == 0, exc.first.inner_text()
    if shot:
        page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
    return page


def map_paths(page, minimum: int):
    frame = page.frame_locator(MAP_FRAME).first
    paths = frame.locator("path.q-quartier")
    paths.nth(minimum - 1).wait_for(state="attached", timeout=30_000)
    return paths


def text_of(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def wait_texts(page, texts, timeout=30_000):
    """Wait until every text is shown (Streamlit streams the page in), then return the page text."""
    for t in texts:
        try:
            page.wait_for_function(
                "(t) => document.querySelector('[data-testid=stMain]').innerText.includes(t)",
                arg=t,
                timeout=timeout,
                polling=POLL_MS,
            )
        except Exception:
            raise AssertionError(f"texte attendu absent de la page : {t!r}") from None
    return text_of(page)


def test_home_page(page, app_url):
    open_app(page, app_url + "/", None)
    wait_texts(
        page,
        (
            "Le territoire en bref",
            "9 406",
            "23,20 %",
            "85 046",
            "Synthèse des évolutions des QPV",
            "Compiègne : +636 €",
            "EPCI : +0,3 point",
            "« <N/A> » dans la grille du contrat",
            "Fiche Vivier Corax",
        ),
    )
    page.screenshot(path=str(ARTIFACTS / "01-accueil.png"))
    assert page.blocked == [], page.blocked


def test_map_draws_polygons_offline_and_click_opens_fiche(page, app_url):
    open_app(page, app_url + "/carte")
    paths = map_paths(page, 5)
    assert paths.count() == 5  # 3 QPV + 2 poches
    wait_texts(page, ["non disponible", "63,1 %", "QN06007M"])
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "02-carte.png"))
    target = page.frame_locator(MAP_FRAME).first.locator("path.q-clos-des-roses")
    box = target.bounding_box()
    inside = target.evaluate("""(p) => {
        const b = p.getBBox(), svg = p.ownerSVGElement, pt = svg.createSVGPoint();
        for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
            pt.x = b.x + b.width * i / 20; pt.y = b.y + b.height * j / 20;
            if (p.isPointInFill(pt)) return [i / 20, j / 20];
        }
        return [0.5, 0.5];
    }""")
    target.click(position={"x": box["width"] * inside[0], "y": box["height"] * inside[1]})
    page.wait_for_url(re.compile(r".*/fiche\?q=clos-des-roses"), timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('Clos des Roses')",
        timeout=30_000,
        polling=POLL_MS,
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stMain]').innerText.includes('10 190 €')", timeout=30_000, polling=POLL_MS
    )
    assert page.blocked == [], page.blocked


LABELS_JS = """() => {
  const box = document.querySelector('.leaflet-container').getBoundingClientRect();
  const names = [...document.querySelectorAll('.q-map-label > div')].filter((d) => d.offsetParent)
    .map((d) => ({text: d.innerText.trim(), r: d.getBoundingClientRect(), px: parseFloat(getComputedStyle(d).fontSize)}));
  const paths = [...document.querySelectorAll('path.q-quartier')];
  const covers = [];
  for (const n of names) for (const p of paths) {
    const m = p.getScreenCTM().inverse(), pt = p.ownerSVGElement.createSVGPoint();
    for (let i = 0; i <= 12; i++) for (let j = 0; j <= 4; j++) {
      pt.x = n.r.left + n.r.width * i / 12; pt.y = n.r.top + n.r.height * j / 4;
      const q = pt.matrixTransform(m);
      if (p.isPointInFill(q) || p.isPointInStroke(q)) { covers.push([n.text, p.getAttribute('class')]); i = 99; break; }
    }
  }
  const clash = [];
  names.forEach((a, i) => names.slice(i + 1).forEach((b) => {
    if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom) clash.push([a.text, b.text]);
  }));
  const outside = names.filter((n) => n.r.left < box.left || n.r.right > box.right || n.r.top < box.top || n.r.bottom > box.bottom)
    .map((n) => n.text);
  const at = names.map((n) => [n.text, Math.round(n.r.left), Math.round(n.r.top)]);
  return {names: names.map((n) => n.text).sort(), sizes: names.map((n) => n.px), covers, clash, outside, at};
}"""


def still_labels(paths, timeout_s: float = 20) -> dict:
    """The names as placed once the map has stopped moving: the same measure twice, 0,4 s apart (a
    fixed wait read them mid-way once, on a busy machine: names outside the frame while it was fitted)."""
    last, deadline = None, time.monotonic() + timeout_s
    while True:
        seen = paths.first.evaluate(f"(_) => ({LABELS_JS})()")
        if seen == last or time.monotonic() > deadline:
            return seen
        last = seen
        paths.first.page.wait_for_timeout(400)


@pytest.mark.parametrize("width,height", [(1920, 1080), (390, 844)])
def test_map_names_never_cover_a_quartier(browser, app_url, width, height):
    """Each quartier's name sits beside its shape (leader line), over no quartier, clear of the
    other names and inside the map — on a projector and on a phone, and again after zooming in."""
    ctx, page = offline_page(browser, width, height)
    try:
        open_app(page, app_url + "/carte")
        paths = map_paths(page, 5)
        frame = page.frame_locator(MAP_FRAME).first
        page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
        for step in ("initial", "zoom"):
            seen = still_labels(paths)
            names = ["Clos des Roses", "Echarde", "Jean Moulin", "La Victoire", "Vivier Corax"]
            if step == "zoom":  # the frame fits the quartiers: zoomed in, the outermost (Echarde, to the north-east) leaves it
                names.remove("Echarde")
            assert seen["names"] == names, (step, seen)
            assert seen["covers"] == [], (step, seen["covers"])
            assert seen["clash"] == [], (step, seen["clash"])
            assert seen["outside"] == [], (step, seen["outside"])
            assert min(seen["sizes"]) >= 16, seen["sizes"]
            page.screenshot(path=str(ARTIFACTS / f"carte-noms-{width}-{step}.png"))
            frame.get_by_role("button", name="Zoom avant").click()
            page.wait_for_timeout(300)  # the zoom's animation starts (0,25 s); still_labels waits for its end
    finally:
        ctx.close()


def test_map_tooltip_stays_inside_the_map(browser, app_url):
    """On a phone the tooltip of a square near the map's right edge would open past it: it is
    wrapped to the map's width and pushed back inside."""
    ctx, page = offline_page(browser, 390, 844)
    try:
        open_app(page, app_url + "/carte")
        map_paths(page, 5)
        page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
        frame = page.frame_locator(MAP_FRAME).first
        for q, name in (("echarde", "Echarde"), ("la-victoire", "La Victoire"), ("vivier-corax", "Vivier Corax")):
            frame.locator(f"path.q-{q}").hover(force=True)
            tip = frame.locator(".leaflet-tooltip").first
            tip.wait_for(state="visible", timeout=10_000)
            page.wait_for_timeout(200)
            r = tip.evaluate(
                "(t) => { const b = t.getBoundingClientRect(), m = document.querySelector('.leaflet-container').getBoundingClientRect();"
                " return {l: b.left - m.left, r: m.right - b.right, t: b.top - m.top, b: m.bottom - b.bottom, text: t.innerText}; }"
            )
            assert min(r["l"], r["r"], r["t"], r["b"]) >= 0, (q, r)
            assert name in r["text"], r
            page.screenshot(path=str(ARTIFACTS / f"carte-infobulle-{q}.png"))
    finally:
        ctx.close()


@pytest.mark.parametrize(
    "q,name,figures",
    [
        ("clos-des-roses", "Le Clos des Roses", ["10 190 €", "63,1 %", "9 456" if False else "+734 €", "35,5 %", "QN06007M"]),
        ("la-victoire", "La Victoire", ["11 330 €", "59,3 %", "QN06008I", "Incohérence du contrat"]),
        (
            "vivier-corax",
            "Vivier Corax",
            ["9 470 €", "64,5 %", "L'écart à Compiègne s'est creusé de 1 144 €", "9.2 Renforcer les interventions"],
        ),
        ("echarde", "Square de l'Echarde", ["14 327 €", "340", "Poche de pauvreté (carreau INSEE de 200 m)"]),
        ("jean-moulin", "Square Jean Moulin", ["16 983 €", "169", "160", "Incohérence du contrat"]),
    ],
)
def test_fiche_opened_by_url(page, app_url, q, name, figures):
    open_app(page, f"{app_url}/fiche?q={q}")
    assert page.locator("h1").first.inner_text().strip() == name
    map_paths(page, 5)
    # the sections after the map are folded under their headings: a click opens one
    page.get_by_text("Objectifs du contrat qui le concernent", exact=True).click()
    wait_texts(page, figures)
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / f"03-fiche-{q}.png"))
    assert "CRS3035" not in page.locator("[data-testid=stMain]").inner_text()  # a poche's grid id is internal
    assert page.blocked == [], page.blocked


@pytest.fixture(scope="module")
def tour(browser):
    """One tab of the team site going from page to page (`visit`), as a person using the menu."""
    ctx, pg = offline_page(browser)
    yield pg
    ctx.close()


@pytest.mark.parametrize(
    "path,shot,expected,charts",
    [
        (
            "/evolutions?ind=poverty_rate,neet_rate",
            "04-evolutions",
            ["Taux de pauvreté à 60 % du revenu déclaré", "Écart à la référence", "+19,6 points"],
            2,
        ),
        ("/education", "05-education", ["Taux de NEET", "Orientation 1", "1.1 – Poursuivre le travail"], 2),
        ("/sante", "06-sante", ["APL aux médecins généralistes", "Orientation 5", "5.5 – Favoriser l'émergence"], 4),
        ("/emploi", "07-emploi", ["Demandeurs d'emploi (2e trimestre)", "176", "Orientation 7"], 7),
        ("/cadre-de-vie", "08-cadre-de-vie", ["118 412 000 €", "9.2 – Renforcer les interventions", "environ 40"], 3),
        ("/referentiel", "09-referentiel", ["Axe de travail", "Questions évaluatives", "données disponibles : Taux de NEET"], 0),
        ("/priorites", "10-priorites", ["ex æquo", "Vivre en bonne santé dans mon quartier", "3x"], 1),
        ("/sources", "11-sources", ["169 logements", "Glossaire", "Licence Ouverte", "QN06008I"], 0),
    ],
)
def test_page_renders_real_content(tour, app_url, path, shot, expected, charts):
    page = visit(tour, app_url + path)  # the first by its address, then from page to page
    if charts:
        page.locator(".vega-embed").nth(charts - 1).wait_for(timeout=30_000)
        page.wait_for_function(
            f"() => document.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length >= {charts}",
            timeout=30_000,
            polling=POLL_MS,
        )
    wait_texts(page, expected)
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
    assert page.blocked == [], page.blocked


def test_pillar_filter_by_quartier(page, app_url):
    open_app(page, app_url + "/cadre-de-vie?quartier=vivier-corax")
    t = wait_texts(page, ["9.2 – Renforcer"])
    assert "9.2 – Renforcer les interventions en matière de cadre de vie sur le QPV Vivier Corax" in t
    assert "9.1 – Poursuivre les projets" not in t


def test_referentiel_search(page, app_url):
    open_app(page, app_url + "/referentiel?recherche=CPAM")
    t = wait_texts(page, ["Sources CPAM"])
    assert "Sources CPAM" in t and "Orientation 5" in t
    assert "Orientation 9" not in t


def test_follow_up_value_recorded_in_the_browser(page, app_url):
    from .conftest import sign_in

    open_app(page, app_url + "/suivi")
    wait_texts(page, ["Aucune valeur n'a encore été enregistrée.", "Connexion de l'équipe"])
    assert page.get_by_label("Valeur", exact=True).count() == 0  # no form before signing in
    sign_in(page, "marie")
    wait_texts(page, ["Enregistrer une valeur"])
    page.get_by_label("Valeur", exact=True).fill("douze")
    page.get_by_label("Unité", exact=True).fill("familles")
    page.get_by_label("Source", exact=True).fill("Bilan 2025 de la Maison des Parents")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(page, ["Valeur non enregistrée – valeur : « douze » n'est pas un nombre"])
    assert page.get_by_label("Source", exact=True).input_value() == "Bilan 2025 de la Maison des Parents"  # nothing lost
    page.get_by_label("Valeur", exact=True).fill("1 234")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(page, ["1 234", "familles", "2025 (N)", "Bilan 2025 de la Maison des Parents", "marie"])
    page.screenshot(path=str(ARTIFACTS / "12-suivi.png"))
    assert page.blocked == [], page.blocked


def test_deep_link_is_the_first_request_of_a_fresh_server(browser, tmp_path):
    """Streamlit starts in « pages/ directory » mode: the very first visitor of a new server opens a
    fiche by its address, and still gets the router (navigation, titles) and the right quartier
    (ui/streamlit_private.py)."""
    from .conftest import offline_page, serve

    with serve(tmp_path, "streamlit-e2e-fresh.log") as url:
        ctx, page = offline_page(browser, 1400, 1400)
        open_app(page, f"{url}/fiche?q=vivier-corax")
        assert page.locator("h1").first.inner_text().strip() == "Vivier Corax"
        wait_texts(page, ["9 470 €", "L'écart à Compiègne s'est creusé de 1 144 € entre 2015 et 2020"])
        nav = page.locator("[data-testid=stTopNav]")  # the router's navigation (top bar, sections)
        assert nav.count() == 1 and "Tableau de bord" in nav.inner_text() and "Les quatre piliers" in nav.inner_text()
        assert "q=vivier-corax" in page.url
        ctx.close()


def test_the_map_opens_framed_on_the_quartiers_for_a_projector(browser, app_url):
    """At 1920×1080 the map's frame fits the quartiers (quarter zoom steps): their shapes span most
    of the map's height or width, not a small cluster in the middle of the agglomeration."""
    from ui.maps import PALETTE

    ctx, pg = offline_page(browser, 1920, 1080)
    try:
        open_app(pg, app_url + "/carte")
        map_paths(pg, 5)
        pg.wait_for_timeout(1500)  # the frame fitted
        frame = pg.frame_locator(MAP_FRAME).first
        spread = frame.locator("body").evaluate(
            """(body) => {
              const box = body.querySelector('.leaflet-container').getBoundingClientRect();
              const rs = [...body.querySelectorAll('path.q-quartier')].map((p) => p.getBoundingClientRect());
              const l = Math.min(...rs.map((r) => r.left)), r = Math.max(...rs.map((r) => r.right));
              const t = Math.min(...rs.map((r) => r.top)), b = Math.max(...rs.map((r) => r.bottom));
              return {w: (r - l) / box.width, h: (b - t) / box.height, inside: l >= box.left && r <= box.right && t >= box.top && b <= box.bottom};
            }"""
        )
        assert spread["inside"] and max(spread["w"], spread["h"]) >= 0.75, spread  # 0,52 with whole zoom steps
        fills = frame.locator("path.q-quartier").evaluate_all("(ps) => ps.map((p) => p.getAttribute('fill'))")
        assert set(fills) - {"#ffffff", "none"} <= set(PALETTE), fills  # the classes drawn are the palette's
        pg.screenshot(path=str(ARTIFACTS / "carte-1920.png"))
        assert pg.blocked == []
    finally:
        ctx.close()
