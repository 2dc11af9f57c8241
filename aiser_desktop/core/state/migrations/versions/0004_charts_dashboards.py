"""Saved charts (a spec with its query) and dashboards (tiles, layout, filters).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_charts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dashboards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("refresh_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dashboard_tiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "dashboard_id",
            sa.Integer(),
            sa.ForeignKey("dashboards.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("w", sa.Integer(), nullable=False),
        sa.Column("h", sa.Integer(), nullable=False),
        sa.Column(
            "chart_id",
            sa.Integer(),
            sa.ForeignKey("saved_charts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("sql", sa.Text(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_dashboard_tiles_dashboard_id", "dashboard_tiles", ["dashboard_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_dashboard_tiles_dashboard_id", table_name="dashboard_tiles")
    op.drop_table("dashboard_tiles")
    op.drop_table("dashboards")
    op.drop_table("saved_charts")
