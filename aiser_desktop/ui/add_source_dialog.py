"""The Add source dialog: files, a folder, a database, a lake or a web address.

Left, the kinds of source; right, the fields of the chosen kind, then what every source has: a
name, linked or imported (with the default in words) and, for what lies beyond this machine,
the network switch. Add runs on the session's task thread with progress from the core's
ImportProgress events; Cancel interrupts the engine, and the core keeps nothing half-made. An
error is shown here in plain words (the core's message and hint); the dialog stays open with
what was typed, so the person can fix it and try again.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.ui import icons, theme
from aiser_desktop.ui.background import Added, SourceRequest
from aiser_desktop.ui.session import overall_percent
from aiser_desktop.ui.source_pages import (
    KINDS,
    DatabasePage,
    FilesPage,
    FolderPage,
    InputError,
    LakePage,
    SourcePage,
    WebPage,
    field_label,
    muted_label,
)

if TYPE_CHECKING:
    from aiser_desktop.core.events import ImportProgress
    from aiser_desktop.ui.session import WorkspaceSession


def style() -> str:
    """The dialog's style sheet in the colours of the theme shown now (read each time the
    dialog opens, so a theme switched while the app runs is followed)."""
    return f"""
QDialog#addSourceDialog {{ border: 1px solid {theme.BORDER}; }}
QListWidget#kinds {{ border: none; background: transparent; outline: none; }}
QListWidget#kinds::item {{ padding: 0 8px; border-radius: 6px; color: {theme.TEXT}; }}
QListWidget#kinds::item:selected {{ background: {theme.ACCENT_SOFT}; }}
QLabel#pageTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#errorBox {{
    background: {theme.ERROR_SOFT}; color: {theme.ERROR};
    border: 1px solid #f4c7c1; border-radius: 6px;
}}
QLabel#infoBox {{
    background: {theme.ACCENT_SOFT}; color: {theme.TEXT};
    border: 1px solid #bcd0fb; border-radius: 6px;
}}
QLineEdit, QPlainTextEdit {{
    border: 1px solid {theme.BORDER}; border-radius: 5px; padding: 4px 6px;
    background: {theme.SURFACE};
}}
QLineEdit:focus, QPlainTextEdit:focus {{ border-color: {theme.ACCENT}; }}
"""


class AddSourceDialog(QDialog):
    """Adds a source (or several files) to the workspace of ``session``.

    Args:
        session: The window's workspace session (it runs the work and can cancel it).
        parent: The main window.

    Signals:
        added(list): Sources were added (their names).
        ended(str): An attempt ended: "added", "failed" or "cancelled".
    """

    added = Signal(list)
    ended = Signal(str)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.busy = False
        self._stopping = False
        self.setWindowTitle("Add source")
        self.setObjectName("addSourceDialog")
        self.setStyleSheet(style())
        self.resize(760, 580)

        self.files = FilesPage()
        self.folder = FolderPage()
        self.database = DatabasePage()
        self.lake = LakePage()
        self.web = WebPage()
        self.pages: dict[str, SourcePage] = dict(
            zip(KINDS, (self.files, self.folder, self.database, self.lake, self.web), strict=True)
        )
        self.kinds = QListWidget()
        self.kinds.setObjectName("kinds")
        self.kinds.setIconSize(QSize(20, 20))
        self.kinds.setFixedWidth(170)
        self.stack = QStackedWidget()
        for kind, page in self.pages.items():
            item = QListWidgetItem(icons.kind_icon(kind), page.title)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setSizeHint(QSize(0, 38))
            self.kinds.addItem(item)
            self.stack.addWidget(page)

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.blurb = muted_label("")
        self.name_edit = QLineEdit()
        self.mode_auto = QRadioButton("Automatic")
        self.mode_linked = QRadioButton("Linked")
        self.mode_imported = QRadioButton("Imported")
        self.mode_auto.setChecked(True)
        self.mode_linked.setToolTip("Queried in place: nothing is copied")
        self.mode_imported.setToolTip("Copied into the workspace: fast, and there offline")
        self._modes = QButtonGroup(self)
        for button in (self.mode_auto, self.mode_linked, self.mode_imported):
            self._modes.addButton(button)
        self.mode_help = muted_label("")
        self.network_box = QCheckBox("Use the network for this source")
        self.network_box.setToolTip(
            "Needed for anything that is not on this computer. Off by default: nothing "
            "goes online unless you allow it here."
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setMargin(9)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_label = muted_label("")
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton("&Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("primary")
        self.add_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(
            "Cancel", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.add_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self._layout()

        self.files.paths.textChanged.connect(self._update_name)
        self.kinds.currentRowChanged.connect(self._kind_changed)
        session.import_progress.connect(self._progress)
        self.kinds.setCurrentRow(0)
        self._show_progress(False)

    def _layout(self) -> None:
        card = QFrame()
        card.setObjectName("panel")
        body = QVBoxLayout(card)
        body.setContentsMargins(18, 14, 18, 14)
        body.setSpacing(8)
        body.addWidget(self.title)
        body.addWidget(self.blurb)
        body.addSpacing(4)
        body.addWidget(self.stack)
        body.addStretch(1)
        common = QFormLayout()
        common.addRow(field_label("Name"), self.name_edit)
        modes = QHBoxLayout()
        modes.setSpacing(14)
        for button in (self.mode_auto, self.mode_linked, self.mode_imported):
            modes.addWidget(button)
        modes.addStretch(1)
        keep = QVBoxLayout()
        keep.setSpacing(4)
        keep.addLayout(modes)
        keep.addWidget(self.mode_help)
        common.addRow(field_label("Keep it"), keep)
        common.addRow(field_label(""), self.network_box)
        body.addLayout(common)

        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(card, 1)
        right.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.progress_label, 1)
        row.addWidget(self.progress)
        right.addLayout(row)
        right.addWidget(self.buttons)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 14, 12)
        outer.setSpacing(12)
        outer.addWidget(self.kinds)
        outer.addLayout(right, 1)

    # ------------------------------------------------------------------ the page
    @property
    def page(self) -> SourcePage:
        return self.pages[self.kind]

    @property
    def kind(self) -> str:
        return KINDS[max(0, self.kinds.currentRow())]

    def set_kind(self, kind: str) -> None:
        """Shows the page of ``kind`` ("files", "folder", "database", "lake", "web")."""
        self.kinds.setCurrentRow(KINDS.index(kind))

    def _kind_changed(self, row: int) -> None:
        page = self.pages[KINDS[max(0, row)]]
        self.stack.setCurrentWidget(page)
        self.title.setText(page.title)
        self.blurb.setText(page.blurb)
        self.mode_help.setText(page.mode_help)
        self.network_box.setVisible(page.network)
        page.first_field().setFocus()
        self.mode_linked.setEnabled(page.can_link)
        if not page.can_link and self.mode_linked.isChecked():
            self.mode_auto.setChecked(True)
        self._update_name()
        self._clear_message()

    def _update_name(self) -> None:
        several = self.page.several()
        self.name_edit.setEnabled(not several)
        hint = "each named after its file" if several else self.page.name_hint
        self.name_edit.setPlaceholderText(f"Optional: {hint}")

    def mode(self) -> str | None:
        if self.mode_linked.isChecked():
            return "linked"
        if self.mode_imported.isChecked():
            return "imported"
        return None

    def requests(self) -> list[SourceRequest]:
        """What the fields ask for.

        Raises:
            InputError: A field that is needed is empty or wrong.
        """
        network = self.page.network and self.network_box.isChecked()
        return self.page.requests(self.name_edit.text().strip(), self.mode(), network)

    # ------------------------------------------------------------------ adding
    def submit(self) -> bool:
        """Add: starts adding on a worker; False (with the reason shown) when it could not."""
        if self.busy:
            return False
        self._clear_message()
        try:
            requests = self.requests()
        except InputError as exc:
            self._show_message(exc, error=True)
            self.ended.emit("failed")
            return False
        if not self.session.add_sources(requests, on_done=self._done, on_error=self._failed):
            self._show_message("The workspace is not open.", error=True)
            return False
        self._set_busy(True)
        label = requests[0].label if len(requests) == 1 else f"{len(requests)} files"
        self.progress_label.setText(f"Adding {label}…")
        return True

    def cancel(self) -> None:
        """Stops the adding under way; the core keeps nothing of what it did not finish."""
        if self.busy and not self._stopping:
            self._stopping = True
            self.session.cancel_sources()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling…")
            self.progress.setRange(0, 0)

    def reject(self) -> None:
        if self.busy:
            self.cancel()  # Esc or Cancel while adding stops the work; the dialog stays
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def _progress(self, msg: ImportProgress) -> None:
        if not self.busy or self._stopping:
            return
        what = f"{msg.source}.{msg.table}" if msg.table else msg.source
        if msg.total > 1:
            what += f" ({min(msg.done + 1, msg.total)} of {msg.total})"
        percent = overall_percent(msg)
        if percent < 0:
            self.progress.setRange(0, 0)
            self.progress_label.setText(f"Reading {what}…")
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(percent))
            self.progress_label.setText(f"Reading {what}… {percent:.0f}%")

    def _done(self, results: list[Added]) -> None:
        self._set_busy(False)
        names = [r.name for r in results if r.error is None and r.name]
        cancelled = [r for r in results if isinstance(r.error, QueryCancelledError)]
        failed = [r for r in results if r.error is not None and r not in cancelled]
        if names:
            self.added.emit(names)
        if not failed and not cancelled:
            self.ended.emit("added")
            self.accept()
            return
        if self.kind == "files":  # what was added goes; what was not stays, to fix or retry
            self.files.keep_only([r.request.location for r in results if r.error is not None])
        if failed:
            self._show_message(failed, labelled=len(results) > 1)
            self.ended.emit("failed")
        else:
            before = f" Added before the cancel: {', '.join(names)}." if names else ""
            self._show_message(f"Cancelled. Nothing of it was kept.{before}")
            self.ended.emit("cancelled")

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_message(exc if isinstance(exc, AiserError) else str(exc), error=True)
        self.ended.emit("failed")

    # ------------------------------------------------------------------ showing
    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._stopping = False
        for widget in (self.kinds, self.stack, self.name_edit, self.network_box, self.add_button):
            widget.setEnabled(not busy)
        for button in (self.mode_auto, self.mode_linked, self.mode_imported):
            button.setEnabled(not busy)
        self.mode_linked.setEnabled(not busy and self.page.can_link)
        if not busy:
            self._update_name()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setToolTip("Stop adding; nothing half-made is kept" if busy else "")
        self.progress.setRange(0, 0)
        self._show_progress(busy)

    def _show_progress(self, shown: bool) -> None:
        self.progress.setVisible(shown)
        self.progress_label.setVisible(shown)

    def _clear_message(self) -> None:
        self.message.clear()
        self.message.hide()

    def _show_message(
        self, what: AiserError | str | list[Added], *, error: bool = False, labelled: bool = False
    ) -> None:
        """Shows an error (the message in bold, then the hint) or a note above the buttons.

        Args:
            labelled: Start each failure with the file or address it is about.
        """
        if isinstance(what, list):
            shown = [_error_text(r.error, r.label if labelled else "") for r in what]
            error = True
        elif isinstance(what, AiserError):
            shown = [_error_text(what)]
        else:
            shown = [("", what)]
        parts = []
        for head, rest in shown:
            bold = f"<b>{html.escape(head)}</b>" if head else ""
            parts.append(bold + ("<br>" if head and rest else "") + html.escape(rest))
        self._message_plain = "\n\n".join("\n".join(p for p in pair if p) for pair in shown)
        self.message.setObjectName("errorBox" if error else "infoBox")
        style = self.message.style()  # the object name picks the style sheet's rule
        style.unpolish(self.message)
        style.polish(self.message)
        self.message.setText("<br><br>".join(parts))
        self.message.show()

    def message_text(self) -> str:
        """The message shown, as plain text; "" when none."""
        return "" if self.message.isHidden() else self._message_plain


def _error_text(error: BaseException | None, label: str = "") -> tuple[str, str]:
    """An error as (what happened, what to do next)."""
    if error is None:
        return "", ""
    if isinstance(error, AiserError):
        message, hint = error.message, error.hint
    else:
        message, hint = str(error) or type(error).__name__, ""
    return (f"{label}: {message}" if label else message), hint
