"""Cube's filter operators as SQL conditions (sqlglot expressions).

``equals``/``notEquals`` (a list of values; ``notEquals`` keeps NULLs, as Cube does),
``contains``/``startsWith``/``endsWith`` and their ``not`` forms (case-insensitive, wildcards
in the values taken literally), ``gt``/``gte``/``lt``/``lte``, ``set``/``notSet``, and the
date operators over the [start, end) pairs :mod:`.query` resolved. Groups nest with
``and``/``or``. A filter on a measure is applied after aggregation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.semantic.members import cast
from aiser_desktop.core.semantic.model import AGGREGATE_TYPES, Dimension, Measure
from aiser_desktop.core.semantic.query import Group, Leaf, SemanticQueryError

if TYPE_CHECKING:
    from sqlglot import exp


def filter_leaves(filters: list[Leaf | Group]) -> list[Leaf]:
    out: list[Leaf] = []
    for f in filters:
        out += filter_leaves(f.items) if isinstance(f, Group) else [f]
    return out


def ts(moment: datetime) -> exp.Expr:
    from sqlglot import exp

    return cast(exp.Literal.string(moment.isoformat(sep=" ")), "TIMESTAMP")


def range_condition(value: exp.Expr, rng: tuple[datetime, datetime]) -> exp.Expr:
    from sqlglot import exp

    return exp.and_(
        exp.GTE(this=value, expression=ts(rng[0])),
        exp.LT(this=value.copy(), expression=ts(rng[1])),
        copy=False,
    )


def _literal(dim: Measure | Dimension, value: Any) -> exp.Expr:
    from sqlglot import exp

    if value is None:
        return exp.Null()
    if dim.type == "number" or dim.type in AGGREGATE_TYPES:
        try:
            float(value)
        except (TypeError, ValueError):
            raise SemanticQueryError(
                f"{value!r} is not a number (filter on {dim.full_name})."
            ) from None
        return exp.Literal.number(str(value))
    if dim.type == "boolean":
        return exp.Boolean(this=str(value).lower() in ("true", "1", "yes"))
    if dim.type == "time":
        return cast(exp.Literal.string(str(value)), "TIMESTAMP")
    return exp.Literal.string(str(value))


def leaf_condition(leaf: Leaf, value: exp.Expr) -> exp.Expr:
    """The SQL condition of one filter over ``value`` (the member's expression)."""
    from sqlglot import exp

    op, vals, m = leaf.operator, leaf.values, leaf.member
    if m.type == "time" and op in ("equals", "notEquals", "gt", "gte", "lt", "lte"):
        value = cast(value, "TIMESTAMP")
    if op == "set":
        return exp.Not(this=exp.Is(this=value, expression=exp.Null()))
    if op == "notSet":
        return exp.Is(this=value, expression=exp.Null())
    if op in ("equals", "notEquals"):
        lits = [_literal(m, v) for v in vals]
        cond: exp.Expr = (
            exp.EQ(this=value, expression=lits[0])
            if len(lits) == 1
            else exp.In(this=value, expressions=lits)
        )
        if op == "equals":
            return cond
        return exp.or_(
            exp.Not(this=exp.Paren(this=cond)),
            exp.Is(this=value.copy(), expression=exp.Null()),
            copy=False,
        )
    if op in ("gt", "gte", "lt", "lte"):
        cls = {"gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}[op]
        return cls(this=value, expression=_literal(m, vals[0]))
    patterns = {"contains": "%{}%", "startsWith": "{}%", "endsWith": "%{}"}
    positive = op[3].lower() + op[4:] if op.startswith("not") else op
    if positive in patterns:
        text = cast(value, "VARCHAR")
        likes = [
            exp.ILike(
                this=text.copy(),
                expression=exp.Literal.string(patterns[positive].format(_escape_like(str(v)))),
            )
            for v in vals
        ]
        cond = exp.or_(*likes, copy=False) if len(likes) > 1 else likes[0]
        if op == positive:
            return cond
        return exp.or_(
            exp.Not(this=exp.Paren(this=cond)),
            exp.Is(this=value.copy(), expression=exp.Null()),
            copy=False,
        )
    start, end = vals[0], vals[1]
    value = cast(value, "TIMESTAMP")
    if op == "inDateRange":
        return range_condition(value, (start, end))
    if op == "notInDateRange":
        return exp.or_(
            exp.LT(this=value, expression=ts(start)),
            exp.GTE(this=value.copy(), expression=ts(end)),
            copy=False,
        )
    if op == "beforeDate":
        return exp.LT(this=value, expression=ts(start))
    if op == "beforeOrOnDate":
        return exp.LT(this=value, expression=ts(end))
    if op == "afterDate":
        return exp.GTE(this=value, expression=ts(end))
    return exp.GTE(this=value, expression=ts(start))  # afterOrOnDate


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_condition(
    item: Leaf | Group,
    value_of: Any,
) -> exp.Expr:
    """A filter (or group) as a condition; ``value_of(leaf)`` gives the member's expression."""
    from sqlglot import exp

    if isinstance(item, Group):
        parts = [exp.Paren(this=filter_condition(x, value_of)) for x in item.items]
        return exp.and_(*parts, copy=False) if item.op == "and" else exp.or_(*parts, copy=False)
    return leaf_condition(item, value_of(item))


def is_measure_filter(item: Leaf | Group) -> bool:
    leaves = filter_leaves([item])
    kinds = {isinstance(x.member, Measure) for x in leaves}
    if len(kinds) > 1:
        raise SemanticQueryError(
            "A filter group mixes measures and dimensions.",
            hint="Put measure filters and dimension filters in separate groups.",
        )
    return kinds == {True}
