"""The interactive chart: clicks that filter, legend toggles, the crosshair, the picker, the
re-query of the visible range after a zoom (and the cancel of the one before), export."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pyarrow.csv as csv
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from aiser_desktop.core.engine import Engine
from aiser_desktop.ui import theme
from aiser_desktop.ui.charts.canvas import ChartCanvas
from tests.ui.chart_cases import CARRIERS, cases

CASES = cases()
WAIT_MS = 30_000


@pytest.fixture
def canvas(qtbot: QtBot) -> Iterator[ChartCanvas]:
    widget = ChartCanvas()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()


def draw(qtbot: QtBot, canvas: ChartCanvas, name: str) -> None:
    canvas.show_chart(*CASES[name])
    qtbot.wait(50)  # the layout settles
    figure = canvas.figure
    assert figure is not None and figure.plot is not None
    figure.plot.getViewBox().updateAutoRange()


def click_at(qtbot: QtBot, canvas: ChartCanvas, x: float, y: float) -> None:
    """A left click at plot point (x, y)."""
    figure = canvas.figure
    assert figure is not None and figure.plot is not None
    scene = figure.plot.getViewBox().mapViewToScene(QPointF(x, y))
    click_scene(qtbot, canvas, scene)


def click_scene(qtbot: QtBot, canvas: ChartCanvas, scene: QPointF) -> None:
    pos = canvas.view.mapFromScene(scene)
    qtbot.mouseClick(canvas.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos))


def test_clicking_a_bar_asks_to_filter_by_its_category(qtbot: QtBot, canvas: ChartCanvas) -> None:
    draw(qtbot, canvas, "bar")
    with qtbot.waitSignal(canvas.filter_requested, timeout=2_000) as picked:
        click_at(qtbot, canvas, 2, 20_000)
    assert picked.args == [{"carrier": CARRIERS[2]}]


def test_clicking_between_bars_asks_nothing(qtbot: QtBot, canvas: ChartCanvas) -> None:
    draw(qtbot, canvas, "bar")
    with qtbot.assertNotEmitted(canvas.filter_requested, wait=200):
        click_at(qtbot, canvas, 2.5, 1_000)


def test_a_grouped_bar_gives_its_category_and_its_series(qtbot: QtBot, canvas: ChartCanvas) -> None:
    draw(qtbot, canvas, "bar_grouped")
    with qtbot.waitSignal(canvas.filter_requested, timeout=2_000) as picked:
        click_at(qtbot, canvas, 1.2, 4_000)  # JFK's second bar
    assert picked.args == [{"origin": "JFK", "month": "Feb"}]


def test_clicking_a_pie_slice_gives_its_name(qtbot: QtBot, canvas: ChartCanvas) -> None:
    draw(qtbot, canvas, "pie")
    angle = math.radians(60)  # clockwise from the top: inside the first slice (36%)
    with qtbot.waitSignal(canvas.filter_requested, timeout=2_000) as picked:
        click_at(qtbot, canvas, 0.6 * math.sin(angle), 0.6 * math.cos(angle))
    assert picked.args == [{"origin": "EWR"}]


def test_a_legend_click_hides_the_series_and_a_second_shows_it(
    qtbot: QtBot, canvas: ChartCanvas
) -> None:
    draw(qtbot, canvas, "line")
    figure = canvas.figure
    assert figure is not None and figure.legend is not None
    sample = next(s for s, label in figure.legend.items if label.text == "JFK")
    centre = sample.mapToScene(sample.boundingRect().center())
    with qtbot.assertNotEmitted(canvas.filter_requested, wait=100):
        click_scene(qtbot, canvas, centre)
    shown = {s.name: s.visible for s in figure.series}
    assert shown == {"EWR": True, "JFK": False, "LGA": True}
    assert "JFK" not in canvas.readout(5 * 86_400 + 1356998400, 0)
    click_scene(qtbot, canvas, centre)
    assert figure.series_named("JFK") is not None and figure.series_named("JFK").visible


def test_the_crosshair_reads_the_date_and_each_series_value(
    qtbot: QtBot, canvas: ChartCanvas
) -> None:
    draw(qtbot, canvas, "line")
    text = canvas.readout(1356998400 + 10 * 86_400 + 3_600, 0)  # 11 January, 01:00
    assert "2013-01-11" in text
    for origin in ("EWR", "JFK", "LGA"):
        assert origin in text
    assert "520" in text  # LGA: 500 + 2 * 10


def test_the_result_is_charted_as_recommended_with_the_alternatives_one_click_away(
    qtbot: QtBot, canvas: ChartCanvas, engine: Engine
) -> None:
    handle = engine.execute(
        "select * from (values ('north', 10.5), ('south', 7.25), ('east', 3.0)) v(region, amount)"
    )
    canvas.set_engine(engine)
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        assert canvas.chart_result(handle)
    data = shown.args[0]
    assert data.spec.kind == "bar" and data.spec.x == "region"
    buttons = canvas.picker.buttons
    assert buttons[0].text().startswith("★") and buttons[0].isChecked()
    assert len(buttons) >= 2
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        buttons[1].click()
    assert shown.args[0].spec.kind == canvas.picker.specs[1].kind
    assert buttons[1].isChecked() and not buttons[0].isChecked()


def test_chart_this_on_a_number_draws_its_distribution(
    qtbot: QtBot, canvas: ChartCanvas, engine: Engine
) -> None:
    handle = engine.execute("select i % 7 as region, i * 1.5 as amount from range(200) t(i)")
    canvas.set_engine(engine)
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        canvas.chart_result(handle, column="amount")
    data = shown.args[0]
    assert data.spec.x == "amount" or "amount" in data.spec.y
    assert int(data.table.num_rows) > 0


def test_a_zoom_fetches_the_visible_range_again_and_cancels_the_request_before(
    qtbot: QtBot, canvas: ChartCanvas, engine: Engine
) -> None:
    engine.execute(
        "create table series as select i::double as x, sin(i / 300.0) as y from range(400000) t(i)"
    )
    canvas.set_engine(engine)
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        canvas.chart_sql("select x, y from series")
    first = shown.args[0]
    assert first.downsampled and first.table.num_rows < 20_000
    figure = canvas.figure
    assert figure is not None and figure.plot is not None
    box = figure.plot.getViewBox()
    with qtbot.waitSignal(canvas.chart_shown, timeout=WAIT_MS) as shown:
        box.setXRange(100_000, 120_000, padding=0)  # the re-query follows by itself
    lo, hi = shown.args[0].x_range
    assert lo >= 99_000 and hi <= 121_000
    # Two zooms in a row: the second request cancels the first, whose answer is dropped.
    figure = canvas.figure
    assert figure is not None and figure.plot is not None
    box = figure.plot.getViewBox()
    arrived = []
    canvas.chart_shown.connect(arrived.append)
    box.setXRange(300_000, 330_000, padding=0)
    canvas._fetch_visible()
    older = canvas._cancel
    assert older is not None and not older.is_set()
    box.setXRange(200_000, 210_000, padding=0)
    canvas._fetch_visible()
    assert older.is_set()
    qtbot.waitUntil(lambda: bool(arrived) and not canvas.busy, timeout=WAIT_MS)
    qtbot.wait(300)
    assert len(arrived) == 1
    zoomed = arrived[0]
    lo, hi = zoomed.x_range
    assert lo >= 199_000 and hi <= 211_000
    xs = zoomed.table.column("x").to_pylist()
    assert min(xs) >= 199_000 and max(xs) <= 211_000
    assert zoomed.rows_in is not None and zoomed.rows_in <= 12_000


def test_export_png_svg_and_the_data_as_csv(
    qtbot: QtBot, canvas: ChartCanvas, tmp_path: Path
) -> None:
    draw(qtbot, canvas, "bar")
    for name in ("chart.png", "chart.svg", "chart.csv"):
        with qtbot.waitSignal(canvas.exported, timeout=WAIT_MS):
            assert canvas.export_to(tmp_path / name)
    assert QImage(str(tmp_path / "chart.png")).width() >= 900
    assert (tmp_path / "chart.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    table = csv.read_csv(tmp_path / "chart.csv")
    assert table.column_names == ["carrier", "flights"]
    assert table.column("carrier").to_pylist() == CARRIERS


def test_a_click_on_a_line_picks_the_point_near_it_and_nothing_far_from_it(
    qtbot: QtBot, canvas: ChartCanvas
) -> None:
    draw(qtbot, canvas, "line")
    day = 1356998400 + 10 * 86_400  # 11 January: LGA is at 500 + 2 * 10
    with qtbot.waitSignal(canvas.filter_requested, timeout=2_000) as picked:
        click_at(qtbot, canvas, day, 520)
    value = picked.args[0]
    assert value["origin"] == "LGA" and str(value["day"]) == "2013-01-11"
    with qtbot.assertNotEmitted(canvas.filter_requested, wait=200):
        click_at(qtbot, canvas, day, 620)  # between the lines


def test_the_chart_follows_a_switch_to_the_dark_theme(
    qtbot: QtBot, canvas: ChartCanvas, qapp: QApplication
) -> None:
    draw(qtbot, canvas, "bar")
    try:
        theme.apply(qapp, "dark")
        figure = canvas.figure
        assert figure is not None and figure.style.dark
        assert canvas.view.backgroundBrush().color().name() == theme.DARK.surface
    finally:
        theme.apply(qapp, "light")
    assert canvas.figure is not None and not canvas.figure.style.dark
