"""The fiche PDF renders the same record as the page (data.model.Fiche through ui.wording): for every
quartier, every string of every card (value, evolution, gaps, stated changes, companion shares,
source line) and every cell of the comparison table is in the page and in the PDF."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from pathlib import Path

import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from data import model
from data.dataset import load_dataset
from ui import wording as w
from ui.fiche_text import HEADINGS, fiche_text
from ui.pdf import fiche_pdf

APP = str(Path(__file__).resolve().parents[1] / "app.py")
QUARTIERS = ["clos-des-roses", "la-victoire", "vivier-corax", "echarde", "jean-moulin"]


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def norm(s: str) -> str:
    return " ".join(s.split())


def pdf_bytes(ds, territory: str) -> bytes:
    return fiche_pdf(ds, model.fiche(ds, territory), today=dt.date(2026, 11, 25))


def pdf_text(data: bytes) -> str:
    return norm(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages))


def page_text(territory: str) -> str:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["q"] = territory
    at.run()
    at.switch_page("pages/fiche.py").run()
    assert not at.exception
    parts = (
        [e.value for e in at.title]
        + [e.value for e in at.header]
        + [e.value for e in at.markdown]
        + [e.proto.body for e in at.get("html")]
        + [t.value.to_string() for t in at.table]
        + [e.value for e in at.warning]
        + [e.label for e in at.expander]
    )
    text = re.sub(r"</?(span|b|i)\b[^>]*>", "", "\n".join(parts))  # inline tags split no word
    return norm(html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.mark.parametrize("territory", QUARTIERS)
def test_page_and_pdf_say_every_section_alike(ds, territory):
    """Every section — identity, map caption, the contract's reading with « Périmètre 2024 » and
    « Renouvellement urbain », inconsistencies, sentences and their sources, priorities with ties,
    objectives with their reason, the comparison (its « (ce quartier) » marker, every cell), the
    footnote, every card string — is the same text on the page and in the PDF."""
    fiche = model.fiche(ds, territory)
    page, pdf = page_text(territory), pdf_text(pdf_bytes(ds, territory))
    expected = [norm(x) for card in fiche.cards for x in w.card_text(ds, card).all_text()]
    ft = fiche_text(ds, fiche)
    expected += [norm(x) for x in ft.all_text() if x]
    expected += [norm(HEADINGS[k]) for k in ("cards", "reading", "objectives", "comparison")]
    expected += [HEADINGS["brief"]] * bool(ft.sentences) + [HEADINGS["priorities"]] * bool(ft.priorities)
    assert len(expected) >= 40
    pdf_compact = pdf.replace(" ", "")  # a grid id longer than its cell is split across lines
    for e in expected:
        assert e in page, ("page", e)
        assert e.replace(" ", "") in pdf_compact, ("pdf", e)


def test_every_section_of_a_fiche_is_worded(ds):
    """The sections the issue found drifting are in the one wording: the reading's « Périmètre 2024 »
    and « Renouvellement urbain », a tie, a targeted objective's reason, the comparison's marker."""
    texts = {q: fiche_text(ds, model.fiche(ds, q)) for q in QUARTIERS}
    flat = {q: " ".join(t.all_text()) for q, t in texts.items()}
    assert any("Périmètre 2024. " in f for f in flat.values())
    assert any("Renouvellement urbain. " in f for f in flat.values())
    assert "3 (ex æquo). Accéder à des services et des commerces dans mon quartier" in flat["la-victoire"]
    assert "3 (ex æquo). Bien grandir dans mon quartier" in flat["vivier-corax"]
    assert any(o.targeted and o.reason.startswith("ciblé explicitement") for t in texts.values() for o in t.objectives)
    assert all(any(h.endswith("(ce quartier)") for h in t.comparison_head) for t in texts.values())
    assert "code officiel QN06007M" in texts["clos-des-roses"].identity
    assert "CRS3035" not in flat["echarde"] and "code officiel" not in texts["echarde"].identity


def test_numbers_are_never_split_in_the_pdf(ds):
    """Every formatted number of a fiche (« 9 456 € », « 59,3 % », « -2,5 points ») is on one line of
    the PDF with its unit: a split would put a line break inside it."""
    number = w.FORMATTED_NUMBER
    checked = 0
    for q in QUARTIERS:
        fiche = model.fiche(ds, q)
        data = pdf_bytes(ds, q)
        lines = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\xa0", " ")
        lines = re.sub(r"[ \t]+", " ", lines)
        said = [x for c in fiche.cards for x in w.card_text(ds, c).all_text()] + fiche_text(ds, fiche).all_text()
        for token in {m.group(0) for x in said for m in number.finditer(x)}:
            assert token in lines, (q, token)
            checked += 1
    assert checked >= 60


def test_a_narrow_pdf_paragraph_keeps_each_number_whole():
    """The PDF's text goes through ui.pdf.text: in a column narrower than a number and its unit,
    ReportLab still never breaks inside « 9 456 € » (it did: « 9 456 / € »)."""
    from reportlab.platypus import Paragraph

    from ui import pdf

    pdf._register_fonts()
    p = Paragraph(pdf.text("La médiane passe de 9 456 € à 10 190 €, soit 59,3 % et -2,5 points."), pdf._styles()["BodyText"])
    p.wrap(60, 1000)
    lines = [" ".join(x if isinstance(x, str) else x.text for x in ln[1]) for ln in p.blPara.lines]
    assert len(lines) >= 4
    for token in ("9\xa0456\xa0€", "10\xa0190\xa0€", "59,3\xa0%", "-2,5\xa0points"):
        assert any(token in ln for ln in lines), (token, lines)
    assert w.nobreak("9 456 € et 59,3 % ; -2,5 points") == "9\xa0456\xa0€ et 59,3\xa0% ; -2,5\xa0points"


@pytest.mark.parametrize(
    "territory,expected",
    [
        (
            "clos-des-roses",
            [
                "Le Clos des Roses",
                "QN06007M",
                "10 190 €",
                "Évolution depuis 2015 : +734 € (amélioration)",
                "63,1 %",
                "L'écart à Compiègne s'est réduit de 98 € entre 2015 et 2020 (énoncé du contrat)",
                "L'ARC (EPCI) sur la même période : +0,3 point (énoncé du contrat)",
                "Écart à l'ARC (EPCI) (2020-2021) : +19,6 points",
                "Part : 29,2 % en 2015, non disponible (NA) en 2019",
                "QPV 2015",
                "Fiche éditée le 25/11/2026",
                "1. Vivre en bonne santé dans mon quartier",
            ],
        ),
        (
            "vivier-corax",
            [
                "9 470 €",
                "64,5 %",
                "L'écart à Compiègne s'est creusé de 1 144 € entre 2015 et 2020",
                "9.2 Renforcer les interventions",
            ],
        ),
        ("la-victoire", ["11 330 €", "non disponible (valeur « NA » dans le contrat)", "Incohérence du contrat", "QN06008I"]),
        ("jean-moulin", ["Square Jean Moulin", "169", "160", "16 983 €", "Incohérence du contrat"]),
    ],
)
def test_fiche_pdf_figures(ds, territory, expected):
    text = pdf_text(pdf_bytes(ds, territory))
    for e in expected:
        assert e in text, e


def test_pdf_fonts_are_embedded(ds):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(ds, "clos-des-roses")))
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            desc = f.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in f:
                desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts.add(
                (str(f["/BaseFont"]), desc is not None and any(k in desc.get_object() for k in ("/FontFile2", "/FontFile")))
            )
    assert fonts and all(embedded for _, embedded in fonts), fonts


def test_pdf_embeds_dejavu_with_every_glyph_of_the_text(ds):
    """DejaVu (committed in ui/fonts) is the only font, embedded, and has a glyph for every
    character the fiches print (superscripts such as « GUSP¹⁴ », « œ », « € », no-break spaces)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    from ui.pdf import FONT_DIR, FONT_FILES
    from ui.sentences import fiche_sentences

    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(ds, "clos-des-roses")))
    names = {str(f.get_object()["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert names and all("DejaVu" in n for n in names), names
    chars: set[str] = set()
    for q in QUARTIERS:
        fiche = model.fiche(ds, q)
        for card in fiche.cards:
            chars |= set("".join(w.card_text(ds, card).all_text()))
        chars |= set("".join(s.text for s in fiche_sentences(ds, fiche)))
        chars |= set("".join(f"{ob.id} {ob.title}" for ob in (*fiche.targeted, *fiche.mentioned)))
        chars |= set("".join(p.label for p in fiche.priorities)) | set(fiche.reading.headline + fiche.reading.conclusion)
        chars |= set("".join(i.summary for i in fiche.inconsistencies)) | set(fiche.territory.name)
    assert {"€", "é", "«", "·"} <= chars  # the text really has them
    for file in FONT_FILES.values():
        cmap = TTFontFile(str(FONT_DIR / file)).charToGlyph
        missing = sorted(c for c in chars if c.strip() and ord(c) not in cmap)
        assert missing == [], (file, missing)
    cmap = TTFontFile(str(FONT_DIR / "DejaVuSansCondensed.ttf")).charToGlyph
    for c in "⁴¹²³œŒæ€→\u00a0\u202f–—’":  # what the contract's text may carry (« GUSP¹⁴ »)
        assert ord(c) in cmap, c


@pytest.mark.parametrize("territory", QUARTIERS)
def test_pdf_has_the_map_the_evolution_chart_and_fits_two_pages(ds, territory):
    data = pdf_bytes(ds, territory)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) <= 2
    text = pdf_text(data)
    name = model.fiche(ds, territory).territory.name
    assert f"« {name} » (en orange)" in text and "1 km" in text  # the map, drawn as vectors
    if territory in ("clos-des-roses", "la-victoire", "vivier-corax"):
        assert "Évolution des principaux indicateurs" in text
    if territory == "clos-des-roses":
        assert "9 456 €" in text and "10 190 €" in text and "En bref" in text
