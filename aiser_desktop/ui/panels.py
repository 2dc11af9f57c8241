"""The window's panels: sources, history and saved queries (left); the editor tabs (centre,
above); results, chart and messages (centre, below).

Only layout lives here; what the widgets do is wired in :mod:`aiser_desktop.ui.main_window`.
The editor tabs and the grid are imported only under TYPE_CHECKING: they bring sqlglot,
DuckDB and Arrow, which the window loads after it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.ui.dashboards.panel import DashboardsPanel
from aiser_desktop.ui.history_panel import HistoryPanel, SavedQueriesPanel
from aiser_desktop.ui.messages import MessagesPane
from aiser_desktop.ui.metrics_panel import MetricsPanel
from aiser_desktop.ui.sources_tree import SourcesTree
from aiser_desktop.ui.widgets import search_box

if TYPE_CHECKING:
    from aiser_desktop.ui.editor_tabs import EditorTabs
    from aiser_desktop.ui.results_view import ResultsView

CHART_EMPTY = "Getting the chart ready…"


def _frame() -> tuple[QFrame, QVBoxLayout]:
    """A rounded panel; returns it and its body layout."""
    frame = QFrame()
    frame.setObjectName("panel")
    body = QVBoxLayout(frame)
    body.setContentsMargins(1, 1, 1, 1)
    body.setSpacing(0)
    return frame, body


def _hosted(widget: QWidget) -> QVBoxLayout:
    """Puts ``widget``'s content in a panel frame filling it; returns the frame's body."""
    frame, body = _frame()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(frame)
    return body


def placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class SourcesPage(QWidget):
    """The sources tree under its search box and + Add, and a message in the tree's place
    while it is empty (or nothing matches the search)."""

    def __init__(self) -> None:
        super().__init__()
        self.search = search_box("Search sources, tables, columns")
        self.add_button = QToolButton()
        self.add_button.setObjectName("flat")
        self.add_button.setText("+ Add")
        self.add_button.setToolTip(
            "Add a file, folder, database, lake or web source (Ctrl+Shift+O)"
        )
        self.tree = SourcesTree()
        self.placeholder = placeholder("Opening workspace…")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.tree)
        row = QHBoxLayout()
        row.setContentsMargins(8, 0, 6, 6)
        row.setSpacing(4)
        row.addWidget(self.search, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        self._message = "Opening workspace…"
        self.search.textChanged.connect(self._filter)

    def show_message(self, text: str) -> None:
        self._message = text
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def show_tree(self) -> None:
        self._message = ""
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        if self._message:  # nothing to search yet
            return
        matches = self.tree.set_filter(text)
        if matches or not text.strip():
            self.stack.setCurrentWidget(self.tree)
        else:
            self.placeholder.setText(f"No source, table or column matches “{text.strip()}”.")
            self.stack.setCurrentWidget(self.placeholder)


class SourcesPanel(QFrame):
    """The left panel: Sources, History, Saved, Metrics and Dashboards as tabs."""

    def __init__(self) -> None:
        super().__init__()
        body = _hosted(self)
        self.sources_page = SourcesPage()
        self.import_button = self.sources_page.add_button
        self.tree = self.sources_page.tree
        self.search = self.sources_page.search
        self.placeholder = self.sources_page.placeholder
        self.stack = self.sources_page.stack
        self.history = HistoryPanel()
        self.saved = SavedQueriesPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("leftTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.sources_page, "Sources")
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.saved, "Saved")
        self.metrics = MetricsPanel()  # the semantic model (ui/metrics_window.py wires it)
        self.tabs.addTab(self.metrics, "Metrics")
        self.dashboards = DashboardsPanel()  # ui/dashboards/controller.py wires it
        self.tabs.addTab(self.dashboards, "Boards")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.dashboards), "Dashboards (Ctrl+4)")
        body.addWidget(self.tabs)

    def show_message(self, text: str) -> None:
        self.sources_page.show_message(text)

    def show_tree(self) -> None:
        self.sources_page.show_tree()


class EditorPanel(QFrame):
    """The editor tabs, with Run and Cancel at the right end of the tab bar.

    The tabs come in :meth:`install`, once their module is imported (off the GUI thread,
    after the window is first shown: the editor brings sqlglot); until then the panel says
    it is getting ready.
    """

    def __init__(self) -> None:
        super().__init__()
        self.body = _hosted(self)
        self.tabs: EditorTabs | None = None
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the running query (Esc)")
        self.run_button = QPushButton("▶  Run")
        self.run_button.setObjectName("primary")
        self.run_button.setToolTip(
            "Run the statement under the cursor, or the selected text (Ctrl+Enter); "
            "Ctrl+Shift+Enter runs them all"
        )
        self.placeholder = placeholder("Getting the editor ready…")
        self.body.addWidget(self.placeholder)

    def install(self, tabs: EditorTabs) -> None:
        """Puts the editor tabs in place of the placeholder."""
        plus = tabs.cornerWidget(Qt.Corner.TopRightCorner)  # the tabs' own "+"
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 4, 8, 4)
        row.setSpacing(6)
        if plus is not None:
            row.addWidget(plus)
            row.addSpacing(10)
        row.addWidget(self.cancel_button)
        row.addWidget(self.run_button)
        tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.body.replaceWidget(self.placeholder, tabs)
        self.placeholder.deleteLater()
        self.tabs = tabs


class ResultsPanel(QFrame):
    """Results (the grid), Chart (the chart canvas) and Messages, with a Chart button.

    The grid comes in :meth:`install`, like the editor tabs (it brings DuckDB and Arrow);
    the canvas in :meth:`install_chart` (it brings pyqtgraph).
    """

    def __init__(self) -> None:
        super().__init__()
        body = _hosted(self)
        body.setContentsMargins(1, 4, 1, 1)
        self.view: ResultsView | None = None
        self.results_placeholder = placeholder("Run a query to see its rows here.")
        self.chart: QWidget = placeholder(CHART_EMPTY)  # the canvas once installed
        self.messages = MessagesPane()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.results_placeholder, "Results")
        self.tabs.addTab(self.chart, "Chart")
        self.tabs.addTab(self.messages, "Messages")
        self.chart_button = QToolButton()
        self.chart_button.setObjectName("flat")
        self.chart_button.setText("Chart")
        self.chart_button.setToolTip("Chart the result with the recommended chart (Ctrl+Shift+G)")
        self.chart_button.setEnabled(False)
        self.tabs.setCornerWidget(self.chart_button, Qt.Corner.TopRightCorner)
        body.addWidget(self.tabs)

    def install_chart(self, canvas: QWidget) -> None:
        """Puts the chart canvas in the Chart tab (``self.chart`` is then the canvas)."""
        index = self.tabs.indexOf(self.chart)
        current = self.tabs.currentIndex()
        self.tabs.removeTab(index)
        self.chart.deleteLater()
        self.tabs.insertTab(index, canvas, "Chart")
        self.tabs.setCurrentIndex(current)
        self.chart = canvas

    def install(self, view: ResultsView) -> None:
        """Puts the grid in the Results tab."""
        current = self.tabs.currentIndex()
        self.tabs.removeTab(0)
        self.results_placeholder.deleteLater()
        self.tabs.insertTab(0, view, "Results")
        self.tabs.setCurrentIndex(current)
        self.view = view

    def show_rows(self) -> None:
        if self.view is not None:
            self.tabs.setCurrentWidget(self.view)

    def show_message(self, text: str) -> None:
        if self.view is not None:
            self.view.show_message(text)
            self.tabs.setCurrentWidget(self.view)

    def show_messages(self) -> None:
        self.tabs.setCurrentWidget(self.messages)

    def show_chart(self) -> None:
        self.tabs.setCurrentWidget(self.chart)
