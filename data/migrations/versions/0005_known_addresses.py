"""Known addresses: where each account signed in successfully (« LOGIN|ADDRESS », last success). From
a known address only the pair's own count of failures applies (data/accounts.py), so an attacker
spread over many addresses cannot keep the owner out.

Revision ID: 0005_known_addresses
Revises: 0004_validation
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_known_addresses"
down_revision = "0004_validation"


def upgrade():
    op.create_table(
        "login_known",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("last_success", sa.Float, nullable=False),
    )
