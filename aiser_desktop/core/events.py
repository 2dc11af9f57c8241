"""Plain-Python events: typed messages and a small hub (no Qt).

Core objects publish frozen dataclasses on an :class:`EventHub`; views subscribe by message type
(glue's ``Hub``, Harlequin's typed messages; STYLE.md points 2 and 3). Handlers run on the thread
that published, so a Qt view re-posts to the GUI thread itself (``ui/qt_events.py``). Tests
subscribe the same way and assert on what arrived.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """Base class of every event."""


@dataclass(frozen=True)
class QueryStarted(Message):
    query_id: int
    sql: str


@dataclass(frozen=True)
class QueryProgress(Message):
    query_id: int
    percent: float


@dataclass(frozen=True)
class QueryFinished(Message):
    query_id: int
    sql: str
    rows: int
    columns: int
    seconds: float
    result: Any = field(default=None, compare=False, repr=False)  # the ResultHandle


@dataclass(frozen=True)
class QueryFailed(Message):
    query_id: int
    sql: str
    error: Exception = field(compare=False)
    seconds: float = 0.0


@dataclass(frozen=True)
class QueryCancelled(Message):
    query_id: int
    sql: str
    seconds: float


@dataclass(frozen=True)
class SourcesChanged(Message):
    """Sources were added, removed or refreshed; ``names`` are the ones that changed."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class WorkspaceProgress(Message):
    """Long workspace work (loading the sample data, importing a file) moved on."""

    task: str
    done: int
    total: int


@dataclass(frozen=True)
class ImportProgress(Message):
    """An import or snapshot of a source moved on.

    Attributes:
        source: The source's name.
        table: The table being copied ("" for a single-table source).
        done: Tables finished so far; ``total`` tables in all.
        percent: DuckDB's progress through the current table (0-100; -1 unknown).
    """

    source: str
    table: str
    done: int
    total: int
    percent: float = -1.0


M = TypeVar("M", bound=Message)
Handler = Callable[[Any], None]


class EventHub:
    """Delivers messages to the handlers subscribed to their type (or a base type).

    Thread-safe: publishing from a worker is allowed. A failing handler is logged and does not
    stop delivery to the others.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: dict[type[Message], list[Handler]] = {}

    def subscribe(self, kind: type[M], handler: Callable[[M], None]) -> Callable[[], None]:
        """Calls ``handler`` for every message of ``kind`` or a subclass.

        Returns:
            A function that undoes the subscription.
        """
        with self._lock:
            self._handlers.setdefault(kind, []).append(handler)

        def unsubscribe() -> None:
            with self._lock:
                handlers = self._handlers.get(kind, [])
                if handler in handlers:
                    handlers.remove(handler)

        return unsubscribe

    def publish(self, message: Message) -> None:
        """Delivers ``message`` to its subscribers, on the calling thread."""
        with self._lock:
            targets = [
                h
                for kind, handlers in self._handlers.items()
                if isinstance(message, kind)
                for h in handlers
            ]
        for handler in targets:
            try:
                handler(message)
            except Exception:
                log.exception("event handler %r failed on %r", handler, message)
