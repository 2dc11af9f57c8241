"""The chart in the window: Chart (Ctrl+Shift+G) draws the result in the Chart tab, "Chart
this" draws a column, and a click on a bar shows that bar's rows in the grid."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.main_window import MainWindow
from tests.ui.test_main_window import run_sql

WAIT_MS = 30_000


def test_ctrl_shift_g_charts_the_result_and_a_bar_click_filters_the_grid(
    qtbot: QtBot, window: MainWindow
) -> None:
    canvas = window.chart_canvas
    assert canvas is not None and window.results_panel.chart is canvas
    assert not window.actions_.chart.isEnabled()  # nothing to chart yet
    assert run_sql(qtbot, window, "select region, amount from sales") == "finished"
    assert window.actions_.chart.isEnabled()
    assert window.results_panel.chart_button.isEnabled()
    assert window.actions_.chart.shortcut().toString() == "Ctrl+Shift+G"
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        qtbot.keyClick(window.editor, Qt.Key.Key_G, keys)
    data = shown.args[0]
    assert window.results_panel.tabs.currentWidget() is canvas
    assert data.spec.kind == "bar" and data.spec.x == "region"
    figure = canvas.figure
    assert figure is not None and figure.plot is not None
    qtbot.wait(50)
    labels = figure.x_labels or []
    north = labels.index("north")
    box = figure.plot.getViewBox()
    box.updateAutoRange()
    scene = box.mapViewToScene(QPointF(north, 1.0))
    pos = canvas.view.mapFromScene(scene)
    grid = window.grid
    assert grid is not None
    with qtbot.waitSignal(grid.result_changed, timeout=WAIT_MS):
        qtbot.mouseClick(canvas.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos))
    assert grid.handle is not None and grid.handle.row_count == 2
    assert window.results_panel.tabs.currentWidget() is grid
    assert "region = north" in grid.view_label.text().replace("'", "")


def test_chart_this_on_a_column_draws_that_column(qtbot: QtBot, window: MainWindow) -> None:
    assert run_sql(qtbot, window, "select region, product, amount from sales") == "finished"
    grid, canvas = window.grid, window.chart_canvas
    assert grid is not None and canvas is not None
    menu = grid.header_menu(1)  # product
    action = next(a for a in menu.actions() if a.text() == "Chart this")
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        action.trigger()
    spec = shown.args[0].spec
    assert spec.x == "product" or spec.series == "product"
    assert window.results_panel.tabs.currentWidget() is canvas
