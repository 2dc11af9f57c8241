"""M4 keeps, per pixel column, exactly the first, last, lowest and highest point (checked
against numpy), and the pyramid gives the same extremes from its stored records."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from aiser_desktop.core.charts import pyramid
from aiser_desktop.core.charts.data import fetch_chart_data
from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.engine import Engine

ROWS = 60_000


@pytest.fixture
def walk(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """A random walk stored in random order, with distinct x (in seconds) and y."""
    rng = np.random.default_rng(7)
    x = rng.permutation(ROWS).astype(np.int64) * 1_000_000 + 1_700_000_000_000_000
    y = np.cumsum(rng.normal(size=ROWS)) + rng.random(ROWS) * 1e-6
    table = pa.table({"t": pa.array(x, pa.timestamp("us")), "v": y})

    def load(session: object) -> None:
        session.register("walk_rows", table)  # type: ignore[attr-defined]
        session.execute("CREATE TABLE walk AS SELECT * FROM walk_rows")  # type: ignore[attr-defined]
        session.unregister("walk_rows")  # type: ignore[attr-defined]

    engine.call(load).result()
    return x / 1e6, y


def truth(x: np.ndarray, y: np.ndarray, lo: float, hi: float, width: int) -> dict[str, np.ndarray]:
    """Per pixel column: first and last x with their y, lowest and highest y (numpy)."""
    keep = (x >= lo) & (x <= hi)
    x, y = x[keep], y[keep]
    px = np.clip(np.floor((x - lo) * width / (hi - lo)), 0, width - 1).astype(int)
    order = np.lexsort((x, px))
    x, y, px = x[order], y[order], px[order]
    starts = np.flatnonzero(np.r_[True, px[1:] != px[:-1]])
    ends = np.r_[starts[1:], len(px)] - 1
    return {
        "px": px[starts],
        "first": y[starts],
        "last": y[ends],
        "min": np.minimum.reduceat(y, starts),
        "max": np.maximum.reduceat(y, starts),
    }


def drawn(table: pa.Table, lo: float, hi: float, width: int) -> dict[int, np.ndarray]:
    x = table.column("t").cast(pa.int64()).to_numpy() / 1e6
    y = table.column("v").to_numpy()
    px = np.clip(np.floor((x - lo) * width / (hi - lo)), 0, width - 1).astype(int)
    order = np.argsort(x, kind="stable")
    groups: dict[int, list[float]] = {}
    for p, value in zip(px[order], y[order], strict=True):
        groups.setdefault(int(p), []).append(float(value))
    return {p: np.array(v) for p, v in groups.items()}


def test_m4_keeps_first_last_min_and_max_of_every_pixel_column(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = walk
    width = 300
    data = fetch_chart_data(
        engine, "SELECT t, v FROM walk", ChartSpec("line", x="t", y=["v"]), pixels=width
    )
    assert data.method == "m4" and data.downsampled and data.rows_in == ROWS
    assert data.table.num_rows <= 4 * width
    lo, hi = x.min(), x.max()
    assert data.x_range == (lo, hi)
    want = truth(x, y, lo, hi, width)
    got = drawn(data.table, lo, hi, width)
    assert sorted(got) == list(want["px"])
    for i, p in enumerate(want["px"]):
        points = got[int(p)]
        assert points[0] == want["first"][i] and points[-1] == want["last"][i]
        assert points.min() == want["min"][i] and points.max() == want["max"][i]
        assert len(points) <= 4


def test_a_zoom_is_exact_m4_of_the_visible_range(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = walk
    lo = float(np.quantile(x, 0.40))
    hi = float(np.quantile(x, 0.45))
    data = fetch_chart_data(
        engine,
        "SELECT t, v FROM walk",
        ChartSpec("line", x="t", y=["v"]),
        pixels=200,
        x_range=(lo, hi),
    )
    want = truth(x, y, lo, hi, 200)
    got = drawn(data.table, lo, hi, 200)
    assert data.rows_in == int(((x >= lo) & (x <= hi)).sum())
    assert [got[int(p)].min() for p in want["px"]] == list(want["min"])
    assert [got[int(p)].max() for p in want["px"]] == list(want["max"])


@pytest.fixture
def small_pyramids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pyramids for small tables, so the test runs in a second."""
    monkeypatch.setattr(pyramid, "MIN_ROWS", 1000)
    monkeypatch.setattr(pyramid, "ROWS_PER_BUCKET", 2)


def test_the_pyramid_gives_the_exact_m4_when_pixels_fall_on_bucket_edges(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray], small_pyramids: None
) -> None:
    x, y = walk
    spec = ChartSpec("line", x="t", y=["v"])
    data = fetch_chart_data(engine, "SELECT t, v FROM walk", spec, pixels=256)
    assert data.method == "pyramid" and data.rows_in == ROWS
    lo, hi = data.x_range  # the pyramid's buckets end a fraction of a second past the last row
    assert lo == x.min() and 0 <= hi - x.max() < 1
    want = truth(x, y, lo, hi, 256)
    got = drawn(data.table, lo, hi, 256)
    for i, p in enumerate(want["px"]):
        points = got[int(p)]
        assert points[0] == want["first"][i] and points[-1] == want["last"][i]
        assert points.min() == want["min"][i] and points.max() == want["max"][i]


def test_the_pyramid_keeps_every_extreme_within_one_pixel_column(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray], small_pyramids: None
) -> None:
    x, y = walk
    width = 300
    data = fetch_chart_data(
        engine, "SELECT t, v FROM walk", ChartSpec("line", x="t", y=["v"]), pixels=width
    )
    assert data.method == "pyramid"
    lo, hi = data.x_range
    want = truth(x, y, lo, hi, width)
    got = drawn(data.table, lo, hi, width)
    assert data.table.column("v").to_numpy().min() == y.min()
    assert data.table.column("v").to_numpy().max() == y.max()
    real = dict(zip(x.tolist(), y.tolist(), strict=True))
    xs = data.table.column("t").cast(pa.int64()).to_numpy() / 1e6
    assert all(
        real[a] == b for a, b in zip(xs.tolist(), data.table.column("v").to_pylist(), strict=True)
    )
    lows = {int(p): got[int(p)].min() for p in want["px"] if int(p) in got}
    for i, p in enumerate(want["px"]):
        near = [lows[q] for q in (p - 1, p, p + 1) if q in lows]
        assert (
            min(near) <= want["min"][i]
        )  # the column's lowest point is drawn, at most a column away
    exact = sum(lows.get(int(p)) == want["min"][i] for i, p in enumerate(want["px"]))
    assert exact >= 0.8 * len(want["px"])


def test_the_pyramid_is_rebuilt_when_the_table_changes(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray], small_pyramids: None
) -> None:
    spec = ChartSpec("line", x="t", y=["v"])
    first = fetch_chart_data(engine, "SELECT t, v FROM walk", spec, pixels=256)
    assert first.method == "pyramid"
    engine.execute("INSERT INTO walk VALUES (TIMESTAMP '2024-01-01 00:00:00', 1e9)")
    again = fetch_chart_data(engine, "SELECT t, v FROM walk", spec, pixels=256)
    assert again.method == "pyramid" and again.rows_in == ROWS + 1
    assert again.table.column("v").to_numpy().max() == 1e9
    built = engine.execute("SELECT count(*) FROM _aiser_charts.pyramids").table.column(0)[0]
    assert built.as_py() == 1


def test_a_deep_zoom_reads_the_rows_and_aggregated_lines_never_use_a_pyramid(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray], small_pyramids: None
) -> None:
    x, _ = walk
    spec = ChartSpec("line", x="t", y=["v"])
    lo = float(np.sort(x)[ROWS // 2])
    narrow = fetch_chart_data(
        engine, "SELECT t, v FROM walk", spec, pixels=500, x_range=(lo, lo + 600)
    )
    assert narrow.method == "m4" and narrow.rows_in == 601
    summed = fetch_chart_data(
        engine,
        "SELECT t, v FROM walk",
        ChartSpec("line", x="t", y=["v"], aggregation="sum"),
        pixels=256,
    )
    assert summed.method == "m4"
    assert pyramid.plain_scan("SELECT t, v FROM walk WHERE v > 0") is None
    assert pyramid.plain_scan("SELECT t AS time, v FROM main.walk ORDER BY t") == (
        ("main", "walk"),
        {"time": "t", "v": "v"},
        False,
    )


def test_a_preview_answers_from_a_sample_while_the_pyramid_builds(
    engine: Engine,
    walk: tuple[np.ndarray, np.ndarray],
    small_pyramids: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x, y = walk
    monkeypatch.setattr(pyramid, "PREVIEW_ROWS", ROWS // 4)
    spec = ChartSpec("line", x="t", y=["v"])
    first = fetch_chart_data(engine, "SELECT t, v FROM walk", spec, pixels=256, preview=True)
    assert first.method == "preview" and first.pending is not None
    assert 0 < (first.rows_in or 0) < ROWS and "being prepared" in first.note
    real = dict(zip(x.tolist(), y.tolist(), strict=True))
    xs = first.table.column("t").cast(pa.int64()).to_numpy() / 1e6
    drawn_points = zip(xs.tolist(), first.table.column("v").to_pylist(), strict=True)
    assert all(real[a] == b for a, b in drawn_points)
    first.pending.result(timeout=60)
    full = fetch_chart_data(engine, "SELECT t, v FROM walk", spec, pixels=256, preview=True)
    assert full.method == "pyramid" and full.pending is None and full.rows_in == ROWS


def test_the_pyramid_of_a_removed_table_goes_with_the_next_build(
    engine: Engine, walk: tuple[np.ndarray, np.ndarray], small_pyramids: None
) -> None:
    spec = ChartSpec("line", x="t", y=["v"])
    assert fetch_chart_data(engine, "SELECT t, v FROM walk", spec).method == "pyramid"
    engine.execute("CREATE TABLE walk2 AS SELECT * FROM walk")
    engine.execute("DROP TABLE walk")
    assert fetch_chart_data(engine, "SELECT t, v FROM walk2", spec).method == "pyramid"
    kept = engine.execute("SELECT relation FROM _aiser_charts.pyramids").table.column(0)
    assert kept.to_pylist() == ['"memory"."main"."walk2"']
    tables = engine.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_aiser_charts'"
    ).table.column(0)[0]
    assert tables.as_py() == 2  # the bookkeeping and walk2's pyramid
