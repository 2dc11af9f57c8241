"""The Dashboards tab of the left panel: the workspace's dashboards, to open, make, rename
and delete.

The list is read from state.sqlite on a task thread (through the window's
:class:`WorkspaceSession`); this module imports nothing heavy, so the window still shows at
once. Double-click (or Enter) opens a dashboard in its own window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.ui.history_panel import (
    DETAIL_ROLE,
    ROW_ROLE,
    STATE_ROLE,
    TITLE_ROLE,
    TwoLineDelegate,
    when_text,
)
from aiser_desktop.ui.reloading import Reloading
from aiser_desktop.ui.widgets import flat_button, search_box

if TYPE_CHECKING:
    from aiser_desktop.core.dashboards.model import Dashboard
    from aiser_desktop.ui.session import WorkspaceSession

EMPTY = (
    "No dashboards yet.\n\nA dashboard is a grid of charts, numbers, tables and notes that "
    "refresh together. Make one with + New, or run a query and choose Query > Add to "
    "dashboard."
)


def detail(dashboard: Dashboard) -> str:
    """ "6 tiles · filtered · every 5 min · 14:02" """
    count = len(dashboard.tiles)
    parts = [f"{count} tile{'s' if count != 1 else ''}"]
    if any(f.active for f in dashboard.filters):
        parts.append("filtered")
    if dashboard.refresh_minutes:
        parts.append(f"every {dashboard.refresh_minutes} min")
    if dashboard.updated_at is not None:
        parts.append(when_text(dashboard.updated_at))
    return " · ".join(parts)


class _List(QListWidget):
    activated_row = Signal(object)
    rename_key = Signal(object)
    delete_key = Signal(object)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        row = item.data(ROW_ROLE) if item is not None else None
        signal = {
            Qt.Key.Key_Return: self.activated_row,
            Qt.Key.Key_Enter: self.activated_row,
            Qt.Key.Key_F2: self.rename_key,
            Qt.Key.Key_Delete: self.delete_key,
        }.get(Qt.Key(event.key()))
        if row is not None and signal is not None:
            signal.emit(row)
            return
        super().keyPressEvent(event)


class DashboardsPanel(Reloading, QWidget):
    """The dashboards of the workspace.

    Signals:
        open_requested(Dashboard): Open it.
        new_requested: Make a new dashboard.
        rename_requested(Dashboard) / delete_requested(Dashboard): asked from the buttons,
            the menu, F2 or Del.
    """

    open_requested = Signal(object)
    new_requested = Signal()
    rename_requested = Signal(object)
    delete_requested = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.list = _List()
        self.list.setItemDelegate(TwoLineDelegate(False, self.list))
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.empty = QLabel(EMPTY)
        self.empty.setObjectName("placeholder")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.list)
        self.search = search_box("Search dashboards")
        self.search.textChanged.connect(self._filter)
        self.new_button = flat_button("+ New", "Make a new dashboard")
        self.open_button = flat_button("Open", "Open the dashboard (Enter)")
        self.rename_button = flat_button("Rename…", "Rename (F2)")
        self.delete_button = flat_button("Delete…", "Delete (Del)")
        row = QWidget()
        row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        buttons = QHBoxLayout(row)
        buttons.setContentsMargins(4, 4, 4, 6)
        buttons.setSpacing(2)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(0)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(8, 0, 8, 6)
        search_row.addWidget(self.search)
        layout.addLayout(search_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(row)
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(lambda: self._with_current(self.open_requested.emit))
        self.rename_button.clicked.connect(lambda: self._with_current(self.rename_requested.emit))
        self.delete_button.clicked.connect(lambda: self._with_current(self.delete_requested.emit))
        self.list.itemDoubleClicked.connect(
            lambda item: self.open_requested.emit(item.data(ROW_ROLE))
        )
        self.list.activated_row.connect(self.open_requested)
        self.list.rename_key.connect(self.rename_requested)
        self.list.delete_key.connect(self.delete_requested)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.set_rows([])

    def _load(self, session: WorkspaceSession) -> None:
        def read(state: Any) -> list[Dashboard]:
            from aiser_desktop.core.dashboards.store import DashboardStore

            return DashboardStore(state).dashboards()

        session.state_call("read the dashboards", read, on_done=self._loaded, on_error=self._failed)

    def set_rows(self, rows: list[Dashboard]) -> None:
        current = self.current()
        self.list.clear()
        for dashboard in rows:
            item = QListWidgetItem(dashboard.name)
            item.setData(ROW_ROLE, dashboard)
            item.setData(TITLE_ROLE, dashboard.name)
            item.setData(DETAIL_ROLE, detail(dashboard))
            item.setData(STATE_ROLE, "saved")
            self.list.addItem(item)
            if current is not None and dashboard.id == current.id:
                self.list.setCurrentItem(item)
        self.stack.setCurrentWidget(self.list if rows else self.empty)
        self._filter(self.search.text())
        self._update_buttons()

    def _filter(self, text: str) -> None:
        wanted = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(wanted) and wanted not in item.text().lower())

    def rows(self) -> list[Dashboard]:
        return [self.list.item(i).data(ROW_ROLE) for i in range(self.list.count())]

    def current(self) -> Dashboard | None:
        item = self.list.currentItem()
        return cast("Dashboard", item.data(ROW_ROLE)) if item is not None else None

    def _with_current(self, fn: Any) -> None:
        row = self.current()
        if row is not None:
            fn(row)

    def _update_buttons(self) -> None:
        has = self.current() is not None
        for button in (self.open_button, self.rename_button, self.delete_button):
            button.setEnabled(has)
        self.new_button.setEnabled(self._session is not None and self._session.is_open)
