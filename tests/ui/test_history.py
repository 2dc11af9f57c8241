"""History and saved queries in the window: listed, searched, opened, saved, renamed, deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.history_panel import ROW_ROLE, history_detail, one_line
from aiser_desktop.ui.main_window import MainWindow

TIMEOUT_MS = 30_000


def run(qtbot: QtBot, window: MainWindow, sql: str) -> str:
    window.editor.replace_all(sql)
    window.editor.move_to(0)
    with qtbot.waitSignal(window.query_ended, timeout=TIMEOUT_MS) as ended:
        window.run_action.trigger()
    return str(ended.args[0])


def rows(panel: object) -> list[object]:
    model = panel.model  # type: ignore[attr-defined]
    return [model.index(i).data(ROW_ROLE) for i in range(model.rowCount())]


def stored_names(window: MainWindow) -> list[str]:
    assert window.ws is not None
    return [q.name for q in window.ws.state.saved_queries()]


def test_queries_run_are_listed_newest_first_with_their_outcome(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert run(qtbot, window, "select region from sales") == "finished"
    assert run(qtbot, window, "select amout from sales") == "failed"
    history = window.history
    qtbot.waitUntil(lambda: history.row_count() == 2, timeout=5_000)
    newest, oldest = rows(history)
    assert newest.sql == "select amout from sales"  # type: ignore[attr-defined]
    assert newest.status == "failed"  # type: ignore[attr-defined]
    assert (oldest.status, oldest.rows) == ("finished", 3)  # type: ignore[attr-defined]
    assert "failed after" in history_detail(newest)  # type: ignore[arg-type]
    assert "3 rows" in history_detail(oldest)  # type: ignore[arg-type]
    # The list shows the statement on one line; its tooltip has the error.
    index = history.model.index(0)
    assert index.data() == "select amout from sales"
    assert "amout" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Binder" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_the_history_search_filters_as_you_type(qtbot: QtBot, window: MainWindow) -> None:
    for sql in ("select 1 as a", "select region from sales", "select 2 as b"):
        run(qtbot, window, sql)
    history = window.history
    qtbot.waitUntil(lambda: history.row_count() == 3, timeout=5_000)
    window.show_left("history")
    qtbot.keyClicks(history.search, "REGION")
    qtbot.waitUntil(lambda: history.row_count() == 1, timeout=5_000)
    assert rows(history)[0].sql == "select region from sales"  # type: ignore[attr-defined]
    history.search.setText("no such text")
    qtbot.waitUntil(lambda: history.row_count() == 0, timeout=5_000)
    assert history.stack.currentWidget() is history.empty
    assert "no such text" in history.empty.text()
    history.search.clear()
    qtbot.waitUntil(lambda: history.row_count() == 3, timeout=5_000)


def test_double_clicking_a_statement_opens_it_in_a_new_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    sql = "select product,\n       sum(amount) as total\nfrom sales group by 1"
    run(qtbot, window, sql)
    history = window.history
    qtbot.waitUntil(lambda: history.row_count() == 1, timeout=5_000)
    tabs = window.editor_tabs.count()
    index = history.model.index(0)
    history.list.doubleClicked.emit(index)
    assert window.editor_tabs.count() == tabs + 1
    assert window.editor.toPlainText() == sql  # the whole statement, line breaks kept
    # Enter on the selected row does the same.
    history.list.setCurrentIndex(index)
    qtbot.keyClick(history.list, Qt.Key.Key_Return)
    assert window.editor_tabs.count() == tabs + 2


def test_ctrl_s_names_a_new_query_then_saves_over_it(qtbot: QtBot, window: MainWindow) -> None:
    window.editor.replace_all("select * from sales")
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dialog = window.saving.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.textValue() == "Query 1"  # the tab's title is offered
    dialog.setTextValue("All sales")
    dialog.accept()
    qtbot.waitUntil(lambda: window.editor_tabs.title(window.editor) == "All sales")
    assert stored_names(window) == ["All sales"]
    assert not window.editor.document().isModified()
    qtbot.waitUntil(lambda: window.saved.row_count() == 1, timeout=5_000)

    # Later saves go over the same query without asking.
    window.editor.replace_all("select * from sales order by amount")
    window.save_query()
    assert window.saving.dialog is None
    assert window.ws is not None
    qtbot.waitUntil(
        lambda: window.ws.state.saved_queries()[0].sql.endswith("order by amount"),  # type: ignore[union-attr]
        timeout=5_000,
    )
    assert stored_names(window) == ["All sales"]
    assert "Saved the query “All sales”" in window.messages.toPlainText()


def test_a_taken_name_is_refused_and_asked_again(qtbot: QtBot, window: MainWindow) -> None:
    assert window.ws is not None
    window.ws.state.save_query("Totals", "select 1")
    window.editor.replace_all("select 2")
    window.save_query()
    dialog = window.saving.dialog
    assert dialog is not None
    dialog.setTextValue("totals")
    dialog.accept()
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, QMessageBox) and w.isVisible() and "already named" in w.text()
            for w in window.findChildren(QMessageBox)
        ),
        timeout=5_000,
    )
    box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
    assert "Choose another name" in box.text()
    box.accept()
    # The name dialog opens again with what was typed.
    qtbot.waitUntil(lambda: window.saving.dialog is not None and window.saving.dialog.isVisible())
    again = window.saving.dialog
    assert again is not None and again.textValue() == "totals"
    again.setTextValue("Totals again")
    again.accept()
    qtbot.waitUntil(lambda: sorted(stored_names(window)) == ["Totals", "Totals again"])


def test_saved_queries_open_rename_and_delete(qtbot: QtBot, window: MainWindow) -> None:
    assert window.ws is not None
    first = window.ws.state.save_query("By region", "select region, count(*) from sales group by 1")
    window.ws.state.save_query("Everything", "select * from sales")
    saved = window.saved
    saved.reload()
    qtbot.waitUntil(lambda: saved.row_count() == 2, timeout=5_000)
    assert [r.name for r in rows(saved)] == ["By region", "Everything"]  # type: ignore[attr-defined]

    # Open: a tab linked to it, titled with its name; opening again goes to that tab.
    saved.list.doubleClicked.emit(saved.model.index(0))
    editor = window.editor
    assert window.editor_tabs.title(editor) == "By region"
    assert window.editor_tabs.saved_id(editor) == first.id
    assert editor.toPlainText() == first.sql
    count = window.editor_tabs.count()
    saved.open_requested.emit(rows(saved)[0])
    assert window.editor_tabs.count() == count

    # Rename (F2): the tab follows.
    saved.list.setCurrentIndex(saved.model.index(0))
    qtbot.keyClick(saved.list, Qt.Key.Key_F2)
    dialog = saved.dialog
    assert dialog is not None
    dialog.setTextValue("Sales by region")
    dialog.accept()
    qtbot.waitUntil(lambda: window.editor_tabs.title(editor) == "Sales by region", timeout=5_000)
    assert sorted(stored_names(window)) == ["Everything", "Sales by region"]

    # Delete (Del asks first): the tab keeps its text, no longer linked.
    qtbot.waitUntil(
        lambda: [r.name for r in rows(saved)] == ["Everything", "Sales by region"],  # type: ignore[attr-defined]
        timeout=5_000,
    )
    saved.list.setCurrentIndex(saved.model.index(1))
    assert saved.list.current_row().name == "Sales by region"
    qtbot.keyClick(saved.list, Qt.Key.Key_Delete)
    box = saved.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    delete.click()
    qtbot.waitUntil(lambda: stored_names(window) == ["Everything"], timeout=5_000)
    qtbot.waitUntil(lambda: window.editor_tabs.saved_id(editor) is None)
    assert editor.toPlainText() == first.sql
    assert "Deleted the saved query “Sales by region”" in window.messages.toPlainText()
    qtbot.waitUntil(lambda: saved.row_count() == 1, timeout=5_000)


def test_the_empty_lists_say_what_they_are_for(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.history.stack.currentWidget() is window.history.empty)
    assert "Every query you run is listed here" in window.history.empty.text()
    assert "Ctrl+S" in window.saved.empty.text()
    assert not window.saved.open_button.isEnabled()


@pytest.mark.parametrize(
    ("sql", "shown"),
    [("select\n  1 ,\n\t2", "select 1 , 2"), ("x" * 400, "x" * 299 + "…")],
)
def test_one_line(sql: str, shown: str) -> None:
    assert one_line(sql) == shown


def test_the_history_of_an_earlier_session_is_there_on_opening(
    qtbot: QtBot, make_window: object, csv_workspace: Path
) -> None:
    with Workspace.open(csv_workspace) as ws:
        ws.engine.execute("select 42 as answer")
    window = make_window(csv_workspace)  # type: ignore[operator]
    qtbot.waitUntil(lambda: window.history.row_count() == 1, timeout=5_000)
    assert rows(window.history)[0].sql == "select 42 as answer"
