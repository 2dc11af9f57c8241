"""The semantic layer's records in state.sqlite: the pre-aggregations built so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from aiser_desktop.core.state.models import SemanticRollupRecord

if TYPE_CHECKING:
    from aiser_desktop.core.state.store import StateStore


@dataclass(frozen=True)
class RollupRow:
    name: str
    table_name: str
    definition: str
    source_stamp: str
    rows: int
    seconds: float
    built_at: datetime


def _row(r: SemanticRollupRecord) -> RollupRow:
    return RollupRow(
        r.name, r.table_name, r.definition, r.source_stamp, r.rows, r.seconds, r.built_at
    )


def get_rollup(state: StateStore, name: str) -> RollupRow | None:
    with state.session() as s:
        found = s.scalar(select(SemanticRollupRecord).where(SemanticRollupRecord.name == name))
        return _row(found) if found is not None else None


def rollups(state: StateStore) -> list[RollupRow]:
    with state.session() as s:
        found = s.scalars(select(SemanticRollupRecord).order_by(SemanticRollupRecord.name))
        return [_row(r) for r in found]


def save_rollup(
    state: StateStore,
    name: str,
    table_name: str,
    definition: str,
    stamp: str,
    rows: int,
    seconds: float,
    built_at: datetime,
) -> None:
    with state.session() as s:
        found = s.scalar(select(SemanticRollupRecord).where(SemanticRollupRecord.name == name))
        if found is None:
            found = SemanticRollupRecord(name=name)
            s.add(found)
        found.table_name = table_name
        found.definition = definition
        found.source_stamp = stamp
        found.rows = rows
        found.seconds = seconds
        found.built_at = built_at


def forget_rollup(state: StateStore, name: str) -> None:
    with state.session() as s:
        s.execute(delete(SemanticRollupRecord).where(SemanticRollupRecord.name == name))
