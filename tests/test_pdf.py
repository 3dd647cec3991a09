"""The fiche PDF carries the same figures, sources and caveats as the page."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from data.framework import load_framework, load_yaml_doc
from data.indicators import load_all
from ui.pdf import fiche_pdf


def pdf_text(territory: str) -> str:
    c, t, df, ch = load_all()
    data = fiche_pdf(territory, catalogue=c, territories=t, df=df, changes=ch, views=load_yaml_doc("views")["fiche"],
                     readings=load_yaml_doc("quartiers")["quartiers"], inconsistencies=load_yaml_doc("inconsistencies")["items"],
                     framework=load_framework(), today=dt.date(2026, 11, 25))
    assert data.startswith(b"%PDF")
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("territory,expected", [
    ("clos-des-roses", ["Le Clos des Roses", "QN06007M", "10 190 €", "+734 € depuis 2015 (amélioration)", "63,1 %",
                        "écart à la commune : -98 €", "QPV 2015", "Fiche éditée le 25/11/2026"]),
    ("vivier-corax", ["9 470 €", "64,5 %", "+1 144 €", "9.2 Renforcer les interventions"]),
    ("la-victoire", ["11 330 €", "non disponible (NA dans le contrat)", "Incohérence du contrat", "QN06008I"]),
    ("jean-moulin", ["Square Jean Moulin", "169", "160", "16 983 €", "Incohérence du contrat"]),
])
def test_fiche_pdf_figures(territory, expected):
    text = pdf_text(territory)
    for e in expected:
        assert e in text, e
