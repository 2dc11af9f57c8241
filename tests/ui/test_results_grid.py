"""The grid over results bigger than Qt can measure: the row window, keys, widths and menus."""

from __future__ import annotations

import pyarrow as pa
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from aiser_desktop.core.engine import Engine, ResultHandle, result
from aiser_desktop.ui import results_model, results_view
from aiser_desktop.ui.results_view import (
    MAX_COLUMN_WIDTH,
    ResultsView,
    tsv_field,
)

WINDOW = 10_000
ROWS = 95_000


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window of 10,000 rows, so a 95,000-row result takes the 100M-row path."""
    monkeypatch.setattr(results_model, "WINDOW_ROWS", WINDOW)
    monkeypatch.setattr(results_view, "WINDOW_ROWS", WINDOW)


@pytest.fixture
def view(qtbot: QtBot, engine: Engine) -> ResultsView:
    widget = ResultsView()
    qtbot.addWidget(widget)
    widget.set_engine(engine)
    widget.resize(800, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def big(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> ResultHandle:
    """A spilled result of 95,000 rows: i, and its text."""
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)
    handle = engine.execute(f"SELECT i, 'row ' || i AS label FROM range({ROWS}) t(i)")
    assert handle.spilled
    return handle


def top_row(view: ResultsView) -> int:
    return view.model.real_row(view.table.rowAt(1))


def test_ctrl_end_and_ctrl_home_reach_the_ends_of_a_windowed_result(
    qtbot: QtBot, view: ResultsView, big: ResultHandle, small_window: None
) -> None:
    view.set_result(big)
    assert view.model.windowed and view.model.rowCount() == WINDOW
    assert view.row_bar.isVisible()
    assert view.row_bar.maximum() >= ROWS - 50
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.row_bar.value() == view.row_bar.maximum())
    assert view.current_row() == ROWS - 1
    assert view.table.currentIndex().data() == str(ROWS - 1)
    last = view.table.rowAt(view.table.viewport().height() - 3)
    assert view.model.real_row(last) == ROWS - 1
    header = view.model.headerData(last, Qt.Orientation.Vertical)
    assert header == f"{ROWS:,}"  # rows keep their real numbers
    QTest.keyClick(view.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert view.current_row() == 0 and view.model.window_start == 0
    assert view.row_bar.value() == 0


def test_the_whole_result_bar_jumps_anywhere(
    qtbot: QtBot, view: ResultsView, big: ResultHandle, small_window: None
) -> None:
    view.set_result(big)
    for target in (61_234, 3, 94_000, 47_500):
        view.row_bar.setValue(target)
        assert top_row(view) == target
        assert view.table.indexAt(view.table.viewport().rect().topLeft()).data() == str(target)
    assert view.model.cached_pages <= results_model.MAX_PAGES


def test_scrolling_the_table_moves_the_window_along(
    qtbot: QtBot, view: ResultsView, big: ResultHandle, small_window: None
) -> None:
    view.set_result(big)
    inner = view.table.verticalScrollBar()
    for _ in range(12):  # the wheel or keys scroll the table's own (hidden) bar
        inner.setValue(inner.value() + 1_500)
        qtbot.wait(5)
    qtbot.waitUntil(lambda: view.model.window_start > 0)
    assert top_row(view) == view.row_bar.value()
    assert view.row_bar.value() >= 12 * 1_500 - WINDOW // 8
    QTest.keyClick(view.table, Qt.Key.Key_PageDown)
    assert top_row(view) == view.row_bar.value()


def test_selection_follows_its_rows_when_the_window_moves(
    view: ResultsView, big: ResultHandle, small_window: None
) -> None:
    view.set_result(big)
    view.row_bar.setValue(5_000)
    row = view.table.rowAt(1)
    view.table.setCurrentIndex(view.model.index(row, 1))
    view.model.move_window(view.model.window_start + 3_000)
    assert view.current_row() == 5_000
    assert view.table.currentIndex().data() == "row 5000"
    assert view.copy_selection() == "row 5000"


def test_a_result_that_fits_has_no_window(view: ResultsView, engine: Engine) -> None:
    view.set_result(engine.execute("SELECT i FROM range(3000) t(i)"))
    assert not view.model.windowed and not view.row_bar.isVisible()
    view.scroll_to_row(2_000)
    assert top_row(view) == 2_000


def test_keys_copy_cells_as_tsv(view: ResultsView, engine: Engine) -> None:
    view.set_result(
        engine.execute("SELECT 1 AS a, 'x\ty' AS b, NULL AS c UNION ALL SELECT 2, 'z', 3")
    )
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select
    for col in range(3):
        selection.select(view.model.index(0, col), flags)
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == '1\t"x\ty"\t'
    QTest.keyClick(
        view.table,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert QGuiApplication.clipboard().text() == 'a\tb\tc\n1\t"x\ty"\t'


def test_copying_too_many_rows_says_to_export(
    view: ResultsView, big: ResultHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results_view, "MAX_COPY_ROWS", 500)
    errors: list[tuple[str, object]] = []
    view.error.connect(lambda what, exc: errors.append((what, exc)))
    view.set_result(big)
    view.table.selectAll()
    QGuiApplication.clipboard().setText("before")
    assert view.copy_selection() == ""
    assert QGuiApplication.clipboard().text() == "before"
    assert "Export" in str(errors[0][1])


def test_tsv_fields_are_quoted_like_spreadsheets_do() -> None:
    assert tsv_field("plain") == "plain"
    assert tsv_field('say "hi"') == '"say ""hi"""'
    assert tsv_field("two\nlines") == '"two\nlines"'


def test_first_widths_come_from_a_sample_within_limits(view: ResultsView) -> None:
    table = pa.table(
        {
            "n": pa.array(range(5000), pa.int64()),
            "long": pa.array(["word " * 80] * 5000),
            "a_rather_long_column_name": pa.array([1] * 5000, pa.int8()),
        }
    )
    view.set_result(ResultHandle(1, "select", table))
    header = view.table.horizontalHeader()
    assert header.sectionSize(1) == MAX_COLUMN_WIDTH
    metrics = header.fontMetrics()
    assert header.sectionSize(2) >= metrics.horizontalAdvance("a_rather_long_column_name")
    # The widest number is at the end of the result, and the sample saw it.
    assert header.sectionSize(0) >= view.table.fontMetrics().horizontalAdvance("4999")
    view.table.setColumnWidth(1, 80)
    view.autofit(1)
    assert header.sectionSize(1) == MAX_COLUMN_WIDTH


def test_the_header_menu_offers_sort_filter_profile_and_chart(
    qtbot: QtBot, view: ResultsView, engine: Engine
) -> None:
    view.set_result(engine.execute("SELECT i AS amount FROM range(10) t(i)"))
    menu = view.header_menu(0)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    for label in ("Sort ascending", "Sort descending", "Filter…", "Profile", "Chart this"):
        assert actions[label].isEnabled()
    assert not actions["Clear sort"].isEnabled()
    with qtbot.waitSignal(view.chart_requested) as chart:
        actions["Chart this"].trigger()
    assert chart.args == ["amount"]
    actions["Sort descending"].trigger()
    qtbot.waitUntil(lambda: not view.busy)
    assert view.model.value(0, 0) == 9
    view.set_engine(None)
    assert not view.header_menu(0).actions()[0].isEnabled()


def test_a_cell_menu_filters_by_its_value(qtbot: QtBot, view: ResultsView, engine: Engine) -> None:
    view.set_result(engine.execute("SELECT i % 3 AS k, i FROM range(30) t(i)"))
    menu = view.cell_menu(4, 0)  # k = 1
    [equal] = [a for a in menu.actions() if a.text() == "Filter: = 1"]
    equal.trigger()
    qtbot.waitUntil(lambda: not view.busy)
    assert view.model.rowCount() == 10
    assert {view.model.value(r, 0) for r in range(10)} == {1}
    assert "k = 1" in view.view_label.text()
    assert view.clear_view_button.isVisible()
    view.clear_view_button.click()
    assert view.model.rowCount() == 30


def test_the_filter_dialog_and_a_bad_value(qtbot: QtBot, view: ResultsView, engine: Engine) -> None:
    view.set_result(engine.execute("SELECT i AS n FROM range(30) t(i)"))
    errors: list[tuple[str, object]] = []
    view.error.connect(lambda what, exc: errors.append((what, exc)))
    dialog = view.ask_filter("n")
    dialog.op.setCurrentIndex(dialog.op.findData(">="))
    dialog.value.setText("25")
    dialog.accept()
    qtbot.waitUntil(lambda: not view.busy)
    assert view.model.rowCount() == 5
    bad = view.ask_filter("n")
    bad.value.setText("lots")
    bad.accept()
    assert view.model.rowCount() == 5  # unchanged
    assert "'lots'" in str(errors[0][1]) and "number" in str(errors[0][1])


def test_a_new_result_cancels_a_running_sort(
    qtbot: QtBot, view: ResultsView, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)
    slow = engine.execute("SELECT md5(i::VARCHAR) AS h FROM range(2000000) t(i)")
    view.set_result(slow)
    view.sort_by("h")
    assert view.busy and view.cancel_button.isVisible()
    other = engine.execute("SELECT 1 AS x")
    view.set_result(other)
    assert not view.busy and view.handle is other
    assert not view.table.horizontalHeader().isSortIndicatorShown()


def test_columns_that_share_a_name_sort_and_profile_by_position(
    qtbot: QtBot, view: ResultsView, engine: Engine
) -> None:
    view.set_result(engine.execute("SELECT t.x, u.x FROM range(3) t(x), (VALUES (10), (20)) u(x)"))
    view.table.horizontalHeader().sectionClicked.emit(1)
    qtbot.waitUntil(lambda: not view.busy)
    assert [view.model.value(r, 1) for r in range(6)] == [10, 10, 10, 20, 20, 20]
    assert view.table.horizontalHeader().sortIndicatorSection() == 1
    assert view.view_label.text() == "sorted by x ascending"
    popup = view.show_profile(1)
    qtbot.waitUntil(lambda: popup.profile is not None)
    assert popup.profile.min == 10
    popup.close()
