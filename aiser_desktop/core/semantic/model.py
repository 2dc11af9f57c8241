"""The semantic model: cubes and views read from Cube's YAML files, with line numbers.

A workspace's model lives in ``model/cubes/*.yml`` and ``model/views/*.yml``, written in Cube's
documented syntax (``cubes:`` / ``views:`` lists of cubes with measures, dimensions, joins,
segments and pre-aggregations), so the same files can later be handed to a real Cube
deployment. The YAML is read through PyYAML's composer, whose nodes keep their start marks, so
every problem is reported at its file, line and column. A broken file gives errors; the rest of
the model still loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MEASURE_TYPES = frozenset(
    {
        "count",
        "count_distinct",
        "count_distinct_approx",
        "sum",
        "avg",
        "min",
        "max",
        "number",
        "string",
        "time",
        "boolean",
    }
)
DIMENSION_TYPES = frozenset({"string", "number", "time", "boolean", "geo"})
# Cube's current names, and the older camelCase / has_many ones it still accepts.
RELATIONSHIPS = {
    "one_to_many": "one_to_many",
    "many_to_one": "many_to_one",
    "one_to_one": "one_to_one",
    "has_many": "one_to_many",
    "hasMany": "one_to_many",
    "belongs_to": "many_to_one",
    "belongsTo": "many_to_one",
    "has_one": "one_to_one",
    "hasOne": "one_to_one",
}
GRANULARITIES = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ModelError:
    """A problem in a model file, where it is, and what to do about it."""

    path: Path
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass
class Member:
    """A measure, dimension or segment of a cube (or a view's alias of one).

    Attributes:
        cube: The name of the cube (or view) it belongs to.
        sql: Its SQL, with Cube's ``{CUBE}`` and ``{member}`` references.
        line: Where it is defined (1-based), for errors and the editor.
    """

    name: str
    cube: str
    type: str
    sql: str = ""
    title: str = ""
    description: str = ""
    line: int = 0
    public: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.cube}.{self.name}"

    @property
    def kind(self) -> str:
        return "member"


@dataclass
class Measure(Member):
    """An aggregate. ``filters`` are SQL conditions (a filtered measure); ``rolling_window``
    is Cube's ``{trailing, leading, offset}``."""

    filters: list[str] = field(default_factory=list)
    rolling_window: dict[str, str] | None = None
    format: str = ""

    @property
    def kind(self) -> str:
        return "measure"


@dataclass
class Dimension(Member):
    primary_key: bool = False
    format: str = ""

    @property
    def kind(self) -> str:
        return "dimension"


@dataclass
class Segment(Member):
    @property
    def kind(self) -> str:
        return "segment"


@dataclass
class Join:
    """A join declared in a cube: to cube ``name``, on ``sql``, with ``relationship`` seen from
    the declaring cube (one_to_many, many_to_one or one_to_one)."""

    name: str
    sql: str
    relationship: str
    line: int = 0


@dataclass
class PreAggregation:
    """A rollup: the listed members of one cube, aggregated once and stored in data.duckdb.

    Member names are full names (``orders.count``), with ``CUBE.`` already resolved.
    """

    name: str
    cube: str
    type: str = "rollup"
    measures: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    time_dimension: str | None = None
    granularity: str | None = None
    line: int = 0


@dataclass
class Cube:
    name: str
    sql_table: str = ""
    sql: str = ""
    title: str = ""
    description: str = ""
    measures: dict[str, Measure] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    joins: dict[str, Join] = field(default_factory=dict)
    pre_aggregations: dict[str, PreAggregation] = field(default_factory=dict)
    path: Path | None = None
    line: int = 0
    public: bool = True

    def member(self, name: str) -> Member | None:
        return self.measures.get(name) or self.dimensions.get(name) or self.segments.get(name)

    @property
    def primary_keys(self) -> list[Dimension]:
        return [d for d in self.dimensions.values() if d.primary_key]


@dataclass
class ViewCube:
    """One ``cubes:`` entry of a view: a join path and the members it brings in."""

    join_path: str
    includes: list[tuple[str, str]] | str = "*"  # (member, alias) pairs, or "*"
    excludes: list[str] = field(default_factory=list)
    prefix: bool = False


@dataclass
class View:
    """A view: members of several cubes under one name. ``aliases`` maps each of its member
    names to the cube member it shows (``orders_view.city`` -> ``users.city``)."""

    name: str
    title: str = ""
    description: str = ""
    cubes: list[ViewCube] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    path: Path | None = None
    line: int = 0


@dataclass
class SemanticModel:
    cubes: dict[str, Cube] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)

    def members(self) -> list[Member]:
        """Every measure, dimension and segment of every cube and view, for panels and search."""
        out: list[Member] = []
        for cube in self.cubes.values():
            out += [*cube.measures.values(), *cube.dimensions.values(), *cube.segments.values()]
        for view in self.views.values():
            out += list(view.members.values())
        return out

    def resolve(self, full_name: str) -> Member | None:
        """The cube member ``full_name`` names; a view's member resolves to its cube's."""
        cube_name, _, rest = full_name.partition(".")
        if cube_name in self.views:
            target = self.views[cube_name].aliases.get(rest)
            return self.resolve(target) if target else None
        cube = self.cubes.get(cube_name)
        return cube.member(rest) if cube else None

    def member(self, full_name: str) -> Member | None:
        """The member as named (a view's own member for a view name)."""
        cube_name, _, rest = full_name.partition(".")
        if cube_name in self.views:
            return self.views[cube_name].members.get(rest)
        return self.resolve(full_name)


# ---------------------------------------------------------------------- YAML with marks
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

    root = yaml.compose(text, Loader=yaml.SafeLoader)
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
                    sname, name, "segment", self.text(e.get("sql"), "sql"),
                    self.text(e.get("title"), "title"), self.text(e.get("description"), "description"),
                    s.line,
                )  # fmt: skip
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
            name, cube.name, mtype, sql,
            self.text(entry.get("title"), "title"), self.text(entry.get("description"), "description"),
            node.line, bool(entry["public"].value) if "public" in entry else True,
            filters=filters, rolling_window=window, format=self.text(entry.get("format"), "format"),
        )  # fmt: skip

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
            name, cube.name, dtype, sql,
            self.text(entry.get("title"), "title"), self.text(entry.get("description"), "description"),
            node.line, bool(entry["public"].value) if "public" in entry else True,
            primary_key=bool(pk.value) if pk is not None else False,
            format=self.text(entry.get("format"), "format"),
        )  # fmt: skip

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
            self.error(entry["type"], f"Pre-aggregation type {ptype!r} is not supported here.",
                       "Use type: rollup.")  # fmt: skip
            return
        td = entry.get("time_dimension")
        granularity = self.text(entry.get("granularity"), "granularity") or None
        if granularity is not None and granularity not in GRANULARITIES:
            self.error(entry["granularity"], f"Granularity {granularity!r} is not known.",
                       "Use one of: " + ", ".join(GRANULARITIES) + ".")  # fmt: skip
            granularity = None
        cube.pre_aggregations[name] = PreAggregation(
            name, cube.name, ptype, members("measures"), members("dimensions"),
            members("segments"), _own(cube.name, self.text(td, "time_dimension")) if td else None,
            granularity, node.line,
        )  # fmt: skip

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


def _read(text: str, path: Path) -> tuple[list[Cube], list[View], list[ModelError]]:
    """Reads one file's cubes and views."""
    import yaml

    reader = _Reader(path)
    try:
        root = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        return [], [], [ModelError(path, line, col, f"This is not valid YAML: {problem}.",
                                   "Check the indentation and the colons on this line.")]  # fmt: skip
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


def _files(folder: Path) -> list[Path]:
    base = folder / "model" if (folder / "model").is_dir() else folder
    files: list[Path] = []
    for sub in ("cubes", "views"):
        d = base / sub
        if d.is_dir():
            files += sorted(p for p in d.iterdir() if p.suffix in (".yml", ".yaml"))
    return files


def load_model(folder: Path) -> tuple[SemanticModel, list[ModelError]]:
    """Reads every model file under ``folder`` (a workspace, or its ``model`` folder).

    Returns:
        The model of every file that could be read, and the errors found, each at its file,
        line and column. A broken file gives errors; the other files still load.
    """
    model = SemanticModel()
    errors: list[ModelError] = []
    for path in _files(Path(folder)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(ModelError(path, 1, 1, f"Cannot read the file: {exc}."))
            continue
        cubes, views, file_errors = _read(text, path)
        errors += file_errors
        for cube in cubes:
            if cube.name in model.cubes:
                errors.append(
                    ModelError(path, cube.line, 1, f"Cube {cube.name!r} is defined twice.",
                               f"It is also in {model.cubes[cube.name].path}.")  # fmt: skip
                )
                continue
            model.cubes[cube.name] = cube
        for view in views:
            model.views[view.name] = view
    errors += check(model)
    return model, errors


def validate_text(text: str, path: Path, model: SemanticModel | None = None) -> list[ModelError]:
    """The errors of one file's text, as the person types (the YAML editor).

    Args:
        model: The rest of the workspace's model, so joins and views may name cubes of other
            files; this file's cubes replace their namesakes in it.
    """
    cubes, views, errors = _read(text, path)
    whole = SemanticModel()
    if model is not None:
        whole.cubes = {n: c for n, c in model.cubes.items() if c.path != path}
        whole.views = {n: v for n, v in model.views.items() if v.path != path}
    for cube in cubes:
        whole.cubes[cube.name] = cube
    for view in views:
        whole.views[view.name] = view
    return errors + [e for e in check(whole) if e.path == path]


# ---------------------------------------------------------------------- cross-file checks
_REF = re.compile(r"\{([^{}]+)\}")


def check(model: SemanticModel) -> list[ModelError]:
    """Checks what one file cannot: references to other cubes' members, joins, views, rollups.

    Also fills each view's ``aliases`` and ``members``.
    """
    errors: list[ModelError] = []
    for cube in model.cubes.values():
        where = cube.path or Path("?")
        for join in cube.joins.values():
            if join.name not in model.cubes:
                errors.append(ModelError(where, join.line, 1,
                    f"Cube {cube.name!r} joins {join.name!r}, which is not a cube.",
                    "Check the name, or add that cube."))  # fmt: skip
        members = [*cube.measures.values(), *cube.dimensions.values(), *cube.segments.values()]
        for member in members:
            texts = [member.sql, *(member.filters if isinstance(member, Measure) else [])]
            for text in texts:
                for ref in _REF.findall(text):
                    problem = _bad_reference(model, cube, ref.strip())
                    if problem:
                        errors.append(ModelError(where, member.line, 1,
                            f"{member.full_name} refers to {{{ref}}}: {problem}",
                            "Write {CUBE}.column, {member} or {cube.member}."))  # fmt: skip
        for pre in cube.pre_aggregations.values():
            names = [*pre.measures, *pre.dimensions, *pre.segments]
            names += [pre.time_dimension] if pre.time_dimension else []
            for full in names:
                if model.resolve(full) is None:
                    errors.append(ModelError(where, pre.line, 1,
                        f"Pre-aggregation {cube.name}.{pre.name} names {full!r}, which is not "
                        "a member.", "Check the spelling."))  # fmt: skip
            if pre.time_dimension and not pre.granularity:
                errors.append(ModelError(where, pre.line, 1,
                    f"Pre-aggregation {cube.name}.{pre.name} has a time_dimension but no "
                    "granularity.", "Add 'granularity: day' (or hour, month...)."))  # fmt: skip
    for view in model.views.values():
        errors += _resolve_view(model, view)
    return errors


def _bad_reference(model: SemanticModel, cube: Cube, ref: str) -> str:
    if ref == "CUBE" or ref in model.cubes:
        return ""
    owner, dot, name = ref.partition(".")
    if not dot:
        return "" if cube.member(ref) else f"{cube.name} has no member {ref!r}."
    target = cube if owner == "CUBE" else model.cubes.get(owner)
    if target is None:
        return f"there is no cube {owner!r}."
    if target.member(name) is None and not (owner == "CUBE" or target is cube):
        return f"{target.name} has no member {name!r}."
    return ""


def _resolve_view(model: SemanticModel, view: View) -> list[ModelError]:
    errors: list[ModelError] = []
    where = view.path or Path("?")
    view.aliases.clear()
    view.members.clear()
    for entry in view.cubes:
        cube_name = entry.join_path.split(".")[-1]
        cube = model.cubes.get(cube_name)
        if cube is None:
            errors.append(ModelError(where, view.line, 1,
                f"View {view.name!r} includes {entry.join_path!r}, but there is no cube "
                f"{cube_name!r}.", "Check the join_path."))  # fmt: skip
            continue
        if entry.includes == "*":
            pairs = [
                (m.name, m.name)
                for m in (*cube.measures.values(), *cube.dimensions.values(),
                          *cube.segments.values())
                if m.public
            ]  # fmt: skip
        else:
            pairs = list(entry.includes)
        for member, alias in pairs:
            if member in entry.excludes:
                continue
            source = cube.member(member)
            if source is None:
                errors.append(ModelError(where, view.line, 1,
                    f"View {view.name!r} includes {cube_name}.{member}, which does not exist.",
                    "Check the member's name."))  # fmt: skip
                continue
            name = f"{cube_name}_{alias}" if entry.prefix else alias
            view.aliases[name] = source.full_name
            copy = type(source)(**{**source.__dict__, "name": name, "cube": view.name})
            view.members[name] = copy
    return errors
