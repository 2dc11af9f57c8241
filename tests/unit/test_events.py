"""The event hub: typed messages delivered by type, base types included."""

from __future__ import annotations

import logging

import pytest

from aiser_desktop.core.events import (
    EventHub,
    Message,
    QueryFinished,
    QueryProgress,
    QueryStarted,
    SourcesChanged,
)


def test_handlers_get_the_messages_of_their_type_and_its_subclasses() -> None:
    hub = EventHub()
    everything: list[Message] = []
    started: list[QueryStarted] = []
    hub.subscribe(Message, everything.append)
    hub.subscribe(QueryStarted, started.append)

    first = QueryStarted(1, "select 1")
    second = SourcesChanged(("sales",))
    hub.publish(first)
    hub.publish(second)

    assert everything == [first, second]
    assert started == [first]


def test_unsubscribe_stops_delivery_to_that_handler_only() -> None:
    hub = EventHub()
    kept: list[Message] = []
    dropped: list[Message] = []
    hub.subscribe(QueryProgress, kept.append)
    unsubscribe = hub.subscribe(QueryProgress, dropped.append)

    hub.publish(QueryProgress(1, 10.0))
    unsubscribe()
    hub.publish(QueryProgress(1, 20.0))
    unsubscribe()  # a second call is harmless

    assert [m.percent for m in kept] == [10.0, 20.0]
    assert [m.percent for m in dropped] == [10.0]


def test_a_failing_handler_is_logged_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = EventHub()
    seen: list[Message] = []

    def broken(_message: Message) -> None:
        raise RuntimeError("handler bug")

    hub.subscribe(QueryFinished, broken)
    hub.subscribe(QueryFinished, seen.append)
    message = QueryFinished(7, "select 1", rows=1, columns=1, seconds=0.01)

    with caplog.at_level(logging.ERROR, logger="aiser_desktop.core.events"):
        hub.publish(message)

    assert seen == [message]
    assert "handler bug" in caplog.text


def test_messages_of_other_types_are_not_delivered() -> None:
    hub = EventHub()
    seen: list[Message] = []
    hub.subscribe(SourcesChanged, seen.append)
    hub.publish(QueryStarted(1, "select 1"))
    assert seen == []
