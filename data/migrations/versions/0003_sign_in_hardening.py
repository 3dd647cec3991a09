"""Sign-in hardening: single sign-on accounts marked as such (issuer and subject pinned at the first
sign-in), revocation of earlier sessions (not_before), the last action of a provider-backed session,
and an atomic per-scope counter of failed sign-ins (account, client address, both) replacing the
per-account lock.

Revision ID: 0003_sign_in_hardening
Revises: 0002_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_sign_in_hardening"
down_revision = "0002_accounts"


def upgrade():
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("sso", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("sso_issuer", sa.String(255), nullable=True))
        batch.add_column(sa.Column("sso_subject", sa.String(255), nullable=True))
        batch.add_column(sa.Column("not_before", sa.Float, nullable=True))
        batch.add_column(sa.Column("last_seen", sa.Float, nullable=True))
    # accounts created with `user add … --sso` before this revision were the ones without a password
    op.execute(sa.text("UPDATE account SET sso = :yes WHERE password_hash IS NULL").bindparams(yes=True))
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.Float, nullable=False),
    )
