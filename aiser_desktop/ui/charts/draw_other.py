"""Histogram, box, heatmap, pie/donut and KPI charts, and the empty chart.

Each reads the table shape the core hands over for its kind (core/charts/data.py):

- histogram: ``bin_start``, ``bin_end``, ``count``;
- box: ``group`` (or the ``spec.x`` column when grouped), ``min``, ``q1``, ``median``, ``q3``,
  ``max``, ``n``;
- heatmap: ``spec.x``, ``spec.series`` (the rows) and ``spec.y[0]`` (the cell's value);
- pie: ``spec.x`` (the slices) and ``spec.y[0]``;
- kpi: ``value``, ``previous`` (may be NULL) and ``label``.

pyqtgraph has no pie: wedges are ``QGraphicsPathItem`` polygons in an aspect-locked view.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem

from aiser_desktop.ui.charts.axes import (
    CategoryAxis,
    NumberAxis,
    as_labels,
    as_numbers,
    compact,
    exact,
    format_number,
    short,
)
from aiser_desktop.ui.charts.figure import Figure, Series, _html

CELL_LABELS_UNDER = 160  # heatmap cells: below this many, each shows its value
PIE_SLICES = 12


def _column(table: pa.Table, *names: str | None) -> pa.ChunkedArray | None:
    for name in names:
        if name and name in table.column_names:
            return table[name]
    return None


# ---------------------------------------------------------------------- histogram
def draw_histogram(figure: Figure) -> None:
    table = figure.table
    start = as_numbers(table["bin_start"])
    end = as_numbers(table["bin_end"])
    count = as_numbers(table["count"])
    plot = figure.add_plot(NumberAxis("bottom"), NumberAxis("left"))
    figure.label_axis("bottom", figure.spec.x or "")
    figure.label_axis("left", "rows")
    colour = figure.colour(0, figure.spec.x or "")
    gap = np.minimum((end - start) * 0.04, np.inf)
    bars = pg.BarGraphItem(
        x0=start + gap / 2,
        x1=end - gap / 2,
        y0=np.zeros(len(count)),
        height=count,
        brush=figure.style.qcolour(colour, 225),
        pen=None,
    )
    plot.addItem(bars)
    centres = (start + end) / 2
    figure.add_series(Series("rows", colour, [bars], centres, count))
    figure.x_kind = "number"
    box = plot.getViewBox()
    box.setDefaultPadding(0.0)
    span = (float(np.nanmax(end)) - float(np.nanmin(start))) or 1.0
    box.setRange(
        xRange=(float(np.nanmin(start)) - span * 0.02, float(np.nanmax(end)) + span * 0.02),
        yRange=(-0.045 * float(np.nanmax(count)), float(np.nanmax(count)) * 1.06 or 1.0),
        padding=0,
    )

    def pick(x: float, y: float) -> dict[str, Any] | None:
        inside = np.flatnonzero((start <= x) & (x < end))
        if not len(inside) or not figure.spec.x:
            return None
        i = int(inside[0])
        return {figure.spec.x: (float(start[i]), float(end[i]))}  # a range: "between"

    figure.picker = pick


# ---------------------------------------------------------------------- box
def draw_box(figure: Figure) -> None:
    spec, table = figure.spec, figure.table
    by = spec.x if spec.y else spec.series  # the grouping column (the contract's)
    groups = _column(table, "group", by)
    labels = as_labels(groups) if groups is not None else [spec.x or (spec.y or [""])[0]]
    stats = {k: as_numbers(table[k]) for k in ("min", "q1", "median", "q3", "max")}
    positions = np.arange(len(labels), dtype=np.float64)
    plot = figure.add_plot(CategoryAxis("bottom", labels), NumberAxis("left"))
    figure.x_kind, figure.x_labels = "category", labels
    measure = spec.y[0] if spec.y else (spec.x or "")
    figure.label_axis("left", measure)
    if groups is not None and by:
        figure.label_axis("bottom", by)
    colour = figure.colour(0, measure)
    width = 0.5
    boxes = pg.BarGraphItem(
        x=positions,
        width=width,
        y0=stats["q1"],
        height=stats["q3"] - stats["q1"],
        brush=figure.style.qcolour(colour, 70),
        pen=figure.pen(colour, 1.5),
    )
    # Whiskers, caps and medians as one item of line pairs (connect="pairs").
    half, cap = width / 2, width / 4
    xs = np.stack(
        [
            positions, positions,  # lower whisker
            positions, positions,  # upper whisker
            positions - cap, positions + cap,  # lower cap
            positions - cap, positions + cap,  # upper cap
        ],
        axis=1,
    ).ravel()  # fmt: skip
    ys = np.stack(
        [
            stats["min"], stats["q1"],
            stats["q3"], stats["max"],
            stats["min"], stats["min"],
            stats["max"], stats["max"],
        ],
        axis=1,
    ).ravel()  # fmt: skip
    whiskers = pg.PlotCurveItem(xs, ys, pen=figure.pen(colour, 1.5), connect="pairs")
    medians = pg.PlotCurveItem(
        np.stack([positions - half, positions + half], axis=1).ravel(),
        np.repeat(stats["median"], 2),
        pen=figure.pen(figure.style.text if figure.style.dark else colour, 2.5),
        connect="pairs",
    )
    for item in (whiskers, boxes, medians):
        plot.addItem(item)
    figure.add_series(
        Series(measure, colour, [boxes, whiskers, medians], positions, stats["median"])
    )
    plot.getViewBox().setRange(xRange=(-0.7, len(labels) - 0.3), padding=0)

    def pick(x: float, y: float) -> dict[str, Any] | None:
        index = round(x)
        if groups is None or not by or not 0 <= index < len(labels):
            return None
        if abs(x - index) > half:
            return None
        return {by: groups[index].as_py()}

    figure.picker = pick


# ---------------------------------------------------------------------- heatmap
def draw_heatmap(figure: Figure) -> None:
    spec, table = figure.spec, figure.table
    x_column, y_column = table[spec.x], table[spec.series]
    x_values, y_values = pc.unique(x_column), pc.unique(y_column)
    xi = as_numbers(pc.index_in(x_column, value_set=x_values)).astype(np.int64)
    yi = as_numbers(pc.index_in(y_column, value_set=y_values)).astype(np.int64)
    values = as_numbers(table[spec.y[0]])
    grid = np.full((len(x_values), len(y_values)), np.nan)
    grid[xi, yi] = values  # image[x, y]: pyqtgraph's column-major default
    x_labels, y_labels = as_labels(x_values), as_labels(y_values)
    plot = figure.add_plot(CategoryAxis("bottom", x_labels), CategoryAxis("left", y_labels))
    plot.showGrid(x=False, y=False)
    plot.invertY(True)
    figure.x_kind, figure.x_labels = "category", x_labels
    figure.y_kind, figure.y_labels = "category", y_labels
    figure.label_axis("bottom", spec.x or "")
    figure.label_axis("left", spec.series or "")
    ramp = figure.style.ramp
    colour_map = pg.ColorMap(np.linspace(0.0, 1.0, len(ramp)), [pg.mkColor(c) for c in ramp])
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    image = pg.ImageItem(grid)
    image.setColorMap(colour_map)
    image.setLevels((lo, hi))
    image.setRect(-0.5, -0.5, len(x_values), len(y_values))
    plot.addItem(image)
    bar = pg.ColorBarItem(
        values=(lo, hi), colorMap=colour_map, interactive=False, width=12, label=spec.y[0]
    )
    bar.setImageItem(image, insert_in=plot)
    figure.style_axis(bar.axis)
    if grid.size <= CELL_LABELS_UNDER:
        middle = lo + (hi - lo) * 0.55
        for (x, y), value in np.ndenumerate(grid):
            if not math.isfinite(value):
                continue
            dark_cell = value > middle if not figure.style.dark else value > lo + (hi - lo) * 0.7
            colour = "#ffffff" if dark_cell else figure.style.text
            if figure.style.dark and value > lo + (hi - lo) * 0.7:
                colour = "#0f1113"
            shown = compact(float(value)) if len(x_values) > 8 else format_number(float(value))
            text = pg.TextItem(shown, color=colour, anchor=(0.5, 0.5))
            text.setFont(figure.style.font(8))
            text.setPos(x, y)
            plot.addItem(text)
    figure.add_series(Series(spec.y[0], ramp[-2], [image]))
    plot.getViewBox().setRange(
        xRange=(-0.5, len(x_values) - 0.5), yRange=(-0.5, len(y_values) - 0.5), padding=0
    )

    def pick(x: float, y: float) -> dict[str, Any] | None:
        i, j = round(x), round(y)
        if not (0 <= i < len(x_values) and 0 <= j < len(y_values)):
            return None
        # check_columns refused a heatmap without x and series
        return {cast(str, spec.x): x_values[i].as_py(), cast(str, spec.series): y_values[j].as_py()}

    figure.picker = pick


# ---------------------------------------------------------------------- pie and donut
def draw_pie(figure: Figure) -> None:
    spec, table = figure.spec, figure.table
    names = table[spec.x]
    values = np.clip(np.nan_to_num(as_numbers(table[spec.y[0]])), 0.0, None)
    labels = as_labels(names)
    if len(values) > PIE_SLICES:  # the smallest slices become "Other"
        order = np.argsort(-values, kind="stable")
        kept = np.sort(order[: PIE_SLICES - 1])
        other = float(values[order[PIE_SLICES - 1 :]].sum())
        labels = [labels[i] for i in kept] + ["Other"]
        values = np.append(values[kept], other)
        keys: list[Any] = [names[int(i)].as_py() for i in kept] + [None]
    else:
        keys = [names[i].as_py() for i in range(len(values))]
    total = float(values.sum()) or 1.0
    plot = figure.add_plot(NumberAxis("bottom"), NumberAxis("left"))
    plot.hideAxis("bottom")
    plot.hideAxis("left")
    plot.showGrid(x=False, y=False)
    plot.setAspectLocked(True)
    plot.setMouseEnabled(x=False, y=False)
    figure.add_legend(columns=1 if len(labels) <= 8 else 2, inside=True)
    legend = figure.legend
    assert legend is not None
    legend.anchor(itemPos=(1, 0.5), parentPos=(1, 0.5), offset=(-8, 0))
    inner = 0.55 if spec.donut else 0.0
    bounds = np.concatenate([[0.0], np.cumsum(values) / total])
    separator = figure.pen(figure.style.background, 1.5)
    for index, label in enumerate(labels):
        colour = (
            "#94a3b8" if label == "Other" and keys[index] is None else figure.colour(index, label)
        )
        start, end = bounds[index], bounds[index + 1]
        if end <= start:
            continue
        wedge = QGraphicsPathItem(_wedge(start, end, inner))
        wedge.setBrush(pg.mkBrush(colour))
        wedge.setPen(separator)
        plot.addItem(wedge)
        share = end - start
        sample = pg.BarGraphItem(x=[0], height=[0], width=0, brush=colour, pen=None)
        legend.addItem(sample, f"{short(label, 24)}  {share:.0%}")
        figure.add_series(Series(label, colour, [wedge, sample]))
        if share >= 0.04:
            angle = math.pi / 2 - 2 * math.pi * (start + end) / 2
            radius = (1.0 + inner) / 2 if inner else 0.68
            text = pg.TextItem(f"{share:.0%}", color="#ffffff", anchor=(0.5, 0.5))
            text.setFont(figure.style.font(8.5, bold=True))
            text.setPos(radius * math.cos(angle), radius * math.sin(angle))
            plot.addItem(text)
    if spec.donut:
        middle = pg.TextItem(
            html=_html(format_number(total), figure.style.text, 13 * figure.style.scale, True),
            anchor=(0.5, 0.5),
        )
        middle.setPos(0, 0)
        plot.addItem(middle)
    plot.getViewBox().setRange(xRange=(-1.05, 1.05), yRange=(-1.05, 1.05), padding=0.02)
    # Leave room on the right for the legend: the pie sits left of centre.
    plot.getViewBox().setRange(xRange=(-1.1, 1.9), padding=0)

    def pick(x: float, y: float) -> dict[str, Any] | None:
        radius = math.hypot(x, y)
        if not inner <= radius <= 1.0:
            return None
        share = ((math.pi / 2 - math.atan2(y, x)) / (2 * math.pi)) % 1.0
        index = int(np.searchsorted(bounds, share, side="right")) - 1
        if not 0 <= index < len(keys) or keys[index] is None:
            return None
        return {cast(str, spec.x): keys[index]}  # check_columns refused a pie without x

    figure.picker = pick


def _wedge(start: float, end: float, inner: float) -> QPainterPath:
    """A slice from ``start`` to ``end`` (shares of the circle, clockwise from the top)."""
    steps = max(2, math.ceil((end - start) * 180))
    angles = math.pi / 2 - 2 * math.pi * np.linspace(start, end, steps)
    outer = [QPointF(math.cos(a), math.sin(a)) for a in angles]
    if inner:
        hole = [QPointF(inner * math.cos(a), inner * math.sin(a)) for a in angles[::-1]]
    else:
        hole = [QPointF(0.0, 0.0)]
    path = QPainterPath()
    path.addPolygon(QPolygonF(outer + hole))
    path.closeSubpath()
    return path


# ---------------------------------------------------------------------- KPI
def draw_kpi(figure: Figure) -> None:
    """The number, big; under it the change from the previous period, green up, red down."""
    table, style = figure.table, figure.style
    value = table["value"][0].as_py() if "value" in table.column_names else None
    previous = table["previous"][0].as_py() if "previous" in table.column_names else None
    label = str(table["label"][0].as_py() or "") if "label" in table.column_names else ""
    layout = figure.layout
    layout.addLabel("", row=2, col=0)
    shown = exact(float(value)) if isinstance(value, (int, float)) else str(value or "—")
    layout.addLabel(_html(shown, style.text, 40 * style.scale, bold=True), row=3, col=0)
    if label:
        layout.addLabel(_html(label, style.muted, 10 * style.scale), row=4, col=0)
    change = kpi_change(value, previous)
    if change:
        text, good = change
        colour = style.up if good else style.down
        layout.addLabel(_html(text, colour, 11 * style.scale, bold=True), row=5, col=0)
    layout.addLabel("", row=6, col=0)
    layout.layout.setRowStretchFactor(2, 1)
    layout.layout.setRowStretchFactor(6, 1)


def kpi_change(value: Any, previous: Any) -> tuple[str, bool] | None:
    """("▲ 12.5% from 1,200", True) for a value against the previous one; None without one."""
    if not isinstance(value, (int, float)) or not isinstance(previous, (int, float)):
        return None
    delta = float(value) - float(previous)
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
    amount = f"{abs(delta) / abs(float(previous)):.1%}" if previous else exact(abs(delta))
    return f"{arrow} {amount} from {exact(float(previous))}", delta >= 0


# ---------------------------------------------------------------------- nothing to draw
def draw_empty(figure: Figure) -> None:
    figure.layout.addLabel(
        _html("No rows to chart.", figure.style.muted, 10 * figure.style.scale), row=2, col=0
    )
