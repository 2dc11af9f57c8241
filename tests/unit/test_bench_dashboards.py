"""bench/dashboards.py still runs (--smoke, in a subprocess) and prints its sides, the exports
and its ratio line. Like the other benchmark smoke tests, nothing here judges the figures."""

from __future__ import annotations

import pytest

from tests.unit.test_bench_smoke import run_smoke


@pytest.mark.slow
def test_dashboards_smoke() -> None:
    out = run_smoke("dashboards.py")
    for line in ("plain DuckDB", "refresh, two threads", "filtered", "export html", "export pdf"):
        assert line in out
    assert "ratio refresh/plain:" in out
