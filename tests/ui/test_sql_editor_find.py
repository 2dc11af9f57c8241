"""Find and replace in the SQL editor: Ctrl+F, Ctrl+H, F3/Shift+F3, case, whole words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.sql_editor import SqlEditor

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
TEXT = "select Amount, amount_usd from sales where amount > 1 -- AMOUNT"


@pytest.fixture
def editor(qtbot: QtBot) -> SqlEditor:
    widget = SqlEditor()
    widget.resize(800, 300)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setPlainText(TEXT)
    widget.move_to(0)
    widget.setFocus()
    return widget


def selected(editor: SqlEditor) -> tuple[int, str]:
    cursor = editor.textCursor()
    return cursor.selectionStart(), cursor.selectedText()


def test_ctrl_f_finds_as_you_type_and_f3_walks_the_matches(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_F, CTRL)
    bar = editor.find_bar()
    assert bar.isVisible()
    assert bar.find_field.hasFocus()
    assert not bar.replace_field.isVisible()
    qtbot.keyClicks(bar.find_field, "amount")
    assert selected(editor) == (7, "Amount")
    assert bar.count == 4
    assert bar.count_label.text() == "1 of 4"
    qtbot.keyClick(bar.find_field, Qt.Key.Key_Return)
    assert selected(editor)[0] == TEXT.index("amount_usd")
    qtbot.keyClick(bar.find_field, Qt.Key.Key_F3)
    assert selected(editor)[0] == TEXT.index("amount >")
    qtbot.keyClick(bar.find_field, Qt.Key.Key_Return, SHIFT)
    assert selected(editor)[0] == TEXT.index("amount_usd")
    # F3 from the editor itself, wrapping around at the end.
    editor.setFocus()
    for _ in range(3):
        qtbot.keyClick(editor, Qt.Key.Key_F3)
    assert selected(editor)[0] == 7
    qtbot.keyClick(editor, Qt.Key.Key_F3, SHIFT)
    assert selected(editor)[0] == TEXT.index("AMOUNT")


def test_every_match_is_tinted(editor: SqlEditor, qtbot: QtBot) -> None:
    editor.show_find()
    qtbot.keyClicks(editor.find_bar().find_field, "amount")
    editor.find_bar()._mark()
    tinted = [s for s in editor.extraSelections() if s.cursor.hasSelection()]
    assert len(tinted) >= 4


def test_match_case_and_whole_words(editor: SqlEditor, qtbot: QtBot) -> None:
    editor.show_find()
    bar = editor.find_bar()
    qtbot.keyClicks(bar.find_field, "amount")
    bar.case_button.setChecked(True)
    assert bar.count == 2  # amount_usd and amount
    bar.word_button.setChecked(True)
    assert bar.count == 1
    assert selected(editor) == (TEXT.index("amount >"), "amount")
    qtbot.keyClicks(bar.find_field, "x")
    assert bar.count == 0
    assert bar.count_label.text() == "No results"


def test_escape_closes_the_bar_and_does_not_cancel(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_F, CTRL)
    bar = editor.find_bar()
    cancelled: list[bool] = []
    editor.cancel_requested.connect(lambda: cancelled.append(True))
    qtbot.keyClick(bar.find_field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert editor.hasFocus()
    assert not [s for s in editor.extraSelections() if s.cursor.hasSelection()]
    assert cancelled == []
    # With the bar closed, Esc in the editor cancels again.
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert cancelled == [True]


def test_selected_text_fills_the_find_field(editor: SqlEditor, qtbot: QtBot) -> None:
    cursor = editor.textCursor()
    cursor.setPosition(TEXT.index("sales"))
    cursor.setPosition(TEXT.index("sales") + 5, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_F, CTRL)
    assert editor.find_bar().find_field.text() == "sales"


def test_ctrl_h_replaces_one_then_all_as_one_undo_step(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_H, CTRL)
    bar = editor.find_bar()
    assert bar.replace_field.isVisible()
    qtbot.keyClicks(bar.find_field, "amount")
    bar.word_button.setChecked(True)
    bar.replace_field.setText("total")
    qtbot.keyClick(bar.replace_field, Qt.Key.Key_Return)  # replaces the selected match
    assert editor.toPlainText().startswith("select total, amount_usd")
    done = bar.replace_all()
    assert done == 2
    assert editor.toPlainText() == ("select total, amount_usd from sales where total > 1 -- total")
    editor.undo()
    assert editor.toPlainText().startswith("select total, amount_usd from sales where amount")


def test_the_bar_sits_in_the_top_right_corner(editor: SqlEditor) -> None:
    editor.show_find()
    bar = editor.find_bar()
    viewport = editor.viewport().geometry()
    assert bar.geometry().right() <= viewport.right()
    assert bar.geometry().top() <= viewport.top() + 10
    editor.resize(500, 300)
    assert bar.geometry().right() <= editor.viewport().geometry().right()
