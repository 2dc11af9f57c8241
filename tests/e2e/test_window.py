"""The real app in a real X window (Xvfb): a file added through the dialog, a query typed and
run, the grid scrolled to its last row, the result exported; screenshots of every step."""

from __future__ import annotations

import csv
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
NEEDED = ("xvfb-run", "xdotool", "import", "identify", "compare")


@pytest.fixture
def display_tools() -> None:
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"needs {', '.join(missing)} (Debian: apt-get install xvfb xauth xdotool "
            "imagemagick; `make test` installs them as root)"
        )


def drive(workspace: Path, shots: Path, *args: str) -> dict[str, object]:
    """Runs tests/e2e/driver.py under xvfb-run and returns its report."""
    if shots.exists():
        shutil.rmtree(shots)
    command = [
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1280x800x24",
        sys.executable,
        str(HERE / "driver.py"),
        str(workspace),
        str(shots),
        *args,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )
    assert done.returncode == 0, f"driver failed:\n{done.stdout}\n{done.stderr}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.usefixtures("display_tools")
def test_add_a_file_query_scroll_and_export_in_a_real_window(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    with data.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["order_id", "region", "amount"])
        for i in range(20_000):
            writer.writerow([i, ("north", "south", "east", "west")[i % 4], round(i * 0.37, 2)])
    workspace = tmp_path / "ws"
    Workspace.open(workspace).close()
    exported = tmp_path / "exported.csv"
    shots = SHOTS / "workbench"
    report = drive(
        workspace,
        shots,
        "--add",
        str(data),
        "--sql",
        "select * from orders order by order_id",
        "--scroll",
        "--export",
        str(exported),
    )
    assert report.get("added") and report.get("typed") and report.get("exported"), report
    assert report["returncode"] == 0, report  # SIGTERM closes the window cleanly
    # Every step left a picture that is not blank.
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names == [
        "01-ready.png",
        "02-source-added.png",
        "03-query.png",
        "04-scrolled.png",
        "05-exported.png",
    ]
    for name, found in dict(report["shots"]).items():  # type: ignore[call-overload]
        assert int(found) > 64, (name, found)
    assert int(report["scroll_changed_pixels"]) > 1_000, report  # the grid really moved
    # The whole result was exported, not only the rows on screen.
    with exported.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["order_id", "region", "amount"]
    assert len(rows) == 20_001
    assert rows[-1][0] == "19999"
    # The window released the workspace, with the source kept.
    with Workspace.open(workspace) as ws:
        [source] = ws.sources.catalog()
        assert (source.name, source.tables[0].row_count) == ("orders", 20_000)
        assert ws.state.history()[0].sql == "select * from orders order by order_id"


@pytest.mark.usefixtures("display_tools")
def test_the_dark_theme_in_a_real_window(tmp_path: Path, sample_csv: Path) -> None:
    workspace = tmp_path / "ws"
    with Workspace.open(workspace) as ws:
        ws.sources.add_file(sample_csv, name="sales")
    shots = SHOTS / "dark"
    report = drive(
        workspace,
        shots,
        "--theme",
        "dark",
        "--sql",
        "select region, sum(amount) as total from sales group by 1 order by 1",
    )
    assert report.get("typed"), report
    assert report["returncode"] == 0, report
    shot = shots / "02-query.png"
    # Mostly dark: the mean brightness of the screen is low.
    mean = subprocess.run(
        ["convert", str(shot), "-colorspace", "Gray", "-format", "%[fx:mean]", "info:"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(mean.stdout) < 0.35, mean.stdout
