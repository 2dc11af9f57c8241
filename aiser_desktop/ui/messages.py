"""The messages pane: what the app did and what went wrong, in words a person can act on.

Errors show the ``str()`` of the core's exceptions (already written for people, with the SQL
line and a caret under the column); their tracebacks go to the log file, not here. EXPLAIN
plans and the notes of a script's statements come here too.

The pane keeps its last messages as data and draws them again in the new colours when the
theme changes.
"""

from __future__ import annotations

import html
import time
from collections import deque
from dataclasses import dataclass

from PySide6.QtWidgets import QTextBrowser, QWidget

from aiser_desktop.ui import theme

_MARKS = {"info": "•", "success": "✓", "error": "✕", "plan": "▸"}


@dataclass(frozen=True)
class Entry:
    """One message: when, what kind, the line, and monospace detail under it."""

    stamp: str
    kind: str
    text: str
    detail: str = ""


def _colour(kind: str) -> str:
    c = theme.colours()
    return {"success": c.success, "error": c.error}.get(kind, c.text)


class MessagesPane(QTextBrowser):
    """A read-only log of messages, newest last.

    Args:
        parent: The owning widget.
    """

    MAX_ENTRIES = 1_000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messages")
        self.setOpenLinks(False)
        self.document().setDocumentMargin(10)
        self._mono = theme.mono_font().family()
        self.entries: deque[Entry] = deque(maxlen=self.MAX_ENTRIES)
        self.errors = 0
        theme.notifier().changed.connect(self._redraw)

    def add(self, text: str, kind: str = "info", detail: str = "") -> None:
        """Appends a message.

        Args:
            text: The message, one line.
            kind: "info", "success", "error" or "plan" (an EXPLAIN plan in ``detail``).
            detail: Monospace text shown under the message (an error with its SQL excerpt).
        """
        if kind == "error":
            self.errors += 1
        entry = Entry(time.strftime("%H:%M:%S"), kind, text, detail)
        trimmed = len(self.entries) == self.entries.maxlen
        self.entries.append(entry)
        if trimmed:
            self._redraw()
        else:
            self.append(self._html(entry))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def add_error(self, title: str, error: BaseException | str) -> None:
        """Appends an error: ``title`` and the error's own words beneath it."""
        self.add(title, "error", detail=str(error))

    def add_plan(self, title: str, plan: str) -> None:
        """Appends an EXPLAIN plan, kept as it is (monospace, not wrapped)."""
        self.add(title, "plan", detail=plan)

    def _html(self, entry: Entry) -> str:
        c = theme.colours()
        colour = _colour(entry.kind)
        parts = [
            f'<p style="margin:2px 0"><span style="color:{c.muted}">{entry.stamp}</span>&nbsp; '
            f'<span style="color:{colour}">{_MARKS.get(entry.kind, "•")} '
            f"{html.escape(entry.text)}</span></p>"
        ]
        if entry.detail:
            wrap = "pre" if entry.kind == "plan" else "pre-wrap"
            parts.append(
                f'<pre style="margin:2px 0 8px 64px; color:{colour}; white-space:{wrap}; '
                f"font-family:'{self._mono}'\">{html.escape(entry.detail)}</pre>"
            )
        return "".join(parts)

    def _redraw(self, *_args: object) -> None:
        self.setHtml("".join(self._html(e) for e in self.entries))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
