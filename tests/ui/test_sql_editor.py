"""The SQL editor's keys and features, driven as a person would: keys, not method calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.sql_editor import SqlEditor

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@dataclass
class Statement:
    """Like the query runner's: what ask_parameters binds."""

    sql: str
    offset: int = 0
    params: Any = None


@pytest.fixture
def editor(qtbot: QtBot) -> SqlEditor:
    widget = SqlEditor()
    widget.resize(700, 400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setFocus()
    return widget


def put(editor: SqlEditor, text: str, cursor: int | None = None) -> None:
    editor.setPlainText(text)
    editor.move_to(len(text) if cursor is None else cursor)


def colour_at(editor: SqlEditor, offset: int) -> QColor | None:
    block = editor.document().findBlock(offset)
    col = offset - block.position()
    for fmt_range in block.layout().formats():
        if fmt_range.start <= col < fmt_range.start + fmt_range.length:
            return fmt_range.format.foreground().color()
    return None


def test_highlighting_follows_the_tokens(editor: SqlEditor) -> None:
    text = "select 'from' as x, count(*) -- where\nfrom t /* open\nselect */ where 1"
    put(editor, text)
    keyword = colour_at(editor, 0)
    assert keyword is not None
    assert colour_at(editor, text.index("'from'") + 1) not in (None, keyword)  # a string
    assert colour_at(editor, text.index("count")) not in (None, keyword)  # a function
    assert colour_at(editor, text.index("where")) not in (None, keyword)  # in a comment
    assert colour_at(editor, text.index("\nfrom") + 1) == keyword
    # The block comment spans two lines: "select" on the third line is comment, not keyword.
    assert colour_at(editor, text.index("select */")) != keyword
    assert colour_at(editor, text.rindex("where")) == keyword


def test_closing_a_comment_recolours_the_lines_below(editor: SqlEditor, qtbot: QtBot) -> None:
    put(editor, "/* note\nselect 1")
    second = len("/* note\n")
    comment_colour = colour_at(editor, second)
    editor.move_to(len("/* note"))
    qtbot.keyClicks(editor, " */")
    assert colour_at(editor, second + 3) != comment_colour


def test_ctrl_enter_runs_the_statement_under_the_cursor(editor: SqlEditor, qtbot: QtBot) -> None:
    text = "select 1;\nselect 'a;b' as x\n  from t;\nselect 3"
    put(editor, text, text.index("from"))
    with qtbot.waitSignal(editor.run_requested):
        qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    assert editor.statement() == ("select 'a;b' as x\n  from t", text.index("select 'a"))
    assert editor.toPlainText() == text  # Enter was not typed


def test_a_selection_is_what_runs(editor: SqlEditor) -> None:
    put(editor, "select 1; select 2")
    cursor = editor.textCursor()
    cursor.setPosition(3)
    cursor.setPosition(8, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    assert editor.statement() == ("ect 1", 3)


def test_run_all_and_explain_keys(editor: SqlEditor, qtbot: QtBot) -> None:
    text = "select 1;\nselect 2"
    put(editor, text)
    with qtbot.waitSignal(editor.run_all_requested) as all_sig:
        qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL | SHIFT)
    assert all_sig.args == [text]
    with qtbot.waitSignal(editor.explain_requested) as plan:
        qtbot.keyClick(editor, Qt.Key.Key_E, CTRL | SHIFT)
    assert plan.args == ["select 2", False]
    with qtbot.waitSignal(editor.explain_requested) as plan:
        qtbot.keyClick(editor, Qt.Key.Key_E, CTRL | ALT)
    assert plan.args == ["select 2", True]


def test_escape_cancels(editor: SqlEditor, qtbot: QtBot) -> None:
    with qtbot.waitSignal(editor.cancel_requested):
        qtbot.keyClick(editor, Qt.Key.Key_Escape)


def test_tab_indents_and_shift_tab_dedents(editor: SqlEditor, qtbot: QtBot) -> None:
    put(editor, "ab", 0)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    ab"
    put(editor, "a\nb\nc")
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    a\n    b\n    c"
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, SHIFT)
    assert editor.toPlainText() == "a\nb\nc"


def test_enter_keeps_the_indent_and_adds_one_after_a_paren(editor: SqlEditor, qtbot: QtBot) -> None:
    put(editor, "select\n    a,")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "b in (")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "select\n    a,\n    b in (\n        "


def test_comment_toggle_is_one_undo_step(editor: SqlEditor, qtbot: QtBot) -> None:
    text = "select a,\n  b\nfrom t"
    put(editor, text)
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(text.index("b") + 1, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Slash, CTRL)
    assert editor.toPlainText() == "-- select a,\n--   b\nfrom t"
    qtbot.keyClick(editor, Qt.Key.Key_Slash, CTRL)
    assert editor.toPlainText() == text
    qtbot.keyClick(editor, Qt.Key.Key_Slash, CTRL)
    editor.undo()
    assert editor.toPlainText() == text


def test_brackets_match_outside_strings(editor: SqlEditor) -> None:
    text = "select f(a, ')', (b)\n  , c)"
    put(editor, text, text.index("("))
    pair = editor.bracket_pair()
    assert pair == (text.index("("), len(text) - 1)
    tinted = [
        s.cursor.selectionStart() for s in editor.extraSelections() if s.cursor.hasSelection()
    ]
    assert sorted(tinted) == list(pair)
    editor.move_to(len(text))  # after the last ")"
    assert editor.bracket_pair() == (len(text) - 1, text.index("("))


def test_error_is_underlined_with_its_message(editor: SqlEditor) -> None:
    text = "select amout from sales"
    put(editor, text)
    editor.show_error(text.index("amout"), 1, "Referenced column amout not found")
    assert editor.error_range == (7, 12)  # the whole word
    waves = [
        s
        for s in editor.extraSelections()
        if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    ]
    assert len(waves) == 1
    rect = editor.cursorRect(editor.textCursor())
    cur = editor.textCursor()
    cur.setPosition(9)
    point = editor.cursorRect(cur).center()
    event = QHelpEvent(QEvent.Type.ToolTip, point, editor.viewport().mapToGlobal(point))
    editor.viewportEvent(event)
    assert "amout not found" in QToolTip.text()
    assert rect.isValid()
    editor.clear_error()
    assert editor.error_range is None
    QToolTip.hideText()


def test_error_underline_moves_with_edits(editor: SqlEditor, qtbot: QtBot) -> None:
    put(editor, "select amout from sales")
    editor.show_error(7, 5, "bad")
    editor.move_to(0)
    qtbot.keyClicks(editor, "-- x")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.error_range == (12, 17)


def test_format_key_and_undo(editor: SqlEditor, qtbot: QtBot) -> None:
    text = "select a, count(*) from t group by a"
    put(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_F, CTRL | SHIFT)
    assert editor.toPlainText().startswith("SELECT\n  a,\n  COUNT(*)\nFROM t")
    editor.undo()
    assert editor.toPlainText() == text


def test_format_error_underlines_and_keeps_the_text(editor: SqlEditor, qtbot: QtBot) -> None:
    text = "select 1;\nselect * fro t"
    put(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_F, CTRL | SHIFT)
    assert editor.toPlainText() == text
    assert editor.error_range is not None
    assert text[editor.error_range[0] :].startswith("t")
    QToolTip.hideText()


def test_parameters_are_asked_for_and_bound(editor: SqlEditor, qtbot: QtBot) -> None:
    statements = [Statement("select $a + 1 as x, $name as n", 0), Statement("select 2", 40)]
    assert editor.parameters(statements[0].sql) == ["a", "name"]

    def answer() -> None:
        dialog = editor.parameters_dialog
        assert dialog is not None
        dialog.fields["a"].setText("41")
        dialog.fields["name"].setText("north")
        dialog.accept()

    QTimer.singleShot(0, answer)
    bound = editor.ask_parameters(statements)
    assert bound is not None
    assert bound[0].params == {"a": 41, "name": "north"}
    assert bound[1] is statements[1]  # no parameters: unchanged

    def cancel() -> None:
        dialog = editor.parameters_dialog
        assert dialog is not None
        assert dialog.fields["a"].text() == "41"  # last time's value is offered
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert editor.ask_parameters(statements) is None


def test_no_dialog_without_parameters(editor: SqlEditor) -> None:
    statements = [Statement("select '$a' -- $b")]
    assert editor.ask_parameters(statements) is statements
    assert editor.parameters_dialog is None


def test_line_numbers_leave_room_and_grow(editor: SqlEditor) -> None:
    put(editor, "select 1")
    narrow = editor.gutter.width_needed()
    assert editor.viewportMargins().left() == narrow > 0
    put(editor, "\n".join(["select 1"] * 1200))
    assert editor.gutter.width_needed() > narrow
    assert editor.viewportMargins().left() == editor.gutter.width_needed()


def test_undo_and_redo_are_qts(editor: SqlEditor, qtbot: QtBot) -> None:
    put(editor, "")
    qtbot.keyClicks(editor, "select 1")
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)
    assert editor.toPlainText() == ""
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL | SHIFT)
    assert editor.toPlainText() == "select 1"


def test_window_shortcuts_do_not_steal_the_editors_keys(qtbot: QtBot) -> None:
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    editor = SqlEditor()
    window.setCentralWidget(editor)
    fired: list[str] = []
    for keys in ("Ctrl+Return", "Esc", "Ctrl+F"):
        action = QAction(keys, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _c=False, k=keys: fired.append(k))
        window.addAction(action)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    editor.setFocus()
    put(editor, "select 1")
    with qtbot.waitSignal(editor.run_requested):
        qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    qtbot.keyClick(editor, Qt.Key.Key_F, CTRL)
    assert editor.find_bar().isVisible()
    assert fired == []


def test_grab_looks_like_an_editor(editor: SqlEditor, tmp_path: Any) -> None:
    put(editor, "-- totals per region\nselect region, sum(amount) as total\nfrom sales\ngroup by 1")
    editor.move_to(editor.toPlainText().index("("))
    image = editor.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, 400, 3) for y in range(0, 90, 3)}
    assert len(colours) > 4  # text in several colours, not a blank box
