"""The agent's tools: one registry, tools registered by decorator, arguments as pydantic models.

    @tool
    def describe_table(ctx: ToolContext, args: DescribeTableArgs) -> dict[str, Any]:
        '''Columns, types, sample values and statistics of one table.'''

The registry is the one place tools live: the loop offers :meth:`ToolRegistry.specs` to a
model and runs its calls through :meth:`ToolRegistry.call`, which checks the arguments against
the tool's model (a bad call becomes an error the model can read and fix, never an exception
in the loop); the MCP server (a later issue) serves the same registry. Every tool reads, and
only through the read-only guard (:mod:`aiser_desktop.core.security.sql_guard`).

Tool results are plain JSON data: ``content`` for people and programs, and a compact text of it
for the model, cut to a size its context can take.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aiser_desktop.core.agent.providers.base import ToolSpec
from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.core.security.sql_guard import ReadOnlyRunner, SafeResult, jsonable

if TYPE_CHECKING:
    from aiser_desktop.core.sources.catalog import SourceInfo, TableInfo

MODEL_TEXT_LIMIT = 6000  # characters of a tool result a model reads
MODEL_ROWS = 20  # result rows shown to a model
ANSWER_ROWS = 100  # result rows kept for the answer
SAMPLE_VALUES = 3
VALUE_CHARS = 80
FULL_STATS_ROWS = 1_000_000  # larger tables get their statistics from a sample
COUNT_BEYOND = 10_000_000  # rows assumed past the kept ones when the guard stopped counting

ToolFn = Callable[["ToolContext", Any], dict[str, Any]]


# ---------------------------------------------------------------------- context and results
@dataclass
class ToolContext:
    """What tools work with, for one conversation.

    Attributes:
        runner: Runs SQL read-only (the guard).
        catalog: The workspace's sources (cached catalog).
        index: The schema index (``SchemaIndex``) when there is one, for search_schema.
        last_result: The last successful run_sql result (the answer's evidence).
        chart: The last chart spec made with make_chart.
        workspace: The open workspace, when there is one (query_metrics reads its model).
        knowledge: What memory knows (``Knowledge``): its glossary widens search_schema.
    """

    runner: ReadOnlyRunner
    catalog: list[SourceInfo]
    index: Any = None
    last_result: SafeResult | None = None
    chart: dict[str, Any] | None = None
    results: list[SafeResult] = field(default_factory=list)
    workspace: Any = None
    knowledge: Any = None  # memory's Knowledge: the glossary search_schema reads

    def table(self, name: str) -> TableInfo:
        """The catalog entry of a table named as in SQL.

        Raises:
            AiserError: No such table (the message lists the known ones).
        """
        from aiser_desktop.core.security.sql_guard import name_parts

        try:
            resolved = self.runner.relations.resolve(name_parts(name))
        except Exception:
            resolved = None
        if resolved is None:
            raise AiserError(
                f"There is no table {name!r}.",
                hint=f"Tables: {self.runner.relations.describe_known()}.",
            )
        return self.runner.relations.tables[resolved]


@dataclass(frozen=True)
class ToolResult:
    """A tool's answer.

    Attributes:
        name: The tool.
        ok: False when the call failed (bad arguments, a refused or failed query).
        content: The result as JSON data ({"error": ...} when not ok).
        text: What the model reads: ``content`` as compact JSON, cut to fit.
    """

    name: str
    ok: bool
    content: dict[str, Any]
    text: str

    @property
    def error(self) -> str:
        return str(self.content.get("error", "")) if not self.ok else ""


@dataclass(frozen=True)
class Tool:
    """A registered tool.

    Attributes:
        name: What a model calls it.
        description: What it does (the function's docstring, first paragraph).
        args: The pydantic model of its arguments.
        fn: ``fn(ctx, args) -> dict``.
    """

    name: str
    description: str
    args: type[BaseModel]
    fn: ToolFn

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.args.model_json_schema())


class ToolRegistry:
    """Tools by name. ``@registry.tool`` registers a function ``fn(ctx, args: ArgsModel)``."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def tool(self, fn: ToolFn | None = None, *, name: str | None = None) -> Any:
        """Registers ``fn``; its second parameter's annotation is the arguments model."""

        def register(f: ToolFn) -> ToolFn:
            hints = get_type_hints(f)
            params = list(inspect.signature(f).parameters)
            model = hints.get(params[1]) if len(params) > 1 else None
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                raise TypeError(f"tool {f.__name__}: annotate its arguments with a pydantic model")
            doc = inspect.getdoc(f) or ""
            description = " ".join(doc.split("\n\n")[0].split())
            self.register(Tool(name or f.__name__, description, model, f))
            return f

        return register(fn) if fn is not None else register

    def register(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def names(self) -> list[str]:
        return list(self._tools)

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise AiserError(
                f"There is no tool named {name!r}.",
                hint=f"Tools: {', '.join(self._tools)}.",
            ) from None

    def specs(self, names: Sequence[str] | None = None) -> tuple[ToolSpec, ...]:
        """The tools as a model sees them (all, or those named)."""
        chosen = names if names is not None else list(self._tools)
        return tuple(self._tools[n].spec() for n in chosen if n in self._tools)

    def call(self, name: str, arguments: dict[str, Any] | str, ctx: ToolContext) -> ToolResult:
        """Runs a tool; any failure is returned as a result the model can read.

        Raises:
            QueryCancelledError: The person cancelled while it ran.
        """
        try:
            tool = self.get(name)
            if isinstance(arguments, str):
                raise AiserError(
                    f"The arguments of {name} are not a JSON object: {arguments[:200]!r}.",
                    hint="Send the arguments as one JSON object.",
                )
            args = tool.args.model_validate(arguments)
            content = jsonable(tool.fn(ctx, args))
        except QueryCancelledError:
            raise
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            return _result(name, False, {"error": f"Bad arguments for {name}: {problems}."})
        except AiserError as exc:
            return _result(name, False, {"error": str(exc)})
        return _result(name, True, content)


def _result(name: str, ok: bool, content: dict[str, Any]) -> ToolResult:
    text = json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":"))
    if len(text) > MODEL_TEXT_LIMIT:
        text = text[: MODEL_TEXT_LIMIT - 40] + f"... (cut: {len(text):,} characters in all)"
    return ToolResult(name, ok, content, text)


REGISTRY = ToolRegistry()
tool = REGISTRY.tool


# ---------------------------------------------------------------------- argument models
class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    pass


class TableArgs(_Args):
    table: str = Field(max_length=200, description="The table, as written in SQL.")


class SearchArgs(_Args):
    question: str = Field(max_length=400, description="The question, or words to look for.")
    limit: int = Field(default=5, ge=1, le=20, description="How many tables.")


class RunSqlArgs(_Args):
    sql: str = Field(max_length=4000, description="One read-only DuckDB query.")
    limit: int = Field(default=MODEL_ROWS, ge=1, le=ANSWER_ROWS, description="Rows to show.")


class ColumnArgs(_Args):
    table: str = Field(max_length=200, description="The table, as written in SQL.")
    column: str = Field(max_length=200, description="The column's name.")


class ChartArgs(_Args):
    kind: Literal[
        "bar", "line", "scatter", "area", "pie", "histogram", "box", "heatmap", "kpi", "table"
    ] = Field(description="The chart's kind.")
    x: str = Field(
        default="", max_length=200,
        description="The result column along the x axis (histogram, box: the column measured).",
    )  # fmt: skip
    y: str = Field(default="", max_length=200, description="The result column of values.")
    series: str = Field(default="", max_length=200, description="A column splitting series.")
    title: str = Field(default="", max_length=200, description="The chart's title.")
    aggregation: Literal[
        "none", "sum", "avg", "count", "count_distinct", "min", "max", "median"
    ] = Field(default="none", description="How y is aggregated per x; none plots the rows.")


# ---------------------------------------------------------------------- the tools
@tool
def list_sources(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """The workspace's sources and their tables, with row counts."""
    sources = []
    for source in ctx.catalog:
        sources.append(
            {
                "name": source.name,
                "kind": source.connector,
                "mode": source.mode,
                "usable": not source.status,
                "tables": [
                    {"table": t.sql_name, "rows": t.row_count, "columns": len(t.columns)}
                    for t in source.tables[:100]
                ],
                "more_tables": max(0, len(source.tables) - 100),
            }
        )
    return {"sources": sources}


@tool
def describe_table(ctx: ToolContext, args: TableArgs) -> dict[str, Any]:
    """Columns, types, sample values and statistics of one table."""
    info = ctx.table(args.table)
    name = info.sql_name
    sample = ctx.runner.run(f"SELECT * FROM {name} LIMIT 200", max_rows=200)
    values: dict[str, list[Any]] = {c: [] for c in sample.columns}
    for row in sample.rows:
        for column, value in zip(sample.columns, row, strict=False):
            seen = values[column]
            if value is not None and len(seen) < SAMPLE_VALUES and value not in seen:
                seen.append(_short(value))
    sampled = info.row_count < 0 or info.row_count > FULL_STATS_ROWS
    source = f"(SELECT * FROM {name} USING SAMPLE 100000 ROWS)" if sampled else name
    stats: dict[str, dict[str, Any]] = {}
    summary = ctx.runner.run(f"SUMMARIZE {source}", max_rows=len(info.columns) + 1)
    wanted = ("min", "max", "approx_unique", "avg", "null_percentage")
    numeric = {c.name for c in info.columns if _kind(_arrow_like(c.type)) == "number"}
    for row in summary.rows:
        record = dict(zip(summary.columns, row, strict=False))
        column = str(record.get("column_name"))
        stats[column] = {}
        for key in wanted:
            if record.get(key) is None:
                continue
            # min and max of text and dates stay text; every other statistic is a number
            as_number = column in numeric or key not in ("min", "max")
            stats[column][key] = _number(record[key]) if as_number else _short(record[key])
    return {
        "table": name,
        "rows": info.row_count,
        "primary_key": list(info.primary_key),
        "foreign_keys": [
            {"columns": list(fk.columns), "references": fk.references} for fk in info.foreign_keys
        ],
        "statistics_from": "a sample" if sampled else "all rows",
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                **({"means": c.semantic} if c.semantic else {}),
                "samples": values.get(c.name, []),
                **stats.get(c.name, {}),
            }
            for c in info.columns
        ],
    }


@tool
def search_schema(ctx: ToolContext, args: SearchArgs) -> dict[str, Any]:
    """The tables and columns relevant to a question (not the whole catalog), and the
    meaning of any business term it uses (from the person's glossary)."""
    terms = _glossary_terms(ctx, args.question)
    widened = " ".join([args.question, *(definition for _t, definition in terms)])
    tables = relevant_tables(ctx, widened, args.limit)
    found: dict[str, Any] = {"tables": [table_entry(t) for t in tables]}
    if terms:
        found["glossary"] = [{"term": t, "means": d} for t, d in terms]
    return found


def _glossary_terms(ctx: ToolContext, question: str) -> list[tuple[str, str]]:
    """The glossary's terms that ``question`` uses ("revenue" in "revenue by region")."""
    terms = getattr(ctx.knowledge, "terms", ()) or ()
    asked = _words(question)
    return [(t, d) for t, d in terms if _words(t) and _words(t) <= asked]


@tool
def run_sql(ctx: ToolContext, args: RunSqlArgs) -> dict[str, Any]:
    """Run one read-only DuckDB query (SELECT or WITH) and see its first rows."""
    result = ctx.runner.run(args.sql, max_rows=ANSWER_ROWS)
    ctx.last_result = result
    ctx.results.append(result)
    return {
        "columns": list(result.columns),
        "types": list(result.types),
        "rows": [list(r) for r in result.rows[: args.limit]],
        "row_count": result.row_count,
        "rows_shown": min(args.limit, len(result.rows)),
    }


@tool
def profile_column(ctx: ToolContext, args: ColumnArgs) -> dict[str, Any]:
    """One column's range, missing and distinct values, and most common values or histogram."""
    from aiser_desktop.core.insights.profile import profile_column as profile

    info = ctx.table(args.table)
    names = {c.name.lower(): c.name for c in info.columns}
    column = names.get(args.column.lower())
    if column is None:
        raise AiserError(
            f"The table {info.sql_name} has no column {args.column!r}.",
            hint=f"Columns: {', '.join(c.name for c in info.columns)}.",
        )
    found = ctx.runner.read_only(
        lambda cur: profile(cur, info.sql_name, column), sql=f"profile {info.sql_name}.{column}"
    )
    data = asdict(found)
    data["bins"] = data["bins"][:20]
    data.pop("seconds", None)
    return dict(jsonable(data))


@tool
def make_chart(ctx: ToolContext, args: ChartArgs) -> dict[str, Any]:
    """A chart of the last query's result (a chart spec: kind, x, y, series, title)."""
    result = ctx.last_result
    if result is None:
        raise AiserError("There is no result to chart yet.", hint="Call run_sql first.")
    columns = {c.lower(): c for c in result.columns}
    spec: dict[str, Any] = {"kind": args.kind}
    for key in ("x", "y", "series"):
        value = getattr(args, key)
        if not value:
            continue
        if value.lower() not in columns:
            raise AiserError(
                f"The result has no column {value!r} for {key}.",
                hint=f"Columns: {', '.join(result.columns)}.",
            )
        spec[key] = columns[value.lower()]
    if args.title:
        spec["title"] = args.title
    if args.aggregation != "none":
        spec["aggregation"] = args.aggregation
    if args.kind != "table":
        _check_chart(spec, result)
    ctx.chart = spec
    return {"chart": spec}


def _check_chart(spec: dict[str, Any], result: SafeResult) -> None:
    """Refuses a chart the result cannot draw (a line without y, a heatmap without series),
    with the reason, so the model can fix its call."""
    from aiser_desktop.core.charts.data import resolve
    from aiser_desktop.core.charts.recommend import schema_from_names
    from aiser_desktop.core.charts.spec import ChartSpec

    resolve(ChartSpec.from_dict(spec), schema_from_names(result.columns, result.types))


# ---------------------------------------------------------------------- helpers
def _short(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, str) and len(value) > VALUE_CHARS:
        return value[: VALUE_CHARS - 1] + "…"
    return value


def _number(value: Any) -> Any:
    """SUMMARIZE gives statistics as text: numbers back as numbers."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return _short(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else round(number, 6)
    return jsonable(value)


def _arrow_like(duckdb_type: str) -> str:
    """A DuckDB type name in the words :func:`_kind` reads (Arrow's)."""
    upper = duckdb_type.upper()
    if upper.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT",
                         "UINTEGER", "USMALLINT", "UTINYINT", "UHUGEINT")):  # fmt: skip
        return "int64"
    if upper.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
        return "double"
    return upper.lower()


def table_entry(table: TableInfo, max_columns: int = 60) -> dict[str, Any]:
    """A table as the model's context shows it: name, rows, columns with types."""
    entry: dict[str, Any] = {
        "table": table.sql_name,
        "rows": table.row_count,
        "columns": [
            f"{c.name} {c.type}" + (f" ({c.semantic})" if c.semantic else "")
            for c in table.columns[:max_columns]
        ],
    }
    if len(table.columns) > max_columns:
        entry["more_columns"] = len(table.columns) - max_columns
    if table.primary_key:
        entry["primary_key"] = list(table.primary_key)
    if table.foreign_keys:
        entry["foreign_keys"] = [
            f"({', '.join(fk.columns)}) -> {fk.references}({', '.join(fk.references_columns)})"
            for fk in table.foreign_keys
        ]
    return entry


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    ("a", "an", "and", "are", "as", "at", "by", "for", "from", "how", "in", "is", "it", "of",
     "on", "or", "per", "show", "the", "to", "was", "were", "what", "which", "who", "with", "me",
     "give", "list", "many", "much", "does", "did", "do", "each", "all", "their", "there",
     "this", "that")
)  # fmt: skip


def _words(text: str) -> set[str]:
    words = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        words.add(word)
        if len(word) > 3 and word.endswith("s"):
            words.add(word[:-1])
    return words


def relevant_tables(ctx: ToolContext, question: str, limit: int = 5) -> list[TableInfo]:
    """The tables a question is most likely about: the schema index's search when there is
    one, else names and column names that share words with the question."""
    tables = [t for s in ctx.catalog if not s.status for t in s.tables]
    if ctx.index is not None and hasattr(ctx.index, "search"):
        found = _index_search(ctx, question, limit)
        if found:
            return found
    if len(tables) <= limit:
        return tables
    asked = _words(question)
    scored: list[tuple[float, int, TableInfo]] = []
    for n, table in enumerate(tables):
        name_words = _words(table.sql_name.replace(".", " ").replace("_", " "))
        column_words = set()
        for column in table.columns:
            column_words |= _words(column.name.replace("_", " "))
        score = 3.0 * len(asked & name_words) + len(asked & column_words)
        scored.append((score, -n, table))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [t for score, _, t in scored[:limit] if score > 0] or [t for _, _, t in scored[:limit]]


def _index_search(ctx: ToolContext, question: str, limit: int) -> list[TableInfo]:
    """The schema index's hits as catalog tables (whatever form the index returns them in)."""
    hits = ctx.index.search(question, limit)
    found: list[TableInfo] = []
    for hit in hits or ():
        name = getattr(hit, "sql_name", None) or getattr(hit, "table", None) or hit
        if not isinstance(name, str):
            name = getattr(name, "sql_name", "")
        try:
            table = ctx.table(str(name))
        except AiserError:
            continue
        if table not in found:
            found.append(table)
    return found[:limit]


def auto_chart(result: SafeResult) -> dict[str, Any] | None:
    """The chart :func:`aiser_desktop.core.charts.recommend.recommend` chooses for a result's
    shape (a line over time, sorted bars by category, a scatter of two numbers...), in the
    compact form answers carry; None when a table (or a single number) says it better."""
    from aiser_desktop.core.charts.recommend import chart_hint, recommend, schema_from_names

    if not result.columns or 0 <= result.row_count < 2:
        return None
    if result.table is not None:
        schema, sample = result.table.schema, result.table
    else:
        schema = schema_from_names(result.columns, result.types)
        sample = schema.empty_table()
    rows = result.row_count if result.row_count >= 0 else sample.num_rows + COUNT_BEYOND
    found = recommend(schema, sample, rows=rows)
    if not found or found[0].kind == "kpi":
        return None
    return chart_hint(found[0])


def _kind(arrow_type: str) -> str:
    text = arrow_type.lower()
    if text.startswith(("int", "uint", "float", "double", "decimal", "halffloat")):
        return "number"
    if text.startswith(("date", "timestamp", "time")):
        return "time"
    if text in ("string", "large_string", "string_view", "bool") or text.startswith("dictionary"):
        return "text"
    return "other"


# Tools kept in modules of their own register themselves with REGISTRY when imported.
from aiser_desktop.core.agent import tools_insights, tools_semantic  # noqa: E402, F401
