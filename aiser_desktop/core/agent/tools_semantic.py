"""The agent's semantic-layer tools: ``list_metrics`` and ``query_metrics``.

A metric defined once in the workspace's model (``model/cubes/*.yml``) is the right answer to
"revenue by month" by construction: its aggregation, filters and joins are the model's. So a
model is offered the metrics first (the loop's context lists those that match the question)
and asks for them with ``query_metrics``, whose arguments are Cube's REST ``/load`` query;
the compiled SQL runs through the same read-only guard as ``run_sql``, and its result is the
answer's evidence. Without a model both tools say so, and the model writes SQL instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from aiser_desktop.core.agent.rules.metrics import model_for
from aiser_desktop.core.agent.tools import (
    ANSWER_ROWS,
    MODEL_ROWS,
    ToolContext,
    _Args,
    tool,
)
from aiser_desktop.core.errors import AiserError

LIST_LIMIT = 60  # members listed for a model

Operator = Literal[
    "equals", "notEquals", "contains", "notContains", "startsWith", "notStartsWith",
    "endsWith", "notEndsWith", "gt", "gte", "lt", "lte", "set", "notSet", "inDateRange",
    "notInDateRange", "beforeDate", "beforeOrOnDate", "afterDate", "afterOrOnDate",
]  # fmt: skip
Granularity = Literal["second", "minute", "hour", "day", "week", "month", "quarter", "year"]


class MetricsSearchArgs(_Args):
    question: str = Field(
        default="", max_length=400, description="Words to look for; empty lists every metric."
    )


class TimeDimensionArg(_Args):
    dimension: str = Field(max_length=200, description="A time dimension, e.g. orders.created_at.")
    granularity: Granularity | None = Field(default=None, description="Group by this period.")
    dateRange: list[str] | str | None = Field(
        default=None, description='["2024-01-01", "2024-03-31"] or "last 30 days".'
    )


class FilterArg(_Args):
    member: str = Field(max_length=200, description="A dimension or measure.")
    operator: Operator
    values: list[str] = Field(default_factory=list, max_length=50)


class MetricsQueryArgs(_Args):
    measures: list[str] = Field(
        default_factory=list, max_length=20, description="e.g. orders.count"
    )
    dimensions: list[str] = Field(default_factory=list, max_length=20)
    timeDimensions: list[TimeDimensionArg] = Field(default_factory=list, max_length=3)
    filters: list[FilterArg] = Field(default_factory=list, max_length=20)
    segments: list[str] = Field(default_factory=list, max_length=10)
    order: dict[str, Literal["asc", "desc"]] = Field(default_factory=dict)
    limit: int | None = Field(default=None, ge=1, le=10_000)
    offset: int | None = Field(default=None, ge=0)


def _model(ctx: ToolContext) -> Any:
    folder = getattr(ctx.workspace, "path", None)
    model = model_for(Path(folder)) if folder is not None else None
    if model is None:
        raise AiserError(
            "This workspace has no semantic model (no metrics are defined).",
            hint="Answer with run_sql instead.",
        )
    return model


def member_entry(member: Any) -> dict[str, Any]:
    """A member as the model reads it: name, kind, type, and title or description."""
    entry: dict[str, Any] = {"name": member.full_name, "kind": member.kind, "type": member.type}
    text = member.description or member.title
    if text:
        entry["about"] = text[:160]
    return entry


@tool
def list_metrics(ctx: ToolContext, args: MetricsSearchArgs) -> dict[str, Any]:
    """The semantic model's measures and dimensions (those matching the words, if given).
    Metrics are defined once and correct by construction: prefer query_metrics over run_sql
    when a measure answers the question."""
    model = _model(ctx)
    members: list[Any]
    if args.question.strip():
        from aiser_desktop.core.semantic import find_metrics

        members = list(find_metrics(model, args.question))
    else:
        members = [m for m in model.members() if m.kind in ("measure", "dimension")]
    members = [m for m in members if getattr(m, "public", True)]
    return {
        "members": [member_entry(m) for m in members[:LIST_LIMIT]],
        "more": max(0, len(members) - LIST_LIMIT),
        "cubes": sorted(model.cubes),
    }


@tool
def query_metrics(ctx: ToolContext, args: MetricsQueryArgs) -> dict[str, Any]:
    """Answer with the semantic model's metrics: a Cube /load query (measures, dimensions,
    timeDimensions with granularity and dateRange, filters, segments, order, limit), compiled
    to SQL and run read-only."""
    from aiser_desktop.core.semantic import compile_query

    model = _model(ctx)
    query = args.model_dump(exclude_none=True, exclude_defaults=True)
    if not query.get("measures") and not query.get("dimensions"):
        raise AiserError(
            "A metrics query needs at least one measure or dimension.",
            hint="Call list_metrics to see them.",
        )
    compiled = compile_query(model, query)
    result = ctx.runner.run(compiled.sql, max_rows=ANSWER_ROWS)
    ctx.last_result = result
    ctx.results.append(result)
    return {
        "sql": compiled.sql,
        "columns": list(result.columns),
        "rows": [list(r) for r in result.rows[:MODEL_ROWS]],
        "row_count": result.row_count,
        "metrics": list(query.get("measures", [])),
        "pre_aggregation": compiled.pre_aggregation,
    }
