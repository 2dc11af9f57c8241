"""Running long work off the GUI thread: a private QThreadPool, results back by signal.

``TaskRunner.start(fn, *args, on_done=..., on_error=...)`` runs ``fn`` on a pool thread and calls
``on_done(result)`` or ``on_error(exception)`` on the GUI thread (STYLE.md point 4). Every failure
is logged with its traceback; the callback gets the exception, whose ``str()`` is for people.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from aiser_desktop.core.errors import AiserError

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, task_id: int, name: str, fn: Callable[..., Any], args: tuple[Any, ...]):
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps it until its result was delivered
        self.task_id = task_id
        self.name = name
        self.fn = fn
        self.args = args
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except BaseException as exc:
            if isinstance(exc, AiserError):
                log.warning("%s failed: %s", self.name, exc, exc_info=exc)
            else:
                log.error("%s failed unexpectedly", self.name, exc_info=exc)
            self.signals.failed.emit(self.task_id, exc)
        else:
            self.signals.done.emit(self.task_id, result)


class TaskRunner(QObject):
    """Runs functions on a private thread pool and hands their results to the GUI thread.

    Args:
        parent: The owning QObject (the main window).
        max_threads: Pool size; two is enough for a catalog read beside an import.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._tasks: dict[int, tuple[_Task, Callback | None, Callback | None]] = {}

    def start(
        self,
        name: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: Callback | None = None,
    ) -> int:
        """Runs ``fn(*args)`` on the pool; returns the task's id.

        Args:
            name: What the task does, for the log.
            fn: The function; it must not touch widgets.
            on_done: Called with the result, on the GUI thread.
            on_error: Called with the exception, on the GUI thread.
        """
        task = _Task(next(self._ids), name, fn, args)
        queued = Qt.ConnectionType.QueuedConnection
        task.signals.done.connect(self._deliver_done, queued)
        task.signals.failed.connect(self._deliver_failed, queued)
        self._tasks[task.task_id] = (task, on_done, on_error)
        self._pool.start(task)
        return task.task_id

    @property
    def busy(self) -> bool:
        """True while a task runs or waits for its result to be delivered."""
        return bool(self._tasks)

    def wait(self, msecs: int = -1) -> bool:
        """Blocks until every task returned (their callbacks are not called); False on timeout."""
        return self._pool.waitForDone(msecs)

    def _deliver_done(self, task_id: int, result: object) -> None:
        entry = self._tasks.pop(task_id, None)
        if entry is not None and entry[1] is not None:
            entry[1](result)

    def _deliver_failed(self, task_id: int, exc: object) -> None:
        entry = self._tasks.pop(task_id, None)
        if entry is not None and entry[2] is not None:
            entry[2](exc)
