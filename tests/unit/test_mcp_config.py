"""The MCP servers in the settings file: round trip, plain errors on broken entries, names a
model's API accepts, and how a server without the network is started."""

from __future__ import annotations

import sys

import pytest

from aiser_desktop.core.agent.mcp.config import (
    McpError,
    McpServerConfig,
    McpSettings,
    is_mcp_tool,
    tool_label,
    tool_name,
)
from aiser_desktop.core.agent.mcp.sandbox import isolation_prefix, launch_command
from aiser_desktop.core.config import Settings, settings_path


def test_servers_round_trip_through_the_settings_file() -> None:
    settings = Settings(theme="dark")
    mcp = McpSettings(timeout=12.5)
    mcp.add(McpServerConfig("weather", "npx", ["-y", "@acme/weather"], env=["KEY"]))
    mcp.store(settings)
    settings.save()
    loaded = McpSettings.from_settings(Settings.load())
    assert loaded == mcp
    assert loaded.get("weather").ask is True and loaded.get("weather").network is False
    assert Settings.load().theme == "dark"


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[[mcp.servers]]\nname = "a"\n', "has no name or no command"),
        ('[[mcp.servers]]\nname = "a"\ncommand = "x"\nargs = "y"\n', "args = 'y'"),
        ('[[mcp.servers]]\nname = "A b"\ncommand = "x"\n', "not a usable MCP server name"),
        ('[mcp]\ntimeout = -1\n', "timeout = -1"),
        ('[[mcp.servers]]\nname = "a"\ncommand = "x"\n[[mcp.servers]]\nname = "a"\n'
         'command = "y"\n', "Two MCP servers"),
    ],
)  # fmt: skip
def test_a_broken_entry_is_named(toml: str, words: str) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(McpError) as caught:
        McpSettings.from_settings(Settings.load())
    assert words in str(caught.value)


def test_tool_names_fit_every_provider_and_read_well() -> None:
    name = tool_name("my-files", "read.file/v2")
    assert name == "my-files__read_file_v2"
    assert tool_label(name) == "my-files·read_file_v2"
    assert is_mcp_tool(name) and not is_mcp_tool("run_sql")
    assert len(tool_name("s", "x" * 100)) == 64


def test_a_server_without_the_network_is_isolated_or_refused() -> None:
    server = McpServerConfig("probe", sys.executable, ["probe.py"])
    allowed = McpServerConfig("probe", sys.executable, ["probe.py"], network=True)
    assert launch_command(allowed, network_enabled=True) == (sys.executable, ["probe.py"])
    if isolation_prefix() is None:
        with pytest.raises(McpError, match="cannot start a program without network access"):
            launch_command(server, network_enabled=True)
        return
    command, args = launch_command(server, network_enabled=True)
    assert command.endswith("unshare") and "--net" in args
    assert args[-3:] == ["--", sys.executable, "probe.py"]
    # The app's switch off: a server allowed the network is isolated too.
    command, args = launch_command(allowed, network_enabled=False)
    assert command.endswith("unshare")
