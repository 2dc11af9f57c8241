"""Fixtures of the window tests: an offscreen Qt, a window factory, and a leak check.

QT_QPA_PLATFORM is set before any QApplication exists, so these tests need no screen.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.main_window import MainWindow

OPEN_TIMEOUT_MS = 30_000


def visible_windows() -> set[QWidget]:
    """The top-level widgets shown now (windows, dialogs, message boxes, menus)."""
    return {w for w in QApplication.topLevelWidgets() if w.isVisible()}


def leaked_windows(before: set[QWidget]) -> list[QWidget]:
    """The visible top-level widgets that were not there ``before``."""
    return [w for w in visible_windows() if w not in before]


@pytest.fixture(autouse=True)
def no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    """Fails the test when it leaves a top-level window open that was not open before it
    (napari's make_napari_viewer): each test closes what it opened. The leaked windows are
    closed, so the next test starts clean."""
    qapp.processEvents()
    before = visible_windows()
    yield
    qapp.processEvents()
    leaked = leaked_windows(before)
    for widget in leaked:
        widget.close()
    qapp.processEvents()
    names = [f"{type(w).__name__} {w.windowTitle()!r}" for w in leaked]
    assert not leaked, f"the test left windows open: {names}"


@pytest.fixture
def csv_workspace(tmp_path: Path, sample_csv: Path) -> Path:
    """A closed workspace folder with one source, ``sales`` (3 rows)."""
    path = tmp_path / "ws"
    with Workspace.open(path) as ws:
        ws.sources.add_file(sample_csv, name="sales")
    return path


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[Callable[..., MainWindow]]:
    """Makes shown windows on workspaces; each is closed (and its workspace released) after."""
    windows: list[MainWindow] = []

    def make(path: Path, *, wait_open: bool = True, load_sample: bool = False) -> MainWindow:
        window = MainWindow(path)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        if wait_open:
            with qtbot.waitSignal(window.workspace_opened, timeout=OPEN_TIMEOUT_MS):
                window.open_workspace(load_sample=load_sample)
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()


@pytest.fixture
def window(make_window: Callable[..., MainWindow], csv_workspace: Path) -> MainWindow:
    """A window open on the ``sales`` workspace, sources shown."""
    return make_window(csv_workspace)
