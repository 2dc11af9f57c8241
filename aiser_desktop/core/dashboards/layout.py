"""The dashboard grid: tiles sit on whole cells, inside the columns, and never overlap.

Pure functions over :class:`Tile` records, shared by the window (dragging, resizing, adding)
and the store (a tile added from the CLI or the agent lands in the first free place). A tile
that lands on others pushes them down, as in gridstack.js; nothing floats up by itself, so a
gap a person leaves stays where they left it.
"""

from __future__ import annotations

from aiser_desktop.core.dashboards.model import GRID_COLUMNS, Tile

MAX_ROWS = 200  # a tile is at most this tall; the grid itself grows without bound
_SIZES = {"chart": (6, 4), "kpi": (3, 2), "table": (6, 4), "text": (4, 2)}


def default_size(kind: str) -> tuple[int, int]:
    """Width and height in cells of a new tile of ``kind``."""
    return _SIZES.get(kind, (4, 3))


def clamp(tile: Tile, columns: int = GRID_COLUMNS) -> Tile:
    """The tile moved and sized to fit the grid: 1..columns wide, inside the columns."""
    w = max(1, min(tile.w, columns))
    h = max(1, min(tile.h, MAX_ROWS))
    x = max(0, min(tile.x, columns - w))
    y = max(0, tile.y)
    return tile.moved(x, y, w, h)


def overlaps(a: Tile, b: Tile) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def place(tiles: list[Tile], index: int, moved: Tile, columns: int = GRID_COLUMNS) -> list[Tile]:
    """Puts ``moved`` at position ``index`` of ``tiles`` and pushes the tiles it lands on down.

    The moved tile keeps its place; the others are settled top to bottom, each moved down
    just below whatever it would overlap, so their order down the page is kept.

    Returns:
        The tiles in the same order, none overlapping.
    """
    out = list(tiles)
    out[index] = clamp(moved, columns)
    placed = [out[index]]
    for i in sorted((i for i in range(len(out)) if i != index), key=lambda i: (out[i].y, out[i].x)):
        tile = out[i]
        while True:
            hit = [p for p in placed if overlaps(tile, p)]
            if not hit:
                break
            tile = tile.moved(tile.x, max(p.y + p.h for p in hit))
        out[i] = tile
        placed.append(tile)
    return out


def next_free(tiles: list[Tile], w: int, h: int, columns: int = GRID_COLUMNS) -> tuple[int, int]:
    """The first cell (scanning rows top to bottom, then columns) where a w x h tile fits."""
    w = max(1, min(w, columns))
    probe = Tile(kind="text", w=w, h=h)
    bottom = max((t.y + t.h for t in tiles), default=0)
    for y in range(bottom + 1):
        for x in range(columns - w + 1):
            candidate = probe.moved(x, y)
            if not any(overlaps(candidate, t) for t in tiles):
                return x, y
    return 0, bottom


def rows_used(tiles: list[Tile] | tuple[Tile, ...]) -> int:
    """How many grid rows the tiles take (0 for none)."""
    return max((t.y + t.h for t in tiles), default=0)
