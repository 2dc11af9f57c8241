"""The window comes back as it was left: its layout, and the open editor tabs.

Two homes, because the two are read at different times:

- The **layout** (geometry, docks, splitters, the left panel's tab) lives in a small JSON file
  in the settings folder, one entry per workspace. It is read before the window is shown, so
  the window opens at its old size instead of jumping to it once the workspace is open.
- The **editor tabs** (text, cursor, title, the saved query each edits) are the person's work,
  so they live in the workspace's state.sqlite (``editor_tabs``, migration 0003) and travel
  with it.

:class:`StateKeeper` looks every few seconds and writes what changed on a task thread; closing
the window writes once more, before the workspace is released.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from aiser_desktop.core.config import config_dir

if TYPE_CHECKING:
    from aiser_desktop.core.state.store import EditorTab, StateStore
    from aiser_desktop.ui.session import WorkspaceSession

log = logging.getLogger(__name__)

LAYOUT_FILE = "window-layout.json"
MAX_WORKSPACES = 20  # older entries are dropped, so the file stays a few kilobytes
SAVE_EVERY_MS = 3_000

Layout = dict[str, Any]
Tabs = tuple[list["EditorTab"], int]

_write_lock = threading.Lock()


def layout_path() -> Path:
    return config_dir() / LAYOUT_FILE


def _key(workspace: Path) -> str:
    return str(Path(workspace).expanduser().resolve())


def load_layout(workspace: Path, path: Path | None = None) -> Layout:
    """The layout saved for ``workspace``; {} when there is none or the file is unreadable
    (a damaged file only costs the old layout, so it is not an error)."""
    path = path or layout_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = data.get("workspaces", {}).get(_key(workspace), {})
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("the window layout in %s was not read: %s", path, exc)
        return {}
    return dict(entry.get("layout", {})) if isinstance(entry, dict) else {}


def save_layout(workspace: Path, layout: Layout, path: Path | None = None) -> None:
    """Stores ``layout`` for ``workspace`` (atomically; any thread)."""
    path = path or layout_path()
    with _write_lock:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            workspaces = data.get("workspaces", {})
            if not isinstance(workspaces, dict):
                workspaces = {}
        except (OSError, ValueError, AttributeError):
            workspaces = {}
        workspaces[_key(workspace)] = {"used": time.time(), "layout": layout}
        if len(workspaces) > MAX_WORKSPACES:
            newest = sorted(workspaces.items(), key=lambda kv: -float(kv[1].get("used", 0)))
            workspaces = dict(newest[:MAX_WORKSPACES])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"workspaces": workspaces}, indent=1), encoding="utf-8")
        tmp.replace(path)


class StateKeeper(QObject):
    """Saves the window's layout and tabs when they change, every few seconds, and at close.

    Args:
        session: The window's workspace session (its task threads write).
        layout: Returns the current layout (plain JSON data); called on the GUI thread.
        tabs: Returns the editor tabs and the current one's index, or None while the tabs
            must not be saved (before they were restored from the workspace).
        parent: The window.
    """

    def __init__(
        self,
        session: WorkspaceSession,
        layout: Callable[[], Layout],
        tabs: Callable[[], Tabs | None],
        parent: QObject | None = None,
        every_ms: int = SAVE_EVERY_MS,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._layout = layout
        self._tabs = tabs
        self._saved_layout: Layout | None = None
        self._saved_tabs: Tabs | None = None
        self._writing = 0
        self.saves = 0  # layout or tab writes started, for tests
        # Tab writes are numbered: a periodic write that finishes after the closing one
        # must not put older tabs back.
        self._seq = 0
        self._written_seq = 0
        self._write_lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.setInterval(every_ms)
        self._timer.timeout.connect(self.save_changes)

    def start(self, layout: Layout | None = None, tabs: Tabs | None = None) -> None:
        """Starts looking for changes; ``layout``/``tabs`` are what is stored already."""
        self._saved_layout = layout
        self._saved_tabs = tabs
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def save_changes(self) -> None:
        """Writes the layout and the tabs if they changed since the last write (on task
        threads; skipped while the previous write is still running)."""
        if self._writing or self._session.closing:
            return
        layout = self._layout()
        if layout != self._saved_layout:
            self._saved_layout = layout
            self._start_write(
                "save the window layout", save_layout, self._session.path, layout, state=False
            )
        tabs = self._tabs()
        if tabs is not None and tabs != self._saved_tabs and self._session.is_open:
            self._saved_tabs = tabs
            self._start_write("save the editor tabs", tabs[0], tabs[1], state=True)

    def _start_write(self, task: str, *args: Any, state: bool) -> None:
        self._writing += 1
        self.saves += 1

        def ended(_result: object = None) -> None:
            self._writing -= 1

        def failed(exc: BaseException) -> None:
            ended()
            log.warning("%s failed: %s", task, exc)

        if state:
            tabs, current = args
            self._seq += 1
            seq = self._seq
            started = self._session.state_call(
                task,
                lambda store: self._write_tabs(store, tabs, current, seq),
                on_done=ended,
                on_error=failed,
            )
            if not started:
                ended()
        else:
            self._session.tasks.start(task, *args, on_done=ended, on_error=failed)

    def _write_tabs(self, store: StateStore, tabs: list[EditorTab], current: int, seq: int) -> None:
        with self._write_lock:
            if seq <= self._written_seq:
                return
            store.save_editor_tabs(tabs, current)
            self._written_seq = seq

    def flush(self) -> None:
        """Writes the layout and tabs now, on the calling thread (the window is closing and
        the workspace is about to be released, so this cannot wait for a task)."""
        self._timer.stop()
        try:
            layout = self._layout()
            if layout != self._saved_layout:
                save_layout(self._session.path, layout)
                self._saved_layout = layout
        except Exception:
            log.exception("saving the window layout failed")
        ws = self._session.ws
        tabs = self._tabs()
        if ws is None or tabs is None or tabs == self._saved_tabs:
            return
        self._seq += 1
        try:
            self._write_tabs(ws.state, tabs[0], tabs[1], self._seq)
            self._saved_tabs = tabs
        except Exception:
            log.exception("saving the editor tabs failed")
