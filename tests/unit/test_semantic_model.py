"""Model files in Cube's syntax: read as written, errors at their line, the auto-model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.semantic import (
    Dimension,
    Measure,
    find_metrics,
    load_model,
    run_query,
    validate_text,
)
from tests.unit.semantic_support import write_shop_model

# The orders / line_items example of Cube's "Concepts" page (data model and data), with the
# customers join of its "Joins between cubes" page.
CONCEPTS_YML = """\
cubes:
  - name: orders
    sql_table: orders

    joins:
      - name: line_items
        relationship: one_to_many
        sql: "{CUBE}.id = {line_items.order_id}"

    measures:
      - name: count
        type: count

      - name: completed_count
        sql: id
        type: count
        filters:
          - sql: "{CUBE}.status = 'completed'"

      - name: percentage_of_completed
        type: number
        sql: "({completed_count} * 100.0) / NULLIF({count}, 0)"
        format: percent

    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true

      - name: status
        sql: status
        type: string

      - name: created_at
        sql: created_at
        type: time

      - name: completed_at
        sql: completed_at
        type: time

  - name: line_items
    sql: SELECT * FROM line_items

    joins:
      - name: orders
        relationship: belongsTo
        sql: "{CUBE}.order_id = {orders}.id"

    measures:
      - name: total_amount
        sql: "{CUBE}.price * {CUBE}.quantity"
        type: sum

    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true

      - name: order_id
        sql: order_id
        type: number

    pre_aggregations:
      - name: amount_by_order
        measures:
          - CUBE.total_amount
        dimensions:
          - orders.status
"""

CONCEPTS_DATA = """
CREATE TABLE orders AS SELECT * FROM (VALUES
    (1, 'completed', TIMESTAMP '2019-01-05', TIMESTAMP '2019-01-02'),
    (2, 'shipped', TIMESTAMP '2019-01-17', TIMESTAMP '2019-01-02'),
    (3, 'completed', TIMESTAMP '2019-01-27', TIMESTAMP '2019-01-02'),
    (4, 'shipped', TIMESTAMP '2019-01-09', TIMESTAMP '2019-01-02'),
    (5, 'processing', TIMESTAMP '2019-01-29', TIMESTAMP '2019-01-02'))
    t(id, status, completed_at, created_at);
CREATE TABLE line_items AS SELECT * FROM (VALUES
    (1, 31, 1, 1, 275), (2, 49, 2, 6, 248), (3, 89, 3, 6, 197), (4, 71, 4, 8, 223),
    (5, 64, 5, 5, 75)) t(id, product_id, order_id, quantity, price);
"""


def write(folder: Path, name: str, text: str, kind: str = "cubes") -> Path:
    path = folder / "model" / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_cubes_documentation_example_reads_as_written(tmp_path: Path) -> None:
    write(tmp_path, "concepts.yml", CONCEPTS_YML)
    model, errors = load_model(tmp_path)
    assert errors == []
    orders, items = model.cubes["orders"], model.cubes["line_items"]
    assert orders.sql_table == "orders" and items.sql == "SELECT * FROM line_items"
    assert list(orders.measures) == ["count", "completed_count", "percentage_of_completed"]
    completed = orders.measures["completed_count"]
    assert isinstance(completed, Measure)
    assert completed.filters == ["{CUBE}.status = 'completed'"]
    assert completed.full_name == "orders.completed_count" and completed.line == 14
    assert orders.measures["percentage_of_completed"].format == "percent"
    assert [d.name for d in orders.primary_keys] == ["id"]
    assert orders.joins["line_items"].relationship == "one_to_many"
    assert items.joins["orders"].relationship == "many_to_one"  # belongsTo, the old name
    pre = items.pre_aggregations["amount_by_order"]
    assert pre.measures == ["line_items.total_amount"] and pre.dimensions == ["orders.status"]
    names = {m.full_name for m in model.members()}
    assert {"orders.count", "orders.created_at", "line_items.total_amount"} <= names


def test_cubes_documentation_example_answers_as_documented(tmp_path: Path) -> None:
    write(tmp_path, "concepts.yml", CONCEPTS_YML)
    model, _ = load_model(tmp_path)
    with Engine() as engine:
        engine.execute(CONCEPTS_DATA)
        _, table = run_query(
            engine,
            model,
            {
                "measures": [
                    "orders.count",
                    "orders.completed_count",
                    "orders.percentage_of_completed",
                ]
            },
        )
        assert table.to_pylist() == [
            {"orders.count": 5, "orders.completed_count": 2, "orders.percentage_of_completed": 40.0}
        ]
        _, table = run_query(
            engine,
            model,
            {"measures": ["line_items.total_amount"], "dimensions": ["orders.status"]},
        )
        # completed: 275*1 + 197*6; shipped: 248*6 + 223*8; processing: 75*5.
        assert table.to_pylist() == [
            {"orders.status": "shipped", "line_items.total_amount": 3272},
            {"orders.status": "completed", "line_items.total_amount": 1457},
            {"orders.status": "processing", "line_items.total_amount": 375},
        ]


def _shape(model: Any) -> dict[str, Any]:
    """Everything a model says, without where it was read from."""
    from aiser_desktop.core.semantic.write import cube_to_dict, view_to_dict

    cubes = {n: cube_to_dict(c) for n, c in model.cubes.items()}
    views = {n: (view_to_dict(v), sorted(v.aliases.items())) for n, v in model.views.items()}
    return {"cubes": cubes, "views": views}


@pytest.mark.parametrize("source", ["concepts", "shop"])
def test_models_round_trip_through_the_writer(tmp_path: Path, source: str) -> None:
    from aiser_desktop.core.semantic.write import dump_model

    first_folder = tmp_path / "first"
    if source == "concepts":
        write(first_folder, "concepts.yml", CONCEPTS_YML)
    else:
        write_shop_model(first_folder, rollup=True)
    first, errors = load_model(first_folder)
    assert errors == []
    written = dump_model(first, tmp_path / "second")
    second, errors = load_model(tmp_path / "second")
    assert errors == [] and all(p.exists() for p in written)
    assert _shape(second) == _shape(first)
    measure = second.cubes["orders"].measures["count"]
    assert measure.full_name == "orders.count" and measure.line > 1


def test_the_shop_model_and_its_view(tmp_path: Path) -> None:
    model, errors = load_model(write_shop_model(tmp_path))
    assert errors == []
    view = model.views["orders_view"]
    assert view.aliases["users_city"] == "users.city"
    assert view.aliases["users_people"] == "users.count"
    assert "min_amount" not in view.aliases and view.aliases["revenue"] == "orders.revenue"
    member = model.member("orders_view.users_city")
    assert isinstance(member, Dimension) and member.full_name == "orders_view.users_city"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("cubes:\n  - name: orders\n    sql_table: orders\n   measures:\n", 4, 4, "not valid YAML"),
        (
            "cubes:\n  - name: orders\n    sql_table: orders\n    measures:\n      - name: n\n"
            "        type: total\n",
            6,
            15,
            "type 'total'",
        ),
        (
            "cubes:\n  - name: orders\n    sql_table: orders\n    dimensions:\n"
            "      - sql: status\n        type: string\n",
            5,
            9,
            "has no name",
        ),
        (
            "cubes:\n  - name: orders\n    sql_table: orders\n    joins:\n      - name: people\n"
            "        sql: '{CUBE}.user_id = {people}.id'\n        relationship: many_to_one\n",
            5,
            1,
            "'people', which is not a cube",
        ),
        (
            "cubes:\n  - name: orders\n    sql_table: orders\n    measures:\n      - name: x\n"
            "        type: number\n        sql: '{revenu} * 2'\n",
            5,
            1,
            "no member 'revenu'",
        ),
        ("cubes:\n  - name: orders\n    measures: []\n", 2, 5, "neither sql_table nor sql"),
        (
            "cubes:\n  - name: orders\n    sql_table: orders\n    measures:\n      - name: r\n"
            "        type: sum\n        sql: amount\n        rolling_window:\n"
            "          trailing: a week\n",
            9,
            21,
            "not an interval",
        ),
        ("cube:\n  - name: orders\n", 2, 3, "Unknown top-level key 'cube'"),
    ],
)
def test_an_invalid_file_gives_errors_at_the_line(
    tmp_path: Path, text: str, line: int, column: int, words: str
) -> None:
    path = write(tmp_path, "orders.yml", text)
    _, errors = load_model(tmp_path)
    assert errors, "expected an error"
    first = errors[0]
    assert (first.path, first.line, first.column) == (path, line, column)
    assert words in first.message
    assert str(first).startswith(f"{path}:{line}:{column}: ")
    assert validate_text(text, path, None)[0].line == line


def test_a_broken_file_leaves_the_others_loaded(tmp_path: Path) -> None:
    write_shop_model(tmp_path)
    write(tmp_path, "broken.yml", "cubes:\n  - name: [oops\n")
    model, errors = load_model(tmp_path)
    assert len(errors) == 1 and errors[0].path.name == "broken.yml"
    assert {"orders", "users", "line_items"} <= set(model.cubes)


def test_validate_text_knows_the_other_files(tmp_path: Path) -> None:
    model, _ = load_model(write_shop_model(tmp_path))
    path = tmp_path / "model/cubes/refunds.yml"
    good = (
        "cubes:\n  - name: refunds\n    sql_table: refunds\n    joins:\n      - name: orders\n"
        "        sql: '{CUBE}.order_id = {orders.id}'\n        relationship: many_to_one\n"
    )
    assert validate_text(good, path, model) == []
    bad = good.replace("{orders.id}", "{orders.idd}")
    (error,) = validate_text(bad, path, model)
    assert "orders has no member 'idd'" in error.message


def test_find_metrics_matches_words_of_a_question(tmp_path: Path) -> None:
    model, _ = load_model(write_shop_model(tmp_path))
    found = [m.full_name for m in find_metrics(model, "What was the revenue by city?")]
    assert found[0] in ("orders.revenue", "orders_view.revenue")
    assert "users.city" in found
    assert find_metrics(model, "how many orders")[0].full_name == "orders.count"
    assert find_metrics(model, "weather in Oslo") == []
