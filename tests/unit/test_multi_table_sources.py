"""A source with several tables, queried as ``source.table``, through a plugin connector.

This plugin (a folder of CSV files, one table per file) is registered the way a third-party
package would be, through the ``aiser_desktop.connectors`` entry-point group, to prove the
naming rule and the plugin path together.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.core.errors import NameClashError
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import Connector, SourceSpec, sql_string
from aiser_desktop.core.workspace import Workspace


class CsvFolderConnector(Connector):
    name = "csvfolder"
    label = "folder of CSV files"
    MULTI_TABLE = True

    def tables(self, con: Any, spec: SourceSpec) -> list[str]:
        return sorted(p.stem for p in Path(spec.location).glob("*.csv"))

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        return f"read_csv({sql_string(str(Path(spec.location) / (table + '.csv')))})"


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = registry.entry_points
    plugin_ep = EntryPoint(
        name="csvfolder", value=f"{__name__}:CsvFolderConnector", group=registry.GROUP
    )

    def with_plugin(*, group: str) -> list[EntryPoint]:
        return [*real(group=group), plugin_ep]

    monkeypatch.setattr(registry, "entry_points", with_plugin)
    registry.reload()
    yield
    registry.reload()


@pytest.fixture
def finance(tmp_path: Path) -> Path:
    folder = tmp_path / "finance"
    folder.mkdir()
    (folder / "budget.csv").write_text("dept,amount\nops,100\nit,250\n", encoding="utf-8")
    (folder / "actuals.csv").write_text("dept,amount\nops,90\nit,300\nhr,5\n", encoding="utf-8")
    return folder


def test_a_plugin_connector_is_listed_by_name(plugin: None) -> None:
    assert {"csv", "parquet", "json", "csvfolder"} <= set(registry.names())
    assert isinstance(registry.get("csvfolder"), CsvFolderConnector)


def test_each_table_is_queried_as_source_dot_table(
    plugin: None, workspace: Workspace, finance: Path
) -> None:
    workspace.sources.add_file(finance, connector="csvfolder")
    result = workspace.engine.execute(
        "SELECT b.dept, b.amount AS budget, a.amount AS actual "
        "FROM finance.budget b JOIN finance.actuals a USING (dept) ORDER BY b.dept"
    )
    assert result.rows() == [("it", 250, 300), ("ops", 100, 90)]

    [info] = workspace.sources.catalog()
    assert [(t.sql_name, t.table, t.row_count) for t in info.tables] == [
        ("finance.actuals", "actuals", 3),
        ("finance.budget", "budget", 2),
    ]
    assert [c.name for c in info.tables[1].columns] == ["dept", "amount"]


def test_names_clash_across_single_and_multi_table_sources(
    plugin: None, workspace: Workspace, finance: Path, sample_csv: Path
) -> None:
    workspace.sources.add_file(finance, connector="csvfolder")
    with pytest.raises(NameClashError, match="finance"):
        workspace.sources.add_file(sample_csv, name="finance")

    workspace.sources.add_file(sample_csv, name="sales")
    with pytest.raises(NameClashError, match="sales"):
        workspace.sources.add_file(finance, name="sales", connector="csvfolder")
    # Nothing was overwritten.
    assert workspace.engine.execute("SELECT count(*) FROM sales").rows() == [(3,)]
    assert workspace.engine.execute("SELECT count(*) FROM finance.budget").rows() == [(2,)]


def test_removing_a_multi_table_source_drops_all_its_tables(
    plugin: None, workspace: Workspace, finance: Path
) -> None:
    workspace.sources.add_file(finance, connector="csvfolder")
    workspace.sources.remove("finance")
    schemas = workspace.engine.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE schema_name = 'finance'"
    ).rows()
    assert schemas == []
    assert workspace.sources.records() == []
