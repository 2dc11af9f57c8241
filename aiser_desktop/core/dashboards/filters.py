"""The dashboard-wide filters: applied to every tile whose result has the filter's column.

A tile's query is wrapped, never rewritten: ``select * from (<tile sql>) as tile where ...``,
so the tile's own logic (joins, grouping, limits) is untouched and a filter means "keep the
rows of this tile's result where ...". Whether a result has a column is read from the query
with sqlglot (the outermost SELECT's output names; ``*`` expanded from the workspace's catalog
when it is given); when sqlglot cannot tell (a ``*`` over an unknown table), the caller asks
DuckDB to describe the query instead (:func:`aiser_desktop.core.dashboards.refresh.columns_of`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aiser_desktop.core.dashboards.model import DashboardError, DashboardFilter
from aiser_desktop.core.sources.base import quote_ident, sql_string

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Schema = Mapping[str, Mapping[str, str]]  # table -> column -> type, as sqlglot takes it


def single_query(sql: str) -> str:
    """The one SELECT (or WITH, UNION...) statement of ``sql``, without its semicolon.

    Raises:
        DashboardError: It is empty, several statements, or not a query (the message says
            which statement, at which line).
    """
    from aiser_desktop.core.sql.statements import split

    statements = split(sql)
    if not statements:
        raise DashboardError("The tile's query is empty.", hint="Give it a SELECT statement.")
    if len(statements) > 1:
        line = sql.count("\n", 0, statements[1].start) + 1
        raise DashboardError(
            f"The tile's query has {len(statements)} statements (the second starts at line "
            f"{line}).",
            hint="A tile shows one query: keep only the SELECT whose result it shows.",
        )
    text = statements[0].text
    expression = _parse(text)
    if expression is not None and not _is_query(expression):
        raise DashboardError(
            f"A tile shows the result of a query; this is a {expression.key.upper()} statement.",
            hint="Give the tile a SELECT statement.",
        )
    return text


def result_columns(sql: str, schema: Schema | None = None) -> list[str] | None:
    """The names of the columns ``sql`` returns, as sqlglot reads them; None when it cannot
    tell (the query does not parse, or has a ``*`` over a table ``schema`` does not know)."""
    from sqlglot import exp

    expression = _parse(sql)
    if expression is None or not _is_query(expression):
        return None
    if not _has_star(expression):
        return list(expression.named_selects)
    if not schema:
        return None
    try:
        from sqlglot.optimizer.qualify import qualify

        qualified = qualify(
            expression.copy(),
            schema={k: dict(v) for k, v in schema.items()},
            dialect="duckdb",
            validate_qualify_columns=False,
        )
    except Exception:  # sqlglot could not resolve it: DuckDB will say
        return None
    if _has_star(qualified) or not isinstance(qualified, exp.Query):
        return None
    return list(qualified.named_selects)


def applicable(filters: Sequence[DashboardFilter], columns: Sequence[str]) -> list[DashboardFilter]:
    """The active filters whose column is among ``columns`` (case-insensitively)."""
    have = {c.lower() for c in columns}
    return [f for f in filters if f.active and f.column.lower() in have]


def filtered_sql(sql: str, filters: Sequence[DashboardFilter], columns: Sequence[str]) -> str:
    """``sql`` wrapped with a WHERE for each filter that applies to its result ``columns``;
    ``sql`` itself when none applies."""
    chosen = applicable(filters, columns)
    if not chosen:
        return sql
    by_lower = {c.lower(): c for c in columns}
    conditions = [condition(f, by_lower[f.column.lower()]) for f in chosen]
    # The newline keeps a trailing "-- comment" of the tile's SQL from eating the ")".
    return f"select * from (\n{sql}\n) as tile\nwhere " + "\n  and ".join(conditions)


def condition(flt: DashboardFilter, column: str) -> str:
    """The SQL condition of one filter on ``column`` (the result's own spelling)."""
    name = quote_ident(column)
    if flt.kind == "values":
        items = ", ".join(literal(v) for v in flt.values)
        return f"{name} in ({items})"
    parts = []
    if flt.start not in (None, ""):
        parts.append(f"{name} >= {literal(flt.start)}")
    if flt.end not in (None, ""):
        end = flt.end
        if isinstance(end, str) and _DATE_ONLY.match(end.strip()):
            # "to 2013-03-31" includes that whole day for timestamps too.
            parts.append(f"{name} < cast({sql_string(end.strip())} as date) + interval 1 day")
        else:
            parts.append(f"{name} <= {literal(end)}")
    return " and ".join(parts) or "true"


def literal(value: Any) -> str:
    """A filter value as a SQL literal: numbers as numbers, everything else as text (DuckDB
    casts text to the column's type when it compares)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        raise DashboardError(
            "A filter value is empty.", hint="Choose a value, or clear the filter."
        )
    return sql_string(str(value))


def _parse(sql: str) -> Any:
    import sqlglot

    try:
        return sqlglot.parse_one(sql, dialect="duckdb")
    except Exception:
        return None  # DuckDB gives the better message when the tile runs


def _is_query(expression: Any) -> bool:
    from sqlglot import exp

    return isinstance(expression, exp.Query)


def _has_star(expression: Any) -> bool:
    from sqlglot import exp

    selects = expression.selects if hasattr(expression, "selects") else []
    return any(
        isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
        for e in selects
    )
