"""The Memory panel, offscreen: it lists preferences, terms and past questions; edits and
deletions reach state.sqlite; "Forget everything" asks first; the agent panel's thumbs store
the verdict with the answer's memory record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from aiser_desktop.core.agent.memory import Memory
from aiser_desktop.core.agent.providers.rules import RulesProvider
from aiser_desktop.core.config import Settings
from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.agent_panel import AgentPanel
from aiser_desktop.ui.memory_panel import MemoryPanel

WAIT_MS = 20_000


@pytest.fixture
def ws(csv_workspace: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(csv_workspace)
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def memory(ws: Workspace) -> Memory:
    memory = Memory.for_workspace(ws)
    memory.learn("Our fiscal year starts in April")
    memory.learn("revenue means sum(amount)")
    memory.store.add_episode(
        "c1", "total amount by region", "select 1", ["x"], 2, "", None, "rules"
    )
    memory.store.add_episode("c1", "and by month", "select 2", ["x"], 5, "", None, "rules")
    memory.store.add_episode("c2", "how many sales", "select 3", ["x"], 1, "", None, "rules")
    return memory


@pytest.fixture
def make_panel(qtbot: QtBot, ws: Workspace) -> Iterator[Callable[[], MemoryPanel]]:
    panels: list[MemoryPanel] = []

    def make() -> MemoryPanel:
        panel = MemoryPanel(ws)
        qtbot.addWidget(panel)
        panel.show()
        panels.append(panel)
        settle(qtbot, panel)
        return panel

    yield make
    for panel in panels:
        panel.wait()
        panel.close()


def settle(qtbot: QtBot, panel: MemoryPanel) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT_MS)


def cells(table: object, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]  # type: ignore[attr-defined]


def test_the_panel_lists_what_memory_holds(
    qtbot: QtBot, memory: Memory, make_panel: Callable[[], MemoryPanel]
) -> None:
    panel = make_panel()
    assert cells(panel.preferences, 0) == ["Fiscal year starts"]
    assert cells(panel.preferences, 1) == ["April"]
    assert "Our fiscal year starts in April" in cells(panel.preferences, 2)[0]
    assert cells(panel.glossary, 0) == ["revenue"] and cells(panel.glossary, 1) == ["sum(amount)"]
    assert cells(panel.episodes, 1) == ["how many sales", "and by month", "total amount by region"]
    assert "3 past questions" in panel.status.text()


def test_edits_reach_the_state(
    qtbot: QtBot, memory: Memory, make_panel: Callable[[], MemoryPanel]
) -> None:
    panel = make_panel()
    panel.preferences.item(0, 1).setText("July")  # as if typed in the cell
    settle(qtbot, panel)
    assert memory.knowledge().fiscal_year_start == 7
    panel.glossary.item(0, 1).setText("sum(amount) - sum(discount)")
    settle(qtbot, panel)
    assert memory.knowledge().terms == (("revenue", "sum(amount) - sum(discount)"),)
    panel.term_input.setText("big sale")
    panel.definition_input.setText("amount > 5")
    qtbot.mouseClick(panel.term_add, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert cells(panel.glossary, 0) == ["big sale", "revenue"]
    panel.pref_key.setCurrentIndex(panel.pref_key.findData("currency"))
    panel.pref_value.setText("EUR")
    qtbot.mouseClick(panel.pref_set, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert memory.store.preference("currency") == "EUR"


def test_deleting_a_question_and_a_conversation(
    qtbot: QtBot, memory: Memory, make_panel: Callable[[], MemoryPanel]
) -> None:
    panel = make_panel()
    panel.episodes.selectRow(0)  # "how many sales", conversation c2
    qtbot.mouseClick(panel.episode_delete, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert cells(panel.episodes, 1) == ["and by month", "total amount by region"]
    panel.episodes.selectRow(0)
    qtbot.mouseClick(panel.conversation_delete, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert panel.episodes.rowCount() == 0
    assert memory.store.episodes() == []


def test_forget_everything_asks_first(
    qtbot: QtBot, ws: Workspace, memory: Memory, make_panel: Callable[[], MemoryPanel]
) -> None:
    panel = make_panel()
    asked: list[str] = []
    panel.confirm = lambda title, text: asked.append(title) is not None and False
    qtbot.mouseClick(panel.forget_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert asked == ["Forget everything?"] and len(memory.store.episodes()) == 3

    panel.confirm = lambda title, text: True
    qtbot.mouseClick(panel.forget_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert panel.preferences.rowCount() == panel.glossary.rowCount() == 0
    assert panel.episodes.rowCount() == 0
    assert b"how many sales" not in (ws.path / "state.sqlite").read_bytes()


def test_export_writes_the_json(
    qtbot: QtBot, memory: Memory, make_panel: Callable[[], MemoryPanel], tmp_path: Path
) -> None:
    panel = make_panel()
    out = tmp_path / "memory.json"
    panel.choose_file = lambda: str(out)
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert "Exported 5 items" in panel.status.text()
    assert '"revenue"' in out.read_text()


def test_thumbs_in_the_agent_panel_are_remembered(qtbot: QtBot, ws: Workspace) -> None:
    panel = AgentPanel(settings=Settings(), provider_factory=lambda _c: RulesProvider())
    qtbot.addWidget(panel)
    panel.show()
    panel.set_workspace(ws)
    try:
        with qtbot.waitSignal(panel.busy_changed, timeout=WAIT_MS, check_params_cb=lambda b: not b):
            panel.ask("total amount by region")
        card = panel.cards[0]
        assert card.answer is not None and card.answer.episode is not None
        store = Memory.for_workspace(ws).store
        qtbot.mouseClick(card.up_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: store.episode(card.answer.episode).feedback == 1, timeout=WAIT_MS)
        qtbot.mouseClick(card.down_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: store.episode(card.answer.episode).feedback == -1, timeout=WAIT_MS)
    finally:
        panel.shutdown()
