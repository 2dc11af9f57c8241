"""The dashboard view: a window with the dashboard's tiles on a grid, its filter bar, and
Refresh, auto-refresh, Add and Export.

Every query runs on the view's own task threads (two at a time), each tile on a DuckDB cursor
of its own, and one :class:`Cancel` stops them all (Cancel, a new refresh, closing the view).
Layout changes, new tiles and filters are saved to state.sqlite on a task thread as they
happen; the GUI thread only draws what comes back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.dashboards.model import Dashboard, DashboardFilter, SavedChart, Tile
from aiser_desktop.core.dashboards.refresh import Cancel, TileResult, run_tile
from aiser_desktop.ui import theme
from aiser_desktop.ui.dashboards.dialogs import FilterDialog
from aiser_desktop.ui.dashboards.grid import DashboardGrid, TileFrame
from aiser_desktop.ui.dashboards.menus import TileMenus
from aiser_desktop.ui.dashboards.tiles import body_for, message_body
from aiser_desktop.ui.widgets import flat_button
from aiser_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

INTERVALS = (0, 1, 5, 15, 30, 60)  # minutes; 0: on demand
WAIT_ON_CLOSE_MS = 3_000


class DashboardView(TileMenus, QWidget):
    """One dashboard, open in a window of its own.

    Args:
        ws: The open workspace (its engine runs the tiles; its state.sqlite keeps them).
        dashboard: The dashboard as stored.
        charts: The workspace's saved charts, by id (chart tiles may point at them).

    Signals:
        refreshed: Every tile of the last refresh came back (or the refresh was cancelled).
        saved(object): The dashboard was saved (the stored Dashboard).
        exported(object): An export was written (its Path).
        failed(str): Something could not be done; the words are for the person.
        closed(int): The view closed (the dashboard's id).
    """

    refreshed = Signal()
    saved = Signal(object)
    exported = Signal(object)
    failed = Signal(str)
    closed = Signal(int)

    def __init__(
        self,
        ws: Workspace,
        dashboard: Dashboard,
        charts: dict[int, SavedChart],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ws = ws
        self.dashboard = dashboard
        self.charts = charts
        self.results: dict[int, TileResult] = {}
        self.tasks = TaskRunner(self, max_threads=2)
        self._cancel = Cancel()
        self._generation = 0
        self._pending: set[int] = set()
        self._started = 0.0
        self._saving = False
        self._save_again = False
        self._closing = False
        self.setObjectName("dashboardView")
        self.setWindowTitle(f"{dashboard.name} — Aiser dashboard")
        self.resize(1200, 780)
        self._build()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._show_dashboard()
        # KPI colours and messages are set when drawn: draw them again in the new theme.
        # A bound method, not a lambda: Qt drops the connection when this view is deleted.
        theme.notifier().changed.connect(self._theme_changed)
        self._set_interval_box(dashboard.refresh_minutes)
        self._apply_interval(dashboard.refresh_minutes)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.title = QLabel(self.dashboard.name)
        self.title.setObjectName("dashboardTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.add_button = flat_button("+ Add", "Add a note, a table or a saved chart")
        self.add_menu = QMenu(self)
        self.add_button.setMenu(self.add_menu)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.export_button = flat_button("Export", "Export to a self-contained HTML file or a PDF")
        export_menu = QMenu(self)
        export_menu.addAction("HTML file…", lambda: self.ask_export(".html"))
        export_menu.addAction("PDF…", lambda: self.ask_export(".pdf"))
        self.export_button.setMenu(export_menu)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.interval = QComboBox()
        self.interval.setToolTip("Refresh every few minutes while the dashboard is open")
        for minutes in INTERVALS:
            self.interval.addItem(
                "Refresh on demand" if not minutes else f"Every {minutes} min", minutes
            )
        self.interval.activated.connect(
            lambda i: self.set_refresh_minutes(int(self.interval.itemData(i)))
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the tiles' queries (Esc)")
        self.cancel_button.clicked.connect(self.cancel_refresh)
        self.refresh_button = QPushButton("⟳  Refresh")
        self.refresh_button.setObjectName("primary")
        self.refresh_button.setToolTip("Run every tile's query again (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.setContentsMargins(16, 12, 16, 4)
        top.setSpacing(8)
        top.addWidget(self.title)
        top.addStretch(1)
        for widget in (self.add_button, self.export_button, self.interval):
            top.addWidget(widget)
        top.addSpacing(8)
        top.addWidget(self.cancel_button)
        top.addWidget(self.refresh_button)

        self.filter_row = QHBoxLayout()
        self.filter_row.setContentsMargins(16, 0, 16, 4)
        self.filter_row.setSpacing(6)
        self.filter_label = QLabel("Filters")
        self.filter_label.setObjectName("muted")
        self.add_filter_button = flat_button("+ Filter", "Filter every tile that has the column")
        self.add_filter_button.clicked.connect(self.ask_filter)
        self._chips: list[QWidget] = []

        self.grid = DashboardGrid()
        self.grid.layout_changed.connect(self._layout_changed)
        self.grid.menu_requested.connect(self._tile_menu)
        self.scroll_area = QScrollArea()  # not "scroll": that is QWidget.scroll(dx, dy)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.grid)
        self.status = QLabel("")
        self.status.setObjectName("muted")
        self.status.setContentsMargins(16, 2, 16, 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addLayout(self.filter_row)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.status)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence("Esc"), self, self.cancel_refresh)
        self._update_buttons()

    def _show_dashboard(self) -> None:
        self.title.setText(self.dashboard.name)
        self.setWindowTitle(f"{self.dashboard.name} — Aiser dashboard")
        frames = self.grid.set_tiles(self.dashboard.tiles)
        for frame in frames:
            result = self.results.get(frame.tile.id) if frame.tile.id is not None else None
            self._show_result(frame, result)
        self._show_filters()
        if not self.dashboard.tiles:
            self.status.setText(
                "This dashboard is empty. Add tiles with + Add, or from the main window: "
                "run a query, then Query > Add to dashboard."
            )

    def reload(self, dashboard: Dashboard) -> None:
        """Shows ``dashboard`` as stored now (a tile was added from the window), and
        refreshes it."""
        self.dashboard = dashboard
        self._show_dashboard()
        self.refresh()

    def _theme_changed(self, _name: str) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self._closing:
            return
        for frame in self.grid.frames:
            tile_id = frame.tile.id
            self._show_result(frame, self.results.get(tile_id) if tile_id is not None else None)

    def _show_result(self, frame: TileFrame, result: TileResult | None) -> None:
        tile = frame.tile
        if tile.kind == "text":
            from aiser_desktop.ui.dashboards.tiles import text_body

            frame.set_body(text_body(tile.text or ""))
        elif result is None:
            frame.set_body(message_body("Refreshing…" if tile.id in self._pending else ""))
        else:
            frame.set_body(body_for(result))
        filtered = bool(result and result.filters)
        frame.note.setText("filtered" if filtered else "")
        frame.note.setToolTip("; ".join(result.filters) if result and filtered else "")

    def _show_filters(self) -> None:
        """The filter bar: "Filters", a chip per filter (click removes it), "+ Filter"."""
        while self.filter_row.count():
            self.filter_row.takeAt(0)
        for chip in self._chips:
            chip.deleteLater()
        self._chips = []
        self.filter_row.addWidget(self.filter_label)
        for i, flt in enumerate(self.dashboard.filters):
            chip = QToolButton()
            chip.setObjectName("filterChip")
            chip.setText(f"{flt.label()}  ✕")
            chip.setToolTip("Remove this filter")
            chip.clicked.connect(lambda _c=False, i=i: self.remove_filter(i))
            self.filter_row.addWidget(chip)
            self._chips.append(chip)
        self.filter_row.addWidget(self.add_filter_button)
        self.filter_row.addStretch(1)

    def _update_buttons(self) -> None:
        busy = bool(self._pending)
        self.cancel_button.setEnabled(busy)
        self.refresh_button.setEnabled(not self._closing)

    # ------------------------------------------------------------------ refresh
    def refresh(self) -> None:
        """Runs every tile again (the previous refresh, if any, is cancelled)."""
        if self._closing:
            return
        self._cancel.cancel()
        self._cancel = Cancel()
        self._generation += 1
        generation, cancel = self._generation, self._cancel
        self._pending = {
            t.id for t in self.dashboard.tiles if t.id is not None and t.kind != "text"
        }
        self._started = time.perf_counter()
        if not self._pending:
            self._update_buttons()
            self.refreshed.emit()
            return
        self.status.setText(f"Refreshing {len(self._pending)} tiles…")
        for frame in self.grid.frames:
            tile = frame.tile
            if tile.id not in self._pending:
                continue
            if tile.id not in self.results:
                frame.set_body(message_body("Refreshing…"))
            self.tasks.start(
                f"refresh the tile {tile.title!r}",
                run_tile,
                self.ws.engine,
                self.dashboard,
                tile,
                dict(self.charts),
                cancel,
                on_done=partial(self._tile_done, generation),
                on_error=partial(self._tile_failed, generation, tile),
            )
        self._update_buttons()

    def _tile_done(self, generation: int, result: TileResult) -> None:
        if generation != self._generation or self._closing:
            return
        tile_id = result.tile.id
        assert tile_id is not None
        self.results[tile_id] = result
        frame = self.grid.frame_for(tile_id)
        if frame is not None:
            self._show_result(frame, result)
        self._tile_finished(tile_id)

    def _tile_failed(self, generation: int, tile: Tile, exc: BaseException) -> None:
        if generation != self._generation or self._closing:
            return
        from aiser_desktop.core.errors import QueryCancelledError

        frame = self.grid.frame_for(tile.id)
        if frame is not None and not isinstance(exc, QueryCancelledError):
            frame.set_body(message_body(str(exc) or type(exc).__name__, error=True))
        assert tile.id is not None
        self._tile_finished(tile.id)

    def _tile_finished(self, tile_id: int) -> None:
        self._pending.discard(tile_id)
        if self._pending:
            done = sum(1 for t in self.dashboard.tiles if t.kind != "text") - len(self._pending)
            self.status.setText(f"Refreshing… {done} tiles done, {len(self._pending)} to go")
            return
        seconds = time.perf_counter() - self._started
        failed = sum(1 for r in self.results.values() if r.error is not None)
        problems = f" · {failed} could not be drawn" if failed else ""
        self.status.setText(
            f"Refreshed at {time.strftime('%H:%M')} · "
            f"{len(self.dashboard.tiles)} tiles in {seconds:.2f} s{problems}"
        )
        self._update_buttons()
        self.refreshed.emit()

    def cancel_refresh(self) -> None:
        """Stops every tile's query; tiles keep what they showed before."""
        if not self._pending:
            return
        self._cancel.cancel()
        self._generation += 1
        self._pending = set()
        self.status.setText("Refresh cancelled.")
        for frame in self.grid.frames:
            result = self.results.get(frame.tile.id) if frame.tile.id is not None else None
            if result is None and frame.tile.kind != "text":
                frame.set_body(message_body("Cancelled. Refresh (F5) to run it again."))
        self._update_buttons()
        self.refreshed.emit()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def set_refresh_minutes(self, minutes: int) -> None:
        """Refresh every ``minutes`` while the view is open (0: only on demand); saved."""
        self.dashboard = replace(self.dashboard, refresh_minutes=max(0, minutes))
        self._set_interval_box(minutes)
        self._apply_interval(minutes)
        self.save()

    def _set_interval_box(self, minutes: int) -> None:
        index = self.interval.findData(minutes)
        if index < 0:
            self.interval.addItem(f"Every {minutes} min", minutes)
            index = self.interval.count() - 1
        self.interval.setCurrentIndex(index)

    def _apply_interval(self, minutes: int) -> None:
        if minutes > 0:
            self._timer.start(minutes * 60_000)
        else:
            self._timer.stop()

    # ------------------------------------------------------------------ changes
    def _layout_changed(self, tiles: list[Tile]) -> None:
        self.dashboard = replace(self.dashboard, tiles=tuple(tiles))
        self.save()

    def save(self) -> None:
        """Saves the dashboard on a task thread (one save at a time; the last one wins)."""
        if self._saving:
            self._save_again = True
            return
        self._saving = True
        from aiser_desktop.core.dashboards.store import DashboardStore

        dashboard = self.dashboard
        self.tasks.start(
            "save the dashboard",
            lambda: DashboardStore(self.ws.state).save(dashboard),
            on_done=self._saved,
            on_error=self._save_failed,
        )

    def _saved(self, stored: Dashboard) -> None:
        self._saving = False
        if self._save_again:
            self._save_again = False
            # Tiles added meanwhile got ids in this save: keep them, with the newer layout.
            self.dashboard = _with_ids(self.dashboard, stored)
            self.save()
            return
        new_ids = [t.id for t in stored.tiles] != [t.id for t in self.dashboard.tiles]
        self.dashboard = stored
        if new_ids or len(self.grid.frames) != len(stored.tiles):
            self._show_dashboard()
        else:
            for frame, tile in zip(self.grid.frames, stored.tiles, strict=False):
                frame.set_tile(tile)
            self.grid.tiles = list(stored.tiles)
        self.saved.emit(stored)

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self._save_again = False
        self.failed.emit(f"The dashboard was not saved: {exc}")
        self.status.setText(f"Not saved: {exc}")

    def add_tile(self, tile: Tile) -> None:
        """Adds a tile in the first free place, saves, and runs it."""
        from aiser_desktop.core.dashboards import layout

        x, y = layout.next_free(list(self.dashboard.tiles), tile.w, tile.h)
        self.dashboard = replace(self.dashboard, tiles=(*self.dashboard.tiles, tile.moved(x, y)))
        self._show_dashboard()
        self.saved.connect(self._refresh_after_add, Qt.ConnectionType.SingleShotConnection)
        self.save()

    def _refresh_after_add(self, _stored: Dashboard) -> None:
        self.refresh()

    def remove_tile(self, index: int) -> None:
        tiles = list(self.dashboard.tiles)
        gone = tiles.pop(index)
        if gone.id is not None:
            self.results.pop(gone.id, None)
        self.dashboard = replace(self.dashboard, tiles=tuple(tiles))
        self._show_dashboard()
        self.save()

    def rename_tile(self, index: int, title: str) -> None:
        tiles = list(self.dashboard.tiles)
        tiles[index] = replace(tiles[index], title=" ".join(title.split())[:200])
        self.dashboard = replace(self.dashboard, tiles=tuple(tiles))
        self.grid.frames[index].set_tile(tiles[index])
        self.grid.tiles = tiles
        self.save()

    def set_text(self, index: int, text: str) -> None:
        tiles = list(self.dashboard.tiles)
        tiles[index] = replace(tiles[index], text=text)
        self.dashboard = replace(self.dashboard, tiles=tuple(tiles))
        self.grid.frames[index].set_tile(tiles[index])
        self.grid.tiles = tiles
        self._show_result(self.grid.frames[index], None)
        self.save()

    def set_filters(self, filters: list[DashboardFilter]) -> None:
        """Uses these dashboard filters: shown, saved, and every tile refreshed."""
        self.dashboard = replace(self.dashboard, filters=tuple(filters))
        self._show_filters()
        self.save()
        self.refresh()

    def add_filter(self, flt: DashboardFilter) -> None:
        kept = [f for f in self.dashboard.filters if f.column.lower() != flt.column.lower()]
        self.set_filters([*kept, flt])

    def remove_filter(self, index: int) -> None:
        filters = list(self.dashboard.filters)
        if 0 <= index < len(filters):
            filters.pop(index)
            self.set_filters(filters)

    def filter_columns(self) -> list[str]:
        """The columns the tiles' queries return (what a filter can use), most common first."""
        counts: dict[str, int] = {}
        for result in self.results.values():
            for column in result.columns:
                counts[column] = counts.get(column, 0) + 1
        return sorted(counts, key=lambda c: (-counts[c], c.lower()))

    # ------------------------------------------------------------------ dialogs and menus
    def ask_filter(self) -> Any:

        dialog = FilterDialog(self.filter_columns(), self)
        dialog.chosen.connect(self.add_filter)
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ export
    def ask_export(self, suffix: str) -> QFileDialog:
        kind = "PDF files (*.pdf)" if suffix == ".pdf" else "HTML files (*.html *.htm)"
        dialog = QFileDialog(self, "Export dashboard", f"{self.dashboard.name}{suffix}", kind)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export(Path(path)))
        dialog.open()
        return dialog

    def export(self, path: Path) -> None:
        """Writes the dashboard as shown now to ``path`` (.html or .pdf). The charts are
        drawn here (Qt draws on its own thread); the file is written on a task thread."""
        from aiser_desktop.ui.dashboards.export import draw_charts, write_export

        if self.busy:  # the file would show some tiles old and some not at all
            self.status.setText("The tiles are refreshing: export when they are done.")
            self.failed.emit("Export waits for the refresh to finish (or Cancel it).")
            return
        pdf = path.suffix.lower() == ".pdf"
        dashboard, results = self.dashboard, dict(self.results)
        drawn = draw_charts(dashboard, results, svg=not pdf, images=pdf)
        self.status.setText(f"Exporting to {path.name}…")

        def done(written: Path) -> None:
            self.status.setText(f"Exported to {written}")
            self.exported.emit(written)

        def failed(exc: BaseException) -> None:
            self.status.setText(f"Not exported: {exc}")
            self.failed.emit(f"The dashboard was not exported: {exc}")

        self.tasks.start(
            "export the dashboard",
            write_export,
            dashboard,
            results,
            path,
            drawn,
            on_done=done,
            on_error=failed,
        )

    # ------------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Cancels the queries and waits (briefly) for the task threads."""
        self._closing = True
        self._timer.stop()
        self._cancel.cancel()
        self.tasks.wait(WAIT_ON_CLOSE_MS)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing:
            self.shutdown()
            if self.dashboard.id is not None:
                self.closed.emit(self.dashboard.id)
        event.accept()


def _with_ids(newer: Dashboard, stored: Dashboard) -> Dashboard:
    """``newer``'s layout, with the ids ``stored`` gave to tiles that had none."""
    fresh = [t for t in stored.tiles if t.id not in {n.id for n in newer.tiles}]
    tiles = []
    for tile in newer.tiles:
        if tile.id is None and fresh:
            tile = replace(tile, id=fresh.pop(0).id)
        tiles.append(tile)
    return replace(newer, tiles=tuple(tiles), id=stored.id)
