"""Small icons drawn at run time: a table grid, a source badge, a glyph per column type.

Drawn with QPainter so the app ships no image files for them and they stay crisp at any
device pixel ratio. Call only after the QApplication exists.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap

from aiser_desktop.ui import theme

SIZE = 16
_RATIO = 2  # drawn at twice the size, so they stay sharp on high-DPI screens

# Column type families and how they look: (glyph, colour).
TYPE_STYLES = {
    "number": ("#", "#2563eb"),
    "text": ("T", "#7c3aed"),
    "time": ("◷", "#b45309"),
    "bool": ("✓", "#047857"),
    "nested": ("{}", "#be185d"),
    "other": ("·", theme.MUTED),
}


def type_family(sql_type: str) -> str:
    """The family of a DuckDB type name ("BIGINT" -> "number", "VARCHAR" -> "text")."""
    t = sql_type.upper()
    if t.startswith(("STRUCT", "MAP", "UNION")) or t.endswith("]"):
        return "nested"
    if any(k in t for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC")):
        return "number"
    if any(k in t for k in ("TIME", "DATE", "INTERVAL")):
        return "time"
    if t.startswith("BOOL"):
        return "bool"
    if any(k in t for k in ("CHAR", "TEXT", "STRING", "UUID", "ENUM", "JSON")):
        return "text"
    return "other"


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(SIZE * _RATIO, SIZE * _RATIO)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(_RATIO, _RATIO)
    return pixmap, painter


def _finish(pixmap: QPixmap, painter: QPainter) -> QIcon:
    painter.end()
    pixmap.setDevicePixelRatio(_RATIO)
    return QIcon(pixmap)


@cache
def type_icon(sql_type_family: str) -> QIcon:
    """A coloured glyph for a column type family (see :func:`type_family`)."""
    glyph, colour = TYPE_STYLES.get(sql_type_family, TYPE_STYLES["other"])
    pixmap, painter = _canvas()
    font = QFont()
    font.setBold(True)
    font.setPixelSize(11 if len(glyph) == 1 else 9)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    painter.drawText(QRectF(0, 0, SIZE, SIZE), Qt.AlignmentFlag.AlignCenter, glyph)
    return _finish(pixmap, painter)


@cache
def table_icon() -> QIcon:
    """A small grid: a table."""
    pixmap, painter = _canvas()
    painter.setPen(QPen(QColor("#4b5563"), 1.2))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(QRectF(1.5, 2.5, 13, 11), 1.5, 1.5)
    painter.fillRect(QRectF(2, 3, 12, 3), QColor("#93b4f5"))
    painter.drawLine(2, 6, 14, 6)
    painter.drawLine(2, 10, 14, 10)
    painter.drawLine(7, 6, 7, 13)
    return _finish(pixmap, painter)


@cache
def source_icon(connector: str) -> QIcon:
    """A page with a coloured band: a file source (colour by connector)."""
    colours = {"csv": "#16a34a", "parquet": "#2563eb", "json": "#d97706"}
    pixmap, painter = _canvas()
    painter.setPen(QPen(QColor("#4b5563"), 1.2))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(QRectF(2.5, 1.5, 11, 13), 1.5, 1.5)
    painter.fillRect(QRectF(3, 9, 10, 5), QColor(colours.get(connector, theme.MUTED)))
    painter.setPen(QPen(QColor("#9ca3af"), 1))
    painter.drawLine(5, 4, 11, 4)
    painter.drawLine(5, 6, 11, 6)
    return _finish(pixmap, painter)
