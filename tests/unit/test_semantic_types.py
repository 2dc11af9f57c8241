"""Semantic types from names, types and a small sample of values, on real DuckDB tables."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.sources.semantic_types import infer_from_name, infer_semantic_types
from aiser_desktop.core.workspace import Workspace


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    try:
        yield connection
    finally:
        connection.close()


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {name}").fetchall()]


def _infer(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    return infer_semantic_types(con, name, _columns(con, name))


@pytest.mark.parametrize(
    ("name", "dtype", "expected"),
    [
        ("order_date", "DATE", "date"),
        ("created", "TIMESTAMP WITH TIME ZONE", "date"),
        ("sold_on", "VARCHAR", "date"),
        ("unit_price", "DOUBLE", "currency"),
        ("paid", "DECIMAL(10,2)", "currency"),
        ("paid", "BOOLEAN", ""),
        ("valid", "BOOLEAN", ""),
        ("amount", "DOUBLE", "currency"),
        ("amount", "BIGINT", ""),  # "amount" of what? A count, as often as money
        ("balance", "DECIMAL(18,2)", "currency"),
        ("tax_rate", "DECIMAL(5,2)", ""),
        ("CustomerID", "BIGINT", "id"),
        ("customerid", "INTEGER", "id"),
        ("order_id", "VARCHAR", "id"),
        ("token", "UUID", "id"),
        ("user_email", "VARCHAR", "email"),
        ("country", "VARCHAR", "geo"),
        ("zip", "INTEGER", "geo"),
        ("state", "VARCHAR", "geo"),
        ("order_state", "VARCHAR", ""),
        ("latitude", "DOUBLE", "geo"),
        ("lng", "DOUBLE", "geo"),
        ("status", "VARCHAR", "category"),
        ("mood", "ENUM('sad', 'ok', 'happy')", "category"),
        ("quantity", "INTEGER", ""),
        ("notes", "VARCHAR", ""),
    ],
)
def test_names_and_types_alone(name: str, dtype: str, expected: str) -> None:
    assert infer_from_name(name, dtype) == expected


def test_values_settle_what_names_cannot(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE t AS SELECT
            'person' || i || '@example.org' AS contact,
            strftime(DATE '2024-01-01' + CAST(i AS INTEGER), '%d/%m/%Y') AS happened,
            ['January', 'February', 'March'][i % 3 + 1] AS month,
            '$' || (i * 3) || '.50' AS charged,
            (i * 7) || ',00 €' AS charged_eu,
            uuid()::VARCHAR AS ref,
            i AS order_no,
            i % 4 AS bin_no,
            ['retail', 'online', 'partner'][i % 3 + 1] AS segment,
            'free text number ' || i AS remark,
            (i % 90) - 45 + 0.5 AS lat,
            i * 10.0 AS latitude,
            i / 7.0 AS total,
            i + 0.25 AS subtotal,
            CAST(i AS DECIMAL(12, 2)) AS worth,
            (i % 50 + 40) || '/' || (i % 50 + 40) || '/2024' AS batch,
            INTERVAL (i) DAY AS waited
        FROM range(1, 201) r(i)
        """
    )
    assert _infer(con, "t") == {
        "contact": "email",  # no name hint: the values are addresses
        "happened": "date",  # text that parses as dates
        "month": "category",  # a date word, but the values are not dates
        "charged": "currency",  # "$3.50" kept as text
        "charged_eu": "currency",
        "ref": "id",  # uuid-like text
        "order_no": "id",  # "no" and unique
        "segment": "category",
        "lat": "geo",  # in range
        "subtotal": "currency",  # a money word and at most two decimals
        "worth": "currency",  # DECIMAL(12,2)
    }  # bin_no repeats, remark is free text, latitude is out of range, total has 1/7ths,
    # batch looks like dates but is none (40/40/2024), an interval is no date


def test_a_column_of_nulls_or_an_empty_table_falls_back_to_names(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute(
        "CREATE TABLE empty (email VARCHAR, price DOUBLE, customer_id BIGINT, notes VARCHAR)"
    )
    assert _infer(con, "empty") == {"email": "email", "price": "currency", "customer_id": "id"}
    con.execute("CREATE TABLE nulls AS SELECT NULL::VARCHAR AS contact, 1 AS x FROM range(50)")
    assert _infer(con, "nulls") == {}


def test_a_linked_csv_is_judged_by_name_only(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = "\n".join(f"{i},person{i}@example.org,{i}.5" for i in range(100))
    (tmp_path / "people.csv").write_text("n,contact,user_email\n" + rows + "\n", encoding="utf-8")
    con.execute(f"CREATE VIEW linked_csv AS SELECT * FROM read_csv('{tmp_path / 'people.csv'}')")
    con.execute(f"COPY (SELECT * FROM linked_csv) TO '{tmp_path / 'people.parquet'}'")
    con.execute(
        f"CREATE VIEW linked_parquet AS SELECT * FROM read_parquet('{tmp_path / 'people.parquet'}')"
    )

    columns = _columns(con, "linked_csv")
    # The CSV view is never read for this: "contact" stays unknown (names still count, and
    # "user_email" holds numbers, which no name makes an e-mail address).
    assert infer_semantic_types(con, "linked_csv", columns) == {}
    # A Parquet view is cheap to read from its start: the values are seen.
    assert _infer(con, "linked_parquet") == {"contact": "email"}
    (tmp_path / "people.csv").unlink()
    # Proof that nothing of the CSV is read: reading the view would fail now.
    assert infer_semantic_types(con, "linked_csv", columns) == {}


def test_an_attached_database_is_not_sampled(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    con.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
    con.execute(
        "CREATE TABLE other.people AS SELECT 'p' || i || '@x.org' AS contact FROM range(50) r(i)"
    )
    assert _infer(con, "other.people") == {}


def test_quoted_schema_and_table_names(con: duckdb.DuckDBPyConnection) -> None:
    con.execute('CREATE SCHEMA "odd.schema"')
    con.execute(
        'CREATE TABLE "odd.schema"."a ""b""" AS '
        "SELECT 'p' || i || '@x.org' AS contact FROM range(30) r(i)"
    )
    assert _infer(con, '"odd.schema"."a ""b"""') == {"contact": "email"}


def test_a_million_rows_are_typed_fast(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE big AS SELECT
            i AS order_id,
            ['a', 'b', 'c', 'd'][i % 4 + 1] AS channel,
            'user' || i || '@example.com' AS contact,
            CAST(i % 1000 AS DECIMAL(10, 2)) AS price,
            strftime(DATE '2020-01-01' + CAST(i % 1000 AS INTEGER), '%Y-%m-%d') AS sold,
            CAST(i % 180 - 90 AS DOUBLE) AS lat,
            'free text ' || i AS remark,
            i % 97 AS qty
        FROM range(1000000) r(i)
        """
    )
    columns = _columns(con, "big")
    started = time.perf_counter()
    found = infer_semantic_types(con, "big", columns)
    elapsed = time.perf_counter() - started

    print(f"semantic types of 1M rows x {len(columns)} columns: {elapsed * 1000:.0f} ms")
    assert found == {
        "order_id": "id",
        "channel": "category",
        "contact": "email",
        "price": "currency",
        "sold": "date",
        "lat": "geo",
    }
    assert elapsed < 1.0  # measured about 0.1 s on 2 shared cores


def test_the_catalog_carries_the_semantic_types(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    lines = [
        f"{i},{['north', 'south'][i % 2]},{i * 1.25:.2f},2024-01-{i % 28 + 1:02d},c{i}@shop.test"
        for i in range(60)
    ]
    path.write_text("order_id,region,amount,sold_on,buyer\n" + "\n".join(lines) + "\n")
    workspace.sources.add(path, mode="imported")

    [info] = workspace.sources.catalog()
    assert {c.name: c.semantic for c in info.tables[0].columns} == {
        "order_id": "id",
        "region": "geo",
        "amount": "currency",
        "sold_on": "date",
        "buyer": "email",
    }
