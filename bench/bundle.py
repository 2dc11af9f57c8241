"""The offline bundle (``make package``): its size, and its start against the venv's, side by side.

Lines, each a fresh process timed from launch to exit, for the bundle (``dist/aiser/aiser``) and
the development install (``.venv/bin/aiser``):

- ``aiser --version``;
- ``aiser --quit-after-shown`` (offscreen): the app prints ``shown <s>`` when the window is up
  and ``editor <s>`` when the editor, grid and agent are in place, then exits.

"cold" drops the OS file cache first (root only: ``/proc/sys/vm/drop_caches``; otherwise the
line says "warm only"), so the bundle's files come from the disk as on a laptop's first start;
"warm" is the median of the runs after it. The ratio column divides the bundle's time by the
venv's.

Sizes: the folder on disk, its largest parts, and the folder as a ``tar`` compressed with zstd
(what one would copy onto a USB drive), computed in memory.

Usage:
    python bench/bundle.py [--bundle dist/aiser] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(command: list[str]) -> tuple[float, dict[str, float]]:
    """Wall time of ``command`` in a fresh home, and the ``shown``/``editor`` figures it prints."""
    with tempfile.TemporaryDirectory(prefix="aiser-bench-bundle-") as tmp:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": tmp,
            "XDG_CONFIG_HOME": f"{tmp}/config",
            "XDG_DATA_HOME": f"{tmp}/data",
            "XDG_CACHE_HOME": f"{tmp}/cache",
            "XDG_STATE_HOME": f"{tmp}/state",
            "AISER_T0": repr(time.time()),
        }
        start = time.perf_counter()
        out = subprocess.run(
            [*command, "--workspace", f"{tmp}/ws"] if "--version" not in command else command,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        wall = time.perf_counter() - start
    marks = {k: float(v) for k, v in re.findall(r"^(shown|editor) ([0-9.]+)$", out.stdout, re.M)}
    return wall, marks


def measure(command: list[str], runs: int, cold: bool) -> dict[str, float]:
    figures: dict[str, list[float]] = {}
    if cold and drop_caches():
        wall, marks = timed(command)
        figures["cold"] = [marks.get("shown", wall)]
    for _ in range(runs):
        wall, marks = timed(command)
        figures.setdefault("warm", []).append(marks.get("shown", wall))
        if "editor" in marks:
            figures.setdefault("editor", []).append(marks["editor"])
    return {k: statistics.median(v) for k, v in figures.items()}


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def archive_size(folder: Path) -> int:
    """The folder as a tar, zstd-compressed (level 9), without writing it anywhere."""
    import pyarrow as pa

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(folder, arcname=folder.name)
    return len(pa.Codec("zstd", compression_level=9).compress(buffer.getvalue()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "aiser")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = args.bundle / "aiser"
    if not app.exists():
        print(f"no bundle at {args.bundle}: run `make package` first", file=sys.stderr)
        return 1
    venv = ROOT / ".venv" / "bin" / "aiser"
    cold = drop_caches()
    if not cold:
        print("(not root: the file cache cannot be dropped, so every figure is warm)")

    mb = 1024 * 1024
    internal = args.bundle / "_internal"
    parts = sorted(
        (
            (folder_size(p) if p.is_dir() else p.stat().st_size, p.name)
            for p in internal.iterdir()
            if not p.is_symlink()
        ),
        reverse=True,
    )
    print(f"bundle folder   {folder_size(args.bundle) / mb:7.0f} MB   (goal < 350 MB)")
    print(f"as tar + zstd   {archive_size(args.bundle) / mb:7.0f} MB")
    print("largest parts   " + ", ".join(f"{name} {size / mb:.0f}" for size, name in parts[:8]))
    print()
    print(f"{'command':<28}{'side':<8}{'cold s':>8}{'warm s':>8}{'editor s':>10}{'ratio':>8}")
    for label, extra in (("--version", ["--version"]), ("window shown", ["--quit-after-shown"])):
        rows = {side: measure([str(exe), *extra], args.runs, cold) for side, exe in
                (("venv", venv), ("bundle", app))}  # fmt: skip
        for side, row in rows.items():
            ratio = row["warm"] / rows["venv"]["warm"]
            print(
                f"{label:<28}{side:<8}{row.get('cold', float('nan')):>8.2f}{row['warm']:>8.2f}"
                f"{row.get('editor', float('nan')):>10.2f}{ratio:>7.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
