"""A test MCP server that misbehaves on request, over stdio.

    python tests/mcp_servers/probe.py            # tools: reach, wait, exit_later, crash
    python tests/mcp_servers/probe.py --exit     # dies before it speaks MCP
    python tests/mcp_servers/probe.py --silent   # reads its input and never answers

``reach(host, port)`` says whether a TCP connection succeeds (network isolation is checked
with it); ``wait(seconds)`` answers late; ``exit_later()`` ends the process just after
answering; ``crash()`` writes a line on standard error and ends the process mid-call.
"""

from __future__ import annotations

import os
import socket
import sys
import time


def main() -> None:
    if "--exit" in sys.argv:
        print("probe: refusing to start (on purpose)", file=sys.stderr)
        sys.exit(2)
    if "--silent" in sys.argv:
        for _line in sys.stdin:
            time.sleep(0.01)
        return

    from mcp.server.fastmcp import FastMCP

    server = FastMCP("probe")

    @server.tool()
    def reach(host: str, port: int) -> dict[str, object]:
        """Whether a TCP connection to host:port succeeds from this server."""
        try:
            with socket.create_connection((host, port), timeout=3):
                return {"reached": True, "error": ""}
        except OSError as exc:
            return {"reached": False, "error": str(exc)}

    @server.tool()
    async def wait(seconds: float) -> str:
        """Answers after ``seconds`` (a slow tool; the server answers others meanwhile)."""
        import anyio

        await anyio.sleep(seconds)
        return "done"

    @server.tool()
    def exit_later() -> str:
        """Answers, then ends this server's process a moment later (a death while idle)."""
        import threading

        threading.Timer(0.3, lambda: os._exit(4)).start()
        return "bye"

    @server.tool()
    def crash() -> str:
        """Ends this server's process in the middle of the call."""
        print("probe: crashing on purpose", file=sys.stderr, flush=True)
        os._exit(3)

    server.run()


if __name__ == "__main__":
    main()
