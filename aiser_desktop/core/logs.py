"""The rotating log file.

One file, ``aiser.log`` in the platform's log folder, rotated at 2 MB with five old files kept.
Tracebacks go here, never to a person's screen (STYLE.md point 12).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from aiser_desktop.core.config import log_path

_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


def setup_logging(level: str = "INFO", path: Path | None = None) -> Path:
    """Sends the ``aiser_desktop`` loggers to the rotating file. Idempotent.

    Returns:
        The path of the log file.
    """
    path = path or log_path()
    root = logging.getLogger("aiser_desktop")
    root.setLevel(level.upper())
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            if Path(handler.baseFilename) == path.resolve():
                return path
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except OSError:
        # A read-only home must not stop the app; it only loses its log.
        return path
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    return path
