"""state.sqlite: the app's own records, behind a small typed API.

The schema is migrated by Alembic when the workspace opens. Alembic is imported only when the
file is behind the code's head revision, so opening an up-to-date workspace stays fast.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from aiser_desktop.core.errors import AiserError, WorkspaceError
from aiser_desktop.core.state.models import (
    EditorTabRecord,
    HistoryRecord,
    MetaRecord,
    SavedQueryRecord,
    SourceRecord,
)

log = logging.getLogger(__name__)

HEAD_REVISION = "0007"  # the newest file in migrations/versions; a test keeps them in step
MIGRATIONS = Path(__file__).with_name("migrations")


def current_revision(path: Path) -> str | None:
    """The Alembic revision recorded in ``path``, read with plain sqlite3 (fast)."""
    if not path.exists():
        return None
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return str(row[0]) if row else None


def migrate(path: Path, revision: str = "head") -> None:
    """Brings ``path`` to ``revision`` with the package's Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    log.info("migrating %s to %s", path, revision)
    command.upgrade(cfg, revision)


@dataclass(frozen=True)
class SourceRow:
    """A source as stored: what the catalog and the UI read.

    Attributes:
        mode: "linked" (queried in place) or "imported" (copied into data.duckdb).
        network: The person allowed this source to use the network.
        secret_ref: Where its password lives in the OS keyring; never the password.
        catalog: The cached tables, columns, keys and counts (``core/sources/catalog.py``).
        refreshed_at: When the data was last copied in (an import or snapshot).
    """

    name: str
    connector: str
    location: str
    options: dict[str, Any]
    tables: list[str]
    created_at: datetime
    mode: str = "imported"
    network: bool = False
    secret_ref: str | None = None
    catalog: list[dict[str, Any]] = field(default_factory=list)
    refreshed_at: datetime | None = None


@dataclass(frozen=True)
class HistoryRow:
    id: int
    sql: str
    status: str
    started_at: datetime
    seconds: float
    rows: int | None
    error: str | None


MAX_NAME = 200


class SavedQueryError(AiserError):
    """A saved query cannot be named so, or no longer exists."""


@dataclass(frozen=True)
class SavedQueryRow:
    """A saved query."""

    id: int
    name: str
    sql: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EditorTab:
    """An editor tab as the window left it.

    Attributes:
        title: The tab's title ("Query 2", or the saved query's name).
        sql: Its text.
        cursor: The cursor's character offset in the text.
        saved_id: The saved query it edits, if any.
    """

    title: str
    sql: str
    cursor: int = 0
    saved_id: int | None = None


class StateStore:
    """The workspace's state.sqlite.

    Args:
        path: The file; created and migrated to the newest schema if needed.

    Raises:
        WorkspaceError: The file is not a database or was written by a newer Aiser.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        revision = current_revision(path)
        if revision != HEAD_REVISION:
            if revision is not None and not any((MIGRATIONS / "versions").glob(f"{revision}_*.py")):
                raise WorkspaceError(
                    f"{str(path)!r} was written by a newer version of Aiser (schema {revision}).",
                    hint="Upgrade Aiser Desktop to open this workspace.",
                )
            try:
                migrate(path)
            except Exception as exc:
                raise WorkspaceError(
                    f"Cannot prepare the app state in {str(path)!r}: {exc}",
                    hint="If the file is damaged, move it away; the data in data.duckdb is "
                    "not affected.",
                ) from exc
        self._engine: SqlEngine = create_engine(f"sqlite:///{path}")
        event.listen(self._engine, "connect", _sqlite_pragmas)
        self._session = sessionmaker(self._engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._session.begin() as session:
            yield session

    def close(self) -> None:
        self._engine.dispose()

    # -------------------------------------------------------------- sources
    def add_source(
        self,
        name: str,
        connector: str,
        location: str,
        tables: list[str],
        options: dict[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Records a new source; ``fields`` are the other :class:`SourceRow` attributes."""
        with self.session() as s:
            s.add(
                SourceRecord(
                    name=name,
                    connector=connector,
                    location=location,
                    tables=tables,
                    options=options or {},
                    **fields,
                )
            )

    def update_source(self, name: str, **fields: Any) -> None:
        """Changes stored attributes of source ``name`` (``mode``, ``catalog``, ...)."""
        with self.session() as s:
            record = s.scalars(select(SourceRecord).where(SourceRecord.name == name)).one()
            for key, value in fields.items():
                setattr(record, key, value)

    def remove_source(self, name: str) -> bool:
        with self.session() as s:
            result = s.execute(delete(SourceRecord).where(SourceRecord.name == name))
            return bool(getattr(result, "rowcount", 0))

    def sources(self) -> list[SourceRow]:
        with self.session() as s:
            records = s.scalars(select(SourceRecord).order_by(SourceRecord.name)).all()
            return [
                SourceRow(
                    r.name,
                    r.connector,
                    r.location,
                    dict(r.options),
                    list(r.tables),
                    _utc(r.created_at),
                    mode=r.mode,
                    network=r.network,
                    secret_ref=r.secret_ref,
                    catalog=list(r.catalog or []),
                    refreshed_at=_utc(r.refreshed_at) if r.refreshed_at else None,
                )
                for r in records
            ]

    # -------------------------------------------------------------- history
    def record_query(
        self,
        sql: str,
        status: str,
        seconds: float,
        rows: int | None = None,
        error: str | None = None,
    ) -> None:
        with self.session() as s:
            s.add(HistoryRecord(sql=sql, status=status, seconds=seconds, rows=rows, error=error))

    def history(self, limit: int = 100, search: str = "") -> list[HistoryRow]:
        """The latest statements, newest first.

        Args:
            limit: At most this many.
            search: Only statements whose SQL contains this text (case-insensitive).
        """
        query = select(HistoryRecord).order_by(HistoryRecord.id.desc()).limit(limit)
        if search.strip():
            query = query.where(_contains(HistoryRecord.sql, search.strip()))
        with self.session() as s:
            return [
                HistoryRow(r.id, r.sql, r.status, _utc(r.started_at), r.seconds, r.rows, r.error)
                for r in s.scalars(query).all()
            ]

    # -------------------------------------------------------------- saved queries
    def saved_queries(self, search: str = "") -> list[SavedQueryRow]:
        """Every saved query, by name; ``search`` keeps those whose name or SQL contains it."""
        query = select(SavedQueryRecord).order_by(func.lower(SavedQueryRecord.name))
        if search.strip():
            text = search.strip()
            query = query.where(
                _contains(SavedQueryRecord.name, text) | _contains(SavedQueryRecord.sql, text)
            )
        with self.session() as s:
            return [_saved_row(r) for r in s.scalars(query).all()]

    def saved_query(self, query_id: int) -> SavedQueryRow | None:
        with self.session() as s:
            record = s.get(SavedQueryRecord, query_id)
            return _saved_row(record) if record else None

    def save_query(self, name: str, sql: str, *, query_id: int | None = None) -> SavedQueryRow:
        """Saves ``sql`` as a new query named ``name``, or over query ``query_id``.

        Raises:
            SavedQueryError: The name is empty, too long or taken by another saved query,
                or query ``query_id`` no longer exists.
        """
        name = _check_name(name)
        with self.session() as s:
            self._check_free(s, name, query_id)
            if query_id is None:
                record = SavedQueryRecord(name=name, sql=sql)
                s.add(record)
            else:
                record = self._saved_record(s, query_id)
                record.name, record.sql = name, sql
            s.flush()
            return _saved_row(record)

    def rename_query(self, query_id: int, name: str) -> SavedQueryRow:
        """Renames a saved query (its SQL is kept).

        Raises:
            SavedQueryError: As :meth:`save_query`.
        """
        name = _check_name(name)
        with self.session() as s:
            self._check_free(s, name, query_id)
            record = self._saved_record(s, query_id)
            record.name = name
            s.flush()
            return _saved_row(record)

    def delete_query(self, query_id: int) -> bool:
        """Deletes a saved query; tabs that edit it keep their text. False if it was gone."""
        with self.session() as s:
            result = s.execute(delete(SavedQueryRecord).where(SavedQueryRecord.id == query_id))
            return bool(getattr(result, "rowcount", 0))

    @staticmethod
    def _check_free(s: Session, name: str, query_id: int | None) -> None:
        taken = s.scalars(
            select(SavedQueryRecord).where(func.lower(SavedQueryRecord.name) == name.lower())
        ).first()
        if taken is not None and taken.id != query_id:
            raise SavedQueryError(
                f"A saved query is already named {taken.name!r}.",
                hint="Choose another name, or open that query and save over it.",
            )

    @staticmethod
    def _saved_record(s: Session, query_id: int) -> SavedQueryRecord:
        record = s.get(SavedQueryRecord, query_id)
        if record is None:
            raise SavedQueryError(
                "That saved query no longer exists (it was deleted).",
                hint="Save the text under a new name.",
            )
        return record

    # -------------------------------------------------------------- editor tabs
    def editor_tabs(self) -> tuple[list[EditorTab], int]:
        """The editor tabs the window left open, and the index of the current one."""
        with self.session() as s:
            records = s.scalars(select(EditorTabRecord).order_by(EditorTabRecord.position)).all()
            tabs = [EditorTab(r.title, r.sql, r.cursor, r.saved_query_id) for r in records]
            current = next((i for i, r in enumerate(records) if r.current), 0)
            return tabs, current

    def save_editor_tabs(self, tabs: list[EditorTab], current: int = 0) -> None:
        """Replaces the stored tabs with ``tabs`` (one transaction: all or nothing)."""
        with self.session() as s:
            existing = set(s.scalars(select(SavedQueryRecord.id)).all())
            s.execute(delete(EditorTabRecord))
            for position, tab in enumerate(tabs):
                s.add(
                    EditorTabRecord(
                        position=position,
                        title=tab.title[:MAX_NAME],
                        sql=tab.sql,
                        cursor=max(0, min(tab.cursor, len(tab.sql))),
                        current=position == current,
                        # A tab of a query deleted meanwhile keeps its text, not the link.
                        saved_query_id=tab.saved_id if tab.saved_id in existing else None,
                    )
                )

    # -------------------------------------------------------------- meta
    def get_meta(self, key: str) -> str | None:
        with self.session() as s:
            record = s.get(MetaRecord, key)
            return record.value if record else None

    def set_meta(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(MetaRecord(key=key, value=value))


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise SavedQueryError("A saved query needs a name.", hint="Type a name, then save.")
    if len(name) > MAX_NAME:
        raise SavedQueryError(
            f"That name is {len(name)} characters long; at most {MAX_NAME} fit.",
            hint="Choose a shorter name.",
        )
    return name


def _contains(column: Any, text: str) -> Any:
    """``column`` contains ``text``, case-insensitively, with % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _saved_row(r: SavedQueryRecord) -> SavedQueryRow:
    return SavedQueryRow(r.id, r.name, r.sql, _utc(r.created_at), _utc(r.updated_at))


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; ours are all written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
