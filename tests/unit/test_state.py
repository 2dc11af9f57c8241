"""state.sqlite: Alembic migrations that match the models, and a guard against newer files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from aiser_desktop.core.errors import WorkspaceError
from aiser_desktop.core.state.models import Base
from aiser_desktop.core.state.store import (
    HEAD_REVISION,
    MIGRATIONS,
    StateStore,
    current_revision,
    migrate,
)


def script_directory() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite"


def test_a_new_file_is_migrated_to_the_head_revision(state_path: Path) -> None:
    store = StateStore(state_path)
    store.close()
    assert current_revision(state_path) == HEAD_REVISION
    tables = set(inspect(create_engine(f"sqlite:///{state_path}")).get_table_names())
    assert {"sources", "query_history", "workspace_meta", "alembic_version"} <= tables


def test_head_revision_is_alembics_head() -> None:
    heads = script_directory().get_heads()
    assert heads == [HEAD_REVISION], "update HEAD_REVISION in state/store.py with each migration"


def test_the_migrations_form_one_line_from_the_first() -> None:
    revisions = list(script_directory().walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(r.down_revision is not None for r in revisions[:-1])


def test_the_models_and_the_migrations_agree(state_path: Path) -> None:
    migrate(state_path)
    engine = create_engine(f"sqlite:///{state_path}")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == [], "write a migration for these model changes"


def test_an_up_to_date_file_opens_without_migrating(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    StateStore(state_path).close()

    def no_migration(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an up-to-date file was migrated again")

    monkeypatch.setattr("aiser_desktop.core.state.store.migrate", no_migration)
    StateStore(state_path).close()


def test_a_file_from_a_newer_version_says_to_upgrade(state_path: Path) -> None:
    StateStore(state_path).close()
    con = sqlite3.connect(state_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()

    with pytest.raises(WorkspaceError) as caught:
        StateStore(state_path)
    message = str(caught.value)
    assert str(state_path) in message
    assert "newer version" in message
    assert "9999" in message
    assert "Upgrade" in message
    assert current_revision(state_path) == "9999"  # the file was left alone


def test_records_round_trip(state_path: Path) -> None:
    store = StateStore(state_path)
    store.add_source("sales", "csv", "/data/sales.csv", [""], {"delimiter": ","})
    store.set_meta("sample_data", "nycflights13")
    store.set_meta("sample_data", "again")
    store.record_query("SELECT 1", "finished", 0.5, rows=1)
    store.close()

    store = StateStore(state_path)
    (source,) = store.sources()
    assert (source.name, source.connector, source.location) == ("sales", "csv", "/data/sales.csv")
    assert source.tables == [""]
    assert source.options == {"delimiter": ","}
    assert store.get_meta("sample_data") == "again"
    assert store.get_meta("missing") is None
    (entry,) = store.history()
    assert (entry.sql, entry.status, entry.seconds, entry.rows) == ("SELECT 1", "finished", 0.5, 1)
    assert store.remove_source("sales") is True
    assert store.remove_source("sales") is False
    assert store.sources() == []
    store.close()
