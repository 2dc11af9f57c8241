"""Saving queries from the editor tabs (Ctrl+S, Save as…), opening saved ones, and following
renames and deletions in the open tabs.

The first Ctrl+S of a tab asks for a name (the tab's title is offered); later ones save over
the same saved query without asking. Every read and write of state.sqlite runs on a task
thread; a name already taken is refused with the core's message and the name dialog opens
again with what was typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog

from aiser_desktop.ui.history_panel import warning_box

if TYPE_CHECKING:
    from aiser_desktop.core.state.store import SavedQueryRow
    from aiser_desktop.ui.editor_tabs import EditorTabs
    from aiser_desktop.ui.main_window import MainWindow
    from aiser_desktop.ui.sql_editor import SqlEditor


class QueryActions(QObject):
    """Save, Save as, open a saved query, and follow renames and deletions in the tabs.

    Args:
        window: The main window.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QInputDialog | None = None

    def _tabs(self) -> EditorTabs:
        tabs = self.window.editor_tabs
        assert tabs is not None, "the editor is not installed yet"
        return tabs

    # ------------------------------------------------------------------ saving
    def save_query(self) -> None:
        """Ctrl+S: saves the current tab over its saved query, or asks for a name."""
        if not self.window.session.is_open or self.window.editor_tabs is None:
            return
        tabs = self._tabs()
        editor = tabs.current()
        saved_id = tabs.saved_id(editor)
        if saved_id is None:
            self.ask_name(editor, tabs.title(editor))
        else:
            self._write(editor, tabs.title(editor), editor.toPlainText(), saved_id)

    def save_query_as(self) -> None:
        """Ctrl+Shift+S: saves the current tab under a new name."""
        if not self.window.session.is_open or self.window.editor_tabs is None:
            return
        tabs = self._tabs()
        editor = tabs.current()
        self.ask_name(editor, tabs.title(editor))

    def save_sql_as(self, sql: str) -> None:
        """Saves SQL from the history: it opens in a new tab, which is then named."""
        self.window.open_sql(sql)
        self.save_query_as()

    def ask_name(self, editor: SqlEditor, suggested: str) -> QInputDialog:
        """Asks for a name (window-modal, not blocking); saves the editor's text on OK."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Save query")
        dialog.setLabelText("Save this query as:")
        dialog.setTextValue(suggested)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(
            lambda name: self._write(editor, name, editor.toPlainText(), None)
        )
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _write(self, editor: SqlEditor, name: str, sql: str, query_id: int | None) -> None:
        window = self.window
        tabs = self._tabs()

        def done(row: SavedQueryRow) -> None:
            if tabs.indexOf(editor) >= 0:
                still_same = editor.toPlainText() == sql
                tabs.mark_saved(editor, row.id, row.name)
                # Typed on while it was being saved: the tab still has unsaved changes.
                editor.document().setModified(not still_same)
            window.messages.add(f"Saved the query “{row.name}”.", "success")
            window.status.clear_task(f"Saved “{row.name}”")
            window.saved.reload()

        def failed(exc: BaseException) -> None:
            window.messages.add_error("The query was not saved.", exc)
            box = warning_box(window, "Cannot save the query", exc)
            if tabs.indexOf(editor) >= 0:
                box.finished.connect(lambda _result: self.ask_name(editor, name))

        window.session.state_call(
            "save a query",
            lambda state: state.save_query(name, sql, query_id=query_id),
            on_done=done,
            on_error=failed,
        )

    # ------------------------------------------------------------------ opening and following
    def open_saved(self, row: SavedQueryRow) -> None:
        """Opens a saved query: its tab if one is open already, else a new tab."""
        tabs = self._tabs()
        for editor in tabs.editors():
            if tabs.saved_id(editor) == row.id:
                tabs.setCurrentWidget(editor)
                editor.setFocus()
                return
        editor = tabs.new_tab(row.sql, title=row.name, saved_id=row.id)
        editor.setFocus()

    def renamed(self, row: SavedQueryRow) -> None:
        """A saved query was renamed: its open tab takes the new name."""
        tabs = self._tabs()
        for editor in tabs.editors():
            if tabs.saved_id(editor) == row.id:
                tabs.set_title(editor, row.name)

    def deleted(self, query_id: int) -> None:
        """A saved query was deleted: its open tab keeps its text, unsaved now."""
        tabs = self._tabs()
        for editor in tabs.editors():
            if tabs.saved_id(editor) == query_id:
                tabs.mark_saved(editor, None, tabs.title(editor))
                editor.document().setModified(True)
