"""The DuckDB session: queries off the calling thread, with cancel and progress.

One :class:`Engine` owns one DuckDB database (a workspace's ``data.duckdb``, or memory). The
person's statements run one after another on a single worker thread, on one session connection,
so ``SET`` and temporary tables carry from one statement to the next as in any SQL console, and
every write to the database goes through that one writer (STYLE.md point 5). Catalog reads use
their own cursors from any thread.

``submit()`` returns a :class:`QueryJob` at once. ``QueryJob.cancel()`` interrupts DuckDB, which
stops within milliseconds; a monitor thread polls DuckDB's progress while a query runs. Events
(:mod:`aiser_desktop.core.events`) report each step.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import pyarrow as pa

from aiser_desktop.core.engine import extensions
from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.engine.result import ResultHandle, RowStore, collect, spill_folder
from aiser_desktop.core.errors import (
    AiserError,
    QueryCancelledError,
    WorkspaceError,
    WorkspaceLockedError,
)
from aiser_desktop.core.events import (
    EventHub,
    QueryCancelled,
    QueryFailed,
    QueryFinished,
    QueryProgress,
    QueryStarted,
)

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)
T = TypeVar("T")

PROGRESS_INTERVAL = 0.1  # seconds between two looks at DuckDB's progress
_BATCH_ROWS = 1 << 17

# Settings of every connection: nothing is installed or downloaded behind the person's back.
_OFFLINE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    # A mistyped table name must be an error, not a Python variable of that name picked up
    # from whichever frame ran the query.
    "python_enable_replacements": False,
}


def _open_error(database: str, exc: Exception) -> Exception:
    """A person's message for a database file DuckDB cannot open."""
    text = str(exc)
    if "lock" in text.lower():
        return WorkspaceLockedError(
            f"The database {database!r} is in use by another program.",
            hint="Close the other program (or Aiser window) that has it open.",
        )
    if "not a valid DuckDB database" in text:
        return WorkspaceError(
            f"{database!r} is damaged or is not a DuckDB database.",
            hint="Move the file away (or restore it from a backup) and open the workspace "
            "again; the files your sources came from are not affected.",
        )
    if "version number" in text or "newer version" in text.lower():
        return WorkspaceError(
            f"{database!r} was written by a newer version of DuckDB than this app's "
            f"({duckdb.__version__}).",
            hint="Upgrade Aiser Desktop to open this workspace.",
        )
    return exc


class QueryJob:
    """A statement submitted to the engine: a future with cancel and progress.

    Attributes:
        id: The engine-wide id of the query.
        sql: The SQL text.
        progress: The last progress DuckDB reported, 0-100, or None when it reported none.
    """

    def __init__(self, engine: Engine, query_id: int, sql: str) -> None:
        self.id = query_id
        self.sql = sql
        self.progress: float | None = None
        self.submitted = time.perf_counter()
        self._engine = engine
        self._future: Future[ResultHandle] = Future()
        self._cancel_requested = False

    def result(self, timeout: float | None = None) -> ResultHandle:
        """Waits for the result.

        Raises:
            QueryError: DuckDB rejected or failed the statement.
            QueryCancelledError: The query was cancelled.
            TimeoutError: ``timeout`` seconds passed first.
        """
        try:
            return self._future.result(timeout)
        except CancelledError:
            raise QueryCancelledError() from None

    def done(self) -> bool:
        return self._future.done()

    def cancel(self) -> None:
        """Stops the query: a queued one never starts, a running one is interrupted.

        The job ends as cancelled at once (``result()`` raises, ``QueryCancelled`` is
        published), whatever DuckDB still needs to unwind: some operators, such as a hash
        join being finalised, take a few hundred milliseconds to notice the interrupt. The
        next query starts once DuckDB has stopped. A job that already ended is left as it is.
        """
        self._cancel_requested = True
        self._engine._interrupt(self)
        self._engine._finish_cancelled(self)

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_requested

    def add_done_callback(self, fn: Callable[[QueryJob], None]) -> None:
        """Calls ``fn(job)`` when the job ends (on the worker thread, or at once if done)."""
        self._future.add_done_callback(lambda _f: fn(self))


class Engine:
    """A DuckDB database with a query worker.

    Args:
        database: Path of the DuckDB file, or ":memory:".
        hub: Where query events are published; a private hub if omitted.
        extension_dir: DuckDB's extension folder; the app's own, never ``~/.duckdb``. Its
            ``repository`` subfolder is also DuckDB's extension repository, so even an explicit
            ``INSTALL`` looks on this disk, never on the internet.
        read_only: Open the database read-only.

    Raises:
        WorkspaceLockedError: Another process holds the database file.
    """

    def __init__(
        self,
        database: str | Path = ":memory:",
        *,
        hub: EventHub | None = None,
        extension_dir: Path | None = None,
        read_only: bool = False,
    ) -> None:
        self.database = str(database)
        self.hub = hub or EventHub()
        if extension_dir is None:
            extension_dir = Path(tempfile.gettempdir()) / "aiser-duckdb-extensions"
        self.extension_dir = extension_dir
        extension_dir.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = dict(_OFFLINE_CONFIG)
        config["extension_directory"] = str(extension_dir)
        config["custom_extension_repository"] = str(extension_dir / "repository")
        try:
            self._con = duckdb.connect(self.database, read_only=read_only, config=config)
        except duckdb.Error as exc:
            raise _open_error(self.database, exc) from exc
        self._session = self._con.cursor()
        self._session.execute(
            "SET errors_as_json = true; SET enable_progress_bar = true; "
            "SET enable_progress_bar_print = false"
        )
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._settle_lock = threading.Lock()
        self._running: QueryJob | None = None
        self._queued: set[QueryJob] = set()  # submitted, not yet picked up by the worker
        self._running_changed = threading.Condition(self._lock)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aiser-query")
        self._monitor: threading.Thread | None = None
        self._loaded: set[str] = set()
        self._busy = 0  # calls from call() running on the writer now
        self._calls = 0  # calls from call() started so far
        self._closed = False
        self._interrupt_hooks: list[Callable[[], None]] = []
        self._shielded = 0  # cleanup under way on the writer: interrupt() leaves it alone

    # ------------------------------------------------------------------ queries
    def submit(
        self,
        sql: str,
        params: Sequence[Any] | None = None,
        *,
        max_rows: int | None = None,
    ) -> QueryJob:
        """Queues ``sql`` on the worker and returns its job at once.

        Args:
            sql: One or more statements; the result is the last one's.
            params: Values for ``?`` or ``$1`` placeholders.
            max_rows: Keep at most this many rows; the handle's ``truncated`` says whether
                there were more.
        """
        self._check_open()
        if max_rows is not None and max_rows < 0:
            raise ValueError("max_rows must be >= 0")
        job = QueryJob(self, next(self._ids), sql)
        self._ensure_monitor()
        with self._lock:
            self._queued.add(job)
        self._worker.submit(self._run, job, params, max_rows)
        return job

    def execute(
        self,
        sql: str,
        params: Sequence[Any] | None = None,
        timeout: float | None = None,
        *,
        max_rows: int | None = None,
    ) -> ResultHandle:
        """Runs ``sql`` on the worker and waits for its result (see :meth:`submit` and
        :meth:`QueryJob.result`)."""
        return self.submit(sql, params, max_rows=max_rows).result(timeout)

    def call(self, fn: Callable[[DuckDBPyConnection], T]) -> Future[T]:
        """Runs ``fn(session)`` on the writer thread, after the queries queued before it.

        Used for the app's own writes (imports, drops), so they never race the person's queries.
        """
        self._check_open()

        def tracked(session: DuckDBPyConnection) -> T:
            with self._lock:
                if self._closed:  # picked up while close() was stopping the writer
                    raise QueryCancelledError("The workspace is closing.")
                self._busy += 1
                self._calls += 1
            try:
                return fn(session)
            finally:
                with self._lock:
                    self._busy -= 1

        return self._worker.submit(tracked, self._session)

    def interrupt(self) -> None:
        """Interrupts whatever runs on the writer now: a query, or an import from :meth:`call`.

        Work from :meth:`call` is interrupted again until it stops (DuckDB clears the flag
        when a statement begins, and an import runs several); a query is cancelled through
        its job. The interrupted work raises DuckDB's ``InterruptException``.
        """
        with self._lock:
            running, busy, call = self._running, self._busy, self._calls
            hooks = list(self._interrupt_hooks)
        if running is not None:
            running.cancel()
        for hook in hooks:
            hook()
        if not busy:
            return

        def repeat() -> None:
            while True:
                with self._lock:
                    if not self._busy or self._calls != call or self._closed:
                        return
                    if not self._shielded:
                        self._session.interrupt()
                time.sleep(0.02)

        threading.Thread(target=repeat, name="aiser-interrupt", daemon=True).start()

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """Keeps :meth:`interrupt` off the writer while the block runs: for the cleanup after
        an interrupted import (a ``ROLLBACK`` that is itself interrupted leaves the session in
        an aborted transaction). DuckDB clears an earlier interrupt when the next statement
        begins."""
        with self._lock:
            self._shielded += 1
        try:
            yield
        finally:
            with self._lock:
                self._shielded -= 1

    @contextlib.contextmanager
    def interrupt_hook(self, hook: Callable[[], None]) -> Iterator[None]:
        """Calls ``hook`` on :meth:`interrupt` while the block runs: for work of the writer
        that waits on something other than the session (a web fetch in a private
        connection)."""
        with self._lock:
            self._interrupt_hooks.append(hook)
        try:
            yield
        finally:
            with self._lock:
                self._interrupt_hooks.remove(hook)

    @contextlib.contextmanager
    def cursor(self) -> Iterator[DuckDBPyConnection]:
        """A cursor of its own for catalog reads, usable from any thread."""
        self._check_open()
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def load_extension(self, name: str) -> None:
        """Loads a DuckDB extension from the files installed with the app.

        Raises:
            ExtensionError: The extension is not installed with the app.
        """
        if name in extensions.BUILT_IN or name in self._loaded:
            return
        path = extensions.loadable_path(name, self.extension_dir)
        quoted = str(path).replace("'", "''")
        self._con.execute(f"LOAD '{quoted}'")
        self._loaded.add(name)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Cancels what runs, stops the worker and closes the database."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            running = self._running
        if running is not None:
            running.cancel()
        self._worker.shutdown(wait=False, cancel_futures=True)
        # What runs on the writer (the cancelled query, or an import from call()) is
        # interrupted again until it stops: DuckDB clears the flag when a statement begins, a
        # cancel can land just before that, and an import runs several statements.
        while True:
            with self._lock:
                if self._running is None and not self._busy:
                    break
                self._session.interrupt()
            time.sleep(0.02)
        self._worker.shutdown(wait=True)
        # The jobs the shutdown dropped end as cancelled, so nobody waits on them forever.
        with self._running_changed:
            dropped, self._queued = list(self._queued), set()
            self._running_changed.notify_all()
        for job in dropped:
            job._cancel_requested = True
            self._finish_cancelled(job)
        if self._monitor is not None:
            self._monitor.join(timeout=2)
        self._session.close()
        self._con.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    def _check_open(self) -> None:
        if self._closed:
            raise AiserError("The engine is closed.", hint="Open the workspace again.")

    def _run(self, job: QueryJob, params: Sequence[Any] | None, max_rows: int | None) -> None:
        with self._running_changed:
            self._queued.discard(job)
            # Checked under the lock close() takes, so a job is either seen running by
            # close() (and interrupted) or sees the engine closed and never starts.
            start = not (job.cancel_requested or self._closed)
            if start:
                self._running = job
                self._running_changed.notify_all()
        if not start:
            self._finish_cancelled(job)
            return
        self.hub.publish(QueryStarted(job.id, job.sql))
        try:
            rows, truncated = self._fetch(job.sql, params, max_rows, job.id)
        except BaseException as exc:
            with self._lock:
                self._running = None
            error = translate(exc, job.sql)
            if isinstance(error, QueryCancelledError) or job.cancel_requested:
                self._finish_cancelled(job)
                return
            seconds = time.perf_counter() - job.submitted
            log.info("query %s failed after %.3fs: %s", job.id, seconds, error)
            if self._settle(job, error=error):
                self.hub.publish(QueryFailed(job.id, job.sql, error, seconds))
            return
        with self._lock:
            self._running = None
        seconds = time.perf_counter() - job.submitted
        handle = ResultHandle(job.id, job.sql, None, seconds, truncated, rows=rows)
        if self._settle(job, result=handle):
            self.hub.publish(
                QueryFinished(
                    job.id, job.sql, handle.row_count, handle.column_count, seconds, handle
                )
            )

    def _fetch(
        self, sql: str, params: Sequence[Any] | None, max_rows: int | None, query_id: int = 0
    ) -> tuple[RowStore, bool]:
        """Runs ``sql`` on the session; returns its rows and whether any were cut.

        The rows stream out of DuckDB batch by batch: a small result is kept as Arrow in
        memory, a big one goes to a file in the workspace's cache as it arrives
        (:func:`aiser_desktop.core.engine.result.collect`), so memory stays bounded.
        """
        cur = self._session
        cur.execute(sql, params)
        if cur.description is None:
            return collect((), pa.schema([]), spill_dir=None)
        size = _BATCH_ROWS if max_rows is None else max(1, min(max_rows + 1, _BATCH_ROWS))
        reader = cur.to_arrow_reader(size)
        return collect(
            reader,
            reader.schema,
            spill_dir=spill_folder(self.database),
            max_rows=max_rows,
            label=f"q{query_id}",
        )

    def _settle(
        self,
        job: QueryJob,
        result: ResultHandle | None = None,
        error: BaseException | None = None,
    ) -> bool:
        """Ends ``job`` once; returns False when it had already ended (cancel won the race)."""
        with self._settle_lock:
            if job._future.done():
                return False
            if error is not None:
                job._future.set_exception(error)
            else:
                job._future.set_result(result)  # type: ignore[arg-type]
            return True

    def _finish_cancelled(self, job: QueryJob) -> None:
        seconds = time.perf_counter() - job.submitted
        if self._settle(job, error=QueryCancelledError()):
            self.hub.publish(QueryCancelled(job.id, job.sql, seconds))

    def _interrupt(self, job: QueryJob) -> None:
        with self._lock:
            if self._running is job:
                self._session.interrupt()

    def _ensure_monitor(self) -> None:
        if self._monitor is None:
            self._monitor = threading.Thread(
                target=self._watch_progress, name="aiser-progress", daemon=True
            )
            self._monitor.start()

    def _watch_progress(self) -> None:
        """Polls DuckDB's progress of the running query and publishes changes."""
        while not self._closed:
            with self._running_changed:
                while self._running is None and not self._closed:
                    self._running_changed.wait()
                job = self._running
            if job is None:
                continue
            last = -1.0
            while not self._closed:
                time.sleep(PROGRESS_INTERVAL)
                with self._lock:
                    if self._running is not job:
                        break
                    if job.cancel_requested:
                        # DuckDB clears an interrupt when a statement begins, so a cancel that
                        # came just before is repeated until the statement stops.
                        self._session.interrupt()
                        continue
                    percent = float(self._session.query_progress())
                if percent >= 0 and percent != last:
                    last = job.progress = min(percent, 100.0)
                    self.hub.publish(QueryProgress(job.id, job.progress))
