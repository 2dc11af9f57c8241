"""The agent's dock on the right of the window, hideable (View > Agent panel, Ctrl+Shift+A).

The window shows it at once with a short "loading" line; the agent panel itself
(:class:`~aiser_desktop.ui.agent_panel.AgentPanel`, which brings sqlglot and the agent's loop)
is put in by :meth:`AgentDock.install` when the window's heavier widgets are loaded, just after
it is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QVBoxLayout, QWidget

LOADING_TEXT = "Loading the agent…"


class AgentDock(QDockWidget):
    """The dock that holds the agent's conversation.

    Args:
        parent: The main window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Agent", parent)
        self.setObjectName("agentDock")  # the name saveState()/restoreState() know it by
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.panel: QWidget | None = None
        self._frame = QFrame()
        self._frame.setObjectName("panel")
        self._layout = QVBoxLayout(self._frame)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self.loading_label = QLabel(LOADING_TEXT)
        self.loading_label.setObjectName("muted")
        self.loading_label.setWordWrap(True)
        self._layout.addWidget(self.loading_label)
        self._layout.addStretch(1)
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 0, 8, 8)
        outer.addWidget(self._frame)
        self.setWidget(holder)
        self.setMinimumWidth(260)

    def install(self, panel: QWidget) -> None:
        """Puts the agent panel in place of the loading line."""
        self.panel = panel
        self.loading_label.hide()
        while self._layout.count():
            self._layout.takeAt(0)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(panel)

    def show_failure(self, text: str) -> None:
        """Says the agent could not be loaded (the window goes on without it)."""
        self.loading_label.setText(text)
