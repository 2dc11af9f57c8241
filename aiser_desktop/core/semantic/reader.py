"""Reading one model file: PyYAML's composer nodes (which keep their line and column) turned
into cubes and views, with every problem collected as a :class:`ModelError` at its place
instead of stopping at the first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiser_desktop.core.semantic.model import (
    _NAME,
    DIMENSION_TYPES,
    GRANULARITIES,
    MEASURE_TYPES,
    RELATIONSHIPS,
    Cube,
    Dimension,
    Join,
    Measure,
    ModelError,
    PreAggregation,
    Segment,
    View,
    ViewCube,
)


class Node:
    """A YAML value with where it started: ``value`` is a dict of str -> Node, a list of Node,
    or a scalar."""

    __slots__ = ("column", "line", "value")

    def __init__(self, value: Any, line: int, column: int) -> None:
        self.value = value
        self.line = line
        self.column = column

    def plain(self) -> Any:
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def _compose(text: str) -> Node | None:
    """Parses YAML into :class:`Node` values. Raises ``yaml.YAMLError`` (with a mark)."""
    import yaml

    # libyaml's parser when PyYAML was built with it (about ten times faster, same marks).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root = yaml.compose(text, Loader=loader)
    if root is None:
        return None
    constructor = yaml.constructor.SafeConstructor()

    def convert(node: Any) -> Node:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.MappingNode):
            items: dict[str, Node] = {}
            for key, value in node.value:
                items[str(constructor.construct_object(key))] = convert(value)
            return Node(items, line, col)
        if isinstance(node, yaml.SequenceNode):
            return Node([convert(v) for v in node.value], line, col)
        return Node(constructor.construct_object(node), line, col)

    return convert(root)


class _Reader:
    """Turns one file's nodes into cubes and views, collecting errors instead of stopping."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[ModelError] = []

    def error(self, node: Node, message: str, hint: str = "") -> None:
        self.errors.append(ModelError(self.path, node.line, node.column, message, hint))

    def text(self, node: Node | None, what: str, default: str = "") -> str:
        if node is None:
            return default
        if isinstance(node.value, (dict, list)) or node.value is None:
            self.error(node, f"{what} must be text.")
            return default
        return str(node.value)

    def mapping(self, node: Node, what: str) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.error(node, f"{what} must be a mapping of keys to values.")
            return None
        return node.value

    def items(self, node: Node | None, what: str) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node.value, list):
            self.error(node, f"{what} must be a list (each entry starting with '- ').")
            return []
        return node.value

    def name(self, entry: dict[str, Node], node: Node, what: str) -> str | None:
        if "name" not in entry:
            self.error(node, f"This {what} has no name.", "Add 'name: ...'.")
            return None
        name = self.text(entry["name"], "name")
        if not _NAME.match(name):
            self.error(
                entry["name"],
                f"{name!r} is not a valid {what} name.",
                "Use letters, digits and underscores, starting with a letter.",
            )
            return None
        return name

    # ------------------------------------------------------------------ cubes
    def cube(self, node: Node) -> Cube | None:
        entry = self.mapping(node, "A cube")
        if entry is None:
            return None
        name = self.name(entry, node, "cube")
        if name is None:
            return None
        cube = Cube(
            name=name,
            sql_table=self.text(entry.get("sql_table"), "sql_table"),
            sql=self.text(entry.get("sql"), "sql"),
            title=self.text(entry.get("title"), "title"),
            description=self.text(entry.get("description"), "description"),
            path=self.path,
            line=node.line,
            public=bool(entry["public"].value) if "public" in entry else True,
        )
        if not cube.sql_table and not cube.sql:
            self.error(node, f"Cube {name!r} has neither sql_table nor sql.", "Add 'sql_table:'.")
        for m in self.items(entry.get("measures"), "measures"):
            self.measure(cube, m)
        for d in self.items(entry.get("dimensions"), "dimensions"):
            self.dimension(cube, d)
        for s in self.items(entry.get("segments"), "segments"):
            e = self.mapping(s, "A segment")
            sname = self.name(e, s, "segment") if e is not None else None
            if e is not None and sname:
                cube.segments[sname] = Segment(
                    sname,
                    name,
                    "segment",
                    self.text(e.get("sql"), "sql"),
                    self.text(e.get("title"), "title"),
                    self.text(e.get("description"), "description"),
                    s.line,
                )
        for j in self.items(entry.get("joins"), "joins"):
            self.join(cube, j)
        for p in self.items(entry.get("pre_aggregations"), "pre_aggregations"):
            self.pre_aggregation(cube, p)
        return cube

    def _check_unique(self, cube: Cube, name: str, node: Node) -> bool:
        if cube.member(name) is not None:
            self.error(node, f"{cube.name}.{name} is defined twice.", "Rename one of them.")
            return False
        return True

    def measure(self, cube: Cube, node: Node) -> None:
        entry = self.mapping(node, "A measure")
        name = self.name(entry, node, "measure") if entry is not None else None
        if entry is None or name is None or not self._check_unique(cube, name, node):
            return
        mtype = self.text(entry.get("type"), "type")
        if mtype not in MEASURE_TYPES:
            where = entry.get("type", node)
            self.error(
                where,
                f"Measure {cube.name}.{name} has type {mtype or 'nothing'!r}.",
                "Use one of: " + ", ".join(sorted(MEASURE_TYPES)) + ".",
            )
            return
        sql = self.text(entry.get("sql"), "sql")
        if not sql and mtype not in ("count",):
            self.error(node, f"Measure {cube.name}.{name} of type {mtype} needs sql.")
            return
        filters = []
        for f in self.items(entry.get("filters"), "filters"):
            fe = self.mapping(f, "A filter")
            if fe is not None:
                filters.append(self.text(fe.get("sql"), "sql"))
        window = None
        if "rolling_window" in entry:
            we = self.mapping(entry["rolling_window"], "rolling_window")
            if we is not None:
                window = {k: self.text(v, k) for k, v in we.items()}
                for key, value in window.items():
                    if key in ("trailing", "leading") and not _is_interval(value):
                        self.error(
                            we[key],
                            f"{key} {value!r} is not an interval.",
                            "Write it like '7 day', '1 month' or 'unbounded'.",
                        )
        cube.measures[name] = Measure(
            name,
            cube.name,
            mtype,
            sql,
            self.text(entry.get("title"), "title"),
            self.text(entry.get("description"), "description"),
            node.line,
            bool(entry["public"].value) if "public" in entry else True,
            filters=filters,
            rolling_window=window,
            format=self.text(entry.get("format"), "format"),
        )

    def dimension(self, cube: Cube, node: Node) -> None:
        entry = self.mapping(node, "A dimension")
        name = self.name(entry, node, "dimension") if entry is not None else None
        if entry is None or name is None or not self._check_unique(cube, name, node):
            return
        dtype = self.text(entry.get("type"), "type")
        if dtype not in DIMENSION_TYPES:
            self.error(
                entry.get("type", node),
                f"Dimension {cube.name}.{name} has type {dtype or 'nothing'!r}.",
                "Use one of: " + ", ".join(sorted(DIMENSION_TYPES)) + ".",
            )
            return
        sql = self.text(entry.get("sql"), "sql")
        if not sql:
            self.error(node, f"Dimension {cube.name}.{name} needs sql.", f"Add 'sql: {name}'.")
            return
        pk = entry.get("primary_key")
        cube.dimensions[name] = Dimension(
            name,
            cube.name,
            dtype,
            sql,
            self.text(entry.get("title"), "title"),
            self.text(entry.get("description"), "description"),
            node.line,
            bool(entry["public"].value) if "public" in entry else True,
            primary_key=bool(pk.value) if pk is not None else False,
            format=self.text(entry.get("format"), "format"),
        )

    def join(self, cube: Cube, node: Node) -> None:
        entry = self.mapping(node, "A join")
        name = self.name(entry, node, "join") if entry is not None else None
        if entry is None or name is None:
            return
        rel_text = self.text(entry.get("relationship"), "relationship")
        relationship = RELATIONSHIPS.get(rel_text)
        if relationship is None:
            self.error(
                entry.get("relationship", node),
                f"The join {cube.name} -> {name} has relationship {rel_text or 'nothing'!r}.",
                "Use one_to_many, many_to_one or one_to_one.",
            )
            return
        sql = self.text(entry.get("sql"), "sql")
        if not sql:
            self.error(node, f"The join {cube.name} -> {name} needs sql.")
            return
        cube.joins[name] = Join(name, sql, relationship, node.line)

    def pre_aggregation(self, cube: Cube, node: Node) -> None:
        entry = self.mapping(node, "A pre-aggregation")
        name = self.name(entry, node, "pre-aggregation") if entry is not None else None
        if entry is None or name is None:
            return

        def members(key: str) -> list[str]:
            out = []
            for item in self.items(entry.get(key), key):
                out.append(_own(cube.name, self.text(item, key)))
            return out

        ptype = self.text(entry.get("type"), "type", "rollup")
        if ptype not in ("rollup", "original_sql"):
            self.error(
                entry["type"],
                f"Pre-aggregation type {ptype!r} is not supported here.",
                "Use type: rollup.",
            )
            return
        td = entry.get("time_dimension")
        granularity = self.text(entry.get("granularity"), "granularity") or None
        if granularity is not None and granularity not in GRANULARITIES:
            self.error(
                entry["granularity"],
                f"Granularity {granularity!r} is not known.",
                "Use one of: " + ", ".join(GRANULARITIES) + ".",
            )
            granularity = None
        cube.pre_aggregations[name] = PreAggregation(
            name,
            cube.name,
            ptype,
            members("measures"),
            members("dimensions"),
            members("segments"),
            _own(cube.name, self.text(td, "time_dimension")) if td else None,
            granularity,
            node.line,
        )

    # ------------------------------------------------------------------ views
    def view(self, node: Node) -> View | None:
        entry = self.mapping(node, "A view")
        name = self.name(entry, node, "view") if entry is not None else None
        if entry is None or name is None:
            return None
        view = View(
            name,
            self.text(entry.get("title"), "title"),
            self.text(entry.get("description"), "description"),
            path=self.path,
            line=node.line,
        )
        for c in self.items(entry.get("cubes"), "cubes"):
            ce = self.mapping(c, "A view's cube")
            if ce is None:
                continue
            path = self.text(ce.get("join_path"), "join_path")
            if not path:
                self.error(c, "This entry has no join_path.", "Add 'join_path: cube_name'.")
                continue
            includes: list[tuple[str, str]] | str = "*"
            inc = ce.get("includes")
            if inc is not None and inc.value != "*":
                includes = []
                for item in self.items(inc, "includes"):
                    if isinstance(item.value, dict):
                        member = self.text(item.value.get("name"), "name")
                        alias = self.text(item.value.get("alias"), "alias", member)
                        includes.append((member, alias))
                    else:
                        member = self.text(item, "includes")
                        includes.append((member, member))
            excludes = [self.text(x, "excludes") for x in self.items(ce.get("excludes"), "x")]
            prefix = bool(ce["prefix"].value) if "prefix" in ce else False
            view.cubes.append(ViewCube(path, includes, excludes, prefix))
            view.line = view.line or c.line
        return view


def _own(cube: str, member: str) -> str:
    """``CUBE.count`` and ``count`` -> ``cube.count``."""
    if member.startswith("CUBE."):
        return f"{cube}.{member[5:]}"
    return member if "." in member else f"{cube}.{member}"


_INTERVAL = re.compile(
    r"^\s*(unbounded|-?\d+\s+(second|minute|hour|day|week|month|quarter|year)s?"
    r"(\s+-?\d+\s+(second|minute|hour|day|week|month|quarter|year)s?)*)\s*$",
    re.I,
)


def _is_interval(text: str) -> bool:
    return bool(_INTERVAL.match(text))


def read_file(text: str, path: Path) -> tuple[list[Cube], list[View], list[ModelError]]:
    """Reads one file's cubes and views."""
    import yaml

    reader = _Reader(path)
    try:
        root = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        return (
            [],
            [],
            [
                ModelError(
                    path,
                    line,
                    col,
                    f"This is not valid YAML: {problem}.",
                    "Check the indentation and the colons on this line.",
                )
            ],
        )
    if root is None:
        return [], [], []
    top = reader.mapping(root, "A model file")
    if top is None:
        return [], [], reader.errors
    cubes, views = [], []
    for key, node in top.items():
        if key == "cubes":
            for item in reader.items(node, "cubes"):
                cube = reader.cube(item)
                if cube is not None:
                    cubes.append(cube)
        elif key == "views":
            for item in reader.items(node, "views"):
                view = reader.view(item)
                if view is not None:
                    views.append(view)
        else:
            reader.error(node, f"Unknown top-level key {key!r}.", "Use 'cubes:' or 'views:'.")
    return cubes, views, reader.errors
