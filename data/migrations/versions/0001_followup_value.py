"""Follow-up values, exact decimals and length limits.

A database created before Alembic (hand-written CREATE TABLE, value as a float) is converted in
place: the values keep their digits (SQLite: the float's shortest text; PostgreSQL: NUMERIC).

Revision ID: 0001_followup_value
Revises:
"""

import sqlalchemy as sa
from alembic import op

from data.db import ExactDecimal

revision = "0001_followup_value"
down_revision = None

COLUMNS = {
    "indicator_key": sa.String(40),
    "territory": sa.String(60),
    "unit": sa.String(40),
    "source": sa.String(300),
    "comment": sa.String(1000),
    "author": sa.String(64),
    "recorded_at": sa.String(32),
}


def upgrade():
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("followup_value"):
        op.create_table(
            "followup_value",
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
        )
    else:  # created by the pre-Alembic code: value was DOUBLE PRECISION / REAL
        with op.batch_alter_table("followup_value") as batch:
            if bind.dialect.name == "postgresql":
                batch.alter_column("value", type_=sa.Numeric(18, 6), postgresql_using="value::numeric(18,6)")
            else:
                batch.alter_column("value", type_=sa.String(40))
    op.create_index("ix_followup_indicator_territory", "followup_value", ["indicator_key", "territory", "year"])
