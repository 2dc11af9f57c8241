"""The grid's table view and its filter dialog (the widget :mod:`results_view` builds on).

:class:`ResultsTable` copies as TSV, sends Ctrl+Home/End to the result's real ends (the model
shows a window onto a big result) and keeps column widths sensible; :class:`FilterDialog` asks
for one filter on a column.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.engine.derive import OPERATORS, Filter
from aiser_desktop.ui.results_model import ResultsModel

MIN_COLUMN_WIDTH = 64
MAX_COLUMN_WIDTH = 360
SAMPLE_ROWS = 200  # rows of the first page measured for the first column widths

_OP_LABELS = {
    "=": "equals",
    "<>": "does not equal",
    "<": "is less than",
    ">": "is greater than",
    "<=": "is at most",
    ">=": "is at least",
    "contains": "contains",
    "is null": "is NULL",
    "is not null": "is not NULL",
}


def tsv_field(text: str) -> str:
    """A value for tab-separated text, quoted like spreadsheets do when it holds a tab,
    a newline or a quote."""
    if any(c in text for c in '\t\n\r"'):
        return '"' + text.replace('"', '""') + '"'
    return text


class ResultsTable(QTableView):
    """The grid itself: copy as TSV, Ctrl+End to the last row, widths kept sensible."""

    copy_requested = Signal(bool)  # with headers

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("results")
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Per item vertically: 100M rows of pixels would overflow the scroll bar's int range.
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        vertical.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        horizontal = self.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setStretchLastSection(False)
        horizontal.setSectionsClickable(True)
        horizontal.setSortIndicatorShown(False)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        horizontal.setResizeContentsPrecision(SAMPLE_ROWS)
        horizontal.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            headers = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.copy_requested.emit(headers)
            event.accept()
            return
        if event.key() == Qt.Key.Key_C and event.modifiers() == (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        ):
            self.copy_requested.emit(True)
            event.accept()
            return
        super().keyPressEvent(event)

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Any) -> Any:
        """Ctrl+Home and Ctrl+End go to the result's first and last rows, not the window's."""
        model = self.model()
        if isinstance(model, ResultsModel) and model.windowed:
            ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
            column = max(0, self.currentIndex().column())
            if ctrl and action == QAbstractItemView.CursorAction.MoveEnd:
                model.move_window(model.total_rows)
                return model.index(model.rowCount() - 1, column)
            if ctrl and action == QAbstractItemView.CursorAction.MoveHome:
                model.move_window(0)
                return model.index(0, column)
        return super().moveCursor(action, modifiers)

    def sizeHintForColumn(self, column: int) -> int:
        """Auto-fit (double-click on a header edge) measures the visible rows, within limits."""
        return max(MIN_COLUMN_WIDTH, min(super().sizeHintForColumn(column), MAX_COLUMN_WIDTH))


class FilterDialog(QDialog):
    """Asks for one filter on a column: an operator and a value."""

    def __init__(
        self,
        label: str,
        value: str = "",
        parent: QWidget | None = None,
        *,
        column: str | int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Filter {label}")
        self.column = label if column is None else column
        column_label = label
        self.op = QComboBox()
        for op in OPERATORS:
            self.op.addItem(_OP_LABELS[op], op)
        self.value = QLineEdit(value)
        self.value.setPlaceholderText("value")
        self.op.currentIndexChanged.connect(self._op_changed)
        form = QFormLayout()
        form.addRow(QLabel(f"Keep the rows where <b>{html.escape(column_label)}</b>"))
        form.addRow(self.op)
        form.addRow(self.value)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.value.setFocus()

    def _op_changed(self) -> None:
        self.value.setEnabled(self.op.currentData() not in ("is null", "is not null"))

    def filter(self) -> Filter:
        op = str(self.op.currentData())
        value = None if op in ("is null", "is not null") else self.value.text()
        return Filter(self.column, op, value)
