"""Delta and Iceberg tables, written by deltalake and pyiceberg, read back through DuckDB.

Every table here is written by the library people use to write such tables (deltalake 1.6,
pyiceberg's SqlCatalog on a SQLite file), then added to a real workspace and queried.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aiser_desktop.core.errors import SourceError, SourceNotFoundError
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import SourceSpec
from aiser_desktop.core.sources.manager import NetworkDisabledError
from aiser_desktop.core.sources.web import prepare_object_store
from aiser_desktop.core.workspace import Workspace
from tests.samples.lakes import SAMPLES, rows_table, write_delta, write_iceberg


def _rows(ws: Workspace, table: str) -> list[tuple[object, ...]]:
    return ws.engine.execute(f"SELECT * FROM {table} ORDER BY id").rows()


def _leftovers(ws: Workspace, name: str) -> list[tuple[object, ...]]:
    return ws.engine.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE table_name = '{name}' "
        f"UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name = '{name}'"
    ).rows()


def _typed_table() -> object:
    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "name": pa.array(["Zoë", None], pa.string()),
            "price": pa.array([Decimal("12.50"), Decimal("3.99")], pa.decimal128(10, 2)),
            "day": pa.array([date(2024, 1, 3), date(2024, 2, 29)], pa.date32()),
            "paid_at": pa.array(
                [datetime(2024, 1, 3, 9, 30, tzinfo=UTC), None], pa.timestamp("us", tz="UTC")
            ),
            "ok": pa.array([True, False], pa.bool_()),
        }
    )


# ---------------------------------------------------------------------------------- Delta
def test_a_delta_folder_is_read_as_delta_not_as_its_parquet_files(tmp_path: Path) -> None:
    folder = write_delta(tmp_path)
    assert list(folder.glob("*.parquet")), "deltalake wrote no Parquet file"
    assert registry.for_location(str(folder)).name == "delta"
    assert registry.for_location(str(next(folder.glob("*.parquet")))).name == "parquet"


def test_a_delta_table_is_linked_by_default(workspace: Workspace, tmp_path: Path) -> None:
    row = workspace.sources.add(write_delta(tmp_path))

    assert (row.name, row.connector, row.mode) == ("people", "delta", "linked")
    assert _rows(workspace, "people") == [(1, "a"), (2, "b"), (3, "c")]
    [info] = workspace.sources.catalog()
    [table] = info.tables
    assert [(c.name, c.type) for c in table.columns] == [("id", "BIGINT"), ("name", "VARCHAR")]
    assert table.row_count == 3  # counting reads the log and the footers: done when added
    assert info.refreshed_at is None
    kinds = workspace.engine.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'people'"
    ).rows()
    assert kinds == [(1,)]


def test_delta_types_come_back(workspace: Workspace, tmp_path: Path) -> None:
    import deltalake

    deltalake.write_deltalake(str(tmp_path / "orders"), _typed_table())  # type: ignore[arg-type]
    for mode in ("linked", "imported"):
        name = f"orders_{mode}"
        workspace.sources.add(tmp_path / "orders", name=name, mode=mode)
        types = dict(
            workspace.engine.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE {name})"
            ).rows()
        )
        assert types == {
            "id": "BIGINT",
            "name": "VARCHAR",
            "price": "DECIMAL(10,2)",
            "day": "DATE",
            "paid_at": "TIMESTAMP WITH TIME ZONE",
            "ok": "BOOLEAN",
        }
        rows = workspace.engine.execute(
            f"SELECT name, price, day, paid_at IS NULL FROM {name} ORDER BY id"
        ).rows()
        assert rows == [
            ("Zoë", Decimal("12.50"), date(2024, 1, 3), False),
            (None, Decimal("3.99"), date(2024, 2, 29), True),
        ]


def test_a_new_delta_version_shows_when_linked_and_after_refresh_when_imported(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = write_delta(tmp_path)
    workspace.sources.add(folder, name="live")
    workspace.sources.add(folder, name="snap", mode="imported")
    taken = workspace.sources.catalog()[1].refreshed_at

    write_delta(tmp_path, [(4, "d"), (5, "e")], mode="append")

    assert len(_rows(workspace, "live")) == 5  # linked: the view reads the newest version
    assert _rows(workspace, "snap") == [(1, "a"), (2, "b"), (3, "c")]  # the snapshot stays
    workspace.sources.refresh("snap")
    assert _rows(workspace, "snap")[-2:] == [(4, "d"), (5, "e")]
    [snap] = [i for i in workspace.sources.catalog() if i.name == "snap"]
    assert snap.tables[0].row_count == 5
    assert taken is not None and snap.refreshed_at is not None and snap.refreshed_at > taken


def test_an_imported_delta_table_outlives_its_folder(workspace: Workspace, tmp_path: Path) -> None:
    folder = write_delta(tmp_path)
    workspace.sources.add(folder)
    workspace.sources.set_mode("people", "imported")
    shutil.rmtree(folder)

    assert _rows(workspace, "people") == [(1, "a"), (2, "b"), (3, "c")]
    with pytest.raises(SourceError):  # back to linked needs the folder: the copy is kept
        workspace.sources.set_mode("people", "linked")
    assert _rows(workspace, "people") == [(1, "a"), (2, "b"), (3, "c")]
    assert workspace.sources.records()[0].mode == "imported"


def test_a_folder_without_a_delta_log_is_refused_by_name(
    workspace: Workspace, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "x.parquet").write_bytes(b"")
    with pytest.raises(SourceError, match="no _delta_log") as caught:
        workspace.sources.add(plain, connector="delta")
    assert str(plain) in str(caught.value)

    with pytest.raises(SourceNotFoundError, match="does not exist"):
        workspace.sources.add(tmp_path / "nowhere", connector="delta")
    assert workspace.sources.records() == []


def test_an_empty_delta_log_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    folder = write_delta(tmp_path)
    for f in (folder / "_delta_log").iterdir():
        if f.is_file():
            f.unlink()
    with pytest.raises(SourceError, match="no commits") as caught:
        workspace.sources.add(folder)
    assert "_delta_log" in str(caught.value)


def test_a_missing_delta_data_file_is_named_and_nothing_is_kept(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = write_delta(tmp_path)
    data_file = next(folder.glob("*.parquet"))
    data_file.unlink()

    with pytest.raises(SourceError) as caught:
        workspace.sources.add(folder, mode="imported")
    assert data_file.name in str(caught.value)
    assert "missing" in str(caught.value)
    assert "Copy the whole table folder" in caught.value.hint
    assert workspace.sources.records() == []
    assert _leftovers(workspace, "people") == []


def test_a_truncated_delta_data_file_is_named(workspace: Workspace, tmp_path: Path) -> None:
    folder = write_delta(tmp_path)
    data_file = next(folder.glob("*.parquet"))
    data_file.write_bytes(data_file.read_bytes()[:40])

    with pytest.raises(SourceError, match="not a complete Parquet file") as caught:
        workspace.sources.add(folder)
    assert data_file.name in str(caught.value)
    assert workspace.sources.records() == []
    assert _leftovers(workspace, "people") == []


def test_a_damaged_delta_log_gets_a_short_message(workspace: Workspace, tmp_path: Path) -> None:
    folder = write_delta(tmp_path)
    (folder / "_delta_log" / "00000000000000000000.json").write_text("garbage{")

    with pytest.raises(SourceError) as caught:
        workspace.sources.add(folder)
    text = str(caught.value)
    assert "_delta_log" in text and str(folder) in text
    assert "tokio" not in text and len(text) < 600  # no Rust backtrace for people
    assert workspace.sources.records() == []
    assert _leftovers(workspace, "people") == []


# ---------------------------------------------------------------------------------- Iceberg
def test_an_iceberg_table_from_a_sql_catalog_reads_in_both_modes(
    workspace: Workspace, tmp_path: Path
) -> None:
    _table, folder = write_iceberg(tmp_path)
    assert not (folder / "metadata" / "version-hint.text").exists()  # catalog tables have none
    assert registry.for_location(str(folder)).name == "iceberg"

    workspace.sources.add(folder, name="linked")
    workspace.sources.add(folder, name="copied", mode="imported")

    for name in ("linked", "copied"):
        assert _rows(workspace, name) == [(1, "a"), (2, "b"), (3, "c")]
    info = {i.name: i for i in workspace.sources.catalog()}
    assert info["linked"].mode == "linked" and info["copied"].mode == "imported"
    for entry in info.values():
        assert entry.connector == "iceberg"
        assert entry.tables[0].row_count == 3
        assert [(c.name, c.type) for c in entry.tables[0].columns] == [
            ("id", "BIGINT"),
            ("name", "VARCHAR"),
        ]


def test_iceberg_types_come_back(workspace: Workspace, tmp_path: Path) -> None:
    from tests.samples.lakes import iceberg_catalog

    catalog = iceberg_catalog(tmp_path)
    catalog.create_namespace("shop")
    data = _typed_table()
    table = catalog.create_table("shop.orders", schema=data.schema)  # type: ignore[attr-defined]
    table.append(data)
    workspace.sources.add(str(table.location()).removeprefix("file://"), mode="imported")

    types = dict(
        workspace.engine.execute("SELECT column_name, column_type FROM (DESCRIBE orders)").rows()
    )
    assert types == {
        "id": "BIGINT",
        "name": "VARCHAR",
        "price": "DECIMAL(10,2)",
        "day": "DATE",
        "paid_at": "TIMESTAMP WITH TIME ZONE",
        "ok": "BOOLEAN",
    }
    assert workspace.engine.execute("SELECT sum(price), max(day) FROM orders").rows() == [
        (Decimal("16.49"), date(2024, 2, 29))
    ]


def test_a_new_iceberg_snapshot_is_read_after_refresh(workspace: Workspace, tmp_path: Path) -> None:
    table, folder = write_iceberg(tmp_path)
    workspace.sources.add(folder, name="linked")
    workspace.sources.add(folder, name="copied", mode="imported")

    table.append(rows_table([(4, "d")]))

    # Tables without a version hint are read as of the newest metadata when added.
    assert len(_rows(workspace, "linked")) == 3
    assert len(_rows(workspace, "copied")) == 3
    workspace.sources.refresh("linked")
    workspace.sources.refresh("copied")
    assert _rows(workspace, "linked")[-1] == (4, "d")
    assert _rows(workspace, "copied")[-1] == (4, "d")


def test_an_iceberg_metadata_file_pins_its_version(workspace: Workspace, tmp_path: Path) -> None:
    table, folder = write_iceberg(tmp_path)
    first = Path(str(table.metadata_location).removeprefix("file://"))
    table.append(rows_table([(4, "d")]))
    assert registry.for_location(str(first)).name == "iceberg"  # not the JSON connector
    assert registry.for_location(str(folder / "metadata")).name == "iceberg"

    workspace.sources.add(first, name="pinned")
    workspace.sources.add(folder, name="latest")

    assert len(_rows(workspace, "pinned")) == 3
    assert len(_rows(workspace, "latest")) == 4


def test_a_moved_iceberg_table_still_reads(workspace: Workspace, tmp_path: Path) -> None:
    _table, folder = write_iceberg(tmp_path / "written")
    moved = tmp_path / "elsewhere" / "people"
    shutil.copytree(folder, moved)
    shutil.rmtree(tmp_path / "written")  # the paths inside the files point here

    workspace.sources.add(moved)
    assert _rows(workspace, "people") == [(1, "a"), (2, "b"), (3, "c")]


def test_a_folder_without_iceberg_metadata_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    _table, folder = write_iceberg(tmp_path)
    for f in (folder / "metadata").glob("*.metadata.json"):
        f.unlink()
    with pytest.raises(SourceError, match=r"metadata/\*\.metadata\.json") as caught:
        workspace.sources.add(folder, connector="iceberg")
    assert str(folder) in str(caught.value)
    assert workspace.sources.records() == []


def test_a_missing_iceberg_data_file_is_named(workspace: Workspace, tmp_path: Path) -> None:
    _table, folder = write_iceberg(tmp_path)
    data_file = next((folder / "data").glob("*.parquet"))
    data_file.unlink()
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(folder, mode="imported")
    assert data_file.name in str(caught.value)
    assert workspace.sources.records() == []
    assert _leftovers(workspace, "people") == []


# ---------------------------------------------------------------------------------- both
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_contract_samples_hold_three_rows(name: str, workspace: Workspace, tmp_path: Path) -> None:
    location = SAMPLES[name](tmp_path)
    assert registry.for_location(location).name == name
    workspace.sources.add(location, name="sample")
    assert _rows(workspace, "sample") == [(1, "a"), (2, "b"), (3, "c")]


@pytest.mark.parametrize(
    ("location", "connector"),
    [
        ("s3://lake/sales", "delta"),
        ("gs://lake/sales/", "delta"),
        ("s3://lake/people/metadata/00002-ab.metadata.json", "iceberg"),
    ],
)
def test_a_lake_in_a_bucket_is_refused_while_the_network_is_off(
    workspace: Workspace, location: str, connector: str
) -> None:
    # A real bucket cannot be reached from these tests; what is checked is that nothing is
    # tried without the person's consent.
    assert registry.for_location(location).name == connector
    with pytest.raises(NetworkDisabledError, match="network is off"):
        workspace.sources.add(location, name="remote")
    assert workspace.sources.records() == []


def test_a_bucket_secret_becomes_a_scoped_temporary_duckdb_secret(workspace: Workspace) -> None:
    spec = SourceSpec(
        "remote",
        "s3://lake/sales",
        {"key_id": "AKIAEXAMPLE", "region": "eu-west-1"},
        secret="wJalrXUtnFEMI-do-not-show",
        network=True,
    )
    found = workspace.engine.call(
        lambda con: (
            prepare_object_store(con, spec),
            con.execute(
                "SELECT name, type, persistent, scope, secret_string FROM duckdb_secrets() "
                "WHERE name = 'aiser_source_remote'"
            ).fetchall(),
        )[1]
    ).result()
    [(name, kind, persistent, scope, text)] = found
    assert (name, kind, persistent, scope) == ("aiser_source_remote", "s3", False, ["s3://lake/"])
    assert "wJalrXUtnFEMI" not in text and "redacted" in text

    no_id = SourceSpec("r2", "gs://lake/x.parquet", {}, secret="s", network=True)
    with pytest.raises(SourceError, match="key_id"):
        workspace.engine.call(lambda con: prepare_object_store(con, no_id)).result()


def test_a_linked_delta_table_reads_after_the_workspace_reopens(tmp_path: Path) -> None:
    folder = write_delta(tmp_path)
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add(folder)
    ws = Workspace.open(tmp_path / "ws")
    try:
        assert _rows(ws, "people") == [(1, "a"), (2, "b"), (3, "c")]
    finally:
        ws.close()
