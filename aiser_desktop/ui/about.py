"""Help > About: the versions of the app and what it runs on, and where its files are.

Everything in the box can be selected and copied, so a person can paste it into a bug report.
"""

from __future__ import annotations

import html
import platform
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop import __version__
from aiser_desktop.core.config import log_path, settings_path
from aiser_desktop.ui import theme


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def about_rows(workspace: Path | None) -> list[tuple[str, str]]:
    """The facts the About box shows, as (label, value) pairs."""
    duckdb_version = sys.modules["duckdb"].__version__ if "duckdb" in sys.modules else None
    return [
        ("Aiser Desktop", __version__),
        ("DuckDB", duckdb_version or _dist_version("duckdb")),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("System", platform.platform(terse=True)),
        ("Workspace", str(workspace) if workspace else "(none open)"),
        ("Log file", str(log_path())),
        ("Settings", str(settings_path())),
    ]


def about_text(workspace: Path | None) -> str:
    """The About box's facts as plain text, one per line."""
    return "\n".join(f"{label}: {value}" for label, value in about_rows(workspace))


class AboutDialog(QDialog):
    """The About box.

    Args:
        workspace: The open workspace's folder, if any.
        parent: The main window.
    """

    def __init__(self, workspace: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Aiser Desktop")
        self.setMinimumWidth(560)
        self._workspace = workspace

        title = QLabel(f"<b style='font-size:16pt'>Aiser Desktop</b>&nbsp;&nbsp;{__version__}")
        blurb = QLabel("A local-first AI data analyst. Your data stays on this computer.")
        blurb.setObjectName("muted")

        rows = "".join(
            f"<tr><td style='color:{theme.MUTED}; padding:3px 16px 3px 0'>{html.escape(label)}"
            f"</td><td style='padding:3px 0'>{html.escape(value)}</td></tr>"
            for label, value in about_rows(workspace)[1:]
        )
        self.facts = QLabel(f"<table>{rows}</table>")
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        copy.clicked.connect(self.copy_details)
        logs = QPushButton("Open log folder")
        logs.clicked.connect(self.open_log_folder)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(logs, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addSpacing(6)
        layout.addWidget(self.facts)
        layout.addSpacing(6)
        layout.addWidget(buttons)

    def text(self) -> str:
        """What the box says, as plain text."""
        return about_text(self._workspace)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def open_log_folder(self) -> None:
        folder = log_path().parent
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
