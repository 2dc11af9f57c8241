"""The MCP servers dialog: the servers whose tools the agent may call; add, remove, test.

Opened from the agent panel's "Tools…" button (and View > Agent tools). Left, the servers added
so far, each with its command and how it runs (asks first or not, with or without the network);
right, the form to add one: a name, the command and its arguments, environment variables (their
values go to the OS keyring, never to the settings file), whether it may use the network and
whether the agent must ask before each call. Test starts the selected server on a task thread
and lists its tools (or says plainly why it did not start). Every change is saved in the
settings file at once and reported by :attr:`McpSettingsDialog.changed`, so the agent uses it
from the next question.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.agent.mcp.config import McpServerConfig, McpSettings, set_env
from aiser_desktop.core.agent.mcp.sandbox import isolation_words
from aiser_desktop.core.errors import AiserError
from aiser_desktop.ui import theme
from aiser_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from aiser_desktop.core.agent.mcp.client import ServerStatus
    from aiser_desktop.core.config import Settings


def style() -> str:
    return f"""
QLabel#dialogTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#errorBox {{
    background: {theme.ERROR_SOFT}; color: {theme.ERROR};
    border: 1px solid #f4c7c1; border-radius: 6px; padding: 6px 8px;
}}
QLabel#infoBox {{
    background: {theme.ACCENT_SOFT}; color: {theme.TEXT};
    border: 1px solid #bcd0fb; border-radius: 6px; padding: 6px 8px;
}}
QListWidget#servers::item {{ padding: 6px 4px; }}
"""


def save_server(settings: Settings, server: McpServerConfig, env: dict[str, str]) -> None:
    """Adds ``server`` (its environment values into the keyring) and saves the settings.

    Runs on a task thread: the keyring and the file may be slow.

    Raises:
        AiserError: The name is taken or not usable, or the keyring cannot keep a value.
    """
    mcp = McpSettings.from_settings(settings)
    mcp.add(server)  # checks the name before any secret is stored
    for name, value in env.items():
        set_env(server, name, value)
    mcp.store(settings)
    settings.save()


def remove_server(settings: Settings, name: str) -> None:
    """Removes a server (and its secrets) and saves the settings."""
    mcp = McpSettings.from_settings(settings)
    mcp.remove(name)
    mcp.store(settings)
    settings.save()


def test_server(settings: Settings, name: str) -> ServerStatus:
    """Starts the server, lists its tools and stops it (on a task thread)."""
    from aiser_desktop.core.agent.mcp.client import McpRegistry

    mcp = McpSettings.from_settings(settings)
    registry = McpRegistry((), network_enabled=settings.network_enabled, timeout=mcp.timeout)
    try:
        return registry.test(mcp.get(name))
    finally:
        registry.close()


class McpSettingsDialog(QDialog):
    """The MCP servers dialog (see the module's docstring).

    Args:
        settings: The app's settings (edited and saved here).
        parent: The window or panel.
    """

    changed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mcpSettingsDialog")
        self.setWindowTitle("MCP servers")
        self.setStyleSheet(style())
        self.settings = settings
        self.tasks = TaskRunner(self, max_threads=1)
        self._env: dict[str, str] = {}
        self._build()
        self.resize(820, 520)
        self.refresh()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        title = QLabel("MCP servers")
        title.setObjectName("dialogTitle")
        intro = QLabel(
            "Programs that give the agent more tools over MCP (stdio). Each tool shows where "
            "it comes from, like currency·rate, and each call is shown before it runs."
        )
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(intro)

        body = QHBoxLayout()
        body.setSpacing(16)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("servers")
        self.list.setWordWrap(True)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.test_button = QPushButton("Test")
        self.test_button.setToolTip("Start the server, list its tools, stop it")
        self.test_button.clicked.connect(self.test_selected)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.test_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        left.addLayout(row)
        body.addLayout(left, 5)
        body.addWidget(self._form(), 6)
        outer.addLayout(body, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        outer.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def _form(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. weather")
        self.command_edit = QLineEdit()
        self.command_edit.setPlaceholderText("e.g. npx, uvx, python or a full path")
        self.args_edit = QLineEdit()
        self.args_edit.setPlaceholderText("e.g. -y @acme/weather-mcp")
        env_row = QHBoxLayout()
        self.env_name = QLineEdit()
        self.env_name.setPlaceholderText("NAME")
        self.env_value = QLineEdit()
        self.env_value.setPlaceholderText("value (a secret)")
        self.env_value.setToolTip("Kept in the OS keyring, never in the settings file")
        self.env_value.setEchoMode(QLineEdit.EchoMode.Password)
        self.env_button = QPushButton("Add")
        self.env_button.clicked.connect(self._add_env)
        env_row.addWidget(self.env_name, 2)
        env_row.addWidget(self.env_value, 3)
        env_row.addWidget(self.env_button)
        self.env_label = QLabel("none")
        self.env_label.setObjectName("muted")
        self.network_check = QCheckBox("May use the network")
        self.ask_check = QCheckBox("Ask me before each call")
        self.ask_check.setChecked(True)
        self.network_note = QLabel()
        self.network_note.setObjectName("muted")
        self.network_note.setWordWrap(True)
        self.add_button = QPushButton("Add server")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add_server)
        form.addRow("Name", self.name_edit)
        form.addRow("Command", self.command_edit)
        form.addRow("Arguments", self.args_edit)
        form.addRow("Environment", env_row)
        form.addRow("", self.env_label)
        form.addRow("", self.network_check)
        form.addRow("", self.network_note)
        form.addRow("", self.ask_check)
        form.addRow("", self.add_button)
        return box

    # ------------------------------------------------------------------ the list
    def servers(self) -> list[McpServerConfig]:
        try:
            return McpSettings.from_settings(self.settings).servers
        except AiserError as exc:
            self.show_message(str(exc), error=True)
            return []

    def refresh(self) -> None:
        """Fills the list from the settings."""
        selected = self.selected_name()
        self.list.clear()
        on = self.settings.network_enabled
        for server in self.servers():
            how = [
                "asks first" if server.ask else "runs unasked",
                isolation_words(server, on),
            ]
            if server.env:
                how.append("env " + ", ".join(server.env))
            if not server.enabled:
                how.append("disabled")
            item = QListWidgetItem(f"{server.name}\n{server.command_line()}\n{' · '.join(how)}")
            item.setData(Qt.ItemDataRole.UserRole, server.name)
            item.setToolTip(server.command_line())
            self.list.addItem(item)
            if server.name == selected:
                self.list.setCurrentItem(item)
        if self.list.count() and self.list.currentItem() is None:
            self.list.setCurrentRow(0)
        self.network_note.setText(
            "The app's network switch is on: a server allowed the network can use it."
            if on
            else "The app's network switch is off: every server starts without the network."
        )
        self._update_buttons()

    def selected_name(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    # ------------------------------------------------------------------ actions
    def add_server(self) -> None:
        """Adds the server in the form (saved on a task thread)."""
        try:
            args = shlex.split(self.args_edit.text())
        except ValueError as exc:
            self.show_message(f"The arguments cannot be read: {exc}. Check the quotes.", True)
            return
        server = McpServerConfig(
            name=self.name_edit.text().strip(),
            command=self.command_edit.text().strip(),
            args=args,
            network=self.network_check.isChecked(),
            ask=self.ask_check.isChecked(),
        )
        env = dict(self._env)
        self._busy(True)
        self.tasks.start(
            "save an MCP server",
            save_server,
            self.settings,
            server,
            env,
            on_done=lambda _none: self._added(server.name),
            on_error=self._failed,
        )

    def remove_selected(self) -> None:
        name = self.selected_name()
        if not name:
            return
        self._busy(True)
        self.tasks.start(
            "remove an MCP server",
            remove_server,
            self.settings,
            name,
            on_done=lambda _none: self._done(f"Removed {name}."),
            on_error=self._failed,
        )

    def test_selected(self) -> None:
        name = self.selected_name()
        if not name:
            return
        self._busy(True)
        self.show_message(f"Starting {name}…")
        self.tasks.start(
            "test an MCP server",
            test_server,
            self.settings,
            name,
            on_done=self._tested,
            on_error=self._failed,
        )

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setObjectName("errorBox" if error else "infoBox")
        self.message.setStyleSheet(style())
        self.message.setText(text)
        self.message.show()

    # ------------------------------------------------------------------ results
    def _add_env(self) -> None:
        name = self.env_name.text().strip()
        if not name:
            return
        self._env[name] = self.env_value.text()
        self.env_name.clear()
        self.env_value.clear()
        self.env_label.setText(", ".join(f"{n} (hidden)" for n in self._env))

    def _added(self, name: str) -> None:
        for edit in (self.name_edit, self.command_edit, self.args_edit):
            edit.clear()
        self._env.clear()
        self.env_label.setText("none")
        self._done(f"Added {name}. Test it to see its tools.")
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)

    def _done(self, text: str) -> None:
        self._busy(False)
        self.refresh()
        self.show_message(text)
        self.changed.emit()

    def _tested(self, status: Any) -> None:
        self._busy(False)
        tools = ", ".join(status.tools) or "no tools"
        self.show_message(
            f"{status.name} started ({status.isolation}). {len(status.tools)} tools: {tools}."
        )

    def _failed(self, exc: Any) -> None:
        self._busy(False)
        self.refresh()
        self.show_message(str(exc), error=True)

    def _busy(self, busy: bool) -> None:
        self.add_button.setEnabled(not busy)
        self._update_buttons(busy)

    def _update_buttons(self, busy: bool = False) -> None:
        chosen = bool(self.selected_name())
        self.test_button.setEnabled(chosen and not busy)
        self.remove_button.setEnabled(chosen and not busy)
