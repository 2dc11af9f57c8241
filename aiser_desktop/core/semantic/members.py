"""Members' SQL as sqlglot expressions: references expanded, columns qualified, aggregates built.

A member's ``sql`` is written in Cube's style: ``{CUBE}.amount``, ``amount`` (a column of the
cube's table), ``{count}`` or ``{CUBE.count}`` (another member of the same cube),
``{users.city}`` (a member of another cube) and ``{users}`` (another cube, in join
conditions). Each text is parsed once by sqlglot and cached on the model; callers get copies.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.semantic.model import (
    AGGREGATE_TYPES,
    Cube,
    Dimension,
    Measure,
    Member,
    SemanticModel,
)
from aiser_desktop.core.semantic.query import SemanticQueryError

if TYPE_CHECKING:
    from sqlglot import exp

_REF = re.compile(r"\{([^{}]+)\}")
_PLACEHOLDER = "__aiser_ref_"
FLIP = {"one_to_many": "many_to_one", "many_to_one": "one_to_many", "one_to_one": "one_to_one"}


def cast(value: exp.Expr, type_name: str) -> exp.Expr:
    """``CAST(value AS type_name)`` with the type parsed once (sqlglot parses type strings)."""
    from sqlglot import exp

    parsed = _TYPES.get(type_name)
    if parsed is None:
        parsed = _TYPES[type_name] = exp.DataType.build(type_name)
    return exp.Cast(this=value, to=parsed.copy())


_TYPES: dict[str, exp.DataType] = {}


def ident(name: str) -> exp.Identifier:
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True)


def col(table: str, name: str) -> exp.Column:
    from sqlglot import exp

    return exp.Column(this=ident(name), table=ident(table))


def table_expr(cube: Cube, alias: str) -> exp.Expr:
    """The cube's table (``sql_table``) or SQL (``sql``) as a FROM item called ``alias``.

    Parsed once per cube (parsing is most of a compile's time); callers get a copy.
    """
    import sqlglot
    from sqlglot import exp

    parsed = _TABLES.get((cube.name, cube.sql_table, cube.sql))
    if parsed is None:
        if cube.sql_table:
            parsed = exp.to_table(cube.sql_table, dialect="duckdb")
        else:
            try:
                parsed = exp.Subquery(this=sqlglot.parse_one(cube.sql, read="duckdb"))
            except sqlglot.errors.ParseError as exc:
                raise SemanticQueryError(
                    f"The sql of cube {cube.name!r} does not parse: {exc}",
                    hint=f"Fix it in {cube.path}:{cube.line}.",
                ) from None
        _TABLES[(cube.name, cube.sql_table, cube.sql)] = parsed
    return exp.alias_(parsed.copy(), ident(alias), table=True, copy=False)


_TABLES: dict[tuple[str, str, str], exp.Expr] = {}


def add_join(select: exp.Select, item: exp.Expr, on: exp.Expr | None, side: str) -> exp.Select:
    """Appends ``side JOIN item ON on`` (side: LEFT, FULL, "" for inner, CROSS) to ``select``,
    built directly: sqlglot's ``join()`` parses its join type each time."""
    from sqlglot import exp

    if side == "CROSS":
        join = exp.Join(this=item, kind="CROSS")
    else:
        join = exp.Join(this=item, on=on, side=side or None)
    select.append("joins", join)
    return select


@dataclass
class Edge:
    source: str
    target: str
    relationship: str  # seen from source
    condition: exp.Expr


class Expander:
    """Expands members of one model into SQL; cached per model."""

    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        self._parsed: dict[tuple[str, str], exp.Expr] = {}
        self._graph: dict[str, list[Edge]] | None = None
        self.compiled: dict[str, Any] = {}  # compile_query's cache of CompiledQuery

    @classmethod
    def of(cls, model: SemanticModel) -> Expander:
        cached = model.__dict__.get("_expander")
        if cached is None:
            cached = cls(model)
            model.__dict__["_expander"] = cached
        return cached

    # ------------------------------------------------------------------ expansion
    def expand(
        self,
        cube: Cube,
        sql: str,
        measure: Callable[[Measure], exp.Expr] | None = None,
        _depth: int = 0,
    ) -> exp.Expr:
        """``sql`` of ``cube`` as an expression; ``measure(m)`` stands in for measure refs."""
        from sqlglot import exp

        if _depth > 20:
            raise SemanticQueryError(f"Members of {cube.name} refer to each other in a circle.")
        template, refs = self._template(cube, sql)
        tree = template.copy()
        for node in list(tree.find_all(exp.Column)):
            name = node.name
            if not name.startswith(_PLACEHOLDER) or node.table:
                continue
            target = refs[int(name[len(_PLACEHOLDER) : -2])]
            node.replace(self._member_sql(target, measure, _depth))
        return tree

    def _member_sql(
        self,
        target: Member,
        measure: Callable[[Measure], exp.Expr] | None,
        depth: int,
    ) -> exp.Expr:
        from sqlglot import exp

        owner = self.model.cubes[target.cube]
        if isinstance(target, Measure):
            if measure is None:
                raise SemanticQueryError(
                    f"{target.full_name} is a measure; only measures may refer to measures."
                )
            return exp.Paren(this=measure(target))
        return exp.Paren(this=self.expand(owner, target.sql, measure, depth + 1))

    def _template(self, cube: Cube, sql: str) -> tuple[exp.Expr, list[Member]]:
        import sqlglot
        from sqlglot import exp

        key = (cube.name, sql)
        refs: list[Member] = []

        def sub(m: re.Match[str]) -> str:
            ref = m.group(1).strip()
            if ref == "CUBE":
                return f'"{cube.name}"'
            if ref in self.model.cubes and cube.member(ref) is None:
                return f'"{ref}"'
            owner_name, dot, name = ref.partition(".")
            owner = cube if not dot or owner_name == "CUBE" else self.model.cubes.get(owner_name)
            member_name = name if dot else ref
            member = owner.member(member_name) if owner else None
            if owner is not None and member is None and dot:
                return f'"{owner.name}"."{member_name}"'  # {CUBE.column}: a plain column
            if member is None or owner is None:
                raise SemanticQueryError(
                    f"{cube.name} refers to {{{ref}}}, which is unknown.",
                    hint=f"Check {cube.path}.",
                )
            refs.append(member)
            return f"{_PLACEHOLDER}{len(refs) - 1}__"

        text = _REF.sub(sub, sql)
        cached = self._parsed.get(key)
        if cached is not None:
            return cached, refs
        try:
            tree = sqlglot.parse_one(text, read="duckdb")
        except sqlglot.errors.ParseError as exc:
            raise SemanticQueryError(
                f"The sql {sql!r} of cube {cube.name!r} does not parse: {exc}",
                hint=f"Fix it in {cube.path}.",
            ) from None
        for node in tree.find_all(exp.Column):
            if not node.table and not node.name.startswith(_PLACEHOLDER):
                node.set("table", ident(cube.name))
        self._parsed[key] = tree
        return tree, refs

    # ------------------------------------------------------------------ aggregates
    def aggregate(
        self,
        m: Measure,
        arg: exp.Expr | None = None,
        condition: exp.Expr | None = None,
    ) -> exp.Expr:
        """The aggregate of a leaf measure: over its own SQL, or over ``arg`` / ``condition``
        (columns of a subquery that already computed them)."""
        from sqlglot import exp

        cube = self.model.cubes[m.cube]
        if arg is None and m.sql:
            arg = self.expand(cube, m.sql, self._no_measures(m))
        if condition is None and m.filters:
            condition = exp.and_(*(self.expand(cube, f) for f in m.filters), copy=False)
        if m.type not in AGGREGATE_TYPES:
            return arg if arg is not None else exp.Null()  # a number over columns
        if condition is not None:
            value = arg if arg is not None else exp.Literal.number(1)
            arg = exp.Case(ifs=[exp.If(this=condition, true=value)])
        if m.type == "count":
            return exp.Count(this=arg if arg is not None else exp.Star())
        assert arg is not None
        if m.type == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[arg]))
        if m.type == "count_distinct_approx":
            return exp.ApproxDistinct(this=arg)
        cls = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[m.type]
        return cls(this=arg)

    def _no_measures(self, m: Measure) -> Callable[[Measure], exp.Expr]:
        def refuse(other: Measure) -> exp.Expr:
            raise SemanticQueryError(
                f"{m.full_name} ({m.type}) refers to the measure {other.full_name}.",
                hint="Only measures of type number may refer to other measures.",
            )

        return refuse

    def leaves(self, m: Measure, _depth: int = 0) -> list[Measure]:
        """The aggregated measures a measure is computed from (itself unless it is a number
        over other measures)."""
        if _depth > 20:
            raise SemanticQueryError(f"{m.full_name} refers to itself through other measures.")
        if m.type not in ("number", "string", "time", "boolean") or not m.sql:
            return [m]
        found: list[Measure] = []
        for ref in _REF.findall(m.sql):
            target = self._ref_member(self.model.cubes[m.cube], ref.strip())
            if isinstance(target, Measure):
                found += [x for x in self.leaves(target, _depth + 1) if x not in found]
            elif isinstance(target, Dimension):
                continue
        return found or [m]

    def _ref_member(self, cube: Cube, ref: str) -> Member | None:
        owner_name, dot, name = ref.partition(".")
        if not dot:
            return cube.member(ref)
        owner = cube if owner_name == "CUBE" else self.model.cubes.get(owner_name)
        return owner.member(name) if owner else None

    def is_leaf(self, m: Measure) -> bool:
        return self.leaves(m) == [m]

    # ------------------------------------------------------------------ joins
    def graph(self) -> dict[str, list[Edge]]:
        if self._graph is None:
            graph: dict[str, list[Edge]] = {name: [] for name in self.model.cubes}
            for cube in self.model.cubes.values():
                for join in cube.joins.values():
                    if join.name not in self.model.cubes:
                        continue
                    cond = self.expand(cube, join.sql)
                    graph[cube.name].append(Edge(cube.name, join.name, join.relationship, cond))
                    declared_back = join.name in self.model.cubes[join.name].joins
                    back = cube.name in {e.target for e in graph[join.name]}
                    if not declared_back and not back:
                        graph[join.name].append(
                            Edge(join.name, cube.name, FLIP[join.relationship], cond)
                        )
            self._graph = graph
        return self._graph

    def join_tree(self, root: str, needed: set[str]) -> list[Edge]:
        """The joins from ``root`` that reach every cube in ``needed``, parents first.

        Raises:
            SemanticQueryError: a needed cube cannot be reached along declared joins.
        """
        graph = self.graph()
        parent: dict[str, Edge | None] = {root: None}
        order = deque([root])
        while order:
            name = order.popleft()
            for edge in graph.get(name, []):
                if edge.target not in parent:
                    parent[edge.target] = edge
                    order.append(edge.target)
        edges: list[Edge] = []
        for name in sorted(needed - {root}):
            if name not in parent:
                raise SemanticQueryError(
                    f"Cube {name!r} cannot be reached from {root!r} through declared joins.",
                    hint=f"Add a join between {root} and {name} (joins: in either cube).",
                )
            path: list[Edge] = []
            node = parent[name]
            while node is not None:
                path.append(node)
                node = parent[node.source]
            for edge in reversed(path):
                if edge not in edges:
                    edges.append(edge)
        return edges


def member_cubes(members: list[Any]) -> set[str]:
    return {m.cube for m in members}
