"""MCP both ways: the agent's tools served to other agents, other servers' tools to the agent.

- :mod:`.server`: ``aiser mcp`` serves the tool registry over stdio, read-only.
- :mod:`.client` and :mod:`.host`: the MCP servers a person added join the agent's registry.
- :mod:`.config`: those servers as records in the settings file (secrets in the keyring).
- :mod:`.sandbox`: a server not allowed the network starts without one.

Nothing here imports the ``mcp`` SDK at module level: it loads when a server starts or
``aiser mcp`` runs, so the window opens as fast as before.
"""

from aiser_desktop.core.agent.mcp.config import (
    McpError,
    McpServerConfig,
    McpSettings,
    is_mcp_tool,
    tool_label,
)

__all__ = ["McpError", "McpServerConfig", "McpSettings", "is_mcp_tool", "tool_label"]
