"""The tables of state.sqlite, as SQLAlchemy 2 models.

Every change to these tables comes with an Alembic migration in ``migrations/versions`` (a
person's workspace must survive upgrades); ``tests/unit/test_state.py`` checks that the models and
the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SourceRecord(Base):
    """A source the person added: a file, a folder, a database, a lake or a web endpoint.

    ``location`` never holds a password: that lives in the OS keyring under ``secret_ref``.
    ``catalog`` caches the tables' columns, keys and row counts, so the app knows every
    source's schema offline and at once (see ``core/sources/catalog.py``).
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    connector: Mapped[str] = mapped_column(String(50))
    location: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    tables: Mapped[list[str]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(20), default="imported")  # linked, imported
    network: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    catalog: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class HistoryRecord(Base):
    """One statement the person ran, how long it took and what it returned."""

    __tablename__ = "query_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sql: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # finished, failed, cancelled
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    seconds: Mapped[float] = mapped_column(Float)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class MetaRecord(Base):
    """Small facts about the workspace (for example, that the sample data was loaded)."""

    __tablename__ = "workspace_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SavedQueryRecord(Base):
    """A query the person saved under a name (Ctrl+S in the window)."""

    __tablename__ = "saved_queries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sql: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class EditorTabRecord(Base):
    """One editor tab open in the window, so the tabs come back after a restart.

    ``saved_query_id`` links a tab to the saved query it edits; deleting that query keeps the
    tab (and its text) but forgets the link.
    """

    __tablename__ = "editor_tabs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    sql: Mapped[str] = mapped_column(Text)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_query_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("saved_queries.id", ondelete="SET NULL"), nullable=True
    )


# ---------------------------------------------------------------------------------------------
# Saved charts and dashboards (issue 5; migration 0004; data access in core/dashboards/store.py)
# ---------------------------------------------------------------------------------------------
class SavedChartRecord(Base):
    """A chart the person kept: a ChartSpec's ``to_dict()`` with the SQL it draws from."""

    __tablename__ = "saved_charts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sql: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class DashboardRecord(Base):
    """A dashboard: a grid of tiles, the filters applied to all of them and how often they
    refresh (``refresh_minutes`` 0: only on demand)."""

    __tablename__ = "dashboards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    filters: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    refresh_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class DashboardTileRecord(Base):
    """One tile of a dashboard: where it sits (grid cells) and what it shows.

    A chart tile points at a saved chart (``chart_id``) or carries its own ``sql`` and
    ``spec``; a KPI tile carries ``sql`` and a kpi ``spec``; a table tile ``sql``; a text
    tile ``text``. Deleting the dashboard deletes its tiles.
    """

    __tablename__ = "dashboard_tiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dashboards.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # chart, kpi, table, text
    title: Mapped[str] = mapped_column(String(200), default="")
    x: Mapped[int] = mapped_column(Integer, default=0)
    y: Mapped[int] = mapped_column(Integer, default=0)
    w: Mapped[int] = mapped_column(Integer, default=4)
    h: Mapped[int] = mapped_column(Integer, default=3)
    chart_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("saved_charts.id", ondelete="SET NULL"), nullable=True
    )
    sql: Mapped[str | None] = mapped_column(Text, nullable=True)
    spec: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)


# ---------------------------------------------------------------------- agent memory (0005)
class MemoryPreferenceRecord(Base):
    """A standing preference the agent learned or the person set ("fiscal_year_start": 4).

    ``said`` keeps the sentence it was learned from, so the Memory panel can show why.
    """

    __tablename__ = "memory_preferences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    value: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(20), default="said")  # said, correction, edited
    said: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class MemoryEpisodeRecord(Base):
    """One question the agent answered: its SQL, the result's shape, who answered, and the
    person's verdict (1 helpful, -1 not, 0 none). A -1 answer is never reused."""

    __tablename__ = "memory_episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation: Mapped[str] = mapped_column(String(40), index=True)
    question: Mapped[str] = mapped_column(Text)
    # The question's content words, sorted (core/agent/memory/recall.py): the same question
    # in other words has the same key, so reuse is one indexed lookup.
    question_key: Mapped[str] = mapped_column(String(400), index=True, default="")
    sql: Mapped[str | None] = mapped_column(Text, nullable=True)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str] = mapped_column(Text, default="")
    chart: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    provider: Mapped[str] = mapped_column(String(100))
    feedback: Mapped[int] = mapped_column(Integer, default=0)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class GlossaryRecord(Base):
    """A business term and what it means: SQL ("sum(price*qty)") or words."""

    __tablename__ = "memory_glossary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# ---------------------------------------------------------------------- insights (0006)
class InsightReportRecord(Base):
    """The latest findings, or data-quality results, of one source (``kind``: "findings" or
    "quality"), as plain JSON (``core/insights/saved.py``). Removing the source removes them.
    """

    __tablename__ = "insight_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    report: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---------------------------------------------------------------------- semantic layer (0007)
class SemanticRollupRecord(Base):
    """A pre-aggregation built in data.duckdb (``core/semantic/preagg.py``): which table holds
    it, the hash of the SQL it was built from, and a stamp of its sources (row counts, the
    latest time), so a change to either rebuilds it."""

    __tablename__ = "semantic_rollups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)  # cube.pre_aggregation
    table_name: Mapped[str] = mapped_column(String(400))
    definition: Mapped[str] = mapped_column(String(64))
    source_stamp: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
