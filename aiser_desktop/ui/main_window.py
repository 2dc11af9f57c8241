"""The main window: sources, history and saved queries on the left; editor tabs in the centre
with results, chart and messages below; the agent panel docked on the right.

The window is shown before the workspace is open (the status bar says "Opening workspace…").
The :class:`WorkspaceSession` does the workspace's long work on task threads and the
:class:`QueryRunner` runs queries on the engine's worker; both report by signal, and this class
only shows what they say. Its layout and its editor tabs come back after a restart
(:mod:`aiser_desktop.ui.settings_store`); its menus are in
:mod:`aiser_desktop.ui.window_actions`; saving queries is in :class:`QueryActions`
(:mod:`aiser_desktop.ui.query_actions`).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QPaintEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMessageBox, QSplitter

from aiser_desktop.core.config import Settings
from aiser_desktop.core.errors import AiserError, QueryError
from aiser_desktop.core.events import QueryCancelled, QueryFailed, QueryFinished
from aiser_desktop.ui import theme, window_actions
from aiser_desktop.ui.agent_dock import AgentDock
from aiser_desktop.ui.panels import EditorPanel, ResultsPanel, SourcesPanel
from aiser_desktop.ui.query_actions import QueryActions
from aiser_desktop.ui.query_runner import QueryRunner, Statement
from aiser_desktop.ui.session import WorkspaceSession
from aiser_desktop.ui.settings_store import Layout, StateKeeper, load_layout
from aiser_desktop.ui.sources_tree import rows_text
from aiser_desktop.ui.status import StatusPanel, seconds_text

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui.about import AboutDialog
    from aiser_desktop.ui.add_source_dialog import AddSourceDialog
    from aiser_desktop.ui.background import Opened
    from aiser_desktop.ui.sql_editor import SqlEditor

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
LEFT_TABS = ("sources", "history", "saved")
HISTORY_RELOAD_MS = 300  # the history row is written just after the result is shown


class MainWindow(QMainWindow):
    """The app's window on one workspace.

    Args:
        workspace_path: The workspace folder; opened by :meth:`open_workspace`.
        interactive: Show dialogs (False in the start-up benchmark, which nobody watches).
        settings: The person's settings (the defaults when omitted).

    Signals:
        first_shown: The window was painted for the first time.
        workspace_opened: The workspace is open, the sources tree filled, the tabs restored.
        workspace_failed(str): Opening failed; the argument is the message shown.
        sources_updated: The sources tree was refilled.
        query_ended(str): A run ended: "finished", "failed" or "cancelled".
    """

    first_shown = Signal()
    workspace_opened = Signal()
    workspace_failed = Signal(str)
    sources_updated = Signal()
    query_ended = Signal(str)

    def __init__(
        self, workspace_path: Path, *, interactive: bool = True, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.workspace_path = Path(workspace_path)
        self.settings = settings or Settings()
        self.error_box: QMessageBox | None = None
        self.confirm_box: QMessageBox | None = None
        self.add_dialog: AddSourceDialog | None = None
        self._interactive = interactive
        self._painted = False
        self._tabs_restored = False
        self.session = WorkspaceSession(self.workspace_path, self)
        self.queries = QueryRunner(self)

        self.setObjectName("mainWindow")
        self.setWindowTitle(f"Aiser Desktop — {self.workspace_path.name or self.workspace_path}")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(False)
        self._build_layout()
        self.actions_ = window_actions.build(self)
        a = self.actions_  # the names older code and tests use
        self.add_source_action, self.import_action = a.add_source, a.import_file
        self.sample_action, self.refresh_action = a.sample, a.refresh
        self.run_action, self.cancel_action = a.run, a.cancel
        self.quit_action, self.about_action = a.quit, a.about
        self.saving = QueryActions(self)
        self.status = StatusPanel(self.statusBar())
        self.status.set_task("Opening workspace")
        self.status.set_network(self.settings.network_enabled, 0)
        self.keeper = StateKeeper(self.session, self.layout_state, self.tabs_state, self)
        self._history_timer = QTimer(self)
        self._history_timer.setSingleShot(True)
        self._history_timer.setInterval(HISTORY_RELOAD_MS)
        self._history_timer.timeout.connect(self.history.reload)
        self._connect()
        self._restored_layout = load_layout(self.workspace_path)
        self.restore_layout(self._restored_layout)
        self._update_actions()

    # ------------------------------------------------------------------ building
    def _build_layout(self) -> None:
        self.sources_panel = SourcesPanel()
        self.sources = self.sources_panel.tree
        self.sources.can_profile = True
        self.history = self.sources_panel.history
        self.saved = self.sources_panel.saved
        self.editor_panel = EditorPanel()
        self.editor_tabs = self.editor_panel.tabs
        self.results_panel = ResultsPanel()
        self.grid = self.results_panel.view
        self.messages = self.results_panel.messages

        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.setObjectName("centreSplitter")
        self.centre.addWidget(self.editor_panel)
        self.centre.addWidget(self.results_panel)
        self.centre.setStretchFactor(1, 1)
        self.centre.setSizes([260, 500])
        self.centre.setChildrenCollapsible(False)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplitter")
        self.main_split.addWidget(self.sources_panel)
        self.main_split.addWidget(self.centre)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([300, 980])
        self.main_split.setContentsMargins(8, 8, 2, 8)
        self.setCentralWidget(self.main_split)

        self.agent_dock = AgentDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.agent_dock)
        self.resizeDocks([self.agent_dock], [300], Qt.Orientation.Horizontal)

    def _connect(self) -> None:
        self.sources_panel.import_button.clicked.connect(self.show_add_source)
        tree = self.sources
        tree.insert_requested.connect(lambda text: self.editor.insert(text))
        tree.preview_requested.connect(self.preview_table)
        tree.count_requested.connect(self.count_rows)
        tree.profile_requested.connect(self.profile_column)
        tree.refresh_requested.connect(self.session.refresh_source)
        tree.mode_requested.connect(self.session.set_source_mode)
        tree.remove_requested.connect(self.confirm_remove)
        self.history.open_requested.connect(lambda sql: self.open_sql(sql))
        self.history.save_requested.connect(self.saving.save_sql_as)
        self.saved.open_requested.connect(self.saving.open_saved)
        self.saved.renamed.connect(self.saving.renamed)
        self.saved.deleted.connect(self.saving.deleted)
        self.saved.note.connect(self._note)

        self._connect_editor_tabs()
        self.editor_panel.run_button.clicked.connect(self.run_query)
        self.editor_panel.cancel_button.clicked.connect(self.cancel_query)
        self.status.cancel_clicked.connect(self._cancel_clicked)
        self._connect_grid()

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

        queries = self.queries
        queries.progress.connect(self.status.query_progress)
        queries.step.connect(self._step_finished)
        queries.step_started.connect(
            lambda index, total: self.status.query_step(f"Running statement {index} of {total}")
        )
        queries.finished.connect(self._query_finished)
        queries.failed.connect(self._query_failed)
        queries.cancelled.connect(self._query_cancelled)
        queries.plan_ready.connect(self._plan_ready)

    def _connect_editor_tabs(self) -> None:
        tabs = self.editor_tabs
        tabs.run_requested.connect(self.run_query)
        tabs.run_all_requested.connect(self._run_script)
        tabs.explain_requested.connect(self._explain)
        tabs.cancel_requested.connect(self.cancel_query)
        tabs.set_catalog_source(lambda: self.sources.catalog)

    def _connect_grid(self) -> None:
        grid = self.grid
        grid.chart_requested.connect(self._chart_requested)
        grid.note.connect(lambda text: self.messages.add(text, "success"))
        grid.error.connect(lambda text, exc: self._note("error", text, exc))
        grid.result_changed.connect(lambda _handle: self._update_actions())

    def _update_actions(self) -> None:
        a = self.actions_
        is_open = self.session.is_open
        running = self.queries.running
        for action in (a.run, a.run_all, a.explain, a.explain_analyze):
            action.setEnabled(is_open and not running)
        self.editor_panel.run_button.setEnabled(is_open and not running)
        a.cancel.setEnabled(running)
        self.editor_panel.cancel_button.setEnabled(running)
        for action in (a.import_file, a.add_source, a.refresh, a.save_query, a.save_query_as):
            action.setEnabled(is_open)
        self.sources_panel.import_button.setEnabled(is_open)
        a.sample.setEnabled(is_open and not self.session.sample_loading)
        a.export_menu.setEnabled(self.grid.handle is not None and is_open)

    @property
    def editor(self) -> SqlEditor:
        """The SQL editor of the current tab."""
        return self.editor_tabs.current()

    @property
    def results(self) -> Any:
        """The grid's model."""
        return self.grid.model

    @property
    def table(self) -> Any:
        """The grid's table view."""
        return self.grid.table

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_shown.emit)

    # ------------------------------------------------------------------ layout and tabs
    def layout_state(self) -> Layout:
        """The window's layout as plain data (what :meth:`restore_layout` takes)."""
        return {
            "geometry": _b64(self.saveGeometry()),
            "state": _b64(self.saveState()),
            "main": _b64(self.main_split.saveState()),
            "centre": _b64(self.centre.saveState()),
            "left_tab": LEFT_TABS[max(0, self.sources_panel.tabs.currentIndex())],
        }

    def restore_layout(self, layout: Layout) -> None:
        """Puts the window back as :meth:`layout_state` described it (bad parts are skipped)."""
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("state", self.restoreState),
            ("main", self.main_split.restoreState),
            ("centre", self.centre.restoreState),
        ):
            data = _unb64(layout.get(key))
            if data is not None:
                restore(data)
        if layout.get("left_tab") in LEFT_TABS:
            self.sources_panel.tabs.setCurrentIndex(LEFT_TABS.index(layout["left_tab"]))

    def tabs_state(self) -> tuple[list[Any], int] | None:
        """The editor tabs as state.sqlite stores them; None until they were restored (so
        an empty start never overwrites the saved tabs)."""
        if not self._tabs_restored:
            return None
        from aiser_desktop.core.state.store import EditorTab

        tabs = [
            EditorTab(t["title"], t["text"], int(t.get("cursor", 0)), t.get("saved_id"))
            for t in self.editor_tabs.state()
        ]
        return tabs, self.editor_tabs.currentIndex()

    def _restore_tabs(self, tabs: list[Any], current: int) -> None:
        if tabs:
            self.editor_tabs.restore(
                [
                    {"title": t.title, "text": t.sql, "cursor": t.cursor, "saved_id": t.saved_id}
                    for t in tabs
                ],
                max(0, min(current, len(tabs) - 1)),
            )
        self._tabs_restored = True

    def new_tab(self, text: str = "", title: str | None = None) -> SqlEditor:
        """Opens a new editor tab (Ctrl+T) and gives it the focus."""
        editor = self.editor_tabs.new_tab(text, title=title or "")
        editor.setFocus()
        return editor

    def save_query(self) -> None:
        """Ctrl+S: saves the current tab's query (asks for a name the first time)."""
        self.saving.save_query()

    def save_query_as(self) -> None:
        """Ctrl+Shift+S: saves the current tab's query under a new name."""
        self.saving.save_query_as()

    def open_sql(self, sql: str, title: str | None = None) -> SqlEditor:
        """Opens ``sql`` in a new tab (from the history, say)."""
        return self.new_tab(sql, title)

    def show_left(self, which: str) -> None:
        """Shows the Sources, History or Saved tab of the left panel (and its search box)."""
        panel = self.sources_panel
        page: dict[str, Any] = {
            "sources": panel.sources_page,
            "history": self.history,
            "saved": self.saved,
        }
        panel.tabs.setCurrentWidget(page[which])
        page[which].search.setFocus()
        page[which].search.selectAll()

    def set_theme(self, mode: str) -> None:
        """View > Theme: applies it now and remembers it in the settings file."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, mode)
        self.actions_.check_theme(mode)
        self.settings.theme = mode
        settings = self.settings
        self.session.tasks.start(
            "save the settings",
            settings.save,
            on_error=lambda exc: self._note("error", "The theme was not saved.", exc),
        )

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
        self.grid.set_engine(opened.ws.engine)
        self._show_catalog(opened.catalog)
        self._restore_tabs(*opened.tabs)
        self.history.attach(self.session)
        self.saved.attach(self.session)
        self.keeper.start(self._restored_layout or None, self.tabs_state())
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
        online = sum(1 for source in catalog if source.network)
        self.status.set_network(self.settings.network_enabled, online)
        if catalog:
            self.sources_panel.show_tree()
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
            self.editor.replace_all(SAMPLE_QUERY)

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

    # ------------------------------------------------------------------ the tree's menu
    def preview_table(self, sql_name: str) -> None:
        """Shows the first 100 rows of a table, in a tab of its own."""
        self.new_tab(f"select * from {sql_name} limit 100", title=sql_name)
        self.run_query()

    def count_rows(self, sql_name: str) -> None:
        """Counts a table's rows on a worker; the tree and the messages show the count."""

        def done(count: int) -> None:
            self.sources.set_row_count(sql_name, count)
            self.messages.add(f"{sql_name} has {rows_text(count)}.", "success")
            self.status.clear_task(f"{sql_name}: {rows_text(count)}")

        def failed(exc: BaseException) -> None:
            self.status.clear_task("Ready")
            self._note("error", f"The rows of {sql_name} could not be counted.", exc)

        if self.session.count_rows(sql_name, on_done=done, on_error=failed):
            self.status.set_task(f"Counting the rows of {sql_name}")

    def profile_column(self, table: str, column: str) -> Any:
        """Profiles a column of a table on a worker; returns the popup that shows it."""
        from aiser_desktop.ui.table_profile import TableProfilePopup

        if not self.session.is_open:
            return None
        popup = TableProfilePopup(self.session, table, column, self)
        popup.failed.connect(
            lambda exc: self._note("error", f"Profiling {table}.{column} failed.", exc)
        )
        item = self.sources.currentItem()
        rect = self.sources.visualItemRect(item) if item is not None else None
        anchor = rect.bottomLeft() if rect is not None else self.sources.rect().center()
        popup.show_at(self.sources.viewport().mapToGlobal(anchor))
        return popup

    def _chart_requested(self, column: str) -> None:
        self.results_panel.show_chart()
        self.messages.add(
            f"“Chart this” on {column}: charts arrive with the chart canvas, in a later version."
        )

    def export_results(self, fmt: str) -> Any:
        """File > Export results: the whole result to CSV, Parquet, Excel or JSON (asks for
        the file; progress and Cancel in a dialog). Returns the dialog, or None."""
        if self.grid.handle is None:
            return None
        return self.grid.export(fmt)

    # ------------------------------------------------------------------ queries
    def run_query(self) -> None:
        """Runs the statement under the cursor, or the selection (Ctrl+Enter)."""
        if self.session.closing:
            return
        sql, offset = self.editor.statement()
        self._start([Statement(sql, offset)])

    def run_all(self) -> None:
        """Runs every statement of the current tab (or of the selection) in order
        (Ctrl+Shift+Enter); stops at the first error."""
        if not self.session.closing:
            sql, offset = self.editor.script()
            self._run_script(sql, offset)

    def explain(self, *, analyze: bool) -> None:
        """Shows the plan of the statement under the cursor in the messages (EXPLAIN, or
        EXPLAIN ANALYZE, which runs it)."""
        if not self.session.closing:
            sql, _offset = self.editor.statement()
            self._explain(sql, analyze)

    def _run_script(self, sql: str, offset: int | None = None) -> None:
        from aiser_desktop.core.sql.statements import split

        if offset is None:  # from the editor's signal: the selection, or the whole text
            cursor = self.editor.textCursor()
            offset = cursor.selectionStart() if cursor.hasSelection() else 0
        self._start([Statement(piece.text, offset + piece.start) for piece in split(sql)])

    def _explain(self, sql: str, analyze: bool) -> None:
        if self.session.closing or not sql.strip():
            return
        bound = self.editor.ask_parameters([Statement(sql)])
        if not bound:  # cancelled
            return
        self._running_editor = self.editor
        try:
            started = self.queries.explain(sql, analyze, bound[0].params)
        except AiserError as exc:
            self.messages.add_error("The plan could not be made.", exc)
            return
        if started:
            self.status.query_started("Running EXPLAIN ANALYZE" if analyze else "Explaining")
            self._update_actions()

    def _start(self, statements: list[Statement]) -> None:
        if self.session.closing or not self.queries.ready:
            return
        editor = self.editor
        statements = [s for s in statements if s.sql.strip()]
        if not statements:
            return
        bound = editor.ask_parameters(statements)  # asks only when there are $names
        if bound is None:  # the person cancelled the parameters' dialog
            return
        editor.clear_error()
        self._running_editor = editor
        try:
            started = self.queries.run_script(bound)
        except AiserError as exc:
            self.messages.add_error("The query could not start.", exc)
            return
        if started:
            total = self.queries.total
            self.status.query_started(
                "Running query" if total == 1 else f"Running statement 1 of {total}"
            )
            self._update_actions()

    def cancel_query(self) -> None:
        """Cancels the running query (the engine stops it within milliseconds); with none
        running, stops a sort, filter or export of the result."""
        if self.queries.cancel():
            self.status.query_cancelling()
        else:
            self.grid.cancel_work()

    def _cancel_clicked(self) -> None:
        """The status bar's Cancel: the query if one runs, else the work on sources."""
        if self.queries.running:
            self.cancel_query()
        elif self.session.cancel_sources():
            self.status.task_cancelling()

    def _step_finished(self, index: int, total: int, msg: QueryFinished) -> None:
        what = rows_text(msg.rows) if msg.columns else "done"
        self.messages.add(
            f"Statement {index} of {total}: {what} in {seconds_text(msg.seconds)}.", "success"
        )

    def _query_finished(self, msg: QueryFinished) -> None:
        handle = msg.result
        took = seconds_text(msg.seconds)
        script = self.queries.total > 1
        prefix = f"Statement {self.queries.index} of {self.queries.total}: " if script else ""
        if handle is None or handle.column_count == 0:
            self.grid.set_result(None)
            self.results_panel.show_message(f"The statement ran in {took}.")
            self.status.query_ended("Ready", f"Statement ran in {took}")
            self.messages.add(f"{prefix}the statement ran in {took}.", "success")
        else:
            self.grid.set_result(handle)
            self.results_panel.show_rows()
            columns = "1 column" if msg.columns == 1 else f"{msg.columns} columns"
            self.status.query_ended("Ready", f"{rows_text(msg.rows)} · {columns} · {took}")
            self.messages.add(f"{prefix}{rows_text(msg.rows)} in {took}.", "success")
        self._query_ended("finished")

    def _plan_ready(self, text: str, analyze: bool, seconds: float) -> None:
        title = "Query plan (EXPLAIN ANALYZE: the statement ran)" if analyze else "Query plan"
        self.messages.add_plan(title, text)
        self.results_panel.show_messages()
        self.status.query_ended("Ready", f"Plan in {seconds_text(seconds)}")
        self._query_ended("finished")

    def _query_failed(self, msg: QueryFailed) -> None:
        where = ""
        if self.queries.total > 1:
            where = (
                f" (statement {self.queries.index} of {self.queries.total}; the rest did not run)"
            )
        self.status.query_ended(f"Query failed after {seconds_text(msg.seconds)}")
        self.messages.add_error(f"The query failed{where}.", msg.error)
        self.results_panel.show_messages()
        editor = getattr(self, "_running_editor", None) or self.editor
        if isinstance(msg.error, QueryError) and msg.error.position is not None:
            offset = self.queries.offset + msg.error.position.offset
            editor.show_error(offset, 0, msg.error.message)
            editor.move_to(offset)
        self._query_ended("failed")

    def _query_cancelled(self, msg: QueryCancelled) -> None:
        text = f"Query cancelled after {seconds_text(msg.seconds)}"
        self.status.query_ended(text)
        self.messages.add(f"{text}.")
        self._query_ended("cancelled")

    def _query_ended(self, how: str) -> None:
        self._update_actions()
        editor = getattr(self, "_running_editor", None)
        if editor is not None and editor is self.editor:
            editor.setFocus()
        self._history_timer.start()
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
        """Saves the layout and tabs, cancels the running query, waits for background work
        and releases the workspace."""
        if not self.session.closing:
            self.keeper.flush()
            self.hide()
            self.queries.cancel()
            self.queries.attach(None)
            self.grid.cancel_work()
            self.grid.set_engine(None)
            self.session.close()
        event.accept()


def _b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _unb64(text: object) -> QByteArray | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return QByteArray(base64.b64decode(text.encode("ascii"), validate=True))
    except ValueError:
        return None
