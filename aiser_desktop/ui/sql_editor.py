"""The SQL box: a monospace plain-text editor with light syntax colouring.

Ctrl+Enter runs and Esc cancels through the window's actions; the editor also handles both keys
itself, so they work even when the shortcut system does not see them (an inactive window in a
test, say). File drops are left to the window, which imports them.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from aiser_desktop.ui import theme

_KEYWORD_TEXT = (
    "select from where group by order having limit offset join left right full inner outer "
    "cross on using as and or not in is null like ilike between case when then else end "
    "distinct union all except intersect with recursive insert into values update set delete "
    "create table view or replace drop alter add column if exists describe summarize show "
    "pivot unpivot qualify window over partition rows range asc desc nulls first last true "
    "false cast try_cast filter within lateral natural semi anti asof copy to attach explain "
    "analyze install load pragma begin commit rollback transaction temporary temp returning"
)
KEYWORDS = tuple(_KEYWORD_TEXT.split())


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontItalic(italic)
    return fmt


class SqlHighlighter(QSyntaxHighlighter):
    """Colours keywords, strings, numbers and comments (line and block comments)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        words = "|".join(KEYWORDS)
        # Later rules win: a keyword before "(" (using, in, over) stays a keyword.
        self._rules = [
            (re.compile(r"\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b"), _format("#b45309")),
            (re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*(?=\s*\()"), _format("#7c3aed")),
            (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), _format("#1d4ed8", bold=True)),
            (re.compile(r"'(?:[^']|'')*'?"), _format("#047857")),
            (re.compile(r'"(?:[^"]|"")*"?'), _format(theme.TEXT)),
            (re.compile(r"--[^\n]*"), _format(theme.MUTED, italic=True)),
        ]
        self._comment = _format(theme.MUTED, italic=True)

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
        # Block comments may span lines: state 1 means "inside /* ... */".
        self.setCurrentBlockState(0)
        inside = self.previousBlockState() == 1
        start = 0 if inside else text.find("/*")
        search_from = 0 if inside else start + 2
        while start >= 0:
            end = text.find("*/", search_from)
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self._comment)
                break
            self.setFormat(start, end + 2 - start, self._comment)
            start = text.find("/*", end + 2)
            search_from = start + 2


class SqlEditor(QPlainTextEdit):
    """The SQL box.

    Signals:
        run_requested: Ctrl+Enter was pressed in the editor.
        cancel_requested: Esc was pressed in the editor.
    """

    run_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sqlEditor")
        self.setFont(theme.mono_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.document().setDocumentMargin(10)
        self.setPlaceholderText("Write SQL here, then press Ctrl+Enter to run it.")
        self._highlighter = SqlHighlighter(self.document())

    def statement(self) -> tuple[str, int]:
        """The SQL to run (the selection, or everything) and its offset in the text."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            # Qt uses U+2029 between selected paragraphs.
            return cursor.selectedText().replace("\u2029", "\n"), cursor.selectionStart()
        return self.toPlainText(), 0

    def move_to(self, offset: int) -> None:
        """Puts the cursor at a character offset (where an error points) and shows it."""
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(offset, len(self.toPlainText()))))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def insert(self, text: str) -> None:
        """Inserts ``text`` at the cursor and gives the editor focus."""
        self.textCursor().insertText(text)
        self.setFocus()

    def replace_all(self, text: str) -> None:
        """Replaces the whole text, as one undoable step."""
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        self.setTextCursor(cursor)

    # ------------------------------------------------------------------ events
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.run_requested.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.cancel_requested.emit()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _has_files(mime: QMimeData) -> bool:
        return mime.hasUrls() and any(url.isLocalFile() for url in mime.urls())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._has_files(event.mimeData()):
            event.ignore()  # the window imports files
            return
        super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self._has_files(event.mimeData()):
            event.ignore()
            return
        super().dropEvent(event)
