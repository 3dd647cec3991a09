"""Sources & méthode – every dataset with producer, millésime, perimeter and licence, the
contract's caveats, its inconsistencies, and a glossary."""

import re

import pandas as pd
import streamlit as st

from data.formatting import period_label
from ui import cached
from ui import wording as w
from ui.document import consultation
from ui.frame import CONTRACT, csv_button, page_setup

page_setup(
    "Sources et méthode",
    f"Tous les chiffres viennent du **{CONTRACT}** (texte intégral), recopiés tels qu'imprimés : aucune valeur "
    "n'est arrondie, complétée ni inventée. Une valeur « NA » reste manquante et s'affiche « non disponible ».",
)

ds = cached.dataset()
cat, ts = ds.catalogue, ds.territories
public = consultation()
POCHE_IDS = {t.code: t.short for t in ts.values() if t.kind == "poche" and t.code}
FILE_REF = re.compile(r"\s*\((?:[\w.-]+/)+[\w.-]+\)")  # « (geo/qpv2024_compiegne.geojson) »
PROJECTION = re.compile(r"\s*en projection européenne EPSG:\d+")


def for_a_person(value: object) -> str:
    """On a public screen, the data's own words without what only the team reads: a file's path, a
    projection's code, INSEE's grid identifier of a poche (its name instead). The team sees them."""
    text = str(value)  # a version's value may be a number
    if not public:
        return text
    text = PROJECTION.sub("", FILE_REF.sub("", text))
    for code, short in POCHE_IDS.items():
        text = text.replace(code, f"({short})")
    return text


st.header("Jeux de données", anchor=False)
st.table(
    pd.DataFrame(
        [
            {
                "Indicateur": cat[d.indicator].label,
                "Producteur (selon le contrat)": " ; ".join(d.sources),
                "Millésime(s)": ", ".join(period_label(p) for p in d.periods),
                "Périmètre(s)": " ; ".join(for_a_person(p) for p in d.perimeters),
                "Territoires": ", ".join(ts[t].short for t in d.territories),
                "Partie du contrat": " ; ".join(d.contract_refs),
                "Valeurs « NA »": d.na_count,
                "Attributions déduites": d.inferred_count,
            }
            for d in cached.dataset_summaries()
        ]
    ).set_index("Indicateur")
)
csv_button(cached.figures_csv(), "quartiers2030-indicateurs.csv", "Télécharger toutes les séries (CSV)")
st.caption(
    "« non précisée » : le contrat ne cite pas le producteur de la série. Licence des chiffres : ceux du contrat de "
    "ville, document public de l'ARC et de la Ville de Compiègne."
)


def team_geography() -> None:
    """The team's view: files, producers with their packages, provenance notes as written."""
    geo_rows = [
        {
            "Couche": "QPV 2024 (3 quartiers)",
            "Producteur": "ANCT – Quartiers prioritaires de la politique de la ville",
            "Millésime": "2024",
            "Licence": "Licence Ouverte (Etalab)",
            "Fichier": "geo/qpv2024_compiegne.geojson",
        },
        {
            "Couche": "Poches de pauvreté (2 carreaux de 200 m)",
            "Producteur": "INSEE (identifiants de carreaux cités par le contrat, note 2)",
            "Millésime": "FiLoSoFi 2017",
            "Licence": "calcul à partir des identifiants (pas de données INSEE redistribuées)",
            "Fichier": "geo/poches_pauvrete_carreaux_200m.geojson",
        },
        {
            "Couche": "Commune de Compiègne",
            "Producteur": "IGN Admin Express COG (simplifié, via gregoiredavid/france-geojson)",
            "Millésime": "2018",
            "Licence": "Licence Ouverte",
            "Fichier": "geo/compiegne_commune_60159.geojson",
        },
        {
            "Couche": "22 communes de l'ARC",
            "Producteur": "IGN Admin Express COG 2018 ; liste des membres : @etalab/decoupage-administratif 6.0.0",
            "Millésime": "2018 (tracés), 2026 (composition)",
            "Licence": "Licence Ouverte",
            "Fichier": "geo/arc_communes_200067965.geojson",
        },
    ]
    st.table(pd.DataFrame(geo_rows).set_index("Couche"))
    st.markdown(f"**Contours 2015 :** {per.qpv_2015.note}")
    st.markdown(f"**Carreaux :** {per.poches.method}")
    st.markdown(
        "**Codes QPV 2024 :** la dernière lettre code l'évolution depuis 2015 — "
        + " ; ".join(f"« {k} » : {v}" for k, v in per.qpv_2024.code_suffix_meaning.items())
        + "."
    )
    for q in per.qpv_2024.quartiers:
        st.markdown(
            f"- {ts[q.territory].name} `{q.code}` — contrat : {q.contract_says}" + ("" if q.consistent else f" — ⚠️ {q.note}")
        )
    for name, text in cached.geo_provenance():
        with st.expander(f"Provenance détaillée : {name}"):
            st.markdown(text)


def public_geography() -> None:
    """A public screen says the same for a person: who drew each layer, when, under which licence,
    and how the poches were placed — no file, package, code or projection."""
    rows = [
        {
            "Couche": "Quartiers prioritaires 2024 (3 quartiers)",
            "Producteur": "ANCT (Agence nationale de la cohésion des territoires), liste officielle des quartiers prioritaires",
            "Millésime": "2024",
            "Licence": "Licence Ouverte (Etalab)",
        },
        {
            "Couche": "Poches de pauvreté (2 carrés de 200 m)",
            "Producteur": "INSEE (emplacement des carrés cités par le contrat, note 2), tracés pour ce tableau de bord",
            "Millésime": "FiLoSoFi 2017",
            "Licence": "aucune donnée INSEE reprise : seul l'emplacement des carrés est tracé",
        },
        {
            "Couche": "Commune de Compiègne",
            "Producteur": "IGN (Admin Express, contours des communes, version simplifiée)",
            "Millésime": "2018",
            "Licence": "Licence Ouverte",
        },
        {
            "Couche": "22 communes de l'ARC",
            "Producteur": "IGN (Admin Express) ; liste des communes membres publiée par Etalab",
            "Millésime": "2018 (tracés), 2026 (liste des communes)",
            "Licence": "Licence Ouverte",
        },
    ]
    st.table(pd.DataFrame(rows).set_index("Couche"))
    st.markdown(f"**Anciens contours (2015) :** {per.qpv_2015.note}")
    st.markdown(
        "**Poches de pauvreté :** chacune est un carré de 200 m de côté de la grille de l'INSEE ; le contrat "
        "désigne ces carrés, qui sont tracés sur la carte à leur emplacement exact."
    )
    st.markdown("**Les quartiers prioritaires et leur contour 2024, selon le contrat :**")
    for q in per.qpv_2024.quartiers:
        st.markdown(f"- {ts[q.territory].name} (code {q.code}) : {q.contract_says}")


per = ds.perimeters
st.subheader("Contours géographiques", anchor=False)
if public:
    public_geography()
else:
    team_geography()

st.header("Précautions du contrat", anchor=False)
st.markdown(f"- **Périmètres (note 3)** : « {per.qpv_2015.contract_footnote_3} »")
st.markdown(f"- **Synthèse des évolutions** : {ds.synthesis.caveat}")
st.markdown(
    "- **Périodes hétérogènes** : selon l'indicateur, 2013 → 2018, 2015 → 2019 ou 2020, 2017-2018 → 2020-2021, "
    "31/12/2016 → 31/12/2022, T2 2021 → T2 2023 ; le tableau du contrat regroupe « 2013 ou 2015 » et « 2018, 2019 ou 2020 »."
)
st.markdown("- **Santé** : les données d'accès aux soins (APL) sont disponibles à l'échelle de la ville et non des QPV.")
st.markdown("- **Référentiel** : « ce référentiel est indicatif et pourra faire l'objet d'ajustements ».")

st.header("Incohérences relevées dans le contrat, questions ouvertes et précisions", anchor=False)
st.markdown("Les deux versions sont conservées dans les données ; aucune n'est corrigée en silence.")
for item in ds.inconsistencies.items:
    kind = w.INCONSISTENCY_KIND.get(item.kind, "Incohérence").replace(" du contrat", "")
    st.markdown(
        f"- {kind} — **{for_a_person(item.summary)}**"
        + "".join(f"\n    - {for_a_person(v.value)} — {for_a_person(v.where)}" for v in item.versions)
    )

cached_figures = cached.all_figures()
st.header("Attributions déduites", anchor=False)
st.markdown(
    f"Chiffres dont le territoire ou la période ne sont pas écrits par le contrat mais déduits du texte ; chacun "
    f"porte la mention « {w.INFERRED} » et sa raison."
)
for f in (f for f in cached_figures if f.inferred):
    st.markdown(
        f"- {cat[f.indicator].label} – {ts[f.territory].short} ({period_label(f.period)}) : {w.value_text(f)} — {for_a_person(f.inferred)}"
    )

st.header("Glossaire", anchor=False)
for term in ds.glossary.terms:
    st.markdown(f"**{term.term}** — {for_a_person(term.definition)}")

st.header("Méthode", anchor=False)
if public:
    st.markdown(
        "- Chaque chiffre est recopié du contrat avec son territoire, sa période telle que le contrat l'écrit, son "
        "producteur, son périmètre et l'endroit du contrat d'où il vient. Quand le contrat imprime « NA », la valeur reste "
        "manquante et s'affiche « non disponible » ; « environ » et « plus de » sont conservés.\n"
        "- Les évolutions que le contrat énonce sans donner les niveaux (« +0,3 point » pour le taux de pauvreté de "
        "l'agglomération, évolution de l'écart de revenu de chaque quartier à la commune) sont montrées comme des "
        "évolutions, jamais comme des niveaux.\n"
        "- Les écarts de taux sont exprimés en points de pourcentage.\n"
        "- Les orientations, objectifs et indicateurs du référentiel d'évaluation sont repris du texte du contrat, puis "
        "vérifiés avant d'être publiés."
    )
else:
    st.markdown(
        "- Chaque chiffre est stocké avec son territoire, sa période telle que libellée par le contrat, son statut (`ok`, ou `na` "
        "quand le contrat imprime NA), son qualificatif (`approx` pour « environ » / « une quarantaine », `lower_bound` pour "
        "« plus de »), son producteur, son périmètre et la partie du contrat d'où il vient "
        "(`qpv_data/indicators.csv`).\n"
        "- Les évolutions que le contrat énonce sans niveau (« +0,3 point » pour le taux de pauvreté de l'EPCI, évolution de "
        "l'écart de revenu de chaque QPV à la commune) sont stockées comme des évolutions (`qpv_data/changes.csv`), jamais comme "
        "des niveaux.\n"
        "- Les écarts de taux sont exprimés en points de pourcentage.\n"
        "- Le cadre stratégique est extrait du texte du contrat (`tools/extract_framework.py`) ; le référentiel d'évaluation "
        "y est relu à la main tel que le contrat l'imprime (une amorce suivie de puces : les puces sont les indicateurs ; "
        "les précisions de période ou de décomposition ne sont pas des indicateurs). Les deux sont validés à la lecture "
        "(`data/framework.py`)."
    )
