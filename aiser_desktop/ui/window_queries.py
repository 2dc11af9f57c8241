"""Running the person's SQL in the window: a statement, a script, a plan; and what the window
shows when each ends (the grid, the messages, the status bar, the error under the SQL).

A mixin of :class:`aiser_desktop.ui.main_window.MainWindow`, kept apart so each module stays
readable; it uses the window's ``queries`` (:class:`QueryRunner`), ``editor``, ``grid``,
``messages``, ``status`` and ``results_panel``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError, QueryError
from aiser_desktop.ui.query_runner import Statement
from aiser_desktop.ui.sources_tree import rows_text
from aiser_desktop.ui.status import seconds_text

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer, SignalInstance

    from aiser_desktop.core.events import QueryCancelled, QueryFailed, QueryFinished
    from aiser_desktop.ui.editor_tabs import EditorTabs
    from aiser_desktop.ui.messages import MessagesPane
    from aiser_desktop.ui.panels import ResultsPanel
    from aiser_desktop.ui.query_runner import QueryRunner
    from aiser_desktop.ui.results_view import ResultsView
    from aiser_desktop.ui.session import WorkspaceSession
    from aiser_desktop.ui.status import StatusPanel


class QueriesMixin:
    """Run, Run all, Explain and Cancel, and the reports of a run's end."""

    # The window's attributes this mixin uses.
    queries: QueryRunner
    session: WorkspaceSession
    editor_tabs: EditorTabs | None
    grid: ResultsView | None
    messages: MessagesPane
    status: StatusPanel
    results_panel: ResultsPanel
    query_ended: SignalInstance
    _history_timer: QTimer

    if TYPE_CHECKING:  # the window's (stubs would shadow them)

        @property
        def editor(self) -> Any: ...

        def _update_actions(self) -> None: ...

    def run_query(self) -> None:
        """Runs the statement under the cursor, or the selection (Ctrl+Enter)."""
        if self.session.closing or self.editor_tabs is None:
            return
        sql, offset = self.editor.statement()
        self._start([Statement(sql, offset)])

    def run_all(self) -> None:
        """Runs every statement of the current tab (or of the selection) in order
        (Ctrl+Shift+Enter); stops at the first error."""
        if not self.session.closing and self.editor_tabs is not None:
            sql, offset = self.editor.script()
            self._run_script(sql, offset)

    def explain(self, *, analyze: bool) -> None:
        """Shows the plan of the statement under the cursor in the messages (EXPLAIN, or
        EXPLAIN ANALYZE, which runs it)."""
        if not self.session.closing and self.editor_tabs is not None:
            sql, _offset = self.editor.statement()
            self._explain(sql, analyze)

    def _run_script(self, sql: str, offset: int | None = None) -> None:
        from aiser_desktop.core.sql.statements import split

        if offset is None:  # from the editor's signal: the selection, or the whole text
            cursor = self.editor.textCursor()
            offset = cursor.selectionStart() if cursor.hasSelection() else 0
        self._start([Statement(piece.text, offset + piece.start) for piece in split(sql)])

    def _explain(self, sql: str, analyze: bool) -> None:
        if self.session.closing or not sql.strip():
            return
        bound = self.editor.ask_parameters([Statement(sql)])
        if not bound:  # cancelled
            return
        self._running_editor = self.editor
        try:
            started = self.queries.explain(sql, analyze, bound[0].params)
        except AiserError as exc:
            self.messages.add_error("The plan could not be made.", exc)
            return
        if started:
            self.status.query_started("Running EXPLAIN ANALYZE" if analyze else "Explaining")
            self._update_actions()

    def _start(self, statements: list[Statement]) -> None:
        if self.session.closing or not self.queries.ready:
            return
        editor = self.editor
        statements = [s for s in statements if s.sql.strip()]
        if not statements:
            return
        bound = editor.ask_parameters(statements)  # asks only when there are $names
        if bound is None:  # the person cancelled the parameters' dialog
            return
        editor.clear_error()
        self._running_editor = editor
        try:
            started = self.queries.run_script(bound)
        except AiserError as exc:
            self.messages.add_error("The query could not start.", exc)
            return
        if started:
            total = self.queries.total
            self.status.query_started(
                "Running query" if total == 1 else f"Running statement 1 of {total}"
            )
            self._update_actions()

    def cancel_query(self) -> None:
        """Cancels the running query (the engine stops it within milliseconds); with none
        running, stops a sort, filter or export of the result."""
        if self.queries.cancel():
            self.status.query_cancelling()
        elif self.grid is not None:
            self.grid.cancel_work()

    def _cancel_clicked(self) -> None:
        """The status bar's Cancel: the query if one runs, else the work on sources."""
        if self.queries.running:
            self.cancel_query()
        elif self.session.cancel_sources():
            self.status.task_cancelling()

    def _step_finished(self, index: int, total: int, msg: QueryFinished) -> None:
        what = rows_text(msg.rows) if msg.columns else "done"
        self.messages.add(
            f"Statement {index} of {total}: {what} in {seconds_text(msg.seconds)}.", "success"
        )

    def _query_finished(self, msg: QueryFinished) -> None:
        assert self.grid is not None
        handle = msg.result
        took = seconds_text(msg.seconds)
        script = self.queries.total > 1
        prefix = f"Statement {self.queries.index} of {self.queries.total}: " if script else ""
        if handle is None or handle.column_count == 0:
            self.grid.set_result(None)
            self.results_panel.show_message(f"The statement ran in {took}.")
            self.status.query_ended("Ready", f"Statement ran in {took}")
            self.messages.add(f"{prefix}the statement ran in {took}.", "success")
        else:
            self.grid.set_result(handle)
            self.results_panel.show_rows()
            columns = "1 column" if msg.columns == 1 else f"{msg.columns} columns"
            self.status.query_ended("Ready", f"{rows_text(msg.rows)} · {columns} · {took}")
            self.messages.add(f"{prefix}{rows_text(msg.rows)} in {took}.", "success")
        self._query_ended("finished")

    def _plan_ready(self, text: str, analyze: bool, seconds: float) -> None:
        title = "Query plan (EXPLAIN ANALYZE: the statement ran)" if analyze else "Query plan"
        self.messages.add_plan(title, text)
        self.results_panel.show_messages()
        self.status.query_ended("Ready", f"Plan in {seconds_text(seconds)}")
        self._query_ended("finished")

    def _query_failed(self, msg: QueryFailed) -> None:
        where = ""
        if self.queries.total > 1:
            where = (
                f" (statement {self.queries.index} of {self.queries.total}; the rest did not run)"
            )
        self.status.query_ended(f"Query failed after {seconds_text(msg.seconds)}")
        self.messages.add_error(f"The query failed{where}.", msg.error)
        self.results_panel.show_messages()
        editor = getattr(self, "_running_editor", None) or self.editor
        if isinstance(msg.error, QueryError) and msg.error.position is not None:
            offset = self.queries.offset + msg.error.position.offset
            editor.show_error(offset, 0, msg.error.message)
            editor.move_to(offset)
        self._query_ended("failed")

    def _query_cancelled(self, msg: QueryCancelled) -> None:
        text = f"Query cancelled after {seconds_text(msg.seconds)}"
        self.status.query_ended(text)
        self.messages.add(f"{text}.")
        self._query_ended("cancelled")

    def _query_ended(self, how: str) -> None:
        self._update_actions()
        editor = getattr(self, "_running_editor", None)
        if editor is not None and self.editor_tabs is not None and editor is self.editor:
            editor.setFocus()
        self._history_timer.start()
        self.query_ended.emit(how)
