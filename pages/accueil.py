"""Accueil – the territory at a glance, the synthesis grid, the contract's key findings."""

import html

import streamlit as st

from data import analysis
from data.formatting import fr_change, fr_number, fr_value, period_label
from ui import cached
from ui.frame import PERIMETER_WARNING, figure_card, page_setup, quartier_ids, sources_footer, tname, verdict_class

page_setup("Contrat de Ville « Quartiers 2030 » – Agglomération de la Région de Compiègne",
           "Tableau de bord du diagnostic et du cadre d'évaluation du contrat : **3 quartiers prioritaires (QPV)** "
           "et **2 poches de pauvreté**, tous situés à Compiègne.")

cat, df, syn = cached.catalogue(), cached.series_frame(), cached.doc("synthesis")
get = analysis.get_value

# --- the territory at a glance -----------------------------------------------------------------
st.subheader("Le territoire en bref")
for col, card in zip(st.columns(4), cached.doc("views")["accueil"]["cards"]):
    ind = cat[card["indicator"]]
    v = get(df, card["territory"], ind.id, card["period"])
    parts = []
    for c in card.get("context", []):
        cv = get(df, c["territory"], c["indicator"], c["period"])
        text = fr_value(cv.value, cat[c["indicator"]].unit, cv.decimals) if cv else "non disponible"
        parts.append(f"{c['before']} <b>{text}</b> {c['after']}".strip())
    if card.get("from"):
        ev = analysis.evolution(df, card["territory"], ind.id, card["from"], card["period"], ind.unit)
        verdict = analysis.judge(ev.change, ind.higher_is_better)
        parts.append(f"{fr_change(ev.change, ind.unit, ev.decimals)} depuis {period_label(card['from'])} "
                     f"(<span class='{verdict_class(verdict)}'>{verdict}</span>)")
    with col:
        figure_card(card["label"], v, ind.unit, " ".join(parts))
        if card.get("link"):
            st.page_link(f"pages/{card['link']['page']}.py", label=card["link"]["label"], icon=":material/arrow_forward:",
                         query_params=card["link"]["query"] or None)

# --- one click to each quartier --------------------------------------------------------------
st.subheader("Les quartiers")
cols = st.columns(5)
ts = cached.territories()
for col, q in zip(cols, quartier_ids()):
    t = ts[q]
    kind = "Quartier prioritaire" if t.kind == "qpv" else "Poche de pauvreté"
    pop = get(df, q, "population_qpv2024", "") if t.kind == "qpv" else get(df, q, "estimated_population", "")
    with col:
        st.markdown(f"**{t.name}**  \n{kind} · `{t.code if t.kind == 'qpv' else 'carreau 200 m'}`  \n"
                    f"{fr_number(pop.value)} {'habitants (périmètre 2024)' if t.kind == 'qpv' else 'personnes (estimation)'}")
        st.page_link("pages/fiche.py", label=f"Fiche {t.short}", icon=":material/arrow_forward:", query_params={"q": q})

# --- synthesis grid -------------------------------------------------------------------------------
st.subheader("Synthèse des évolutions des QPV")
st.caption(syn["caveat"] + " " + PERIMETER_WARNING.replace("**", ""))
grid = cached.synthesis_grid()
columns = syn["columns"]
head = "".join(f"<th>{html.escape(tname(c, short=True))}</th>" for c in columns)
rows_html = []
for row in syn["rows"]:
    ind = cat[row["indicator"]]
    cells = []
    for c in columns:
        r = grid[(grid["indicator"] == row["indicator"]) & (grid["column"] == c)].iloc[0]
        if r["verdict"] == "non disponible":
            cells.append(f"<td class='q-na-cell'><i>non disponible</i><br><small>{html.escape(r['reason'])}</small></td>")
            continue
        arrow = {"hausse": "▲", "baisse": "▼", "stable": "■"}[r["direction"]]
        change = fr_change(r["change"], ind.unit, int(r["decimals"]))
        cmp_txt = "" if r["comparison"] == "non disponible" else f"<br><small>{html.escape(r['comparison'])}</small>"
        cells.append(f"<td><span class='{verdict_class(r['verdict'])}'>{arrow} {html.escape(r['direction'])}</span> "
                     f"{html.escape(change)}<br><small>{html.escape(r['verdict'])}</small>{cmp_txt}</td>")
    r0 = grid[grid["indicator"] == row["indicator"]].iloc[0]
    if r0["reference_change"] is not None and r0["reference_change"] == r0["reference_change"]:
        ref_txt = fr_change(r0["reference_change"], ind.unit, 1 if ind.unit == "pourcent" else 0)
        ref_cell = f"{html.escape(row['reference_label'])} : {html.escape(ref_txt)}<br><small>{html.escape(r0['reference_origin'])}</small>"
    else:
        ref_cell = f"{html.escape(row['reference_label'])} : <i>non disponible</i>"
    link = f"evolutions?ind={row['indicator']}"
    rows_html.append(f"<tr><th><a href='{link}' target='_self'>{html.escape(row['label'])}</a><br>"
                     f"<small>Période : {html.escape(row['period_label'])}</small></th>{''.join(cells)}<td>{ref_cell}</td></tr>")
st.markdown(
    "<style>.q-grid{border-collapse:collapse;width:100%;font-size:0.92rem}.q-grid td,.q-grid th{border:1px solid #d0d7de;"
    "padding:0.35rem 0.5rem;vertical-align:top;text-align:left}.q-grid thead th{background:#eef2f7}"
    ".q-na-cell{background:repeating-linear-gradient(45deg,#fff,#fff 6px,#f3f3f3 6px,#f3f3f3 12px)}</style>"
    f"<table class='q-grid'><thead><tr><th>Indicateur</th>{head}<th>Référence</th></tr></thead><tbody>{''.join(rows_html)}</tbody></table>",
    unsafe_allow_html=True,
)
st.caption("Lecture : ▲/▼ sens de l'évolution ; couleur : amélioration (vert) ou dégradation (rouge) selon que la hausse de "
           "l'indicateur est souhaitable ou non ; « mieux / moins bien que la référence » compare l'évolution du quartier à celle de "
           "la commune ou de l'EPCI (en points pour les taux, en % pour les effectifs). Cliquer un indicateur ouvre ses courbes.")

# --- every indicator chart in one click ------------------------------------------------------------
st.subheader("Tous les indicateurs")
st.caption("Un clic ouvre les courbes de l'indicateur avec les territoires de référence.")
chartable = cached.chartable_indicators()
pillar_names = {p["id"]: p["name"] for p in cached.pillars()} | {"territoire": "Territoire et population"}
groups = {pid: [i for i in chartable if cat[i].pillar == pid] for pid in pillar_names}
groups = {pid: inds for pid, inds in groups.items() if inds}
for col, (pid, inds) in zip(st.columns(len(groups)), groups.items()):
    col.markdown(f"**{pillar_names[pid]}**\n" + "\n".join(f"- [{cat[i].label}](evolutions?ind={i})" for i in inds))

# --- key findings ----------------------------------------------------------------------------------
st.subheader("Ce que retient le contrat")
f = syn["findings"]
for item in f["items"]:
    st.markdown(f"- {item}")
st.info(f["conclusion"])

# --- tiles to every page -------------------------------------------------------------------------
st.subheader("Explorer")
a, b, c, d = st.columns(4)
a.page_link("pages/carte.py", label="Carte des quartiers", icon=":material/map:")
a.page_link("pages/evolutions.py", label="Évolutions des indicateurs", icon=":material/show_chart:")
b.page_link("pages/pilier_education.py", label="Éducation et vivre ensemble", icon=":material/school:")
b.page_link("pages/pilier_sante.py", label="Santé", icon=":material/health_and_safety:")
c.page_link("pages/pilier_emploi.py", label="Emploi", icon=":material/work:")
c.page_link("pages/pilier_cadre_de_vie.py", label="Cadre de vie", icon=":material/apartment:")
d.page_link("pages/referentiel.py", label="Référentiel d'évaluation", icon=":material/fact_check:")
d.page_link("pages/priorites.py", label="Priorités des habitants", icon=":material/groups:")
d.page_link("pages/suivi.py", label="Suivi des indicateurs", icon=":material/edit_note:")
d.page_link("pages/sources.py", label="Sources et méthode", icon=":material/menu_book:")

sources_footer()
