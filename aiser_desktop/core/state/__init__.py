"""state.sqlite: sources, history and other app records (SQLAlchemy 2 + Alembic)."""
