"""Follow-up values of the référentiel d'évaluation, recorded year after year (N … N+5) by the
politique de la ville team, in a real database: SQLite by default (a file, no set-up), PostgreSQL
when QUARTIERS_DB_URL says so. Records are never overwritten: a correction is a new record, the
latest one is shown and the history is kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import paths

DB_ENV = "QUARTIERS_DB_URL"


def default_db() -> str:
    """SQLite in QUARTIERS_VAR_DIR (by default ./var, created on the first write)."""
    return f"sqlite:///{paths.var() / 'suivi.sqlite3'}"


YEARS = list(range(2024, 2031))  # the contract runs 2024-2030
YEAR_N = 2025  # « Entre 2025 et 2028 - 2028 et 2030 » (référentiel, orientation 1): N = 2025
MAX_COMMENT = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS followup_value (
    id {serial},
    indicator_key TEXT NOT NULL,
    indicator_label TEXT NOT NULL,
    orientation INTEGER NOT NULL,
    territory TEXT NOT NULL,
    year INTEGER NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    recorded_at TEXT NOT NULL
)
"""


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
    value: float
    unit: str
    source: str
    comment: str
    author: str
    recorded_at: str

    @property
    def step(self) -> str:
        k = self.year - YEAR_N
        return "N" if k == 0 else f"N{k:+d}"


def _nothing_recorded_yet(exc: Exception) -> bool:
    """A read-only store before anyone recorded anything: no SQLite file, or no table yet."""
    text = str(exc).lower()
    return "no such table" in text or "unable to open database" in text or 'relation "followup_value" does not exist' in text


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
                    "label": text,
                    "sources": " ".join(ref["general"].get("sources", [])),
                }
            )
    return out


def parse_number(text: str) -> float:
    """French input: « 1 234,5 », « 12 », « 66,4 % » → float; anything else is refused."""
    t = (text or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    t = re.sub(r"\s*%$", "", t)
    if not re.fullmatch(r"-?\d{1,3}( \d{3})*(,\d+)?|-?\d+([.,]\d+)?", t):
        raise FollowupError("valeur", f"« {text} » n'est pas un nombre (exemples acceptés : 12, 1 234, 66,4).")
    return float(t.replace(" ", "").replace(",", "."))


class FollowupStoreError(RuntimeError):
    """A database fault, worded in French for a user; never carries the address or a secret."""


class FollowupStore:
    def __init__(self, url: str | None = None, read_only: bool = False):
        self.url = url or os.environ.get(DB_ENV) or default_db()
        self.read_only = read_only
        self.kind = "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"
        if self.kind == "sqlite" and not self.url.startswith("sqlite:///"):
            # the address is not repeated: it may hold a password
            raise FollowupStoreError("adresse de base de données non reconnue (attendu : sqlite:///… ou postgresql://…)")
        if not read_only:  # a read-only store (public screens) never runs DDL nor creates a file
            self._init_schema()

    # -- connection -------------------------------------------------------------------------
    @contextmanager
    def _conn(self):
        """One connection per operation, committed then closed (the app serves many sessions)."""
        con = self._connect()
        try:
            yield con
            con.commit()
        finally:
            con.close()

    def _connect(self):
        if self.kind == "postgresql":
            import psycopg

            options = "-c default_transaction_read_only=on" if self.read_only else None
            return psycopg.connect(self.url, connect_timeout=5, options=options)
        path = Path(self.url.removeprefix("sqlite:///"))
        if self.read_only:
            return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(path, timeout=5)

    def _sql(self, sql: str) -> str:
        return sql if self.kind == "postgresql" else sql.replace("%s", "?")

    def _init_schema(self) -> None:
        serial = "SERIAL PRIMARY KEY" if self.kind == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self._conn() as con:
            con.execute(SCHEMA.format(serial=serial))

    # -- writing ----------------------------------------------------------------------------
    def add(
        self,
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
    ) -> Entry:
        """Validate everything first, then write one row; any bad field raises FollowupError."""
        if territory not in territories:
            raise FollowupError("territoire", f"territoire inconnu « {territory} ».")
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise FollowupError("année", f"année « {year} » invalide.") from None
        if year not in YEARS:
            raise FollowupError("année", f"l'année doit être comprise entre {YEARS[0]} et {YEARS[-1]} (durée du contrat).")
        value = parse_number(value_text)
        unit = (unit or "").strip()
        if not unit:
            raise FollowupError("unité", "précisez l'unité (ex. « enfants », « actions », « % »).")
        if value < 0:
            raise FollowupError("valeur", "une valeur de suivi ne peut pas être négative.")
        if unit in ("%", "pourcent", "pour cent") and value > 100:
            raise FollowupError("valeur", f"un pourcentage doit être compris entre 0 et 100 (saisi : {value_text}).")
        source = (source or "").strip()
        if not source:
            raise FollowupError("source", "indiquez la source de la valeur (ex. « bilan d'activité du centre social »).")
        author = (author or "").strip()
        if not author:
            raise FollowupError("auteur", "indiquez qui enregistre la valeur (nom ou service).")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise FollowupError("commentaire", f"le commentaire dépasse {MAX_COMMENT} caractères ({len(comment)}).")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        row = (
            indicator["key"],
            indicator["label"],
            int(indicator["orientation"]),
            territory,
            year,
            value,
            unit,
            source,
            comment,
            author,
            now,
        )
        with self._conn() as con:
            cur = con.execute(
                self._sql(
                    "INSERT INTO followup_value (indicator_key, indicator_label, orientation, territory, year, value, unit, "
                    "source, comment, author, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    + (" RETURNING id" if self.kind == "postgresql" else "")
                ),
                row,
            )
            new_id = cur.fetchone()[0] if self.kind == "postgresql" else cur.lastrowid
        return Entry(new_id, *row)

    # -- reading ----------------------------------------------------------------------------
    def history(self, indicator_key: str | None = None, territory: str | None = None) -> list[Entry]:
        where, args = [], []
        if indicator_key:
            where.append("indicator_key = %s")
            args.append(indicator_key)
        if territory:
            where.append("territory = %s")
            args.append(territory)
        sql = (
            "SELECT id, indicator_key, indicator_label, orientation, territory, year, value, unit, source, comment, "
            "author, recorded_at FROM followup_value" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        )
        try:
            with self._conn() as con:
                rows = con.execute(self._sql(sql), args).fetchall()
        except Exception as exc:  # no table yet, no file yet (read-only), unreachable server…
            if self.read_only and _nothing_recorded_yet(exc):
                return []
            raise FollowupStoreError("la base des valeurs de suivi ne répond pas ; réessayez dans un instant") from exc
        return [Entry(*r) for r in rows]

    def latest(self) -> list[Entry]:
        """The value in force for each (indicator, territory, year): the last one recorded."""
        current: dict[tuple, Entry] = {}
        for e in self.history():
            current[(e.indicator_key, e.territory, e.year)] = e
        return sorted(current.values(), key=lambda e: (e.orientation, e.indicator_key, e.territory, e.year))
