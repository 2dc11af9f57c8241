"""How long the app takes to start, against a bare Python start in the same run.

Each line is a fresh process (``subprocess``), timed from launch to exit:

- ``python -c pass``: the floor every Python program pays;
- ``python -c "import duckdb"``, ``import aiser_desktop.core.workspace`` (the core: DuckDB,
  Arrow, SQLAlchemy) and ``import PySide6.QtWidgets``: reference lines that show where the
  app's start-up time goes;
- ``python -m aiser_desktop --version``: must not pay for any of them (goal < 0.3 s);
- ``QT_QPA_PLATFORM=offscreen python -m aiser_desktop --workspace DIR --quit-after-shown``:
  process start to the full window shown (menus, the sources, history and saved panels, the
  agent dock, the status bar). The app prints ``shown <seconds>``, then ``editor <seconds>``
  once the editor tabs and the results grid are in place (their modules bring sqlglot,
  DuckDB and Arrow, so the window imports them after it is shown: on a task thread in the
  app, here on the spot), and exits. Its clock starts at ``AISER_T0``, which the script sets
  to the moment it launches the process. ``shown`` is the figure held to the goal (< 1.0 s
  warm); ``editor`` and the whole process's wall time are shown beside it (with
  --quit-after-shown the app then opens the workspace, closes it and exits, so that figure
  also holds the core's import and the workspace's opening).

"first" is the first run of a command in this run of the script (cold-ish: the OS file cache
is probably warm already from earlier runs); "warm" is the median of the runs after it. The
ratio column divides the warm time by the bare Python start, so a line at 5x costs five Python
starts. Every command runs with its own empty config, data and log folders (the XDG variables)
and a new workspace, so the person's settings never take part.

When a command fails (an app that does not have the command yet, for example), its line says
"not available yet" with the reason, and the script goes on.

Usage:
    python bench/startup.py            # 10 runs per line, 5 (+1 warm-up) for the window
    python bench/startup.py --smoke    # 2 runs per line, a few seconds
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import fmt_ratio, goal, load, machine, median, ratio, say, secs, table

SHOWN_RE = re.compile(r"^shown\s+([0-9.]+)\s*$", re.MULTILINE)
EDITOR_RE = re.compile(r"^editor\s+([0-9.]+)\s*$", re.MULTILINE)


@dataclass
class Line:
    """One measured command."""

    label: str
    argv: list[str]
    runs: int
    warmups: int = 0
    env: dict[str, str] = field(default_factory=dict)
    walls: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    editor: list[float] = field(default_factory=list)
    first: float = float("nan")
    failure: str = ""


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str, str, int]:
    # The CLI takes its start time from AISER_T0 when it is set (else at its own import, after
    # the interpreter started): setting it here makes `shown` count from the real launch.
    env = {**env, "AISER_T0": repr(time.time())}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, "", "timed out after 120 s", -1
    return time.perf_counter() - start, proc.stdout, proc.stderr, proc.returncode


def reason(stdout: str, stderr: str, code: int) -> str:
    text = (stderr.strip() or stdout.strip()).splitlines()
    last = text[-1] if text else "no output"
    return f"exit code {code}: {last[:160]}"


def measure(line: Line, base_env: dict[str, str], cwd: Path, expect_shown: bool) -> None:
    env = {**base_env, **line.env}
    for i in range(line.warmups + line.runs + 1):
        wall, out, err, code = run_once(line.argv, env, cwd)
        shown = SHOWN_RE.search(out)
        if code != 0 or (expect_shown and shown is None):
            if code == 0:
                line.failure = "the app printed no `shown <seconds>` line"
            else:
                line.failure = reason(out, err, code)
            return
        if i == 0:
            line.first = float(shown.group(1)) if shown else wall
            continue
        if i <= line.warmups:
            continue
        line.walls.append(wall)
        if shown:
            line.shown.append(float(shown.group(1)))
        editor = EDITOR_RE.search(out)
        if editor:
            line.editor.append(float(editor.group(1)))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter to start")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per line")
    parser.add_argument("--window-runs", type=int, default=None, help="timed window starts")
    parser.add_argument("--smoke", action="store_true", help="2 runs per line")
    args = parser.parse_args(argv)
    args.runs = args.runs or (2 if args.smoke else 10)
    args.window_runs = args.window_runs or (2 if args.smoke else 5)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    py = args.python
    home = Path(tempfile.mkdtemp(prefix="aiser-startup-"))
    try:
        base_env = dict(os.environ)
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            folder = home / var.lower()
            folder.mkdir()
            base_env[var] = str(folder)
        base_env.pop("AISER_WORKSPACE", None)
        workspace = home / "workspace"
        window_env = {"QT_QPA_PLATFORM": "offscreen"}
        lines = [
            Line("python -c pass", [py, "-c", "pass"], args.runs),
            Line("import duckdb", [py, "-c", "import duckdb"], args.runs),
            Line(
                "import core.workspace",
                [py, "-c", "import aiser_desktop.core.workspace"],
                args.runs,
            ),
            Line("import PySide6.QtWidgets", [py, "-c", "import PySide6.QtWidgets"], args.runs),
            Line("aiser --version", [py, "-m", "aiser_desktop", "--version"], args.runs),
            Line(
                "window shown (offscreen)",
                [py, "-m", "aiser_desktop", "--workspace", str(workspace), "--quit-after-shown"],
                args.window_runs,
                warmups=1,
                env=window_env,
            ),
        ]
        say(f"startup: {py}, {machine()}")
        say(f"load average (1, 5, 15 min) at the start: {load()}")
        say(
            f"{args.runs} runs per line after a first one ({args.window_runs} for the window, "
            "after a first one and a warm-up); warm = median"
        )
        say()
        for line in lines:
            measure(line, base_env, home, expect_shown=line.label.startswith("window"))
        return report(lines)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def report(lines: list[Line]) -> int:
    bare = median(lines[0].walls)
    rows = []
    for line in lines:
        if line.failure:
            rows.append([line.label, "-", "-", "-", "not available yet"])
            continue
        warm = median(line.shown or line.walls)
        note = f"whole process {secs(median(line.walls))}" if line.shown else ""
        if line.editor:
            note = f"editor and grid {secs(median(line.editor))}; {note}"
        rows.append([line.label, secs(line.first), secs(warm), fmt_ratio(ratio(warm, bare)), note])
    say(table(["command", "first", "warm", "ratio to bare python", ""], rows))
    say()
    for line in lines:
        if line.failure:
            say(f"{line.label}: not available yet ({line.failure})")
    version, window = lines[-2], lines[-1]
    for line, limit in ((version, 0.3), (window, 1.0)):
        if line.failure:
            say(f"{line.label}: not available yet")
            continue
        warm = median(line.shown or line.walls)
        shown = f"{secs(warm)} warm, {fmt_ratio(ratio(warm, bare))} bare python"
        say(goal(line.label, warm, limit, shown, f"{limit:g} s"))
    say(f"load average (1, 5, 15 min) at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
