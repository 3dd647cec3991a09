"""Validation before publication: each follow-up value has a status (proposee → validee or refusee;
validee → retiree) and every step is kept in followup_event (who, when, what, why).

Values recorded before this revision were already public: they become « validee », with an event
saying so (actor « reprise-0004 »).

Revision ID: 0004_validation
Revises: 0003_sign_in_hardening
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004_validation"
down_revision = "0003_sign_in_hardening"


def upgrade():
    with op.batch_alter_table("followup_value") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="proposee"))
    op.create_table(
        "followup_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("value_id", sa.Integer, sa.ForeignKey("followup_value.id"), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_followup_event_value_id", "followup_event", ["value_id"])
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    op.execute(sa.text("UPDATE followup_value SET status = 'validee'"))
    op.execute(
        sa.text(
            "INSERT INTO followup_event (value_id, action, actor, at, reason) "
            "SELECT id, 'validee', 'reprise-0004', :now, 'valeur publiée avant la validation par un administrateur' "
            "FROM followup_value"
        ).bindparams(now=now)
    )
