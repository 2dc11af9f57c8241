"""The small chart in an agent answer: the answer's chart spec drawn from its rows.

The answer carries its first rows as JSON-able values (dates as text) and a chart spec. The
rows are put in an in-memory DuckDB on a worker and shaped by the core exactly as the Chart
tab would shape them (bins, boxes, cells...), then drawn once as a picture: an answer is read,
not zoomed. Text that reads as dates becomes dates again, so a time axis stays a time axis.
This module imports pyqtgraph only when it draws.
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from aiser_desktop.ui.workers import TaskRunner

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 300, 170


def answer_table(columns: list[str], rows: list[tuple[Any, ...]] | tuple[Any, ...]) -> pa.Table:
    """The answer's rows as Arrow; ISO date text becomes dates (or timestamps)."""
    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
    table = pa.table({name: pa.array(values) for name, values in data.items()})
    for index, field in enumerate(table.schema):
        if not pa.types.is_string(field.type):
            continue
        column = table.column(index)
        try:
            stamps = pc.cast(column, pa.timestamp("us"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        midnight = pc.all(
            pc.equal(pc.cast(pc.cast(stamps, pa.date32()), pa.timestamp("us")), stamps)
        )
        typed = pc.cast(stamps, pa.date32()) if midnight.as_py() else stamps
        table = table.set_column(index, field.name, typed)
    return table


def shape(columns: list[str], rows: Any, chart: dict[str, Any]) -> Any:
    """On a worker: the ChartData of ``chart`` over the answer's rows."""
    import duckdb

    from aiser_desktop.core.charts.data import fetch_chart_data
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.ui.charts.sources import HeldCursor

    spec = ChartSpec.from_dict(dict(chart))
    table = answer_table(columns, rows)
    con = duckdb.connect()
    try:
        con.register("answer_rows", table)
        rows_sql = "SELECT * FROM answer_rows"  # registered on this connection only
        return fetch_chart_data(HeldCursor(con), rows_sql, spec, pixels=WIDTH)
    finally:
        con.close()


class MiniChart(QLabel):
    """A picture of an answer's chart (hidden until there is one).

    Signals:
        drawn: The picture is in place.
    """

    drawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("miniChart")
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setMinimumHeight(0)
        self.hide()
        self.tasks = TaskRunner(self, max_threads=1)
        self.data: Any = None

    def show_answer(self, answer: Any) -> bool:
        """Draws ``answer.chart`` from ``answer.rows`` (on a worker); False with no chart."""
        chart = getattr(answer, "chart", None)
        if not chart or not answer.columns or not answer.rows:
            self.hide()
            return False
        self.tasks.start(
            "shape an answer's chart",
            shape,
            list(answer.columns),
            answer.rows,
            dict(chart),
            on_done=self._shaped,
            on_error=lambda exc: log.info("the answer's chart was not drawn: %s", exc),
        )
        return True

    def _shaped(self, data: Any) -> None:
        from aiser_desktop.ui import theme
        from aiser_desktop.ui.charts.render import render_image

        self.data = data
        mode = "dark" if theme.is_dark() else "light"
        ratio = self.devicePixelRatioF() or 1.0
        image = render_image(
            data, width=WIDTH, height=HEIGHT, theme=mode, scale=0.8, pixel_ratio=ratio
        )
        self.setPixmap(QPixmap.fromImage(image))
        self.setToolTip(data.spec.title)
        self.show()
        self.drawn.emit()
