"""CSV for spreadsheets set to French conventions (« ; », decimal comma, UTF-8 with BOM), written
and read in one place: the app's downloads, the command line's export, template and import.

Exports neutralise formula cells as OWASP recommends (a leading apostrophe before « = », « + »,
« - », « @ », tab, carriage return) without changing the stored value. Imports never evaluate
anything and read at most MAX_IMPORT_BYTES / MAX_IMPORT_ROWS. An XLSX file is a zip of XML parts,
read here without openpyxl and never whole: the zip's directory is checked first (members, sizes
as declared), every part is then read through a bounded reader (sizes as read) by a streaming
defusedxml parser that stops as soon as something is refused (a cell beyond column H, a row past
the limit, an over-long cell) or nothing more is needed (after the first sheet's data, after the
last shared string a cell uses). A formula cell is refused, never evaluated, its cached result
never read."""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import xml.parsers.expat
import zipfile
from decimal import Decimal

from .formatting import fr_number

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PUBLIC_FOLLOWUP = ["indicateur", "orientation", "territoire", "année", "valeur", "unité", "source"]
TEAM_FOLLOWUP = ["n°", "clé", *PUBLIC_FOLLOWUP, "statut", "auteur", "enregistré le", "commentaire"]
IMPORT_COLUMNS = ["indicateur", "territoire", "annee", "valeur", "unite", "source", "commentaire"]
TEMPLATE_COLUMNS = ["indicateur", "libelle", "territoire", "annee", "valeur", "unite", "source", "commentaire"]
MAX_IMPORT_BYTES = 5 * 2**20
MAX_IMPORT_ROWS = 10_000
IMPORT_WIDTH = len(TEMPLATE_COLUMNS)  # an XLSX import has its cells in columns A to H, like the template
MAX_XLSX_UNCOMPRESSED = 50 * 2**20  # all the members of the zip together, as declared and as read
MAX_XLSX_MEMBERS = 500  # a workbook saved by a spreadsheet has a few dozen
MAX_XLSX_DIRECTORY = 256 * 2**10  # the zip's central directory, read before zipfile parses it
MAX_CELL_CHARS = 32_767  # a spreadsheet's own limit for one cell
MAX_XML_EVENTS = 750_000  # elements read in a workbook (a full import sheet of plain cells has about 250 000)


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
    comment); the team: the whole history, with each value's n° and status. Text cells
    neutralised, numbers in French."""
    from .validation import STATUS_LABELS

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
        team = [str(e.id), e.indicator_key, *row, STATUS_LABELS.get(e.status, e.status), neutralise(e.author), e.recorded_at]
        rows.append(row if public else [*team, neutralise(e.comment)])
    return to_csv(PUBLIC_FOLLOWUP if public else TEAM_FOLLOWUP, rows)


def template_csv(indicators) -> bytes:
    """The import template: a header and one row per follow-up indicator (its key and label)."""
    return to_csv(TEMPLATE_COLUMNS, [[i.key, neutralise(i.label), "", "", "", "", "", ""] for i in indicators])


def reference_csv(territories: list[tuple[str, str]], indicators) -> bytes:
    """What an import may contain: each territory id (with its name) and each indicator key (with its
    label), for the team filling the template in a spreadsheet."""
    rows = [["territoire", t_id, neutralise(name)] for t_id, name in territories]
    rows += [["indicateur", i.key, neutralise(i.label)] for i in indicators]
    return to_csv(["colonne", "valeur à écrire", "signification"], rows)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, size, columns), in French."""


class SheetNumber(str):
    """A spreadsheet's numeric cell: its French text (« 2,125 ») and its exact value. A number held
    by a cell is never ambiguous, unlike the same text typed in a form or a CSV file."""

    exact: Decimal

    def __new__(cls, exact: Decimal):
        self = super().__new__(cls, decimal_cell(exact))
        self.exact = exact
        return self


FORMULA = object()  # a formula cell of a spreadsheet: refused, never evaluated


def read_import(name: str, data: bytes) -> tuple[list[tuple[int, dict]], dict[int, list[str]]]:
    """The rows of a CSV (« ; », UTF-8 with or without BOM) or XLSX file: (line number as a
    spreadsheet shows it, {column: text}) for each non-empty row, the header being line 1; and the
    lines refused while reading ({line: ["ligne 3, colonne valeur : formule refusée …"]})."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"fichier trop volumineux ({_mb(len(data))} ; au plus {_mb(MAX_IMPORT_BYTES)})")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »)") from None
        rows = _csv_rows(text)
    else:
        raise ImportFileError("format non pris en charge : un fichier .csv (séparateur « ; ») ou .xlsx est attendu")
    if not rows:
        raise ImportFileError("le fichier est vide")
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportFileError(f"trop de lignes (plus de {MAX_IMPORT_ROWS} ; au plus {MAX_IMPORT_ROWS})")
    for col, h in enumerate(rows[0], start=1):
        if h is FORMULA:
            raise ImportFileError(
                f"ligne 1, colonne {column_letter(col)} : formule refusée dans l'en-tête (tapez le nom de la colonne)"
            )
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c != "commentaire"]
    if missing:
        raise ImportFileError(
            f"colonnes manquantes : {', '.join(missing)} (en-tête attendu : {';'.join(IMPORT_COLUMNS)} ; "
            "le séparateur doit être « ; »)"
        )
    out = []
    refused: dict[int, list[str]] = {}
    for n, row in enumerate(rows[1:], start=2):
        formulas = [
            f"ligne {n}, colonne {header[i] if i < len(header) and header[i] else column_letter(i + 1)} : formule refusée "
            "(une formule n'est jamais calculée à l'import : tapez ou collez la valeur elle-même)"
            for i, v in enumerate(row)
            if v is FORMULA
        ]
        cells = {h: _cell_text(v) for h, v in zip(header, row, strict=False)}
        if formulas:
            refused[n] = formulas
            out.append((n, cells))
            continue
        if not any(cells.get(c) for c in IMPORT_COLUMNS if c != "commentaire"):
            continue  # an empty line, or a template row nobody filled
        if not any(cells.get(c) for c in ("territoire", "annee", "valeur", "unite", "source")):
            continue
        out.append((n, cells))
    return out, refused


TABLE_WIDTH = 300  # an official table (INSEE, ANCT) has one column per variable: a few dozen, rarely more
TABLE_DELIMITERS = (";", "\t", ",")  # INSEE writes « ; » ; some producers « , » or a tab


def read_rows(name: str, data: bytes, width: int = TABLE_WIDTH, delimiter: str | None = None) -> list[list]:
    """Every row of a CSV or XLSX file as read, bounded like read_import (size, rows, cells, XML),
    for an official table whose columns are the producer's own (data/official.py): texts, SheetNumber
    for a spreadsheet's numeric cell, FORMULA for a formula cell. A CSV's separator is « ; » unless
    given (or unless its first 30 lines have none, then a tab, then « , »)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"fichier trop volumineux ({_mb(len(data))} ; au plus {_mb(MAX_IMPORT_BYTES)})")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data, width)
    elif lower.endswith(".csv"):
        if b"\x00" in data[:65536]:
            raise ImportFileError("ce fichier n'est pas une table (contenu binaire) : un fichier .csv ou .xlsx est attendu")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »)") from None
        if delimiter is None:  # the first of « ; », tab, « , » found in the first lines (titles may hold commas)
            first = "".join(text[:65536].splitlines(keepends=True)[:30])
            delimiter = next((d for d in TABLE_DELIMITERS if d in first), ";")
        rows = _csv_rows(text, delimiter)
        for n, row in enumerate(rows, start=1):
            if len(row) > width:
                raise ImportFileError(f"ligne {n} : {len(row)} colonnes (au plus {width} dans une table importée)")
    else:
        raise ImportFileError("format non pris en charge : un fichier .csv ou .xlsx est attendu")
    if not rows or not any(any(_cell_text(c) for c in r) for r in rows):
        raise ImportFileError("le fichier est vide")
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportFileError(f"trop de lignes (plus de {MAX_IMPORT_ROWS} ; au plus {MAX_IMPORT_ROWS})")
    return rows


def read_table(name: str, data: bytes) -> list[tuple[int, dict]]:
    """read_import's rows; a file with a refused cell (a formula) is refused as a whole."""
    rows, refused = read_import(name, data)
    if refused:
        raise ImportFileError(" ; ".join(p for line in sorted(refused) for p in refused[line]))
    return rows


def _cell_text(v) -> str:
    if v is FORMULA or v is None:
        return ""
    if isinstance(v, SheetNumber):
        return v
    return str(v).strip()


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} Mo".replace(".", ",").replace(",0 Mo", " Mo")


def column_letter(col: int) -> str:
    """1 → A, 8 → H, 27 → AA."""
    out = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


# --- CSV --------------------------------------------------------------------------------------------


class _Lines:
    """The physical lines of a text, remembering those of the record being read (to name the
    column of a faulty record)."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self.record: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line


def _csv_rows(text: str, delimiter: str = ";") -> list[list[str]]:
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            lines.record = []
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break  # refused by the caller; the rest is never read
    except csv.Error:
        line = len(rows) + 1
        limit = csv.field_size_limit()
        col = _long_field(lines.record, limit)
        if col is None:
            raise ImportFileError(f"ligne {line} : CSV illisible (guillemet mal fermé ?)") from None
        header = [h.strip().lower() for h in rows[0]] if rows else []
        name = header[col - 1] if col <= len(header) and header[col - 1] else str(col)
        raise ImportFileError(
            f"ligne {line}, colonne {name} : cellule de plus de {fr_number(limit)} caractères (fichier refusé)"
        ) from None
    return rows


def _long_field(record: list[str], limit: int) -> int | None:
    """The column (1, 2…) of the record's first field longer than limit, or None."""
    text = "".join(record)
    if '"' not in text:
        for col, field in enumerate(text.rstrip("\r\n").split(";"), start=1):
            if len(field) > limit:
                return col
        return None
    col, n, quoted, i = 1, 0, False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                i += 1
                n += 1
            elif ch == '"':
                quoted = False
            else:
                n += 1
        elif ch == '"':
            quoted = True
        elif ch == ";":
            col, n = col + 1, 0
        elif ch not in "\r\n":
            n += 1
        if n > limit:
            return col
        i += 1
    return None


# --- XLSX -------------------------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls, or an .xlsx protected by a password
_END_OF_DIRECTORY = b"PK\x05\x06"
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_INT = re.compile(r"[-+]?[0-9]{1,300}")
_FLOAT = re.compile(r"[-+]?([0-9]{1,300}\.?[0-9]{0,300}|\.[0-9]{1,300})([eE][-+]?[0-9]{1,4})?")
_REL_TYPES = ("/officeDocument", "/worksheet", "/sharedStrings", "/styles")


class _Stop(Exception):
    """Everything needed was read: the rest of the part is not parsed."""


class _Shared(int):
    """A cell holding the n-th shared string, resolved once the sheet is read."""


def _unreadable(detail: str) -> ImportFileError:
    return ImportFileError(f"classeur .xlsx illisible : {detail}")


def _xlsx_rows(data: bytes, width: int = IMPORT_WIDTH) -> list[list]:
    try:
        return _Workbook(data, width).first_sheet_rows()
    except ImportFileError:
        raise
    except Exception:  # a corrupt or disguised file: zipfile and expat raise many kinds
        raise _unreadable("fichier endommagé ou d'un autre format (enregistrez-le en « Classeur Excel (.xlsx) »)") from None


class _Workbook:
    def __init__(self, data: bytes, width: int = IMPORT_WIDTH):
        self.width = width  # the last column a cell may be in (A to H for the follow-up import)
        if data.startswith(_OLE):
            raise _unreadable(
                "ancien format Excel (.xls) ou classeur protégé par un mot de passe ; "
                "enregistrez-le en « Classeur Excel (.xlsx) », sans mot de passe"
            )
        if not data.startswith(b"PK\x03\x04"):
            raise _unreadable("ce n'est pas un classeur Excel (enregistrez-le en « Classeur Excel (.xlsx) » ou en « CSV UTF-8 »)")
        self._check_directory(data)
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        infos = self.zip.infolist()
        if len(infos) > MAX_XLSX_MEMBERS:
            raise ImportFileError(f"classeur .xlsx refusé : trop d'éléments ({len(infos)} ; au plus {MAX_XLSX_MEMBERS})")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_XLSX_UNCOMPRESSED:
            raise ImportFileError(
                f"classeur .xlsx refusé : {_mb(declared)} une fois décompressé (au plus {_mb(MAX_XLSX_UNCOMPRESSED)})"
            )
        for i in infos:
            if i.flag_bits & 0x1:
                raise _unreadable("classeur chiffré (enregistrez-le sans mot de passe)")
            if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _unreadable("compression inconnue (enregistrez-le depuis le tableur en « Classeur Excel (.xlsx) »)")
        self.parts = {i.filename.lower(): i for i in infos}
        self.budget = MAX_XLSX_UNCOMPRESSED  # bytes still allowed to be decompressed, whatever the headers say
        self.events = 0  # XML elements read so far, all parts together

    @staticmethod
    def _check_directory(data: bytes) -> None:
        """Members and directory size from the end record, before zipfile builds an object per member."""
        end = len(data) - 22
        if data[end : end + 4] != _END_OF_DIRECTORY:
            end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 22 - 65_535))
        if end < 0 or len(data) - end < 22:
            raise _unreadable("fichier incomplet ou endommagé (enregistrez-le à nouveau depuis le tableur)")
        _, _, on_disk, total, size, _, _ = struct.unpack("<HHHHIIH", data[end + 4 : end + 22])
        if total > MAX_XLSX_MEMBERS or on_disk != total:
            raise ImportFileError(f"classeur .xlsx refusé : trop d'éléments ({total} ; au plus {MAX_XLSX_MEMBERS})")
        if size > MAX_XLSX_DIRECTORY:
            raise ImportFileError("classeur .xlsx refusé : répertoire du fichier zip démesuré")

    # -- reading one part --------------------------------------------------------------------------
    def parse(self, name: str, handler: _Handler) -> None:
        """Stream the part through expat with defusedxml's guards (no DTD, no entity, nothing external)
        by chunks, never more bytes than its declared size nor the budget, until the handler stops.
        The handler's methods are expat's own callbacks (no SAX layer between them: a refusal after
        750 000 elements costs ≈ 0,75 s of CPU instead of ≈ 0,95 s)."""
        info = self.parts.get(name.lower())
        if info is None:
            raise _unreadable(f"partie « {name[:60]} » absente")
        parser = _defused_expat()
        parser.buffer_text = True  # a text node in one call (the handlers join the pieces anyway)
        parser.StartElementHandler = handler.startElement
        parser.EndElementHandler = handler.endElement
        parser.CharacterDataHandler = handler.characters
        handler.book = self
        left = info.file_size
        try:
            with self.zip.open(info) as f:
                while chunk := f.read(64 * 1024):
                    left -= len(chunk)
                    self.budget -= len(chunk)
                    if left < 0 or self.budget < 0:
                        raise ImportFileError("classeur .xlsx refusé : contenu décompressé plus grand que la taille annoncée")
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Stop:
            pass

    def relations(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of a part's relationships (an absent .rels: none)."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels.lower() not in self.parts:
            return []
        h = _Relations()
        self.parse(rels, h)
        out = []
        for rid, kind, target, mode in h.found:
            if mode.lower() == "external" or not kind.endswith(_REL_TYPES):
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.append((rid, kind, path))
        return out

    # -- the first worksheet -----------------------------------------------------------------------
    def first_sheet_rows(self) -> list[list]:
        book = next((p for _, k, p in self.relations("") if k.endswith("/officeDocument")), "xl/workbook.xml")
        if book.lower() not in self.parts:
            raise _unreadable("aucun classeur dans ce fichier (est-ce bien un fichier Excel .xlsx ?)")
        wb = _WorkbookPart()
        self.parse(book, wb)
        rels = self.relations(book)
        targets = {rid: path for rid, kind, path in rels if kind.endswith("/worksheet")}
        sheet = next((targets[rid] for rid in wb.sheets if rid in targets), None)
        if sheet is None:
            raise _unreadable("aucune feuille de calcul dans ce classeur")
        styles = next((p for _, k, p in rels if k.endswith("/styles")), None)
        date_styles: dict[int, bool] = {}
        if styles and styles.lower() in self.parts:
            st = _Styles()
            self.parse(styles, st)
            date_styles = st.date_styles()
        ws = _Sheet(date_styles, wb.date1904, self.width)
        self.parse(sheet, ws)
        if ws.shared:
            strings = next((p for _, k, p in rels if k.endswith("/sharedStrings")), "xl/sharedStrings.xml")
            sst = _SharedStrings(ws.shared)
            self.parse(strings, sst)
            missing = set(ws.shared) - set(sst.strings)
            if missing:
                raise _unreadable(f"texte partagé n° {min(missing)} absent")
            for row in ws.rows:
                for i, v in enumerate(row):
                    if isinstance(v, _Shared):
                        row[i] = sst.strings[v]
        return ws.rows


def _defused_expat() -> xml.parsers.expat.XMLParserType:
    """An expat parser with defusedxml's four guards (those of its expat reader, the same exceptions):
    a DOCTYPE, an entity declared (parsed or not) or an external reference stops the reading."""
    from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    def doctype(name, sysid, pubid, has_internal_subset):
        raise DTDForbidden(name, sysid, pubid)

    def entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)

    def unparsed_entity(name, base, sysid, pubid, notation_name):
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)

    def external(context, base, sysid, pubid):
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed_entity
    parser.ExternalEntityRefHandler = external
    return parser


class _Handler:
    """Counts the elements read in the workbook: millions of tiny elements are refused. Its three
    methods are expat's callbacks (qualified names, attributes as a dict)."""

    book: _Workbook

    def startElement(self, name, attrs):
        self.book.events += 1
        if self.book.events > MAX_XML_EVENTS:
            raise ImportFileError(
                f"classeur .xlsx refusé : plus de {fr_number(MAX_XML_EVENTS)} éléments XML (trop complexe pour un import)"
            )
        self.start(name.rpartition(":")[2], attrs)

    def endElement(self, name):
        self.end(name.rpartition(":")[2])

    def characters(self, content: str) -> None:
        pass

    def start(self, tag: str, attrs) -> None:
        pass

    def end(self, tag: str) -> None:
        pass


def _attr(attrs, local: str, default: str | None = None) -> str | None:
    """An attribute by its local name, whatever its namespace prefix (r:id, or id)."""
    value = attrs.get(local)
    if value is not None:
        return value
    for name, v in attrs.items():
        if name.rpartition(":")[2] == local:
            return v
    return default


class _Relations(_Handler):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []

    def start(self, tag, attrs):
        if tag == "Relationship":
            self.found.append(
                (
                    attrs.get("Id", ""),
                    attrs.get("Type", ""),
                    attrs.get("Target", ""),
                    attrs.get("TargetMode", ""),
                )
            )


class _WorkbookPart(_Handler):
    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[str] = []
        self.date1904 = False

    def start(self, tag, attrs):
        if tag == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            self.sheets.append(_attr(attrs, "id", ""))

    def end(self, tag):
        if tag == "sheets":
            raise _Stop


class _Styles(_Handler):
    """Which cell styles show a number as a date or a duration (as openpyxl reads them)."""

    def __init__(self) -> None:
        super().__init__()
        self.custom: dict[int, str] = {}
        self.xfs: list[int] = []
        self.in_xfs = False

    def start(self, tag, attrs):
        if tag == "numFmt":
            try:
                self.custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")[:256]
            except ValueError:
                pass
        elif tag == "cellXfs":
            self.in_xfs = True
        elif tag == "xf" and self.in_xfs:
            try:
                self.xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.xfs.append(0)

    def end(self, tag):
        if tag == "cellXfs":
            raise _Stop

    def date_styles(self) -> dict[int, bool]:
        """{style index: is a duration} for the styles showing dates or durations."""
        from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format

        out = {}
        for idx, fmt_id in enumerate(self.xfs):
            fmt = self.custom.get(fmt_id) or builtin_format_code(fmt_id)
            if is_date_format(fmt):
                out[idx] = is_timedelta_format(fmt)
        return out


class _Sheet(_Handler):
    """The cells of a worksheet, row by row, as texts (numbers the French way), FORMULA or _Shared;
    refused early: a cell beyond column H, a row past MAX_IMPORT_ROWS + 1, a cell over MAX_CELL_CHARS."""

    def __init__(self, date_styles: dict[int, bool], date1904: bool, width: int = IMPORT_WIDTH):
        super().__init__()
        self.width = width
        self.date_styles = date_styles
        self.date1904 = date1904
        self.rows: list[list] = []
        self.shared: dict[int, tuple[int, int]] = {}  # shared string → the first cell using it
        self.in_data = False
        self.row = 0
        self.cells: list | None = None
        self.col = 0
        self.cell: tuple[str, int | None] | None = None
        self.formula = False
        self.text: list[str] | None = None  # the <v> or <t> being read
        self.size = 0
        self.value: list[str] = []
        self.inline: list[str] = []
        self.in_inline = False
        self.phonetic = 0

    def where(self, col: int | None = None) -> str:
        return f"ligne {self.row}, colonne {column_letter(col or self.col)}"

    def start(self, tag, attrs):
        if self.cell is not None:
            if tag == "f":
                self.formula = True
            elif tag == "v":
                self.text, self.size = self.value, 0
            elif tag == "is":
                self.in_inline = True
            elif tag == "rPh":
                self.phonetic += 1
            elif tag == "t" and self.in_inline and not self.phonetic:
                self.text = self.inline
            return
        if tag == "c" and self.cells is not None:
            self.start_cell(attrs)
        elif tag == "row" and self.in_data:
            self.start_row(attrs)
        elif tag == "dimension" and not self.in_data:
            self.check_dimension(attrs.get("ref", ""))
        elif tag == "sheetData":
            self.in_data = True

    def check_dimension(self, ref: str) -> None:
        """The extent the sheet declares (« A1:H20 »): refused at once if wider or longer than allowed."""
        corners = [m for m in (_REF.fullmatch(p) for p in ref.split(":")) if m is not None]
        if not ref or len(corners) != len(ref.split(":")):
            return  # no usable dimension: the cells themselves are checked one by one
        last_col = max(_column_number(m.group(1)) for m in corners)
        last_row = max(int(m.group(2)) for m in corners)
        if last_col > self.width:
            raise ImportFileError(self.too_wide(f"la feuille s'étend jusqu'à la colonne {column_letter(last_col)} ({ref[:30]})"))
        if last_row > MAX_IMPORT_ROWS + 1:
            raise ImportFileError(self.too_long(last_row))

    def too_wide(self, where: str) -> str:
        if self.width != IMPORT_WIDTH:
            return f"{where} : au plus {self.width} colonnes (A à {column_letter(self.width)}) dans une table importée"
        last = column_letter(IMPORT_WIDTH)
        return (
            f"{where}, au-delà de la colonne {last} : le modèle a {IMPORT_WIDTH} colonnes (A à {last}) ; "
            f"supprimez les colonnes après {last}, même vides (clic droit › Supprimer), puis importez à nouveau"
        )

    @staticmethod
    def too_long(row: int) -> str:
        return (
            f"trop de lignes : la feuille va jusqu'à la ligne {row} (au plus {MAX_IMPORT_ROWS} lignes de valeurs sous l'en-tête)"
        )

    def start_row(self, attrs):
        r = attrs.get("r")
        number = self.row + 1
        if r is not None:
            if not r.isascii() or not r.isdigit() or len(r) > 7:
                raise _unreadable(f"numéro de ligne « {r[:10]} » invalide")
            number = int(r)
        if number <= self.row:
            raise _unreadable(f"ligne {number} en double ou dans le désordre")
        if number > MAX_IMPORT_ROWS + 1:
            raise ImportFileError(self.too_long(number))
        while len(self.rows) < number - 1:
            self.rows.append([])
        self.row, self.col = number, 0
        self.cells = []
        self.rows.append(self.cells)

    def start_cell(self, attrs):
        ref = attrs.get("r")
        col = self.col + 1
        if ref is not None:
            m = _REF.fullmatch(ref)
            if m is None:
                raise _unreadable(f"ligne {self.row} : référence de cellule « {ref[:12]} » invalide")
            col = _column_number(m.group(1))
        if col > self.width:
            raise ImportFileError(self.too_wide(f"{self.where(col)} : cellule"))
        if col <= self.col:
            raise _unreadable(f"{self.where(col)} : cellule en double ou dans le désordre")
        self.col = col
        style = attrs.get("s")
        self.cell = (attrs.get("t", "n"), int(style) if style and style.isascii() and style.isdigit() else None)
        self.formula, self.in_inline, self.phonetic = False, False, 0
        self.value, self.inline, self.text = [], [], None

    def characters(self, content):
        if self.text is not None:
            self.size += len(content)
            if self.size > MAX_CELL_CHARS:
                raise ImportFileError(f"{self.where()} : cellule de plus de {fr_number(MAX_CELL_CHARS)} caractères")
            self.text.append(content)

    def end(self, tag):
        if self.cell is not None:
            if tag in ("v", "t"):
                self.text = None
            elif tag == "rPh":
                self.phonetic -= 1
            elif tag == "is":
                self.in_inline = False
            elif tag == "c":
                while len(self.cells) < self.col - 1:
                    self.cells.append("")
                self.cells.append(self.cell_value())
                self.cell = None
        elif tag == "row":
            self.cells = None
        elif tag == "sheetData":
            raise _Stop  # the rest of the sheet (merged cells, layout…) is not needed

    def cell_value(self):
        kind, style = self.cell
        if self.formula:
            return FORMULA  # its cached result is never read
        if kind == "inlineStr":
            return "".join(self.inline)
        v = "".join(self.value)
        if v == "":
            return ""
        if kind == "s":
            if not v.isascii() or not v.strip().isdigit() or len(v.strip()) > 9:
                raise _unreadable(f"{self.where()} : référence de texte « {v[:12]} » invalide")
            idx = _Shared(int(v))
            self.shared.setdefault(idx, (self.row, self.col))
            return idx
        if kind == "b":
            return str(v.strip() not in ("0", ""))
        if kind in ("e", "str", "d"):
            return v
        return self.number(v.strip())

    def number(self, v: str):
        """A numeric cell as openpyxl reads it (an integer, or a float written back in its shortest
        form), as an exact SheetNumber; a date-styled one as the date's text."""
        if _INT.fullmatch(v):
            n: int | float = int(v)
            exact = Decimal(n)
        elif _FLOAT.fullmatch(v):
            n = float(v)
            if n != n or n in (float("inf"), float("-inf")):
                return v
            exact = Decimal(repr(n)).normalize()
        else:
            raise _unreadable(f"{self.where()} : nombre « {v[:20]} » mal formé")
        style = self.cell[1] if self.cell is not None else None
        if style is not None and style in self.date_styles:
            from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

            try:
                return str(from_excel(n, MAC_EPOCH if self.date1904 else WINDOWS_EPOCH, timedelta=self.date_styles[style]))
            except (OverflowError, ValueError):
                return "#VALUE!"
        return SheetNumber(exact)


class _SharedStrings(_Handler):
    """Only the shared strings the sheet uses; stops after the last one of them."""

    def __init__(self, wanted: dict[int, tuple[int, int]]):
        super().__init__()
        self.wanted = wanted
        self.last = max(wanted)
        self.strings: dict[int, str] = {}
        self.index = -1
        self.parts: list[str] | None = None
        self.collect = False
        self.phonetic = 0
        self.size = 0

    def start(self, tag, attrs):
        if tag == "si":
            self.index += 1
            if self.index > self.last:
                raise _Stop
            self.parts = [] if self.index in self.wanted else None
            self.size = 0
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.parts is not None and not self.phonetic:
            self.collect = True

    def characters(self, content):
        if self.collect:
            self.size += len(content)
            if self.size > MAX_CELL_CHARS:
                row, col = self.wanted[self.index]
                raise ImportFileError(
                    f"ligne {row}, colonne {column_letter(col)} : cellule de plus de {fr_number(MAX_CELL_CHARS)} caractères"
                )
            self.parts.append(content)

    def end(self, tag):
        if tag == "t":
            self.collect = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "si" and self.parts is not None:
            self.strings[self.index] = "".join(self.parts)
            self.parts = None
