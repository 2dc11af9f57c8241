"""Small helpers shared by the benchmark scripts: medians, ratios, goals and plain tables.

The scripts import it as ``_common`` (they run as files, ``python bench/NAME.py``, so their own
folder is on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn()`` takes, by the monotonic high-resolution clock."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    """Seconds as milliseconds, three significant places or so."""
    value = seconds * 1000
    if value != value:  # NaN
        return "n/a"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def secs(seconds: float) -> str:
    if seconds != seconds:
        return "n/a"
    return f"{seconds:.3f} s"


def ratio(value: float, reference: float) -> float:
    return value / reference if reference > 0 else float("nan")


def fmt_ratio(value: float, digits: int = 2) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}x"


def goal(label: str, value: float, limit: float, shown: str, unit_limit: str) -> str:
    """One goal line: ``label: shown (goal <= limit: met)``."""
    verdict = "not measured" if value != value else "met" if value <= limit else "NOT met"
    return f"{label}: {shown}  (goal <= {unit_limit}: {verdict})"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    cells = [list(headers), *[list(r) for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells[1:])
    return "\n".join(out)


def machine() -> str:
    """One line about where the figures come from."""
    return (
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )


def load() -> str:
    """The load average (1, 5, 15 minutes), or "n/a" where the OS has none."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def say(text: str = "") -> None:
    print(text, flush=True)


def fail(text: str) -> int:
    print(text, file=sys.stderr, flush=True)
    return 1
