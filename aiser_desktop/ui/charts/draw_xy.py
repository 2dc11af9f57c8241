"""Line, area, bar and scatter charts: measures against x, split by a series column, and
measures against a second y axis (``spec.y2``).

The table is the contract's long format (core/charts/data.py): columns ``spec.x``, each
measure, ``spec.series`` when set (one row per x per series), ``spec.size`` for scatter. Series
are split with Arrow compute (one filter per series, never a loop over rows); bars are laid
out as a series-by-category matrix filled with numpy.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyqtgraph as pg

from aiser_desktop.ui.charts.axes import (
    CategoryAxis,
    NumberAxis,
    as_labels,
    as_numbers,
    axis_for,
    column_kind,
)
from aiser_desktop.ui.charts.figure import Figure, Series

MAX_SERIES = 12
SYMBOLS_UNDER = 60  # points per series: below this a line shows its points too


# ---------------------------------------------------------------------- splitting
def split(figure: Figure) -> list[tuple[str, pa.Table]]:
    """(label, rows) per series value, in order of first appearance; one group when the
    spec has no series column."""
    spec, table = figure.spec, figure.table
    if not spec.series or spec.series not in table.column_names:
        return [("", table)]
    column = table[spec.series]
    values = pc.unique(column)[:MAX_SERIES]
    labels = as_labels(values)
    groups = []
    for value, label in zip(values, labels, strict=True):
        mask = pc.is_null(column) if not value.is_valid else pc.equal(column, value)
        groups.append((label, table.filter(pc.fill_null(mask, False))))
    return groups


def series_name(group: str, measure: str, measures: int) -> str:
    if not group:
        return measure
    return group if measures == 1 else f"{group} · {measure}"


def measures(figure: Figure) -> list[str]:
    return [m for m in figure.spec.y if m in figure.table.column_names]


def x_positions(figure: Figure) -> tuple[str, list[str] | None, pa.Array | None]:
    """The x column's kind, its category labels and unique values (categories only)."""
    column = figure.table[figure.spec.x]
    kind = column_kind(column)
    if kind != "category":
        return kind, None, None
    uniques = pc.unique(column)
    return kind, as_labels(uniques), uniques


def xs_of(rows: pa.Table, figure: Figure, uniques: pa.Array | None) -> np.ndarray:
    column = rows[figure.spec.x]
    if uniques is None:
        return as_numbers(column)
    return as_numbers(pc.index_in(column, value_set=uniques))


# ---------------------------------------------------------------------- line and area
def draw_line(figure: Figure) -> None:
    _draw_lines(figure, area=False)


def draw_area(figure: Figure) -> None:
    _draw_lines(figure, area=True)


def _draw_lines(figure: Figure, *, area: bool) -> None:
    spec = figure.spec
    kind, labels, uniques = x_positions(figure)
    figure.x_kind, figure.x_labels = kind, labels
    plot = figure.add_plot(
        axis_for(kind, "bottom", labels), NumberAxis("left"), right=_right(figure)
    )
    if kind != "time":  # dates say what they are (and a date axis's two rows leave no room)
        figure.label_axis("bottom", spec.x or "")
    ys = measures(figure)
    if len(ys) == 1 and not spec.series:
        figure.label_axis("left", ys[0])
    groups = split(figure)
    count = len(groups) * len(ys)
    if count > 1 or spec.y2:
        figure.add_legend(columns=min(6, count + len(spec.y2)))
    stack = area and spec.stacked and count > 1
    if stack:
        _stacked_areas(figure, groups, ys, uniques)
    else:
        index = 0
        for label, rows in groups:
            x_all = xs_of(rows, figure, uniques)
            for measure in ys:
                name = series_name(label, measure, len(ys))
                y = as_numbers(rows[measure])
                if len(ys) + len(spec.y2) > 1:  # M4 rows of other measures hold NULL here
                    keep = np.isfinite(y)
                    x, y = x_all[keep], y[keep]
                else:
                    x = x_all
                colour = figure.colour(index, name)
                item = pg.PlotDataItem(x, y, pen=figure.pen(colour), connect="finite", name=name)
                if area:
                    item.setFillLevel(0.0)
                    item.setBrush(figure.style.qcolour(colour, 48))
                if len(x) <= SYMBOLS_UNDER:
                    item.setSymbol("o")
                    item.setSymbolSize(6 * figure.style.scale)
                    item.setSymbolBrush(colour)
                    item.setSymbolPen(pg.mkPen(figure.style.background, width=1))
                plot.addItem(item)
                figure.add_series(Series(name, colour, [item], x, y))
                index += 1
    _second_axis(figure, groups, uniques)
    plot.getViewBox().setDefaultPadding(0.02)
    _pick_nearest_point(figure, uniques)  # a click near a drawn point, not anywhere


def _stacked_areas(
    figure: Figure, groups: list[tuple[str, pa.Table]], ys: list[str], uniques: pa.Array | None
) -> None:
    """Areas stacked on one another: every series on the union of x values (missing as 0)."""
    assert figure.plot is not None
    parts = [(label, rows, m) for label, rows in groups for m in ys]
    xs_each = [xs_of(rows, figure, uniques) for _label, rows, _m in parts]
    xs = np.unique(np.concatenate(xs_each)) if xs_each else np.zeros(0)
    xs = xs[np.isfinite(xs)]
    lower = np.zeros(len(xs))
    previous: pg.PlotDataItem | None = None
    for index, ((label, rows, measure), x) in enumerate(zip(parts, xs_each, strict=True)):
        name = series_name(label, measure, len(ys))
        colour = figure.colour(index, name)
        y = np.nan_to_num(as_numbers(rows[measure]))
        keep = np.isfinite(x)
        upper = lower.copy()
        np.add.at(upper, np.searchsorted(xs, x[keep]), y[keep])
        base = previous or pg.PlotDataItem(xs, lower, pen=pg.mkPen(0, 0, 0, 0))
        if previous is None:
            figure.plot.addItem(base)
        top = pg.PlotDataItem(xs, upper, pen=figure.pen(colour, 1.5), name=name)
        fill = pg.FillBetweenItem(base, top, brush=figure.style.qcolour(colour, 110))
        figure.plot.addItem(fill)
        figure.plot.addItem(top)
        figure.add_series(Series(name, colour, [top, fill], xs, upper))
        lower, previous = upper, top
    if len(xs):  # the fills' bounds would pull the view out to 0
        figure.plot.getViewBox().setRange(
            xRange=(float(xs[0]), float(xs[-1])), yRange=(0.0, float(lower.max()) * 1.05 or 1.0)
        )


def _right(figure: Figure) -> NumberAxis | None:
    return NumberAxis("right") if figure.spec.y2 else None


def _second_axis(
    figure: Figure, groups: list[tuple[str, pa.Table]], uniques: pa.Array | None
) -> None:
    """``spec.y2``: lines against a right-hand axis, in their own view box tied to x."""
    spec, plot = figure.spec, figure.plot
    names = [m for m in spec.y2 if m in figure.table.column_names]
    if not names or plot is None:
        return
    plot.showAxis("right")
    right = plot.getAxis("right")
    figure.style_axis(right)
    right.setGrid(False)  # one set of grid lines: the left axis's
    box = pg.ViewBox()
    plot.scene().addItem(box)
    right.linkToView(box)
    box.setXLink(plot)
    figure.second = box
    if len(names) == 1:
        figure.label_axis("right", names[0])
    if figure.legend is None:
        legend = figure.add_legend(columns=min(6, len(figure.series) + len(names)))
        for series in figure.series:  # the left axis's series, drawn before the legend
            legend.addItem(series.items[0], series.name)

    def follow() -> None:
        box.setGeometry(plot.getViewBox().sceneBoundingRect())
        box.linkedViewChanged(plot.getViewBox(), box.XAxis)

    plot.getViewBox().sigResized.connect(follow)
    follow()
    index = len(figure.series)
    for label, rows in groups:
        x = xs_of(rows, figure, uniques)
        for measure in names:
            name = series_name(label, measure, 1) if label else measure
            colour = figure.colour(index, name)
            y = as_numbers(rows[measure])
            keep = np.isfinite(y)  # M4 rows of the other measures hold NULL here
            item = pg.PlotDataItem(x[keep], y[keep], pen=figure.pen(colour, 2, True))
            box.addItem(item)
            figure.add_series(Series(name, colour, [item], x, y, True), f"{name} (right)")
            index += 1


# ---------------------------------------------------------------------- bars
def draw_bar(figure: Figure) -> None:
    spec, table = figure.spec, figure.table
    column = table[spec.x]
    uniques = pc.unique(column)
    labels = as_labels(uniques)
    groups = split(figure)
    ys = measures(figure)
    parts = [(label, rows, m) for label, rows in groups for m in ys]
    matrix = np.full((len(parts), len(labels)), np.nan)
    for row, (_label, rows, measure) in enumerate(parts):
        where = as_numbers(pc.index_in(rows[spec.x], value_set=uniques))
        keep = np.isfinite(where)
        matrix[row, where[keep].astype(np.int64)] = as_numbers(rows[measure])[keep]
    horizontal = spec.horizontal
    category_axis = CategoryAxis("left" if horizontal else "bottom", labels)
    value_axis = NumberAxis("bottom" if horizontal else "left")
    if horizontal:
        plot = figure.add_plot(value_axis, category_axis)
        plot.showGrid(x=True, y=False, alpha=0.35 if figure.style.dark else 0.5)
        plot.invertY(True)  # the first category on top, as in the table
        figure.y_kind, figure.y_labels = "category", labels
        figure.x_kind = "number"
    else:
        plot = figure.add_plot(category_axis, value_axis, right=_right(figure))
        figure.x_kind, figure.x_labels = "category", labels
    figure.label_axis("left" if horizontal else "bottom", spec.x or "")
    if len(ys) == 1 and not spec.series:
        figure.label_axis("bottom" if horizontal else "left", ys[0])
    if len(parts) > 1 or spec.y2:
        figure.add_legend(columns=min(6, len(parts) + len(spec.y2)))
    positions = np.arange(len(labels), dtype=np.float64)
    stacked = spec.stacked and len(parts) > 1
    width = 0.72 if stacked or len(parts) == 1 else 0.8 / len(parts)
    up = np.zeros(len(labels))
    down = np.zeros(len(labels))
    for row, (label, _rows, measure) in enumerate(parts):
        name = series_name(label, measure, len(ys))
        colour = figure.colour(row, name)
        values = np.nan_to_num(matrix[row])
        if stacked:
            base = np.where(values >= 0, up, down)
            centre = positions
            up, down = up + np.clip(values, 0, None), down + np.clip(values, None, 0)
        else:
            base = np.zeros(len(labels))
            centre = positions + (row - (len(parts) - 1) / 2) * width
        brush = figure.style.qcolour(colour, 235)
        if horizontal:
            bars = pg.BarGraphItem(
                x0=base, width=values, y=centre, height=width * 0.92, brush=brush, pen=None
            )
        else:
            bars = pg.BarGraphItem(
                x=centre, width=width * 0.92, y0=base, height=values, brush=brush, pen=None
            )
        plot.addItem(bars)
        figure.add_series(Series(name, colour, [bars], positions, matrix[row]))
    if not horizontal:
        _second_axis(figure, groups, uniques)
    box = plot.getViewBox()
    box.setDefaultPadding(0.0)
    lo = (
        float(np.nanmin(np.append(down, 0.0)))
        if stacked
        else float(np.nanmin(np.append(matrix, 0.0)))
    )
    hi = (
        float(np.nanmax(np.append(up, 0.0)))
        if stacked
        else float(np.nanmax(np.append(matrix, 0.0)))
    )
    span = (hi - lo) or 1.0
    # Room under 0 so its label is drawn (a label past the plot's edge is dropped).
    value_range = (lo - 0.045 * span, hi + 0.06 * span)
    category_range = (-0.6, len(labels) - 0.4)
    if horizontal:
        box.setRange(xRange=value_range, yRange=category_range, padding=0)
    else:
        box.setRange(xRange=category_range, yRange=value_range, padding=0)
    _pick_bar(figure, uniques, parts, width, stacked, matrix)


def _pick_bar(
    figure: Figure,
    uniques: pa.Array,
    parts: list[tuple[str, pa.Table, str]],
    width: float,
    stacked: bool,
    matrix: np.ndarray,
) -> None:
    spec, table = figure.spec, figure.table
    has_series = bool(spec.series and spec.series in table.column_names)
    series_values = pc.unique(table[spec.series])[: len(parts)] if has_series else None
    per_series = max(1, len(measures(figure)))

    def pick(x: float, y: float) -> dict[str, Any] | None:
        along, across = (y, x) if spec.horizontal else (x, y)
        category = round(along)
        if not 0 <= category < len(uniques) or abs(along - category) > 0.45:
            return None
        # check_columns refused a bar chart without x; series_values only with a series
        picked: dict[str, Any] = {cast(str, spec.x): uniques[category].as_py()}
        if series_values is None or spec.series is None:
            return picked
        if stacked:
            column = np.nan_to_num(matrix[:, category])
            tops = np.cumsum(np.clip(column, 0, None))
            row = int(np.searchsorted(tops, across)) if across >= 0 else 0
        else:
            row = int((along - category + 0.4) // width)
        row = min(max(row, 0), len(parts) - 1)
        picked[spec.series] = series_values[row // per_series].as_py()
        return picked

    figure.picker = pick


# ---------------------------------------------------------------------- scatter
def draw_scatter(figure: Figure) -> None:
    spec, table = figure.spec, figure.table
    kind, labels, uniques = x_positions(figure)
    figure.x_kind, figure.x_labels = kind, labels
    plot = figure.add_plot(axis_for(kind, "bottom", labels), NumberAxis("left"))
    plot.showGrid(x=True, y=True, alpha=0.35 if figure.style.dark else 0.5)
    ys = measures(figure)
    figure.label_axis("bottom", spec.x or "")
    if len(ys) == 1:
        figure.label_axis("left", ys[0])
    groups = split(figure)
    if len(groups) * len(ys) > 1:
        figure.add_legend(columns=min(6, len(groups) * len(ys)))
    size_range = None
    if spec.size and spec.size in table.column_names:
        sizes = as_numbers(table[spec.size])
        finite = sizes[np.isfinite(sizes)]
        if len(finite):
            size_range = (float(finite.min()), float(finite.max()))
    index = 0
    for label, rows in groups:
        x = xs_of(rows, figure, uniques)
        size: Any = 8.0 * figure.style.scale
        if size_range is not None:
            size = _sizes(as_numbers(rows[spec.size]), size_range) * figure.style.scale
        for measure in ys:
            name = series_name(label, measure, len(ys))
            colour = figure.colour(index, name)
            y = as_numbers(rows[measure])
            item = pg.ScatterPlotItem(
                x=x,
                y=y,
                size=size,
                brush=figure.style.qcolour(colour, 170),
                pen=pg.mkPen(figure.style.qcolour(colour, 255), width=1),
                name=name,
            )
            plot.addItem(item)
            order = np.argsort(x, kind="stable")
            figure.add_series(Series(name, colour, [item], x[order], y[order]))
            index += 1
    _pick_nearest_point(figure, uniques)


def _sizes(values: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """Point diameters from 5 to 28 px, by area (the square root of the value's share)."""
    lo, hi = value_range
    share = (values - lo) / (hi - lo) if hi > lo else np.full(len(values), 0.5)
    return 5.0 + 23.0 * np.sqrt(np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0))


def _pick_nearest_point(figure: Figure, uniques: pa.Array | None) -> None:
    """A click picks the point nearest it (in screen terms: both axes scaled to the view)."""
    spec, table = figure.spec, figure.table
    all_x = xs_of(table, figure, uniques)
    ys = measures(figure)
    all_y = as_numbers(table[ys[0]]) if ys else np.zeros(len(all_x))

    def pick(x: float, y: float) -> dict[str, Any] | None:
        plot = figure.plot
        if plot is None or not len(all_x):
            return None
        (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
        dx = (all_x - x) / ((x1 - x0) or 1.0)
        dy = (all_y - y) / ((y1 - y0) or 1.0)
        distance = np.nan_to_num(np.hypot(dx, dy), nan=np.inf)
        index = int(np.argmin(distance))
        if distance[index] > 0.04:  # 4% of the plot away: nothing there
            return None
        x_name = cast(str, spec.x)  # check_columns refused a chart without x
        picked = {x_name: table[x_name][index].as_py()}
        if spec.series and spec.series in table.column_names:
            picked[spec.series] = table[spec.series][index].as_py()
        return picked

    figure.picker = pick
