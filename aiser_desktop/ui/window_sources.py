"""The window's work on sources: adding them (the dialog, the file chooser, files dropped on
the window), removing one (after asking), and the sources tree's menu (preview, count,
profile), plus the grid's "Chart this", Query > Chart result and File > Export results.

A mixin of :class:`aiser_desktop.ui.main_window.MainWindow`, kept apart so each module stays
readable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from aiser_desktop.ui.sources_tree import rows_text

if TYPE_CHECKING:
    from aiser_desktop.ui.add_source_dialog import AddSourceDialog
    from aiser_desktop.ui.charts.canvas import ChartCanvas
    from aiser_desktop.ui.main_window import MainWindow
    from aiser_desktop.ui.messages import MessagesPane
    from aiser_desktop.ui.panels import ResultsPanel
    from aiser_desktop.ui.results_view import ResultsView
    from aiser_desktop.ui.session import WorkspaceSession
    from aiser_desktop.ui.sources_tree import SourcesTree
    from aiser_desktop.ui.status import StatusPanel

FILE_FILTER = (
    "Data files (*.csv *.tsv *.txt *.parquet *.pq *.json *.ndjson *.jsonl *.xlsx *.arrow "
    "*.feather *.avro *.gz *.zst);;All files (*)"
)


class SourcesMixin:
    """Adding, removing and looking into sources."""

    # The window's attributes this mixin uses.
    session: WorkspaceSession
    sources: SourcesTree
    grid: ResultsView | None
    messages: MessagesPane
    status: StatusPanel
    results_panel: ResultsPanel
    add_dialog: AddSourceDialog | None
    confirm_box: QMessageBox | None
    chart_canvas: ChartCanvas | None = None  # the Chart tab's canvas, once installed

    @property
    def _widget(self) -> QWidget:
        """The window, as the parent of its dialogs."""
        return cast("QWidget", self)

    if TYPE_CHECKING:  # the window's methods (stubs would shadow them)

        def new_tab(self, text: str = "", title: str | None = None) -> Any: ...

        def run_query(self) -> None: ...

        def _note(self, kind: str, text: str, error: object) -> None: ...

    def import_files(self, paths: list[Path]) -> None:
        """Adds each file as a source (on a worker); errors go to the messages pane."""
        self.session.import_files(paths)

    def show_add_source(self) -> AddSourceDialog | None:
        """File > Add source…: the dialog for files, folders, databases, lakes and web
        addresses (window-modal, not blocking). Returns it, or None with no workspace open."""
        from aiser_desktop.ui.add_source_dialog import AddSourceDialog

        if not self.session.is_open:
            return None
        if self.add_dialog is not None and self.add_dialog.isVisible():
            self.add_dialog.raise_()
            return self.add_dialog
        dialog = AddSourceDialog(self.session, self._widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "add_dialog", None))
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def confirm_remove(self, name: str) -> QMessageBox:
        """Asks before removing a source (non-blocking); Remove removes it on a worker."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove source",
            f"Remove the source {name!r} from this workspace?",
            QMessageBox.StandardButton.Cancel,
            self._widget,
        )
        box.setInformativeText(
            "Its tables and any data copied into the workspace are deleted, and its saved "
            "password is forgotten. The original file or database is not touched."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: object) -> None:
            if button is remove:
                self.session.remove_source(name)

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box
        box.open()
        return box

    def choose_files(self) -> None:
        """File > Import file…: asks for files and imports them."""
        if not self.session.is_open:
            return
        names, _ = QFileDialog.getOpenFileNames(self._widget, "Import files", "", FILE_FILTER)
        if names:
            self.import_files([Path(n) for n in names])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.session.is_open and any(url.isLocalFile() for url in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    def preview_table(self, sql_name: str) -> None:
        """Shows the first 100 rows of a table, in a tab of its own."""
        self.new_tab(f"select * from {sql_name} limit 100", title=sql_name)
        self.run_query()

    def count_rows(self, sql_name: str) -> None:
        """Counts a table's rows on a worker; the tree and the messages show the count."""

        def done(count: int) -> None:
            self.sources.set_row_count(sql_name, count)
            self.messages.add(f"{sql_name} has {rows_text(count)}.", "success")
            self.status.clear_task(f"{sql_name}: {rows_text(count)}")

        def failed(exc: BaseException) -> None:
            self.status.clear_task("Ready")
            self._note("error", f"The rows of {sql_name} could not be counted.", exc)

        if self.session.count_rows(sql_name, on_done=done, on_error=failed):
            self.status.set_task(f"Counting the rows of {sql_name}")

    def profile_column(self, table: str, column: str) -> Any:
        """Profiles a column of a table on a worker; returns the popup that shows it."""
        from aiser_desktop.ui.table_profile import TableProfilePopup

        if not self.session.is_open:
            return None
        popup = TableProfilePopup(self.session, table, column, self._widget)
        popup.failed.connect(
            lambda exc: self._note("error", f"Profiling {table}.{column} failed.", exc)
        )
        item = self.sources.currentItem()
        rect = self.sources.visualItemRect(item) if item is not None else None
        anchor = rect.bottomLeft() if rect is not None else self.sources.rect().center()
        popup.show_at(self.sources.viewport().mapToGlobal(anchor))
        return popup

    def _chart_requested(self, column: str) -> None:
        """The grid's “Chart this”: a chart of that column of the result."""
        self.chart_result(column)

    def chart_result(self, column: str | None = None) -> bool:
        """Query > Chart result (Ctrl+Shift+G), the Chart button: the result as the
        recommended chart (of ``column``), in the Chart tab. False when nothing to chart."""
        from aiser_desktop.ui.charts import wiring

        return wiring.chart_result(cast("MainWindow", self), column)

    def _install_chart(self) -> None:
        from aiser_desktop.ui.charts import wiring

        wiring.install(cast("MainWindow", self))

    def _update_chart_action(self) -> None:
        if self.chart_canvas is not None:
            from aiser_desktop.ui.charts import wiring

            wiring.update_action(cast("MainWindow", self))

    def export_results(self, fmt: str) -> Any:
        """File > Export results: the whole result to CSV, Parquet, Excel or JSON (asks for
        the file; progress and Cancel in a dialog). Returns the dialog, or None."""
        if self.grid is None or self.grid.handle is None:
            return None
        return self.grid.export(fmt)
