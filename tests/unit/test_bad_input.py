"""The bad-input corpus (tests/data/bad/, README there): each file gives a message that names the
file (and the line, where there is one) and says what to do, and leaves nothing behind: no
table, view or schema in data.duckdb and no source record.

Large inputs (a 10 MB single line, a zip bomb, a bad value past DuckDB's sniffing sample) are
made here into a temp folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.core.errors import SourceError
from aiser_desktop.core.sources.base import Mode
from aiser_desktop.core.workspace import Workspace
from tests.samples.files import write_excel

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
MODES = [Mode.IMPORTED, Mode.LINKED]
SNIFFED_ROWS = 30_000  # past DuckDB's 20,480-row sniffing sample


def objects(ws: Workspace) -> set[tuple[str, ...]]:
    """Every table, view and schema of the workspace's database."""
    found = ws.engine.execute(
        "SELECT 'table', schema_name, table_name FROM duckdb_tables() "
        "UNION ALL SELECT 'view', schema_name, view_name FROM duckdb_views() WHERE NOT internal "
        "UNION ALL SELECT 'schema', schema_name, '' FROM duckdb_schemas() WHERE NOT internal"
    ).rows()
    return {tuple(str(v) for v in row) for row in found}


def refused(ws: Workspace, location: Path, mode: Mode | None = None, **kw: Any) -> SourceError:
    """Adds ``location``, expects a SourceError with a hint, checks that nothing was left."""
    before = objects(ws)
    with pytest.raises(SourceError) as caught:
        ws.sources.add(location, name="src", mode=mode, **kw)
    assert objects(ws) == before
    assert ws.sources.records() == []
    error = caught.value
    assert error.hint, f"no hint in: {error}"
    assert str(location.resolve()) in error.message
    return error


def columns(ws: Workspace) -> list[tuple[str, str]]:
    [info] = ws.sources.catalog()
    return [(c.name, c.type) for c in info.tables[0].columns]


def test_the_corpus_is_complete() -> None:
    names = {p.name for p in BAD.iterdir()}
    assert {
        "empty.csv",
        "header_only.csv",
        "ragged_rows.csv",
        "mixed_types.csv",
        "invalid_utf8.csv",
        "binary_junk.csv",
        "truncated.parquet",
        "truncated.json",
        "really_text.xlsx",
    } <= names


# ---------------------------------------------------------------------- empty and header only
@pytest.mark.parametrize("mode", MODES)
def test_an_empty_file_is_refused(workspace: Workspace, mode: Mode) -> None:
    error = refused(workspace, BAD / "empty.csv", mode)
    assert "empty" in error.message


@pytest.mark.parametrize("mode", MODES)
def test_a_header_only_csv_is_an_empty_table_with_its_columns(
    workspace: Workspace, mode: Mode
) -> None:
    workspace.sources.add(BAD / "header_only.csv", name="src", mode=mode)
    assert columns(workspace) == [("id", "VARCHAR"), ("name", "VARCHAR"), ("amount", "VARCHAR")]
    assert workspace.engine.execute("SELECT count(*) FROM src").rows() == [(0,)]


# ---------------------------------------------------------------------- ragged rows
@pytest.mark.parametrize("mode", MODES)
def test_ragged_rows_are_read_with_nulls_for_the_missing_values(
    workspace: Workspace, mode: Mode
) -> None:
    workspace.sources.add(BAD / "ragged_rows.csv", name="src", mode=mode)
    assert [name for name, _ in columns(workspace)] == ["region", "product", "amount"]
    rows = workspace.engine.execute("SELECT * FROM src ORDER BY amount NULLS LAST").rows()
    assert len(rows) == 12
    assert ("r5", "p5", None) in rows
    assert ("r9", None, None) in rows
    assert rows[0] == ("r1", "p1", 1)


def test_a_short_row_past_the_sniffed_rows_names_its_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "late_short.csv"
    body = "".join(f"{i},{i},{i}\n" for i in range(SNIFFED_ROWS))
    path.write_text("a,b,c\n" + body + "7,7\n", encoding="utf-8")
    error = refused(workspace, path)
    assert f"line {SNIFFED_ROWS + 2}" in error.message
    assert "2 values where the header has 3" in error.message
    assert "null_padding=true" in error.hint
    # What the hint says works.
    workspace.sources.add(path, name="src", options={"null_padding": True})
    assert workspace.engine.execute("SELECT count(*), count(c) FROM src").rows() == [
        (SNIFFED_ROWS + 1, SNIFFED_ROWS)
    ]


# ---------------------------------------------------------------------- mixed types
@pytest.mark.parametrize("mode", MODES)
def test_mixed_types_within_the_sniffed_rows_read_the_column_as_text(
    workspace: Workspace, mode: Mode
) -> None:
    workspace.sources.add(BAD / "mixed_types.csv", name="src", mode=mode)
    assert columns(workspace) == [("id", "BIGINT"), ("amount", "VARCHAR")]
    assert workspace.engine.execute("SELECT amount FROM src ORDER BY id").rows() == [
        ("10",),
        ("12.5",),
        ("n/a",),
        ("40",),
    ]


def test_a_bad_value_past_the_sniffed_rows_names_its_line_value_and_column(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "late_value.csv"
    body = "".join(f"{i},{i * 2}\n" for i in range(SNIFFED_ROWS))
    path.write_text("id,amount\n" + body + f"{SNIFFED_ROWS},oops\n", encoding="utf-8")
    error = refused(workspace, path)
    assert f"line {SNIFFED_ROWS + 2}" in error.message
    assert "'oops'" in error.message
    assert "'amount'" in error.message
    assert "BIGINT" in error.message
    assert "sample_size=-1" in error.hint
    # Both ways out the hint gives work.
    workspace.sources.add(path, name="whole", options={"sample_size": -1})
    workspace.sources.add(path, name="typed", options={"types": {"amount": "VARCHAR"}})
    for name in ("whole", "typed"):
        assert workspace.engine.execute(
            f"SELECT typeof(amount), max(id) FROM {name} WHERE amount = 'oops' GROUP BY 1"
        ).rows() == [("VARCHAR", SNIFFED_ROWS)]


# ---------------------------------------------------------------------- encodings and junk
@pytest.mark.parametrize("mode", MODES)
def test_invalid_utf8_names_the_line_and_asks_for_an_encoding(
    workspace: Workspace, mode: Mode
) -> None:
    error = refused(workspace, BAD / "invalid_utf8.csv", mode)
    assert "line 3" in error.message.lower()
    assert "UTF-8" in error.message
    assert "encoding=" in error.hint
    workspace.sources.add(BAD / "invalid_utf8.csv", name="src", options={"encoding": "latin-1"})
    assert workspace.engine.execute("SELECT city FROM src WHERE id = 2").rows() == [("Zürich",)]


@pytest.mark.parametrize("mode", MODES)
def test_a_10_mb_single_line_names_the_line_and_the_limit(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    path = tmp_path / "one_line.csv"
    path.write_bytes(b"x" * (10 * 1024 * 1024))
    error = refused(workspace, path, mode)
    assert "line 1" in error.message.lower()
    assert "10,485,760 bytes" in error.message
    assert "max_line_size=" in error.hint


@pytest.mark.parametrize("mode", MODES)
def test_binary_junk_named_csv_is_called_binary(workspace: Workspace, mode: Mode) -> None:
    error = refused(workspace, BAD / "binary_junk.csv", mode)
    assert "binary" in error.message


# ---------------------------------------------------------------------- damaged files
@pytest.mark.parametrize("mode", MODES)
def test_a_truncated_parquet_file_is_called_incomplete(workspace: Workspace, mode: Mode) -> None:
    error = refused(workspace, BAD / "truncated.parquet", mode)
    assert "not a complete Parquet file" in error.message
    assert "again" in error.hint


@pytest.mark.parametrize("mode", MODES)
def test_a_truncated_json_file_names_the_record(workspace: Workspace, mode: Mode) -> None:
    error = refused(workspace, BAD / "truncated.json", mode)
    assert "record 4" in error.message.lower()


@pytest.mark.parametrize("mode", MODES)
def test_an_xlsx_that_is_really_text_says_so(workspace: Workspace, mode: Mode) -> None:
    error = refused(workspace, BAD / "really_text.xlsx", mode)
    assert "text file, not an Excel workbook" in error.message
    assert "--connector csv" in error.hint
    # What the hint says works.
    workspace.sources.add(BAD / "really_text.xlsx", name="src", connector="csv")
    assert workspace.engine.execute("SELECT count(*) FROM src").rows() == [(2,)]


def _zip_bomb(tmp_path: Path) -> Path:
    """A real workbook whose first sheet's XML is padded to 100 MB of blanks (0.1 MB packed)."""
    sample = Path(write_excel(tmp_path))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(sample) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, source.read(item.filename))
                continue
            with out.open(item.filename, "w", force_zip64=True) as member:
                member.write(source.read(item.filename))
                blanks = b" " * (1 << 20)
                for _ in range(100):
                    member.write(blanks)
    return bomb


@pytest.mark.parametrize("mode", MODES)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    workspace: Workspace, tmp_path: Path, mode: Mode
) -> None:
    bomb = _zip_bomb(tmp_path)
    assert bomb.stat().st_size < 1024 * 1024
    error = refused(workspace, bomb, mode)
    assert "zip bomb" in error.message
    assert "xl/worksheets/sheet1.xml" in error.message
    assert "not opened" in error.hint
