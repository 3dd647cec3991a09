"""The team's database: SQLAlchemy Core tables for SQLite (default, a file in QUARTIERS_VAR_DIR) and
PostgreSQL (QUARTIERS_DB_URL), migrated by Alembic (data/migrations). The app never runs DDL at
page load: `python -m data.cli migrate` (run by scripts/run.sh, deploy/local.sh, the systemd and
compose migration step) creates or upgrades the schema; a store finding an older schema says so
in French.

Database faults become `StoreError` with a French message that never carries the address (it may
hold a password) nor the driver's English text; connections time out after a few seconds."""

from __future__ import annotations

import decimal
import os
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from . import paths

DB_ENV = "QUARTIERS_DB_URL"
CONNECT_TIMEOUT_S = 3  # unreachable server: a French message after 3 s, not 130
STATEMENT_TIMEOUT_MS = 5000  # a hung statement (lock, overloaded server) is cancelled after 5 s
SQLITE_BUSY_S = 3  # a locked SQLite file: wait at most 3 s
SCHEMA_VERSION = "0006_series_points"  # head of data/migrations/versions
READ_ROLE_ENV = "QUARTIERS_DB_READ_ROLE"  # PostgreSQL role of the public processes: SELECT on published data only

metadata = sa.MetaData()


class ExactDecimal(sa.types.TypeDecorator):
    """A decimal stored without float noise: NUMERIC(18, 6) on PostgreSQL, the canonical decimal
    text on SQLite (which has no decimal type: REAL would turn 0.1 + 0.2 into 0.30000000000000004)."""

    impl = sa.String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Numeric(18, 6, asdecimal=True))
        return dialect.type_descriptor(sa.String(40))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = decimal.Decimal(value)
        return value if dialect.name == "postgresql" else format(value, "f")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return normalise(decimal.Decimal(value))


def normalise(d: decimal.Decimal) -> decimal.Decimal:
    """12.500000 → 12.5, 100.000000 → 100 (never 1E+2)."""
    d = d.normalize()
    return d.quantize(decimal.Decimal(1)) if d == d.to_integral() else d


followup_value = sa.Table(
    "followup_value",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_key", sa.String(40), nullable=False),
    sa.Column("indicator_label", sa.Text, nullable=False),
    sa.Column("orientation", sa.Integer, nullable=False),
    sa.Column("territory", sa.String(60), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("value", ExactDecimal, nullable=False),
    sa.Column("unit", sa.String(40), nullable=False),
    sa.Column("source", sa.String(300), nullable=False),
    sa.Column("comment", sa.String(1000), nullable=False, server_default=""),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    # proposee (recorded, awaiting an administrateur) → validee (public) or refusee; validee → retiree
    sa.Column("status", sa.String(12), nullable=False, server_default="proposee"),
    sa.Index("ix_followup_indicator_territory", "indicator_key", "territory", "year"),
)

# Every step of every value (who, when, what, why): nothing is deleted nor rewritten.
followup_event = sa.Table(
    "followup_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("value_id", sa.Integer, sa.ForeignKey("followup_value.id"), nullable=False, index=True),
    sa.Column("action", sa.String(12), nullable=False),  # proposee, validee, refusee, retiree
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("reason", sa.String(300), nullable=False, server_default=""),
)

# Points that extend the contract's series past its tables (data/series.py): an official table
# imported (INSEE, ANCT) or a value the team records for a catalogue indicator. The contract's own
# figures never live here (qpv_data/indicators.csv, immutable). Never updated but for `status`.
series_point = sa.Table(
    "series_point",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator", sa.String(60), nullable=False),
    sa.Column("territory", sa.String(60), nullable=False),
    sa.Column("period", sa.String(20), nullable=False),  # millésime (« 2021 », « 2020-2021 »)
    sa.Column("perimeter", sa.String(80), nullable=False),  # label: « QPV 2024 », « commune »…
    sa.Column("value", ExactDecimal, nullable=True),  # None: « non disponible » (secret, missing), never 0
    sa.Column("decimals", sa.Integer, nullable=False, server_default="0"),  # as published
    sa.Column("unit", sa.String(40), nullable=False),
    sa.Column("source", sa.String(300), nullable=False),
    sa.Column("origin", sa.String(12), nullable=False),  # officielle, equipe
    sa.Column("batch", sa.String(40), nullable=False, server_default=""),  # one import = one batch
    sa.Column("comment", sa.String(1000), nullable=False, server_default=""),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="proposee"),
    sa.Index("ix_series_point_key", "indicator", "territory", "period"),
)

series_event = sa.Table(
    "series_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("value_id", sa.Integer, sa.ForeignKey("series_point.id"), nullable=False, index=True),
    sa.Column("action", sa.String(12), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("reason", sa.String(300), nullable=False, server_default=""),
)

# Indicators an official import introduced (the catalogue lacks them): shown like the others.
series_indicator = sa.Table(
    "series_indicator",
    metadata,
    sa.Column("id", sa.String(60), primary_key=True),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),  # a catalogue unit: pourcent, euros, personnes…
    sa.Column("definition", sa.String(1000), nullable=False),
    sa.Column("higher_is_better", sa.Boolean, nullable=True),  # None: no verdict
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("login", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=True),  # none: single sign-on only
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),  # unused since 0003 (login_throttle)
    sa.Column("locked_until", sa.String(32), nullable=True),  # unused since 0003 (login_throttle)
    sa.Column("created_at", sa.String(32), nullable=False),
    # single sign-on: only an account created for it (`user add … --sso`) is opened by the provider;
    # the provider's issuer and subject are pinned at the first sign-in
    sa.Column("sso", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sso_issuer", sa.String(255), nullable=True),
    sa.Column("sso_subject", sa.String(255), nullable=True),
    # sessions (and provider identities) issued before this instant are no longer accepted:
    # set by « Se déconnecter », a disable, a role change (epoch seconds)
    sa.Column("not_before", sa.Float, nullable=True),
    # last action of a provider-backed session (epoch seconds): the idle limit survives a closed tab
    sa.Column("last_seen", sa.Float, nullable=True),
)

# Where each account signed in successfully (« LOGIN|ADDRESS », last success, epoch seconds): from a
# known address the account-wide and address-wide delays do not apply (only this pair's own count),
# so an attacker spread over many addresses cannot keep the owner out (OWASP « device cookie » idea,
# with the address as the device: Streamlit has no cookie of its own to give).
login_known = sa.Table(
    "login_known",
    metadata,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("last_success", sa.Float, nullable=False),
)

# Failed sign-ins, counted atomically per scope: « compte:LOGIN », « adresse:IP », « paire:LOGIN|IP ».
# Keyed on the login as typed (existing or not), so an unknown login is slowed exactly like a real one.
login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.Float, nullable=False),  # epoch seconds
)


class StoreError(RuntimeError):
    """A database fault, worded in French for a user; never carries the address or a secret."""


def default_url() -> str:
    """SQLite in QUARTIERS_VAR_DIR (by default ./var, created by `python -m data.cli migrate`)."""
    return f"sqlite:///{paths.var() / 'suivi.sqlite3'}"


def url_from_env(url: str | None = None) -> str:
    return url or os.environ.get(DB_ENV) or default_url()


def driver_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        return url
    # the address is not repeated: it may hold a password
    raise StoreError("adresse de base de données non reconnue (attendu : sqlite:///… ou postgresql://…)")


def make_engine(url: str, read_only: bool = False, create_dir: bool = False) -> sa.Engine:
    durl = driver_url(url)
    if durl.startswith("postgresql"):
        options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={STATEMENT_TIMEOUT_MS}"
        if read_only:
            options += " -c default_transaction_read_only=on"
        return sa.create_engine(
            durl,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": options},
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            pool_timeout=SQLITE_BUSY_S + 2,
        )
    path = Path(durl.removeprefix("sqlite:///"))
    if read_only:
        # a public screen never creates the file: read-only URI, no DDL
        engine = sa.create_engine("sqlite://", creator=lambda: _sqlite_ro(path), poolclass=sa.pool.NullPool)
    else:
        if create_dir:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(durl, connect_args={"timeout": SQLITE_BUSY_S}, poolclass=sa.pool.NullPool)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_con, _):
        dbapi_con.execute("PRAGMA foreign_keys=ON")

    return engine


def _sqlite_ro(path: Path):
    import sqlite3

    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_S, check_same_thread=False)


def french_fault(exc: BaseException) -> StoreError:
    """The driver's fault, worded for a user (the original stays chained for the log)."""
    text = str(getattr(exc, "orig", exc) or exc).lower()
    if "locked" in text or "busy" in text or "lock timeout" in text or "could not obtain lock" in text:
        msg = "la base de suivi est occupée par une autre saisie ; réessayez dans un instant (rien n'a été enregistré)"
    elif "readonly" in text or "read-only" in text or "read only" in text:
        msg = "la base de suivi est en lecture seule sur ce serveur (rien n'a été enregistré)"
    elif "statement timeout" in text or "canceling statement" in text or "timeout" in text or "timed out" in text:
        msg = "la base de suivi n'a pas répondu à temps ; réessayez dans un instant (rien n'a été enregistré)"
    elif "unable to open database" in text or "no such file" in text:
        msg = "le fichier de la base de suivi est introuvable ou inaccessible"
    elif "no such table" in text or "does not exist" in text:
        msg = "la base de suivi n'est pas initialisée (l'administrateur lance « python -m data.cli migrate »)"
    elif isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | OSError):
        msg = "la base de suivi est injoignable ; réessayez dans un instant (rien n'a été enregistré)"
    else:
        msg = "la base de suivi a refusé l'opération (rien n'a été enregistré)"
    err = StoreError(msg)
    err.__cause__ = exc
    return err


def schema_version(engine: sa.Engine) -> str | None:
    """Alembic's recorded revision, or None for an empty database."""
    try:
        with engine.connect() as con:
            if not sa.inspect(con).has_table("alembic_version"):
                return None
            return con.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa_exc.SQLAlchemyError as exc:
        raise french_fault(exc) from exc


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.attributes["url"] = url
    return cfg


def migrate(url: str | None = None) -> str:
    """Create or upgrade the schema to the head revision (Alembic); returns the revision."""
    from alembic import command

    url = url_from_env(url)
    if driver_url(url).startswith("sqlite"):
        Path(driver_url(url).removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
    read_role = os.environ.get(READ_ROLE_ENV, "").strip()
    if read_role:
        grant_read_role(url, read_role)
    return SCHEMA_VERSION


PUBLIC_TABLES = (
    "followup_value",
    "series_point",
    "series_indicator",
    "alembic_version",
)  # the public reads validated values only (status)  # what a public process may read: never accounts


def grant_read_role(url: str, role: str) -> None:
    """PostgreSQL: the public processes' role may SELECT the published tables and nothing else (no
    INSERT/UPDATE/DELETE, no account table). Run by the migrate step after each upgrade."""
    if not driver_url(url).startswith("postgresql"):
        return
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise StoreError(f"nom de rôle PostgreSQL invalide pour {READ_ROLE_ENV} (a-z, 0-9, « _ »)")
    engine = make_engine(url)
    try:
        with engine.begin() as con:
            con.execute(sa.text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
            con.execute(sa.text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
            for table in PUBLIC_TABLES:
                con.execute(sa.text(f'GRANT SELECT ON "{table}" TO "{role}"'))
    except sa_exc.SQLAlchemyError as exc:
        raise french_fault(exc) from exc
    finally:
        engine.dispose()
