"""Runs the real app inside an X display (started by xvfb-run) and photographs it.

    python tests/e2e/driver.py WORKSPACE SHOT.png [SQL] [--add PATH]

Starts ``python -m aiser_desktop --workspace WORKSPACE``, waits until the log file says the
window is ready, optionally adds PATH as a source through the Add source dialog (Ctrl+Shift+O,
the path typed, Alt+A) and types SQL into the editor and runs it (with xdotool), takes a
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
ADDED = "added source "  # the source manager added one


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
    args = sys.argv[1:]
    add = ""
    if "--add" in args:
        at = args.index("--add")
        add = args[at + 1]
        del args[at : at + 2]
    workspace, shot = Path(args[0]), Path(args[1])
    sql = args[2] if len(args) > 2 else ""
    log = log_path()

    def count(text: str) -> int:
        return log.read_text(encoding="utf-8").count(text) if log.exists() else 0

    seen, shown, added = count(READY), count(SHOWN), count(ADDED)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    started = time.monotonic()
    app = subprocess.Popen(
        [sys.executable, "-m", "aiser_desktop", "--workspace", str(workspace)], env=env
    )
    report: dict[str, object] = {}
    try:
        wait_for(lambda: count(READY) > seen, 60, "the window to be ready")
        report["ready_seconds"] = round(time.monotonic() - started, 3)
        if add and shutil.which("xdotool"):
            subprocess.run(["xdotool", "mousemove", "700", "150", "click", "1"], check=True)
            subprocess.run(["xdotool", "key", "ctrl+shift+o"], check=True)
            time.sleep(0.5)  # the dialog opens with the cursor in the Files box
            subprocess.run(["xdotool", "type", "--delay", "5", add], check=True)
            subprocess.run(["xdotool", "key", "alt+a"], check=True)
            wait_for(lambda: count(ADDED) > added, 60, "the source to be added")
            report["added"] = True
            time.sleep(0.5)  # the dialog closes and the tree is read again
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
