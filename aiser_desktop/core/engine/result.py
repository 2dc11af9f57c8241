"""A query's result: Arrow behind a handle, fetched by page (STYLE.md point 5).

Small results stay in memory; big ones go to a file while they stream out of DuckDB, so a
100-million-row result costs disk, not memory, and any page of it is read in about a millisecond.

How a result could be kept, measured on this project's 2-core machine (shared, so +-15 %) with
``SELECT i, i*2, md5(i::VARCHAR)`` over 10M rows (52 bytes a row); DuckDB streaming the rows as
Arrow and dropping them took 2.9-3.3 s:

===========================================  =======  =========  ======  ==================
way                                           fetch    a page     file    memory
===========================================  =======  =========  ======  ==================
Arrow table in memory (``to_arrow_table``)     2.6 s   0.01 ms       -   +520 MB (all of it)
Parquet, 16K-row groups, snappy (pyarrow)      6.1 s   2.9 ms     455 MB  bounded
Parquet written by a second DuckDB             5.5 s   2.1 ms     406 MB  bounded, 1 GB peak
Arrow IPC, 16K-row batches, uncompressed       2.9 s   0.3 ms     520 MB  bounded
Arrow IPC, 16K-row batches, LZ4                3.4 s   0.7 ms     440 MB  bounded
Arrow IPC, 16K-row batches, zstd (chosen)      3.6 s   1.3 ms     205 MB  bounded
===========================================  =======  =========  ======  ==================

(IPC rows written on a thread of their own; inline, each took 0.5-0.9 s more.) At 100M rows
(bench/grid.py) the chosen way took 39.8 s against 40.8 s for plain DuckDB streaming in the
same run, wrote a 2.0 GB file, and the process grew by 75 MB at most.

So: up to :data:`MEMORY_ROWS` rows and :data:`MEMORY_BYTES` bytes a result is an Arrow table in
memory, exactly as before (``page()`` is a zero-copy slice; the CLI, the agent and the tests use
it as such). Beyond that the rows already read and all the following ones are written, batch by
batch as DuckDB hands them over, to an **Arrow IPC file** (Feather v2) of
:data:`SPILL_BATCH_ROWS`-row record batches compressed with zstd, in the workspace's cache
folder (``<workspace>/.cache/results``). The IPC file has a footer with the position of every
batch, so ``page(offset)`` finds its batch by bisecting the batch start rows and decompresses
that one batch only, from a memory-mapped file (a few recent batches are cached): about a
millisecond anywhere in the file, with memory bounded by a few batches. zstd halves the file
against LZ4 (hex text, repeated values and small numbers compress well) for 0.6 ms more a page,
which a person cannot see. Parquet is as small but two to nine times slower to page through,
and DuckDB scans the IPC file as fast (through a pyarrow dataset) for sorting, filtering,
profiling and exporting the whole result (see :meth:`ResultHandle.scan`). ``table`` still works
on a spilled result but reads the whole file into memory: use ``page``, ``batches``, ``write``
or ``scan`` instead.

The file is deleted when the handle is garbage-collected or :meth:`ResultHandle.release`\\ d,
and at exit; files left by a crash are removed the next time a result is spilled there.
"""

from __future__ import annotations

import atexit
import bisect
import contextlib
import itertools
import logging
import os
import queue
import shutil
import tempfile
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from aiser_desktop.core.errors import AiserError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)

MEMORY_ROWS = 1_000_000  # a result up to this many rows ...
MEMORY_BYTES = 128 << 20  # ... and this many bytes of Arrow stays in memory
SPILL_BATCH_ROWS = 16_384  # rows per record batch of a spilled file: a page's read unit
SPILL_COMPRESSION = "zstd"
SPILL_QUEUE = 2  # batches waiting for the spill thread: bounds memory for wide rows too
CACHED_BATCHES = 4  # decoded batches of a spilled file kept for the next pages
SPILL_SUFFIX = ".arrow"

_names = itertools.count(1)
_process_dir: Path | None = None
_cleaned: set[Path] = set()
_dir_lock = threading.Lock()


# ---------------------------------------------------------------------- where spills go
def spill_folder(database: str) -> Path:
    """The folder for the spilled results of an engine over ``database``.

    A workspace's database gets ``.cache/results`` beside it (the workspace is open in one
    process at a time, so whatever is there at the first spill is left over from a crash and
    removed). An in-memory database gets a private temporary folder of this process.
    """
    global _process_dir
    if database not in ("", ":memory:") and not database.startswith(":memory:"):
        return Path(database).resolve().parent / ".cache" / "results"
    with _dir_lock:
        if _process_dir is None:
            _process_dir = Path(tempfile.mkdtemp(prefix="aiser-results-"))
            atexit.register(shutil.rmtree, str(_process_dir), True)
            _cleaned.add(_process_dir)
        return _process_dir


def _prepare(folder: Path) -> None:
    """Creates ``folder``; at the first use in this process, removes what a crash left there."""
    with _dir_lock:
        first = folder not in _cleaned
        _cleaned.add(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AiserError(
            f"Cannot create the folder for big results {str(folder)!r}: {exc.strerror}.",
            hint="Check that this user can write to the workspace folder, or free some space.",
        ) from exc
    if first:
        for stale in folder.glob(f"*{SPILL_SUFFIX}*"):
            with contextlib.suppress(OSError):
                stale.unlink()


def unique_names(names: list[str]) -> list[str]:
    """``names`` made unique for SQL, as DuckDB's own names are (``x``, ``x_1``; case does
    not count): a join can give a result two columns called ``x``, which Arrow allows but
    DuckDB cannot scan."""
    used: set[str] = set()
    out = []
    for name in names:
        candidate, number = name, 1
        while candidate.lower() in used:
            candidate, number = f"{name}_{number}", number + 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def _renamed(schema: pa.Schema) -> pa.Schema:
    """``schema`` with unique names (itself when they already are)."""
    names = unique_names(schema.names)
    if names == schema.names:
        return schema
    return pa.schema([field.with_name(name) for field, name in zip(schema, names, strict=True)])


# ---------------------------------------------------------------------- row stores
class _MemoryRows:
    """A result held as one Arrow table."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    @property
    def row_count(self) -> int:
        return int(self.table.num_rows)

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    def page(self, offset: int, limit: int) -> pa.Table:
        return self.table.slice(offset, limit)

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.table.to_batches()

    def dataset(self) -> Any:
        names = unique_names(self.table.column_names)
        return self.table if names == self.table.column_names else self.table.rename_columns(names)

    def release(self) -> None:
        """Nothing to release: the table goes with the handle."""


class _SpilledRows:
    """A result in an Arrow IPC file, read back one record batch at a time.

    The file's columns have unique names (:func:`unique_names`), so DuckDB can scan it; pages
    and batches come back under the result's own names.
    """

    def __init__(self, path: Path, schema: pa.Schema, starts: list[int], rows: int) -> None:
        self.path = path
        self._schema = schema
        self._file_schema = _renamed(schema)
        self._starts = starts  # first row of each batch
        self._rows = rows
        self._lock = threading.Lock()
        self._source: Any = None  # the memory map, opened at the first page
        self._reader: pa.ipc.RecordBatchFileReader | None = None
        self._cache: OrderedDict[int, pa.RecordBatch] = OrderedDict()
        self._finalizer = weakref.finalize(self, _remove_spill, path, self.__dict__)

    @property
    def row_count(self) -> int:
        return self._rows

    @property
    def schema(self) -> pa.Schema:
        return self._schema

    @property
    def table(self) -> pa.Table:
        return pa.Table.from_batches(list(self.batches()), schema=self._schema)

    def _batch(self, number: int) -> pa.RecordBatch:
        """One decoded batch, from the cache or the file; the caller holds the lock."""
        batch = self._cache.get(number)
        if batch is not None:
            self._cache.move_to_end(number)
            return batch
        batch = self._open().get_batch(number)
        self._cache[number] = batch
        while len(self._cache) > CACHED_BATCHES:
            self._cache.popitem(last=False)
        return batch

    def _open(self) -> pa.ipc.RecordBatchFileReader:
        """The file's reader (the footer read, the file memory-mapped); the caller holds the
        lock."""
        if self._reader is None:
            if not self._finalizer.alive:
                raise AiserError(
                    "This result was released.", hint="Run the query again to see its rows."
                )
            self._source = pa.memory_map(str(self.path), "r")
            self._reader = pa.ipc.open_file(self._source)
        return self._reader

    def open(self) -> None:
        """Opens the file now rather than at the first page."""
        with self._lock:
            self._open()

    def page(self, offset: int, limit: int) -> pa.Table:
        end = min(offset + limit, self._rows)
        if offset >= end:
            return self._schema.empty_table()
        pieces: list[pa.RecordBatch] = []
        with self._lock:
            number = bisect.bisect_right(self._starts, offset) - 1
            row = offset
            while row < end:
                batch = self._batch(number)
                start = row - self._starts[number]
                take = min(batch.num_rows - start, end - row)
                pieces.append(self._own(batch.slice(start, take)))
                row += take
                number += 1
        return pa.Table.from_batches(pieces, schema=self._schema)

    def _own(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """A batch of the file under the result's own column names."""
        if self._file_schema is self._schema:
            return batch
        return pa.RecordBatch.from_arrays(batch.columns, schema=self._schema)

    def batches(self) -> Iterator[pa.RecordBatch]:
        # A reader of its own, so a long export never holds the lock the grid's pages need.
        with pa.memory_map(str(self.path), "r") as source:
            reader = pa.ipc.open_file(source)
            for number in range(reader.num_record_batches):
                yield self._own(reader.get_batch(number))

    def dataset(self) -> Any:
        import pyarrow.dataset as ds

        return ds.dataset(str(self.path), format="ipc", schema=self._file_schema)

    def release(self) -> None:
        self._finalizer()


def _remove_spill(path: Path, state: dict[str, Any]) -> None:
    """Closes the memory map and deletes the file (also on Windows, which needs it closed)."""
    state["_reader"] = None
    state["_cache"] = OrderedDict()
    source = state.get("_source")
    if source is not None:
        with contextlib.suppress(Exception):
            source.close()
    with contextlib.suppress(OSError):
        path.unlink()


RowStore = _MemoryRows | _SpilledRows


# ---------------------------------------------------------------------- reading a result
class _Spiller:
    """Writes record batches to an IPC file, re-cut to at most SPILL_BATCH_ROWS rows.

    Compressing and writing happen on a thread of their own (pyarrow releases the GIL), so
    DuckDB makes the next batch meanwhile: on 2 cores this took a 10M-row spill from 4.5 s to
    3.6 s, against 2.9 s for reading the rows and dropping them.
    """

    def __init__(self, folder: Path, schema: pa.Schema, label: str) -> None:
        _prepare(folder)
        name = f"{label}-{os.getpid()}-{next(_names)}-{uuid.uuid4().hex[:8]}{SPILL_SUFFIX}"
        self.path = folder / name
        self.schema = schema
        self._file_schema = _renamed(schema)
        self.starts: list[int] = []
        self.rows = 0
        self._error: BaseException | None = None
        self._queue: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=SPILL_QUEUE)
        self._thread: threading.Thread | None = None
        options = pa.ipc.IpcWriteOptions(compression=SPILL_COMPRESSION)
        try:
            self._sink = pa.OSFile(str(self.path), "wb")
            self._writer = pa.ipc.new_file(self._sink, self._file_schema, options=options)
        except OSError as exc:
            self.discard()
            raise _disk_error(self.path, exc) from exc
        self._thread = threading.Thread(target=self._drain, name="aiser-spill", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # keep taking batches, so that write() never blocks
            if self._file_schema is not self.schema:
                batch = pa.RecordBatch.from_arrays(batch.columns, schema=self._file_schema)
            try:
                for start in range(0, batch.num_rows, SPILL_BATCH_ROWS):
                    piece = batch.slice(start, SPILL_BATCH_ROWS)
                    self.starts.append(self.rows)
                    self._writer.write_batch(piece)
                    self.rows += piece.num_rows
            except BaseException as exc:
                self._error = exc

    def _raise(self) -> None:
        error = self._error
        if error is not None:
            self.discard()
            if isinstance(error, OSError):
                raise _disk_error(self.path, error) from error
            raise error

    def write(self, batch: pa.RecordBatch) -> None:
        self._raise()
        self._queue.put(batch)

    def _stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def finish(self) -> _SpilledRows:
        self._stop()
        self._raise()
        try:
            self._writer.close()
            self._sink.close()
        except OSError as exc:
            self.discard()
            raise _disk_error(self.path, exc) from exc
        rows = _SpilledRows(self.path, self.schema, self.starts, self.rows)
        rows.open()  # here on the worker, so the grid's first page does not pay for it
        return rows

    def discard(self) -> None:
        self._stop()
        for closer in (getattr(self, "_writer", None), getattr(self, "_sink", None)):
            if closer is not None:
                with contextlib.suppress(Exception):
                    closer.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def _disk_error(path: Path, exc: OSError) -> AiserError:
    return AiserError(
        f"Cannot write the result to {str(path)!r}: {exc.strerror or exc}.",
        hint="Free some disk space, or narrow the query (a filter, fewer columns, a LIMIT).",
    )


def collect(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    *,
    spill_dir: Path | None,
    max_rows: int | None = None,
    label: str = "result",
) -> tuple[RowStore, bool]:
    """Reads a result's batches into memory, or into a spill file once it outgrows memory.

    Args:
        batches: The record batches, in order (e.g. DuckDB's Arrow reader).
        schema: Their schema.
        spill_dir: Where a big result goes; None keeps every result in memory.
        max_rows: Keep at most this many rows; the second value returned says whether there
            were more.
        label: The start of the spill file's name.

    Returns:
        The rows, and whether ``max_rows`` cut some off.

    Raises:
        AiserError: The spill file cannot be written (a full disk).
    """
    held: list[pa.RecordBatch] = []
    rows = size = 0
    truncated = False
    spiller: _Spiller | None = None
    iterator = iter(batches)
    try:
        for batch in iterator:
            if max_rows is not None and rows + batch.num_rows > max_rows:
                batch = batch.slice(0, max_rows - rows)
                truncated = True
            rows += batch.num_rows
            if spiller is not None:
                spiller.write(batch)
            else:
                held.append(batch)
                size += batch.nbytes
                if spill_dir is not None and (rows > MEMORY_ROWS or size > MEMORY_BYTES):
                    spiller = _Spiller(spill_dir, schema, label)
                    for kept in held:
                        spiller.write(kept)
                    held.clear()
            if truncated:
                break
        if not truncated and max_rows is not None and rows == max_rows:
            # One more look tells whether rows were cut, without reading the rest.
            truncated = any(batch.num_rows for batch in iterator)
    except BaseException:
        if spiller is not None:
            spiller.discard()
        raise
    if spiller is not None:
        return spiller.finish(), truncated
    return _MemoryRows(pa.Table.from_batches(held, schema=schema)), truncated


# ---------------------------------------------------------------------- the handle
class ResultHandle:
    """The result of one statement: in memory, or spilled to a file when it is big.

    Args:
        query_id: The id the engine gave the query (it appears in events and history).
        sql: The SQL text that produced the result.
        table: The rows as an Arrow table (a small result, or one made by hand).
        seconds: Wall time from submission to the last row fetched.
        truncated: True when the engine stopped at its row limit and more rows existed.
        rows: The engine's row store (from :func:`collect`), instead of ``table``.

    Attributes:
        query_id, sql, seconds, truncated: As given.
    """

    def __init__(
        self,
        query_id: int,
        sql: str,
        table: pa.Table | None = None,
        seconds: float = 0.0,
        truncated: bool = False,
        *,
        rows: RowStore | None = None,
    ) -> None:
        self.query_id = query_id
        self.sql = sql
        self.seconds = seconds
        self.truncated = truncated
        if rows is None:
            rows = _MemoryRows(table if table is not None else pa.table({}))
        self._rows = rows

    def __repr__(self) -> str:
        where = f"spilled to {self._rows.path}" if isinstance(self._rows, _SpilledRows) else ""
        return (
            f"ResultHandle(query_id={self.query_id}, rows={self.row_count}, "
            f"columns={self.column_count}{', ' + where if where else ''})"
        )

    @property
    def row_count(self) -> int:
        return self._rows.row_count

    @property
    def column_count(self) -> int:
        return len(self._rows.schema)

    @property
    def schema(self) -> pa.Schema:
        return self._rows.schema

    @property
    def column_names(self) -> list[str]:
        return list(self._rows.schema.names)

    @property
    def sql_names(self) -> list[str]:
        """The column names :meth:`scan` gives SQL: the result's own, made unique."""
        return unique_names(self.column_names)

    @property
    def spilled(self) -> bool:
        """True when the rows are in a file (a big result), not in memory."""
        return isinstance(self._rows, _SpilledRows)

    @property
    def spill_path(self) -> Path | None:
        """The file holding a spilled result's rows, else None."""
        return self._rows.path if isinstance(self._rows, _SpilledRows) else None

    @property
    def table(self) -> pa.Table:
        """All the rows as one Arrow table.

        Free for a result in memory. For a spilled one (:attr:`spilled`) this reads the whole
        file into memory, which for a big result can be gigabytes: prefer :meth:`page`,
        :meth:`batches`, :meth:`write` or :meth:`scan`.
        """
        if isinstance(self._rows, _SpilledRows):
            log.warning("reading all %d rows of a spilled result into memory", self.row_count)
        return self._rows.table

    def page(self, offset: int, limit: int) -> pa.Table:
        """Rows ``offset`` to ``offset + limit`` as Arrow.

        Zero-copy for a result in memory; about a millisecond anywhere in a spilled one.
        Safe to call from any thread.
        """
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must be >= 0")
        return self._rows.page(offset, limit)

    def rows(self, offset: int = 0, limit: int = 100) -> list[tuple[Any, ...]]:
        """A page as Python tuples, for display; never call it for the whole result."""
        page = self.page(offset, limit)
        columns = [col.to_pylist() for col in page.columns]
        return list(zip(*columns, strict=True)) if columns else []

    def batches(self, size: int = 65_536) -> Iterator[pa.RecordBatch]:
        """Streams every row, at most ``size`` rows a batch, in bounded memory."""
        for batch in self._rows.batches():
            for start in range(0, batch.num_rows, size):
                yield batch.slice(start, size)

    def write(self, path: Path, fmt: str | None = None) -> Path:
        """Writes the whole result to ``path``; the format follows the suffix by default.

        For an export with progress and cancel, see :func:`aiser_desktop.core.engine.export.
        export_result`.
        """
        from aiser_desktop.core.engine.export import write_result

        return write_result(self, path, fmt)

    @contextlib.contextmanager
    def scan(self, con: DuckDBPyConnection) -> Iterator[str]:
        """Makes the rows readable by SQL on ``con`` for the length of the ``with`` block.

        Yields:
            A relation name to use in ``FROM``: the in-memory table or the spilled file,
            registered on ``con`` (streamed, never copied into DuckDB). Its columns are
            :attr:`sql_names`.
        """
        name = f"aiser_result_{self.query_id}_{next(_names)}"
        con.register(name, self._rows.dataset())
        try:
            yield name
        finally:
            with contextlib.suppress(Exception):
                con.unregister(name)

    def release(self) -> None:
        """Frees the rows now (a spilled result's file is deleted); later reads fail."""
        self._rows.release()
