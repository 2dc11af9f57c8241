"""Charts drawn headless, to an image or a file: for `aiser chart`, the agent, dashboard
export and the window's own Export.

    render_to_file(chart_data, "flights.png")               # or .svg
    render_to_file((spec, table), "x.svg", theme="dark")
    image = render_image(chart_data, width=480, height=270)  # a QImage

The chart is laid out in a :class:`~aiser_desktop.ui.charts.figure.ChartView` that is never
shown on a screen, then its scene is painted onto a QImage (PNG) or a QSvgGenerator (SVG, so
lines and text stay vectors). With no QApplication yet (the CLI), an offscreen one is made, so
this works on a machine with no display. Call it from the GUI thread when an app runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.errors import AiserError
from aiser_desktop.ui import theme
from aiser_desktop.ui.charts.figure import ChartView, default_title
from aiser_desktop.ui.charts.style import chart_style

FORMATS = (".png", ".svg")
_app: QApplication | None = None  # the offscreen app made here, kept alive


def ensure_app() -> QApplication:
    """The running QApplication, or a new offscreen one when there is none.

    Raises:
        AiserError: A Qt application of another kind runs (a QCoreApplication cannot draw).
    """
    global _app
    app = QCoreApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QApplication(["aiser-chart"])
        theme.base_font(_app)  # the window's text size, so charts look the same everywhere
        return _app
    if not isinstance(app, QApplication):
        raise AiserError(
            "Charts cannot be drawn here: the program runs Qt without widgets.",
            hint="Make a QApplication before drawing charts.",
        )
    return app


def unpack(data: Any) -> tuple[ChartSpec, pa.Table, str]:
    """(spec, table, note) from a ChartData or a (spec, table) pair."""
    if isinstance(data, tuple) and len(data) == 2:
        spec, table = data
        return spec, table, ""
    spec = getattr(data, "spec", None)
    table = getattr(data, "table", None)
    if not isinstance(spec, ChartSpec) or not isinstance(table, pa.Table):
        raise AiserError(
            f"Cannot draw a {type(data).__name__}.",
            hint="Pass a ChartData (core/charts/data.py) or a (ChartSpec, pyarrow.Table) pair.",
        )
    return spec, table, str(getattr(data, "note", "") or "")


def layout_view(
    data: Any, *, width: int, height: int, theme: str = "light", scale: float = 1.0
) -> ChartView:
    """A ChartView with the chart drawn and laid out at ``width`` x ``height``, not shown on
    any screen. The caller closes it (``view.close(); view.deleteLater()``)."""
    ensure_app()
    spec, table, note = unpack(data)
    view = ChartView(style=chart_style(theme, scale=scale))
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(width, height)
    try:
        view.show_chart(spec, table, note=note)
    except BaseException:
        view.close()
        view.deleteLater()
        raise
    # Laid out without being shown (showing would paint it once for nothing): the scene
    # gets the size, then the layout places the title, legend, axes and plot.
    view.setRange(QRectF(0, 0, width, height), padding=0)
    view.ci.setGeometry(QRectF(0, 0, width, height))
    settle(view)
    measure_axes(view)  # axes size themselves to their labels when they first draw them
    settle(view)
    return view


def settle(view: ChartView) -> None:
    for _ in range(2):
        view.ci.layout.activate()
        QApplication.sendPostedEvents()


def measure_axes(view: ChartView) -> None:
    """Lets each axis measure its tick labels (pyqtgraph does it while painting, so a chart
    painted once would keep the first guess and could cut two-line labels)."""
    figure = view.figure
    if figure is None or figure.plot is None:
        return
    scratch = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(scratch)
    try:
        for name in ("bottom", "left", "right"):
            axis = figure.plot.getAxis(name)
            if not axis.isVisible():
                continue
            font = axis.style.get("tickFont")
            if font is not None:
                painter.setFont(font)
            axis.generateDrawSpecs(painter)
            axis.picture = None
    finally:
        painter.end()


def paint(view: ChartView, painter: QPainter, width: int, height: int) -> None:
    """Paints the laid-out chart onto ``painter``'s device, filling ``width`` x ``height``."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, width, height), QColor(view.style_.background))
    view.scene().prepareForPaint()
    area = QRectF(0, 0, width, height)  # scene units are pixels (see layout_view)
    view.scene().render(painter, area, area)


def render_image(
    data: Any,
    *,
    width: int = 960,
    height: int = 540,
    theme: str = "light",
    scale: float = 1.0,
    pixel_ratio: float = 1.0,
) -> QImage:
    """The chart as a QImage of ``width`` x ``height`` (times ``pixel_ratio`` pixels).

    Args:
        data: A ChartData, or a ``(ChartSpec, pyarrow.Table)`` pair in the kind's shape.
        theme: "light" or "dark".
        scale: Font and line scale (0.8 for a small chart).
        pixel_ratio: 2 draws a sharp image for a high-density screen.
    """
    view = layout_view(data, width=width, height=height, theme=theme, scale=scale)
    try:
        image = QImage(
            int(width * pixel_ratio), int(height * pixel_ratio), QImage.Format.Format_ARGB32
        )
        image.setDevicePixelRatio(pixel_ratio)
        painter = QPainter(image)
        try:
            paint(view, painter, width, height)
        finally:
            painter.end()
    finally:
        view.close()
        view.deleteLater()
    return image


def render_to_file(
    data: Any,
    path: str | Path,
    *,
    width: int = 960,
    height: int = 540,
    theme: str = "light",
    scale: float = 1.0,
) -> Path:
    """Writes the chart to ``path``: PNG or SVG, by its suffix.

    Raises:
        AiserError: Another suffix, or the file cannot be written (the message names it).
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise AiserError(
            f"Cannot write a chart to {target.name!r}: unknown format {suffix or '(none)'}.",
            hint="Name the file .png or .svg.",
        )
    if suffix == ".png":
        image = render_image(data, width=width, height=height, theme=theme, scale=scale)
        if not image.save(str(target), "PNG"):  # type: ignore[call-overload]  # stubs want bytes; PySide6 takes only str
            raise _unwritable(target)
        return target
    try:
        target.write_bytes(render_svg(data, width=width, height=height, theme=theme, scale=scale))
    except OSError as exc:
        raise _unwritable(target) from exc
    return target


def render_svg(
    data: Any, *, width: int = 960, height: int = 540, theme: str = "light", scale: float = 1.0
) -> bytes:
    """The chart as SVG text (UTF-8): lines, shapes and text stay vectors."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtSvg import QSvgGenerator

    view = layout_view(data, width=width, height=height, theme=theme, scale=scale)
    store = QByteArray()
    buffer = QBuffer(store)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        spec, _table, _note = unpack(data)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(QSize(width, height))
        generator.setViewBox(QRectF(0, 0, width, height))
        generator.setTitle(default_title(spec))
        generator.setDescription(f"{spec.kind} chart drawn by Aiser Desktop")
        painter = QPainter()
        if not painter.begin(generator):
            raise AiserError("The SVG could not be drawn.")
        try:
            paint(view, painter, width, height)
        finally:
            painter.end()
    finally:
        buffer.close()
        view.close()
        view.deleteLater()
    return bytes(store.data())


def _unwritable(target: Path) -> AiserError:
    return AiserError(
        f"The chart could not be written to {target}.",
        hint="Check that the folder exists and that you may write to it.",
    )
