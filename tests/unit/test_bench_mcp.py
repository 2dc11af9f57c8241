"""bench/mcp_calls.py still runs (--smoke, in a subprocess) and prints its lines and goals.

Nothing here judges the figures, only that both directions ran to the end and printed what a
person reads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mcp_bench_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "mcp_calls.py"), "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    assert "start to initialize: aiser mcp" in out
    assert "first call (opens the workspace):" in out
    assert "select 42" in out and "app/raw" in out
    assert "fixed cost of a call (select 42):" in out
    assert "McpRegistry.call" in out and "the bridge adds:" in out
