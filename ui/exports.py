"""CSV exports rendered from figure records, for spreadsheets set to French conventions: « ; »
separator, decimal comma, UTF-8 with BOM. A missing value stays empty with its status (« na »:
printed NA by the contract), never 0. Text cells that a spreadsheet would read as a formula are
neutralised (OWASP: a leading apostrophe) without touching the figures themselves."""

from __future__ import annotations

import csv
import io

from data.dataset import Dataset, Figure

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
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A text cell starting like a formula gets a leading apostrophe (shown as text by spreadsheets)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def number_as_printed(f: Figure) -> str:
    """« 66,4 », « 22,68 », « 85046 »: the printed decimals, no thousands separator; empty if missing."""
    if f.missing:
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
            ]
        )
    return rows


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def figures_csv(ds: Dataset, figures) -> bytes:
    return to_csv(HEADER, figures_rows(ds, figures))


PUBLIC_FOLLOWUP = ["indicateur", "orientation", "territoire", "année", "valeur", "unité", "source"]
TEAM_FOLLOWUP = ["clé", *PUBLIC_FOLLOWUP, "auteur", "enregistré le", "commentaire"]


def followup_csv(entries, public: bool) -> bytes:
    """Follow-up values as CSV. Public screens: published values only (no key, author, date or
    comment); the team: the whole history. Text cells neutralised, numbers in French."""
    from data.formatting import fr_number

    rows = []
    for e in entries:
        row = [
            neutralise(e.indicator_label),
            str(e.orientation),
            e.territory,
            str(e.year),
            fr_number(e.value),
            neutralise(e.unit),
            neutralise(e.source),
        ]
        rows.append(row if public else [e.indicator_key, *row, neutralise(e.author), e.recorded_at, neutralise(e.comment)])
    return to_csv(PUBLIC_FOLLOWUP if public else TEAM_FOLLOWUP, rows)
