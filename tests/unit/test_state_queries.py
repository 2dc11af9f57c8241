"""state.sqlite: saved queries, history search and the window's editor tabs (migration 0003)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.state.store import (
    HEAD_REVISION,
    EditorTab,
    SavedQueryError,
    StateStore,
    current_revision,
    migrate,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    state = StateStore(tmp_path / "state.sqlite")
    yield state
    state.close()


def test_saved_queries_are_created_listed_renamed_and_deleted(store: StateStore) -> None:
    first = store.save_query("  Delays   by airline ", "select 1")
    assert first.name == "Delays by airline"  # spaces tidied
    second = store.save_query("busiest days", "select 2")
    assert [q.name for q in store.saved_queries()] == ["busiest days", "Delays by airline"]

    updated = store.save_query("Delays by airline", "select 11", query_id=first.id)
    assert (updated.id, updated.sql) == (first.id, "select 11")
    assert updated.updated_at >= first.updated_at
    renamed = store.rename_query(second.id, "Busiest days of 2013")
    assert (renamed.name, renamed.sql) == ("Busiest days of 2013", "select 2")
    assert store.saved_query(second.id) == renamed

    assert [q.name for q in store.saved_queries("2013")] == ["Busiest days of 2013"]
    assert [q.name for q in store.saved_queries("SELECT 11")] == ["Delays by airline"]
    assert store.delete_query(first.id) is True
    assert store.delete_query(first.id) is False
    assert store.saved_query(first.id) is None
    assert [q.name for q in store.saved_queries()] == ["Busiest days of 2013"]


def test_a_taken_or_empty_name_is_refused_with_what_to_do(store: StateStore) -> None:
    kept = store.save_query("Top routes", "select 1")
    other = store.save_query("Other", "select 2")
    with pytest.raises(SavedQueryError, match=r"already named 'Top routes'.*Choose another"):
        store.save_query("top ROUTES", "select 3")
    with pytest.raises(SavedQueryError, match="already named"):
        store.rename_query(other.id, "Top routes")
    with pytest.raises(SavedQueryError, match="needs a name"):
        store.save_query("   ", "select 4")
    with pytest.raises(SavedQueryError, match="at most 200"):
        store.save_query("x" * 201, "select 5")
    # Saving a query over itself under its own name (in another case) is fine.
    assert store.save_query("TOP routes", "select 9", query_id=kept.id).name == "TOP routes"
    store.delete_query(other.id)
    with pytest.raises(SavedQueryError, match="no longer exists"):
        store.rename_query(other.id, "again")
    assert len(store.saved_queries()) == 1


def test_history_search_is_case_insensitive_and_literal(store: StateStore) -> None:
    store.record_query("select * from flights", "finished", 0.1, rows=10)
    store.record_query("select 100% as pct", "finished", 0.2, rows=1)
    store.record_query("SELECT * FROM Flights_2013", "failed", 0.3, error="boom")
    assert [h.sql for h in store.history(search="FLIGHTS")] == [
        "SELECT * FROM Flights_2013",
        "select * from flights",
    ]
    assert [h.sql for h in store.history(search="%")] == ["select 100% as pct"]
    assert [h.sql for h in store.history(search="s_2013")] == ["SELECT * FROM Flights_2013"]
    assert [h.sql for h in store.history(search="flights_")] == ["SELECT * FROM Flights_2013"]
    assert len(store.history(limit=2)) == 2
    assert len(store.history(search="  ")) == 3


def test_editor_tabs_round_trip_and_forget_deleted_queries(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = StateStore(path)
    saved = store.save_query("Daily", "select current_date")
    gone = store.save_query("Gone", "select 0")
    tabs = [
        EditorTab("Query 1", "select 1;\nselect 2", cursor=12),
        EditorTab("Daily", "select current_date -- edited", cursor=99, saved_id=saved.id),
        EditorTab("Gone", "select 0", saved_id=gone.id),
    ]
    store.save_editor_tabs(tabs, current=1)
    store.delete_query(gone.id)
    store.close()

    store = StateStore(path)
    restored, current = store.editor_tabs()
    assert current == 1
    assert restored[0] == tabs[0]
    # The cursor is kept inside the text.
    assert restored[1] == EditorTab("Daily", tabs[1].sql, len(tabs[1].sql), saved.id)
    assert restored[2] == EditorTab("Gone", "select 0", 0, None)  # the link is forgotten
    store.save_editor_tabs([], 0)
    assert store.editor_tabs() == ([], 0)
    store.close()


def test_a_workspace_from_revision_0002_is_migrated_and_keeps_its_history(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite"
    migrate(path, "0002")
    con = sqlite3.connect(path)
    con.execute(
        "insert into query_history (sql, status, started_at, seconds) "
        "values ('select 1', 'finished', '2026-11-30 10:00:00', 0.5)"
    )
    con.commit()
    con.close()
    store = StateStore(path)
    assert current_revision(path) == HEAD_REVISION
    assert [h.sql for h in store.history()] == ["select 1"]
    assert store.saved_queries() == []
    store.close()
