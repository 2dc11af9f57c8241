"""The rotating log file: where it is, what goes in, and that it rotates."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.config import log_path
from aiser_desktop.core.logs import setup_logging


@pytest.fixture
def app_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("aiser_desktop")
    before = list(logger.handlers)
    yield logger
    for handler in list(logger.handlers):
        if handler not in before:
            logger.removeHandler(handler)
            handler.close()


def test_logs_go_to_the_platform_log_folder(app_logger: logging.Logger, private_dirs: Path) -> None:
    path = setup_logging("INFO")
    assert path == log_path()
    assert private_dirs in path.parents
    logging.getLogger("aiser_desktop.core.test").info("hello from a test")
    for handler in app_logger.handlers:
        handler.flush()
    assert "hello from a test" in path.read_text(encoding="utf-8")


def test_setup_is_idempotent_and_rotates(app_logger: logging.Logger, tmp_path: Path) -> None:
    path = tmp_path / "logs" / "aiser.log"
    setup_logging("DEBUG", path)
    setup_logging("DEBUG", path)
    handlers = [
        h for h in app_logger.handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert len(handlers) == 1
    assert handlers[0].maxBytes == 2_000_000 and handlers[0].backupCount == 5
