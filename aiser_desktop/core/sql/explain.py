"""EXPLAIN and EXPLAIN ANALYZE as a plan a person can read.

DuckDB gives its plan as JSON with ``(FORMAT JSON)``; this draws it as an indented tree, one
operator a line: its name (and table, for a scan), its rows (estimated by the planner for
EXPLAIN; counted, with the estimate beside them where DuckDB gives one, for EXPLAIN
ANALYZE), its own time and share of the total, and the details that explain it (filters,
join conditions, groups) shortened to one line::

    EXPLAIN ANALYZE: 4.4 ms in all, 5 rows returned
    TOP_N  5 rows · 0.02 ms (0%)  Top: 5 · Order By: c DESC
    └─ HASH_GROUP_BY  10 rows · 1.20 ms (27%)  Groups: #0 · Aggregates: count_star()
       └─ HASH_JOIN  99,989 rows · 0.80 ms (18%)  Join Type: INNER · Conditions: g = g
          ├─ SEQ_SCAN t  99,989 rows · 0.30 ms (7%)  Filters: i>10
          └─ SEQ_SCAN u  10 rows · 0.01 ms (0%)

Usage: run ``explain_sql(sql, analyze)`` and give its rows to :func:`readable`, or call
:func:`explain` with a DuckDB connection (on the engine's worker).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

MAX_DETAIL = 90  # characters of one operator's details
_HIDDEN = frozenset({"Estimated Cardinality", "Type", "Table"})


def prefix(analyze: bool) -> str:
    """What goes before a statement to get its plan as JSON."""
    return "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "


def explain_sql(sql: str, analyze: bool = False) -> str:
    """The statement that asks DuckDB for the plan of ``sql`` (EXPLAIN ANALYZE runs it)."""
    return prefix(analyze) + sql.strip().rstrip(";")


def explain(
    con: DuckDBPyConnection,
    sql: str,
    analyze: bool = False,
    params: Mapping[str, Any] | Sequence[Any] | None = None,
) -> str:
    """Runs EXPLAIN (or EXPLAIN ANALYZE) of ``sql`` on ``con`` and returns the plan as text.

    Raises:
        duckdb.Error: DuckDB could not plan (or, with ``analyze``, run) the statement.
    """
    rows = con.execute(explain_sql(sql, analyze), params).fetchall()
    return readable(rows)


def _rows_of(result: Any) -> list[tuple[Any, ...]]:
    if hasattr(result, "to_pylist"):  # an Arrow table
        return [tuple(d.values()) for d in result.to_pylist()]
    if hasattr(result, "rows") and hasattr(result, "row_count"):  # a ResultHandle
        return list(result.rows(0, max(1, int(result.row_count))))
    return [tuple(r) for r in result]


def readable(result: Any) -> str:
    """The plan in ``result`` as an indented tree.

    Args:
        result: The rows of an EXPLAIN statement (``(key, value)`` tuples), an Arrow table of
            them or the engine's result handle. JSON plans (``FORMAT JSON``) are drawn as a
            tree; DuckDB's own text drawing is returned as it is.
    """
    parts = []
    for row in _rows_of(result):
        key, value = (str(row[0]), str(row[1])) if len(row) >= 2 else ("", str(row[0]))
        try:
            plan = json.loads(value)
        except ValueError:
            parts.append(value.rstrip())
            continue
        if key == "analyzed_plan" or isinstance(plan, dict):
            parts.append(_analyzed(plan))
        else:
            parts.append(_estimated(plan))
    return "\n\n".join(parts)


def _number(value: Any) -> int | None:
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def _details(extra: Any) -> str:
    if not isinstance(extra, dict):
        return ""
    shown = []
    for key, value in extra.items():
        if key in _HIDDEN or value in ("", [], None) or "__internal_" in str(value):
            continue  # DuckDB's own compression steps say nothing to a person
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append(f"{key}: {' '.join(text.split())}")
    line = " · ".join(shown)
    return line if len(line) <= MAX_DETAIL else line[: MAX_DETAIL - 1] + "…"


def _label(name: str, extra: Any) -> str:
    table = extra.get("Table") if isinstance(extra, dict) else None
    if not table:
        return name
    parts = str(table).split(".")
    # data.main.sales -> sales (the workspace's own tables); shop.public.orders stays whole.
    if len(parts) == 3 and parts[1] == "main":
        parts = parts[2:]
    return f"{name} {'.'.join(parts)}"


def _tree(
    node: dict[str, Any],
    line: Any,
    out: list[str],
    lead: str = "",
    branch: str = "",
    last: bool = True,
) -> None:
    out.append(f"{lead}{branch}{line(node)}")
    children = [c for c in node.get("children", []) if isinstance(c, dict)]
    if branch:
        lead += "   " if last else "│  "
    for i, child in enumerate(children):
        is_last = i == len(children) - 1
        _tree(child, line, out, lead, "└─ " if is_last else "├─ ", is_last)


def _estimated(plan: Any) -> str:
    roots = plan if isinstance(plan, list) else [plan]

    def line(node: dict[str, Any]) -> str:
        extra = node.get("extra_info", {})
        text = _label(str(node.get("name", "?")), extra)
        estimate = _number(extra.get("Estimated Cardinality")) if isinstance(extra, dict) else None
        if estimate is not None:
            text += f"  ~{_rows(estimate)} (estimated)"
        details = _details(extra)
        return f"{text}  {details}" if details else text

    out = ["EXPLAIN: the plan DuckDB would run, with its estimates of the rows"]
    for root in roots:
        if isinstance(root, dict):
            _tree(root, line, out)
    return "\n".join(out)


def _analyzed(plan: Any) -> str:
    if not isinstance(plan, dict):
        return _estimated(plan)
    total = float(plan.get("latency") or 0.0)
    roots = [c for c in plan.get("children", []) if isinstance(c, dict)]
    # The EXPLAIN_ANALYZE operator wraps the real plan; show what it wraps.
    while len(roots) == 1 and roots[0].get("operator_type") == "EXPLAIN_ANALYZE":
        roots = [c for c in roots[0].get("children", []) if isinstance(c, dict)]
    returned = sum(int(r.get("operator_cardinality") or 0) for r in roots)

    def line(node: dict[str, Any]) -> str:
        extra = node.get("extra_info", {})
        name = str(node.get("operator_name") or node.get("operator_type") or "?").strip()
        text = _label(name, extra)
        rows = int(node.get("operator_cardinality") or 0)
        text += f"  {_rows(rows)}"
        estimate = _number(extra.get("Estimated Cardinality")) if isinstance(extra, dict) else None
        if estimate is not None and estimate != rows:
            text += f" (estimated {estimate:,})"
        timing = float(node.get("operator_timing") or 0.0)
        share = f" ({timing / total:.0%})" if total > 0 else ""
        text += f" · {_ms(timing)}{share}"
        details = _details(extra)
        return f"{text}  {details}" if details else text

    out = [f"EXPLAIN ANALYZE: {_ms(total)} in all, {_rows(returned)} returned"]
    for root in roots:
        _tree(root, line, out)
    return "\n".join(out)
