"""The shared page frame: title, reading conventions, figure cards, sources footer, downloads,
and the view <-> URL link (quartier, indicator, pillar live in st.query_params)."""

from __future__ import annotations

import html

import streamlit as st

from data.model import Card
from ui import cached
from ui import wording as w
from ui.document import head_html, kiosk
from ui.render import card_html

CONTRACT = "Contrat de Ville « Quartiers 2030 » de l'Agglomération de la Région de Compiègne"
PERIMETER_WARNING = w.PERIMETER_NOTE.replace("anciens périmètres des QPV (2015)", "**anciens périmètres des QPV (2015)**")

CSS = """
<style>
.q-card {border:1px solid #d0d7de; border-radius:8px; padding:0.7rem 0.9rem; margin-bottom:0.6rem; background:#fbfcfe; min-height:9.5rem; container-type:inline-size}
.q-label {font-size:0.95rem; color:#31465f; font-weight:600}
/* a figure is never split (« 118 412 000 € »): its size is --q-fs, made smaller when the card is too narrow
   for its --n characters (render.card_html), never under 1.1rem */
.q-value {--q-fs:2.1rem; font-size:max(1.1rem, min(var(--q-fs), calc(100cqi / (var(--n, 6) * 0.6)))); font-weight:700; color:#1f4e79; line-height:1.25}
.q-value.q-long {--q-fs:1.45rem; white-space:normal}
.q-value.q-na {font-size:1.3rem; color:#8a5a00; font-style:italic}
.q-sub {font-size:0.92rem; color:#1b1f24; white-space:normal}
.q-sub b {white-space:nowrap}
.q-src {font-size:0.78rem; color:#57606a; margin-top:0.25rem}
.q-better {color:__IMPROVEMENT__; font-weight:600}
.q-worse {color:__DETERIORATION__; font-weight:600}
.q-neutral {color:#57606a; font-weight:600}
.q-nb {white-space:nowrap}
/* fiche: « En bref » first for a resident (phone, kiosk); key figures first on a wide landscape screen */
@media (min-width: 1280px) and (orientation: landscape) {.st-key-q-lead > div:has(> .st-key-q-brief) {order: 2}}
@media (max-width: 640px) {.st-key-q-present {display: none}}
.q-list {margin:0.2rem 0 0.6rem 1.2rem; padding:0} .q-list li {margin:0.15rem 0; overflow-wrap:anywhere}
.q-note {font-size:0.875rem; color:#3d434b; overflow-wrap:anywhere; margin:0.2rem 0}
.q-notice {border-radius:8px; padding:0.75rem 1rem; margin:0.25rem 0 0.75rem; white-space:pre-wrap; overflow-wrap:anywhere; line-height:1.5}
.q-notice-error {background:#fdecea; color:#7a1c14; border-left:6px solid #b42318}
.q-notice-warning {background:#fff4e0; color:#5c3900; border-left:6px solid #a15c00}
.q-notice-info {background:#e8f1fb; color:#123a63; border-left:6px solid #1f4e79}
.q-notice-success {background:#e7f5ec; color:#14532d; border-left:6px solid #1a7f37}
.q-tag {display:inline-block; border-radius:4px; padding:0 0.35rem; font-size:0.8rem; background:#eef2f7; margin-right:0.25rem}
/* Printing a page gives its content only: no navigation, toolbar or widgets; maps, charts, cards and
   tables never split nor overlap the text; a heading stays with what follows it. */
@media print {
  header[data-testid=stHeader], [data-testid=stTopNav], [data-testid=stSidebar], [data-testid=stToolbar],
  [data-testid=stStatusWidget], [data-testid=stSelectbox], [data-testid=stMultiSelect],
  [data-testid=stTextInput], [data-testid=stTextArea], [data-testid=stButton], [data-testid=stFormSubmitButton],
  [data-testid=stDownloadButton], [data-testid=stPageLink], [data-testid=stFileUploader], [data-testid=stCheckbox],
  [data-testid=stForm], [data-testid=stRadio], [data-testid=stToast] {display:none !important}
  [data-testid=stMainBlockContainer] {padding:0 !important; max-width:100% !important}
  [data-testid=stAppViewContainer], [data-testid=stMain] {overflow:visible !important; position:static !important}
  iframe, [data-testid=stVegaLiteChart], [data-testid=stIFrame], .q-card, .q-table-wrap, table, figure, img {break-inside:avoid; position:static !important}
  iframe {max-width:100% !important}
  h1, h2, h3 {break-after:avoid}
  .q-table-wrap {overflow:visible !important}
  a {color:#1b1f24; text-decoration:none}
}
</style>
"""
CSS = w.verdict_css(CSS)


# Streamlit scrolls its main area ([data-testid=stMain]), not the document: a page opened by its
# address, before any click, sends the keys to the body and nothing moves. A remote or a keyboard
# (↓ ↑, Page Down / Page Up, Space / Shift+Space, Home / End) scrolls the main area when the focus
# is on the body; a focused control keeps its own keys; /presentation keeps its remote keys.
KEY_SCROLL = """<script>
(() => {
  if (window.__q2030keys) return;
  window.__q2030keys = true;
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (window.location.pathname.endsWith("/presentation")) return;
    const t = ev.target;
    if (t !== document.body && t !== document.documentElement) return;
    if (document.querySelector("[aria-modal=true]")) return;
    const main = document.querySelector("[data-testid=stMain]");
    if (!main || main.scrollHeight <= main.clientHeight) return;
    const page = Math.max(main.clientHeight * 0.875, main.clientHeight - 80);
    const step = {ArrowDown: 60, ArrowUp: -60, PageDown: page, PageUp: -page,
                  " ": ev.shiftKey ? -page : page, Home: -main.scrollHeight, End: main.scrollHeight}[ev.key];
    if (step === undefined) return;
    ev.preventDefault();
    main.scrollBy({top: step, behavior: "instant"});  // a smooth scroll stops short when a chart is drawn meanwhile
  });
})();
</script>"""


def page_setup(title: str, intro: str | None = None, browser_title: str | None = None, toggle: bool = True) -> None:
    """Every page starts here: the document head (lang, French, accessibility, kiosk), its styles, its
    title, and the switch between the living diagnostic and the contract as printed."""
    if browser_title:
        st.set_page_config(page_title=browser_title)
    st.html(head_html() + KEY_SCROLL, unsafe_allow_javascript=True)
    st.markdown(CSS, unsafe_allow_html=True)
    st.title(title, anchor=False)
    if toggle:
        state_toggle()
    if intro:
        st.markdown(intro)


def _flip_state() -> None:
    contract = bool(st.session_state.get("etat_toggle"))
    st.session_state["etat"] = cached.CONTRACT_STATE if contract else cached.LIVING_STATE
    sync_query("etat", cached.CONTRACT_STATE if contract else "", "")  # the address is read first at the next run


def state_toggle() -> None:
    """« Diagnostic tel que le contrat l'a imprimé » (?etat=contrat): off, the figures are the
    contract's followed by every value published since (validated); on, the contract alone."""
    if st.session_state.pop("etat_bad", False):
        st.warning("Le paramètre « etat » de l'adresse n'a pas une valeur connue (contrat ou actuel) : affichage par défaut.")
    contract = st.session_state.get("etat") == cached.CONTRACT_STATE
    st.session_state["etat_toggle"] = contract
    st.toggle(
        "Afficher le diagnostic tel que le contrat l'a imprimé (sans les valeurs publiées depuis)",
        key="etat_toggle",
        on_change=_flip_state,
        help="Désactivé : les chiffres du contrat suivis des valeurs publiées depuis (validées). "
        "Activé : uniquement les chiffres du contrat, tels qu'imprimés.",
    )
    if contract:
        st.caption("État affiché : le contrat tel qu'imprimé (2024). Les valeurs publiées depuis ne sont pas montrées.")
    sync_query("etat", cached.CONTRACT_STATE if contract else "", "")


NOTICE_ROLE = {"error": "alert", "warning": "alert", "info": "status", "success": "status"}


def notice(kind: str, text: str) -> None:
    """A message box whose text is shown as typed: never Markdown, never HTML (a value, a login or an
    address may carry either). `kind`: error, warning, info, success, or note (a plain line)."""
    if kind == "note":
        st.html(f"<p class='q-note'>{html.escape(text)}</p>")
        return
    st.html(f"<div class='q-notice q-notice-{kind}' role='{NOTICE_ROLE[kind]}'>{html.escape(text)}</div>")


def cards(items, columns: int = 4) -> None:
    """Figure cards in a grid, each rendered from its record (ui.render.card_html)."""
    ds = cached.dataset()
    items = list(items)
    # one element per column (the cards of a column stacked in reading order), not one per card: a
    # pillar page's « autres chiffres » are a hundred cards
    for i, col in enumerate(st.columns(columns)):
        stack = "".join(card_html(ds, c) for c in items[i::columns])
        if stack:
            col.markdown(stack, unsafe_allow_html=True)


def figure_cards(figures, columns: int = 4) -> None:
    ds = cached.dataset()
    cards([Card(f"{ds.catalogue[f.indicator].label} – {ds.territories[f.territory].short}", f) for f in figures], columns)


def sources_footer(extra: list[str] | None = None) -> None:
    st.divider()
    lines = [
        f"Source des chiffres : {CONTRACT} (texte intégral), tableaux et notes cités à côté de chaque chiffre.",
        "Contours : ANCT, QPV 2024 (Licence Ouverte) ; carreaux INSEE de 200 m reconstruits depuis leurs identifiants ; "
        "commune : IGN Admin Express COG 2018 simplifié. Détails : page « Sources & méthode ».",
    ]
    for line in (extra or []) + lines:
        st.caption(line)


def query_choice(key: str, options: list[str], default: str) -> str:
    """Read a choice from the URL; an unknown value is refused with a French message (the value is
    not repeated: an address can carry anything) and the default used."""
    raw = st.query_params.get(key)
    if raw is None or raw == "":
        return default
    if raw in options:
        return raw
    st.warning(f"Le paramètre « {key} » de l'adresse n'a pas une valeur connue : affichage par défaut.")
    return default


def sync_query(key: str, value: str, default: str | None = None) -> None:
    """Keep the view in the URL (defaults stay out of it)."""
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def download(label: str, data, file_name: str, mime: str, key: str, icon: str | None = None, where=None) -> None:
    """Every file the app hands out (`data`: bytes, or a callable run at the click). The click does not
    rerun the page (on_click="ignore"): with a rerun, Streamlit drops the previous run's click-time
    producers at the end of the new run, so on a busy server a file asked for by the click could be
    gone before the request for it was served — the download never came (seen in CI, reproduced
    with a delayed request). Nothing on a page depends on a download having happened. None on a kiosk
    (QUARTIERS_KIOSK=1): there is nowhere to take a file (callers that would build the file or lay out
    columns for it first check too)."""
    if kiosk():
        return
    (where or st).download_button(label, data=data, file_name=file_name, mime=mime, key=key, icon=icon, on_click="ignore")


def csv_button(data: bytes, filename: str, label: str = "Télécharger les données (CSV)", key: str | None = None) -> None:
    """A CSV rendered from figure records (ui.exports: French conventions, formulas neutralised).
    None on a kiosk (ui/frame.download)."""
    download(label, data, filename, "text/csv", key or f"dl_{filename}", icon=":material/download:")


def download_images(label: str, slug: str, png, svg, widths=(1, 1, 3), icon: str | None = ":material/image:") -> None:
    """« {label} PNG » and « {label} SVG » buttons; `png` / `svg` are called only when clicked. None
    on a kiosk (QUARTIERS_KIOSK=1)."""
    if kiosk():
        return
    formats = (("PNG", png, "image/png"), ("SVG", svg, "image/svg+xml"))
    for col, (fmt, render, mime) in zip(st.columns(list(widths)), formats, strict=False):
        download(f"{label} {fmt}", render, f"{slug}.{fmt.lower()}", mime, f"{fmt.lower()}_{slug}", icon=icon, where=col)


def image_buttons(spec: dict, source: str, name: str) -> None:
    """PNG and SVG of a chart, rendered offline (ui/images.py) only when clicked, with its source
    line inside the image."""
    from ui import images

    download_images("Image", name, lambda: images.chart_png(spec, source), lambda: images.chart_svg(spec, source))


def figures_source(figures) -> str:
    """« Source : … · périmètre … · contrat … » of a chart's figures, for the image of the chart."""
    return "Source : " + " | ".join(sorted({f"{f.source} · {f.perimeter} · {f.contract_ref}" for f in figures if not f.missing}))


def map_image_buttons(ds, ind, period: str, layer, legend: list[tuple[str, str]]) -> None:
    """The choropleth as PNG and SVG (the same classes and legend, the source line in the image)."""
    from data.formatting import period_label
    from ui import images
    from ui.locator import locator_svg
    from ui.maps import PALETTE

    fills = {f.territory: PALETTE[f.klass] for f in layer.features if f.klass is not None}
    names = {q: ds.territories[q].name for q in ds.quartier_ids}
    from data.model import LATEST

    title = f"{ind.label} – {'dernière valeur de chaque quartier' if period == LATEST else period_label(period)}"
    source = figures_source([f.figure for f in layer.features])
    keys = [*legend, ("#ffffff", f"{w.MISSING} (pointillés)")]

    def svg() -> str:
        return images.map_svg(locator_svg("", names, fills, label=title), title, keys, source)

    slug = f"quartiers2030-carte-{ind.id.replace('_', '-')}-{period}"
    download_images("Carte", slug, lambda: images.svg_to_png(svg()), lambda: svg().encode("utf-8"), widths=(1, 1), icon=None)
