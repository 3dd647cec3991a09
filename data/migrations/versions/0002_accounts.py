"""Accounts: local sign-in (argon2 hashes), roles, lock-out.

Revision ID: 0002_accounts
Revises: 0001_followup_value
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_followup_value"


def upgrade():
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.String(32), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
