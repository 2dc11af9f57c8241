"""The results grid: a query's rows, paged from the result handle, sorted and filtered as SQL.

How the window uses this
------------------------
``view = ResultsView()`` is a plain QWidget for the results tab (it has its own placeholder,
header bar and Export menu). Then:

- ``view.set_engine(engine)`` when a workspace opens (``None`` when it closes): sorting,
  filtering, profiling and exporting run on that engine; without one they are disabled.
- ``view.set_result(handle)`` with ``QueryFinished.result`` to show a query's rows (``None``
  clears); ``view.show_message(text)`` shows a line of text instead of rows.
- Signals to connect:
  ``chart_requested(str)`` a column's "Chart this" (the chart canvas is a later issue);
  ``result_changed(object)`` the handle now shown changed (sorted or filtered: its
  ``row_count`` is what the status bar should say), ``None`` when cleared;
  ``note(str)`` a line for the messages pane (an export finished, a sort took N s);
  ``error(str, object)`` a failed sort/filter/profile/export: what failed and the exception,
  whose ``str()`` is for people; ``busy_changed(bool)`` while work on the result runs.
- ``view.cancel_work()`` stops a running sort, filter or export (True if something was
  stopped): Esc in the window can call it when no query runs.

Everything slow runs off the GUI thread: pages come from the handle (a slice in memory, or about
a millisecond from a big result's file), sorting/filtering/profiling run in DuckDB on the
engine's worker (:mod:`aiser_desktop.core.engine.derive`), exports on a thread of their own.
Finished jobs are picked up by a 50 ms timer, so no callback ever touches a widget from another
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionRange, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollBar,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.engine.derive import (
    Filter,
    ResultJob,
    View,
    column_index,
    derive,
)
from aiser_desktop.core.engine.export import CHOICES
from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.ui.results_model import (
    WINDOW_ROWS,
    ResultsModel,
    cell_text,
    format_value,
)
from aiser_desktop.ui.results_table import (
    MAX_COLUMN_WIDTH,
    MIN_COLUMN_WIDTH,
    SAMPLE_ROWS,
    FilterDialog,
    ResultsTable,
    tsv_field,
)

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine, ResultHandle

log = logging.getLogger(__name__)

MAX_COPY_ROWS = 100_000  # beyond this, Copy says to export instead
POLL_MS = 50


class ResultsView(QWidget):
    """The results grid with its header bar; see the module docstring for how to use it.

    Signals:
        chart_requested(str): "Chart this" on a column.
        result_changed(object): The handle shown now (sorted/filtered or the query's), or None.
        note(str): A line for the messages pane.
        error(str, object): What failed, and the exception.
        busy_changed(bool): Work on the result started (True) or ended (False).
    """

    chart_requested = Signal(str)
    result_changed = Signal(object)
    note = Signal(str)
    error = Signal(str, object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._base: ResultHandle | None = None
        self._view = View()
        self._job: ResultJob[Any] | None = None
        self._job_done: Callable[[Any], None] | None = None
        self._job_view: View | None = None
        self._exports: list[Any] = []
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_job)

        self.model = ResultsModel(self)
        self.table = ResultsTable()
        self.table.setModel(self.model)
        self.summary = QLabel("")
        self.summary.setObjectName("muted")
        self.view_label = QLabel("")
        self.view_label.setObjectName("muted")
        # A long description must not widen the window: it is cut, and whole in the tooltip.
        self.view_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.view_label.setMinimumWidth(40)
        self.clear_view_button = QToolButton()
        self.clear_view_button.setObjectName("flat")
        self.clear_view_button.setText("Clear sort and filters")
        self.clear_view_button.clicked.connect(self.clear_view)
        self.busy_label = QLabel("")
        self.busy_label.setObjectName("muted")
        self.cancel_button = QToolButton()
        self.cancel_button.setObjectName("flat")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop sorting or filtering")
        self.cancel_button.clicked.connect(self.cancel_work)
        self.export_button = QToolButton()
        self.export_button.setObjectName("flat")
        self.export_button.setText("Export ▾")
        self.export_button.setToolTip("Write every row of the result to a file")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, fmt, _suffix in CHOICES:
            action = menu.addAction(f"{label}…")
            action.triggered.connect(lambda _=False, f=fmt: self.export(f))
        self.export_button.setMenu(menu)

        bar = QHBoxLayout()
        bar.setContentsMargins(10, 4, 6, 4)
        bar.setSpacing(8)
        bar.addWidget(self.summary)
        bar.addWidget(self.view_label, 1)
        bar.addWidget(self.clear_view_button)
        bar.addWidget(self.busy_label)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.export_button)
        self.bar = QWidget()
        self.bar.setLayout(bar)

        self.placeholder = QLabel("Run a query to see its rows here.")
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        grid = QWidget()
        grid_layout = QVBoxLayout(grid)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(0)
        grid_layout.addWidget(self.bar)
        # Over a windowed result (see results_model.WINDOW_ROWS) this bar spans every row and
        # the table's own bar is hidden; the two are kept in step.
        self.row_bar = QScrollBar(Qt.Orientation.Vertical)
        self.row_bar.hide()
        table_row = QHBoxLayout()
        table_row.setContentsMargins(0, 0, 0, 0)
        table_row.setSpacing(0)
        table_row.addWidget(self.table)
        table_row.addWidget(self.row_bar)
        grid_layout.addLayout(table_row)
        self.grid_page = grid
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        header = self.table.horizontalHeader()
        header.sectionClicked.connect(self._header_clicked)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table.customContextMenuRequested.connect(self._cell_menu)
        self.table.copy_requested.connect(self.copy_selection)
        self._syncing = False
        inner = self.table.verticalScrollBar()
        inner.valueChanged.connect(self._table_scrolled)
        inner.rangeChanged.connect(lambda *_: self._sync_row_bar())
        self.row_bar.valueChanged.connect(self._row_bar_moved)
        self._recentre = QTimer(self)
        self._recentre.setSingleShot(True)
        self._recentre.setInterval(0)
        self._recentre.timeout.connect(self._recentre_window)
        self.copy_action = QAction("Copy", self)
        self.copy_action.triggered.connect(lambda: self.copy_selection(False))
        self.copy_headers_action = QAction("Copy with headers", self)
        self.copy_headers_action.triggered.connect(lambda: self.copy_selection(True))
        self._update_bar()

    # ------------------------------------------------------------------ public
    @property
    def handle(self) -> ResultHandle | None:
        """The result shown now: the query's, or a sorted/filtered one made from it."""
        return self.model.handle

    @property
    def base_handle(self) -> ResultHandle | None:
        """The query's own result (what sorting and filtering start from)."""
        return self._base

    @property
    def current_view(self) -> View:
        """The sort and filters applied to the query's result."""
        return self._view

    @property
    def busy(self) -> bool:
        return self._job is not None

    def set_engine(self, engine: Engine | None) -> None:
        """The engine that sorts, filters, profiles and exports (None: those are off)."""
        self._engine = engine
        self._update_bar()

    def set_result(self, handle: ResultHandle | None) -> None:
        """Shows a query's result from its first row, with no sort or filter."""
        self.cancel_work()
        shown = self.handle
        if shown is not None and shown is not self._base and shown is not handle:
            shown.release()  # a sorted copy's file goes as soon as it is not shown
        self._base = handle
        self._view = View()
        self._show(handle, fit=True)

    def clear(self) -> None:
        self.set_result(None)

    def show_message(self, text: str) -> None:
        """Shows ``text`` in place of the grid (and forgets the rows)."""
        self.set_result(None)
        self.placeholder.setText(text)

    def cancel_work(self) -> bool:
        """Stops a running sort, filter or profile; True when something was stopped."""
        job = self._job
        if job is None:
            return False
        job.cancel()
        self._end_job()
        return True

    def sort_by(self, column: str | int | None, descending: bool = False) -> None:
        """Sorts by ``column`` (a name or a position; None: the query's own order), in
        DuckDB."""
        self._apply(View(column, descending, self._view.filters))

    def add_filter(self, item: Filter) -> None:
        """Keeps only the rows where ``item`` holds, besides the filters already set."""
        kept = tuple(f for f in self._view.filters if f != item)
        self._apply(View(self._view.sort, self._view.descending, (*kept, item)))

    def filter_to(self, items: list[Filter]) -> None:
        """Keeps the rows where every item holds, in place of the filters on their columns
        (a click on a chart's bar: the grid shows that bar's rows)."""
        columns = {item.column for item in items}
        kept = tuple(f for f in self._view.filters if f.column not in columns)
        self._apply(View(self._view.sort, self._view.descending, (*kept, *items)))

    def clear_filters(self, column: str | int | None = None) -> None:
        """Removes the filters (of ``column`` only, if given)."""
        kept = tuple(f for f in self._view.filters if column is not None and f.column != column)
        self._apply(View(self._view.sort, self._view.descending, kept))

    def clear_view(self) -> None:
        self._apply(View())

    def export(self, fmt: str, path: str | None = None) -> Any:
        """Exports every row of the result shown; asks for a file when ``path`` is None.

        Returns:
            The export dialog (progress and Cancel), or None when nothing was started.
        """
        handle = self.handle
        if handle is None or self._engine is None:
            return None
        from aiser_desktop.ui.export_dialog import ExportDialog, ask_path

        target = path or ask_path(self, fmt)
        if not target:
            return None
        dialog = ExportDialog(self._engine, handle, target, fmt, self)
        dialog.finished_export.connect(self.note.emit)
        dialog.failed.connect(lambda exc: self.error.emit("The export failed.", exc))
        dialog.start()
        return dialog

    def show_profile(self, column: str | int) -> Any:
        """Opens the profile popup of ``column`` (a name, or a position) under its header;
        returns the popup."""
        handle = self.handle
        if handle is None or self._engine is None:
            return None
        from aiser_desktop.ui.profile_popup import ProfilePopup

        try:
            section = column_index(handle.schema, column)
        except AiserError as exc:
            self.error.emit("The profile was not made.", exc)
            return None
        name = handle.column_names[section]
        header = self.table.horizontalHeader()
        x = header.sectionViewportPosition(section)
        popup = ProfilePopup(self._engine, handle, section, self)
        popup.failed.connect(lambda exc: self.error.emit(f"Profiling {name} failed.", exc))
        popup.show_at(header.mapToGlobal(QPoint(max(0, x), header.height())))
        return popup

    def copy_selection(self, with_headers: bool = False) -> str:
        """Copies the selected cells as tab-separated text (NULL as an empty field).

        A selection over several columns or rows is copied as the rectangle that holds it.
        Returns the text copied ("" when nothing was).
        """
        selection = self.table.selectionModel()
        if selection is None or self.handle is None:
            return ""
        picked = selection.selection()
        ranges: list[QItemSelectionRange] = list(picked)  # type: ignore[call-overload]
        if not ranges:
            current = self.table.currentIndex()
            if not current.isValid():
                return ""
            top = bottom = current.row()
            left = right = current.column()
        else:
            top = min(r.top() for r in ranges)
            bottom = max(r.bottom() for r in ranges)
            left = min(r.left() for r in ranges)
            right = max(r.right() for r in ranges)
        if bottom - top + 1 > MAX_COPY_ROWS:
            self.error.emit(
                "Nothing was copied.",
                AiserError(
                    f"The selection has {bottom - top + 1:,} rows; copying is limited to "
                    f"{MAX_COPY_ROWS:,}.",
                    hint="Use Export to write every row to a file.",
                ),
            )
            return ""
        columns = [
            c for c in range(left, right + 1) if not self.table.isColumnHidden(c)
        ]  # fmt: skip
        lines = []
        if with_headers:
            names = self.handle.column_names
            lines.append("\t".join(tsv_field(names[c]) for c in columns))
        partial = bool(ranges)  # with a selection, cells outside it are left empty
        for row in range(top, bottom + 1):
            fields = []
            for column in columns:
                index = self.model.index(row, column)
                if partial and not selection.isSelected(index):
                    fields.append("")
                    continue
                value = self.model.value(row, column)
                fields.append("" if value is None else tsv_field(format_value(value)))
            lines.append("\t".join(fields))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def autofit(self, column: int | None = None) -> None:
        """Sizes columns to their header and the rows on screen (all columns if None)."""
        columns = range(self.model.columnCount()) if column is None else [column]
        for c in columns:
            self.table.resizeColumnToContents(c)

    def scroll_to_row(self, row: int) -> None:
        """Scrolls so that result row ``row`` (0-based, in the whole result) is at the top."""
        if self.model.windowed:
            self.row_bar.setValue(row)
        else:
            self.table.verticalScrollBar().setValue(row)

    def current_row(self) -> int:
        """The result row of the current cell (in the whole result), or -1."""
        index = self.table.currentIndex()
        return self.model.real_row(index.row()) if index.isValid() else -1

    # ------------------------------------------------------------------ the row window
    def _sync_row_bar(self) -> None:
        """Shows the whole-result bar over a windowed result, at the table's position."""
        model, inner = self.model, self.table.verticalScrollBar()
        windowed = model.windowed
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            if windowed
            else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self.table.setVerticalScrollBarPolicy(policy)
        self.row_bar.setVisible(windowed)
        if not windowed:
            return
        visible = max(1, inner.pageStep())
        self._syncing = True
        try:
            self.row_bar.setRange(0, max(0, model.total_rows - visible))
            self.row_bar.setPageStep(visible)
            self.row_bar.setSingleStep(1)
            self.row_bar.setValue(model.window_start + inner.value())
        finally:
            self._syncing = False

    def _row_bar_moved(self, value: int) -> None:
        """The whole-result bar moved: move the window if the row is outside it."""
        if self._syncing:
            return
        model, inner = self.model, self.table.verticalScrollBar()
        visible = max(1, inner.pageStep())
        start = model.window_start
        if not start <= value <= start + WINDOW_ROWS - visible:
            model.move_window(value - WINDOW_ROWS // 2)
        self._syncing = True
        try:
            inner.setValue(value - model.window_start)
        finally:
            self._syncing = False

    def _table_scrolled(self, value: int) -> None:
        """The table scrolled (wheel, keys): follow it, and re-centre the window near its ends."""
        model = self.model
        if self._syncing or not model.windowed:
            return
        self._syncing = True
        try:
            self.row_bar.setValue(model.window_start + value)
        finally:
            self._syncing = False
        margin = WINDOW_ROWS // 8
        near_top = value < margin and model.window_start > 0
        near_end = (
            value > WINDOW_ROWS - margin and model.window_start + WINDOW_ROWS < model.total_rows
        )
        if near_top or near_end:
            self._recentre.start()  # not inside Qt's own scrolling

    def _recentre_window(self) -> None:
        model, inner = self.model, self.table.verticalScrollBar()
        top = model.window_start + inner.value()
        model.move_window(top - WINDOW_ROWS // 2)
        self._syncing = True
        try:
            inner.setValue(top - model.window_start)
        finally:
            self._syncing = False

    # ------------------------------------------------------------------ showing
    def _show(self, handle: ResultHandle | None, *, fit: bool) -> None:
        self.model.set_result(handle)
        if handle is None:
            self.stack.setCurrentWidget(self.placeholder)
            self.placeholder.setText("Run a query to see its rows here.")
        else:
            self.stack.setCurrentWidget(self.grid_page)
            self.table.scrollToTop()
            if fit:
                self._fit_first_page()
            self._fit_row_numbers(handle.row_count)
        self._sync_row_bar()
        self._update_sort_indicator()
        self._update_bar()
        self.result_changed.emit(handle)

    def _fit_row_numbers(self, rows: int) -> None:
        """The row numbers' width, from the widest one: measured by Qt, it would ask for a
        thousand labels each time the row window moves."""
        header = self.table.verticalHeader()
        widest = header.fontMetrics().horizontalAdvance(f"{max(rows, 1):,}")
        header.setFixedWidth(widest + 20)

    def _fit_first_page(self) -> None:
        """First widths from the header and a sample: the first rows and the last ones (a
        column of growing numbers is widest at its end). Two small pages, read once."""
        handle = self.handle
        if handle is None:
            return
        metrics = self.table.fontMetrics()
        header_metrics = self.table.horizontalHeader().fontMetrics()
        header = self.table.horizontalHeader()
        sample = min(SAMPLE_ROWS, handle.row_count)
        pages = [handle.page(0, sample)]
        if handle.row_count > sample:
            pages.append(handle.page(handle.row_count - sample, sample))
        for column, name in enumerate(handle.column_names):
            widest = header_metrics.horizontalAdvance(name) + 28  # padding and sort arrow
            for page in pages:
                for value in _column_values(page, column):
                    text = cell_text(value)[0]
                    widest = max(widest, metrics.horizontalAdvance(text) + 16)
                    if widest >= MAX_COLUMN_WIDTH:
                        break
            header.resizeSection(column, max(MIN_COLUMN_WIDTH, min(widest, MAX_COLUMN_WIDTH)))

    def _update_bar(self) -> None:
        handle = self.handle
        base = self._base
        if handle is None:
            self.summary.setText("")
        elif base is not None and handle is not base and handle.row_count != base.row_count:
            self.summary.setText(f"{handle.row_count:,} of {base.row_count:,} rows")
        else:
            noun = "row" if handle.row_count == 1 else "rows"
            more = " (more were not fetched)" if handle.truncated else ""
            self.summary.setText(f"{handle.row_count:,} {noun}{more}")
        described = self._view.describe(self._base.column_names if self._base else None)
        self.view_label.setText(described)
        self.view_label.setToolTip(described)
        self.view_label.setVisible(bool(described))
        self.clear_view_button.setVisible(not self._view.is_plain)
        working = self._job is not None
        self.busy_label.setVisible(working)
        self.cancel_button.setVisible(working)
        self.export_button.setEnabled(handle is not None and self._engine is not None)

    def _update_sort_indicator(self) -> None:
        header = self.table.horizontalHeader()
        handle = self._base
        column = self._view.sort
        try:
            section = (
                -1 if handle is None or column is None else column_index(handle.schema, column)
            )
        except AiserError:
            section = -1
        if section < 0:
            header.setSortIndicatorShown(False)
            return
        order = (
            Qt.SortOrder.DescendingOrder if self._view.descending else Qt.SortOrder.AscendingOrder
        )
        header.setSortIndicatorShown(True)
        header.setSortIndicator(section, order)

    # ------------------------------------------------------------------ sort and filter
    def _ref(self, section: int) -> str | int:
        """How a column is named to the core: by name, or by position when two share it."""
        assert self._base is not None
        names = self._base.column_names
        return names[section] if names.count(names[section]) == 1 else section

    def _header_clicked(self, section: int) -> None:
        """First click sorts ascending, the second descending, the third restores the order."""
        if self._base is None:
            return
        column = self._ref(section)
        view = self._job_view or self._view
        if view.sort != column:
            self.sort_by(column, False)
        elif not view.descending:
            self.sort_by(column, True)
        else:
            self.sort_by(None)

    def _apply(self, view: View) -> None:
        base = self._base
        if base is None:
            return
        if self._job is not None:
            self._job.cancel()
            self._end_job()
        if view.is_plain:
            self._set_view(view, base)
            return
        if self._engine is None:
            return
        try:
            job = derive(self._engine, base, view)
        except AiserError as exc:
            self.error.emit("The filter was not applied.", exc)
            return
        self._job_view = view
        text = f"{_verb(view)} {base.row_count:,} rows…"
        self._start_job(job, text, lambda handle: self._derived(view, handle))
        self._update_sort_indicator_for(view)

    def _update_sort_indicator_for(self, view: View) -> None:
        saved = self._view
        self._view = view
        self._update_sort_indicator()
        self._view = saved

    def _derived(self, view: View, handle: ResultHandle) -> None:
        self._set_view(view, handle)
        described = view.describe(handle.column_names).capitalize()
        self.note.emit(f"{described}: {handle.row_count:,} rows in "
                       f"{handle.seconds:.2f} s.")  # fmt: skip

    def _set_view(self, view: View, handle: ResultHandle) -> None:
        shown = self.handle
        self._view = view
        header = self.table.horizontalHeader()
        widths = [header.sectionSize(c) for c in range(header.count())]
        self._show(handle, fit=False)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        if shown is not None and shown is not self._base and shown is not handle:
            shown.release()

    # ------------------------------------------------------------------ jobs
    def _start_job(self, job: ResultJob[Any], text: str, on_done: Callable[[Any], None]) -> None:
        self._job = job
        self._job_done = on_done
        self.busy_label.setText(text)
        self._poll.start()
        self._update_bar()
        self.busy_changed.emit(True)

    def _check_job(self) -> None:
        job = self._job
        if job is None:
            self._poll.stop()
            return
        if not job.done():
            return
        on_done = self._job_done
        self._end_job()
        try:
            outcome = job.result()
        except QueryCancelledError:
            return
        except Exception as exc:
            self._update_sort_indicator()
            self.error.emit(f"{job.what} failed.", exc)
            return
        if on_done is not None:
            on_done(outcome)

    def _end_job(self) -> None:
        self._job = None
        self._job_done = None
        self._job_view = None
        self._poll.stop()
        self._update_sort_indicator()
        self._update_bar()
        self.busy_changed.emit(False)

    # ------------------------------------------------------------------ menus
    def _header_menu(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        section = header.logicalIndexAt(pos)
        if section < 0 or self._base is None:
            return
        self.header_menu(section).popup(header.mapToGlobal(pos))

    def header_menu(self, section: int) -> QMenu:
        """The context menu of a column header (built fresh; tests trigger its actions)."""
        assert self._base is not None
        column = self._ref(section)
        name = self._base.column_names[section]
        can_work = self._engine is not None
        menu = QMenu(self)
        ascending = menu.addAction("Sort ascending", lambda: self.sort_by(column, False))
        descending = menu.addAction("Sort descending", lambda: self.sort_by(column, True))
        clear_sort = menu.addAction("Clear sort", lambda: self.sort_by(None))
        clear_sort.setEnabled(self._view.sort is not None)
        menu.addSeparator()
        filter_action = menu.addAction("Filter…", lambda: self.ask_filter(column))
        has_filter = any(f.column == column for f in self._view.filters)
        clear_filter = menu.addAction("Clear filter", lambda: self.clear_filters(column))
        clear_filter.setEnabled(has_filter)
        menu.addSeparator()
        profile = menu.addAction("Profile", lambda: self.show_profile(column))
        menu.addAction("Chart this", lambda: self.chart_requested.emit(name))
        menu.addSeparator()
        menu.addAction("Auto-fit width", lambda: self.autofit(section))
        for action in (ascending, descending, filter_action, profile):
            action.setEnabled(can_work)
        return menu

    def ask_filter(self, column: str | int, value: str = "") -> FilterDialog:
        """Opens the filter dialog for ``column`` (a name or a position); its OK adds the
        filter."""
        if isinstance(column, str):
            label = column
        else:
            label = self._base.column_names[column] if self._base else f"#{column + 1}"
        dialog = FilterDialog(label, value, self, column=column)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.add_filter(dialog.filter()))
        dialog.open()
        return dialog

    def _cell_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid() or self._base is None:
            return
        self.cell_menu(index.row(), index.column()).popup(self.table.viewport().mapToGlobal(pos))

    def cell_menu(self, row: int, column: int) -> QMenu:
        """The context menu of a cell: copy, and filter by its value."""
        assert self._base is not None
        name = self._ref(column)
        value = self.model.value(row, column)
        menu = QMenu(self)
        menu.addAction(self.copy_action)
        menu.addAction(self.copy_headers_action)
        menu.addSeparator()
        can_work = self._engine is not None
        if value is None:
            actions = [
                menu.addAction("Filter: is NULL", lambda: self.add_filter(Filter(name, "is null"))),
                menu.addAction(
                    "Filter: is not NULL", lambda: self.add_filter(Filter(name, "is not null"))
                ),
            ]
        else:
            shown = cell_text(value)[0]
            shown = shown if len(shown) <= 30 else shown[:29] + "…"
            actions = [
                menu.addAction(
                    f"Filter: = {shown}", lambda: self.add_filter(Filter(name, "=", value))
                ),
                menu.addAction(
                    f"Filter: ≠ {shown}", lambda: self.add_filter(Filter(name, "<>", value))
                ),
            ]
        for action in actions:
            action.setEnabled(can_work)
        return menu


def _column_values(page: Any, column: int) -> list[Any]:
    try:
        return list(page.column(column).to_pylist())
    except (ValueError, OverflowError, ArithmeticError):  # e.g. a date beyond year 9999
        return [str(v) for v in page.column(column)]


def _verb(view: View) -> str:
    if view.filters and view.sort:
        return "Filtering and sorting"
    return "Filtering" if view.filters else "Sorting"
