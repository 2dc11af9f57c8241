"""The small chart in an agent answer: drawn from the answer's rows, dates kept as dates."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from pytestqt.qtbot import QtBot

from aiser_desktop.core.agent.types import Answer
from aiser_desktop.ui.agent_panel import AnswerCard
from aiser_desktop.ui.charts.mini import answer_table


def _answer(chart: dict[str, object] | None) -> Answer:
    rows = tuple((f"2013-01-{d:02d}", 900 + 10 * d) for d in range(1, 21))
    return Answer(
        question="flights per day",
        sql="select day, flights from daily",
        columns=("day", "flights"),
        rows=rows,
        row_count=len(rows),
        chart=chart,
        answer="About 1,000 flights a day.",
        provider="rules",
        confidence=0.9,
    )


def test_date_text_in_an_answer_becomes_dates_again() -> None:
    table = answer_table(["day", "n"], [("2013-01-02", 1), ("2013-01-03", 2)])
    assert table.schema.field("day").type == pa.date32()
    assert table.column("day").to_pylist()[0] == dt.date(2013, 1, 2)
    stamps = answer_table(["t"], [("2013-01-02 06:30:00",)])
    assert pa.types.is_timestamp(stamps.schema.field("t").type)
    text = answer_table(["name"], [("north",)])
    assert text.schema.field("name").type == pa.string()


def test_an_answer_with_a_chart_shows_it_under_its_rows(qtbot: QtBot) -> None:
    card = AnswerCard("flights per day")
    qtbot.addWidget(card)
    card.show()
    with qtbot.waitSignal(card.chart_view.drawn, timeout=30_000):
        card.show_answer(_answer({"kind": "line", "x": "day", "y": "flights"}))
    view = card.chart_view
    assert view.isVisible() and not view.pixmap().isNull()
    assert view.data.spec.kind == "line"
    assert view.data.table.schema.field("day").type == pa.date32()
    assert view.data.table.num_rows == 20


def test_an_answer_without_a_chart_shows_none(qtbot: QtBot) -> None:
    card = AnswerCard("flights per day")
    qtbot.addWidget(card)
    card.show()
    card.show_answer(_answer(None))
    qtbot.wait(100)
    assert not card.chart_view.isVisible()
