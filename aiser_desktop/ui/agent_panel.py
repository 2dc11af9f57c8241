"""The agent panel: ask in plain words; see the answer stream in, with its table and its SQL.

How the window uses this
------------------------
The window (``ui/agent_dock.py`` and ``ui/main_window.py``, another engineer's) puts the panel
in the agent dock and wires it::

    panel = AgentPanel(dock)
    dock.setWidget(panel)
    panel.set_workspace(workspace)     # when a workspace is open; None when it closes
    panel.open_sql.connect(...)        # "Open in editor": a new editor tab with this SQL
    panel.add_to_dashboard.connect(...)  # "Add to dashboard": the Answer (dashboards come later)
    panel.feedback.connect(...)        # thumbs up/down: (Answer, True/False)
    panel.busy_changed.connect(...)    # e.g. a spinner in the status bar
    panel.shutdown()                   # before the workspace closes: cancels and waits

Each question runs on the panel's own worker thread (a QThread), never on the GUI thread: the
model loading, its writing, the tools and the SQL. What the loop reports comes back by queued
signal: text streams into the answer, each tool call shows as a step, and a model that is
missing or too slow is said plainly (the rules answer instead). Cancel stops the question at
once. The provider picker offers the rules, the packaged local model, a person's GGUF file and
the remote model named in the settings; the choice is saved in the settings' ``[agent]`` table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.agent.loop import (
    AgentEvent,
    AgentNotice,
    AgentProgress,
    Conversation,
    TextDelta,
    ToolFinished,
    ToolStarted,
)
from aiser_desktop.core.agent.mcp.config import tool_label
from aiser_desktop.core.agent.providers import AgentSettings, make_provider
from aiser_desktop.core.agent.providers.base import Provider
from aiser_desktop.core.agent.types import Answer
from aiser_desktop.core.config import Settings
from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.core.workspace import Workspace
from aiser_desktop.ui.charts.mini import MiniChart
from aiser_desktop.ui.mcp_agent import PanelMcp, describe_call

log = logging.getLogger(__name__)

TABLE_ROWS = 100
PLACEHOLDER = "Ask about your data, e.g. “average delay by carrier”"
HINT = (
    "Ask about your tables in plain words. For example:\n\n"
    "• total sales by region\n"
    "• top 10 customers by revenue in 2024\n"
    "• orders per month\n"
    "• and by week?  (a follow-up refines the last question)\n\n"
    "Each answer shows the SQL behind its numbers; open it in the editor to change it."
)
ProviderFactory = Callable[[str], Provider]


# ---------------------------------------------------------------------- the worker
class _Worker(QObject):
    """Runs questions on the panel's thread; reports by signal (queued to the GUI thread)."""

    reported = Signal(int, object)  # question number, AgentEvent
    answered = Signal(int, object)  # question number, Answer
    failed = Signal(int, object)  # question number, exception

    @Slot(int, object, str)
    def ask(self, number: int, conversation: Conversation, question: str) -> None:
        try:
            answer = conversation.ask(question, lambda e: self.reported.emit(number, e))
        except BaseException as exc:
            if not isinstance(exc, (AiserError, QueryCancelledError)):
                log.exception("the agent failed on %r", question)
            self.failed.emit(number, exc)
        else:
            self.answered.emit(number, answer)

    @Slot(object, int, bool)
    def rate(self, memory: Any, episode: int, good: bool) -> None:
        """Stores the person's verdict on an answer in the agent's memory."""
        try:
            memory.feedback(episode, good)
        except Exception:
            log.exception("could not store the feedback on answer %s", episode)


# ---------------------------------------------------------------------- one exchange
class AnswerCard(QFrame):
    """One question and its answer: steps, streamed text, rows, SQL and actions."""

    open_sql = Signal(str)
    add_to_dashboard = Signal(object)
    feedback = Signal(object, bool)

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.answer: Answer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.question_label = QLabel(question)
        self.question_label.setWordWrap(True)
        self.question_label.setStyleSheet("font-weight: 600;")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.steps_label = QLabel("Thinking…")
        self.steps_label.setObjectName("muted")
        self.steps_label.setWordWrap(True)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setObjectName("agentNotice")
        self.notice_label.setStyleSheet("color: #b26a00;")
        self.notice_label.hide()
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableView()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setMaximumHeight(180)
        self.chart_view = MiniChart()  # ui/charts/mini.py: the answer's chart, drawn small
        # The card follows the dock's width; a wide result scrolls inside its table.
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.table.hide()
        self.rows_model = QStandardItemModel(self.table)
        self.table.setModel(self.rows_model)
        self.sql_toggle = QToolButton()
        self.sql_toggle.setObjectName("flat")
        self.sql_toggle.setText("SQL")
        self.sql_toggle.setCheckable(True)
        self.sql_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.sql_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sql_toggle.toggled.connect(self._fold)
        self.sql_view = QPlainTextEdit()
        self.sql_view.setReadOnly(True)
        self.sql_view.setMaximumHeight(120)
        self.sql_view.hide()
        self.open_button = QPushButton("Open in editor")
        self.open_button.setObjectName("flat")
        self.open_button.clicked.connect(self._open)
        self.dashboard_button = QPushButton("Add to dashboard")
        self.dashboard_button.setObjectName("flat")
        self.dashboard_button.clicked.connect(lambda: self.add_to_dashboard.emit(self.answer))
        self.up_button = QToolButton()
        # Words, not emoji: many desktops (and air-gapped ones) have no emoji font.
        self.up_button.setText("Helpful")
        self.up_button.setToolTip("A good answer")
        self.up_button.setCheckable(True)
        self.up_button.clicked.connect(lambda: self._rate(True))
        self.down_button = QToolButton()
        self.down_button.setText("Wrong")
        self.down_button.setToolTip("A wrong or unhelpful answer")
        self.down_button.setCheckable(True)
        self.down_button.clicked.connect(lambda: self._rate(False))
        # Two short rows rather than one long one, so a narrow dock shows every button.
        first = QHBoxLayout()
        first.setSpacing(4)
        first.addWidget(self.sql_toggle)
        first.addStretch(1)
        first.addWidget(self.up_button)
        first.addWidget(self.down_button)
        second = QHBoxLayout()
        second.setSpacing(4)
        second.addWidget(self.open_button)
        second.addWidget(self.dashboard_button)
        second.addStretch(1)
        actions = QVBoxLayout()
        actions.setSpacing(2)
        actions.addLayout(first)
        actions.addLayout(second)
        self.actions_bar = QWidget()
        self.actions_bar.setLayout(actions)
        actions.setContentsMargins(0, 0, 0, 0)
        self.actions_bar.hide()
        self.footer_label = QLabel()
        self.footer_label.setObjectName("muted")
        self.footer_label.setWordWrap(True)
        self.footer_label.hide()
        for widget in (
            self.question_label,
            self.steps_label,
            self.notice_label,
            self.text_label,
            self.table,
            self.chart_view,
            self.actions_bar,
            self.sql_view,
            self.footer_label,
        ):
            layout.addWidget(widget)
        self._steps: list[str] = []

    # ------------------------------------------------------------------ while it works
    def on_event(self, event: AgentEvent) -> None:
        if isinstance(event, TextDelta):
            self.text_label.setText(self.text_label.text() + event.text)
        elif isinstance(event, ToolStarted):
            self._step(describe_call(event.name, event.arguments) or f"{_tool_words(event.name)}…")
        elif isinstance(event, ToolFinished):
            mark = "✓" if event.ok else "✗"
            self._replace_step(f"{mark} {_tool_words(event.name)}: {event.summary}")
        elif isinstance(event, AgentProgress):
            done = f" {event.fraction:.0%}" if 0 <= event.fraction < 1 else ""
            self._step(f"{event.task}{done}", replace_same=True)
        elif isinstance(event, AgentNotice):
            self.show_notice(event.text)
            # The model's half-written text is not the answer any more.
            self.text_label.clear()

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self.notice_label.show()

    # ------------------------------------------------------------------ at the end
    def show_answer(self, answer: Answer) -> None:
        self.answer = answer
        self.text_label.setText(answer.answer)
        self.steps_label.setVisible(bool(self._steps))
        if answer.sql:
            self._fill_table(answer)
            self.sql_view.setPlainText(answer.sql)
            self.actions_bar.show()
        footer = [f"{answer.provider} · confidence {answer.confidence:.0%}"]
        if answer.row_count > TABLE_ROWS:
            footer.append(f"first {TABLE_ROWS} of {answer.row_count:,} rows shown")
        if answer.chart:
            self.chart_view.show_answer(answer)  # drawn on a worker, shown when ready
            footer.append(
                f"chart: {answer.chart.get('kind')} of {answer.chart.get('y')} by "
                f"{answer.chart.get('x')}"
            )
        footer += [f"assumed: {a}" for a in answer.assumptions]
        self.footer_label.setText("\n".join(footer))
        self.footer_label.show()

    def show_failure(self, message: str, cancelled: bool = False) -> None:
        self._step("Cancelled." if cancelled else "Failed.")
        if not cancelled:
            self.show_notice(message)

    # ------------------------------------------------------------------ internals
    def _fill_table(self, answer: Answer) -> None:
        self.rows_model.clear()
        self.rows_model.setHorizontalHeaderLabels(list(answer.columns))
        for row in answer.rows[:TABLE_ROWS]:
            items = []
            for value in row:
                item = QStandardItem(_cell(value))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                items.append(item)
            self.rows_model.appendRow(items)
        self.table.setVisible(bool(answer.columns))
        self.table.resizeColumnsToContents()

    def _step(self, text: str, replace_same: bool = False) -> None:
        if replace_same and self._steps and self._steps[-1].split(" ")[0] == text.split(" ")[0]:
            self._steps[-1] = text
        else:
            self._steps.append(text)
        self.steps_label.setText("\n".join(self._steps[-6:]))
        self.steps_label.show()

    def _replace_step(self, text: str) -> None:
        if self._steps and self._steps[-1].endswith("…"):
            self._steps[-1] = text
        else:
            self._steps.append(text)
        self.steps_label.setText("\n".join(self._steps[-6:]))

    def _fold(self, shown: bool) -> None:
        self.sql_view.setVisible(shown)
        self.sql_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def _open(self) -> None:
        if self.answer is not None and self.answer.sql:
            self.open_sql.emit(self.answer.sql)

    def _rate(self, good: bool) -> None:
        if self.answer is None:
            return
        self.up_button.setChecked(good)
        self.down_button.setChecked(not good)
        self.feedback.emit(self.answer, good)


def _tool_words(name: str) -> str:
    return {
        "run_sql": "Running the query",
        "describe_table": "Looking at a table",
        "search_schema": "Finding the tables",
        "list_sources": "Listing the sources",
        "profile_column": "Profiling a column",
        "make_chart": "Making a chart",
    }.get(name, tool_label(name))


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


# ---------------------------------------------------------------------- the panel
class AgentPanel(QWidget):
    """The chat with the agent (see the module's docstring for how the window uses it).

    Args:
        parent: The dock or window.
        settings: The settings to read and save the provider choice in; loaded when None.
        provider_factory: Makes a provider from a choice ("rules", "local", "litellm:M");
            the settings' own by default.
    """

    open_sql = Signal(str)
    add_to_dashboard = Signal(object)
    feedback = Signal(object, bool)
    busy_changed = Signal(bool)
    _start = Signal(int, object, str)
    _feedback = Signal(object, int, bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
        provider_factory: ProviderFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("agentPanel")
        self._settings = settings
        self._factory = provider_factory
        self._workspace: Workspace | None = None
        self._conversation: Conversation | None = None
        self._provider: Provider | None = None
        self._number = 0
        self._running: int | None = None  # the question the person waits for
        self._in_worker = 0  # questions the worker has not reported back yet
        self._retired: list[Conversation | Provider] = []  # closed once the worker is idle
        self._cards: dict[int, AnswerCard] = {}
        self._thread = QThread(self)
        self._thread.setObjectName("aiser-agent")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.ask, Qt.ConnectionType.QueuedConnection)
        self._feedback.connect(self._worker.rate, Qt.ConnectionType.QueuedConnection)
        self._worker.reported.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._worker.answered.connect(self._on_answer, Qt.ConnectionType.QueuedConnection)
        self._worker.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._thread.start()
        # MCP servers' tools, approvals and their settings button (ui/mcp_agent.py)
        self.mcp = PanelMcp(self, self._load_settings())
        self.mcp.reported.connect(lambda event: self._on_event(self._running or 0, event))
        self.mcp.changed.connect(self._use_mcp)
        self._build()
        self._fill_picker()
        self._update_state()

    # ------------------------------------------------------------------ the window's API
    def set_workspace(self, workspace: Workspace | None) -> None:
        """Answers questions over ``workspace`` (None: none is open; the panel waits)."""
        self._cancel_running()
        if self._conversation is not None:
            self._retire(self._conversation)
            self._conversation = None
        self._workspace = workspace
        if workspace is not None:
            self._conversation = Conversation.for_workspace(
                workspace, self._current_provider(), registry=self.mcp.registry
            )
        self._update_state()

    def ask(self, question: str) -> None:
        """Asks ``question`` (as if typed and sent); ignored while one is being answered."""
        question = question.strip()
        if not question or self._conversation is None or self._running is not None:
            return
        self._number += 1
        card = AnswerCard(question)
        card.open_sql.connect(self.open_sql)
        card.add_to_dashboard.connect(self.add_to_dashboard)
        card.feedback.connect(self.feedback)
        card.feedback.connect(self._remember_feedback)
        self._cards[self._number] = card
        self.hint_label.hide()
        self._chat_layout.insertWidget(self._chat_layout.count() - 1, card)
        self._running = self._number
        self.input.clear()
        self._update_state()
        self.busy_changed.emit(True)
        self._in_worker += 1
        self._start.emit(self._number, self._conversation, question)
        self._scroll_down()

    def cancel(self) -> None:
        """Stops the question being answered, at once."""
        self._cancel_running()

    def open_memory(self) -> None:
        """Shows the Memory panel (``ui/memory_panel.py``) for the open workspace."""
        from aiser_desktop.ui.memory_panel import open_memory_panel

        open_memory_panel(self._workspace, self)

    def _remember_feedback(self, answer: Answer, good: bool) -> None:
        """Stores a thumbs up or down with the answer's episode, on the agent's worker (a
        write to state.sqlite never runs on the GUI thread)."""
        memory = self._conversation.memory if self._conversation is not None else None
        if memory is None or answer is None or answer.episode is None:
            return
        self._feedback.emit(memory, answer.episode, good)

    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def cards(self) -> list[AnswerCard]:
        return [self._cards[n] for n in sorted(self._cards)]

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Cancels, stops the worker thread and frees the model (before the workspace
        closes, or the window)."""
        self._cancel_running()
        self.mcp.close()
        self._thread.quit()
        self._thread.wait(wait_ms)
        self._in_worker = 0
        for item in (self._conversation, self._provider):
            if item is not None:
                self._retire(item)
        self._conversation = None
        self._provider = None

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.picker = QComboBox()
        # Long model names must not make the dock (and the window) wider than the screen.
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.setMinimumContentsLength(14)
        self.picker.setToolTip("Who answers: the rules (no model), a local model or a remote one")
        self.picker.activated.connect(self._on_pick)
        self.gguf_button = QToolButton()
        self.gguf_button.setText("GGUF…")
        self.gguf_button.setToolTip("Choose a local model file (GGUF)")
        self.gguf_button.clicked.connect(self._choose_gguf)
        self.memory_button = QToolButton()
        self.memory_button.setText("Memory")
        self.memory_button.setToolTip("What the agent remembers: preferences, terms, questions")
        self.memory_button.clicked.connect(self.open_memory)
        top.addWidget(self.picker, 1)
        top.addWidget(self.gguf_button)
        top.addWidget(self.memory_button)
        layout.addLayout(top)
        self.banner = QLabel()
        self.banner.setObjectName("muted")
        self.banner.setWordWrap(True)
        layout.addWidget(self.banner)
        self.chat_scroll = QScrollArea()
        self.chat_scroll.setWidgetResizable(True)
        self.chat_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chat_scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        self._chat_layout = QVBoxLayout(holder)
        self._chat_layout.setContentsMargins(0, 0, 0, 0)
        self._chat_layout.setSpacing(8)
        self.hint_label = QLabel(HINT)
        self.hint_label.setObjectName("muted")
        self.hint_label.setWordWrap(True)
        self.hint_label.setContentsMargins(4, 8, 4, 8)
        self._chat_layout.addWidget(self.hint_label)
        self._chat_layout.addStretch(1)
        self.chat_scroll.setWidget(holder)
        layout.addWidget(self.chat_scroll, 1)
        bottom = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setPlaceholderText(PLACEHOLDER)
        self.input.returnPressed.connect(lambda: self.ask(self.input.text()))
        self.input.textChanged.connect(lambda _t: self._update_state())
        self.ask_button = QPushButton("Ask")
        self.ask_button.setObjectName("primary")
        self.ask_button.clicked.connect(lambda: self.ask(self.input.text()))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.new_button = QToolButton()
        self.new_button.setText("New")
        self.new_button.setToolTip("Start a new conversation (forget the earlier questions)")
        self.new_button.clicked.connect(self._new_conversation)
        # The question gets the whole width; the buttons sit under it.
        layout.addWidget(self.input)
        bottom.addWidget(self.new_button)
        bottom.addWidget(self.mcp.button())
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.ask_button)
        layout.addLayout(bottom)

    # ------------------------------------------------------------------ providers
    def _load_settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings.load()
            except AiserError as exc:
                log.warning("settings unreadable, using the defaults: %s", exc)
                self._settings = Settings()
        return self._settings

    def _fill_picker(self) -> None:
        agent = AgentSettings.from_settings(self._load_settings())
        self.picker.clear()
        self.picker.addItem("Rules (no model, offline)", "rules")
        self.picker.addItem("Local: small packaged model (a demo; weak SQL)", "local")
        if agent.gguf_path:
            self.picker.addItem(f"Local: {Path(agent.gguf_path).name}", f"local:{agent.gguf_path}")
        if agent.model:
            self.picker.addItem(f"Remote: {agent.model}", f"litellm:{agent.model}")
        wanted = agent.provider
        if agent.provider == "local" and agent.gguf_path:
            wanted = f"local:{agent.gguf_path}"
        elif agent.provider == "litellm":
            wanted = f"litellm:{agent.model}"
        index = self.picker.findData(wanted)
        self.picker.setCurrentIndex(max(0, index))

    def _current_provider(self) -> Provider:
        choice = str(self.picker.currentData() or "rules")
        if self._provider is not None and getattr(self._provider, "_choice", None) == choice:
            return self._provider
        old, self._provider = self._provider, None
        if old is not None:
            self._retire(old)
        try:
            provider = (
                self._factory(choice)
                if self._factory
                else make_provider(choice, self._load_settings())
            )
        except AiserError as exc:
            self.banner.setText(str(exc))
            provider = make_provider("rules", self._load_settings())
        provider._choice = choice  # type: ignore[attr-defined]
        self._provider = provider
        self.banner.setText(_describe(choice))
        return provider

    def _on_pick(self, _index: int) -> None:
        choice = str(self.picker.currentData() or "rules")
        settings = self._load_settings()
        agent = AgentSettings.from_settings(settings)
        kind, _, rest = choice.partition(":")
        agent.provider = kind
        if kind == "local":
            agent.gguf_path = rest
        self._save(agent)
        if self._conversation is not None:
            self._conversation.provider = self._current_provider()
        else:
            self._current_provider()

    def _choose_gguf(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a local model", str(Path.home()), "GGUF models (*.gguf)"
        )
        if not path:
            return
        agent = AgentSettings.from_settings(self._load_settings())
        agent.provider, agent.gguf_path = "local", path
        self._save(agent)
        self._fill_picker()
        self._on_pick(self.picker.currentIndex())

    def _save(self, agent: AgentSettings) -> None:
        settings = self._load_settings()
        agent.store(settings)
        try:
            settings.save()
        except OSError as exc:
            self.banner.setText(f"The settings could not be saved: {exc}")

    # ------------------------------------------------------------------ the worker's reports
    def _on_event(self, number: int, event: AgentEvent) -> None:
        card = self._cards.get(number)
        if card is not None and number == self._running:
            card.on_event(event)
            self._scroll_down()

    def _on_answer(self, number: int, answer: Answer) -> None:
        card = self._cards.get(number)
        if card is not None and number == self._running:
            card.show_answer(answer)
        self._finish(number)

    def _on_failed(self, number: int, exc: BaseException) -> None:
        card = self._cards.get(number)
        if card is not None and number == self._running:
            card.show_failure(str(exc), cancelled=isinstance(exc, QueryCancelledError))
        self._finish(number)

    def _finish(self, number: int) -> None:
        self._in_worker = max(0, self._in_worker - 1)
        if not self._in_worker:
            for item in self._retired:
                item.close()
            self._retired.clear()
        if number == self._running:
            self._running = None
            self._update_state()
            self.busy_changed.emit(False)
            self._scroll_down()

    def _cancel_running(self) -> None:
        if self._running is None or self._conversation is None:
            return
        # The conversation stops its model and query; the card says so at once, and the
        # worker's late report for this question is ignored.
        self._conversation.cancel()
        card = self._cards.get(self._running)
        if card is not None:
            card.show_failure("", cancelled=True)
        self._running = None
        self._update_state()
        self.busy_changed.emit(False)

    def _retire(self, item: Conversation | Provider) -> None:
        """Closes a conversation or provider, but only once the worker no longer uses it (a
        cancelled question may still be unwinding there)."""
        if self._in_worker:
            self._retired.append(item)
        else:
            item.close()

    def _use_mcp(self) -> None:
        """The MCP servers changed: the next question uses the new ones."""
        if self._conversation is not None:
            self._conversation.registry = self.mcp.registry

    def _new_conversation(self) -> None:
        self._cancel_running()
        if self._conversation is not None:
            self._conversation.reset()
        for card in self._cards.values():
            card.deleteLater()
        self._cards.clear()
        self.hint_label.show()

    # ------------------------------------------------------------------ state
    def _update_state(self) -> None:
        ready = self._conversation is not None
        busy = self._running is not None
        self.input.setEnabled(ready)
        self.ask_button.setEnabled(ready and not busy and bool(self.input.text().strip()))
        self.cancel_button.setEnabled(busy)
        self.picker.setEnabled(not busy)
        self.gguf_button.setEnabled(not busy)
        if not ready:
            self.input.setPlaceholderText("Open a workspace to ask about its data")
        else:
            self.input.setPlaceholderText(PLACEHOLDER)

    def _scroll_down(self) -> None:
        bar = self.chat_scroll.verticalScrollBar()
        bar.setValue(bar.maximum())


def _describe(choice: str) -> str:
    kind, _, rest = choice.partition(":")
    if kind == "rules":
        return "Answers by rules from your tables: no model, nothing leaves this machine."
    if kind == "local" and rest:
        return f"A local model ({Path(rest).name}) runs on this machine; it loads once."
    if kind == "local":
        return (
            "The small packaged model proves the local path; its SQL is weak. Choose a larger "
            "GGUF file for real answers. When it fails, the rules answer."
        )
    return f"The remote model {rest} is used only with the network allowed for it."
