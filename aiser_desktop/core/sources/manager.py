"""Adding, listing, switching, refreshing and removing a workspace's sources.

Naming rule: a single-table source is a table named after the source (``select * from sales``);
a source with several tables is a schema, or an attached database, of that name
(``select * from finance.budget``). A name that is already taken is refused with a clear error
rather than overwritten.

Modes: a *linked* source is queried in place (a view over the file, or the database attached
to the session); an *imported* one is copied into data.duckdb. Every change runs on the
engine's writer inside one transaction, so a failed or cancelled import leaves the workspace
exactly as it was.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import (
    AiserError,
    NameClashError,
    QueryCancelledError,
    SourceError,
    SourceNotFoundError,
    missing_file,
)
from aiser_desktop.core.events import EventHub, ImportProgress, SourcesChanged
from aiser_desktop.core.security import secrets
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import (
    Connector,
    Mode,
    SourceSpec,
    is_glob,
    quote_ident,
    sql_string,
    url_scheme,
)
from aiser_desktop.core.sources.catalog import (
    ColumnInfo,
    SourceInfo,
    TableInfo,
    describe,
    needs_quotes,
    source_info,
    table_sql_name,
)
from aiser_desktop.core.state.store import SourceRow, StateStore

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

__all__ = ["ColumnInfo", "SourceInfo", "SourceManager", "TableInfo", "default_name"]

log = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# DuckDB's own catalogs and schemas; "data" is the workspace's database itself (data.duckdb),
# so a schema of that name would make every "data.x" ambiguous.
RESERVED = frozenset(
    {"main", "temp", "system", "information_schema", "pg_catalog", "memory", "data"}
)
_IMPORT_ALIAS = "_aiser_import_{}"


class NetworkDisabledError(SourceError):
    """The source needs the network and the person has not allowed it for this source."""


def default_name(location: str | Path) -> str:
    """A SQL-friendly source name: "Sales 2024.csv" -> "sales_2024"; a database URL gives
    its database's name ("postgresql://h/shop" -> "shop")."""
    text = str(location)
    if url_scheme(text):
        text = text.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or url_scheme(text)
    else:
        text = Path(text.rstrip("/*")).name or "source"
    # "Übersicht" -> "Ubersicht": letters keep their base form instead of vanishing.
    stem = unicodedata.normalize("NFKD", text.split(".")[0])
    stem = stem.encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", stem).strip("_").lower() or "source"
    if name[0].isdigit():
        name = f"t_{name}"
    if name == "data":
        return "dataset"
    if name in RESERVED or needs_quotes(name):
        # "temp.csv" must not give a name that add then refuses, nor "order.csv" one that
        # has to be quoted in every query.
        name = f"{name}_data"
    return name[:63]


class SourceManager:
    """The sources of one workspace: records in state.sqlite, tables in data.duckdb."""

    def __init__(self, engine: Engine, store: StateStore, hub: EventHub) -> None:
        self._engine = engine
        self._store = store
        self._hub = hub
        self._status: dict[str, str] = {}  # linked databases that could not be attached

    # ------------------------------------------------------------------ adding
    def add(
        self,
        location: str | Path,
        name: str | None = None,
        connector: str | None = None,
        options: dict[str, Any] | None = None,
        *,
        mode: Mode | str | None = None,
        secret: str | None = None,
        network: bool = False,
    ) -> SourceRow:
        """Adds a source: a file, folder or glob, a database URL, a lake folder or a web URL.

        Args:
            location: Where the source is. A password inside a URL is moved to the keyring.
            name: The source name; derived from the location when omitted.
            connector: A connector name; chosen from the location when omitted.
            options: Reading options for the connector, kept with the source.
            mode: "linked" or "imported"; the connector's default when omitted (linked for
                databases, lakes and files of 100 MB or more).
            secret: A password or token (instead of one in the URL).
            network: The person allows this source to use the network.

        Raises:
            SourceNotFoundError: A file or folder does not exist.
            UnsupportedFormatError: No connector reads the location.
            NetworkDisabledError: The source is remote and ``network`` is off.
            NameClashError: The name is taken.
            SourceError: The source could not be read (the message says where and why).
            QueryCancelledError: The import was interrupted; nothing was kept.
        """
        text = str(location)
        if not url_scheme(text):
            text = str(Path(text).expanduser())
        text, url_secret = secrets.split_url(text)
        secret = secret or url_secret
        if not url_scheme(text) and not is_glob(text):
            if not Path(text).exists():  # said before "unknown format": the likelier slip
                raise missing_file(Path(text))
            text = str(Path(text).resolve())
        conn = registry.get(connector) if connector else registry.for_location(text)
        text = conn.normalize(text)
        name = name or default_name(text)
        spec = SourceSpec(name, text, dict(options or {}), secret, network)
        self._check_network(conn, spec)
        conn.check(spec)
        chosen = Mode(mode) if mode else conn.default_mode(spec)
        if chosen is Mode.LINKED and not conn.can_link(spec):
            raise SourceError(
                f"{spec.location!r} cannot be linked ({conn.label}); it can only be copied "
                "into the workspace.",
                hint="Add it as imported (--import).",
            )
        self._check_name(name)
        secret_ref = secrets.put(secret) if secret else None
        try:
            tables, catalog = self._engine.call(
                lambda con: self._build(con, conn, spec, chosen, action="Adding")
            ).result()
        except BaseException:
            if secret_ref:
                secrets.delete(secret_ref)
            raise
        try:
            self._store.add_source(
                name,
                conn.name,
                text,
                tables,
                dict(spec.options),
                mode=chosen.value,
                network=network,
                secret_ref=secret_ref,
                catalog=catalog,
                refreshed_at=datetime.now(UTC) if chosen is Mode.IMPORTED else None,
            )
        except Exception:
            self._engine.call(lambda con: self._drop(con, conn, spec, chosen, tables)).result()
            if secret_ref:
                secrets.delete(secret_ref)
            raise
        log.info("added source %s (%s, %s)", name, conn.name, chosen.value)
        self._hub.publish(SourcesChanged((name,)))
        return self._find(name)

    def add_file(
        self,
        path: str | Path,
        name: str | None = None,
        connector: str | None = None,
        options: dict[str, Any] | None = None,
        *,
        mode: Mode | str | None = None,
    ) -> SourceRow:
        """Adds a file, folder or glob (see :meth:`add`)."""
        return self.add(path, name, connector, options, mode=mode)

    # ------------------------------------------------------------------ changing
    def set_mode(self, name: str, mode: Mode | str) -> SourceRow:
        """Switches a source between linked and imported, keeping the old one on failure."""
        row = self._find(name)
        chosen = Mode(mode)
        if chosen.value == row.mode:
            return row
        return self._rebuild(row, chosen, f"Switching {row.name!r} to {chosen.value}")

    def refresh(self, name: str) -> SourceRow:
        """Copies an imported source's data again (a new snapshot) or re-reads a linked
        source's schema; the old data stays if this fails."""
        row = self._find(name)
        return self._rebuild(row, Mode(row.mode), f"Refreshing {row.name!r}")

    def remove(self, name: str) -> None:
        """Removes a source, its tables and its password.

        Raises:
            SourceNotFoundError: No source has that name.
        """
        row = self._find(name)
        conn = registry.get(row.connector)
        spec = self._spec(row, with_secret=False)
        self._engine.call(
            lambda con: self._drop(con, conn, spec, Mode(row.mode), row.tables)
        ).result()
        self._store.remove_source(row.name)
        if row.secret_ref:
            secrets.delete(row.secret_ref)
        self._status.pop(row.name, None)
        self._hub.publish(SourcesChanged((row.name,)))

    def connect_linked(self) -> list[Future[None]]:
        """Makes linked sources usable again after the workspace opens: loads the extensions
        their views need (``delta_scan``, an encoding) and attaches the databases
        (attachments are not saved in data.duckdb).

        Runs on the writer in the background; a source that does not answer is noted in its
        :class:`SourceInfo` ``status`` and does not stop the others.
        """
        futures: list[Future[None]] = []
        for row in self._store.sources():
            conn = registry.get(row.connector)
            if row.mode != Mode.LINKED:
                continue
            futures.append(self._engine.call(self._attacher(row, conn)))
        return futures

    # ------------------------------------------------------------------ reading
    def records(self) -> list[SourceRow]:
        """The stored source records, by name."""
        return self._store.sources()

    def catalog(self, with_counts: bool = True) -> list[SourceInfo]:
        """Every source with its cached tables, columns, keys and row counts.

        Read from state.sqlite: instant, and offline. ``with_counts`` is kept for callers of
        the first version; counts are cached when a source is added or refreshed.
        """
        return [source_info(row, self._status.get(row.name, "")) for row in self._store.sources()]

    # ------------------------------------------------------------------ internals
    def _find(self, name: str) -> SourceRow:
        for row in self._store.sources():
            if row.name.lower() == name.lower():
                return row
        known = ", ".join(r.name for r in self._store.sources()) or "none yet"
        raise SourceNotFoundError(
            f"There is no source named {name!r}.", hint=f"Sources in this workspace: {known}."
        )

    def _spec(self, row: SourceRow, *, with_secret: bool = True) -> SourceSpec:
        secret = secrets.get(row.secret_ref) if with_secret and row.secret_ref else None
        return SourceSpec(row.name, row.location, dict(row.options), secret, row.network)

    def _attacher(self, row: SourceRow, conn: Connector) -> Callable[[DuckDBPyConnection], None]:
        def attach(con: DuckDBPyConnection) -> None:
            try:
                spec = self._spec(row)
                self._check_network(conn, spec)
                self._load(con, conn)
                conn.attach(con, spec)
                self._status.pop(row.name, None)
            except Exception as exc:
                message = secrets.redact(str(exc), *self._secrets_of(row))
                log.warning("could not attach %s: %s", row.name, message)
                self._status[row.name] = message
                self._hub.publish(SourcesChanged((row.name,)))

        return attach

    def _secrets_of(self, row: SourceRow) -> list[str | None]:
        try:
            return [secrets.get(row.secret_ref)] if row.secret_ref else []
        except AiserError:
            return []

    def _rebuild(self, row: SourceRow, mode: Mode, action: str) -> SourceRow:
        conn = registry.get(row.connector)
        spec = self._spec(row)
        self._check_network(conn, spec)
        old = Mode(row.mode)
        if mode is Mode.LINKED and not conn.can_link(spec):
            raise SourceError(
                f"{row.name!r} cannot be linked ({conn.label}); it stays imported.",
                hint="Refresh it to copy the source again.",
            )

        tables, catalog = self._engine.call(
            lambda con: self._build(con, conn, spec, mode, old=(old, row.tables), action=action)
        ).result()
        self._store.update_source(
            row.name,
            mode=mode.value,
            tables=tables,
            catalog=catalog,
            refreshed_at=datetime.now(UTC) if mode is Mode.IMPORTED else None,
        )
        self._status.pop(row.name, None)
        self._hub.publish(SourcesChanged((row.name,)))
        return self._find(row.name)

    def _check_network(self, conn: Connector, spec: SourceSpec) -> None:
        if conn.needs_network(spec) and not spec.network:
            raise NetworkDisabledError(
                f"{spec.location!r} is not on this machine, and the network is off for it.",
                hint="Allow the network for this source (aiser import --allow-network, or "
                "the 'Use the network' box in Add source).",
            )

    def _check_name(self, name: str) -> None:
        if not _NAME_RE.match(name) or name.lower() in RESERVED:
            raise SourceError(
                f"{name!r} cannot be a source name.",
                hint="Use letters, digits and underscores, starting with a letter "
                "(for example sales_2024), and none of: " + ", ".join(sorted(RESERVED)) + ".",
            )
        for row in self._store.sources():
            if row.name.lower() == name.lower():
                raise NameClashError(
                    f"A source named {row.name!r} already exists (from {row.location}).",
                    hint="Choose another name with --name, or remove the existing source first.",
                )
        with self._engine.cursor() as cur:
            # The name goes in as a literal: a parameterised query makes DuckDB's Python
            # package import pandas (0.6 s) the first time.
            literal = sql_string(name.lower())
            taken = cur.execute(
                f"SELECT 'table' FROM duckdb_tables() WHERE lower(table_name) = {literal} "
                "AND schema_name = 'main' "
                f"UNION ALL SELECT 'view' FROM duckdb_views() WHERE lower(view_name) = {literal} "
                "AND schema_name = 'main' AND NOT internal "
                "UNION ALL SELECT 'schema' FROM duckdb_schemas() "
                f"WHERE lower(schema_name) = {literal} "
                "UNION ALL SELECT 'database' FROM duckdb_databases() "
                f"WHERE lower(database_name) = {literal}"
            ).fetchone()
        if taken:
            raise NameClashError(
                f"The name {name!r} is already used by a {taken[0]} in this workspace.",
                hint="Choose another name with --name.",
            )

    def _load(self, con: DuckDBPyConnection, conn: Connector) -> None:
        for extension in conn.EXTENSIONS:
            self._engine.load_extension(extension)

    def _build(
        self,
        con: DuckDBPyConnection,
        conn: Connector,
        spec: SourceSpec,
        mode: Mode,
        *,
        old: tuple[Mode, list[str]] | None = None,
        action: str,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Creates the source's tables (or views, or attachment) on the writer, in one
        transaction, and describes them. With ``old``, the previous form is dropped in the
        same transaction."""
        self._load(con, conn)
        attach = conn.ATTACHES
        work = spec
        if attach:
            work = SourceSpec(
                spec.name,
                spec.location,
                spec.options,
                spec.secret,
                spec.network,
                alias=spec.name if mode is Mode.LINKED else _IMPORT_ALIAS.format(spec.name),
            )
        old_attached = old is not None and old[0] is Mode.LINKED and attach
        if old_attached:
            # The attachment holds the source's name, which the new form needs; a database
            # attachment is only a connection, so it is made again if the rebuild fails.
            _quiet(lambda: conn.detach(con, spec))
        try:
            if attach:
                conn.attach(con, work)
            tables = conn.tables(con, work)
            multi = tables != [""]
            con.execute("BEGIN TRANSACTION")
            try:
                if old is not None and not old_attached:
                    self._drop_objects(con, spec.name, old[1])
                if not (attach and mode is Mode.LINKED):
                    self._create(con, conn, work, mode, tables, multi)
                catalog = describe(
                    con,
                    conn,
                    spec if not (attach and mode is Mode.IMPORTED) else work,
                    tables,
                    count=mode is Mode.IMPORTED or conn.CHEAP_COUNT,
                )
                con.execute("COMMIT")
            except BaseException:
                # A lost connection can make ROLLBACK fail too; the first error is the story.
                # Shielded: an interrupt repeated during the ROLLBACK would leave the session
                # in an aborted transaction.
                with self._engine.shielded():
                    _quiet(lambda: con.execute("ROLLBACK"))
                raise
        except Exception as exc:
            with self._engine.shielded():
                if attach:
                    _quiet(lambda: conn.detach(con, work))
                if old_attached:
                    _quiet(lambda: conn.attach(con, spec))
            raise self._read_error(conn, spec, exc, action) from exc
        if attach and mode is Mode.IMPORTED:
            conn.detach(con, work)
            # describe() saw the import alias's names; the catalog is about the schema.
            for entry in catalog:
                entry["sql_name"] = table_sql_name(spec.name, entry["table"])
        return tables, catalog

    def _create(
        self,
        con: DuckDBPyConnection,
        conn: Connector,
        spec: SourceSpec,
        mode: Mode,
        tables: list[str],
        multi: bool,
    ) -> None:
        if multi:
            con.execute(f"CREATE SCHEMA {quote_ident(spec.name)}")
        kind = "VIEW" if mode is Mode.LINKED else "TABLE"
        for done, table in enumerate(tables):
            target = table_sql_name(spec.name, table)
            self._hub.publish(ImportProgress(spec.name, table, done, len(tables)))
            scan = conn.scan_sql(spec, table)
            with self._progress(con, spec.name, table, done, len(tables)):
                if scan is not None:
                    con.execute(f"CREATE {kind} {target} AS SELECT * FROM {scan}")
                elif mode is Mode.LINKED:  # can_link() said yes, but there is nothing to view
                    raise SourceError(f"{spec.name!r} cannot be linked, only imported.")
                else:
                    with self._engine.interrupt_hook(conn.interrupt):
                        reader = conn.read_arrow(spec, table)
                    view = f"_aiser_arrow_{spec.name}"
                    con.register(view, reader)
                    try:
                        con.execute(f"CREATE TABLE {target} AS SELECT * FROM {quote_ident(view)}")
                    finally:
                        con.unregister(view)
        self._hub.publish(ImportProgress(spec.name, "", len(tables), len(tables), 100.0))

    @contextmanager
    def _progress(
        self, con: DuckDBPyConnection, source: str, table: str, done: int, total: int
    ) -> Iterator[None]:
        """Publishes DuckDB's progress through one table every 0.2 s while it is copied."""
        stop = threading.Event()

        def watch() -> None:
            last = -1.0
            while not stop.wait(0.2):
                percent = float(con.query_progress())
                if percent >= 0 and percent != last:
                    last = percent
                    self._hub.publish(ImportProgress(source, table, done, total, percent))

        watcher = threading.Thread(target=watch, name="aiser-import-progress", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()

    def _read_error(
        self, conn: Connector, spec: SourceSpec, exc: Exception, action: str
    ) -> Exception:
        if isinstance(exc, AiserError) and not isinstance(exc, QueryCancelledError):
            return exc  # a connector's own error, already worded (and redacted) for people
        error = translate(exc, "")
        if isinstance(error, QueryCancelledError):
            if action == "Adding":
                return QueryCancelledError(f"Adding {spec.name!r} was cancelled; nothing was kept.")
            return QueryCancelledError(f"{action} was cancelled; the source is as it was.")
        explained = conn.read_error(spec, exc)
        if explained is not None:
            return explained
        message = secrets.redact(error.message, spec.secret)
        where = secrets.redact(spec.location, spec.secret)
        return SourceError(
            f"Cannot read {where!r} as {conn.label}: {message}",
            hint=error.hint or "Check that the source is complete and in the format it claims.",
        )

    def _drop(
        self,
        con: DuckDBPyConnection,
        conn: Connector,
        spec: SourceSpec,
        mode: Mode,
        tables: list[str],
    ) -> None:
        if mode is Mode.LINKED and conn.ATTACHES:
            _quiet(lambda: conn.detach(con, spec))
            return
        self._drop_objects(con, spec.name, tables)

    @staticmethod
    def _drop_objects(con: DuckDBPyConnection, name: str, tables: list[str]) -> None:
        if tables == [""]:
            literal = sql_string(name)
            is_view = con.execute(
                f"SELECT count(*) FROM duckdb_views() WHERE view_name = {literal} "
                "AND schema_name = 'main' AND NOT internal"
            ).fetchone()
            kind = "VIEW" if is_view and is_view[0] else "TABLE"
            con.execute(f"DROP {kind} IF EXISTS {quote_ident(name)}")
        else:
            con.execute(f"DROP SCHEMA IF EXISTS {quote_ident(name)} CASCADE")


def _quiet(fn: Callable[[], object]) -> None:
    try:
        fn()
    except Exception as exc:  # cleaning up after an error: the first error is what matters
        log.debug("cleanup failed: %s", exc)
