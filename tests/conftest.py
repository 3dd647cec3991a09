"""Every test runs against its own throw-away follow-up database, migrated by Alembic (never the
developer's var/suivi.sqlite3); tests that need another one set QUARTIERS_DB_URL themselves."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _throwaway_followup_db(tmp_path_factory):
    from data import db

    url = f"sqlite:///{tmp_path_factory.mktemp('suivi-session') / 'suivi.sqlite3'}"
    db.migrate(url)
    previous = os.environ.get(db.DB_ENV)
    os.environ[db.DB_ENV] = url
    yield url
    if previous is None:
        os.environ.pop(db.DB_ENV, None)
    else:
        os.environ[db.DB_ENV] = previous
