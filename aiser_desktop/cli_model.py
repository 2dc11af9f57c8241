"""The command line's semantic-layer verbs.

    aiser model generate [--overwrite]   a first model from the sources' catalog
    aiser model validate                 file:line:column errors; exit 1 when there are any
    aiser model refresh [--force]        build the pre-aggregations that are missing or stale
    aiser metrics query 'JSON' [--json]  run a Cube /load query through the model

The model is read from ``<workspace>/model/cubes`` and ``model/views``. With ``--json``,
``metrics query`` prints one object: {"sql", "columns" (member names such as
``orders.count``), "rows", "pre_aggregation"}. Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.semantic import SemanticModel
    from aiser_desktop.core.workspace import Workspace

EXIT_INVALID = 1


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``model`` and ``metrics`` to the command's verbs."""
    model = verbs.add_parser(
        "model",
        parents=[workspace],
        help="the semantic model: generate, validate, refresh pre-aggregations",
        description="The semantic model lives in <workspace>/model/cubes and model/views, in "
        "Cube's YAML syntax.",
    )
    action = model.add_subparsers(dest="model_action", metavar="ACTION", required=True)
    gen = action.add_parser(
        "generate", parents=[workspace], help="write a first model from the sources' tables"
    )
    gen.add_argument("--overwrite", action="store_true", help="replace files that exist")
    action.add_parser(
        "validate", parents=[workspace], help="check the model files; exit 1 with file:line errors"
    )
    refresh = action.add_parser(
        "refresh", parents=[workspace], help="build missing or stale pre-aggregations"
    )
    refresh.add_argument("--force", action="store_true", help="rebuild them all")

    metrics = verbs.add_parser(
        "metrics", parents=[workspace], help="query metrics through the semantic model"
    )
    maction = metrics.add_subparsers(dest="metrics_action", metavar="ACTION", required=True)
    query = maction.add_parser("query", parents=[workspace], help="run a Cube /load query (JSON)")
    query.add_argument("query", help="the query as JSON; '-' reads it from standard input")
    query.add_argument(
        "--json", action="store_true", help='print {"sql", "columns", "rows", "pre_aggregation"}'
    )


def _load(ws: Workspace, quiet: bool = False) -> SemanticModel:
    from aiser_desktop.core.semantic import load_model

    model, errors = load_model(ws.path)
    if errors and not quiet:
        print(
            f"aiser: warning: the model has {len(errors)} error(s); "
            "`aiser model validate` lists them",
            file=sys.stderr,
        )
    return model


def model_verb(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser model ACTION``; returns the exit code."""
    from aiser_desktop.core.semantic import load_model

    if args.model_action == "generate":
        from aiser_desktop.core.semantic.auto import generate

        written = generate(
            ws.sources.catalog(), ws.path, engine=ws.engine, overwrite=args.overwrite
        )
        for path in written:
            print(path)
        kept = "" if args.overwrite else " (files that exist were kept; --overwrite replaces)"
        print(f"{len(written)} cube file(s) written{kept}", file=sys.stderr)
        return 0
    if args.model_action == "validate":
        model, errors = load_model(ws.path)
        for error in errors:
            print(str(error) + (f" {error.hint}" if error.hint else ""))
        if errors:
            return EXIT_INVALID
        print(
            f"ok: {len(model.cubes)} cube(s), {len(model.views)} view(s), "
            f"{len(model.members())} member(s)"
        )
        return 0
    from aiser_desktop.core.semantic.preagg import PreAggregations

    model = _load(ws)
    for result in PreAggregations.of(ws).refresh(model, force=args.force):
        state = f"built in {result.seconds:.2f} s" if result.rebuilt else "fresh"
        print(f"{result.name}: {result.rows:,} rows, {state} ({result.table})")
    return 0


def metrics_verb(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser metrics query``; returns the exit code."""
    from aiser_desktop.core.engine import ResultHandle
    from aiser_desktop.core.errors import AiserError
    from aiser_desktop.core.semantic import run_query

    text = sys.stdin.read() if args.query == "-" else args.query
    try:
        query = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AiserError(
            f"The query is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            hint='Example: \'{"measures": ["orders.count"], "dimensions": ["orders.status"]}\'',
        ) from None
    model = _load(ws, quiet=args.json)
    started = time.perf_counter()
    compiled, table = run_query(ws, model, query)
    seconds = time.perf_counter() - started
    if args.json:
        rows = [[_json_value(v) for v in row.values()] for row in table.to_pylist()]
        out = {
            "sql": compiled.sql,
            "columns": compiled.columns,
            "rows": rows,
            "pre_aggregation": compiled.pre_aggregation,
        }
        print(json.dumps(out))
        return 0
    from aiser_desktop.cli import _print_table

    _print_table(ResultHandle(0, compiled.sql, table, seconds))
    if compiled.pre_aggregation:
        print(f"(from the pre-aggregation {compiled.pre_aggregation})")
    return 0


def _json_value(value: Any) -> Any:
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


HANDLERS = {"model": model_verb, "metrics": metrics_verb}
