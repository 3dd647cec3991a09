"""Fiche quartier – one QPV or poche, rendered from its record (data.model.Fiche): perimeter, key
figures with evolution and gaps, the contract's reading, residents' priorities, targeted
objectives, comparison. The PDF renders the same record."""

import datetime as dt
import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from data.followup import FollowupStoreError
from data.progress import progress
from ui import cached
from ui import wording as w
from ui.document import consultation, kiosk
from ui.frame import PERIMETER_WARNING, cards, csv_button, page_setup, query_choice, sources_footer, sync_query
from ui.maps import quartier_map
from ui.progress_view import completeness_html
from ui.registry import path_of
from ui.render import comparison_frame
from ui.sentences import fiche_sentences

ds = cached.dataset()
ids = ds.quartier_ids
current = query_choice("q", ids, ids[0])
if st.session_state.get("fiche_q") not in ids or st.session_state.get("_fiche_url") != current:
    st.session_state["fiche_q"] = current  # the URL wins when it changed (link, back button)
    st.session_state["_fiche_url"] = current

header = st.container()  # the title goes above the selector, once the choice is known
choice = st.selectbox("Quartier", ids, key="fiche_q", format_func=lambda q: ds.territories[q].name)
st.session_state["_fiche_url"] = choice
sync_query("q", choice)
fiche = cached.fiche(choice)
t = fiche.territory

with header:
    page_setup(
        t.name,
        f"{w.KIND[t.kind]} · code officiel **`{t.code}`**" + (f"  \n{t.description}" if t.description else ""),
        browser_title=f"{t.name} – Fiche quartier",
    )
    if not kiosk():  # an unattended screen has nowhere to take a file
        st.download_button(
            "Télécharger la fiche (PDF)",
            data=cached.fiche_pdf_bytes(choice, dt.date.today()),
            file_name=f"fiche-{choice}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            key=f"pdf_{choice}",
        )
    st.page_link(path_of("presentation"), label="Présenter ce quartier", icon=":material/slideshow:", query_params={"q": choice})

# the key figures first: on a projector they are above the fold, then the sentences, then the map
st.header("Chiffres clés", anchor=False)
cards(fiche.cards)
for item in fiche.inconsistencies:
    st.warning(w.inconsistency_text(item))

sentences = fiche_sentences(ds, fiche)
if sentences:  # generated from the records by fixed rules; the PDF says the same (ui/sentences.py)
    st.header("En bref", anchor=False)
    st.html(
        "<ul class='q-list'>"
        + "".join(
            f"<li>{html.escape(sn.text)}<br><small style='color:#4a5560'>{html.escape(sn.source)}</small></li>"
            for sn in sentences
        )
        + "</ul>"
    )

st.header("Situation et lecture du contrat", anchor=False)
left, right = st.columns([1, 2])
with left:
    m = quartier_map(cached.locator_layer(), highlight=choice, locator=True)
    st_folium(m, key=f"fiche_map_{choice}", height=330, use_container_width=True, returned_objects=[])
    st.caption(
        f"{'Périmètre 2024' if t.kind == 'qpv' else 'Carreau INSEE de 200 m'} de « {t.name} » (en orange) ; "
        "en gris, les autres quartiers." + (" " + PERIMETER_WARNING.replace("**", "") if t.kind == "qpv" else "")
    )
with right:
    r = fiche.reading
    st.markdown(f"**Lecture du contrat.** {r.headline}")
    for item in r.findings:
        st.markdown(f"- {item}")
    st.markdown(f"→ *{r.conclusion}*")
    if r.perimeter_2024:
        st.markdown(f"**Périmètre 2024.** {r.perimeter_2024}")
    if r.renewal:
        st.markdown(f"**Renouvellement urbain.** {r.renewal}")

if fiche.priorities:
    st.header("Priorités exprimées par les habitants", anchor=False)
    st.table(
        pd.DataFrame(
            [{"Rang": f"{p.rank}{' (ex æquo)' if p.tie else ''}", "Thème": p.label} for p in fiche.priorities]
        ).set_index("Rang")
    )
    st.page_link(path_of("priorites"), label="Toutes les priorités des habitants", icon=":material/groups:")

st.header("Objectifs du contrat qui le concernent", anchor=False)
if not fiche.targeted and not fiche.mentioned:
    st.markdown(
        "Aucun objectif opérationnel ne cible explicitement ce quartier : tous les objectifs transversaux s'y appliquent."
    )
for ob in fiche.targeted:
    st.markdown(f"- **{ob.id} {ob.title}** — ciblé explicitement ({ob.target_basis})")
for ob in fiche.mentioned:
    st.markdown(f"- {ob.id} {ob.title} — le quartier est cité dans la fiche de l'objectif")

st.header("Suivi des objectifs du contrat (N … N+5)", anchor=False)
try:
    followed = progress(ds.framework, cached.followup_store(read_only=consultation()).latest(), choice, ds=ds)
except FollowupStoreError as err:
    st.error(f"Valeurs de suivi indisponibles : {err}.")
else:
    st.html(completeness_html(followed, t.name))
    st.page_link(
        path_of("avancement"),
        label=f"Avancement de chaque objectif pour « {t.name} »",
        icon=":material/checklist:",
        query_params={"quartier": choice},
    )

st.header("Comparaison avec les autres quartiers", anchor=False)
st.table(comparison_frame(ds, fiche.comparison))
st.caption(
    f"« {w.MISSING} » : le contrat ne donne pas la valeur (ou l'imprime « NA »). Source : contrat, tableaux par quartier"
    + (" ; périmètres QPV 2015 pour les séries des QPV." if t.kind == "qpv" else " ; carreaux INSEE de 200 m.")
)
csv_button(
    cached.figures_csv(territory=choice),
    f"quartiers2030-{choice}.csv",
    f"Télécharger tous les chiffres de « {t.name} » (CSV)",
    key=f"dl_fiche_{choice}",
)
if choice in set(cached.chartable_territories()):
    st.page_link(
        path_of("evolutions"),
        label="Voir les courbes d'évolution de ce quartier",
        icon=":material/show_chart:",
        query_params={"q": choice},
    )
sources_footer()
