"""``aiser chart``: the real command in a subprocess writes a PNG that is not blank."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiser_desktop.core.workspace import Workspace

SQL = (
    "SELECT DATE '2024-01-01' + INTERVAL (i) DAY AS day, 50 + 40 * sin(i / 9.0) AS sales "
    "FROM range(120) t(i)"
)


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chart") / "ws"
    Workspace.open(path).close()
    return path


def aiser(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "aiser_desktop", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def colours(path: Path) -> int:
    """How many distinct colours the image holds (a blank one has one)."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull() and image.width() == 640 and image.height() == 360
    seen = {image.pixel(x, y) for x in range(0, 640, 4) for y in range(0, 360, 4)}
    return len(seen)


def test_chart_writes_the_recommended_chart_to_a_png(workspace_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sales.png"
    done = aiser("chart", SQL, "--out", str(out), "--size", "640", "360",
                 "--workspace", str(workspace_dir))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "line chart, sales by day" in done.stderr
    assert colours(out) > 5


def test_chart_takes_a_kind_and_columns_and_refuses_bad_ones(
    workspace_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bars.png"
    done = aiser("chart", SQL, "--kind", "histogram", "--x", "sales", "--out", str(out),
                 "--size", "640", "360", "--workspace", str(workspace_dir))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "histogram chart, Distribution of sales" in done.stderr and colours(out) > 5
    bad = aiser("chart", SQL, "--kind", "bar", "--x", "nope", "--out", str(out),
                "--workspace", str(workspace_dir))  # fmt: skip
    assert bad.returncode == 1 and "no column 'nope'" in bad.stderr
    wrong = aiser("chart", SQL, "--out", str(tmp_path / "x.jpg"), "--workspace", str(workspace_dir))
    assert wrong.returncode == 1 and "PNG or SVG" in wrong.stderr
