"""One suite for every registered connector (Harlequin's ``all_adapters``).

Each connector's owner provides a sample maker in ``tests/samples/``: a function that writes a
small source holding the rows (1, 'a'), (2, 'b'), (3, 'c') in columns ``id`` and ``name`` (a
multi-table source holds them in a table ``people``) and returns its location. The suite then
checks, in every mode the connector supports, what a person relies on: the location is
recognised, the rows come back, the catalog describes them, and removing the source leaves
nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import Mode
from aiser_desktop.core.workspace import Workspace
from tests.samples import databases, files, lakes

SAMPLES: dict[str, Callable[[Path], str]] = {**files.SAMPLES, **databases.SAMPLES, **lakes.SAMPLES}
CONNECTORS = registry.names()


def _cases() -> list[object]:
    cases: list[object] = []
    for name in CONNECTORS:
        connector = registry.get(name)
        if connector.NEEDS_NETWORK:
            continue  # web sources have their own tests against a server on loopback
        modes = [Mode.IMPORTED, Mode.LINKED] if connector.CAN_LINK else [Mode.IMPORTED]
        cases.extend(pytest.param(name, mode, id=f"{name}-{mode.value}") for mode in modes)
    return cases


def test_every_registered_connector_has_a_sample() -> None:
    missing = [
        name for name in CONNECTORS if name not in SAMPLES and not registry.get(name).NEEDS_NETWORK
    ]
    assert missing == []


def test_every_connector_says_what_it_is() -> None:
    for name in CONNECTORS:
        connector = registry.get(name)
        assert connector.name == name
        assert connector.label and connector.label[0].isupper()
        assert connector.suffixes or connector.schemes or connector.KIND.value == "lake"


@pytest.mark.parametrize(("name", "mode"), _cases())
def test_a_source_reads_back_and_leaves_nothing_when_removed(
    name: str, mode: Mode, workspace: Workspace, tmp_path: Path
) -> None:
    location = SAMPLES[name](tmp_path)
    assert registry.for_location(location).name == name

    workspace.sources.add(location, name="src", mode=mode)

    [info] = workspace.sources.catalog()
    assert info.mode == mode.value
    [table] = [t for t in info.tables if t.table in ("", "people")]
    rows = workspace.engine.execute(f"SELECT id, name FROM {table.sql_name} ORDER BY id").rows()
    assert [(int(i), str(n)) for i, n in rows] == [(1, "a"), (2, "b"), (3, "c")]
    assert [c.name.lower() for c in table.columns][:2] == ["id", "name"]
    if mode is Mode.IMPORTED:
        assert table.row_count == 3
        assert info.refreshed_at is not None

    workspace.sources.remove("src")
    leftovers = workspace.engine.execute(
        "SELECT 'table', table_name FROM duckdb_tables() WHERE schema_name = 'src' "
        "OR table_name = 'src' "
        "UNION ALL SELECT 'view', view_name FROM duckdb_views() WHERE view_name = 'src' "
        "UNION ALL SELECT 'schema', schema_name FROM duckdb_schemas() WHERE schema_name = 'src' "
        "UNION ALL SELECT 'database', database_name FROM duckdb_databases() "
        "WHERE database_name = 'src'"
    ).rows()
    assert leftovers == []
    assert workspace.sources.records() == []
