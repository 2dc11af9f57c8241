"""``ui.app.run()`` in a real process: shown at once, a clean exit, a locked workspace."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from aiser_desktop.core.workspace import Workspace

RUN = (
    "import sys; from pathlib import Path; from aiser_desktop.ui.app import run; "
    "sys.exit(run(Path(sys.argv[1]), load_sample=False, quit_after_shown=True))"
)


def run_app(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AISER_T0=repr(time.time()))
    return subprocess.run(
        [sys.executable, *args, str(workspace)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_shows_the_window_then_quits(tmp_path: Path) -> None:
    done = run_app(tmp_path / "ws", "-c", RUN)
    assert done.returncode == 0, done.stderr
    match = re.fullmatch(r"shown (\d+\.\d+)\neditor (\d+\.\d+)\n", done.stdout)
    assert match, done.stdout
    shown, editor = float(match.group(1)), float(match.group(2))
    assert 0 < shown <= editor < 30  # the window first, then the editor and the grid
    # The workspace was opened (created) and released again.
    assert (tmp_path / "ws" / "data.duckdb").exists()
    with Workspace.open(tmp_path / "ws"):
        pass


def test_run_on_a_locked_workspace_says_so_and_exits_1(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws"):
        done = run_app(tmp_path / "ws", "-c", RUN)
    assert done.returncode == 1
    assert done.stdout.startswith("shown ")
    assert "already open" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_opens_the_app(tmp_path: Path) -> None:
    done = run_app(tmp_path / "ws", "-m", "aiser_desktop", "--quit-after-shown", "--workspace")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"shown \d+\.\d+\neditor \d+\.\d+\n", done.stdout), done.stdout
