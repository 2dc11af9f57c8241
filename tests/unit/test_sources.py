"""File sources: CSV, Parquet, JSON and NDJSON as tables queryable by the source's name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.errors import (
    ConnectorNotFoundError,
    NameClashError,
    SourceError,
    SourceNotFoundError,
    UnsupportedFormatError,
)
from aiser_desktop.core.events import SourcesChanged
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.manager import default_name
from aiser_desktop.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    return ws.engine.execute(sql).rows(0, 10_000)


def table_names(ws: Workspace) -> set[str]:
    return {r[0] for r in rows(ws, "SELECT table_name FROM duckdb_tables()")}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


# ---------------------------------------------------------------------- adding each format
def test_a_csv_file_becomes_a_table_named_after_the_source(
    workspace: Workspace, sample_csv: Path
) -> None:
    record = workspace.sources.add_file(sample_csv)
    assert record.name == "sales"
    assert record.connector == "csv"
    assert record.location == str(sample_csv.resolve())
    assert rows(workspace, "SELECT region, sum(amount) FROM sales GROUP BY 1 ORDER BY 1") == [
        ("north", 13.5),
        ("south", 7.25),
    ]


def test_a_parquet_file(workspace: Workspace, files: Path) -> None:
    path = files / "events.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT i AS id, 'e' || i AS label FROM range(1000) t(i)) TO '{path}' "
        "(FORMAT parquet)"
    )
    con.close()
    record = workspace.sources.add_file(path)
    assert (record.name, record.connector) == ("events", "parquet")
    assert rows(workspace, "SELECT count(*), max(id), min(label) FROM events") == [
        (1000, 999, "e0")
    ]


def test_a_json_array_file(workspace: Workspace, files: Path) -> None:
    path = files / "people.json"
    path.write_text('[{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}]', encoding="utf-8")
    record = workspace.sources.add_file(path)
    assert record.connector == "json"
    assert rows(workspace, "SELECT name, age FROM people ORDER BY age") == [
        ("Ada", 36),
        ("Alan", 41),
    ]


def test_a_newline_delimited_json_file(workspace: Workspace, files: Path) -> None:
    path = files / "clicks.ndjson"
    path.write_text(
        '{"page": "/", "ms": 12}\n{"page": "/about", "ms": 30}\n{"page": "/", "ms": 8}\n',
        encoding="utf-8",
    )
    workspace.sources.add_file(path)
    assert rows(workspace, "SELECT page, sum(ms) FROM clicks GROUP BY 1 ORDER BY 1") == [
        ("/", 20),
        ("/about", 30),
    ]


def test_the_name_given_is_used(workspace: Workspace, sample_csv: Path) -> None:
    workspace.sources.add_file(sample_csv, name="q1_sales")
    assert rows(workspace, "SELECT count(*) FROM q1_sales") == [(3,)]


def test_the_data_is_imported_not_linked(workspace: Workspace, files: Path) -> None:
    path = files / "visits.csv"
    path.write_text("x\n1\n2\n", encoding="utf-8")
    workspace.sources.add_file(path)
    path.unlink()
    assert rows(workspace, "SELECT sum(x) FROM visits") == [(3,)]


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("Sales 2024.csv", "sales_2024"),
        ("2024.csv", "t_2024"),
        ("orders.csv.gz", "orders"),
        ("Q3 — Übersicht.parquet", "q3_ubersicht"),
        ("Café Sales.csv", "cafe_sales"),
        ("---.csv", "source"),
        ("temp.csv", "temp_data"),
        ("Main.json", "main_data"),
        ("data.csv", "dataset"),  # "data" is the workspace's own database
        ("order.csv", "order_data"),  # a keyword would need quotes in every query
        ("9" * 80 + ".csv", "t_" + "9" * 61),
    ],
)
def test_default_names_come_from_file_names(file_name: str, expected: str) -> None:
    name = default_name(Path(file_name))
    assert name == expected
    assert len(name) <= 63


def test_a_default_name_is_used_when_adding(workspace: Workspace, files: Path) -> None:
    for name in ("Sales 2024.csv", "2024.csv"):
        (files / name).write_text("a\n1\n", encoding="utf-8")
        workspace.sources.add_file(files / name)
    assert {s.name for s in workspace.sources.records()} == {"sales_2024", "t_2024"}
    assert rows(workspace, "SELECT a FROM sales_2024 UNION ALL SELECT a FROM t_2024") == [
        (1,),
        (1,),
    ]


# ---------------------------------------------------------------------- names that clash
def test_a_clash_with_a_source_is_refused_and_the_old_data_stays(
    workspace: Workspace, sample_csv: Path, files: Path
) -> None:
    workspace.sources.add_file(sample_csv)
    other = files / "sales.csv"
    other.write_text("other\n1\n", encoding="utf-8")

    with pytest.raises(NameClashError) as caught:
        workspace.sources.add_file(other)

    message = str(caught.value)
    assert "'sales'" in message
    assert "already exists" in message
    assert str(sample_csv.resolve()) in message  # where the existing one came from
    assert rows(workspace, "SELECT count(*) FROM sales") == [(3,)]
    assert [s.location for s in workspace.sources.records()] == [str(sample_csv.resolve())]


def test_a_clash_ignores_case(workspace: Workspace, sample_csv: Path) -> None:
    workspace.sources.add_file(sample_csv)
    with pytest.raises(NameClashError):
        workspace.sources.add_file(sample_csv, name="SALES")


def test_a_clash_with_a_table_made_in_sql_is_refused(
    workspace: Workspace, sample_csv: Path
) -> None:
    workspace.engine.execute("CREATE TABLE sales AS SELECT 'mine' AS owner")
    with pytest.raises(NameClashError) as caught:
        workspace.sources.add_file(sample_csv)
    assert "'sales'" in str(caught.value)
    assert "table" in str(caught.value)
    assert rows(workspace, "SELECT owner FROM sales") == [("mine",)]
    assert workspace.sources.records() == []


def test_a_clash_with_a_view_is_refused(workspace: Workspace, sample_csv: Path) -> None:
    workspace.engine.execute("CREATE VIEW sales AS SELECT 1 AS x")
    with pytest.raises(NameClashError, match="view"):
        workspace.sources.add_file(sample_csv)


def test_a_clash_with_a_schema_is_refused(workspace: Workspace, sample_csv: Path) -> None:
    workspace.engine.execute("CREATE SCHEMA finance")
    workspace.engine.execute("CREATE TABLE finance.budget AS SELECT 100 AS amount")
    with pytest.raises(NameClashError) as caught:
        workspace.sources.add_file(sample_csv, name="finance")
    assert "schema" in str(caught.value)
    assert rows(workspace, "SELECT amount FROM finance.budget") == [(100,)]


@pytest.mark.parametrize("name", ["1st", "bad name", "drop;table", "main", "x" * 64])
def test_an_invalid_name_is_refused(workspace: Workspace, sample_csv: Path, name: str) -> None:
    with pytest.raises(SourceError) as caught:
        workspace.sources.add_file(sample_csv, name=name)
    assert not isinstance(caught.value, NameClashError)
    assert "cannot be a source name" in str(caught.value)
    assert "letters, digits and underscores" in str(caught.value)
    assert workspace.sources.records() == []


# ---------------------------------------------------------------------- files that fail
def test_a_missing_file_names_the_path(workspace: Workspace, files: Path) -> None:
    path = files / "nowhere.csv"
    with pytest.raises(SourceNotFoundError) as caught:
        workspace.sources.add_file(path)
    assert str(path) in str(caught.value)
    assert "does not exist" in str(caught.value)


def test_a_missing_file_is_reported_before_its_format(workspace: Workspace, files: Path) -> None:
    path = files / "nowhere.xlsx"
    with pytest.raises(SourceNotFoundError) as caught:
        workspace.sources.add_file(path)
    assert str(path) in str(caught.value)


def test_an_unsupported_suffix_lists_the_supported_ones(workspace: Workspace, files: Path) -> None:
    path = files / "slides.pptx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormatError) as caught:
        workspace.sources.add_file(path)
    message = str(caught.value)
    assert ".pptx" in message
    for suffix in (".csv", ".parquet", ".json", ".ndjson", ".xlsx", ".sqlite"):
        assert suffix in message


def test_a_file_of_binary_garbage_names_the_file_and_leaves_no_table(
    workspace: Workspace, files: Path
) -> None:
    path = files / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(SourceError) as caught:
        workspace.sources.add_file(path)
    assert str(path.resolve()) in str(caught.value)
    assert "CSV" in str(caught.value)
    assert "garbage" not in table_names(workspace)
    assert workspace.sources.records() == []


def test_a_bad_value_deep_in_a_csv_leaves_no_half_made_table(
    workspace: Workspace, files: Path
) -> None:
    # Past DuckDB's sniffing sample, so the failure comes while rows are being inserted.
    path = files / "late.csv"
    body = "".join(f"{i},{i * 2}\n" for i in range(60_000))
    path.write_text("id,amount\n" + body + "60000,not a number\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add_file(path)
    message = str(caught.value)
    assert str(path.resolve()) in message
    assert "not a number" in message
    assert "late" not in table_names(workspace)
    assert workspace.sources.records() == []
    # The workspace still works, and the name is free again.
    path.write_text("id,amount\n1,2\n", encoding="utf-8")
    workspace.sources.add_file(path)
    assert rows(workspace, "SELECT * FROM late") == [(1, 2)]


def test_a_truncated_json_file_is_an_error_naming_the_file(
    workspace: Workspace, files: Path
) -> None:
    path = files / "broken.json"
    path.write_text('[{"a": 1}, {"a": ', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add_file(path)
    assert str(path.resolve()) in str(caught.value)
    assert "broken" not in table_names(workspace)


# ---------------------------------------------------------------------- remove and catalog
def test_remove_drops_the_table_and_the_record(workspace: Workspace, sample_csv: Path) -> None:
    workspace.sources.add_file(sample_csv)
    workspace.sources.remove("sales")
    assert "sales" not in table_names(workspace)
    assert workspace.sources.records() == []
    # The name can be used again.
    workspace.sources.add_file(sample_csv)
    assert rows(workspace, "SELECT count(*) FROM sales") == [(3,)]


def test_removing_an_unknown_source_lists_the_known_ones(
    workspace: Workspace, sample_csv: Path
) -> None:
    workspace.sources.add_file(sample_csv)
    with pytest.raises(SourceNotFoundError) as caught:
        workspace.sources.remove("nope")
    assert "'nope'" in str(caught.value)
    assert "sales" in str(caught.value)


def test_the_catalog_gives_row_counts_and_typed_columns(
    workspace: Workspace, sample_csv: Path, files: Path
) -> None:
    workspace.sources.add_file(sample_csv)
    (files / "Big Numbers.csv").write_text("n\n1\n2\n3\n4\n5\n", encoding="utf-8")
    workspace.sources.add_file(files / "Big Numbers.csv")

    catalog = {s.name: s for s in workspace.sources.catalog()}

    assert set(catalog) == {"sales", "big_numbers"}
    (table,) = catalog["sales"].tables
    assert table.sql_name == "sales"
    assert table.row_count == 3
    assert [(c.name, c.type) for c in table.columns] == [
        ("region", "VARCHAR"),
        ("product", "VARCHAR"),
        ("amount", "DOUBLE"),
        ("sold_on", "DATE"),
    ]
    assert catalog["big_numbers"].tables[0].row_count == 5
    assert catalog["sales"].connector == "csv"

    assert catalog["sales"].mode == "imported"
    assert catalog["sales"].refreshed_at is not None


# ---------------------------------------------------------------------- events
def test_adding_and_removing_publish_sources_changed(
    workspace: Workspace, sample_csv: Path
) -> None:
    seen: list[SourcesChanged] = []
    workspace.hub.subscribe(SourcesChanged, seen.append)
    workspace.sources.add_file(sample_csv)
    workspace.sources.remove("sales")
    assert seen == [SourcesChanged(("sales",)), SourcesChanged(("sales",))]


def test_a_failed_add_publishes_nothing(workspace: Workspace, files: Path) -> None:
    seen: list[SourcesChanged] = []
    workspace.hub.subscribe(SourcesChanged, seen.append)
    with pytest.raises(SourceError):
        workspace.sources.add_file(files / "missing.csv")
    assert seen == []


# ---------------------------------------------------------------------- the registry
def test_the_registry_lists_the_built_in_connectors() -> None:
    assert {"csv", "parquet", "json"} <= set(registry.names())
    assert registry.get("csv").suffixes == (".csv", ".tsv", ".txt")
    assert registry.for_path(Path("x.jsonl")).name == "json"
    assert registry.for_path(Path("x.PARQUET")).name == "parquet"
    assert registry.for_path(Path("x.csv.gz")).name == "csv"


def test_listing_names_imports_no_connector() -> None:
    code = (
        "import sys\n"
        "from aiser_desktop.core.sources import registry\n"
        "names = registry.names()\n"
        "assert {'csv', 'parquet', 'json'} <= set(names), names\n"
        "assert 'aiser_desktop.core.sources.files' not in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_an_unknown_connector_lists_the_installed_ones() -> None:
    with pytest.raises(ConnectorNotFoundError) as caught:
        registry.get("nope")
    message = str(caught.value)
    assert "'nope'" in message
    for name in ("csv", "json", "parquet"):
        assert name in message


def test_reading_options_reach_the_reader_and_are_kept(workspace: Workspace, files: Path) -> None:
    path = files / "readings.csv"
    path.write_text("station,level\na,1.5\nb,NA\nc,2.5\n", encoding="utf-8")
    record = workspace.sources.add_file(path, options={"nullstr": ["NA", ""]})
    assert record.options == {"nullstr": ["NA", ""]}
    assert rows(
        workspace, "SELECT typeof(level), count(level), sum(level) FROM readings GROUP BY 1"
    ) == [("DOUBLE", 2, 4.0)]


def test_a_reading_option_must_be_a_plain_name(workspace: Workspace, sample_csv: Path) -> None:
    with pytest.raises(SourceError, match="not a reading option"):
        workspace.sources.add_file(sample_csv, options={"nullstr = 'x') --": "NA"})
    assert workspace.sources.records() == []


def test_a_connector_can_be_chosen_by_name(workspace: Workspace, files: Path) -> None:
    path = files / "data.log"
    path.write_text("level,count\ninfo,3\nerror,1\n", encoding="utf-8")
    workspace.sources.add_file(path, name="log_lines", connector="csv")
    assert rows(workspace, "SELECT sum(count) FROM log_lines") == [(4,)]
