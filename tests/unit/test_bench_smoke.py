"""The benchmarks still run: each script with --smoke, in a subprocess, prints its ratio lines.

Benchmarks are never timed tests: nothing here looks at the figures, only that the script ran
to the end and printed what a person reads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"


def run_smoke(script: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.slow
def test_query_overhead_smoke() -> None:
    out = run_smoke("query_overhead.py")
    for q in range(1, 23):
        assert f"Q{q:02d} " in out
    assert "median ratio app/raw:" in out
    assert "median ratio workspace/raw:" in out
    assert "fixed overhead app-raw:" in out
    assert "cancel latency app (scan+aggregate):" in out
    assert "cancel latency app (runaway join):" in out


@pytest.mark.slow
def test_startup_smoke() -> None:
    out = run_smoke("startup.py")
    assert "ratio to bare python" in out
    for label in ("python -c pass", "import duckdb", "import PySide6.QtWidgets"):
        assert label in out
    # The app's own lines either carry a goal or say why they could not run.
    for label in ("aiser --version:", "window shown (offscreen):"):
        assert label in out


@pytest.mark.slow
def test_memory_smoke() -> None:
    out = run_smoke("memory.py")
    for label in ("ratio memory/like:", "memory's cost per question", "ratio scrub/plain:"):
        assert label in out
