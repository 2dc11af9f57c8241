"""One chart as a pyqtgraph layout: title, note, plot (or pie, or KPI), legend.

:class:`ChartView` is the widget (a ``GraphicsLayoutWidget``) that both the window's canvas
and the headless renderer draw into; :class:`Figure` is what one drawing made: its plot, its
series (for legend toggles and the crosshair) and a ``picker`` that says which rows are under
a point (a click on a bar filters the grid by its category).

Drawing each kind lives in :mod:`.draw_xy` and :mod:`.draw_other`; they receive the Figure
and add items to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.errors import AiserError
from aiser_desktop.ui.charts.axes import value_text
from aiser_desktop.ui.charts.style import ChartStyle, chart_style

Picker = Callable[[float, float], "dict[str, Any] | None"]


@dataclass
class Series:
    """A drawn series: what the legend toggles and the crosshair reads.

    Attributes:
        name: As in the legend.
        colour: Its colour.
        items: The graphics items that draw it (hidden together).
        x, y: Its points, in plot coordinates (for the crosshair), or None.
        right: Drawn against the second y axis.
    """

    name: str
    colour: str
    items: list[Any]
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    right: bool = False

    @property
    def visible(self) -> bool:
        return bool(self.items) and all(item.isVisible() for item in self.items)

    def set_visible(self, shown: bool) -> None:
        for item in self.items:
            item.setVisible(shown)


class SeriesSample(pg.ItemSample):  # type: ignore[misc]  # pyqtgraph has no type information
    """A legend sample whose click hides or shows its whole series (a stacked area is a line
    and a fill; a pie slice is a wedge and its sample), not only the item it was made for.

    Signals (pyqtgraph's): ``sigClicked(item)`` after the toggle.
    """

    def mouseClickEvent(self, event: Any) -> None:
        series = getattr(self.item, "aiser_series", None)
        if series is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseClickEvent(event)
            return
        series.set_visible(not self.item.isVisible())
        event.accept()
        self.update()
        self.sigClicked.emit(self.item)


@dataclass
class Figure:
    """What one drawing made (see the module docstring).

    Attributes:
        spec, table, style: What was drawn, from what, how.
        layout: The pyqtgraph layout it fills.
        plot: The main plot (None for a KPI).
        legend: The plot's legend, if it has one.
        second: The second y axis's view box (``spec.y2``), if any.
        series: The series drawn, in legend order.
        x_kind: "time", "number" or "category" along x (for the crosshair's text).
        x_labels: The category labels when ``x_kind`` is "category".
        y_kind: The same for y (a horizontal bar chart has its categories on y).
        picker: ``(x, y) -> {column: value}`` of the rows under a point in plot coordinates,
            or None where nothing is.
    """

    spec: ChartSpec
    table: pa.Table
    style: ChartStyle
    layout: pg.GraphicsLayout
    plot: pg.PlotItem | None = None
    legend: pg.LegendItem | None = None
    second: pg.ViewBox | None = None
    series: list[Series] = field(default_factory=list)
    x_kind: str = "number"
    x_labels: list[str] | None = None
    y_kind: str = "number"
    y_labels: list[str] | None = None
    picker: Picker | None = None
    legend_row: bool = False

    # ------------------------------------------------------------------ building blocks
    def add_plot(
        self, bottom: pg.AxisItem, left: pg.AxisItem, *, right: pg.AxisItem | None = None
    ) -> pg.PlotItem:
        """The main plot, with the theme's axes and a light grid."""
        axes = {"bottom": bottom, "left": left}
        if right is not None:
            axes["right"] = right
        plot = self.layout.addPlot(row=3, col=0, axisItems=axes)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=False, y=True, alpha=0.35 if self.style.dark else 0.5)
        names = ["bottom", "left"] + (["right"] if right is not None else [])
        for name in names:
            axis = plot.getAxis(name)
            self.style_axis(axis)
            axis.setZValue(-1)  # the grid lines it draws go under the bars, not over them
        plot.getViewBox().setBackgroundColor(None)
        self.plot = plot
        return plot

    def add_series(self, series: Series, legend_name: str | None = None) -> Series:
        """Records a drawn series; its items learn it, so the legend toggles all of them.
        With a legend row, the series gets its entry there (as ``legend_name``)."""
        for item in series.items:
            item.aiser_series = series
        self.series.append(series)
        if self.legend is not None and self.legend_row and series.items:
            self.legend.addItem(series.items[0], legend_name or series.name)
        return series

    def style_axis(self, axis: pg.AxisItem) -> None:
        style = self.style
        axis.setPen(pg.mkPen(style.axis))
        axis.setTextPen(pg.mkPen(style.muted))
        axis.setTickFont(style.font(8.5))
        axis.setStyle(
            tickLength=-4, tickTextOffset=6, autoExpandTextSpace=True, hideOverlappingLabels=40
        )

    def label_axis(self, name: str, text: str) -> None:
        """A muted caption along an axis (the column's name)."""
        if self.plot is None or not text or self.style.scale < 0.9:
            return  # a small chart's title says it; its axes have no room to spare
        size = f"{8.5 * self.style.scale:.1f}pt"
        self.plot.setLabel(name, text, color=self.style.muted, size=size)

    def add_legend(self, columns: int = 1, *, inside: bool = False) -> pg.LegendItem:
        """The legend: a row under the title (it never covers the data), or ``inside`` the
        plot's right edge on a card (a pie's)."""
        style = self.style
        options: dict[str, Any] = {
            "labelTextColor": style.text,
            "labelTextSize": f"{8.5 * style.scale:.1f}pt",
            "colCount": columns,
            "sampleType": SeriesSample,
        }
        if inside:
            assert self.plot is not None
            legend = self.plot.addLegend(
                offset=(-8, 8),
                brush=style.qcolour(style.background, 215),
                pen=pg.mkPen(style.axis),
                verSpacing=-6,
                **options,
            )
        else:
            legend = pg.LegendItem(offset=None, horSpacing=4, verSpacing=-8, **options)
            legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            self.layout.addItem(legend, row=2, col=0)
            self.layout.layout.setAlignment(legend, Qt.AlignmentFlag.AlignLeft)
            self.legend_row = True
        self.legend = legend
        return legend

    def pen(self, colour: str, width: float = 2.0, dashed: bool = False) -> QPen:
        pen: QPen = pg.mkPen(colour, width=width * max(0.75, self.style.scale))
        pen.setCosmetic(True)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def colour(self, index: int, name: str) -> str:
        return self.style.colour(index, name, self.spec.colours)

    # ------------------------------------------------------------------ reading
    def series_named(self, name: str) -> Series | None:
        return next((s for s in self.series if s.name == name), None)

    def x_text(self, x: float) -> str:
        return value_text(x, self.x_kind, self.x_labels)

    def snap(self, x: float) -> float:
        """The x of the drawn point nearest ``x`` (the crosshair names a real row's x)."""
        for series in self.series:
            if series.x is not None and len(series.x) and series.visible:
                index = nearest(series.x, x)
                if index >= 0:
                    return float(series.x[index])
        return x

    def values_at(self, x: float) -> list[tuple[str, str, str]]:
        """(series, colour, value) of each visible series at the point nearest ``x``."""
        out = []
        for series in self.series:
            if series.x is None or series.y is None or not len(series.x) or not series.visible:
                continue
            index = nearest(series.x, x)
            if index < 0:
                continue
            out.append((series.name, series.colour, value_text(series.y[index], "number")))
        return out

    def pick(self, x: float, y: float) -> dict[str, Any] | None:
        """The columns and values of what is under plot point (x, y), or None."""
        return self.picker(x, y) if self.picker is not None else None


def nearest(xs: np.ndarray, x: float) -> int:
    """The index of the value of ``xs`` (sorted, may hold NaN) nearest ``x``; -1 if none."""
    if not len(xs) or not math.isfinite(x):
        return -1
    finite = np.isfinite(xs)
    if not finite.all():
        positions = np.flatnonzero(finite)
        if not len(positions):
            return -1
        inner = nearest(xs[positions], x)
        return int(positions[inner])
    i = int(np.searchsorted(xs, x))
    if i <= 0:
        return 0
    if i >= len(xs):
        return len(xs) - 1
    return i if abs(xs[i] - x) < abs(x - xs[i - 1]) else i - 1


def default_title(spec: ChartSpec) -> str:
    """A title from the columns when the spec has none: "flights by carrier"."""
    if spec.title:
        return spec.title
    measures = ", ".join([*spec.y, *spec.y2])
    if spec.kind == "histogram":
        return f"Distribution of {spec.x}" if spec.x else "Distribution"
    if spec.kind == "box":
        target = measures or spec.x or ""
        return f"{target} by {spec.x}" if measures and spec.x else f"Spread of {target}"
    if spec.kind == "kpi":
        return measures or spec.x or ""
    if measures and spec.x:
        by = f" and {spec.series}" if spec.series and spec.kind != "scatter" else ""
        if spec.kind == "scatter":
            return f"{measures} against {spec.x}"
        return f"{measures} by {spec.x}{by}"
    return measures or spec.x or spec.kind.capitalize()


def check_columns(spec: ChartSpec, table: pa.Table) -> None:
    """Raises AiserError naming the column a kind needs that the table lacks."""
    y0 = spec.y[:1]
    by_kind: dict[str, list[str | None]] = {
        "histogram": ["bin_start", "bin_end", "count"],
        "box": ["min", "q1", "median", "q3", "max"],
        "kpi": ["value"],
        "heatmap": [spec.x, spec.series, *y0],
        "pie": [spec.x, *y0],
    }
    need = by_kind.get(spec.kind, [spec.x, *spec.y])
    missing = [c or "(none named)" for c in need if not c or c not in table.column_names]
    if missing:
        raise AiserError(
            f"Cannot draw a {spec.kind} chart: its data has no column {missing[0]!r}.",
            hint=f"The data has: {', '.join(table.column_names) or 'no columns'}. "
            "Fetch it with core.charts.data.fetch_chart_data, which shapes it for the kind.",
        )


class ChartView(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph has no type information
    """The widget a chart is drawn in (in the window and headless).

    Args:
        style: The colours; None follows the app's theme now.
    """

    def __init__(self, parent: QWidget | None = None, style: ChartStyle | None = None) -> None:
        super().__init__(parent)
        self.style_ = style or chart_style()
        self.figure: Figure | None = None
        self.setBackground(self.style_.background)
        self.ci.setContentsMargins(14, 10, 16, 10)
        self.ci.setSpacing(2)
        self.setFrameShape(pg.QtWidgets.QFrame.Shape.NoFrame)

    def set_style(self, style: ChartStyle) -> None:
        """New colours; the chart is drawn again with them."""
        self.style_ = style
        self.setBackground(style.background)
        figure = self.figure
        if figure is not None:
            self.show_chart(figure.spec, figure.table, note=self._note)

    def show_chart(self, spec: ChartSpec, table: pa.Table, *, note: str = "") -> Figure:
        """Draws ``table`` (in the shape of ``spec.kind``, see core/charts/data.py)."""
        from aiser_desktop.ui.charts import draw_other, draw_xy

        self.clear_chart()
        self._note = note
        style = self.style_
        figure = Figure(spec, table, style, self.ci)
        title = default_title(spec)
        if title:
            self.ci.addLabel(
                _html(title, style.text, 11.5 * style.scale, bold=True),
                row=0,
                col=0,
                justify="left",
            )
        if note:
            self.ci.addLabel(
                _html(note, style.muted, 8.5 * style.scale), row=1, col=0, justify="left"
            )
        drawer = {
            "line": draw_xy.draw_line,
            "area": draw_xy.draw_area,
            "bar": draw_xy.draw_bar,
            "scatter": draw_xy.draw_scatter,
            "histogram": draw_other.draw_histogram,
            "box": draw_other.draw_box,
            "heatmap": draw_other.draw_heatmap,
            "pie": draw_other.draw_pie,
            "kpi": draw_other.draw_kpi,
        }.get(spec.kind)
        if drawer is None:
            raise AiserError(f"There is no chart kind {spec.kind!r}.", hint="See ChartSpec.")
        if table.num_rows == 0:
            draw_other.draw_empty(figure)
        else:
            check_columns(spec, table)
            drawer(figure)
        self.figure = figure
        return figure

    def clear_chart(self) -> None:
        second = self.figure.second if self.figure is not None else None
        if second is not None and second.scene() is not None:
            second.scene().removeItem(second)
        self.ci.clear()
        self.figure = None
        self._note = ""


def _html(text: str, colour: str, points: float, bold: bool = False) -> str:
    import html

    weight = "font-weight:600;" if bold else ""
    return (
        f'<span style="color:{colour};font-size:{points:.1f}pt;{weight}">{html.escape(text)}</span>'
    )
