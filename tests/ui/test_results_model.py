"""The results model: formatting, NULLs, alignment, and memory bounded by pages."""

from __future__ import annotations

import datetime as dt
import decimal

import duckdb
import pyarrow as pa
import pytest
from PySide6.QtCore import Qt

from aiser_desktop.core.engine.result import ResultHandle
from aiser_desktop.ui import results_model
from aiser_desktop.ui.results_model import (
    MAX_CELL_CHARS,
    MAX_PAGES,
    PAGE_ROWS,
    ResultsModel,
    cell_text,
    float_decimals,
    format_value,
)


def handle_of(table: pa.Table) -> ResultHandle:
    return ResultHandle(1, "select …", table, 0.01)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "NULL"),
        (True, "true"),
        (42, "42"),
        (1.5, "1.5"),
        (2.0, "2.0"),
        (1 / 3, "0.333333"),
        (1e20, "1e+20"),
        (float("nan"), "NaN"),
        (decimal.Decimal("10.50"), "10.50"),
        (dt.date(2024, 1, 3), "2024-01-03"),
        (dt.datetime(2024, 1, 3, 4, 5, 6), "2024-01-03 04:05:06"),
        (b"\x01\xff", "\\x01ff"),
        ([1, 2], "[1, 2]"),
        ({"a": "é"}, '{"a": "é"}'),
        ("plain", "plain"),
        (dt.timedelta(days=2, seconds=3661), "2 days 01:01:01"),
    ],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text


def test_intervals_read_as_duckdb_writes_them() -> None:
    con = duckdb.connect()
    for literal in ("2999 days", "1 year 2 months 3 days 04:05:06.5", "-90 minutes", "0 days"):
        table = con.execute(f"SELECT INTERVAL '{literal}' AS v, v::VARCHAR AS t").to_arrow_table()
        value, text = table.column("v")[0].as_py(), table.column("t")[0].as_py()
        assert format_value(value) == text


def test_long_and_multi_line_text_is_shortened_in_the_cell() -> None:
    shown, shortened = cell_text("x" * 1000)
    assert shortened and len(shown) == MAX_CELL_CHARS and shown.endswith("…")
    shown, shortened = cell_text("one\ntwo")
    assert shortened and shown == "one ↵ two"
    assert cell_text("short") == ("short", False)


def test_floats_of_a_column_line_up_on_their_decimal_point(qapp: object) -> None:
    model = ResultsModel()
    model.set_result(handle_of(pa.table({"x": [12.106073, 19.95539, 2402.0, None, 1e20]})))
    shown = [model.index(row, 0).data() for row in range(5)]
    assert shown == ["12.106073", "19.955390", "2402.000000", "NULL", "1e+20"]
    assert float_decimals([1.5, 2.25, None, "x"]) == 2


def test_the_model_shows_cells_with_alignment_nulls_and_tooltips(qapp: object) -> None:
    model = ResultsModel()
    long_text = "word " * 100
    model.set_result(
        handle_of(
            pa.table(
                {
                    "name": ["a", None, long_text],
                    "amount": [1.25, None, 3.0],
                    "n": pa.array([1, 2, None], pa.int64()),
                }
            )
        )
    )
    assert (model.rowCount(), model.columnCount()) == (3, 3)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "amount"
    assert model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "amount: double"
    )
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.index(0, 1).data() == "1.25"
    assert model.index(2, 1).data() == "3.00"
    align = Qt.ItemDataRole.TextAlignmentRole
    assert model.index(0, 1).data(align) & Qt.AlignmentFlag.AlignRight
    assert model.index(0, 2).data(align) & Qt.AlignmentFlag.AlignRight
    assert model.index(0, 0).data(align) & Qt.AlignmentFlag.AlignLeft
    null = model.index(1, 0)
    assert null.data() == "NULL"
    assert null.data(Qt.ItemDataRole.ForegroundRole).name() == "#a0a6ad"
    assert null.data(Qt.ItemDataRole.FontRole).italic()
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    long_cell = model.index(2, 0)
    assert long_cell.data().endswith("…")
    assert long_cell.data(Qt.ItemDataRole.ToolTipRole) == long_text
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) is None
    model.clear()
    assert (model.rowCount(), model.columnCount()) == (0, 0)


def test_only_a_few_pages_are_ever_held_as_python_values(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = PAGE_ROWS * (MAX_PAGES + 10)
    table = pa.table({"i": pa.array(range(rows), pa.int64())})
    converted: list[int] = []
    real = results_model._to_python
    monkeypatch.setattr(
        results_model, "_to_python", lambda col: converted.append(len(col)) or real(col)
    )
    model = ResultsModel()
    model.set_result(handle_of(table))
    assert model.rowCount() == rows
    assert converted == []  # nothing is converted before it is shown
    for row in range(0, rows, PAGE_ROWS // 2):
        assert model.index(row, 0).data() == str(row)
    assert model.cached_pages == MAX_PAGES
    assert max(converted) == PAGE_ROWS
    assert sum(converted) == rows  # each page once, in order
    assert model.index(rows - 1, 0).data() == str(rows - 1)  # cached: no new conversion
    assert sum(converted) == rows


def test_a_large_result_is_shown_through_a_window(qapp: object) -> None:
    table = pa.table({"i": pa.array(range(5_000_000), pa.int64())})
    model = ResultsModel()
    model.set_result(handle_of(table))
    assert model.windowed and model.total_rows == 5_000_000
    assert model.rowCount() == results_model.WINDOW_ROWS  # Qt never sees more rows than this
    assert model.move_window(10**9) == 5_000_000 - results_model.WINDOW_ROWS  # clamped
    last = model.rowCount() - 1
    assert model.real_row(last) == 4_999_999
    assert model.index(last, 0).data() == "4999999"
    assert model.headerData(last, Qt.Orientation.Vertical) == "5,000,000"
    assert model.cached_pages == 1
    start = model.window_start
    assert model.move_window(-5) == -start
    assert model.index(0, 0).data() == "0" and model.window_start == 0
