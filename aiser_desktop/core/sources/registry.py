"""Finding connectors: by name through entry points, or by a file's suffix.

Names are listed without importing any connector (napari, datasette). The built-ins are also
known directly, so a bundle without package metadata (PyInstaller) still finds them.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from aiser_desktop.core.errors import ConnectorNotFoundError, UnsupportedFormatError
from aiser_desktop.core.sources.base import Connector, format_suffix

GROUP = "aiser_desktop.connectors"

BUILT_IN = {
    "csv": "aiser_desktop.core.sources.files:CsvConnector",
    "parquet": "aiser_desktop.core.sources.files:ParquetConnector",
    "json": "aiser_desktop.core.sources.files:JsonConnector",
}


def _targets() -> dict[str, str]:
    targets = dict(BUILT_IN)
    targets.update({ep.name: ep.value for ep in entry_points(group=GROUP)})
    return targets


def names() -> list[str]:
    """Every installed connector's name, without importing any of them."""
    return sorted(_targets())


@cache
def get(name: str) -> Connector:
    """The connector registered as ``name``.

    Raises:
        ConnectorNotFoundError: No such connector; the message lists the installed ones.
    """
    target = _targets().get(name)
    if target is None:
        raise ConnectorNotFoundError(
            f"There is no connector named {name!r}.",
            hint=f"Installed connectors: {', '.join(names())}.",
        )
    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    connector = cls()
    if not isinstance(connector, Connector):
        raise ConnectorNotFoundError(f"{target} is not an Aiser connector.")
    return connector


def for_path(path: Path) -> Connector:
    """The connector that reads ``path``, chosen by its suffix.

    Raises:
        UnsupportedFormatError: No installed connector reads that suffix.
    """
    suffix = format_suffix(path)
    known: list[str] = []
    for name in names():
        connector = get(name)
        known.extend(connector.suffixes)
        if suffix in connector.suffixes:
            return connector
    raise UnsupportedFormatError(
        f"Cannot read {str(path)!r}: {suffix or 'files without a suffix'} is not a format "
        "Aiser reads yet.",
        hint=f"Supported suffixes: {', '.join(sorted(set(known)))}. "
        "Convert the file, or give the format with --connector.",
    )
