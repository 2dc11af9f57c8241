"""The interactive chart: the window's Chart tab, and a dashboard tile's chart.

How the window uses it
----------------------
``canvas = ChartCanvas()``, then:

- ``canvas.set_engine(engine)`` while a workspace is open (None when it closes);
- ``canvas.chart_result(handle, column=None)`` charts a query's result with the recommended
  spec (the picker offers the alternatives); ``column`` ("Chart this") picks a chart of that
  column; ``canvas.chart_sql(sql, spec)`` charts a query; ``canvas.set_data(chart_data)`` or
  ``canvas.show_chart(spec, table)`` draws data already fetched;
- signals: ``filter_requested(dict)`` a bar, slice, cell or point was clicked: {column: value}
  (a histogram bar gives a (low, high) range); ``chart_shown(ChartData)``; ``note(str)``;
  ``error(str, object)``; ``exported(str)`` a file was written;
- ``canvas.shutdown()`` before the workspace closes (cancels and waits).

The chart's SQL runs on a worker (:class:`~aiser_desktop.ui.workers.TaskRunner`) on a cursor of
its own, never on the GUI thread. A zoom or pan of a downsampled line, area or scatter asks
again for the visible range at the plot's width, 200 ms after the view stops moving; a newer
request sets the older one's cancel event, which interrupts its DuckDB query. A result is
charted as it is (its rows are scanned where they lie, in memory or in the spilled file), so
the person's query is not run again; a big result of a plain SELECT is charted from its SQL
instead, so the core can answer from its M4 pyramid.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.charts.data import ChartData, fetch_chart_data
from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.ui import theme
from aiser_desktop.ui.charts.figure import ChartView, Figure
from aiser_desktop.ui.charts.picker import ChartPicker
from aiser_desktop.ui.charts.sources import SAMPLE_ROWS, Fetch, fetch_for_handle, plan
from aiser_desktop.ui.charts.style import chart_style
from aiser_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine, ResultHandle

log = logging.getLogger(__name__)

EMPTY = (
    "Run a query, then press Chart (Ctrl+Shift+G) to see its result as a chart.\n\n"
    "A column's menu in the results also offers “Chart this”."
)
REQUERY_MS = 200
CONTINUOUS = ("line", "area", "scatter")


class ChartCanvas(QWidget):
    """The interactive chart; see the module docstring.

    Args:
        toolbar: Show the picker and the Export menu above the chart.
    """

    filter_requested = Signal(object)
    chart_shown = Signal(object)
    note = Signal(str)
    error = Signal(str, object)
    exported = Signal(str)
    busy_changed = Signal(bool)
    _built = Signal(int)  # from a pyramid's builder thread: queued to the GUI thread

    def __init__(self, parent: QWidget | None = None, *, toolbar: bool = True) -> None:
        super().__init__(parent)
        self.tasks = TaskRunner(self, max_threads=2)
        self._engine: Engine | None = None
        self._fetch: Fetch | None = None
        self._sample: Callable[[], pa.Table] | None = None
        self._data: ChartData | None = None
        self._cancel: threading.Event | None = None
        self._job = 0
        self._drawing = False
        self._crosshair: tuple[pg.InfiniteLine, pg.TextItem] | None = None

        self.view = ChartView(style=chart_style())
        self.view.scene().sigMouseMoved.connect(self._mouse_moved)
        self.view.scene().sigMouseClicked.connect(self._mouse_clicked)
        self.picker = ChartPicker()
        self.picker.chosen.connect(self.set_spec)
        self.picker.hide()
        self.status_label = QLabel("")
        self.status_label.setObjectName("muted")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.export_button = QToolButton()
        self.export_button.setObjectName("flat")
        self.export_button.setText("Export ▾")
        self.export_button.setToolTip("Save the chart as an image, or the data it shows as CSV")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, suffix in (
            ("PNG image…", "png"),
            ("SVG image…", "svg"),
            ("Data as CSV…", "csv"),
        ):
            menu.addAction(label, partial(self.ask_export, suffix))
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 6, 2)
        bar.setSpacing(8)
        bar.addWidget(self.picker)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.export_button)
        self.bar = QWidget(self)  # a parent first: setVisible on an orphan opens a window
        self.bar.setLayout(bar)
        self.bar.setVisible(toolbar)

        self.placeholder = QLabel(EMPTY)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)

        self._requery = QTimer(self)
        self._requery.setSingleShot(True)
        self._requery.setInterval(REQUERY_MS)
        self._requery.timeout.connect(self._fetch_visible)
        self._built.connect(self._refine, Qt.ConnectionType.QueuedConnection)
        theme.notifier().changed.connect(self._theme_changed)

    # ------------------------------------------------------------------ public
    @property
    def data(self) -> ChartData | None:
        """What is drawn now."""
        return self._data

    @property
    def spec(self) -> ChartSpec | None:
        """The spec drawn now (resolved: its title chosen), or None."""
        return self._data.spec if self._data is not None else None

    @property
    def figure(self) -> Figure | None:
        return self.view.figure

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def set_engine(self, engine: Engine | None) -> None:
        """The engine charts are fetched from (None: no workspace; what is drawn stays)."""
        if engine is not self._engine:
            self.cancel()
            self._fetch = None
        self._engine = engine

    def chart_result(
        self, handle: ResultHandle, spec: ChartSpec | None = None, column: str | None = None
    ) -> bool:
        """Charts a query's result: ``spec``, or the recommended chart (of ``column``).

        Returns:
            False when there is no engine to fetch with.
        """
        if self._engine is None:
            return False
        self._fetch = fetch_for_handle(self._engine, handle)
        self._sample = lambda: handle.page(0, SAMPLE_ROWS)
        self._start(spec, column)
        return True

    def chart_sql(self, sql: str, spec: ChartSpec | None = None) -> bool:
        """Charts the result of ``sql`` (read on a cursor of its own)."""
        engine = self._engine
        if engine is None:
            return False
        self._fetch = lambda s, px, rng, cancel: fetch_chart_data(
            engine, sql, s, pixels=px, x_range=rng, cancel=cancel, preview=True
        )

        def sample() -> pa.Table:
            with engine.cursor() as cursor:
                query = f"SELECT * FROM ({sql.strip().rstrip(';')}) LIMIT {SAMPLE_ROWS}"
                return cursor.execute(query).to_arrow_table()

        self._sample = sample
        self._start(spec, None)
        return True

    def set_spec(self, spec: ChartSpec) -> None:
        """Draws the same data as ``spec`` (the picker's choice), fetched again."""
        if self._fetch is None:
            if self._data is not None:  # data handed over: draw it as it is
                self.set_data(ChartData(self._data.table, spec))
            return
        self._start(spec, None, keep_specs=True)

    def set_data(self, data: ChartData) -> None:
        """Draws ``data`` now (no fetching: zoom then only magnifies what is there)."""
        self._draw(data, keep_range=False)

    def show_chart(self, spec: ChartSpec | dict[str, Any], table: pa.Table) -> None:
        """Draws ``table`` (already in the kind's shape) as ``spec``."""
        if isinstance(spec, dict):
            spec = ChartSpec.from_dict(spec)
        self._fetch = None
        self.set_data(ChartData(table, spec))

    def cancel(self) -> bool:
        """Stops the chart's query under way; True when one was stopped."""
        self._requery.stop()
        event, self._cancel = self._cancel, None
        if event is None:
            return False
        event.set()
        self._job += 1  # its answer, if it still comes, is dropped
        self.busy_changed.emit(False)
        return True

    def shutdown(self) -> None:
        """Cancels and waits for the worker (before the workspace closes)."""
        self.cancel()
        self.set_engine(None)
        self.tasks.wait(10_000)

    def clear(self) -> None:
        self.cancel()
        self._data = None
        self._fetch = None
        self.view.clear_chart()
        self.picker.hide()
        self.status_label.clear()
        self.export_button.setEnabled(False)
        self.stack.setCurrentWidget(self.placeholder)

    # ------------------------------------------------------------------ fetching
    def _start(
        self,
        spec: ChartSpec | None,
        column: str | None,
        *,
        x_range: tuple[float, float] | None = None,
        keep_specs: bool = False,
    ) -> None:
        fetch = self._fetch
        if fetch is None:
            return
        self.cancel()
        self._job += 1
        job = self._job
        event = threading.Event()
        self._cancel = event
        pixels = max(100, int(self.view.width() * 0.9))
        self.status_label.setText("Drawing…" if x_range is None else "Refining the view…")
        self.busy_changed.emit(True)
        self.tasks.start(
            "fetch a chart",
            plan,
            fetch,
            spec,
            column,
            None if keep_specs or x_range is not None else self._sample,
            pixels,
            x_range,
            event,
            on_done=lambda out: self._fetched(job, out, x_range is not None, keep_specs),
            on_error=lambda exc: self._failed(job, exc),
        )

    def _fetched(self, job: int, outcome: Any, zoomed: bool, keep_specs: bool) -> None:
        if job != self._job:
            return
        self._cancel = None
        self.busy_changed.emit(False)
        specs, spec, data = outcome
        if specs and not keep_specs:
            self.picker.set_specs(specs, spec)
            self.picker.show()
        try:
            self._draw(data, keep_range=zoomed)
        except AiserError as exc:
            self.status_label.setText("The chart could not be drawn.")
            self.error.emit("The chart could not be drawn.", exc)
            return
        pending = getattr(data, "pending", None)
        if pending is not None:  # a preview from a sample: the whole chart when it is built
            pending.add_done_callback(lambda _future: self._built.emit(job))

    def _refine(self, job: int) -> None:
        """The big table's summary is built: the preview is drawn again from it (unless a
        newer request came meanwhile)."""
        data = self._data
        if job != self._job or data is None or self._fetch is None:
            return
        figure = self.view.figure
        x_range = None
        if figure is not None and figure.plot is not None and data.x_range is not None:
            lo, hi = figure.plot.getViewBox().viewRange()[0]
            x_range = (float(lo), float(hi))
        self._start(data.spec, None, x_range=x_range, keep_specs=True)

    def _failed(self, job: int, exc: BaseException) -> None:
        if job != self._job:
            return
        self._cancel = None
        self.busy_changed.emit(False)
        if isinstance(exc, QueryCancelledError):
            return
        self.status_label.setText("The chart could not be drawn.")
        self.error.emit("The chart could not be drawn.", exc)

    def _range_changed(self, *_args: Any) -> None:
        data = self._data
        if self._drawing or data is None or self._fetch is None:
            return
        if data.spec.kind in CONTINUOUS and data.method != "rows":
            self._requery.start()

    def _fetch_visible(self) -> None:
        figure, data = self.view.figure, self._data
        if figure is None or figure.plot is None or data is None:
            return
        lo, hi = figure.plot.getViewBox().viewRange()[0]
        self._start(data.spec, None, x_range=(float(lo), float(hi)))

    # ------------------------------------------------------------------ drawing
    def _draw(self, data: ChartData, *, keep_range: bool) -> None:
        old = self.view.figure
        hidden = {s.name for s in old.series if not s.visible} if old is not None else set()
        view_range = None
        if keep_range and old is not None and old.plot is not None:
            view_range = old.plot.getViewBox().viewRange()
        self._drawing = True
        try:
            self._crosshair = None
            figure = self.view.show_chart(data.spec, data.table)
            for series in figure.series:
                if series.name in hidden:
                    series.set_visible(False)
            self._setup(figure, view_range)
        finally:
            self._drawing = False
        self._data = data
        self.stack.setCurrentWidget(self.view)
        self.export_button.setEnabled(True)
        self.status_label.setText(_status(data))
        self.status_label.setToolTip(_status(data))
        self.chart_shown.emit(data)

    def _setup(self, figure: Figure, view_range: list[list[float]] | None) -> None:
        """Mouse behaviour per kind, the crosshair, and the re-query on zoom."""
        plot = figure.plot
        if plot is None:
            return
        box = plot.getViewBox()
        kind = figure.spec.kind
        if kind in ("line", "area"):
            box.setMouseEnabled(x=True, y=False)  # zoom in time; y follows what is seen
            box.setAutoVisible(y=True)
        elif kind == "bar":
            box.setMouseEnabled(x=not figure.spec.horizontal, y=figure.spec.horizontal)
        elif kind in ("pie", "kpi", "heatmap"):
            box.setMouseEnabled(x=False, y=False)
        if view_range is not None:
            box.setXRange(*view_range[0], padding=0)
            if kind == "scatter":
                box.setYRange(*view_range[1], padding=0)
        box.sigXRangeChanged.connect(self._range_changed)
        if kind in ("pie", "kpi"):
            return
        style = figure.style
        line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(style.muted, width=1))
        line.pen.setStyle(Qt.PenStyle.DashLine)
        tip = pg.TextItem(
            anchor=(0, 1), fill=style.qcolour(style.background, 250), border=pg.mkPen(style.axis)
        )
        for item in (line, tip):
            item.setZValue(1000)
            item.hide()
            plot.addItem(item, ignoreBounds=True)
        self._crosshair = (line, tip)

    def _mouse_moved(self, pos: QPointF) -> None:
        figure, cross = self.view.figure, self._crosshair
        if figure is None or figure.plot is None or cross is None:
            return
        line, tip = cross
        box = figure.plot.getViewBox()
        if not box.sceneBoundingRect().contains(pos):
            line.hide()
            tip.hide()
            return
        point = box.mapSceneToView(pos)
        x = point.x() if not figure.spec.horizontal else point.y()
        line.setAngle(0 if figure.spec.horizontal else 90)
        line.setPos(point.y() if figure.spec.horizontal else point.x())
        tip.setHtml(self.readout(x, point.y()))
        (x0, x1), (y0, y1) = box.viewRange()
        right = (point.x() - x0) > (x1 - x0) * 0.6
        top = (point.y() - y0) > (y1 - y0) * 0.6
        tip.setAnchor((1.0 if right else 0.0, 0.0 if top else 1.0))
        if figure.plot.getViewBox().yInverted():
            tip.setAnchor((1.0 if right else 0.0, 1.0 if top else 0.0))
        tip.setPos(point)
        line.show()
        tip.show()

    def readout(self, x: float, y: float) -> str:
        """The crosshair's text at plot point (x, y): the x value and each series' value."""
        figure = self.view.figure
        if figure is None:
            return ""
        style = figure.style
        if figure.spec.horizontal:
            head = (
                figure.y_labels[round(x)]
                if figure.y_labels and 0 <= round(x) < len(figure.y_labels)
                else ""
            )
        else:
            head = figure.x_text(figure.snap(x) if figure.x_kind != "category" else x)
        if figure.spec.kind == "heatmap":
            picked = figure.pick(x, y) or {}
            head = " · ".join(str(v) for v in picked.values())
        rows = [f'<b style="color:{style.text}">{html.escape(head)}</b>']
        for name, colour, value in figure.values_at(x)[:8]:
            rows.append(
                f'<span style="color:{colour}">■</span> '
                f'<span style="color:{style.muted}">{html.escape(name)}</span> '
                f'<span style="color:{style.text}">{html.escape(value)}</span>'
            )
        return "<br>".join(rows)

    def _mouse_clicked(self, event: Any) -> None:
        figure = self.view.figure
        if figure is None or figure.plot is None:
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.scenePos()
        if figure.legend is not None and figure.legend.sceneBoundingRect().contains(pos):
            return
        box = figure.plot.getViewBox()
        if event.double():
            box.autoRange(padding=0.02)
            return
        if not box.sceneBoundingRect().contains(pos):
            return
        point = box.mapSceneToView(pos)
        picked = figure.pick(point.x(), point.y())
        if picked:
            self.filter_requested.emit(picked)

    def _theme_changed(self, _name: str) -> None:
        self.view.style_ = chart_style()
        self.view.setBackground(self.view.style_.background)
        if self._data is not None:
            self._draw(self._data, keep_range=True)

    # ------------------------------------------------------------------ export
    def ask_export(self, suffix: str) -> None:
        """Export ▸ …: asks where, then :meth:`export_to`."""
        if self._data is None:
            return
        names = {"png": "PNG image (*.png)", "svg": "SVG image (*.svg)", "csv": "CSV (*.csv)"}
        stem = re.sub(r"[^\w.-]+", "-", self._data.spec.title or "chart").strip("-") or "chart"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export chart", f"{stem}.{suffix}", names[suffix]
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Writes the chart (``.png``, ``.svg``) or the data it shows (``.csv``) to ``path``,
        the file on a worker; ``exported`` or ``error`` says how it went."""
        data = self._data
        suffix = path.suffix.lower()
        if data is None or suffix not in (".png", ".svg", ".csv"):
            return False
        from aiser_desktop.ui.charts import render

        size = {"width": max(480, self.view.width()), "height": max(270, self.view.height())}
        mode = "dark" if self.view.style_.dark else "light"
        work: Callable[[], None]
        if suffix == ".png":
            image = render.render_image(data, theme=mode, pixel_ratio=2.0, **size)

            def work() -> None:
                if not image.save(str(path), "PNG"):  # type: ignore[call-overload]  # stubs want bytes; PySide6 takes only str
                    raise AiserError(f"The chart could not be written to {path}.")

        elif suffix == ".svg":
            svg = render.render_svg(data, theme=mode, **size)

            def work() -> None:
                path.write_bytes(svg)

        else:
            table = data.table

            def work() -> None:
                import pyarrow.csv as csv

                csv.write_csv(table, str(path))

        self.tasks.start(
            "export a chart",
            work,
            on_done=lambda _none: self._exported(path),
            on_error=lambda exc: self.error.emit("The chart was not exported.", exc),
        )
        return True

    def _exported(self, path: Path) -> None:
        self.note.emit(f"Chart exported to {path}.")
        self.exported.emit(str(path))


def _status(data: ChartData) -> str:
    if data.note:
        return data.note
    if data.rows_in is not None:
        return f"{data.rows_in:,} rows"
    return ""
