"""Official tables in: a table as INSEE or ANCT publish it (one row per territory, identified by its
official code, one column per variable) read through a **correspondence** that says which column
is which indicator, with the millésime, the perimeter, the unit and the source. The team keeps the
correspondence as a small YAML file for next year's release (qpv_data/correspondances/):

    source: "Insee, Filosofi 2021, quartiers 2024"
    millesime: "2021"
    perimetre: qpv-2024          # the perimeter of the quartiers' rows (see PERIMETER RULE below)
    code: CODGEO                 # the column holding each row's official code (or the dashboard's id)
    decimale: ","                # optional: « , » or « . » when the producer's decimal mark is known
    colonnes:
      MED21: {indicateur: median_declared_income, unite: "€"}
      TX_NEW: {indicateur: nouveau_taux, unite: "%", libelle: "…", definition: "…", sens: baisse}

PERIMETER RULE. `perimetre` is the perimeter of the quartiers' rows: qpv-2024 or qpv-2015 for a
QPV, poche for a poche de pauvreté (INSEE 200 m squares). A row of a reference territory of the same
table takes the perimeter of its own kind, whatever `perimetre` says: Compiègne (60159) → commune,
the ARC (200067965) → EPCI, the Oise → département, the Hauts-de-France → région, France → France;
the groupings the contract compares with (Ensemble des QPV, QPV de France…) take `perimetre`. A
QPV 2024 code (QN…) is refused under `perimetre: qpv-2015`. Two-digit codes are départements or
régions (« 32 » is both the Gers and the Hauts-de-France): they are read only when `perimetre`
says which (departement, region).

CODES. A row is found by its official code — QPV 2024 (QN06007M), commune (60159), EPCI SIREN
(200067965), square (CRS3035RES200m…), département or région — or by the dashboard's own id
(clos-des-roses). A well-formed code of another territory of France (the 1 581 other QPV of a
national file, another commune…) is skipped and counted; an empty or malformed code is refused
with its line.

VALUES. INSEE's secret and missing markers (empty, s, nd, NA, ns, c, nc, so, -, …) are « non
disponible » (None), never 0. Numbers follow the form's rules (data/followup.parse_number): « 1 234,5 »
is read, « 1.234 » or « 1,234 » is refused as ambiguous unless the correspondence names the decimal
mark; a spreadsheet's numeric cell is exact. Each value keeps its exact Decimal and the decimals it
was printed with. Refused with line and column named, and nothing written: codes as above, a mapped
column absent from the file, a unit that contradicts the indicator, a rate outside 0–100 %, a
negative count or amount, a file that is not a table. All or nothing.

This module never imports streamlit: the command line (data/cli.py) and /suivi (ui/admin.py) share it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from . import csvio
from .csvio import FORMULA, ImportFileError, SheetNumber
from .followup import FollowupError, _exact, parse_number, refused_character, shown
from .formatting import fr_value
from .series import OFFICIAL, PERIMETERS, Change, NewIndicator, SeriesStore, WriteReport, contract_conflict

MAX_MAPPING_BYTES = 64 * 2**10
SHOWN_SKIPPED = 10  # codes ignored (outside the contract) named in the report: a mistyped code of the contract shows
HEADER_SEARCH_ROWS = 30  # INSEE's spreadsheets put a few title lines above the header
SECRET_MARKERS = frozenset({"", "s", "nd", "n.d.", "na", "n/a", "ns", "c", "nc", "so", "-", "–", "—", "…", "...", "x"})
# the units a correspondence may write → the catalogue's unit (data/schemas.UNITS)
UNIT_WORDS = {
    "€": "euros",
    "euro": "euros",
    "euros": "euros",
    "eur": "euros",
    "€/uc": "euros",
    "€ par uc": "euros",
    "%": "pourcent",
    "pourcent": "pourcent",
    "pour cent": "pourcent",
    "pourcentage": "pourcent",
    "nombre": "nombre",
    "effectif": "nombre",
    "personnes": "nombre",
    "habitants": "nombre",
    "ménages": "nombre",
    "logements": "nombre",
    "ratio": "ratio",
    "fraction": "fraction",
    "note": "note",
    "apl_etp": "apl_etp",
    "apl_consultations": "apl_consultations",
}
UNIT_NAMES = {"euros": "euros", "pourcent": "pourcentage (%)", "nombre": "nombre"}
# a reference territory of the contract → the perimeter of its rows, whatever the correspondence says
REFERENCE_PERIMETERS = {
    "compiegne": "commune",
    "arc": "epci",
    "oise": "departement",
    "hauts-de-france": "region",
    "france": "france",
}
GROUPS_WITH_MAPPING_PERIMETER = ("ensemble-qpv", "qpv-france", "hors-qpv-unites-urbaines")

# well-formed official codes of France: a row with one of them that is not the contract's is skipped
CODE_PATTERNS = {
    "qpv-2024": re.compile(r"QN[0-9]{2}[0-9AB][0-9]{2}[A-Z]"),
    "qpv-2015": re.compile(r"QP[0-9]{2}[0-9AB][0-9]{3}"),
    "commune": re.compile(r"[0-9][0-9AB][0-9]{3}"),
    "epci": re.compile(r"[0-9]{9}"),
    "carreau": re.compile(r"CRS3035RES200MN[0-9]{5,8}E[0-9]{5,8}"),
    "departement-region": re.compile(r"[0-9][0-9AB]|97[1-6]"),
}


class MappingError(ValueError):
    """A correspondence refused, in French, naming its key (and its line in the YAML file)."""


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ColumnSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicateur: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
    unite: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    libelle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    definition: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None = None
    sens: Literal["hausse", "baisse", "aucun"] | None = None


class Correspondence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    millesime: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4}(-[0-9]{4})?$")]
    perimetre: Literal[tuple(PERIMETERS)]  # type: ignore[valid-type]
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    decimale: Literal[",", "."] | None = None
    separateur: Literal[";", ",", "tabulation"] | None = None
    colonnes: dict[str, ColumnSpec] = Field(min_length=1)

    @property
    def perimeter_label(self) -> str:
        return PERIMETERS[self.perimetre]


MAPPING_REASONS = {
    "missing": "champ obligatoire absent",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "string_too_short": "texte vide",
    "string_too_long": "texte trop long",
    "string_pattern_mismatch": "format invalide",
    "literal_error": "valeur non autorisée",
    "dict_type": "bloc « clé : valeur » attendu",
    "model_type": "bloc « clé : valeur » attendu",
    "too_short": "au moins une colonne attendue",
}
FIELD_HINTS = {
    "millesime": " (ex. « 2021 » ou « 2020-2021 »)",
    "perimetre": f" (attendu : {', '.join(PERIMETERS)})",
    "sens": " (attendu : hausse, baisse ou aucun)",
    "indicateur": " (identifiant en minuscules, chiffres, « _ » ou « - », ex. median_declared_income)",
    "decimale": " (attendu : « , » ou « . »)",
    "separateur": " (attendu : « ; », « , » ou tabulation)",
}


def load_mapping(text: str | bytes, name: str = "correspondance") -> Correspondence:
    """A correspondence from its YAML text; MappingError (French, with the YAML line) otherwise."""
    if isinstance(text, bytes):
        if len(text) > MAX_MAPPING_BYTES:
            raise MappingError(f"{name} : fichier trop volumineux pour une correspondance (au plus 64 Ko)")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MappingError(f"{name} : le fichier n'est pas en UTF-8") from None
    if len(text) > MAX_MAPPING_BYTES:
        raise MappingError(f"{name} : fichier trop volumineux pour une correspondance (au plus 64 Ko)")
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text)):
            raise MappingError(f"{name} : alias YAML (*nom) refusés dans une correspondance : écrivez chaque valeur en entier")
        doc = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", ligne {mark.line + 1}" if mark else ""
        raise MappingError(f"{name}{where} : YAML illisible ({getattr(exc, 'problem', None) or 'syntaxe'})") from None
    if not isinstance(doc, dict):
        raise MappingError(
            f"{name} : une correspondance est un bloc « clé : valeur » (source, millesime, perimetre, code, colonnes)"
        )
    if isinstance(doc.get("millesime"), int):
        doc["millesime"] = str(doc["millesime"])  # millesime: 2021 without quotes
    cols = doc.get("colonnes")
    if isinstance(cols, dict):
        doc["colonnes"] = {str(k): v for k, v in cols.items()}  # a column named 2021
    return mapping_from(doc, name, node)


def mapping_from(doc: dict, name: str = "correspondance", node: yaml.Node | None = None) -> Correspondence:
    """A correspondence from its fields (a YAML document, or the columns chosen in the app);
    MappingError in French naming the field (and its YAML line when there is a file)."""
    try:
        return Correspondence.model_validate(doc)
    except ValidationError as exc:
        from .schemas import _line_of

        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
        where = " › ".join(str(p) for p in loc) or "racine"
        reason = MAPPING_REASONS.get(err["type"], "valeur invalide")
        if err["type"] not in ("missing", "extra_forbidden"):
            reason += FIELD_HINTS.get(str(loc[-1]) if loc else "", "")
        got = err.get("input")
        if err["type"] != "missing" and isinstance(got, str | int | float | bool):
            reason += f", reçu « {shown(got, 60)} »"
        line = _line_of(node, loc) if node is not None else None
        raise MappingError(f"{name}{f', ligne {line}' if line else ''} : {where} : {reason}") from None


def mapping_yaml(mapping: Correspondence) -> str:
    """The correspondence as a YAML file the team keeps for next year's release."""
    doc: dict = {
        "source": mapping.source,
        "millesime": mapping.millesime,
        "perimetre": mapping.perimetre,
        "code": mapping.code,
    }
    if mapping.decimale:
        doc["decimale"] = mapping.decimale
    if mapping.separateur:
        doc["separateur"] = mapping.separateur
    doc["colonnes"] = {col: spec.model_dump(exclude_none=True) for col, spec in mapping.colonnes.items()}
    head = "# Correspondance d'une table officielle (Quartiers 2030) : voir qpv_data/correspondances/ pour un exemple commenté.\n"
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=False)


def table_header(name: str, data: bytes) -> list[str]:
    """The column names of a table (for choosing its columns in the app): the first of its first
    rows whose cells, two at least, are all names (texts that are not numbers)."""
    rows = csvio.read_rows(name, data)
    for row in rows[:HEADER_SEARCH_ROWS]:
        cells = [c for c in row if c is not FORMULA and csvio._cell_text(c)]
        if len(cells) >= 2 and all(isinstance(c, str) and not isinstance(c, SheetNumber) for c in cells):
            if not any(re.fullmatch(r"[-+]?[0-9][0-9 ,.]*", c.strip()) for c in cells):
                return [c.strip() for c in cells][: csvio.TABLE_WIDTH]
    raise ImportFileError(
        f"aucune ligne d'en-tête (noms de colonnes) dans les {HEADER_SEARCH_ROWS} premières lignes : ce n'est pas une table"
    )


def unit_of(word: str) -> str | None:
    """The catalogue unit a correspondence's « unite » means, or None."""
    return UNIT_WORDS.get(" ".join(word.strip().lower().split()))


@dataclass(frozen=True)
class PreviewLine:
    """One mapped value beside the value in force and the contract's latest figure."""

    line: int
    column: str
    territory: str
    territory_name: str
    indicator: str
    indicator_label: str
    period: str
    perimeter: str
    value: str  # as shown: « 12 345 € », « non disponible »
    kind: str  # nouvelle, modifiée, inchangée
    current: str  # the point in force (« — » if none), with its status
    contract: str  # the contract's latest figure, with its period and perimeter (« — » if none)


@dataclass
class Result:
    mapping: Correspondence | None
    rows: list[dict] = field(default_factory=list)  # for SeriesStore.write
    indicators: list[NewIndicator] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0  # rows of territories outside the contract
    skipped_codes: list[str] = field(default_factory=list)  # the first SHOWN_SKIPPED of them (a typo shows here)
    missing: int = 0  # « non disponible » values
    changes: list[Change] = field(default_factory=list)
    preview: list[PreviewLine] = field(default_factory=list)
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def skipped_line(self) -> str:
        """« Codes ignorés (hors contrat) : QN01001M, QN93001M » — the first ones, to spot a mistyped code."""
        if not self.skipped:
            return ""
        more = f" et {self.skipped - len(self.skipped_codes)} autre(s)" if self.skipped > len(self.skipped_codes) else ""
        return f"Codes ignorés (hors contrat) : {', '.join(self.skipped_codes)}{more}"

    def summary(self) -> str:
        """« 3 nouvelle(s), 1 modifiée(s), 2 inchangée(s) ; 1 581 ligne(s) ignorée(s) hors contrat ; 1 valeur(s) non disponible(s) »."""
        from .formatting import fr_number

        return (
            f"{fr_number(self.count('nouvelle'))} nouvelle(s), {fr_number(self.count('modifiée'))} modifiée(s), "
            f"{fr_number(self.count('inchangée'))} inchangée(s) ; {fr_number(self.skipped)} ligne(s) ignorée(s) hors contrat ; "
            f"{fr_number(self.missing)} valeur(s) non disponible(s)"
        )


def batch_id(data: bytes, mapping: Correspondence) -> str:
    """One import = one batch: 12 hex of sha256(file bytes + millésime)."""
    return hashlib.sha256(data + b"\x00" + mapping.millesime.encode()).hexdigest()[:12]


def _codes(ds) -> dict[str, str]:
    """Official code (upper case) → territory id, for the territories of the contract."""
    return {t.code.strip().upper(): t.id for t in ds.territories.values() if t.code}


def _header(rows: list[list], code: str) -> int:
    """The index of the header row: the first of the first rows that holds the code column."""
    want = code.strip().lower()
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(isinstance(c, str) and c.strip().lower() == want for c in row):
            return i
    return -1


def _decimals(text: str, cell) -> int:
    """The decimals the value was printed with (« 12,50 » → 2; a spreadsheet number: its own)."""
    if isinstance(cell, SheetNumber):
        exp = cell.exact.as_tuple().exponent
        return max(0, -exp) if isinstance(exp, int) else 0
    t = text.strip().replace("%", "").strip()
    m = re.search(r"[.,]([0-9]+)$", t)
    return len(m.group(1)) if m else 0


def _number(cell, text: str, decimal_mark: str | None) -> Decimal:
    """The exact value of a cell; FollowupError (French) when it is not a number or is ambiguous."""
    if decimal_mark is None or isinstance(cell, SheetNumber):
        return parse_number(cell if isinstance(cell, SheetNumber) else text)
    said = shown(text.strip())
    other = "," if decimal_mark == "." else "."
    t = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    t = re.sub(r"\s*%$", "", t)
    if other in t:
        raise FollowupError(
            "valeur", f"« {said} » : la correspondance annonce « {decimal_mark} » comme séparateur décimal, pas « {other} »"
        )
    sep = re.escape(decimal_mark)
    if not re.fullmatch(rf"-?[0-9]{{1,3}}( [0-9]{{3}})*({sep}[0-9]+)?|-?[0-9]+({sep}[0-9]+)?", t):
        raise FollowupError("valeur", f"« {said} » n'est pas un nombre.")
    try:
        value = Decimal(t.replace(" ", "").replace(decimal_mark, "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise FollowupError("valeur", f"« {said} » n'est pas un nombre.") from None
    return _exact(value, said)


def _bounds(value: Decimal, unit: str) -> str | None:
    if unit == "pourcent" and not Decimal(0) <= value <= Decimal(100):
        return "un taux doit être compris entre 0 et 100 %"
    if unit == "fraction" and not Decimal(0) <= value <= Decimal(1):
        return "une fraction doit être comprise entre 0 et 1"
    if value < 0:
        what = {"euros": "un montant", "nombre": "un effectif"}.get(unit, "cette valeur")
        return f"{what} ne peut pas être négatif" if unit in ("euros", "nombre") else f"{what} ne peut pas être négative"
    return None


def _indicators(ds, store: SeriesStore | None, mapping: Correspondence, header: list[str] | None) -> tuple[dict, list, list]:
    """(column → (indicator id, label, catalogue unit, label of unit), new indicators, problems) of
    the correspondence's columns, checked against the catalogue and the indicators introduced."""
    introduced = {i.id: i for i in store.indicators()} if store is not None else {}
    out: dict[str, tuple[str, str, str]] = {}
    new: list[NewIndicator] = []
    problems: list[str] = []
    first_column: dict[str, str] = {}
    for col, spec in mapping.colonnes.items():
        if spec.indicateur in first_column:  # two columns for one indicator: two values for one point
            problems.append(
                f"colonne {shown(col, 40)} : l'indicateur {shown(spec.indicateur, 60)} est déjà lu dans la colonne "
                f"{shown(first_column[spec.indicateur], 40)} (une colonne par indicateur)"
            )
            continue
        first_column[spec.indicateur] = col
        unit = unit_of(spec.unite)
        if unit is None:
            problems.append(
                f"colonne {shown(col, 40)} : unité « {shown(spec.unite, 40)} » inconnue "
                f"(attendu : €, %, nombre, ratio, fraction, note)"
            )
            continue
        if header is not None and col.strip().lower() not in header:
            problems.append(f"colonne {shown(col, 40)} : absente du fichier (la correspondance la nomme)")
            continue
        ind = ds.catalogue.get(spec.indicateur)
        known = introduced.get(spec.indicateur)
        if ind is not None or known is not None:
            expected = ind.unit if ind is not None else known.unit  # type: ignore[union-attr]
            label = ind.label if ind is not None else known.label  # type: ignore[union-attr]
            if unit != expected:
                problems.append(
                    f"colonne {shown(col, 40)} : unité « {shown(spec.unite, 40)} » contradictoire : l'indicateur "
                    f"{spec.indicateur} est en {UNIT_NAMES.get(expected, expected)}"
                )
                continue
            out[col] = (spec.indicateur, label, unit)
            continue
        lacking = [k for k in ("libelle", "definition", "sens") if getattr(spec, k) is None]
        if lacking:
            problems.append(
                f"colonne {shown(col, 40)} : indicateur « {spec.indicateur} » inconnu du catalogue ; pour l'introduire, "
                f"donnez aussi {', '.join(lacking)} (libellé, définition, sens souhaitable : hausse, baisse ou aucun)"
            )
            continue
        if any(n.id == spec.indicateur for n in new):
            prev = next(n for n in new if n.id == spec.indicateur)
            if prev.unit != unit:
                problems.append(
                    f"colonne {shown(col, 40)} : indicateur « {spec.indicateur} » déjà introduit avec une autre unité"
                )
                continue
        else:
            for k in ("libelle", "definition"):
                reason = refused_character(getattr(spec, k))
                if reason:
                    problems.append(f"colonne {shown(col, 40)}, {k} : {reason}")
            new.append(
                NewIndicator(
                    id=spec.indicateur,
                    label=spec.libelle or "",
                    unit=unit,
                    definition=spec.definition or "",
                    higher_is_better={"hausse": True, "baisse": False}.get(spec.sens or "aucun"),
                )
            )
        out[col] = (spec.indicateur, spec.libelle or "", unit)
    reason = refused_character(mapping.source)
    if reason:
        problems.append(f"source : {reason}")
    return out, new, problems


def _territory(ds, codes: dict[str, str], mapping: Correspondence, cell) -> tuple[str | None, str | None]:
    """(territory id, None) for a row of the contract; (None, None) for a well-formed code of
    another territory (skipped); (None, reason) for a code refused."""
    text = str(cell).strip() if cell is not None and cell is not FORMULA else ""
    if cell is FORMULA:
        return None, "formule refusée à la place du code"
    if not text:
        return None, "code vide (chaque ligne doit nommer son territoire)"
    if isinstance(cell, SheetNumber) and text.isdigit() and len(text) == 4:
        text = text.zfill(5)  # a commune code that a spreadsheet read as a number (01001 → 1001)
    if text.lower() in ds.territories:
        return text.lower(), None
    upper = text.upper()
    if CODE_PATTERNS["departement-region"].fullmatch(upper):
        want = {"departement": "oise", "region": "hauts-de-france"}.get(mapping.perimetre)
        if want is None:
            return None, (
                f"code « {shown(text, 20)} » : département ou région ? écrivez perimetre: departement ou perimetre: region "
                "dans la correspondance d'une table de départements ou de régions"
            )
        return (
            (want, None) if ds.territories.get(want) is not None and ds.territories[want].code.upper() == upper else (None, None)
        )
    found = codes.get(upper)
    if found is not None:
        return found, None
    if any(p.fullmatch(upper) for k, p in CODE_PATTERNS.items() if k != "departement-region"):
        return None, None  # another territory of France: skipped, counted
    return (
        None,
        f"code « {shown(text, 30)} » inconnu : ni code officiel (QPV, commune, EPCI, carreau) ni identifiant du tableau de bord",
    )


def _perimeter(ds, territory: str, mapping: Correspondence, code: str) -> tuple[str | None, str | None]:
    """(perimeter label, None) or (None, reason) — the PERIMETER RULE of the module's docstring."""
    if territory in REFERENCE_PERIMETERS:
        return PERIMETERS[REFERENCE_PERIMETERS[territory]], None
    kind = ds.territories[territory].kind
    name = ds.territories[territory].name
    if kind == "qpv":
        if mapping.perimetre not in ("qpv-2015", "qpv-2024"):
            return (
                None,
                f"{name} est un quartier prioritaire : la correspondance annonce le périmètre {mapping.perimetre} (qpv-2024 ou qpv-2015 attendu)",
            )
        if mapping.perimetre == "qpv-2015" and code.upper().startswith("QN"):
            return (
                None,
                f"le code {shown(code, 20)} désigne le quartier sur son périmètre 2024 : la correspondance annonce qpv-2015",
            )
        return mapping.perimeter_label, None
    if kind == "poche":
        if mapping.perimetre != "poche":
            return (
                None,
                f"{name} est une poche de pauvreté : la correspondance annonce le périmètre {mapping.perimetre} (poche attendu)",
            )
        return mapping.perimeter_label, None
    if territory in GROUPS_WITH_MAPPING_PERIMETER:
        return mapping.perimeter_label, None
    return None, f"{name} : territoire de référence sans périmètre connu pour un import (importez-le à la main)"


def _contract_figure(ds, territory: str, indicator: str) -> str:
    if indicator not in ds.catalogue:
        return "— (indicateur hors contrat)"
    figures = ds.series(territory, indicator)
    if not figures:
        return "—"
    with_value = [f for f in figures if f.value is not None]
    f = with_value[-1] if with_value else figures[-1]
    value = "non disponible" if f.value is None else fr_value(f.value, f.unit, f.decimals)
    return f"{value} ({f.period or 'période non précisée'}, {f.perimeter or 'périmètre non précisé'})"


def _shown_value(value: Decimal | None, unit: str, decimals: int) -> str:
    if value is None:
        return "non disponible"
    return fr_value(value, unit, decimals)


def check_table(ds, store: SeriesStore | None, name: str, data: bytes, mapping: Correspondence) -> Result:
    """Read an official table through its correspondence. Nothing is written here: the rows to
    write, the new indicators, the problems (« ligne 4, colonne MED21 : … »), the rows skipped
    (territories outside the contract) and the preview (what writing would do, beside the value in
    force and the contract's latest figure). `store` None: no comparison with the database."""
    result = Result(mapping, batch=batch_id(data, mapping))
    try:
        delimiter = {"tabulation": "\t"}.get(mapping.separateur or "", mapping.separateur)
        raw = csvio.read_rows(name, data, delimiter=delimiter)
    except ImportFileError as err:
        result.problems.append(str(err))
        return result
    h = _header(raw, mapping.code)
    if h < 0:
        result.problems.append(
            f"colonne {shown(mapping.code, 40)} (code des territoires) absente du fichier : ce n'est pas la table attendue, "
            f"ou son en-tête n'est pas dans les {HEADER_SEARCH_ROWS} premières lignes"
        )
        return result
    header = [str(c or "").strip().lower() if c is not FORMULA else "" for c in raw[h]]
    index = {name_: i for i, name_ in reversed(list(enumerate(header))) if name_}
    columns, new, problems = _indicators(ds, store, mapping, header)
    result.indicators = new
    result.problems.extend(problems)
    if result.problems:
        return result
    codes = _codes(ds)
    code_at = index[mapping.code.strip().lower()]
    seen: dict[str, int] = {}
    names = {t.id: t.name for t in ds.territories.values()}
    for n, row in enumerate(raw[h + 1 :], start=h + 2):
        cells = [row[i] if i < len(row) else "" for i in range(len(header))]
        if not any(csvio._cell_text(c) for c in cells) and FORMULA not in cells:
            continue  # an empty line
        code_cell = cells[code_at]
        territory, reason = _territory(ds, codes, mapping, code_cell)
        if reason is not None:
            result.problems.append(f"ligne {n}, colonne {shown(mapping.code, 40)} : {reason}")
            continue
        if territory is None:
            result.skipped += 1
            if len(result.skipped_codes) < SHOWN_SKIPPED:
                result.skipped_codes.append(shown(str(code_cell).strip(), 30))
            continue
        code_text = str(code_cell).strip()
        if territory in seen:
            result.problems.append(
                f"ligne {n}, colonne {shown(mapping.code, 40)} : {names[territory]} déjà lu ligne {seen[territory]} (une ligne par territoire)"
            )
            continue
        seen[territory] = n
        perimeter, reason = _perimeter(ds, territory, mapping, code_text)
        if reason is not None:
            result.problems.append(f"ligne {n}, colonne {shown(mapping.code, 40)} : {reason}")
            continue
        for col, (indicator, _label, unit) in columns.items():
            cell = cells[index[col.strip().lower()]]
            where = f"ligne {n}, colonne {shown(col, 40)}"
            if cell is FORMULA:
                result.problems.append(f"{where} : formule refusée (une formule n'est jamais calculée à l'import)")
                continue
            if (conflict := contract_conflict(ds, indicator, territory, mapping.millesime)) is not None:
                result.problems.append(f"{where} : {conflict}")
                continue
            text = csvio._cell_text(cell)
            value: Decimal | None
            if not isinstance(cell, SheetNumber) and text.strip().lower() in SECRET_MARKERS:
                value, decimals = None, 0
                result.missing += 1
            else:
                try:
                    value = _number(cell, text, mapping.decimale)
                except FollowupError as err:
                    result.problems.append(f"{where} : {err}")
                    continue
                if (why := _bounds(value, unit)) is not None:
                    result.problems.append(f"{where} : {why} (lu : {shown(text, 30)})")
                    continue
                decimals = _decimals(text, cell)
            result.rows.append(
                {
                    "indicator": indicator,
                    "territory": territory,
                    "period": mapping.millesime,
                    "perimeter": perimeter,
                    "value": value,
                    "decimals": decimals,
                    "unit": unit,
                    "source": mapping.source,
                    "comment": f"ligne {n}, colonne {shown(col, 100)}",
                    "_line": n,
                    "_column": col,
                }
            )
    if not result.rows and not result.problems:
        result.problems.append(
            f"aucune ligne du contrat dans ce fichier ({result.skipped} ligne(s) d'autres territoires ignorée(s)) : "
            "rien à importer"
        )
    if result.problems:
        return result
    result.changes = store.plan(result.rows) if store is not None else [Change(r, "nouvelle") for r in result.rows]
    labels = {ind: label for ind, label, _ in columns.values()}
    for ch in result.changes:
        r = ch.row
        before = ch.before
        current = "—"
        if before is not None:
            status = "validée" if before.status == "validee" else "proposée"
            current = f"{_shown_value(before.value, before.unit, before.decimals)} ({status})"
        result.preview.append(
            PreviewLine(
                line=r["_line"],
                column=r["_column"],
                territory=r["territory"],
                territory_name=names[r["territory"]],
                indicator=r["indicator"],
                indicator_label=ds.catalogue[r["indicator"]].label if r["indicator"] in ds.catalogue else labels[r["indicator"]],
                period=r["period"],
                perimeter=r["perimeter"],
                value=_shown_value(r["value"], r["unit"], r["decimals"]),
                kind=ch.kind,
                current=current,
                contract=_contract_figure(ds, r["territory"], r["indicator"]),
            )
        )
    return result


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def import_table(
    ds, store: SeriesStore, name: str, data: bytes, mapping: Correspondence, author: str
) -> tuple[Result, WriteReport | None]:
    """check_table, then — only when there is no problem — write every row in one transaction
    (origin « officielle », batch = batch_id), each new or changed value « proposée ». A re-import
    of the same millésime writes only the values that changed (a new version), never a duplicate."""
    result = check_table(ds, store, name, data, mapping)
    return result, write_result(store, result, author)


def write_result(store: SeriesStore, result: Result, author: str) -> WriteReport | None:
    """Write a checked table (the preview a person confirmed), or nothing (None) when it has a problem."""
    if result.problems or not result.rows:
        return None
    return store.write([_clean(r) for r in result.rows], OFFICIAL, author, result.batch, result.indicators)
