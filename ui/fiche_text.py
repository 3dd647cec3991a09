"""Every text of a fiche quartier, worded once from its record (data.model.Fiche): the page
(pages/fiche.py), the PDF (ui/pdf.py) and the quartier slides (ui/slides.py) only lay these strings
out, so they cannot drift (tests/test_pdf.py compares every section of the page and the PDF).
No streamlit import."""

from __future__ import annotations

from dataclasses import dataclass

from data.dataset import Dataset
from data.formatting import period_label
from data.model import Fiche
from ui import wording as w
from ui.sentences import Sentence, fiche_sentences

HEADINGS = {
    "cards": "Chiffres clés",
    "brief": "En bref",
    "reading": "Situation et lecture du contrat",
    "evolution": "Évolution des principaux indicateurs",
    "priorities": "Priorités exprimées par les habitants",
    "objectives": "Objectifs du contrat qui le concernent",
    "followup": "Suivi des objectifs du contrat (N … N+5)",
    "comparison": "Comparaison avec les autres quartiers",
}
TARGETED, MENTIONED = "ciblé explicitement", "cité dans la fiche de l'objectif"
NO_OBJECTIVE = "Aucun objectif opérationnel ne cible explicitement ce quartier : tous les objectifs transversaux s'y appliquent."
THIS_QUARTIER = "(ce quartier)"


@dataclass(frozen=True)
class Labelled:
    label: str  # « Périmètre 2024 »
    text: str

    @property
    def line(self) -> str:
        return f"{self.label}. {self.text}"


@dataclass(frozen=True)
class ObjectiveLine:
    id: str
    title: str
    reason: str  # « ciblé explicitement (…) » or « cité dans la fiche de l'objectif »
    targeted: bool

    @property
    def line(self) -> str:
        return f"{self.id} {self.title} — {self.reason}"


@dataclass(frozen=True)
class PriorityLine:
    rank: str  # « 3 (ex æquo) »
    theme: str

    @property
    def line(self) -> str:
        return w.priority_line(self.rank, self.theme)


@dataclass(frozen=True)
class FicheText:
    title: str
    identity: str  # kind, and the official code of a QPV (a poche's grid id is internal: never shown)
    description: str
    map_caption: str
    reading: tuple[Labelled, ...]  # « Lecture du contrat », then « Périmètre 2024 », « Renouvellement urbain »
    findings: tuple[str, ...]  # the reading's points, between its headline and its conclusion
    conclusion: str
    inconsistencies: tuple[str, ...]
    sentences: tuple[Sentence, ...]
    priorities: tuple[PriorityLine, ...]
    objectives: tuple[ObjectiveLine, ...]
    comparison_head: tuple[str, ...]  # « Indicateur », then each territory (« … (ce quartier) »)
    comparison_rows: tuple[tuple[str, ...], ...]
    comparison_note: str

    def all_text(self) -> list[str]:
        """Every string the fiche shows besides its cards, in reading order (tests)."""
        return [
            self.title,
            self.identity,
            self.map_caption,
            self.reading[0].line,
            *self.findings,
            self.conclusion,
            *(x.line for x in self.reading[1:]),
            *self.inconsistencies,
            *(s.text for s in self.sentences),
            *(s.source for s in self.sentences),
            *(p.line for p in self.priorities),
            *(o.line for o in self.objectives),
            *self.comparison_head,
            *(c for row in self.comparison_rows for c in row),
            self.comparison_note,
        ]


def identity(kind: str, code: str) -> str:
    return w.KIND[kind] + (f" · code officiel {code}" if kind == "qpv" and code else "")


def fiche_text(ds: Dataset, fiche: Fiche) -> FicheText:
    t = fiche.territory
    r = fiche.reading
    reading = [Labelled("Lecture du contrat", r.headline)]
    if r.perimeter_2024:
        reading.append(Labelled("Périmètre 2024", r.perimeter_2024))
    if r.renewal:
        reading.append(Labelled("Renouvellement urbain", r.renewal))
    if t.kind == "qpv":
        caption = f"Périmètre 2024 de « {t.name} » (en orange) ; en gris, les autres quartiers. " + w.PERIMETER_NOTE
    else:
        caption = f"Carreau INSEE de 200 m de « {t.name} » (en orange) ; en gris, les autres quartiers."
    objectives = [
        ObjectiveLine(ob.id, ob.title, f"{TARGETED} ({ob.target_basis})" if ob.target_basis else TARGETED, True)
        for ob in fiche.targeted
    ] + [ObjectiveLine(ob.id, ob.title, MENTIONED, False) for ob in fiche.mentioned]
    cmp = fiche.comparison
    head = ("Indicateur", *(w.name(ds, q, True) + (f" {THIS_QUARTIER}" if q == cmp.highlight else "") for q in cmp.territories))
    rows = tuple(
        (f"{ds.catalogue[row.indicator].label} ({period_label(row.period)})", *(w.plain_value(f) for f in row.figures))
        for row in cmp.rows
    )
    note = (
        f"« {w.MISSING} » : le contrat ne donne pas la valeur ou l'imprime « NA » (jamais remplacée par 0). "
        + (w.PERIMETER_NOTE + " " if t.kind == "qpv" else "Les poches sont des carreaux INSEE de 200 m. ")
        + "Source des chiffres : texte intégral du contrat, tableaux par quartier"
        + (
            " ; pour les valeurs publiées depuis (validées), la source, le millésime et le périmètre écrits à côté "
            "de chacune — jamais comparées à une valeur d'un autre périmètre."
            if any(c.update is not None for c in fiche.cards)
            else "."
        )
    )
    return FicheText(
        title=t.name,
        identity=identity(t.kind, t.code),
        description=t.description,
        map_caption=caption,
        reading=tuple(reading),
        findings=tuple(r.findings),
        conclusion=r.conclusion,
        inconsistencies=tuple(w.inconsistency_text(i) for i in fiche.inconsistencies),
        sentences=tuple(fiche_sentences(ds, fiche)),
        priorities=tuple(PriorityLine(w.rank_text(p.rank, p.tie), p.label) for p in fiche.priorities),
        objectives=tuple(objectives),
        comparison_head=head,
        comparison_rows=rows,
        comparison_note=note,
    )
