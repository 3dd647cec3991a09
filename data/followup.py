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
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from . import csvio, db
from .db import DB_ENV, StoreError, followup_value, french_fault

__all__ = ["DB_ENV", "FollowupError", "FollowupStore", "FollowupStoreError", "StoreError"]

FollowupStoreError = StoreError  # the name the pages know
YEARS = list(range(2024, 2031))  # the contract runs 2024-2030
YEAR_N = 2025  # « Entre 2025 et 2028 - 2028 et 2030 » (référentiel, orientation 1): N = 2025
MAX_COMMENT = 1000
MAX_UNIT = 40
MAX_SOURCE = 300
MAX_VALUE_TEXT = 40
MAX_DECIMALS = 6
MAX_INTEGER_DIGITS = 12
PERCENT_UNITS = ("%", "pourcent", "pour cent", "pourcentage")


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

    @property
    def step(self) -> str:
        k = self.year - YEAR_N
        return "N" if k == 0 else f"N{k:+d}"


def year_label(year: int) -> str:
    k = year - YEAR_N
    return f"{year} ({'N' if k == 0 else f'N{k:+d}'})"


def _is_indicator(text: str) -> bool:
    """The référentiel's cells mix indicators with their sub-bullets and time hints (« Par sexe »,
    « N, N+1, N+2… », « (décomposition primaire, collège, lycée…) »): only the former can be recorded."""
    t = text.strip()
    if t.startswith("(") or len(t) < 30:
        return False
    return not re.match(r"^(Progression de N, N\+1, N\+2, N\+3\+N\+4$|N, N\+1|Année N)", t)


def referentiel_indicators(framework: dict) -> list[dict]:
    """Every follow-up indicator of the référentiel, with a stable key (orientation, axis, rank)."""
    out = []
    for o in framework["orientations"]:
        ref = o["referentiel"]
        for a, ax in enumerate(ref["axes"], start=1):
            for i, text in enumerate(ax["indicators"], start=1):
                if not _is_indicator(text):
                    continue
                out.append(
                    {
                        "key": f"os{o['number']}-axe{a}-{i}",
                        "orientation": o["number"],
                        "axis": ax["axis"],
                        "objective_ref": ax["objective_ref"],  # the objective the contract links the axis to
                        "label": text,
                        "sources": " ".join(ax["sources"]),
                    }
                )
        for i, text in enumerate(ref["general"].get("indicators", []), start=1):
            if not _is_indicator(text):
                continue
            out.append(
                {
                    "key": f"os{o['number']}-ensemble-{i}",
                    "orientation": o["number"],
                    "axis": "Ensemble de l'orientation",
                    "objective_ref": None,  # the whole orientation
                    "label": text,
                    "sources": " ".join(ref["general"].get("sources", [])),
                }
            )
    return out


def parse_number(text: str) -> Decimal:
    """French input → exact Decimal: « 1 234,5 », « 12 », « 66,4 % », « 3.25 ». Refused with the
    question, never guessed: « 2.500 » and « 1.234 » (a decimal point or a thousands separator?),
    « 1.234,5 »; more than 6 decimals; more than 12 integer digits."""
    raw = text or ""
    if len(raw) > MAX_VALUE_TEXT:
        raise FollowupError("valeur", f"la valeur dépasse {MAX_VALUE_TEXT} caractères.")
    t = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    t = re.sub(r"\s*%$", "", t)
    if re.fullmatch(r"-?\d{1,3}\.\d{3}", t):
        whole, frac = t.split(".")
        raise FollowupError(
            "valeur",
            f"« {raw.strip()} » est ambigu : voulez-vous dire {whole},{frac.rstrip('0') or '0'} ou {whole} {frac} ? "
            f"Écrivez la virgule pour les décimales ({whole},{frac.rstrip('0') or '0'}) ou une espace pour les milliers ({whole} {frac}).",
        )
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", t):
        raise FollowupError(
            "valeur", f"« {raw.strip()} » : écrivez les milliers avec une espace et les décimales avec une virgule (ex. 1 234,5)."
        )
    if not re.fullmatch(r"-?\d{1,3}( \d{3})*(,\d+)?|-?\d+([.,]\d+)?", t):
        raise FollowupError("valeur", f"« {raw.strip()} » n'est pas un nombre (exemples acceptés : 12, 1 234, 66,4).")
    digits = t.replace(" ", "").replace(",", ".").lstrip("-")
    whole, _, frac = digits.partition(".")
    if len(frac) > MAX_DECIMALS:
        raise FollowupError("valeur", f"au plus {MAX_DECIMALS} décimales (saisi : {raw.strip()}).")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise FollowupError("valeur", f"valeur trop grande : au plus {MAX_INTEGER_DIGITS} chiffres avant la virgule.")
    try:
        return db.normalise(Decimal(t.replace(" ", "").replace(",", ".")))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise FollowupError("valeur", f"« {raw.strip()} » n'est pas un nombre.") from None


def _text(value, field: str, limit: int, required_msg: str | None) -> str:
    value = (value or "").strip()
    if required_msg and not value:
        raise FollowupError(field, required_msg)
    if len(value) > limit:
        raise FollowupError(field, f"{limit} caractères au plus ({len(value)} saisis).")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise FollowupError(field, "caractères de contrôle refusés.")
    return value


def check(
    *,
    indicator: dict,
    territory: str,
    territories: dict,
    year,
    value_text: str,
    unit: str,
    source: str,
    author: str,
    comment: str = "",
) -> dict:
    """Every rule of a follow-up value; the row to write, or FollowupError naming the field."""
    if territory not in territories:
        raise FollowupError("territoire", f"territoire inconnu « {str(territory)[:60]} ».")
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise FollowupError("année", f"année « {str(year)[:20]} » invalide.") from None
    if year not in YEARS:
        raise FollowupError("année", f"l'année doit être comprise entre {YEARS[0]} et {YEARS[-1]} (durée du contrat).")
    value = parse_number(value_text)
    unit = _text(unit, "unité", MAX_UNIT, "précisez l'unité (ex. « enfants », « actions », « % »).")
    if value < 0:
        raise FollowupError("valeur", "une valeur de suivi ne peut pas être négative.")
    if unit.lower() in PERCENT_UNITS and value > 100:
        raise FollowupError("valeur", f"un pourcentage doit être compris entre 0 et 100 (saisi : {value_text}).")
    source = _text(source, "source", MAX_SOURCE, "indiquez la source de la valeur (ex. « bilan d'activité du centre social »).")
    author = _text(author, "auteur", 64, "connectez-vous : la valeur est enregistrée au nom de votre compte.")
    comment = _text(comment, "commentaire", MAX_COMMENT, None)
    return {
        "indicator_key": indicator["key"],
        "indicator_label": indicator["label"],
        "orientation": int(indicator["orientation"]),
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
        """Rows already checked, written in ONE transaction: all of them or none."""
        if self.read_only:
            raise StoreError("la base de suivi est en lecture seule sur ce serveur (rien n'a été enregistré)")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        out = []
        try:
            with self.engine.begin() as con:
                for row in rows:
                    new_id = con.execute(followup_value.insert().values(**row, recorded_at=now)).inserted_primary_key[0]
                    out.append(Entry(id=new_id, recorded_at=now, **row))
        except sa.exc.SQLAlchemyError as exc:
            raise french_fault(exc) from exc
        return out

    # -- reading ----------------------------------------------------------------------------
    def history(self, indicator_key: str | None = None, territory: str | None = None) -> list[Entry]:
        q = sa.select(*(followup_value.c[c] for c in COLUMNS)).order_by(followup_value.c.id)
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

    def latest(self) -> list[Entry]:
        """The value in force for each (indicator, territory, year): the last one recorded."""
        current: dict[tuple, Entry] = {}
        for e in self.history():
            current[(e.indicator_key, e.territory, e.year)] = e
        return sorted(current.values(), key=lambda e: (e.orientation, e.indicator_key, e.territory, e.year))


def check_import(ds, name: str, data: bytes, author: str) -> tuple[list[dict], list[str]]:
    """Check every row of an import file (CSV or XLSX) with the form's rules. Returns (rows to write, French
    report lines « ligne 4, colonne valeur : … »); nothing is written here."""
    indicators = {i["key"]: i for i in referentiel_indicators(ds.framework)}
    problems: list[str] = []
    rows: list[dict] = []
    for line, cells in csvio.read_table(name, data):
        key = cells.get("indicateur", "")
        if key not in indicators:
            problems.append(
                f"ligne {line}, colonne indicateur : clé inconnue « {key[:40]} » (voir le modèle : python -m data.cli template)"
            )
            continue
        try:
            rows.append(
                check(
                    indicator=indicators[key],
                    territory=cells.get("territoire", ""),
                    territories=ds.territories,
                    year=cells.get("annee", ""),
                    value_text=cells.get("valeur", ""),
                    unit=cells.get("unite", ""),
                    source=cells.get("source", ""),
                    author=author,
                    comment=cells.get("commentaire", ""),
                )
            )
        except FollowupError as err:
            column = {"année": "annee", "unité": "unite", "territoire": "territoire"}.get(err.field, err.field)
            problems.append(f"ligne {line}, colonne {column} : {err}")
    if not rows and not problems:
        problems.append("aucune ligne remplie dans le fichier")
    return rows, problems
