"""bench/charts.py still runs: a line over 20,000 and 200,000 rows (pyramids forced on), in a
subprocess; it prints its table, how each request was answered and its goal lines.

Like the other benchmark smoke tests, nothing here judges the figures, only that the script
ran to the end and printed what a person reads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_charts_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "charts.py"), "--smoke", "--dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, f"charts.py failed:\n{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    assert "charts: a line over 20,000, 200,000 rows" in out
    assert "200,000: preview/pyramid/m4" in out  # first ever / zoom / deep zoom
    for line in ("first frame at 200,000 rows, pixels:", "deep zoom at 200,000 rows, data:"):
        assert line in out
    assert "ratio first frame 200,000/20,000:" in out
