"""Arrow columns as numbers a plot can place, and axes whose tick labels people read easily.

Everything here works on whole columns with Arrow compute and numpy: a chart's table can hold
tens of thousands of points (about four per pixel column after M4), and a Python loop over
them would be slow. Dates and timestamps become epoch seconds (UTC wall time: a naive
timestamp is shown as stored, never shifted to the machine's time zone).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

MAX_LABEL = 18  # characters of a category label before it is cut with "…"


def column_kind(column: pa.ChunkedArray | pa.Array) -> str:
    """ "time" (dates, timestamps), "number" or "category" (anything else)."""
    kind = column.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return "time"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_boolean(kind):
        return "category"
    if pa.types.is_time(kind) or pa.types.is_duration(kind):
        return "number"
    return "category"


def as_numbers(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The column as float64 (NULL as NaN): numbers as they are, dates and timestamps as epoch
    seconds, times of day and durations as seconds."""
    kind = column.type
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_date32(kind):
        seconds = pc.multiply(column.cast(pa.int32()).cast(pa.float64(), safe=False), 86_400.0)
    elif pa.types.is_date64(kind):
        seconds = pc.divide(column.cast(pa.int64()).cast(pa.float64(), safe=False), 1_000.0)
    elif pa.types.is_timestamp(kind) or pa.types.is_duration(kind) or pa.types.is_time(kind):
        per_second = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[kind.unit]
        width = pa.int32() if kind.bit_width == 32 else pa.int64()
        seconds = pc.divide(column.cast(width).cast(pa.float64(), safe=False), per_second)
    elif pa.types.is_boolean(kind):
        seconds = column.cast(pa.float64(), safe=False)
    else:
        seconds = column.cast(pa.float64(), safe=False)
    values = seconds.to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)


def as_labels(column: pa.ChunkedArray | pa.Array) -> list[str]:
    """The column's values as short text, for category ticks, legends and pie slices.

    Dates at midnight lose their "00:00:00"; NULL reads "(empty)". Only for small columns
    (categories, series): the list is Python strings.
    """
    kind = column.type
    if pa.types.is_decimal(kind):
        column = column.cast(pa.float64(), safe=False)
    if pa.types.is_floating(column.type):
        return [format_number(v) if v is not None else "(empty)" for v in column.to_pylist()]
    text = pc.cast(column, pa.string())
    if pa.types.is_timestamp(kind):
        text = pc.replace_substring_regex(text, pattern=r" 00:00:00(\.0+)?$", replacement="")
    text = pc.fill_null(text, "(empty)")
    return [str(v) for v in text.to_pylist()]


def short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def format_number(value: float, spacing: float | None = None) -> str:
    """A number as people write it: 1,250 · 3.5 · 1.2M · 45k · -0.003.

    Args:
        value: The number.
        spacing: The distance between neighbouring ticks, which decides the decimals shown
            (ticks 0.25 apart need two); None: as many as the value needs, up to four.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    magnitude = abs(value)
    step = abs(spacing) if spacing else 0.0
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if magnitude >= limit and (not step or step >= limit / 100):
            return _trim(f"{value / limit:,.{_decimals(step / limit if step else 0.0)}f}") + suffix
    if magnitude >= 1e4 and (not step or step >= 1e3):
        return _trim(f"{value / 1e3:,.{_decimals(step / 1e3 if step else 0.0)}f}") + "k"
    if step:
        return _trim(f"{value:,.{_decimals(step)}f}")
    if float(value).is_integer():
        return f"{int(value):,}"
    return _trim(f"{value:,.4g}" if magnitude < 1e-3 else f"{value:,.4f}")


def compact(value: float) -> str:
    """A number in at most about five characters: 1.5k, 23k, 1.2M, 0.35."""
    magnitude = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            digits = 1 if magnitude < 10 * limit else 0
            return _trim(f"{value / limit:.{digits}f}") + suffix
    if float(value).is_integer():
        return str(int(value))
    return _trim(f"{value:.2f}" if magnitude < 10 else f"{value:.1f}")


def exact(value: float) -> str:
    """A number in full, for a KPI: 28,135 · 3.14 · 1,234,567 (compact from a billion)."""
    if abs(value) >= 1e9:
        return format_number(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return _trim(f"{value:,.2f}")


def _decimals(step: float) -> int:
    if not step or step >= 1:
        return 1 if step and not float(step).is_integer() else 0
    return min(6, max(0, -math.floor(math.log10(step)) + (0 if _round(step) else 1)))


def _round(step: float) -> bool:
    exponent = math.floor(math.log10(step))
    power: float = 10**exponent
    return abs(step / power - round(step / power)) < 1e-9


def _trim(text: str) -> str:
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class NumberAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph has no type information
    """Tick labels as :func:`format_number` writes them (no "x1e+06" beside the axis)."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        """One level of ticks at a round step (1, 2, 2.5 or 5 times a power of ten), about
        one label per 90 px across and 45 px up: a calm axis, grid lines on labels only."""
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0 or not math.isfinite(span):
            spacing: list[Any] = super().tickSpacing(minVal, maxVal, size)
            return spacing
        across = self.orientation in ("bottom", "top")
        wanted = max(2.0, size / (90.0 if across else 45.0))
        return [(nice_step(span / wanted), 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [format_number(v * scale, spacing * scale) for v in values]


def nice_step(raw: float) -> float:
    """The round step at or above ``raw``: 1, 2, 2.5 or 5 times a power of ten."""
    power: float = 10 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * power * 1.0000001:
            return factor * power
    return 10 * power


class CategoryAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph has no type information
    """Categories at 0, 1, 2...: labels where they fit, every n-th one when they do not.

    Args:
        labels: The category labels, in position order.
    """

    def __init__(self, orientation: str, labels: list[str], **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.labels = [short(label, 2 * MAX_LABEL) for label in labels]
        self.enableAutoSIPrefix(False)

    def set_labels(self, labels: list[str]) -> None:
        self.labels = [short(label, 2 * MAX_LABEL) for label in labels]
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        count = len(self.labels)
        if not count or size <= 0:
            return []
        lo, hi = sorted((minVal, maxVal))  # an inverted axis gives them the other way round
        first, last = max(0, math.ceil(lo)), min(count - 1, math.floor(hi))
        if last < first:
            return []
        shown = last - first + 1
        font = self.style.get("tickFont")
        char = QFontMetricsF(font).averageCharWidth() if font is not None else 6.5
        if self.orientation in ("left", "right"):
            self._chars = MAX_LABEL
            step = max(1, math.ceil(shown * 16.0 / size))
        else:
            fits = int((size / shown - 10.0) / char)  # characters a label may have per line
            widest = min(MAX_LABEL, max(len(label) for label in self.labels[first : last + 1]))
            if fits >= min(widest, 5):
                self._chars, step = min(max(fits, 1), MAX_LABEL), 1
            else:
                self._chars = 10
                step = max(1, math.ceil(shown * (10 * char + 10.0) / size))
        return [(1.0, [float(i) for i in range(first, last + 1, step)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for value in values:
            index = round(value)
            label = self.labels[index] if 0 <= index < len(self.labels) else ""
            if self.orientation in ("left", "right"):  # one line each: rows are tight
                out.append(short(label, 26))
            else:
                out.append(wrap(label, getattr(self, "_chars", MAX_LABEL)))
        self._lines = max((text.count("\n") + 1 for text in out), default=1)
        return out

    def _updateMaxTextSize(self, x: int) -> None:
        # pyqtgraph counts 80% of a label's height, which cuts the second line of a label.
        lines = getattr(self, "_lines", 1)
        super()._updateMaxTextSize(int(x / 0.8) + 2 if lines > 1 else x)


def wrap(label: str, width: int) -> str:
    """``label`` on at most two lines of ``width`` characters (cut with "…" beyond)."""
    if len(label) <= width or width < 4:
        return short(label, max(width, 4))
    import textwrap

    lines = textwrap.wrap(label, width, break_long_words=True, max_lines=2, placeholder="…")
    return "\n".join(lines)


class TimeAxis(pg.DateAxisItem):  # type: ignore[misc]  # pyqtgraph has no type information
    """pyqtgraph's date axis, shown as stored (UTC wall time, no shift to the machine's time
    zone), whose year view also shows every third or sixth month when every month does not
    fit (pyqtgraph's shows years alone, so a year in a narrow chart had two labels)."""

    zoomLevel: Any  # pyqtgraph's current ZoomLevel (set by setZoomLevelForDensity)

    def __init__(self, orientation: str = "bottom", **kwargs: Any) -> None:
        super().__init__(orientation=orientation, utcOffset=0, **kwargs)
        self._years = _year_month_level()

    def setZoomLevelForDensity(self, density: float) -> None:
        from pyqtgraph.graphicsItems import DateAxisItem as module

        super().setZoomLevelForDensity(density)
        if self.zoomLevel is module.YEAR_MONTH_ZOOM_LEVEL:
            self._years.utcOffset = self.utcOffset
            self.zoomLevel = self._years


def _year_month_level() -> Any:
    from pyqtgraph.graphicsItems import DateAxisItem as module

    return module.ZoomLevel(
        [
            module.TickSpec(
                module.YEAR_SPACING, module.makeYStepper(1), "%Y", autoSkip=[1, 5, 10, 25]
            ),
            module.TickSpec(module.MONTH_SPACING, module.makeMStepper(1), "%b", autoSkip=[1, 3, 6]),
        ],
        "YYYY",
    )


def time_axis(orientation: str = "bottom") -> pg.DateAxisItem:
    """A date axis that shows times as stored (see :class:`TimeAxis`)."""
    return TimeAxis(orientation)


def axis_for(kind: str, orientation: str, labels: list[str] | None = None) -> pg.AxisItem:
    """The axis for a column kind: "time", "number" or "category" (with its labels)."""
    if kind == "time":
        return time_axis(orientation)
    if kind == "category":
        return CategoryAxis(orientation, labels or [])
    return NumberAxis(orientation)


def value_text(value: float, kind: str, labels: list[str] | None = None) -> str:
    """One position on an axis as text, for the crosshair's readout."""
    if value is None or not math.isfinite(value):
        return ""
    if kind == "time":
        import datetime as dt

        stamp = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(value))
        if stamp.time() == dt.time(0):
            return stamp.strftime("%Y-%m-%d")
        return stamp.strftime("%Y-%m-%d %H:%M:%S").removesuffix(":00")
    if kind == "category":
        index = round(value)
        return labels[index] if labels and 0 <= index < len(labels) else ""
    return format_number(value)
