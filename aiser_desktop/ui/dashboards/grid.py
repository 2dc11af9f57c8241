"""The dashboard's grid: tiles on cells that a person drags by their title and resizes by
their corner; on release a tile snaps to whole cells and pushes the tiles it lands on down.

The grid holds :class:`Tile` records (plain data, ``core/dashboards/layout.py`` does the
arithmetic) and one :class:`TileFrame` per tile; it tells its owner when the layout changed
(``layout_changed``), and the owner saves it. :meth:`DashboardGrid.move_tile` and
:meth:`DashboardGrid.resize_tile` are what the mouse does, also callable from menus and tests.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QCursor, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.dashboards import layout
from aiser_desktop.core.dashboards.model import GRID_COLUMNS, Tile
from aiser_desktop.ui import theme

ROW_PX = 70
GAP_PX = 12
MARGIN_PX = 12
DRAG_START_PX = 4
GRIP_PX = 14


class _Header(QWidget):
    """The tile's title bar: dragging it moves the tile."""

    def __init__(self, frame: TileFrame) -> None:
        super().__init__(frame)
        self.frame = frame
        self.setCursor(QCursor(Qt.CursorShape.OpenHandCursor))
        self._press: QPoint | None = None
        self._origin = QPoint()
        self._dragging = False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.globalPosition().toPoint()
            self._origin = self.frame.pos()
            self._dragging = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        delta = event.globalPosition().toPoint() - self._press
        if not self._dragging and delta.manhattanLength() < DRAG_START_PX:
            return
        self._dragging = True
        self.setCursor(QCursor(Qt.CursorShape.ClosedHandCursor))
        self.frame.grid.drag_to(self.frame, QRect(self._origin + delta, self.frame.size()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and self._dragging:
            self.frame.grid.drop(self.frame)
        self._press = None
        self._dragging = False
        self.setCursor(QCursor(Qt.CursorShape.OpenHandCursor))
        super().mouseReleaseEvent(event)


class _Grip(QWidget):
    """The corner that resizes the tile."""

    def __init__(self, frame: TileFrame) -> None:
        super().__init__(frame)
        self.frame = frame
        self.setFixedSize(GRIP_PX, GRIP_PX)
        self.setCursor(QCursor(Qt.CursorShape.SizeFDiagCursor))
        self.setToolTip("Drag to resize")
        self._press: QPoint | None = None
        self._size = frame.size()

    def paintEvent(self, _event: object) -> None:
        from PySide6.QtGui import QColor, QPainter

        painter = QPainter(self)
        painter.setPen(QColor(theme.colours().dark))
        for i in (4, 8, 12):
            painter.drawLine(GRIP_PX - 2, GRIP_PX - 2 - i + 2, GRIP_PX - 2 - i + 2, GRIP_PX - 2)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.globalPosition().toPoint()
            self._size = self.frame.size()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        delta = event.globalPosition().toPoint() - self._press
        w = max(60, self._size.width() + delta.x())
        h = max(50, self._size.height() + delta.y())
        self.frame.grid.drag_to(self.frame, QRect(self.frame.pos(), QSize(w, h)))

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        if self._press is not None:
            self.frame.grid.drop(self.frame, resized=True)
        self._press = None


class TileFrame(QFrame):
    """One tile on the grid: a header (title, menu) over its body, a resize grip in the corner.

    Signals:
        menu_requested(TileFrame, QPoint): the ⋯ button or a right-click on the header.
    """

    menu_requested = Signal(object, object)

    def __init__(self, grid: DashboardGrid, tile: Tile) -> None:
        super().__init__(grid)
        self.grid = grid
        self.tile = tile
        self.setObjectName("panel")
        self.setProperty("tileKind", tile.kind)
        layout_ = QVBoxLayout(self)
        layout_.setContentsMargins(12, 6, 8, 8)
        layout_.setSpacing(4)
        self.header = _Header(self)
        row = QHBoxLayout(self.header)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.title = QLabel(tile.title or tile.kind.title())
        self.title.setObjectName("tileTitle")
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note = QLabel("")
        self.note.setObjectName("muted")
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("flat")
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip("Tile menu: rename, edit, size, remove")
        self.menu_button.setCursor(QCursor(Qt.CursorShape.ArrowCursor))
        row.addWidget(self.title, 1)
        row.addWidget(self.note)
        row.addWidget(self.menu_button)
        layout_.addWidget(self.header)
        self.body: QWidget = QLabel()
        layout_.addWidget(self.body, 1)
        self.grip = _Grip(self)
        self.menu_button.clicked.connect(
            lambda: self.menu_requested.emit(self, self.menu_button.mapToGlobal(QPoint(0, 24)))
        )
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(
            lambda pos: self.menu_requested.emit(self, self.header.mapToGlobal(pos))
        )

    def set_body(self, widget: QWidget) -> None:
        """Shows ``widget`` as the tile's content (the old one is deleted)."""
        layout_ = self.layout()
        assert layout_ is not None
        layout_.replaceWidget(self.body, widget)
        self.body.deleteLater()
        self.body = widget
        self.title.setVisible(not widget.property("drawsTitle"))
        self.grip.raise_()

    def set_tile(self, tile: Tile) -> None:
        self.tile = tile
        self.title.setText(tile.title or tile.kind.title())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.grip.move(self.width() - GRIP_PX - 2, self.height() - GRIP_PX - 2)
        self.grip.raise_()


class DashboardGrid(QWidget):
    """The tiles of one dashboard on a grid of :data:`GRID_COLUMNS` columns.

    Signals:
        layout_changed(list): The tiles (records) after a move or resize, to be saved.
        menu_requested(TileFrame, QPoint): A tile's menu was asked for.
    """

    layout_changed = Signal(list)
    menu_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardGrid")
        self.tiles: list[Tile] = []
        self.frames: list[TileFrame] = []
        self.ghost = QFrame(self)
        self.ghost.setObjectName("tileGhost")
        self.ghost.hide()
        self._style_ghost()
        # A bound method, not a lambda: Qt drops the connection when the grid is deleted.
        theme.notifier().changed.connect(self._style_ghost)

    def _style_ghost(self, _name: str = "") -> None:
        c = theme.colours()
        self.ghost.setStyleSheet(
            f"QFrame#tileGhost {{ background: {c.accent_soft}; border: 2px dashed {c.accent};"
            " border-radius: 6px; }"
        )

    # ------------------------------------------------------------------ cells
    def column_width(self) -> float:
        inner = self.width() - 2 * MARGIN_PX - (GRID_COLUMNS - 1) * GAP_PX
        return max(20.0, inner / GRID_COLUMNS)

    def cell_rect(self, tile: Tile) -> QRect:
        """Where ``tile`` sits, in pixels."""
        col = self.column_width()
        x = MARGIN_PX + tile.x * (col + GAP_PX)
        y = MARGIN_PX + tile.y * (ROW_PX + GAP_PX)
        w = tile.w * col + (tile.w - 1) * GAP_PX
        h = tile.h * ROW_PX + (tile.h - 1) * GAP_PX
        return QRect(round(x), round(y), round(w), round(h))

    def snap(self, tile: Tile, rect: QRect) -> Tile:
        """The tile moved to the cells nearest ``rect`` (whole cells, inside the columns)."""
        col = self.column_width()
        x = round((rect.x() - MARGIN_PX) / (col + GAP_PX))
        y = round((rect.y() - MARGIN_PX) / (ROW_PX + GAP_PX))
        w = round((rect.width() + GAP_PX) / (col + GAP_PX))
        h = round((rect.height() + GAP_PX) / (ROW_PX + GAP_PX))
        return layout.clamp(tile.moved(x, y, w, h))

    # ------------------------------------------------------------------ tiles
    def set_tiles(self, tiles: list[Tile] | tuple[Tile, ...]) -> list[TileFrame]:
        """Shows these tiles (new frames for all of them); returns the frames, in order."""
        for frame in self.frames:
            frame.deleteLater()
        self.tiles = list(tiles)
        self.frames = []
        for tile in self.tiles:
            frame = TileFrame(self, tile)
            frame.menu_requested.connect(self.menu_requested)
            frame.show()
            self.frames.append(frame)
        self._place_all()
        return self.frames

    def frame_for(self, tile_id: int | None) -> TileFrame | None:
        for frame in self.frames:
            if frame.tile.id == tile_id:
                return frame
        return None

    def move_tile(self, index: int, x: int, y: int) -> None:
        """Moves tile ``index`` to cell (x, y), pushing others down; reports the layout."""
        self._commit(index, self.tiles[index].moved(x, y))

    def resize_tile(self, index: int, w: int, h: int) -> None:
        """Gives tile ``index`` a size in cells, pushing others down; reports the layout."""
        tile = self.tiles[index]
        self._commit(index, tile.moved(tile.x, tile.y, w, h))

    def drag_to(self, frame: TileFrame, rect: QRect) -> None:
        """The mouse moves or sizes ``frame``: it follows, the ghost shows where it lands."""
        frame.setGeometry(rect)
        frame.raise_()
        target = self.snap(frame.tile, rect)
        self.ghost.setGeometry(self.cell_rect(target))
        self.ghost.show()
        self.ghost.stackUnder(frame)
        self._fit_height(extra=max(0, rect.bottom() + ROW_PX - self.height()))

    def drop(self, frame: TileFrame, *, resized: bool = False) -> None:
        """The mouse let go: the tile snaps to cells."""
        self.ghost.hide()
        index = self.frames.index(frame)
        target = self.snap(frame.tile, frame.geometry())
        if not resized:  # a move keeps the size even if the frame was cut at an edge
            target = layout.clamp(target.moved(target.x, target.y, frame.tile.w, frame.tile.h))
        self._commit(index, target)

    def _commit(self, index: int, tile: Tile) -> None:
        before = list(self.tiles)
        self.tiles = layout.place(self.tiles, index, tile)
        for frame, t in zip(self.frames, self.tiles, strict=True):
            frame.set_tile(t)
        self._place_all()
        if self.tiles != before:
            self.layout_changed.emit(list(self.tiles))

    def _place_all(self) -> None:
        for frame, tile in zip(self.frames, self.tiles, strict=True):
            frame.setGeometry(self.cell_rect(tile))
        self._fit_height()

    def _fit_height(self, extra: int = 0) -> None:
        rows = layout.rows_used(self.tiles) + 1  # a free row below, to drop a tile into
        self.setMinimumHeight(2 * MARGIN_PX + rows * (ROW_PX + GAP_PX) + extra)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._place_all()

    def tile_menu(self, frame: TileFrame) -> QMenu:
        """The size part of a tile's menu (the view adds rename, edit and remove)."""
        index = self.frames.index(frame)
        tile = frame.tile
        menu = QMenu(frame)
        menu.addAction("Wider", lambda: self.resize_tile(index, tile.w + 1, tile.h))
        menu.addAction("Narrower", lambda: self.resize_tile(index, tile.w - 1, tile.h))
        menu.addAction("Taller", lambda: self.resize_tile(index, tile.w, tile.h + 1))
        menu.addAction("Shorter", lambda: self.resize_tile(index, tile.w, tile.h - 1))
        return menu
