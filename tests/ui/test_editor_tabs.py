"""Editor tabs: Ctrl+T and Ctrl+W, titles with a dot, asking before losing text, state for a
restart, saved queries, and signals from any tab."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from aiser_desktop.core.sources.catalog import ColumnInfo, SourceInfo, TableInfo
from aiser_desktop.ui.editor_tabs import EditorTabs
from aiser_desktop.ui.sql_editor import SqlEditor

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def tabs(qtbot: QtBot) -> Iterator[EditorTabs]:
    """The tabs in a window, as the app has them (Ctrl+T and Ctrl+W are window-wide)."""
    window = QMainWindow()
    widget = EditorTabs()
    window.setCentralWidget(widget)
    window.resize(800, 400)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    widget.current().setFocus()
    yield widget  # the window stays referenced until the test ends
    window.close()


def titles(tabs: EditorTabs) -> list[str]:
    return [tabs.tabText(i) for i in range(tabs.count())]


def test_starts_with_one_tab_and_ctrl_t_opens_more(tabs: EditorTabs, qtbot: QtBot) -> None:
    assert titles(tabs) == ["Query 1"]
    qtbot.keyClick(tabs.current(), Qt.Key.Key_T, CTRL)
    qtbot.keyClick(tabs.current(), Qt.Key.Key_T, CTRL)
    assert titles(tabs) == ["Query 1", "Query 2", "Query 3"]
    assert tabs.currentIndex() == 2
    assert tabs.current().hasFocus()


def test_typing_adds_a_dot(tabs: EditorTabs, qtbot: QtBot) -> None:
    qtbot.keyClicks(tabs.current(), "select 1")
    assert titles(tabs) == ["Query 1 •"]
    tabs.current().undo()
    assert titles(tabs) == ["Query 1"]


def test_ctrl_w_closes_an_untouched_tab_at_once(tabs: EditorTabs, qtbot: QtBot) -> None:
    tabs.new_tab("select 2")  # opened with text, not modified
    assert tabs.count() == 2
    qtbot.keyClick(tabs.current(), Qt.Key.Key_W, CTRL)
    assert titles(tabs) == ["Query 1"]
    # Closing the last tab leaves a fresh empty one.
    qtbot.keyClick(tabs.current(), Qt.Key.Key_W, CTRL)
    assert tabs.count() == 1
    assert tabs.current().toPlainText() == ""


def test_ctrl_w_asks_before_losing_changes(tabs: EditorTabs, qtbot: QtBot) -> None:
    editor = tabs.current()
    tabs.new_tab()
    tabs.setCurrentWidget(editor)
    qtbot.keyClicks(editor, "select 42")
    qtbot.keyClick(editor, Qt.Key.Key_W, CTRL)
    box = tabs.close_box
    assert box is not None and box.isVisible()
    assert "Query 1" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert tabs.count() == 2
    assert tabs.indexOf(editor) == 0

    tabs.close_tab(tabs.indexOf(editor))
    box = tabs.close_box
    assert box is not None
    discard = next(b for b in box.buttons() if b.text() == "Close without saving")
    discard.click()
    assert titles(tabs) == ["Query 2"]


def test_signals_come_from_whichever_tab(tabs: EditorTabs, qtbot: QtBot) -> None:
    second = tabs.new_tab("select 1;\nselect 2", cursor=12)
    with qtbot.waitSignal(tabs.run_requested):
        qtbot.keyClick(second, Qt.Key.Key_Return, CTRL)
    assert tabs.current().statement() == ("select 2", 10)
    with qtbot.waitSignal(tabs.run_all_requested) as sig:
        tabs.run_all_action.trigger()
    assert sig.args == ["select 1;\nselect 2"]
    with qtbot.waitSignal(tabs.explain_requested) as sig:
        tabs.explain_analyze_action.trigger()
    assert sig.args == ["select 2", True]
    with qtbot.waitSignal(tabs.cancel_requested):
        qtbot.keyClick(second, Qt.Key.Key_Escape)
    with qtbot.waitSignal(tabs.current_changed) as sig:
        tabs.setCurrentIndex(0)
    assert isinstance(sig.args[0], SqlEditor)


def test_state_and_restore_round_trip(tabs: EditorTabs, qtbot: QtBot) -> None:
    tabs.current().setPlainText("select 1")
    tabs.new_tab("select 2 from t", title="Totals", saved_id=7, cursor=9)
    third = tabs.new_tab()
    qtbot.keyClicks(third, "select 3")
    tabs.setCurrentIndex(1)
    state = tabs.state()
    assert [(t["title"], t["text"], t["saved_id"], t["modified"]) for t in state] == [
        ("Query 1", "select 1", None, False),
        ("Totals", "select 2 from t", 7, False),
        ("Query 2", "select 3", None, True),
    ]
    assert state[1]["cursor"] == 9
    assert [t["current"] for t in state] == [False, True, False]

    other = EditorTabs()
    qtbot.addWidget(other)
    other.restore(state)
    assert other.state() == state
    assert [other.tabText(i) for i in range(3)] == ["Query 1", "Totals", "Query 2 •"]
    assert other.currentIndex() == 1
    assert other.current().textCursor().position() == 9


def test_restore_takes_the_stores_plain_records(tabs: EditorTabs) -> None:
    # What the window reads from state.sqlite: no "modified" or "current" keys.
    tabs.restore([{"title": "A", "text": "select 1", "cursor": 3, "saved_id": None}])
    assert titles(tabs) == ["A"]
    assert tabs.current().textCursor().position() == 3


def test_saving_names_the_tab_and_clears_the_dot(tabs: EditorTabs, qtbot: QtBot) -> None:
    qtbot.keyClicks(tabs.current(), "select 1")
    tabs.mark_saved(0, 12, "Daily totals")
    assert titles(tabs) == ["Daily totals"]
    assert tabs.state()[0]["saved_id"] == 12
    tabs.set_title(0, "Renamed")
    assert titles(tabs) == ["Renamed"]
    qtbot.keyClicks(tabs.current(), " ")
    tabs.mark_saved(0, None, "Renamed")  # the saved query was deleted: the link goes
    assert titles(tabs) == ["Renamed •"]
    assert tabs.state()[0]["saved_id"] is None


def test_completion_reads_the_catalog_source(tabs: EditorTabs, qtbot: QtBot) -> None:
    catalog: list[SourceInfo] = []
    tabs.set_catalog_source(lambda: catalog)
    editor = tabs.current()
    qtbot.keyClicks(editor, "select * from sa")
    assert "sales" not in editor.completer().items()
    editor.completer().hide()
    catalog = [
        SourceInfo(
            "sales",
            "csv",
            "/d/sales.csv",
            datetime(2026, 1, 1, tzinfo=UTC),
            (TableInfo("sales", "", 3, (ColumnInfo("region", "VARCHAR"),)),),
        )
    ]
    qtbot.keyClicks(editor, "l")
    assert editor.completer().items()[0] == "sales"
    # A tab opened later completes from the same catalog.
    later = tabs.new_tab("select r from sales")
    later.move_to(len("select r"))
    later.complete()
    assert later.completer().items()[0] == "region"


def test_menu_actions_are_listed(tabs: EditorTabs) -> None:
    actions = [a.text() for a in tabs.actions_for_menu() if a is not None]
    assert actions[:2] == ["New tab", "Close tab"]
    assert "Explain analyze" in actions
    assert tabs.new_tab_action.shortcut().toString() == "Ctrl+T"
