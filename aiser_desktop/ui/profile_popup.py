"""A column's profile in a small popup: counts, range and a histogram drawn with QPainter.

The profile is computed in DuckDB on the engine's worker
(:func:`aiser_desktop.core.insights.profile.profile`); the popup shows "Profiling…" until a 50 ms
timer sees the job end. Closing the popup cancels the work.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QPainter
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from aiser_desktop.core.errors import QueryCancelledError
from aiser_desktop.core.insights.profile import ColumnProfile, profile
from aiser_desktop.ui import theme
from aiser_desktop.ui.results_model import format_value

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine, ResultHandle
    from aiser_desktop.core.engine.derive import ResultJob


def stats_rows(found: ColumnProfile) -> list[tuple[str, str]]:
    """The figures shown above the bars, as (label, value)."""
    approx = "≈ " if found.approximate else ""
    share = f" ({100 * found.nulls / found.rows:.1f} %)" if found.rows else ""
    return [
        ("Rows", f"{found.rows:,}"),
        ("NULL", f"{found.nulls:,}{share}"),
        ("Distinct", f"{approx}{found.distinct:,}"),
        ("Min", "" if found.min is None else _short(format_value(found.min))),
        ("Max", "" if found.max is None else _short(format_value(found.max))),
    ]


def fill_profile(
    stats: QGridLayout, title: QLabel, histogram: Histogram, found: ColumnProfile
) -> None:
    """Shows ``found`` in a profile popup's figures grid and histogram (a result's column or
    a table's)."""
    for number, (name, value) in enumerate(stats_rows(found)):
        label = QLabel(name)
        label.setObjectName("muted")
        shown = QLabel(value)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        stats.addWidget(label, number, 0)
        stats.addWidget(shown, number, 1)
    non_null = found.rows - found.nulls
    unique = found.histogram == "top" and non_null and found.distinct >= non_null
    if found.bins and not unique:
        title.setText("Distribution" if found.histogram == "bins" else "Most common values")
        title.show()
        histogram.set_profile(found)
        histogram.show()
    elif unique:
        title.setText("Every value is different.")
        title.show()


class Histogram(QWidget):
    """Bars of a profile: vertical for bins, horizontal with labels for common values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile: ColumnProfile | None = None
        self.setMinimumSize(QSize(300, 120))

    def set_profile(self, profile: ColumnProfile) -> None:
        self.profile = profile
        if profile.histogram == "top":
            rows = len(profile.bins) + (1 if profile.other else 0)
            self.setMinimumHeight(max(40, rows * (self.fontMetrics().height() + 4)))
        self.update()

    def paintEvent(self, _event: Any) -> None:
        profile = self.profile
        if profile is None or not profile.bins:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if profile.histogram == "bins":
            self._paint_bins(painter, profile)
        else:
            self._paint_top(painter, profile)
        painter.end()

    def _paint_bins(self, painter: QPainter, profile: ColumnProfile) -> None:
        metrics = QFontMetrics(self.font())
        area = QRectF(self.rect()).adjusted(2, 4, -2, -(metrics.height() + 6))
        top = max(b.count for b in profile.bins) or 1
        width = area.width() / len(profile.bins)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.ACCENT))
        for number, item in enumerate(profile.bins):
            height = area.height() * item.count / top
            if item.count and height < 1:
                height = 1
            bar = QRectF(
                area.left() + number * width + 1, area.bottom() - height, width - 2, height
            )
            painter.drawRect(bar)
        painter.setPen(QColor(theme.MUTED))
        baseline = area.bottom() + metrics.ascent() + 4
        first, last = profile.bins[0].label, _upper(profile)
        painter.drawText(QPoint(int(area.left()), int(baseline)), first)
        painter.drawText(
            QPoint(int(area.right() - metrics.horizontalAdvance(last)), int(baseline)), last
        )

    def _paint_top(self, painter: QPainter, profile: ColumnProfile) -> None:
        metrics = QFontMetrics(self.font())
        line = metrics.height() + 4
        items = [(b.label, b.count) for b in profile.bins]
        if profile.other:
            items.append(("(others)", profile.other))
        label_width = min(
            self.width() // 2, max(metrics.horizontalAdvance(text) for text, _ in items) + 8
        )
        count_width = max(metrics.horizontalAdvance(f"{n:,}") for _, n in items) + 8
        bar_room = max(10, self.width() - label_width - count_width)
        top = max(n for _, n in items) or 1
        for number, (text, count) in enumerate(items):
            y = number * line
            painter.setPen(QColor(theme.MUTED if text == "(others)" else theme.TEXT))
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, label_width - 8)
            painter.drawText(QPoint(0, y + metrics.ascent() + 2), shown)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.ACCENT_SOFT if text == "(others)" else theme.ACCENT))
            width = max(1.0, bar_room * count / top)
            painter.drawRoundedRect(QRectF(label_width, y + 3, width, line - 6), 2, 2)
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QPoint(int(label_width + width + 4), y + metrics.ascent() + 2), f"{count:,}"
            )


def _upper(profile: ColumnProfile) -> str:
    last = profile.bins[-1]
    return format_value(last.high) if last.high is not None else last.label


class ProfilePopup(QFrame):
    """The popup under a column header.

    Signals:
        failed(object): The profile failed; the exception's ``str()`` is for people.
    """

    failed = Signal(object)

    def __init__(
        self,
        engine: Engine,
        handle: ResultHandle,
        column: str | int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("panel")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        field = handle.schema.field(column)
        self.column = field.name
        self.profile: ColumnProfile | None = None
        self._anchor = QPoint(0, 0)
        title = QLabel(f"<b>{html.escape(field.name)}</b>")
        kind = str(field.type)
        self.type_label = QLabel(kind)
        self.type_label.setObjectName("muted")
        self.status = QLabel(f"Profiling {handle.row_count:,} rows…")
        self.status.setObjectName("muted")
        self.stats = QGridLayout()
        self.stats.setHorizontalSpacing(16)
        self.stats.setVerticalSpacing(2)
        self.histogram = Histogram()
        self.histogram.hide()
        self.histogram_title = QLabel("")
        self.histogram_title.setObjectName("muted")
        self.histogram_title.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        heading = QGridLayout()
        heading.addWidget(title, 0, 0)
        heading.addWidget(self.type_label, 0, 1, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(heading)
        layout.addWidget(self.status)
        layout.addLayout(self.stats)
        layout.addWidget(self.histogram_title)
        layout.addWidget(self.histogram)
        self.setMinimumWidth(340)
        self.job: ResultJob[ColumnProfile] | None = profile(engine, handle, column)
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def show_at(self, point: QPoint) -> None:
        """Shows the popup at ``point`` (global), kept inside the screen as it grows."""
        self._anchor = point
        self.show()
        self._place()
        self._poll()

    def _place(self) -> None:
        point = self._anchor
        self.adjustSize()
        screen = QGuiApplication.screenAt(point) or QGuiApplication.primaryScreen()
        if screen is None:
            self.move(point)
            return
        room = screen.availableGeometry()
        x = max(room.left(), min(point.x(), room.right() - self.width()))
        y = max(room.top(), min(point.y(), room.bottom() - self.height()))
        self.move(x, y)

    def _poll(self) -> None:
        job = self.job
        if job is None or not job.done():
            return
        self._timer.stop()
        self.job = None
        try:
            self.set_profile(job.result())
        except QueryCancelledError:
            self.close()
        except Exception as exc:
            self.status.setText("The profile failed.")
            self.failed.emit(exc)
            self.close()

    def set_profile(self, found: ColumnProfile) -> None:
        """Fills the popup with ``found``."""
        self.profile = found
        self.status.hide()
        fill_profile(self.stats, self.histogram_title, self.histogram, found)
        if self.isVisible():
            self._place()

    def closeEvent(self, event: Any) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self._timer.stop()
        super().closeEvent(event)


def _short(text: str) -> str:
    return text if len(text) <= 48 else text[:47] + "…"
