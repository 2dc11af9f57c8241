"""The chart canvas in the main window: the Chart tab, the Chart button and Query > Chart
result (Ctrl+Shift+G), the grid's "Chart this", and a click on the chart filtering the grid.

Called by :class:`aiser_desktop.ui.window_sources.SourcesMixin`'s small chart methods, so the
window's own modules stay free of pyqtgraph until the canvas is installed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.engine.derive import Filter
from aiser_desktop.ui.charts.canvas import ChartCanvas

if TYPE_CHECKING:
    from aiser_desktop.ui.main_window import MainWindow


def install(window: MainWindow) -> ChartCanvas:
    """Makes the canvas, puts it in the Chart tab and wires it to the window."""
    canvas = ChartCanvas(window.results_panel)
    window.results_panel.install_chart(canvas)
    window.chart_canvas = canvas
    window.results_panel.chart_button.clicked.connect(lambda: window.chart_result())
    canvas.filter_requested.connect(lambda picked: filter_grid(window, picked))
    canvas.note.connect(lambda text: window.messages.add(text, "success"))
    canvas.error.connect(lambda text, exc: window._note("error", text, exc))
    return canvas


def chart_result(window: MainWindow, column: str | None = None) -> bool:
    """Charts the query's result in the Chart tab (the recommended chart, or one of
    ``column``); False when there is no result or no workspace."""
    canvas, grid, ws = window.chart_canvas, window.grid, window.ws
    handle = grid.base_handle if grid is not None else None
    if canvas is None or handle is None or ws is None:
        return False
    canvas.set_engine(ws.engine)
    window.results_panel.show_chart()
    return canvas.chart_result(handle, column=column)


def filters_for(picked: dict[str, Any]) -> list[Filter]:
    """The grid filters of a chart click: ``column = value``; a histogram bar's range as
    ``>=`` low and ``<`` high; NULL as ``is null``."""
    out: list[Filter] = []
    for column, value in picked.items():
        if isinstance(value, tuple) and len(value) == 2:
            out += [Filter(column, ">=", value[0]), Filter(column, "<", value[1])]
        elif value is None:
            out.append(Filter(column, "is null"))
        else:
            out.append(Filter(column, "=", value))
    return out


def filter_grid(window: MainWindow, picked: dict[str, Any]) -> None:
    """Shows the clicked bar's (slice's, point's) rows in the grid, and says so."""
    grid = window.grid
    if grid is None or grid.base_handle is None:
        return
    names = grid.base_handle.column_names
    items = [f for f in filters_for(picked) if f.column in names]
    if not items:
        return
    grid.filter_to(items)
    window.results_panel.show_rows()
    shown = " and ".join(f"{f.column} {f.op} {_text(f.value)}".strip() for f in items)
    window.messages.add(f"Results filtered from the chart: {shown}.", "info")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


def update_action(window: MainWindow) -> None:
    """Chart is on when there is a result to chart."""
    grid = window.grid
    enabled = window.chart_canvas is not None and grid is not None and grid.base_handle is not None
    window.results_panel.chart_button.setEnabled(enabled)
    action = getattr(window.actions_, "chart", None)
    if action is not None:
        action.setEnabled(enabled)
