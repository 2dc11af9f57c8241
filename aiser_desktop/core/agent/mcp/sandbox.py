"""An MCP server the person did not allow the network starts with no network at all.

The network rule of the app (nothing leaves the machine unless the person turned it on) must
hold for programs it starts, too, and a promise in a settings dialog is not enough: the
program is started in a network namespace of its own, where no interface is up (not even
loopback), so every connection fails with "network unreachable".

- Linux, as root: ``unshare --net -- COMMAND``.
- Linux, as a user, where the kernel allows unprivileged user namespaces (most distributions):
  ``unshare --map-current-user --net -- COMMAND`` (older util-linux: ``--map-root-user``).
- Anywhere else (macOS, Windows, a Linux without user namespaces or without ``unshare``):
  there is no way to take the network away from a program, so the server is **not started**
  and the message says how to go on: allow it the network (if it is trusted), or run it where
  isolation works. Starting it anyway would break the rule silently.

A server allowed the network (its own switch and the app's) starts as it is.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys

from aiser_desktop.core.agent.mcp.config import McpError, McpServerConfig

log = logging.getLogger(__name__)

PROBE_SECONDS = 5.0


@functools.cache
def isolation_prefix() -> tuple[str, ...] | None:
    """The command prefix that starts a program with no network here, or None if there is
    none (checked once per process by running ``true`` under it)."""
    if not sys.platform.startswith("linux"):
        return None
    unshare = shutil.which("unshare")
    true = shutil.which("true")
    if unshare is None or true is None:
        return None
    candidates: list[tuple[str, ...]] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        candidates.append((unshare, "--net"))
    candidates += [
        (unshare, "--map-current-user", "--net"),
        (unshare, "--map-root-user", "--net"),
    ]
    for prefix in candidates:
        try:
            done = subprocess.run(
                [*prefix, "--", true],
                capture_output=True,
                timeout=PROBE_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("network isolation with %s does not work: %s", prefix, exc)
            continue
        if done.returncode == 0:
            return prefix
        log.info(
            "network isolation with %s does not work: %s",
            prefix,
            done.stderr.decode(errors="replace").strip(),
        )
    return None


def network_allowed(server: McpServerConfig, network_enabled: bool) -> bool:
    """The server may use the network: its own switch and the app's are both on."""
    return server.network and network_enabled


def launch_command(server: McpServerConfig, network_enabled: bool) -> tuple[str, list[str]]:
    """The program and arguments that start ``server`` under the network rule.

    Args:
        server: The server.
        network_enabled: The app's network switch.

    Raises:
        McpError: It may not use the network and this machine cannot start it without (the
            message says what to do instead).
    """
    command = _program(server)
    if network_allowed(server, network_enabled):
        return command, list(server.args)
    prefix = isolation_prefix()
    if prefix is None:
        why = (
            "the app's network switch is off" if server.network else "it is not allowed the network"
        )
        raise McpError(
            f"The MCP server {server.name!r} was not started: {why}, and this system cannot "
            "start a program without network access (that needs Linux with unshare and user "
            "namespaces).",
            hint="If you trust it, allow it the network in Settings > MCP servers (and turn "
            "the network on); otherwise leave it off.",
        )
    return prefix[0], [*prefix[1:], "--", command, *server.args]


def _program(server: McpServerConfig) -> str:
    """The server's program as a path, found on PATH (or in its folder) when it is a name.

    Raises:
        McpError: There is no such program.
    """
    from pathlib import Path

    command = server.command
    if os.sep not in command and (os.altsep is None or os.altsep not in command):
        found = shutil.which(command)
        if found is not None:
            return found
    elif server.cwd and not Path(command).is_absolute():
        candidate = Path(server.cwd) / command
        if candidate.exists():
            return str(candidate)
    elif Path(command).exists():
        return command
    raise McpError(
        f"The MCP server {server.name!r} was not started: the program {command!r} was not found.",
        hint="Give its full path, or the name of a program on PATH, in Settings > MCP servers.",
    )


def isolation_words(server: McpServerConfig, network_enabled: bool) -> str:
    """How ``server`` is started, in words for a list ("no network (unshare)")."""
    if network_allowed(server, network_enabled):
        return "network allowed"
    if server.network:
        return "no network (the app's network switch is off)"
    return "no network"
