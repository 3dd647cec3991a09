"""What the texts must say (issue 19): the words a reader sees say what the contract says, checked
on the labels, the pages and the slides built from the records."""

from __future__ import annotations

import pytest

from data import model
from data.dataset import load_dataset
from ui import slides
from ui import wording as w
from ui.sentences import card_sentence, fiche_sentences

from .test_pages import page_text, run_page

NPNRU_PROGRAMME = (
    "npnru_demolished_units",
    "npnru_rehabilitated_units",
    "npnru_built_units",
    "npnru_demolished_buildings",
    "npnru_built_tertiary_buildings",
    "npnru_public_facilities",
)


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def test_the_npnru_figures_are_the_conventions_programme_not_work_done(ds):
    """The contract lists the convention's « principales opérations » (« Démolition de 3 immeubles
    -102 logements », « Construction d'environ 180 logements ») as recalled by the project review of
    30 June 2023: a programme, not a count of what is demolished or built."""
    for key in NPNRU_PROGRAMME:
        ind = ds.catalogue[key]
        assert "la convention prévoit" in ind.label, ind.label
        for done in ("démolis", "réhabilités", "construits", "reconfigurés"):
            assert done not in ind.label, ind.label
        assert "pas un bilan" in ind.definition, ind.definition
    assert ds.catalogue["npnru_demolished_units"].label == "NPNRU : logements dont la convention prévoit la démolition"
    deck = slides.build(ds, lambda kind, indicator, territories, title: {"title": title})
    (cadre,) = [s for s in deck if s.kind == "pillar" and s.title.startswith("Cadre de vie")]
    assert cadre.subtitle == "NPNRU : logements dont la convention prévoit la démolition"
    assert cadre.chart["title"] == "NPNRU : logements dont la convention prévoit la démolition (30/06/2023)"


def test_the_cadre_de_vie_page_says_programme():
    text = page_text(run_page("pages/cadre-de-vie.py"))
    assert "NPNRU : logements dont la convention prévoit la démolition" in text
    assert "NPNRU : immeubles dont la convention prévoit la démolition – Clos des Roses" in text
    assert "logements démolis" not in text and "Immeubles démolis" not in text


def card_lines(ds, q: str) -> list[str]:
    return [ln.text for c in model.fiche(ds, q).cards for ln in w.card_text(ds, c).lines]


def test_a_gap_to_a_territory_takes_its_article(ds):
    for q in ("clos-des-roses", "la-victoire", "vivier-corax"):
        lines = card_lines(ds, q)
        assert any(ln.startswith("Écart à l'ARC (EPCI) (2020-2021) : ") for ln in lines), lines
        assert any(ln.startswith("L'écart à Compiègne s'est ") for ln in lines), lines
        assert not [ln for ln in lines if "à ARC" in ln or "de ARC" in ln]
        assert "L'ARC (EPCI) sur la même période : +0,3 point (énoncé du contrat)" in lines
    assert [w.to_place(ds, t) for t in ("arc", "compiegne", "oise", "hauts-de-france", "france", "clos-des-roses")] == [
        "à l'ARC (EPCI)",
        "à Compiègne",
        "à l'Oise",
        "aux Hauts-de-France",
        "à la France",
        "au Clos des Roses",
    ]
    assert [w.of_place(ds, t) for t in ("arc", "compiegne", "hauts-de-france", "france", "echarde", "la-victoire")] == [
        "de l'ARC (EPCI)",
        "de Compiègne",
        "des Hauts-de-France",
        "de la France",
        "de l'Echarde",
        "de La Victoire",
    ]
    s = " ".join(x.text for x in fiche_sentences(ds, model.fiche(ds, "la-victoire")))
    assert "l'écart à Compiègne s'est creusé de 118 €" in s and "à l'échelle de l'ARC (EPCI) : +0,3 point" in s


def test_a_share_of_the_town_names_the_quartier_inside_the_town(ds):
    def share_sentence(q: str) -> str:
        (card,) = [c for c in model.fiche(ds, q).cards if c.label == "Part de la population de Compiègne"]
        return card_sentence(ds, q, card).text

    assert share_sentence("clos-des-roses") == (
        "Entre 2013 et 2018, la part du Clos des Roses dans la population de Compiègne est passée de 7,57 % à 8,61 % "
        "(+1,04 point)."
    )
    assert share_sentence("la-victoire").startswith("Entre 2013 et 2018, la part de La Victoire dans la population de Compiègne")
    assert "population de Compiègne du" not in share_sentence("vivier-corax")


def test_the_clsm_is_named_as_the_contract_names_it_both_names_kept(ds):
    """The contract says « Conseil Local de Santé Mentale » once (Santé – La situation actuelle) and
    « Contrat Local de Santé Mentale » where it counts the 35 signatories (« signataire de ce CLSM »)."""
    ind = ds.catalogue["clsm_signatory_institutions"]
    assert ind.label == "Institutions signataires du Contrat local de santé mentale"
    assert "Conseil" not in ind.label + ind.definition.split(" — ")[0]
    (clsm,) = [t for t in ds.glossary.terms if t.term == "CLSM"]
    assert clsm.definition.startswith("Contrat local de santé mentale")
    assert "« Conseil Local de Santé Mentale »" in clsm.definition
    (item,) = [i for i in ds.inconsistencies.items if i.id == "clsm-conseil-ou-contrat"]
    assert item.indicators == ["clsm_signatory_institutions"]
    assert [str(v.value) for v in item.versions] == ["Conseil Local de Santé Mentale", "Contrat Local de Santé Mentale"]
    wheres = " ".join(v.where for v in item.versions)
    assert "« Un Conseil Local de Santé Mentale à l'échelle de l'ARC existe. »" in wheres
    assert "« En 2022, Un coordinateur d'un Contrat Local de Santé Mentale a été recruté par l'ARC" in wheres
    text = page_text(run_page("pages/sources.py"))
    assert "Conseil Local de Santé Mentale" in text and "Contrat Local de Santé Mentale" in text


def test_the_poverty_rate_says_which_income_it_is_measured_on(ds):
    """The contract: « Taux de pauvreté à 60% du revenu déclaré » (FiLoSoFi, before taxes and benefits)."""
    for q in ("clos-des-roses", "la-victoire", "vivier-corax"):
        labels = [c.label for c in model.fiche(ds, q).cards]
        assert "Taux de pauvreté à 60 % du revenu déclaré" in labels
        assert not [x for x in labels if "(60 %)" in x]
    s = " ".join(x.text for x in fiche_sentences(ds, model.fiche(ds, "clos-des-roses")))
    assert "le taux de pauvreté à 60 % du revenu déclaré du Clos des Roses est passé de 66,4 % à 63,1 %" in s
    (term,) = [t for t in ds.glossary.terms if t.term.startswith("Taux de pauvreté")]
    assert term.term == "Taux de pauvreté à 60 % du revenu déclaré"
    assert "revenu déclaré" in term.definition and "revenu disponible" in term.definition


def test_the_glossary_neet_says_whose_age_band_is_whose(ds):
    (neet,) = [t for t in ds.glossary.terms if t.term == "NEET"]
    d = neet.definition
    assert "Le contrat mesure les 16-25 ans" in d and "« Taux des 16-25 ans non scolarisés et sans emploi »" in d
    assert "l'INSEE et Eurostat retiennent les 15-29 ans" in d
    assert "jeune de 16 à 25 ans ni en emploi" not in d  # the international definition is not the contract's band
    assert d in page_text(run_page("pages/sources.py"))


def test_a_change_of_a_gap_is_said_as_a_change_not_as_a_level(ds):
    """The contract's « Evolution des écarts »: « une diminution des écarts avec la commune (-98€) »,
    « une augmentation des écarts avec la commune (+118€) », « … de +1 144€ » (2015 → 2020). A card
    line « Écart à Compiègne : +1 144 € » read as the gap itself."""
    said = {
        "clos-des-roses": "L'écart à Compiègne s'est réduit de 98 € entre 2015 et 2020 (énoncé du contrat)",
        "la-victoire": "L'écart à Compiègne s'est creusé de 118 € entre 2015 et 2020 (énoncé du contrat)",
        "vivier-corax": "L'écart à Compiègne s'est creusé de 1 144 € entre 2015 et 2020 (énoncé du contrat)",
    }
    for q, line in said.items():
        lines = card_lines(ds, q)
        assert line in lines, lines
        assert not [ln for ln in lines if ln.startswith("Écart à Compiègne")], lines
    # the three are the contract's only stated changes of a gap: all the median declared income's
    gaps = [s for q in ds.quartier_ids for c in model.fiche(ds, q).cards for s in c.stated if s.reference]
    assert sorted((s.territory, s.indicator, s.change) for s in gaps) == [
        ("clos-des-roses", "median_declared_income", -98),
        ("la-victoire", "median_declared_income", 118),
        ("vivier-corax", "median_declared_income", 1144),
    ]
