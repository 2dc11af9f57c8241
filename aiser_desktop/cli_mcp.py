"""The command line's MCP verbs.

    aiser mcp [--workspace DIR] [--allow-tools A,B] [--deny-tools C] [--idle-close SECONDS]
    aiser mcp-servers list [--json]
    aiser mcp-servers add [--env NAME]... [--allow-network] [--no-ask] [--cwd DIR]
                          NAME COMMAND [ARG...]
    aiser mcp-servers remove NAME
    aiser mcp-servers test NAME

``aiser mcp`` serves the workspace's tools to an MCP client over standard input and output
(see :mod:`aiser_desktop.core.agent.mcp.server`); its standard output is the protocol's, so
everything else goes to standard error. The ``mcp-servers`` verbs edit the MCP servers the
agent may call, in the settings file; an ``--env`` variable's value goes to the OS keyring,
taken from this shell's variable of the same name or asked for on the terminal. None of them
needs a workspace open, so they run while the app has it. Only the standard library is imported
here, so ``aiser --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings

VERBS = ("mcp", "mcp-servers")


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``mcp`` and ``mcp-servers`` to the command's verbs."""
    serve = verbs.add_parser(
        "mcp",
        parents=[workspace],
        help="serve the workspace's tools to an MCP client (Claude Desktop, ...) over stdio",
        description="Serves the agent's tools (list_sources, describe_table, run_sql, ...) "
        "over MCP on standard input and output, read-only: every SQL goes through the "
        "agent's read-only guard. The workspace is opened at the first call and released "
        "after --idle-close seconds without one.",
    )
    serve.add_argument(
        "--allow-tools",
        type=_names,
        default=[],
        metavar="A,B",
        help="serve only these tools (comma-separated)",
    )
    serve.add_argument(
        "--deny-tools", type=_names, default=[], metavar="C,D", help="do not serve these tools"
    )
    serve.add_argument(
        "--idle-close",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="release the workspace after this long without a call (default: 60)",
    )

    servers = verbs.add_parser(
        "mcp-servers",
        help="the MCP servers whose tools the agent may call: list, add, remove, test",
        description="The MCP servers the agent may call, kept in the settings file (secrets "
        "in the OS keyring).",
    )
    actions = servers.add_subparsers(dest="mcp_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the servers, their commands and settings")
    listing.add_argument("--json", action="store_true", help="print JSON")
    add = actions.add_parser(
        "add",
        help="add a server (a command that speaks MCP on stdio)",
        description="Adds a server. Options go before NAME; everything after COMMAND is its "
        "arguments. Example: aiser mcp-servers add --env API_KEY weather npx -y "
        "@acme/weather-mcp",
    )
    add.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME",
        help="give the server this environment variable; its value is kept in the OS keyring, "
        "taken from this shell's $NAME or asked for (repeatable)",
    )
    add.add_argument(
        "--allow-network",
        action="store_true",
        help="let it use the network (only while the app's network switch is on too)",
    )
    add.add_argument(
        "--no-ask", action="store_true", help="let the agent call it without asking first"
    )
    add.add_argument("--cwd", default="", metavar="DIR", help="the folder it starts in")
    add.add_argument("name", help="a short name: lowercase letters, digits and hyphens")
    add.add_argument("command", help="the program that starts it")
    add.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    remove = actions.add_parser("remove", help="remove a server and forget its secrets")
    remove.add_argument("name")
    test = actions.add_parser("test", help="start a server, list its tools, stop it")
    test.add_argument("name")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs an MCP verb; returns the exit code.

    Raises:
        AiserError: What went wrong, in words (``aiser`` prints it).
    """
    if args.verb == "mcp":
        return _serve(args, settings)
    action = args.mcp_action
    if action == "list":
        return _list(settings, as_json=args.json)
    if action == "add":
        return _add(args, settings)
    if action == "remove":
        return _remove(args.name, settings)
    return _test(args.name, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiser_desktop.core.agent.mcp.server import serve
    from aiser_desktop.core.config import resolve_workspace

    path = resolve_workspace(getattr(args, "workspace", None), settings)
    serve(
        Path(path).expanduser().resolve(),
        allow=args.allow_tools,
        deny=args.deny_tools,
        idle=max(1.0, args.idle_close),
    )
    return 0


def _list(settings: Settings, *, as_json: bool) -> int:
    from aiser_desktop.core.agent.mcp.config import McpSettings
    from aiser_desktop.core.agent.mcp.sandbox import isolation_words

    mcp = McpSettings.from_settings(settings)
    if as_json:
        print(json.dumps([s.to_dict() for s in mcp.servers], indent=2))
        return 0
    if not mcp.servers:
        print("No MCP servers yet. Add one: aiser mcp-servers add NAME COMMAND [ARG...]")
        return 0
    for server in mcp.servers:
        flags = [
            "enabled" if server.enabled else "disabled",
            "asks first" if server.ask else "runs unasked",
            isolation_words(server, settings.network_enabled),
        ]
        if server.env:
            flags.append("env " + ", ".join(server.env) + " (in the keyring)")
        print(f"{server.name:<16} {server.command_line()}")
        print(f"{'':<16} {'; '.join(flags)}")
    return 0


def _add(args: argparse.Namespace, settings: Settings) -> int:
    from aiser_desktop.core.agent.mcp.config import (
        McpError,
        McpServerConfig,
        McpSettings,
        set_env,
    )

    mcp = McpSettings.from_settings(settings)
    server = McpServerConfig(
        name=args.name.strip(),
        command=args.command,
        args=list(args.args),
        cwd=args.cwd,
        network=args.allow_network,
        ask=not args.no_ask,
    )
    mcp.add(server)  # checks the name before any secret is stored
    for variable in args.env:
        value = os.environ.get(variable)
        if value is None:
            if not sys.stdin.isatty():
                raise McpError(
                    f"There is no value for {variable}: it is not set in this shell and there "
                    "is no terminal to ask on.",
                    hint=f"Run it as {variable}=... aiser mcp-servers add ..., or from a terminal.",
                )
            import getpass

            value = getpass.getpass(
                f"Value of {variable} for {server.name} (kept in the keyring): "
            )
        set_env(server, variable, value)
    mcp.store(settings)
    settings.save()
    print(f"Added the MCP server {server.name!r}: {server.command_line()}")
    if settings.network_enabled and server.network:
        print("It may use the network.")
    else:
        print("It starts without network access (see aiser mcp-servers test).")
    return 0


def _remove(name: str, settings: Settings) -> int:
    from aiser_desktop.core.agent.mcp.config import McpSettings

    mcp = McpSettings.from_settings(settings)
    mcp.remove(name)
    mcp.store(settings)
    settings.save()
    print(f"Removed the MCP server {name!r}.")
    return 0


def _test(name: str, settings: Settings) -> int:
    from aiser_desktop.core.agent.mcp.client import McpRegistry
    from aiser_desktop.core.agent.mcp.config import McpSettings

    mcp = McpSettings.from_settings(settings)
    server = mcp.get(name)
    registry = McpRegistry((), network_enabled=settings.network_enabled, timeout=mcp.timeout)
    try:
        status = registry.test(server)
    finally:
        registry.close()
    print(f"{name}: started ({status.isolation}); {len(status.tools)} tools:")
    for label in status.tools:
        print(f"  {label}")
    return 0


# ---------------------------------------------------------------------- aiser ask
def agent_tools(settings: Settings, report: Callable[[Any], None]) -> tuple[Any, Any]:
    """The registry ``aiser ask`` gives its conversation (the app's tools and the MCP
    servers'), and an event reporter that also prints each MCP call before it runs.

    A server that asks first is asked about on the terminal; without one (a question piped
    in), such calls are refused and the agent answers without them. A broken ``[mcp]`` table
    is reported and no server is used.
    """
    from aiser_desktop.core.agent.loop import ToolStarted
    from aiser_desktop.core.agent.mcp.client import McpRegistry
    from aiser_desktop.core.agent.mcp.config import is_mcp_tool, tool_label
    from aiser_desktop.core.errors import AiserError

    approver = _ask_on_terminal if sys.stdin is not None and sys.stdin.isatty() else None
    try:
        registry = McpRegistry.from_settings(settings, approver=approver, on_event=report)
    except AiserError as exc:
        print(f"aiser: warning: {exc} No MCP server is used.", file=sys.stderr)
        registry = McpRegistry((), on_event=report)

    def report_calls(event: Any) -> None:
        if isinstance(event, ToolStarted) and is_mcp_tool(event.name):
            arguments = json.dumps(event.arguments, ensure_ascii=False, default=str)
            print(f"aiser: calling {tool_label(event.name)} {arguments}", file=sys.stderr)
        report(event)

    return registry, report_calls


def _ask_on_terminal(request: Any) -> bool:
    arguments = json.dumps(request.arguments, ensure_ascii=False, default=str)
    print(
        f"The agent wants to call {request.label} with {arguments} "
        f"(MCP server {request.server!r}: {request.command}).",
        file=sys.stderr,
    )
    try:
        reply = input("Run it? [y/N] ")
    except EOFError:
        return False
    return reply.strip().lower() in ("y", "yes")
