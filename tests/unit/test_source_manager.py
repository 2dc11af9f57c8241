"""Modes, switching, refreshing, cancelling and the cached catalog, through CSV files.

The connectors' own behaviour is tested beside them; this is what the manager promises for any
source: linked sources follow their file, imported ones survive it, a failed or cancelled
change leaves the workspace exactly as it was, and the catalog is known without the source.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pytest

from aiser_desktop.core.errors import QueryCancelledError, QueryError, SourceError
from aiser_desktop.core.events import ImportProgress
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import Connector, SourceSpec
from aiser_desktop.core.sources.manager import NetworkDisabledError
from aiser_desktop.core.workspace import Workspace


def rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    return ws.engine.execute(sql).rows()


def leftovers(ws: Workspace, name: str) -> list[tuple[Any, ...]]:
    return rows(
        ws,
        f"SELECT 'table' FROM duckdb_tables() WHERE table_name = '{name}' "
        f"UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = '{name}' "
        f"UNION ALL SELECT 'schema' FROM duckdb_schemas() WHERE schema_name = '{name}'",
    )


@pytest.fixture
def visits(tmp_path: Path) -> Path:
    path = tmp_path / "visits.csv"
    path.write_text("day,n\n2024-01-01,3\n2024-01-02,4\n", encoding="utf-8")
    return path


def test_a_linked_file_is_queried_in_place(workspace: Workspace, visits: Path) -> None:
    workspace.sources.add(visits, mode="linked")
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(7,)]

    with visits.open("a", encoding="utf-8") as f:
        f.write("2024-01-03,10\n")
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(17,)]

    [info] = workspace.sources.catalog()
    assert info.mode == "linked"
    assert info.refreshed_at is None
    assert info.tables[0].row_count == -1  # counting would read the whole file
    assert [c.name for c in info.tables[0].columns] == ["day", "n"]


def test_a_moved_linked_file_gives_an_error_naming_it(workspace: Workspace, visits: Path) -> None:
    workspace.sources.add(visits, mode="linked")
    visits.unlink()
    with pytest.raises(QueryError, match=r"visits\.csv"):
        workspace.engine.execute("SELECT * FROM visits")


def test_switching_to_imported_keeps_the_data_when_the_file_goes(
    workspace: Workspace, visits: Path
) -> None:
    workspace.sources.add(visits, mode="linked")
    row = workspace.sources.set_mode("visits", "imported")
    assert row.mode == "imported" and row.refreshed_at is not None
    visits.unlink()
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(7,)]
    [info] = workspace.sources.catalog()
    assert info.tables[0].row_count == 2


def test_switching_back_to_linked_follows_the_file_again(
    workspace: Workspace, visits: Path
) -> None:
    workspace.sources.add(visits, mode="imported")
    visits.write_text("day,n\n2024-02-01,100\n", encoding="utf-8")
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(7,)]
    workspace.sources.set_mode("visits", "linked")
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(100,)]
    assert leftovers(workspace, "visits") == [("view",)]


def test_refresh_takes_a_new_snapshot(workspace: Workspace, visits: Path) -> None:
    first = workspace.sources.add(visits)
    visits.write_text("day,n\n2024-02-01,100\n2024-02-02,1\n", encoding="utf-8")
    time.sleep(0.01)
    second = workspace.sources.refresh("visits")
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(101,)]
    assert second.refreshed_at and first.refreshed_at
    assert second.refreshed_at > first.refreshed_at


def test_a_failed_refresh_keeps_the_old_snapshot(workspace: Workspace, visits: Path) -> None:
    workspace.sources.add(visits)
    visits.write_bytes(b"\x00\xff\xfe garbage \x00" * 100)
    with pytest.raises(SourceError, match=r"visits\.csv"):
        workspace.sources.refresh("visits")
    assert rows(workspace, "SELECT sum(n) FROM visits") == [(7,)]
    assert workspace.sources.records()[0].mode == "imported"


def test_the_catalog_is_known_without_the_source(tmp_path: Path, visits: Path) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add(visits, mode="linked")
        before = ws.sources.catalog()
    visits.unlink()
    with Workspace.open(tmp_path / "ws") as ws:
        after = ws.sources.catalog()
    assert after == before
    assert [c.type for c in after[0].tables[0].columns] == ["DATE", "BIGINT"]
    assert after[0].tables[0].columns[0].semantic == "date"


def test_an_import_publishes_progress(workspace: Workspace, visits: Path) -> None:
    seen: list[ImportProgress] = []
    workspace.hub.subscribe(ImportProgress, seen.append)
    workspace.sources.add(visits)
    assert seen[0].source == "visits" and seen[0].done == 0
    assert seen[-1].done == seen[-1].total == 1


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.csv"
    duckdb.sql(
        f"COPY (SELECT i, i * 2 AS j, 'row ' || i AS label FROM range(3000000) t(i)) "
        f"TO '{path}' (HEADER)"
    )
    return path


def test_a_cancelled_import_leaves_nothing(workspace: Workspace, big_csv: Path) -> None:
    def cancel_soon() -> None:
        time.sleep(0.3)
        workspace.engine.interrupt()

    threading.Thread(target=cancel_soon).start()
    with pytest.raises(QueryCancelledError, match="nothing was kept"):
        workspace.sources.add(big_csv, mode="imported")
    assert leftovers(workspace, "big") == []
    assert workspace.sources.records() == []
    # The workspace goes on working.
    assert rows(workspace, "SELECT 42") == [(42,)]


class _RemoteConnector(Connector):
    """A connector whose source is always elsewhere; it never gets as far as reading."""

    name = "remote_test"
    label = "Remote test source"
    schemes: ClassVar[tuple[str, ...]] = ("remotetest",)
    NEEDS_NETWORK = True

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        raise AssertionError("must not be read without network consent")


def test_a_remote_source_needs_network_consent(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.BUILT_IN, "remote_test", f"{__name__}:_RemoteConnector")
    registry.reload()
    try:
        with pytest.raises(NetworkDisabledError) as caught:
            workspace.sources.add("remotetest://example.org/data")
        assert "--allow-network" in caught.value.hint
        assert workspace.sources.records() == []
    finally:
        registry.reload()


def test_a_database_on_another_host_needs_consent_one_here_does_not() -> None:
    connector = _RemoteConnector()
    assert connector.needs_network(SourceSpec("x", "remotetest://h/db"))
    plain = registry.get("csv")
    assert not plain.needs_network(SourceSpec("x", "/tmp/a.csv"))


def test_a_file_only_python_can_decode_cannot_be_linked(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "prices.csv"
    path.write_bytes("item,price\ncaf\u00e9,3\n".encode("cp1252"))
    with pytest.raises(SourceError, match="cannot be linked") as caught:
        workspace.sources.add(path, mode="linked", options={"encoding": "cp1252"})
    assert "--import" in caught.value.hint
    assert workspace.sources.records() == []

    workspace.sources.add(path, options={"encoding": "cp1252"})
    assert rows(workspace, "SELECT item FROM prices") == [("caf\u00e9",)]
    with pytest.raises(SourceError, match="cannot be linked"):
        workspace.sources.set_mode("prices", "linked")
    assert workspace.sources.records()[0].mode == "imported"
