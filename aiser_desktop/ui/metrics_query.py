"""The Metrics tab's query builder and what the tree and the builder share: member icons,
drag data, and the chart spec of a metrics result.

The builder holds a semantic query as a person builds it (measures and dimensions as chips, a
time axis with its granularity, one filter, segments) and gives it in the JSON shape of Cube's
``/load`` query (:meth:`QueryBuilder.query`). Members dropped on it are added and run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QIcon, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from aiser_desktop.ui import icons, theme

MEMBER_MIME = "application/x-aiser-member"
NAME_ROLE = Qt.ItemDataRole.UserRole  # a member's full name, or a cube's name
GRANULARITIES = ("hour", "day", "week", "month", "quarter", "year")
OPERATORS = (
    ("equals", "="), ("notEquals", "≠"), ("contains", "contains"), ("gt", ">"),
    ("gte", "≥"), ("lt", "<"), ("lte", "≤"), ("set", "is set"), ("notSet", "is not set"),
)  # fmt: skip
_DIMENSION_FAMILY = {"string": "text", "number": "number", "time": "time", "boolean": "bool"}


# ---------------------------------------------------------------------- icons
@cache
def _icon(kind: str, dark: bool) -> QIcon:
    pixmap, painter = icons._canvas()
    if kind == "cube":
        colour = QColor("#7aa2ff" if dark else "#2f5bd3")
        painter.setPen(QPen(colour, 1.2))
        top = QPolygonF([QPointF(8, 1.5), QPointF(14, 4.5), QPointF(8, 7.5), QPointF(2, 4.5)])
        fill = QColor(colour)
        fill.setAlpha(70)
        painter.setBrush(fill)
        painter.drawPolygon(top)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(
            QPolygonF([QPointF(2, 4.5), QPointF(2, 11.5), QPointF(8, 14.5), QPointF(14, 11.5)])
        )
        painter.drawLine(QPointF(14, 4.5), QPointF(14, 11.5))
        painter.drawLine(QPointF(8, 7.5), QPointF(8, 14.5))
    else:
        glyph, light, dark_colour = {"measure": ("Σ", "#0f766e", "#4fd1c5"),
                                     "segment": ("⊂", "#be185d", "#f07bb5")}[kind]  # fmt: skip
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(12)
        painter.setFont(font)
        painter.setPen(QColor(dark_colour if dark else light))
        painter.drawText(QRectF(0, 0, 16, 16), Qt.AlignmentFlag.AlignCenter, glyph)
    return icons._finish(pixmap, painter)


def member_icon(kind: str, cube_type: str = "") -> QIcon:
    """The icon of a cube, a measure, a segment, or a dimension by its type."""
    if kind == "dimension":
        return icons.type_icon(_DIMENSION_FAMILY.get(cube_type, "other"))
    return _icon(kind, theme.is_dark())


def member_mime(entries: list[dict[str, str]]) -> QMimeData:
    """Drag data: the members as JSON, and their names as text (for the SQL editor)."""
    mime = QMimeData()
    mime.setData(MEMBER_MIME, json.dumps(entries).encode("utf-8"))
    mime.setText(", ".join(e["name"] for e in entries))
    return mime


def dropped_members(mime: QMimeData) -> list[dict[str, str]]:
    if not mime.hasFormat(MEMBER_MIME):
        return []
    try:
        data = json.loads(bytes(mime.data(MEMBER_MIME).data()).decode("utf-8"))
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict) and "name" in d and "kind" in d]


# ---------------------------------------------------------------------- the query builder
class _Chips(QListWidget):
    """Members as a wrapping row of chips; Delete or double-click removes one."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setMaximumHeight(52)
        self.setObjectName("chips")
        self.setToolTip("Double-click a member, or press Delete, to take it out of the query")
        self.itemDoubleClicked.connect(self._remove)

    def names(self) -> list[str]:
        return [str(self.item(i).data(NAME_ROLE)) for i in range(self.count())]

    def add(self, name: str, kind: str, cube_type: str = "") -> bool:
        if name in self.names():
            return False
        item = QListWidgetItem(member_icon(kind, cube_type), name)
        item.setData(NAME_ROLE, name)
        self.addItem(item)
        self.changed.emit()
        return True

    def _remove(self, item: QListWidgetItem) -> None:
        self.takeItem(self.row(item))
        self.changed.emit()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem():
            self._remove(self.currentItem())
            return
        super().keyPressEvent(event)


class QueryBuilder(QFrame):
    """Measures, dimensions, a time dimension with its granularity, one filter; Run.

    Signals:
        run_requested: Run was pressed (or a member was dropped on it).
    """

    run_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("queryBuilder")
        self.setAcceptDrops(True)
        self.measures = _Chips()
        self.dimensions = _Chips()
        self.segments: list[str] = []
        self.time_dimension = QComboBox()
        self.time_dimension.addItem("No time axis", "")
        self.granularity = QComboBox()
        for grain in GRANULARITIES:
            self.granularity.addItem(grain, grain)
        self.granularity.setCurrentText("month")
        self.filter_member = QComboBox()
        self.filter_member.addItem("No filter", "")
        self.filter_operator = QComboBox()
        for op, label in OPERATORS:
            self.filter_operator.addItem(label, op)
        for combo in (
            self.time_dimension,
            self.granularity,
            self.filter_member,
            self.filter_operator,
        ):
            # Long member names must not widen the whole left panel.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(4)
        self.filter_value = QLineEdit()
        self.filter_value.setPlaceholderText("value(s), comma separated")
        self.run_button = QPushButton("▶  Run")
        self.run_button.setObjectName("primary")
        self.clear_button = QPushButton("Clear")
        self.sql_button = QPushButton("SQL")
        self.sql_button.setToolTip("Open the compiled SQL of this query in a new editor tab")

        title = QLabel("QUERY")
        title.setObjectName("panelTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(title)
        for label, widget in (("Measures", self.measures), ("Group by", self.dimensions)):
            caption = QLabel(label)
            caption.setObjectName("muted")
            layout.addWidget(caption)
            layout.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.time_dimension, 1)
        row.addWidget(self.granularity)
        layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.filter_member, 1)
        row.addWidget(self.filter_operator)
        layout.addLayout(row)
        layout.addWidget(self.filter_value)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.sql_button)
        row.addStretch(1)
        row.addWidget(self.run_button)
        layout.addLayout(row)
        self.clear_button.clicked.connect(self.clear)
        self.run_button.clicked.connect(self.run_requested)

    def set_model(self, model: Any) -> None:
        """Fills the time-axis and filter choices from ``model``; keeps what still exists."""
        names = {m.full_name for m in model.members()} if model is not None else set()
        for chips in (self.measures, self.dimensions):
            for i in reversed(range(chips.count())):
                if chips.item(i).data(NAME_ROLE) not in names:
                    chips.takeItem(i)
        choices: tuple[tuple[QComboBox, Callable[[Any], bool]], ...] = (
            (self.time_dimension, lambda m: m.kind == "dimension" and m.type == "time"),
            (self.filter_member, lambda m: m.kind == "dimension"),
        )
        for combo, pick in choices:
            current = combo.currentData()
            while combo.count() > 1:
                combo.removeItem(1)
            for cube in model.cubes.values() if model is not None else ():
                for member in cube.dimensions.values():
                    if pick(member):
                        combo.addItem(member.full_name, member.full_name)
            combo.setCurrentIndex(max(0, combo.findData(current)))

    def add(self, entry: dict[str, str]) -> None:
        """Adds a member where it belongs (see the module's docstring)."""
        name, kind, cube_type = entry["name"], entry["kind"], entry.get("type", "")
        if kind == "measure":
            self.measures.add(name, kind, cube_type)
        elif kind == "segment":
            if name not in self.segments:
                self.segments.append(name)
        elif cube_type == "time":
            index = self.time_dimension.findData(name)
            if index < 0:
                self.time_dimension.addItem(name, name)
                index = self.time_dimension.count() - 1
            self.time_dimension.setCurrentIndex(index)
        else:
            self.dimensions.add(name, kind, cube_type)

    def clear(self) -> None:
        self.measures.clear()
        self.dimensions.clear()
        self.segments = []
        self.time_dimension.setCurrentIndex(0)
        self.filter_member.setCurrentIndex(0)
        self.filter_value.clear()

    def query(self) -> dict[str, Any]:
        """The query in the JSON shape of Cube's ``/load``."""
        query: dict[str, Any] = {"measures": self.measures.names()}
        if self.dimensions.count():
            query["dimensions"] = self.dimensions.names()
        time_dimension = self.time_dimension.currentData()
        if time_dimension:
            query["timeDimensions"] = [
                {"dimension": time_dimension, "granularity": self.granularity.currentData()}
            ]
        member = self.filter_member.currentData()
        if member:
            op = self.filter_operator.currentData()
            values = [v.strip() for v in self.filter_value.text().split(",") if v.strip()]
            query["filters"] = [{"member": member, "operator": op, "values": values}]
        if self.segments:
            query["segments"] = list(self.segments)
        return query

    def is_empty(self) -> bool:
        return not self.measures.count() and not self.dimensions.count()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MEMBER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        for entry in dropped_members(event.mimeData()):
            self.add(entry)
        event.acceptProposedAction()
        self.run_requested.emit()


def chart_spec(
    query: dict[str, Any], columns: list[str], titles: dict[str, str] | None = None
) -> Any:
    """The chart of a metrics result: x the time axis (else the first dimension), y the
    measures; a line over time, bars by category, a single figure (kpi) otherwise. Its
    title says it in the members' titles ("Average dep delay by carrier")."""
    from aiser_desktop.core.charts.spec import ChartSpec

    measures = [m for m in query.get("measures", []) if m in columns]
    if not measures:
        return None
    titles = titles or {}

    def title(*names: str | None) -> str:
        said = [titles.get(n) or n.split(".")[-1].replace("_", " ") for n in names if n]
        head = ", ".join(said[: len(measures)])
        rest = said[len(measures) :]
        text = head + (" by " + " and ".join(rest) if rest else "")
        return text[:1].upper() + text[1:]

    time_axis = next((c for c in columns if c.startswith(_time_name(query))), None)
    if _time_name(query) and time_axis:
        series = _second(query, columns)
        grain = time_axis.rsplit(".", 1)[-1]
        return ChartSpec(
            kind="line", x=time_axis, y=measures, series=series,
            title=title(*measures, grain, series),
        )  # fmt: skip
    dimensions = [d for d in query.get("dimensions", []) if d in columns]
    if dimensions:
        series = dimensions[1] if len(dimensions) > 1 else None
        return ChartSpec(
            kind="bar", x=dimensions[0], y=measures, series=series,
            title=title(*measures, dimensions[0], series),
        )  # fmt: skip
    return ChartSpec(kind="kpi", y=measures[:1], title=title(measures[0]))


def _time_name(query: dict[str, Any]) -> str:
    dims = query.get("timeDimensions") or []
    return str(dims[0]["dimension"]) if dims and dims[0].get("granularity") else ""


def _second(query: dict[str, Any], columns: list[str]) -> str | None:
    dims = [d for d in query.get("dimensions", []) if d in columns]
    return dims[0] if dims else None
