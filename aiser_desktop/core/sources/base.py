"""The connector interface: a few required methods, capability flags for the rest.

A connector tells the engine how to read one kind of source. Where DuckDB reads the source
itself (files, lakes, PostgreSQL, MySQL, SQLite) the connector only says how: a DuckDB relation
expression (``read_csv('...')``, ``delta_scan('...')``) or an ``ATTACH``; DuckDB then does the
work, which is the fastest path there is. Where it cannot (any other SQLAlchemy URL, Feather)
the connector hands over Arrow record batches instead (:meth:`Connector.read_arrow`).

Connectors register under the entry-point group ``aiser_desktop.connectors`` (see
:mod:`aiser_desktop.core.sources.registry`); the built-ins register the same way.

Every method that talks to DuckDB gets the engine's writer session (``con``) and runs on the
writer thread, so an import never races the person's queries and can be interrupted.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from aiser_desktop.core.errors import AiserError, SourceError, missing_file

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection

COMPRESSION_SUFFIXES = (".gz", ".zst")

# Files at least this large are linked (queried in place) unless the person asks otherwise.
LINK_THRESHOLD_BYTES = 100 * 1024 * 1024

# Hosts that are this machine: a database here needs no network consent ("" is a Unix socket).
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


class Mode(StrEnum):
    """How a source's tables live in the workspace."""

    LINKED = "linked"  # queried in place: a view over the file, or an attached database
    IMPORTED = "imported"  # copied into data.duckdb: fast, and there when the source is not


class Kind(StrEnum):
    FILE = "file"
    DATABASE = "database"
    LAKE = "lake"
    WEB = "web"


@dataclass(frozen=True)
class SourceSpec:
    """What a connector needs to read one source.

    Attributes:
        name: The source's name in the workspace (``sales``); also the name a database is
            attached under.
        location: A path, a glob, or a URL with no password in it.
        options: Reading options, kept with the source (CSV ``delim``, a database ``schema``).
        secret: The password or token, fetched from the keyring for this call only. Never
            stored, logged or put into an error message.
        network: The person allowed this source to use the network.
        alias: The name a database is attached under, when not ``name`` (an import
            attaches under a private alias, because its tables go into a schema ``name``).
    """

    name: str
    location: str
    options: Mapping[str, Any] = field(default_factory=dict)
    secret: str | None = field(default=None, repr=False)
    network: bool = False
    alias: str = ""

    @property
    def attach_name(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    references_table: str
    references_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableKeys:
    """The keys a source declares for one of its tables."""

    table: str
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()


def sql_string(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_literal(value: Any) -> str:
    """A reading option's value as SQL: strings, numbers, booleans, and lists and maps of them
    (``types = {'amount': 'VARCHAR'}``).

    Raises:
        SourceError: The value is of another kind.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return sql_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{sql_string(str(k))}: {sql_literal(v)}" for k, v in value.items())
        return "{" + pairs + "}"
    raise SourceError(f"A reading option cannot be {value!r}.")


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def format_suffix(path: Path) -> str:
    """The suffix that names the format, looking past .gz/.zst ("x.csv.gz" -> ".csv")."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def url_scheme(location: str) -> str:
    """The URL scheme of ``location`` without its driver ("postgresql+psycopg://" ->
    "postgresql"); "" for a path (a Windows drive letter is not a scheme)."""
    if "://" not in location:
        return ""
    scheme = urlsplit(location).scheme.lower()
    return scheme if len(scheme) > 1 else ""


def is_glob(location: str) -> bool:
    return any(ch in location for ch in "*?[")


def matching_files(location: str) -> list[Path]:
    """The files a path, a folder or a glob stands for, sorted; a folder means every file in
    it (not hidden ones)."""
    path = Path(location).expanduser()
    if is_glob(location):
        # glob.glob, not Path.glob: the pattern is absolute ("/data/sales/*.csv").
        found = glob.glob(str(path), recursive=True)  # noqa: PTH207
        return sorted(Path(p) for p in found if Path(p).is_file())
    if path.is_dir():
        hidden = (".", "_")  # .DS_Store, _SUCCESS, _delta_log
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(hidden))
    return [path] if path.exists() else []


def refuse_empty_files(location: str) -> None:
    """Raises a clear error when a file the location stands for is empty (0 bytes).

    Raises:
        SourceError: Names the empty file.
    """
    for path in matching_files(location):
        if path.stat().st_size == 0:
            raise SourceError(
                f"The file {str(path)!r} is empty (0 bytes): there is nothing to make a "
                "table from.",
                hint="Export or copy the file again, or remove it from the folder.",
            )


def file_pattern(location: str) -> str:
    """What a DuckDB reader takes for ``location``: a folder becomes ``folder/*`` (every file
    in it, read as one table); a file or a glob stays as it is."""
    path = Path(location)
    if not is_glob(location) and path.is_dir():
        return str(path / "*")
    return location


class Connector:
    """One kind of source.

    Class attributes:
        name: The registered name ("csv").
        label: For people ("CSV file").
        KIND: file, database, lake or web.
        suffixes: File suffixes this connector reads, lower case, with the dot.
        schemes: URL schemes this connector reads ("postgresql").
        PRIORITY: When several connectors accept a location, the highest wins (a Delta
            folder is also a folder of Parquet files).
        MULTI_TABLE: A source of this kind can hold several tables (then queried as
            ``source.table``).
        IMPLEMENTS_CANCEL: Reading can be interrupted (true for everything DuckDB reads).
        CAN_LINK: The source can be queried in place, without copying.
        NEEDS_NETWORK: Reading always needs the network (an HTTP endpoint).
        CHEAP_COUNT: Counting rows does not read the data (Parquet metadata, an imported
            table); a linked CSV is not counted when it is added.
        ATTACHES: Linked, the source is a database attached to the session under its
            name (its tables are ``name.table`` with no view in between); attachments are
            not saved in data.duckdb, so they are made again when the workspace opens.
        EXTENSIONS: DuckDB extensions to load, in order, before reading.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    KIND: ClassVar[Kind] = Kind.FILE
    suffixes: ClassVar[tuple[str, ...]] = ()
    schemes: ClassVar[tuple[str, ...]] = ()
    PRIORITY: ClassVar[int] = 0
    MULTI_TABLE: ClassVar[bool] = False
    IMPLEMENTS_CANCEL: ClassVar[bool] = True
    CAN_LINK: ClassVar[bool] = True
    NEEDS_NETWORK: ClassVar[bool] = False
    CHEAP_COUNT: ClassVar[bool] = False
    ATTACHES: ClassVar[bool] = False
    EXTENSIONS: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ finding
    def accepts(self, location: str) -> bool:
        """True when this connector reads ``location``: by URL scheme, else by the suffix of
        the file, or of the files a folder or glob stands for."""
        scheme = url_scheme(location)
        if scheme:
            return scheme in self.schemes
        if not self.suffixes:
            return False
        path = Path(location)
        if not is_glob(location) and not path.is_dir():
            return format_suffix(path) in self.suffixes
        files = matching_files(location)
        return bool(files) and all(format_suffix(f) in self.suffixes for f in files)

    def normalize(self, location: str) -> str:
        """The location as it is stored: one that means the same from any working folder
        (paths are made absolute before this; a connector with relative URLs resolves them)."""
        return location

    def check(self, spec: SourceSpec) -> None:
        """Raises a clear error when the source cannot be there (a missing file, say)."""
        if url_scheme(spec.location):
            return
        if not matching_files(spec.location):
            if is_glob(spec.location):
                raise SourceError(
                    f"No file matches {spec.location!r}.",
                    hint="Check the folder and the pattern (for example sales/*.parquet).",
                )
            raise missing_file(Path(spec.location))

    def can_link(self, spec: SourceSpec) -> bool:
        """Whether this source can be linked (``CAN_LINK``, unless something about this one
        source rules it out, such as an encoding only Python can decode)."""
        return self.CAN_LINK

    def default_mode(self, spec: SourceSpec) -> Mode:
        """Linked for databases, lakes and large files; imported for the rest."""
        if not self.can_link(spec):
            return Mode.IMPORTED
        if self.KIND in (Kind.DATABASE, Kind.LAKE):
            return Mode.LINKED
        size = sum(f.stat().st_size for f in matching_files(spec.location))
        return Mode.LINKED if size >= LINK_THRESHOLD_BYTES else Mode.IMPORTED

    def needs_network(self, spec: SourceSpec) -> bool:
        """True when reading this source goes beyond this machine (then the person must have
        allowed the network for it)."""
        if self.NEEDS_NETWORK:
            return True
        if not url_scheme(spec.location):
            return False
        host = urlsplit(spec.location).hostname or ""
        return host not in LOCAL_HOSTS

    # ------------------------------------------------------------------ reading
    def attach(self, con: DuckDBPyConnection, spec: SourceSpec) -> None:
        """Connects the source to the session if it needs that (a database's ``ATTACH``).
        Called before :meth:`tables`; attached under ``spec.attach_name``."""

    def detach(self, con: DuckDBPyConnection, spec: SourceSpec) -> None:
        """Undoes :meth:`attach`."""

    def tables(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[str]:
        """The tables inside the source; a single-table source returns ``[""]``."""
        return [""]

    def scan_sql(self, spec: SourceSpec, table: str) -> str | None:
        """A DuckDB relation expression that reads ``table`` of the source, or None when the
        connector hands over Arrow instead (:meth:`read_arrow`)."""
        return None

    def read_arrow(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        """``table`` of the source as a stream of Arrow record batches. Needed only by
        connectors whose :meth:`scan_sql` returns None (those cannot be linked)."""
        raise NotImplementedError(f"{type(self).__name__} has neither scan_sql nor read_arrow.")

    def interrupt(self) -> None:
        """Stops a :meth:`read_arrow` under way on another thread (the engine's interrupt
        calls it); nothing to do for readers the session itself runs."""

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        """A clear error for a failure while reading, in this source's terms (the file and
        line, what to do next), or None to use the generic message. Must not contain
        ``spec.secret``."""
        return None

    def keys(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[TableKeys]:
        """Primary and foreign keys the source declares; none by default."""
        return []
