"""The semantic layer: metrics defined once in Cube's YAML model format, compiled to DuckDB SQL.

    model, errors = load_model(workspace_folder)
    compiled = compile_query(model, {"measures": ["orders.count"],
                                     "dimensions": ["orders.status"]})
    compiled, table = run_query(workspace, model, {...})

See docs/architecture.md ("The semantic layer") for how queries are planned, how
pre-aggregations are matched and kept fresh, and how the auto-model is made.
"""

from __future__ import annotations

from aiser_desktop.core.semantic.compile import CompiledQuery, compile_query
from aiser_desktop.core.semantic.model import (
    Cube,
    Dimension,
    Join,
    Measure,
    Member,
    ModelError,
    PreAggregation,
    Segment,
    SemanticModel,
    View,
    load_model,
    validate_text,
)
from aiser_desktop.core.semantic.query import SemanticQueryError
from aiser_desktop.core.semantic.run import find_metrics, generate_model, run_query
from aiser_desktop.core.semantic.write import dump_model, to_yaml

__all__ = [
    "CompiledQuery",
    "Cube",
    "Dimension",
    "Join",
    "Measure",
    "Member",
    "ModelError",
    "PreAggregation",
    "Segment",
    "SemanticModel",
    "SemanticQueryError",
    "View",
    "compile_query",
    "dump_model",
    "find_metrics",
    "generate_model",
    "load_model",
    "run_query",
    "to_yaml",
    "validate_text",
]
