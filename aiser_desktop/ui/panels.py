"""The window's three panels: sources (left), SQL (centre), results and messages (below).

Only layout lives here; what the widgets do is wired in :mod:`aiser_desktop.ui.main_window`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.ui.messages import MessagesPane
from aiser_desktop.ui.results_model import ResultsModel
from aiser_desktop.ui.sources_tree import SourcesTree
from aiser_desktop.ui.sql_editor import SqlEditor

MIN_COLUMN_WIDTH = 72
MAX_COLUMN_WIDTH = 360


def _panel(title: str, *header_widgets: QWidget) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded panel with a small title row; returns it and its body layout."""
    frame = QFrame()
    frame.setObjectName("panel")
    outer = QVBoxLayout(frame)
    outer.setContentsMargins(1, 1, 1, 1)
    outer.setSpacing(0)
    header = QHBoxLayout()
    header.setContentsMargins(12, 8, 8, 8)
    header.setSpacing(6)
    label = QLabel(title.upper())
    label.setObjectName("panelTitle")
    header.addWidget(label)
    header.addStretch(1)
    for widget in header_widgets:
        header.addWidget(widget)
    outer.addLayout(header)
    return frame, outer


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class SourcesPanel(QFrame):
    """The sources tree with its title row, and a message in its place while it is empty."""

    def __init__(self) -> None:
        super().__init__()
        self.import_button = QToolButton()
        self.import_button.setObjectName("flat")
        self.import_button.setText("+ Add")
        self.import_button.setToolTip(
            "Add a file, folder, database, lake or web source (Ctrl+Shift+O)"
        )
        frame, body = _panel("Sources", self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.tree = SourcesTree()
        self.placeholder = _placeholder("Opening workspace…")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.tree)
        body.addWidget(self.stack)

    def show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def show_tree(self) -> None:
        self.stack.setCurrentWidget(self.tree)


class EditorPanel(QFrame):
    """The SQL box with its Run and Cancel buttons."""

    def __init__(self) -> None:
        super().__init__()
        hint = QLabel("Ctrl+Enter to run · Esc to cancel")
        hint.setObjectName("muted")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the running query (Esc)")
        self.run_button = QPushButton("▶  Run")
        self.run_button.setObjectName("primary")
        self.run_button.setToolTip("Run the SQL, or the selected part of it (Ctrl+Enter)")
        frame, body = _panel("SQL", hint, self.cancel_button, self.run_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.editor = SqlEditor()
        body.addWidget(self.editor)


class ResultsPanel(QFrame):
    """The results grid and the messages pane, as two tabs."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        frame = QFrame()
        frame.setObjectName("panel")
        layout.addWidget(frame)
        body = QVBoxLayout(frame)
        body.setContentsMargins(1, 4, 1, 1)

        self.model = ResultsModel()
        self.table = QTableView()
        self.table.setObjectName("results")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        horizontal = self.table.horizontalHeader()
        horizontal.setResizeContentsPrecision(200)
        horizontal.setHighlightSections(False)
        horizontal.setStretchLastSection(False)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.placeholder = _placeholder("Run a query to see its rows here.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.table)
        self.messages = MessagesPane()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, "Results")
        self.tabs.addTab(self.messages, "Messages")
        body.addWidget(self.tabs)

    def show_rows(self) -> None:
        self.stack.setCurrentWidget(self.table)
        self.table.scrollToTop()
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            width = header.sectionSize(column)
            header.resizeSection(column, max(MIN_COLUMN_WIDTH, min(width, MAX_COLUMN_WIDTH)))
        self.tabs.setCurrentIndex(0)

    def show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self.tabs.setCurrentIndex(0)

    def show_messages(self) -> None:
        self.tabs.setCurrentWidget(self.messages)
