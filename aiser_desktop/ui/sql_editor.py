"""The SQL editor: one tab's text box, with everything a person expects of a SQL workbench.

Highlighting comes from sqlglot's tokenizer (:mod:`aiser_desktop.core.sql.tokens`), line by
line with what a line leaves open (a string, a block comment) carried to the next. The editor
also has line numbers, bracket matching, Ctrl+/ comments, find and replace (Ctrl+F, Ctrl+H,
F3), Tab and Enter indenting, completion from the cached catalog (Ctrl+Space, or as you type),
formatting (Ctrl+Shift+F), the statement under the cursor (Ctrl+Enter) or all of them
(Ctrl+Shift+Enter), ``$name`` parameters asked for in a small dialog, EXPLAIN (Ctrl+Shift+E)
and EXPLAIN ANALYZE (Ctrl+Alt+E), and DuckDB's error underlined where it points.

The editor handles its own keys (it accepts the shortcut-override event for them), so they
work the same whatever actions the window defines. It never runs SQL: it emits signals, and
the window runs what they carry. File drops are left to the window, which imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QHelpEvent,
    QHideEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.sql import params as sql_params
from aiser_desktop.core.sql.statements import StatementLocator
from aiser_desktop.core.sql.tokens import OPERATOR, Span, highlight_line
from aiser_desktop.ui import theme
from aiser_desktop.ui.editor_gutter import LineNumberGutter

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aiser_desktop.core.sources.catalog import SourceInfo
    from aiser_desktop.core.sql.complete import CatalogIndex
    from aiser_desktop.ui.editor_completer import EditorCompleter
    from aiser_desktop.ui.editor_find import FindBar

INDENT = "    "
BRACKETS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in BRACKETS.items()}
ERROR_LIGHT, ERROR_DARK = "#d92d20", "#ff7a70"

# (light, dark) colour, bold, italic per token kind; identifiers keep the text colour.
_STYLES: dict[str, tuple[str, str, bool, bool]] = {
    "keyword": ("#1d4ed8", "#7aa2ff", True, False),
    "function": ("#7c3aed", "#c4a1ff", False, False),
    "string": ("#047857", "#6fd6a0", False, False),
    "number": ("#b45309", "#f0a35e", False, False),
    "comment": ("#6b7280", "#8b94a1", False, True),
    "operator": ("#4b5563", "#aab2bd", False, False),
    "parameter": ("#c2410c", "#ff9f6b", True, False),
}


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


class SqlHighlighter(QSyntaxHighlighter):
    """Colours DuckDB SQL by sqlglot's tokens, one line at a time.

    A line's block state numbers what it leaves open (a string's quote, ``/*``), so the next
    line is lexed as its continuation and Qt re-colours following lines only while that
    changes.
    """

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        self._carry_ids: dict[str, int] = {"": 0}
        self._carries = [""]
        self._formats: dict[str, QTextCharFormat] = {}
        # Code brackets per line, keyed by (what the line continues, its text): always valid
        # whatever was edited. (QTextBlockUserData is avoided: PySide6 mis-counts references
        # when a block's data is replaced, and the process dies.)
        self._brackets: dict[tuple[str, str], list[tuple[int, str]]] = {}
        super().__init__(document)
        self.set_dark(dark, rehighlight=False)

    def set_dark(self, dark: bool, rehighlight: bool = True) -> None:
        """Uses the dark or light colours (and colours the whole text again)."""
        formats = {}
        for kind, (light, dark_colour, bold, italic) in _STYLES.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_colour if dark else light))
            if bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            fmt.setFontItalic(italic)
            formats[kind] = fmt
        self._formats = formats
        if rehighlight:
            self.rehighlight()

    def _carry(self, state: int) -> str:
        return self._carries[state] if 0 <= state < len(self._carries) else ""

    def _remember(self, key: tuple[str, str], spans: tuple[Span, ...]) -> list[tuple[int, str]]:
        text = key[1]
        brackets = [
            (span.start, text[span.start])
            for span in spans
            if span.kind == OPERATOR
            and span.end - span.start == 1
            and (text[span.start] in BRACKETS or text[span.start] in CLOSERS)
        ]
        if len(self._brackets) > 50_000:
            self._brackets.clear()
        self._brackets[key] = brackets
        return brackets

    def brackets(self, block: QTextBlock) -> list[tuple[int, str]]:
        """The code brackets of a line (not those in strings or comments), in order."""
        previous = block.previous()
        key = (self._carry(previous.userState() if previous.isValid() else -1), block.text())
        found = self._brackets.get(key)
        if found is None:
            spans, _carry = highlight_line(key[1], key[0])
            found = self._remember(key, spans)
        return found

    def highlightBlock(self, text: str) -> None:
        before = self._carry(self.previousBlockState())
        spans, carry = highlight_line(text, before)
        for span in spans:
            fmt = self._formats.get(span.kind)
            if fmt is not None:
                self.setFormat(span.start, span.end - span.start, fmt)
        self._remember((before, text), spans)
        state = self._carry_ids.get(carry)
        if state is None:
            state = self._carry_ids[carry] = len(self._carries)
            self._carries.append(carry)
        self.setCurrentBlockState(state)


class ParametersDialog(QDialog):
    """Asks for the values of a statement's ``$name`` parameters.

    Args:
        names: The parameter names, in order of use.
        previous: What was typed for them last time (shown again).
        parent: The editor.
    """

    def __init__(self, names: Sequence[str], previous: dict[str, str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Query parameters")
        self.setObjectName("parametersDialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Values for the query's parameters. Numbers, true/false and null are typed; "
            "put text in 'single quotes' to keep it text."
        )
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        layout.addWidget(intro)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name in names:
            field = QLineEdit(previous.get(name, ""))
            field.setObjectName(f"param_{name}")
            field.setFont(theme.mono_font())
            form.addRow(f"${name}", field)
            self.fields[name] = field
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
        for button in buttons.buttons():
            button.setIcon(QIcon())  # Fusion's stock icons look out of place here
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)
        if self.fields:
            next(iter(self.fields.values())).setFocus()

    def texts(self) -> dict[str, str]:
        """What was typed, by parameter name."""
        return {name: field.text() for name, field in self.fields.items()}


class SqlEditor(QPlainTextEdit):
    """One SQL text box.

    Signals:
        run_requested: Run the selection or the statement under the cursor (Ctrl+Enter);
            :meth:`statement` gives it and its offset, :meth:`ask_parameters` its values.
        run_all_requested(str): Run every statement of this text in turn (Ctrl+Shift+Enter;
            the selection if there is one, else the whole text).
        explain_requested(str, bool): Show the plan of this statement; ``True`` means
            EXPLAIN ANALYZE, which runs it (Ctrl+Shift+E, Ctrl+Alt+E).
        cancel_requested: Esc was pressed (and there was no popup or find bar to close).
    """

    run_requested = Signal()
    run_all_requested = Signal(str)
    explain_requested = Signal(str, bool)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sqlEditor")
        self.setFont(theme.mono_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.document().setDocumentMargin(8)
        self.setPlaceholderText("Write SQL here, then press Ctrl+Enter to run it.")
        self._dark = _is_dark(self)
        self._highlighter = SqlHighlighter(self.document(), self._dark)
        self.gutter = LineNumberGutter(self)
        self.parameters_dialog: ParametersDialog | None = None
        self._param_texts: dict[str, str] = {}
        self._locator = StatementLocator()  # remembers semicolons between runs
        self._error: tuple[QTextCursor, str] | None = None
        self._extra: dict[str, list[QTextEdit.ExtraSelection]] = {}
        self._find_bar: FindBar | None = None
        self._completer: EditorCompleter | None = None
        self._catalog: Sequence[SourceInfo] | CatalogIndex = ()
        # Set by the tabs: returns the shared, current catalog index before each completion.
        self.catalog_provider: Callable[[], CatalogIndex] | None = None
        self._build_actions()
        self.cursorPositionChanged.connect(self._match_brackets)
        self.textChanged.connect(self._text_changed)

    # ------------------------------------------------------------------ actions
    def _action(self, text: str, slot: Callable[[], Any], keys: str = "") -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
            # The editor handles these keys itself; the shortcut is shown in menus.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.run_action = self._action("Run statement", self.request_run, "Ctrl+Return")
        self.run_all_action = self._action("Run all", self.request_run_all, "Ctrl+Shift+Return")
        self.explain_action = self._action(
            "Explain", lambda: self.request_explain(False), "Ctrl+Shift+E"
        )
        self.explain_analyze_action = self._action(
            "Explain analyze", lambda: self.request_explain(True), "Ctrl+Alt+E"
        )
        self.format_action = self._action("Format SQL", self.format_sql, "Ctrl+Shift+F")
        self.comment_action = self._action("Toggle comment", self.toggle_comment, "Ctrl+/")
        self.complete_action = self._action("Complete", self.complete, "Ctrl+Space")
        self.find_action = self._action("Find…", self.show_find, "Ctrl+F")
        self.replace_action = self._action("Replace…", self.show_replace, "Ctrl+H")
        self._keys: dict[tuple[int, Qt.KeyboardModifier], Callable[[], Any]] = {}
        ctrl, shift, alt = (
            Qt.KeyboardModifier.ControlModifier,
            Qt.KeyboardModifier.ShiftModifier,
            Qt.KeyboardModifier.AltModifier,
        )
        none = Qt.KeyboardModifier.NoModifier
        bindings: list[tuple[int, Qt.KeyboardModifier, Callable[[], Any]]] = [
            (Qt.Key.Key_Return, ctrl, self.request_run),
            (Qt.Key.Key_Enter, ctrl, self.request_run),
            (Qt.Key.Key_Return, ctrl | shift, self.request_run_all),
            (Qt.Key.Key_Enter, ctrl | shift, self.request_run_all),
            (Qt.Key.Key_E, ctrl | shift, lambda: self.request_explain(False)),
            (Qt.Key.Key_E, ctrl | alt, lambda: self.request_explain(True)),
            (Qt.Key.Key_F, ctrl | shift, self.format_sql),
            (Qt.Key.Key_Slash, ctrl, self.toggle_comment),
            (Qt.Key.Key_Space, ctrl, self.complete),
            (Qt.Key.Key_F, ctrl, self.show_find),
            (Qt.Key.Key_H, ctrl, self.show_replace),
            (Qt.Key.Key_F3, none, lambda: self.find_next(True)),
            (Qt.Key.Key_F3, shift, lambda: self.find_next(False)),
            (Qt.Key.Key_Escape, none, self._escape),
        ]
        for key, mods, slot in bindings:
            self._keys[(int(key), mods)] = slot

    def _binding(self, event: QKeyEvent) -> Callable[[], Any] | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return self._keys.get((event.key(), mods))

    # ------------------------------------------------------------------ public API
    def statement(self) -> tuple[str, int]:
        """The SQL to run and its offset in the text: the selection if there is one, else
        the statement under the cursor ("" when there is none)."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            # Qt uses U+2029 between selected paragraphs.
            return cursor.selectedText().replace("\u2029", "\n"), cursor.selectionStart()
        text = self.toPlainText()
        found = self._locator.statement_at(text, cursor.position())
        if found is None:
            return "", cursor.position()
        return found.text, found.start

    def script(self) -> tuple[str, int]:
        """The SQL for "run all": the selection if there is one, else the whole text."""
        cursor = self.textCursor()
        if cursor.hasSelection():
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

    def parameters(self, sql: str) -> list[str]:
        """The ``$name`` parameters of ``sql``, each once, in order of use."""
        return sql_params.names(sql)

    def set_catalog(self, catalog: Sequence[SourceInfo] | CatalogIndex) -> None:
        """The sources whose tables and columns completion offers (the cached catalog, or
        an index of it shared between tabs)."""
        self._catalog = catalog
        if self._completer is not None:
            self._completer.set_catalog(catalog)

    # ------------------------------------------------------------------ running
    def request_run(self) -> None:
        """Emits ``run_requested`` (what Ctrl+Enter does)."""
        self.run_requested.emit()

    def request_run_all(self) -> None:
        """Emits ``run_all_requested`` with the selection or the whole text."""
        sql, _offset = self.script()
        if sql.strip():
            self.run_all_requested.emit(sql)

    def request_explain(self, analyze: bool = False) -> None:
        """Emits ``explain_requested`` for the selection or the statement under the cursor."""
        sql, _offset = self.statement()
        if sql.strip():
            self.explain_requested.emit(sql, analyze)

    def ask_parameters(self, statements: list[Any]) -> list[Any] | None:
        """Asks for the values of the ``$name`` parameters of ``statements`` in a small
        dialog (modal; what was typed last time is filled in) and binds them.

        Args:
            statements: Objects with ``sql`` (and usually ``offset`` and ``params``) fields,
                dataclasses such as the query runner's ``Statement``.

        Returns:
            The statements, those with parameters given ``params`` (a dict for DuckDB's
            named parameters), or None when the person cancelled. Without parameters they
            come back unchanged and nothing is asked.
        """
        import dataclasses

        names = list(dict.fromkeys(n for s in statements for n in sql_params.names(s.sql)))
        if not names:
            return statements
        dialog = ParametersDialog(names, self._param_texts, self)
        self.parameters_dialog = dialog
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            texts = dialog.texts()
        finally:
            self.parameters_dialog = None
            dialog.deleteLater()
        if not accepted:
            return None
        self._param_texts.update(texts)
        values = {name: sql_params.parse_value(text) for name, text in texts.items()}
        bound = []
        for stmt in statements:
            used = sql_params.bind(stmt.sql, values)
            bound.append(dataclasses.replace(stmt, params=used) if used else stmt)
        return bound

    # ------------------------------------------------------------------ errors
    def show_error(self, offset: int, length: int, message: str) -> None:
        """Underlines ``length`` characters at ``offset`` with a red wave (at least the word
        there: DuckDB points at a word's first letter); hovering shows ``message``."""
        text = self.toPlainText()
        if not text:
            return
        start = max(0, min(offset, len(text) - 1))
        end = max(min(len(text), start + length), self._word_end(text, start))
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(max(end, start + 1), QTextCursor.MoveMode.KeepAnchor)
        self._error = (cursor, message)
        self._refresh_error()

    def clear_error(self) -> None:
        """Removes the error underline."""
        if self._error is not None:
            self._error = None
            self._set_extra("error", [])

    @property
    def error_range(self) -> tuple[int, int] | None:
        """``(start, end)`` of the underlined error, or None."""
        if self._error is None:
            return None
        cursor = self._error[0]
        return cursor.selectionStart(), cursor.selectionEnd()

    @staticmethod
    def _word_end(text: str, start: int) -> int:
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] in "_$."):
            end += 1
        return max(end, start + 1)

    def _refresh_error(self) -> None:
        if self._error is None:
            return
        sel = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(ERROR_DARK if self._dark else ERROR_LIGHT))
        sel.format = fmt
        sel.cursor = self._error[0]
        self._set_extra("error", [sel])

    # ------------------------------------------------------------------ editing helpers
    def toggle_comment(self) -> None:
        """Comments out the selected lines (or the cursor's line) with ``--``, or uncomments
        them when all of them already are; one undo step."""
        cursor = self.textCursor()
        doc = self.document()
        first = doc.findBlock(cursor.selectionStart())
        last = doc.findBlock(cursor.selectionEnd())
        if cursor.hasSelection() and last.position() == cursor.selectionEnd() and last != first:
            last = last.previous()  # a selection ending at a line start leaves that line out
        blocks = []
        block = first
        while block.isValid():
            blocks.append(block)
            if block == last:
                break
            block = block.next()
        texts = [b.text() for b in blocks]
        code = [t for t in texts if t.strip()]
        if not code:
            return
        commented = all(t.lstrip().startswith("--") for t in code)
        indent = min(len(t) - len(t.lstrip()) for t in code)
        edit = QTextCursor(doc)
        edit.beginEditBlock()
        for block, text in zip(blocks, texts, strict=True):
            if not text.strip():
                continue
            if commented:
                at = len(text) - len(text.lstrip())
                width = 3 if text[at + 2 : at + 3] == " " else 2
                edit.setPosition(block.position() + at)
                edit.setPosition(block.position() + at + width, QTextCursor.MoveMode.KeepAnchor)
                edit.removeSelectedText()
            else:
                edit.setPosition(block.position() + indent)
                edit.insertText("-- ")
        edit.endEditBlock()

    def _indent_selection(self, dedent: bool) -> None:
        cursor = self.textCursor()
        doc = self.document()
        first = doc.findBlock(cursor.selectionStart())
        last = doc.findBlock(cursor.selectionEnd())
        if cursor.hasSelection() and last.position() == cursor.selectionEnd() and last != first:
            last = last.previous()
        edit = QTextCursor(doc)
        edit.beginEditBlock()
        block = first
        while block.isValid():
            text = block.text()
            if dedent:
                width = len(text) - len(text.lstrip(" "))
                width = min(width, len(INDENT)) if not text.startswith("\t") else 1
                if width:
                    edit.setPosition(block.position())
                    edit.setPosition(block.position() + width, QTextCursor.MoveMode.KeepAnchor)
                    edit.removeSelectedText()
            elif text.strip():
                edit.setPosition(block.position())
                edit.insertText(INDENT)
            if block == last:
                break
            block = block.next()
        edit.endEditBlock()

    def _newline_with_indent(self) -> None:
        cursor = self.textCursor()
        line = cursor.block().text()[: cursor.positionInBlock()]
        indent = line[: len(line) - len(line.lstrip())]
        if line.rstrip().endswith(("(", "[", "{")):
            indent += INDENT
        cursor.insertText("\n" + indent)
        self.ensureCursorVisible()

    # ------------------------------------------------------------------ format
    def format_sql(self) -> None:
        """Formats the selection (or the whole text) with sqlglot, as one undo step. On a
        parse error the text stays as it is and the error is underlined where it points."""
        from aiser_desktop.core.sql.format import format_sql

        cursor = self.textCursor()
        selected = cursor.hasSelection()
        text, offset = self.script()
        if not text.strip():
            return
        result = format_sql(text)
        if result.error:
            position = offset + (result.error_offset if result.error_offset >= 0 else 0)
            self.show_error(position, 0, result.error)
            QToolTip.showText(
                self.viewport().mapToGlobal(self.cursorRect().bottomLeft()), result.error, self
            )
            return
        if result.text == text:
            return
        edit = QTextCursor(self.document())
        if selected:
            edit.setPosition(cursor.selectionStart())
            edit.setPosition(cursor.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
        else:
            edit.select(QTextCursor.SelectionType.Document)
        edit.insertText(result.text)
        self.setTextCursor(edit)

    # ------------------------------------------------------------------ find and complete
    def find_bar(self) -> FindBar:
        """The find/replace bar (made on first use)."""
        if self._find_bar is None:
            from aiser_desktop.ui.editor_find import FindBar

            self._find_bar = FindBar(self)
            self._find_bar.matches_changed.connect(lambda sels: self._set_extra("find", sels))
        return self._find_bar

    def show_find(self, replace: bool = False) -> None:
        """Opens the find bar (with the replace row for ``replace``) on the selected text."""
        self.find_bar().open(replace)

    def show_replace(self) -> None:
        """Opens the find bar with its replace row (Ctrl+H)."""
        self.find_bar().open(True)

    def find_next(self, forward: bool = True) -> None:
        """Moves to the next (or previous) match of the find bar's text."""
        self.find_bar().find_match(forward)

    def completer(self) -> EditorCompleter:
        """The completion popup's controller (made on first use)."""
        if self._completer is None:
            from aiser_desktop.ui.editor_completer import EditorCompleter

            self._completer = EditorCompleter(self)
            self._completer.set_catalog(self._catalog)
        return self._completer

    def complete(self) -> None:
        """Shows the completions at the cursor (Ctrl+Space)."""
        self.completer().show_completions(explicit=True)

    # ------------------------------------------------------------------ extra selections
    def _set_extra(self, name: str, selections: list[QTextEdit.ExtraSelection]) -> None:
        self._extra[name] = selections
        merged: list[QTextEdit.ExtraSelection] = []
        for key in ("find", "brackets", "error"):
            merged.extend(self._extra.get(key, []))
        self.setExtraSelections(merged)

    def _match_brackets(self) -> None:
        found = self._bracket_pair()
        selections = []
        if found is not None:
            fmt = QTextCharFormat()
            colour = self.palette().color(QPalette.ColorRole.Highlight)
            colour.setAlpha(70)
            fmt.setBackground(colour)
            fmt.setFontWeight(QFont.Weight.Bold)
            for pos in found:
                sel = QTextEdit.ExtraSelection()
                sel.format = fmt
                cur = QTextCursor(self.document())
                cur.setPosition(pos)
                cur.setPosition(pos + 1, QTextCursor.MoveMode.KeepAnchor)
                sel.cursor = cur
                selections.append(sel)
        if selections or self._extra.get("brackets"):
            self._set_extra("brackets", selections)

    def bracket_pair(self) -> tuple[int, int] | None:
        """Offsets of the bracket at (or just before) the cursor and its partner, or None."""
        return self._bracket_pair()

    def _bracket_pair(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        block = cursor.block()
        brackets = self._highlighter.brackets(block)
        if not brackets:
            return None
        col = cursor.positionInBlock()
        here = dict(brackets)
        # The bracket after the cursor wins, then the one before it (as in most editors).
        for at in (col, col - 1):
            char = here.get(at)
            if char is not None:
                partner = self._find_partner(block, at, char)
                if partner is not None:
                    return block.position() + at, partner
                return None
        return None

    def _find_partner(self, block: QTextBlock, at: int, char: str) -> int | None:
        forward = char in BRACKETS
        mine, theirs = (char, BRACKETS[char]) if forward else (char, CLOSERS[char])
        depth = 0
        current = block
        limit = 5000  # lines looked at, so a stray bracket in a huge script stays cheap
        first = True
        while current.isValid() and limit > 0:
            brackets = self._highlighter.brackets(current)
            items = brackets if forward else list(reversed(brackets))
            for pos, c in items:
                if first and ((forward and pos < at) or (not forward and pos > at)):
                    continue
                if c == mine:
                    depth += 1
                elif c == theirs:
                    depth -= 1
                    if depth == 0:
                        return current.position() + pos
            first = False
            current = current.next() if forward else current.previous()
            limit -= 1
        return None

    # ------------------------------------------------------------------ events
    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._binding(event) is not None
        ):
            event.accept()  # our key: the editor handles it, not a window shortcut
            return True
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            if self._error is not None:
                at = self.cursorForPosition(event.pos()).position()
                start, end = self.error_range or (0, 0)
                if start <= at <= end:
                    QToolTip.showText(event.globalPos(), self._error[1], self)
                    return True
            QToolTip.hideText()
        return super().viewportEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        completer = self._completer
        if completer is not None and completer.handle_key(event):
            return
        slot = self._binding(event)
        if slot is not None:
            slot()
            return
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
            cursor = self.textCursor()
            if cursor.hasSelection() and "\u2029" in cursor.selectedText():
                self._indent_selection(dedent=False)
            else:
                cursor.insertText(" " * (len(INDENT) - cursor.positionInBlock() % len(INDENT)))
            return
        if key == Qt.Key.Key_Backtab:
            self._indent_selection(dedent=True)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        ):
            self._newline_with_indent()
            return
        super().keyPressEvent(event)
        if event.text() or key == Qt.Key.Key_Backspace:
            self.completer().typed(event.text())

    def _escape(self) -> None:
        if self._find_bar is not None and self._find_bar.isVisible():
            self._find_bar.close_bar()
            return
        self.cancel_requested.emit()

    def _text_changed(self) -> None:
        if self._find_bar is not None and self._find_bar.isVisible():
            self._find_bar.refresh()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        first = menu.actions()[0]
        for action in (
            self.run_action,
            self.run_all_action,
            self.explain_action,
            self.explain_analyze_action,
        ):
            menu.insertAction(first, action)
        menu.insertSeparator(first)
        menu.addSeparator()
        menu.addActions(
            [self.format_action, self.comment_action, self.find_action, self.replace_action]
        )
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    def hideEvent(self, event: QHideEvent) -> None:
        if self._completer is not None:
            self._completer.hide()  # a floating window: it would outlive a hidden editor
        super().hideEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._completer is not None:
            self._completer.hide()
        super().focusOutEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.gutter.place()
        if self._find_bar is not None:
            self._find_bar.place()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            dark = _is_dark(self)
            if dark != self._dark:
                self._dark = dark
                self._highlighter.set_dark(dark)
            self._refresh_error()

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
