"""Small MCP servers for the tests (stdio), each started as a child process by the client.

``needs_isolation`` marks the tests that start them the default way, without the network:
where this system cannot take the network away from a program (not Linux, or no unshare and
no user namespaces), such servers are refused by design, so those tests are skipped there.
"""

from __future__ import annotations

import pytest

from aiser_desktop.core.agent.mcp.sandbox import isolation_prefix

needs_isolation = pytest.mark.skipif(
    isolation_prefix() is None,
    reason="this system cannot start a program without the network (Linux unshare needed); "
    "MCP servers not allowed the network are refused here by design",
)
