"""The person's queries: one at a time on the engine's worker, reported by Qt signals.

The engine runs the statement on its own thread and publishes events; the window's event bridge
hands each event to :meth:`QueryRunner.handle` on the GUI thread, which keeps the ones of the
current query and re-emits them as signals the widgets connect to.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from aiser_desktop.core.events import (
    Message,
    QueryCancelled,
    QueryFailed,
    QueryFinished,
    QueryProgress,
)

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine, QueryJob

log = logging.getLogger(__name__)


class QueryRunner(QObject):
    """Runs one query at a time and reports on it.

    Signals:
        started: A query was submitted.
        progress(float): DuckDB's progress of it, 0-100.
        finished(QueryFinished): It returned rows (``msg.result`` is the ResultHandle).
        failed(QueryFailed): DuckDB rejected it; ``str(msg.error)`` is for people.
        cancelled(QueryCancelled): It was cancelled.
    """

    started = Signal()
    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._job: QueryJob | None = None
        self.offset = 0

    def attach(self, engine: Engine | None) -> None:
        """Runs future queries on ``engine`` (None: no workspace open)."""
        self._engine = engine

    @property
    def ready(self) -> bool:
        """An engine is attached and no query runs."""
        return self._engine is not None and not self.running

    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done()

    def run(self, sql: str, offset: int = 0) -> bool:
        """Submits ``sql``; False when nothing was submitted (no engine, busy, or blank SQL).

        Args:
            sql: The statement.
            offset: Where ``sql`` starts in the editor (errors point into the editor).

        Raises:
            AiserError: The engine refused the statement (it is closed).
        """
        if not self.ready or not sql.strip():
            return False
        assert self._engine is not None
        self._job = self._engine.submit(sql)
        self.offset = offset
        self.started.emit()
        return True

    def cancel(self) -> bool:
        """Cancels the running query; False when none runs."""
        if not self.running:
            return False
        assert self._job is not None
        self._job.cancel()
        return True

    def handle(self, msg: Message) -> None:
        """Takes an engine event (on the GUI thread) and emits the matching signal."""
        job = self._job
        if job is None or getattr(msg, "query_id", None) != job.id:
            return
        if isinstance(msg, QueryProgress):
            self.progress.emit(msg.percent)
        elif isinstance(msg, QueryFinished):
            log.info("query %s shown: %d rows in %.3f s", msg.query_id, msg.rows, msg.seconds)
            self.finished.emit(msg)
        elif isinstance(msg, QueryFailed):
            self.failed.emit(msg)
        elif isinstance(msg, QueryCancelled):
            self.cancelled.emit(msg)
