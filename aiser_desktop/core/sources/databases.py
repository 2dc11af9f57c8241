"""Databases read by DuckDB's own scanners: PostgreSQL, MySQL/MariaDB and SQLite.

Each source is ``ATTACH``-ed read-only under a name. Linked, that name is the source's, so
``select * from shop.orders`` goes straight to the database, with filters and projections
pushed down into the scan; imported, it is a private alias, and the tables are copied into a
schema of the source's name (a snapshot).

The password never travels in the ``ATTACH`` string (which DuckDB shows in
``duckdb_databases().path``): it goes into a TEMPORARY secret (memory only, never written to
data.duckdb), which is dropped again as soon as the database is attached; the scanner keeps
the connection details it needs to open more connections.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import sqlite3
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import AiserError, SourceError, SourceNotFoundError, missing_file
from aiser_desktop.core.security import secrets
from aiser_desktop.core.sources.base import (
    Connector,
    ForeignKey,
    Kind,
    SourceSpec,
    TableKeys,
    format_suffix,
    quote_ident,
    sql_string,
    url_scheme,
)

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)

# Seconds to wait for a database server to answer before saying it does not.
CONNECT_TIMEOUT = 5

_KEYWORD_RE = re.compile(r"^[a-z_]+$")
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Separates the names inside one text value of the key queries (never part of a name).
_SEP = "\x1f"


def _conninfo_value(value: str) -> str:
    """A value for a ``key=value`` connection string, quoted when it needs to be."""
    if value and not re.search(r"[\s'\"\\=]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _ScannerConnector(Connector):
    """A database DuckDB attaches with one of its scanner extensions."""

    KIND = Kind.DATABASE
    MULTI_TABLE = True
    ATTACHES = True
    # Above the SQLAlchemy connector, which would also read these URLs (more slowly).
    PRIORITY = 20
    attach_type: ClassVar[str]
    default_schema: ClassVar[str]

    # ------------------------------------------------------------------ helpers
    def schema(self, spec: SourceSpec) -> str:
        """The schema whose tables the source shows."""
        return str(spec.options.get("schema") or self.default_schema)

    def _prepare(self, con: DuckDBPyConnection, spec: SourceSpec, secret: str) -> tuple[str, str]:
        """Creates the temporary secret named ``secret`` (if the database needs one) and
        returns the ``ATTACH`` string and the extra ``ATTACH`` options (", SECRET s")."""
        raise NotImplementedError

    # ------------------------------------------------------------------ reading
    def attach(self, con: DuckDBPyConnection, spec: SourceSpec) -> None:
        """Attaches the database read-only under ``spec.attach_name``.

        Raises:
            SourceError: The database cannot be reached or refuses the login; the message
                says which, and never holds the password.
        """
        import duckdb

        attached = con.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = "
            f"{sql_string(spec.attach_name)} AND type = {sql_string(self.attach_type)}"
        ).fetchone()
        if attached and attached[0]:
            return  # already attached (the workspace was reconnected twice)
        secret = f"_aiser_secret_{uuid.uuid4().hex}"
        try:
            path, options = self._prepare(con, spec, secret)
            con.execute(
                f"ATTACH {sql_string(path)} AS {quote_ident(spec.attach_name)} "
                f"(TYPE {self.attach_type}, READ_ONLY{options})"
            )
        except duckdb.Error as exc:
            raise self.read_error(spec, exc) or self._generic_error(spec, exc) from None
        finally:
            # No secret was made (SQLite), or the session is closing: nothing to drop.
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP TEMPORARY SECRET IF EXISTS {secret}")

    def detach(self, con: DuckDBPyConnection, spec: SourceSpec) -> None:
        con.execute(f"DETACH DATABASE IF EXISTS {quote_ident(spec.attach_name)}")

    def tables(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[str]:
        """The tables and views of the source's schema, by name."""
        database = sql_string(spec.attach_name)
        schema = sql_string(self.schema(spec))
        rows = con.execute(
            f"SELECT table_name FROM duckdb_tables() WHERE database_name = {database} "
            f"AND schema_name = {schema} "
            f"UNION SELECT view_name FROM duckdb_views() WHERE database_name = {database} "
            f"AND schema_name = {schema} AND NOT internal ORDER BY 1"
        ).fetchall()
        found = [str(r[0]) for r in rows]
        if not found:
            raise SourceError(
                f"{self._where(spec)} has no tables in the schema {self.schema(spec)!r}.",
                hint="Check the database name, or give the schema that holds the tables "
                "(option 'schema').",
            )
        return found

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        return ".".join(quote_ident(p) for p in (spec.attach_name, self.schema(spec), table))

    def keys(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[TableKeys]:
        """Primary and foreign keys, asked of the database itself; none when it will not say
        (keys only describe the data, so they never stop a source from being added)."""
        import duckdb

        try:
            rows = self._key_rows(con, spec)
        except (duckdb.Error, sqlite3.Error) as exc:
            log.warning("no keys for %s: %s", spec.name, secrets.redact(str(exc), spec.secret))
            return []
        return _collect_keys(rows)

    def _key_rows(
        self, con: DuckDBPyConnection, spec: SourceSpec
    ) -> list[tuple[str, str, str, str, str]]:
        """(table, kind "p"/"f", columns, referenced table, referenced columns) per key; the
        column lists are joined by ``_SEP``."""
        return []

    # ------------------------------------------------------------------ errors
    def _where(self, spec: SourceSpec) -> str:
        return f"The {self.label} {secrets.redact(spec.location, spec.secret)!r}"

    def _generic_error(self, spec: SourceSpec, exc: Exception) -> SourceError:
        message = secrets.redact(translate(exc, "").message, spec.secret)
        return SourceError(
            f"{self._where(spec)} cannot be read: {message}",
            hint="Check the address, the user and the password, and that the server runs.",
        )

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        """Explains the failures people meet: a wrong password, a server that is not there,
        an unknown database or host, a connection lost while copying."""
        if isinstance(exc, AiserError):
            return None
        # A failure inside a transaction can surface as the failed ROLLBACK after it; the
        # cause is then in the exception's context.
        text = " ".join(translate(e, "").message for e in _chain(exc))
        lowered = text.lower()
        where = self._where(spec)
        parts = urlsplit(spec.location)
        host = parts.hostname or "localhost"
        server = f"{host}:{parts.port}" if parts.port else host
        user = unquote(parts.username or "")
        for patterns, message, hint in (
            (
                ("password authentication failed", "access denied for user"),
                f"{where} refused the login of user {user!r}: wrong user name or password.",
                "Check the password (it is kept in the keyring: remove the source and add it "
                "again with the right one), and that this user may connect from this machine.",
            ),
            (
                ("connection refused", "can't connect to", "could not connect to server"),
                f"Nothing answers at {server}: the database server is not running there, "
                "or not on that port.",
                "Start the database server, or check the host and port in the address.",
            ),
            (
                ("timeout expired", "timed out"),
                f"The database server at {server} did not answer within {CONNECT_TIMEOUT} s.",
                "Check that the host is reachable from this machine (VPN, firewall) and try again.",
            ),
            (
                ("could not translate host name", "unknown server host", "unknown mysql server"),
                f"The host {host!r} is unknown.",
                "Check the host name in the address.",
            ),
            (
                ("does not exist", "unknown database"),
                f"{where} cannot be opened: {_server_says(text, spec)}",
                "Check the database (and user) name in the address.",
            ),
            (
                (
                    "terminating connection",
                    "server closed the connection",
                    "lost connection",
                    "server has gone away",
                    "connection to server was lost",
                    "no connection to the server",
                ),
                f"The connection to {server} was lost while reading {spec.name!r}; nothing "
                "was kept.",
                "Check that the database server is still running, then add or refresh the "
                "source again.",
            ),
        ):
            if any(p in lowered for p in patterns):
                return SourceError(message, hint=hint)
        return None

    # ------------------------------------------------------------------ network
    def needs_network(self, spec: SourceSpec) -> bool:
        if super().needs_network(spec):
            return True
        # libpq and MySQL also take the host as a query parameter (?host=...).
        host = dict(parse_qsl(urlsplit(spec.location).query)).get("host", "")
        return bool(host) and not host.startswith("/") and host not in _LOCAL


_LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling, innermost last."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 5:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _server_says(text: str, spec: SourceSpec) -> str:
    """The server's own words in a driver's error ("database "x" does not exist"), without
    the connection string DuckDB puts before them."""
    for marker in ("FATAL:", "ERROR:", "failed:", 'parameters "":'):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    text = re.sub(r"\. (First )?[Aa]ttempted host: .*$", "", text.strip(), flags=re.S)
    return secrets.redact(text.strip().rstrip(".") + ".", spec.secret)


def _url_parts(spec: SourceSpec) -> tuple[str, int | None, str, str, dict[str, str]]:
    """host, port, user, database and the query parameters of a database URL."""
    parts = urlsplit(spec.location)
    query = dict(parse_qsl(parts.query))
    for key in query:
        if not _KEYWORD_RE.match(key):
            raise SourceError(
                f"{key!r} in {spec.location!r} is not a connection setting.",
                hint="Use settings such as ?sslmode=require (letters and underscores only).",
            )
    database = unquote(parts.path.lstrip("/"))
    try:
        port = parts.port
    except ValueError as exc:
        raise SourceError(
            f"The port in {spec.location!r} is not a number.",
            hint="Write the address as scheme://user@host:5432/database.",
        ) from exc
    return parts.hostname or "", port, unquote(parts.username or ""), database, query


def _collect_keys(rows: list[tuple[str, str, str, str, str]]) -> list[TableKeys]:
    primary: dict[str, tuple[str, ...]] = {}
    foreign: dict[str, list[ForeignKey]] = {}
    for table, kind, columns, ref_table, ref_columns in rows:
        cols = tuple(c for c in str(columns).split(_SEP) if c)
        if kind == "p":
            primary[table] = cols
        elif kind == "f" and ref_table:
            refs = tuple(c for c in str(ref_columns).split(_SEP) if c)
            foreign.setdefault(table, []).append(ForeignKey(cols, str(ref_table), refs))
    return [
        TableKeys(t, primary.get(t, ()), tuple(foreign.get(t, [])))
        for t in sorted(set(primary) | set(foreign))
    ]


class PostgresConnector(_ScannerConnector):
    """PostgreSQL: ``postgresql://user@host:5432/database`` (plus libpq settings such as
    ``?sslmode=require``); options: ``schema`` (default ``public``)."""

    name = "postgres"
    label = "PostgreSQL database"
    schemes = ("postgres", "postgresql")
    EXTENSIONS = ("postgres",)
    attach_type = "postgres"
    default_schema = "public"

    def _prepare(self, con: DuckDBPyConnection, spec: SourceSpec, secret: str) -> tuple[str, str]:
        host, port, user, database, query = _url_parts(spec)
        fields = (("HOST", host), ("USER", user), ("DATABASE", database))
        settings = [f"{key} {sql_string(value)}" for key, value in fields if value]
        if port:
            settings.append(f"PORT {port}")
        if spec.secret:
            settings.append(f"PASSWORD {sql_string(spec.secret)}")
        con.execute(
            f"CREATE TEMPORARY SECRET {secret} (TYPE postgres"
            + "".join(f", {s}" for s in settings)
            + ")"
        )
        query.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
        query.setdefault("application_name", "aiser-desktop")
        query.pop("schema", None)
        conninfo = " ".join(f"{k}={_conninfo_value(v)}" for k, v in query.items())
        options = f", SECRET {secret}"
        if spec.options.get("schema"):
            # SCHEMA limits what is read to that schema, and makes it the one `name.table`
            # means.
            options += f", SCHEMA {sql_string(self.schema(spec))}"
        return conninfo, options

    def _key_rows(
        self, con: DuckDBPyConnection, spec: SourceSpec
    ) -> list[tuple[str, str, str, str, str]]:
        sep = "chr(31)"
        names = (
            "array_to_string(ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY "
            "AS k(num, pos) JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num "
            "ORDER BY k.pos), " + sep + ")"
        )
        query = (
            "SELECT t.relname::text AS tbl, c.contype::text AS kind, "
            + names.format(keys="c.conkey", rel="c.conrelid")
            + " AS cols, coalesce(r.relname::text, '') AS ref_tbl, "
            + names.format(keys="c.confkey", rel="c.confrelid")
            + " AS ref_cols FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "LEFT JOIN pg_class r ON r.oid = c.confrelid "
            "LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace "
            f"WHERE c.contype IN ('p', 'f') AND n.nspname = {sql_string(self.schema(spec))} "
            "AND (c.contype = 'p' OR rn.nspname = n.nspname) ORDER BY 1, 2, c.conname"
        )
        rows = con.execute(
            f"SELECT * FROM postgres_query({sql_string(spec.attach_name)}, {sql_string(query)})"
        ).fetchall()
        return [tuple(str(v) for v in row) for row in rows]  # type: ignore[misc]


class MySqlConnector(_ScannerConnector):
    """MySQL and MariaDB: ``mysql://user@host:3306/database``; the database is the schema
    shown (option ``schema`` picks another one on the same server)."""

    name = "mysql"
    label = "MySQL database"
    schemes = ("mysql", "mariadb")
    EXTENSIONS = ("mysql",)
    attach_type = "mysql"
    default_schema = ""

    def schema(self, spec: SourceSpec) -> str:
        return str(spec.options.get("schema") or _url_parts(spec)[3])

    def check(self, spec: SourceSpec) -> None:
        if not self.schema(spec):
            raise SourceError(
                f"{spec.location!r} names no database.",
                hint="Add it to the address: mysql://user@host:3306/DATABASE.",
            )

    def _prepare(self, con: DuckDBPyConnection, spec: SourceSpec, secret: str) -> tuple[str, str]:
        host, port, user, _database, query = _url_parts(spec)
        host = host or "localhost"
        if host not in ("localhost",) and not query.get("socket"):
            _reachable(spec, host, port or 3306)
        settings = [f"HOST {sql_string(host)}", f"DATABASE {sql_string(self.schema(spec))}"]
        if port:
            settings.append(f"PORT {port}")
        if user:
            settings.append(f"USER {sql_string(user)}")
        # Always set, so an empty password is not taken from MYSQL_PWD behind the person's back.
        settings.append(f"PASSWORD {sql_string(spec.secret or '')}")
        con.execute(f"CREATE TEMPORARY SECRET {secret} (TYPE mysql, " + ", ".join(settings) + ")")
        query.pop("schema", None)
        conninfo = " ".join(f"{k}={_conninfo_value(v)}" for k, v in query.items())
        return conninfo, f", SECRET {secret}"

    def _key_rows(
        self, con: DuckDBPyConnection, spec: SourceSpec
    ) -> list[tuple[str, str, str, str, str]]:
        schema = sql_string(self.schema(spec))
        query = (
            "SELECT TABLE_NAME, IF(CONSTRAINT_NAME = 'PRIMARY', 'p', 'f'), "
            "GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION SEPARATOR 0x1f), "
            "IFNULL(MAX(REFERENCED_TABLE_NAME), ''), "
            "IFNULL(GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION "
            "SEPARATOR 0x1f), '') "
            f"FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = {schema} "
            "AND (CONSTRAINT_NAME = 'PRIMARY' OR "
            f"(REFERENCED_TABLE_NAME IS NOT NULL AND REFERENCED_TABLE_SCHEMA = {schema})) "
            "GROUP BY TABLE_NAME, CONSTRAINT_NAME ORDER BY 1, 2, CONSTRAINT_NAME"
        )
        rows = con.execute(
            f"SELECT * FROM mysql_query({sql_string(spec.attach_name)}, {sql_string(query)})"
        ).fetchall()
        return [tuple(str(v) for v in row) for row in rows]  # type: ignore[misc]


def _reachable(spec: SourceSpec, host: str, port: int) -> None:
    """Fails within :data:`CONNECT_TIMEOUT` seconds when no MySQL server answers at
    ``host:port``: the scanner's client library has no connect timeout here, so a host that
    drops packets, or a server that accepts but never speaks, would hold the app for good. A
    MySQL server greets a new connection at once; this waits for that first byte. (The probe
    is an aborted handshake to the server; the real login right after it resets the count
    that ``max_connect_errors`` watches.)"""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as probe:
            if not probe.recv(1):
                raise ConnectionResetError("the server closed the connection at once")
    except TimeoutError:
        raise SourceError(
            f"The database server at {host}:{port} did not answer within {CONNECT_TIMEOUT} s.",
            hint="Check that the host is reachable from this machine (VPN, firewall) and try "
            "again.",
        ) from None
    except socket.gaierror:
        raise SourceError(
            f"The host {host!r} is unknown.", hint="Check the host name in the address."
        ) from None
    except ConnectionRefusedError:
        raise SourceError(
            f"Nothing answers at {host}:{port}: the database server is not running there, "
            "or not on that port.",
            hint="Start the database server, or check the host and port in the address.",
        ) from None
    except OSError as exc:
        raise SourceError(
            f"Cannot reach the database server at {host}:{port}: {exc.strerror or exc}.",
            hint="Check the host and port, and that this machine may reach it.",
        ) from None


class SqliteConnector(_ScannerConnector):
    """SQLite files: a path ending .sqlite, .sqlite3 or .db (when it really is SQLite), or
    ``sqlite:///relative/path`` and ``sqlite:////absolute/path`` (SQLAlchemy's form)."""

    name = "sqlite"
    label = "SQLite database"
    schemes = ("sqlite",)
    suffixes = (".sqlite", ".sqlite3", ".db")
    EXTENSIONS = ("sqlite",)
    attach_type = "sqlite"
    default_schema = "main"
    # Above the other file connectors: a .db file is claimed only when it is SQLite.
    PRIORITY = 20

    def accepts(self, location: str) -> bool:
        if url_scheme(location):
            return url_scheme(location) == "sqlite"
        path = Path(location)
        suffix = format_suffix(path)
        if suffix not in self.suffixes or path.is_dir():
            return False
        if suffix == ".db" and path.is_file():
            return _is_sqlite(path)  # a DuckDB file is .db too
        return True

    def schema(self, spec: SourceSpec) -> str:
        return "main"

    def normalize(self, location: str) -> str:
        # sqlite:///rel.db is relative to the folder the app started in; store the file.
        return str(self.file(SourceSpec("", location)))

    def needs_network(self, spec: SourceSpec) -> bool:
        return False

    def file(self, spec: SourceSpec) -> Path:
        """The database file a location stands for."""
        location = spec.location
        if not url_scheme(location):
            return Path(location)
        rest = unquote(location.split("://", 1)[1].split("?", 1)[0])
        if rest.startswith("/"):
            # sqlite:///x.db is relative to the working folder, as in SQLAlchemy;
            # sqlite:////abs/x.db (four slashes) is absolute.
            rest = rest[1:]
        path = Path(rest)
        if not path.is_absolute() and not path.exists() and Path("/" + rest).exists():
            path = Path("/" + rest)  # sqlite:///home/ann/x.db, written with three slashes
        return path.resolve()

    def check(self, spec: SourceSpec) -> None:
        path = self.file(spec)
        if not path.is_file():
            raise missing_file(path, "SQLite file")
        if not _is_sqlite(path):
            raise SourceError(
                f"{str(path)!r} is not a SQLite database (it does not start with SQLite's header).",
                hint="Check the file; a DuckDB database is opened as a workspace, not added "
                "as a source.",
            )

    def _prepare(self, con: DuckDBPyConnection, spec: SourceSpec, secret: str) -> tuple[str, str]:
        path = self.file(spec)
        if not path.is_file():
            raise missing_file(path, "SQLite file")
        return str(path), ""

    def _key_rows(
        self, con: DuckDBPyConnection, spec: SourceSpec
    ) -> list[tuple[str, str, str, str, str]]:
        # SQLite says its keys through PRAGMAs, read with Python's own module, read-only.
        uri = self.file(spec).as_uri() + "?mode=ro"
        rows: list[tuple[str, str, str, str, str]] = []
        with sqlite3.connect(uri, uri=True) as db:
            tables = [
                str(r[0])
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            for table in tables:
                info = db.execute(f"PRAGMA table_info({quote_ident(table)})").fetchall()
                pk = [str(r[1]) for r in sorted(info, key=lambda r: int(r[5])) if int(r[5])]
                if pk:
                    rows.append((table, "p", _SEP.join(pk), "", ""))
                fks: dict[int, list[Any]] = {}
                for r in db.execute(f"PRAGMA foreign_key_list({quote_ident(table)})"):
                    fks.setdefault(int(r[0]), []).append(r)
                for parts in fks.values():
                    parts.sort(key=lambda r: int(r[1]))
                    ref = str(parts[0][2])
                    ref_cols = [str(r[4]) if r[4] is not None else "" for r in parts]
                    if not all(ref_cols):  # REFERENCES t with no columns: t's primary key
                        ref_info = db.execute(f"PRAGMA table_info({quote_ident(ref)})")
                        ref_cols = [
                            str(r[1]) for r in sorted(ref_info, key=lambda r: int(r[5])) if r[5]
                        ]
                    rows.append(
                        (table, "f", _SEP.join(str(r[3]) for r in parts), ref, _SEP.join(ref_cols))
                    )
        db.close()
        return rows

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        if isinstance(exc, SourceNotFoundError):
            return None
        text = translate(exc, "").message if not isinstance(exc, AiserError) else str(exc)
        if "not a database" in text or "malformed" in text:
            return SourceError(
                f"{str(self.file(spec))!r} is damaged or not a SQLite database: {text}",
                hint="Open it with the sqlite3 tool to check it (PRAGMA integrity_check), or "
                "use a backup copy.",
            )
        if "mismatch type" in text.lower():
            return SourceError(
                f"A column in {str(self.file(spec))!r} holds values of several types: {text}",
                hint="SQLite lets a column mix types; convert that column to one type, or "
                "import it through the sqlalchemy connector (sqlite+pysqlite:///...).",
            )
        return super().read_error(spec, exc)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError:
        return False
    return head == _SQLITE_MAGIC or (head == b"" and path.stat().st_size == 0)
