"""The dashboard view's menus: + Add (a note, a table from SQL, a saved chart) and each
tile's ⋯ menu (rename, edit a note, copy the SQL, size, remove).

A mixin of :class:`aiser_desktop.ui.dashboards.view.DashboardView`: the menus only ask
(window-modal prompts, never blocking) and call the view's methods, which save.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from aiser_desktop.core.dashboards.model import Tile
from aiser_desktop.ui.dashboards.dialogs import ask_line, ask_text

if TYPE_CHECKING:
    from aiser_desktop.core.dashboards.model import Dashboard, SavedChart
    from aiser_desktop.ui.dashboards.grid import DashboardGrid, TileFrame


class TileMenus:
    """+ Add and the tiles' menus of a dashboard view."""

    add_menu: QMenu
    charts: dict[int, SavedChart]
    dashboard: Dashboard
    grid: DashboardGrid

    def _widget(self) -> QWidget:
        return cast("QWidget", self)

    def add_tile(self, tile: Tile) -> None:
        raise NotImplementedError

    def rename_tile(self, index: int, title: str) -> None:
        raise NotImplementedError

    def set_text(self, index: int, text: str) -> None:
        raise NotImplementedError

    def remove_tile(self, index: int) -> None:
        raise NotImplementedError

    def _fill_add_menu(self) -> None:
        from aiser_desktop.core.dashboards.layout import default_size

        menu = self.add_menu
        menu.clear()
        menu.addAction("Text note…", self.ask_text_tile)
        menu.addAction("Table from SQL…", self.ask_table_tile)
        charts = menu.addMenu("Saved chart")
        charts.setEnabled(bool(self.charts))
        for chart in sorted(self.charts.values(), key=lambda c: c.name.lower()):
            w, h = default_size("chart")
            charts.addAction(chart.name, partial(self._add_chart_tile, chart, w, h))

    def _add_chart_tile(self, chart: SavedChart, w: int, h: int) -> None:
        self.add_tile(Tile(kind="chart", title=chart.name, chart_id=chart.id, w=w, h=h))

    def ask_text_tile(self) -> QInputDialog:
        from aiser_desktop.core.dashboards.layout import default_size

        def add(text: str) -> None:
            if text.strip():
                w, h = default_size("text")
                self.add_tile(Tile(kind="text", title="Note", text=text, w=w, h=h))

        return ask_text(self._widget(), "Add a note", "The note's text:", "", add)

    def ask_table_tile(self) -> QInputDialog:
        from aiser_desktop.core.dashboards.layout import default_size

        def add(sql: str) -> None:
            if sql.strip():
                w, h = default_size("table")
                self.add_tile(Tile(kind="table", title="Table", sql=sql, w=w, h=h))

        return ask_text(
            self._widget(), "Add a table", "The SELECT whose rows the tile shows:", "", add
        )

    def _tile_menu(self, frame: TileFrame, where: QPoint) -> None:
        menu = self.tile_menu(frame)
        menu.exec(where)
        menu.deleteLater()

    def tile_menu(self, frame: TileFrame) -> QMenu:
        """A tile's menu: Rename…, Edit text…, the size steps, Remove."""
        index = self.grid.frames.index(frame)
        tile = frame.tile
        menu = QMenu(self._widget())  # not the frame's: removing the tile deletes the frame
        menu.addAction(
            "Rename…",
            lambda: ask_line(
                self._widget(),
                "Rename tile",
                "Title:",
                tile.title,
                lambda t: self.rename_tile(index, t),
            ),
        )
        if tile.kind == "text":
            menu.addAction(
                "Edit text…",
                lambda: ask_text(
                    self._widget(),
                    "Edit note",
                    "Text:",
                    tile.text or "",
                    lambda t: self.set_text(index, t),
                ),
            )
        if tile.sql:
            menu.addAction("Copy SQL", lambda: _copy(tile.sql or ""))
        menu.addSeparator()
        menu.addMenu(self.grid.tile_menu(frame)).setText("Size")
        menu.addSeparator()
        menu.addAction("Remove tile", lambda: self.remove_tile(index))
        return menu


def _copy(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
