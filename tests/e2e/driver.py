"""Runs the real app inside an X display (started by xvfb-run), drives it with the keyboard and
the mouse (xdotool) and photographs each step.

    python tests/e2e/driver.py WORKSPACE SHOTS_DIR [--add PATH] [--sql SQL] [--scroll]
                               [--export PATH] [--theme dark]

Starts ``python -m aiser_desktop --workspace WORKSPACE`` and waits until the log file says the
window is ready; then, as asked:

1. ``--add PATH``: adds PATH as a source through the Add source dialog (Ctrl+Shift+O, the
   path typed, Alt+A) and waits for the log's "added source";
2. ``--sql SQL``: clicks into the editor, types SQL, presses Esc (closing a completion popup)
   and Ctrl+Enter, and waits for the rows to reach the grid;
3. ``--scroll``: clicks into the grid and presses Ctrl+End (the last row), then Page Up;
4. ``--export PATH``: File > Export results > CSV (Alt+F, E, C), types PATH into the file
   dialog and waits for the file to be written.

Each step leaves a screenshot of the whole screen (ImageMagick's ``import``) in SHOTS_DIR,
numbered in order, taken once it has more than 64 colours (so never a blank or half-drawn
screen). Then it sends SIGTERM (which closes the window cleanly) and prints a JSON report on
the last line of stdout: each step's seconds, each shot's colour count, the exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from aiser_desktop.core.config import log_path

READY = "window ready on"
SHOWN = " shown: "  # a query's rows reached the grid
ADDED = "added source "  # the source manager added one
EDITOR = (640, 160)  # a point inside the editor of a 1280 x 800 window at the top left
GRID = (600, 560)  # a point inside the results grid


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


def xdo(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Drive the app under Xvfb.")
    parser.add_argument("workspace", type=Path)
    parser.add_argument("shots", type=Path, help="the folder for the screenshots")
    parser.add_argument("--add", default="", help="a file to add through the dialog")
    parser.add_argument("--sql", default="", help="SQL to type and run")
    parser.add_argument("--scroll", action="store_true", help="jump to the grid's last row")
    parser.add_argument("--export", default="", help="export the result as CSV to this path")
    parser.add_argument("--theme", default="", help="write this theme to the settings first")
    return parser.parse_args(argv)


class Run:
    """The app under test, its log, and the report."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.log = log_path()
        self.report: dict[str, object] = {"shots": {}, "seconds": {}}
        self.shot_number = 0
        self.started = time.monotonic()
        self.app: subprocess.Popen[bytes] | None = None

    def count(self, text: str) -> int:
        return self.log.read_text(encoding="utf-8").count(text) if self.log.exists() else 0

    def step(self, name: str, since: float) -> None:
        self.report["seconds"][name] = round(time.monotonic() - since, 3)  # type: ignore[index]

    def shoot(self, name: str) -> Path:
        self.shot_number += 1
        shot = self.args.shots / f"{self.shot_number:02d}-{name}.png"

        def photographed() -> bool:
            subprocess.run(["import", "-window", "root", str(shot)], check=True)
            found = colours(shot)
            self.report["shots"][shot.name] = found  # type: ignore[index]
            return found > 64

        wait_for(photographed, 30, f"a non-blank screenshot ({shot.name})")
        return shot

    def start(self) -> None:
        if self.args.theme:
            from aiser_desktop.core.config import Settings

            settings = Settings.load()
            settings.theme = self.args.theme
            settings.save()
        seen = self.count(READY)
        env = dict(os.environ, QT_QPA_PLATFORM="xcb")
        command = [sys.executable, "-m", "aiser_desktop", "--workspace", str(self.args.workspace)]
        self.app = subprocess.Popen(command, env=env)
        wait_for(lambda: self.count(READY) > seen, 60, "the window to be ready")
        self.step("ready", self.started)
        time.sleep(0.5)  # the restored tabs and the tree are drawn
        self.shoot("ready")

    def add_source(self) -> None:
        since, added = time.monotonic(), self.count(ADDED)
        xdo("mousemove", *map(str, EDITOR), "click", "1")
        xdo("key", "ctrl+shift+o")
        time.sleep(0.6)  # the dialog opens with the cursor in the Files box
        xdo("type", "--delay", "5", self.args.add)
        xdo("key", "alt+a")
        wait_for(lambda: self.count(ADDED) > added, 60, "the source to be added")
        time.sleep(0.6)  # the dialog closes and the tree is read again
        self.step("add", since)
        self.report["added"] = True
        self.shoot("source-added")

    def run_sql(self) -> None:
        since, shown = time.monotonic(), self.count(SHOWN)
        xdo("mousemove", *map(str, EDITOR), "click", "1")
        xdo("key", "ctrl+a")
        xdo("type", "--delay", "5", self.args.sql)
        xdo("key", "Escape")  # a completion popup may be open
        xdo("key", "ctrl+Return")
        wait_for(lambda: self.count(SHOWN) > shown, 60, "the query's rows")
        time.sleep(0.4)
        self.step("query", since)
        self.report["typed"] = True
        self.shoot("query")

    def scroll(self, before: Path) -> None:
        since = time.monotonic()
        xdo("mousemove", *map(str, GRID), "click", "1")
        xdo("key", "ctrl+End")
        time.sleep(0.5)
        self.step("scroll", since)
        shot = self.shoot("scrolled")
        # The grid moved: the picture is not the one before the jump.
        diff = subprocess.run(
            ["compare", "-metric", "AE", str(before), str(shot), "null:"],
            capture_output=True,
            text=True,
        )
        self.report["scroll_changed_pixels"] = int(float(diff.stderr.split()[0] or 0))

    def export(self) -> None:
        since = time.monotonic()
        target = Path(self.args.export)
        xdo("key", "alt+f")
        time.sleep(0.3)
        xdo("key", "e")
        time.sleep(0.3)
        xdo("key", "c")
        time.sleep(1.0)  # the file dialog opens with its name box selected
        xdo("key", "ctrl+a")
        xdo("type", "--delay", "5", str(target))
        xdo("key", "Return")
        wait_for(lambda: target.exists() and target.stat().st_size > 0, 60, "the export")
        wait_for(lambda: self.count(f"to {target}") > 0, 30, "the export to end")
        time.sleep(0.5)
        self.step("export", since)
        self.report["exported"] = True
        self.shoot("exported")

    def stop(self) -> None:
        if self.app is None:
            return
        self.app.send_signal(signal.SIGTERM)
        try:
            self.report["returncode"] = self.app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.app.kill()
            self.report["returncode"] = "killed"


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    args.shots.mkdir(parents=True, exist_ok=True)
    run = Run(args)
    try:
        run.start()
        if args.add:
            run.add_source()
        if args.sql:
            run.run_sql()
            if args.scroll:
                run.scroll(args.shots / f"{run.shot_number:02d}-query.png")
            if args.export:
                run.export()
    finally:
        run.stop()
    print(json.dumps(run.report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
