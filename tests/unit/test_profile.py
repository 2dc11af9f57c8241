"""Column profiles computed in DuckDB: counts, range, distinct values and a histogram."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from aiser_desktop.core.engine import Engine, ResultHandle, result
from aiser_desktop.core.engine.derive import FilterError
from aiser_desktop.core.insights import profile as profiles
from aiser_desktop.core.insights.profile import BINS, ColumnProfile, kind_of, profile
from aiser_desktop.core.workspace import Workspace

QUERY = """
SELECT i AS id,
       CASE WHEN i % 10 = 0 THEN NULL ELSE i * 0.5 END AS amount,
       i % 5 AS small,
       DATE '2024-01-01' + (i % 90)::INT AS day,
       TIMESTAMP '2024-01-01 00:00:00' + to_minutes(i::BIGINT) AS at,
       ['a', 'b', 'b', 'c', 'c', 'c'][1 + (i % 6)::INT] AS letter,
       i % 3 = 0 AS flag,
       [i % 2] AS list,
       NULL::INTEGER AS empty
FROM range(1000) t(i)
"""


@pytest.fixture
def handle(engine: Engine) -> ResultHandle:
    return engine.execute(QUERY)


def of(engine: Engine, handle: ResultHandle, column: str) -> ColumnProfile:
    return profile(engine, handle, column).result(timeout=30)


def test_a_number_column(engine: Engine, handle: ResultHandle) -> None:
    found = of(engine, handle, "amount")
    assert (found.kind, found.rows, found.nulls) == ("number", 1000, 100)
    assert found.distinct == 900 and not found.approximate
    assert (found.min, found.max) == (0.5, 499.5)
    assert found.histogram == "bins" and len(found.bins) == BINS
    assert sum(b.count for b in found.bins) == 900
    assert found.bins[0].low == 0.5 and found.bins[-1].high == 499.5
    assert all(b.count == 45 for b in found.bins)  # evenly spread: 900 values over 20 bins


def test_a_small_whole_number_range_gets_a_bin_per_value(
    engine: Engine, handle: ResultHandle
) -> None:
    found = of(engine, handle, "small")
    assert [(b.label, b.count) for b in found.bins] == [(str(n), 200) for n in range(5)]


def test_dates_and_times_get_bins_labelled_as_such(engine: Engine, handle: ResultHandle) -> None:
    days = of(engine, handle, "day")
    assert days.kind == "date"
    assert (days.min, days.max) == (dt.date(2024, 1, 1), dt.date(2024, 3, 30))
    assert days.bins[0].label == "2024-01-01"
    assert sum(b.count for b in days.bins) == 1000
    times = of(engine, handle, "at")
    assert times.kind == "timestamp"
    assert times.max == dt.datetime(2024, 1, 1, 16, 39)
    assert times.bins[0].label == "2024-01-01 00:00"
    assert sum(b.count for b in times.bins) == 1000


def test_text_gets_its_most_common_values(engine: Engine, handle: ResultHandle) -> None:
    found = of(engine, handle, "letter")
    assert found.kind == "text" and found.histogram == "top"
    assert [(b.label, b.count) for b in found.bins] == [("c", 499), ("b", 334), ("a", 167)]
    assert found.other == 0 and found.distinct == 3
    assert (found.min, found.max) == ("a", "c")


def test_booleans_lists_and_empty_columns(engine: Engine, handle: ResultHandle) -> None:
    flags = of(engine, handle, "flag")
    assert flags.kind == "bool"
    assert [(b.label, b.count) for b in flags.bins] == [("false", 666), ("true", 334)]
    lists = of(engine, handle, "list")
    assert lists.kind == "other" and {b.label for b in lists.bins} == {"[0]", "[1]"}
    empty = of(engine, handle, "empty")
    assert (empty.nulls, empty.distinct, empty.min, empty.max, empty.bins) == (
        1000,
        0,
        None,
        None,
        (),
    )


def test_infinities_and_nan_stay_out_of_the_range(engine: Engine) -> None:
    handle = engine.execute(
        "SELECT x FROM (VALUES (1.0), (2.0), ('inf'::DOUBLE), ('nan'::DOUBLE), (NULL)) t(x)"
    )
    found = of(engine, handle, "x")
    assert (found.min, found.max) == (1.0, 2.0)
    assert sum(b.count for b in found.bins) == 2
    assert all(math.isfinite(b.low) for b in found.bins)


def test_big_results_use_estimates(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles, "EXACT_LIMIT", 1_000)
    monkeypatch.setattr(result, "MEMORY_ROWS", 1_000)
    handle = engine.execute(
        "SELECT CASE WHEN i % 10 < 6 THEN 'common' WHEN i % 10 < 9 THEN 'usual' "
        "ELSE 'rare-' || i END AS word FROM range(20000) t(i)"
    )
    assert handle.spilled
    found = of(engine, handle, "word")
    assert found.approximate
    assert abs(found.distinct - 2002) < 200  # HyperLogLog: within a few percent
    assert [(b.label, b.count) for b in found.bins[:2]] == [("common", 12000), ("usual", 6000)]
    assert found.other == 20000 - sum(b.count for b in found.bins)


def test_any_relation_can_be_profiled(tmp_path: Path) -> None:
    """The sources tree can profile a table the same way (a plain cursor, a table name)."""
    with Workspace.open(tmp_path / "ws") as ws:
        ws.engine.execute('CREATE TABLE "odd table" AS SELECT i AS "a b" FROM range(10) t(i)')
        with ws.engine.cursor() as cursor:
            found = profiles.profile_column(cursor, '"odd table"', "a b")
        assert (found.rows, found.min, found.max, found.distinct) == (10, 0, 9, 10)


def test_an_unknown_column_is_refused(engine: Engine, handle: ResultHandle) -> None:
    with pytest.raises(FilterError, match="no column 'nope'"):
        profile(engine, handle, "nope")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("DECIMAL(10,2)", "number"),
        ("UBIGINT", "number"),
        ("TIMESTAMP WITH TIME ZONE", "timestamp"),
        ("DATE", "date"),
        ("VARCHAR", "text"),
        ("INTEGER[]", "other"),
        ("STRUCT(a INTEGER)", "other"),
        ("BLOB", "other"),
    ],
)
def test_kinds_of_duckdb_types(name: str, kind: str) -> None:
    assert kind_of(name) == kind


def test_a_column_that_shares_its_name(engine: Engine) -> None:
    handle = engine.execute("SELECT t.x, u.x FROM range(3) t(x), (VALUES (10), (20)) u(x)")
    found = of_position(engine, handle, 1)
    assert (found.column, found.min, found.max, found.distinct) == ("x", 10, 20, 2)


def of_position(engine: Engine, handle: ResultHandle, column: int) -> ColumnProfile:
    return profile(engine, handle, column).result(timeout=30)


def test_columns_named_like_the_profiles_own_aliases(engine: Engine) -> None:
    handle = engine.execute("SELECT i AS b, i % 3 AS v, 'x' || (i % 2) AS n FROM range(90) t(i)")
    assert sum(b.count for b in of(engine, handle, "b").bins) == 90
    assert [b.count for b in of(engine, handle, "v").bins] == [30, 30, 30]
    assert [(b.label, b.count) for b in of(engine, handle, "n").bins] == [("x0", 45), ("x1", 45)]
