"""A chart spec is plain data: it survives JSON and refuses what it does not know."""

from __future__ import annotations

import json

import pytest

from aiser_desktop.core.charts.spec import ChartFilter, ChartSpec
from aiser_desktop.core.errors import AiserError


def test_a_spec_round_trips_through_json_with_defaults_left_out() -> None:
    spec = ChartSpec(
        "bar", x="region", y=["amount"], series="product", aggregation="sum", stacked=True,
        filters=[ChartFilter("amount", "between", [1, 9])], colours={"apples": "#ff0000"},
        sort="desc", limit=10, title="Sales",
    )  # fmt: skip
    data = json.loads(json.dumps(spec.to_dict()))
    assert ChartSpec.from_dict(data) == spec
    assert ChartSpec("line", x="t", y=["v"]).to_dict() == {"kind": "line", "x": "t", "y": ["v"]}
    assert ChartSpec.from_dict({"kind": "bar", "x": "a", "y": "b"}).y == ["b"]


def test_a_spec_refuses_unknown_keys_kinds_and_columns_by_name() -> None:
    with pytest.raises(AiserError, match="unknown keys colour"):
        ChartSpec.from_dict({"kind": "bar", "colour": "red"})
    with pytest.raises(AiserError, match="no chart kind 'pie3d'"):
        ChartSpec("pie3d").validate([])
    with pytest.raises(AiserError, match=r"no column 'nope'.*Columns: a, b"):
        ChartSpec("bar", x="nope").validate(["a", "b"])
