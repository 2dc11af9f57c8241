"""The records of a dashboard, as plain data: what state.sqlite stores and what export reads.

A :class:`Dashboard` is a name, a list of :class:`Tile` placed on a grid of
:data:`GRID_COLUMNS` columns (rows grow downwards), the :class:`DashboardFilter` list applied
to every tile that has the column, and a refresh interval. A :class:`SavedChart` is a chart
spec with its SQL, kept under a name; a chart tile can point at one or carry its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.errors import AiserError

GRID_COLUMNS = 12
TILE_KINDS = ("chart", "kpi", "table", "text")
FILTER_KINDS = ("range", "values")
MAX_NAME = 200


class DashboardError(AiserError):
    """A dashboard, tile or saved chart cannot be made or changed as asked."""


@dataclass(frozen=True)
class DashboardFilter:
    """One filter applied to every tile whose result has ``column``.

    Attributes:
        column: The result column (matched case-insensitively).
        kind: "range" (``start`` <= column <= ``end``; either end may be open) or "values"
            (column is one of ``values``).
        start: The range's first value (a date, a timestamp or a number, as text or number).
        end: The range's last value, included.
        values: The values kept, for "values".
    """

    column: str
    kind: str = "values"
    start: Any = None
    end: Any = None
    values: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in FILTER_KINDS:
            raise DashboardError(
                f"There is no dashboard filter kind {self.kind!r}.",
                hint=f"Kinds: {', '.join(FILTER_KINDS)}.",
            )
        if not self.column.strip():
            raise DashboardError("A dashboard filter needs a column.", hint="Name a column.")

    @property
    def active(self) -> bool:
        """Whether it keeps out anything at all (an empty filter is shown but not applied)."""
        if self.kind == "range":
            return self.start not in (None, "") or self.end not in (None, "")
        return bool(self.values)

    def label(self) -> str:
        """How the filter bar and the export name it: "carrier: AA, UA"."""
        if self.kind == "values":
            shown = ", ".join(str(v) for v in self.values) or "all"
            return f"{self.column}: {shown}"
        start = "…" if self.start in (None, "") else str(self.start)
        end = "…" if self.end in (None, "") else str(self.end)
        return f"{self.column}: {start} to {end}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"column": self.column, "kind": self.kind}
        if self.kind == "range":
            out.update(start=self.start, end=self.end)
        else:
            out["values"] = list(self.values)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DashboardFilter:
        return cls(
            column=str(data.get("column", "")),
            kind=str(data.get("kind", "values")),
            start=data.get("start"),
            end=data.get("end"),
            values=tuple(data.get("values") or ()),
        )


@dataclass(frozen=True)
class Tile:
    """One tile: its place on the grid and what it shows.

    Attributes:
        id: The stored tile's id (None before it is saved).
        kind: "chart", "kpi", "table" or "text".
        title: Shown in the tile's header.
        x, y: The top-left cell (column 0..GRID_COLUMNS-1, row 0...).
        w, h: Width and height in cells.
        chart_id: A chart tile's saved chart, if it uses one.
        sql: The query of a chart (without a saved chart), KPI or table tile.
        spec: The chart spec (``ChartSpec.to_dict()``) of a chart or KPI tile.
        text: A text tile's words (plain text; blank lines separate paragraphs).
    """

    kind: str
    title: str = ""
    x: int = 0
    y: int = 0
    w: int = 4
    h: int = 3
    id: int | None = None
    chart_id: int | None = None
    sql: str | None = None
    spec: dict[str, Any] | None = None
    text: str | None = None

    def check(self) -> None:
        """Raises DashboardError when the tile lacks what its kind needs."""
        if self.kind not in TILE_KINDS:
            raise DashboardError(
                f"There is no tile kind {self.kind!r}.", hint=f"Kinds: {', '.join(TILE_KINDS)}."
            )
        if self.kind == "text":
            return
        if self.kind == "chart" and self.chart_id is not None:
            return
        if not (self.sql or "").strip():
            raise DashboardError(
                f"The {self.kind} tile {self.title!r} has no query.",
                hint="Give it the SQL whose result it shows.",
            )
        if self.kind in ("chart", "kpi"):
            if not self.spec:
                raise DashboardError(
                    f"The {self.kind} tile {self.title!r} has no chart spec.",
                    hint="Add it from a chart, or give it a spec.",
                )
            ChartSpec.from_dict(self.spec)  # raises on a bad spec

    def chart_spec(self) -> ChartSpec | None:
        return ChartSpec.from_dict(self.spec) if self.spec else None

    def moved(self, x: int, y: int, w: int | None = None, h: int | None = None) -> Tile:
        return replace(self, x=x, y=y, w=self.w if w is None else w, h=self.h if h is None else h)


@dataclass(frozen=True)
class Dashboard:
    """A dashboard as stored.

    Attributes:
        refresh_minutes: Refresh every this many minutes while it is open (0: on demand).
    """

    name: str
    tiles: tuple[Tile, ...] = ()
    filters: tuple[DashboardFilter, ...] = ()
    refresh_minutes: int = 0
    id: int | None = None
    updated_at: datetime | None = None

    def tile(self, tile_id: int) -> Tile:
        for tile in self.tiles:
            if tile.id == tile_id:
                return tile
        raise DashboardError(
            f"The dashboard {self.name!r} has no tile {tile_id}.",
            hint="It may have been removed; reopen the dashboard.",
        )


@dataclass(frozen=True)
class SavedChart:
    """A chart kept under a name: its spec (``ChartSpec.to_dict()``) and SQL."""

    id: int
    name: str
    sql: str
    spec: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    def chart_spec(self) -> ChartSpec:
        return ChartSpec.from_dict(self.spec)


def check_name(name: str, what: str) -> str:
    """``name`` with its spaces tidied; DashboardError if empty or too long."""
    name = " ".join(name.split())
    if not name:
        raise DashboardError(f"A {what} needs a name.", hint="Type a name.")
    if len(name) > MAX_NAME:
        raise DashboardError(
            f"That name is {len(name)} characters long; at most {MAX_NAME} fit.",
            hint="Choose a shorter name.",
        )
    return name
