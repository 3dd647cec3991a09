"""A fiche quartier as a PDF elected officials can take away (ReportLab, fonts built in: works
offline). Same figures, sources and caveats as the page; no streamlit import, so it is tested
on its own."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from data import analysis
from data.framework import objectives_for_quartier
from data.formatting import MISSING, fr_change, fr_qualified, period_label

# ReportLab's built-in fonts are WinAnsi (cp1252): « → » and « • » have no glyph there
NO_GLYPH = {"→": "»", "•": "–", "□": "–", "≈": "~"}


def text(s: str) -> str:
    for k, v in NO_GLYPH.items():
        s = s.replace(k, v)
    return escape(s)


def _value_text(v, unit: str) -> str:
    if v is None:
        return f"{MISSING} (pas de chiffre dans le contrat)"
    if v.missing:
        return f"{MISSING} (NA dans le contrat)"
    return fr_qualified(v.value, unit, v.decimals, v.qualifier)


def fiche_pdf(territory: str, *, catalogue, territories, df, changes, views: dict, readings: dict, inconsistencies: list,
              framework: dict, today: dt.date | None = None) -> bytes:
    t = territories[territory]
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=8, leading=10)
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8.5, leading=10.5)
    story = [
        Paragraph(text(t.name), styles["Title"]),
        Paragraph(text(("Quartier prioritaire de la politique de la ville" if t.kind == "qpv" else
                          "Poche de pauvreté (carreau INSEE de 200 m)") + f" · code officiel {t.code}"), styles["Heading3"]),
        Paragraph(text("Contrat de Ville « Quartiers 2030 » – Agglomération de la Région de Compiègne. Fiche éditée le "
                         + (today or dt.date.today()).strftime("%d/%m/%Y") + "."), small),
        Spacer(1, 0.3 * cm),
    ]
    reading = readings.get(territory, {})
    if reading:
        story.append(Paragraph("<b>Lecture du contrat.</b> " + text(reading["headline"]), styles["BodyText"]))
        for f in reading.get("findings", []):
            story.append(Paragraph("– " + text(f), styles["BodyText"]))
        story.append(Paragraph("<i>En conclusion : " + text(reading.get("conclusion", "")) + "</i>", styles["BodyText"]))
        story.append(Spacer(1, 0.3 * cm))

    rows = [[Paragraph(f"<b>{h}</b>", cell) for h in ("Indicateur", "Valeur", "Évolution", "Source · période · périmètre")]]
    for card in views["qpv_cards" if t.kind == "qpv" else "poche_cards"]:
        ind = catalogue[card["indicator"]]
        v = analysis.get_value(df, territory, ind.id, card["period"])
        if v is None and card.get("optional"):
            continue
        evo = ""
        if card.get("from"):
            ev = analysis.evolution(df, territory, ind.id, card["from"], card["period"], ind.unit)
            evo = (f"{fr_change(ev.change, ind.unit, ev.decimals)} depuis {period_label(card['from'])} "
                   f"({analysis.judge(ev.change, ind.higher_is_better)})" if ev.available else f"{MISSING} ({ev.reason})")
        if card.get("stated_gap"):
            st_ = analysis.stated_change(changes, territory, ind.id, card["from"], card["period"], measure=f"gap_to:{card['stated_gap']}")
            if st_ is not None:
                evo += f" ; écart à la commune : {fr_change(float(st_['change']), ind.unit, 0)} (énoncé du contrat)"
        src = (f"{v.source} · {period_label(v.period)} · {v.perimeter}" if v is not None else "—")
        rows.append([Paragraph(text(card["label"]), cell), Paragraph(text(_value_text(v, ind.unit)), cell),
                     Paragraph(text(evo), cell), Paragraph(text(src), cell)])
    table = Table(rows, colWidths=[4.2 * cm, 3.0 * cm, 4.6 * cm, 5.6 * cm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b7c0")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Paragraph("Chiffres clés", styles["Heading2"]), table, Spacer(1, 0.3 * cm)]

    flags = [i for i in inconsistencies if i.get("territory") == territory]
    for f in flags:
        story.append(Paragraph("<b>Incohérence du contrat :</b> " + text(f["summary"]), styles["BodyText"]))
    targeted = objectives_for_quartier(framework, territory, include_mentions=False)
    if targeted:
        story.append(Paragraph("Objectifs du contrat qui le ciblent", styles["Heading2"]))
        for ob in targeted:
            story.append(Paragraph(text(f"{ob['id']} {ob['title']}"), styles["BodyText"]))
    story += [Spacer(1, 0.4 * cm), Paragraph(text(
        "« non disponible » : le contrat ne donne pas la valeur ou l'imprime « NA » (jamais remplacée par 0). "
        "La plupart des séries des QPV portent sur les périmètres de 2015 (note 3 du contrat) ; les périodes diffèrent "
        "d'un indicateur à l'autre. Source des chiffres : texte intégral du contrat."), small)]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=1.5 * cm,
                            bottomMargin=1.5 * cm, title=f"Fiche {t.name} – Quartiers 2030", author="ARC – Contrat de Ville")
    doc.build(story)
    return buf.getvalue()
