"""Writing a whole result to CSV, Parquet, JSON and Excel files that read back the same; in the
background with progress and cancel, never leaving half a file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.engine import Engine, ResultHandle, export, result
from aiser_desktop.core.errors import AiserError, QueryCancelledError

QUERY = (
    "SELECT i AS id, 'name ' || i AS name, i * 1.5 AS amount, DATE '2024-01-01' + i::INT AS day "
    "FROM range(100) t(i) ORDER BY i"
)


@pytest.fixture
def handle(engine: Engine) -> ResultHandle:
    return engine.execute(QUERY)


def read_back(path: Path, reader: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    quoted = str(path).replace("'", "''")
    try:
        return con.execute(
            f"SELECT id, name, amount, day::DATE FROM {reader}('{quoted}') ORDER BY id"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("suffix", "reader"),
    [
        (".csv", "read_csv"),
        (".parquet", "read_parquet"),
        (".json", "read_json"),
        (".ndjson", "read_json"),
        (".tsv", "read_csv"),
    ],
)
def test_a_result_round_trips_through_a_file(
    handle: ResultHandle, tmp_path: Path, suffix: str, reader: str
) -> None:
    path = tmp_path / "out" / f"result{suffix}"
    assert handle.write(path) == path
    assert read_back(path, reader) == handle.rows(0, handle.row_count)


def test_json_is_one_array(handle: ResultHandle, tmp_path: Path) -> None:
    path = handle.write(tmp_path / "result.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    assert len(data) == 100
    assert data[2] == {"id": 2, "name": "name 2", "amount": 3.0, "day": "2024-01-03"}


def test_csv_has_a_header(handle: ResultHandle, tmp_path: Path) -> None:
    path = handle.write(tmp_path / "result.csv")
    assert path.read_text(encoding="utf-8").splitlines()[0] == "id,name,amount,day"


def test_the_format_can_be_given_whatever_the_suffix(handle: ResultHandle, tmp_path: Path) -> None:
    path = handle.write(tmp_path / "result.data", fmt="parquet")
    assert read_back(path, "read_parquet") == handle.rows(0, 100)


def test_an_unknown_suffix_is_a_clear_error(handle: ResultHandle, tmp_path: Path) -> None:
    path = tmp_path / "result.xls"
    with pytest.raises(AiserError) as caught:
        handle.write(path)
    message = str(caught.value)
    assert str(path) in message
    for suffix in (".csv", ".parquet", ".json"):
        assert suffix in message
    assert not path.exists()


def test_a_path_with_a_quote_is_written(handle: ResultHandle, tmp_path: Path) -> None:
    path = tmp_path / "O'Brien's result.csv"
    handle.write(path)
    assert read_back(path, "read_csv") == handle.rows(0, 100)


# ---------------------------------------------------------------------- whole results, Excel
def test_excel_round_trips(engine: Engine, handle: ResultHandle, tmp_path: Path) -> None:
    path = handle.write(tmp_path / "result.xlsx")
    engine.load_extension("excel")
    quoted = str(path).replace("'", "''")
    back = engine.execute(
        f"SELECT id::BIGINT, name, amount, day::DATE FROM read_xlsx('{quoted}') ORDER BY id"
    )
    assert back.rows(0, 100) == handle.rows(0, 100)


def test_too_many_rows_for_excel_is_refused_before_any_work(
    engine: Engine, handle: ResultHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 99)
    path = tmp_path / "big.xlsx"
    with pytest.raises(AiserError) as caught:
        export.export_result(engine, handle, path)
    assert "100 rows" in str(caught.value) and "CSV or Parquet" in str(caught.value)
    assert not path.exists()


@pytest.fixture
def spilled(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> ResultHandle:
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)
    big = engine.execute("SELECT i, md5(i::VARCHAR) AS h FROM range(300000) t(i)")
    assert big.spilled
    return big


@pytest.mark.parametrize(
    ("suffix", "reader"),
    [(".csv", "read_csv"), (".parquet", "read_parquet"), (".json", "read_json")],
)
def test_an_export_writes_every_row_of_a_spilled_result_with_progress(
    engine: Engine, spilled: ResultHandle, tmp_path: Path, suffix: str, reader: str
) -> None:
    path = tmp_path / f"all{suffix}"
    job = export.export_result(engine, spilled, path)
    done = job.result(timeout=60)
    assert (done.path, done.rows) == (path, 300_000)
    assert job.progress == 100.0
    quoted = str(path).replace("'", "''")
    count, total = duckdb.sql(f"SELECT count(*), sum(i) FROM {reader}('{quoted}')").fetchone()
    assert (count, total) == (300_000, sum(range(300_000)))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_cancelled_export_leaves_the_old_file_and_nothing_else(
    engine: Engine, spilled: ResultHandle, tmp_path: Path, wait_until: Callable[..., None]
) -> None:
    path = tmp_path / "out.csv"
    path.write_text("the previous export\n", encoding="utf-8")
    slow = engine.execute(
        "SELECT i, md5(i::VARCHAR) AS a, md5(a) AS b, md5(b) AS c FROM range(3000000) t(i)"
    )
    job = export.export_result(engine, slow, path)
    wait_until(lambda: (job.progress or 0) > 0, timeout=30)
    job.cancel()
    with pytest.raises(QueryCancelledError):
        job.result()
    wait_until(lambda: len(list(tmp_path.iterdir())) == 1, timeout=30)
    assert path.read_text(encoding="utf-8") == "the previous export\n"
    assert engine.execute("SELECT 1").rows() == [(1,)]


def test_an_export_into_a_file_path_is_a_clear_error(
    engine: Engine, handle: ResultHandle, tmp_path: Path
) -> None:
    blocker = tmp_path / "plain file"
    blocker.write_text("x")
    with pytest.raises(AiserError) as caught:
        export.export_result(engine, handle, blocker / "out.csv")
    assert str(blocker) in str(caught.value) and caught.value.hint
    with pytest.raises(AiserError, match="is a folder"):
        export.export_result(engine, handle, tmp_path, "csv")


def test_columns_that_share_a_name_are_exported_as_duckdb_names_them(
    engine: Engine, tmp_path: Path
) -> None:
    handle = engine.execute("SELECT t.x, u.x FROM range(2) t(x), (VALUES (10)) u(x)")
    path = handle.write(tmp_path / "joined.json")
    assert json.loads(path.read_text(encoding="utf-8")) == [
        {"x": 0, "x_1": 10},
        {"x": 1, "x_1": 10},
    ]
