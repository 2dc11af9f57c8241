"""The real app in a real X window (Xvfb): it comes up, shows data, and closes cleanly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiser_desktop.core.workspace import Workspace

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
SHOTS = HERE / "screenshots"
NEEDED = ("xvfb-run", "import", "identify")


def _missing() -> list[str]:
    return [tool for tool in NEEDED if shutil.which(tool) is None]


@pytest.fixture
def display_tools() -> None:
    missing = _missing()
    if missing:
        pytest.skip(
            f"needs {', '.join(missing)} (Debian: apt-get install xvfb xauth imagemagick; "
            "`make test` installs them as root)"
        )


def drive(workspace: Path, shot: Path, sql: str = "", add: str = "") -> dict[str, object]:
    """Runs tests/e2e/driver.py under xvfb-run and returns its report."""
    command = [
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1280x800x24",
        sys.executable,
        str(HERE / "driver.py"),
        str(workspace),
        str(shot),
    ]
    if sql:
        command.append(sql)
    if add:
        command += ["--add", add]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env=dict(os.environ)
    )
    assert done.returncode == 0, f"driver failed:\n{done.stdout}\n{done.stderr}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.usefixtures("display_tools")
def test_the_app_window_comes_up_shows_sources_and_closes(tmp_path: Path, sample_csv: Path) -> None:
    workspace = tmp_path / "ws"
    with Workspace.open(workspace) as ws:
        ws.sources.add_file(sample_csv, name="sales")
    shot = SHOTS / "main_window.png"
    sql = (
        "select region, sum(amount) as total from sales group by 1"
        if shutil.which("xdotool")
        else ""
    )
    report = drive(workspace, shot, sql)
    assert shot.exists() and shot.stat().st_size > 10_000
    assert int(report["colours"]) > 64, report  # not a blank or single-colour screen
    assert report["returncode"] == 0, report  # SIGTERM closes the window cleanly
    with Workspace.open(workspace) as ws:  # ...and releases the workspace
        assert [s.name for s in ws.sources.records()] == ["sales"]


@pytest.mark.usefixtures("display_tools")
def test_a_source_is_added_through_the_dialog_in_a_real_window(tmp_path: Path) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool (Debian: apt-get install xdotool)")
    data = tmp_path / "regions.csv"
    data.write_text("region,amount\nnorth,10\nsouth,7\n", encoding="utf-8")
    workspace = tmp_path / "ws"
    Workspace.open(workspace).close()
    shot = SHOTS / "add_source.png"
    report = drive(workspace, shot, "select * from regions", add=str(data))
    assert report.get("added") and report.get("typed"), report
    assert report["returncode"] == 0, report
    with Workspace.open(workspace) as ws:
        [source] = ws.sources.catalog()
        assert (source.name, source.mode) == ("regions", "imported")
        assert source.tables[0].row_count == 2
