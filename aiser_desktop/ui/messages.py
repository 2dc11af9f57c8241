"""The messages pane: what the app did and what went wrong, in words a person can act on.

Errors show the ``str()`` of the core's exceptions (already written for people, with the SQL
line and a caret under the column); their tracebacks go to the log file, not here.
"""

from __future__ import annotations

import html
import time

from PySide6.QtWidgets import QTextBrowser, QWidget

from aiser_desktop.ui import theme

_COLOURS = {"info": theme.TEXT, "success": theme.SUCCESS, "error": theme.ERROR}
_MARKS = {"info": "•", "success": "✓", "error": "✕"}


class MessagesPane(QTextBrowser):
    """A read-only log of messages, newest last.

    Args:
        parent: The owning widget.
    """

    MAX_BLOCKS = 2_000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messages")
        self.setOpenLinks(False)
        self.document().setMaximumBlockCount(self.MAX_BLOCKS)
        self.document().setDocumentMargin(10)
        self._mono = theme.mono_font().family()
        self.errors = 0

    def add(self, text: str, kind: str = "info", detail: str = "") -> None:
        """Appends a message.

        Args:
            text: The message, one line.
            kind: "info", "success" or "error".
            detail: Monospace text shown under the message (an error with its SQL excerpt).
        """
        if kind == "error":
            self.errors += 1
        colour = _COLOURS.get(kind, theme.TEXT)
        stamp = time.strftime("%H:%M:%S")
        parts = [
            f'<p style="margin:2px 0"><span style="color:{theme.MUTED}">{stamp}</span>&nbsp; '
            f'<span style="color:{colour}">{_MARKS.get(kind, "•")} {html.escape(text)}</span></p>'
        ]
        if detail:
            parts.append(
                f'<pre style="margin:2px 0 8px 64px; color:{colour}; white-space:pre-wrap; '
                f"font-family:'{self._mono}'\">{html.escape(detail)}</pre>"
            )
        self.append("".join(parts))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def add_error(self, title: str, error: BaseException | str) -> None:
        """Appends an error: ``title`` and the error's own words beneath it."""
        self.add(title, "error", detail=str(error))
