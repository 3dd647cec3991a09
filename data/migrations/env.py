"""Alembic environment of the follow-up database (run by `python -m data.cli migrate`)."""

from alembic import context

from data.db import make_engine, metadata

url = context.config.attributes["url"]
engine = make_engine(url, create_dir=True)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
