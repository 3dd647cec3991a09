"""Series that go on past the contract: points of catalogue indicators from official tables (INSEE,
ANCT) or the team, validated before they are public (series_point, series_event), and the
indicators an official import introduced (series_indicator). See data/series.py.

Revision ID: 0006_series_points
Revises: 0005_known_addresses
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_series_points"
down_revision = "0005_known_addresses"


def upgrade():
    op.create_table(
        "series_point",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator", sa.String(60), nullable=False),
        sa.Column("territory", sa.String(60), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("perimeter", sa.String(80), nullable=False),
        sa.Column("value", sa.String(40).with_variant(sa.Numeric(18, 6), "postgresql"), nullable=True),
        sa.Column("decimals", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("batch", sa.String(40), nullable=False, server_default=""),
        sa.Column("comment", sa.String(1000), nullable=False, server_default=""),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="proposee"),
    )
    op.create_index("ix_series_point_key", "series_point", ["indicator", "territory", "period"])
    op.create_table(
        "series_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("value_id", sa.Integer, sa.ForeignKey("series_point.id"), nullable=False, index=True),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False, server_default=""),
    )
    op.create_table(
        "series_indicator",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("definition", sa.String(1000), nullable=False),
        sa.Column("higher_is_better", sa.Boolean, nullable=True),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
