"""A workspace: a folder with ``data.duckdb`` (the analytic data) and ``state.sqlite`` (the app's
records), opened by one process at a time.

    with Workspace.open("~/analysis") as ws:
        ws.sources.add_file("sales.csv")
        handle = ws.engine.execute("select count(*) from sales")
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.errors import AiserError, WorkspaceError
from aiser_desktop.core.events import EventHub, QueryCancelled, QueryFailed, QueryFinished
from aiser_desktop.core.lock import WorkspaceLock
from aiser_desktop.core.sources.manager import SourceManager
from aiser_desktop.core.state.store import StateStore

log = logging.getLogger(__name__)

DATA_FILE = "data.duckdb"
STATE_FILE = "state.sqlite"


class Workspace:
    """An open workspace. Use :meth:`open`; close it (or use ``with``) when done.

    Attributes:
        path: The folder.
        hub: The events of everything in this workspace.
        engine: The DuckDB engine over data.duckdb.
        state: The records in state.sqlite.
        sources: Adding, listing and removing sources.
    """

    def __init__(
        self, path: Path, engine: Engine, state: StateStore, hub: EventHub, lock: WorkspaceLock
    ) -> None:
        self.path = path
        self.engine = engine
        self.state = state
        self.hub = hub
        self.sources = SourceManager(engine, state, hub)
        self._lock = lock
        self._unsubscribe = [
            hub.subscribe(QueryFinished, self._record_finished),
            hub.subscribe(QueryFailed, self._record_failed),
            hub.subscribe(QueryCancelled, self._record_cancelled),
        ]

    @classmethod
    def open(
        cls, path: str | Path, *, hub: EventHub | None = None, create: bool = True
    ) -> Workspace:
        """Opens (and if needed creates) the workspace at ``path``.

        Raises:
            WorkspaceLockedError: Another Aiser process has it open.
            WorkspaceError: The folder cannot be created or its files are not usable.
        """
        folder = Path(path).expanduser()
        if not folder.exists():
            if not create:
                raise WorkspaceError(
                    f"There is no workspace at {str(folder)!r}.",
                    hint="Check the path, or leave out --workspace to use the default one.",
                )
            try:
                folder.mkdir(parents=True)
            except OSError as exc:
                raise WorkspaceError(
                    f"Cannot create the workspace folder {str(folder)!r}: {exc.strerror}.",
                    hint="Choose a folder this user can write to.",
                ) from exc
        elif not folder.is_dir():
            raise WorkspaceError(
                f"{str(folder)!r} is a file, not a workspace folder.",
                hint="Give the folder that holds data.duckdb, or a new folder name.",
            )
        hub = hub or EventHub()
        lock = WorkspaceLock(folder)
        lock.acquire()
        try:
            state = StateStore(folder / STATE_FILE)
            try:
                engine = Engine(folder / DATA_FILE, hub=hub, extension_dir=folder / ".extensions")
            except Exception:
                state.close()
                raise
        except AiserError:
            lock.release()
            raise
        except Exception as exc:
            lock.release()
            raise WorkspaceError(
                f"Cannot open the workspace {str(folder)!r}: {exc}",
                hint="See the log file for details (aiser --version --verbose shows where).",
            ) from exc
        log.info("opened workspace %s", folder)
        ws = cls(folder, engine, state, hub, lock)
        # Linked databases are attached again in the background; the first query waits
        # behind them on the writer, nothing else does.
        ws.sources.connect_linked()
        return ws

    def close(self) -> None:
        """Stops running queries and releases the workspace for other processes."""
        try:
            # The engine first: its worker may still be publishing the last query's event,
            # and history is recorded from that event.
            self.engine.close()
        finally:
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            try:
                self.state.close()
            finally:
                self._lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # History is written on the query worker after the result was handed over, so it adds no
    # latency to the query itself.
    def _record_finished(self, msg: QueryFinished) -> None:
        self.state.record_query(msg.sql, "finished", msg.seconds, rows=msg.rows)

    def _record_failed(self, msg: QueryFailed) -> None:
        self.state.record_query(msg.sql, "failed", msg.seconds, error=str(msg.error))

    def _record_cancelled(self, msg: QueryCancelled) -> None:
        self.state.record_query(msg.sql, "cancelled", msg.seconds)
