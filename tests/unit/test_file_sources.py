"""File sources: CSV/TSV (dialects, encodings, compression), Parquet, JSON/NDJSON, Avro, Excel
and Arrow/Feather; folders and globs as one table; linked and imported modes.

Every file is written here with the library that writes such files in real life, and read back
through ``workspace.sources.add``.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest

from aiser_desktop.core.errors import SourceError
from aiser_desktop.core.sources import base, registry
from aiser_desktop.core.sources.base import Mode
from aiser_desktop.core.workspace import Workspace
from tests.samples.files import ROWS, write_arrow, write_avro

MODES = [Mode.IMPORTED, Mode.LINKED]


def rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    return ws.engine.execute(sql).rows(0, 10_000)


def kind_of(ws: Workspace, name: str) -> str:
    """'table' or 'view': what the source's name is in data.duckdb."""
    found = rows(
        ws,
        f"SELECT 'table' FROM duckdb_tables() WHERE table_name = '{name}' "
        f"UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = '{name}'",
    )
    return str(found[0][0])


def copy_to(path: Path, sql: str, options: str = "") -> Path:
    with duckdb.connect() as con:
        con.execute(f"COPY ({sql}) TO '{path}' {options}")
    return path


# ---------------------------------------------------------------------- CSV dialects
@pytest.mark.parametrize("mode", MODES)
def test_a_semicolon_csv_with_decimal_commas_is_sniffed(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    path = tmp_path / "prices.csv"
    path.write_text('item;price\n"apple";1\n"pear";2\n"fig";3\n', encoding="utf-8")
    workspace.sources.add(path, mode=mode)
    assert rows(workspace, "SELECT item, price FROM prices ORDER BY price") == [
        ("apple", 1),
        ("pear", 2),
        ("fig", 3),
    ]


def test_a_tsv_file(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "people.tsv"
    path.write_text("id\tname\n1\tAda Lovelace\n2\tAlan Turing\n", encoding="utf-8")
    record = workspace.sources.add(path)
    assert record.connector == "csv"
    assert rows(workspace, "SELECT name FROM people ORDER BY id") == [
        ("Ada Lovelace",),
        ("Alan Turing",),
    ]


def test_the_delimiter_and_header_can_be_given(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "raw.txt"
    path.write_text("1|north\n2|south\n", encoding="utf-8")
    record = workspace.sources.add(path, options={"delim": "|", "header": False})
    assert record.options == {"delim": "|", "header": False}
    assert rows(workspace, "SELECT column0, column1 FROM raw ORDER BY 1") == [
        (1, "north"),
        (2, "south"),
    ]


@pytest.mark.parametrize(("option", "nearest"), [("delimiter", "delim"), ("hedaer", "header")])
def test_an_unknown_option_names_the_nearest_ones(
    workspace: Workspace, sample_csv: Path, option: str, nearest: str
) -> None:
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(sample_csv, options={option: ";"})
    assert f"{option!r} is not a reading option of CSV files" in caught.value.message
    assert f"Did you mean {nearest}?" in caught.value.hint
    assert "columns" in caught.value.hint  # the whole list follows
    assert workspace.sources.records() == []


@pytest.mark.parametrize("mode", MODES)
def test_a_single_csv_is_sniffed_once_and_its_columns_kept(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("day,amount\n2024-01-02,1.5\n2024-01-03,2.5\n", encoding="utf-8")
    workspace.sources.add(path, mode=mode)
    [info] = workspace.sources.catalog()
    assert [(c.name, c.type) for c in info.tables[0].columns] == [
        ("day", "DATE"),
        ("amount", "DOUBLE"),
    ]
    if mode is Mode.LINKED:
        # The view carries the sniffed dialect and types: queries never sniff again.
        [(sql,)] = rows(workspace, "SELECT sql FROM duckdb_views() WHERE view_name = 'sales'")
        assert "amount := 'DOUBLE'" in sql


# ---------------------------------------------------------------------- encodings
@pytest.mark.parametrize(
    ("encoding", "option"),
    [
        ("utf-16", None),  # a byte order mark says so
        ("utf-16", "utf-16"),
        ("latin-1", "latin1"),  # any spelling Python knows
        ("latin-1", "ISO-8859-1"),
        ("cp1252", "cp1252"),  # not one of DuckDB's: decoded by Python
        ("cp1252", "windows-1252"),
        ("utf-16-be", "utf-16-be"),  # DuckDB's UTF-16 is little-endian only
    ],
)
def test_encodings(workspace: Workspace, tmp_path: Path, encoding: str, option: str | None) -> None:
    path = tmp_path / "cities.csv"
    text = "id,city\n1,Zürich\n2,Ærøskøbing\n"
    if encoding == "cp1252":
        text += "3,“Köln” €\n"
    path.write_bytes(text.encode(encoding))
    options = {"encoding": option} if option else {}
    workspace.sources.add(path, options=options)
    expected = [("Zürich",), ("Ærøskøbing",)]
    if encoding == "cp1252":
        expected.append(("“Köln” €",))
    assert rows(workspace, "SELECT city FROM cities ORDER BY id") == expected


def test_an_encoding_duckdb_cannot_read_is_imported_by_default(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "euro.csv"
    path.write_bytes("id,price\n1,5 €\n".encode("cp1252"))
    copies = Path(tempfile.gettempdir())
    before = set(copies.glob("aiser-transcode-*"))
    record = workspace.sources.add(path, options={"encoding": "cp1252"})
    assert record.mode == "imported"
    assert kind_of(workspace, "euro") == "table"
    assert set(copies.glob("aiser-transcode-*")) <= before  # the UTF-8 copy is gone


def test_an_unknown_encoding_is_refused_before_reading(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path, options={"encoding": "klingon-8"})
    assert "'klingon-8'" in caught.value.message
    assert "cp1252" in caught.value.hint
    assert workspace.sources.records() == []


def test_a_byte_the_encoding_lacks_names_its_line(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"id,name\n1,ok\n2,bad\x81\n")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path, options={"encoding": "cp1252"})
    assert "line 3" in caught.value.message
    assert "0x81" in caught.value.message
    assert str(path) in caught.value.message
    assert workspace.sources.records() == []


def test_utf16_without_a_byte_order_mark_is_recognised(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes("id,name\n1,a\n".encode("utf-16-le"))
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path)
    assert "UTF-16" in caught.value.message
    assert "encoding=utf-16-le" in caught.value.hint
    workspace.sources.add(path, options={"encoding": "utf-16-le"})
    assert rows(workspace, "SELECT * FROM wide") == [(1, "a")]


# ---------------------------------------------------------------------- compression
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.zst"])
def test_compressed_csv(workspace: Workspace, tmp_path: Path, suffix: str, mode: Mode) -> None:
    path = tmp_path / f"events{suffix}"
    compression = "gzip" if suffix.endswith(".gz") else "zstd"
    copy_to(
        path,
        "SELECT i AS id, 'e' || i AS label FROM range(5000) t(i)",
        f"(HEADER, COMPRESSION {compression})",
    )
    record = workspace.sources.add(path, mode=mode)
    assert (record.name, record.connector) == ("events", "csv")
    assert rows(workspace, "SELECT count(*), max(id), min(label) FROM events") == [
        (5000, 4999, "e0")
    ]


def test_a_gzipped_csv_in_a_legacy_encoding(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv.gz"
    with gzip.open(path, "wb") as out:
        out.write("id,name\n1,Café €\n".encode("cp1252"))
    workspace.sources.add(path, options={"encoding": "cp1252"})
    assert rows(workspace, "SELECT name FROM legacy") == [("Café €",)]


# ---------------------------------------------------------------------- folders and globs
@pytest.mark.parametrize("mode", MODES)
def test_a_glob_of_csv_files_is_one_table_matched_by_column_name(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    sales = tmp_path / "sales"
    sales.mkdir()
    (sales / "2023.csv").write_text("region,amount\nnorth,1\nsouth,2\n", encoding="utf-8")
    (sales / "2024.csv").write_text("amount,region,channel\n3,north,web\n", encoding="utf-8")
    (sales / "notes.md").write_text("not data", encoding="utf-8")
    workspace.sources.add(f"{sales}/*.csv", name="sales", mode=mode)
    assert rows(workspace, "SELECT region, amount, channel FROM sales ORDER BY amount") == [
        ("north", 1, None),
        ("south", 2, None),
        ("north", 3, "web"),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_folder_of_parquet_files_is_one_table(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    copy_to(folder / "a.parquet", "SELECT 1 AS id, 'x' AS kind", "(FORMAT parquet)")
    copy_to(folder / "b.parquet", "SELECT 2 AS id, 3.5 AS score", "(FORMAT parquet)")
    record = workspace.sources.add(folder, mode=mode)
    assert record.connector == "parquet"
    assert rows(workspace, "SELECT id, kind, score FROM events ORDER BY id") == [
        (1, "x", None),
        (2, None, 3.5),
    ]
    [info] = workspace.sources.catalog()
    assert info.tables[0].row_count == 2  # Parquet counts are cheap, linked too


def test_a_glob_of_json_and_ndjson(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps([{"level": "info", "n": 1}]), encoding="utf-8")
    (folder / "b.json").write_text('{"level": "warn", "n": 2}\n{"n": 3}\n', encoding="utf-8")
    workspace.sources.add(f"{folder}/*.json", name="logs")
    assert rows(workspace, "SELECT n, level FROM logs ORDER BY n") == [
        (1, "info"),
        (2, "warn"),
        (3, None),
    ]


# ---------------------------------------------------------------------- Avro
@pytest.mark.parametrize("mode", MODES)
def test_avro_files_and_a_glob_of_them(workspace: Workspace, tmp_path: Path, mode: Mode) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    write_avro(one)
    write_avro(two)
    record = workspace.sources.add(one / "people.avro", mode=mode)
    assert record.connector == "avro"
    assert rows(workspace, "SELECT id, name FROM people ORDER BY id") == ROWS
    workspace.sources.add(f"{tmp_path}/*/people.avro", name="pair", mode=mode)
    assert rows(workspace, "SELECT count(*), count(DISTINCT id) FROM pair") == [(6, 3)]


def test_a_file_that_is_not_avro(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "fake.avro"
    path.write_text("id,name\n1,a\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path)
    assert "not an Avro file" in caught.value.message
    assert str(path) in caught.value.message
    assert workspace.sources.records() == []


def test_a_text_file_named_parquet_is_not_called_truncated(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "notes.parquet"
    path.write_text("id,name\n1,a\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path)
    assert f"{str(path)!r} is not a Parquet file" in caught.value.message
    assert workspace.sources.records() == []


# ---------------------------------------------------------------------- Excel
def _workbook(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    people = book.active
    assert people is not None
    people.title = "people"
    people.append(["id", "name"])
    for row in ROWS:
        people.append(list(row))
    budget = book.create_sheet("Q1 budget")
    budget.append(["item", "eur"])
    budget.append(["rent", 1200.5])
    book.create_sheet("empty")
    chart_data = book.create_sheet("chart data")
    chart_data.append(["x"])
    chart_data.append([1])
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.add_data(Reference(chart_data, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("a chart").add_chart(chart)
    book.save(path)
    return path


@pytest.mark.parametrize("mode", MODES)
def test_every_sheet_with_cells_is_a_table(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    path = _workbook(tmp_path / "Finance 2024.xlsx")
    record = workspace.sources.add(path, mode=mode)
    assert record.connector == "excel"
    assert record.tables == ["people", "Q1 budget", "chart data"]  # no empty or chart sheet
    assert rows(workspace, "SELECT id, name FROM finance_2024.people ORDER BY id") == [
        (1.0, "a"),
        (2.0, "b"),
        (3.0, "c"),
    ]
    assert rows(workspace, 'SELECT item, eur FROM finance_2024."Q1 budget"') == [("rent", 1200.5)]
    [info] = workspace.sources.catalog()
    assert [t.sql_name for t in info.tables] == [
        "finance_2024.people",
        'finance_2024."Q1 budget"',
        'finance_2024."chart data"',
    ]


def test_excel_options_reach_read_xlsx(workspace: Workspace, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    workspace.sources.add(path, options={"all_varchar": True})
    assert rows(workspace, "SELECT typeof(id) FROM book.people LIMIT 1") == [("VARCHAR",)]


def test_a_workbook_too_large_unpacked_is_refused(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiser_desktop.core.sources import excel

    # The limit is 4 GB; lowered here so that a small workbook crosses it.
    monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 10_000)
    path = _workbook(tmp_path / "book.xlsx")
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path)
    assert "would unpack to" in caught.value.message
    assert str(path) in caught.value.message
    assert workspace.sources.records() == []


def test_several_workbooks_at_once_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    _workbook(tmp_path / "a.xlsx")
    _workbook(tmp_path / "b.xlsx")
    with pytest.raises(SourceError, match="one at a time"):
        workspace.sources.add(f"{tmp_path}/*.xlsx", name="books")


def test_a_workbook_without_cells_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path)
    assert "no sheet with any cells" in caught.value.message
    assert workspace.sources.records() == []


# ---------------------------------------------------------------------- Arrow / Feather
def _people(tmp_path: Path, version: int = 2, name: str = "people.feather") -> Path:
    import warnings

    import pyarrow as pa
    import pyarrow.feather as feather

    table = pa.table(
        {"id": pa.array([i for i, _ in ROWS], pa.int64()), "name": [n for _, n in ROWS]}
    )
    path = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Feather v1, written on purpose
        feather.write_feather(table, str(path), version=version)
    return path


@pytest.mark.parametrize("version", [1, 2])
def test_feather_files(workspace: Workspace, tmp_path: Path, version: int) -> None:
    record = workspace.sources.add(_people(tmp_path, version))
    assert (record.connector, record.mode) == ("arrow", "imported")
    assert rows(workspace, "SELECT id, name FROM people ORDER BY id") == ROWS


def test_an_arrow_ipc_stream(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa

    table = pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]})
    path = tmp_path / "people.arrows"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=1)
    workspace.sources.add(path)
    assert rows(workspace, "SELECT id, name FROM people ORDER BY id") == ROWS


def test_a_folder_of_arrow_files_is_one_table(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    write_arrow(folder)
    _people(folder, name="more.arrow")
    workspace.sources.add(folder)
    assert rows(workspace, "SELECT count(*), sum(id) FROM parts") == [(6, 12)]


def test_arrow_files_with_other_columns_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.feather as feather

    folder = tmp_path / "parts"
    folder.mkdir()
    write_arrow(folder)
    feather.write_feather(pa.table({"other": [1]}), str(folder / "z.arrow"))
    with pytest.raises(SourceError, match="other columns"):
        workspace.sources.add(folder)
    assert workspace.sources.records() == []


def test_an_arrow_file_cannot_be_linked(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot be linked"):
        workspace.sources.add(write_arrow(tmp_path), mode="linked")
    assert workspace.sources.records() == []


def test_a_truncated_arrow_file_leaves_nothing(workspace: Workspace, tmp_path: Path) -> None:
    path = Path(write_arrow(tmp_path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        workspace.sources.add(path)
    assert str(path) in caught.value.message
    assert caught.value.hint
    assert workspace.sources.records() == []
    assert rows(workspace, "SELECT count(*) FROM duckdb_tables()") == [(0,)]


# ---------------------------------------------------------------------- linked and imported
def test_a_linked_csv_is_a_view_that_sees_the_file_change(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "live.csv"
    path.write_text("id,name\n1,a\n", encoding="utf-8")
    record = workspace.sources.add(path, mode="linked")
    assert record.mode == "linked"
    assert kind_of(workspace, "live") == "view"
    with path.open("a", encoding="utf-8") as out:
        out.write("2,b\n")
    assert rows(workspace, "SELECT count(*) FROM live") == [(2,)]


@pytest.mark.parametrize("maker", ["csv", "parquet", "json", "avro", "excel"])
def test_switching_modes_keeps_the_rows(workspace: Workspace, tmp_path: Path, maker: str) -> None:
    from tests.samples.files import SAMPLES

    location = SAMPLES[maker](tmp_path)
    record = workspace.sources.add(location, name="src", mode="imported")
    table = "src.people" if record.tables != [""] else "src"
    workspace.sources.set_mode("src", "linked")
    assert workspace.sources.records()[0].mode == "linked"
    assert [int(r[0]) for r in rows(workspace, f"SELECT id FROM {table} ORDER BY id")] == [1, 2, 3]
    workspace.sources.set_mode("src", "imported")
    assert [int(r[0]) for r in rows(workspace, f"SELECT id FROM {table} ORDER BY id")] == [1, 2, 3]


def test_a_large_file_is_linked_by_default(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The threshold is 100 MB; lowered here so the test file can stay small.
    monkeypatch.setattr(base, "LINK_THRESHOLD_BYTES", 1000)
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    big.write_text("n\n" + "".join(f"{i}\n" for i in range(1000)), encoding="utf-8")
    small.write_text("n\n1\n", encoding="utf-8")
    assert workspace.sources.add(big).mode == "linked"
    assert workspace.sources.add(small).mode == "imported"


def test_the_file_connectors_are_registered() -> None:
    for name, suffix in [
        ("csv", "x.tsv"),
        ("parquet", "x.parquet"),
        ("json", "x.ndjson"),
        ("avro", "x.avro"),
        ("excel", "x.xlsx"),
        ("arrow", "x.feather"),
    ]:
        assert registry.for_location(suffix).name == name
        assert registry.get(name).name == name
