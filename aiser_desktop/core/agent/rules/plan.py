"""The structured form of an interpreted question: what to measure, how to group, filter,
rank and compare. It is plain data (``to_dict``/``from_dict``), kept in
``Interpretation.details`` so a follow-up can change one part of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from aiser_desktop.core.agent.rules.periods import Period


@dataclass(frozen=True)
class Step:
    """One many-to-one join: ``table.columns`` -> ``other.other_columns``."""

    table: str
    columns: tuple[str, ...]
    other: str
    other_columns: tuple[str, ...]


@dataclass(frozen=True)
class ColRef:
    """A column, reached from the main table through ``path`` (empty for its own)."""

    table: str
    column: str
    path: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Measure:
    """An aggregate: ``agg`` of ``column`` ("count" with no column counts rows; "share" is
    the percentage of rows meeting the plan's ``share`` conditions; "value" is the column
    itself, for listings)."""

    agg: str  # count, count_distinct, sum, avg, min, max, median, share, value, expr
    column: ColRef | None = None
    expression: str = ""  # "expr": a glossary term's SQL ("sum(price*qty)"), main table's
    label: str = ""  # "expr": the term ("revenue")


@dataclass(frozen=True)
class Dimension:
    """A grouping: a column, or a time grain over the table's dates."""

    column: ColRef | None = None
    grain: str | None = None  # day, week, month, quarter, year, hour, weekday


@dataclass(frozen=True)
class Filter:
    """``column op values``: op is "=", "in", ">", ">=", "<", "<=" or "not null"; "sql" is
    a glossary term's condition, ``values`` = (its SQL, the term)."""

    column: ColRef
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class TimeAxis:
    """Where a table keeps its dates: a date or timestamp column, or integer year, month
    and day columns (the data's own calendar, preferred when present)."""

    table: str = ""
    path: tuple[Step, ...] = ()  # from the main table, when the dates are in a linked one
    column: str | None = None
    kind: str = "date"  # date, timestamp, text (cast), parts
    year: str | None = None
    month: str | None = None
    day: str | None = None
    hour: str | None = None
    first: str | None = None  # ISO dates the data covers
    last: str | None = None


@dataclass
class Plan:
    """An interpreted question.

    Attributes:
        table: The main table's SQL name.
        measures: What to compute (usually one).
        dimensions: How to group.
        filters: Conditions on columns.
        period: A time filter, or None.
        compare: Periods compared with each other (one row each), or empty.
        axis: The main table's dates, when time is used.
        order: "desc", "asc" or "" (ranking by the first measure); "time" for trends.
        limit: Rows to keep, or None.
        exclude_null_groups: Leave out groups whose key is NULL (rankings).
        rows: Columns to list row by row (a listing, no aggregate); ``*`` for all.
        share: The conditions whose share of rows a "share" measure gives.
    """

    table: str
    measures: list[Measure] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    period: Period | None = None
    compare: list[Period] = field(default_factory=list)
    axis: TimeAxis | None = None
    order: str = ""
    limit: int | None = None
    exclude_null_groups: bool = False
    rows: list[ColRef] = field(default_factory=list)
    share: list[Filter] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain JSON-able data (kept in ``Interpretation.details``)."""
        data = asdict(self)
        for measure in data["measures"]:  # a glossary term's fields only when it has them
            for key in ("expression", "label"):
                if not measure[key]:
                    del measure[key]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """The plan :meth:`to_dict` gave."""

        def steps(items: Any) -> tuple[Step, ...]:
            return tuple(
                Step(s["table"], tuple(s["columns"]), s["other"], tuple(s["other_columns"]))
                for s in items or ()
            )

        def col(d: dict[str, Any] | None) -> ColRef | None:
            if not d:
                return None
            return ColRef(d["table"], d["column"], steps(d.get("path")))

        def period(d: dict[str, Any] | None) -> Period | None:
            if not d:
                return None
            return Period(
                tuple(d.get("years", ())),
                tuple(d.get("months", ())),
                d.get("day"),
                d.get("start"),
                d.get("end"),
                d.get("relative", ""),
                d.get("label", ""),
            )

        axis = data.get("axis")

        def filters_of(items: Any) -> list[Filter]:
            found = []
            for f in items or ():
                ref = col(f["column"])
                if ref is not None:
                    found.append(Filter(ref, f["op"], tuple(f["values"])))
            return found

        filters = filters_of(data.get("filters"))
        return cls(
            table=data["table"],
            measures=[
                Measure(m["agg"], col(m.get("column")), m.get("expression", ""), m.get("label", ""))
                for m in data.get("measures", [])
            ],
            dimensions=[
                Dimension(col(d.get("column")), d.get("grain")) for d in data.get("dimensions", [])
            ],
            filters=filters,
            period=period(data.get("period")),
            compare=[p for p in (period(x) for x in data.get("compare", [])) if p],
            axis=TimeAxis(**{**axis, "path": steps(axis.get("path"))}) if axis else None,
            order=data.get("order", ""),
            limit=data.get("limit"),
            exclude_null_groups=bool(data.get("exclude_null_groups", False)),
            rows=[r for r in (col(x) for x in data.get("rows", ())) if r is not None],
            share=filters_of(data.get("share")),
        )
