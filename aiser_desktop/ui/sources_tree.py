"""The sources panel's tree: each source, its tables with row counts, their columns with types.

A single-table source (a CSV file, say) is one node: the source is the table, queried by its own
name. A source with several tables shows them beneath it, each queried as ``source.table``.
Double-clicking a table or a column inserts its SQL name into the editor.

Each source shows its mode ("linked": queried in place; "imported": copied in, with the
snapshot's time in its tooltip), and in red when it cannot be used now (a linked database
that did not answer). Its menu refreshes it, switches its mode or removes it; a table's menu
previews it, counts its rows and copies its name; a column's menu profiles it.

:meth:`SourcesTree.set_filter` keeps the sources, tables and columns whose name contains the
text typed in the panel's search box, with their parents (opened, so a match is seen) and
their children.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from aiser_desktop.ui import icons, theme

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import ColumnInfo, SourceInfo, TableInfo

_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

SQL_NAME_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "source", "table" or "column"
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2  # on a source's node: its name
MODE_ROLE = Qt.ItemDataRole.UserRole + 3  # on a source's node: "linked" or "imported"
STATUS_ROLE = Qt.ItemDataRole.UserRole + 4  # on a source's node: why it is unusable, or ""
CONNECTOR_ROLE = Qt.ItemDataRole.UserRole + 5  # on a source's node: its connector's name


def sql_ident(name: str) -> str:
    """``name`` as SQL: as is when plain, else double-quoted."""
    return name if _PLAIN_IDENT.match(name) else '"' + name.replace('"', '""') + '"'


_SHORT_TYPES = {
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIME WITH TIME ZONE": "timetz",
    "CHARACTER VARYING": "varchar",
    "DOUBLE PRECISION": "double",
}


def short_type(sql_type: str) -> str:
    """A column type as shown beside its name: lower case, long names shortened."""
    short = _SHORT_TYPES.get(sql_type.upper(), sql_type).lower()
    return short if len(short) <= 16 else short[:15] + "…"


def when_text(when: datetime) -> str:
    """A time in the person's own zone: "2024-03-05 14:02"."""
    return f"{when.astimezone():%Y-%m-%d %H:%M}"


def can_link(connector: str) -> bool:
    """Whether sources of this connector can be linked (unknown connectors: assume so, and
    let the core explain if not)."""
    from aiser_desktop.core.sources import registry

    try:
        return registry.get(connector).CAN_LINK
    except Exception:
        return True


def rows_text(count: int) -> str:
    """ "1 row", "336,776 rows"; "" when the count is unknown (-1)."""
    if count < 0:
        return ""
    return "1 row" if count == 1 else f"{count:,} rows"


class SourcesTree(QTreeWidget):
    """The tree of a workspace's sources.

    Signals:
        insert_requested(str): The person asked to put this SQL text into the editor.
        preview_requested(str): The person asked to see the first rows of this table.
        count_requested(str): Count this table's rows (the window runs it on a worker).
        profile_requested(str, str): Profile a column: the table's SQL name, the column's
            name.
        refresh_requested(str): Refresh this source (a new snapshot, or its schema again).
        mode_requested(str, str): Switch this source to "linked" or "imported".
        remove_requested(str): Remove this source (the window asks first).
        findings_requested(str): Show this source's findings (ui/findings_dialog.py).
        quality_requested(str): Show this source's data-quality results.
    """

    insert_requested = Signal(str)
    preview_requested = Signal(str)
    count_requested = Signal(str)
    profile_requested = Signal(str, str)
    refresh_requested = Signal(str)
    mode_requested = Signal(str, str)
    remove_requested = Signal(str)
    findings_requested = Signal(str)
    quality_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcesTree")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAnimated(True)
        self.setIndentation(16)
        self.setRootIsDecorated(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.itemDoubleClicked.connect(self._double_clicked)
        self._muted = QBrush(QColor(theme.MUTED))
        self._error = QBrush(QColor(theme.ERROR))
        self._catalog: list[SourceInfo] = []
        self._filter = ""
        self._expanded_before_filter: set[tuple[str, ...]] = set()
        self.can_profile = False  # set by the window when column profiles are available
        theme.notifier().changed.connect(self._theme_changed)

    # ------------------------------------------------------------------ content
    def set_catalog(self, sources: list[SourceInfo]) -> None:
        """Shows ``sources``, keeping which nodes were open (and the filter)."""
        expanded = self._expanded_keys()
        self._catalog = list(sources)
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            for source in sources:
                self.addTopLevelItem(self._source_item(source))
            for item in self._walk():
                if self._key(item) in expanded:
                    item.setExpanded(True)
            if self._filter:
                self._apply_filter()
        finally:
            self.setUpdatesEnabled(True)

    @property
    def catalog(self) -> list[SourceInfo]:
        """The sources shown."""
        return list(self._catalog)

    def set_filter(self, text: str) -> int:
        """Shows only what matches ``text`` (case-insensitive); "" shows everything again,
        with the nodes that were open before.

        Returns:
            How many sources, tables and columns match (all of them for "").
        """
        text = text.strip().lower()
        if text and not self._filter:
            self._expanded_before_filter = self._expanded_keys()
        previous, self._filter = self._filter, text
        self.setUpdatesEnabled(False)
        try:
            if text:
                return self._apply_filter()
            for item in self._walk():
                item.setHidden(False)
            if previous:
                for item in self._walk():
                    item.setExpanded(self._key(item) in self._expanded_before_filter)
            return len(self._walk())
        finally:
            self.setUpdatesEnabled(True)

    def _apply_filter(self) -> int:
        needle = self._filter
        matches = 0

        def visit(item: QTreeWidgetItem, shown_by_parent: bool) -> bool:
            nonlocal matches
            hit = needle in item.text(0).lower()
            matches += hit
            below = False
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None and visit(child, shown_by_parent or hit):
                    below = True
            visible = hit or below or shown_by_parent
            item.setHidden(not visible)
            if below:
                item.setExpanded(True)  # a match further down is seen at once
            return hit or below

        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top is not None:
                visit(top, False)
        return matches

    def _theme_changed(self, _name: str) -> None:
        self._muted = QBrush(QColor(theme.MUTED))
        self._error = QBrush(QColor(theme.ERROR))
        if self._catalog:
            self.set_catalog(self._catalog)

    def set_row_count(self, sql_name: str, count: int) -> None:
        """Shows a table's row count, counted on request (a linked file shows none)."""
        item = self.find_table(sql_name)
        if item is None:
            return
        text = item.text(1)
        mode = text.rpartition(" · ")[2] if item.data(0, KIND_ROLE) == "source" else ""
        if mode in ("linked", "imported"):
            self._detail(item, f"{rows_text(count)} · {mode}")
        elif not item.data(0, STATUS_ROLE):
            self._detail(item, rows_text(count))

    def table_names(self) -> list[str]:
        """The SQL names of every table shown."""
        return [
            str(item.data(0, SQL_NAME_ROLE))
            for item in self._walk()
            if item.data(0, KIND_ROLE) in ("source", "table") and item.data(0, SQL_NAME_ROLE)
        ]

    def find_source(self, name: str) -> QTreeWidgetItem | None:
        """The node of a source, by its name."""
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item is not None and item.data(0, SOURCE_ROLE) == name:
                return item
        return None

    def find_table(self, sql_name: str) -> QTreeWidgetItem | None:
        """The node of a table, by its SQL name."""
        for item in self._walk():
            if item.data(0, SQL_NAME_ROLE) == sql_name and item.data(0, KIND_ROLE) != "column":
                return item
        return None

    # ------------------------------------------------------------------ building
    def _source_item(self, source: SourceInfo) -> QTreeWidgetItem:
        item = QTreeWidgetItem([source.name, ""])
        linked = source.mode == "linked"
        item.setIcon(0, icons.source_icon(source.connector, linked, bool(source.status)))
        item.setData(0, KIND_ROLE, "source")
        item.setData(0, SOURCE_ROLE, source.name)
        item.setData(0, MODE_ROLE, source.mode)
        item.setData(0, STATUS_ROLE, source.status)
        item.setData(0, CONNECTOR_ROLE, source.connector)
        item.setToolTip(0, source_tooltip(source))
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        single = len(source.tables) == 1 and not source.tables[0].table
        if single:
            table = source.tables[0]
            item.setData(0, SQL_NAME_ROLE, table.sql_name)
            facts = rows_text(table.row_count)
            self._add_columns(item, table.columns)
        else:
            count = len(source.tables)
            facts = "1 table" if count == 1 else f"{count} tables"
            for table in source.tables:
                item.addChild(self._table_item(table))
        mode = "linked" if linked else "imported"
        self._detail(item, f"{facts} · {mode}" if facts else mode)
        item.setToolTip(1, item.toolTip(0))
        if source.status:
            item.setText(1, "not available")
            item.setForeground(0, self._error)
            item.setForeground(1, self._error)
        return item

    def _table_item(self, table: TableInfo) -> QTreeWidgetItem:
        item = QTreeWidgetItem([table.table or table.sql_name, ""])
        item.setIcon(0, icons.table_icon())
        item.setData(0, KIND_ROLE, "table")
        item.setData(0, SQL_NAME_ROLE, table.sql_name)
        item.setToolTip(0, f"{table.sql_name} ({rows_text(table.row_count) or 'rows unknown'})")
        self._detail(item, rows_text(table.row_count))
        self._add_columns(item, table.columns)
        return item

    def _add_columns(self, parent: QTreeWidgetItem, columns: tuple[ColumnInfo, ...]) -> None:
        for column in columns:
            child = QTreeWidgetItem([column.name, ""])
            child.setIcon(0, icons.type_icon(icons.type_family(column.type)))
            child.setData(0, KIND_ROLE, "column")
            child.setData(0, SQL_NAME_ROLE, sql_ident(column.name))
            child.setToolTip(0, f"{column.name}: {column.type}")
            self._detail(child, short_type(column.type))
            parent.addChild(child)

    def _detail(self, item: QTreeWidgetItem, text: str) -> None:
        item.setText(1, text)
        item.setForeground(1, self._muted)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    # ------------------------------------------------------------------ helpers
    def _walk(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            if item is not None:
                items.append(item)
                stack.extend(item.child(i) for i in range(item.childCount()))
        return items

    @staticmethod
    def _key(item: QTreeWidgetItem) -> tuple[str, ...]:
        key: list[str] = []
        node: QTreeWidgetItem | None = item
        while node is not None:
            key.insert(0, node.text(0))
            node = node.parent()
        return tuple(key)

    def _expanded_keys(self) -> set[tuple[str, ...]]:
        return {self._key(item) for item in self._walk() if item.isExpanded()}

    def _double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, SQL_NAME_ROLE)
        if name:
            self.insert_requested.emit(str(name))

    def context_menu(self, item: QTreeWidgetItem) -> QMenu | None:
        """The menu of a node: table actions, and for a source Refresh, Switch to
        linked/imported and Remove…; None when the node has none."""
        menu = QMenu(self)
        name = item.data(0, SQL_NAME_ROLE)
        if name:
            sql = str(name)
            kind = item.data(0, KIND_ROLE)
            if kind != "column":
                menu.addAction("Show first 100 rows", lambda: self.preview_requested.emit(sql))
                menu.addAction("Count rows", lambda: self.count_requested.emit(sql))
            elif self.can_profile and (parent := item.parent()) is not None:
                table = str(parent.data(0, SQL_NAME_ROLE) or "")
                column = item.text(0)
                profile = menu.addAction(
                    "Profile column", lambda: self.profile_requested.emit(table, column)
                )
                profile.setEnabled(bool(table))
            menu.addAction("Insert name into SQL", lambda: self.insert_requested.emit(sql))
            menu.addAction("Copy name", lambda: QGuiApplication.clipboard().setText(sql))
        source = item.data(0, SOURCE_ROLE)
        if source:
            self._source_actions(menu, item, str(source))
        if menu.isEmpty():
            menu.deleteLater()
            return None
        return menu

    def _source_actions(self, menu: QMenu, item: QTreeWidgetItem, source: str) -> None:
        if not menu.isEmpty():
            menu.addSeparator()
        linked = item.data(0, MODE_ROLE) == "linked"
        refresh = menu.addAction("Refresh", lambda: self.refresh_requested.emit(source))
        refresh.setToolTip(
            "Read its tables again" if linked else "Copy its data again (a new snapshot)"
        )
        if linked:
            switch = menu.addAction(
                "Switch to imported", lambda: self.mode_requested.emit(source, "imported")
            )
            switch.setToolTip("Copy the data into the workspace, to use it offline")
        else:
            switch = menu.addAction(
                "Switch to linked", lambda: self.mode_requested.emit(source, "linked")
            )
            switch.setToolTip("Query it in place; the copy in the workspace is deleted")
            switch.setEnabled(can_link(self._connector(item)))
        menu.addSeparator()
        menu.addAction("Findings…", lambda: self.findings_requested.emit(source))
        menu.addAction("Data quality…", lambda: self.quality_requested.emit(source))
        menu.addSeparator()
        menu.addAction("Remove…", lambda: self.remove_requested.emit(source))
        menu.setToolTipsVisible(True)

    @staticmethod
    def _connector(item: QTreeWidgetItem) -> str:
        return str(item.data(0, CONNECTOR_ROLE) or "")

    def _context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        menu = self.context_menu(item)
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))
            menu.deleteLater()


def source_tooltip(source: SourceInfo) -> str:
    """What a source is, where it is, its mode (with the snapshot's time) and its status."""
    lines = [source.name, f"{source.connector}: {source.location}"]
    if source.mode == "linked":
        lines.append("Linked: queried in place, nothing copied.")
    else:
        when = f", snapshot of {when_text(source.refreshed_at)}" if source.refreshed_at else ""
        lines.append(f"Imported: copied into the workspace{when}.")
    if source.network:
        lines.append("Allowed to use the network.")
    if source.status:
        lines.append(f"Not available now: {source.status}")
    return "\n".join(lines)
