"""The resident's screens (issue 18), in Debian's Chromium with every non-loopback request blocked,
in both public modes — a public website (consultation) and a kiosk (consultation + QUARTIERS_KIOSK=1)
— at the two sizes a resident meets: a kiosk in portrait (1080 × 1920, touch) and a phone (390 × 844).

- « Trouver mon quartier »: the five quartiers and « Je ne sais pas : voir la carte » as large tiles on
  the phone's first screen and at the top of the kiosk's home, each opening its fiche;
- a quartier's name on the map is tapped like its shape (the poches are 18 px squares);
- every visible text node of every public page is at least 18 px — chart text (Vega's SVG) and the
  map's frame included;
- nothing technical or internal on a public screen: no file name or path, no internal code, no note
  on code letters;
- a table on a phone fits, or shows that it scrolls sideways;
- no chart is cut on the right (title, legend, labels) at any of the two sizes.

The measures are printed (pytest -s); screenshots go to artifacts/resident-*.png."""

from __future__ import annotations

import re
import time

import pytest

from ui.document import KIOSK_CSS, _head
from ui.registry import PAGES

from .conftest import ARTIFACTS, POLL_MS, ROOT, run_ended
from .test_kiosk import kiosk_url, touch_page, website_url  # noqa: F401  (module fixtures: the two public servers)
from .test_public import MAP_FRAME, address, open_page, settle, visit

SIZES = [("borne", 1080, 1920), ("telephone", 390, 844)]
MODES = ["site", "borne"]
PUBLIC = [p for p in PAGES if p.public]
FLOOR_PX = 18
QUARTIERS = {
    "clos-des-roses": "Le Clos des Roses",
    "la-victoire": "La Victoire",
    "vivier-corax": "Vivier Corax",
    "echarde": "Square de l'Echarde",
    "jean-moulin": "Square Jean Moulin",
}
MAP_TILE = "Je ne sais pas : voir la carte"


@pytest.fixture(params=MODES)
def public_url(request, website_url, kiosk_url):  # noqa: F811
    return website_url if request.param == "site" else kiosk_url


def test_public_styles_reach_the_page():
    """The page's styles travel in one st.html block with its script; Streamlit's sanitiser drops a
    <style> whose text looks like markup (a « <small> » in a comment once removed them all)."""
    for public in (True, False):
        css = _head(public, 120).split("<script>")[0]
        assert re.findall(r"<[/\w]", css) == ["<s", "</"], public  # <style> and </style> only
    assert "max(18px, 1rem)" in KIOSK_CSS


# --- 1. find my quartier at once --------------------------------------------------------------------------
@pytest.mark.parametrize("name,width,height", SIZES, ids=[s[0] for s in SIZES])
def test_find_my_quartier_on_the_first_screen(browser, public_url, request, name, width, height):
    mode = request.node.callspec.params["public_url"]  # « site » or « borne »
    ctx, page = touch_page(browser, width, height)
    open_page(page, public_url + "/")
    tiles = page.locator(".st-key-q-find [data-testid=stPageLink-NavLink]")
    # the six tiles drawn (once, on a busy machine, none was there yet when the page's run was read as ended)
    tiles.nth(5).wait_for(timeout=30_000)
    assert tiles.count() == 6
    labels = [t.locator("[data-testid=stMarkdownContainer]").inner_text().strip() for t in tiles.all()]
    boxes = [t.bounding_box() for t in tiles.all()]
    for (q, title), label in zip(QUARTIERS.items(), labels, strict=False):
        assert label.startswith(title), (q, label)
    assert labels[-1].endswith(MAP_TILE), labels
    print(f"\n[{mode}, {name} {width}×{height}] tuiles (x, y, largeur × hauteur en px) :")
    for label, b in zip(labels, boxes, strict=True):
        print(f"   {label[:40]:40} x={b['x']:.0f} y={b['y']:.0f} {b['width']:.0f} × {b['height']:.0f}")
    assert all(b["height"] >= 44 and b["width"] >= 44 for b in boxes), boxes
    if width < 640:  # stacked on a phone: one column of tiles of the screen's width
        assert {round(b["width"]) for b in boxes} == {round(boxes[0]["width"])} and boxes[0]["width"] >= width - 40, boxes
    # on the first screen, without scrolling, and above the rest of the home page
    assert max(b["y"] + b["height"] for b in boxes) <= height, boxes
    first_other = page.get_by_role("heading", name="Le territoire en bref").bounding_box()
    assert max(b["y"] for b in boxes) < first_other["y"]
    page.screenshot(path=str(ARTIFACTS / f"resident-accueil-{mode}-{name}.png"))
    # a tap opens the fiche (a different quartier per size), the last tile the map
    q = "echarde" if name == "telephone" else "la-victoire"
    tap_when_still(page, tiles.nth(list(QUARTIERS).index(q)))
    page.wait_for_url(re.compile(rf"/fiche\?q={q}$"), timeout=30_000)
    page.get_by_role("heading", level=1, name=QUARTIERS[q]).wait_for(timeout=30_000)
    visit(page, public_url + "/")  # back home through the app's navigation, as its menu does
    tap_when_still(page, page.locator(".st-key-q-find [data-testid=stPageLink-NavLink]").last)
    page.wait_for_url(re.compile(r"/carte$"), timeout=30_000)
    page.get_by_role("heading", level=1, name="Carte des quartiers").wait_for(timeout=30_000)
    ctx.close()


def still_box(page, locator, at_most_s: float = 15) -> dict:
    """The element's box once it has not moved for 0,6 s (4 reads 0,2 s apart): the map places its names
    again after a scroll or a resize, later on a busy machine — a fixed wait once read a box mid-move and
    the tap missed the name."""
    boxes: list = []
    for _ in range(int(at_most_s / 0.2)):
        boxes = (boxes + [locator.bounding_box()])[-4:]
        if len(boxes) == 4 and all(b == boxes[0] for b in boxes):
            return boxes[0]
        page.wait_for_timeout(200)
    raise AssertionError(f"le nom bouge encore après {at_most_s:.0f} s : {boxes}")


def tap_when_still(page, locator) -> None:
    """A finger on the element once the page's own runs have ended and the element has not moved for
    0,6 s, at its centre then — once, on a busy machine, Playwright's own tap on the second tile (read
    still, then tapped) opened the fourth quartier's fiche: the page had moved in between."""
    run_ended(page)
    box = still_box(page, locator)
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("name,width,height", SIZES, ids=[s[0] for s in SIZES])
@pytest.mark.parametrize("q", ["jean-moulin", "clos-des-roses"])
def test_a_name_on_the_map_opens_its_fiche(browser, website_url, q, name, width, height):  # noqa: F811
    """The poches are 18 px squares: their names (and the QPV's) are targets too."""
    ctx, page = touch_page(browser, width, height)
    open_page(page, website_url + "/carte")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.q-quartier").nth(4).wait_for(state="attached", timeout=30_000)
    short = {"jean-moulin": "Jean Moulin", "clos-des-roses": "Clos des Roses"}[q]
    label = frame.locator(".q-map-label", has_text=short)
    label.wait_for(state="visible", timeout=15_000)
    label.scroll_into_view_if_needed()
    still_box(page, label)  # placed again after the scroll's resize
    # read on a phone, the map's top is often scrolled off the screen: a press then focused the map,
    # the focus scrolled the page to show all of it, and the release (the click) landed beside the name
    top = page.locator(MAP_FRAME).first.bounding_box()["y"]
    page.locator("[data-testid=stMain]").evaluate("(el, dy) => el.scrollBy(0, dy)", top + 40)
    box = still_box(page, label)  # where the finger goes: the name once it no longer moves
    frame_box = page.locator(MAP_FRAME).first.bounding_box()
    assert round(frame_box["y"]) == -40
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box  # the name itself is on the screen…
    assert frame_box["x"] <= box["x"] and box["x"] + box["width"] <= frame_box["x"] + frame_box["width"], (
        box,
        frame_box,
    )  # …and on the map
    # the target around the text: its box and the transparent margin drawn around it (::before)
    target = frame.locator(".q-map-label", has_text=short).evaluate(
        "(el) => { const t = el.firstElementChild, r = t.getBoundingClientRect(), b = getComputedStyle(t, '::before');"
        " return {h: r.height - 2 * parseFloat(b.top), w: r.width - 2 * parseFloat(b.left),"
        " px: parseFloat(getComputedStyle(t).fontSize)}; }"
    )
    print(f"\n[{name}] nom « {short} » : {box['width']:.0f} × {box['height']:.0f} px, cible {target}, haut de la carte à -40 px")
    assert target["h"] >= 44 and target["w"] >= 44 and target["px"] >= FLOOR_PX, target
    # the finger goes down once the page's own reruns have ended (the map asks for one once drawn), where
    # the name is then (read again: twice on a busy machine a tap at a box read earlier opened nothing)
    tap_when_still(page, label)
    page.wait_for_url(re.compile(rf"/fiche\?q={q}$"), timeout=30_000)
    page.get_by_role("heading", level=1, name=QUARTIERS[q]).wait_for(timeout=30_000)
    ctx.close()


def test_the_names_stay_on_the_map_when_its_style_sheet_arrives_late(browser, website_url):  # noqa: F811
    """On a busy kiosk or phone Leaflet's style sheet (linked by streamlit-folium, not waited for) arrived
    after the names were placed: measured as wide as the map, two names went 666 px to the left of their
    quartiers, off the map, and a tap on them could open nothing (found by the test above, 3 runs of ≈ 15).
    Here the style sheet is held back 2 s: every name ends on the map, beside its quartier."""
    ctx, page = touch_page(browser, 1080, 1920)
    held: list[str] = []

    def late(route):
        held.append(route.request.url)
        time.sleep(2)  # the browser goes on drawing meanwhile; only this file waits
        route.continue_()

    ctx.route(re.compile(r"^http://127\.0\.0\.1:\d+/app/static/vendor/leaflet/leaflet\.css"), late)
    open_page(page, website_url + "/carte")
    assert held, "la feuille de style de Leaflet n'a pas été demandée"
    frame = page.frame_locator(MAP_FRAME).first
    names = frame.locator(".q-map-label")
    names.nth(4).wait_for(state="attached", timeout=30_000)
    still_box(page, names.nth(1))
    placed = frame.locator("body").evaluate(
        """() => [...document.querySelectorAll('.q-map-label')].filter(e => e.style.display !== 'none').map(e => {
            const r = e.firstElementChild.getBoundingClientRect();
            return {name: e.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom, w: innerWidth, h: innerHeight};
        })"""
    )
    print(f"\nnoms placés, feuille de style retenue 2 s : {[(p['name'], round(p['x0']), round(p['y0'])) for p in placed]}")
    assert len(placed) == 5, placed
    off = [p for p in placed if p["x0"] < 0 or p["y0"] < 0 or p["x1"] > p["w"] or p["y1"] > p["h"]]
    assert not off, f"noms hors de la carte : {off}"
    ctx.close()


# --- 2-5. every public page, as a resident reads it ---------------------------------------------------------
TEXT_JS = """(floor) => {
  const out = {total: 0, min: 1000, small: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode()); ) {
    const t = n.textContent.replace(/\\s+/g, ' ').trim(), el = n.parentElement;
    if (!t || !el || el.closest('style, script, noscript, [aria-hidden=true]')) continue;
    const cs = getComputedStyle(el), r = el.getBoundingClientRect();
    if (cs.display === 'none' || cs.visibility === 'hidden' || !r.width || !r.height) continue;
    const px = parseFloat(cs.fontSize);
    out.total += t.length;
    out.min = Math.min(out.min, px);
    if (px < floor) out.small.push([px, t.slice(0, 50)]);
  }
  return out;
}"""
# what only the team reads: a file or a folder of the project, an internal code, a setting, code font
ALL_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode()); ) {
    const el = n.parentElement;
    if (!el || el.closest('style, script, noscript, [aria-hidden=true], [data-testid=stIconMaterial]')) continue;
    out.push(n.textContent);  // collapsed expanders included: a visitor can open them
  }
  document.querySelectorAll('[aria-label],[title],[alt]').forEach((el) => {
    for (const a of ['aria-label', 'title', 'alt']) { const v = el.getAttribute(a); if (v) out.push(v); }
  });
  return out.join('\\n');
}"""
TECHNICAL = re.compile(
    r"README|\b(?:qpv_data|tools|geo|data|static|docs|scripts|tests|ui|pages|bench|deploy)/"
    r"|\b[\w-]+\.(?:py|csv|json|geojson|ya?ml|md|txt|sqlite3?|xlsx|toml)\b"
    r"|CRS3035|RES200m|EPSG|\b[a-z]+_[a-z0-9_]+\b|dernière lettre|QUARTIERS_|`"
    r"|@etalab|gregoiredavid|github|\bnpm\b|sha256|ogr2ogr"
)
URL = re.compile(r"https?://\S+")  # an address the contract prints (a public site) is not internal
TABLES_JS = """() => [...document.querySelectorAll('.q-table-wrap, .q-scroll, [data-testid=stTable] > div')]
  .filter((el) => el.getClientRects().length)
  .map((el) => ({over: el.scrollWidth - el.clientWidth, marked: el.hasAttribute('data-q-scroll'),
                 cue: getComputedStyle(el, '::before').content, cuePx: parseFloat(getComputedStyle(el, '::before').fontSize),
                 name: el.getAttribute('aria-label') || el.textContent.slice(0, 30)}))"""
CHARTS_JS = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].map((c) => {
  const svg = c.querySelector('svg.marks'), box = c.getBoundingClientRect();
  const parent = c.parentElement.getBoundingClientRect();
  if (!svg) return {drawn: false};
  const s = svg.getBoundingClientRect(), right = Math.min(s.right, box.right, parent.right), left = Math.max(s.left, box.left);
  const cut = [];
  svg.querySelectorAll('text').forEach((t) => {
    const r = t.getBoundingClientRect();
    if (r.width && (r.right > right + 2 || r.left < left - 4)) cut.push([t.textContent.slice(0, 40), Math.round(r.right - right)]);
    else if (t.textContent.endsWith('…')) cut.push([t.textContent.slice(0, 40), 'coupé par Vega']);  // a label over its limit
  });
  return {drawn: true, width: Math.round(s.width), box: Math.round(box.width), over: Math.round(s.right - parent.right), cut};
})"""


# the last element of each page: once it is there, the page has run to its end (on a public screen
# the status widget is hidden, its absence proves nothing)
END = {"/sources": "Les écarts de taux sont exprimés", "/presentation": "/ 11"}


def page_complete(page, path: str) -> None:
    page.get_by_text(END.get(path, "Source des chiffres :")).first.wait_for(state="attached", timeout=60_000)
    charts_drawn(page)
    settle(page)


def charts_drawn(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every((c) => c.querySelector('svg.marks'))",
        timeout=60_000,
        polling=POLL_MS,
    )


def map_frame_text(page) -> dict | None:
    """The same measure inside the map's frame (Leaflet: names, tooltips, scale, credits)."""
    for frame in page.frames[1:]:
        if "streamlit_folium" in frame.url:
            frame.wait_for_selector("path.q-quartier", state="attached", timeout=30_000)
            frame.wait_for_timeout(500)
            return frame.evaluate(TEXT_JS, FLOOR_PX)
    return None


@pytest.mark.parametrize("name,width,height", SIZES, ids=[s[0] for s in SIZES])
def test_every_public_page_reads_for_a_resident(browser, public_url, request, name, width, height):
    """Each public page in turn, in one browser context: text ≥ 18 px (page, charts, map frame),
    nothing technical, tables that fit or say they scroll, charts not cut. Every failure of every
    page is collected before the assertions, so that one run shows them all."""
    ctx, page = touch_page(browser, width, height)
    mode = request.node.callspec.params["public_url"]  # « site » or « borne »
    small, technical, tables, charts = {}, {}, {}, {}
    print(f"\n[{mode}, {name} {width}×{height}] plus petit texte visible, par page (px) :")
    # every public page, and a poche's fiche too (its INSEE grid id must not show)
    for path in [address(entry) for entry in PUBLIC] + ["/fiche?q=echarde"]:
        visit(page, public_url + path)  # the first by its address, then from page to page
        page_complete(page, path)
        seen = page.evaluate(TEXT_JS, FLOOR_PX)
        frame = map_frame_text(page) if path.startswith(("/carte", "/fiche")) else None
        assert seen["total"] > 300, (path, seen["total"])  # the page is there
        low = min(seen["min"], frame["min"]) if frame else seen["min"]
        print(
            f"   {path:28} {low:5.1f} px sur {seen['total']} caractères" + (f" (carte : {frame['min']:.1f} px)" if frame else "")
        )
        found = seen["small"] + (frame["small"] if frame else [])
        if found:
            small[path] = found[:8]
        words = TECHNICAL.findall(URL.sub("", page.evaluate(ALL_TEXT_JS)))
        if words:
            technical[path] = sorted(set(words))
        for t in page.evaluate(TABLES_JS):
            # a table fits its box, or says that it scrolls (a visible « faites défiler » at 18 px)
            if t["over"] > 1 and not (t["marked"] and "défiler" in t["cue"] and t["cuePx"] >= FLOOR_PX):
                tables.setdefault(path, []).append(t)
        drawn = page.evaluate(CHARTS_JS)
        if path == "/priorites":  # the ranks chart cuts its long theme labels at 200 px on purpose (ui/charts.ranks_chart):
            for c in drawn:  # the whole text is in its tooltip and in the table under it; nothing may run past the edge
                c["cut"] = [x for x in c.get("cut", []) if x[1] != "coupé par Vega"]
        bad = [c for c in drawn if not c["drawn"] or c["cut"] or c["over"] > 1]
        if bad:
            charts[path] = bad
        if drawn:
            print(
                f"   {'':28} {len(drawn)} graphique(s), largeur {sorted({c['width'] for c in drawn})} px, aucun coupé : {not bad}"
            )
        if path in ("/", "/emploi", "/sources", "/fiche?q=clos-des-roses"):
            slug = path.strip("/").split("?")[0] or "accueil"
            page.screenshot(path=str(ARTIFACTS / f"resident-{slug}-{mode}-{name}.png"))
    ctx.close()
    assert small == {}, small
    assert technical == {}, technical
    assert tables == {}, tables
    assert charts == {}, charts


def test_a_wide_table_on_a_phone_says_it_scrolls(browser, website_url):  # noqa: F811
    """/sources' table of datasets is wider than a phone: its region says « Faites défiler le tableau
    sur le côté » at 18 px, and the words stay at the left edge while the table scrolls under them."""
    ctx, page = touch_page(browser, 390, 844)
    open_page(page, website_url + "/sources")
    region = page.locator("[data-testid=stTable] > div").first
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stTable] > div')?.hasAttribute('data-q-scroll')",
        timeout=30_000,
        polling=POLL_MS,
    )
    region.scroll_into_view_if_needed()
    before = region.evaluate("(el) => [el.scrollWidth, el.clientWidth, getComputedStyle(el, '::before').content]")
    print(f"\ntableau des jeux de données : {before[0]} px dans {before[1]} px ; indication {before[2]}")
    assert before[0] > before[1] + 100 and "Faites défiler le tableau sur le côté" in before[2]
    region.evaluate("(el) => { el.scrollLeft = 300; }")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "resident-tableau-defile-telephone.png"))
    first_cell = region.locator("th, td").first.bounding_box()
    wrap = region.bounding_box()
    assert first_cell["x"] < wrap["x"] - 100  # the table moved under the cue, which stays (sticky)
    ctx.close()


def test_sources_for_a_resident_in_process(monkeypatch):
    """/sources run in consultation mode (no browser): the resident's wording, every contract caveat
    kept, no file, projection, grid identifier or code-letter note; the team's view keeps them."""
    from streamlit.testing.v1 import AppTest

    def text_of(mode: str) -> str:
        monkeypatch.setenv("QUARTIERS_MODE", mode)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.switch_page("pages/sources.py").run()
        assert not at.exception, [e.value for e in at.exception]
        shown = [m.value for m in at.markdown if not m.value.startswith("<style")] + [c.value for c in at.caption]
        return "\n".join(shown + [t.value.to_string() for t in at.table])

    public = text_of("consultation")
    assert TECHNICAL.findall(URL.sub("", public)) == []
    for kept in ("Licence Ouverte (Etalab)", "ANCT", "IGN", "FiLoSoFi 2017", "note 3", "QN06008I"):
        assert kept in public, kept
    assert "carreau INSEE de 200 m" in public and "CRS3035" not in public  # a poche's perimeter said, not coded
    team = text_of("")
    assert "CRS3035RES200m" in team and "qpv_data/indicators.csv" in team and "geo/qpv2024_compiegne.geojson" in team
