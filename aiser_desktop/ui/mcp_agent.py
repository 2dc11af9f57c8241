"""The agent panel's MCP part: the servers' tools for its conversations, the person's yes or
no before a call, and the button that opens the MCP servers dialog.

The panel makes one :class:`PanelMcp` and uses three things of it::

    self.mcp = PanelMcp(self, settings)
    Conversation.for_workspace(ws, provider, registry=self.mcp.registry)
    self.mcp.reported.connect(...)   # notices (a server failed) and progress, for the card
    self.mcp.changed.connect(...)    # the servers changed: give conversations the new registry

The servers start on the agent's worker thread when a model first asks for its tools, never on
the GUI thread. A call to a server with "ask before each call" waits on the worker thread for
the person's answer in a message box shown on the GUI thread; cancelling the question closes
the box and stops the wait.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QToolButton, QWidget

from aiser_desktop.core.agent.mcp.client import ApprovalRequest, McpRegistry
from aiser_desktop.core.agent.mcp.config import is_mcp_tool, tool_label
from aiser_desktop.core.errors import AiserError

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings

log = logging.getLogger(__name__)

ARGUMENT_CHARS = 160  # of a call's arguments shown in the panel's steps


def describe_call(name: str, arguments: Any) -> str:
    """A tool call as the panel's step shows it before it runs: an MCP tool with its origin
    and its arguments ("Calling currency·rate {"base": "EUR"}…"), the app's own by name."""
    if not is_mcp_tool(name):
        return ""
    text = json.dumps(arguments, ensure_ascii=False, default=str)
    if len(text) > ARGUMENT_CHARS:
        text = text[: ARGUMENT_CHARS - 1] + "…"
    return f"Calling {tool_label(name)} {text}…"


class _Ask:
    """One approval on its way between the worker thread and the GUI thread."""

    def __init__(self, request: ApprovalRequest) -> None:
        self.request = request
        self.answer = False
        self.done = threading.Event()
        self.box: QMessageBox | None = None


class PanelMcp(QObject):
    """The MCP servers for an agent panel (see the module's docstring).

    Args:
        parent: The agent panel.
        settings: The app's settings (the ``[mcp]`` table is read from it).
    """

    reported = Signal(object)  # an AgentEvent from the registry (worker thread -> GUI)
    changed = Signal()
    _ask = Signal(object)
    _current: _Ask | None  # the approval whose box is open (unset before the first)

    def __init__(self, parent: QWidget, settings: Settings) -> None:
        super().__init__(parent)
        self._parent = parent
        self.settings = settings
        self.problem = ""
        self._ask.connect(self._show_ask, Qt.ConnectionType.QueuedConnection)
        self.registry = self._make_registry()

    def button(self) -> QToolButton:
        """The "Tools…" button that opens the MCP servers dialog."""
        button = QToolButton()
        button.setText("Tools…")
        button.setToolTip("MCP servers: more tools for the agent from other programs")
        button.clicked.connect(self.open_settings)
        return button

    def open_settings(self) -> None:
        from aiser_desktop.ui.mcp_settings import McpSettingsDialog

        dialog = McpSettingsDialog(self.settings, self._parent)
        dialog.changed.connect(self.reload)
        dialog.open()
        self._dialog = dialog  # kept while open

    def reload(self) -> None:
        """Takes the servers from the settings again (the old ones are stopped)."""
        old, self.registry = self.registry, self._make_registry()
        old.close(wait=False)
        self.changed.emit()

    def close(self) -> None:
        """Stops every server (without waiting for them)."""
        self.registry.close(wait=False)

    # ------------------------------------------------------------------ internals
    def _make_registry(self) -> McpRegistry:
        try:
            registry = McpRegistry.from_settings(
                self.settings, approver=self._approve, on_event=self.reported.emit
            )
            self.problem = ""
        except AiserError as exc:
            log.warning("MCP servers left out: %s", exc)
            self.problem = str(exc)
            registry = McpRegistry((), approver=self._approve, on_event=self.reported.emit)
        return registry

    def _approve(self, request: ApprovalRequest) -> bool:
        """Asks the person (on the GUI thread); blocks this worker thread until they answer
        or the question is cancelled."""
        ask = _Ask(request)
        self._ask.emit(ask)
        while not ask.done.wait(0.05):
            if request.cancelled():
                ask.done.set()
                self._ask.emit(None)  # let the GUI thread close the box
                return False
        return ask.answer

    @Slot(object)
    def _show_ask(self, ask: _Ask | None) -> None:
        current: _Ask | None = getattr(self, "_current", None)
        if ask is None:
            if current is not None and current.box is not None:
                current.box.close()
            return
        if ask.done.is_set():
            return
        request = ask.request
        arguments = json.dumps(request.arguments, ensure_ascii=False, indent=1, default=str)
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Run a tool of an MCP server?")
        box.setText(f"The agent wants to call {request.label}.")
        box.setInformativeText(
            f"The MCP server {request.server!r} ({request.command}) would receive:\n"
            f"{arguments[:1500]}"
        )
        run = box.addButton("Run", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Don't run", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(run)
        ask.box = box
        self._current = ask

        def finished(_result: int) -> None:
            ask.answer = box.clickedButton() is run
            ask.done.set()
            self._current = None

        box.finished.connect(finished)
        box.open()
