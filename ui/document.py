"""What every page puts into the browser's document, in one place (no page does it itself):

- `lang="fr"` on the document (Streamlit serves `lang="en"`);
- French for the English strings Streamlit's own frontend shows or announces (placeholders,
  « No results », the unknown-page dialog, ARIA labels): a small observer translates them as
  they appear, from the table below;
- the styles that make the pages accessible (visible focus ring, caption and chart contrast);
- in consultation mode (public screens): no Streamlit chrome, no chart toolbar or menu, larger text
  and controls of at least 44 × 44 px, and the idle reset that brings the screen back to the home page.

No streamlit import: the page frame injects `head_html()` (tested on its own)."""

from __future__ import annotations

import functools
import json
import os

MODE_ENV, IDLE_ENV, KIOSK_ENV = "QUARTIERS_MODE", "QUARTIERS_IDLE_S", "QUARTIERS_KIOSK"
DEFAULT_IDLE_S = 120

# Streamlit 1.67's hard-coded English, as shown or announced on this app's pages (each one checked
# against the installed front end: tests/test_streamlit_private.py).
TRANSLATIONS = {
    "Choose an option": "Choisir une option",
    "Choose options": "Choisir des options",
    "No results": "Aucun résultat",
    "No options to select": "Aucune option",
    "Page not found": "Page introuvable",
    "Skip to main content": "Aller au contenu principal",
    "Link to heading": "Lien vers ce titre",
    "Selectbox": "Liste de choix",
    "Selectbox options": "Options de la liste",
    "Selected values": "Valeurs choisies",
    "Clear value": "Effacer",
    "Clear all": "Tout effacer",
    "Delete": "Retirer",
    "Main menu": "Menu principal",
    "App pages": "Pages du tableau de bord",
    "Sidebar": "Barre latérale",
    "Navigate to home page": "Aller à l'accueil",
    "Markdown content": "Texte",
    "Stop script": "Arrêter",
    "Notifications": "Notifications",
    "Close": "Fermer",
    "Open": "Ouvrir",
    "Running...": "Calcul en cours…",
    "Loading...": "Chargement…",
    "Collapse sidebar": "Replier la barre latérale",
    "Expand sidebar": "Déplier la barre latérale",
    "Download": "Télécharger",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "streamlit_folium.st_folium": "Carte interactive des quartiers",
    "Vega visualization": "Graphique",
    # the file uploader (/suivi, administrateurs)
    "Upload": "Choisir un fichier",
    "Drag and drop file here": "Déposez le fichier ici",
    "Drag and drop files here": "Déposez les fichiers ici",
}
DOWNLOAD_FAILED = (
    "Le fichier n'a pas pu être produit : rechargez la page et réessayez (un compte désactivé ou une session "
    "fermée n'y a plus accès)."
)
# « The page that you have requested does not seem to exist. Running the app's main page. »
SENTENCES = {
    "does not seem to exist": "La page demandée n'existe pas : affichage de l'accueil.",
    # « 5MB per file • CSV, XLSX »: the only uploader, the import (server.maxUploadSize = 5)
    "MB per file": "5 Mo au plus par fichier · CSV ou XLSX",
    # a file produced at the click that could not be (ui/frame.download): Streamlit's own messages
    "Failed to generate file": DOWNLOAD_FAILED,
    "Failed to process backend operation": DOWNLOAD_FAILED,
    "Download failed": DOWNLOAD_FAILED,
    "Deferred download not properly configured": DOWNLOAD_FAILED,
    "Connection closed": "Connexion au serveur interrompue : rechargez la page.",
}

BASE_CSS = """
/* visible focus on every focusable element (WCAG 2.4.7) */
:focus-visible, a:focus-visible, button:focus-visible, [tabindex]:focus-visible, input:focus-visible,
[role="option"]:focus-visible {outline: 3px solid #1f4e79 !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #ffffff !important;}
/* captions are drawn at 60 % opacity (3.9:1): full opacity, darker grey (8:1) */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {opacity: 1 !important; color: #3d434b !important;}
/* a table wider than its box says so: « faites défiler » stays at the left edge while the table
   scrolls under it (the page's script marks the regions that overflow: data-q-scroll) */
[data-q-scroll]::before {content: "← Faites défiler le tableau sur le côté →" / ""; display: block; position: sticky;
  left: 0; width: max-content; max-width: 100%; box-sizing: border-box; margin: 0 0 0.25rem; padding: 0.1rem 0.5rem;
  border-radius: 4px; background: #123a63; color: #ffffff; font-size: max(18px, 1rem); font-weight: 600;}
[data-q-scroll] {box-shadow: inset -14px 0 10px -10px rgba(0, 0, 0, 0.35);}
@media print {[data-q-scroll]::before {content: none !important;} [data-q-scroll] {box-shadow: none !important;}}
/* key figures never overflow their card, even at 200 % zoom */
.q-card {overflow-wrap: anywhere;}
.q-value {max-width: 100%;}
"""

WIDE_CSS = """
/* a wide screen is a projector or a meeting-room display, read from metres away: the whole
   scale grows (18 px root) and no text goes under 16 px — navigation, captions, links, source
   lines, table notes and tags included (measured by tests/e2e/test_presentation.py);
   public screens keep their own 18 px floor */
@media screen and (min-width: 1280px) {
  html {font-size: 18px;}
  [data-testid="stMainBlockContainer"] {padding-top: 4.5rem !important;}
  .stApp [data-testid="stCaptionContainer"] p, .stApp [data-testid="stWidgetLabel"] p,
  .stApp [data-testid="stPageLink-NavLink"] p, .stApp [data-testid="stTopNav"] p, .stApp [data-testid="stTopNav"] span,
  .stApp button p, .stApp [data-testid="stTable"] p, .stApp [data-baseweb="select"] div,
  .stApp [data-testid="stMultiSelectTagsContainer"] span,
  .stApp [data-testid="stExpander"] summary p, .stApp [role="tab"] p {font-size: FLOOR !important;}
  .stApp small, .stApp code, .q-src, .q-tag, .q-note {font-size: FLOOR !important;}
  .q-sub {font-size: 1rem !important;}
  .q-label {font-size: 1.05rem !important;}
  .q-card .q-value {--q-fs: 2.5rem;}
  .q-card .q-value.q-long {--q-fs: 1.6rem;}
  .q-card .q-value.q-na {font-size: 1.45rem;}
}
"""

KIOSK_CSS = """
/* public screens: no Streamlit chrome (the navigation bar, which sits in the toolbar, stays) */
[data-testid="stToolbarActions"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"],
[data-testid="stStatusWidget"], #MainMenu, footer {display: none !important;}
/* the navigation: large French tiles of the sections and their pages */
[data-testid="stTopNavSection"], [data-testid="stTopNavLink"], [data-testid="stTopNavDropdownLink"] {
  min-height: 48px; font-size: 1.15rem !important; padding: 0 0.9rem !important;}
.stApp [data-testid="stTopNav"] p, .stApp [data-testid="stTopNav"] span {font-size: 1.15rem !important;}
/* readable standing 1.5 m away: body text 18 px and more, controls at least 44 × 44 px */
html {font-size: 18px;}
.stApp p, .stApp li, .stApp td, .stApp th, .stApp label {font-size: 1.05rem;}
.stApp a, .stApp button, .stApp [role="button"], .stApp [role="tab"], .stApp [data-baseweb="select"] > div,
.stApp input, .stApp [data-testid="stPageLink-NavLink"] {min-height: 44px; min-width: 44px;}
.stApp [data-testid="stPageLink-NavLink"] {display: flex; align-items: center;}
.stApp [data-testid="stPageLink-NavLink"] p {white-space: normal;}
.q-card .q-value {--q-fs: 2.4rem;}
/* no text under 18 px on a public screen, at any width (kiosk in portrait, phone): source lines,
   tags, notes, card labels and lines, captions, small print, codes, widget labels, selected values,
   tables (measured on every text node by tests/e2e/test_resident.py) */
.stApp [data-testid="stCaptionContainer"] p, .stApp [data-testid="stWidgetLabel"] p,
.stApp [data-testid="stPageLink-NavLink"] p, .stApp button p, .stApp [data-testid="stTable"] p,
.stApp [data-testid="stTable"] td, .stApp [data-testid="stTable"] th, .stApp [data-baseweb="select"] div,
.stApp [data-baseweb="tag"] span, .stApp [data-testid="stMultiSelectTagsContainer"] span,
.stApp [data-testid="stExpander"] summary p, .stApp [role="tab"] p,
.stApp small, .stApp code, .stApp sub, .stApp sup, .q-src, .q-tag, .q-note, .q-sub, .q-label, .q-grid,
.q-table, .q-table caption {font-size: max(18px, 1rem) !important;}
/* phones: the title leaves room for the quartiers on the first screen */
@media screen and (max-width: 640px) {
  .stApp h1 {font-size: 2rem !important; line-height: 1.2 !important;}
  [data-testid="stMainBlockContainer"] {padding-top: 3.5rem !important;}
}
/* nothing technical or English around a chart or a table: no element toolbar (« Show data », which
   opens the raw frame, « Download as PNG », « Copy Vega-Lite spec », full screen) on hover or tap, and
   no vega-embed actions menu (« View Source », « Open in Vega Editor »…); display: none also takes
   them out of the tab order and of what a screen reader announces */
[data-testid="stElementToolbar"], [data-testid="stElementToolbarButton"], .vega-embed details,
.vega-embed .vega-actions, .vega-actions {display: none !important;}
/* the idle reset's warning: a large French countdown above everything, at the bottom of the screen */
#q-idle {position: fixed; left: 50%; bottom: 2rem; transform: translateX(-50%); z-index: 1000100;
  width: max-content; max-width: calc(100vw - 2rem); box-sizing: border-box; padding: 1rem 1.5rem;
  border-radius: 12px; background: #123a63; color: #ffffff; text-align: center;
  box-shadow: 0 6px 24px rgba(0, 0, 0, 0.35); font-family: "Source Sans", sans-serif;}
#q-idle[hidden] {display: none;}
#q-idle p {margin: 0.2rem 0; font-size: 1.2rem; line-height: 1.35;}
#q-idle .q-idle-count {font-size: 1.8rem; font-weight: 700;}
"""

SCRIPT = """
(() => {
  const T = %(translations)s, S = %(sentences)s, IDLE = %(idle)s;
  const w = window, d = document;
  d.documentElement.lang = "fr";
  const ATTRS = ["aria-label", "title", "placeholder", "alt", "aria-placeholder"];
  const tr = (s) => {
    if (!s) return null;
    const t = s.trim();
    if (Object.prototype.hasOwnProperty.call(T, t)) return s.replace(t, T[t]);
    for (const k in S) if (t.includes(k)) return S[k];
    return null;
  };
  // text on screen only: never the text of a script or a style (this script holds the sentences)
  const code = (n) => n.parentNode && /^(SCRIPT|STYLE)$/.test(n.parentNode.nodeName);
  const fix = (root) => {
    if (!root) return;
    if (root.nodeType === 3) {
      if (code(root)) return;
      const v = tr(root.nodeValue); if (v !== null && v !== root.nodeValue) root.nodeValue = v; return;
    }
    if (root.nodeType !== 1) return;
    const walker = d.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walker.nextNode())) {
      if (code(n)) continue;
      const v = tr(n.nodeValue); if (v !== null && v !== n.nodeValue) n.nodeValue = v;
    }
    // a download that failed says so on its button (Streamlit shows the message 5 s): announced to a
    // screen reader too (WCAG 4.1.3), not only drawn
    const failed = "[data-testid=stDownloadButtonError]";
    [root, ...root.querySelectorAll(failed)].forEach((el) => { if (el.matches(failed)) el.setAttribute("role", "alert"); });
    const els = [root, ...root.querySelectorAll("[aria-label],[title],[placeholder],[alt],[aria-placeholder]")];
    for (const el of els) for (const a of ATTRS) {
      const v0 = el.getAttribute && el.getAttribute(a), v = tr(v0);
      if (v !== null && v !== v0) el.setAttribute(a, v);
    }
  };
  // a table's scroll region that is narrower than its table is marked (a visible « faites défiler »)
  const SCROLLERS = ".q-table-wrap, .q-scroll, [data-testid=stTable] > div";
  let pending = false;
  const scrollers = () => {
    pending = false;
    d.querySelectorAll(SCROLLERS).forEach((el) => {
      const over = el.scrollWidth > el.clientWidth + 1;
      if (over !== el.hasAttribute("data-q-scroll")) el.toggleAttribute("data-q-scroll", over);
    });
  };
  const later = () => { if (!pending) { pending = true; w.requestAnimationFrame(scrollers); } };
  if (!w.__q2030) {
    w.__q2030 = true;
    fix(d.body);
    w.addEventListener("resize", later);
    later();
    new MutationObserver((ms) => {
      later();
      for (const m of ms) {
        if (m.type === "childList") m.addedNodes.forEach(fix);
        else fix(m.target);
      }
      if (d.documentElement.lang !== "fr") d.documentElement.lang = "fr";
    }).observe(d.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: ATTRS.concat(["lang"])});
  }
  // public screens: back to the home page after IDLE seconds without a touch, a click, a key or a
  // scroll — anywhere, the map's frame included; a full reload starts a new session, so nothing of
  // the previous visitor remains. The last 10 seconds (fewer if the delay is under 12 s) show a
  // French countdown; any touch cancels it and the delay starts again from that touch.
  if (IDLE > 0 && !w.__q2030idle) {
    w.__q2030idle = true;
    const WARN = Math.max(1, Math.min(10, IDLE - 2)) * 1000;
    const EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll", "click"];
    let last = Date.now(), box = null;
    const hide = () => { if (box && !box.hidden) box.hidden = true; };
    const poke = (e) => {
      last = Date.now();
      if (!box || box.hidden) return;
      // a tap on the warning itself: let its click land on the warning, not on what is under it
      if (e && e.target && box.contains(e.target)) setTimeout(hide, 600); else hide();
    };
    const listen = (doc) => {
      if (!doc || doc.__q2030idle) return;
      doc.__q2030idle = true;
      EVENTS.forEach((e) => doc.addEventListener(e, poke, {capture: true, passive: true}));
    };
    // the map is drawn in a frame of the same origin: touches there are touches on the screen
    const frames = () => d.querySelectorAll("iframe").forEach((f) => {
      const hook = () => { try { listen(f.contentDocument); } catch (err) { /* another origin */ } };
      if (!f.__q2030idle) { f.__q2030idle = true; f.addEventListener("load", hook); }
      hook();
    });
    listen(d);
    const warn = (left) => {
      if (!box) {
        box = d.createElement("div");
        box.id = "q-idle";
        box.setAttribute("role", "alert");
        box.setAttribute("lang", "fr");
        box.hidden = true;
        const count = d.createElement("p"), hint = d.createElement("p");
        count.className = "q-idle-count";
        hint.textContent = "Touchez l'écran pour continuer.";
        box.append(count, hint);
        d.body.appendChild(box);
      }
      box.querySelector(".q-idle-count").textContent = "Retour à l'accueil dans " + left + " s";
      box.hidden = false;
    };
    setInterval(() => {
      frames();
      const idle = Date.now() - last;
      if (idle >= IDLE * 1000) {
        last = Date.now();
        const home = w.location.origin + "/";
        if (w.location.href !== home) w.location.replace(home);
        else w.location.reload();
      } else if (idle >= IDLE * 1000 - WARN) {
        warn(Math.max(1, Math.ceil((IDLE * 1000 - idle) / 1000)));
      } else hide();
    }, 250);
  }
})();
"""


def consultation() -> bool:
    """Public screens (QUARTIERS_MODE=consultation): read-only, kiosk."""
    return os.environ.get(MODE_ENV, "").strip().lower() == "consultation"


def kiosk() -> bool:
    """An unattended public screen (QUARTIERS_KIOSK=1 on top of QUARTIERS_MODE=consultation): no
    download of any kind (there is nowhere to take a file) and nothing that leaves the app. A public
    website is consultation mode without it, and keeps its downloads."""
    return consultation() and os.environ.get(KIOSK_ENV, "").strip().lower() in ("1", "true", "yes", "oui")


def idle_seconds() -> int:
    """QUARTIERS_IDLE_S (default 120) in consultation mode; 0 (never) otherwise. A bad value falls
    back to the default."""
    if not consultation():
        return 0
    try:
        value = int(os.environ.get(IDLE_ENV, DEFAULT_IDLE_S))
    except ValueError:
        return DEFAULT_IDLE_S
    return value if value > 0 else DEFAULT_IDLE_S


def head_html() -> str:
    return _head(consultation(), idle_seconds())


@functools.lru_cache(maxsize=8)
def _head(kiosk: bool, idle: int) -> str:
    """Built once per mode, not on every rerun of every page."""
    css = BASE_CSS + WIDE_CSS.replace("FLOOR", "1.05rem" if kiosk else "max(16px, 0.9rem)") + (KIOSK_CSS if kiosk else "")
    script = SCRIPT % {
        "translations": json.dumps(TRANSLATIONS, ensure_ascii=False),
        "sentences": json.dumps(SENTENCES, ensure_ascii=False),
        "idle": idle,
    }
    return f"<style>{css}</style><script>{script}</script>"
