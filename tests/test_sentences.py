"""Generated French sentences (ui/sentences.py): each rule against the numbers — an evolution with
its verdict word from the catalogue's « higher is better », a gap change the contract states, a
reference's stated change, NA and absent values, qualifiers — then the same sentences on the fiche
page and in its PDF."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from data import model
from data.dataset import load_dataset
from ui.sentences import card_sentence, fiche_sentences, of_territory, subject

from .test_pdf import QUARTIERS, norm, pdf_bytes, pdf_text


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def sentence(ds, q: str, label: str) -> str:
    card = next(c for c in model.fiche(ds, q).cards if c.label == label)
    return card_sentence(ds, q, card).text


def test_the_issue_example(ds):
    assert sentence(ds, "clos-des-roses", "Médiane des revenus déclarés") == (
        "Entre 2015 et 2020, la médiane des revenus déclarés du Clos des Roses est passée de 9 456 € à 10 190 € (+734 €), "
        "une amélioration ; l'écart à Compiègne s'est réduit de 98 € (énoncé du contrat)."
    )


def test_direction_words_follow_higher_is_better(ds):
    # poverty: lower is better
    assert "de 66,4 % à 63,1 % (-3,3 points), une amélioration" in sentence(
        ds, "clos-des-roses", "Taux de pauvreté à 60 % du revenu déclaré"
    )
    assert "de 56,0 % à 59,3 % (+3,3 points), une dégradation" in sentence(
        ds, "la-victoire", "Taux de pauvreté à 60 % du revenu déclaré"
    )
    # income: higher is better, and the gap the contract says grew
    assert sentence(ds, "vivier-corax", "Médiane des revenus déclarés").endswith(
        "de 9 978 € à 9 470 € (-508 €), une dégradation ; l'écart à Compiègne s'est creusé de 1 144 € (énoncé du contrat)."
    )
    # population: no judgement, no verdict word
    s = sentence(ds, "clos-des-roses", "Population en QPV")
    assert s == "Entre 2013 et 2018, la population en QPV du Clos des Roses est passée de 3 059 à 3 490 (+431, soit +14,1 %)."


def test_a_reference_change_stated_by_the_contract(ds):
    assert sentence(ds, "clos-des-roses", "Taux de pauvreté à 60 % du revenu déclaré").endswith(
        "; à l'échelle de l'ARC (EPCI) : +0,3 point (énoncé du contrat)."
    )


def test_na_and_absent_values_are_said_never_computed(ds):
    assert sentence(ds, "clos-des-roses", "Part des allocataires monoparentaux") == (
        "En 2019, la part des allocataires monoparentaux du Clos des Roses n'est pas disponible "
        "(valeur « NA » dans le contrat) ; elle était de 23,60 % en 2015."
    )
    assert sentence(ds, "la-victoire", "Part des allocataires monoparentaux") == (
        "La part des allocataires monoparentaux de La Victoire n'est disponible ni en 2015 ni en 2019."
    )


def test_qualifiers_are_kept(ds):
    card = next(c for c in model.fiche(ds, "clos-des-roses").cards if c.label == "Allocataires RSA")
    ev = dataclasses.replace(card.evolution, start=dataclasses.replace(card.evolution.start, qualifier="approx"))
    text = card_sentence(ds, "clos-des-roses", dataclasses.replace(card, evolution=ev)).text
    assert "le nombre d'allocataires RSA du Clos des Roses est passé d'environ 276 à 271 (-5" in text


def test_dates_quarters_and_names(ds):
    assert sentence(ds, "la-victoire", "DEFM ABCDE").startswith(
        "Entre le 31/12/2016 et le 31/12/2022, le nombre de DEFM ABCDE de La Victoire"
    )
    assert sentence(ds, "vivier-corax", "Demandeurs d'emploi").startswith(
        "Entre le T2 2021 et le T2 2023, le nombre de demandeurs d'emploi"
    )
    assert subject("Allocataires RSA") == ("le nombre d'allocataires RSA", False)
    assert subject("Taux de NEET (16-25 ans)") == ("le taux de NEET (16-25 ans)", False)
    assert of_territory("Square de l'Echarde") == "du square de l'Echarde"


def test_poches_get_no_sentence_the_figures_do_not_support(ds):
    for q in ("echarde", "jean-moulin"):
        assert fiche_sentences(ds, model.fiche(ds, q)) == []


@pytest.mark.parametrize("territory", QUARTIERS[:3])
def test_the_page_and_the_pdf_say_the_same_sentences(ds, territory):
    from streamlit.testing.v1 import AppTest

    from .test_pdf import APP

    sentences = fiche_sentences(ds, model.fiche(ds, territory))
    assert len(sentences) == 3
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["q"] = territory
    at.run()
    at.switch_page("pages/fiche.py").run()
    page = norm(
        html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"</?span[^>]*>", "", " ".join(e.proto.body for e in at.get("html")))))
    )
    pdf = pdf_text(pdf_bytes(ds, territory))
    for s in sentences:
        assert norm(s.text) in page
        assert norm(s.source) in page
        assert norm(s.text) in pdf, s.text
        assert norm(s.source) in pdf
