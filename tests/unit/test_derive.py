"""Sorting and filtering a result as SQL over its rows, never re-running the query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from aiser_desktop.core.engine import Engine, ResultHandle, result
from aiser_desktop.core.engine.derive import (
    Filter,
    FilterError,
    View,
    derive,
    derive_sql,
)
from aiser_desktop.core.errors import QueryCancelledError
from aiser_desktop.core.events import Message
from aiser_desktop.core.workspace import Workspace

SALES = """
CREATE TABLE sales AS SELECT * FROM (VALUES
    (1, 'north', 10.5, DATE '2024-01-03', true),
    (2, 'south', NULL, DATE '2024-01-04', false),
    (3, 'North', 3.0, DATE '2024-02-11', NULL),
    (4, NULL, 7.25, NULL, true),
    (5, 'east', 12.0, DATE '2024-03-01', false)
) t(id, region, amount, sold_on, paid)
"""


@pytest.fixture
def sales(engine: Engine) -> ResultHandle:
    engine.execute(SALES)
    return engine.execute("SELECT * FROM sales ORDER BY id")


def ids(handle: ResultHandle) -> list[int]:
    return [row[0] for row in handle.rows(0, handle.row_count)]


def run(engine: Engine, handle: ResultHandle, view: View) -> ResultHandle:
    return derive(engine, handle, view).result(timeout=30)


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (View("amount"), [3, 4, 1, 5, 2]),  # NULLs last
        (View("amount", descending=True), [5, 1, 4, 3, 2]),
        (View(filters=(Filter("region", "=", "north"),)), [1]),
        (View(filters=(Filter("region", "<>", "north"),)), [2, 3, 5]),
        (View(filters=(Filter("region", "contains", "NOR"),)), [1, 3]),
        (View(filters=(Filter("region", "is null"),)), [4]),
        (View(filters=(Filter("amount", "is not null"),)), [1, 3, 4, 5]),
        (View(filters=(Filter("amount", ">", "7.25"),)), [1, 5]),
        (View(filters=(Filter("amount", "<=", "7.25"),)), [3, 4]),
        (View(filters=(Filter("id", ">=", "4"),)), [4, 5]),
        (View(filters=(Filter("sold_on", "<", "2024-02-01"),)), [1, 2]),
        (View(filters=(Filter("paid", "=", "true"),)), [1, 4]),
        (View(filters=(Filter("amount", ">", 5.0),)), [1, 4, 5]),  # a Python value as is
        (
            View("amount", True, (Filter("region", "is not null"), Filter("id", "<", "5"))),
            [1, 3, 2],
        ),
    ],
)
def test_views_sort_and_filter_the_rows(
    engine: Engine, sales: ResultHandle, view: View, expected: list[int]
) -> None:
    derived = run(engine, sales, view)
    assert ids(derived) == expected
    assert derived.column_names == sales.column_names
    assert derived.query_id == sales.query_id and derived.sql == sales.sql


def test_a_plain_view_is_the_result_itself(engine: Engine, sales: ResultHandle) -> None:
    assert run(engine, sales, View()) is sales


def test_the_query_is_not_run_again(engine: Engine, sales: ResultHandle) -> None:
    engine.execute("DROP TABLE sales")  # its rows now exist only in the result
    assert ids(run(engine, sales, View("id", descending=True))) == [5, 4, 3, 2, 1]


def test_no_query_events_or_history_for_a_view(
    tmp_path: Path, wait_until: Callable[..., None]
) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        handle = ws.engine.execute("SELECT i FROM range(10) t(i)")
        wait_until(lambda: len(ws.state.history()) == 1)  # written just after the result
        seen: list[Message] = []
        ws.hub.subscribe(Message, seen.append)
        derived = run(ws.engine, handle, View("i", descending=True))
        assert ids(derived)[:2] == [9, 8]
        assert seen == []
        ws.engine.call(lambda _session: None).result()  # whatever the view queued has run
        assert len(ws.state.history()) == 1


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (Filter("amount", ">", "lots"), ["'lots'", "amount", "number"]),
        (Filter("sold_on", "=", "3 March"), ["sold_on", "YYYY-MM-DD"]),
        (Filter("paid", "=", "maybe"), ["paid", "true or false"]),
        (Filter("id", "=", None), ["needs a value", "is null"]),
        (Filter("nope", "=", "1"), ["no column 'nope'", "id, region, amount"]),
        (Filter("id", "like", "1"), ["Unknown filter operator", "contains"]),
    ],
)
def test_a_bad_filter_is_refused_at_once_with_a_hint(
    engine: Engine, sales: ResultHandle, item: Filter, words: list[str]
) -> None:
    with pytest.raises(FilterError) as caught:
        derive(engine, sales, View(filters=(item,)))
    for word in words:
        assert word in str(caught.value)
    assert caught.value.hint


def test_values_travel_as_parameters_and_names_are_quoted(engine: Engine) -> None:
    odd = '"odd ""name"""'  # the column odd "name", quoted
    handle = engine.execute(f"SELECT 'it''s' AS {odd}, 1 AS \"select\"")
    view = View('odd "name"', filters=(Filter('odd "name"', "=", "it's'; DROP TABLE x; --"),))
    sql, params = derive_sql(view, "r", handle.schema)
    assert "DROP" not in sql and params == ["it's'; DROP TABLE x; --"]
    assert odd in sql
    assert run(engine, handle, view).row_count == 0
    kept = run(engine, handle, View("select", filters=(Filter('odd "name"', "=", "it's"),)))
    assert kept.rows() == [("it's", 1)]


def test_lists_and_times_are_compared_as_text(engine: Engine) -> None:
    handle = engine.execute("SELECT [1, 2] AS l, TIME '10:30:00' AS t UNION ALL SELECT [3], NULL")
    assert run(engine, handle, View(filters=(Filter("l", "=", "[1, 2]"),))).row_count == 1
    found = run(engine, handle, View(filters=(Filter("t", "contains", "10:30"),)))
    assert found.rows() == [([1, 2], dt.time(10, 30))]


def test_a_view_of_a_spilled_result(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)
    handle = engine.execute("SELECT i, i % 7 AS r FROM range(30000) t(i)")
    assert handle.spilled
    derived = run(engine, handle, View("i", True, (Filter("r", "=", "3"),)))
    assert derived.spilled  # 4,286 rows: big by this test's measure, so spilled too
    expected = [i for i in range(29_999, -1, -1) if i % 7 == 3]
    assert derived.row_count == len(expected)
    assert derived.page(0, 3).column("i").to_pylist() == expected[:3]
    assert derived.page(len(expected) - 2, 5).column("i").to_pylist() == expected[-2:]
    assert derived.spill_path != handle.spill_path


def test_a_view_can_be_cancelled(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, wait_until: Callable[..., None]
) -> None:
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)
    handle = engine.execute("SELECT i, md5(i::VARCHAR) AS h FROM range(3000000) t(i)")
    folder = handle.spill_path.parent if handle.spill_path else None
    assert folder is not None
    # In-memory engines share one spill folder per process: other tests' handles may still be
    # there (until garbage-collected), so what counts is what this job adds.
    before = set(folder.iterdir())
    job = derive(engine, handle, View("h", filters=(Filter("h", "contains", "a"),)))
    wait_until(lambda: job._con is not None, timeout=30)  # running on the worker
    job.cancel()
    assert job.done()
    with pytest.raises(QueryCancelledError):
        job.result()
    assert engine.execute("SELECT 1").rows() == [(1,)]  # the worker is free again
    assert handle.spill_path in before
    assert set(folder.iterdir()) - before == set()  # the cancelled view left no file


def test_describe_says_what_is_shown() -> None:
    view = View("amount", True, (Filter("region", "=", "north"), Filter("paid", "is null")))
    assert view.describe() == (
        "where region = 'north' and paid is null, sorted by amount descending"
    )
    assert View().describe() == "" and View().is_plain
    schema = pa.schema([("amount", pa.float64()), ("region", pa.string()), ("paid", pa.bool_())])
    sql, params = derive_sql(view, "r", schema)
    assert sql.endswith('ORDER BY "amount" DESC NULLS LAST')
    assert params == ["north"]


def test_columns_that_share_a_name(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A join gives two columns called x: they are told apart by position, keep their names."""
    sql = "SELECT t.x, u.x FROM range(3) t(x), (VALUES (10), (20)) u(x)"
    for spill in (False, True):
        monkeypatch.setattr(result, "MEMORY_ROWS", 2 if spill else 1_000_000)
        handle = engine.execute(sql)
        assert handle.spilled == spill
        assert handle.column_names == ["x", "x"] and handle.sql_names == ["x", "x_1"]
        assert handle.page(0, 1).column_names == ["x", "x"]
        derived = run(engine, handle, View(1, True, (Filter(0, ">=", "1"),)))
        assert derived.column_names == ["x", "x"]
        assert [row[1] for row in derived.rows(0, 10)] == [20, 20, 10, 10]
        assert sorted(derived.rows(0, 10)) == [(1, 10), (1, 20), (2, 10), (2, 20)]
        with pytest.raises(FilterError, match="2 columns named 'x'"):
            derive(engine, handle, View("x"))
    assert View(1, filters=(Filter(0, "=", 1),)).describe(["x", "x"]) == (
        "where x = 1, sorted by x ascending"
    )
