"""A dashboard as one self-contained HTML file: for people without the app.

Nothing in the file points outside it: no script, no web font, no stylesheet or image URL.
Charts are inline SVG (or PNG as a ``data:`` URI) drawn by the ui layer's renderer, which the
caller passes in (the core never imports Qt); tables are HTML tables; KPIs and text are plain
HTML. The grid is CSS grid, with each tile on the cells it has in the app.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from aiser_desktop.core.dashboards.model import GRID_COLUMNS, Dashboard, Tile
from aiser_desktop.core.dashboards.refresh import TABLE_ROWS, TileResult

CELL_HEIGHT_PX = 84
# Renders a chart tile's result into an HTML fragment (inline <svg> or an <img> with a data
# URI); None when it cannot, and the tile then shows its data as a table.
ChartRenderer = Callable[[TileResult, int, int], str | None]

_CSS = """
:root { color-scheme: light; --text:#1f2328; --muted:#6b7280; --border:#d9dde3;
  --surface:#ffffff; --window:#f5f6f8; --accent:#2563eb; --good:#067647; --bad:#b42318; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: var(--window); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
header { margin: 0 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
.meta { color: var(--muted); font-size: 12px; }
.filters span { display: inline-block; margin: 6px 6px 0 0; padding: 2px 10px;
  border: 1px solid var(--border); border-radius: 999px; background: var(--surface);
  font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(COLS, minmax(0, 1fr));
  grid-auto-rows: CELLpx; gap: 12px; }
.tile { background: var(--surface); border: 1px solid var(--border); border-radius: 8px;
  padding: 12px 14px; overflow: hidden; display: flex; flex-direction: column; min-width: 0; }
.tile h2 { font-size: 13px; font-weight: 600; margin: 0 0 8px; color: var(--text); }
.body { flex: 1; min-height: 0; overflow: auto; }
.chart svg, .chart img { width: 100%; height: 100%; object-fit: contain; display: block; }
.kpi .value { font-size: 34px; font-weight: 650; letter-spacing: -0.5px; }
.kpi .change { font-size: 13px; margin-top: 2px; }
.kpi .up { color: var(--good); } .kpi .down { color: var(--bad); }
.kpi .label { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--border); text-align: left;
  white-space: nowrap; }
th { position: sticky; top: 0; background: var(--surface); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: 11px; margin-top: 4px; }
.error { color: var(--bad); font-size: 12px; white-space: pre-wrap; }
.text p { margin: 0 0 8px; }
@media print { body { background: #fff; padding: 0; } .tile { break-inside: avoid; } }
"""


def export_html(
    dashboard: Dashboard,
    results: Mapping[int, TileResult],
    render_chart: ChartRenderer | None = None,
    *,
    made_at: dt.datetime | None = None,
) -> str:
    """The dashboard as an HTML document.

    Args:
        dashboard: What to export (its tiles' places and titles).
        results: Each tile's refreshed result, by tile id.
        render_chart: Draws a chart tile (see :data:`ChartRenderer`); without one, charts
            are shown as their data.
        made_at: The time printed in the header (now, by default).
    """
    made_at = made_at or dt.datetime.now().astimezone()
    tiles = []
    for i, tile in enumerate(dashboard.tiles):
        result = results.get(tile.id if tile.id is not None else i)
        tiles.append(_tile_html(tile, result, render_chart))
    active = [f for f in dashboard.filters if f.active]
    filters = "".join(f"<span>{_e(f.label())}</span>" for f in active)
    css = _CSS.replace("COLS", str(GRID_COLUMNS)).replace("CELLpx", f"{CELL_HEIGHT_PX}px")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(dashboard.name)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(dashboard.name)}</h1>"
        f'<div class="meta">{len(dashboard.tiles)} tiles · made with Aiser Desktop on '
        f"{made_at:%Y-%m-%d %H:%M}</div>"
        + (f'<div class="filters">Filtered by {filters}</div>' if filters else "")
        + '</header>\n<main class="grid">\n'
        + "\n".join(tiles)
        + "\n</main>\n</body>\n</html>\n"
    )


def _tile_html(tile: Tile, result: TileResult | None, render: ChartRenderer | None) -> str:
    style = f"grid-column: {tile.x + 1} / span {tile.w}; grid-row: {tile.y + 1} / span {tile.h};"
    body = _body(tile, result, render)
    drawn = body.startswith('<div class="chart">')  # a chart shows its title itself
    title = f"<h2>{_e(tile.title)}</h2>" if tile.title and not drawn else ""
    kind = "chart" if tile.kind == "chart" else tile.kind
    note = ""
    if result is not None and result.filters:
        note = f'<div class="note">Filtered: {_e("; ".join(result.filters))}</div>'
    return (
        f'<section class="tile {kind}" data-kind="{tile.kind}" style="{style}">{title}'
        f'<div class="body">{body}</div>{note}</section>'
    )


def _body(tile: Tile, result: TileResult | None, render: ChartRenderer | None) -> str:
    if tile.kind == "text":
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", tile.text or "") if p.strip()]
        return "".join(f"<p>{_e(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    if result is None:
        return '<div class="error">Not refreshed.</div>'
    if result.error is not None:
        return f'<div class="error">{_e(str(result.error))}</div>'
    if tile.kind == "kpi":
        return kpi_html(result)
    if tile.kind == "chart":
        fragment = None
        if render is not None:
            fragment = render(result, tile.w * 110, tile.h * CELL_HEIGHT_PX)
        if fragment:
            note = getattr(result.chart, "note", "") or ""
            extra = f'<div class="note">{_e(note)}</div>' if note else ""
            return fragment + extra  # starts with <div class="chart">
    return table_html(result.table, more=result.more_rows)


def kpi_parts(result: TileResult) -> tuple[str, str, str, int]:
    """A KPI's shown value, its change ("+4.2% vs 512"), label and direction (-1, 0, 1)."""
    table = result.table
    if table is None or table.num_rows == 0 or "value" not in table.column_names:
        return "–", "", "", 0
    row = table.slice(0, 1).to_pylist()[0]
    value, previous = row.get("value"), row.get("previous")
    label = str(row.get("label") or "")
    change, direction = "", 0
    if isinstance(value, (int, float, Decimal)) and isinstance(previous, (int, float, Decimal)):
        delta = float(value) - float(previous)
        direction = (delta > 0) - (delta < 0)
        if previous:
            change = f"{delta / abs(float(previous)):+.1%} vs {display(previous)}"
        else:
            change = f"{display(delta)} vs {display(previous)}"
    return display(value), change, label, direction


def kpi_html(result: TileResult) -> str:
    value, change, label, direction = kpi_parts(result)
    arrow = {1: "▲ ", -1: "▼ ", 0: ""}[direction]
    css = {1: "up", -1: "down", 0: ""}[direction]
    out = f'<div class="value">{_e(value)}</div>'
    if change:
        out += f'<div class="change {css}">{arrow}{_e(change)}</div>'
    if label:
        out += f'<div class="label">{_e(label)}</div>'
    return out


def table_html(table: Any, *, more: bool = False) -> str:
    """An Arrow table (at most its first rows) as an HTML table."""
    if table is None:
        return '<div class="error">No data.</div>'
    import pyarrow.types as pat

    shown = table.slice(0, TABLE_ROWS)
    numeric = [
        pat.is_integer(f.type) or pat.is_floating(f.type) or pat.is_decimal(f.type)
        for f in shown.schema
    ]
    head = "".join(f"<th>{_e(n)}</th>" for n in shown.column_names)
    rows = []
    for record in shown.to_pylist():
        cells = "".join(
            f'<td class="num">{_e(display(v))}</td>' if num else f"<td>{_e(display(v))}</td>"
            for v, num in zip(record.values(), numeric, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    note = f'<div class="note">First {TABLE_ROWS} rows.</div>' if more else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def display(value: Any) -> str:
    """A value as a dashboard shows it: 12,345; 3.14; 2013-01-01; NULL as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if number != number:  # NaN
            return "–"
        if abs(number) >= 1000:
            return f"{number:,.0f}"
        return f"{number:,.2f}".rstrip("0").rstrip(".") if number % 1 else f"{number:,.0f}"
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if (value.hour or value.minute)
            else f"{value:%Y-%m-%d}"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def svg_fragment(svg: str) -> str:
    """An SVG document as a fragment to put inline in HTML: no XML prolog, DOCTYPE or
    namespace declarations (an HTML parser puts ``<svg>`` in the SVG namespace by itself),
    so the file holds no URL at all."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.IGNORECASE)
    svg = re.sub(r"""\s+xmlns(:\w+)?\s*=\s*("[^"]*"|'[^']*')""", "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    start = svg.find("<svg")
    return f'<div class="chart">{svg[start:] if start >= 0 else svg}</div>'


def png_fragment(png: bytes, alt: str = "") -> str:
    """A PNG as an ``<img>`` with a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<div class="chart"><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></div>'


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)
