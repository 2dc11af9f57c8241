"""The Metrics tab's place in the window: one :func:`attach` call from the main window.

It hands the panel the workspace when it opens, shows a metrics result in the grid (an Arrow
table wrapped in a ResultHandle, as a query's would be) and its chart in the Chart tab, opens
model files in editor tabs (:class:`~aiser_desktop.ui.model_editor.ModelEditor`, beside the
SQL tabs), puts saved files' problems in the messages pane, and lets members be dropped on the
results panel (the grid and the Chart tab) to build a query.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QPlainTextEdit, QTabBar, QTabWidget, QWidget

from aiser_desktop.ui.metrics_query import MEMBER_MIME, dropped_members
from aiser_desktop.ui.sources_tree import rows_text
from aiser_desktop.ui.status import seconds_text

if TYPE_CHECKING:
    from aiser_desktop.ui.main_window import MainWindow
    from aiser_desktop.ui.metrics_panel import MetricsPanel
    from aiser_desktop.ui.model_editor import ModelEditor

log = logging.getLogger(__name__)


class _DropTarget(QObject):
    """An event filter: members dropped on the results panel or its tabs go to the query."""

    def __init__(self, panel: MetricsPanel, parent: QObject) -> None:
        super().__init__(parent)
        self._panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Close and watched is self.parent():
            # The window is closing: let a metrics query or check end before the workspace.
            self._panel.workspace = None
            self._panel.tasks.wait(10_000)
            return False
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDragMoveEvent)
            if event.mimeData().hasFormat(MEMBER_MIME):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            members = dropped_members(event.mimeData())
            if members:
                event.acceptProposedAction()
                self._panel.show_chart_next = self._on_chart(watched, event)
                self._panel.add_members(members)
                return True
        return False

    @staticmethod
    def _on_chart(watched: QObject, event: QDropEvent) -> bool:
        """Whether the drop landed on the Chart tab (its tab, or its page in front)."""
        if isinstance(watched, QTabBar):
            return watched.tabText(watched.tabAt(event.position().toPoint())) == "Chart"
        tabs = getattr(watched, "tabs", None)
        return isinstance(tabs, QTabWidget) and tabs.tabText(tabs.currentIndex()) == "Chart"


class _EditorDrops(QObject):
    """An event filter on the SQL editors: members dropped there become the SQL of a query
    of them (a measure's aggregate, grouped by the dimensions), at the drop point."""

    def __init__(self, panel: MetricsPanel, parent: QObject) -> None:
        super().__init__(parent)
        self._panel = panel

    def watch(self, tabs: Any) -> None:
        """Filters every editor of ``tabs`` not filtered yet (call when tabs change)."""
        for editor in tabs.editors():
            if not editor.property("metricsDrops"):
                editor.setProperty("metricsDrops", True)
                editor.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Drop:
            return False
        assert isinstance(event, QDropEvent)
        members = dropped_members(event.mimeData())
        editor = watched.parent() if isinstance(watched, QWidget) else None
        sql = self._panel.sql_for(members) if members else None
        if sql is None or not isinstance(editor, QPlainTextEdit):
            return False  # the editor drops the members' names, as text
        cursor = editor.cursorForPosition(event.position().toPoint())
        cursor.insertText(sql)
        editor.setTextCursor(cursor)
        event.acceptProposedAction()
        return True


def attach(window: MainWindow) -> MetricsPanel:
    """Wires the window's Metrics tab (``window.sources_panel.metrics``); returns it."""
    panel = window.sources_panel.metrics
    window.workspace_opened.connect(lambda: panel.set_workspace(window.ws))
    panel.result_ready.connect(lambda c, t, s: show_result(window, panel, c, t, s))
    panel.failed.connect(lambda text, exc: _error(window, text, exc))
    panel.note.connect(lambda kind, text: window.messages.add(text, kind))
    panel.open_sql.connect(lambda sql: window.open_sql(sql, "Metrics query"))
    panel.open_file.connect(lambda path, text, new: open_model_file(window, path, text, new))
    target = _DropTarget(panel, window)
    results = window.results_panel
    for widget in (results, results.tabs.tabBar()):
        widget.setAcceptDrops(True)
        widget.installEventFilter(target)
    window.installEventFilter(target)
    window.metrics_drop_target = target  # kept alive with the window
    editors = _EditorDrops(panel, window)
    window.metrics_editor_drops = editors

    def watch_editors() -> None:
        tabs = window.editor_tabs
        if tabs is not None:
            editors.watch(tabs)
            tabs.tabs_changed.connect(lambda: editors.watch(tabs))

    window.widgets_ready.connect(watch_editors)
    return panel


def _error(window: MainWindow, text: str, exc: object) -> None:
    window.messages.add_error(text, str(exc) or type(exc).__name__)
    window.results_panel.show_messages()


def show_result(
    window: MainWindow, panel: MetricsPanel, compiled: Any, table: Any, seconds: float
) -> None:
    """A metrics result in the grid, the status bar, the messages and the Chart tab."""
    from aiser_desktop.core.engine.result import ResultHandle

    grid = window.grid
    if grid is None:
        return
    handle = ResultHandle(0, compiled.sql, table, seconds)
    grid.set_result(handle)
    window.results_panel.show_rows()
    source = (
        f", read from the pre-aggregation {compiled.pre_aggregation}"
        if (compiled.pre_aggregation)
        else ""
    )
    measures = ", ".join(panel.builder.measures.names()) or "dimensions"
    window.messages.add(
        f"Metrics query ({measures}): {rows_text(handle.row_count) or '0 rows'} in "
        f"{seconds_text(seconds)}{source}.",
        "success",
    )
    window.status.last_result.setText(
        f"{rows_text(handle.row_count) or '0 rows'} · metrics · {seconds_text(seconds)}"
    )
    drawn = show_chart(window, panel.last_chart, handle)
    if drawn and panel.show_chart_next:
        window.results_panel.show_chart()
    panel.show_chart_next = False


def show_chart(window: MainWindow, spec: Any, handle: Any) -> bool:
    """Draws ``spec`` over the result in the Chart tab's canvas; True if it started."""
    canvas, ws = window.chart_canvas, window.ws
    if spec is None or canvas is None or ws is None:
        return False
    canvas.set_engine(ws.engine)
    try:
        return bool(canvas.chart_result(handle, spec))
    except Exception:
        log.exception("the metrics chart could not be drawn")
        return False


def open_model_file(window: MainWindow, path: Path, text: str, new: bool) -> ModelEditor | None:
    """Shows ``path`` in a model editor tab (the open one, if it is open already)."""
    from aiser_desktop.ui.model_editor import ModelEditor

    tabs = window.editor_tabs
    panel = window.sources_panel.metrics
    if tabs is None:
        return None
    for i in range(tabs.count()):
        page = tabs.widget(i)
        if isinstance(page, ModelEditor) and page.path == Path(path):
            tabs.setCurrentIndex(i)
            return page
    editor = ModelEditor(Path(path), text, panel.model, panel.tasks, new=new)
    editor.saved.connect(lambda _path: _saved(window, editor))
    editor.note.connect(lambda kind, message: window.messages.add(message, kind))
    panel.model_changed.connect(editor.set_model)
    title = Path(path).name + (" •" if new else "")
    tabs.add_page(editor, title, str(path))
    editor.text.setFocus()
    return editor


def _saved(window: MainWindow, editor: ModelEditor) -> None:
    """A model file was written: its problems to the messages pane; the model reloaded."""
    if editor.problems:
        window.messages.add_error(
            f"{editor.path.name} was saved with {len(editor.problems)} problem(s).",
            "\n".join(str(p) for p in editor.problems),
        )
    window.sources_panel.metrics.reload()
