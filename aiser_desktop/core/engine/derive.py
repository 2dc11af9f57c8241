"""Sorting and filtering a result as SQL, without running the person's query again.

A grid that sorts 100 million rows cannot do it in Python. :func:`derive` turns a
:class:`View` (one sort column and any number of column filters) into a ``SELECT`` over the
result itself, the in-memory Arrow table or the spilled file (``ResultHandle.scan``), and runs
it in DuckDB on the engine's worker. The outcome is a new :class:`ResultHandle`, spilled too if
it is big. The original query never runs again, so its sources are not touched.

Work on a result is a :class:`ResultJob`: like a ``QueryJob``, a future with ``cancel()`` and
``progress``; profiles (:mod:`aiser_desktop.core.insights.profile`) and exports
(:mod:`aiser_desktop.core.engine.export`) use it too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pyarrow as pa

from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.engine.result import ResultHandle, collect, spill_folder
from aiser_desktop.core.errors import AiserError, QueryCancelledError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.engine.session import Engine

T = TypeVar("T")

OPERATORS = ("=", "<>", "<", ">", "<=", ">=", "contains", "is null", "is not null")
_NO_VALUE = frozenset({"is null", "is not null"})
_BATCH_ROWS = 1 << 17


class FilterError(AiserError):
    """A filter's value does not fit its column (e.g. text for a number column)."""


def quote_name(name: str) -> str:
    """``name`` as a SQL identifier, always quoted (a result's columns can be any text)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Filter:
    """Keep the rows where ``column op value``.

    Attributes:
        column: The column's name, or its position (0-based) when two columns share a name.
        op: One of :data:`OPERATORS`.
        value: What the column is compared with, as typed by a person or as a Python value;
            ignored for ``is null`` and ``is not null``.
    """

    column: str | int
    op: str
    value: Any = None

    def describe(self, names: list[str] | None = None) -> str:
        """For people: ``region = 'north'``, ``amount is null``."""
        column = _label(self.column, names)
        if self.op in _NO_VALUE:
            return f"{column} {self.op}"
        value = self.value if not isinstance(self.value, str) else repr(self.value)
        return f"{column} {self.op} {value}"


def _label(column: str | int, names: list[str] | None) -> str:
    if isinstance(column, int):
        return names[column] if names is not None and 0 <= column < len(names) else f"#{column + 1}"
    return column


@dataclass(frozen=True)
class View:
    """How a result is shown: sorted by at most one column, filtered by any number.

    Attributes:
        sort: The column to sort by (a name, or a position as for :class:`Filter`), or None
            for the result's own order.
        descending: Sort from the largest value down.
        filters: All of them must hold for a row to be kept.
    """

    sort: str | int | None = None
    descending: bool = False
    filters: tuple[Filter, ...] = ()

    @property
    def is_plain(self) -> bool:
        """True when nothing is sorted or filtered (the original result is what is shown)."""
        return self.sort is None and not self.filters

    def describe(self, names: list[str] | None = None) -> str:
        """For people; ``names`` (the result's columns) name the columns given by position."""
        parts = []
        if self.filters:
            parts.append("where " + " and ".join(f.describe(names) for f in self.filters))
        if self.sort is not None:
            order = "descending" if self.descending else "ascending"
            parts.append(f"sorted by {_label(self.sort, names)} {order}")
        return ", ".join(parts)


def derive_sql(
    view: View, relation: str, schema: pa.Schema, names: list[str] | None = None
) -> tuple[str, list[Any]]:
    """The ``SELECT`` of ``view`` over ``relation`` (a table name) and its parameters.

    Values travel as parameters, never pasted into the SQL; each is first converted to its
    column's type, so a person's "12" is compared as a number with a number column.

    Args:
        view: The sort and filters.
        relation: What to select from.
        schema: The result's schema (its own column names).
        names: The column names in ``relation`` when they differ from ``schema``'s (made
            unique, see ``ResultHandle.sql_names``); the output keeps ``schema``'s names.

    Raises:
        FilterError: A column is not in ``schema``, an operator is unknown, or a value does
            not fit its column.
    """
    names = names or schema.names
    where: list[str] = []
    params: list[Any] = []
    for item in view.filters:
        index = column_index(schema, item.column)
        field, column = schema.field(index), quote_name(names[index])
        if item.op not in OPERATORS:
            raise FilterError(
                f"Unknown filter operator {item.op!r}.", hint=f"Use one of {', '.join(OPERATORS)}."
            )
        if item.op in _NO_VALUE:
            where.append(f"{column} {item.op.upper()}")
        elif item.op == "contains":
            where.append(f"contains(lower(CAST({column} AS VARCHAR)), lower(?))")
            params.append(str(item.value if item.value is not None else ""))
        else:
            value, as_text = _typed(item, field)
            target = f"CAST({column} AS VARCHAR)" if as_text else column
            where.append(f"{target} {item.op} ?")
            params.append(value)
    if list(names) == schema.names:
        sql = f"SELECT * FROM {relation}"
    else:  # back to the result's own (repeated) names
        columns = ", ".join(
            f"{quote_name(unique)} AS {quote_name(own)}"
            for unique, own in zip(names, schema.names, strict=True)
        )
        sql = f"SELECT {columns} FROM {relation}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if view.sort is not None:
        column = quote_name(names[column_index(schema, view.sort)])
        order = "DESC" if view.descending else "ASC"
        sql += f" ORDER BY {column} {order} NULLS LAST"
    return sql, params


def column_index(schema: pa.Schema, column: str | int) -> int:
    """The position of ``column`` (a name, or a position) in ``schema``.

    Raises:
        FilterError: There is no such column, or several have that name.
    """
    if isinstance(column, int):
        if 0 <= column < len(schema):
            return column
        raise FilterError(
            f"The result has no column #{column + 1}.",
            hint=f"It has {len(schema)} columns.",
        )
    found = [i for i, name in enumerate(schema.names) if name == column]
    if not found:
        raise FilterError(
            f"The result has no column {column!r}.",
            hint=f"Its columns are: {', '.join(schema.names)}.",
        )
    if len(found) > 1:
        raise FilterError(
            f"The result has {len(found)} columns named {column!r}.",
            hint="Give each its own name in the query (AS ...), or pick it by position.",
        )
    return found[0]


def _typed(item: Filter, field: pa.Field) -> tuple[Any, bool]:
    """The filter's value as its column's Python type, and whether to compare as text."""
    value, kind = item.value, field.type
    if value is None:
        raise FilterError(
            f"The filter on {_label(item.column, None)!r} needs a value.",
            hint="Type a value, or choose 'is null' to find the missing ones.",
        )
    if not isinstance(value, str):
        return value, False
    text = value.strip()
    try:
        if pa.types.is_boolean(kind):
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return lowered in ("true", "1", "yes"), False
        if pa.types.is_integer(kind):
            return int(text.replace(",", "").replace("_", "")), False
        if pa.types.is_floating(kind):
            return float(text.replace(",", "")), False
        if pa.types.is_decimal(kind):
            return decimal.Decimal(text.replace(",", "")), False
        if pa.types.is_date(kind):
            return dt.date.fromisoformat(text), False
        if pa.types.is_timestamp(kind):
            return dt.datetime.fromisoformat(text), False
    except (ValueError, decimal.InvalidOperation):
        raise FilterError(
            f"{value!r} is not a value of the column {_label(item.column, None)!r} ({kind}).",
            hint=_EXAMPLES.get(_family(kind), "Type a value of the column's kind."),
        ) from None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return value, False
    return value, True  # lists, structs, times, blobs: compared as their text


def _family(kind: pa.DataType) -> str:
    for name, test in (
        ("bool", pa.types.is_boolean),
        ("number", lambda k: pa.types.is_integer(k) or pa.types.is_floating(k)),
        ("number", pa.types.is_decimal),
        ("date", pa.types.is_date),
        ("timestamp", pa.types.is_timestamp),
    ):
        if test(kind):
            return name
    return ""


_EXAMPLES = {
    "bool": "Type true or false.",
    "number": "Type a number, such as 42 or 3.5.",
    "date": "Type a date as YYYY-MM-DD, such as 2024-01-31.",
    "timestamp": "Type a date and time as YYYY-MM-DD HH:MM:SS.",
}


class ResultJob(Generic[T]):
    """Work on a result on a DuckDB connection: a future with cancel and progress.

    Attributes:
        what: What it does, for people and the log ("Sorting by amount").
        progress: 0-100 where the work can tell, else None.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.progress: float | None = None
        self.started = time.perf_counter()
        self._future: Future[T] = Future()
        self._lock = threading.Lock()
        self._settle_lock = threading.Lock()
        self._con: DuckDBPyConnection | None = None
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def result(self, timeout: float | None = None) -> T:
        """Waits for the outcome.

        Raises:
            QueryCancelledError: The job was cancelled.
            AiserError: The work failed (DuckDB's errors are translated).
            TimeoutError: ``timeout`` seconds passed first.
        """
        return self._future.result(timeout)

    def done(self) -> bool:
        return self._future.done()

    def add_done_callback(self, fn: Callable[[ResultJob[T]], None]) -> None:
        """Calls ``fn(job)`` when it ends (on the working thread, or at once if done)."""
        self._future.add_done_callback(lambda _f: fn(self))

    def cancel(self) -> None:
        """Stops the work: the job ends as cancelled at once; DuckDB is interrupted until the
        statement has stopped (it clears the flag when a statement begins)."""
        with self._lock:
            if self._future.done():
                return
            self._cancelled = True
            con = self._con
        self._settle(error=QueryCancelledError())
        if con is None:
            return

        def repeat() -> None:
            while True:
                with self._lock:
                    if self._con is not con:
                        return
                    con.interrupt()
                time.sleep(0.02)

        threading.Thread(target=repeat, name="aiser-result-cancel", daemon=True).start()

    def check(self) -> None:
        """Raises QueryCancelledError once the job was cancelled (for loops in the work)."""
        if self._cancelled:
            raise QueryCancelledError()

    # -------------------------------------------------------------- for the runners
    def _run(self, con: DuckDBPyConnection, work: Callable[[DuckDBPyConnection], T]) -> None:
        with self._lock:
            if self._cancelled:
                return
            self._con = con
        try:
            outcome = work(con)
        except BaseException as exc:
            with self._lock:
                self._con = None
            if self._cancelled:
                return
            error = translate(exc, getattr(exc, "aiser_sql", ""))
            self._settle(error=error)
            return
        with self._lock:
            self._con = None
        if self._cancelled:
            _release(outcome)
            return
        if not self._settle(result=outcome):
            _release(outcome)

    def _settle(self, result: Any = None, error: BaseException | None = None) -> bool:
        """Ends the job once; False when it had already ended (a cancel won the race)."""
        with self._settle_lock:
            if self._future.done():
                return False
            if error is not None:
                self._future.set_exception(error)
            else:
                self._future.set_result(result)
            return True


def _release(outcome: Any) -> None:
    if isinstance(outcome, ResultHandle):
        outcome.release()


def on_writer(engine: Engine, job: ResultJob[T], work: Callable[[DuckDBPyConnection], T]) -> None:
    """Runs ``work(session)`` for ``job`` on the engine's worker, after the queries before it."""

    def body(session: DuckDBPyConnection) -> None:
        job._run(session, work)

    try:
        engine.call(body)
    except AiserError as exc:
        job._settle(error=exc)


def on_thread(engine: Engine, job: ResultJob[T], work: Callable[[DuckDBPyConnection], T]) -> None:
    """Runs ``work(cursor)`` for ``job`` on a thread of its own with a cursor of its own, so
    long work (an export) never holds up the person's queries."""

    def body() -> None:
        try:
            with engine.cursor() as cursor:
                job._run(cursor, work)
        except AiserError as exc:  # the engine closed meanwhile
            job._settle(error=exc)

    threading.Thread(target=body, name="aiser-result-work", daemon=True).start()


def run_sql(
    con: DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> DuckDBPyConnection:
    """``con.execute`` that remembers the SQL on DuckDB's error, for a positioned message."""
    try:
        return con.execute(sql, params)
    except Exception as exc:
        with contextlib.suppress(AttributeError):
            exc.aiser_sql = sql  # type: ignore[attr-defined]
        raise


def derive(engine: Engine, handle: ResultHandle, view: View) -> ResultJob[ResultHandle]:
    """Sorts and filters ``handle``'s rows as ``view`` says, in DuckDB on the engine's worker.

    Args:
        engine: The engine whose worker runs it (the one that made ``handle``).
        handle: The original result; its rows are read, its query is not run again.
        view: The sort and filters. A plain view gives ``handle`` itself back.

    Returns:
        A job whose result is a new handle (spilled if big) with the same ``query_id`` and
        ``sql`` as ``handle``.

    Raises:
        FilterError: At once, when a column or a value does not fit the result.
    """
    names = handle.sql_names
    job: ResultJob[ResultHandle] = ResultJob(view.describe(handle.column_names) or "Showing")
    if view.is_plain:
        job._settle(result=handle)
        return job
    derive_sql(view, "r", handle.schema, names)  # a bad column or value fails here, not later

    def work(con: DuckDBPyConnection) -> ResultHandle:
        start = time.perf_counter()
        with handle.scan(con) as relation:
            sql, params = derive_sql(view, relation, handle.schema, names)
            cursor = run_sql(con, sql, params)
            reader = cursor.to_arrow_reader(_BATCH_ROWS)
            rows, _ = collect(
                _checked(reader, job),
                reader.schema,
                spill_dir=spill_folder(engine.database),
                label=f"q{handle.query_id}-view",
            )
        seconds = time.perf_counter() - start
        return ResultHandle(handle.query_id, handle.sql, None, seconds, handle.truncated, rows=rows)

    on_writer(engine, job, work)
    return job


def _checked(reader: pa.RecordBatchReader, job: ResultJob[Any]) -> Any:
    for batch in reader:
        job.check()
        yield batch
