"""The window's side of dashboards: the Dashboards tab, the menu entries, the dashboard
windows, and "Add to dashboard" for the current result or an agent's answer.

``install(window)`` makes one :class:`DashboardsController`; the main window calls it once
and calls :meth:`DashboardsController.shutdown` when it closes. Every read and write of
state.sqlite runs on the window's task threads (``session.state_call``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from aiser_desktop.ui.dashboards.panel import DashboardsPanel

if TYPE_CHECKING:
    from aiser_desktop.core.dashboards.model import Dashboard, SavedChart
    from aiser_desktop.ui.dashboards.dialogs import AddToDashboardDialog
    from aiser_desktop.ui.dashboards.view import DashboardView
    from aiser_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def _menu(window: MainWindow, title: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
            return menu
    return None


class DashboardsController(QObject):
    """Opens, makes, renames and deletes dashboards, and adds tiles from the window.

    Attributes:
        views: The open dashboard windows, by dashboard id.
        dialog: The last "Add to dashboard" dialog (for tests).
    """

    def __init__(self, window: MainWindow, panel: DashboardsPanel) -> None:
        super().__init__(window)
        self.window = window
        self.panel = panel
        self.views: dict[int, DashboardView] = {}
        self.dialog: AddToDashboardDialog | None = None
        self.input: QInputDialog | None = None
        self.new_action = self._action("New &dashboard…", self.ask_new)
        self.show_action = self._action("&Dashboards", self.show_panel, "Ctrl+4")
        self.add_action = self._action("Add to &dashboard…", self.add_result, "Ctrl+Shift+D")
        self.add_action.setToolTip("Add the current result (or chart) to a dashboard")
        a = window.actions_
        # File: after Load sample data; View: after Saved queries; Query: at the end.
        for title, action, after in (
            ("File", self.new_action, a.sample),
            ("View", self.show_action, a.show_saved),
            ("Query", self.add_action, None),
        ):
            menu = _menu(window, title)
            if menu is None:
                continue
            actions = menu.actions()
            if after in actions and actions.index(after) + 1 < len(actions):
                menu.insertAction(actions[actions.index(after) + 1], action)
            else:
                menu.addSeparator()
                menu.addAction(action)
        panel.open_requested.connect(lambda d: self.open_dashboard(d.id))
        panel.new_requested.connect(self.ask_new)
        panel.rename_requested.connect(self.ask_rename)
        panel.delete_requested.connect(self.confirm_delete)
        window.workspace_opened.connect(lambda: panel.attach(window.session))

    def _action(self, text: str, slot: Any, key: str = "") -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        if key:
            action.setShortcut(QKeySequence(key))
        self.window.addAction(action)
        return action

    # ------------------------------------------------------------------ the list
    def show_panel(self) -> None:
        tabs = self.window.sources_panel.tabs
        tabs.setCurrentWidget(self.panel)
        self.panel.list.setFocus()

    def _state(self, task: str, fn: Any, done: Any, what: str) -> bool:
        return self.window.session.state_call(
            task, fn, on_done=done, on_error=lambda exc: self._note_error(what, exc)
        )

    def _note_error(self, what: str, exc: BaseException) -> None:
        self.window.messages.add_error(what, str(exc) or type(exc).__name__)
        self.window.results_panel.show_messages()

    def ask_new(self) -> QInputDialog:
        """Asks for a name, makes the dashboard and opens it."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("New dashboard")
        dialog.setLabelText("Name of the new dashboard:")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.create)
        self.input = dialog
        dialog.open()
        return dialog

    def create(self, name: str) -> None:
        def make(state: Any) -> Dashboard:
            from aiser_desktop.core.dashboards.store import DashboardStore

            return DashboardStore(state).create_dashboard(name)

        def done(dashboard: Dashboard) -> None:
            self.panel.reload()
            assert dashboard.id is not None
            self.open_dashboard(dashboard.id)

        self._state("make a dashboard", make, done, "The dashboard was not made.")

    def ask_rename(self, dashboard: Dashboard) -> QInputDialog:
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Rename dashboard")
        dialog.setLabelText(f"New name for “{dashboard.name}”:")
        dialog.setTextValue(dashboard.name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda name: self.rename(dashboard, name))
        self.input = dialog
        dialog.open()
        return dialog

    def rename(self, dashboard: Dashboard, name: str) -> None:
        assert dashboard.id is not None
        dashboard_id = dashboard.id

        def change(state: Any) -> Dashboard:
            from aiser_desktop.core.dashboards.store import DashboardStore

            return DashboardStore(state).rename_dashboard(dashboard_id, name)

        def done(renamed: Dashboard) -> None:
            self.panel.reload()
            view = self.views.get(dashboard_id)
            if view is not None:
                from dataclasses import replace

                view.dashboard = replace(view.dashboard, name=renamed.name)
                view.title.setText(renamed.name)
                view.setWindowTitle(f"{renamed.name} — Aiser dashboard")

        self._state("rename a dashboard", change, done, f"“{dashboard.name}” was not renamed.")

    def confirm_delete(self, dashboard: Dashboard) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete dashboard",
            f"Delete the dashboard “{dashboard.name}” and its {len(dashboard.tiles)} tiles?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setInformativeText("Saved charts and queries stay.")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda b: self.delete(dashboard) if b is delete else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def delete(self, dashboard: Dashboard) -> None:
        assert dashboard.id is not None
        dashboard_id = dashboard.id
        view = self.views.pop(dashboard_id, None)
        if view is not None:
            view.close()

        def remove(state: Any) -> bool:
            from aiser_desktop.core.dashboards.store import DashboardStore

            return DashboardStore(state).delete_dashboard(dashboard_id)

        self._state(
            "delete a dashboard",
            remove,
            lambda _gone: self.panel.reload(),
            f"“{dashboard.name}” was not deleted.",
        )

    # ------------------------------------------------------------------ views
    def open_dashboard(self, dashboard_id: int) -> None:
        """Opens the dashboard's window (or raises it) and refreshes its tiles."""
        view = self.views.get(dashboard_id)
        if view is not None:
            view.show()
            view.raise_()
            view.activateWindow()
            return

        def read(state: Any) -> tuple[Dashboard, dict[int, SavedChart]]:
            from aiser_desktop.core.dashboards.store import DashboardStore

            store = DashboardStore(state)
            return store.dashboard(dashboard_id), {c.id: c for c in store.charts()}

        self._state("open a dashboard", read, self._show_view, "The dashboard could not be opened.")

    def _show_view(self, loaded: tuple[Dashboard, dict[int, SavedChart]]) -> None:
        from aiser_desktop.ui.dashboards.view import DashboardView

        dashboard, charts = loaded
        ws = self.window.ws
        if ws is None or dashboard.id is None or dashboard.id in self.views:
            return
        view = DashboardView(ws, dashboard, charts, self.window)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.closed.connect(lambda i: self.views.pop(i, None))
        view.saved.connect(lambda _d: self.panel.reload())
        view.failed.connect(lambda text: self.window.messages.add(text, "error"))
        self.views[dashboard.id] = view
        view.show()
        view.refresh()

    def shutdown(self) -> None:
        """Closes every dashboard window (their queries are cancelled)."""
        for view in list(self.views.values()):
            view.close()
        self.views.clear()

    # ------------------------------------------------------------------ adding tiles
    def add_result(self) -> AddToDashboardDialog | None:
        """Query > Add to dashboard…: the current result (and its chart, if one is drawn)."""
        grid = self.window.grid
        handle = grid.base_handle if grid is not None else None
        sql = getattr(handle, "sql", "") or ""
        if handle is None or not sql.strip():
            self.window.messages.add("Run a query first: its result is what gets added.", "info")
            return None
        spec = current_chart_spec(self.window)
        return self.ask_add(sql, spec, handle.schema, title=_title(spec, sql))

    def add_answer(self, answer: Any) -> AddToDashboardDialog | None:
        """The agent's "Add to dashboard": its SQL, with its chart when it has one."""
        if not getattr(answer, "sql", None):
            self.window.messages.add("That answer has no query to add.", "info")
            return None
        return self.ask_add(answer.sql, answer.chart, None, title=answer.question)

    def ask_add(
        self, sql: str, spec: dict[str, Any] | None, schema: Any, *, title: str
    ) -> AddToDashboardDialog:
        """Asks which dashboard (or a new one) and how to show ``sql``'s result, then adds it."""
        from aiser_desktop.ui.dashboards.dialogs import AddToDashboardDialog

        kinds = tile_kinds(spec, schema)
        names = [d.name for d in self.panel.rows()]
        dialog = AddToDashboardDialog(names, kinds, title, self.window)
        dialog.chosen.connect(
            lambda name, kind, tile_title: self.add_tile(name, kind, tile_title, sql, spec, schema)
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_tile(
        self,
        name: str,
        kind: str,
        title: str,
        sql: str,
        spec: dict[str, Any] | None,
        schema: Any = None,
    ) -> None:
        """Adds a tile to dashboard ``name`` (made if it does not exist) on a task thread."""
        from aiser_desktop.core.dashboards.layout import default_size
        from aiser_desktop.core.dashboards.model import Tile

        w, h = default_size(kind)
        tile_spec = spec if kind == "chart" else kpi_spec(schema, spec) if kind == "kpi" else None
        tile = Tile(kind=kind, title=title, sql=sql, spec=tile_spec, w=w, h=h)

        def add(state: Any) -> tuple[Dashboard, dict[int, SavedChart]]:
            from dataclasses import replace

            from aiser_desktop.core.dashboards.filters import single_query
            from aiser_desktop.core.dashboards.model import DashboardError
            from aiser_desktop.core.dashboards.store import DashboardStore

            single_query(sql)
            store = DashboardStore(state)
            try:
                dashboard = store.dashboard(name)
            except DashboardError:
                dashboard = store.create_dashboard(name)
            assert dashboard.id is not None
            new = tile
            if kind == "chart" and spec:
                # A chart is kept as a saved chart, so other dashboards can show it too.
                chart = store.save_chart(store.free_chart_name(title or "Chart"), sql, spec)
                new = replace(tile, chart_id=chart.id, sql=None, spec=None)
            store.add_tile(dashboard.id, new)
            return store.dashboard(dashboard.id), {c.id: c for c in store.charts()}

        def done(outcome: tuple[Dashboard, dict[int, SavedChart]]) -> None:
            dashboard, charts = outcome
            self.panel.reload()
            self.window.messages.add(
                f"Added “{title or kind}” to the dashboard “{dashboard.name}”.", "success"
            )
            view = self.views.get(dashboard.id) if dashboard.id is not None else None
            if view is not None:
                view.charts = charts
                view.reload(dashboard)

        self._state("add a tile", add, done, "The tile was not added.")


def current_chart_spec(window: MainWindow) -> dict[str, Any] | None:
    """The spec of the chart in the window's Chart tab, if one is drawn there."""
    for holder in (getattr(window, "chart_canvas", None), window.results_panel.chart):
        spec = getattr(holder, "spec", None)
        if callable(spec):
            spec = spec()
        if spec is None:
            data = getattr(holder, "data", None)
            spec = getattr(data, "spec", None)
        if spec is not None and hasattr(spec, "to_dict"):
            return dict(spec.to_dict())
    return None


def tile_kinds(spec: dict[str, Any] | None, schema: Any) -> list[tuple[str, str]]:
    """What a result can be shown as, best first."""
    kinds: list[tuple[str, str]] = []
    if spec:
        kinds.append(("chart", f"Chart ({spec.get('kind', 'chart')})"))
    kinds.append(("table", "Table"))
    if schema is None or _first_number(schema) is not None:
        kinds.append(("kpi", "KPI number"))
    return kinds


def kpi_spec(schema: Any, spec: dict[str, Any] | None) -> dict[str, Any]:
    """A KPI of the result: its first numeric column summed; with a time column, the last
    period against the one before."""
    measure = _first_number(schema) if schema is not None else None
    if measure is None and spec and spec.get("y"):
        y = spec["y"]
        measure = y[0] if isinstance(y, list) else str(y)
    out: dict[str, Any] = {"kind": "kpi", "aggregation": "sum"}
    if measure:
        out["y"] = [measure]
    else:
        out["aggregation"] = "count"
    time_column = _first_time(schema) if schema is not None else None
    if time_column:
        out["x"] = time_column
    return out


def _first_number(schema: Any) -> str | None:
    import pyarrow.types as pat

    for f in schema:
        if pat.is_integer(f.type) or pat.is_floating(f.type) or pat.is_decimal(f.type):
            return str(f.name)
    return None


def _first_time(schema: Any) -> str | None:
    import pyarrow.types as pat

    for f in schema:
        if pat.is_timestamp(f.type) or pat.is_date(f.type):
            return str(f.name)
    return None


def _title(spec: dict[str, Any] | None, sql: str) -> str:
    if spec and spec.get("title"):
        return str(spec["title"])
    first = next((line.strip() for line in sql.splitlines() if line.strip()), "")
    return first.lstrip("-").strip()[:80] if first.startswith("--") else ""


def install(window: MainWindow, panel: DashboardsPanel) -> DashboardsController:
    """Wires dashboards into the window (menus, the Dashboards tab, the dialogs)."""
    return DashboardsController(window, panel)
