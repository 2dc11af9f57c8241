"""The completion popup: when it opens, what it offers, how it is accepted or closed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from aiser_desktop.core.sources.catalog import ColumnInfo, SourceInfo, TableInfo
from aiser_desktop.ui.sql_editor import SqlEditor

CTRL = Qt.KeyboardModifier.ControlModifier
CATALOG = [
    SourceInfo(
        "shop",
        "postgres",
        "postgresql://h/shop",
        datetime(2026, 1, 1, tzinfo=UTC),
        (
            TableInfo(
                "shop.orders",
                "orders",
                120,
                (ColumnInfo("id", "INTEGER"), ColumnInfo("amount", "DOUBLE")),
            ),
            TableInfo("shop.customers", "customers", 9, (ColumnInfo("name", "VARCHAR"),)),
        ),
    )
]


@pytest.fixture
def editor(qtbot: QtBot) -> SqlEditor:
    widget = SqlEditor()
    widget.resize(700, 300)
    qtbot.addWidget(widget)
    widget.set_catalog(CATALOG)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setFocus()
    return widget


def test_a_dot_after_an_alias_offers_its_columns(editor: SqlEditor, qtbot: QtBot) -> None:
    editor.setPlainText(" from shop.orders o")
    editor.move_to(0)
    qtbot.keyClicks(editor, "select o.")
    popup = editor.completer()
    assert popup.visible
    assert popup.items() == ["amount", "id"]
    qtbot.keyClick(editor, Qt.Key.Key_Down)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "select o.id from shop.orders o"
    assert not popup.visible


def test_two_letters_open_it_and_typing_narrows_it(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClicks(editor, "select * from s")
    assert not editor.completer().visible  # one letter is not enough
    qtbot.keyClicks(editor, "h")
    assert editor.completer().visible
    assert editor.completer().items()[:3] == ["shop", "shop.customers", "shop.orders"]
    qtbot.keyClicks(editor, "op.o")
    assert editor.completer().items() == ["orders", "customers"]
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "select * from shop.orders"


def test_space_or_a_paren_closes_it(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClicks(editor, "select co")
    assert editor.completer().visible
    qtbot.keyClicks(editor, " ")
    assert not editor.completer().visible
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "select co \n"


def test_ctrl_space_and_functions_get_parentheses(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClicks(editor, "select regexp_replac")
    editor.completer().hide()
    qtbot.keyClick(editor, Qt.Key.Key_Space, CTRL)
    # One match: Ctrl+Space inserts it at once, the cursor between the parentheses.
    assert editor.toPlainText() == "select regexp_replace()"
    assert editor.textCursor().position() == len("select regexp_replace(")
    editor.setPlainText("select coalesc")
    editor.move_to(len("select coalesc"))
    qtbot.keyClick(editor, Qt.Key.Key_Space, CTRL)
    assert editor.toPlainText() == "select coalesce()"  # a keyword DuckDB calls like one


def test_escape_closes_the_popup_without_cancelling(editor: SqlEditor, qtbot: QtBot) -> None:
    cancelled: list[bool] = []
    editor.cancel_requested.connect(lambda: cancelled.append(True))
    qtbot.keyClicks(editor, "select * from sh")
    assert editor.completer().visible
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.completer().visible
    assert cancelled == []
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert cancelled == [True]


def test_enter_on_a_finished_word_is_a_new_line(editor: SqlEditor, qtbot: QtBot) -> None:
    editor.set_catalog(
        [
            SourceInfo(
                "s",
                "csv",
                "x",
                datetime(2026, 1, 1, tzinfo=UTC),
                (
                    TableInfo("sales", "", 1, (ColumnInfo("a", "INTEGER"),)),
                    TableInfo("sales_2024", "", 1, (ColumnInfo("a", "INTEGER"),)),
                ),
            )
        ]
    )
    qtbot.keyClicks(editor, "select * from sales")
    assert editor.completer().visible
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "select * from sales\n"


def test_nothing_pops_up_inside_strings_and_comments(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClicks(editor, "select 'shop")
    assert not editor.completer().visible
    editor.setPlainText("")
    qtbot.keyClicks(editor, "-- shop")
    assert not editor.completer().visible


def test_the_popup_hides_with_the_editor(editor: SqlEditor, qtbot: QtBot) -> None:
    qtbot.keyClicks(editor, "select * from sh")
    assert editor.completer().visible
    editor.hide()
    assert not editor.completer().visible
