"""The editor tabs: several SQL editors in a tab widget.

How the window uses this
------------------------
``tabs = EditorTabs()`` goes where the single editor was. ``tabs.current()`` is the active
:class:`SqlEditor`: ``statement()`` (the selection or the statement under the cursor, and its
offset), ``ask_parameters(statements)`` (asks for ``$name`` values, returns the statements
with ``params`` bound, or None if cancelled), ``show_error(offset, length, message)`` /
``clear_error()``, ``move_to()``, ``insert()``, ``replace_all()``, ``format_sql()``,
``toggle_comment()``, ``show_find()``, ``show_replace()``. The tabs re-emit their editors'
signals:

- ``run_requested()``: Ctrl+Enter; run ``current().statement()``.
- ``run_all_requested(sql)``: Ctrl+Shift+Enter; ``sql`` is the selection or the whole text
  (``core.sql.statements.split(sql)`` gives its statements with their offsets).
- ``explain_requested(sql, analyze)``: Ctrl+Shift+E / Ctrl+Alt+E; ``core.sql.explain``
  turns the plan into readable text for the messages tab.
- ``cancel_requested()``: Esc in an editor (not when it closed a popup or the find bar).
- ``current_changed(editor)``; ``tabs_changed()`` when a tab was opened, closed, renamed or
  modified (save the tab state then).

Completion: ``set_catalog_source(fn)`` once (``fn()`` returns the current catalog; it is
read when completion needs it and indexed again only when it changed), or
``set_catalog(catalog)`` after each change. Tabs: ``new_tab(text, title)``, ``close_tab(i)``
(asks first when there are unsaved changes; ``close_box`` is the non-blocking question),
Ctrl+T and Ctrl+W (window-wide actions ``new_tab_action``, ``close_tab_action``);
``set_title(i, title)``; ``mark_saved(i, saved_id, title)`` after Ctrl+S (clears the dot;
``saved_id`` None forgets the link). For restarts: ``state()`` gives plain dicts ``{title,
text, cursor, saved_id, modified, current}``, ``restore(state)`` takes them back.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QTabWidget, QToolButton, QWidget

from aiser_desktop.core.sql.complete import CatalogIndex, warm
from aiser_desktop.ui.sql_editor import SqlEditor

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aiser_desktop.core.sources.catalog import SourceInfo

MODIFIED_MARK = " •"
_warming: threading.Thread | None = None


def _warm_once() -> None:
    """Reads DuckDB's function and keyword lists off the GUI thread, once per process,
    before the first completion needs them. Not a daemon: a quick quit waits for it rather
    than ending the process while DuckDB runs."""
    global _warming
    if _warming is None:
        _warming = threading.Thread(target=warm, name="aiser-complete-warm")
        _warming.start()


class EditorTabs(QTabWidget):
    """SQL editors in tabs; at least one tab is always open.

    Signals:
        run_requested(), run_all_requested(str), explain_requested(str, bool),
            cancel_requested(): from the editors (see :class:`SqlEditor`).
        current_changed(SqlEditor): Another tab became the active one.
        tabs_changed: A tab was opened, closed, renamed or modified.
    """

    run_all_requested = Signal(str)
    explain_requested = Signal(str, bool)
    run_requested = Signal()
    cancel_requested = Signal()
    current_changed = Signal(object)
    tabs_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorTabs")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setUsesScrollButtons(True)
        self.close_box: QMessageBox | None = None
        self._index = CatalogIndex()
        self._catalog_source: Callable[[], Sequence[SourceInfo]] | None = None
        self._indexed: object = None  # the catalog object self._index was built from
        self._titles: dict[int, str] = {}  # id(editor) -> title without the mark
        self._saved: dict[int, int | None] = {}  # id(editor) -> saved query id
        self._last_editor: SqlEditor | None = None  # the SQL tab in front last
        self.tabCloseRequested.connect(self.close_tab)
        self.currentChanged.connect(self._current_changed)
        plus = QToolButton()
        plus.setObjectName("flat")
        plus.setText("+")
        plus.setToolTip("New tab (Ctrl+T)")
        plus.clicked.connect(lambda: self.new_tab())
        self.setCornerWidget(plus, Qt.Corner.TopRightCorner)
        self._build_actions()
        self.new_tab()
        _warm_once()

    # ------------------------------------------------------------------ actions
    def _build_actions(self) -> None:
        def action(text: str, slot: Any, keys: str, window_wide: bool = False) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(
                Qt.ShortcutContext.WindowShortcut
                if window_wide
                else Qt.ShortcutContext.WidgetShortcut  # the editor handles its own keys
            )
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_tab_action = action("New tab", lambda: self.new_tab(), "Ctrl+T", True)
        self.close_tab_action = action(
            "Close tab", lambda: self.close_tab(self.currentIndex()), "Ctrl+W", True
        )
        self.run_all_action = action(
            "Run all statements", lambda: self.current().request_run_all(), "Ctrl+Shift+Return"
        )
        self.explain_action = action(
            "Explain", lambda: self.current().request_explain(False), "Ctrl+Shift+E"
        )
        self.explain_analyze_action = action(
            "Explain analyze", lambda: self.current().request_explain(True), "Ctrl+Alt+E"
        )
        self.format_action = action(
            "Format SQL", lambda: self.current().format_sql(), "Ctrl+Shift+F"
        )
        self.comment_action = action(
            "Toggle comment", lambda: self.current().toggle_comment(), "Ctrl+/"
        )
        self.find_action = action("Find…", lambda: self.current().show_find(False), "Ctrl+F")
        self.replace_action = action("Replace…", lambda: self.current().show_find(True), "Ctrl+H")

    def actions_for_menu(self) -> list[QAction | None]:
        """The actions for the window's menus, in order (None stands for a separator)."""
        return [
            self.new_tab_action,
            self.close_tab_action,
            None,
            self.run_all_action,
            self.explain_action,
            self.explain_analyze_action,
            None,
            self.format_action,
            self.comment_action,
            self.find_action,
            self.replace_action,
        ]

    # ------------------------------------------------------------------ tabs
    def current(self) -> SqlEditor:
        """The active editor (there is always one); while a page of another kind (a model
        file, see :meth:`add_page`) is in front, the SQL editor that was active last."""
        widget = self.currentWidget()
        if isinstance(widget, SqlEditor):
            return widget
        editors = self.editors()
        last = self._last_editor
        return last if last in editors else editors[0]

    def editors(self) -> list[SqlEditor]:
        """Every editor, in tab order."""
        return [w for i in range(self.count()) if isinstance(w := self.widget(i), SqlEditor)]

    def new_tab(
        self,
        text: str = "",
        title: str | None = None,
        saved_id: int | None = None,
        cursor: int = 0,
    ) -> SqlEditor:
        """Opens a tab and makes it the current one.

        Args:
            text: Its SQL.
            title: Its title; "" for the next free "Query N".
            saved_id: The saved query it edits, if any.
            cursor: Where to put the cursor.
        """
        editor = SqlEditor(self)
        editor.set_catalog(self._index)
        editor.catalog_provider = self.catalog_index
        if text:
            editor.setPlainText(text)
        editor.document().setModified(False)
        editor.move_to(cursor)
        key = id(editor)
        self._titles[key] = title or self._free_title()
        self._saved[key] = saved_id
        editor.run_all_requested.connect(self.run_all_requested)
        editor.explain_requested.connect(self.explain_requested)
        editor.run_requested.connect(self.run_requested)
        editor.cancel_requested.connect(self.cancel_requested)
        editor.document().modificationChanged.connect(lambda _m, e=editor: self._retitle(e))
        index = self.addTab(editor, "")
        self._retitle(editor)
        self.setCurrentIndex(index)
        editor.setFocus()
        self.tabs_changed.emit()
        return editor

    def add_page(self, page: QWidget, title: str, tooltip: str = "") -> int:
        """Opens a page of another kind (a model file's editor) as a tab and shows it.

        The page closes itself: Ctrl+W or the tab's cross call its ``request_close(force)``,
        which returns True once it is gone. SQL actions keep acting on the last SQL tab.
        """
        index = self.addTab(page, title)
        self.setTabToolTip(index, tooltip or title)
        self.setCurrentIndex(index)
        return index

    def _free_title(self) -> str:
        used = set(self._titles.values())
        n = 1
        while f"Query {n}" in used:
            n += 1
        return f"Query {n}"

    def title(self, editor: SqlEditor) -> str:
        """The tab's title without the modified mark."""
        return self._titles.get(id(editor), "")

    def saved_id(self, editor: SqlEditor) -> int | None:
        """The saved query the tab edits, or None."""
        return self._saved.get(id(editor))

    def is_modified(self, editor: SqlEditor) -> bool:
        return editor.document().isModified()

    def _retitle(self, editor: SqlEditor) -> None:
        index = self.indexOf(editor)
        if index < 0:
            return
        title = self._titles.get(id(editor), "Query")
        mark = MODIFIED_MARK if editor.document().isModified() else ""
        self.setTabText(index, title + mark)
        saved = "saved query" if self._saved.get(id(editor)) is not None else "not saved"
        self.setTabToolTip(index, f"{title} ({saved}{', modified' if mark else ''})")
        self.tabs_changed.emit()

    def _editor_at(self, tab: int | SqlEditor) -> SqlEditor | None:
        widget = self.widget(tab) if isinstance(tab, int) else tab
        return widget if isinstance(widget, SqlEditor) and self.indexOf(widget) >= 0 else None

    def set_title(self, tab: int | SqlEditor, title: str) -> None:
        """Renames a tab (by index or editor)."""
        editor = self._editor_at(tab)
        if editor is not None and title:
            self._titles[id(editor)] = title
            self._retitle(editor)

    def mark_saved(self, tab: int | SqlEditor, saved_id: int | None, title: str) -> None:
        """A tab's text was saved as query ``saved_id`` named ``title``: title the tab so
        and clear its dot. ``saved_id`` None only forgets the link (the query was deleted)
        and keeps the dot as it is."""
        editor = self._editor_at(tab)
        if editor is None:
            return
        self._titles[id(editor)] = title or self._titles.get(id(editor), "")
        self._saved[id(editor)] = saved_id
        if saved_id is not None:
            editor.document().setModified(False)
        self._retitle(editor)

    def close_tab(self, index: int, force: bool = False) -> bool:
        """Closes tab ``index``; with unsaved changes it asks first (non-blocking) unless
        ``force``. Returns True when the tab was closed now."""
        widget = self.widget(index)
        if not isinstance(widget, SqlEditor):
            # A page of another kind closes itself (it may ask about unsaved changes first).
            close = getattr(widget, "request_close", None)
            return bool(close(force)) if callable(close) else False
        if not force and widget.document().isModified() and widget.toPlainText().strip():
            self._ask_close(widget)
            return False
        self._remove(widget)
        return True

    def _ask_close(self, editor: SqlEditor) -> None:
        title = self._titles.get(id(editor), "this tab")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Close tab",
            f"“{title}” has changes that are not saved. Close it anyway?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Its text is lost when the tab closes (Ctrl+S saves it first).")
        discard = box.addButton("Close without saving", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: object) -> None:
            if button is discard and self.indexOf(editor) >= 0:
                self._remove(editor)

        box.buttonClicked.connect(clicked)
        box.finished.connect(lambda _r: setattr(self, "close_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.close_box = box
        box.open()

    def _remove(self, editor: SqlEditor) -> None:
        index = self.indexOf(editor)
        self.removeTab(index)
        self._titles.pop(id(editor), None)
        self._saved.pop(id(editor), None)
        editor.deleteLater()
        if not self.editors():
            self.new_tab()
        else:
            self.current().setFocus()
        self.tabs_changed.emit()

    def _current_changed(self, index: int) -> None:
        widget = self.widget(index)
        if isinstance(widget, SqlEditor):
            self._last_editor = widget
            self.current_changed.emit(widget)

    # ------------------------------------------------------------------ catalog and state
    def set_catalog(self, catalog: Sequence[SourceInfo]) -> None:
        """Completion in every tab offers this catalog's tables and columns."""
        self._index = CatalogIndex(catalog)
        self._indexed = catalog
        for editor in self.editors():
            editor.set_catalog(self._index)

    def set_catalog_source(self, source: Callable[[], Sequence[SourceInfo]]) -> None:
        """Where completion reads the catalog: ``source()`` is called when an editor needs
        it, and the catalog is indexed again only when it returns another object."""
        self._catalog_source = source

    def catalog_index(self) -> CatalogIndex:
        """The index of the current catalog (from the catalog source, if one was set)."""
        if self._catalog_source is not None:
            catalog = self._catalog_source()
            if catalog is not self._indexed:
                self._indexed = catalog
                self._index = CatalogIndex(catalog or ())
        return self._index

    def state(self) -> list[dict[str, Any]]:
        """The tabs as plain data, for saving: ``title``, ``text``, ``cursor``, ``saved_id``,
        ``modified`` and ``current`` per tab, in order."""
        current = self.currentIndex()
        return [
            {
                "title": self._titles.get(id(editor), ""),
                "text": editor.toPlainText(),
                "cursor": editor.textCursor().position(),
                "saved_id": self._saved.get(id(editor)),
                "modified": editor.document().isModified(),
                "current": i == current,
            }
            for i, editor in enumerate(self.editors())
        ]

    def restore(self, state: Sequence[dict[str, Any]], current: int | None = None) -> None:
        """Replaces the tabs with those of :meth:`state` (unknown keys are ignored).

        Args:
            state: The tabs, in order.
            current: The index of the tab to make current (default: the one marked
                ``current``, else the first).
        """
        if not state:
            return
        for editor in self.editors():
            self.removeTab(self.indexOf(editor))
            self._titles.pop(id(editor), None)
            self._saved.pop(id(editor), None)
            editor.deleteLater()
        chosen = 0
        for i, tab in enumerate(state):
            saved = tab.get("saved_id")
            editor = self.new_tab(
                text=str(tab.get("text", "")),
                title=str(tab.get("title", "")),
                saved_id=int(saved) if saved is not None else None,
                cursor=int(tab.get("cursor", 0) or 0),
            )
            if tab.get("modified"):
                editor.document().setModified(True)
            if tab.get("current"):
                chosen = i
        self.setCurrentIndex(current if current is not None else chosen)
        self.tabs_changed.emit()
