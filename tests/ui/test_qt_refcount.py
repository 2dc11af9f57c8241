"""A guard for the installed Qt binding: PySide6 6.12.0 leaks references to None.

On CPython 3.11 each void Qt call made from Python dropped one reference to None; after a few
thousand calls (highlighting a long script makes two per coloured span) the process aborted with
"none_dealloc". pyproject.toml keeps that version out; this test fails if it ever comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_alive() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        obj.setObjectName("a")
    assert sys.getrefcount(None) - before > -50
