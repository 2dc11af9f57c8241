"""Writing a refreshed dashboard to a file: self-contained HTML, or PDF drawn with QPdfWriter.

Export is two steps, because Qt draws charts only on the thread that owns the QApplication:

1. :func:`draw_charts` (GUI thread, or the CLI's main thread): each chart tile drawn once,
   as SVG text for HTML and as an image for PDF, by the chart renderer
   (``ui/charts/render.py``);
2. :func:`write_export` (any thread): the HTML text (``core/dashboards/html_export.py``) or
   the PDF pages painted onto a QPdfWriter, then written to the file.

The PDF keeps the dashboard's grid: A4 landscape, tiles where they are in the app, pages
broken between rows of tiles (never through a tile); a band of tiles taller than a page is
scaled to fit.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from aiser_desktop.core.dashboards.html_export import (
    display,
    export_html,
    kpi_parts,
    png_fragment,
    svg_fragment,
)
from aiser_desktop.core.dashboards.model import GRID_COLUMNS, Dashboard, DashboardError, Tile
from aiser_desktop.core.dashboards.refresh import TileResult

log = logging.getLogger(__name__)

PDF_DPI = 96
PDF_ROW_PX = 62  # one grid row on paper
PDF_GAP_PX = 10
PDF_MARGIN_PX = 36
CHART_PX_PER_COLUMN = 88  # the size charts are drawn at for export (about the PDF's cells)
CHART_PX_PER_ROW = 72


@dataclass
class Drawn:
    """The charts of a dashboard, drawn once for export (tile id -> SVG text / image)."""

    svg: dict[int, str] = field(default_factory=dict)
    images: dict[int, QImage] = field(default_factory=dict)


def ensure_app() -> Any:
    """The running QApplication, or a new offscreen one (the CLI has no window)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def draw_charts(
    dashboard: Dashboard, results: dict[int, TileResult], *, svg: bool, images: bool
) -> Drawn:
    """Draws each chart tile that refreshed (on the Qt thread). A chart the renderer cannot
    draw is left out, and the export shows its data as a table instead."""
    ensure_app()
    drawn = Drawn()
    try:
        from aiser_desktop.ui.charts import render
    except ImportError:  # the chart renderer is not installed: tables stand in for charts
        log.warning("no chart renderer; dashboard charts are exported as tables")
        return drawn
    for tile in dashboard.tiles:
        result = results.get(tile.id) if tile.id is not None else None
        if tile.kind != "chart" or result is None or result.chart is None or tile.id is None:
            continue
        width, height = tile.w * CHART_PX_PER_COLUMN, tile.h * CHART_PX_PER_ROW
        try:
            if svg:
                drawn.svg[tile.id] = render.render_svg(
                    result.chart, width=width, height=height
                ).decode("utf-8")
            if images:
                drawn.images[tile.id] = render.render_image(
                    result.chart, width=width, height=height, pixel_ratio=2
                )
        except Exception:
            log.exception("could not draw the chart of tile %r", tile.title)
    return drawn


def write_export(
    dashboard: Dashboard,
    results: dict[int, TileResult],
    path: Path,
    drawn: Drawn | None = None,
) -> Path:
    """Writes ``dashboard`` to ``path`` (.html/.htm or .pdf). Without ``drawn``, the charts
    are drawn here first (which must then be the Qt thread).

    Raises:
        DashboardError: The suffix is not .html or .pdf, or the file cannot be written.
    """
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise DashboardError(
            f"Cannot export a dashboard to {path.name!r}.",
            hint="Choose a file name ending in .html or .pdf.",
        )
    if drawn is None:
        drawn = draw_charts(dashboard, results, svg=suffix != ".pdf", images=suffix == ".pdf")
    try:
        if suffix == ".pdf":
            _write_pdf(dashboard, results, drawn, path)
        else:
            svgs = drawn.svg

            def render(result: TileResult, _w: int, _h: int) -> str | None:
                tile_id = result.tile.id
                if tile_id in svgs:
                    return svg_fragment(svgs[tile_id])
                image = drawn.images.get(tile_id) if tile_id is not None else None
                return png_fragment(_png(image), result.tile.title) if image else None

            text = export_html(dashboard, results, render)
            tmp = path.with_name(path.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    except OSError as exc:
        raise DashboardError(
            f"Cannot write {str(path)!r}: {exc.strerror or exc}.",
            hint="Choose a folder you can write to.",
        ) from exc
    return path


def _png(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs want bytes; PySide6 takes only str
    buffer.close()
    return bytes(data.data())


# ---------------------------------------------------------------------- PDF
def _bands(tiles: list[Tile]) -> list[tuple[int, int]]:
    """The grid cut into bands of rows that no tile crosses: [(first row, end row), ...]."""
    if not tiles:
        return []
    bottom = max(t.y + t.h for t in tiles)
    cuts = [0]
    for row in range(1, bottom):
        if not any(t.y < row < t.y + t.h for t in tiles):
            cuts.append(row)
    cuts.append(bottom)
    bands = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    # Drop bands no tile starts in (empty rows between tiles stay as small gaps).
    return [(a, b) for a, b in bands if any(a <= t.y < b for t in tiles)]


def _write_pdf(
    dashboard: Dashboard, results: dict[int, TileResult], drawn: Drawn, path: Path
) -> None:
    tmp = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setTitle(dashboard.name)
    writer.setCreator("Aiser Desktop")
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(0, 0, 0, 0),
        )
    )
    page = writer.pageLayout().paintRectPixels(PDF_DPI)
    painter = QPainter()
    if not painter.begin(writer):
        raise DashboardError(f"Cannot write the PDF {str(path)!r}.", hint="Check the folder.")
    try:
        paint_pages(
            painter,
            dashboard,
            results,
            drawn,
            float(page.width()),
            float(page.height()),
            writer.newPage,
        )
    finally:
        painter.end()
    tmp.replace(path)


def paint_pages(
    painter: QPainter,
    dashboard: Dashboard,
    results: dict[int, TileResult],
    drawn: Drawn,
    width: float,
    height: float,
    new_page: Callable[[], object],
) -> int:
    """Paints the dashboard on pages of ``width`` x ``height`` (``new_page`` starts the next
    one); returns the number of pages."""
    inner = width - 2 * PDF_MARGIN_PX
    col = (inner - (GRID_COLUMNS - 1) * PDF_GAP_PX) / GRID_COLUMNS
    pages = 1
    top = _header(painter, dashboard, width)
    tiles = list(dashboard.tiles)
    for first, end in _bands(tiles):
        band_h = (end - first) * PDF_ROW_PX + (end - first - 1) * PDF_GAP_PX
        room = height - PDF_MARGIN_PX - top
        if band_h > room and top > PDF_MARGIN_PX + 1:
            new_page()
            pages += 1
            top = PDF_MARGIN_PX
            room = height - 2 * PDF_MARGIN_PX
        scale = min(1.0, room / band_h)
        for tile in (t for t in tiles if first <= t.y < end):
            x = PDF_MARGIN_PX + tile.x * (col + PDF_GAP_PX)
            y = top + (tile.y - first) * (PDF_ROW_PX + PDF_GAP_PX) * scale
            w = tile.w * col + (tile.w - 1) * PDF_GAP_PX
            h = (tile.h * PDF_ROW_PX + (tile.h - 1) * PDF_GAP_PX) * scale
            result = results.get(tile.id) if tile.id is not None else None
            image = drawn.images.get(tile.id) if tile.id is not None else None
            paint_tile(painter, QRectF(x, y, w, h), tile, result, image)
        top += band_h * scale + PDF_GAP_PX
    return pages


def _header(painter: QPainter, dashboard: Dashboard, width: float) -> float:
    import datetime as dt

    font = QFont(painter.font())
    font.setPixelSize(20)
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(QColor("#1f2328"))
    title = QRectF(PDF_MARGIN_PX, PDF_MARGIN_PX, width - 2 * PDF_MARGIN_PX, 28)
    painter.drawText(
        title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, dashboard.name
    )
    font.setPixelSize(11)
    font.setWeight(QFont.Weight.Normal)
    painter.setFont(font)
    painter.setPen(QColor("#6b7280"))
    active = [f.label() for f in dashboard.filters if f.active]
    made = f"{dt.datetime.now():%Y-%m-%d %H:%M}"
    meta = f"{len(dashboard.tiles)} tiles · made with Aiser Desktop on {made}"
    if active:
        meta += " · filtered by " + "; ".join(active)
    painter.drawText(
        QRectF(PDF_MARGIN_PX, PDF_MARGIN_PX + 28, width - 2 * PDF_MARGIN_PX, 18),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        meta,
    )
    return PDF_MARGIN_PX + 56


def paint_tile(
    painter: QPainter,
    rect: QRectF,
    tile: Tile,
    result: TileResult | None,
    image: QImage | None,
) -> None:
    """Paints one tile (frame, title, body) into ``rect``: the PDF's tiles."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#d9dde3"), 1))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(rect, 6, 6)
    body = rect.adjusted(10, 8, -10, -8)
    font = QFont(painter.font())
    font.setPixelSize(12)
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(QColor("#1f2328"))
    chart_image = tile.kind == "chart" and image is not None and not image.isNull()
    if tile.title and not chart_image:  # a chart draws its title itself
        metrics = QFontMetricsF(font)
        title = metrics.elidedText(tile.title, Qt.TextElideMode.ElideRight, body.width())
        painter.drawText(QRectF(body.left(), body.top(), body.width(), 16), title)
        body.setTop(body.top() + 22)
    font.setWeight(QFont.Weight.Normal)
    font.setPixelSize(10)
    painter.setFont(font)
    if tile.kind == "text":
        painter.drawText(body, int(Qt.TextFlag.TextWordWrap), tile.text or "")
    elif result is None or result.error is not None:
        painter.setPen(QColor("#b42318"))
        text = "Not refreshed." if result is None else str(result.error)
        painter.drawText(body, int(Qt.TextFlag.TextWordWrap), text)
    elif tile.kind == "kpi":
        _paint_kpi(painter, body, result)
    elif chart_image and image is not None:
        target = _fit(image.width(), image.height(), body)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, image)
    else:
        _paint_table(painter, body, result)
    painter.restore()


def _fit(w: float, h: float, box: QRectF) -> QRectF:
    scale = min(box.width() / max(w, 1), box.height() / max(h, 1))
    sw, sh = w * scale, h * scale
    return QRectF(box.center().x() - sw / 2, box.center().y() - sh / 2, sw, sh)


def _paint_kpi(painter: QPainter, body: QRectF, result: TileResult) -> None:
    value, change, label, direction = kpi_parts(result)
    font = QFont(painter.font())
    font.setPixelSize(int(min(34, max(16, body.height() * 0.42))))
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(QColor("#1f2328"))
    line = QFontMetricsF(font).height()
    painter.drawText(QRectF(body.left(), body.top(), body.width(), line), value)
    y = body.top() + line + 2
    font.setPixelSize(11)
    font.setWeight(QFont.Weight.Normal)
    painter.setFont(font)
    if change:
        colour = {1: "#067647", -1: "#b42318"}.get(direction, "#6b7280")
        painter.setPen(QColor(colour))
        arrow = {1: "▲ ", -1: "▼ "}.get(direction, "")
        painter.drawText(QRectF(body.left(), y, body.width(), 16), arrow + change)
        y += 16
    if label:
        painter.setPen(QColor("#6b7280"))
        painter.drawText(QRectF(body.left(), y, body.width(), 16), label)


def _paint_table(painter: QPainter, body: QRectF, result: TileResult) -> None:
    table = result.table
    if table is None:
        return
    metrics = QFontMetricsF(painter.font())
    row_h = metrics.height() + 4
    fits = max(0, int(body.height() // row_h) - 1)
    names = table.column_names
    if not names:
        return
    col_w = body.width() / len(names)
    bold = QFont(painter.font())
    bold.setWeight(QFont.Weight.DemiBold)
    painter.setFont(bold)
    painter.setPen(QColor("#1f2328"))
    for i, name in enumerate(names):
        cell = QRectF(body.left() + i * col_w, body.top(), col_w - 6, row_h)
        painter.drawText(
            cell,
            Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, cell.width()),
        )
    painter.setPen(QColor("#eceef1"))
    rule = int(body.top() + row_h)  # whole pixels: drawLine(int, int, int, int)
    painter.drawLine(int(body.left()), rule, int(body.right()), rule)
    normal = QFont(painter.font())
    normal.setWeight(QFont.Weight.Normal)
    painter.setFont(normal)
    painter.setPen(QColor("#1f2328"))
    for r, record in enumerate(table.slice(0, fits).to_pylist()):
        y = body.top() + (r + 1) * row_h
        for i, value in enumerate(record.values()):
            cell = QRectF(body.left() + i * col_w, y, col_w - 6, row_h)
            align = Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignRight
                if isinstance(value, (int, float))
                else Qt.AlignmentFlag.AlignLeft
            )
            text = metrics.elidedText(display(value), Qt.TextElideMode.ElideRight, cell.width())
            painter.drawText(cell, align, text)
