"""Présentation – full-screen slides for a meeting room (1920×1080): the territory, each quartier,
each pillar, the residents' priorities. `?slide=N` or `?q=<quartier>` opens a slide and the
address always says which one is shown; ←/→, Page Up/Page Down (a presenter's clicker) and the
on-screen buttons move between slides. Slides render records (ui/slides.py); nothing computed."""

import streamlit as st

from ui import cached
from ui import wording as w
from ui.frame import page_setup
from ui.registry import path_of
from ui.render import nobreak_html

ds = cached.dataset()
slides = cached.slides()
n = len(slides)
by_q = {s.territory: i for i, s in enumerate(slides) if s.territory}

# the address decides the slide; a bad value is refused in French and the first slide shown
raw_q, raw_n = st.query_params.get("q"), st.query_params.get("slide")
current = 0
if raw_q:
    if raw_q in by_q:
        current = by_q[raw_q]
    else:
        st.warning("Le paramètre « q » de l'adresse n'est pas un quartier connu : première diapositive.")
elif raw_n:
    if raw_n.isdigit() and 1 <= int(raw_n) <= n:
        current = int(raw_n) - 1
    else:
        st.warning(f"Le paramètre « slide » de l'adresse doit être un numéro de 1 à {n} : première diapositive.")
if "_slide" in st.session_state and st.session_state.get("_slide_from_button"):
    current = st.session_state.pop("_slide")
    st.session_state["_slide_from_button"] = False
slide = slides[current]

# the address reproduces the slide: ?q= for a quartier, ?slide=N otherwise
if slide.territory:
    if st.query_params.get("q") != slide.territory or "slide" in st.query_params:
        st.query_params.clear()
        st.query_params["q"] = slide.territory
elif st.query_params.get("slide") != str(current + 1) or "q" in st.query_params:
    st.query_params.clear()
    st.query_params["slide"] = str(current + 1)

page_setup(slide.title, None, browser_title=f"{slide.title} – Présentation ({current + 1}/{n})", toggle=False)
st.html(
    w.verdict_css(
        """<style>
/* no Streamlit chrome, no navigation bar: the slide fills the screen */
header[data-testid=stHeader], [data-testid=stTopNav], [data-testid=stToolbar],
[data-testid=stSidebar] {display:none !important}
[data-testid=stMainBlockContainer] {padding:1.2rem 2.5rem 0.5rem !important; max-width:100% !important}
[data-testid=stMain] h1 {font-size:56px !important; line-height:1.1 !important; padding:0 0 0.2rem !important}
[data-testid=stMain] [data-testid=stCaptionContainer], [data-testid=stMain] .q-intro {display:none}
.q-slide {font-size:24px; line-height:1.3; color:#1f2328}
.q-sub {font-size:26px; color:#3d434b; margin:0 0 0.6rem}
.q-figs {display:flex; gap:1.2rem; margin-bottom:0.8rem}
.q-bigfig {flex:1; border:2px solid #d0d7de; border-radius:12px; padding:0.6rem 0.9rem}
.q-bigfig .q-lab {font-size:24px; font-weight:600}
.q-bigfig .q-fig {font-size:68px; font-weight:700; line-height:1.05; color:#0b3d66}
.q-bigfig .q-line {font-size:24px}
.q-src {font-size:16px; color:#4a5560; line-height:1.25}
.q-slide ul {margin:0.2rem 0 0 1.2rem; padding:0}
.q-slide li, .q-slide p {margin-bottom:0.35rem; font-size:24px !important; line-height:1.3}
.q-slide .q-sub {font-size:26px !important}
.q-verdict-improvement {color:__IMPROVEMENT__} .q-verdict-deterioration {color:__DETERIORATION__}
[data-testid=stMain] button p, [data-testid=stMain] a[data-testid=stPageLink-NavLink] p {font-size:24px !important}
[data-testid=stMain] button, [data-testid=stMain] a[data-testid=stPageLink-NavLink] {min-height:56px}
/* the slide uses the screen: the navigation sits at its foot, and a slide with little on it (the
   territory, a poverty pocket, the priorities) sets it larger, over the height left */
[data-testid=stHorizontalBlock]:has(.q-count) {position:fixed; left:2.5rem; right:2.5rem; bottom:0.8rem; z-index:5;
  background:#ffffff; align-items:center}
[data-testid=stMainBlockContainer] {padding-bottom:4.6rem !important}
.q-fill .q-bigfig {display:flex; flex-direction:column; justify-content:center}
.q-fill .q-bigfig .q-lab {font-size:32px} .q-fill .q-bigfig .q-line {font-size:30px}
.q-fill .q-bigfig .q-fig {font-size:112px} .q-fill .q-src {font-size:18px}
.q-fill.q-territory .q-figs {display:grid; grid-template-columns:1fr 1fr}
.q-fill.q-territory .q-bigfig {min-height:calc((100vh - 350px) / 2)}
.q-fill.q-quartier .q-figs {flex-direction:column}
.q-fill.q-quartier .q-bigfig {min-height:calc((100vh - 490px) / 3)}
.q-fill.q-priorities .q-bigfig {min-height:calc(100vh - 330px); justify-content:flex-start; padding:1.2rem 1.5rem}
.q-fill.q-priorities .q-bigfig .q-lab {font-size:44px !important; margin-bottom:1rem}
.q-fill.q-priorities li {font-size:38px !important; margin-bottom:1.2rem; line-height:1.3}
.q-quartier:not(.q-fill) li {font-size:28px !important}
.q-map img {width:100%; display:block}
@media (max-width: 1000px) {.q-figs {flex-wrap:wrap} .q-bigfig {flex:1 1 100%} .q-bigfig .q-fig {font-size:56px}
  .q-fill .q-bigfig .q-fig {font-size:56px} .q-fill .q-bigfig .q-lab, .q-fill .q-bigfig .q-line {font-size:24px}
  .q-fill.q-territory .q-figs {grid-template-columns:1fr} .q-fill .q-bigfig {min-height:0 !important}
  [data-testid=stHorizontalBlock]:has(.q-count) {position:static}}
</style>"""
    )
)
# a slide with little on it is set larger (CSS .q-fill): the territory, a quartier without sentences
# (a poverty pocket: three figures), the priorities
fill = slide.kind in ("territory", "priorities") or (slide.kind == "quartier" and not slide.sentences)
root = f"q-slide q-{slide.kind}" + (" q-fill" if fill else "")

e = nobreak_html  # escaped, numbers never split across lines


def figures_html(figs) -> str:
    out = []
    for f in figs:
        lines = "".join(
            f"<div class='q-line q-verdict-{e(f.verdict) if i == 0 else ''}'>{e(t)}</div>" for i, t in enumerate(f.lines[:2])
        )
        out.append(
            f"<div class='q-bigfig'><div class='q-lab'>{e(f.label)}</div><div class='q-fig'>{e(f.value)}</div>{lines}"
            f"<div class='q-src'>{e(f.source)}</div></div>"
        )
    return "<div class='q-figs'>" + "".join(out) + "</div>"


if slide.kind == "quartier":
    left, right = st.columns([1.3, 1] if fill else [1.9, 1])
    with left:
        body = f"<div class='{root}'><p class='q-sub'>{e(slide.subtitle)}</p>{figures_html(slide.figures)}"
        if slide.sentences:
            body += "<ul>" + "".join(f"<li>{e(s.text)}</li>" for s in slide.sentences) + "</ul>"
        else:
            body += "<p>Le contrat ne donne pas d'évolution chiffrée pour ce carreau : seulement les chiffres ci-dessus.</p>"
        st.html(body + "</div>")
    with right:
        st.html(f"<div class='q-map'>{cached.locator_img(slide.territory)}</div>")
elif slide.kind == "pillar":
    st.html(
        f"<div class='q-slide'><p class='q-sub'>Chiffre le plus récent du contrat : {e(slide.subtitle)}</p>"
        f"{figures_html(slide.figures)}</div>"
    )
    if slide.chart:
        st.vega_lite_chart(slide.chart, width="stretch")
elif slide.kind == "priorities":
    cells = "".join(
        f"<div class='q-bigfig'><div class='q-lab' style='font-size:30px'>{e(name)}</div><ul>"
        + "".join(f"<li>{e(t)}</li>" for t in themes)
        + "</ul></div>"
        for name, themes in slide.rows
    )
    st.html(f"<div class='{root}'><p class='q-sub'>{e(slide.subtitle)}</p><div class='q-figs'>{cells}</div></div>")
else:
    st.html(f"<div class='{root}'><p class='q-sub'>{e(slide.subtitle)}</p>{figures_html(slide.figures)}</div>")


def go(i: int) -> None:
    st.session_state["_slide"] = i
    st.session_state["_slide_from_button"] = True


c1, c2, c3, c4 = st.columns([1.2, 1, 1.2, 1.4])
c1.button("◀ Précédent", on_click=go, args=(max(current - 1, 0),), disabled=current == 0, key="slide_prev")
# the state shown, said on every slide when it is the contract as printed (?etat=contrat)
printed = " · chiffres du contrat tels qu'imprimés" if st.session_state.get("etat") == cached.CONTRACT_STATE else ""
c2.html(f"<p class='q-slide q-count' style='margin:0.6rem 0 0'>{current + 1} / {n}{printed}</p>")
c3.button("Suivant ▶", on_click=go, args=(min(current + 1, n - 1),), disabled=current == n - 1, key="slide_next")
c4.page_link(path_of("accueil"), label="Quitter la présentation")

# keys of a keyboard or a presenter's clicker: →, Page Down = next; ←, Page Up = previous
st.html(
    """<script>
if (!document.__quartiersSlides) {
  document.__quartiersSlides = true;
  document.addEventListener("keydown", (ev) => {
    if (!window.location.pathname.endsWith("/presentation")) return;
    const t = ev.target && ev.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT") return;
    const label = ["ArrowRight", "PageDown"].includes(ev.key) ? "Suivant" : ["ArrowLeft", "PageUp"].includes(ev.key) ? "Précédent" : null;
    if (!label) return;
    const btn = [...document.querySelectorAll("button")].find((b) => b.innerText.includes(label));
    if (btn && !btn.disabled) { ev.preventDefault(); btn.click(); }
  });
}
</script>""",
    unsafe_allow_javascript=True,
)
