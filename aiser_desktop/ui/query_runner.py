"""The person's queries: one run at a time on the engine's worker, reported by Qt signals.

A run is one statement or a script of several (Ctrl+Shift+Enter). A script's statements are
submitted one after the other, each when the previous one finished, so a failure stops the
script before the next statement is even sent: nothing after an error runs. The last
statement's result is the one shown; the others are reported by :attr:`QueryRunner.step`.

The engine runs each statement on its own thread and publishes events; the window's event
bridge hands each event to :meth:`QueryRunner.handle` on the GUI thread, which keeps the ones
of the current statement and re-emits them as signals the widgets connect to.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal

from aiser_desktop.core.errors import AiserError, QueryCancelledError
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


@dataclass(frozen=True)
class Statement:
    """One statement to run and where it starts in the editor's text (errors point there).

    Attributes:
        params: Values of its parameters, if any, as DuckDB takes them (a dict for
            ``$name``).
    """

    sql: str
    offset: int = 0
    params: Any = None


class QueryRunner(QObject):
    """Runs one statement, or a script of statements in order, and reports on it.

    Attributes:
        purpose: What the current run is for: "query" or "explain" (the window shows an
            EXPLAIN's result as a plan in the messages).
        offset: Where the current statement starts in the editor.
        index: The current statement's number in the run, from 1.
        total: How many statements the run has.

    Signals:
        started: A run was submitted.
        step_started(int, int): Statement N of M began (only for scripts, from the second).
        step(int, int, QueryFinished): Statement N of M finished and the next one follows.
        progress(float): DuckDB's progress of the current statement, 0-100.
        finished(QueryFinished): The last statement returned (``msg.result`` is the handle).
        failed(QueryFailed): A statement failed; the rest of the script was not run.
        cancelled(QueryCancelled): The run was cancelled; the rest was not run.
        plan_ready(str, bool, float): An EXPLAIN's readable plan, whether it was EXPLAIN
            ANALYZE, and the seconds it took.
    """

    started = Signal()
    step_started = Signal(int, int)
    step = Signal(int, int, object)
    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal(object)
    plan_ready = Signal(str, bool, float)
    _plan_done = Signal(object)  # from the engine's worker: the plan's Future

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._job: QueryJob | None = None
        self._pending: list[Statement] = []
        self._plan: Future[str] | None = None
        self._plan_started = 0.0
        self._plan_sql = ""
        self._plan_analyze = False
        self._plan_done.connect(self._plan_finished, Qt.ConnectionType.QueuedConnection)
        self.purpose = "query"
        self.offset = 0
        self.index = 0
        self.total = 0

    def attach(self, engine: Engine | None) -> None:
        """Runs future queries on ``engine`` (None: no workspace open)."""
        self._engine = engine

    @property
    def ready(self) -> bool:
        """An engine is attached and no query runs."""
        return self._engine is not None and not self.running

    @property
    def running(self) -> bool:
        if self._plan is not None:
            return True
        return self._job is not None and (not self._job.done() or bool(self._pending))

    def run(self, sql: str, offset: int = 0, *, purpose: str = "query") -> bool:
        """Submits one statement; False when nothing was submitted (no engine, busy, blank).

        Args:
            sql: The statement.
            offset: Where ``sql`` starts in the editor (errors point into the editor).
            purpose: "query", or "explain" for an EXPLAIN the window shows as a plan.

        Raises:
            AiserError: The engine refused the statement (it is closed).
        """
        return self.run_script([Statement(sql, offset)], purpose=purpose)

    def run_script(self, statements: list[Statement], *, purpose: str = "query") -> bool:
        """Runs statements in order; stops at the first that fails. False when nothing was
        submitted.

        Raises:
            AiserError: The engine refused the first statement (it is closed).
        """
        todo = [s for s in statements if s.sql.strip()]
        if not self.ready or not todo:
            return False
        self.purpose = purpose
        self.total = len(todo)
        self.index = 0
        self._pending = todo
        try:
            self._submit_next()
        except AiserError:
            self._pending = []
            self._job = None
            raise
        self.started.emit()
        return True

    def _submit_next(self) -> None:
        assert self._engine is not None
        statement = self._pending.pop(0)
        self.index += 1
        self.offset = statement.offset
        self._job = self._engine.submit(statement.sql, statement.params)

    def explain(self, sql: str, analyze: bool = False, params: Any = None) -> bool:
        """Makes the plan of ``sql`` on the engine's worker (EXPLAIN ANALYZE runs it);
        :attr:`plan_ready` brings the readable text. False when nothing started.

        Raises:
            AiserError: The engine is closed.
        """
        if not self.ready or not sql.strip():
            return False
        assert self._engine is not None
        self.purpose = "explain"
        self.total = self.index = 1
        self.offset = 0
        self._plan_sql, self._plan_analyze = sql, analyze
        self._plan_started = time.perf_counter()
        future = self._engine.call(lambda session: _plan_text(session, sql, analyze, params))
        self._plan = future
        future.add_done_callback(self._plan_done.emit)  # on the worker: queued to here
        self.started.emit()
        return True

    def _plan_finished(self, future: Future[str]) -> None:
        if future is not self._plan:
            return  # cancelled meanwhile: already reported
        self._plan = None
        seconds = time.perf_counter() - self._plan_started
        try:
            text = future.result()
        except Exception as exc:
            from aiser_desktop.core.engine.diagnostics import translate

            error = translate(exc, self._plan_sql)
            if isinstance(error, QueryCancelledError):
                self.cancelled.emit(QueryCancelled(0, self._plan_sql, seconds))
            else:
                self.failed.emit(QueryFailed(0, self._plan_sql, error, seconds))
            return
        self.plan_ready.emit(text, self._plan_analyze, seconds)

    def cancel(self) -> bool:
        """Cancels the running statement and drops the rest; False when none runs."""
        if not self.running:
            return False
        if self._plan is not None:
            assert self._engine is not None
            self._plan = None
            self._engine.interrupt()
            seconds = time.perf_counter() - self._plan_started
            self.cancelled.emit(QueryCancelled(0, self._plan_sql, seconds))
            return True
        assert self._job is not None
        self._pending = []
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
            if self._pending:
                self.step.emit(self.index, self.total, msg)
                self._next_or_fail(msg)
            else:
                self.finished.emit(msg)
        elif isinstance(msg, QueryFailed):
            self._pending = []
            self.failed.emit(msg)
        elif isinstance(msg, QueryCancelled):
            self._pending = []
            self.cancelled.emit(msg)

    def _next_or_fail(self, previous: QueryFinished) -> None:
        try:
            self._submit_next()
        except AiserError as exc:  # the workspace closed between two statements
            self._pending = []
            self.failed.emit(QueryFailed(previous.query_id, previous.sql, exc, 0.0))
            return
        self.step_started.emit(self.index, self.total)


def _plan_text(session: Any, sql: str, analyze: bool, params: Any) -> str:
    """The readable plan of ``sql`` (on the engine's worker)."""
    from aiser_desktop.core.sql.explain import explain

    return str(explain(session, sql, analyze, params))
