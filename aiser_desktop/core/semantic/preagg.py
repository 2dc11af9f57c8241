"""Pre-aggregations: rollups materialised in data.duckdb and read when they cover a query.

A rollup (``pre_aggregations: - name: by_day, measures: [...], dimensions: [...],
time_dimension: ..., granularity: day``) is built as a table in the private schema
``_aiser_semantic`` of data.duckdb, one row per dimension values and time bucket. Measures are
stored so they can be aggregated again: count, sum, min and max as themselves, avg as its sum
and count. count_distinct cannot be re-aggregated, so a rollup serves it only when the query
groups exactly as the rollup does.

A query is served by a rollup when all its measures are of the rollup's cube and stored in it,
its dimensions and filtered members are among the rollup's dimensions, and its time dimension
is the rollup's at the same or a coarser granularity (week only from day or finer), with a
date range on the rollup's bucket boundaries. The compiled SQL then names the rollup's table.

Freshness: each build records the definition it was built from and a stamp of its sources
(each table's row count, and the latest value of the time dimension). Before a query uses a
rollup, the stamp is taken again (at most every ``check_every`` seconds) and the rollup is
rebuilt when either changed. The records live in state.sqlite (``semantic_rollups``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.semantic.compile import (
    CompiledQuery,
    GroupSql,
    _group,
    finish,
    time_sql,
    truncate,
)
from aiser_desktop.core.semantic.filters import (
    filter_condition,
    filter_leaves,
    is_measure_filter,
    range_condition,
)
from aiser_desktop.core.semantic.members import Expander, cast, col, ident
from aiser_desktop.core.semantic.model import Cube, Measure, PreAggregation, SemanticModel
from aiser_desktop.core.semantic.query import Query, TimeDim
from aiser_desktop.core.semantic.store import RollupRow

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection
    from sqlglot import exp

    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

SCHEMA = "_aiser_semantic"
ADDITIVE = frozenset({"count", "sum", "min", "max", "avg"})
_ORDER = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")


def table_name(pre: PreAggregation) -> str:
    return f'{SCHEMA}."{pre.cube}__{pre.name}"'


def derivable(stored: str, wanted: str) -> bool:
    """Whether buckets of ``wanted`` are unions of buckets of ``stored``."""
    if wanted == stored:
        return True
    if _ORDER.index(wanted) < _ORDER.index(stored):
        return False
    if wanted == "week" or stored == "week":
        return _ORDER.index(stored) <= _ORDER.index("day")
    return True


def _aligned(moment: datetime, granularity: str) -> bool:
    from aiser_desktop.core.semantic.query import _period_start

    if granularity in ("second", "minute", "hour"):
        cut = {
            "second": moment.replace(microsecond=0),
            "minute": moment.replace(second=0, microsecond=0),
            "hour": moment.replace(minute=0, second=0, microsecond=0),
        }[granularity]
        return cut == moment
    return _period_start(moment, granularity) == moment


# ---------------------------------------------------------------------- building
def _stored_measures(ex: Expander, pre: PreAggregation) -> list[tuple[str, Measure]]:
    """(column name, measure to aggregate) for each stored column of the rollup."""
    out: list[tuple[str, Measure]] = []
    for full in pre.measures:
        member = ex.model.resolve(full)
        if not isinstance(member, Measure):
            continue
        for leaf in ex.leaves(member):
            if leaf.type == "avg":
                # Renamed, so the two parts get columns of their own.
                parts = [
                    (f"{leaf.full_name}.sum", replace(leaf, type="sum", name=f"{leaf.name}.sum")),
                    (
                        f"{leaf.full_name}.count",
                        replace(leaf, type="count", name=f"{leaf.name}.count"),
                    ),
                ]
            else:
                parts = [(leaf.full_name, leaf)]
            out += [p for p in parts if p[0] not in {c for c, _ in out}]
    return out


def _rollup_query(model: SemanticModel, pre: PreAggregation) -> Query:
    q = Query(limit=None, order=[])
    for full in pre.dimensions:
        dim = model.resolve(full)
        q.dimensions.append((full, dim))  # type: ignore[arg-type]
    if pre.time_dimension:
        td = model.resolve(pre.time_dimension)
        q.time_dimensions.append(TimeDim(pre.time_dimension, td, pre.granularity, None))  # type: ignore[arg-type]
    return q


def _cached_build_sql(model: SemanticModel, pre: PreAggregation) -> str:
    cache = Expander.of(model).compiled
    key = f"rollup:{pre.cube}.{pre.name}"
    if key not in cache:
        cache[key] = build_sql(model, pre)
    return str(cache[key])


def build_sql(model: SemanticModel, pre: PreAggregation) -> str:
    """The SELECT that computes the rollup: a column per dimension, time bucket, measure."""
    from sqlglot import exp

    ex = Expander.of(model)
    q = _rollup_query(model, pre)
    stored = _stored_measures(ex, pre)
    group = _group(ex, q, pre.cube, [m for _, m in stored], 0)
    names = q.dimension_columns()
    outer = exp.select(
        *(exp.alias_(col("g", f"d{k}"), ident(n), copy=False) for k, n in enumerate(names)),
        copy=False,
    )
    aliases = list(group.measures.values())
    for k, (name, _) in enumerate(stored):
        outer = outer.select(exp.alias_(col("g", aliases[k]), ident(name), copy=False), copy=False)
    outer = outer.from_(
        exp.alias_(exp.Subquery(this=group.select), ident("g"), table=True, copy=False), copy=False
    )
    return outer.sql(dialect="duckdb", copy=False)


@dataclass
class BuildResult:
    name: str
    table: str
    rows: int
    seconds: float
    rebuilt: bool


class PreAggregations:
    """The rollups of one workspace: built, checked for freshness and found for queries."""

    def __init__(self, ws: Workspace, check_every: float = 5.0) -> None:
        self.ws = ws
        self.check_every = check_every
        self._checked: dict[str, float] = {}
        self._known: dict[str, RollupRow] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, ws: Workspace) -> PreAggregations:
        """The workspace's instance (one per open workspace)."""
        found = ws.__dict__.get("_preaggregations")
        if found is None:
            found = cls(ws)
            ws.__dict__["_preaggregations"] = found
        return found

    def ready(self, model: SemanticModel, cubes: set[str] | None = None) -> dict[str, str]:
        """Builds missing and stale rollups (of ``cubes``, default all); returns the usable
        ones, ``cube.name -> table``."""
        out: dict[str, str] = {}
        for cube in model.cubes.values():
            if cubes is not None and cube.name not in cubes:
                continue
            for pre in cube.pre_aggregations.values():
                if pre.type != "rollup":
                    continue
                try:
                    self.refresh_one(model, pre, force=False)
                except Exception as exc:  # a broken rollup must not stop the query
                    log.warning("pre-aggregation %s.%s not built: %s", cube.name, pre.name, exc)
                    continue
                out[f"{cube.name}.{pre.name}"] = table_name(pre)
        return out

    def refresh(self, model: SemanticModel, *, force: bool = True) -> list[BuildResult]:
        """Rebuilds every rollup (``force``) or only the missing and stale ones."""
        results = []
        for cube in model.cubes.values():
            for pre in cube.pre_aggregations.values():
                if pre.type == "rollup":
                    results.append(self.refresh_one(model, pre, force=force))
        return results

    def refresh_one(self, model: SemanticModel, pre: PreAggregation, *, force: bool) -> BuildResult:
        """Builds one rollup if ``force``, missing, or stale; otherwise leaves it.

        Between two looks at the sources (``check_every`` seconds) nothing is read: neither
        the sources nor state.sqlite, so a query on a fresh rollup pays for nothing but itself.
        """
        from aiser_desktop.core.semantic.store import get_rollup, save_rollup

        key = f"{pre.cube}.{pre.name}"
        with self._lock:
            sql = _cached_build_sql(model, pre)
            definition = hashlib.sha256(sql.encode()).hexdigest()[:16]
            now = time.monotonic()
            known = self._known.get(key)
            recent = now - self._checked.get(key, -1e9) < self.check_every
            if not force and recent and known is not None and known.definition == definition:
                return BuildResult(key, known.table_name, known.rows, 0.0, False)
            record = get_rollup(self.ws.state, key)
            stamp = self._stamp(model, pre)
            self._checked[key] = now
            if (
                not force
                and record is not None
                and record.definition == definition
                and record.source_stamp == stamp
                and self._exists(pre)
            ):
                self._known[key] = record
                return BuildResult(key, record.table_name, record.rows, 0.0, False)
            started = time.perf_counter()
            table = table_name(pre)

            def build(con: DuckDBPyConnection) -> int:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
                counted = con.execute(f"SELECT count(*) FROM {table}").fetchone()
                return int(counted[0]) if counted else 0

            # On the writer, after the queries before it, and outside the query history.
            rows = self.ws.engine.call(build).result()
            seconds = time.perf_counter() - started
            built_at = datetime.now(UTC)
            save_rollup(self.ws.state, key, table, definition, stamp, rows, seconds, built_at)
            self._known[key] = RollupRow(key, table, definition, stamp, rows, seconds, built_at)
            log.info("built pre-aggregation %s: %d rows in %.2f s", key, rows, seconds)
            return BuildResult(key, table, rows, seconds, True)

    def _exists(self, pre: PreAggregation) -> bool:
        with self.ws.engine.cursor() as cur:
            found = cur.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                [SCHEMA, f"{pre.cube}__{pre.name}"],
            ).fetchone()
        return bool(found and found[0])

    def _stamp(self, model: SemanticModel, pre: PreAggregation) -> str:
        """What the rollup was built from: row counts of its cubes' tables, the latest time."""
        from sqlglot import exp

        ex = Expander.of(model)
        cubes = {pre.cube} | {m.partition(".")[0] for m in pre.dimensions}
        parts: list[Any] = []
        with self.ws.engine.cursor() as cur:
            for name in sorted(cubes):
                cube = model.cubes[name]
                source = _from(cube)
                parts.append([name, cur.execute(f"SELECT count(*) FROM {source}").fetchone()])
            if pre.time_dimension:
                td = model.resolve(pre.time_dimension)
                value = time_sql(ex, td)  # type: ignore[arg-type]
                latest = exp.select(exp.Max(this=value), copy=False).from_(
                    exp.alias_(exp.to_table("t"), ident(pre.cube), table=True, copy=False),
                    copy=False,
                )
                text = latest.sql(dialect="duckdb", copy=False).replace(
                    "FROM t AS", f"FROM {_from(model.cubes[pre.cube])} AS", 1
                )
                parts.append(["latest", str(cur.execute(text).fetchone())])
        sources = {
            s.name: s.refreshed_at.isoformat() if s.refreshed_at else ""
            for s in self.ws.state.sources()
        }
        parts.append(sources)
        return json.dumps(parts, default=str, sort_keys=True)


def _from(cube: Cube) -> str:
    return cube.sql_table if cube.sql_table else f"({cube.sql})"


# ---------------------------------------------------------------------- matching
def compile_from_rollup(
    model: SemanticModel, q: Query, rollups: dict[str, str]
) -> CompiledQuery | None:
    """The query compiled against a rollup that covers it, or None when none does."""
    ex = Expander.of(model)
    leaves: list[Measure] = []
    for _, m in q.measures:
        leaves += ex.leaves(m)
    for leaf in filter_leaves(q.filters):
        if isinstance(leaf.member, Measure):
            leaves += ex.leaves(leaf.member)
    if not leaves or q.segments or any(m.rolling_window for m in leaves):
        return None
    cubes = {m.cube for m in leaves}
    if len(cubes) != 1:
        return None
    cube = model.cubes[cubes.pop()]
    for pre in cube.pre_aggregations.values():
        key = f"{cube.name}.{pre.name}"
        if key in rollups and _covers(ex, pre, q, leaves):
            return _compile(ex, pre, q, rollups[key])
    return None


def _covers(ex: Expander, pre: PreAggregation, q: Query, leaves: list[Measure]) -> bool:
    stored = {name for name, _ in _stored_measures(ex, pre)}
    dims = set(pre.dimensions)
    asked = {d.full_name for _, d in q.dimensions}
    filtered = {
        x.member.full_name for x in filter_leaves(q.filters) if not isinstance(x.member, Measure)
    }
    if not asked <= dims or not filtered <= dims:
        return False
    exact = asked == dims
    for td in q.time_dimensions:
        if td.member.full_name != pre.time_dimension or pre.granularity is None:
            return False
        if td.granularity and not derivable(pre.granularity, td.granularity):
            return False
        if td.range and not all(_aligned(t, pre.granularity) for t in td.range):
            return False
        exact = exact and td.granularity == pre.granularity
    grouped = [td for td in q.time_dimensions if td.granularity]
    if pre.time_dimension and not grouped:
        exact = False
    for leaf in leaves:
        if leaf.type == "avg":
            if f"{leaf.full_name}.sum" not in stored:
                return False
        elif leaf.full_name not in stored or (leaf.type not in ADDITIVE and not exact):
            return False
    return True


def _compile(ex: Expander, pre: PreAggregation, q: Query, table: str) -> CompiledQuery:
    from sqlglot import exp

    time_col = f"{pre.time_dimension}.{pre.granularity}" if pre.time_dimension else ""

    def column(name: str) -> exp.Expr:
        return col("r", name)

    select = exp.select(copy=False).from_(
        exp.alias_(_table(table), ident("r"), table=True, copy=False), copy=False
    )
    dims: list[exp.Expr] = [column(d.full_name) for _, d in q.dimensions]
    for td in q.time_dimensions:
        if td.granularity:
            value = column(time_col)
            if td.granularity != pre.granularity:
                value = truncate(value, td.granularity)
            dims.append(value)
    for k, e in enumerate(dims):
        select = select.select(exp.alias_(e, f"d{k}", copy=False), copy=False)
    aliases: dict[str, str] = {}
    seen: list[Measure] = []
    for _, m in q.measures:
        seen += [x for x in ex.leaves(m) if x not in seen]
    for leaf in filter_leaves(q.filters):
        if isinstance(leaf.member, Measure):
            seen += [x for x in ex.leaves(leaf.member) if x not in seen]
    for j, m in enumerate(seen):
        aliases[m.full_name] = f"m0_{j}"
        select = select.select(
            exp.alias_(_reaggregate(m, column), aliases[m.full_name], copy=False), copy=False
        )
    conds = []
    for f in q.filters:
        if not is_measure_filter(f):
            conds.append(filter_condition(f, lambda leaf: column(leaf.member.full_name)))
    for td in q.time_dimensions:
        if td.range:
            conds.append(range_condition(column(time_col), td.range))
    if conds:
        select = select.where(*conds, copy=False)
    if dims:
        select = select.group_by(*(e.copy() for e in dims), copy=False)
    return finish(ex, q, [GroupSql(select, aliases)], rollup=f"{pre.cube}.{pre.name}")


def _table(name: str) -> exp.Expr:
    """``_aiser_semantic."cube__name"`` as a table, without parsing it."""
    from sqlglot import exp

    schema, _, table = name.partition(".")
    return exp.Table(
        this=exp.to_identifier(table.strip('"'), quoted=True), db=exp.to_identifier(schema)
    )


def _reaggregate(m: Measure, column: Any) -> exp.Expr:
    from sqlglot import exp

    name = m.full_name
    if m.type == "count":
        return cast(exp.Sum(this=column(name)), "BIGINT")
    if m.type == "sum":
        return exp.Sum(this=column(name))
    if m.type == "min":
        return exp.Min(this=column(name))
    if m.type == "avg":
        total = exp.Sum(this=column(f"{name}.sum"))
        count = exp.Sum(this=column(f"{name}.count"))
        return exp.Div(
            this=total, expression=exp.Nullif(this=count, expression=exp.Literal.number(0))
        )
    return exp.Max(this=column(name))  # max; a non-additive measure grouped exactly
