"""The main window on a real workspace: sources, queries, errors, cancel, imports, About."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from aiser_desktop.core.config import log_path
from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.background import SourceRequest
from aiser_desktop.ui.main_window import MainWindow
from aiser_desktop.ui.sources_tree import MODE_ROLE, STATUS_ROLE

LONG_QUERY = "select count(distinct hash(i)) from range(300000000) t(i)"
QUERY_TIMEOUT_MS = 30_000


def run_sql(qtbot: QtBot, window: MainWindow, sql: str) -> str:
    """Types ``sql``, presses Ctrl+Enter and returns how the query ended."""
    window.editor.setPlainText(sql)
    window.editor.setFocus()
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS) as ended:
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return str(ended.args[0])


def test_sources_tree_shows_the_source_with_its_row_count(window: MainWindow) -> None:
    item = window.sources.find_table("sales")
    assert item is not None
    assert item.text(1) == "3 rows · imported"
    columns = {item.child(i).text(0): item.child(i).text(1) for i in range(item.childCount())}
    assert columns["region"] == "varchar"
    assert columns["amount"] == "double"
    assert set(columns) == {"region", "product", "amount", "sold_on"}
    assert window.sources_panel.stack.currentWidget() is window.sources
    assert "Opening" not in window.status.state.text()


def test_the_tree_inserts_names_and_previews_tables(qtbot: QtBot, window: MainWindow) -> None:
    item = window.sources.find_table("sales")
    assert item is not None
    window.editor.clear()
    window.sources.itemDoubleClicked.emit(item, 0)
    assert window.editor.toPlainText() == "sales"
    tabs = window.editor_tabs.count()
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS):
        window.sources.preview_requested.emit("sales")
    # The preview opens in a tab of its own, named after the table.
    assert window.editor_tabs.count() == tabs + 1
    assert window.editor_tabs.title(window.editor) == "sales"
    assert window.editor.toPlainText() == "select * from sales limit 100"
    assert window.results.rowCount() == 3


def test_ctrl_enter_runs_the_query_and_shows_its_rows(qtbot: QtBot, window: MainWindow) -> None:
    how = run_sql(
        qtbot,
        window,
        "select region, sum(amount) as total, null as nothing from sales group by 1 order by 1",
    )
    assert how == "finished"
    model = window.results
    assert model.rowCount() == 2
    assert model.columnCount() == 3
    assert model.headerData(1, Qt.Orientation.Horizontal) == "total"
    assert model.index(0, 0).data() == "north"
    assert model.index(0, 1).data() == "13.50"  # lined up with 7.25
    assert model.index(1, 1).data() == "7.25"
    right = model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole)
    assert right & Qt.AlignmentFlag.AlignRight
    assert model.index(0, 2).data() == "NULL"
    assert model.index(0, 2).data(Qt.ItemDataRole.FontRole).italic()
    assert window.results_panel.tabs.currentWidget() is window.grid
    assert window.grid.stack.currentWidget() is window.grid.grid_page
    assert "2 rows" in window.status.last_result.text()


def test_the_selected_part_of_the_sql_is_what_runs(qtbot: QtBot, window: MainWindow) -> None:
    window.editor.setPlainText("select 1 as a;\nselect 42 as answer")
    cursor = window.editor.textCursor()
    start = window.editor.toPlainText().index("select 42")
    cursor.setPosition(start)
    cursor.setPosition(len(window.editor.toPlainText()), cursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS):
        window.run_action.trigger()
    assert window.results.headerData(0, Qt.Orientation.Horizontal) == "answer"
    assert window.results.index(0, 0).data() == "42"


def test_bad_sql_shows_the_error_with_its_line_and_column(qtbot: QtBot, window: MainWindow) -> None:
    sql = "select region,\n       amout\nfrom sales"
    assert run_sql(qtbot, window, sql) == "failed"
    text = window.messages.toPlainText()
    assert "line 2, column 8" in text
    assert "amout" in text
    assert "Traceback" not in text
    assert window.results_panel.tabs.currentWidget() is window.messages
    assert window.editor.textCursor().position() == sql.index("amout")
    assert "failed" in window.status.state.text()
    # The window still works after an error.
    assert run_sql(qtbot, window, "select count(*) as n from sales") == "finished"
    assert window.results.index(0, 0).data() == "3"


@pytest.mark.parametrize("how", ["escape", "button"])
def test_a_long_query_is_cancelled(qtbot: QtBot, window: MainWindow, how: str) -> None:
    window.editor.setPlainText(LONG_QUERY)
    window.editor.setFocus()
    window.run_action.trigger()
    qtbot.waitUntil(lambda: window.status.state.text().startswith("Running query"))
    assert window.status.cancel_button.isVisible()
    assert window.cancel_action.isEnabled()
    with qtbot.waitSignal(window.query_ended, timeout=5_000) as ended:
        if how == "escape":
            qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
        else:
            qtbot.mouseClick(window.status.cancel_button, Qt.MouseButton.LeftButton)
    assert ended.args == ["cancelled"]
    assert "cancelled" in window.status.state.text().lower()
    assert "cancelled" in window.messages.toPlainText().lower()
    assert not window.status.cancel_button.isVisible()
    assert window.run_action.isEnabled()


def test_about_box_shows_versions_and_the_log_path(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.show_about()
    qtbot.waitExposed(dialog)
    text = dialog.text()
    assert str(log_path()) in text
    assert str(window.workspace_path) in text
    for label in ("Aiser Desktop", "DuckDB", "Qt", "Python"):
        assert f"{label}: " in text
    assert str(log_path()) in dialog.facts.text()
    dialog.close()


def test_importing_a_file_adds_a_source(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    data = tmp_path / "More Sales.csv"
    data.write_text("id,amount\n1,2.5\n2,3.5\n", encoding="utf-8")
    with qtbot.waitSignal(window.sources_updated, timeout=QUERY_TIMEOUT_MS):
        window.import_files([data])
    qtbot.waitUntil(lambda: window.sources.find_table("more_sales") is not None)
    assert window.sources.find_table("more_sales").text(1) == "2 rows · imported"  # type: ignore[union-attr]
    assert "Imported More Sales.csv as more_sales" in window.messages.toPlainText()


def test_a_file_that_cannot_be_imported_gives_a_message(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.sources_updated, timeout=QUERY_TIMEOUT_MS):
        window.import_files([tmp_path / "missing.csv"])
    text = window.messages.toPlainText()
    assert "missing.csv was not added" in text
    assert "does not exist" in text
    assert window.results_panel.tabs.currentWidget() is window.messages


def test_dropping_a_file_imports_it(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    data = tmp_path / "dropped.json"
    data.write_text('[{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}]', encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(data))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.sources.find_table("dropped") is not None, timeout=10_000)
    assert window.sources.find_table("dropped").text(1) == "4 rows · imported"  # type: ignore[union-attr]


def test_a_second_window_on_the_same_workspace_gets_a_clear_message(
    qtbot: QtBot, make_window: Callable[..., MainWindow], window: MainWindow
) -> None:
    second = make_window(window.workspace_path, wait_open=False)
    with qtbot.waitSignal(second.workspace_failed, timeout=QUERY_TIMEOUT_MS) as failed:
        second.open_workspace()
    assert "already open" in failed.args[0]
    assert second.error_box is not None
    qtbot.waitUntil(second.error_box.isVisible)
    assert "already open" in second.error_box.text()
    assert not second.run_action.isEnabled()
    second.error_box.close()
    # The first window is unaffected.
    assert run_sql(qtbot, window, "select 1 as one") == "finished"


def test_closing_the_window_releases_the_workspace(
    make_window: Callable[..., MainWindow], csv_workspace: Path
) -> None:
    window = make_window(csv_workspace)
    window.close()
    with Workspace.open(csv_workspace) as ws:
        assert [s.name for s in ws.sources.records()] == ["sales"]


def test_statements_share_one_session(qtbot: QtBot, window: MainWindow) -> None:
    assert run_sql(qtbot, window, "create temp table t as select 7 as x") == "finished"
    assert run_sql(qtbot, window, "select x * 6 as y from t") == "finished"
    assert window.results.index(0, 0).data() == "42"


def test_an_empty_workspace_says_how_to_add_data(
    make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window(tmp_path / "empty")
    panel = window.sources_panel
    assert panel.stack.currentWidget() is panel.placeholder
    assert "Import" in panel.placeholder.text()


@pytest.mark.slow
def test_a_new_workspace_gets_the_sample_data_with_progress(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window(tmp_path / "new", load_sample=True)
    assert window.sample_loading
    assert window.status.state.text().startswith("Loading sample data")
    assert window.status.progress.isVisible()
    qtbot.waitUntil(lambda: not window.sample_loading, timeout=120_000)
    qtbot.waitUntil(lambda: window.sources.find_table("flights") is not None)
    assert window.sources.find_table("flights").text(1) == "336,776 rows · imported"  # type: ignore[union-attr]
    assert sorted(window.sources.table_names()) == [
        "airlines",
        "airports",
        "flights",
        "planes",
        "weather",
    ]
    assert "from flights" in window.editor.toPlainText()
    assert "Loaded the sample data" in window.messages.toPlainText()
    assert run_sql(qtbot, window, window.editor.toPlainText()) == "finished"
    assert window.results.rowCount() == 16


def test_closing_during_a_long_query_cancels_it_and_releases_the_workspace(
    qtbot: QtBot, make_window: Callable[..., MainWindow], csv_workspace: Path
) -> None:
    window = make_window(csv_workspace)
    window.editor.setPlainText(LONG_QUERY)
    window.run_action.trigger()
    qtbot.waitUntil(lambda: window.status.state.text().startswith("Running query"))
    started = time.perf_counter()
    window.close()
    assert time.perf_counter() - started < 5
    with Workspace.open(csv_workspace) as ws:
        assert ws.state is not None


@pytest.mark.slow
def test_closing_while_the_sample_loads_stops_it_and_releases_the_workspace(
    make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window(tmp_path / "new", load_sample=True)
    assert window.sample_loading
    window.close()  # stops before the next table
    with Workspace.open(tmp_path / "new") as ws:
        assert len(ws.sources.records()) < 5


@pytest.mark.slow
def test_closing_during_a_big_import_stops_it_and_leaves_no_half_source(
    qtbot: QtBot, make_window: Callable[..., MainWindow], csv_workspace: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    duckdb.sql(
        f"COPY (SELECT i, md5(i::VARCHAR) AS h, i * 0.5 AS x FROM range(6000000) t(i)) "
        f"TO '{big}' (HEADER)"
    )
    window = make_window(csv_workspace)
    # Imported, not linked (its default at this size): the copy takes seconds.
    window.session.add_sources([SourceRequest(str(big), mode="imported")])
    qtbot.wait(300)  # the import is under way on the writer
    started = time.perf_counter()
    window.close()
    took = time.perf_counter() - started
    assert took < 3, f"closing waited {took:.1f} s for the import"
    with Workspace.open(csv_workspace) as ws:
        assert [s.name for s in ws.sources.records()] == ["sales"]
        tables = ws.engine.execute("SELECT table_name FROM duckdb_tables()").rows()
        assert tables == [("sales",)]


def test_an_unexpected_error_is_shown_and_logged_not_fatal(
    window: MainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    from aiser_desktop.ui.app import _make_excepthook

    hook = _make_excepthook(window)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        hook(type(exc), exc, exc.__traceback__)
    assert "Something went wrong" in window.messages.toPlainText()
    assert "ValueError: boom" in window.messages.toPlainText()
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def menu_action(window: MainWindow, source: str, text: str) -> QAction:
    item = window.sources.find_source(source)
    assert item is not None
    menu = window.sources.context_menu(item)
    assert menu is not None
    found = [a for a in menu.actions() if a.text() == text]
    assert found, f"no {text!r} in {[a.text() for a in menu.actions()]}"
    return found[0]


def test_the_tree_shows_each_sources_mode_and_snapshot_time(
    qtbot: QtBot, window: MainWindow, sample_csv: Path
) -> None:
    assert window.ws is not None
    window.ws.sources.add(sample_csv, name="sales_live", mode="linked")
    qtbot.waitUntil(lambda: window.sources.find_source("sales_live") is not None)
    imported, linked = window.sources.find_source("sales"), window.sources.find_source("sales_live")
    assert imported is not None and linked is not None
    assert imported.data(0, MODE_ROLE) == "imported" and imported.text(1).endswith("imported")
    assert linked.data(0, MODE_ROLE) == "linked" and linked.text(1) == "linked"
    assert "snapshot of 20" in imported.toolTip(0)
    assert "Linked: queried in place, nothing copied." in linked.toolTip(0)
    # The menu offers the other mode.
    assert menu_action(window, "sales", "Switch to linked").isEnabled()
    menu_action(window, "sales_live", "Switch to imported")


def test_switching_refreshing_and_removing_from_the_menu(
    qtbot: QtBot, window: MainWindow, sample_csv: Path, tmp_path: Path
) -> None:
    data = tmp_path / "live.csv"
    data.write_text("n\n1\n2\n", encoding="utf-8")
    assert window.ws is not None
    window.ws.sources.add(data, name="live")
    qtbot.waitUntil(lambda: window.sources.find_source("live") is not None)

    def mode() -> object:
        item = window.sources.find_source("live")
        return item.data(0, MODE_ROLE) if item is not None else None

    menu_action(window, "live", "Switch to linked").trigger()
    qtbot.waitUntil(lambda: mode() == "linked", timeout=QUERY_TIMEOUT_MS)
    assert "live is now linked" in window.messages.toPlainText()
    # Linked, the file is read in place: a change shows at once.
    data.write_text("n\n1\n2\n3\n", encoding="utf-8")
    assert run_sql(qtbot, window, "select count(*) as n from live") == "finished"
    assert window.results.index(0, 0).data() == "3"

    menu_action(window, "live", "Switch to imported").trigger()
    qtbot.waitUntil(lambda: mode() == "imported", timeout=QUERY_TIMEOUT_MS)
    data.write_text("n\n1\n", encoding="utf-8")
    menu_action(window, "live", "Refresh").trigger()
    qtbot.waitUntil(lambda: "Refreshed live: a new snapshot." in window.messages.toPlainText())
    assert run_sql(qtbot, window, "select count(*) as n from live") == "finished"
    assert window.results.index(0, 0).data() == "1"

    menu_action(window, "live", "Remove…").trigger()
    box = window.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert "live" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()  # Cancel keeps it
    qtbot.wait(200)
    assert window.sources.find_source("live") is not None

    menu_action(window, "live", "Remove…").trigger()
    box = window.confirm_box
    assert box is not None
    remove = next(b for b in box.buttons() if b.text() == "Remove")
    remove.click()
    qtbot.waitUntil(lambda: window.sources.find_source("live") is None, timeout=QUERY_TIMEOUT_MS)
    assert "Removed live." in window.messages.toPlainText()
    assert data.exists()  # the original file is not touched


def test_a_linked_database_that_does_not_answer_is_marked(
    make_window: Callable[..., MainWindow], tmp_path: Path, qtbot: QtBot
) -> None:
    import sqlite3

    db = tmp_path / "app.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("create table t (x integer)")
    con.close()
    path = tmp_path / "ws"
    with Workspace.open(path) as ws:
        ws.sources.add(db, name="app")
    db.unlink()  # gone when the workspace opens again
    window = make_window(path)
    qtbot.waitUntil(
        lambda: (
            (item := window.sources.find_source("app")) is not None
            and bool(item.data(0, STATUS_ROLE))
        ),
        timeout=QUERY_TIMEOUT_MS,
    )
    item = window.sources.find_source("app")
    assert item is not None
    assert item.text(1) == "not available"
    assert "Not available now:" in item.toolTip(0) and "app.sqlite" in item.toolTip(0)


# ---------------------------------------------------------------------- the workbench
def test_the_window_has_its_menus_with_standard_shortcuts(window: MainWindow) -> None:
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["File", "Edit", "View", "Query", "Help"]
    keys = {
        a.text().replace("&", "").split("\t")[0]: a.shortcut().toString()
        for menu in menus.values()
        for a in menu.actions()  # type: ignore[union-attr]
    }
    assert keys["New tab"] == "Ctrl+T"
    assert keys["Save query"] == "Ctrl+S"
    assert keys["Import file…"] == "Ctrl+O"
    assert keys["Quit"] == "Ctrl+Q"
    assert keys["Run statement"] == "Ctrl+Return"
    assert keys["Run all statements"] == "Ctrl+Shift+Return"
    assert keys["Cancel"] == "Esc"
    assert keys["Refresh sources"] == "F5"
    assert keys["Agent panel"] == "Ctrl+Shift+A"
    edit = [a.text() for a in menus["Edit"].actions()]  # type: ignore[union-attr]
    assert "&Copy\tCtrl+C" in edit  # shown, left to the focused widget


def test_ctrl_t_opens_a_tab_and_ctrl_enter_runs_the_statement_under_the_cursor(
    qtbot: QtBot, window: MainWindow
) -> None:
    count = window.editor_tabs.count()
    qtbot.keyClick(window.editor, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.editor_tabs.count() == count + 1
    window.editor.setPlainText("select 1 as first;\nselect 2 as second;\nselect 3 as third")
    window.editor.move_to(window.editor.toPlainText().index("2 as"))
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS):
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.results.headerData(0, Qt.Orientation.Horizontal) == "second"


def test_run_all_runs_every_statement_and_shows_the_last(qtbot: QtBot, window: MainWindow) -> None:
    window.editor.setPlainText(
        "create temp table t as select 5 as x;\n"
        "insert into t values (6);\n"
        "select sum(x) as total from t"
    )
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS) as ended:
        qtbot.keyClick(
            window.editor,
            Qt.Key.Key_Return,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert ended.args == ["finished"]
    assert window.results.index(0, 0).data() == "11"
    text = window.messages.toPlainText()
    assert "Statement 1 of 3" in text and "Statement 2 of 3" in text
    assert "Statement 3 of 3: 1 row" in text


def test_run_all_stops_at_the_first_error_and_points_at_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    sql = (
        "create temp table seen as select 1 as n;\n"
        "select nosuch from seen;\n"
        "insert into seen values (2)"
    )
    window.editor.setPlainText(sql)
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS) as ended:
        window.actions_.run_all.trigger()
    assert ended.args == ["failed"]
    text = window.messages.toPlainText()
    assert "statement 2 of 3; the rest did not run" in text
    assert "nosuch" in text
    offset = sql.index("nosuch")
    assert window.editor.textCursor().position() == offset
    assert window.editor.error_range is not None
    assert window.editor.error_range[0] == offset
    # The third statement never ran.
    assert run_sql(qtbot, window, "select count(*) as n from seen") == "finished"
    assert window.results.index(0, 0).data() == "1"


def test_explain_shows_a_readable_plan_in_the_messages(qtbot: QtBot, window: MainWindow) -> None:
    window.editor.setPlainText("select region, count(*) from sales group by 1")
    with qtbot.waitSignal(window.query_ended, timeout=QUERY_TIMEOUT_MS) as ended:
        window.actions_.explain.trigger()
    assert ended.args == ["finished"]
    text = window.messages.toPlainText()
    assert "Query plan" in text
    assert "SEQ_SCAN" in text or "TABLE_SCAN" in text
    assert window.results_panel.tabs.currentWidget() is window.messages


def test_the_sources_search_filters_tables_and_columns(qtbot: QtBot, window: MainWindow) -> None:
    assert window.ws is not None
    data = window.workspace_path.parent / "stock.csv"
    data.write_text("sku,units\na,1\n", encoding="utf-8")
    window.ws.sources.add(data, name="stock")
    qtbot.waitUntil(lambda: window.sources.find_source("stock") is not None)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.sources_panel.search.hasFocus()
    qtbot.keyClicks(window.sources_panel.search, "AMOU")
    sales, stock = window.sources.find_source("sales"), window.sources.find_source("stock")
    assert sales is not None and stock is not None
    assert not sales.isHidden() and stock.isHidden()
    assert sales.isExpanded()  # the matching column is seen at once
    shown = [
        sales.child(i).text(0) for i in range(sales.childCount()) if not sales.child(i).isHidden()
    ]
    assert shown == ["amount"]
    window.sources_panel.search.setText("nothing like it")
    assert window.sources_panel.stack.currentWidget() is window.sources_panel.placeholder
    assert "nothing like it" in window.sources_panel.placeholder.text()
    window.sources_panel.search.clear()
    assert not stock.isHidden()
    assert not sales.isExpanded()  # as it was before the search
    assert window.sources_panel.stack.currentWidget() is window.sources


def test_count_rows_runs_on_a_worker_and_shows_the_count(qtbot: QtBot, window: MainWindow) -> None:
    item = window.sources.find_table("sales")
    assert item is not None
    menu = window.sources.context_menu(item)
    assert menu is not None
    count = next(a for a in menu.actions() if a.text() == "Count rows")
    count.trigger()
    qtbot.waitUntil(lambda: "sales has 3 rows." in window.messages.toPlainText())
    assert window.sources.find_table("sales").text(1) == "3 rows · imported"  # type: ignore[union-attr]
    assert not window.queries.running  # not a query of the person's: no history either
    assert window.ws is not None
    assert window.ws.state.history() == []


def test_profile_a_column_from_the_tree(qtbot: QtBot, window: MainWindow) -> None:
    item = window.sources.find_table("sales")
    assert item is not None
    column = next(
        item.child(i) for i in range(item.childCount()) if item.child(i).text(0) == "amount"
    )
    window.sources.setCurrentItem(column)
    menu = window.sources.context_menu(column)
    assert menu is not None
    profile = next(a for a in menu.actions() if a.text() == "Profile column")
    with qtbot.waitSignal(window.sources.profile_requested) as asked:
        profile.trigger()
    assert asked.args == ["sales", "amount"]
    popup = window.findChildren(object, options=Qt.FindChildOption.FindDirectChildrenOnly)
    popup = [w for w in popup if type(w).__name__ == "TableProfilePopup"][-1]
    qtbot.waitUntil(lambda: popup.profile is not None, timeout=QUERY_TIMEOUT_MS)
    assert (popup.profile.rows, popup.profile.nulls, popup.profile.distinct) == (3, 0, 3)
    assert popup.profile.min == 3.0 and popup.profile.max == 10.5
    popup.close()


def test_the_agent_panel_is_docked_and_hides(qtbot: QtBot, window: MainWindow) -> None:
    dock = window.agent_dock
    assert dock.isVisible()
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.agent is not None and dock.panel is window.agent
    qtbot.keyClick(
        window.editor,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert not dock.isVisible()
    window.actions_.agent.trigger()
    assert dock.isVisible()


def test_the_agent_answers_in_the_dock_and_its_sql_opens_in_the_editor(
    qtbot: QtBot, window: MainWindow
) -> None:
    panel = window.agent
    assert panel is not None
    assert panel.picker.currentData() == "rules"  # the default: no model needed
    with qtbot.waitSignal(
        panel.busy_changed, timeout=QUERY_TIMEOUT_MS, check_params_cb=lambda busy: not busy
    ):
        panel.ask("total amount by region")
    card = panel.cards[0]
    assert card.answer is not None and card.answer.sql
    regions = {card.rows_model.item(r, 0).text() for r in range(card.rows_model.rowCount())}
    assert regions == {"north", "south"}
    tabs_before = len(window.editor_tabs.editors())
    card.open_button.click()
    assert len(window.editor_tabs.editors()) == tabs_before + 1
    assert window.editor.toPlainText() == card.answer.sql


def test_chart_this_draws_the_column_in_the_chart_tab(qtbot: QtBot, window: MainWindow) -> None:
    assert run_sql(qtbot, window, "select region, amount from sales") == "finished"
    canvas = window.chart_canvas
    assert canvas is not None and window.results_panel.chart is canvas
    with qtbot.waitSignal(canvas.chart_shown, timeout=QUERY_TIMEOUT_MS) as shown:
        window.grid.chart_requested.emit("amount")
    assert window.results_panel.tabs.currentWidget() is canvas
    assert "amount" in (shown.args[0].spec.x, *shown.args[0].spec.y)


def test_f5_reads_the_sources_again(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.sources_updated, timeout=QUERY_TIMEOUT_MS):
        qtbot.keyClick(window.editor, Qt.Key.Key_F5)


def test_export_from_the_file_menu_writes_every_row(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not window.actions_.export_menu.isEnabled()  # nothing to export yet
    assert run_sql(qtbot, window, "select * from range(2500) t(i)") == "finished"
    assert window.actions_.export_menu.isEnabled()
    target = tmp_path / "all.csv"
    monkeypatch.setattr(
        "aiser_desktop.ui.export_dialog.ask_path", lambda _parent, _fmt: str(target)
    )
    with qtbot.waitSignal(window.grid.note, timeout=QUERY_TIMEOUT_MS):
        window.actions_.exports["csv"].trigger()
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2501
    assert str(target.name) in window.messages.toPlainText()


# ---------------------------------------------------------------------- after a restart
def test_layout_and_tabs_come_back_after_a_restart(
    qtbot: QtBot, make_window: Callable[..., MainWindow], csv_workspace: Path
) -> None:
    window = make_window(csv_workspace)
    window.agent_dock.hide()  # the dock is the widest part; without it the window fits 800 px
    qtbot.wait(50)
    screen = window.screen().availableGeometry().width()
    window.resize(min(window.minimumSizeHint().width() + 4, screen - 10), 560)
    size = (window.width(), window.height())
    assert size[1] == 560
    total = sum(window.main_split.sizes())
    window.main_split.setSizes([200, total - 200])
    window.editor.setPlainText("select 1;\nselect 2")
    window.editor.move_to(12)
    second = window.new_tab("select * from sales", title="Sales")
    second.move_to(7)
    window.show_left("history")
    window.editor_tabs.setCurrentIndex(0)
    sizes = window.main_split.sizes()
    window.close()

    again = make_window(csv_workspace)
    assert (again.width(), again.height()) == size
    assert not again.agent_dock.isVisible()
    assert again.main_split.sizes() == sizes
    assert again.sources_panel.tabs.currentWidget() is again.history
    tabs = again.editor_tabs
    assert [tabs.title(e) for e in tabs.editors()] == ["Query 1", "Sales"]
    assert [e.toPlainText() for e in tabs.editors()] == [
        "select 1;\nselect 2",
        "select * from sales",
    ]
    assert tabs.currentIndex() == 0
    assert tabs.editors()[0].textCursor().position() == 12
    assert tabs.editors()[1].textCursor().position() == 7


def test_tabs_are_saved_while_the_window_is_open(
    qtbot: QtBot, make_window: Callable[..., MainWindow], csv_workspace: Path
) -> None:
    window = make_window(csv_workspace)
    window.keeper._timer.setInterval(100)
    window.editor.setPlainText("select 'kept while open'")
    state = window.ws.state if window.ws is not None else None
    assert state is not None

    def stored() -> list[str]:
        return [tab.sql for tab in state.editor_tabs()[0]]

    qtbot.waitUntil(lambda: stored() == ["select 'kept while open'"], timeout=5_000)
    saves = window.keeper.saves
    qtbot.wait(400)
    assert window.keeper.saves == saves  # nothing changed, nothing written


def test_a_damaged_layout_file_is_ignored(
    make_window: Callable[..., MainWindow], csv_workspace: Path
) -> None:
    from aiser_desktop.ui.settings_store import layout_path

    layout_path().parent.mkdir(parents=True, exist_ok=True)
    layout_path().write_text("{not json", encoding="utf-8")
    window = make_window(csv_workspace)
    assert window.isVisible()
    window.close()
    assert layout_path().read_text(encoding="utf-8").startswith("{")  # written afresh


def test_the_leak_check_sees_a_window_left_open(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWidget

    from tests.ui.conftest import leaked_windows, visible_windows

    before = visible_windows()
    stray = QWidget()
    stray.setWindowTitle("stray")
    stray.show()
    assert leaked_windows(before) == [stray]
    stray.close()
    assert leaked_windows(before) == []


def test_sorting_the_grid_tells_the_status_bar(qtbot: QtBot, window: MainWindow) -> None:
    assert run_sql(qtbot, window, "select * from sales") == "finished"
    assert window.grid is not None
    with qtbot.waitSignal(window.grid.result_changed, timeout=QUERY_TIMEOUT_MS):
        window.grid.sort_by("amount", descending=True)
    assert window.status.last_result.text() == "3 of 3 rows shown (sorted or filtered)"
    assert window.results.index(0, 2).data() == "10.50"
