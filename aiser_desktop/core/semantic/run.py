"""Running semantic queries, finding metrics for a question, and the auto-model's entry point."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.semantic.compile import CompiledQuery, compile_query
from aiser_desktop.core.semantic.model import Member, SemanticModel

if TYPE_CHECKING:
    import pyarrow as pa

    from aiser_desktop.core.engine import Engine
    from aiser_desktop.core.sources.catalog import SourceInfo
    from aiser_desktop.core.workspace import Workspace


def run_query(
    workspace_or_engine: Workspace | Engine,
    model: SemanticModel,
    query: dict[str, Any],
    *,
    now: datetime | None = None,
) -> tuple[CompiledQuery, pa.Table]:
    """Compiles ``query`` and runs it on the workspace's engine.

    Given a workspace, the model's pre-aggregations are built when missing, rebuilt when their
    source changed, and read instead of the raw tables when one covers the query. Given a bare
    engine, the raw tables are always read.

    Raises:
        SemanticQueryError: the query does not fit the model.
        QueryError: DuckDB failed the compiled SQL.
    """
    from aiser_desktop.core.engine import Engine

    engine = workspace_or_engine if isinstance(workspace_or_engine, Engine) else None
    rollups: dict[str, str] | None = None
    if engine is None:
        from aiser_desktop.core.semantic.preagg import PreAggregations

        ws = workspace_or_engine
        engine = ws.engine  # type: ignore[union-attr]
        # Only the rollups of the cubes whose measures are asked for: a query never waits
        # for the build of a rollup it cannot use.
        wanted = {m.cube for m in map(model.resolve, _names(query)) if m is not None}
        if any(model.cubes[c].pre_aggregations for c in wanted if c in model.cubes):
            rollups = PreAggregations.of(ws).ready(model, wanted)  # type: ignore[arg-type]
    compiled = compile_query(model, query, now=now, rollups=rollups)
    handle = engine.execute(compiled.sql)
    table = handle.table
    return compiled, table.rename_columns(compiled.columns)


def _names(query: Any) -> list[str]:
    names = query.get("measures") if isinstance(query, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def generate_model(
    catalog: list[SourceInfo], folder: Path, *, engine: Engine | None = None
) -> list[Path]:
    """Writes a first model for the catalog's tables; see :mod:`.auto`."""
    from aiser_desktop.core.semantic.auto import generate

    return generate(catalog, folder, engine=engine)


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "per",
        "by",
        "for",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "what",
        "how",
        "many",
        "much",
        "show",
        "me",
        "give",
        "list",
        "which",
        "who",
        "whose",
        "with",
        "over",
        "each",
        "from",
        "this",
        "last",
        "next",
    }
)


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def find_metrics(model: SemanticModel, text: str) -> list[Member]:
    """Members whose name, title or description share words with ``text``, best first.

    Measures come before dimensions at equal score; a member named in full
    (``orders.count``) scores highest.
    """
    asked = _words(text)
    lowered = text.lower()
    scored: list[tuple[float, int, Member]] = []
    for i, member in enumerate(model.members()):
        if not member.public:
            continue
        own = _words(member.name.replace("_", " ")) | _words(member.title)
        cube = _words(member.cube.replace("_", " "))
        about = _words(member.description)
        score = 2.0 * len(asked & own) + 0.5 * len(asked & about)
        if member.kind == "measure" and member.type == "count" and asked & cube:
            score += 2.5  # "how many orders": the count of the cube named
        if score and asked & cube:
            score += 1.0
        if member.full_name.lower() in lowered:
            score += 10.0
        if score > 0:
            bonus = 0.25 if member.kind == "measure" else 0.0
            scored.append((score + bonus, -i, member))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [m for _, _, m in scored]
