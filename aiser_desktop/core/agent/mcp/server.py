"""``aiser mcp``: the agent's tools served over MCP (stdio), so another agent can query a
workspace.

    aiser mcp --workspace ~/analysis [--allow-tools run_sql,list_sources] [--deny-tools ...]

Claude Desktop, or any MCP client, starts this command and talks JSON-RPC on its standard input
and output. It serves **every tool in the agent's registry** (list_sources, describe_table,
search_schema, run_sql, profile_column, make_chart, and whatever later modules register), with:

- the schema of each tool from its pydantic arguments model, and its docstring as the
  description; every tool is marked read-only (``readOnlyHint``);
- the same read-only guard as the agent: every SQL runs through
  :class:`~aiser_desktop.core.security.sql_guard.ReadOnlyRunner` (four locks), so a client
  can read the workspace and never change it. There is no write mode;
- a failure (bad arguments, a refused or failed query, a locked workspace) as an MCP tool
  error (``isError``) whose text is the app's message with its hint, never a traceback.

The workspace is opened at the first call and closed again after ``idle`` seconds without
one: a workspace is open in one process at a time, and an MCP client keeps its servers running
for as long as it runs, so holding it would lock the person out of their own app. A call that
finds the workspace open in the app says so.

Standard output is the protocol's: the process's file descriptor 1 is pointed at standard
error before anything else runs, so a stray print (ours or a library's, C code included) cannot
corrupt the stream.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from aiser_desktop.core.agent.tools import REGISTRY, ToolContext, ToolRegistry, ToolResult
from aiser_desktop.core.errors import AiserError

if TYPE_CHECKING:
    from mcp.server.lowlevel import Server

    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

SERVER_NAME = "aiser"
IDLE_SECONDS = 60.0  # the workspace is released after this long without a call
INSTRUCTIONS = (
    "Read-only access to an Aiser Desktop workspace (DuckDB). Start with list_sources or "
    "search_schema, look at a table with describe_table, then answer with run_sql (one "
    "SELECT or WITH query in DuckDB SQL). Nothing here can change the data."
)


# ---------------------------------------------------------------------- the tools
def served_tools(
    registry: ToolRegistry,
    allow: Sequence[str] = (),
    deny: Sequence[str] = (),
) -> list[str]:
    """The names of the tools to serve: all, or those in ``allow``, minus those in ``deny``.

    Raises:
        AiserError: A name in ``allow`` or ``deny`` is not a tool (the message lists them).
    """
    known = registry.names()
    for name in (*allow, *deny):
        if name not in known:
            raise AiserError(
                f"There is no tool named {name!r} to allow or deny.",
                hint=f"Tools: {', '.join(known)}.",
            )
    chosen = [n for n in known if not allow or n in allow]
    return [n for n in chosen if n not in deny]


class WorkspaceTools:
    """Runs registry tools over a workspace folder that is opened when needed.

    Calls run one at a time (a tool's context keeps the last result, for make_chart), on the
    caller's thread.

    Args:
        path: The workspace folder (it must exist).
        registry: Where the tools are.
        names: The tools that may be called.
        idle: Seconds without a call after which the workspace is closed.
    """

    def __init__(
        self,
        path: Path,
        registry: ToolRegistry = REGISTRY,
        names: Sequence[str] | None = None,
        *,
        idle: float = IDLE_SECONDS,
    ) -> None:
        self.path = path
        self.registry = registry
        self.names = list(names if names is not None else registry.names())
        self.idle = idle
        self._lock = threading.Lock()
        self._ws: Workspace | None = None
        self._ctx: ToolContext | None = None
        self._last_call = 0.0
        self._closed = threading.Event()
        self._reaper = threading.Thread(target=self._reap, name="aiser-mcp-idle", daemon=True)
        self._reaper.start()

    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Runs one tool; any failure comes back as a result that is not ``ok``."""
        if name not in self.names:
            return _failed(
                name,
                f"There is no tool named {name!r} here.",
                f"Tools: {', '.join(self.names)}.",
            )
        with self._lock:
            try:
                ctx = self._context()
            except AiserError as exc:
                return _failed(name, str(exc))
            self._last_call = time.monotonic()
            try:
                return self.registry.call(name, arguments, ctx)
            finally:
                self._last_call = time.monotonic()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            self._release()

    # ------------------------------------------------------------------ internals
    def _context(self) -> ToolContext:
        """The open workspace's tool context (opening the workspace if it is closed).

        Raises:
            AiserError: It cannot be opened (locked by the app, missing, broken).
        """
        from aiser_desktop.core.security.sql_guard import ReadOnlyRunner
        from aiser_desktop.core.workspace import Workspace

        if self._ws is not None and self._ctx is not None:
            catalog = self._ws.sources.catalog()
            self._ctx.runner.update_catalog(catalog)
            self._ctx.catalog = catalog
            return self._ctx
        started = time.perf_counter()
        ws = Workspace.open(self.path, create=False)
        try:
            catalog = ws.sources.catalog()
            runner = ReadOnlyRunner(ws.engine, catalog)
            self._ctx = ToolContext(runner, catalog, _index(ws))
            self._ctx.workspace = ws  # query_metrics and list_metrics read its model
        except BaseException:
            ws.close()
            raise
        self._ws = ws
        log.info("mcp: opened %s in %.3f s", self.path, time.perf_counter() - started)
        return self._ctx

    def _release(self) -> None:
        ctx, ws = self._ctx, self._ws
        self._ctx = self._ws = None
        if ctx is not None:
            ctx.runner.close()
        if ws is not None:
            ws.close()
            log.info("mcp: released %s", self.path)

    def _reap(self) -> None:
        """Closes the workspace after ``idle`` seconds without a call."""
        while not self._closed.wait(min(1.0, self.idle / 4)):
            if self._ws is None or time.monotonic() - self._last_call < self.idle:
                continue
            if self._lock.acquire(blocking=False):
                try:
                    if self._ws is not None and time.monotonic() - self._last_call >= self.idle:
                        self._release()
                finally:
                    self._lock.release()


def _index(ws: Workspace) -> Any:
    """The workspace's schema index (for search_schema), or None when it cannot be built."""
    try:
        from aiser_desktop.core.agent.schema_index import SchemaIndex

        return SchemaIndex.for_workspace(ws)
    except Exception:
        log.exception("mcp: no schema index; search_schema falls back to names")
        return None


def _failed(name: str, message: str, hint: str = "") -> ToolResult:
    text = f"{message} {hint}".strip()
    return ToolResult(name, False, {"error": text}, json.dumps({"error": text}))


# ---------------------------------------------------------------------- the MCP server
def build_server(tools: WorkspaceTools) -> Server[Any, Any]:
    """The MCP server (the SDK's low-level one) that serves ``tools``."""
    import anyio
    from mcp import types
    from mcp.server.lowlevel import Server

    from aiser_desktop import __version__

    server: Server[Any, Any] = Server(SERVER_NAME, __version__, instructions=INSTRUCTIONS)
    listed = [
        types.Tool(
            name=tool.name,
            description=tool.description,
            inputSchema=tool.args.model_json_schema(),
            annotations=types.ToolAnnotations(
                readOnlyHint=True, destructiveHint=False, openWorldHint=False
            ),
        )
        for tool in (tools.registry.get(n) for n in tools.names)
    ]

    @server.list_tools()  # type: ignore[no-untyped-call,untyped-decorator]
    async def list_tools() -> list[types.Tool]:
        return listed

    # Our registry checks arguments against the pydantic model and says what is wrong in the
    # app's words; the SDK's own jsonschema check would answer first, in its words.
    @server.call_tool(validate_input=False)  # type: ignore[untyped-decorator]
    async def call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        result = await anyio.to_thread.run_sync(tools.call, name, arguments)
        if not result.ok:
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=result.error)], isError=True
            )
        text = json.dumps(result.content, ensure_ascii=False, default=str)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structuredContent=result.content,
            isError=False,
        )

    return server


def protocol_stdout() -> BinaryIO:
    """Standard output for the protocol alone: returns a file on a copy of descriptor 1, and
    points descriptor 1 (and ``sys.stdout``) at standard error for everything else."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def serve(
    path: Path,
    *,
    allow: Sequence[str] = (),
    deny: Sequence[str] = (),
    idle: float = IDLE_SECONDS,
) -> None:
    """Serves the workspace at ``path`` over stdio until the client closes the stream.

    Raises:
        AiserError: ``path`` is not a workspace, or ``allow``/``deny`` name no tool.
    """
    from io import TextIOWrapper

    import anyio

    # Importing the loop registers every tool module it brings in.
    import aiser_desktop.core.agent.loop  # noqa: F401

    if not (path / "data.duckdb").exists() and not (path / "state.sqlite").exists():
        raise AiserError(
            f"There is no Aiser workspace at {str(path)!r}.",
            hint="Give the folder that holds data.duckdb with --workspace (open it in the app "
            "once to create it).",
        )
    names = served_tools(REGISTRY, allow, deny)
    tools = WorkspaceTools(path, REGISTRY, names, idle=idle)
    server = build_server(tools)
    out = protocol_stdout()

    async def run() -> None:
        from mcp.server.stdio import stdio_server

        stdin = anyio.wrap_file(TextIOWrapper(sys.stdin.buffer, encoding="utf-8"))
        stdout = anyio.wrap_file(TextIOWrapper(out, encoding="utf-8", write_through=True))
        async with stdio_server(stdin, stdout) as (read, write):
            await server.run(read, write, server.create_initialization_options())

    log.info("mcp: serving %s (%s)", path, ", ".join(names))
    try:
        anyio.run(run)
    finally:
        tools.close()
