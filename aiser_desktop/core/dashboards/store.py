"""Saved charts and dashboards in state.sqlite, behind a small typed API.

Every call is one transaction: a dashboard saved with its tiles is all there or not at all.
The store takes the workspace's :class:`StateStore` (its engine and sessions); it keeps no
state of its own, so it can be made wherever it is needed (window, CLI, agent, tests).
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.dashboards import layout
from aiser_desktop.core.dashboards.model import (
    MAX_NAME,
    Dashboard,
    DashboardError,
    DashboardFilter,
    SavedChart,
    Tile,
    check_name,
)
from aiser_desktop.core.state.models import (
    DashboardRecord,
    DashboardTileRecord,
    SavedChartRecord,
)
from aiser_desktop.core.state.store import StateStore


class DashboardStore:
    """Reads and writes saved charts and dashboards.

    Args:
        state: The workspace's state.sqlite (``ws.state``).
    """

    def __init__(self, state: StateStore) -> None:
        self._state = state

    # ------------------------------------------------------------------ saved charts
    def charts(self) -> list[SavedChart]:
        """Every saved chart, by name."""
        with self._state.session() as s:
            query = select(SavedChartRecord).order_by(func.lower(SavedChartRecord.name))
            return [_chart(r) for r in s.scalars(query).all()]

    def chart(self, chart_id: int) -> SavedChart:
        """Raises DashboardError when it no longer exists."""
        with self._state.session() as s:
            return _chart(_chart_record(s, chart_id))

    def save_chart(
        self, name: str, sql: str, spec: ChartSpec | dict[str, Any], *, chart_id: int | None = None
    ) -> SavedChart:
        """Saves a chart as a new one named ``name``, or over chart ``chart_id``.

        Raises:
            DashboardError: An empty or taken name, an empty query, or a bad spec.
        """
        name = check_name(name, "saved chart")
        if not sql.strip():
            raise DashboardError("A saved chart needs its query.", hint="Run a query first.")
        data = spec.to_dict() if isinstance(spec, ChartSpec) else dict(spec)
        ChartSpec.from_dict(data)  # refuses what is not a chart spec
        with self._state.session() as s:
            taken = s.scalars(
                select(SavedChartRecord).where(func.lower(SavedChartRecord.name) == name.lower())
            ).first()
            if taken is not None and taken.id != chart_id:
                raise DashboardError(
                    f"A saved chart is already named {taken.name!r}.",
                    hint="Choose another name.",
                )
            if chart_id is None:
                record = SavedChartRecord(name=name, sql=sql, spec=data)
                s.add(record)
            else:
                record = _chart_record(s, chart_id)
                record.name, record.sql, record.spec = name, sql, data
            s.flush()
            return _chart(record)

    def free_chart_name(self, base: str) -> str:
        """``base``, or "base (2)", "base (3)"...: the first name no saved chart has."""
        base = check_name(base, "saved chart")[: MAX_NAME - 8]
        with self._state.session() as s:
            taken = {n.lower() for n in s.scalars(select(SavedChartRecord.name)).all()}
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base} ({n})"
        return name

    def delete_chart(self, chart_id: int) -> None:
        """Deletes a saved chart that no dashboard shows.

        Raises:
            DashboardError: A dashboard shows it (the message names them).
        """
        with self._state.session() as s:
            record = _chart_record(s, chart_id)
            users = s.scalars(
                select(DashboardRecord.name)
                .join(DashboardTileRecord, DashboardTileRecord.dashboard_id == DashboardRecord.id)
                .where(DashboardTileRecord.chart_id == chart_id)
                .distinct()
            ).all()
            if users:
                raise DashboardError(
                    f"The chart {record.name!r} is on the dashboard(s) {', '.join(users)}.",
                    hint="Remove its tiles from those dashboards first.",
                )
            s.delete(record)

    # ------------------------------------------------------------------ dashboards
    def dashboards(self) -> list[Dashboard]:
        """Every dashboard with its tiles, by name."""
        with self._state.session() as s:
            query = select(DashboardRecord).order_by(func.lower(DashboardRecord.name))
            return [_dashboard(s, r) for r in s.scalars(query).all()]

    def dashboard(self, key: int | str) -> Dashboard:
        """The dashboard with this id, or this name (case-insensitive).

        Raises:
            DashboardError: There is none; the message lists the names that come close.
        """
        with self._state.session() as s:
            return _dashboard(s, _dashboard_record(s, key))

    def create_dashboard(self, name: str, *, refresh_minutes: int = 0) -> Dashboard:
        """A new, empty dashboard.

        Raises:
            DashboardError: The name is empty, too long or taken.
        """
        name = check_name(name, "dashboard")
        with self._state.session() as s:
            _check_free(s, name, None)
            record = DashboardRecord(name=name, filters=[], refresh_minutes=max(0, refresh_minutes))
            s.add(record)
            s.flush()
            return _dashboard(s, record)

    def rename_dashboard(self, dashboard_id: int, name: str) -> Dashboard:
        name = check_name(name, "dashboard")
        with self._state.session() as s:
            _check_free(s, name, dashboard_id)
            record = _dashboard_record(s, dashboard_id)
            record.name = name
            s.flush()
            return _dashboard(s, record)

    def delete_dashboard(self, dashboard_id: int) -> bool:
        """Deletes a dashboard and its tiles (its saved charts stay). False if it was gone."""
        with self._state.session() as s:
            s.execute(
                delete(DashboardTileRecord).where(DashboardTileRecord.dashboard_id == dashboard_id)
            )
            result = s.execute(delete(DashboardRecord).where(DashboardRecord.id == dashboard_id))
            return bool(getattr(result, "rowcount", 0))

    def save(self, dashboard: Dashboard) -> Dashboard:
        """Stores ``dashboard`` as it is: its name, filters, interval and every tile (tiles
        it no longer has are removed, new ones added). Returns it as stored (with ids).

        Raises:
            DashboardError: It no longer exists, its name is taken, or a tile is incomplete.
        """
        if dashboard.id is None:
            raise DashboardError("Create the dashboard before saving it.", hint="")
        name = check_name(dashboard.name, "dashboard")
        for tile in dashboard.tiles:
            tile.check()
        with self._state.session() as s:
            _check_free(s, name, dashboard.id)
            record = _dashboard_record(s, dashboard.id)
            record.name = name
            record.filters = [f.to_dict() for f in dashboard.filters]
            record.refresh_minutes = max(0, dashboard.refresh_minutes)
            existing = {
                t.id: t
                for t in s.scalars(
                    select(DashboardTileRecord).where(DashboardTileRecord.dashboard_id == record.id)
                ).all()
            }
            keep = {t.id for t in dashboard.tiles if t.id is not None}
            for tile_id, gone in existing.items():
                if tile_id not in keep:
                    s.delete(gone)
            for tile in dashboard.tiles:
                row = existing.get(tile.id) if tile.id is not None else None
                if row is None:
                    row = DashboardTileRecord(dashboard_id=record.id)
                    s.add(row)
                _fill(row, layout.clamp(tile))
            record.updated_at = _now()
            s.flush()
            return _dashboard(s, record)

    def add_tile(self, dashboard_id: int, tile: Tile, *, free_place: bool = True) -> Tile:
        """Adds a tile to a dashboard; with ``free_place`` it goes in the first free place.

        Raises:
            DashboardError: The dashboard is gone, or the tile lacks what its kind needs.
        """
        tile.check()
        with self._state.session() as s:
            record = _dashboard_record(s, dashboard_id)
            if tile.chart_id is not None:
                _chart_record(s, tile.chart_id)
            if free_place:
                others = _dashboard(s, record).tiles
                x, y = layout.next_free(list(others), tile.w, tile.h)
                tile = tile.moved(x, y)
            row = DashboardTileRecord(dashboard_id=record.id)
            _fill(row, layout.clamp(tile))
            s.add(row)
            record.updated_at = _now()
            s.flush()
            return _tile(row)

    def remove_tile(self, tile_id: int) -> bool:
        with self._state.session() as s:
            result = s.execute(delete(DashboardTileRecord).where(DashboardTileRecord.id == tile_id))
            return bool(getattr(result, "rowcount", 0))


def _now() -> Any:
    from aiser_desktop.core.state.models import utcnow

    return utcnow()


def _fill(row: DashboardTileRecord, tile: Tile) -> None:
    row.kind, row.title = tile.kind, tile.title[:200]
    row.x, row.y, row.w, row.h = tile.x, tile.y, tile.w, tile.h
    row.chart_id, row.sql, row.spec, row.text = tile.chart_id, tile.sql, tile.spec, tile.text


def _tile(r: DashboardTileRecord) -> Tile:
    return Tile(
        kind=r.kind,
        title=r.title,
        x=r.x,
        y=r.y,
        w=r.w,
        h=r.h,
        id=r.id,
        chart_id=r.chart_id,
        sql=r.sql,
        spec=dict(r.spec) if r.spec else None,
        text=r.text,
    )


def _dashboard(s: Session, r: DashboardRecord) -> Dashboard:
    tiles = s.scalars(
        select(DashboardTileRecord)
        .where(DashboardTileRecord.dashboard_id == r.id)
        .order_by(DashboardTileRecord.y, DashboardTileRecord.x, DashboardTileRecord.id)
    ).all()
    return Dashboard(
        name=r.name,
        tiles=tuple(_tile(t) for t in tiles),
        filters=tuple(DashboardFilter.from_dict(f) for f in r.filters or []),
        refresh_minutes=r.refresh_minutes,
        id=r.id,
        updated_at=_utc(r.updated_at),
    )


def _chart(r: SavedChartRecord) -> SavedChart:
    return SavedChart(r.id, r.name, r.sql, dict(r.spec or {}), _utc(r.updated_at))


def _utc(moment: Any) -> Any:
    from datetime import UTC

    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _chart_record(s: Session, chart_id: int) -> SavedChartRecord:
    record = s.get(SavedChartRecord, chart_id)
    if record is None:
        raise DashboardError(
            f"The saved chart {chart_id} no longer exists.",
            hint="It was deleted; add the chart again from its query.",
        )
    return record


def _dashboard_record(s: Session, key: int | str) -> DashboardRecord:
    if isinstance(key, int):
        record = s.get(DashboardRecord, key)
    else:
        wanted = " ".join(key.split()).lower()
        record = s.scalars(
            select(DashboardRecord).where(func.lower(DashboardRecord.name) == wanted)
        ).first()
    if record is not None:
        return record
    names = list(s.scalars(select(DashboardRecord.name)).all())
    close = difflib.get_close_matches(str(key), names, n=3, cutoff=0.5)
    if close:
        hint = f"Did you mean {', '.join(repr(n) for n in close)}?"
    elif names:
        hint = f"Dashboards: {', '.join(sorted(names, key=str.lower))}."
    else:
        hint = "There are no dashboards yet; make one in the app (File > New dashboard)."
    raise DashboardError(f"There is no dashboard {key!r}.", hint=hint)


def _check_free(s: Session, name: str, dashboard_id: int | None) -> None:
    taken = s.scalars(
        select(DashboardRecord).where(func.lower(DashboardRecord.name) == name.lower())
    ).first()
    if taken is not None and taken.id != dashboard_id:
        raise DashboardError(
            f"A dashboard is already named {taken.name!r}.", hint="Choose another name."
        )
