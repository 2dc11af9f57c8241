"""A query's result: Arrow behind a handle, fetched by page (STYLE.md point 5).

The handle owns an Arrow table (columnar memory, not Python objects). ``page()`` slices it
without copying, so a grid or the CLI turns only the rows it shows into Python values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa


@dataclass(frozen=True)
class ResultHandle:
    """The result of one statement.

    Attributes:
        query_id: The id the engine gave the query (it appears in events and history).
        sql: The SQL text that produced the result.
        table: The rows, as Arrow.
        seconds: Wall time from submission to the last row fetched.
        truncated: True when the engine stopped at its row limit and more rows existed.
    """

    query_id: int
    sql: str
    table: pa.Table = field(repr=False)
    seconds: float
    truncated: bool = False

    @property
    def row_count(self) -> int:
        return int(self.table.num_rows)

    @property
    def column_count(self) -> int:
        return int(self.table.num_columns)

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    @property
    def column_names(self) -> list[str]:
        return list(self.table.column_names)

    def page(self, offset: int, limit: int) -> pa.Table:
        """Rows ``offset`` to ``offset + limit`` as Arrow (zero-copy)."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must be >= 0")
        return self.table.slice(offset, limit)

    def rows(self, offset: int = 0, limit: int = 100) -> list[tuple[Any, ...]]:
        """A page as Python tuples, for display; never call it for the whole result."""
        page = self.page(offset, limit)
        columns = [col.to_pylist() for col in page.columns]
        return list(zip(*columns, strict=True)) if columns else []

    def batches(self, size: int = 65_536) -> Iterator[pa.RecordBatch]:
        yield from self.table.to_batches(max_chunksize=size)

    def write(self, path: Path, fmt: str | None = None) -> Path:
        """Writes the whole result to ``path``; the format follows the suffix by default."""
        from aiser_desktop.core.engine.export import write_arrow

        return write_arrow(self.table, path, fmt)
