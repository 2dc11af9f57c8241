"""The semantic layer's tools through ``aiser mcp``, as another agent calls them: the
workspace's metrics listed, and a Cube ``/load`` query answered with the numbers DuckDB gives
for the same question written by hand."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import duckdb
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from aiser_desktop.core.sample import load_sample
from aiser_desktop.core.semantic import generate_model
from aiser_desktop.core.workspace import Workspace

pytestmark = pytest.mark.slow


def test_query_metrics_over_mcp_gives_the_hand_written_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ws"
    with Workspace.open(path) as ws:
        load_sample(ws)
        generate_model(ws.sources.catalog(), ws.path)
    con = duckdb.connect(str(path / "data.duckdb"), read_only=True)
    try:
        expected = con.execute(
            "SELECT origin, count(*) FROM flights GROUP BY origin ORDER BY 2 DESC"
        ).fetchall()
    finally:
        con.close()
    keys = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "aiser_desktop", "mcp", "--workspace", str(path)],
        env={k: os.environ[k] for k in keys if k in os.environ},
    )

    async def scenario() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.call_tool("list_metrics", {"question": "flights"})
            assert not listed.isError
            names = {m["name"] for m in json.loads(listed.content[0].text)["members"]}
            assert "flights.count" in names
            done = await session.call_tool(
                "query_metrics",
                {"measures": ["flights.count"], "dimensions": ["flights.origin"]},
            )
            assert not done.isError, done.content[0].text
            data = json.loads(done.content[0].text)
            assert data["columns"] == ["flights.origin", "flights.count"]
            assert [tuple(r) for r in data["rows"]] == expected

    anyio.run(scenario)
