"""The MCP servers a person added: plain records in the settings file, secrets in the keyring.

They live in the settings file's ``[mcp]`` table (``Settings.extra["mcp"]``, so older settings
files load unchanged):

.. code-block:: toml

    [mcp]
    timeout = 30.0                   # seconds a tool call may take

    [[mcp.servers]]
    name = "currency"                # lowercase letters, digits and hyphens; the tools' origin
    command = "/usr/bin/python3"     # the program, found on PATH when not a path
    args = ["/opt/mcp/currency.py"]
    env = ["RATES_KEY"]              # names only: each value is in the OS keyring
    cwd = ""                         # the folder it starts in ("" = wherever)
    network = false                  # the person allowed it the network
    ask = true                       # ask before each call
    enabled = true

An environment variable's value is a secret as often as not (an API key), so only its name is
written here; :func:`set_env` puts the value in the keyring under ``mcp:<server>:<NAME>``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings

DEFAULT_TIMEOUT = 30.0  # seconds for one tool call
SEPARATOR = "__"  # between a server's name and its tool's in the name a model sees
LABEL_SEPARATOR = "·"  # the same, as people see it: "currency·rate"
MAX_TOOL_NAME = 64  # what OpenAI's and Anthropic's APIs accept
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


class McpError(AiserError):
    """An MCP server cannot be added, started or called."""


@dataclass
class McpServerConfig:
    """One MCP server the person added (see the module's docstring for the fields).

    Attributes:
        name: The server's short name, shown as the origin of its tools.
        command: The program to run.
        args: Its arguments.
        env: The names of the environment variables it gets (values in the keyring).
        cwd: The folder it starts in ("" = the app's).
        network: The person allowed it the network (the app's switch must be on too).
        ask: Ask the person before each call.
        enabled: Start it for the agent.
    """

    name: str
    command: str
    args: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    cwd: str = ""
    network: bool = False
    ask: bool = True
    enabled: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "the settings file") -> McpServerConfig:
        """A server from its TOML table.

        Raises:
            McpError: A field is missing or has the wrong type (the message names it).
        """
        name = data.get("name")
        if not isinstance(name, str) or not isinstance(data.get("command"), str):
            raise McpError(
                f"An MCP server in {where} has no name or no command: {data!r}.",
                hint="Give each [[mcp.servers]] a name and a command, or remove it.",
            )
        values: dict[str, Any] = {}
        defaults = cls(name="x", command="x")
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = getattr(defaults, f.name)
            ok = isinstance(value, type(default))
            if ok and isinstance(value, list):
                ok = all(isinstance(v, str) for v in value)
            if not ok:
                raise McpError(
                    f"In {where}, the MCP server {name!r} has {f.name} = {value!r}, which "
                    f"should be a {type(default).__name__}"
                    + (" of strings." if isinstance(default, list) else "."),
                    hint="Fix it in Settings > MCP servers or in the file.",
                )
            values[f.name] = value
        server = cls(**values)
        server.validate()
        return server

    def validate(self) -> None:
        """Raises McpError when the name, command or an environment name is not usable."""
        if not _NAME.match(self.name):
            raise McpError(
                f"{self.name!r} is not a usable MCP server name.",
                hint="Use 1 to 24 lowercase letters, digits and hyphens, starting with a "
                "letter (for example weather or my-files).",
            )
        if not self.command.strip():
            raise McpError(
                f"The MCP server {self.name!r} has no command.",
                hint="Give the program that starts it (for example npx, uvx or python).",
            )
        for name in self.env:
            if not _ENV_NAME.match(name):
                raise McpError(
                    f"{name!r} is not an environment variable name (MCP server {self.name!r}).",
                    hint="Use letters, digits and underscores, not starting with a digit.",
                )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def command_line(self) -> str:
        """The command as a person would type it (for lists and messages)."""
        import shlex

        return shlex.join([self.command, *self.args])


@dataclass
class McpSettings:
    """The ``[mcp]`` table: the servers, and how long a call may take."""

    servers: list[McpServerConfig] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Settings) -> McpSettings:
        """The ``[mcp]`` table of ``settings``.

        Raises:
            McpError: A server's entry is broken (the message names it and the field).
        """
        table = settings.extra.get("mcp")
        if not isinstance(table, dict):
            return cls()
        timeout = table.get("timeout", DEFAULT_TIMEOUT)
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise McpError(
                f"In the settings file, [mcp] timeout = {timeout!r} should be a number of "
                "seconds above 0.",
                hint=f"Set it to {DEFAULT_TIMEOUT:g}, for example.",
            )
        entries = table.get("servers", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise McpError(
                "In the settings file, [mcp] servers should be a list of [[mcp.servers]] tables.",
                hint="Fix it in the file, or remove the [mcp] table to start again.",
            )
        servers = [McpServerConfig.from_dict(e) for e in entries]
        names = [s.name for s in servers]
        for name in names:
            if names.count(name) > 1:
                raise McpError(
                    f"Two MCP servers in the settings file are named {name!r}.",
                    hint="Rename or remove one of them.",
                )
        return cls(servers, float(timeout))

    def store(self, settings: Settings) -> None:
        """Writes this into ``settings`` (call ``settings.save()`` after)."""
        table = dict(settings.extra.get("mcp") or {})
        table["timeout"] = self.timeout
        table["servers"] = [s.to_dict() for s in self.servers]
        settings.extra["mcp"] = table

    def get(self, name: str) -> McpServerConfig:
        """The server named ``name``.

        Raises:
            McpError: There is none (the message lists the names there are).
        """
        for server in self.servers:
            if server.name == name:
                return server
        known = ", ".join(s.name for s in self.servers) or "none yet"
        raise McpError(
            f"There is no MCP server named {name!r}.",
            hint=f"MCP servers: {known}. Add one with aiser mcp-servers add or in Settings.",
        )

    def add(self, server: McpServerConfig) -> None:
        """Adds ``server``.

        Raises:
            McpError: Its name is taken or not usable.
        """
        server.validate()
        if any(s.name == server.name for s in self.servers):
            raise McpError(
                f"There is already an MCP server named {server.name!r}.",
                hint="Choose another name, or remove the old one first.",
            )
        self.servers.append(server)

    def remove(self, name: str) -> McpServerConfig:
        """Removes the server named ``name`` and forgets its secrets; returns it.

        Raises:
            McpError: There is none.
        """
        server = self.get(name)
        self.servers.remove(server)
        from aiser_desktop.core.security import secrets

        for variable in server.env:
            secrets.delete(env_ref(server.name, variable))
        return server


# ---------------------------------------------------------------------- secrets
def env_ref(server: str, variable: str) -> str:
    """The keyring reference of a server's environment variable."""
    return f"mcp:{server}:{variable}"


def set_env(server: McpServerConfig, variable: str, value: str) -> None:
    """Keeps ``value`` in the keyring and adds the variable's name to ``server``.

    Raises:
        McpError: The name is not an environment variable name.
        SecretStoreError: No keyring works on this machine.
    """
    from aiser_desktop.core.security import secrets

    if not _ENV_NAME.match(variable):
        raise McpError(
            f"{variable!r} is not an environment variable name.",
            hint="Use letters, digits and underscores, not starting with a digit.",
        )
    secrets.put(value, env_ref(server.name, variable))
    if variable not in server.env:
        server.env.append(variable)


def environment(server: McpServerConfig) -> dict[str, str]:
    """The server's environment variables, from the keyring.

    Raises:
        McpError: A value is not in the keyring any more.
        SecretStoreError: No keyring works on this machine.
    """
    from aiser_desktop.core.security import secrets

    values: dict[str, str] = {}
    for variable in server.env:
        value = secrets.get(env_ref(server.name, variable))
        if value is None:
            raise McpError(
                f"The value of {variable} for the MCP server {server.name!r} is not in the "
                "keyring.",
                hint=f"Set it again: aiser mcp-servers add {server.name} ... --env "
                f"{variable}, or in Settings > MCP servers.",
            )
        values[variable] = value
    return values


# ---------------------------------------------------------------------- names
def tool_name(server: str, tool: str) -> str:
    """The name a model calls a server's tool by: ``server__tool``, in the characters and
    length every provider's API accepts."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", tool)
    return f"{server}{SEPARATOR}{safe}"[:MAX_TOOL_NAME]


def tool_label(name: str) -> str:
    """How people see a tool's name: ``currency·rate`` for an MCP tool, the name otherwise."""
    server, sep, tool = name.partition(SEPARATOR)
    return f"{server}{LABEL_SEPARATOR}{tool}" if sep and _NAME.match(server) else name


def is_mcp_tool(name: str) -> bool:
    server, sep, _tool = name.partition(SEPARATOR)
    return bool(sep) and bool(_NAME.match(server))
