"""The agent's charts come from recommend(): the answer's chart hint, and make_chart's check."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from aiser_desktop.core.agent.tools import _check_chart, auto_chart
from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.security.sql_guard import SafeResult


def result(table: pa.Table, count: int | None = None) -> SafeResult:
    types = tuple(str(t) for t in table.schema.types)
    rows = count if count is not None else table.num_rows
    return SafeResult("select", tuple(table.schema.names), types, (), rows, False, 0.0, table)


def test_the_answer_carries_the_recommended_chart() -> None:
    by_region = pa.table({"region": ["n", "s", "n", "e"], "amount": [1, 2, 3, 4]})
    assert auto_chart(result(by_region)) == {
        "kind": "bar", "x": "region", "y": "amount", "aggregation": "sum", "sort": "desc",
    }  # fmt: skip
    days = pa.table({"day": [dt.date(2024, 1, d) for d in range(1, 8)], "n": list(range(7))})
    assert auto_chart(result(days, count=-1)) == {"kind": "line", "x": "day", "y": "n"}
    assert auto_chart(result(pa.table({"total": [42]}))) is None  # a number reads as text


def test_make_chart_refuses_a_chart_the_result_cannot_draw() -> None:
    rows = result(pa.table({"day": [dt.date(2024, 1, 1)], "n": [1]}))
    _check_chart({"kind": "line", "x": "day", "y": "n"}, rows)
    with pytest.raises(AiserError, match="needs an x column and at least one y"):
        _check_chart({"kind": "line", "x": "day"}, rows)
    with pytest.raises(AiserError, match="heatmap needs a second category"):
        _check_chart({"kind": "heatmap", "x": "day", "y": "n"}, rows)
