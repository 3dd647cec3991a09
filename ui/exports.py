"""CSV exports rendered from figure records, for spreadsheets set to French conventions: « ; »
separator, decimal comma, UTF-8 with BOM. A missing value stays empty with its status (« na »:
printed NA by the contract), never 0. Text cells that a spreadsheet would read as a formula are
neutralised (OWASP: a leading apostrophe) without touching the figures themselves."""

from __future__ import annotations

from data.dataset import Dataset, Figure
from ui.wording import ORIGIN, PUBLICATION

HEADER = [
    "territoire",
    "indicateur",
    "libellé",
    "période",
    "valeur",
    "unité",
    "statut",
    "qualificatif",
    "source",
    "périmètre",
    "référence du contrat",
    "note",
    "attribution déduite",
    "origine",  # contrat · source officielle importée · saisie de l'équipe
    "publication",  # « imprimé dans le contrat » or the point's status (validée; proposée in team views)
]
# one home for CSV writing and formula neutralisation (the command line uses it too)
from data.csvio import FORMULA_START, followup_csv, neutralise, to_csv  # noqa: E402,F401


def number_as_printed(f: Figure) -> str:
    """« 66,4 », « 22,68 », « 85046 »: the printed decimals, no thousands separator; empty if missing."""
    if f.missing or f.value is None:
        return ""
    if f.unit == "fraction":
        from fractions import Fraction

        q = Fraction(f.value).limit_denominator(12)
        return f"{q.numerator}/{q.denominator}"
    return f"{f.value:.{f.decimals}f}".replace(".", ",")


def figures_rows(ds: Dataset, figures) -> list[list[str]]:
    rows = []
    for f in figures:
        ind = ds.catalogue[f.indicator]
        rows.append(
            [
                f.territory,
                f.indicator,
                neutralise(ind.label),
                f.period,
                number_as_printed(f),
                neutralise(ind.unit_label),
                f.status,
                f.qualifier,
                neutralise(f.source),
                neutralise(f.perimeter),
                neutralise(f.contract_ref),
                neutralise(f.note),
                neutralise(f.inferred),
                ORIGIN.get(f.origin, f.origin),
                "imprimé dans le contrat" if f.from_contract else PUBLICATION.get(f.publication, f.publication),
            ]
        )
    return rows


def figures_csv(ds: Dataset, figures) -> bytes:
    return to_csv(HEADER, figures_rows(ds, figures))
