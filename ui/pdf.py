"""A fiche quartier as a PDF elected officials can take away, rendered from the same record as
the page (data.model.Fiche) through the same wording (ui.wording): cards with their evolutions,
gaps, stated changes and companion shares, the contract's reading, priorities, objectives,
comparison, inconsistencies. ReportLab with the Bitstream Vera TrueType fonts shipped inside the
reportlab package, embedded in the file: works offline, nothing to download. No streamlit import."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from data.dataset import Dataset
from data.formatting import period_label
from data.model import Fiche
from ui import wording as w
from ui.sentences import fiche_sentences

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT = "Vera"
# glyphs Vera lacks, should a text carry one (the shared wording avoids them)
NO_GLYPH = {"→": "->", "◀": "<", "▲": "+", "▼": "-", "⁴": "4", "\u202f": "\u00a0"}


_FONTS_LOCK = threading.Lock()
_fonts_ready = False


def _register_fonts() -> None:
    """Once per process; sessions build PDFs on several threads at once, and ReportLab's registry
    is not thread-safe (a font seen before its family is registered breaks a paragraph)."""
    global _fonts_ready
    with _FONTS_LOCK:
        if _fonts_ready:
            return
        for name, file in (
            (FONT, "Vera.ttf"),
            (f"{FONT}-Bold", "VeraBd.ttf"),
            (f"{FONT}-Italic", "VeraIt.ttf"),
            (f"{FONT}-BoldItalic", "VeraBI.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
        )
        _fonts_ready = True


def text(s: str) -> str:
    """Plain text made safe for a ReportLab paragraph (its mini-markup is escaped)."""
    for k, v in NO_GLYPH.items():
        s = s.replace(k, v)
    return escape(s)


def _styles():
    base = getSampleStyleSheet()
    out = {}
    for key, size, lead in (("Title", 18, 22), ("Heading2", 12.5, 16), ("Heading3", 10.5, 13), ("BodyText", 9, 11.5)):
        out[key] = ParagraphStyle(
            key,
            parent=base[key],
            fontName=f"{FONT}-Bold" if key != "BodyText" else FONT,
            fontSize=size,
            leading=lead,
            bulletFontName=FONT,
        )
    out["small"] = ParagraphStyle("small", parent=out["BodyText"], fontSize=7.5, leading=9.5)
    out["cell"] = ParagraphStyle("cell", parent=out["BodyText"], fontSize=8, leading=10)
    return out


GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b7c0")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
    ]
)


def fiche_pdf(ds: Dataset, fiche: Fiche, today: dt.date | None = None) -> bytes:
    _register_fonts()
    s = _styles()
    t = fiche.territory
    P = Paragraph
    story = [
        P(text(t.name), s["Title"]),
        P(text(f"{w.KIND[t.kind]} · code officiel {t.code}"), s["Heading3"]),
        P(
            text(
                "Contrat de Ville « Quartiers 2030 » – Agglomération de la Région de Compiègne. Fiche éditée le "
                + (today or dt.date.today()).strftime("%d/%m/%Y")
                + "."
            ),
            s["small"],
        ),
        Spacer(1, 0.2 * cm),
    ]
    r = fiche.reading
    story.append(P("<b>Lecture du contrat.</b> " + text(r.headline), s["BodyText"]))
    story += [P("– " + text(f), s["BodyText"]) for f in r.findings]
    story.append(P("<i>" + text(r.conclusion) + "</i>", s["BodyText"]))
    sentences = fiche_sentences(ds, fiche)
    if sentences:  # the same generated sentences as the page (ui/sentences.py)
        story.append(P("En bref", s["Heading2"]))
        story += [P(text(sn.text) + "<br/><font size='7'>" + text(sn.source) + "</font>", s["BodyText"]) for sn in sentences]

    rows = [[P(f"<b>{h}</b>", s["cell"]) for h in ("Indicateur", "Valeur", "Évolution, écarts", "Source · période · périmètre")]]
    for card in fiche.cards:
        ct = w.card_text(ds, card)
        label = ct.label + (f" · {ct.period}" if ct.period else "")
        rows.append(
            [
                P(text(label), s["cell"]),
                P("<b>" + text(ct.value) + "</b>", s["cell"]),
                P("<br/>".join(text(ln.text) for ln in ct.lines), s["cell"]),
                P(text(ct.source), s["cell"]),
            ]
        )
    table = Table(rows, colWidths=[3.6 * cm, 2.6 * cm, 5.6 * cm, 5.6 * cm], repeatRows=1)
    table.setStyle(GRID)
    story += [P("Chiffres clés", s["Heading2"]), table]
    for item in fiche.inconsistencies:
        story.append(P("<b>Incohérence du contrat :</b> " + text(item.summary), s["BodyText"]))

    if fiche.priorities:
        story.append(P("Priorités exprimées par les habitants", s["Heading2"]))
        story.append(
            P(text(" · ".join(f"{p.rank}{' (ex æquo)' if p.tie else ''}. {p.label}" for p in fiche.priorities)), s["BodyText"])
        )
    if fiche.targeted or fiche.mentioned:
        story.append(P("Objectifs du contrat qui le concernent", s["Heading2"]))
        story += [P(text(f"{ob['id']} {ob['title']} — ciblé explicitement"), s["BodyText"]) for ob in fiche.targeted]
        story += [P(text(f"{ob['id']} {ob['title']} — cité"), s["BodyText"]) for ob in fiche.mentioned]

    cmp = fiche.comparison
    head = ["Indicateur"] + [w.name(ds, q, True) + (" (ce quartier)" if q == cmp.highlight else "") for q in cmp.territories]
    body = [
        [f"{ds.catalogue[row.indicator].label} ({period_label(row.period)})", *(w.plain_value(f) for f in row.figures)]
        for row in cmp.rows
    ]
    ctable = Table(
        [[P(f"<b>{text(h)}</b>", s["cell"]) for h in head]] + [[P(text(c), s["cell"]) for c in row] for row in body], repeatRows=1
    )
    ctable.setStyle(GRID)
    story += [P("Comparaison avec les autres quartiers", s["Heading2"]), ctable, Spacer(1, 0.3 * cm)]
    story.append(
        P(
            text(
                f"« {w.MISSING} » : le contrat ne donne pas la valeur ou l'imprime « NA » (jamais remplacée par 0). "
                "La plupart des séries des QPV portent sur les périmètres de 2015 (note 3 du contrat) ; les périodes diffèrent "
                "d'un indicateur à l'autre. Source des chiffres : texte intégral du contrat."
            ),
            s["small"],
        )
    )

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=1.6 * cm,
        rightMargin=1.6 * cm,
        topMargin=1.3 * cm,
        bottomMargin=1.3 * cm,
        title=f"Fiche {t.name} – Quartiers 2030",
        author="ARC – Contrat de Ville",
        lang="fr-FR",
        initialFontName=FONT,
    )
    doc.build(story)
    return buf.getvalue()
