"""The MCP servers dialog and the agent panel's MCP part, offscreen: add, test and remove a
server; a bad name is said plainly; a call is shown with its origin and arguments, and waits for
the person's Run or Don't run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from aiser_desktop.core.agent.mcp.config import McpServerConfig, McpSettings, env_ref
from aiser_desktop.core.agent.providers.base import ChatRequest, ChatResponse, ToolCall
from aiser_desktop.core.config import Settings, settings_path
from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.agent_panel import AgentPanel
from aiser_desktop.ui.mcp_settings import McpSettingsDialog
from tests.agent_fakes import ScriptedProvider, answer, sql_call
from tests.mcp_servers import needs_isolation

CURRENCY = Path(__file__).resolve().parents[1] / "mcp_servers" / "currency.py"
WAIT_MS = 30_000


@pytest.fixture
def dialog(qtbot: QtBot) -> Iterator[McpSettingsDialog]:
    settings = Settings()
    dialog = McpSettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    dialog.tasks.wait(WAIT_MS)
    dialog.close()


def _wait_message(qtbot: QtBot, dialog: McpSettingsDialog, text: str) -> None:
    qtbot.waitUntil(lambda: text in dialog.message.text(), timeout=WAIT_MS)


@needs_isolation
def test_add_test_and_remove_a_server(
    qtbot: QtBot, dialog: McpSettingsDialog, tmp_path: Path, memory_keyring: Any
) -> None:
    changes: list[bool] = []
    dialog.changed.connect(lambda: changes.append(True))
    log = tmp_path / "calls.ndjson"
    qtbot.keyClicks(dialog.name_edit, "currency")
    qtbot.keyClicks(dialog.command_edit, sys.executable)
    qtbot.keyClicks(dialog.args_edit, f'"{CURRENCY}"')
    qtbot.keyClicks(dialog.env_name, "CURRENCY_LOG")
    qtbot.keyClicks(dialog.env_value, str(log))
    dialog.env_button.click()
    assert dialog.env_label.text() == "CURRENCY_LOG (hidden)"
    dialog.ask_check.setChecked(False)
    dialog.add_button.click()
    _wait_message(qtbot, dialog, "Added currency")

    assert dialog.list.count() == 1
    shown = dialog.list.item(0).text()
    assert "currency" in shown and "runs unasked" in shown and "no network" in shown
    assert "env CURRENCY_LOG" in shown
    saved = McpSettings.from_settings(Settings.load()).get("currency")
    assert saved.args == [str(CURRENCY)] and saved.env == ["CURRENCY_LOG"] and not saved.ask
    assert str(log) not in settings_path().read_text(encoding="utf-8")
    assert memory_keyring.get_password("aiser-desktop", env_ref("currency", "CURRENCY_LOG")) == (
        str(log)
    )

    dialog.test_button.click()
    _wait_message(qtbot, dialog, "tools:")
    assert "currency started (no network). 2 tools: currency·rate, currency·currencies." in (
        dialog.message.text()
    )

    dialog.remove_button.click()
    _wait_message(qtbot, dialog, "Removed currency")
    assert dialog.list.count() == 0
    assert McpSettings.from_settings(Settings.load()).servers == []
    assert memory_keyring.get_password("aiser-desktop", env_ref("currency", "CURRENCY_LOG")) is None
    assert len(changes) == 2


def test_a_bad_name_or_a_missing_program_is_said_plainly(
    qtbot: QtBot, dialog: McpSettingsDialog
) -> None:
    qtbot.keyClicks(dialog.name_edit, "My Server")
    qtbot.keyClicks(dialog.command_edit, "python")
    dialog.add_button.click()
    _wait_message(qtbot, dialog, "not a usable MCP server name")
    assert dialog.message.objectName() == "errorBox"
    assert dialog.list.count() == 0

    dialog.name_edit.setText("ghost")
    dialog.command_edit.setText("/no/such/mcp-server")
    dialog.add_button.click()
    _wait_message(qtbot, dialog, "Added ghost")
    dialog.test_button.click()
    _wait_message(qtbot, dialog, "was not found")
    assert "'/no/such/mcp-server'" in dialog.message.text()


# ---------------------------------------------------------------------- the agent panel
@pytest.fixture
def panel_with_currency(
    qtbot: QtBot, tmp_path: Path, sample_csv: Path
) -> Iterator[Callable[[ScriptedProvider], AgentPanel]]:
    ws = Workspace.open(tmp_path / "ws")
    ws.sources.add_file(sample_csv, name="sales")
    settings = Settings()
    mcp = McpSettings()
    mcp.add(McpServerConfig("currency", sys.executable, [str(CURRENCY)], ask=True))
    mcp.store(settings)
    panels: list[AgentPanel] = []

    def make(model: ScriptedProvider) -> AgentPanel:
        panel = AgentPanel(settings=settings, provider_factory=lambda _choice: model)
        qtbot.addWidget(panel)
        panel.resize(480, 640)
        panel.show()
        panel.set_workspace(ws)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()
    ws.close()


def _currency_model() -> ScriptedProvider:
    def convert(request: ChatRequest) -> ChatResponse:
        tool = next(m for m in reversed(request.messages) if m.role == "tool")
        data = json.loads(tool.content)
        rate = data["result"]["rate"] if "result" in data else 1
        return sql_call(f"select round(sum(amount) * {rate}, 2) as usd from sales", "c2")

    call = ChatResponse(
        tool_calls=(ToolCall("m1", "currency__rate", {"base": "EUR", "quote": "USD"}),)
    )
    return ScriptedProvider([call, convert, answer("Done.")])


def _answer_box(qtbot: QtBot, button_text: str) -> str:
    """Waits for the approval box, presses ``button_text``; returns the box's text."""
    found: list[QMessageBox] = []

    def box_shown() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(box_shown, timeout=WAIT_MS)
    box = found[0]
    text = f"{box.text()}\n{box.informativeText()}"
    button = next(b for b in box.buttons() if b.text() == button_text)
    button.click()
    return text


@needs_isolation
@pytest.mark.parametrize("choice", ["Run", "Don't run"])
def test_a_call_is_shown_with_its_origin_and_waits_for_the_person(
    qtbot: QtBot, panel_with_currency: Callable[[ScriptedProvider], AgentPanel], choice: str
) -> None:
    panel = panel_with_currency(_currency_model())
    with qtbot.waitSignal(panel.busy_changed, timeout=WAIT_MS, check_params_cb=lambda b: not b):
        panel.ask("total sales in dollars")
        card = panel.cards[0]
        qtbot.waitUntil(lambda: "Calling currency·rate" in card.steps_label.text(), timeout=WAIT_MS)
        assert '{"base": "EUR", "quote": "USD"}' in card.steps_label.text()
        text = _answer_box(qtbot, choice)
    assert "currency·rate" in text and '"base": "EUR"' in text and "currency.py" in text
    steps = card.steps_label.text()
    if choice == "Run":
        assert "✓ currency·rate: done" in steps
        assert card.rows_model.item(0, 0).text() == "22.41"
    else:
        assert "✗ currency·rate: The person declined the call to currency·rate." in steps
        assert card.rows_model.item(0, 0).text() == "20.75"
