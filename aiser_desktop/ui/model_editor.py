"""The model editor: one semantic-model file (Cube's YAML) in a tab beside the SQL tabs.

It colours YAML, checks the text as the person types (debounced, on a task thread:
:func:`aiser_desktop.core.semantic.validate_text` against the rest of the workspace's model),
underlines each problem at its line, marks the line in the gutter (hover for the message) and
lists the problems under the text (click one to go there). Ctrl+S saves the file, off the GUI
thread; the Metrics panel then reloads the model. The tab closes through
``request_close``, which asks first when there are unsaved changes.

    editor = ModelEditor(path, text, model, tasks)
    tabs.add_page(editor, path.name)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.ui import theme
from aiser_desktop.ui.editor_gutter import LineNumberGutter
from aiser_desktop.ui.workers import TaskRunner

VALIDATE_MS = 350  # the pause in typing after which the text is checked
ERROR_LIGHT, ERROR_DARK = "#d92d20", "#ff7a70"

NEW_CUBE = """cubes:
  - name: {name}
    sql_table: {table}
    title: {title}
    description: What one row of {table} is, in plain words.

    measures:
      - name: count
        type: count
        title: Number of rows

    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
"""

# (light, dark) colour, bold, italic per kind of YAML token.
_STYLES: dict[str, tuple[str, str, bool, bool]] = {
    "key": ("#1d4ed8", "#7aa2ff", True, False),
    "string": ("#047857", "#6fd6a0", False, False),
    "number": ("#b45309", "#f0a35e", False, False),
    "keyword": ("#7c3aed", "#c4a1ff", False, False),
    "reference": ("#c2410c", "#ff9f6b", True, False),
    "comment": ("#6b7280", "#8b94a1", False, True),
}
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("key", re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w.]*)\s*:(?=\s|$)")),
    ("string", re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'")),
    ("number", re.compile(r"(?<=:\s)-?\d+(?:\.\d+)?\s*$")),
    ("keyword", re.compile(r"(?<=:\s)(?:true|false|null|yes|no)\s*$")),
    ("reference", re.compile(r"\{[A-Za-z_][\w.]*\}")),
]
_COMMENT = re.compile(r"(^|\s)#.*$")


class YamlHighlighter(QSyntaxHighlighter):
    """Colours keys, strings, numbers, booleans, Cube's ``{member}`` references and
    comments, one line at a time (YAML model files carry no multi-line state we colour)."""

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        self._formats: dict[str, QTextCharFormat] = {}
        super().__init__(document)
        self.set_dark(dark, rehighlight=False)

    def set_dark(self, dark: bool, rehighlight: bool = True) -> None:
        for kind, (light, dark_colour, bold, italic) in _STYLES.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_colour if dark else light))
            if bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            fmt.setFontItalic(italic)
            self._formats[kind] = fmt
        if rehighlight:
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        comment = _COMMENT.search(text)
        end = comment.start() if comment else len(text)
        code = text[:end]
        for kind, pattern in _RULES:
            for match in pattern.finditer(code):
                group = 1 if pattern.groups else 0
                self.setFormat(
                    match.start(group), match.end(group) - match.start(group), self._formats[kind]
                )
        if comment:
            self.setFormat(end, len(text) - end, self._formats["comment"])


class _Gutter(LineNumberGutter):
    """Line numbers, and a red dot on each line with a problem (hover it for the message)."""

    MARK_WIDTH = 12

    def __init__(self, editor: ModelTextEdit) -> None:
        super().__init__(editor)
        self._model_editor = editor
        self.setMouseTracking(True)

    def line_at(self, y: int) -> int:
        """The 1-based line at height ``y`` of the gutter (0 below the text)."""
        editor = self._editor
        block = editor.firstVisibleBlock()
        offset = editor.contentOffset()
        while block.isValid():
            geometry = editor.blockBoundingGeometry(block).translated(offset)
            if geometry.top() <= y < geometry.bottom():
                return block.blockNumber() + 1
            block = block.next()
        return 0

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._model_editor.problems_text(self.line_at(event.pos().y()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paint_line(self, painter: QPainter, line: int, top: int, height: int) -> None:
        if line not in self._model_editor.problem_lines():
            return
        error = QColor(ERROR_DARK if theme.is_dark() else ERROR_LIGHT)
        pen = painter.pen()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(error)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawEllipse(4, top + height // 2 - 4, 8, 8)
        pen.setColor(error)
        painter.setPen(pen)


class ModelTextEdit(QPlainTextEdit):
    """The YAML text, with problems underlined at their line.

    Signals:
        save_requested: Ctrl+S while the text has the focus.
    """

    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelEditor")
        self.setFont(theme.mono_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(2 * self.fontMetrics().horizontalAdvance(" "))
        self.document().setDocumentMargin(6)
        self._highlighter = YamlHighlighter(self.document(), theme.is_dark())
        self._problems: list[Any] = []
        self.gutter = _Gutter(self)

    # ------------------------------------------------------------------ problems
    def set_problems(self, problems: Sequence[Any]) -> None:
        """Underlines each problem (a ModelError: line and column, 1-based) at its line."""
        self._problems = list(problems)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(ERROR_DARK if theme.is_dark() else ERROR_LIGHT))
        selections = []
        doc = self.document()
        for problem in self._problems:
            block = doc.findBlockByNumber(max(0, int(problem.line) - 1))
            if not block.isValid():
                continue
            text = block.text()
            start = min(max(0, int(problem.column) - 1), max(0, len(text) - 1))
            if not text[start:].strip():  # the column is past the text: the whole line
                start = len(text) - len(text.lstrip())
            cursor = QTextCursor(block)
            cursor.setPosition(block.position() + start)
            cursor.setPosition(
                block.position() + max(len(text.rstrip()), start + 1),
                QTextCursor.MoveMode.KeepAnchor,
            )
            selection = QTextEdit.ExtraSelection()
            selection.format = fmt
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)
        self.gutter.update()

    def problem_lines(self) -> set[int]:
        return {int(p.line) for p in self._problems}

    def problems_text(self, line: int) -> str:
        """The messages of the problems at ``line`` (with their hints), or ""."""
        found = [p for p in self._problems if int(p.line) == line]
        return "\n".join(
            f"Line {p.line}, column {p.column}: {p.message}" + (f"\n{p.hint}" if p.hint else "")
            for p in found
        )

    def go_to(self, line: int, column: int = 1) -> None:
        block = self.document().findBlockByNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + min(max(0, column - 1), len(block.text())))
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    # ------------------------------------------------------------------ keys and paint
    def _is_save(self, event: QKeyEvent) -> bool:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        return bool(ctrl) and event.key() == Qt.Key.Key_S

    def _is_run(self, event: QKeyEvent) -> bool:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        return bool(ctrl) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (self._is_save(event) or self._is_run(event))
        ):
            event.accept()  # ours: not the window's Save query or Run
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._is_save(event):
            self.save_requested.emit()
            return
        if self._is_run(event):
            return  # nothing to run in a model file
        if event.key() == Qt.Key.Key_Tab and not event.modifiers():
            self.insertPlainText("  ")  # YAML indents with spaces, never tabs
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            line = self.textCursor().block().text()
            indent = line[: len(line) - len(line.lstrip())]
            if line.rstrip().endswith(":"):
                indent += "  "
            self.insertPlainText("\n" + indent)
            return
        super().keyPressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            line = self.cursorForPosition(event.pos()).blockNumber() + 1
            text = self.problems_text(line)
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
                return True
            QToolTip.hideText()
        return super().viewportEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.gutter.place()


class ModelEditor(QWidget):
    """One model file: its text, its problems, Save.

    Args:
        path: The file (it may not exist yet: a new cube).
        text: Its text.
        model: The workspace's model, so references to other files' cubes are checked.
        tasks: Where validation and saving run (the window's task runner).
        new: True for a file not written yet (the tab shows it modified).

    Signals:
        saved(Path): The file was written.
        problems_changed(list): The problems of the last check (ModelError records).
        note(str, str): A message for the window's messages pane: (kind, text).
    """

    saved = Signal(object)
    problems_changed = Signal(list)
    note = Signal(str, str)

    def __init__(
        self, path: Path, text: str, model: Any, tasks: TaskRunner, *, new: bool = False
    ) -> None:
        super().__init__()
        self.setObjectName("modelPage")
        self.path = Path(path)
        self.model = model
        self._tasks = tasks
        self._generation = 0
        self.problems: list[Any] = []
        self.checked = False  # a check has finished since the last change
        self.close_box: QMessageBox | None = None

        self.text = ModelTextEdit()
        self.text.setPlainText(text)
        self.text.document().setModified(new)
        self.title = QLabel(self.path.name)
        self.title.setObjectName("panelTitle")
        self.title.setToolTip(str(self.path))
        self.status = QLabel("Checking…")
        self.status.setObjectName("muted")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Write the file (Ctrl+S)")
        self.list = QListWidget()
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 4 + 12)
        self.list.setObjectName("problems")

        bar = QHBoxLayout()
        bar.setContentsMargins(10, 6, 8, 6)
        bar.addWidget(self.title)
        bar.addSpacing(12)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.save_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.text)
        split.addWidget(self.list)
        split.setStretchFactor(0, 1)
        split.setSizes([400, 90])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_MS)
        self._timer.timeout.connect(self.validate)
        self.text.textChanged.connect(self._changed)
        self.text.save_requested.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.list.itemActivated.connect(self._go_to_item)
        self.list.itemClicked.connect(self._go_to_item)
        self.text.document().modificationChanged.connect(lambda _m: self._retitle())
        self.validate()

    # ------------------------------------------------------------------ checking
    def set_model(self, model: Any) -> None:
        """The workspace's model changed (another file was saved): check again."""
        self.model = model
        self.validate()

    def _changed(self) -> None:
        self.checked = False
        self._timer.start()

    def validate(self) -> None:
        """Checks the text now, on a task thread; a newer check wins over an older one."""
        from aiser_desktop.core.semantic import validate_text

        self._timer.stop()
        self._generation += 1
        generation = self._generation
        self._tasks.start(
            f"check {self.path.name}",
            validate_text,
            self.text.toPlainText(),
            self.path,
            self.model,
            on_done=lambda problems: self._checked(generation, problems),
            on_error=lambda exc: self._check_failed(generation, exc),
        )

    def _checked(self, generation: int, problems: list[Any]) -> None:
        if generation != self._generation:
            return  # the text changed again meanwhile
        self.problems = sorted(problems, key=lambda p: (p.line, p.column))
        self.checked = True
        self.text.set_problems(self.problems)
        self.list.clear()
        for problem in self.problems:
            item = QListWidgetItem(
                f"Line {problem.line}, column {problem.column}: {problem.message}"
            )
            item.setData(Qt.ItemDataRole.UserRole, (problem.line, problem.column))
            item.setToolTip(problem.hint or problem.message)
            self.list.addItem(item)
        count = len(self.problems)
        self.status.setText(
            "No problems" if not count else f"{count} problem{'s' if count > 1 else ''}"
        )
        error = ERROR_DARK if theme.is_dark() else ERROR_LIGHT
        self.status.setStyleSheet(f"color: {error};" if count else "")
        self.list.setVisible(bool(count))
        self.problems_changed.emit(self.problems)

    def _check_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.status.setText(f"Could not check the file: {exc}")

    def _go_to_item(self, item: QListWidgetItem) -> None:
        line, column = item.data(Qt.ItemDataRole.UserRole)
        self.text.go_to(int(line), int(column))

    # ------------------------------------------------------------------ saving and closing
    @property
    def modified(self) -> bool:
        return self.text.document().isModified()

    def save(self, then: Any = None) -> None:
        """Writes the file on a task thread; ``saved`` follows (and ``then()``, if given)."""
        text = self.text.toPlainText()
        path = self.path

        def write() -> Path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            return path

        def done(_path: Path) -> None:
            if self.text.toPlainText() == text:
                self.text.document().setModified(False)
            problems = len(self.problems)
            tail = f" It has {problems} problem{'s' if problems > 1 else ''}." if problems else ""
            self.note.emit("success" if not problems else "info", f"Saved {path.name}.{tail}")
            self.saved.emit(path)
            if callable(then):
                then()

        self._tasks.start(
            f"save {path.name}",
            write,
            on_done=done,
            on_error=lambda exc: self.note.emit("error", f"{path.name} was not saved: {exc}"),
        )

    def _retitle(self) -> None:
        tabs = self._tabs()
        if tabs is not None:
            mark = " •" if self.modified else ""
            tabs.setTabText(tabs.indexOf(self), self.path.name + mark)

    def _tabs(self) -> QTabWidget | None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        return parent

    def request_close(self, force: bool = False) -> bool:
        """Closes the tab; with unsaved changes, asks first (non-blocking) unless ``force``.
        Returns True when the tab was closed now."""
        if self.modified and not force:
            self._ask_close()
            return False
        tabs = self._tabs()
        if tabs is not None:
            tabs.removeTab(tabs.indexOf(self))
        self._generation += 1  # a check under way is no longer wanted
        self.deleteLater()
        return True

    def _ask_close(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Close model file",
            f"“{self.path.name}” has changes that are not saved.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        save = box.addButton("Save and close", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Close without saving", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(save)

        def clicked(button: object) -> None:
            if button is save:
                self.save(then=lambda: self.request_close(force=True))
            elif button is discard:
                self.request_close(force=True)

        box.buttonClicked.connect(clicked)
        box.finished.connect(lambda _r: setattr(self, "close_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.close_box = box
        box.open()


def new_cube_text(name: str, table: str = "") -> str:
    """The text of a new cube file over ``table`` (a starting point the person edits)."""
    title = name.replace("_", " ").capitalize()
    return NEW_CUBE.format(name=name, table=table or name, title=title)
