"""Sources learn modes (linked or imported), network consent, a keyring reference, a cached
catalog and the time of their last snapshot.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        # Every source before this revision was a file copied into data.duckdb.
        batch.add_column(
            sa.Column("mode", sa.String(20), nullable=False, server_default="imported")
        )
        batch.add_column(
            sa.Column("network", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("secret_ref", sa.String(100), nullable=True))
        batch.add_column(sa.Column("catalog", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        for column in ("refreshed_at", "catalog", "secret_ref", "network", "mode"):
            batch.drop_column(column)
