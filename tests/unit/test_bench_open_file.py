"""bench/open_file.py still runs: a 2,000-row file, one measurement of each kind, in a
subprocess; it prints its figures and its three goal lines.

Like the other benchmark smoke tests, nothing here judges the figures, only that the script
ran to the end, read every row on both sides and printed what a person reads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_open_file_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "open_file.py"),
            "--rows",
            "2000",
            "--runs",
            "1",
            "--page-runs",
            "1",
            "--dir",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, f"open_file.py failed:\n{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    assert "open_file: 2,000 rows" in out
    assert (tmp_path / "sales_2000.csv").is_file()  # kept in --dir for the next run
    for line in ("plain duckdb", "app (linked)", "app (imported)"):
        assert line in out
    assert "first page app (linked):" in out
    assert "first page app peak memory:" in out
    assert "import ratio app/plain:" in out
    # The generated file is reused, and the scratch folders are gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sales_2000.csv"]
