"""Running MCP servers: each one a child process over stdio, driven by the SDK's client.

The SDK's client is asynchronous and the agent's loop is not, so the sessions live on one
asyncio loop in a daemon thread (:class:`McpHost`); the loop's worker thread calls into it and
waits, with a timeout, in short slices so a cancel is seen at once. Each server is one task
that holds ``stdio_client`` and ``ClientSession`` open until it is stopped (the SDK's context
managers must be left from the task that entered them).

What can go wrong, and what the person reads:

- the program is missing, exits at once, or does not speak MCP within the start timeout: an
  :class:`~aiser_desktop.core.agent.mcp.config.McpError` naming the server, the command, and
  the last lines it wrote on standard error;
- it dies during a call: the SDK ends the call with "Connection closed"; the error says the
  server stopped (with its last words), and the server is marked dead;
- a call takes longer than the timeout: it is abandoned and the error says so.

A server's standard error goes to a temporary file, read back only for those messages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from aiser_desktop.core.agent.mcp.config import McpError
from aiser_desktop.core.errors import QueryCancelledError

if TYPE_CHECKING:
    from mcp import ClientSession, types

log = logging.getLogger(__name__)

CONNECTION_CLOSED = -32000  # the SDK's code for a server whose stream ended (mcp.types)
START_TIMEOUT = 20.0  # seconds for a server to start and list its tools
STOP_TIMEOUT = 5.0
POLL = 0.05  # seconds between looks at a cancel while waiting
STDERR_TAIL = 600  # characters of a server's standard error quoted in a message
STDERR_LINES = 3  # lines of it


@dataclass(frozen=True)
class RemoteTool:
    """A tool a server offers.

    Attributes:
        name: Its name on the server.
        description: What it does (the server's words).
        schema: The JSON schema of its arguments.
    """

    name: str
    description: str
    schema: dict[str, Any]


@dataclass
class Connection:
    """One running server.

    Attributes:
        name: The server's name (from the settings).
        command: The command line that started it, for messages.
        tools: What it offers, once started.
        alive: Started and not dead.
        error: Why it stopped or failed to start ("" while alive).
    """

    name: str
    command: str
    tools: list[RemoteTool] = field(default_factory=list)
    alive: bool = False
    error: str = ""
    session: ClientSession | None = field(default=None, repr=False)
    stderr: IO[str] | None = field(default=None, repr=False)
    task: concurrent.futures.Future[None] | None = field(default=None, repr=False)
    stop: asyncio.Event | None = field(default=None, repr=False)

    def last_words(self) -> str:
        """The end of what the server wrote on standard error ("" when nothing)."""
        if self.stderr is None:
            return ""
        try:
            self.stderr.flush()
            self.stderr.seek(0)
            text = self.stderr.read()
        except (OSError, ValueError):
            return ""
        # The last lines say the most (a traceback ends with its error); servers often log
        # every request before them.
        text = "\n".join(text.strip().splitlines()[-STDERR_LINES:])
        return text[-STDERR_TAIL:] if len(text) > STDERR_TAIL else text


class McpHost:
    """The asyncio loop (on its own thread) where MCP client sessions live."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.connections: dict[str, Connection] = {}

    # ------------------------------------------------------------------ starting
    def start(
        self,
        name: str,
        command: str,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str = "",
        shown: str = "",
        timeout: float = START_TIMEOUT,
    ) -> Connection:
        """Starts a server and lists its tools; blocks until it is ready.

        Args:
            name: The server's name.
            command: The program (possibly the network-isolating wrapper).
            args: Its arguments.
            env: Variables added to the SDK's short default environment (PATH, HOME, ...).
            cwd: The folder to start in ("" = this process's).
            shown: The command line as the person gave it, for messages.
            timeout: Seconds to wait for it to be ready.

        Raises:
            McpError: It did not start or did not answer in time (the message says which).
        """
        self.stop(name)
        loop = self._ensure_loop()
        connection = Connection(name, shown or command)
        # Kept open for the server's life (closed by stop()), so no `with` here.
        connection.stderr = tempfile.TemporaryFile(  # noqa: SIM115
            "w+", encoding="utf-8", errors="replace"
        )
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._lock:
            self.connections[name] = connection
        connection.task = asyncio.run_coroutine_threadsafe(
            self._run(connection, command, args, env, cwd, ready), loop
        )
        try:
            ready.result(timeout)
        except concurrent.futures.TimeoutError:
            self.stop(name)
            raise McpError(
                f"The MCP server {name!r} did not answer within {timeout:g} s "
                f"(command: {connection.command}).{_words(connection)}",
                hint="Check the command in Settings > MCP servers; run it in a terminal to "
                "see what it does.",
            ) from None
        except McpError:
            raise
        except Exception as exc:
            raise McpError(
                f"The MCP server {name!r} could not start: {_reason(exc)} "
                f"(command: {connection.command}).{_words(connection)}",
                hint="Check the command and its arguments in Settings > MCP servers.",
            ) from exc
        return connection

    async def _run(
        self,
        connection: Connection,
        command: str,
        args: list[str],
        env: dict[str, str] | None,
        cwd: str,
        ready: concurrent.futures.Future[None],
    ) -> None:
        import anyio
        from mcp import ClientSession, StdioServerParameters, types
        from mcp.client.stdio import stdio_client

        from aiser_desktop import __version__

        connection.stop = asyncio.Event()
        params = StdioServerParameters(command=command, args=args, env=env, cwd=cwd or None)
        info = types.Implementation(name="aiser-desktop", version=__version__)
        # The session reads through a relay, so the end of the server's output (the process
        # ended) is seen at once, not at the next call: it is left out of the next question.
        relay_in, relay_out = anyio.create_memory_object_stream[Any](0)

        async def relay(read: Any) -> None:
            async with relay_in:
                async for message in read:
                    await relay_in.send(message)
            # The session ends its calls in flight with "Connection closed"; later ones find
            # no session. The task is left to stop(), which cleans up.
            if connection.alive:
                connection.alive = False
                connection.session = None
                connection.error = "it stopped (the process ended)"

        try:
            async with (
                stdio_client(params, errlog=connection.stderr) as (read, write),  # type: ignore[arg-type]
                anyio.create_task_group() as relays,
                ClientSession(relay_out, write, client_info=info) as session,
            ):
                relays.start_soon(relay, read)
                await session.initialize()
                connection.tools = await _list_tools(session)
                connection.session = session
                connection.alive = True
                ready.set_result(None)
                await connection.stop.wait()
                relays.cancel_scope.cancel()
        except BaseException as exc:  # the task's end, however it came, is the server's end
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else McpError(str(exc)))
            if connection.alive:
                connection.error = f"stopped: {_reason(exc)}"
            if not isinstance(exc, Exception):
                raise
        finally:
            connection.alive = False
            connection.session = None

    # ------------------------------------------------------------------ calling
    def call(
        self,
        name: str,
        tool: str,
        arguments: dict[str, Any],
        *,
        timeout: float,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> types.CallToolResult:
        """Calls a tool of a running server; blocks until it answers.

        Raises:
            McpError: The server is not running, died during the call, or took too long.
            QueryCancelledError: ``cancelled()`` became true while waiting.
        """
        from mcp.shared.exceptions import McpError as SdkError

        connection = self.connections.get(name)
        session = connection.session if connection is not None else None
        if connection is None or session is None or self._loop is None:
            why = connection.error if connection is not None and connection.error else ""
            raise McpError(
                f"The MCP server {name!r} is not running{': ' + why if why else ''}.",
                hint="The agent goes on without it; Test it in Settings > MCP servers.",
            )
        future = asyncio.run_coroutine_threadsafe(session.call_tool(tool, arguments), self._loop)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return future.result(POLL)
            except concurrent.futures.TimeoutError:
                if cancelled():
                    future.cancel()
                    raise QueryCancelledError("The question was cancelled.") from None
                if time.monotonic() > deadline:
                    future.cancel()
                    raise McpError(
                        f"The MCP server {name!r} did not answer {tool} within {timeout:g} s.",
                        hint="The call was abandoned. A larger timeout is [mcp] timeout in "
                        "the settings file.",
                    ) from None
            except SdkError as exc:
                if exc.error.code != CONNECTION_CLOSED:
                    raise McpError(
                        f"The MCP server {name!r} refused the call to {tool}: {exc.error.message}."
                    ) from exc
                raise self._died(connection, tool) from exc
            except Exception as exc:  # a closed or broken stream: the process is gone
                raise self._died(connection, tool) from exc

    def _died(self, connection: Connection, tool: str) -> McpError:
        connection.alive = False
        connection.error = "it stopped (the process ended)"
        self.stop(connection.name, wait=False)
        return McpError(
            f"The MCP server {connection.name!r} stopped while running {tool}.{_words(connection)}",
            hint="Its tools are left out until it starts again; the agent goes on without it.",
        )

    # ------------------------------------------------------------------ stopping
    def stop(self, name: str, *, wait: bool = True) -> None:
        """Stops a server (closes its input, then terminates it); nothing if not running."""
        with self._lock:
            connection = self.connections.pop(name, None)
        if connection is None:
            return
        loop = self._loop
        if loop is not None and connection.stop is not None and connection.alive:
            loop.call_soon_threadsafe(connection.stop.set)  # the SDK closes it gently
        elif connection.task is not None:
            connection.task.cancel()  # still starting (or stuck there): stop waiting for it
        if connection.task is not None and wait:
            with contextlib.suppress(Exception, concurrent.futures.CancelledError):
                connection.task.result(STOP_TIMEOUT)
        if wait and connection.stderr is not None:
            connection.stderr.close()

    def close(self, *, wait: bool = True) -> None:
        """Stops every server, then the loop (``wait=False``: returns at once, and the loop's
        thread finishes the work)."""
        names = list(self.connections)
        loop, thread = self._loop, self._thread
        if not wait:
            threading.Thread(
                target=self.close, kwargs={"wait": True}, name="aiser-mcp-close", daemon=True
            ).start()
            return
        for name in names:
            self.stop(name)
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)
            if not thread.is_alive():
                loop.close()
        self._loop = self._thread = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="aiser-mcp", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


async def _list_tools(session: ClientSession) -> list[RemoteTool]:
    """Every tool the server offers (following its pages)."""
    from mcp import types

    found: list[RemoteTool] = []
    cursor: str | None = None
    while True:
        params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
        page = await session.list_tools(params=params)
        for tool in page.tools:
            found.append(RemoteTool(tool.name, tool.description or "", dict(tool.inputSchema)))
        cursor = page.nextCursor
        if not cursor:
            return found


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"the program {exc.filename or ''!s} was not found".replace("  ", " ")
    if isinstance(exc, PermissionError):
        return f"the program {exc.filename or ''!s} may not be run".replace("  ", " ")
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_reason(e) for e in exc.exceptions)
    error: Any = getattr(exc, "error", None)  # the SDK's McpError carries ErrorData
    message = str(getattr(error, "message", "") or "")
    if message:
        code = getattr(error, "code", None)
        return "it ended without answering" if code == CONNECTION_CLOSED else message
    return str(exc) or type(exc).__name__


def _words(connection: Connection) -> str:
    words = connection.last_words()
    return f" It said: “{words}”." if words else ""
