"""The History and Saved tabs of the left panel: queries run, and queries kept under a name.

Both read state.sqlite on a task thread (through :class:`WorkspaceSession`), never on the GUI
thread, and filter as the person types (the search runs in SQL, after a short pause). Each
row is drawn in two lines: the SQL (or the saved query's name) above, what happened below.

History: double-click (or Enter) opens the statement in a new editor tab; the menu also copies
it or saves it under a name. Saved: double-click opens it (the tab is linked to the saved
query, so Ctrl+S saves over it); Rename (F2) and Delete (Del) ask first.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.ui import theme
from aiser_desktop.ui.reloading import Reloading
from aiser_desktop.ui.sources_tree import rows_text
from aiser_desktop.ui.status import seconds_text
from aiser_desktop.ui.widgets import flat_button, search_box

if TYPE_CHECKING:
    from aiser_desktop.core.state.store import HistoryRow, SavedQueryRow
    from aiser_desktop.ui.session import WorkspaceSession

SEARCH_DELAY_MS = 150
HISTORY_LIMIT = 500
ROW_ROLE = Qt.ItemDataRole.UserRole  # the HistoryRow or SavedQueryRow
TITLE_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2
STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # "finished", "failed", "cancelled" or "saved"
MAX_TOOLTIP = 1_500

Index = QModelIndex | QPersistentModelIndex


def one_line(sql: str, limit: int = 300) -> str:
    """SQL on one line: comments kept, runs of spaces and newlines made one space."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when_text(moment: datetime, now: datetime | None = None) -> str:
    """ "14:02" today, "Mar 5 14:02" this year, "2024-03-05" before."""
    local = moment.astimezone()
    now = (now or datetime.now().astimezone()).astimezone()
    if local.date() == now.date():
        return f"{local:%H:%M}"
    if local.year == now.year:
        return f"{local:%b} {local.day} {local:%H:%M}"
    return f"{local:%Y-%m-%d}"


def history_detail(row: HistoryRow) -> str:
    """What happened to a statement: "14:02 · 0.012 s · 3 rows", "failed after 0.003 s"."""
    when = when_text(row.started_at)
    took = seconds_text(row.seconds)
    if row.status == "failed":
        return f"{when} · failed after {took}"
    if row.status == "cancelled":
        return f"{when} · cancelled after {took}"
    rows = rows_text(row.rows) if row.rows is not None else ""
    return " · ".join(part for part in (when, took, rows) if part)


class _RowsModel(QAbstractListModel):
    """A list of history or saved-query rows with a title and a detail line each."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: Index) -> Any:
        return self._rows[index.row()] if index.isValid() else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        saved = hasattr(row, "name")
        if role in (Qt.ItemDataRole.DisplayRole, TITLE_ROLE):
            return row.name if saved else one_line(row.sql)
        if role == DETAIL_ROLE:
            return one_line(row.sql, 200) if saved else history_detail(row)
        if role == STATE_ROLE:
            return "saved" if saved else row.status
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            sql = row.sql if len(row.sql) <= MAX_TOOLTIP else row.sql[:MAX_TOOLTIP] + "\n…"
            if not saved and row.error:
                return f"{sql}\n\n{row.error}"
            return sql
        return None


class TwoLineDelegate(QStyledItemDelegate):
    """Draws a row as a title (monospace for SQL, bold for a name) over a muted detail."""

    PAD = 8

    def __init__(self, mono_title: bool, parent: Any = None) -> None:
        super().__init__(parent)
        self._title_font = theme.mono_font() if mono_title else QFont()
        if not mono_title:
            self._title_font.setWeight(QFont.Weight.DemiBold)
        self._detail_font = QFont()
        self._detail_font.setPointSizeF(max(8.0, self._detail_font.pointSizeF() - 1))

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        title = QFontMetrics(self._title_font).height()
        detail = QFontMetrics(self._detail_font).height()
        return QSize(option.rect.width(), title + detail + 2 * self.PAD + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        c = theme.colours()
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, QColor(c.accent_soft))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor(c.alt_row))
        painter.setPen(QColor(c.grid))
        painter.drawLine(rect.left() + self.PAD, rect.bottom(), rect.right(), rect.bottom())
        state = index.data(STATE_ROLE)
        mark_colour = {"failed": c.error, "cancelled": c.null_text, "finished": c.success}.get(
            str(state), c.accent
        )
        inner = rect.adjusted(self.PAD + 10, self.PAD, -self.PAD, -self.PAD)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(mark_colour))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        title_metrics = QFontMetrics(self._title_font)
        dot_y = inner.top() + title_metrics.height() / 2 - 3
        painter.drawEllipse(rect.left() + self.PAD, int(dot_y), 6, 6)

        painter.setFont(self._title_font)
        painter.setPen(QColor(c.text))
        title = title_metrics.elidedText(
            str(index.data(TITLE_ROLE) or ""), Qt.TextElideMode.ElideRight, inner.width()
        )
        title_rect = QRect(inner.left(), inner.top(), inner.width(), title_metrics.height())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter, title)

        detail_metrics = QFontMetrics(self._detail_font)
        painter.setFont(self._detail_font)
        painter.setPen(QColor(c.error if state == "failed" else c.muted))
        detail = detail_metrics.elidedText(
            str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideRight, inner.width()
        )
        detail_rect = QRect(
            inner.left(), title_rect.bottom() + 2, inner.width(), detail_metrics.height()
        )
        painter.drawText(detail_rect, Qt.AlignmentFlag.AlignVCenter, detail)
        painter.restore()


class _List(QListView):
    """A list that opens the current row on Enter and reports F2 and Delete."""

    activated_row = Signal(object)
    rename_key = Signal(object)
    delete_key = Signal(object)

    def __init__(self, mono_title: bool) -> None:
        super().__init__()
        self.setItemDelegate(TwoLineDelegate(mono_title, self))
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.doubleClicked.connect(self._emit_row)

    def _emit_row(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.activated_row.emit(row)

    def current_row(self) -> Any:
        return self.currentIndex().data(ROW_ROLE) if self.currentIndex().isValid() else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.current_row()
        if row is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated_row.emit(row)
            return
        if row is not None and event.key() == Qt.Key.Key_F2:
            self.rename_key.emit(row)
            return
        if row is not None and event.key() == Qt.Key.Key_Delete:
            self.delete_key.emit(row)
            return
        super().keyPressEvent(event)


def _empty_label() -> QLabel:
    label = QLabel()
    label.setObjectName("placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class _SearchableList(Reloading, QWidget):
    """A search box over a list, with a message in the list's place when it is empty."""

    def __init__(self, placeholder: str, mono_title: bool) -> None:
        super().__init__()
        self.search = search_box(placeholder)
        self.model = _RowsModel(self)
        self.list = _List(mono_title)
        self.list.setModel(self.model)
        self.empty = _empty_label()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.list)
        row = QHBoxLayout()
        row.setContentsMargins(8, 0, 8, 6)
        row.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.set_rows([])

    def set_rows(self, rows: list[Any]) -> None:
        current = self.list.current_row()
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.list)
            keep = getattr(current, "id", None)
            for i, row in enumerate(rows):
                if keep is not None and row.id == keep:
                    self.list.setCurrentIndex(self.model.index(i))
                    break
        else:
            self.empty.setText(self._empty_text(self.search.text().strip()))
            self.stack.setCurrentWidget(self.empty)

    def _empty_text(self, search: str) -> str:
        raise NotImplementedError

    def row_count(self) -> int:
        return self.model.rowCount()


class HistoryPanel(_SearchableList):
    """The statements run in this workspace, newest first, searchable.

    Signals:
        open_requested(str): Open this SQL in a new editor tab.
        save_requested(str): Save this SQL under a name.
    """

    open_requested = Signal(str)
    save_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__("Search history", mono_title=True)
        self.list.activated_row.connect(lambda row: self.open_requested.emit(row.sql))
        self.list.customContextMenuRequested.connect(self._menu_at)

    def _load(self, session: WorkspaceSession) -> None:
        search = self.search.text()
        session.state_call(
            "read the history",
            lambda state: state.history(HISTORY_LIMIT, search),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _empty_text(self, search: str) -> str:
        if search:
            return f"No query in the history contains “{search}”."
        return (
            "No queries yet.\n\nEvery query you run is listed here with when it ran, how "
            "long it took and its rows. Double-click one to open it in a new tab."
        )

    def menu_for(self, row: HistoryRow) -> QMenu:
        """The menu of a history row (Open in a new tab, Copy SQL, Save as query…)."""
        menu = QMenu(self)
        menu.addAction("Open in a new tab", lambda: self.open_requested.emit(row.sql))
        menu.addAction("Copy SQL", lambda: QGuiApplication.clipboard().setText(row.sql))
        menu.addAction("Save as query…", lambda: self.save_requested.emit(row.sql))
        return menu

    def _menu_at(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        row = index.data(ROW_ROLE) if index.isValid() else None
        if row is not None:
            menu = self.menu_for(row)
            menu.exec(self.list.viewport().mapToGlobal(pos))
            menu.deleteLater()


class SavedQueriesPanel(_SearchableList):
    """The queries saved in this workspace, by name: open, rename, delete.

    Signals:
        open_requested(SavedQueryRow): Open this saved query in a tab.
        renamed(SavedQueryRow): A saved query got a new name (tabs showing it follow).
        deleted(int): A saved query was deleted (its id).
        note(str, str, object): Something to tell the person, as the session's ``note``.
    """

    open_requested = Signal(object)
    renamed = Signal(object)
    deleted = Signal(int)
    note = Signal(str, str, object)

    def __init__(self) -> None:
        super().__init__("Search saved queries", mono_title=False)
        self.dialog: QInputDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.open_button = flat_button("Open", "Open in a tab (Enter)")
        self.rename_button = flat_button("Rename…", "Rename (F2)")
        self.delete_button = flat_button("Delete…", "Delete (Del)")
        row = QWidget()
        # The row does not hold the panel wide: in a narrow panel the buttons are cut
        # (Enter, F2 and Del do the same).
        row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        buttons = QHBoxLayout(row)
        buttons.setContentsMargins(4, 4, 4, 6)
        buttons.setSpacing(2)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.delete_button)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(row)
        self.open_button.clicked.connect(lambda: self._with_current(self.open_requested.emit))
        self.rename_button.clicked.connect(lambda: self._with_current(self.ask_rename))
        self.delete_button.clicked.connect(lambda: self._with_current(self.confirm_delete))
        self.list.activated_row.connect(self.open_requested.emit)
        self.list.rename_key.connect(self.ask_rename)
        self.list.delete_key.connect(self.confirm_delete)
        self.list.customContextMenuRequested.connect(self._menu_at)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def _load(self, session: WorkspaceSession) -> None:
        search = self.search.text()
        session.state_call(
            "read the saved queries",
            lambda state: state.saved_queries(search),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def set_rows(self, rows: list[Any]) -> None:
        super().set_rows(rows)
        self._update_buttons()

    def _empty_text(self, search: str) -> str:
        if search:
            return f"No saved query has “{search}” in its name or SQL."
        return (
            "No saved queries yet.\n\nPress Ctrl+S in the SQL editor to keep a query "
            "under a name; it is listed here."
        )

    def _update_buttons(self) -> None:
        if not hasattr(self, "open_button"):  # called by the base class while it is built
            return
        has = self.list.current_row() is not None
        for button in (self.open_button, self.rename_button, self.delete_button):
            button.setEnabled(has)

    def _with_current(self, fn: Any) -> None:
        row = self.list.current_row()
        if row is not None:
            fn(row)

    def find_row(self, query_id: int) -> SavedQueryRow | None:
        for i in range(self.model.rowCount()):
            row = self.model.row(self.model.index(i))
            if row.id == query_id:
                return row  # type: ignore[no-any-return]
        return None

    def select(self, query_id: int) -> None:
        for i in range(self.model.rowCount()):
            if self.model.row(self.model.index(i)).id == query_id:
                self.list.setCurrentIndex(self.model.index(i))
                return

    # ------------------------------------------------------------------ rename and delete
    def ask_rename(self, row: SavedQueryRow, text: str | None = None) -> QInputDialog:
        """Asks for a new name (window-modal, not blocking); renames on OK."""
        dialog = QInputDialog(self.window())
        dialog.setWindowTitle("Rename saved query")
        dialog.setLabelText(f"New name for “{row.name}”:")
        dialog.setTextValue(text if text is not None else row.name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda name: self._rename(row, name))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _rename(self, row: SavedQueryRow, name: str) -> None:
        session = self._session
        if session is None or not session.is_open:
            return

        def done(new: SavedQueryRow) -> None:
            self.note.emit("success", f"Renamed “{row.name}” to “{new.name}”.", None)
            self.renamed.emit(new)
            self.reload()

        def failed(exc: BaseException) -> None:
            self.note.emit("error", f"“{row.name}” was not renamed.", exc)
            warning_box(self.window(), "Cannot rename the query", exc).finished.connect(
                lambda _r: self.ask_rename(row, name)
            )

        session.state_call(
            "rename a saved query",
            lambda state: state.rename_query(row.id, name),
            on_done=done,
            on_error=failed,
        )

    def confirm_delete(self, row: SavedQueryRow) -> QMessageBox:
        """Asks before deleting (not blocking); Delete deletes on a task thread."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete saved query",
            f"Delete the saved query “{row.name}”?",
            QMessageBox.StandardButton.Cancel,
            self.window(),
        )
        box.setInformativeText("Tabs that show it keep their text.")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: object) -> None:
            if button is delete:
                self._delete(row)

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box
        box.open()
        return box

    def _delete(self, row: SavedQueryRow) -> None:
        session = self._session
        if session is None or not session.is_open:
            return

        def done(_gone: bool) -> None:
            self.note.emit("info", f"Deleted the saved query “{row.name}”.", None)
            self.deleted.emit(row.id)
            self.reload()

        session.state_call(
            "delete a saved query",
            lambda state: state.delete_query(row.id),
            on_done=done,
            on_error=lambda exc: self.note.emit("error", f"“{row.name}” was not deleted.", exc),
        )

    def menu_for(self, row: SavedQueryRow) -> QMenu:
        """The menu of a saved query (Open, Copy SQL, Rename…, Delete…)."""
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open_requested.emit(row))
        menu.addAction("Copy SQL", lambda: QGuiApplication.clipboard().setText(row.sql))
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.ask_rename(row))
        menu.addAction("Delete…", lambda: self.confirm_delete(row))
        return menu

    def _menu_at(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        row = index.data(ROW_ROLE) if index.isValid() else None
        if row is not None:
            menu = self.menu_for(row)
            menu.exec(self.list.viewport().mapToGlobal(pos))
            menu.deleteLater()


def warning_box(parent: QWidget, title: str, error: BaseException | str) -> QMessageBox:
    """A window-modal warning with the error's own words (not blocking)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, str(error), QMessageBox.StandardButton.Ok, parent
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
