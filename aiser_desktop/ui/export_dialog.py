"""Exporting a whole result from the grid: a file dialog, then progress and Cancel.

The export runs in the background (:func:`aiser_desktop.core.engine.export.export_result`, on a
DuckDB cursor of its own), so the window and the engine stay free; a 100 ms timer reads its
progress and notices when it ends.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.engine.export import CHOICES, export_result
from aiser_desktop.core.errors import AiserError, QueryCancelledError

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine, ResultHandle
    from aiser_desktop.core.engine.derive import ResultJob
    from aiser_desktop.core.engine.export import Exported

log = logging.getLogger(__name__)

_last_folder: Path | None = None


def ask_path(parent: QWidget, fmt: str) -> str:
    """Asks where to write a ``fmt`` file; "" when the person cancelled."""
    global _last_folder
    label, suffix = next((lab, suf) for lab, f, suf in CHOICES if f == fmt)
    folder = _last_folder or Path.home()
    path, _ = QFileDialog.getSaveFileName(
        parent,
        f"Export the result as {label}",
        str(folder / f"result{suffix}"),
        f"{label} files (*{suffix});;All files (*)",
    )
    if not path:
        return ""
    chosen = Path(path)
    if not chosen.suffix:
        chosen = chosen.with_suffix(suffix)
    _last_folder = chosen.parent
    return str(chosen)


class ExportDialog(QDialog):
    """Shows an export's progress, with Cancel; closes itself when it ends.

    Signals:
        finished_export(str): A line for the messages pane, when the file is written.
        failed(object): The exception, when it failed (not when cancelled).
    """

    finished_export = Signal(str)
    failed = Signal(object)

    def __init__(
        self,
        engine: Engine,
        handle: ResultHandle,
        path: str,
        fmt: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.engine = engine
        self.handle = handle
        self.path = Path(path)
        self.fmt = fmt
        self.job: ResultJob[Exported] | None = None
        self.outcome: Exported | None = None
        self.error: BaseException | None = None
        rows = handle.row_count
        self.label = QLabel(
            f"Writing {rows:,} {'row' if rows == 1 else 'rows'} to {self.path.name}"
        )
        self.label.setToolTip(str(self.path))
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.detail = QLabel("Starting…")
        self.detail.setObjectName("muted")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.detail, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        self.setMinimumWidth(420)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._poll)

    def start(self) -> bool:
        """Starts the export and shows the dialog; False (and ``failed``) if it cannot start."""
        try:
            self.job = export_result(self.engine, self.handle, self.path, self.fmt)
        except AiserError as exc:
            self.error = exc
            self.failed.emit(exc)
            self.close()
            return False
        self.show()
        self._timer.start()
        return True

    def cancel(self) -> None:
        if self.job is not None and not self.job.done():
            self.job.cancel()
            self.detail.setText("Cancelling…")

    def reject(self) -> None:  # Esc or the close button: cancel, then close
        self.cancel()
        self._finish()

    def _poll(self) -> None:
        job = self.job
        if job is None:
            return
        if job.progress is not None:
            self.bar.setValue(int(job.progress * 10))
            # Every row is read at 100 %; DuckDB still finishes the file (Parquet's footer).
            done = job.progress >= 100
            self.detail.setText("Finishing the file…" if done else f"{job.progress:.0f} %")
        if job.done():
            self._finish()

    def _finish(self) -> None:
        self._timer.stop()
        job = self.job
        if job is not None and job.done():
            self.job = None
            try:
                self.outcome = job.result()
            except QueryCancelledError:
                log.info("export to %s cancelled", self.path)
            except Exception as exc:
                self.error = exc
                self.failed.emit(exc)
            else:
                rows = self.outcome.rows
                self.finished_export.emit(
                    f"Exported {rows:,} {'row' if rows == 1 else 'rows'} to {self.outcome.path} "
                    f"in {self.outcome.seconds:.2f} s."
                )
        self.done(0)

    def closeEvent(self, event: Any) -> None:
        self.cancel()
        self._timer.stop()
        super().closeEvent(event)
