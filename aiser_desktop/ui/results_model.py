"""The results grid's model: an Arrow result shown page by page, never copied whole.

Qt asks for cells as they scroll into view. The model turns only the page that holds a cell
(1,000 rows, sliced from the Arrow table without copying, or read from a big result's file) into
Python values, and keeps the last few pages in a small cache, so memory stays bounded whatever
the result's size.

A view over more than :data:`WINDOW_ROWS` rows sees a *window* of that many rows, starting at
:attr:`ResultsModel.window_start`: Qt measures a table's height in ``int`` pixels, and 100
million rows of 26 pixels overflow it (the view stops responding). The grid
(:mod:`aiser_desktop.ui.results_view`) shows a scroll bar over the whole result and moves the
window as the person scrolls; rows keep their real numbers in the vertical header.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from aiser_desktop.ui import theme

if TYPE_CHECKING:
    from aiser_desktop.core.engine.result import ResultHandle

PAGE_ROWS = 1_000
WINDOW_ROWS = 100_000  # rows Qt sees at most; a bigger result is shown through a window
MAX_PAGES = 16  # at most 16,000 rows held as Python values
MAX_CELL_CHARS = 200  # longer text is cut in the cell; the tooltip has more
MAX_TOOLTIP_CHARS = 4_000
NULL_TEXT = "NULL"

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_EDIT = Qt.ItemDataRole.EditRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_ALIGN = Qt.ItemDataRole.TextAlignmentRole.value
_CELL_ROLES = frozenset({_DISPLAY, _EDIT, _TOOLTIP, _FOREGROUND, _FONT, _ALIGN})
_HEADER_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGN})
_HORIZONTAL = Qt.Orientation.Horizontal
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def format_value(value: Any) -> str:
    """A cell value as text: short, unambiguous, the same for every row of a column."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    if isinstance(value, dt.timedelta):
        return _format_interval(0, value.days, value.seconds * 10**9 + value.microseconds * 1000)
    if type(value).__name__ == "MonthDayNano":  # pyarrow's interval: a named tuple
        return _format_interval(value.months, value.days, value.nanoseconds)
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _format_interval(months: int, days: int, nanoseconds: int) -> str:
    """An interval as DuckDB writes it: ``1 year 2 months 3 days 04:05:06.5``."""
    parts = []
    years, months = divmod(months, 12) if months >= 0 else (-(-months // 12), -(-months % 12))
    for amount, unit in ((years, "year"), (months, "month"), (days, "day")):
        if amount:
            parts.append(f"{amount} {unit}{'' if abs(amount) == 1 else 's'}")
    if nanoseconds or not parts:
        sign = "-" if nanoseconds < 0 else ""
        micros = abs(nanoseconds) // 1000
        seconds, micros = divmod(micros, 1_000_000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        clock = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
        parts.append(clock + (f".{micros:06d}".rstrip("0") if micros else ""))
    return " ".join(parts)


def _format_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e15 or magnitude < 1e-6):
        return f"{value:.6g}"
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def float_decimals(values: list[Any]) -> int:
    """How many decimals show every plain float of ``values`` (at most 6), so that a column's
    numbers line up on their decimal point."""
    decimals = 0
    for value in values:
        if isinstance(value, float) and math.isfinite(value):
            text = _format_float(value)
            if "e" not in text:
                decimals = max(decimals, len(text.partition(".")[2]))
    return decimals


def cell_text(value: Any, decimals: int | None = None) -> tuple[str, bool]:
    """The text shown in a cell and whether it was shortened (newlines shown as ↵).

    Args:
        value: The cell's Python value.
        decimals: For a float column, the decimals of its page (see :func:`float_decimals`).
    """
    if decimals is not None and isinstance(value, float) and math.isfinite(value):
        text = _format_float(value)
        if "e" not in text:
            return f"{value:.{decimals}f}", False
    text = format_value(value)
    shown = text.replace("\r\n", "\n").replace("\n", " ↵ ")
    if len(shown) > MAX_CELL_CHARS:
        return shown[: MAX_CELL_CHARS - 1] + "…", True
    return shown, shown != text


def _is_float(arrow_type: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_floating(arrow_type))


def _is_numeric(arrow_type: Any) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(arrow_type)
        or pa.types.is_floating(arrow_type)
        or pa.types.is_decimal(arrow_type)
    )


class ResultsModel(QAbstractTableModel):
    """A read-only table model over a :class:`ResultHandle`.

    Numbers are right-aligned, NULL is shown in grey italics, long text is cut with its full
    value in the tooltip. Only :data:`MAX_PAGES` pages of :data:`PAGE_ROWS` rows are ever held
    as Python values.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._handle: ResultHandle | None = None
        self._start = 0  # the first row of the window
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        self._numeric: list[bool] = []
        self._floats: list[bool] = []
        self._types: list[str] = []
        self._null_colour = QColor(theme.NULL_TEXT)
        self._null_font = QFont()
        self._null_font.setItalic(True)

    # ------------------------------------------------------------------ content
    @property
    def handle(self) -> ResultHandle | None:
        return self._handle

    def set_result(self, handle: ResultHandle | None) -> None:
        """Shows ``handle`` (or nothing)."""
        self.beginResetModel()
        self._handle = handle
        self._start = 0
        self._pages.clear()
        schema = handle.schema if handle is not None else []
        self._numeric = [_is_numeric(f.type) for f in schema]
        self._floats = [_is_float(f.type) for f in schema]
        self._types = [str(f.type) for f in schema]
        self.endResetModel()

    def clear(self) -> None:
        self.set_result(None)

    @property
    def cached_pages(self) -> int:
        return len(self._pages)

    def value(self, row: int, column: int) -> Any:
        """The Python value of one cell (fetching its page if needed).

        Args:
            row: The row as Qt sees it (within the window).
            column: The column.
        """
        row += self._start
        return self._page(row // PAGE_ROWS).values[column][row % PAGE_ROWS]

    # ------------------------------------------------------------------ the window
    @property
    def total_rows(self) -> int:
        """The rows of the whole result (``rowCount()`` is the window's)."""
        return self._handle.row_count if self._handle is not None else 0

    @property
    def windowed(self) -> bool:
        """True when the result has more rows than Qt is shown at once."""
        return self.total_rows > WINDOW_ROWS

    @property
    def window_start(self) -> int:
        return self._start

    def real_row(self, row: int) -> int:
        """The row of the result that Qt's ``row`` shows."""
        return self._start + row

    def move_window(self, start: int) -> int:
        """Shows the rows from ``start`` on (clamped); returns how far the window moved.

        Selections and the current cell keep pointing at the same result rows (those that
        leave the window are dropped), through Qt's persistent indexes.
        """
        start = max(0, min(start, self.total_rows - WINDOW_ROWS)) if self.windowed else 0
        delta = start - self._start
        if delta == 0:
            return 0
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        new = []
        for index in old:
            row = index.row() - delta
            inside = 0 <= row < WINDOW_ROWS
            new.append(self.index(row, index.column()) if inside else QModelIndex())
        self._start = start
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
        self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, WINDOW_ROWS - 1)
        return delta

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self._handle is None:
            return 0
        return min(self._handle.row_count, WINDOW_ROWS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._handle is None:
            return 0
        return self._handle.column_count

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks for about ten roles per cell per paint, as plain ints: compared as ints
        # (an int against a Qt enum takes ten times longer), the unused ones leave first.
        if role not in _CELL_ROLES or self._handle is None or not index.isValid():
            return None
        if role == _ALIGN:
            return _RIGHT if self._numeric[index.column()] else _LEFT
        row, column = index.row() + self._start, index.column()
        page = self._page(row // PAGE_ROWS)
        value = page.values[column][row % PAGE_ROWS]
        if role == _DISPLAY:
            return cell_text(value, page.decimals[column])[0]
        if role == _EDIT:  # what copying a cell gives: the whole value
            return format_value(value)
        if role == _TOOLTIP:
            if value is None:
                return None
            if not cell_text(value)[1]:
                return None
            full = format_value(value)
            return full if len(full) <= MAX_TOOLTIP_CHARS else full[:MAX_TOOLTIP_CHARS] + "…"
        if value is not None:
            return None
        if role == _FOREGROUND:
            return self._null_colour
        return self._null_font  # FontRole

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._handle is None or role not in _HEADER_ROLES:
            return None
        if orientation == _HORIZONTAL:
            if role == _DISPLAY:
                return self._handle.column_names[section]
            if role == _TOOLTIP:
                return f"{self._handle.column_names[section]}: {self._types[section]}"
            return _RIGHT if self._numeric[section] else _LEFT
        if role == _DISPLAY:
            return f"{section + self._start + 1:,}"
        return _RIGHT if role == _ALIGN else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # ------------------------------------------------------------------ paging
    def _page(self, number: int) -> _Page:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        assert self._handle is not None
        table = self._handle.page(number * PAGE_ROWS, PAGE_ROWS)
        values = [_to_python(column) for column in table.columns]
        decimals = [
            float_decimals(column) if is_float else None
            for column, is_float in zip(values, self._floats, strict=True)
        ]
        page = _Page(values, decimals)
        self._pages[number] = page
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return page


@dataclass(frozen=True)
class _Page:
    """Up to PAGE_ROWS rows as Python values, column by column."""

    values: list[list[Any]]
    decimals: list[int | None]  # per float column: decimals that line its numbers up


def _to_python(column: Any) -> list[Any]:
    """An Arrow column slice as Python values; values Python cannot hold become text."""
    try:
        return list(column.to_pylist())
    except (ValueError, OverflowError, ArithmeticError):
        # e.g. a timestamp beyond year 9999: show DuckDB's text form rather than fail.
        return [None if not s.is_valid else str(s) for s in column]
