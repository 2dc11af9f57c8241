"""One Aiser process per workspace: an OS file lock on ``<workspace>/.aiser.lock``.

The lock is held for as long as the workspace is open and released by the OS if the process
dies, so a crash never leaves a workspace locked. The file records who holds it, for the message
the second process shows.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import IO

from aiser_desktop.core.errors import WorkspaceLockedError


class WorkspaceLock:
    """An exclusive, non-blocking lock on a workspace folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".aiser.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Takes the lock.

        Raises:
            WorkspaceLockedError: Another process (or another window of this one) holds it.
        """
        handle = self.path.open("a+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise WorkspaceLockedError(
                f"The workspace {str(self.path.parent)!r} is already open in another Aiser "
                f"window or command ({holder}).",
                hint="Close that window or wait for the command to finish, or open a different "
                "workspace with --workspace.",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            try:
                _unlock(self._file)
            finally:
                self._file.close()
                self._file = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
