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
from ui.document import consultation, kiosk
from ui.fiche_text import HEADINGS, NO_OBJECTIVE, fiche_text
from ui.frame import cards, csv_button, download, page_setup, query_choice, sources_footer, sync_query
from ui.maps import quartier_map
from ui.progress_view import completeness_html
from ui.registry import path_of
from ui.render import md_escape, nobreak_html

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

ft = fiche_text(ds, fiche)  # every text of the fiche, worded once for the page, the PDF and the slides

with header:
    page_setup(
        ft.title,
        md_escape(ft.identity) + (f"  \n{md_escape(ft.description)}" if ft.description else ""),
        browser_title=f"{t.name} – Fiche quartier",
    )
    if not kiosk():  # an unattended screen has nowhere to take a file
        download(
            "Télécharger la fiche (PDF)",
            cached.fiche_pdf_bytes(choice, dt.date.today()),
            f"fiche-{choice}.pdf",
            "application/pdf",
            f"pdf_{choice}",
            icon=":material/picture_as_pdf:",
        )
    with st.container(key="q-present"):  # a meeting-room action: not on a phone (ui/frame.py)
        st.page_link(
            path_of("presentation"), label="Présenter ce quartier", icon=":material/slideshow:", query_params={"q": choice}
        )

# A resident reads « En bref », then the key figures, then the map; on a wide screen (projector) the
# key figures come first, above the fold (the order is swapped by the frame's styles, ui/frame.py).
with st.container(key="q-lead"):
    if ft.sentences:  # generated from the records by fixed rules; the PDF says the same (ui/sentences.py)
        with st.container(key="q-brief"):
            st.header(HEADINGS["brief"], anchor=False)
            st.html(
                "<ul class='q-list'>"
                + "".join(
                    f"<li>{nobreak_html(sn.text)}<br><span class='q-src'>{nobreak_html(sn.source)}</span></li>"
                    for sn in ft.sentences
                )
                + "</ul>"
            )
    with st.container(key="q-cards"):
        st.header(HEADINGS["cards"], anchor=False)
        cards(fiche.cards)
        for item in ft.inconsistencies:
            st.warning(item)

st.header(HEADINGS["reading"], anchor=False)
left, right = st.columns([1, 2])
with left:
    m = quartier_map(cached.locator_layer(), highlight=choice, locator=True)
    st_folium(m, key=f"fiche_map_{choice}", height=330, use_container_width=True, returned_objects=[])
    st.html(f"<p class='q-note'>{nobreak_html(ft.map_caption)}</p>")
with right:
    lead, *more = ft.reading
    st.html(
        f"<p><b>{html.escape(lead.label)}.</b> {nobreak_html(lead.text)}</p>"
        + "<ul class='q-list'>"
        + "".join(f"<li>{nobreak_html(x)}</li>" for x in ft.findings)
        + "</ul>"
        + f"<p>→ <i>{nobreak_html(ft.conclusion)}</i></p>"
        + "".join(f"<p><b>{html.escape(x.label)}.</b> {nobreak_html(x.text)}</p>" for x in more)
    )

if ft.priorities:
    with st.expander(HEADINGS["priorities"]):
        st.html("<ul class='q-list'>" + "".join(f"<li>{html.escape(p.line)}</li>" for p in ft.priorities) + "</ul>")
        st.page_link(path_of("priorites"), label="Toutes les priorités des habitants", icon=":material/groups:")

with st.expander(HEADINGS["objectives"]):
    st.html(
        "<ul class='q-list'>"
        + "".join(
            f"<li>{'<b>' if o.targeted else ''}{html.escape(o.id)} {html.escape(o.title)}{'</b>' if o.targeted else ''}"
            f" — {html.escape(o.reason)}</li>"
            for o in ft.objectives
        )
        + "</ul>"
        if ft.objectives
        else f"<p>{html.escape(NO_OBJECTIVE)}</p>"
    )

with st.expander(HEADINGS["followup"]):
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

with st.expander(HEADINGS["comparison"]):
    st.table(pd.DataFrame([dict(zip(ft.comparison_head, row)) for row in ft.comparison_rows]).set_index("Indicateur"))
    st.html(f"<p class='q-note'>{nobreak_html(ft.comparison_note)}</p>")
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
