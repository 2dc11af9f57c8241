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

# Measure types that aggregate rows (the others compute over aggregated measures).
AGGREGATE_TYPES = frozenset(
    {"count", "count_distinct", "count_distinct_approx", "sum", "avg", "min", "max"}
)
MEASURE_TYPES = AGGREGATE_TYPES | {"number", "string", "time", "boolean"}
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
    from aiser_desktop.core.semantic.reader import read_file

    model = SemanticModel()
    errors: list[ModelError] = []
    for path in _files(Path(folder)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(ModelError(path, 1, 1, f"Cannot read the file: {exc}."))
            continue
        cubes, views, file_errors = read_file(text, path)
        errors += file_errors
        for cube in cubes:
            if cube.name in model.cubes:
                errors.append(
                    ModelError(
                        path,
                        cube.line,
                        1,
                        f"Cube {cube.name!r} is defined twice.",
                        f"It is also in {model.cubes[cube.name].path}.",
                    )
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
    from aiser_desktop.core.semantic.reader import read_file

    cubes, views, errors = read_file(text, path)
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
                errors.append(
                    ModelError(
                        where,
                        join.line,
                        1,
                        f"Cube {cube.name!r} joins {join.name!r}, which is not a cube.",
                        "Check the name, or add that cube.",
                    )
                )
                continue
            for ref in _REF.findall(join.sql):
                problem = _bad_reference(model, cube, ref.strip())
                if problem:
                    errors.append(
                        ModelError(
                            where,
                            join.line,
                            1,
                            f"The join {cube.name} -> {join.name} refers to {{{ref}}}: {problem}",
                            "Write {CUBE}.column = {other_cube}.column.",
                        )
                    )
        members = [*cube.measures.values(), *cube.dimensions.values(), *cube.segments.values()]
        for member in members:
            texts = [member.sql, *(member.filters if isinstance(member, Measure) else [])]
            for text in texts:
                for ref in _REF.findall(text):
                    problem = _bad_reference(model, cube, ref.strip())
                    if problem:
                        errors.append(
                            ModelError(
                                where,
                                member.line,
                                1,
                                f"{member.full_name} refers to {{{ref}}}: {problem}",
                                "Write {CUBE}.column, {member} or {cube.member}.",
                            )
                        )
        for pre in cube.pre_aggregations.values():
            names = [*pre.measures, *pre.dimensions, *pre.segments]
            names += [pre.time_dimension] if pre.time_dimension else []
            for full in names:
                if model.resolve(full) is None:
                    errors.append(
                        ModelError(
                            where,
                            pre.line,
                            1,
                            f"Pre-aggregation {cube.name}.{pre.name} names {full!r}, which is not "
                            "a member.",
                            "Check the spelling.",
                        )
                    )
            if pre.time_dimension and not pre.granularity:
                errors.append(
                    ModelError(
                        where,
                        pre.line,
                        1,
                        f"Pre-aggregation {cube.name}.{pre.name} has a time_dimension but no "
                        "granularity.",
                        "Add 'granularity: day' (or hour, month...).",
                    )
                )
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
            errors.append(
                ModelError(
                    where,
                    view.line,
                    1,
                    f"View {view.name!r} includes {entry.join_path!r}, but there is no cube "
                    f"{cube_name!r}.",
                    "Check the join_path.",
                )
            )
            continue
        if entry.includes == "*":
            pairs = [
                (m.name, m.name)
                for m in (
                    *cube.measures.values(),
                    *cube.dimensions.values(),
                    *cube.segments.values(),
                )
                if m.public
            ]
        else:
            pairs = [pair for pair in entry.includes if isinstance(pair, tuple)]
        for member, alias in pairs:
            if member in entry.excludes:
                continue
            source = cube.member(member)
            if source is None:
                errors.append(
                    ModelError(
                        where,
                        view.line,
                        1,
                        f"View {view.name!r} includes {cube_name}.{member}, which does not exist.",
                        "Check the member's name.",
                    )
                )
                continue
            name = f"{cube_name}_{alias}" if entry.prefix else alias
            view.aliases[name] = source.full_name
            copy = type(source)(**{**source.__dict__, "name": name, "cube": view.name})
            view.members[name] = copy
    return errors
