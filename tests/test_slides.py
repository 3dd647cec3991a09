"""The presentation slides' texts, built from the records without a browser (the layout itself is
checked in Chromium by tests/e2e/test_presentation.py)."""

from __future__ import annotations

import pytest

from data import model
from data.dataset import load_dataset
from ui import slides


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def deck(ds):
    return slides.build(ds, lambda kind, indicator, territories, title: {"title": title})


def test_the_priorities_slide_keeps_every_theme_ranked_in_the_first_three_ties_included(deck):
    (slide,) = [s for s in deck if s.kind == "priorities"]
    rows = dict(slide.rows)
    assert rows["La Victoire"] == (
        "1. Bien habiter dans mon quartier",
        "2. Vivre en bonne santé dans mon quartier",
        "3 (ex æquo). Être solidaire et bien vivre ensemble dans mon quartier",
        "3 (ex æquo). Accéder à des services et des commerces dans mon quartier",
    )
    assert rows["Vivier Corax"] == (
        "1. Être solidaire et bien vivre ensemble dans mon quartier",
        "2. Vivre en bonne santé dans mon quartier",
        "3 (ex æquo). Vivre tranquille dans mon quartier",
        "3 (ex æquo). Bien grandir dans mon quartier",
    )
    assert rows["Le Clos des Roses"] == (
        "1. Vivre en bonne santé dans mon quartier",
        "2. Vivre tranquille dans mon quartier",
        "3 (ex æquo). Bien habiter dans mon quartier",
    )
    assert "ex æquo compris" in slide.subtitle


def test_top_priorities_cut_by_rank_never_by_count(ds):
    for q in ds.residents.quartiers:
        fiche = model.fiche(ds, q)
        top = model.top_priorities(fiche.priorities, 3)
        assert [p.label for p in top] == [p.label for p in fiche.priorities if p.rank <= 3]
        # every theme tied with a kept one is kept
        assert not [p for p in fiche.priorities if p not in top and p.rank == top[-1].rank]
