"""A test MCP server: exchange rates from a fixed table (no network), over stdio.

    python tests/mcp_servers/currency.py

Each call is appended to the file named by the environment variable ``CURRENCY_LOG`` (when
set), so a test can tell when a call reached the server.
"""

from __future__ import annotations

import json
import os

from mcp.server.fastmcp import FastMCP

RATES = {
    ("EUR", "USD"): 1.08,
    ("USD", "EUR"): 0.925,
    ("GBP", "USD"): 1.27,
    ("USD", "JPY"): 151.2,
}

server = FastMCP("currency")


def _log(call: dict[str, object]) -> None:
    path = os.environ.get("CURRENCY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(call) + "\n")


@server.tool()
def rate(base: str, quote: str) -> dict[str, object]:
    """The exchange rate from one currency to another (ISO codes such as EUR, USD)."""
    _log({"tool": "rate", "base": base, "quote": quote})
    pair = (base.upper(), quote.upper())
    if pair not in RATES:
        raise ValueError(f"no rate for {pair[0]}/{pair[1]}")
    return {"base": pair[0], "quote": pair[1], "rate": RATES[pair]}


@server.tool()
def currencies() -> list[str]:
    """The currencies this server knows."""
    _log({"tool": "currencies"})
    return sorted({c for pair in RATES for c in pair})


if __name__ == "__main__":
    server.run()
