"""Sample sources for the lake connectors (the connector contract suite, and the lake tests).

Each maker writes a small table holding the rows (1, 'a'), (2, 'b'), (3, 'c') in columns ``id``
(integer) and ``name`` (text) into the given folder, with the library that writes such tables
in real life (deltalake, pyiceberg), and returns the location to add.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROWS = [(1, "a"), (2, "b"), (3, "c")]


def rows_table(rows: Sequence[tuple[int, str]] = ROWS) -> Any:
    """``rows`` as an Arrow table with columns id (int64) and name (string)."""
    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([r[0] for r in rows], pa.int64()),
            "name": pa.array([r[1] for r in rows], pa.string()),
        }
    )


def write_delta(folder: Path, rows: Sequence[tuple[int, str]] = ROWS, mode: str = "error") -> Path:
    """Writes (or with ``mode="append"`` adds a version to) the Delta table ``folder/people``."""
    import deltalake

    target = folder / "people"
    deltalake.write_deltalake(str(target), rows_table(rows), mode=mode)
    return target


def iceberg_catalog(folder: Path) -> Any:
    """pyiceberg's SqlCatalog on a SQLite file in ``folder``, warehouse ``folder/warehouse``."""
    from pyiceberg.catalog.sql import SqlCatalog

    warehouse = folder / "warehouse"
    warehouse.mkdir(parents=True, exist_ok=True)
    return SqlCatalog(
        "samples", uri=f"sqlite:///{folder / 'catalog.db'}", warehouse=warehouse.as_uri()
    )


def write_iceberg(folder: Path, rows: Sequence[tuple[int, str]] = ROWS) -> tuple[Any, Path]:
    """Creates the Iceberg table ``shop.people`` through a SqlCatalog in ``folder`` and writes
    ``rows``; returns the pyiceberg table and the table's folder."""
    catalog = iceberg_catalog(folder)
    catalog.create_namespace_if_not_exists("shop")
    data = rows_table(rows)
    table = catalog.create_table("shop.people", schema=data.schema)
    table.append(data)
    location = str(table.location())
    return table, Path(location.removeprefix("file://"))


def delta_sample(folder: Path) -> str:
    return str(write_delta(folder))


def iceberg_sample(folder: Path) -> str:
    return str(write_iceberg(folder)[1])


SAMPLES: dict[str, Callable[[Path], str]] = {"delta": delta_sample, "iceberg": iceberg_sample}
