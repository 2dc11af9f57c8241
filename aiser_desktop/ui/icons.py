"""Small icons drawn at run time: a table grid, a source's shape, a glyph per column type.

Drawn with QPainter so the app ships no image files for them and they stay crisp at any
device pixel ratio. Call only after the QApplication exists. The column glyphs have a lighter
set of colours for the dark theme.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap

from aiser_desktop.ui import theme

SIZE = 16
_RATIO = 2  # drawn at twice the size, so they stay sharp on high-DPI screens

# Column type families and how they look: (glyph, colour on light, colour on dark).
TYPE_STYLES = {
    "number": ("#", "#2563eb", "#6ea1ff"),
    "text": ("T", "#7c3aed", "#b392f7"),
    "time": ("◷", "#b45309", "#f0a54a"),
    "bool": ("✓", "#047857", "#4ccf8d"),
    "nested": ("{}", "#be185d", "#f07bb5"),
    "other": ("·", "#6b7280", "#98a1ad"),
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


def type_icon(sql_type_family: str) -> QIcon:
    """A coloured glyph for a column type family (see :func:`type_family`), in the current
    theme's colours."""
    return _type_icon(sql_type_family, theme.is_dark())


@cache
def _type_icon(sql_type_family: str, dark: bool) -> QIcon:
    glyph, light_colour, dark_colour = TYPE_STYLES.get(sql_type_family, TYPE_STYLES["other"])
    colour = dark_colour if dark else light_colour
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


# What each connector looks like: its shape and its colour.
DATABASES = {
    "postgres": "#336791",
    "mysql": "#00758f",
    "sqlite": "#0f80cc",
    "sqlalchemy": "#6b7280",
}
LAKES = {"delta": "#00a3c4", "iceberg": "#3b82f6"}
FILES = {
    "csv": "#16a34a",
    "parquet": "#2563eb",
    "json": "#d97706",
    "excel": "#15803d",
    "arrow": "#7c3aed",
    "avro": "#be185d",
}
WEB = "#0891b2"


def _page(painter: QPainter, colour: str) -> None:
    painter.setPen(QPen(QColor("#4b5563"), 1.2))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(QRectF(2.5, 1.5, 11, 13), 1.5, 1.5)
    painter.fillRect(QRectF(3, 9, 10, 5), QColor(colour))
    painter.setPen(QPen(QColor("#9ca3af"), 1))
    painter.drawLine(5, 4, 11, 4)
    painter.drawLine(5, 6, 11, 6)


def _cylinder(painter: QPainter, colour: str) -> None:
    painter.setPen(QPen(QColor(colour).darker(130), 1.1))
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(2.5, 3, 11, 11), 5.5, 2.5)
    painter.setBrush(QColor(colour).lighter(150))
    painter.drawEllipse(QRectF(2.5, 1.5, 11, 4))
    painter.setPen(QPen(QColor("#ffffff"), 0.9))
    painter.drawArc(QRectF(2.5, 6.5, 11, 4), 180 * 16, 180 * 16)


def _layers(painter: QPainter, colour: str) -> None:
    painter.setPen(QPen(QColor(colour).darker(140), 1))
    for i, shade in enumerate((170, 130, 100)):
        top = 2.5 + i * 3.8
        painter.setBrush(QColor(colour).lighter(shade))
        painter.drawRoundedRect(QRectF(1.5, top, 13, 4.5), 1.2, 1.2)


def _globe(painter: QPainter, colour: str) -> None:
    painter.setPen(QPen(QColor(colour), 1.2))
    painter.setBrush(QColor(colour).lighter(185))
    painter.drawEllipse(QRectF(1.5, 1.5, 13, 13))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(5, 1.5, 6, 13))
    painter.drawLine(2, 8, 14, 8)


def _folder(painter: QPainter, colour: str) -> None:
    painter.setPen(QPen(QColor(colour).darker(140), 1.1))
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(1.5, 3, 6, 3), 1, 1)
    painter.setBrush(QColor(colour).lighter(120))
    painter.drawRoundedRect(QRectF(1.5, 4.5, 13, 9.5), 1.5, 1.5)


def _badge(painter: QPainter, linked: bool, broken: bool) -> None:
    """A small mark at the bottom right: a red "!" (unusable now) or an arrow (linked)."""
    if not (linked or broken):
        return
    painter.setPen(QPen(QColor("#ffffff"), 1.2))
    painter.setBrush(QColor(theme.ERROR if broken else theme.ACCENT))
    painter.drawEllipse(QRectF(8.6, 8.6, 7, 7))
    pen = QPen(QColor("#ffffff"), 1.3)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    if broken:
        painter.drawLine(QPointF(12.1, 10.4), QPointF(12.1, 12.4))
        painter.drawPoint(QPointF(12.1, 14))
    else:
        painter.drawLine(QPointF(10.6, 13.6), QPointF(13.6, 10.6))
        painter.drawLine(QPointF(11.4, 10.6), QPointF(13.6, 10.6))
        painter.drawLine(QPointF(13.6, 10.6), QPointF(13.6, 12.8))


@cache
def source_icon(connector: str, linked: bool = False, broken: bool = False) -> QIcon:
    """A source's icon: a page (files), a cylinder (databases), layers (lakes) or a globe
    (web), coloured by connector; linked sources get an arrow, unusable ones a red "!"."""
    pixmap, painter = _canvas()
    if connector in DATABASES:
        _cylinder(painter, DATABASES[connector])
    elif connector in LAKES:
        _layers(painter, LAKES[connector])
    elif connector == "web":
        _globe(painter, WEB)
    else:
        _page(painter, FILES.get(connector, theme.MUTED))
    _badge(painter, linked, broken)
    return _finish(pixmap, painter)


@cache
def kind_icon(kind: str) -> QIcon:
    """The icon of a kind of source in the Add source dialog: "files", "folder",
    "database", "lake" or "web"."""
    pixmap, painter = _canvas()
    if kind == "folder":
        _folder(painter, "#f59e0b")
    elif kind == "database":
        _cylinder(painter, DATABASES["postgres"])
    elif kind == "lake":
        _layers(painter, LAKES["delta"])
    elif kind == "web":
        _globe(painter, WEB)
    else:
        _page(painter, FILES["csv"])
    return _finish(pixmap, painter)
