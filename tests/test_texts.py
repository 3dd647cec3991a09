"""What the texts must say (issue 19): the words a reader sees say what the contract says, checked
on the labels, the pages and the slides built from the records."""

from __future__ import annotations

import pytest

from data.dataset import load_dataset
from ui import slides

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
