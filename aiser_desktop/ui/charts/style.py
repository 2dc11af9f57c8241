"""A chart's colours and fonts, from the app's theme (ui/theme.py), light or dark.

The series palette is ten colours that stay apart from each other on a white and on a dark
surface (the accent blue first, then colours that people with the common red-green colour
blindness can still tell apart by lightness). A spec's ``colours`` override it by series name.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont

from aiser_desktop.ui import theme

LIGHT_SERIES = (
    "#2563eb",  # blue (the app's accent)
    "#f59e0b",  # amber
    "#10b981",  # green
    "#ef4444",  # red
    "#8b5cf6",  # violet
    "#06b6d4",  # cyan
    "#ec4899",  # pink
    "#84cc16",  # lime
    "#a16207",  # brown
    "#64748b",  # slate
)
DARK_SERIES = (
    "#5b9bff",
    "#fbbf24",
    "#34d399",
    "#f87171",
    "#a78bfa",
    "#22d3ee",
    "#f472b6",
    "#a3e635",
    "#d4a373",
    "#94a3b8",
)
# Heatmap ramps: from the surface's own colour to a saturated blue, so empty-ish cells fade
# into the background in either theme.
LIGHT_RAMP = ("#f1f5fd", "#bcd3fb", "#6b9cf5", "#2563eb", "#1e3a8a")
DARK_RAMP = ("#1c2433", "#233a63", "#2f5fb8", "#4d8dff", "#b9d3ff")


@dataclass(frozen=True)
class ChartStyle:
    """What a chart is painted with.

    Attributes:
        dark: The dark theme's colours.
        background, text, muted, axis, grid: From the app's theme.
        up, down: A KPI's change, good and bad.
        series: The palette, in order.
        ramp: The heatmap's colour ramp, low to high.
        font_family: The app's UI font family ("" for Qt's default).
        scale: Font scale (a small chart in an agent answer uses smaller type).
    """

    dark: bool
    background: str
    text: str
    muted: str
    axis: str
    grid: str
    up: str
    down: str
    series: tuple[str, ...]
    ramp: tuple[str, ...]
    font_family: str = ""
    scale: float = 1.0

    def colour(self, index: int, name: str = "", overrides: dict[str, str] | None = None) -> str:
        """The colour of series number ``index`` (named ``name``), the spec's own first."""
        if overrides and name in overrides:
            return overrides[name]
        return self.series[index % len(self.series)]

    def qcolour(self, hex_colour: str, alpha: int = 255) -> QColor:
        colour = QColor(hex_colour)
        colour.setAlpha(alpha)
        return colour

    def font(self, points: float, bold: bool = False) -> QFont:
        font = QFont(self.font_family) if self.font_family else QFont()
        font.setPointSizeF(max(6.0, points * self.scale))
        font.setBold(bold)
        return font


def chart_style(mode: str | None = None, *, scale: float = 1.0) -> ChartStyle:
    """The style for ``mode`` ("light" or "dark"; None: the theme shown now)."""
    colours = theme.colours() if mode is None else theme.DARK if mode == "dark" else theme.LIGHT
    dark = colours.name == "dark"
    return ChartStyle(
        dark=dark,
        background=colours.surface,
        text=colours.text,
        muted=colours.muted,
        axis=colours.border,
        grid=colours.grid,
        up=colours.success,
        down=colours.error,
        series=DARK_SERIES if dark else LIGHT_SERIES,
        ramp=DARK_RAMP if dark else LIGHT_RAMP,
        scale=scale,
    )
