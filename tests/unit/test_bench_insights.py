"""bench/insights.py still runs (``--smoke``: the planes table and a 300,000-row Parquet file,
one run), in a subprocess, and prints both tables' figures and ratios. Nothing judges the
figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_insights_bench_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "insights.py"), "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "AISER_BENCH_CACHE": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "sample: planes (3,322 rows)" in out
    assert "generated: orders (linked Parquet) (300,000 rows)" in out
    assert out.count("ratio findings/SUMMARIZE:") == 2
