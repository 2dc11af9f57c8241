"""The Metrics tab: the model's cubes and members, search, and queries built by double-click
or drop that show their rows in the grid and a chart spec for the Chart tab."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from aiser_desktop.ui.main_window import MainWindow
from aiser_desktop.ui.metrics_panel import KIND_ROLE, MetricsPanel
from aiser_desktop.ui.metrics_query import member_mime

SALES_CUBE = """cubes:
  - name: sales
    sql_table: sales
    title: Sales
    description: One row per sale.
    measures:
      - name: count
        type: count
      - name: revenue
        sql: amount
        type: sum
        title: Revenue
        description: Money taken, before refunds.
    dimensions:
      - name: region
        sql: region
        type: string
      - name: product
        sql: product
        type: string
      - name: sold_on
        sql: sold_on
        type: time
"""


@pytest.fixture
def modelled(csv_workspace: Path) -> Path:
    """The ``sales`` workspace with a hand-written cube."""
    folder = csv_workspace / "model" / "cubes"
    folder.mkdir(parents=True)
    (folder / "sales.yml").write_text(SALES_CUBE, encoding="utf-8")
    return csv_workspace


def open_metrics(qtbot: QtBot, window: MainWindow) -> MetricsPanel:
    panel = window.sources_panel.metrics
    window.show_left("metrics")
    qtbot.waitUntil(lambda: panel.model is not None, timeout=10_000)
    return panel


def run_and_wait(qtbot: QtBot, panel: MetricsPanel, action: Callable[[], None]) -> None:
    with qtbot.waitSignal(panel.result_ready, timeout=20_000):
        action()


def grid_rows(window: MainWindow) -> list[list[str]]:
    model = window.results
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_tab_lists_cubes_and_members_with_icons_and_descriptions(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    panel = open_metrics(qtbot, window)
    assert window.sources_panel.tabs.tabText(3) == "Metrics"
    cube = panel.tree.topLevelItem(0)
    assert cube.text(0) == "Sales" and "One row per sale." in cube.toolTip(0)
    names = [cube.child(i).text(0) for i in range(cube.childCount())]
    assert names == ["count", "Revenue", "region", "product", "sold_on"]
    revenue = panel.tree.item_for("sales.revenue")
    assert revenue is not None and revenue.data(0, KIND_ROLE) == "measure"
    assert "Money taken, before refunds." in revenue.toolTip(0)
    assert not revenue.icon(0).isNull()
    panel.search.setText("money")  # descriptions are searched too
    assert panel.tree.set_filter("money") == 1
    assert not revenue.isHidden() and panel.tree.item_for("sales.region").isHidden()
    panel.search.setText("")
    assert not panel.tree.item_for("sales.region").isHidden()


def test_double_clicks_build_a_query_shown_in_the_grid_with_a_chart(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    panel = open_metrics(qtbot, window)
    tree = panel.tree
    run_and_wait(
        qtbot, panel, lambda: tree.itemDoubleClicked.emit(tree.item_for("sales.revenue"), 0)
    )
    assert grid_rows(window) == [["20.75"]]
    run_and_wait(
        qtbot, panel, lambda: tree.itemDoubleClicked.emit(tree.item_for("sales.region"), 0)
    )
    assert panel.builder.query()["dimensions"] == ["sales.region"]
    assert grid_rows(window) == [["north", "13.50"], ["south", "7.25"]]
    spec = panel.last_chart
    assert (spec.kind, spec.x, spec.y) == ("bar", "sales.region", ["sales.revenue"])
    canvas = window.chart_canvas
    assert canvas is not None
    qtbot.waitUntil(lambda: canvas.spec is not None and canvas.spec.x == "sales.region")
    assert window.results_panel.tabs.currentWidget() is window.grid  # the rows in front
    assert "Metrics query" in window.messages.toPlainText()


def test_a_time_dimension_becomes_the_time_axis_by_month(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    panel = open_metrics(qtbot, window)
    panel.builder.add({"name": "sales.count", "kind": "measure", "type": "count"})
    run_and_wait(
        qtbot,
        panel,
        lambda: panel.add_and_run({"name": "sales.sold_on", "kind": "dimension", "type": "time"}),
    )
    query = panel.builder.query()
    assert query["timeDimensions"] == [{"dimension": "sales.sold_on", "granularity": "month"}]
    rows = grid_rows(window)
    assert [r[-1] for r in rows] == ["2", "1"] and rows[0][0].startswith("2024-01")
    assert panel.last_chart.kind == "line" and panel.last_chart.x.startswith("sales.sold_on")


def test_members_dropped_on_the_results_panel_run_a_query(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    panel = open_metrics(qtbot, window)
    mime = member_mime(
        [
            {"name": "sales.count", "kind": "measure", "type": "count"},
            {"name": "sales.product", "kind": "dimension", "type": "string"},
        ]
    )
    target = window.results_panel
    target.show_chart()  # the Chart tab in front: the drop builds a chart
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()  # the panel takes members (Qt sends drops only in a real drag)
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    run_and_wait(qtbot, panel, lambda: window.metrics_drop_target.eventFilter(target, drop))
    assert drop.isAccepted()
    assert sorted(grid_rows(window)) == [["apples", "1"], ["pears", "2"]]
    canvas = window.chart_canvas
    assert canvas is not None and target.tabs.currentWidget() is canvas
    qtbot.waitUntil(lambda: canvas.spec is not None and canvas.spec.x == "sales.product")
    assert canvas.spec.y == ["sales.count"]
    assert mime.text() == "sales.count, sales.product"  # what the SQL editor receives


def test_without_a_model_the_tab_says_how_to_make_one_and_generates_it(
    qtbot: QtBot, make_window: Callable[..., MainWindow], csv_workspace: Path
) -> None:
    window = make_window(csv_workspace)
    panel = window.sources_panel.metrics
    window.show_left("metrics")
    qtbot.waitUntil(lambda: panel.workspace is not None)
    assert panel.stack.currentWidget() is panel.placeholder
    assert "Generate model" in panel.placeholder.text()
    assert not panel.builder.run_button.isEnabled()
    panel.generate()
    qtbot.waitUntil(lambda: panel.model is not None, timeout=20_000)
    assert (csv_workspace / "model" / "cubes").is_dir()
    assert "sales" in panel.model.cubes
    assert panel.tree.item_for("sales.count") is not None
    assert "Generated" in window.messages.toPlainText()


def test_the_metrics_tab_is_remembered_in_the_layout(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    window.actions_.show_metrics.trigger()  # View > Metrics, Ctrl+5
    panel = window.sources_panel.metrics
    assert window.sources_panel.tabs.currentWidget() is panel
    assert window.layout_state()["left_tab"] == "metrics"


def test_a_broken_file_is_reported_and_the_other_cubes_still_load(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    broken = modelled / "model" / "cubes" / "broken.yml"
    broken.write_text("cubes:\n  - name: broken\n    measures: [\n", encoding="utf-8")
    window = make_window(modelled)
    panel = open_metrics(qtbot, window)
    assert panel.tree.item_for("sales.revenue") is not None
    assert panel.problems.isVisibleTo(panel)
    assert panel.problems.text().startswith("⚠ broken.yml:")


def test_closing_while_a_metrics_query_runs_releases_the_workspace(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    from aiser_desktop.core.workspace import Workspace

    window = make_window(modelled)
    panel = open_metrics(qtbot, window)
    panel.add_and_run({"name": "sales.count", "kind": "measure", "type": "count"})
    assert panel.running
    window.close()
    with Workspace.open(modelled) as ws:
        assert [s.name for s in ws.sources.records()] == ["sales"]


def test_members_dropped_on_the_sql_editor_become_the_sql_of_a_query(
    qtbot: QtBot, make_window: Callable[..., MainWindow], modelled: Path
) -> None:
    window = make_window(modelled)
    open_metrics(qtbot, window)
    editor = window.editor
    assert editor.property("metricsDrops") is True  # every SQL tab takes member drops
    mime = member_mime(
        [
            {"name": "sales.revenue", "kind": "measure", "type": "sum"},
            {"name": "sales.region", "kind": "dimension", "type": "string"},
        ]
    )
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert window.metrics_editor_drops.eventFilter(editor.viewport(), drop)
    assert "sum(" in editor.toPlainText().lower()
    with qtbot.waitSignal(window.query_ended, timeout=20_000):
        window.run_all()
    assert grid_rows(window) == [["north", "13.50"], ["south", "7.25"]]
