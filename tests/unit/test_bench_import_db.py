"""bench/import_db.py still runs: a small table, one round, and the lines a person reads.

Not a timed test: the figures are not checked, only that each path ran and was reported.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_import_db_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "import_db.py"), "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    for side in ("app (sources.add, imported)", "duckdb scanner", "sqlalchemy+psycopg fetchall"):
        assert re.search(re.escape(side) + r".*\d+\.\d{3} s\s+[\d,]+\s+\d+\.\d\dx", out), out
    assert re.search(r"app rows/s: [\d,]+  \(goal >= 2,000,000: (met|NOT met)\)", out)
    assert re.search(r"app ratio to sqlalchemy fetchall: \d+\.\d\dx  \(goal >= 5x: ", out)
