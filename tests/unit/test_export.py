"""Writing a result to CSV, Parquet and JSON files that read back the same."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.engine import Engine, ResultHandle
from aiser_desktop.core.errors import AiserError

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
