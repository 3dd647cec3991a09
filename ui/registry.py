"""The one list of pages: the router (app.py), the home page's links, the tests and the benchmark
all read it. No streamlit import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    path: str  # the script, relative to the project root
    title: str  # French, also the browser tab's title
    icon: str
    url_path: str  # "" for the home page
    section: str
    # what a smoke test must find on the page (figures a person reads)
    expected: tuple[str, ...] = ()
    public: bool = True  # shown on public screens (QUARTIERS_MODE=consultation)


HOME = "accueil"

PAGES: tuple[PageEntry, ...] = (
    PageEntry(
        "pages/accueil.py",
        "Accueil – synthèse",
        ":material/home:",
        "",
        "Tableau de bord",
        ("Synthèse des évolutions des QPV", "9 406", "Compiègne : +636 €"),
    ),
    PageEntry(
        "pages/presentation.py",
        "Présentation",
        ":material/slideshow:",
        "presentation",
        "Tableau de bord",
        ("Quartiers 2030 – le territoire en bref", "9 406", "85 046", "1 / 11"),
    ),
    PageEntry(
        "pages/carte.py",
        "Carte des quartiers",
        ":material/map:",
        "carte",
        "Tableau de bord",
        ("63,1 %", "non disponible (le contrat ne donne pas cette valeur)", "QN06008I"),
    ),
    PageEntry(
        "pages/fiche.py",
        "Fiche quartier",
        ":material/location_city:",
        "fiche",
        "Tableau de bord",
        ("10 190 €", "63,1 %", "QN06007M"),
    ),
    PageEntry(
        "pages/evolutions.py",
        "Évolutions",
        ":material/show_chart:",
        "evolutions",
        "Tableau de bord",
        ("Écart à la référence", "+19,6 points", "L'écart à Compiègne s'est réduit de 98 €"),
    ),
    PageEntry(
        "pages/education.py",
        "Éducation et vivre ensemble",
        ":material/school:",
        "education",
        "Les quatre piliers",
        ("Taux de NEET", "1.1 – Poursuivre", "LP Ch. de Gaulle", "51 %"),
    ),
    PageEntry(
        "pages/sante.py",
        "Santé",
        ":material/health_and_safety:",
        "sante",
        "Les quatre piliers",
        ("APL aux infirmiers", "92,6", "5.4 – Renforcer l'accès aux droits"),
    ),
    PageEntry(
        "pages/emploi.py",
        "Emploi",
        ":material/work:",
        "emploi",
        "Les quatre piliers",
        ("1 604", "7.4 – Sensibiliser et accompagner à l'entrepreneuriat", "176"),
    ),
    PageEntry(
        "pages/cadre-de-vie.py",
        "Cadre de vie",
        ":material/apartment:",
        "cadre-de-vie",
        "Les quatre piliers",
        ("118 412 000 €", "9.1 – Poursuivre", "environ 40"),
    ),
    PageEntry(
        "pages/referentiel.py",
        "Référentiel d'évaluation",
        ":material/fact_check:",
        "referentiel",
        "Évaluation et concertation",
        ("Questions évaluatives", "Sources CPAM", "données disponibles"),
    ),
    PageEntry(
        "pages/priorites.py",
        "Priorités des habitants",
        ":material/groups:",
        "priorites",
        "Évaluation et concertation",
        ("4 (ex æquo)", "Vivre en bonne santé dans mon quartier", "3x"),
    ),
    PageEntry(
        "pages/suivi.py",
        "Suivi des indicateurs",
        ":material/edit_note:",
        "suivi",
        "Évaluation et concertation",
        ("Suivi des indicateurs du référentiel",),
    ),
    PageEntry(
        "pages/avancement.py",
        "Avancement des objectifs",
        ":material/checklist:",
        "avancement",
        "Évaluation et concertation",
        ("Complétude du suivi – Ensemble des QPV", "Objectif 1.1 – Poursuivre le travail", "0 / 11", "Questions évaluatives"),
    ),
    PageEntry(
        "pages/sources.py",
        "Sources et méthode",
        ":material/menu_book:",
        "sources",
        "À propos",
        ("169 logements", "160 logements sociaux", "Glossaire", "NEET"),
    ),
)

BY_SLUG = {p.url_path or HOME: p for p in PAGES}

# The benchmark's probe: the router and page frame with no content (added, hidden, when
# QUARTIERS_BENCH is set; see bench/pages_bench.py).
PROBE = PageEntry("bench/router_probe.py", "Sonde du routeur", ":material/timer:", "sonde", "À propos")


def path_of(slug: str) -> str:
    """The script of a page named by its address (« carte », « emploi »; « accueil » for the home page)."""
    return BY_SLUG[slug].path


def sections() -> dict[str, list[PageEntry]]:
    out: dict[str, list[PageEntry]] = {}
    for p in PAGES:
        out.setdefault(p.section, []).append(p)
    return out
