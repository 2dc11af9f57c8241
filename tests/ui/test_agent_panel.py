"""The agent panel, offscreen: streaming text, the rows inline, the SQL folded with its
actions, thumbs, cancel, the provider picker, and a plain message when a model is missing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread
from pytestqt.qtbot import QtBot

from aiser_desktop.core.agent.providers import AgentSettings
from aiser_desktop.core.agent.providers.base import (
    ChatRequest,
    ChatResponse,
    ModelMissingError,
    Provider,
)
from aiser_desktop.core.agent.types import Interpretation
from aiser_desktop.core.config import Settings
from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.agent_panel import AgentPanel
from tests.agent_fakes import FixedInterpreter, ScriptedProvider, answer, sql_call

SQL = "select region, sum(amount) as amount from sales group by region order by region"
WAIT_MS = 20_000


@pytest.fixture
def ws(csv_workspace: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(csv_workspace)
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def make_panel(qtbot: QtBot, ws: Workspace) -> Iterator[Callable[..., AgentPanel]]:
    panels: list[AgentPanel] = []

    def make(factory: Callable[[str], Provider], settings: Settings | None = None) -> AgentPanel:
        panel = AgentPanel(settings=settings or Settings(), provider_factory=factory)
        qtbot.addWidget(panel)
        panel.resize(480, 640)
        panel.show()
        panel.set_workspace(ws)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()


def test_an_answer_streams_in_with_its_rows_and_sql(
    qtbot: QtBot, make_panel: Callable[..., AgentPanel]
) -> None:
    seen_threads: list[object] = []

    def step(request: ChatRequest) -> ChatResponse:
        seen_threads.append(QThread.currentThread())
        return sql_call(SQL)

    model = ScriptedProvider([step, answer("North sold 13.5, south 7.25.")])
    panel = make_panel(lambda choice: model)
    busy: list[bool] = []
    panel.busy_changed.connect(busy.append)
    qtbot.keyClicks(panel.input, "Sales by region?")
    assert panel.ask_button.isEnabled()
    with qtbot.waitSignal(panel.busy_changed, timeout=WAIT_MS, check_params_cb=lambda b: not b):
        qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    card = panel.cards[0]
    assert busy == [True, False]
    assert seen_threads and seen_threads[0] is not QThread.currentThread()  # not the GUI's
    assert card.text_label.text() == "North sold 13.5, south 7.25."
    assert card.rows_model.rowCount() == 2 and card.rows_model.columnCount() == 2
    assert card.rows_model.item(0, 0).text() == "north"
    assert card.rows_model.item(0, 1).text() == "13.5"
    assert "Running the query: 2 rows" in card.steps_label.text()
    assert "scripted" in card.footer_label.text() and "bar of amount by region" in (
        card.footer_label.text()
    )
    # The SQL is folded away until asked for.
    assert card.sql_view.isHidden() and card.sql_view.toPlainText() == SQL
    card.sql_toggle.click()
    assert card.sql_view.isVisible()
    with qtbot.waitSignal(panel.open_sql, timeout=1000) as opened:
        card.open_button.click()
    assert opened.args == [SQL]
    with qtbot.waitSignal(panel.add_to_dashboard, timeout=1000) as added:
        card.dashboard_button.click()
    assert added.args[0].sql == SQL
    with qtbot.waitSignal(panel.feedback, timeout=1000) as rated:
        card.down_button.click()
    assert rated.args[0] is card.answer and rated.args[1] is False
    assert card.down_button.isChecked() and not card.up_button.isChecked()


def test_a_follow_up_goes_to_the_same_conversation(
    qtbot: QtBot, make_panel: Callable[..., AgentPanel]
) -> None:
    rules = FixedInterpreter(Interpretation(SQL, "Amount by region"))
    panel = make_panel(lambda choice: rules)
    for question in ("amount by region", "and only north?"):
        with qtbot.waitSignal(panel.busy_changed, timeout=WAIT_MS, check_params_cb=lambda b: not b):
            panel.ask(question)
    assert [q for q, _h in rules.seen] == ["amount by region", "and only north?"]
    assert [t.question for t in rules.seen[1][1]] == ["amount by region"]
    assert len(panel.cards) == 2
    panel.new_button.click()
    assert panel.cards == []


def test_cancel_ends_the_question_at_once(
    qtbot: QtBot, make_panel: Callable[..., AgentPanel]
) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(request: ChatRequest) -> ChatResponse:
        started.set()
        release.wait(10)
        return answer("too late")

    models = {"rules": ScriptedProvider([slow]), "local": ScriptedProvider([])}
    panel = make_panel(lambda choice: models[choice])
    panel.ask("anything")
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    assert panel.busy and panel.cancel_button.isEnabled() and not panel.picker.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.busy and not panel.cancel_button.isEnabled()
    card = panel.cards[0]
    assert "Cancelled." in card.steps_label.text()
    # Another model may be chosen at once; the old one is freed only once the worker,
    # still unwinding the cancelled question, lets go of it.
    assert panel.picker.isEnabled()
    panel.picker.setCurrentIndex(1)
    panel.picker.activated.emit(1)
    assert not models["rules"].closed
    release.set()
    qtbot.waitUntil(lambda: models["rules"].closed, timeout=WAIT_MS)
    assert card.answer is None and "too late" not in card.text_label.text()


def test_a_missing_model_is_said_plainly_and_the_rules_answer(
    qtbot: QtBot, make_panel: Callable[..., AgentPanel]
) -> None:
    missing = ModelMissingError(
        "The model file 'qwen.gguf' does not exist.", hint="Choose a GGUF file."
    )

    panel = make_panel(lambda choice: ScriptedProvider([], fail_load=missing))
    panel._conversation.fallback = FixedInterpreter(Interpretation(SQL, "Amount by region"))
    with qtbot.waitSignal(panel.busy_changed, timeout=WAIT_MS, check_params_cb=lambda b: not b):
        panel.ask("amount by region")
    card = panel.cards[0]
    assert card.notice_label.isVisible()
    assert "qwen.gguf" in card.notice_label.text() and "rules answered" in card.notice_label.text()
    assert card.answer is not None and card.answer.provider == "rules"


def test_the_picker_offers_the_providers_and_saves_the_choice(
    make_panel: Callable[..., AgentPanel],
) -> None:
    settings = Settings()
    AgentSettings(provider="rules", gguf_path="/models/qwen.gguf", model="openai/gpt-4o").store(
        settings
    )
    made: list[str] = []

    def factory(choice: str) -> Provider:
        made.append(choice)
        return FixedInterpreter(Interpretation("select 1", "one"))

    panel = make_panel(factory, settings)
    choices = [panel.picker.itemData(i) for i in range(panel.picker.count())]
    assert choices == ["rules", "local", "local:/models/qwen.gguf", "litellm:openai/gpt-4o"]
    panel.picker.setCurrentIndex(2)
    panel.picker.activated.emit(2)
    assert made[-1] == "local:/models/qwen.gguf"
    saved = AgentSettings.from_settings(Settings.load())
    assert saved.provider == "local" and saved.gguf_path == "/models/qwen.gguf"
    assert "qwen.gguf" in panel.banner.text()


def test_without_a_workspace_the_panel_waits(qtbot: QtBot) -> None:
    panel = AgentPanel(settings=Settings(), provider_factory=lambda c: ScriptedProvider([]))
    qtbot.addWidget(panel)
    try:
        assert not panel.input.isEnabled() and not panel.ask_button.isEnabled()
        panel.ask("anything")
        assert panel.cards == []
    finally:
        panel.shutdown()
