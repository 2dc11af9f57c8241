"""A semantic query compiled to DuckDB SQL, built as sqlglot expressions.

The plan follows Cube's. Measures are grouped by the cube they aggregate (and by rolling window).
Each group is one subquery keyed by the query's dimensions, rooted at the measure's cube and
joined outward along declared joins to the cubes its dimensions, filters and segments need.
When such a join can repeat the root's rows (a one_to_many join seen from the root), the group
first takes the DISTINCT (primary key, dimensions) pairs and joins the root back on its primary
key, so a measure on the "one" side is never multiplied by the join. The groups are then
joined on the dimensions (a full outer join when there are several), where number measures
over other measures, measure filters, order and limit are applied.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.semantic.filters import (
    filter_condition,
    filter_leaves,
    is_measure_filter,
    range_condition,
    ts,
)
from aiser_desktop.core.semantic.members import (
    Expander,
    add_join,
    cast,
    col,
    ident,
    table_expr,
)
from aiser_desktop.core.semantic.model import Dimension, Measure, SemanticModel
from aiser_desktop.core.semantic.query import (
    Query,
    SemanticQueryError,
    TimeDim,
    parse_query,
)

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass
class CompiledQuery:
    """The SQL of a semantic query.

    Attributes:
        sql: DuckDB SQL.
        columns: The result's column names: member names (``orders.count``, and
            ``orders.created_at.month`` for a time dimension with a granularity).
        pre_aggregation: The rollup the SQL reads (``orders.by_day``), or None.
    """

    sql: str
    columns: list[str]
    pre_aggregation: str | None = None
    query: Query | None = field(default=None, repr=False)


@dataclass
class GroupSql:
    """One aggregated subquery: its SELECT, and the columns it gives each leaf measure."""

    select: exp.Select
    measures: dict[str, str]  # leaf measure full name -> column alias


def compile_query(
    model: SemanticModel,
    query: dict[str, Any] | Query,
    *,
    now: datetime | None = None,
    rollups: dict[str, str] | None = None,
) -> CompiledQuery:
    """Compiles a Cube ``/load`` query to DuckDB SQL.

    Args:
        now: The moment relative date ranges count from (default: now).
        rollups: Built pre-aggregations, ``"cube.name" -> table``; one that covers the query
            is read instead of the raw tables.

    Raises:
        SemanticQueryError: the query does not fit the model (the message says how).

    The SQL of the last few hundred queries is kept per model, so a dashboard that asks the
    same thing again skips the work.
    """
    q = query if isinstance(query, Query) else parse_query(model, query, now)
    cache = Expander.of(model).compiled
    key = _cache_key(query, q, rollups) if isinstance(query, dict) else ""
    hit = cache.get(key) if key else None
    if hit is not None:
        return CompiledQuery(hit.sql, list(hit.columns), hit.pre_aggregation, q)
    compiled = _compile(model, q, rollups)
    if key:
        if len(cache) >= CACHE_SIZE:
            # Another thread may be trimming too (the UI's worker and the agent's).
            with contextlib.suppress(RuntimeError, StopIteration, KeyError):
                cache.pop(next(iter(cache)))
        cache[key] = compiled
    return compiled


CACHE_SIZE = 512


def _cache_key(raw: dict[str, Any], q: Query, rollups: dict[str, str] | None) -> str:
    """The query's JSON plus what ``now`` resolved it to (relative date ranges) and the
    rollups on offer: two calls with the same key compile to the same SQL."""
    import json

    try:
        text = json.dumps(raw, sort_keys=True)
    except (TypeError, ValueError):
        return ""
    ranges = [td.range for td in q.time_dimensions]
    values = [leaf.values for leaf in filter_leaves(q.filters)]
    return f"{text}|{ranges!r}|{values!r}|{sorted((rollups or {}).items())!r}"


def _compile(model: SemanticModel, q: Query, rollups: dict[str, str] | None) -> CompiledQuery:
    if rollups:
        from aiser_desktop.core.semantic.preagg import compile_from_rollup

        compiled = compile_from_rollup(model, q, rollups)
        if compiled is not None:
            return compiled
    ex = Expander.of(model)
    leaves: list[Measure] = []
    for _, m in q.measures:
        leaves += [x for x in ex.leaves(m) if x not in leaves]
    for leaf in filter_leaves(q.filters):
        if isinstance(leaf.member, Measure):
            leaves += [x for x in ex.leaves(leaf.member) if x not in leaves]
    groups: dict[tuple[str, str], list[Measure]] = {}
    for m in leaves:
        key = (m.cube, repr(sorted((m.rolling_window or {}).items())))
        groups.setdefault(key, []).append(m)
    built = []
    for i, ((cube, _), members) in enumerate(groups.items()):
        if members[0].rolling_window:
            built.append(_rolling_group(ex, q, cube, members, i))
        else:
            built.append(_group(ex, q, cube, members, i))
    if not built:
        built.append(_dimensions_only(ex, q))
    return finish(ex, q, built)


# ---------------------------------------------------------------------- dimensions and filters
def time_sql(ex: Expander, dim: Dimension) -> exp.Expr:

    return cast(ex.expand(ex.model.cubes[dim.cube], dim.sql), "TIMESTAMP")


def truncate(value: exp.Expr, granularity: str) -> exp.Expr:
    from sqlglot import exp

    unit = exp.Literal.string(granularity)
    return cast(exp.Anonymous(this="date_trunc", expressions=[unit, value]), "TIMESTAMP")


def dimension_exprs(ex: Expander, q: Query) -> list[tuple[str, exp.Expr]]:
    """(column name, expression) of each grouping column of the query."""
    out = []
    for name, dim in q.dimensions:
        out.append((name, ex.expand(ex.model.cubes[dim.cube], dim.sql)))
    for td in q.time_dimensions:
        if td.granularity:
            out.append((td.column, truncate(time_sql(ex, td.member), td.granularity)))
    return out


def where_conditions(ex: Expander, q: Query, with_ranges: bool = True) -> list[exp.Expr]:
    """Dimension filters, segments and the time dimensions' date ranges, as conditions."""
    conds = []
    for f in q.filters:
        if not is_measure_filter(f):
            conds.append(
                filter_condition(
                    f, lambda leaf: ex.expand(ex.model.cubes[leaf.member.cube], leaf.member.sql)
                )
            )
    for seg in q.segments:
        cube_name, _, name = seg.partition(".")
        cube = ex.model.cubes[cube_name]
        conds.append(ex.expand(cube, cube.segments[name].sql))
    if with_ranges:
        for td in q.time_dimensions:
            if td.range:
                conds.append(range_condition(time_sql(ex, td.member), td.range))
    return conds


def cubes_needed(q: Query, with_time: bool = True) -> set[str]:
    names = {d.cube for _, d in q.dimensions}
    names |= {td.member.cube for td in q.time_dimensions if with_time}
    names |= {x.member.cube for x in filter_leaves(q.filters) if isinstance(x.member, Dimension)}
    names |= {s.partition(".")[0] for s in q.segments}
    return names


# ---------------------------------------------------------------------- groups
def _joined(ex: Expander, root: str, needed: set[str]) -> tuple[exp.Select, bool]:
    """SELECT ... FROM root LEFT JOIN ...; and whether a join can repeat root's rows."""
    from sqlglot import exp

    edges = ex.join_tree(root, needed)
    select = exp.select(copy=False).from_(table_expr(ex.model.cubes[root], root), copy=False)
    for edge in edges:
        select = add_join(
            select,
            table_expr(ex.model.cubes[edge.target], edge.target),
            edge.condition.copy(),
            "LEFT",
        )
    multiplied = any(e.relationship == "one_to_many" for e in edges)
    return select, multiplied


def _group(ex: Expander, q: Query, cube: str, measures: list[Measure], i: int) -> GroupSql:
    from sqlglot import exp

    dims = dimension_exprs(ex, q)
    base, multiplied = _joined(ex, cube, cubes_needed(q) | {cube})
    conds = where_conditions(ex, q)
    aliases = {m.full_name: f"m{i}_{j}" for j, m in enumerate(measures)}
    if not multiplied:
        select = base
        for k, (_, e) in enumerate(dims):
            select = select.select(exp.alias_(e, f"d{k}", copy=False), copy=False)
        for m in measures:
            select = select.select(
                exp.alias_(ex.aggregate(m), aliases[m.full_name], copy=False), copy=False
            )
        if conds:
            select = select.where(*conds, copy=False)
        if dims:
            select = select.group_by(*(e.copy() for _, e in dims), copy=False)
        return GroupSql(select, aliases)
    keys = ex.model.cubes[cube].primary_keys
    if not keys:
        raise SemanticQueryError(
            f"Cube {cube!r} needs a primary key: a join in this query can repeat its rows, and "
            "its measures would be counted more than once.",
            hint=f"Mark its key dimension with 'primary_key: true' in {ex.model.cubes[cube].path}.",
        )
    pk_exprs = [ex.expand(ex.model.cubes[cube], k.sql) for k in keys]
    inner = base.distinct(copy=False)
    for k, e in enumerate(pk_exprs):
        inner = inner.select(exp.alias_(e, f"k{k}", copy=False), copy=False)
    for k, (_, e) in enumerate(dims):
        inner = inner.select(exp.alias_(e, f"d{k}", copy=False), copy=False)
    if conds:
        inner = inner.where(*conds, copy=False)
    on = exp.and_(
        *(exp.EQ(this=col("keys", f"k{k}"), expression=e.copy()) for k, e in enumerate(pk_exprs)),
        copy=False,
    )
    select = exp.select(copy=False).from_(
        exp.alias_(exp.Subquery(this=inner), ident("keys"), table=True, copy=False), copy=False
    )
    select = add_join(select, table_expr(ex.model.cubes[cube], cube), on, "")
    for k in range(len(dims)):
        select = select.select(exp.alias_(col("keys", f"d{k}"), f"d{k}", copy=False), copy=False)
    for m in measures:
        select = select.select(
            exp.alias_(ex.aggregate(m), aliases[m.full_name], copy=False), copy=False
        )
    if dims:
        select = select.group_by(*(col("keys", f"d{k}") for k in range(len(dims))), copy=False)
    return GroupSql(select, aliases)


def _rolling_group(ex: Expander, q: Query, cube: str, measures: list[Measure], i: int) -> GroupSql:
    """Measures with a rolling window: a series of time buckets, each joined to the rows in
    its window (which may lie before the date range)."""
    from sqlglot import exp

    tds = [td for td in q.time_dimensions if td.granularity]
    if not tds:
        raise SemanticQueryError(
            f"{measures[0].full_name} has a rolling window and needs a time dimension with a "
            "granularity in the query.",
            hint='Add "timeDimensions": [{"dimension": ..., "granularity": "day"}].',
        )
    td: TimeDim = tds[0]
    others = [x for x in q.time_dimensions if x is not td]
    window = measures[0].rolling_window or {}
    sub = Query(
        dimensions=q.dimensions, time_dimensions=others, filters=q.filters, segments=q.segments
    )
    base, multiplied = _joined(ex, cube, cubes_needed(sub) | {cube, td.member.cube})
    if multiplied:
        raise SemanticQueryError(
            f"The rolling measure {measures[0].full_name} cannot be split by a dimension "
            "across a one_to_many join.",
            hint="Use dimensions of the measure's cube or of cubes it joins many_to_one.",
        )
    dims = dimension_exprs(ex, sub)
    base = base.select(exp.alias_(time_sql(ex, td.member), "t", copy=False), copy=False)
    for k, (_, e) in enumerate(dims):
        base = base.select(exp.alias_(e, f"d{k}", copy=False), copy=False)
    for j, m in enumerate(measures):
        cube_obj = ex.model.cubes[m.cube]
        arg = ex.expand(cube_obj, m.sql) if m.sql else exp.Literal.number(1)
        base = base.select(exp.alias_(arg, f"a{j}", copy=False), copy=False)
        if m.filters:
            cond = exp.and_(*(ex.expand(cube_obj, f) for f in m.filters), copy=False)
            base = base.select(exp.alias_(cond, f"f{j}", copy=False), copy=False)
    conds = where_conditions(ex, sub)
    if conds:
        base = base.where(*conds, copy=False)
    unit = exp.Interval(this=exp.Literal.string("1"), unit=exp.var(td.granularity or "day"))
    lo: exp.Expr
    hi: exp.Expr
    if td.range:
        lo, hi = (
            ts(td.range[0]),
            exp.Sub(
                this=ts(td.range[1]),
                expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("microsecond")),
            ),
        )
    else:
        lo = (
            exp.select(exp.Min(this=exp.column("t")), copy=False)
            .from_(exp.table_("base"), copy=False)
            .subquery(copy=False)
        )
        hi = (
            exp.select(exp.Max(this=exp.column("t")), copy=False)
            .from_(exp.table_("base"), copy=False)
            .subquery(copy=False)
        )
    granularity = td.granularity or "day"
    series = exp.select(
        exp.alias_(
            exp.Unnest(
                expressions=[
                    exp.Anonymous(
                        this="generate_series",
                        expressions=[
                            truncate(lo, granularity),
                            cast(hi, "TIMESTAMP"),
                            unit,
                        ],
                    )
                ]
            ),
            "bucket",
            copy=False,
        ),
        copy=False,
    )
    start = col("s", "bucket")
    end = exp.Add(this=col("s", "bucket"), expression=unit.copy())
    offset = window.get("offset", "end")
    anchor = start if offset == "start" else end
    t = col("b", "t")
    on: list[exp.Expr] = []
    trailing, leading = window.get("trailing"), window.get("leading")
    if trailing != "unbounded":
        lower = _minus(anchor.copy(), trailing) if trailing else anchor.copy()
        on.append(exp.GTE(this=t, expression=lower))
    if leading != "unbounded":
        upper = _plus(anchor.copy(), leading) if leading else anchor.copy()
        on.append(exp.LT(this=t.copy(), expression=upper))
    select = exp.select(exp.alias_(start.copy(), "d_time", copy=False), copy=False).from_(
        exp.alias_(exp.Subquery(this=series), ident("s"), table=True, copy=False), copy=False
    )
    select = add_join(
        select,
        exp.alias_(exp.table_("base"), ident("b"), table=True, copy=False),
        exp.and_(*on, copy=False) if on else exp.true(),
        "LEFT",
    )
    select = select.with_("base", as_=base, copy=False)
    aliases = {}
    for k in range(len(dims)):
        select = select.select(exp.alias_(col("b", f"d{k}"), f"d{k}", copy=False), copy=False)
    for j, m in enumerate(measures):
        flag: exp.Expr | None = col("b", f"f{j}") if m.filters else None
        value = ex.aggregate(m, col("b", f"a{j}"), flag)
        if m.type == "count" and flag is None:
            value = exp.Count(this=col("b", f"a{j}"))
        aliases[m.full_name] = f"m{i}_{j}"
        select = select.select(exp.alias_(value, aliases[m.full_name], copy=False), copy=False)
    select = select.group_by(
        col("s", "bucket"), *(col("b", f"d{k}") for k in range(len(dims))), copy=False
    )
    return GroupSql(_reorder(q, td, select), aliases)


def _reorder(q: Query, td: TimeDim, select: exp.Select) -> exp.Select:
    """The rolling group puts its time bucket first; give the columns the query's order."""
    from sqlglot import exp

    cols = q.dimension_columns()
    others = [c for c in cols if c != td.column]
    mapping = {c: f"d{k}" for k, c in enumerate(others)}
    mapping[td.column] = "d_time"
    outer = exp.select(
        *(exp.alias_(col("g", mapping[c]), f"d{k}", copy=False) for k, c in enumerate(cols)),
        copy=False,
    )
    rest = [e.alias_or_name for e in select.expressions if e.alias_or_name.startswith("m")]
    outer = outer.select(*(col("g", a) for a in rest), copy=False)
    return outer.from_(
        exp.alias_(exp.Subquery(this=select), ident("g"), table=True, copy=False), copy=False
    )


def _interval(text: str) -> exp.Expr:
    from sqlglot import exp

    return cast(exp.Literal.string(text), "INTERVAL")


def _minus(value: exp.Expr, text: str) -> exp.Expr:
    from sqlglot import exp

    return exp.Sub(this=value, expression=_interval(text))


def _plus(value: exp.Expr, text: str) -> exp.Expr:
    from sqlglot import exp

    return exp.Add(this=value, expression=_interval(text))


def _dimensions_only(ex: Expander, q: Query) -> GroupSql:
    from sqlglot import exp

    needed = cubes_needed(q)
    root = q.dimensions[0][1].cube if q.dimensions else q.time_dimensions[0].member.cube
    base, _ = _joined(ex, root, needed | {root})
    dims = dimension_exprs(ex, q)
    select = base
    for k, (_, e) in enumerate(dims):
        select = select.select(exp.alias_(e, f"d{k}", copy=False), copy=False)
    conds = where_conditions(ex, q)
    if conds:
        select = select.where(*conds, copy=False)
    return GroupSql(select.group_by(*(e.copy() for _, e in dims), copy=False), {})


# ---------------------------------------------------------------------- the outer query
def finish(
    ex: Expander, q: Query, groups: list[GroupSql], rollup: str | None = None
) -> CompiledQuery:
    """Joins the groups on the dimensions; computes the requested measures, measure filters,
    order and limit."""
    from sqlglot import exp

    ndims = len(q.dimension_columns())
    select = exp.select(copy=False).from_(
        exp.alias_(exp.Subquery(this=groups[0].select), ident("q0"), table=True, copy=False),
        copy=False,
    )
    for g in range(1, len(groups)):
        if ndims:
            on = exp.and_(
                *(
                    exp.NullSafeEQ(this=_dim_value(g, k), expression=col(f"q{g}", f"d{k}"))
                    for k in range(ndims)
                ),
                copy=False,
            )
            join_type = "FULL"
        else:
            on, join_type = None, "CROSS"
        select = add_join(
            select,
            exp.alias_(exp.Subquery(this=groups[g].select), ident(f"q{g}"), table=True, copy=False),
            on,
            join_type,
        )
    where_leaf = {}
    for g, group in enumerate(groups):
        for name, alias in group.measures.items():
            where_leaf[name] = col(f"q{g}", alias)

    def measure_value(m: Measure) -> exp.Expr:
        if m.full_name in where_leaf:
            return where_leaf[m.full_name].copy()
        return ex.expand(ex.model.cubes[m.cube], m.sql, measure_value)

    columns = q.dimension_columns()
    for k, name in enumerate(columns):
        select = select.select(
            exp.alias_(_dim_value(len(groups), k), ident(name), copy=False), copy=False
        )
    for name, m in q.measures:
        columns.append(name)
        select = select.select(exp.alias_(measure_value(m), ident(name), copy=False), copy=False)
    having = [
        filter_condition(f, lambda leaf: measure_value(leaf.member))
        for f in q.filters
        if is_measure_filter(f)
    ]
    if having:
        select = select.where(*having, copy=False)
    # The dimensions break ties, so equal measures come back in the same order every time
    # (and a limit keeps the same rows).
    ordered = {name for name, _ in q.order}
    tie_breaks = [(name, False) for name in q.dimension_columns() if name not in ordered]
    for name, desc in [*q.order, *tie_breaks]:
        select = select.order_by(
            exp.Ordered(this=exp.column(ident(name)), desc=desc, nulls_first=False), copy=False
        )
    if q.limit is not None:
        select = select.limit(q.limit, copy=False)
    if q.offset:
        select = select.offset(q.offset, copy=False)
    return CompiledQuery(select.sql(dialect="duckdb", copy=False), columns, rollup, q)


def _dim_value(groups: int, k: int) -> exp.Expr:
    """Dimension ``k`` of the first ``groups`` groups (a COALESCE after a full outer join)."""
    from sqlglot import exp

    values = [col(f"q{g}", f"d{k}") for g in range(groups)]
    return values[0] if len(values) == 1 else exp.Coalesce(this=values[0], expressions=values[1:])
