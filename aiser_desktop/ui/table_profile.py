"""A column of a source's table, profiled from the sources tree (its menu's "Profile column").

The grid's profile popup works on a query's result; this one works on a table or view of the
workspace, read where it is: :func:`aiser_desktop.core.insights.profile.profile_column` runs on
a task thread, on a DuckDB cursor of its own (so it neither waits behind the person's query nor
lands in the history), and the bars are the grid's :class:`Histogram`. Closing the window
interrupts the work; a popup closed before its profile came simply ignores it.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from aiser_desktop.ui.profile_popup import Histogram, fill_profile

if TYPE_CHECKING:
    from aiser_desktop.core.insights.profile import ColumnProfile
    from aiser_desktop.ui.session import WorkspaceSession


class TableProfilePopup(QFrame):
    """A popup with a table column's profile.

    Args:
        session: The window's workspace session (it runs the profile on a task thread).
        table: The table's SQL name (``sales``, ``shop.orders``).
        column: The column's name.
        parent: The window.

    Signals:
        failed(object): The profile failed; the exception's ``str()`` is for people.
        ready(object): The profile (a ColumnProfile) is shown.
    """

    failed = Signal(object)
    ready = Signal(object)

    def __init__(
        self, session: WorkspaceSession, table: str, column: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("panel")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = table
        self.column = column
        self.profile: ColumnProfile | None = None
        self._closed = False
        title = QLabel(f"<b>{html.escape(column)}</b>")
        where = QLabel(html.escape(table))
        where.setObjectName("muted")
        self.status = QLabel(f"Profiling {column} of {table}…")
        self.status.setObjectName("muted")
        self.stats = QGridLayout()
        self.stats.setHorizontalSpacing(16)
        self.stats.setVerticalSpacing(2)
        self.histogram_title = QLabel("")
        self.histogram_title.setObjectName("muted")
        self.histogram_title.hide()
        self.histogram = Histogram()
        self.histogram.hide()
        heading = QGridLayout()
        heading.addWidget(title, 0, 0)
        heading.addWidget(where, 0, 1, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        layout.addLayout(heading)
        layout.addWidget(self.status)
        layout.addLayout(self.stats)
        layout.addWidget(self.histogram_title)
        layout.addWidget(self.histogram)
        self.setMinimumWidth(340)
        self.started = session.profile_column(
            table, column, on_done=self._done, on_error=self._failed
        )
        if not self.started:
            self.status.setText("The workspace is not open.")

    def show_at(self, point: QPoint) -> None:
        self.move(point)
        self.show()

    def _done(self, found: Any) -> None:
        if self._closed:
            return
        self.set_profile(found)
        self.ready.emit(found)

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self.status.setText("The profile failed.")
        self.failed.emit(exc)
        self.close()

    def set_profile(self, found: ColumnProfile) -> None:
        """Fills the popup with ``found``."""
        self.profile = found
        self.status.hide()
        fill_profile(self.stats, self.histogram_title, self.histogram, found)
        self.adjustSize()

    def closeEvent(self, event: Any) -> None:
        self._closed = True
        super().closeEvent(event)
