"""MCP servers' tools in the agent's registry, with their origin, approval and the network rule.

    registry = McpRegistry.from_settings(settings, approver=ask_the_person)
    conversation = Conversation.for_workspace(ws, provider, registry=registry)

:class:`McpRegistry` is a :class:`~aiser_desktop.core.agent.tools.ToolRegistry` that holds the
app's own tools (those of the base registry, looked up when asked, so tools registered later
are there too) and, beside them, the tools of the MCP servers the person added:

- **Origin.** A server's tool is offered to the model as ``server__tool`` (the characters every
  provider's API accepts) and shown to people as ``server·tool``; its description starts with
  the server's name.
- **Lazily started.** The servers start when a model first asks which tools there are (on the
  agent's worker thread, never the window's), in parallel. One that fails is reported (an
  :class:`~aiser_desktop.core.agent.loop.AgentNotice`) and left out; it is tried again after
  :data:`RETRY_SECONDS`, so the agent goes on without it.
- **Shown before it runs.** The loop reports every call (``ToolStarted``) before it runs it;
  with ``ask`` on for the server, the approver (the panel asks the person) is asked before
  anything is sent, and a refusal is an error the model reads and answers without.
- **The network rule.** A server not allowed the network (its switch and the app's) is started
  without one (:mod:`~aiser_desktop.core.agent.mcp.sandbox`), or not at all.
- **Timeouts.** Each call is abandoned after ``timeout`` seconds, and a cancelled question
  stops waiting at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from aiser_desktop.core.agent.mcp.config import (
    DEFAULT_TIMEOUT,
    McpError,
    McpServerConfig,
    McpSettings,
    environment,
    tool_label,
    tool_name,
)
from aiser_desktop.core.agent.mcp.host import START_TIMEOUT, McpHost, RemoteTool
from aiser_desktop.core.agent.providers.base import ToolSpec
from aiser_desktop.core.agent.tools import REGISTRY, Tool, ToolContext, ToolRegistry
from aiser_desktop.core.errors import AiserError, QueryCancelledError

if TYPE_CHECKING:
    from mcp import types

    from aiser_desktop.core.agent.loop import AgentEvent
    from aiser_desktop.core.config import Settings

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0  # a server that failed is tried again after this long
DESCRIPTION_CHARS = 600


@dataclass(frozen=True)
class ApprovalRequest:
    """A call to an MCP tool that waits for the person's yes or no.

    Attributes:
        server: The server's name.
        tool: The tool's name on the server.
        label: How people see it ("currency·rate").
        arguments: What would be sent.
        command: The server's command line.
        cancelled: True once the question was cancelled (an approver stops waiting then).
    """

    server: str
    tool: str
    label: str
    arguments: dict[str, Any]
    command: str
    cancelled: Callable[[], bool]


Approver = Callable[[ApprovalRequest], bool]
EventSink = Callable[["AgentEvent"], None]


@dataclass(frozen=True)
class ServerStatus:
    """How a server is doing, for lists and the Test button.

    Attributes:
        name: The server.
        running: Started and answering.
        tools: The labels of its tools ("currency·rate"), when running.
        error: Why it is not running ("" when it is, or was never started).
        isolation: How it is started regarding the network ("no network", ...).
    """

    name: str
    running: bool
    tools: tuple[str, ...] = ()
    error: str = ""
    isolation: str = ""


class _McpArgs(BaseModel):
    """Arguments of an MCP tool: whatever the model sends (the server checks them against its
    schema, and its error goes back to the model); the schema shown is the server's."""

    model_config = ConfigDict(extra="allow")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return dict(cls.__dict__.get("__mcp_schema__", {"type": "object", "properties": {}}))


def _args_model(name: str, schema: dict[str, Any]) -> type[BaseModel]:
    clean = dict(schema) if isinstance(schema, dict) else {}
    clean.setdefault("type", "object")
    clean.setdefault("properties", {})
    return type(f"McpArgs_{name}", (_McpArgs,), {"__mcp_schema__": clean})


class McpRegistry(ToolRegistry):
    """The agent's tools plus those of the person's MCP servers (see the module's docstring).

    Args:
        servers: The servers (disabled ones are ignored).
        base: The app's own tools.
        network_enabled: The app's network switch.
        timeout: Seconds a call may take.
        approver: Asked before a call to a server with ``ask`` on; without one, such calls
            are refused (nobody is there to say yes).
        on_event: Receives notices (a server that failed) and progress (servers starting).
        start_timeout: Seconds a server may take to start.
    """

    def __init__(
        self,
        servers: Sequence[McpServerConfig] = (),
        *,
        base: ToolRegistry = REGISTRY,
        network_enabled: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        approver: Approver | None = None,
        on_event: EventSink | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        super().__init__()
        self.base = base
        self.servers = {s.name: s for s in servers if s.enabled}
        self.network_enabled = network_enabled
        self.timeout = timeout
        self.approver = approver
        self.on_event = on_event
        self.start_timeout = start_timeout
        self.host = McpHost()
        self._errors: dict[str, tuple[float, str]] = {}  # name -> (when, why) of a failure
        self._origin: dict[str, tuple[str, str]] = {}  # registry name -> (server, tool)
        self._connect_lock = threading.Lock()
        self._tools_lock = threading.Lock()  # servers start in parallel threads

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> McpRegistry:
        """The servers of the settings' ``[mcp]`` table (``options``: as for the constructor).

        Raises:
            McpError: The table is broken (the message names the server and the field).
        """
        mcp = McpSettings.from_settings(settings)
        options.setdefault("timeout", mcp.timeout)
        options.setdefault("network_enabled", settings.network_enabled)
        return cls(mcp.servers, **options)

    # ------------------------------------------------------------------ the registry
    def names(self) -> list[str]:
        """The app's tools, then the servers' (started first if need be, as for specs())."""
        self.connect()
        return self._names()

    def _names(self) -> list[str]:
        """The app's tools, then those of the servers running now (in the settings' order)."""
        order = list(self.servers)
        with self._tools_lock:
            mine = sorted(
                (n for n in self._tools if self._running(self._origin[n][0])),
                key=lambda n: order.index(s) if (s := self._origin[n][0]) in order else 0,
            )
        return [*self.base.names(), *mine]

    def get(self, name: str) -> Tool:
        with self._tools_lock:
            tool = self._tools.get(name)
        if tool is not None:
            return tool
        try:
            return self.base.get(name)
        except AiserError:
            raise AiserError(
                f"There is no tool named {name!r}.", hint=f"Tools: {', '.join(self._names())}."
            ) from None

    def specs(self, names: Sequence[str] | None = None) -> tuple[ToolSpec, ...]:
        """The tools as a model sees them; starts the servers that are not running yet."""
        self.connect()
        chosen = names if names is not None else self._names()
        specs = []
        for name in chosen:
            try:
                specs.append(self.get(name).spec())
            except AiserError:
                continue
        return tuple(specs)

    def origin(self, name: str) -> tuple[str, str] | None:
        """(server, tool on the server) of an MCP tool; None for the app's own."""
        return self._origin.get(name)

    # ------------------------------------------------------------------ servers
    def connect(self) -> list[ServerStatus]:
        """Starts, in parallel, every server that is not running and did not fail lately;
        a failure is reported through ``on_event`` and the others go on."""
        with self._connect_lock:
            now = time.monotonic()
            wanted = [
                s
                for name, s in self.servers.items()
                if not self._running(name)
                and now - self._errors.get(name, (-RETRY_SECONDS, ""))[0] >= RETRY_SECONDS
            ]
            if wanted:
                from aiser_desktop.core.agent.loop import AgentProgress

                names = ", ".join(s.name for s in wanted)
                self._emit(AgentProgress(f"Starting the MCP servers ({names})", -1.0))
                with ThreadPoolExecutor(min(4, len(wanted)), "aiser-mcp-start") as pool:
                    list(pool.map(self._start, wanted))
            return self.status()

    def status(self) -> list[ServerStatus]:
        """Every enabled server's state, without starting any."""
        from aiser_desktop.core.agent.mcp.sandbox import isolation_words

        found = []
        for name, server in self.servers.items():
            connection = self.host.connections.get(name)
            running = connection is not None and connection.alive
            tools = (
                tuple(tool_label(tool_name(name, t.name)) for t in connection.tools)
                if (running and connection is not None)
                else ()
            )
            error = "" if running else self._errors.get(name, (0.0, ""))[1]
            if not running and not error and connection is not None:
                error = connection.error
            words = isolation_words(server, self.network_enabled)
            found.append(ServerStatus(name, running, tools, error, words))
        return found

    def test(self, server: McpServerConfig) -> ServerStatus:
        """Starts ``server`` afresh (even a disabled one) and says what it offers.

        Raises:
            McpError: It does not start (the message says why).
        """
        self.servers[server.name] = server
        self._errors.pop(server.name, None)
        self._start(server, report=False)
        if server.name in self._errors:
            raise McpError(self._errors[server.name][1])
        return next(s for s in self.status() if s.name == server.name)

    def close(self, *, wait: bool = True) -> None:
        """Stops every server (``wait=False`` returns at once; the stopping goes on)."""
        self.host.close(wait=wait)

    def _running(self, name: str) -> bool:
        connection = self.host.connections.get(name)
        return connection is not None and connection.alive

    def _start(self, server: McpServerConfig, report: bool = True) -> None:
        from aiser_desktop.core.agent.mcp.sandbox import launch_command

        try:
            command, args = launch_command(server, self.network_enabled)
            env = environment(server)
            connection = self.host.start(
                server.name,
                command,
                args,
                env=env,
                cwd=server.cwd,
                shown=server.command_line(),
                timeout=self.start_timeout,
            )
        except AiserError as exc:
            self._forget(server.name)
            self._errors[server.name] = (time.monotonic(), str(exc))
            log.warning("MCP server %s: %s", server.name, exc)
            if report:
                from aiser_desktop.core.agent.loop import AgentNotice

                self._emit(AgentNotice(f"{exc} The agent goes on without it.", "mcp"))
            return
        self._errors.pop(server.name, None)
        self._forget(server.name)
        for remote in connection.tools:
            self._add(server, remote)
        log.info("MCP server %s: %d tools", server.name, len(connection.tools))

    def _forget(self, server: str) -> None:
        with self._tools_lock:
            for name in [n for n, (s, _t) in self._origin.items() if s == server]:
                self._origin.pop(name, None)
                self._tools.pop(name, None)

    def _add(self, server: McpServerConfig, remote: RemoteTool) -> None:
        name = tool_name(server.name, remote.name)
        if name in self._origin or name in self.base.names():
            log.warning("MCP server %s: tool %s left out (name taken)", server.name, remote.name)
            return
        description = " ".join(remote.description.split())[:DESCRIPTION_CHARS]
        description = f"(from the MCP server {server.name!r}) {description}".strip()

        def run(ctx: ToolContext, args: BaseModel) -> dict[str, Any]:
            return self._call(server.name, remote.name, dict(args.model_extra or {}), ctx)

        with self._tools_lock:
            self._origin[name] = (server.name, remote.name)
            self._tools[name] = Tool(name, description, _args_model(name, remote.schema), run)

    # ------------------------------------------------------------------ one call
    def _call(
        self, server_name: str, tool: str, arguments: dict[str, Any], ctx: ToolContext
    ) -> dict[str, Any]:
        server = self.servers[server_name]
        label = tool_label(tool_name(server_name, tool))

        def cancelled() -> bool:
            return bool(getattr(ctx.runner, "cancelled", False))

        if server.ask:
            if self.approver is None:
                raise McpError(
                    f"{label} needs the person's approval, and nobody can give it here.",
                    hint=f"Turn off 'ask before running' for {server_name!r} in Settings > "
                    "MCP servers to let the agent call it unasked.",
                )
            request = ApprovalRequest(
                server_name, tool, label, arguments, server.command_line(), cancelled
            )
            approved = self.approver(request)
            if cancelled():
                raise QueryCancelledError("The question was cancelled.")
            if not approved:
                raise McpError(
                    f"The person declined the call to {label}.",
                    hint="Answer without it, or say what is missing.",
                )
        was_running = self._running(server_name)
        try:
            result = self.host.call(
                server_name, tool, arguments, timeout=self.timeout, cancelled=cancelled
            )
        except McpError as exc:
            if was_running and not self._running(server_name):
                # It died on this call: likely to again, so it sits out RETRY_SECONDS. One
                # that had ended while idle is simply started at the next question.
                self._errors[server_name] = (time.monotonic(), str(exc))
                self._forget(server_name)
            raise
        return _content(label, result)

    def _emit(self, event: AgentEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("MCP event handler failed on %r", event)


def _content(label: str, result: types.CallToolResult) -> dict[str, Any]:
    """A tool's answer as the registry's JSON content (an error when the server says so)."""
    texts: list[str] = []
    for block in result.content:
        kind = getattr(block, "type", "")
        if kind == "text":
            texts.append(str(getattr(block, "text", "")))
        else:
            texts.append(f"[{kind or 'content'} left out: {getattr(block, 'mimeType', '')}]")
    text = "\n".join(t for t in texts if t).strip()
    if result.isError:
        raise McpError(f"{label} failed: {text or 'the server gave no reason'}.")
    structured = result.structuredContent
    if isinstance(structured, dict):
        # FastMCP wraps a result that is not an object as {"result": ...}
        if list(structured) == ["result"]:
            return {"result": structured["result"]}
        return {"result": structured}
    try:
        return {"result": json.loads(text)}
    except ValueError:
        return {"result": text}
