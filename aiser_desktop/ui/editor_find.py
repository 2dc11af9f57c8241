"""Find and replace in the SQL editor: a small bar over the editor's top right corner.

Ctrl+F opens it on the selected text, Ctrl+H with the replace row; Enter and F3 go to the next
match, Shift+Enter and Shift+F3 to the previous one, Esc closes it and gives the editor back
its focus. Every match is tinted (up to :data:`MAX_MARKED`), and "3 of 12" says where you are.
Replacing is one undo step per click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextEdit,
    QToolButton,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPlainTextEdit

MATCH_LIGHT, MATCH_DARK = "#fde68a", "#6b5415"
MAX_MARKED = 2000  # matches tinted at most; the count stops there too ("2000+")
_FIELD_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3)


def _tool(text: str, tip: str, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class FindBar(QFrame):
    """The find/replace bar of one editor.

    Args:
        editor: The editor it searches (also its parent).

    Signals:
        matches_changed(list): Extra selections tinting every match, for the editor to show.
    """

    matches_changed = Signal(list)

    def __init__(self, editor: QPlainTextEdit) -> None:
        super().__init__(editor)
        self.setObjectName("findBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        # Palette roles, so the bar follows the light and dark themes by itself.
        self.setStyleSheet(
            "QFrame#findBar { background: palette(window); border: 1px solid palette(mid);"
            " border-radius: 6px; }"
        )
        self._editor = editor
        self.count = 0
        self.index = -1

        self.find_field = QLineEdit()
        self.find_field.setPlaceholderText("Find")
        self.find_field.setClearButtonEnabled(True)
        self.replace_field = QLineEdit()
        self.replace_field.setPlaceholderText("Replace with")
        self.case_button = _tool("Aa", "Match case", checkable=True)
        self.word_button = _tool("W", "Whole words only", checkable=True)
        self.count_label = QLabel("")
        self.count_label.setObjectName("muted")
        self.count_label.setMinimumWidth(64)
        self.prev_button = _tool("↑", "Previous match (Shift+F3)")
        self.next_button = _tool("↓", "Next match (F3)")
        self.close_button = _tool("✕", "Close (Esc)")
        self.replace_button = _tool("Replace", "Replace this match")
        self.replace_all_button = _tool("All", "Replace every match")

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 4, 4)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(4)
        row = QHBoxLayout()
        for widget in (
            self.case_button,
            self.word_button,
            self.count_label,
            self.prev_button,
            self.next_button,
            self.close_button,
        ):
            row.addWidget(widget)
        grid.addWidget(self.find_field, 0, 0)
        grid.addLayout(row, 0, 1)
        replace_row = QHBoxLayout()
        replace_row.addWidget(self.replace_button)
        replace_row.addWidget(self.replace_all_button)
        replace_row.addStretch(1)
        grid.addWidget(self.replace_field, 1, 0)
        grid.addLayout(replace_row, 1, 1)
        self.find_field.setMinimumWidth(200)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)  # re-mark after typing pauses, not on every key
        self._timer.timeout.connect(self._mark)
        self.find_field.textChanged.connect(self._search_changed)
        self.case_button.toggled.connect(self._search_changed)
        self.word_button.toggled.connect(self._search_changed)
        self.prev_button.clicked.connect(lambda: self.find_match(False))
        self.next_button.clicked.connect(lambda: self.find_match(True))
        self.close_button.clicked.connect(self.close_bar)
        self.replace_button.clicked.connect(self.replace_one)
        self.replace_all_button.clicked.connect(self.replace_all)
        self.find_field.installEventFilter(self)
        self.replace_field.installEventFilter(self)
        self.hide()

    # ------------------------------------------------------------------ showing
    @property
    def replacing(self) -> bool:
        return self.replace_field.isVisible()

    def open(self, replace: bool = False) -> None:
        """Shows the bar (with the replace row for ``replace``), filled with the selected
        text when it is on one line, and puts the focus in the find field."""
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_field.setText(selected)
        for widget in (self.replace_field, self.replace_button, self.replace_all_button):
            widget.setVisible(replace)
        self.show()
        self.adjustSize()
        self.place()
        self.raise_()
        self.find_field.setFocus()
        self.find_field.selectAll()
        self._mark()

    def close_bar(self) -> None:
        """Hides the bar, removes the tints and gives the editor its focus back."""
        self.hide()
        self.matches_changed.emit([])
        self._editor.setFocus()

    def place(self) -> None:
        """Keeps the bar in the editor's top right corner, clear of the scroll bar."""
        viewport = self._editor.viewport().geometry()
        width = min(self.sizeHint().width(), max(200, viewport.width() - 16))
        self.resize(width, self.sizeHint().height())
        self.move(viewport.right() - width - 8, viewport.top() + 6)

    def refresh(self) -> None:
        """The text changed: count and tint the matches again soon."""
        self._timer.start()

    # ------------------------------------------------------------------ searching
    def _flags(self, forward: bool = True) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_button.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if not forward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _search_changed(self) -> None:
        self._mark()
        # Typing moves to the first match from where the search started, as browsers do.
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self._editor.setTextCursor(cursor)
        if self.find_field.text():
            self.find_match(True)

    def _search(self, needle: str, cursor: QTextCursor, forward: bool) -> QTextCursor:
        """The next match from ``cursor`` (null when none). Whole words are checked here,
        not by Qt, whose words end at "_" (in SQL ``amount_usd`` is one word)."""
        doc = self._editor.document()
        flags = self._flags(forward)
        whole = self.word_button.isChecked()
        while True:
            cursor = doc.find(needle, cursor, flags)
            if cursor.isNull() or not whole or self._whole_word(cursor):
                return cursor

    def _whole_word(self, cursor: QTextCursor) -> bool:
        doc = self._editor.document()

        def word_char(pos: int) -> bool:
            ch = doc.characterAt(pos)
            return ch.isalnum() or ch == "_"

        start, end = cursor.selectionStart(), cursor.selectionEnd()
        return not (start > 0 and word_char(start - 1)) and not word_char(end)

    def find_match(self, forward: bool = True) -> bool:
        """Selects the next (or previous) match, wrapping around; False when there is none."""
        needle = self.find_field.text()
        if not needle:
            return False
        doc = self._editor.document()
        cursor = self._editor.textCursor()
        found = self._search(needle, cursor, forward)
        if found.isNull():
            start = QTextCursor(doc)
            if not forward:
                start.movePosition(QTextCursor.MoveOperation.End)
            found = self._search(needle, start, forward)
        if found.isNull():
            self._show_count()
            return False
        self._editor.setTextCursor(found)
        self._editor.ensureCursorVisible()
        self._show_count()
        return True

    def _matches(self) -> list[QTextCursor]:
        needle = self.find_field.text()
        if not needle:
            return []
        doc = self._editor.document()
        found: list[QTextCursor] = []
        cursor = QTextCursor(doc)
        while len(found) < MAX_MARKED:
            cursor = self._search(needle, cursor, True)
            if cursor.isNull():
                break
            found.append(cursor)
        return found

    def _mark(self) -> None:
        if not self.isVisible():
            return
        matches = self._matches()
        self.count = len(matches)
        dark = self._editor.palette().color(QPalette.ColorRole.Base).lightness() < 128
        tint = QColor(MATCH_DARK if dark else MATCH_LIGHT)  # amber: apart from the selection
        fmt = QTextCharFormat()
        fmt.setBackground(tint)
        selections = []
        for cursor in matches:
            sel = QTextEdit.ExtraSelection()
            sel.format = fmt
            sel.cursor = cursor
            selections.append(sel)
        self._positions = [c.selectionStart() for c in matches]
        self.matches_changed.emit(selections)
        self._show_count()

    def _show_count(self) -> None:
        if not self.find_field.text():
            self.count_label.setText("")
            self.index = -1
            return
        positions = getattr(self, "_positions", [])
        start = self._editor.textCursor().selectionStart()
        self.index = positions.index(start) if start in positions else -1
        more = "+" if self.count >= MAX_MARKED else ""
        if not self.count:
            self.count_label.setText("No results")
        elif self.index >= 0:
            self.count_label.setText(f"{self.index + 1} of {self.count}{more}")
        else:
            self.count_label.setText(f"{self.count}{more} found")

    # ------------------------------------------------------------------ replacing
    def _on_match(self) -> bool:
        cursor = self._editor.textCursor()
        if not cursor.hasSelection():
            return False
        needle = self.find_field.text()
        selected = cursor.selectedText()
        if self.case_button.isChecked():
            return selected == needle
        return selected.lower() == needle.lower()

    def replace_one(self) -> None:
        """Replaces the selected match and moves to the next one."""
        if self._on_match():
            self._editor.textCursor().insertText(self.replace_field.text())
        self.find_match(True)
        self._mark()

    def replace_all(self) -> int:
        """Replaces every match as one undo step; returns how many were replaced."""
        needle = self.find_field.text()
        if not needle:
            return 0
        doc = self._editor.document()
        replacement = self.replace_field.text()
        edit = QTextCursor(doc)
        edit.beginEditBlock()
        done = 0
        cursor = QTextCursor(doc)
        while True:
            cursor = self._search(needle, cursor, True)
            if cursor.isNull():
                break
            cursor.insertText(replacement)
            done += 1
        edit.endEditBlock()
        self._mark()
        return done

    # ------------------------------------------------------------------ keys in the fields
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.key() in _FIELD_KEYS:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # ours, not the window's Esc (cancel) or Enter
                return True
            if event.type() == QEvent.Type.KeyPress:
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                if event.key() == Qt.Key.Key_Escape:
                    self.close_bar()
                elif watched is self.replace_field and event.key() != Qt.Key.Key_F3:
                    self.replace_one()
                else:
                    self.find_match(not shift)
                return True
        return super().eventFilter(watched, event)
