"""The agent panel: a dock on the right of the window, hideable (View > Agent panel,
Ctrl+Shift+A).

The agent itself arrives with its own issue; until then the panel says so plainly, and says
what it will do, instead of offering a chat box that cannot answer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QVBoxLayout, QWidget

EMPTY_TITLE = "The agent is not here yet"
EMPTY_TEXT = (
    "This panel is where you will ask questions about your data in plain words and get back "
    "the SQL, the table, a chart and a short answer you can check. It works offline, with a "
    "local model or simple rules.\n\n"
    "It arrives in a later version. Until then, write SQL in the editor: Ctrl+Space "
    "completes table and column names."
)


class AgentDock(QDockWidget):
    """The dock that will hold the agent's conversation.

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
        frame = QFrame()
        frame.setObjectName("panel")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(20, 24, 20, 24)
        layout.setSpacing(10)
        self.title_label = QLabel(EMPTY_TITLE)
        self.title_label.setObjectName("emptyTitle")
        self.title_label.setWordWrap(True)
        self.text_label = QLabel(EMPTY_TEXT)
        self.text_label.setObjectName("muted")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        layout.addStretch(1)
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 0, 8, 8)
        outer.addWidget(frame)
        self.setWidget(holder)
        self.setMinimumWidth(220)
