"""Follow-up values of the référentiel d'évaluation, recorded year after year (N … N+5) by the
politique de la ville team, in a real database through SQLAlchemy Core (data/db.py): SQLite by
default, PostgreSQL when QUARTIERS_DB_URL says so, schema by Alembic. Records are never
overwritten: a correction is a new record, the latest one is shown and the history is kept.

Values are exact decimals (never floats); every text has a length limit; the author is the
signed-in account, never typed; one validation (`check`) serves the form, the import and the
command line, and an import writes all its rows in one transaction or none.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from . import csvio, db
from .db import DB_ENV, StoreError, followup_value, french_fault

__all__ = ["DB_ENV", "FollowupError", "FollowupStore", "FollowupStoreError", "StoreError", "recordable_territories"]

FollowupStoreError = StoreError  # the name the pages know
YEARS = list(range(2024, 2031))  # the contract runs 2024-2030
YEAR_N_ENV = "QUARTIERS_YEAR_N"


def _year_n() -> int:
    """N, the first year of the follow-up. The contract never dates it (its référentiel says « N, N+1… »
    and, for orientation 1, « entre 2025 et 2028 - 2028 et 2030 »): 2025 is the team's setting,
    changed by QUARTIERS_YEAR_N (2024 to 2025: N+5 must stay within the contract, 2030)."""
    raw = os.environ.get(YEAR_N_ENV, "").strip()
    if raw in ("2024", "2025"):
        return int(raw)
    return 2025


YEAR_N = _year_n()
# said on /suivi and /avancement (public screens too: no setting's name, README « Configuration » has it)
YEAR_N_NOTE = f"N = {YEAR_N} : le contrat ne date pas N (il écrit « N, N+1… ») ; {YEAR_N} est un réglage de l'équipe"
MAX_COMMENT = 1000
MAX_UNIT = 40
MAX_SOURCE = 300
MAX_VALUE_TEXT = 40
MAX_DECIMALS = 6
MAX_INTEGER_DIGITS = 12
PERCENT_UNITS = ("%", "pourcent", "pour cent", "pourcentage")
RECORDED_GROUPS = ("ensemble-qpv", "compiegne")  # besides each quartier: all the QPV together, the town


default_db = db.default_url  # the default database (one definition, in data/db.py)


class FollowupError(ValueError):
    """Bad input, in French, naming the field; nothing was written."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Entry:
    id: int
    indicator_key: str
    indicator_label: str
    orientation: int
    territory: str
    year: int
    value: Decimal
    unit: str
    source: str
    comment: str
    author: str
    recorded_at: str
    status: str = "proposee"  # proposee, validee, refusee, retiree (data/validation.py)
    perimeter: str = ""  # a shared série's point only (data/progress.shared_entries): its perimeter

    @property
    def step(self) -> str:
        k = self.year - YEAR_N
        return "N" if k == 0 else f"N{k:+d}"


def year_label(year: int) -> str:
    k = year - YEAR_N
    return f"{year} ({'N' if k == 0 else f'N{k:+d}'})"


@dataclass(frozen=True)
class FollowupIndicator:
    """A référentiel indicator as the follow-up records it: its key, its orientation (the table it is
    printed in), its axis and the objective the contract links the axis to (None: the whole
    orientation), its one-line label and its sources."""

    key: str
    orientation: int
    axis: str
    objective_ref: str | None
    label: str
    sources: str


GENERAL_AXIS = "Ensemble de l'orientation"

# Keys that once named a référentiel indicator and no longer do (issue 19: the référentiel read as
# printed). A value stored under one of them stays in the history, is listed by `orphaned` and is
# never counted: the team re-records it under the right indicator. Never reuse one.
RETIRED_KEYS = {
    "os3-axe2-1": "l'amorce « Évolution du nombre de professionnels en proximité en mesure de prévenir, d'alerter, de "
    "sensibiliser les habitants sur : » n'est pas un indicateur : ses deux puces le sont (os3-axe2-2 « Des actes "
    "d'incivilité », os3-axe2-3 « Des actes de délinquance dans les espaces publics »)",
    "os7-axe2-1": "l'amorce « Évolution du nombre de personnes en difficulté pour accéder à l'emploi […], en particuliers : » "
    "n'est pas un indicateur : ses trois puces le sont (os7-axe2-2, os7-axe2-3, os7-axe2-4)",
}


def referentiel_indicators(framework) -> list[FollowupIndicator]:
    """Every follow-up indicator of the référentiel, in the contract's order, with its stable key
    (written in qpv_data/framework.yaml, never derived from a position)."""
    out = []
    for o in framework.orientations:
        ref = o.referentiel
        for ax in ref.axes:
            out += [
                FollowupIndicator(ind.key, o.number, ax.axis, ax.objective_ref, ind.label, " ".join(ax.sources))
                for ind in ax.indicators
            ]
        out += [
            FollowupIndicator(ind.key, o.number, GENERAL_AXIS, None, ind.label, " ".join(ref.general.sources))
            for ind in ref.general.indicators
        ]
    return out


def orphaned(framework, entries: Iterable[Entry]) -> list[Entry]:
    """Stored values whose key names no indicator of the référentiel any more (a retired key, or a
    framework.yaml edited by hand): never counted anywhere, listed for the team to re-record."""
    known = {i.key for i in referentiel_indicators(framework)}
    return [e for e in entries if e.indicator_key not in known]


def recordable_territories(ds) -> list[str]:
    """The territories a follow-up value is recorded for, in the form's order: each quartier (QPV
    then poches), all the QPV together, the town. The form offers exactly these; check refuses others."""
    return [*ds.quartier_ids, *RECORDED_GROUPS]


def _recordable(territories) -> tuple[list[str], set[str] | None]:
    """(the territories a value may be recorded for, every territory known or None) from either
    the dataset's territories ({id: Territory}: its quartiers and RECORDED_GROUPS, as
    recordable_territories) or the list of allowed ids itself."""
    if isinstance(territories, Mapping):
        quartiers = sorted(
            (t for t in territories.values() if getattr(t, "kind", None) in ("qpv", "poche")), key=lambda t: t.order
        )
        allowed = [t.id for t in quartiers] + [g for g in RECORDED_GROUPS if g in territories]
        return allowed, set(territories)
    return list(territories), None


@functools.cache
def _refused_chars(multiline: bool) -> re.Pattern:
    """Control characters (Unicode category Cc) but newline and tab in a multi-line text; format
    characters (Cf: bidirectional overrides and isolates, zero-width spaces, BOM, soft hyphen,
    tags…); surrogates (Cs); line and paragraph separators (U+2028, U+2029). All of them lie in
    planes 0, 1 and 14: only those are scanned (once per process)."""
    cats = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    ranges: list[str] = []
    for plane in (range(0x20000), range(0xE0000, 0xF0000)):
        start = None
        for cp in [*plane, None]:
            bad = cp is not None and unicodedata.category(chr(cp)) in cats and not (multiline and chr(cp) in "\n\t")
            if bad and start is None:
                start = cp
            elif not bad and start is not None:
                ranges.append(f"\\U{start:08x}-\\U{(cp if cp is not None else plane.stop) - 1:08x}")
                start = None
    return re.compile("[" + "".join(ranges) + "]")


def refused_character(value: str, multiline: bool = False) -> str | None:
    """The French reason a text is refused for an invisible or control character it holds, or None."""
    if value.isprintable() and not (multiline and ("\n" in value or "\t" in value)):
        return None  # the usual case, decided in C: no Cc, Cf, Cs, Zl, Zp (nor other separators)
    m = _refused_chars(multiline).search(value)
    if m is None:
        return None
    c = m.group()
    where = f"U+{ord(c):04X}, position {m.start() + 1}"
    if unicodedata.category(c) == "Cc":
        return f"caractères de contrôle refusés ({where})."
    return (
        f"caractère invisible refusé ({where} : mise en forme, sens d'écriture ou espace sans largeur, souvent "
        "venu d'un copier-coller) ; retapez le texte à cet endroit."
    )


def shown(text, limit: int = 60) -> str:
    """A user's text quoted in a message: cut, invisible and control characters replaced by « � »."""
    text = str(text)
    cut = text[:limit]
    cut = _refused_chars(False).sub("\ufffd", cut) if not cut.isprintable() else cut
    return cut + ("…" if len(text) > limit else "")


_AMBIGUOUS = re.compile(r"(-?[1-9][0-9]{0,2})([.,])([0-9]{3})")
_DOTTED_THOUSANDS = re.compile(r"-?[0-9]{1,3}(\.[0-9]{3})+,[0-9]+|-?[0-9]{1,3}(\.[0-9]{3}){2,}")
_NUMBER = re.compile(r"-?[0-9]{1,3}( [0-9]{3})*(,[0-9]+)?|-?[0-9]+([.,][0-9]+)?")  # ASCII digits only


def parse_number(text) -> Decimal:
    """French input → exact Decimal: « 1 234,5 », « 12 », « 66,4 % », « 3.25 », « 0,125 ». Refused with the
    question, never guessed: « 2.500 », « 2,500 », « 1.234 » (1 to 3 digits, the first not 0, then a point or
    a comma and exactly 3 digits: decimals or thousands?), « 1.234,5 »; digits other than 0-9; more than
    6 decimals; more than 12 integer digits. A spreadsheet's numeric cell (csvio.SheetNumber) is a number
    already: only the limits apply. « -0 » is 0."""
    if isinstance(text, csvio.SheetNumber):
        return _exact(text.exact, str(text))
    raw = text or ""
    if len(raw) > MAX_VALUE_TEXT:
        raise FollowupError("valeur", f"la valeur dépasse {MAX_VALUE_TEXT} caractères ({len(raw)} saisis).")
    said = shown(raw.strip())
    t = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    t = re.sub(r"\s*%$", "", t)
    if m := _AMBIGUOUS.fullmatch(t):
        whole, _, frac = m.groups()
        dec = f"{whole},{frac.rstrip('0') or '0'}"
        raise FollowupError(
            "valeur",
            f"« {said} » est ambigu : voulez-vous dire {dec} ou {whole} {frac} ? "
            f"Écrivez la virgule pour les décimales ({dec}) ou une espace pour les milliers ({whole} {frac}).",
        )
    if _DOTTED_THOUSANDS.fullmatch(t):
        raise FollowupError(
            "valeur", f"« {said} » : écrivez les milliers avec une espace et les décimales avec une virgule (ex. 1 234,5)."
        )
    if not _NUMBER.fullmatch(t):
        raise FollowupError("valeur", f"« {said} » n'est pas un nombre (exemples acceptés : 12, 1 234, 66,4).")
    try:
        value = Decimal(t.replace(" ", "").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise FollowupError("valeur", f"« {said} » n'est pas un nombre.") from None
    return _exact(value, said)


def _exact(value: Decimal, said: str) -> Decimal:
    if not value.is_finite():
        raise FollowupError("valeur", f"« {shown(said)} » n'est pas un nombre.")
    whole, _, frac = format(value, "f").lstrip("-").partition(".")
    if len(frac) > MAX_DECIMALS:
        raise FollowupError("valeur", f"au plus {MAX_DECIMALS} décimales (saisi : {shown(said)}).")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise FollowupError("valeur", f"valeur trop grande : au plus {MAX_INTEGER_DIGITS} chiffres avant la virgule.")
    value = db.normalise(value)
    return Decimal(0) if value.is_zero() else value  # « -0 » is stored as 0


def _text(value, field: str, limit: int, required_msg: str | None, multiline: bool = False) -> str:
    value = (value or "").strip()
    if multiline:
        value = value.replace("\r\n", "\n")
    if required_msg and not value:
        raise FollowupError(field, required_msg)
    if len(value) > limit:
        raise FollowupError(field, f"{limit} caractères au plus ({len(value)} saisis).")
    reason = refused_character(value, multiline)
    if reason:
        raise FollowupError(field, reason)
    return value


def check(
    *,
    indicator: FollowupIndicator,
    territory: str,
    territories: Mapping | Iterable[str],
    year,
    value_text: str,
    unit: str,
    source: str,
    author: str,
    comment: str = "",
) -> dict:
    """Every rule of a follow-up value; the row to write, or FollowupError naming the field.
    territories: the allowed ids (recordable_territories(ds)), or the dataset's {id: Territory}
    (then its recordable ones: the same list)."""
    allowed, known = _recordable(territories)
    if territory not in allowed:
        said = "inconnu " if known is not None and territory not in known else ""
        raise FollowupError(
            "territoire",
            f"territoire {said}« {shown(territory)} » : choisissez parmi {', '.join(allowed)}.",
        )
    year_text = str(year).strip()
    if not re.fullmatch(r"[0-9]{4}", year_text):
        raise FollowupError("année", f"année « {shown(year_text, 20)} » invalide (quatre chiffres, ex. {YEAR_N}).")
    year = int(year_text)
    if year not in YEARS:
        raise FollowupError("année", f"l'année doit être comprise entre {YEARS[0]} et {YEARS[-1]} (durée du contrat).")
    value = parse_number(value_text)
    unit = _text(unit, "unité", MAX_UNIT, "précisez l'unité (ex. « enfants », « actions », « % »).")
    if value < 0:
        raise FollowupError("valeur", "une valeur de suivi ne peut pas être négative.")
    if unit.lower() in PERCENT_UNITS and value > 100:
        raise FollowupError("valeur", f"un pourcentage doit être compris entre 0 et 100 (saisi : {shown(value_text)}).")
    source = _text(source, "source", MAX_SOURCE, "indiquez la source de la valeur (ex. « bilan d'activité du centre social »).")
    author = _text(author, "auteur", 64, "connectez-vous : la valeur est enregistrée au nom de votre compte.")
    comment = _text(comment, "commentaire", MAX_COMMENT, None, multiline=True)
    return {
        "indicator_key": indicator.key,
        "indicator_label": indicator.label,
        "orientation": indicator.orientation,
        "territory": territory,
        "year": year,
        "value": value,
        "unit": unit,
        "source": source,
        "comment": comment,
        "author": author,
    }


COLUMNS = (
    "id",
    "indicator_key",
    "indicator_label",
    "orientation",
    "territory",
    "year",
    "value",
    "unit",
    "source",
    "comment",
    "author",
    "recorded_at",
    "status",
)


class FollowupStore:
    def __init__(self, url: str | None = None, read_only: bool = False):
        self.url = db.url_from_env(url)
        self.read_only = read_only
        self.kind = "postgresql" if db.driver_url(self.url).startswith("postgresql") else "sqlite"
        self.engine = db.make_engine(self.url, read_only=read_only)

    def check_schema(self) -> None:
        """The database is at the schema this code expects (never created here: no DDL at page load)."""
        version = db.schema_version(self.engine)
        if version != db.SCHEMA_VERSION:
            raise StoreError("la base de suivi n'est pas à jour (l'administrateur lance « python -m data.cli migrate »)")

    # -- writing ----------------------------------------------------------------------------
    def add(self, **fields) -> Entry:
        """Validate everything first, then write one row; any bad field raises FollowupError."""
        return self.add_many([check(**fields)])[0]

    def add_many(self, rows: list[dict]) -> list[Entry]:
        """Rows already checked, written in ONE transaction: all of them or none. Each new value is
        « proposée » (its first event says who proposed it): public only once an administrateur
        validates it (data/validation.py)."""
        from .validation import PROPOSED, record_proposals

        if self.read_only:
            raise StoreError("la base de suivi est en lecture seule sur ce serveur (rien n'a été enregistré)")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        out = []
        try:
            with self.engine.begin() as con:
                for row in rows:
                    inserted = con.execute(followup_value.insert().values(**row, recorded_at=now, status=PROPOSED))
                    new_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]  # one autoincrement key
                    out.append(Entry(id=new_id, recorded_at=now, status=PROPOSED, **row))
                for author in sorted({e.author for e in out}):
                    record_proposals(con, [e.id for e in out if e.author == author], author, now)
        except sa.exc.SQLAlchemyError as exc:
            raise french_fault(exc) from exc
        return out

    # -- reading ----------------------------------------------------------------------------
    def history(
        self, indicator_key: str | None = None, territory: str | None = None, statuses: tuple[str, ...] | None = None
    ) -> list[Entry]:
        """Every value recorded (the team's history), or those of some statuses, oldest first."""
        q = sa.select(*(followup_value.c[c] for c in COLUMNS)).order_by(followup_value.c.id)
        if statuses is not None:
            q = q.where(followup_value.c.status.in_(statuses))
        if indicator_key:
            q = q.where(followup_value.c.indicator_key == indicator_key)
        if territory:
            q = q.where(followup_value.c.territory == territory)
        try:
            with self.engine.connect() as con:
                rows = con.execute(q).all()
        except sa.exc.SQLAlchemyError as exc:
            text = str(exc.orig if hasattr(exc, "orig") else exc).lower()
            if self.read_only and ("no such table" in text or "unable to open database" in text or "does not exist" in text):
                return []  # a public screen before anyone recorded anything
            raise french_fault(exc) from exc
        return [Entry(**dict(zip(COLUMNS, r, strict=True))) for r in rows]

    def latest(self, published: bool = True) -> list[Entry]:
        """The value in force for each (indicator, territory, year). Published (the default, and all
        that public screens, /avancement, the fiches and the public CSV ever see): the last
        VALIDATED value — a withdrawn one gives way to the validated one before it. For the team
        (published=False): the last value recorded that is validated or still proposed, marked by
        its status."""
        from .validation import PROPOSED, VALIDATED

        current: dict[tuple, Entry] = {}
        for e in self.history(statuses=(VALIDATED,) if published else (VALIDATED, PROPOSED)):
            current[(e.indicator_key, e.territory, e.year)] = e
        return sorted(current.values(), key=lambda e: (e.orientation, e.indicator_key, e.territory, e.year))

    def pending(self) -> list[Entry]:
        """Values awaiting an administrateur's decision, oldest first."""
        from .validation import PROPOSED

        return self.history(statuses=(PROPOSED,))


IMPORT_FIELDS = {"année": "annee", "unité": "unite"}  # check's field → the import's column


def check_import(ds, name: str, data: bytes, author: str) -> tuple[list[dict], list[str]]:
    """Check every row of an import file (CSV or XLSX) with the form's rules. Returns (rows to write, French
    report lines « ligne 4, colonne valeur : … »); nothing is written here. Also refused: any cell of a
    row holding a control or invisible character, a formula cell, and a row with the same indicator,
    territory and year as an earlier one."""
    from .links import shared_links

    indicators = {i.key: i for i in referentiel_indicators(ds.framework)}
    shared = shared_links(ds)
    territories = recordable_territories(ds)
    problems: list[str] = []
    rows: list[dict] = []
    first_line: dict[tuple, int] = {}
    table, refused = csvio.read_import(name, data)
    for line, cells in table:
        if line in refused:
            problems.extend(refused[line])
            continue
        bad = [
            f"ligne {line}, colonne {column or 'sans en-tête'} : {reason}"
            for column, text in cells.items()
            if (reason := refused_character(text, multiline=column == "commentaire"))
        ]
        if bad:
            problems.extend(bad)
            continue
        key = cells.get("indicateur", "")
        if (series := shared.get(key)) in ds.catalogue:
            problems.append(
                f"ligne {line}, colonne indicateur : « {key} » est la série « {ds.catalogue[series].label} » du diagnostic (une seule valeur "
                "pour les deux) : saisissez-la dans /suivi › « Prolonger une série du diagnostic », avec son millésime et son périmètre"
            )
            continue
        if key in RETIRED_KEYS:
            problems.append(
                f"ligne {line}, colonne indicateur : « {key} » ne désigne plus un indicateur du référentiel : {RETIRED_KEYS[key]}"
            )
            continue
        if key not in indicators:
            problems.append(
                f"ligne {line}, colonne indicateur : clé inconnue « {shown(key, 40)} » (voir le modèle : python -m data.cli template)"
            )
            continue
        same = (key, cells.get("territoire", ""), cells.get("annee", "").lstrip("0"))
        if same in first_line:
            problems.append(f"ligne {line} : même indicateur, territoire et année que la ligne {first_line[same]}")
            continue
        first_line[same] = line
        try:
            rows.append(
                check(
                    indicator=indicators[key],
                    territory=cells.get("territoire", ""),
                    territories=territories,
                    year=cells.get("annee", ""),
                    value_text=cells.get("valeur", ""),
                    unit=cells.get("unite", ""),
                    source=cells.get("source", ""),
                    author=author,
                    comment=cells.get("commentaire", ""),
                )
            )
        except FollowupError as err:
            problems.append(f"ligne {line}, colonne {IMPORT_FIELDS.get(err.field, err.field)} : {err}")
    if not rows and not problems:
        problems.append("aucune ligne remplie dans le fichier")
    return rows, problems
