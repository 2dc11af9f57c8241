"""The insight tools through the agent's registry (read-only, arguments checked), and
``aiser insights`` on a small workspace with planted problems."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.cli import main
from aiser_desktop.core.agent.tools import REGISTRY, ToolContext
from aiser_desktop.core.security.sql_guard import ReadOnlyRunner
from aiser_desktop.core.workspace import Workspace

TOOLS = ("profile_table", "data_quality", "find_anomalies", "trend", "forecast",
         "compare_segments")  # fmt: skip


def write_files(folder: Path) -> None:
    """Orders over 120 days (a spike on day 100; order 7 twice; one negative quantity; one
    customer that does not exist) and customers."""
    lines = ["order_id,customer_id,region,quantity,ordered_on"]
    n = 0
    for day in range(120):
        when = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        for k in range(40 if day == 100 else 10):
            n += 1
            lines.append(f"{n},{1 + k % 5},{('north', 'south', 'west')[k % 3]},{1 + k % 4},{when}")
    lines += ["7,2,north,3,2024-02-01", "5000,3,south,-2,2024-02-02", "5001,99,west,1,2024-02-03"]
    (folder / "orders.csv").write_text("\n".join(lines) + "\n")
    (folder / "customers.csv").write_text(
        "customer_id,name\n" + "".join(f"{i},c{i}\n" for i in range(1, 6))
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("insights")
    write_files(path)
    with Workspace.open(path / "ws") as ws:
        ws.sources.add_file(path / "orders.csv", name="orders")
        ws.sources.add_file(path / "customers.csv", name="customers")
    return path


@pytest.fixture
def ctx(folder: Path) -> Iterator[ToolContext]:
    with Workspace.open(folder / "ws") as ws:
        catalog = ws.sources.catalog()
        runner = ReadOnlyRunner(ws.engine, catalog)
        try:
            yield ToolContext(runner, catalog)
        finally:
            runner.close()


def test_the_insight_tools_are_registered_with_bounded_arguments() -> None:
    specs = {s.name: s for s in REGISTRY.specs(TOOLS)}
    assert set(specs) == set(TOOLS)
    for spec in specs.values():
        assert spec.description.endswith(".")
        for name, prop in spec.parameters["properties"].items():
            if prop.get("type") == "string" and "enum" not in prop:
                assert "maxLength" in prop, (spec.name, name)


def test_data_quality_finds_the_planted_problems(ctx: ToolContext) -> None:
    result = REGISTRY.call("data_quality", {"table": "orders"}, ctx)
    assert result.ok, result.error
    found = {(i["check"], i["column"]): i["count"] for i in result.content["issues"]}
    assert found[("duplicate_keys", "order_id")] == 1
    assert found[("negative", "quantity")] == 1
    assert found[("broken_foreign_key", "customer_id")] == 1
    clean = REGISTRY.call("data_quality", {"table": "customers"}, ctx)
    assert clean.ok and clean.content["issues"] == []


def test_anomalies_trend_forecast_and_segments(ctx: ToolContext) -> None:
    spikes = REGISTRY.call("find_anomalies", {"table": "orders", "time_column": "ordered_on"}, ctx)
    assert spikes.ok, spikes.error
    assert spikes.content["spikes"][0]["period"].startswith("2024-04-10")
    assert spikes.content["spikes"][0]["value"] == 40
    profile = REGISTRY.call("profile_table", {"table": "orders"}, ctx)
    assert profile.ok and profile.content["read"].startswith("all ")
    trend = REGISTRY.call("trend", {"table": "orders", "time_column": "ordered_on"}, ctx)
    assert trend.ok and trend.content["direction"] in ("up", "down", "flat")
    forecast = REGISTRY.call(
        "forecast", {"table": "orders", "time_column": "ordered_on", "horizon": 7}, ctx
    )
    assert forecast.ok, forecast.error
    assert len(forecast.content["forecast"]) == 7
    assert set(forecast.content["backtest"]) >= {"holt_winters", "seasonal_naive"}
    segments = REGISTRY.call(
        "compare_segments",
        {"table": "orders", "time_column": "ordered_on", "segment": "region",
         "before": ["2024-03-01", "2024-04-01"], "after": ["2024-04-01", "2024-05-01"]},
        ctx,
    )  # fmt: skip
    assert segments.ok, segments.error
    # April: 29 days of 10 orders and the spike day's 30 more; March: 31 days of 10
    assert (segments.content["before"]["value"], segments.content["after"]["value"]) == (310, 320)
    assert sum(s["change"] for s in segments.content["segments"]) == 10


def test_bad_tool_calls_are_errors_the_model_can_read(ctx: ToolContext) -> None:
    missing = REGISTRY.call("trend", {"table": "nope", "time_column": "x"}, ctx)
    assert not missing.ok and "There is no table" in missing.error
    wrong = REGISTRY.call("find_anomalies", {"table": "orders", "column": "region"}, ctx)
    assert not wrong.ok and "need numbers" in wrong.error
    nothing = REGISTRY.call("find_anomalies", {"table": "orders"}, ctx)
    assert not nothing.ok and "needs a column" in nothing.error


def test_aiser_insights_prints_findings_and_saves_them(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(folder / "ws")
    assert main(["insights", "orders", "--workspace", ws]) == 0
    out = capsys.readouterr().out
    assert out.startswith("orders: ") and "SQL: SELECT" in out
    assert "repeat a order_id already used" in out
    assert main(["insights", "orders", "--saved", "--json", "--workspace", ws]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"] == "orders" and 3 <= len(report["findings"]) <= 5
    assert main(["insights", "orders", "--quality", "--saved", "--workspace", ws]) == 0
    assert "[error]" in capsys.readouterr().out
    assert main(["insights", "nope", "--workspace", ws]) == 1
    assert "There is no source named 'nope'" in capsys.readouterr().err
