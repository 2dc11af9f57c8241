"""Runs the real app inside an X display (started by xvfb-run) and photographs it.

    python tests/e2e/driver.py WORKSPACE SHOT.png [SQL]

Starts ``python -m aiser_desktop --workspace WORKSPACE``, waits until the log file says the
window is ready, optionally types SQL into the editor and runs it (with xdotool), takes a
screenshot of the whole screen with ImageMagick's ``import``, then sends SIGTERM (which closes
the window cleanly) and prints a JSON report on the last line of stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from aiser_desktop.core.config import log_path

READY = "window ready on"
SHOWN = "shown:"  # a query's rows reached the grid


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def colours(png: Path) -> int:
    out = subprocess.run(
        ["identify", "-format", "%k", str(png)], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip() or 0)


def main() -> int:
    workspace, shot = Path(sys.argv[1]), Path(sys.argv[2])
    sql = sys.argv[3] if len(sys.argv) > 3 else ""
    log = log_path()

    def count(text: str) -> int:
        return log.read_text(encoding="utf-8").count(text) if log.exists() else 0

    seen, shown = count(READY), count(SHOWN)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    started = time.monotonic()
    app = subprocess.Popen(
        [sys.executable, "-m", "aiser_desktop", "--workspace", str(workspace)], env=env
    )
    report: dict[str, object] = {}
    try:
        wait_for(lambda: count(READY) > seen, 60, "the window to be ready")
        report["ready_seconds"] = round(time.monotonic() - started, 3)
        if sql and shutil.which("xdotool"):
            subprocess.run(["xdotool", "mousemove", "700", "150", "click", "1"], check=True)
            subprocess.run(["xdotool", "type", "--delay", "5", sql], check=True)
            subprocess.run(["xdotool", "key", "ctrl+Return"], check=True)
            wait_for(lambda: count(SHOWN) > shown, 60, "the query's rows")
            report["typed"] = True
        shot.parent.mkdir(parents=True, exist_ok=True)

        def photographed() -> bool:
            subprocess.run(["import", "-window", "root", str(shot)], check=True)
            found = colours(shot)
            report["colours"] = found
            return found > 64

        wait_for(photographed, 30, "a non-blank screenshot")
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            report["returncode"] = app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
            report["returncode"] = "killed"
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
