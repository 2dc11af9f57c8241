"""Takes the user guide's pictures of dashboards (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/dashboard_shots.py docs/images

Makes the sample workspace with the six-tile dashboard of the tests
(``tests/dashboard_support.py``) in a temporary folder, opens the window on it, opens the
dashboard (filtered to three carriers), and photographs the dashboard window and the window's
Dashboards tab with the "Add to dashboard" dialog.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix="aiser-docs-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.dashboards.model import DashboardFilter
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.main_window import MainWindow
    from tests.dashboard_support import build_template

    workspace = build_template(home)
    app = QApplication([])
    app.setApplicationName("Aiser Desktop")
    theme.apply(app, "light")
    out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 600) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def until(check: object, ms: int = 60_000) -> None:
        waited = 0
        while not check() and waited < ms:  # type: ignore[operator]
            settle(100)
            waited += 100

    def shoot(name: str) -> None:
        settle()
        app.primaryScreen().grabWindow(0).save(str(out / name))
        print("wrote", out / name)

    window = MainWindow(workspace, settings=Settings(theme="light"))
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    window.open_workspace()
    until(lambda: window.ws is not None and window.sources_panel.dashboards.list.count())
    window.dashboards.show_panel()
    window.sources_panel.dashboards.list.setCurrentRow(0)
    window.editor.replace_all(
        "select carrier, count(*) as flights\nfrom flights\ngroup by 1\norder by 2 desc"
    )
    window.run_query()
    until(lambda: not window.queries.running)
    dialog = window.dashboards.add_result()
    if dialog is not None:
        dialog.choose("Flights 2013", "table", "Flights by carrier")
        dialog.move(420, 260)
    shoot("dashboards-tab.png")
    if dialog is not None:
        dialog.reject()

    window.dashboards.open_dashboard(window.sources_panel.dashboards.rows()[0].id or 0)
    until(lambda: bool(window.dashboards.views))
    view = next(iter(window.dashboards.views.values()))
    view.setGeometry(0, 0, 1280, 800)
    until(lambda: not view.busy and len(view.results) == 5)
    view.add_filter(DashboardFilter("carrier", values=("UA", "B6", "EV")))
    until(lambda: not view.busy)
    settle(800)
    shoot("dashboard.png")
    view.close()
    window.close()
    settle()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")))
