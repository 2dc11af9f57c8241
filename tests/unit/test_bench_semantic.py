"""bench/semantic.py still runs to the end (--smoke) and prints the lines a person reads.

Nothing here looks at the figures: benchmarks are never timed tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_semantic_bench_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "semantic.py"), "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for line in (
        "rollup sales.by_day:",
        "speed-up raw/rollup:",
        "compiled/hand-written:",
        "compile time, slowest shape:",
    ):
        assert line in proc.stdout
