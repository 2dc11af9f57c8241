"""What the insight modules share: names in SQL, column kinds, samples and findings.

Every check screens a table in DuckDB SQL; beyond :data:`SAMPLE_ABOVE` rows it screens a
uniform sample of about :data:`SAMPLE_ROWS` rows instead (the sample's size is stated in what
it returns), and the numbers a person reads come from targeted queries on all rows, whose SQL
travels with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.insights.profile import kind_of

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

SAMPLE_ABOVE = 1_000_000  # tables above this many rows are screened on a sample
SAMPLE_ROWS = 200_000  # of about this many rows
_NAMES = itertools.count(1)


def quote(name: str) -> str:
    """A column name as written in SQL (always quoted: any text works)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A value as a SQL literal (numbers as they are, the rest as quoted text)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    """A column of a relation: its name, DuckDB type and kind (see ``profile.kind_of``)."""

    name: str
    type: str
    kind: str


def columns_of(con: DuckDBPyConnection, relation: str) -> list[Column]:
    """The columns of ``relation`` (a table or view name, or a subquery in parentheses)."""
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return [Column(str(r[0]), str(r[1]), kind_of(str(r[1]))) for r in described]


def find_column(columns: list[Column], name: str, relation: str) -> Column:
    """The column called ``name`` (any case).

    Raises:
        AiserError: There is none; the message lists the columns.
    """
    for column in columns:
        if column.name.lower() == name.lower():
            return column
    raise AiserError(
        f"{relation} has no column {name!r}.",
        hint=f"Columns: {', '.join(c.name for c in columns)}.",
    )


def count_rows(con: DuckDBPyConnection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Scope:
    """Where a screen reads: the relation itself, or a sample of it.

    Attributes:
        relation: What to write after FROM.
        rows: Rows in the whole relation.
        sample: Rows in the sample, or 0 when every row is read.
    """

    relation: str
    rows: int
    sample: int = 0

    @property
    def read(self) -> int:
        """Rows the screen reads."""
        return self.sample or self.rows

    def stated(self) -> str:
        """For people: "all 336,776 rows" or "a sample of 200,000 of 10,000,000 rows"."""
        if self.sample:
            return f"a sample of {self.sample:,} of {self.rows:,} rows"
        return f"all {self.rows:,} rows"


@contextmanager
def screened(
    con: DuckDBPyConnection,
    relation: str,
    rows: int | None = None,
    limit: int = SAMPLE_ROWS,
    above: int = SAMPLE_ABOVE,
) -> Iterator[Scope]:
    """A :class:`Scope` over ``relation``: the relation up to ``above`` rows, else a uniform
    sample of about ``limit`` rows kept in a temporary table for the block (so every screen of
    the block reads the same sample).
    """
    total = count_rows(con, relation) if rows is None or rows < 0 else rows
    if total <= max(limit, above):
        yield Scope(relation, total)
        return
    # Bernoulli sampling streams (each row kept with the same chance): ten times faster than
    # a reservoir of exactly ``limit`` rows, which must see every row before it is done. The
    # sample is a temporary table of this connection (a cursor is a connection of its own),
    # which DuckDB allows even inside a read-only transaction.
    share = 100.0 * limit / total
    name = f"_aiser_sample_{next(_NAMES)}"
    con.execute(
        f"CREATE TEMP TABLE {name} AS SELECT * FROM {relation} "
        f"USING SAMPLE {share:.6f}% (bernoulli)"
    )
    try:
        yield Scope(f"temp.{name}", total, count_rows(con, f"temp.{name}"))
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


@dataclass
class Finding:
    """Something worth a look, with the evidence to check it.

    Attributes:
        kind: What sort ("missing", "duplicates", "outliers", "impossible", "orphans",
            "spike", "level_shift", "trend", "seasonality", "concentration", ...).
        table: The table, as written in SQL.
        headline: One sentence for people, with the number in it.
        numbers: The number(s) behind the headline, by name.
        sql: A query that reproduces the numbers on all rows.
        chart: A chart spec (``core/charts/spec.py`` ChartSpec as a dict) of ``chart_sql``'s
            result, or None.
        chart_sql: The query the chart draws (often ``sql`` itself).
        score: How much it deserves a look (higher first); comparable across kinds.
        detail: A sentence or two more (how it was found, what to do).
        column: The column it is about, when one.
    """

    kind: str
    table: str
    headline: str
    numbers: dict[str, Any]
    sql: str
    chart: dict[str, Any] | None = None
    chart_sql: str = ""
    score: float = 0.0
    detail: str = ""
    column: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def chart(kind: str, x: str, y: list[str] | str, title: str, **more: Any) -> dict[str, Any]:
    """A checked chart spec as plain data."""
    from aiser_desktop.core.charts.spec import ChartSpec

    spec = ChartSpec(kind=kind, x=x, y=[y] if isinstance(y, str) else list(y), title=title)
    for key, value in more.items():
        setattr(spec, key, value)
    return spec.to_dict()


def percent(part: float, whole: float) -> float:
    """``part`` of ``whole`` in percent, rounded to what people read (0 for an empty whole)."""
    if not whole:
        return 0.0
    share = 100.0 * part / whole
    return round(share, 1) if abs(share) >= 0.1 else round(share, 3)


def pct_text(share: float) -> str:
    """12.3 -> "12.3%"; tiny shares keep their digits ("0.004%")."""
    return f"{share:g}%"


def plain(value: Any) -> Any:
    """A value as plain JSON data: numbers (NaN as None), text, lists and dicts; dates and
    times as ISO text; numpy numbers as Python numbers; anything else as its text."""
    import datetime as dt
    import decimal
    import math

    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, decimal.Decimal):
        return plain(float(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return plain(value.item())
    return str(value)
