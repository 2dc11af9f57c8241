"""MCP servers the person added, seen from the agent: their tools join the registry with their
origin, the agent calls them in a conversation (each call reported before it runs), a refusal
or a crash is an error the model reads, and a server without the network has none.

The servers are small stdio programs in tests/mcp_servers, started by the SDK's client.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.core.agent.loop import (
    AgentEvent,
    AgentNotice,
    Conversation,
    ToolFinished,
    ToolStarted,
)
from aiser_desktop.core.agent.mcp.client import ApprovalRequest, McpRegistry
from aiser_desktop.core.agent.mcp.config import (
    McpServerConfig,
    McpSettings,
    env_ref,
    set_env,
    tool_label,
)
from aiser_desktop.core.agent.mcp.sandbox import isolation_prefix
from aiser_desktop.core.agent.providers.base import ChatRequest, ChatResponse, ToolCall
from aiser_desktop.core.agent.tools import ToolContext
from aiser_desktop.core.config import Settings, settings_path
from aiser_desktop.core.errors import QueryCancelledError
from aiser_desktop.core.workspace import Workspace
from tests.agent_fakes import ScriptedProvider, answer, sql_call
from tests.mcp_servers import needs_isolation

SERVERS = Path(__file__).resolve().parents[1] / "mcp_servers"
CURRENCY = [str(SERVERS / "currency.py")]
PROBE = [str(SERVERS / "probe.py")]
SECRET = "log-path-is-a-secret-here"


@pytest.fixture
def sales(workspace: Workspace, sample_csv: Path) -> Workspace:
    workspace.sources.add_file(sample_csv, name="sales")
    return workspace


@pytest.fixture
def calls_log(tmp_path: Path) -> Path:
    return tmp_path / SECRET / "calls.ndjson"


@pytest.fixture
def settings(calls_log: Path) -> Settings:
    """Settings with the currency server added (its log path an env value in the keyring)."""
    calls_log.parent.mkdir(parents=True)
    settings = Settings()
    mcp = McpSettings(timeout=20)
    currency = McpServerConfig("currency", sys.executable, CURRENCY, ask=False)
    set_env(currency, "CURRENCY_LOG", str(calls_log))
    mcp.add(currency)
    mcp.store(settings)
    settings.save()
    return Settings.load()


@pytest.fixture
def registries() -> Iterator[list[McpRegistry]]:
    made: list[McpRegistry] = []
    yield made
    for registry in made:
        registry.close()


def _registry(made: list[McpRegistry], servers: list[McpServerConfig], **options: Any):
    registry = McpRegistry(servers, **options)
    made.append(registry)
    return registry


def _logged(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _call(name: str, arguments: dict[str, Any], call_id: str = "m1") -> ChatResponse:
    return ChatResponse(tool_calls=(ToolCall(call_id, name, arguments),))


def _tool_result(request: ChatRequest, name: str) -> dict[str, Any]:
    message = next(m for m in reversed(request.messages) if m.role == "tool" and m.name == name)
    return dict(json.loads(message.content))


# ---------------------------------------------------------------------- settings to registry
@needs_isolation
def test_an_added_server_s_tools_join_the_registry_with_their_origin(
    settings: Settings, registries: list[McpRegistry], memory_keyring: Any
) -> None:
    text = settings_path().read_text(encoding="utf-8")
    assert "currency.py" in text
    assert SECRET not in text  # the env value is in the keyring, not the file
    assert memory_keyring.get_password("aiser-desktop", env_ref("currency", "CURRENCY_LOG"))

    registry = McpRegistry.from_settings(settings)
    registries.append(registry)
    specs = {s.name: s for s in registry.specs()}
    assert {"run_sql", "list_sources", "currency__rate", "currency__currencies"} <= set(specs)
    assert "'currency'" in specs["currency__rate"].description
    assert specs["currency__rate"].parameters["required"] == ["base", "quote"]
    assert tool_label("currency__rate") == "currency·rate"
    assert registry.origin("currency__rate") == ("currency", "rate")
    assert registry.status()[0].tools == ("currency·rate", "currency·currencies")


@needs_isolation
def test_the_agent_calls_the_tool_and_the_call_is_shown_before_it_runs(
    sales: Workspace, settings: Settings, calls_log: Path, registries: list[McpRegistry]
) -> None:
    registry = McpRegistry.from_settings(settings)
    registries.append(registry)

    def convert(request: ChatRequest) -> ChatResponse:
        rate = _tool_result(request, "currency__rate")["result"]["rate"]
        return sql_call(f"select round(sum(amount) * {rate}, 2) as usd from sales", "c2")

    provider = ScriptedProvider(
        [_call("currency__rate", {"base": "EUR", "quote": "USD"}), convert, answer("In dollars.")]
    )
    seen: list[AgentEvent] = []
    logged_when_started: list[list[dict[str, Any]]] = []

    def on_event(event: AgentEvent) -> None:
        seen.append(event)
        if isinstance(event, ToolStarted) and event.name == "currency__rate":
            logged_when_started.append(_logged(calls_log))

    conversation = Conversation.for_workspace(sales, provider, registry=registry)
    try:
        result = conversation.ask("total sales in dollars", on_event)
    finally:
        conversation.close()
    assert result.rows == ((22.41,),)  # (10.5 + 7.25 + 3.0) * 1.08
    offered = {t.name for t in provider.requests[0].tools}
    assert "currency__rate" in offered
    started = next(i for i, e in enumerate(seen) if isinstance(e, ToolStarted))
    finished = next(i for i, e in enumerate(seen) if isinstance(e, ToolFinished))
    assert seen[started].name == seen[finished].name == "currency__rate"
    assert started < finished and seen[finished].ok
    assert logged_when_started == [[]]  # the server had not been called yet
    assert _logged(calls_log) == [{"tool": "rate", "base": "EUR", "quote": "USD"}]


@needs_isolation
def test_a_crashing_server_gives_a_clear_error_and_the_conversation_answers(
    sales: Workspace, registries: list[McpRegistry]
) -> None:
    probe = McpServerConfig("probe", sys.executable, PROBE, ask=False)
    dead = McpServerConfig("dead", sys.executable, [*PROBE, "--exit"], ask=False)
    seen: list[AgentEvent] = []
    registry = _registry(registries, [probe, dead], on_event=seen.append)
    provider = ScriptedProvider(
        [
            _call("probe__crash", {}),
            sql_call("select count(*) as n from sales", "c2"),
            answer("There are 3 sales."),
            sql_call("select count(*) as n from sales", "c3"),
            answer("Still 3."),
        ]
    )
    conversation = Conversation.for_workspace(sales, provider, registry=registry)
    try:
        first = conversation.ask("how many sales?", seen.append)
        notices = [e.text for e in seen if isinstance(e, AgentNotice)]
        assert any("'dead' could not start" in n and "refusing to start" in n for n in notices)
        crash = next(e for e in seen if isinstance(e, ToolFinished) and e.name == "probe__crash")
        assert not crash.ok
        assert "'probe' stopped while running crash" in crash.summary
        assert first.rows == ((3,),) and first.answer == "There are 3 sales."
        crash_report = _tool_result(provider.requests[1], "probe__crash")
        assert "crashing on purpose" in crash_report["error"]

        second = conversation.ask("and now?")
    finally:
        conversation.close()
    assert second.rows == ((3,),)
    # The dead servers are left out of the next question, not retried at once.
    assert not any("probe" in t.name or "dead" in t.name for t in provider.requests[-1].tools)


@needs_isolation
def test_a_server_that_dies_while_idle_is_noticed_and_started_again(
    registries: list[McpRegistry], wait_for: Any
) -> None:
    probe = McpServerConfig("probe", sys.executable, PROBE, ask=False)
    registry = _registry(registries, [probe])
    registry.specs()
    assert registry.call("probe__exit_later", {}, _context()).content == {"result": "bye"}
    wait_for(lambda: not registry.status()[0].running)
    assert registry.status()[0].error == "it stopped (the process ended)"
    assert registry.status()[0].tools == ()
    later = registry.call("probe__wait", {"seconds": 0}, _context())
    assert not later.ok
    # The next question starts it again (it did not fail to start, it ended).
    assert "probe__wait" in {s.name for s in registry.specs()}
    assert registry.call("probe__wait", {"seconds": 0}, _context()).ok


@needs_isolation
def test_ask_before_running_asks_and_a_no_never_reaches_the_server(
    calls_log: Path, registries: list[McpRegistry]
) -> None:
    calls_log.parent.mkdir(parents=True)
    asked: list[ApprovalRequest] = []
    answers = [False, True]

    def approver(request: ApprovalRequest) -> bool:
        asked.append(request)
        return answers.pop(0)

    currency = McpServerConfig("currency", sys.executable, CURRENCY, ask=True)
    set_env(currency, "CURRENCY_LOG", str(calls_log))
    registry = _registry(registries, [currency], approver=approver)
    registry.specs()
    ctx = _context()
    declined = registry.call("currency__rate", {"base": "GBP", "quote": "USD"}, ctx)
    assert not declined.ok and "declined the call to currency·rate" in declined.error
    assert _logged(calls_log) == []
    approved = registry.call("currency__rate", {"base": "GBP", "quote": "USD"}, ctx)
    assert approved.ok and approved.content == {
        "result": {"base": "GBP", "quote": "USD", "rate": 1.27}
    }
    assert [(r.label, r.arguments) for r in asked] == [
        ("currency·rate", {"base": "GBP", "quote": "USD"})
    ] * 2

    nobody = _registry(registries, [currency])
    nobody.specs()
    refused = nobody.call("currency__rate", {"base": "GBP", "quote": "USD"}, ctx)
    assert not refused.ok and "needs the person's approval" in refused.error
    assert len(_logged(calls_log)) == 1


@needs_isolation
def test_timeouts_end_a_silent_server_and_a_slow_call(registries: list[McpRegistry]) -> None:
    silent = McpServerConfig("silent", sys.executable, [*PROBE, "--silent"], ask=False)
    probe = McpServerConfig("probe", sys.executable, PROBE, ask=False)
    notices: list[AgentEvent] = []
    quiet = _registry(registries, [silent], start_timeout=2.0, on_event=notices.append)
    assert not any(s.name.startswith("silent__") for s in quiet.specs())
    texts = [e.text for e in notices if isinstance(e, AgentNotice)]
    assert any("'silent' did not answer within 2 s" in t for t in texts)
    assert quiet.status()[0].running is False

    registry = _registry(registries, [probe], timeout=1.0)
    assert "probe__wait" in {s.name for s in registry.specs()}
    slow = registry.call("probe__wait", {"seconds": 5}, _context())
    assert not slow.ok and "did not answer wait within 1 s" in slow.error
    quick = registry.call("probe__wait", {"seconds": 0}, _context())
    assert quick.ok and quick.content == {"result": "done"}

    # A cancelled question stops waiting at once, whatever the timeout.
    registry.timeout = 30.0
    ctx = _context()
    threading.Timer(0.3, lambda: setattr(ctx.runner, "cancelled", True)).start()
    started = time.monotonic()
    with pytest.raises(QueryCancelledError):
        registry.call("probe__wait", {"seconds": 20}, ctx)
    assert time.monotonic() - started < 3


def test_a_server_without_the_network_has_none(registries: list[McpRegistry]) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    accepting = threading.Thread(target=lambda: listener.accept()[0].close(), daemon=True)
    accepting.start()
    try:
        allowed = McpServerConfig("open", sys.executable, PROBE, ask=False, network=True)
        closed = McpServerConfig("closed", sys.executable, PROBE, ask=False, network=False)
        registry = _registry(registries, [allowed, closed], network_enabled=True)
        notices: list[AgentEvent] = []
        registry.on_event = notices.append
        registry.specs()
        reach = {"host": "127.0.0.1", "port": port}
        opened = registry.call("open__reach", reach, _context())
        assert opened.content["result"] == {"reached": True, "error": ""}
        if isolation_prefix() is None:
            texts = [e.text for e in notices if isinstance(e, AgentNotice)]
            assert any("'closed' was not started" in t for t in texts)
            return
        shut = registry.call("closed__reach", reach, _context())
        assert shut.content["result"]["reached"] is False
        assert "unreachable" in shut.content["result"]["error"].lower()
        status = {s.name: s.isolation for s in registry.status()}
        assert status == {"open": "network allowed", "closed": "no network"}
    finally:
        listener.close()


def test_the_app_s_network_switch_overrides_the_server_s(registries: list[McpRegistry]) -> None:
    allowed = McpServerConfig("open", sys.executable, PROBE, ask=False, network=True)
    registry = _registry(registries, [allowed], network_enabled=False)
    assert registry.status()[0].isolation == "no network (the app's network switch is off)"


@pytest.fixture
def wait_for() -> Any:
    def wait(predicate: Any, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "condition not met in time"
            time.sleep(0.05)

    return wait


def _context() -> ToolContext:
    class Runner:
        def __init__(self) -> None:
            self.cancelled = False

    return ToolContext(Runner(), [])  # type: ignore[arg-type]
