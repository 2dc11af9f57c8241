"""The status bar: what runs now (with elapsed time, progress and Cancel) and the last result.

A running query takes precedence over background work (opening the workspace, loading the
sample, adding a source); when nothing runs, the bar says what happened last. Work that can be
stopped (adding or refreshing a source) shows the Cancel button too.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

TICK_MS = 100


def seconds_text(seconds: float) -> str:
    """ "0.012 s", "1.3 s", "2 min 5 s"."""
    if seconds < 1:
        return f"{seconds:.3f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"


class StatusPanel(QWidget):
    """Owns the status bar's widgets.

    Args:
        bar: The window's status bar; the panel adds its widgets to it.

    Signals:
        cancel_clicked: The Cancel button was pressed.
    """

    cancel_clicked = Signal()

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.hide()  # a holder only; the widgets below live in the bar
        self.state = QLabel("Starting…")
        self.state.setObjectName("statusState")
        self.progress = QProgressBar()
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the running query (Esc)")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.cancel_button.hide()
        self.last_result = QLabel("")
        self.last_result.setObjectName("statusResult")
        bar.addWidget(self.state)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addPermanentWidget(self.last_result)
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._query_running = False
        self._percent = 0.0
        self._task: tuple[str, int | None, int | None] | None = None
        self._task_cancellable = False
        self._task_stopping = False
        self._task_percent = -1.0

    # ------------------------------------------------------------------ background work
    def set_task(
        self,
        text: str,
        done: int | None = None,
        total: int | None = None,
        *,
        cancellable: bool = False,
    ) -> None:
        """Shows background work; ``done``/``total`` give a progress bar, else a busy one.

        Args:
            cancellable: Show the Cancel button (the window decides what it cancels).
        """
        self._task = (text, done, total)
        self._task_cancellable = cancellable
        self._task_stopping = False
        self._task_percent = -1.0
        if not self._query_running:
            self._show_task()

    def task_percent(self, text: str, percent: float) -> None:
        """Shows the progress of cancellable background work as a percentage (0-100; below
        0 means "no estimate", a busy bar)."""
        self._task = (text, None, None)
        self._task_cancellable = True
        self._task_percent = percent
        if not self._query_running:
            self._show_task()

    @property
    def task_cancellable(self) -> bool:
        """Background work that can be cancelled is shown."""
        return self._task is not None and self._task_cancellable

    def task_cancelling(self) -> None:
        if self.task_cancellable:
            self._task_stopping = True
            if not self._query_running:
                self._show_task()

    def clear_task(self, text: str = "Ready") -> None:
        self._task = None
        self._task_cancellable = False
        self._task_stopping = False
        if not self._query_running:
            self.state.setText(text)
            self.progress.hide()
            self.cancel_button.hide()

    # ------------------------------------------------------------------ queries
    @property
    def query_running(self) -> bool:
        return self._query_running

    def query_started(self) -> None:
        self._query_running = True
        self._percent = 0.0
        self._clock.start()
        self.progress.setRange(0, 0)  # busy until DuckDB reports progress
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setToolTip("Cancel the running query (Esc)")
        self._ticker.start()
        self._tick()

    def query_progress(self, percent: float) -> None:
        """DuckDB's estimate, 0-100; 0 means "no estimate yet", so the bar stays busy."""
        if self._query_running and percent > 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(percent))
            self._percent = percent
            self._tick()

    def query_cancelling(self) -> None:
        if self._query_running:
            self.cancel_button.setEnabled(False)
            self.state.setText("Cancelling…")

    def query_ended(self, state: str, last_result: str | None = None) -> None:
        """Shows ``state`` ("Query cancelled after 1.2 s") and, if given, the last result."""
        self._query_running = False
        self._ticker.stop()
        self.cancel_button.hide()
        if last_result is not None:
            self.last_result.setText(last_result)
        if self._task is not None:
            self._show_task()
        else:
            self.progress.hide()
            self.state.setText(state)

    # ------------------------------------------------------------------ internals
    def _tick(self) -> None:
        if self._query_running and self.cancel_button.isEnabled():
            elapsed = seconds_text(self._clock.elapsed() / 1000)
            done = f" · {self._percent:.0f}%" if self._percent > 0 else ""
            self.state.setText(f"Running query… {elapsed}{done}")

    def _show_task(self) -> None:
        assert self._task is not None
        text, done, total = self._task
        if self._task_stopping:
            self.progress.setRange(0, 0)
            self.state.setText("Cancelling…")
        elif done is not None and total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.state.setText(f"{text}… {done}/{total}")
        elif self._task_percent >= 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(self._task_percent))
            self.state.setText(f"{text}… {self._task_percent:.0f}%")
        else:
            self.progress.setRange(0, 0)
            self.state.setText(f"{text}…")
        self.progress.show()
        self.cancel_button.setVisible(self._task_cancellable)
        self.cancel_button.setEnabled(not self._task_stopping)
        if self._task_cancellable:
            self.cancel_button.setToolTip("Stop this work; nothing half-done is kept")
