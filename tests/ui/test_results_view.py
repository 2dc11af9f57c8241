"""The results grid: sorting and filtering pushed down as SQL, copy, export, profile."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QGuiApplication
from pytestqt.qtbot import QtBot

from aiser_desktop.core.engine import Engine, ResultHandle
from aiser_desktop.core.engine.derive import Filter
from aiser_desktop.ui import theme
from aiser_desktop.ui.results_view import ResultsView

QUERY = (
    "SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE 'r' || (i % 3) END AS region, "
    "i * 1.5 AS amount FROM range(50) t(i) ORDER BY i"
)
WAIT_MS = 15_000


@pytest.fixture
def view(qtbot: QtBot, engine: Engine) -> ResultsView:
    widget = ResultsView()
    qtbot.addWidget(widget)
    widget.set_engine(engine)
    widget.resize(700, 400)
    return widget


@pytest.fixture
def handle(engine: Engine) -> ResultHandle:
    return engine.execute(QUERY)


def wait_idle(qtbot: QtBot, view: ResultsView) -> None:
    qtbot.waitUntil(lambda: not view.busy, timeout=WAIT_MS)


def column(view: ResultsView, number: int) -> list[object]:
    return [view.model.value(r, number) for r in range(view.model.rowCount())]


def test_header_clicks_sort_up_down_then_restore(
    qtbot: QtBot, view: ResultsView, handle: ResultHandle
) -> None:
    view.set_result(handle)
    header = view.table.horizontalHeader()
    header.sectionClicked.emit(2)
    wait_idle(qtbot, view)
    assert column(view, 2) == sorted(column(view, 2))
    assert header.isSortIndicatorShown() and header.sortIndicatorSection() == 2
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    header.sectionClicked.emit(2)
    wait_idle(qtbot, view)
    assert column(view, 0)[:3] == [49, 48, 47]
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    header.sectionClicked.emit(2)
    wait_idle(qtbot, view)
    assert view.handle is handle
    assert column(view, 0) == list(range(50))
    assert not header.isSortIndicatorShown()


def test_filters_combine_and_clear(qtbot: QtBot, view: ResultsView, handle: ResultHandle) -> None:
    view.set_result(handle)
    view.add_filter(Filter("region", "=", "r1"))
    wait_idle(qtbot, view)
    assert set(column(view, 1)) == {"r1"}
    expected = [i for i in range(50) if i % 4 and i % 3 == 1]
    assert column(view, 0) == expected
    assert "of 50 rows" in view.summary.text()
    view.add_filter(Filter("id", ">", "20"))
    wait_idle(qtbot, view)
    assert column(view, 0) == [i for i in expected if i > 20]
    view.clear_filters()
    wait_idle(qtbot, view)
    assert view.handle is handle


def test_copy_gives_tab_separated_text(
    qtbot: QtBot, view: ResultsView, handle: ResultHandle
) -> None:
    view.set_result(handle)
    model, selection = view.model, view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select
    for row in (0, 1):
        for col in (0, 1):
            selection.select(model.index(row, col), flags)
    assert view.copy_selection() == "0\t\n1\tr1"
    assert QGuiApplication.clipboard().text() == "0\t\n1\tr1"
    assert view.copy_selection(with_headers=True).splitlines()[0] == "id\tregion"


def test_export_writes_every_row(
    qtbot: QtBot, view: ResultsView, handle: ResultHandle, tmp_path: Path
) -> None:
    view.set_result(handle)
    notes: list[str] = []
    view.note.connect(notes.append)
    target = tmp_path / "all.parquet"
    dialog = view.export("parquet", str(target))
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(notes), timeout=WAIT_MS)
    assert "50 rows" in notes[0]
    assert duckdb.sql(f"select count(*) from '{target}'").fetchone() == (50,)


def test_profile_popup_shows_counts(qtbot: QtBot, view: ResultsView, handle: ResultHandle) -> None:
    view.set_result(handle)
    view.show()
    popup = view.show_profile("region")
    qtbot.waitUntil(lambda: popup.profile is not None, timeout=WAIT_MS)
    assert popup.profile.nulls == 13
    assert popup.profile.distinct == 3
    popup.close()


def test_profile_popup_draws_a_histogram_inside_the_screen(
    qtbot: QtBot, view: ResultsView, handle: ResultHandle
) -> None:
    view.set_result(handle)
    view.show()
    popup = view.show_profile("amount")
    qtbot.waitUntil(lambda: popup.profile is not None, timeout=WAIT_MS)
    assert popup.histogram.isVisible() and popup.histogram_title.text() == "Distribution"
    image = popup.histogram.grab().toImage()
    accent = QColor(theme.ACCENT).rgb()
    painted = sum(
        image.pixel(x, y) == accent
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    )
    assert painted > 50  # the bars are drawn
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.contains(popup.frameGeometry().topLeft())
    assert popup.frameGeometry().right() <= screen.right()
    popup.close()


def test_closing_the_profile_popup_cancels_its_work(
    qtbot: QtBot, view: ResultsView, handle: ResultHandle
) -> None:
    view.set_result(handle)
    view.show()
    popup = view.show_profile("region")
    job = popup.job
    popup.close()
    assert job is not None and job.done()


def test_an_export_can_be_cancelled_from_its_dialog(
    qtbot: QtBot, view: ResultsView, engine: Engine, tmp_path: Path
) -> None:
    view.set_result(
        engine.execute(
            "SELECT i, md5(i::VARCHAR) AS a, md5(a) AS b, md5(b) AS c FROM range(3000000) t(i)"
        )
    )
    target = tmp_path / "big.csv"
    said: list[object] = []
    view.note.connect(said.append)
    view.error.connect(lambda what, exc: said.append(exc))
    dialog = view.export("csv", str(target))
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.job is not None and (dialog.job.progress or 0) > 0)
    gone: list[bool] = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: bool(gone), timeout=WAIT_MS)  # it closes itself
    qtbot.waitUntil(lambda: list(tmp_path.iterdir()) == [], timeout=WAIT_MS)
    assert said == []  # a cancel is neither a success nor an error


def test_an_export_that_cannot_start_says_why(
    qtbot: QtBot, view: ResultsView, handle: ResultHandle, tmp_path: Path
) -> None:
    errors: list[tuple[str, object]] = []
    view.error.connect(lambda what, exc: errors.append((what, exc)))
    view.set_result(handle)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    view.export("csv", str(blocker / "out.csv"))
    assert errors and str(blocker) in str(errors[0][1])
