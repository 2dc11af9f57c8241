"""Any other database SQLAlchemy can reach: ``dialect+driver://...`` (SQL Server, Oracle,
Snowflake, whatever dialect is installed), snapshotted into the workspace.

DuckDB has no scanner for these, so the connector hands it Arrow record batches: through ADBC
when the URL is PostgreSQL and ``adbc_driver_postgresql`` is installed (columnar from the wire),
else through SQLAlchemy with a server-side cursor, a fixed number of rows at a time, so memory
stays flat whatever the table's size. Such a source cannot be linked (queried in place); it is
imported, and refreshed on demand.

The password is given to SQLAlchemy as ``URL.set(password=...)`` for each connection, and
never logged: SQLAlchemy shows URLs with the password hidden, and errors pass through
:func:`~aiser_desktop.core.security.secrets.redact`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from aiser_desktop.core.errors import AiserError, SourceError
from aiser_desktop.core.security import secrets
from aiser_desktop.core.sources.base import (
    Connector,
    ForeignKey,
    Kind,
    SourceSpec,
    TableKeys,
    url_scheme,
)

if TYPE_CHECKING:
    import pyarrow as pa
    import sqlalchemy as sa
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)

# Rows fetched and handed over per Arrow batch.
BATCH_ROWS = 50_000


class SqlAlchemyConnector(Connector):
    """A database reached through a SQLAlchemy URL; options: ``schema`` (else the dialect's
    default), ``adbc`` (false to skip ADBC for PostgreSQL)."""

    name = "sqlalchemy"
    label = "SQLAlchemy database"
    KIND = Kind.DATABASE
    MULTI_TABLE = True
    CAN_LINK = False
    # Below every other connector: postgresql:// and mysql:// go to DuckDB's scanners.
    PRIORITY = -10
    # Dialects that are installed as plugins under their plain name; anything written
    # dialect+driver:// is also taken (see accepts()).
    schemes: ClassVar[tuple[str, ...]] = (
        "dialect+driver",
        "mssql",
        "oracle",
        "snowflake",
        "redshift",
        "trino",
        "databricks",
        "clickhouse",
        "db2",
    )

    # ------------------------------------------------------------------ finding
    def accepts(self, location: str) -> bool:
        scheme = url_scheme(location)
        if not scheme:
            return False
        return "+" in scheme or scheme in self.schemes or _dialect_loads(scheme)

    def check(self, spec: SourceSpec) -> None:
        """Raises a clear error when the URL is malformed or its dialect or driver is not
        installed."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = make_url(spec.location)
            dialect = url.get_dialect()
        except NoSuchModuleError as exc:  # an ArgumentError too: first
            raise SourceError(
                f"No SQLAlchemy dialect for {url_scheme(spec.location)!r} is installed.",
                hint="Install the package that provides it (for example snowflake-sqlalchemy "
                "for snowflake://), then add the source again.",
            ) from exc
        except ArgumentError as exc:
            raise SourceError(
                f"{spec.location!r} is not a database URL SQLAlchemy understands.",
                hint="Write it as dialect+driver://user@host:port/database.",
            ) from exc
        try:
            dialect.import_dbapi()
        except ImportError as exc:
            raise SourceError(
                f"The database driver for {url.drivername!r} is not installed ({exc}).",
                hint=f"Install the Python package {exc.name or url.get_driver_name()!r}, or "
                "pick another driver in the URL (dialect+driver://).",
            ) from exc

    # ------------------------------------------------------------------ reading
    def _engine(self, spec: SourceSpec) -> sa.Engine:
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        url = make_url(spec.location)
        connect_args: dict[str, Any] = {}
        if spec.secret and url.get_driver_name() == "pymysql" and not spec.secret.isascii():
            # PyMySQL encodes a text password as Latin-1; servers store UTF-8.
            connect_args["password"] = spec.secret.encode("utf-8")
        elif spec.secret:
            url = url.set(password=spec.secret)
        return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)

    def _schema(self, spec: SourceSpec) -> str | None:
        return str(spec.options["schema"]) if spec.options.get("schema") else None

    def tables(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[str]:
        """The tables and views of the schema, by name."""
        import sqlalchemy as sa

        engine = self._engine(spec)
        try:
            inspector = sa.inspect(engine)
            schema = self._schema(spec)
            found = sorted(
                set(inspector.get_table_names(schema)) | set(inspector.get_view_names(schema))
            )
        finally:
            engine.dispose()
        if not found:
            raise SourceError(
                f"{secrets.redact(spec.location, spec.secret)!r} has no tables"
                + (f" in the schema {self._schema(spec)!r}." if self._schema(spec) else "."),
                hint="Check the database name, or give the schema that holds the tables "
                "(option 'schema').",
            )
        return found

    def keys(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[TableKeys]:
        import sqlalchemy as sa

        engine = self._engine(spec)
        schema = self._schema(spec)
        found: list[TableKeys] = []
        try:
            inspector = sa.inspect(engine)
            for table in inspector.get_table_names(schema):
                pk = tuple(
                    inspector.get_pk_constraint(table, schema).get("constrained_columns") or ()
                )
                fks = tuple(
                    ForeignKey(
                        tuple(fk["constrained_columns"]),
                        str(fk["referred_table"]),
                        tuple(fk["referred_columns"]),
                    )
                    for fk in inspector.get_foreign_keys(table, schema)
                    if fk.get("referred_schema") in (None, schema)
                )
                if pk or fks:
                    found.append(TableKeys(table, pk, fks))
        except sa.exc.SQLAlchemyError as exc:
            # Keys only describe the data; a database that will not say still gets added.
            log.warning("no keys for %s: %s", spec.name, secrets.redact(str(exc), spec.secret))
            return []
        finally:
            engine.dispose()
        return found

    def read_arrow(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        """``table`` as Arrow batches of :data:`BATCH_ROWS` rows, streamed (ADBC for
        PostgreSQL where installed, else a server-side SQLAlchemy cursor)."""
        if _adbc_usable(spec):
            return self._read_adbc(spec, table)
        return self._read_sqlalchemy(spec, table)

    def _read_sqlalchemy(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        import pyarrow as pa
        import sqlalchemy as sa

        engine = self._engine(spec)
        stack = contextlib.ExitStack()
        stack.callback(engine.dispose)
        try:
            conn = stack.enter_context(engine.connect())
            reflected = sa.Table(
                table, sa.MetaData(), schema=self._schema(spec), autoload_with=conn
            )
            result = conn.execution_options(stream_results=True, max_row_buffer=BATCH_ROWS).execute(
                sa.select(reflected)
            )
            stack.callback(result.close)
            names = [c.name for c in reflected.columns]
            wanted = [_arrow_type(c.type) for c in reflected.columns]
            parts = result.partitions(BATCH_ROWS)
            first = next(parts, [])
            arrays = [
                _column([row[i] for row in first], wanted[i], name, table)
                for i, name in enumerate(names)
            ]
            schema = pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)])
        except BaseException:
            stack.close()
            raise

        def batches() -> Iterator[pa.RecordBatch]:
            with stack:
                if first:
                    yield pa.RecordBatch.from_arrays(arrays, schema=schema)
                for part in parts:
                    yield pa.RecordBatch.from_arrays(
                        [
                            _column(
                                [row[i] for row in part], field.type, field.name, table, strict=True
                            )
                            for i, field in enumerate(schema)
                        ],
                        schema=schema,
                    )

        return _reader(schema, batches(), stack)

    def _read_adbc(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        import adbc_driver_postgresql.dbapi as adbc
        import pyarrow as pa
        from sqlalchemy.engine import make_url

        url = make_url(spec.location).set(drivername="postgresql")
        if spec.secret:
            url = url.set(password=spec.secret)
        schema = self._schema(spec)
        target = ".".join(_pg_ident(p) for p in ((schema,) if schema else ()) + (table,))
        stack = contextlib.ExitStack()
        try:
            conn = stack.enter_context(
                contextlib.closing(adbc.connect(url.render_as_string(hide_password=False)))
            )
            cur = stack.enter_context(contextlib.closing(conn.cursor()))
            cur.adbc_statement.set_options(
                **{"adbc.postgresql.batch_size_hint_bytes": str(1 << 24)}
            )
            cur.execute(f"SELECT * FROM {target}")
            reader = cur.fetch_record_batch()
            fields = [_plain_field(f) for f in reader.schema]
            out_schema = pa.schema(fields)
        except BaseException:
            stack.close()
            raise

        def batches() -> Iterator[pa.RecordBatch]:
            with stack:
                for batch in reader:
                    yield pa.RecordBatch.from_arrays(
                        [
                            _plain_array(col, field)
                            for col, field in zip(batch.columns, out_schema, strict=True)
                        ],
                        schema=out_schema,
                    )

        return _reader(out_schema, batches(), stack)

    # ------------------------------------------------------------------ errors
    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        """Explains a failed login, a server that does not answer, a lost connection and a
        missing driver, without the password."""
        text = str(getattr(exc, "orig", None) or exc)
        lowered = text.lower()
        where = secrets.redact(spec.location, spec.secret)
        for patterns, message, hint in (
            (
                ("password authentication failed", "access denied", "login failed"),
                f"{where!r} refused the login: wrong user name or password.",
                "Check the password (it is kept in the keyring: remove the source and add it "
                "again with the right one).",
            ),
            (
                ("connection refused", "can't connect", "could not connect"),
                f"Nothing answers at the address of {where!r}: the database server is not "
                "running there, or not on that port.",
                "Start the database server, or check the host and port in the URL.",
            ),
            (
                ("terminating connection", "server closed the connection", "lost connection"),
                f"The connection to {where!r} was lost while reading {spec.name!r}; nothing "
                "was kept.",
                "Check that the database server is still running, then try again.",
            ),
            (
                ("unable to open database file", "does not exist", "unknown database"),
                f"{where!r} cannot be opened: {secrets.redact(text.strip(), spec.secret)}",
                "Check the database name or file in the URL.",
            ),
        ):
            if any(p in lowered for p in patterns):
                return SourceError(message, hint=hint)
        return None


# ---------------------------------------------------------------------- helpers
def _dialect_loads(scheme: str) -> bool:
    """True when SQLAlchemy has a dialect named ``scheme`` (built in or a plugin)."""
    try:
        from sqlalchemy.dialects import registry

        registry.load(scheme)
    except Exception:  # NoSuchModuleError, or a plugin that fails to import
        return False
    return True


def _adbc_usable(spec: SourceSpec) -> bool:
    if spec.options.get("adbc") is False:
        return False
    if url_scheme(spec.location).split("+")[0] not in ("postgresql", "postgres"):
        return False
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def _reader(
    schema: pa.Schema, batches: Iterator[pa.RecordBatch], stack: contextlib.ExitStack
) -> pa.RecordBatchReader:
    """A reader over ``batches`` that closes the connection when it is read to the end, fails,
    or is dropped unread."""
    import pyarrow as pa

    weakref.finalize(batches, stack.close)
    return pa.RecordBatchReader.from_batches(schema, batches)


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _arrow_type(sql_type: Any) -> pa.DataType | None:
    """The Arrow type for a reflected SQLAlchemy column type; None when only the values can
    tell (then the first batch decides)."""
    import pyarrow as pa
    import sqlalchemy as sa

    if isinstance(sql_type, sa.Boolean):
        return pa.bool_()
    if isinstance(sql_type, sa.Integer):
        return pa.int64()
    if isinstance(sql_type, sa.Float):
        return pa.float64()
    if isinstance(sql_type, sa.Numeric):
        precision, scale = sql_type.precision, sql_type.scale
        if precision and 0 < precision <= 38 and (scale or 0) <= precision:
            return pa.decimal128(precision, scale or 0)
        return None
    if isinstance(sql_type, sa.DateTime):
        return pa.timestamp("us", tz="UTC") if sql_type.timezone else pa.timestamp("us")
    if isinstance(sql_type, sa.Date):
        return pa.date32()
    if isinstance(sql_type, sa.Time):
        return pa.time64("us")
    if isinstance(sql_type, sa.Interval):
        return pa.duration("us")
    if isinstance(sql_type, sa.LargeBinary):
        return pa.binary()
    if isinstance(sql_type, (sa.String, sa.JSON, sa.Uuid, sa.Enum)):
        return pa.string()
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def _column(
    values: list[Any], wanted: pa.DataType | None, name: str, table: str, *, strict: bool = False
) -> pa.Array:
    """``values`` as an Arrow array of type ``wanted``. Not ``strict`` (the first batch), a
    column whose values do not fit becomes text; ``strict`` (the batches after it, whose type
    is fixed), they raise a clear error."""
    import pyarrow as pa

    if wanted is not None and pa.types.is_string(wanted):
        return pa.array([_text(v) for v in values], type=pa.string())
    try:
        if wanted is None:
            array = pa.array(values)
            return array.cast(pa.string()) if pa.types.is_null(array.type) else array
        return pa.array(values, type=wanted)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        if strict:
            raise SourceError(
                f"The column {name!r} of {table!r} holds a value that does not fit its type "
                f"{wanted}: {exc}",
                hint="Convert that column in the database, or exclude the table.",
            ) from exc
        return pa.array([_text(v) for v in values], type=pa.string())


def _plain_field(field: pa.Field) -> pa.Field:
    """ADBC's field without extension types DuckDB does not know: NUMERIC (sent as text)
    becomes a decimal when its precision is declared, other opaque types their text (JSON
    stays JSON, which DuckDB reads)."""
    import pyarrow as pa

    kind = field.type
    if isinstance(kind, pa.BaseExtensionType) and not str(kind).startswith("extension<arrow.json"):
        meta = field.metadata or {}
        typmod = int(meta.get(b"POSTGRESQL:typmod", b"-1") or -1)
        if meta.get(b"POSTGRESQL:type") == b"numeric" and typmod >= 4:
            precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
            if 0 < precision <= 38:
                return pa.field(field.name, pa.decimal128(precision, scale))
        return pa.field(field.name, kind.storage_type)
    return pa.field(field.name, kind)


def _plain_array(column: pa.Array, field: pa.Field) -> pa.Array:
    import pyarrow as pa

    if isinstance(column.type, pa.BaseExtensionType) and column.type != field.type:
        column = column.storage
    return column if column.type == field.type else column.cast(field.type)
