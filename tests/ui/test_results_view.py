"""The results grid: sorting and filtering pushed down as SQL, copy, export, profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from aiser_desktop.core.engine import Engine, ResultHandle
from aiser_desktop.core.engine.derive import Filter
from aiser_desktop.ui.results_view import ResultsView

QUERY = (
    "SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE 'r' || (i % 3) END AS region, "
    "i * 1.5 AS amount FROM range(50) t(i) ORDER BY i"
)
WAIT_MS = 15_000


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = Engine()
    try:
        yield eng
    finally:
        eng.close()


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
