"""bench/grid.py still runs: 20,000 rows against 2,000, results above 5,000 rows spilled, in a
subprocess; it prints its table, its ratios and its three goal lines.

Like the other benchmark smoke tests, nothing here judges the figures, only that the script
ran to the end (its child processes check that Ctrl+End reached the last row and that each
jump showed the row asked for) and printed what a person reads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_grid_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "grid.py"),
            *("--rows", "20000", "--small", "2000", "--spill-rows", "5000"),
            *("--dir", str(tmp_path)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, f"grid.py failed:\n{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    assert "grid: 20,000 rows against 2,000" in out
    for line in ("in memory", "spilled", "first paint", "jump to the last row", "memory growth"):
        assert line in out
    assert "first paint ratio 20,000/2,000:" in out
    assert "query ratio app/plain DuckDB:" in out
    for goal in ("first paint:", "jump to the last row:", "memory growth:"):
        assert any(line.startswith(goal) and "goal <=" in line for line in out.splitlines())
    # The spill files went with their results.
    assert not list(tmp_path.rglob("*.arrow"))
