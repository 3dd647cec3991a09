"""A fiche quartier as a PDF elected officials can take away, rendered from the same record as
the page (data.model.Fiche) through the same wording (ui.wording): cards with their evolutions,
gaps, stated changes and companion shares, the contract's reading, priorities, objectives,
comparison, inconsistencies, the generated sentences, a map of the quartier and the evolution of its
main indicators (drawn with ReportLab's vector graphics, offline). DejaVu Sans Condensed (committed
in ui/fonts, see its PROVENANCE.md) embedded in the file: every glyph of the text is present. Two A4
pages at most for a QPV. No streamlit import."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from data.dataset import Dataset
from data.formatting import period_label
from data.model import Fiche
from ui import locator
from ui import wording as w
from ui.fiche_text import HEADINGS, NO_OBJECTIVE, fiche_text
from ui.sentences import judged_cards

FONT_DIR = Path(__file__).with_name("fonts")
FONT = "DejaVuCond"
FONT_FILES = {
    FONT: "DejaVuSansCondensed.ttf",
    f"{FONT}-Bold": "DejaVuSansCondensed-Bold.ttf",
    f"{FONT}-Italic": "DejaVuSansCondensed-Oblique.ttf",
    f"{FONT}-BoldItalic": "DejaVuSansCondensed-BoldOblique.ttf",
}


_FONTS_LOCK = threading.Lock()
_fonts_ready = False


def _register_fonts() -> None:
    """Once per process; sessions build PDFs on several threads at once, and ReportLab's registry
    is not thread-safe (a font seen before its family is registered breaks a paragraph)."""
    global _fonts_ready
    with _FONTS_LOCK:
        if _fonts_ready:
            return
        for name, file in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
        # drawings and canvases start from a default font (Helvetica, never embedded): ours instead
        from reportlab import rl_config
        from reportlab.graphics import shapes

        rl_config.canvas_basefontname = FONT
        shapes.STATE_DEFAULTS["fontName"] = FONT
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
        )
        _fonts_ready = True


def text(s: str) -> str:
    """Plain text made safe for a ReportLab paragraph (its mini-markup is escaped), every number
    kept on one line with its unit (« 9 456 € », never « 9 / 456 € »)."""
    return escape(w.nobreak(s))


ORANGE, GREY, TOWN = (colors.HexColor(c) for c in (locator.HIGHLIGHT, locator.OTHERS, locator.TOWN))
INK = colors.HexColor("#1f2328")


def map_drawing(territory: str, size: float = 5.6 * cm) -> Drawing:
    """The quartier (orange) among the others (grey) in the town, Lambert-93, with a 1 km bar:
    the same geometry as the page's locator map (ui/locator.py), drawn as PDF vectors."""
    (minx, miny, maxx, maxy), town, shapes = locator.frame_and_layers()
    k = size / max(maxx - minx, maxy - miny)
    d = Drawing((maxx - minx) * k, (maxy - miny) * k)

    def poly(geom, fill, stroke, width):
        for ring in locator.rings(geom):
            pts = [v for x, y, *_ in ring for v in ((x - minx) * k, (y - miny) * k)]
            d.add(Polygon(pts, fillColor=fill, strokeColor=stroke, strokeWidth=width))

    for g in town:
        poly(g, TOWN, colors.HexColor("#6e7781"), 0.5)
    for _, row in shapes.iterrows():
        on = row["territory"] == territory
        poly(row.geometry, ORANGE if on else GREY, INK if on else colors.HexColor("#59636e"), 1.2 if on else 0.4)
    # the scale on a white plate (8 pt: legible printed), the frame drawn so the town's cut reads as its edge
    d.add(Rect(2, 2, 1000 * k + 6, 16, fillColor=colors.white, strokeColor=colors.HexColor("#8c959f"), strokeWidth=0.4))
    d.add(Rect(5, 4.5, 1000 * k, 2.5, fillColor=INK, strokeColor=None))
    d.add(String(5, 9, "1 km", fontName=FONT, fontSize=8, fillColor=INK))
    d.add(Rect(0.3, 0.3, d.width - 0.6, d.height - 0.6, fillColor=None, strokeColor=colors.HexColor("#57606a"), strokeWidth=0.6))
    return d


def evolution_drawing(ds: Dataset, cards, width: float = 17.8 * cm, height: float = 3.4 * cm) -> Drawing | None:
    """The main indicators' evolution: one small panel per indicator (start → end, values as
    printed, every axis from zero), side by side."""
    cards = [c for c in cards if c.evolution is not None and c.evolution.available][:3]
    if not cards:
        return None
    d = Drawing(width, height)
    pw = width / len(cards)
    for i, c in enumerate(cards):
        ev = c.evolution
        x0 = i * pw
        top, bottom = height - 12, 16
        hi = max(ev.start.value, ev.end.value) * 1.05
        # every value axis starts at 0, as the charts' (ui/charts.series_chart)
        y = lambda v, hi=hi, top=top, bottom=bottom: bottom + v / (hi or 1) * (top - bottom - 10)  # noqa: E731
        xa, xb = x0 + 0.22 * pw, x0 + 0.72 * pw
        colour = colors.HexColor(w.VERDICT_COLOUR[ev.verdict]) if ev.verdict in w.VERDICT_COLOUR else INK
        d.add(String(x0 + 4, height - 8, c.label, fontName=f"{FONT}-Bold", fontSize=7, fillColor=INK))
        d.add(Line(x0 + 0.12 * pw, bottom, x0 + 0.85 * pw, bottom, strokeColor=colors.HexColor("#9aa1a9"), strokeWidth=0.5))
        d.add(Line(xa, y(ev.start.value), xb, y(ev.end.value), strokeColor=colour, strokeWidth=1.6))
        for xx, f in ((xa, ev.start), (xb, ev.end)):
            d.add(Circle(xx, y(f.value), 2.2, fillColor=colour, strokeColor=None))
            d.add(String(xx + 4, y(f.value) + 3, w.value_text(f), fontName=FONT, fontSize=7, fillColor=INK))
            d.add(String(xx - 8, bottom - 9, period_label(f.period), fontName=FONT, fontSize=6.5, fillColor=INK))
    return d


def _styles():
    base = getSampleStyleSheet()
    out = {}
    for key, size, lead in (("Title", 16, 19), ("Heading2", 10.5, 13), ("Heading3", 9, 11), ("BodyText", 8, 9.8)):
        out[key] = ParagraphStyle(
            key,
            parent=base[key],
            fontName=f"{FONT}-Bold" if key != "BodyText" else FONT,
            fontSize=size,
            leading=lead,
            bulletFontName=FONT,
            spaceBefore=4 if key == "Heading2" else 0,
            spaceAfter=2 if key in ("Heading2", "BodyText") else 0,
        )
    out["small"] = ParagraphStyle("small", parent=out["BodyText"], fontSize=6.5, leading=8)
    out["cell"] = ParagraphStyle("cell", parent=out["BodyText"], fontSize=7, leading=8.4, spaceAfter=0)
    return out


GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b7c0")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
    ]
)


def _build(story, title: str, pagesize, side_margin: float) -> bytes:
    """The document: its French metadata, our embedded font, the same top and bottom margins."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=side_margin,
        rightMargin=side_margin,
        topMargin=1.1 * cm,
        bottomMargin=1.1 * cm,
        title=title,
        author="ARC – Contrat de Ville",
        lang="fr-FR",
        initialFontName=FONT,
    )
    doc.build(story)
    return buf.getvalue()


def fiche_pdf(ds: Dataset, fiche: Fiche, today: dt.date | None = None) -> bytes:
    _register_fonts()
    s = _styles()
    t = fiche.territory
    P = Paragraph
    ft = fiche_text(ds, fiche)  # every text of the fiche, worded once for the page, the PDF and the slides
    story = [
        P(text(ft.title), s["Title"]),
        P(text(ft.identity), s["Heading3"]),
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
    side = [P(f"<b>{text(ft.reading[0].label)}.</b> " + text(ft.reading[0].text), s["BodyText"])]
    side += [P("– " + text(f), s["BodyText"]) for f in ft.findings]
    side.append(P("<i>" + text(ft.conclusion) + "</i>", s["BodyText"]))
    side += [P(f"<b>{text(x.label)}.</b> " + text(x.text), s["BodyText"]) for x in ft.reading[1:]]
    if ft.sentences:  # the same generated sentences as the page (ui/sentences.py)
        side.append(P(text(HEADINGS["brief"]), s["Heading3"]))
        side += [
            P("• " + text(sn.text) + f"<br/><font size='6.5'>{text(sn.source)}</font>", s["BodyText"]) for sn in ft.sentences
        ]
    figure = [map_drawing(t.id), P(text(ft.map_caption), s["small"])]
    top = Table([[figure, side]], colWidths=[6.0 * cm, 11.8 * cm])
    top.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("FONTNAME", (0, 0), (-1, -1), FONT)]
        )
    )
    story += [P(text(HEADINGS["reading"]), s["Heading2"]), top]

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
    table = Table(rows, colWidths=[3.4 * cm, 2.2 * cm, 6.4 * cm, 5.8 * cm], repeatRows=1)
    table.setStyle(GRID)
    story += [P(text(HEADINGS["cards"]), s["Heading2"]), table]
    chart = evolution_drawing(ds, judged_cards(fiche.cards))
    if chart is not None:
        story.append(KeepTogether([P(text(HEADINGS["evolution"]), s["Heading2"]), chart]))
    for item in ft.inconsistencies:
        label, _, summary = item.partition(" : ")
        story.append(P(f"<b>{text(label)} :</b> " + text(summary), s["BodyText"]))

    if ft.priorities:
        story.append(P(text(HEADINGS["priorities"]), s["Heading2"]))
        story.append(P(text(" · ".join(p.line for p in ft.priorities)), s["BodyText"]))
    story.append(P(text(HEADINGS["objectives"]), s["Heading2"]))
    story += [P(text(o.line), s["BodyText"]) for o in ft.objectives] or [P(text(NO_OBJECTIVE), s["BodyText"])]

    ctable = Table(
        [[P(f"<b>{text(h)}</b>", s["cell"]) for h in ft.comparison_head]]
        + [[P(text(c), s["cell"]) for c in row] for row in ft.comparison_rows],
        repeatRows=1,
    )
    ctable.setStyle(GRID)
    story += [P(text(HEADINGS["comparison"]), s["Heading2"]), ctable, Spacer(1, 0.3 * cm)]
    story.append(P(text(ft.comparison_note), s["small"]))

    return _build(story, f"Fiche {t.name} – Quartiers 2030", A4, 1.5 * cm)


def progress_pdf(orientations, territory_name: str, scope: str, today: dt.date | None = None) -> bytes:
    """/avancement as a PDF (A4 landscape): the completeness per year, then each orientation, its
    objectives' follow-up indicators (N … N+5, last value, change since N) and evaluative questions —
    the same records and wording as the page (ui/progress_view.py)."""
    from reportlab.lib.pagesizes import landscape

    from ui.progress_view import YEAR_HEADS, indicator_rows, ratio

    _register_fonts()
    s = _styles()
    P = Paragraph
    head = ["Indicateur de suivi", *YEAR_HEADS, "Dernière valeur · source · date", "Évolution depuis N"]
    widths = [6.2 * cm, *([1.75 * cm] * len(YEAR_HEADS)), 6.0 * cm, 3.6 * cm]

    def table(rows, col_widths):
        t = Table(
            [[P(f"<b>{text(h)}</b>", s["cell"]) for h in rows[0]]] + [[P(text(c), s["cell"]) for c in r] for r in rows[1:]],
            colWidths=col_widths,
            repeatRows=1,
        )
        t.setStyle(GRID)
        return t

    story = [
        P(text(f"Avancement des objectifs – {territory_name}"), s["Title"]),
        P(
            text(
                f"{scope}. Contrat de Ville « Quartiers 2030 » – Agglomération de la Région de Compiègne. Valeurs de suivi "
                "publiées (validées). Édité le " + (today or dt.date.today()).strftime("%d/%m/%Y") + "."
            ),
            s["small"],
        ),
        P("Complétude du suivi (indicateurs renseignés / indicateurs attendus)", s["Heading2"]),
        table(
            [
                ["Orientation", *YEAR_HEADS],
                *([f"{o.number} – {o.title}", *(ratio(c) for c in o.completeness)] for o in orientations),
            ],
            [12.0 * cm, *([2.4 * cm] * len(YEAR_HEADS))],
        ),
    ]
    for o in orientations:
        story.append(P(text(f"Orientation {o.number} – {o.title}"), s["Heading2"]))
        groups = [(f"Objectif {ob.id} – {ob.title}", ob.indicators, ob.questions) for ob in o.objectives]
        if o.general_indicators or o.general_questions:
            groups.append((f"Ensemble de l'orientation {o.number}", o.general_indicators, o.general_questions))
        for title, inds, questions in groups:
            block = [P(text(title), s["Heading3"])]
            if inds:
                block.append(table([head, *indicator_rows(inds)], widths))
            else:
                block.append(P(text("Aucun indicateur de suivi du référentiel n'est rattaché à cet objectif."), s["BodyText"]))
            block += [P("Question évaluative : " + text(q), s["BodyText"]) for q in questions]
            story.append(KeepTogether(block[:2]))
            story += block[2:]
    return _build(story, f"Avancement des objectifs – {territory_name} – Quartiers 2030", landscape(A4), 1.2 * cm)
