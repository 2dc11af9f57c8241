"""Findings and data-quality reports, saved with their source in state.sqlite.

One row per source and kind ("findings", "quality"): a new report replaces the old one, and
removing the source removes its reports (a foreign key with ON DELETE CASCADE). The reports
are plain JSON, so they sync and export like everything else a person makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from aiser_desktop.core.errors import SourceNotFoundError
from aiser_desktop.core.state.models import InsightReportRecord, SourceRecord

if TYPE_CHECKING:
    from aiser_desktop.core.insights.findings import FindingsReport
    from aiser_desktop.core.state.store import StateStore

KINDS = ("findings", "quality")


@dataclass(frozen=True)
class SavedReport:
    """A stored report: its source, kind, content (plain JSON), when and how long it took."""

    source: str
    kind: str
    report: dict[str, Any]
    seconds: float
    created_at: datetime


def save(state: StateStore, found: FindingsReport) -> None:
    """Stores a findings job's findings and its data-quality results with the source.

    Raises:
        SourceNotFoundError: The source was removed meanwhile.
    """
    from aiser_desktop.core.insights.common import plain

    findings = found.to_json()
    quality = {
        "source": found.source,
        "tables": plain(found.quality),
        "seconds": round(found.seconds, 3),
    }
    with state.session() as s:
        source_id = s.scalars(
            select(SourceRecord.id).where(SourceRecord.name == found.source)
        ).first()
        if source_id is None:
            raise SourceNotFoundError(
                f"There is no source named {found.source!r} any more.",
                hint="It was removed while its findings were made.",
            )
        s.execute(delete(InsightReportRecord).where(InsightReportRecord.source_id == source_id))
        for kind, report in (("findings", findings), ("quality", quality)):
            s.add(
                InsightReportRecord(
                    source_id=source_id, kind=kind, report=report, seconds=found.seconds
                )
            )


def load(state: StateStore, source: str, kind: str = "findings") -> SavedReport | None:
    """The saved report of ``source`` (None when there is none yet)."""
    with state.session() as s:
        row = s.execute(
            select(InsightReportRecord, SourceRecord.name)
            .join(SourceRecord, SourceRecord.id == InsightReportRecord.source_id)
            .where(SourceRecord.name == source, InsightReportRecord.kind == kind)
            .order_by(InsightReportRecord.id.desc())
        ).first()
        if row is None:
            return None
        record, name = row
        created = record.created_at
        return SavedReport(
            name,
            record.kind,
            dict(record.report),
            float(record.seconds),
            created if created.tzinfo else created.replace(tzinfo=UTC),
        )


def run_and_save(
    ws: Any, source: str, *, today: Any = None, should_stop: Any = None, cursors: Any = None
) -> FindingsReport:
    """Runs the findings job on ``source`` of an open workspace and saves what it found.

    Runs on a cursor of its own (from any thread, beside the person's queries); ``cursors``
    (with ``add``/``discard``) lets a window interrupt it when it closes.

    Raises:
        SourceNotFoundError: No such source.
        QueryError: DuckDB failed (a linked database that stopped answering, say).
    """
    from aiser_desktop.core.engine.diagnostics import translate
    from aiser_desktop.core.insights.findings import find_findings

    catalog = ws.sources.catalog()
    info = next((s for s in catalog if s.name.lower() == source.lower()), None)
    if info is None:
        raise SourceNotFoundError(
            f"There is no source named {source!r}.",
            hint=f"Sources: {', '.join(s.name for s in catalog) or 'none yet'}.",
        )
    with ws.engine.cursor() as cur:
        if cursors is not None:
            cursors.add(cur)
        try:
            found = find_findings(cur, info, catalog, today=today, should_stop=should_stop)
        except Exception as exc:
            import duckdb

            if isinstance(exc, duckdb.Error):
                raise translate(exc, f"findings of {source}") from exc
            raise
        finally:
            if cursors is not None:
                cursors.discard(cur)
    save(ws.state, found)
    return found
