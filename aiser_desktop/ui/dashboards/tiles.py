"""What a tile shows: a chart, a KPI number with its change, a table, or a note.

Each body takes a refreshed :class:`TileResult` and only draws it; the queries ran on a
worker (:mod:`aiser_desktop.ui.dashboards.view`). A chart uses the window's chart canvas
(``ui/charts/canvas.py``) when it is installed; otherwise the chart's data is shown as a
table, so a dashboard is never blank.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from aiser_desktop.core.dashboards.html_export import display, kpi_parts
from aiser_desktop.core.dashboards.refresh import TileResult
from aiser_desktop.ui import theme

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex


class ArrowModel(QAbstractTableModel):
    """A small Arrow table (a tile's first rows) for a QTableView; values are read per cell
    from the Arrow columns, never copied into Python rows."""

    def __init__(self, table: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self._table = table
        import pyarrow.types as pat

        self._numeric = [
            pat.is_integer(f.type) or pat.is_floating(f.type) or pat.is_decimal(f.type)
            for f in table.schema
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else int(self._table.num_rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._table.num_columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._table.column(index.column())[index.row()].as_py()
            return display(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._numeric[index.column()]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._table.column_names[section]
        return None


def _label(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def message_body(text: str, *, error: bool = False) -> QWidget:
    """A centred message: "Refreshing…", "Not refreshed yet", or an error's own words."""
    label = QLabel(text)
    label.setObjectName("placeholder")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if error:
        label.setStyleSheet(f"color: {theme.colours().error}; padding: 8px;")
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def text_body(text: str) -> QWidget:
    label = _label(text.strip() or "(empty note)")
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setContentsMargins(2, 0, 2, 0)
    return label


def kpi_body(result: TileResult) -> QWidget:
    value, change, label, direction = kpi_parts(result)
    c = theme.colours()
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 0, 2, 0)
    layout.setSpacing(2)
    number = QLabel(value)
    number.setObjectName("kpiValue")
    number.setStyleSheet(f"font-size: 28pt; font-weight: 600; color: {c.text};")
    layout.addWidget(number)
    if change:
        arrow = {1: "▲ ", -1: "▼ "}.get(direction, "")
        colour = {1: c.success, -1: c.error}.get(direction, c.muted)
        moved = QLabel(arrow + change)
        moved.setObjectName("kpiChange")
        moved.setStyleSheet(f"color: {colour}; font-weight: 600;")
        layout.addWidget(moved)
    if label:
        layout.addWidget(_label(label, "muted"))
    layout.addStretch(1)
    return box


def table_body(result: TileResult) -> QWidget:
    view = QTableView()
    view.setObjectName("tileTable")
    view.setModel(ArrowModel(result.table, view))
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    view.resizeColumnsToContents()
    return view


def chart_body(result: TileResult) -> QWidget:
    """The chart canvas (crosshair, zoom, legend) with the tile's data; the data as a table
    when no canvas is installed or it cannot draw this chart."""
    try:
        from aiser_desktop.ui.charts.canvas import ChartCanvas
    except ImportError:
        return table_body(result)
    try:
        canvas = ChartCanvas(toolbar=False)
        canvas.set_data(result.chart)
        canvas.setProperty("drawsTitle", True)  # the chart shows the tile's title itself
    except Exception:
        log.exception("the chart canvas could not draw tile %r", result.tile.title)
        return table_body(result)
    return canvas


def body_for(result: TileResult) -> QWidget:
    """The widget that shows ``result`` in its tile."""
    tile = result.tile
    if tile.kind == "text":
        return text_body(tile.text or "")
    if result.error is not None:
        return message_body(str(result.error), error=True)
    if result.table is None:
        return message_body("No data.")
    if tile.kind == "kpi":
        return kpi_body(result)
    if tile.kind == "chart":
        return chart_body(result)
    return table_body(result)
