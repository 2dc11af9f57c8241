"""Finding connectors: by name through entry points, or by a file's suffix.

Names are listed without importing any connector (napari, datasette). The built-ins are also
known directly, so a bundle without package metadata (PyInstaller) still finds them.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from aiser_desktop.core.errors import ConnectorNotFoundError, UnsupportedFormatError
from aiser_desktop.core.sources.base import Connector, format_suffix, url_scheme

log = logging.getLogger(__name__)

GROUP = "aiser_desktop.connectors"
_warned: set[str] = set()

BUILT_IN = {
    "csv": "aiser_desktop.core.sources.files:CsvConnector",
    "parquet": "aiser_desktop.core.sources.files:ParquetConnector",
    "json": "aiser_desktop.core.sources.files:JsonConnector",
    "avro": "aiser_desktop.core.sources.files:AvroConnector",
    "excel": "aiser_desktop.core.sources.excel:ExcelConnector",
    "arrow": "aiser_desktop.core.sources.arrow_files:ArrowConnector",
    "postgres": "aiser_desktop.core.sources.databases:PostgresConnector",
    "mysql": "aiser_desktop.core.sources.databases:MySqlConnector",
    "sqlite": "aiser_desktop.core.sources.databases:SqliteConnector",
    "sqlalchemy": "aiser_desktop.core.sources.sqlalchemy_url:SqlAlchemyConnector",
    "delta": "aiser_desktop.core.sources.lakes:DeltaConnector",
    "iceberg": "aiser_desktop.core.sources.lakes:IcebergConnector",
    "web": "aiser_desktop.core.sources.web:WebConnector",
}


@cache
def _targets() -> dict[str, str]:
    targets = dict(BUILT_IN)
    targets.update({ep.name: ep.value for ep in entry_points(group=GROUP)})
    return targets


def reload() -> None:
    """Forgets what was found, so newly installed connectors (or a test's) are seen."""
    _targets.cache_clear()
    get.cache_clear()


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
    try:
        cls = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConnectorNotFoundError(
            f"The connector {name!r} ({target}) cannot be loaded: {exc}.",
            hint="Reinstall Aiser Desktop, or the plugin that provides this connector.",
        ) from exc
    connector = cls()
    if not isinstance(connector, Connector):
        raise ConnectorNotFoundError(f"{target} is not an Aiser connector.")
    return connector


def installed() -> list[Connector]:
    """Every connector that loads, highest ``PRIORITY`` first; one that fails to load is
    logged and left out, so a broken plugin cannot break adding files."""
    found: list[Connector] = []
    for name in names():
        try:
            found.append(get(name))
        except ConnectorNotFoundError as exc:
            if name not in _warned:  # once per process, not on every lookup
                _warned.add(name)
                log.warning("%s", exc)
    return sorted(found, key=lambda c: -c.PRIORITY)


def for_location(location: str) -> Connector:
    """The connector that reads ``location`` (a path, folder, glob or URL).

    Raises:
        UnsupportedFormatError: No installed connector reads it; the message lists what does.
    """
    connectors = installed()
    for connector in connectors:
        if connector.accepts(location):
            return connector
    scheme = url_scheme(location)
    if scheme:
        schemes = sorted({s for c in connectors for s in c.schemes})
        raise UnsupportedFormatError(
            f"Cannot read {location.split('@')[-1]!r}: no installed connector reads "
            f"{scheme}:// addresses.",
            hint=f"Supported: {', '.join(schemes)}. For another database, install its "
            "SQLAlchemy dialect and write the URL as dialect+driver://...",
        )
    suffix = format_suffix(Path(location))
    known = sorted({s for c in connectors for s in c.suffixes})
    what = f"{suffix} is not a format" if suffix else "files without a known suffix are not"
    raise UnsupportedFormatError(
        f"Cannot read {location!r}: {what} Aiser reads yet.",
        hint=f"Supported suffixes: {', '.join(known)}. "
        "Convert the file, or give the format with --connector.",
    )


def for_path(path: Path) -> Connector:
    """The connector that reads the file ``path`` (see :func:`for_location`)."""
    return for_location(str(path))
