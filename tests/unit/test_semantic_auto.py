"""The auto-model on the sample workspace, and the `aiser model` / `aiser metrics` verbs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.cli import main
from aiser_desktop.core.semantic import generate_model, load_model, run_query
from aiser_desktop.core.workspace import Workspace
from tests.unit.semantic_support import SHOP_SQL, write_shop_model

FLIGHTS_PER_CARRIER_PER_MONTH = """
    SELECT carrier, date_trunc('month', CAST(time_hour AS TIMESTAMP)) AS month, count(*)
    FROM flights GROUP BY ALL
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from aiser_desktop.core.sample import load_sample

    ws = Workspace.open(tmp_path_factory.mktemp("auto") / "ws")
    load_sample(ws)
    try:
        yield ws
    finally:
        ws.close()


def hand_written(ws: Workspace, sql: str) -> set[tuple[object, ...]]:
    with ws.engine.cursor() as cur:
        return {tuple(row) for row in cur.execute(sql).fetchall()}


@pytest.mark.parametrize("with_engine", [True, False])
def test_the_auto_model_answers_flights_per_carrier_per_month(
    sample: Workspace, tmp_path: Path, with_engine: bool
) -> None:
    folder = tmp_path / "model"
    written = generate_model(
        sample.sources.catalog(), folder, engine=sample.engine if with_engine else None
    )
    assert sorted(p.name for p in written) == [
        "airlines.yml",
        "airports.yml",
        "flights.yml",
        "planes.yml",
        "weather.yml",
    ]
    model, errors = load_model(folder)
    assert errors == []
    flights = model.cubes["flights"]
    assert flights.dimensions["time_hour"].type == "time"
    assert {"count", "total_distance", "avg_dep_delay"} <= set(flights.measures)
    assert "total_flight" not in flights.measures and "total_year" not in flights.measures
    assert set(flights.joins) == {"airlines", "planes"}  # not weather: origin repeats there
    query = {
        "measures": ["flights.count"],
        "dimensions": ["flights.carrier"],
        "timeDimensions": [{"dimension": "flights.time_hour", "granularity": "month"}],
        "limit": None,
    }
    compiled, table = run_query(sample.engine, model, query)
    assert compiled.columns == ["flights.carrier", "flights.time_hour.month", "flights.count"]
    got = {tuple(r.values()) for r in table.to_pylist()}
    assert got == hand_written(sample, FLIGHTS_PER_CARRIER_PER_MONTH)
    assert len(got) == 193  # months in UTC: late December flights land in January 2014


def test_the_auto_model_joins_to_name_a_carrier(sample: Workspace, tmp_path: Path) -> None:
    generate_model(sample.sources.catalog(), tmp_path, engine=sample.engine)
    model, _ = load_model(tmp_path)
    assert model.cubes["airlines"].primary_keys[0].name == "carrier"
    _, table = run_query(
        sample.engine,
        model,
        {"measures": ["flights.count"], "dimensions": ["airlines.name"], "limit": 1},
    )
    assert table.to_pylist() == [{"airlines.name": "United Air Lines Inc.", "flights.count": 58665}]


def test_generate_keeps_a_persons_edits(sample: Workspace, tmp_path: Path) -> None:
    generate_model(sample.sources.catalog(), tmp_path)
    edited = tmp_path / "model/cubes/airlines.yml"
    edited.write_text("cubes:\n  - name: airlines\n    sql_table: airlines\n")
    again = generate_model(sample.sources.catalog(), tmp_path)
    assert edited not in again and edited.read_text().endswith("sql_table: airlines\n")


# ---------------------------------------------------------------------- the command line
@pytest.fixture
def shop_ws(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        ws.engine.execute(SHOP_SQL)
    write_shop_model(folder, rollup=True)
    return folder


def test_metrics_query_json(shop_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = {"measures": ["orders.revenue"], "dimensions": ["users.city"]}
    assert main(["metrics", "query", json.dumps(query), "--workspace", str(shop_ws), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["columns"] == ["users.city", "orders.revenue"]
    assert out["rows"] == [["Paris", 360.0], ["Lyon", 50.0]]
    assert out["sql"].startswith("SELECT") and out["pre_aggregation"] is None


def test_metrics_query_table_names_the_rollup(
    shop_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = '{"measures": ["orders.count"], "dimensions": ["orders.status"]}'
    assert main(["metrics", "query", query, "--workspace", str(shop_ws)]) == 0
    out = capsys.readouterr().out
    assert "orders.status | orders.count" in out and "paid" in out
    assert "from the pre-aggregation orders.by_day" in out


def test_metrics_query_errors_say_what_to_fix(
    shop_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics", "query", "{measures: 1}", "--workspace", str(shop_ws)]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    bad = '{"measures": ["orders.revenu"]}'
    assert main(["metrics", "query", bad, "--workspace", str(shop_ws)]) == 1
    assert "Did you mean orders.revenue" in capsys.readouterr().err


def test_model_validate_exits_non_zero_with_file_line_errors(
    shop_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "validate", "--workspace", str(shop_ws)]) == 0
    assert capsys.readouterr().out.startswith("ok: 3 cube(s), 1 view(s)")
    broken = shop_ws / "model/cubes/users.yml"
    broken.write_text(broken.read_text().replace("type: sum", "type: summ", 1))
    assert main(["model", "validate", "--workspace", str(shop_ws)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{broken}:11:15: Measure users.total_credits has type 'summ'. Use")


def test_model_generate_and_refresh(shop_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "refresh", "--workspace", str(shop_ws)]) == 0
    assert "orders.by_day: 6 rows, built in" in capsys.readouterr().out
    assert main(["model", "refresh", "--workspace", str(shop_ws)]) == 0
    assert "orders.by_day: 6 rows, fresh" in capsys.readouterr().out
    assert main(["model", "generate", "--workspace", str(shop_ws)]) == 0
    assert capsys.readouterr().out == ""  # the shop has no sources: nothing to generate
