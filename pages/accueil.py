"""Accueil – the territory at a glance, the synthesis grid, the contract's key findings; every
figure rendered from its record (data.model)."""

import html

import streamlit as st

from data.model import DETERIORATION, IMPROVEMENT
from ui import cached
from ui import wording as w
from ui.document import consultation
from ui.frame import cards, page_setup, sources_footer, state_toggle
from ui.registry import PAGES, path_of
from ui.render import md_escape

TITLE = "Contrat de Ville « Quartiers 2030 » – Agglomération de la Région de Compiègne"
INTRO = (
    "Tableau de bord du diagnostic et du cadre d'évaluation du contrat : **3 quartiers prioritaires (QPV)** "
    "et **2 poches de pauvreté**, tous situés à Compiègne."
)
# large tiles, at least 44 px high (60 here), a frame a finger finds
FIND_CSS = """<style>
.st-key-q-find .element-container:has([data-testid="stPageLink"]), .st-key-q-find [data-testid="stPageLink"],
.st-key-q-find [data-testid="stPageLink"] > div {width: 100% !important;}
.st-key-q-find [data-testid="stPageLink-NavLink"] {min-height: 60px; width: 100% !important; max-width: 100% !important;
  border: 2px solid #1f4e79; border-radius: 10px; background: #eef4fb; padding: 0.3rem 0.9rem; margin: 0 0 0.3rem;
  box-sizing: border-box;}
.st-key-q-find [data-testid="stPageLink-NavLink"] p {font-size: 1.15rem !important; line-height: 1.3 !important;
  white-space: normal !important; color: #123a63; font-weight: 600;}
.st-key-q-find [data-testid="stPageLink-NavLink"]:hover {background: #dce9f7;}
.st-key-q-find h2 {font-size: 1.6rem; padding: 0.2rem 0 0.4rem;}
</style>"""


def find_my_quartier(ds) -> None:
    """Public screens: the five quartiers as large tiles at the top of the home page (the first screen
    of a phone, the top of a kiosk), each opening its fiche, and « Je ne sais pas : voir la carte »."""
    with st.container(key="q-find"):
        st.markdown(FIND_CSS, unsafe_allow_html=True)
        st.header("Trouver mon quartier", anchor=False)
        tiles = [
            dict(
                page=path_of("fiche"),
                label=f"{md_escape(ds.territories[q].name)} · {w.KIND_SHORT[ds.territories[q].kind].lower()}",
                icon=":material/location_city:",
                query_params={"q": q},
            )
            for q in ds.quartier_ids
        ]
        tiles.append(dict(page=path_of("carte"), label="Je ne sais pas : voir la carte", icon=":material/map:"))
        for start in range(0, len(tiles), 3):
            for col, tile in zip(st.columns(3), tiles[start : start + 3], strict=False):
                col.page_link(**tile)


ds = cached.dataset()
if consultation():
    # the quartiers first: the switch and the introduction come after them
    page_setup(TITLE, toggle=False)
    find_my_quartier(ds)
    state_toggle()
    st.markdown(INTRO)
else:
    page_setup(TITLE, INTRO)
st.page_link(path_of("presentation"), label="Présenter (plein écran, diapositives)", icon=":material/slideshow:")

# --- the territory at a glance -----------------------------------------------------------------
st.header("Le territoire en bref", anchor=False)
home = cached.home_cards()
cards(home)
for col, c in zip(st.columns(4), home, strict=False):
    if c.link:
        col.page_link(
            path_of(c.link.page), label=c.link.label, icon=":material/arrow_forward:", query_params=c.link.query or None
        )

# --- one click to each quartier --------------------------------------------------------------
st.header("Les quartiers", anchor=False)
for col, tile in zip(st.columns(len(ds.quartier_ids)), cached.quartier_tiles(), strict=True):
    t = tile.territory
    with col:
        st.markdown(
            f"**{t.name}**  \n{w.KIND_SHORT[t.kind]} · `{t.code if t.kind == 'qpv' else 'carreau 200 m'}`  \n"
            f"{w.value_text(tile.population)} {'habitants (périmètre 2024)' if t.kind == 'qpv' else 'personnes (estimation)'}"
        )
        st.page_link(path_of("fiche"), label=f"Fiche {t.short}", icon=":material/arrow_forward:", query_params={"q": t.id})

# --- synthesis grid -------------------------------------------------------------------------------
st.header("Synthèse des évolutions des QPV", anchor=False)
st.caption(ds.synthesis.caveat + " " + w.PERIMETER_NOTE)
e = html.escape
verdict_class = {IMPROVEMENT: "q-better", DETERIORATION: "q-worse"}
head = "".join(f"<th scope='col'>{e(w.name(ds, c, True))}</th>" for c in ds.synthesis.columns)
rows_html = []
for line in cached.synthesis():
    unit = ds.catalogue[line.indicator].unit
    tds = []
    for cell in line.cells:
        ev = cell.evolution
        since = f"<br><small class='q-since'>{e(w.since_text(cell.update))}</small>" if cell.update else ""
        if cell.share is not None:  # the row's label names a second figure: the quartier's share of the commune
            since = f"<br><small>{e(w.share_text(cell.share))}</small>" + since
        if not ev.available:
            why = (
                f"« {cell.contract_cell} » dans la grille du contrat"
                if cell.contract_cell
                else w.EVOLUTION_MISSING_REASON[ev.missing_reason]
            )
            tds.append(f"<td class='q-na-cell'><i>{w.MISSING}</i><br><small>{e(why)}</small>{since}</td>")
            continue
        cmp_txt = "" if cell.comparison == "unavailable" else f"<br><small>{e(w.COMPARISON[cell.comparison])}</small>"
        tds.append(
            f"<td><span class='{verdict_class.get(ev.verdict, 'q-neutral')}'>{w.ARROW[ev.direction]} "
            f"{e(w.DIRECTION[ev.direction])}</span> {e(w.change_text(ev.change, unit, ev.decimals))}"
            f"<br><small>{e(w.VERDICT[ev.verdict])}</small>{cmp_txt}{since}</td>"
        )
    ref = line.reference_change
    ref_cell = e(w.reference_change_text(ds, ref, line.reference_label))
    if ref.change is not None:
        ref_cell += f"<br><small>{e(w.REFERENCE_ORIGIN[ref.origin])}</small>"
    rows_html.append(
        f"<tr><th>{e(line.label)}<br><small>Période : {e(line.period_label)}</small></th>{''.join(tds)}<td>{ref_cell}</td></tr>"
    )
st.markdown(
    "<style>.q-grid{border-collapse:collapse;width:100%;font-size:0.92rem}.q-grid td,.q-grid th{border:1px solid #d0d7de;"
    "padding:0.35rem 0.5rem;vertical-align:top;text-align:left}.q-grid thead th{background:#eef2f7}"
    ".q-na-cell{background:repeating-linear-gradient(45deg,#fff,#fff 6px,#f3f3f3 6px,#f3f3f3 12px)}</style>"
    # the table scrolls inside its own box on a phone; the page itself never gets wider than the screen
    f"<div class='q-scroll' style='overflow-x:auto' role='region' aria-label='Grille de synthèse' tabindex='0'><table class='q-grid'>"
    f"<thead><tr><th scope='col'>Indicateur</th>{head}<th scope='col'>Référence</th></tr></thead>"
    f"<tbody>{''.join(rows_html)}</tbody></table></div>",
    unsafe_allow_html=True,
)
st.caption(
    "Lecture : ▲/▼ sens de l'évolution ; couleur : amélioration (vert) ou dégradation (rouge) selon que la hausse de "
    "l'indicateur est souhaitable ou non ; « mieux / moins bien que la référence » compare l'évolution du quartier à celle de "
    "la commune ou de l'EPCI (en points pour les taux, en % pour les effectifs). " + w.stability_note(ds)
)
# the curves of each line, through the app's own navigation (a plain link would reload the whole app)
st.markdown("**Courbes des indicateurs de la grille**")
lines = list(cached.synthesis())
for i, col in enumerate(st.columns(3)):
    for line in lines[i::3]:
        col.page_link(path_of("evolutions"), label=line.label, icon=":material/show_chart:", query_params={"ind": line.indicator})

# --- every indicator chart in one click ------------------------------------------------------------
st.header("Tous les indicateurs", anchor=False)
st.caption("Un clic ouvre les courbes de l'indicateur avec les territoires de référence.")
chartable = cached.chartable_indicators()
pillar_names = {"territoire": "Territoire et population"} | {p.id: p.name for p in ds.pillars}
groups = {pid: [i for i in chartable if ds.catalogue[i].pillar == pid] for pid in pillar_names}
groups = {pid: inds for pid, inds in groups.items() if inds}
for col, (pid, inds) in zip(st.columns(len(groups)), groups.items(), strict=True):
    col.markdown(f"**{pillar_names[pid]}**")
    for i in inds:
        col.page_link(path_of("evolutions"), label=md_escape(ds.catalogue[i].label), query_params={"ind": i})

# --- key findings ----------------------------------------------------------------------------------
st.header("Ce que retient le contrat", anchor=False)
for item in ds.synthesis.findings.items:
    st.markdown(f"- {item}")
st.info(ds.synthesis.findings.conclusion)

# --- tiles to every page -------------------------------------------------------------------------
st.header("Explorer", anchor=False)
others = [p for p in PAGES if p.url_path]
for i, col in enumerate(st.columns(4)):
    for p in others[i::4]:
        col.page_link(p.path, label=p.title, icon=p.icon)

sources_footer()
