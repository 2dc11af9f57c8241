"""Big results go to a file as they stream, and read back by page from anywhere in it."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from aiser_desktop.core.engine import Engine, ResultHandle, result, session
from aiser_desktop.core.errors import AiserError, QueryCancelledError
from aiser_desktop.core.workspace import Workspace

ROWS = 50_000
QUERY = f"SELECT i, i * 2 AS twice, md5(i::VARCHAR) AS hash FROM range({ROWS}) t(i)"


@pytest.fixture
def small_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Results above 1,000 rows are spilled, so small tests take the big-result path."""
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)


def expected_rows(start: int, stop: int) -> list[int]:
    return list(range(start, stop))


def test_a_small_result_stays_in_memory(engine: Engine) -> None:
    handle = engine.execute("SELECT i FROM range(10) t(i)")
    assert not handle.spilled
    assert handle.spill_path is None
    assert handle.table.num_rows == 10


def test_a_big_result_is_spilled_and_pages_anywhere(engine: Engine, small_memory: None) -> None:
    handle = engine.execute(QUERY)
    assert handle.spilled
    path = handle.spill_path
    assert path is not None and path.is_file() and path.suffix == ".arrow"
    assert handle.row_count == ROWS
    assert handle.column_names == ["i", "twice", "hash"]
    assert handle.schema.field("twice").type == pa.int64()
    # Pages at the start, across a batch boundary, at the end, and beyond it.
    for offset, limit in [(0, 5), (result.SPILL_BATCH_ROWS - 3, 10), (33_333, 1000)]:
        page = handle.page(offset, limit)
        assert page.column("i").to_pylist() == expected_rows(offset, offset + limit)
        assert page.column("twice").to_pylist() == [2 * i for i in range(offset, offset + limit)]
    assert handle.page(ROWS - 4, 100).column("i").to_pylist() == expected_rows(ROWS - 4, ROWS)
    assert handle.page(ROWS, 10).num_rows == 0
    assert handle.page(ROWS + 500, 10).schema == handle.schema
    assert handle.rows(7, 1)[0][:2] == (7, 14)
    with pytest.raises(ValueError):
        handle.page(-1, 5)


def test_a_spilled_result_streams_every_row_in_order(engine: Engine, small_memory: None) -> None:
    handle = engine.execute(QUERY)
    sizes = [batch.num_rows for batch in handle.batches(7_000)]
    assert max(sizes) <= 7_000 and sum(sizes) == ROWS
    ids = [i for batch in handle.batches(20_000) for i in batch.column("i").to_pylist()]
    assert ids == expected_rows(0, ROWS)
    assert handle.table.column("hash").to_pylist()[:1] == [
        engine.execute("SELECT md5('0')").rows()[0][0]
    ]


def test_wide_rows_spill_by_their_size(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result, "MEMORY_BYTES", 1 << 20)
    handle = engine.execute("SELECT i, repeat('x', 1000) AS text FROM range(5000) t(i)")
    assert handle.spilled
    assert handle.page(4999, 1).column("i").to_pylist() == [4999]


def test_max_rows_on_a_spilled_result(engine: Engine, small_memory: None) -> None:
    handle = engine.execute(QUERY, max_rows=20_000)
    assert handle.spilled and handle.truncated
    assert handle.row_count == 20_000
    assert handle.page(19_999, 5).column("i").to_pylist() == [19_999]
    exact = engine.execute("SELECT i FROM range(3000) t(i)", max_rows=3000)
    assert not exact.truncated and exact.row_count == 3000


def test_a_workspace_spills_into_its_cache_and_cleans_up(
    tmp_path: Path, small_memory: None
) -> None:
    folder = tmp_path / "ws" / ".cache" / "results"
    folder.mkdir(parents=True)
    stale = folder / "q7-999999-1-deadbeef.arrow"
    stale.write_bytes(b"left by a crash")
    with Workspace.open(tmp_path / "ws") as ws:
        handle = ws.engine.execute(QUERY)
        path = handle.spill_path
        assert path is not None and path.parent == folder.resolve()
        assert not stale.exists()  # what a crash left behind went at the first spill
        handle.release()
        assert not path.exists()
        with pytest.raises(AiserError, match="released"):
            handle.page(0, 10)
        other = ws.engine.execute(QUERY)
        other_path = other.spill_path
        assert other_path is not None and other_path.exists()
        other.page(40_000, 10)  # opens the memory map
        del other
        ws.engine.execute("SELECT 1")  # the engine's threads let go of the last job
        gc.collect()
        assert not other_path.exists()  # garbage-collected handles take their file along


def test_a_cancelled_spill_leaves_no_file(
    tmp_path: Path, small_memory: None, wait_until: Callable[..., None]
) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        folder = tmp_path / "ws" / ".cache" / "results"
        job = ws.engine.submit(
            "SELECT i, md5(i::VARCHAR) AS h, md5(h) AS h2 FROM range(200000000) t(i)"
        )
        wait_until(lambda: folder.is_dir() and any(folder.iterdir()), timeout=30)
        job.cancel()
        with pytest.raises(QueryCancelledError):
            job.result()
        assert ws.engine.execute("SELECT 42").rows() == [(42,)]  # the worker has unwound
        assert list(folder.iterdir()) == []


def test_a_spill_folder_that_cannot_be_made_is_a_clear_error(
    engine: Engine, tmp_path: Path, small_memory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(session, "spill_folder", lambda _db: blocker / "results")
    with pytest.raises(AiserError) as caught:
        engine.execute(QUERY)
    assert str(blocker / "results") in str(caught.value)
    assert caught.value.hint


def test_pages_can_be_read_from_several_threads(engine: Engine, small_memory: None) -> None:
    handle = engine.execute(QUERY)
    errors: list[BaseException] = []

    def read(seed: int) -> None:
        try:
            for step in range(200):
                offset = (seed * 7919 + step * 104_729) % (ROWS - 100)
                page = handle.page(offset, 100)
                assert page.column("i").to_pylist() == expected_rows(offset, offset + 100)
        except BaseException as exc:  # collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_page_of_a_spilled_result_is_fast(engine: Engine, small_memory: None) -> None:
    handle = engine.execute(QUERY)
    handle.page(0, 1)  # opens the file
    took = []
    for offset in (45_000, 3_000, 25_000, 12_000, 49_000):
        start = time.perf_counter()
        handle.page(offset, 1000).to_pylist()
        took.append(time.perf_counter() - start)
    assert sorted(took)[2] < 0.05  # milliseconds on any machine; 50 ms is a generous ceiling


def test_a_handle_made_by_hand_still_works() -> None:
    handle = ResultHandle(1, "select …", pa.table({"a": [1, 2, 3]}), 0.01)
    assert (handle.row_count, handle.column_count, handle.seconds) == (3, 1, 0.01)
    assert handle.rows(1, 5) == [(2,), (3,)]
    assert not handle.truncated
    empty = ResultHandle(2, "create table t (a int)")
    assert (empty.row_count, empty.column_count, empty.rows()) == (0, 0, [])
