"""The agent's memory: preferences, episodes (questions, SQL, feedback) and the glossary.

The episodes' full-text index (FTS5) is not here: it is derived data, built by
``core/agent/memory/store.py`` when memory first opens, and rebuilt from the episodes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memory_preferences",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(50), nullable=False, unique=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("said", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "memory_episodes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation", sa.String(40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_key", sa.String(400), nullable=False),
        sa.Column("sql", sa.Text(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("chart", sa.JSON(), nullable=True),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("feedback", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_memory_episodes_conversation", "memory_episodes", ["conversation"])
    op.create_index("ix_memory_episodes_asked_at", "memory_episodes", ["asked_at"])
    op.create_index("ix_memory_episodes_question_key", "memory_episodes", ["question_key"])
    op.create_table(
        "memory_glossary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("term", sa.String(200), nullable=False, unique=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS memory_episodes_fts")
    op.drop_table("memory_glossary")
    op.drop_index("ix_memory_episodes_question_key", "memory_episodes")
    op.drop_index("ix_memory_episodes_asked_at", "memory_episodes")
    op.drop_index("ix_memory_episodes_conversation", "memory_episodes")
    op.drop_table("memory_episodes")
    op.drop_table("memory_preferences")
