"""A :class:`Plan` as one DuckDB SELECT, built with sqlglot's expression builder (names
quoted where DuckDB needs it, values always as literals, never pasted), plus its plain-words
explanation and a chart hint."""

from __future__ import annotations

import calendar
from typing import Any

import sqlglot
from sqlglot import exp

from aiser_desktop.core.agent.rules.periods import Period
from aiser_desktop.core.agent.rules.plan import ColRef, Dimension, Filter, Measure, Plan, Step
from aiser_desktop.core.sources.catalog import needs_quotes

_AGG_WORDS = {
    "count": "number of",
    "count_distinct": "number of distinct",
    "sum": "total",
    "avg": "average",
    "min": "minimum",
    "max": "maximum",
    "median": "median",
    "share": "percent of",
    "value": "",
}
_OP_WORDS = {
    "=": "is",
    "in": "is one of",
    ">": "over",
    ">=": "at least",
    "<": "under",
    "<=": "at most",
    "not null": "is known",
}


def _ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=needs_quotes(name))


def _table(sql_name: str) -> exp.Table:
    return exp.to_table(sql_name, dialect="duckdb")


def _short(sql_name: str) -> str:
    return sql_name.split(".")[-1].strip('"')


def _literal(value: Any) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _date(iso: str) -> exp.Expr:
    return exp.cast(exp.Literal.string(iso), exp.DataType.build("DATE"))


_GRAIN_NAMES = {
    "day": "date",
    "week": "week_start",
    "month": "month_start",
    "quarter": "quarter_start",
    "year": "year_start",
}


class _Builder:
    """Turns one plan into SQL; knows the table aliases of its joins."""

    def __init__(self, plan: Plan, all_columns: set[str] | None = None) -> None:
        self.plan = plan
        self.all_columns = {c.lower() for c in all_columns or ()}
        self.paths: dict[tuple[Step, ...], str] = {}
        refs = [m.column for m in plan.measures if m.column]
        refs += [d.column for d in plan.dimensions if d.column]
        refs += [f.column for f in plan.filters]
        refs += [f.column for f in plan.share] + [r for r in plan.rows if r.column != "*"]
        if plan.axis is not None and plan.axis.path:
            refs.append(
                ColRef(plan.axis.table, plan.axis.column or plan.axis.year or "", plan.axis.path)
            )
        self.joined = any(r.path for r in refs)
        self.aliases: set[str] = set()
        self.main_alias = self._alias(plan.table) if self.joined else ""
        for ref in refs:
            for n in range(1, len(ref.path) + 1):
                prefix = ref.path[:n]
                if prefix not in self.paths:
                    self.paths[prefix] = self._alias(prefix[-1].other)

    def _alias(self, sql_name: str) -> str:
        base = "".join(ch for ch in _short(sql_name).lower() if ch.isalpha())[:1] or "t"
        alias, n = base, 1
        while alias in self.aliases:
            n += 1
            alias = f"{base}{n}"
        self.aliases.add(alias)
        return alias

    def col(self, ref: ColRef) -> exp.Column:
        alias = self.paths[ref.path] if ref.path else self.main_alias
        return exp.Column(
            this=_ident(ref.column), table=exp.to_identifier(alias) if alias else None
        )

    def main_col(self, name: str) -> exp.Column:
        """A column of the table holding the dates (the main one, or a linked one)."""
        axis = self.plan.axis
        if axis is not None and axis.path:
            return self.col(ColRef(axis.table, name, axis.path))
        return self.col(ColRef(self.plan.table, name))

    # ------------------------------------------------------------------ time
    def date_expr(self) -> exp.Expr:
        axis = self.plan.axis
        assert axis is not None
        if axis.kind == "parts":
            assert axis.year and axis.month
            day: exp.Expr = self.main_col(axis.day) if axis.day else exp.Literal.number(1)
            return exp.func("make_date", self.main_col(axis.year), self.main_col(axis.month), day)
        assert axis.column
        column = self.main_col(axis.column)
        if axis.kind == "text":
            return exp.cast(column, exp.DataType.build("DATE"))
        return column

    def day_expr(self) -> exp.Expr:
        axis = self.plan.axis
        assert axis is not None
        if axis.kind in ("timestamp",):
            return exp.cast(self.date_expr(), exp.DataType.build("DATE"))
        return self.date_expr()

    def grain_expr(self, grain: str) -> exp.Expr:
        axis = self.plan.axis
        assert axis is not None
        if grain == "day":
            return self.day_expr()
        if grain == "hour":
            if axis.hour:
                return self.main_col(axis.hour)
            return exp.func("hour", self.date_expr())
        if grain == "weekday":
            return exp.func("dayname", self.date_expr())
        truncated = exp.func("date_trunc", exp.Literal.string(grain), self.date_expr())
        return exp.cast(truncated, exp.DataType.build("DATE"))

    def period_condition(self, period: Period) -> exp.Expr | None:
        axis = self.plan.axis
        assert axis is not None
        parts: list[exp.Expr] = []

        def part(name: str, field: str | None) -> exp.Expr:
            if axis.kind == "parts" and field:
                return self.main_col(field)
            return exp.func(name, self.date_expr())

        def member(target: exp.Expr, values: tuple[int, ...]) -> exp.Expr:
            if len(values) == 1:
                return exp.EQ(this=target, expression=exp.Literal.number(values[0]))
            run = values == tuple(range(values[0], values[-1] + 1))
            if run and len(values) > 2:
                return exp.Between(
                    this=target,
                    low=exp.Literal.number(values[0]),
                    high=exp.Literal.number(values[-1]),
                )
            return exp.In(this=target, expressions=[exp.Literal.number(v) for v in values])

        single_day = len(period.years) == 1 and len(period.months) == 1 and period.day
        if single_day and axis.kind in ("date", "timestamp", "text"):
            iso = f"{period.years[0]:04d}-{period.months[0]:02d}-{period.day:02d}"
            parts.append(exp.EQ(this=self.day_expr(), expression=_date(iso)))
        else:
            if period.years:
                parts.append(member(part("year", axis.year), period.years))
            if period.months:
                parts.append(member(part("month", axis.month), period.months))
            if period.day:
                parts.append(
                    exp.EQ(this=part("day", axis.day), expression=exp.Literal.number(period.day))
                )
        if period.start:
            parts.append(exp.GTE(this=self.day_expr(), expression=_date(period.start)))
        if period.end:
            parts.append(exp.LT(this=self.day_expr(), expression=_date(period.end)))
        if not parts:
            return None
        return exp.and_(*parts) if len(parts) > 1 else parts[0]

    # ------------------------------------------------------------------ parts
    def sql_expr(self, text: str) -> exp.Expr:
        """A glossary term's SQL, its columns those of the main table."""
        parsed = sqlglot.parse_one(text, read="duckdb")
        if self.main_alias:
            for column in parsed.find_all(exp.Column):
                if not column.table:
                    column.set("table", exp.to_identifier(self.main_alias))
        return parsed

    def measure_expr(self, m: Measure) -> exp.Expr:
        if m.agg == "expr":
            return self.sql_expr(m.expression)
        if m.agg == "count" and m.column is None:
            return exp.Count(this=exp.Star())
        if m.agg == "share":
            conditions = [self.filter_expr(f) for f in self.plan.share]
            where = exp.and_(*conditions) if len(conditions) > 1 else conditions[0]
            part = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=where))
            return exp.Div(
                this=exp.Mul(this=exp.Literal.number("100.0"), expression=part),
                expression=exp.Count(this=exp.Star()),
            )
        assert m.column is not None
        column = self.col(m.column)
        if m.agg == "value":
            return column
        if m.agg == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[column]))
        if m.agg == "count":
            return exp.Count(this=column)
        return exp.func(m.agg, column)

    def filter_expr(self, f: Filter) -> exp.Expr:
        if f.op == "sql":
            return exp.Paren(this=self.sql_expr(str(f.values[0])))
        column = self.col(f.column)
        if f.op == "not null":
            return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
        if f.op == "in" or len(f.values) > 1:
            return exp.In(this=column, expressions=[_literal(v) for v in f.values])
        ops = {"=": exp.EQ, ">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}
        return ops[f.op](this=column, expression=_literal(f.values[0]))

    def dim_expr(self, d: Dimension) -> exp.Expr:
        if d.grain:
            return self.grain_expr(d.grain)
        assert d.column is not None
        return self.col(d.column)

    def column_names(self) -> set[str]:
        return set(self.all_columns)

    def grain_is_column(self, grain: str) -> bool:
        axis = self.plan.axis
        return grain == "hour" and axis is not None and axis.hour is not None

    def build(self) -> tuple[str, list[str]]:
        plan = self.plan
        select: list[exp.Expr] = []
        names: list[str] = []
        group: list[exp.Expr] = []
        order: list[exp.Expr] = []
        # Result names never equal a column's name unless they are that column: DuckDB
        # would bind GROUP BY and ORDER BY to the column, not to the result.
        taken = self.column_names()
        used: set[str] = set()

        def name(wanted: str, own: bool = False) -> str:
            if wanted.lower() in taken and not own:
                wanted = f"{wanted}_value"
            n, candidate = 1, wanted
            while candidate in used:
                n += 1
                candidate = f"{wanted}_{n}"
            used.add(candidate)
            return candidate

        compare_key: exp.Expr | None = None
        if plan.compare:
            ifs = []
            for period in plan.compare:
                condition = self.period_condition(period)
                if condition is not None:
                    ifs.append(exp.If(this=condition, true=exp.Literal.string(period.label)))
            compare_key = exp.Case(ifs=ifs)
            alias = name("period")
            select.append(exp.alias_(compare_key, alias))
            names.append(alias)
            group.append(exp.column(alias))
            order.append(exp.Ordered(this=exp.func("min", self.day_expr())))
        dim_aliases: list[tuple[Dimension, str]] = []
        for d in plan.dimensions:
            if d.grain:
                alias = name(_GRAIN_NAMES.get(d.grain, d.grain), own=self.grain_is_column(d.grain))
            else:
                assert d.column is not None
                alias = name(d.column.column, own=True)
            expression = self.dim_expr(d)
            plain = isinstance(expression, exp.Column) and expression.name == alias
            select.append(expression if plain else exp.alias_(expression, alias))
            names.append(alias)
            group.append(self.dim_expr(d))
            dim_aliases.append((d, alias))
        for ref in plan.rows:
            if ref.column == "*":
                select.append(exp.Star())
                names.append("*")
                continue
            alias = name(ref.column, own=True)
            select.append(self.col(ref))
            names.append(alias)
        measure_aliases = []
        for m in plan.measures:
            if m.agg == "expr":
                wanted = "_".join(m.label.lower().split()) or "value"
            elif m.agg == "share":
                wanted = "percent"
            elif m.agg == "value" and m.column is not None:
                alias = name(m.column.column, own=True)
                select.append(self.col(m.column))
                names.append(alias)
                measure_aliases.append(alias)
                continue
            elif m.column is None:
                wanted = f"number_of_{_short(plan.table)}".lower()
            elif m.agg == "count_distinct":
                wanted = f"distinct_{m.column.column}"
            else:
                wanted = f"{m.agg}_{m.column.column}"
            alias = name(wanted)
            select.append(exp.alias_(self.measure_expr(m), alias))
            names.append(alias)
            measure_aliases.append(alias)

        query = sqlglot.select(*select).from_(
            exp.alias_(_table(plan.table), self.main_alias, table=True)
            if self.main_alias
            else _table(plan.table)
        )
        for path, alias in sorted(self.paths.items(), key=lambda kv: len(kv[0])):
            step = path[-1]
            left = self.paths[path[:-1]] if len(path) > 1 else self.main_alias
            keys = [
                exp.EQ(
                    this=exp.Column(this=_ident(a), table=exp.to_identifier(left)),
                    expression=exp.Column(this=_ident(b), table=exp.to_identifier(alias)),
                )
                for a, b in zip(step.columns, step.other_columns, strict=True)
            ]
            query = query.join(
                exp.alias_(_table(step.other), alias, table=True),
                on=exp.and_(*keys) if len(keys) > 1 else keys[0],
                join_type="inner",
            )
        conditions: list[exp.Expr] = [self.filter_expr(f) for f in plan.filters]
        if plan.period is not None and plan.axis is not None:
            condition = self.period_condition(plan.period)
            if condition is not None:
                conditions.append(condition)
        if plan.compare:
            alternatives = [c for p in plan.compare if (c := self.period_condition(p)) is not None]
            conditions.append(exp.Paren(this=exp.or_(*alternatives)))
        if plan.exclude_null_groups:
            for d, _alias in dim_aliases:
                if d.column is not None:
                    conditions.append(
                        exp.Not(this=exp.Is(this=self.col(d.column), expression=exp.Null()))
                    )
        if conditions:
            query = query.where(exp.and_(*conditions) if len(conditions) > 1 else conditions[0])
        if group:
            query = query.group_by(*group)
        if plan.order in ("desc", "asc") and measure_aliases:
            order.append(
                exp.Ordered(
                    this=exp.column(measure_aliases[0]),
                    desc=plan.order == "desc",
                    nulls_first=False,
                )
            )
        time_dims = [(d, a) for d, a in dim_aliases if d.grain]
        for d, alias in time_dims:
            if d.grain == "weekday":
                order.append(
                    exp.Ordered(this=exp.func("min", exp.func("isodow", self.date_expr())))
                )
            else:
                order.append(exp.Ordered(this=exp.column(alias)))
        if not plan.order and not time_dims and not plan.compare and dim_aliases:
            order.append(
                exp.Ordered(this=exp.column(measure_aliases[0]), desc=True, nulls_first=False)
            )
        if order:
            query = query.order_by(*order)
        if plan.limit:
            query = query.limit(plan.limit)
        return query.sql(dialect="duckdb"), names


def to_sql(plan: Plan, columns: set[str] | None = None) -> tuple[str, list[str]]:
    """The plan's SQL and the names of its result columns.

    Args:
        plan: The plan.
        columns: Names of the columns of the tables it reads (result names avoid them).
    """
    return _Builder(plan, columns).build()


# ---------------------------------------------------------------------------------- words


def _ref_words(ref: ColRef) -> str:
    via = f" (through {ref.path[0].columns[0]})" if ref.path else ""
    return f"{_short(ref.table)}.{ref.column}{via}" if ref.path else ref.column


def measure_words(m: Measure, table: str) -> str:
    """A measure in words ("average arr_delay")."""
    if m.agg == "expr":
        return m.label
    if m.agg == "share":
        return f"percent of {_short(table)}"
    if m.agg == "value" and m.column is not None:
        return _ref_words(m.column)
    if m.column is None:
        return f"number of {_short(table)}"
    return f"{_AGG_WORDS[m.agg]} {_ref_words(m.column)}"


def period_words(p: Period) -> str:
    """A period in words."""
    if p.label:
        return p.label
    bits = []
    if p.months:
        bits.append(", ".join(calendar.month_name[m] for m in p.months))
    if p.years:
        bits.append(", ".join(str(y) for y in p.years))
    if p.start:
        bits.append(f"from {p.start}")
    if p.end:
        bits.append(f"before {p.end}")
    return " ".join(bits)


def _filter_words(f: Filter) -> str:
    if f.op == "sql":
        return f"{f.values[1]} ({f.values[0]})"
    values = " or ".join(repr(v) for v in f.values)
    return f"{_ref_words(f.column)} {_OP_WORDS.get(f.op, f.op)} {values}".strip()


def explain(plan: Plan) -> str:
    """The plan in plain words: "average arr_delay of flights by carrier, highest first,
    top 10, where origin is 'JFK', in July"."""
    text = ", ".join(measure_words(m, plan.table) for m in plan.measures)
    if plan.rows:
        shown = ", ".join(r.column for r in plan.rows)
        text = f"{_short(plan.table)} rows ({shown}{', ' + text if text else ''})"
    if plan.share:
        held = " and ".join(_filter_words(f) for f in plan.share)
        text += f" where {held}"
    first = plan.measures[0] if plan.measures else None
    if first is not None and (first.column is not None or first.agg == "expr") and not plan.rows:
        text += f" of {_short(plan.table)}"
    if plan.compare:
        text += ", " + " vs ".join(period_words(p) for p in plan.compare)
    if plan.dimensions:
        dims = [d.grain or (_ref_words(d.column) if d.column else "") for d in plan.dimensions]
        text += " by " + " and ".join(dims)
    if plan.order == "desc":
        text += ", highest first"
    elif plan.order == "asc":
        text += ", lowest first"
    if plan.limit:
        text += f", top {plan.limit}" if plan.order != "asc" else f", bottom {plan.limit}"
    conditions = [_filter_words(f) for f in plan.filters]
    if conditions:
        text += ", where " + " and ".join(conditions)
    if plan.period is not None:
        text += f", in {period_words(plan.period)}"
    return text[:1].upper() + text[1:]


def chart_hint(plan: Plan, names: list[str]) -> dict[str, Any] | None:
    """A chart for the result: a line over time, bars by category, a single number."""
    measures = names[-len(plan.measures) :] if plan.measures else []
    if plan.rows:
        if measures and plan.order and plan.limit and plan.limit <= 50 and names[0] != "*":
            return {"kind": "bar", "x": names[0], "y": measures[0]}
        return None
    if not measures:
        return None
    y = measures[0]
    if plan.compare:
        return {"kind": "bar", "x": names[0], "y": y}
    if not plan.dimensions:
        return {"kind": "kpi", "y": y}
    first = plan.dimensions[0]
    x = names[0]
    hint: dict[str, Any] = {
        "kind": "line" if first.grain and first.grain != "weekday" else "bar",
        "x": x,
        "y": y,
    }
    if len(plan.dimensions) > 1:
        hint["series"] = names[1]
    return hint
