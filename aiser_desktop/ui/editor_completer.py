"""The completion popup of the SQL editor, fed by :mod:`aiser_desktop.core.sql.complete`.

It opens on Ctrl+Space, after a dot, and once a word has two letters; it follows the typing
and closes when nothing matches. Up/Down/PageUp/PageDown choose, Tab or Enter accept, Esc
closes it (and only it: a running query is not cancelled). The popup never takes the keyboard
focus: the editor hands it the keys it wants (:meth:`EditorCompleter.handle_key`), so typing
goes on in the editor as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from aiser_desktop.core.sql.complete import (
    ALIAS,
    COLUMN,
    FUNCTION,
    KEYWORD,
    SCHEMA,
    TABLE,
    CatalogIndex,
    Completer,
    Completions,
)
from aiser_desktop.core.sql.tokens import FUNCTION_WORDS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aiser_desktop.core.sources.catalog import SourceInfo
    from aiser_desktop.ui.sql_editor import SqlEditor

VISIBLE_ROWS = 10
_BADGES = {
    TABLE: ("T", "#2563eb"),
    COLUMN: ("C", "#0e7490"),
    FUNCTION: ("ƒ", "#7c3aed"),
    KEYWORD: ("K", "#6b7280"),
    ALIAS: ("A", "#b45309"),
    SCHEMA: ("S", "#047857"),
}
_DATA = Qt.ItemDataRole.UserRole


class _ItemDelegate(QStyledItemDelegate):
    """A row: a coloured kind badge, the name, and its detail in grey on the right."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        candidate = index.data(_DATA)
        painter.save()
        rect: QRect = option.rect
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, pal.color(QPalette.ColorRole.Highlight))
        letter, colour = _BADGES.get(candidate.kind, ("?", "#6b7280"))
        badge = QRect(rect.left() + 6, rect.top() + 3, rect.height() - 6, rect.height() - 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(QColor("#ffffff"))
        small = QFont(option.font)
        small.setBold(True)
        small.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.75))
        painter.setFont(small)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, letter)
        text_colour = pal.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.setFont(option.font)
        painter.setPen(text_colour)
        left = badge.right() + 8
        name_rect = QRect(left, rect.top(), rect.width() - left - 8, rect.height())
        metrics = option.fontMetrics
        name = metrics.elidedText(candidate.text, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name
        )
        used = metrics.horizontalAdvance(name) + 16
        if candidate.detail and name_rect.width() - used > 40:
            muted = QColor(text_colour)
            muted.setAlpha(150)
            painter.setPen(muted)
            detail_rect = name_rect.adjusted(used, 0, 0, 0)
            detail = metrics.elidedText(
                candidate.detail, Qt.TextElideMode.ElideLeft, detail_rect.width()
            )
            painter.drawText(
                detail_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, detail
            )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(200, option.fontMetrics.height() + 8)


class EditorCompleter(QObject):
    """Shows and applies completions for one editor.

    Args:
        editor: The editor (also the parent).
    """

    def __init__(self, editor: SqlEditor) -> None:
        super().__init__(editor)
        self._editor = editor
        self.engine = Completer()
        self.result: Completions | None = None
        popup = QListWidget(editor)
        popup.setObjectName("completionPopup")
        popup.setWindowFlags(
            Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint
        )  # a floating list that never takes the focus from the editor
        popup.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        popup.setFrameShape(QFrame.Shape.Box)
        popup.setStyleSheet("QListWidget#completionPopup { border: 1px solid palette(mid); }")
        popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        popup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        popup.setUniformItemSizes(True)
        popup.setItemDelegate(_ItemDelegate(popup))
        popup.setFont(editor.font())
        popup.itemClicked.connect(lambda _item: self.accept())
        self.popup = popup

    def set_catalog(self, catalog: Sequence[SourceInfo] | CatalogIndex) -> None:
        """Completes from this catalog from now on."""
        self.engine.set_catalog(catalog)

    @property
    def visible(self) -> bool:
        return self.popup.isVisible()

    def items(self) -> list[str]:
        """The texts shown, in order."""
        return [self.popup.item(i).data(_DATA).text for i in range(self.popup.count())]

    # ------------------------------------------------------------------ showing
    def show_completions(self, explicit: bool = False) -> bool:
        """Computes the completions at the cursor and shows them; False when there are none.

        Args:
            explicit: Asked for with Ctrl+Space (a single match is inserted at once).
        """
        editor = self._editor
        cursor = editor.textCursor()
        if cursor.hasSelection():
            self.hide()
            return False
        provider = editor.catalog_provider
        if provider is not None:
            index = provider()
            if index is not self.engine.index:
                self.engine.set_catalog(index)
        result = self.engine.complete(editor.toPlainText(), cursor.position())
        self.result = result
        items = result.items
        if explicit and len(items) == 1 and result.prefix:
            self._insert(items[0].text, items[0].kind)
            self.hide()
            return True
        if not items or (len(items) == 1 and items[0].text == result.prefix):
            self.hide()
            return False
        popup = self.popup
        popup.setUpdatesEnabled(False)
        popup.clear()
        for candidate in items:
            item = QListWidgetItem(candidate.text)
            item.setData(_DATA, candidate)
            item.setToolTip(candidate.detail)
            popup.addItem(item)
        popup.setCurrentRow(0)
        popup.setUpdatesEnabled(True)
        self._place()
        if not popup.isVisible():
            popup.show()
        return True

    def _place(self) -> None:
        editor = self._editor
        popup = self.popup
        row = popup.sizeHintForRow(0) if popup.count() else editor.fontMetrics().height() + 8
        rows = min(VISIBLE_ROWS, popup.count())
        width = max(320, min(560, editor.width() // 2))
        popup.resize(width, row * rows + 2 * popup.frameWidth())
        rect = editor.cursorRect()
        # Start the list under the first letter of the word being completed.
        if self.result is not None:
            back = editor.textCursor().position() - self.result.start
            rect.translate(-editor.fontMetrics().horizontalAdvance("x") * back, 0)
        below = editor.viewport().mapToGlobal(rect.bottomLeft())
        below.setY(below.y() + 2)
        below.setX(below.x() - 28)  # the name (not the badge) lines up with the word
        screen = editor.screen().availableGeometry() if editor.screen() else None
        if screen is not None and below.y() + popup.height() > screen.bottom():
            above = editor.viewport().mapToGlobal(rect.topLeft())
            below.setY(above.y() - popup.height() - 2)
        popup.move(below)

    def hide(self) -> None:
        if self.popup.isVisible():
            self.popup.hide()

    # ------------------------------------------------------------------ typing
    def typed(self, text: str) -> None:
        """Called by the editor after it inserted ``text`` ("" for Backspace)."""
        word_char = len(text) == 1 and (text.isalnum() or text == "_")
        if self.popup.isVisible():
            # A word goes on (or Backspace): follow it; anything else ends the word.
            if word_char or text in ("\b", ".") or not text:
                self.show_completions()
            else:
                self.hide()
            return
        if text == ".":
            self.show_completions()
            return
        if not word_char:
            return
        cursor = self._editor.textCursor()
        line = cursor.block().text()[: cursor.positionInBlock()]
        word = 0
        for ch in reversed(line):
            if not (ch.isalnum() or ch == "_"):
                break
            word += 1
        if word >= 2 and not line[len(line) - word].isdigit():
            self.show_completions()

    def handle_key(self, event: QKeyEvent) -> bool:
        """Takes the keys the popup answers while it is shown; True when it used one."""
        if not self.popup.isVisible():
            return False
        key = event.key()
        popup = self.popup
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            mods & Qt.KeyboardModifier.ControlModifier
        ):
            item = popup.currentItem()
            typed = self.result.prefix if self.result is not None else ""
            if key != Qt.Key.Key_Tab and item is not None and item.text() == typed:
                self.hide()  # the word is complete already: Enter is a new line
                return False
            self.accept()
            return True
        if key == Qt.Key.Key_Escape:
            self.hide()
            return True
        step = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: VISIBLE_ROWS,
            Qt.Key.Key_PageUp: -VISIBLE_ROWS,
        }.get(Qt.Key(key))
        if step is not None:
            row = max(0, min(popup.count() - 1, popup.currentRow() + step))
            popup.setCurrentRow(row)
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End):
            self.hide()
        return False

    def accept(self) -> None:
        """Inserts the chosen candidate in place of the word being typed."""
        item = self.popup.currentItem()
        if item is None:
            self.hide()
            return
        candidate = item.data(_DATA)
        self.hide()
        self._insert(candidate.text, candidate.kind)

    def _insert(self, text: str, kind: str) -> None:
        editor = self._editor
        result = self.result
        cursor = editor.textCursor()
        position = cursor.position()
        start = result.start if result is not None else position
        # Replace the whole word under the cursor, also the part after it.
        doc_text = editor.toPlainText()
        end = position
        while end < len(doc_text) and (doc_text[end].isalnum() or doc_text[end] == "_"):
            end += 1
        cursor.beginEditBlock()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        callable_word = kind == FUNCTION or (kind == KEYWORD and text.upper() in FUNCTION_WORDS)
        if callable_word and not doc_text.startswith("(", end):
            cursor.insertText("()")
            cursor.movePosition(cursor.MoveOperation.Left)
        cursor.endEditBlock()
        editor.setTextCursor(cursor)
