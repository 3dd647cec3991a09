"""Router only: the declarative list of pages handed to st.navigation."""

import os

import streamlit as st

PAGES = {
    "Tableau de bord": [
        ("pages/accueil.py", "Accueil – synthèse", ":material/home:", "accueil", True),
        ("pages/carte.py", "Carte des quartiers", ":material/map:", "carte", False),
        ("pages/fiche.py", "Fiche quartier", ":material/location_city:", "fiche", False),
        ("pages/evolutions.py", "Évolutions", ":material/show_chart:", "evolutions", False),
    ],
    "Les quatre piliers": [
        ("pages/pilier_education.py", "Éducation et vivre ensemble", ":material/school:", "education", False),
        ("pages/pilier_sante.py", "Santé", ":material/health_and_safety:", "sante", False),
        ("pages/pilier_emploi.py", "Emploi", ":material/work:", "emploi", False),
        ("pages/pilier_cadre_de_vie.py", "Cadre de vie", ":material/apartment:", "cadre-de-vie", False),
    ],
    "Évaluation et concertation": [
        ("pages/referentiel.py", "Référentiel d'évaluation", ":material/fact_check:", "referentiel", False),
        ("pages/priorites.py", "Priorités des habitants", ":material/groups:", "priorites", False),
        ("pages/suivi.py", "Suivi des indicateurs", ":material/edit_note:", "suivi", False),
    ],
    "À propos": [
        ("pages/sources.py", "Sources et méthode", ":material/menu_book:", "sources", False),
    ],
}

if os.environ.get("QUARTIERS_BENCH"):  # the benchmark's reference page (folium map + Altair chart), hidden
    PAGES["À propos"].append(("bench/reference_page.py", "Page de référence", None, "reference", False))

st.set_page_config(page_title="Quartiers 2030 – ARC", page_icon="ui/favicon.png", layout="wide")
nav = st.navigation({
    section: [st.Page(path, title=title, icon=icon, url_path=url, default=default,
                      visibility="hidden" if path.startswith("bench/") else "visible")
              for path, title, icon, url, default in pages]
    for section, pages in PAGES.items()
})
nav.run()
