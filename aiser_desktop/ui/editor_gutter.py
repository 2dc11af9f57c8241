"""Line numbers down the left edge of the SQL editor.

The gutter is a plain child widget the editor keeps beside its viewport (the editor reserves
the room with its viewport margins); it paints only the blocks that are visible, so a long
script costs nothing more to scroll.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPlainTextEdit

PADDING = 10  # pixels left of the numbers and between them and the text


class LineNumberGutter(QWidget):
    """Paints the line numbers of ``editor``; the current line's number is stronger.

    A subclass may reserve ``MARK_WIDTH`` pixels left of the numbers and paint there, or
    colour a line's number, in :meth:`paint_line` (the model editor marks its problems so).

    Args:
        editor: The plain-text editor it belongs to (also its parent).
    """

    MARK_WIDTH = 0

    def __init__(self, editor: QPlainTextEdit) -> None:
        super().__init__(editor)
        self.setObjectName("lineNumbers")
        self._editor = editor
        editor.blockCountChanged.connect(self._update_width)
        editor.updateRequest.connect(self._on_update_request)
        editor.cursorPositionChanged.connect(self.update)
        self._update_width()

    def width_needed(self) -> int:
        """The gutter's width for the document's number of lines (at least three digits)."""
        digits = max(3, len(str(max(1, self._editor.blockCount()))))
        return PADDING * 2 + self.MARK_WIDTH + self.fontMetrics().horizontalAdvance("9") * digits

    def sizeHint(self) -> QSize:
        return QSize(self.width_needed(), 0)

    def place(self) -> None:
        """Puts the gutter along the editor's left edge (call from the editor's resizeEvent)."""
        rect = self._editor.contentsRect()
        self.setGeometry(QRect(rect.left(), rect.top(), self.width_needed(), rect.height()))

    def _update_width(self, _count: int = 0) -> None:
        self.setFont(self._editor.font())
        self._editor.setViewportMargins(self.width_needed(), 0, 0, 0)
        self.place()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.scroll(0, dy)
        else:
            self.update(0, rect.y(), self.width(), rect.height())
        if rect.contains(self._editor.viewport().rect()):
            self._update_width()

    def paintEvent(self, event: QPaintEvent) -> None:
        editor = self._editor
        pal = editor.palette()
        base = pal.color(QPalette.ColorRole.Base)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        strong = pal.color(QPalette.ColorRole.Text)
        painter = QPainter(self)
        painter.fillRect(event.rect(), base)
        # A hairline between the numbers and the text.
        line = QColor(muted)
        line.setAlpha(60)
        painter.setPen(line)
        painter.drawLine(
            self.width() - 1, event.rect().top(), self.width() - 1, event.rect().bottom()
        )

        current = editor.textCursor().blockNumber()
        block = editor.firstVisibleBlock()
        number = block.blockNumber()
        offset = editor.contentOffset()
        top = round(editor.blockBoundingGeometry(block).translated(offset).top())
        bottom = top + round(editor.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        right = self.width() - PADDING
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                painter.setPen(strong if number == current else muted)
                self.paint_line(painter, number + 1, top, height)
                painter.drawText(
                    0, top, right, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block = block.next()
            top = bottom
            bottom = top + round(editor.blockBoundingRect(block).height())
            number += 1
        painter.end()

    def paint_line(self, painter: QPainter, line: int, top: int, height: int) -> None:
        """Called before line ``line``'s number (1-based) is drawn at ``top`` with the
        painter's pen; a subclass may draw a mark or change the pen. Does nothing here."""
