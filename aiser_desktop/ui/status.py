"""The status bar: what runs now (with elapsed time, progress and Cancel), the last result,
whether the app is online, and the memory it uses.

A running query takes precedence over background work (opening the workspace, loading the
sample, adding a source); when nothing runs, the bar says what happened last. Work that can be
stopped (adding or refreshing a source) shows the Cancel button too.

The memory figure is the process's resident set, read every 2 s from ``/proc/self/statm`` on
Linux (a few microseconds) or psutil elsewhere; nothing is shown where neither exists.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QElapsedTimer, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from aiser_desktop.ui import theme

TICK_MS = 100
MEMORY_EVERY_MS = 2_000


def rss_bytes() -> int | None:
    """The process's resident memory in bytes, or None where it cannot be read cheaply."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/statm", "rb") as statm:  # noqa: PTH123 - a pseudo-file
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return None
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.Process().memory_info().rss)


def bytes_text(count: int) -> str:
    """ "812 MB", "1.4 GB"."""
    if count >= 1 << 30:
        return f"{count / (1 << 30):.1f} GB"
    return f"{count / (1 << 20):.0f} MB"


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
        self.network = QLabel("")
        self.network.setObjectName("statusNetwork")
        self.memory = QLabel("")
        self.memory.setObjectName("statusMemory")
        bar.addWidget(self.state)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addPermanentWidget(self.last_result)
        bar.addPermanentWidget(self.network)
        bar.addPermanentWidget(self.memory)
        self._network_state = (False, 0)
        self.set_network(False, 0)
        # A method, not a lambda: Qt drops the connection when the panel is deleted.
        theme.notifier().changed.connect(self._theme_changed)
        self._memory_timer = QTimer(self)
        self._memory_timer.setInterval(MEMORY_EVERY_MS)
        self._memory_timer.timeout.connect(self.update_memory)
        self._memory_timer.start()
        self.update_memory()
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._query_running = False
        self._query_what = "Running query"
        self._percent = 0.0
        self._task: tuple[str, int | None, int | None] | None = None
        self._task_cancellable = False
        self._task_stopping = False
        self._task_percent = -1.0

    # ------------------------------------------------------------------ network and memory
    def set_network(self, enabled: bool, sources: int) -> None:
        """Shows whether anything may go online.

        Args:
            enabled: The settings' global switch (``network_enabled``).
            sources: How many sources the person allowed to use the network.
        """
        self._network_state = (enabled, sources)
        c = theme.colours()
        if sources:
            colour = c.warning
            noun = "source" if sources == 1 else "sources"
            text = f"● Online: {sources} {noun}"
            tip = (
                f"{sources} {noun} may use the network (allowed when added). "
                "Everything else stays on this computer."
            )
        elif enabled:
            colour, text = c.accent, "● Network allowed"
            tip = (
                "The network is switched on in the settings, but no source uses it: "
                "nothing leaves this computer."
            )
        else:
            colour, text = c.success, "● Offline"
            tip = (
                "Nothing leaves this computer: the network is off in the settings "
                "(network_enabled) and no source uses it."
            )
        self.network.setText(text)
        self.network.setStyleSheet(f"color: {colour};")
        self.network.setToolTip(tip)

    def _theme_changed(self, _name: str) -> None:
        self.set_network(*self._network_state)

    def update_memory(self) -> None:
        """Reads the process's resident memory again (cheap; every 2 s)."""
        rss = rss_bytes()
        if rss is None:
            self.memory.hide()
            self._memory_timer.stop()
            return
        self.memory.setText(f"{bytes_text(rss)} in use")
        self.memory.setToolTip("Memory the app uses now (resident set), updated every 2 s")

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

    def query_started(self, what: str = "Running query") -> None:
        """A query (or a script: ``what`` = "Running statement 2 of 5") began."""
        self._query_what = what
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

    def query_step(self, what: str) -> None:
        """The next statement of a script began; the clock keeps running."""
        self._query_what = what
        self._percent = 0.0
        self.progress.setRange(0, 0)
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
            self.state.setText(f"{self._query_what}… {elapsed}{done}")

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
