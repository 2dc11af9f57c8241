"""Fixtures shared by the unit tests of the core, beside those in tests/conftest.py."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def _wait_until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {predicate}")
        time.sleep(0.005)


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """``wait_until(predicate, timeout=10)``: polls until ``predicate()`` is true, else fails."""
    return _wait_until
