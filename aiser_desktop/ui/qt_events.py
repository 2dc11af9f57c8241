"""The bridge from core events (plain Python, any thread) to the GUI thread (a Qt signal).

Core handlers run on the thread that published (the query worker, the progress monitor, a task
thread). Widgets may only be touched on the GUI thread, so the bridge's handler does nothing but
emit a signal; connected with a queued connection to a QObject that lives on the GUI thread, the
message arrives there, in order.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from aiser_desktop.core.events import EventHub, Message

log = logging.getLogger(__name__)


class QtEventBridge(QObject):
    """Re-emits every message published on a hub as :attr:`message`.

    Args:
        hub: The hub to listen to.
        parent: The owning QObject.

    Connect ``message`` with ``Qt.ConnectionType.QueuedConnection`` to a method of a QObject
    that lives on the GUI thread.
    """

    message = Signal(object)

    def __init__(self, hub: EventHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False
        self._unsubscribe = hub.subscribe(Message, self._forward)

    def _forward(self, msg: Message) -> None:  # runs on the publishing thread
        if not self._closed:
            self.message.emit(msg)

    def close(self) -> None:
        """Stops forwarding (call before the bridge is deleted)."""
        self._closed = True
        self._unsubscribe()
