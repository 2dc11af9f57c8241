"""Takes the user guide's pictures of dashboards (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/dashboard_shots.py docs/images

Makes the sample workspace with the six-tile dashboard of the tests
(``tests/dashboard_support.py``) in a temporary folder, opens the window on it, opens the
dashboard (filtered to three carriers), and photographs the dashboard window and the window's
Dashboards tab with the "Add to dashboard" dialog.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import Shots, out_dir, private_home


def main(out: Path) -> int:
    home = private_home()

    from aiser_desktop.core.dashboards.model import DashboardFilter
    from tests.dashboard_support import build_template

    workspace = build_template(home)
    shots = Shots(out, pause=600)
    window = shots.open_window(workspace, opened=False)
    shots.until(lambda: window.ws is not None and window.sources_panel.dashboards.list.count())
    window.dashboards.show_panel()
    window.sources_panel.dashboards.list.setCurrentRow(0)
    window.editor.replace_all(
        "select carrier, count(*) as flights\nfrom flights\ngroup by 1\norder by 2 desc"
    )
    window.run_query()
    shots.until(lambda: not window.queries.running)
    dialog = window.dashboards.add_result()
    if dialog is not None:
        dialog.choose("Flights 2013", "table", "Flights by carrier")
        dialog.move(420, 260)
    shots.shoot("dashboards-tab.png")
    if dialog is not None:
        dialog.reject()

    window.dashboards.open_dashboard(window.sources_panel.dashboards.rows()[0].id or 0)
    shots.until(lambda: bool(window.dashboards.views))
    view = next(iter(window.dashboards.views.values()))
    view.setGeometry(0, 0, 1280, 800)
    shots.until(lambda: not view.busy and len(view.results) == 5)
    view.add_filter(DashboardFilter("carrier", values=("UA", "B6", "EV")))
    shots.until(lambda: not view.busy)
    shots.settle(800)
    shots.shoot("dashboard.png")
    view.close()
    window.close()
    shots.settle()
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
