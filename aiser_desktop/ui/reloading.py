"""Panels that read their rows from the workspace on a task thread, one read at a time.

A panel mixes :class:`Reloading` in, says how to read in :meth:`Reloading._load` (a
``session.state_call`` that ends in ``self._loaded`` or ``self._failed``) and how to show the
rows in :meth:`Reloading.set_rows`. A reload asked while a read runs is done once after it, so
a burst of changes (typing in a search box, several saves) costs two reads, not one per change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.ui.session import WorkspaceSession


class Reloading:
    """Coalesced, off-thread reads of a panel's rows (see the module docstring)."""

    _session: WorkspaceSession | None = None
    _loading = False
    _again = False

    def attach(self, session: WorkspaceSession | None) -> None:
        """Reads from this session's workspace (None: nothing is open)."""
        self._session = session
        self.reload()

    def reload(self) -> None:
        """Reads the rows again on a task thread (once at a time; a reload asked meanwhile
        runs after)."""
        session = self._session
        if session is None or not session.is_open:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._load(session)

    def _load(self, session: WorkspaceSession) -> None:
        raise NotImplementedError

    def _loaded(self, rows: list[Any]) -> None:
        self._loading = False
        self.set_rows(rows)
        if self._again:
            self._again = False
            self.reload()

    def _failed(self, _exc: BaseException) -> None:
        self._loading = False

    def set_rows(self, rows: list[Any]) -> None:
        raise NotImplementedError
