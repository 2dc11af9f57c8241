"""A chart is a spec: plain, serialisable data saved with its query in state.sqlite.

The spec says what to draw (kind, which columns, how to aggregate, filters, title, colours);
it never holds data. ``core.charts`` turns a spec plus a query into the small Arrow table a
chart needs, and ``ui`` draws it, in the window or headless to PNG and SVG.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from aiser_desktop.core.errors import AiserError

KINDS = ("line", "area", "bar", "scatter", "histogram", "box", "heatmap", "pie", "kpi")
AGGREGATIONS = ("none", "sum", "avg", "count", "count_distinct", "min", "max", "median")
FILTER_OPS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "between", "is null", "not null")


@dataclass
class ChartFilter:
    """Keep the rows where ``column op value`` holds (``in``: a list; ``between``: two values)."""

    column: str
    op: str = "="
    value: Any = None


@dataclass
class ChartSpec:
    """What to draw.

    Attributes:
        kind: One of :data:`KINDS`.
        x: The column along the x axis (category, time or number); for pie, the slices; for
            histogram and box, the column whose distribution is drawn (then ``y`` is empty).
        y: The measures; several make several series.
        series: A column whose values split each measure into series (colour in scatter).
        aggregation: How ``y`` is aggregated per ``x`` (and ``series``); "none" plots the rows.
        filters: Applied to the query's result before anything else.
        title: Shown above the chart; empty means one is made from the columns.
        colours: Series name to a hex colour, for series the person recoloured.
        stacked: Bars and areas stacked rather than grouped/overlaid.
        horizontal: Bars drawn horizontally.
        donut: A pie with a hole.
        size: Scatter: the column that sizes the points.
        y2: Measures drawn against a second y axis on the right.
        bins: Histogram: the number of bins (None: chosen from the data).
        sort: "asc", "desc" (by the first measure) or None (by x).
        limit: At most this many categories (bar, pie); the rest are dropped, and the chart
            says so.
    """

    kind: str
    x: str | None = None
    y: list[str] = field(default_factory=list)
    series: str | None = None
    aggregation: str = "none"
    filters: list[ChartFilter] = field(default_factory=list)
    title: str = ""
    colours: dict[str, str] = field(default_factory=dict)
    stacked: bool = False
    horizontal: bool = False
    donut: bool = False
    size: str | None = None
    y2: list[str] = field(default_factory=list)
    bins: int | None = None
    sort: str | None = None
    limit: int | None = None

    def columns(self) -> list[str]:
        """Every column the spec names, in order, without repeats."""
        named = [self.x, *self.y, self.series, self.size, *self.y2]
        named += [f.column for f in self.filters]
        return list(dict.fromkeys(c for c in named if c))

    def validate(self, available: list[str]) -> None:
        """Checks the spec against a result's columns.

        Raises:
            AiserError: An unknown kind, aggregation, filter operator or column; the message
                names it and lists what is allowed.
        """
        if self.kind not in KINDS:
            raise AiserError(
                f"There is no chart kind {self.kind!r}.", hint=f"Kinds: {', '.join(KINDS)}."
            )
        if self.aggregation not in AGGREGATIONS:
            raise AiserError(
                f"There is no aggregation {self.aggregation!r}.",
                hint=f"Aggregations: {', '.join(AGGREGATIONS)}.",
            )
        for flt in self.filters:
            if flt.op not in FILTER_OPS:
                raise AiserError(
                    f"There is no filter operator {flt.op!r}.",
                    hint=f"Operators: {', '.join(FILTER_OPS)}.",
                )
        lower = {c.lower() for c in available}
        for column in self.columns():
            if column.lower() not in lower:
                raise AiserError(
                    f"The result has no column {column!r} for this chart.",
                    hint=f"Columns: {', '.join(available)}.",
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, with defaults left out so saved specs stay short."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if callable(f.default_factory) else f.default
            if value != default or f.name == "kind":
                out[f.name] = value
        if "filters" in out:
            out["filters"] = [asdict(flt) for flt in self.filters]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChartSpec:
        """The spec saved by :meth:`to_dict` (unknown keys are refused, by name).

        Raises:
            AiserError: Not a chart spec.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown or "kind" not in data:
            what = "unknown keys " + ", ".join(unknown) if unknown else "no kind"
            raise AiserError(
                f"Not a chart spec: {what}.",
                hint=f"A chart spec has: {', '.join(sorted(known))}.",
            )
        values = dict(data)
        if isinstance(values.get("y"), str):
            values["y"] = [values["y"]]
        values["filters"] = [ChartFilter(**f) for f in values.get("filters", [])]
        return cls(**values)
