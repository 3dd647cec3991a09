"""CSV for spreadsheets set to French conventions (« ; », decimal comma, UTF-8 with BOM), written
and read in one place: the app's downloads, the command line's export, template and import.

Exports neutralise formula cells as OWASP recommends (a leading apostrophe before « = », « + »,
« - », « @ », tab, carriage return) without changing the stored value; imports never evaluate
anything and read at most MAX_IMPORT_BYTES / MAX_IMPORT_ROWS."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PUBLIC_FOLLOWUP = ["indicateur", "orientation", "territoire", "année", "valeur", "unité", "source"]
TEAM_FOLLOWUP = ["clé", *PUBLIC_FOLLOWUP, "auteur", "enregistré le", "commentaire"]
IMPORT_COLUMNS = ["indicateur", "territoire", "annee", "valeur", "unite", "source", "commentaire"]
TEMPLATE_COLUMNS = ["indicateur", "libelle", "territoire", "annee", "valeur", "unite", "source", "commentaire"]
MAX_IMPORT_BYTES = 5 * 2**20
MAX_IMPORT_ROWS = 10_000


def neutralise(cell: str) -> str:
    """A text cell starting like a formula gets a leading apostrophe (shown as text by spreadsheets)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def decimal_cell(value: Decimal) -> str:
    """1234.5 → « 1234,5 »: every digit, decimal comma, no thousands separator (a number for a
    spreadsheet, and a value the import reads back unchanged)."""
    text = format(value, "f")
    return text.replace(".", ",")


def followup_csv(entries, public: bool) -> bytes:
    """Follow-up values as CSV. Public screens: published values only (no key, author, date or
    comment); the team: the whole history. Text cells neutralised, numbers in French."""
    rows = []
    for e in entries:
        row = [
            neutralise(e.indicator_label),
            str(e.orientation),
            e.territory,
            str(e.year),
            decimal_cell(e.value),
            neutralise(e.unit),
            neutralise(e.source),
        ]
        rows.append(row if public else [e.indicator_key, *row, neutralise(e.author), e.recorded_at, neutralise(e.comment)])
    return to_csv(PUBLIC_FOLLOWUP if public else TEAM_FOLLOWUP, rows)


def template_csv(indicators: list[dict]) -> bytes:
    """The import template: a header and one row per follow-up indicator (its key and label)."""
    return to_csv(TEMPLATE_COLUMNS, [[i["key"], neutralise(i["label"]), "", "", "", "", "", ""] for i in indicators])


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, size, columns), in French."""


def read_table(name: str, data: bytes) -> list[tuple[int, dict]]:
    """(line number as a spreadsheet shows it, {column: text}) for each non-empty row of a CSV
    (« ; », UTF-8 with or without BOM) or XLSX file; the header is line 1."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"fichier trop volumineux ({len(data) // 2**20} Mo ; au plus {MAX_IMPORT_BYTES // 2**20} Mo)")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »)") from None
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    else:
        raise ImportFileError("format non pris en charge : un fichier .csv (séparateur « ; ») ou .xlsx est attendu")
    if not rows:
        raise ImportFileError("le fichier est vide")
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c != "commentaire"]
    if missing:
        raise ImportFileError(
            f"colonnes manquantes : {', '.join(missing)} (en-tête attendu : {';'.join(IMPORT_COLUMNS)} ; "
            "le séparateur doit être « ; »)"
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportFileError(f"trop de lignes ({len(rows) - 1} ; au plus {MAX_IMPORT_ROWS})")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {h: ("" if v is None else str(v)).strip() for h, v in zip(header, row, strict=False)}
        if not any(cells.get(c) for c in IMPORT_COLUMNS if c != "commentaire"):
            continue  # an empty line, or a template row nobody filled
        if not any(cells.get(c) for c in ("territoire", "annee", "valeur", "unite", "source")):
            continue
        out.append((n, cells))
    return out


def _xlsx_rows(data: bytes) -> list[list]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a corrupt or disguised file: openpyxl raises many kinds
        raise ImportFileError("classeur .xlsx illisible") from None
    ws = wb.worksheets[0]
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append([_xlsx_cell(v) for v in row])
        if len(rows) > MAX_IMPORT_ROWS + 1:
            break
    wb.close()
    return rows


def _xlsx_cell(v) -> str:
    """A spreadsheet number written the French way (1234.5 → « 1234,5 »); text as is."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format(Decimal(repr(v)).normalize(), "f").replace(".", ",")
    return str(v)
