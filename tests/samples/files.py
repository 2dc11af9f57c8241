"""Sample sources for the file connectors (the connector contract suite, and the file tests).

Each maker writes a small file holding the rows (1, 'a'), (2, 'b'), (3, 'c') in columns ``id``
(integer) and ``name`` (text) into the given folder, with the library that writes such files
in real life (DuckDB's COPY, fastavro, openpyxl, pyarrow), and returns its path as a string.
The Excel sample holds them in a sheet named ``people``, beside a second sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROWS = [(1, "a"), (2, "b"), (3, "c")]


def write_csv(folder: Path) -> str:
    path = folder / "people.csv"
    path.write_text("id,name\n" + "".join(f"{i},{n}\n" for i, n in ROWS), encoding="utf-8")
    return str(path)


def write_parquet(folder: Path) -> str:
    import duckdb

    path = folder / "people.parquet"
    values = ", ".join(f"({i}, '{n}')" for i, n in ROWS)
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM (VALUES {values}) t(id, name)) TO '{path}' (FORMAT parquet)"
        )
    return str(path)


def write_json(folder: Path) -> str:
    import json

    path = folder / "people.json"
    path.write_text(json.dumps([{"id": i, "name": n} for i, n in ROWS]), encoding="utf-8")
    return str(path)


def write_avro(folder: Path) -> str:
    import fastavro

    path = folder / "people.avro"
    schema = fastavro.parse_schema(
        {
            "type": "record",
            "name": "Person",
            "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}],
        }
    )
    with path.open("wb") as out:
        fastavro.writer(out, schema, [{"id": i, "name": n} for i, n in ROWS])
    return str(path)


def write_excel(folder: Path) -> str:
    import openpyxl

    path = folder / "people.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "people"
    sheet.append(["id", "name"])
    for row in ROWS:
        sheet.append(list(row))
    notes = book.create_sheet("notes")
    notes.append(["note"])
    notes.append(["made by tests/samples/files.py"])
    book.save(path)
    return str(path)


def write_arrow(folder: Path) -> str:
    import pyarrow as pa
    import pyarrow.feather as feather

    path = folder / "people.arrow"
    table = pa.table(
        {
            "id": pa.array([i for i, _ in ROWS], pa.int64()),
            "name": pa.array([n for _, n in ROWS], pa.string()),
        }
    )
    feather.write_feather(table, str(path))  # Feather v2: the Arrow IPC file format
    return str(path)


SAMPLES: dict[str, Callable[[Path], str]] = {
    "csv": write_csv,
    "parquet": write_parquet,
    "json": write_json,
    "avro": write_avro,
    "excel": write_excel,
    "arrow": write_arrow,
}
