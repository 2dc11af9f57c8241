"""The providers' pure parts (requests into each provider's shape and back), their settings,
keys and network consent; all offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiser_desktop.core.agent.providers import AgentSettings, make_provider, set_api_key
from aiser_desktop.core.agent.providers.base import (
    CancelToken,
    ChatRequest,
    Message,
    ProviderCancelled,
    ProviderError,
    StreamAccumulator,
    ToolCall,
    ToolSpec,
    from_openai_response,
    to_openai_messages,
    to_openai_tool_choice,
    to_openai_tools,
)
from aiser_desktop.core.agent.providers.local import (
    AnswerTextStreamer,
    LocalProvider,
    action_schema,
    parse_action,
    to_local_messages,
)
from aiser_desktop.core.agent.providers.remote import (
    LiteLLMProvider,
    NetworkNotAllowedError,
    completion_kwargs,
    is_local_endpoint,
)
from aiser_desktop.core.agent.providers.rules import RulesProvider
from aiser_desktop.core.agent.tools import REGISTRY
from aiser_desktop.core.config import Settings
from tests.conftest import MemoryKeyring

SQL_TOOL = ToolSpec(
    "run_sql",
    "Run one query.",
    {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]},
)
CONVERSATION = (
    Message("system", "You are an analyst."),
    Message("user", "How many trips?"),
    Message("assistant", "", (ToolCall("c1", "run_sql", {"sql": "select count(*) from t"}),)),
    Message("tool", '{"rows":[[3]]}', tool_call_id="c1", name="run_sql"),
)


# ---------------------------------------------------------------------- the OpenAI shape
def test_requests_in_openai_format() -> None:
    messages = to_openai_messages(CONVERSATION)
    assert messages[2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "run_sql", "arguments": '{"sql": "select count(*) from t"}'},
            }
        ],
    }
    assert messages[3] == {
        "role": "tool",
        "content": '{"rows":[[3]]}',
        "tool_call_id": "c1",
        "name": "run_sql",
    }
    assert to_openai_tools([SQL_TOOL])[0]["function"]["name"] == "run_sql"
    assert to_openai_tool_choice("required", [SQL_TOOL]) == "required"
    assert to_openai_tool_choice("run_sql", [SQL_TOOL]) == {
        "type": "function",
        "function": {"name": "run_sql"},
    }
    assert to_openai_tool_choice("auto", []) is None


def test_answers_from_openai_format() -> None:
    response = from_openai_response(
        {
            "choices": [
                {
                    "message": {
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "x",
                                "function": {"name": "run_sql", "arguments": '{"sql":"1"}'},
                            },
                            {"id": "y", "function": {"name": "run_sql", "arguments": "{broken"}},
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2},
        }
    )
    assert response.tool_calls[0] == ToolCall("x", "run_sql", {"sql": "1"})
    assert response.tool_calls[1].arguments == "{broken"  # kept, so the tool can say what is wrong
    assert response.usage == {"prompt_tokens": 5, "completion_tokens": 2}
    with pytest.raises(ProviderError):
        from_openai_response({"choices": []})


def test_a_stream_is_put_back_together() -> None:
    chunks = [
        {"choices": [{"delta": {"role": "assistant", "content": "Let me "}}]},
        {"choices": [{"delta": {"content": "check."}}]},
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c9",
                                "function": {"name": "run_sql", "arguments": ""},
                            }
                        ]
                    }
                }
            ]
        },
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"sq'}}]}}]},
        {
            "choices": [
                {"delta": {"tool_calls": [{"index": 0, "function": {"arguments": 'l": "x"}'}}]}}
            ]
        },
        {"choices": [{"delta": {}, "finish_reason": "tool_calls"}], "usage": {"total_tokens": 9}},
    ]
    accumulator = StreamAccumulator()
    texts = [accumulator.feed(c) for c in chunks]
    assert texts[:2] == ["Let me ", "check."] and not any(texts[2:])
    result = accumulator.result()
    assert result.text == "Let me check."
    assert result.tool_calls == (ToolCall("c9", "run_sql", {"sql": "x"}),)
    assert result.finish_reason == "tool_calls" and result.usage == {"total_tokens": 9}


def test_a_cancel_token_calls_back_once_cancelled() -> None:
    token = CancelToken()
    called: list[int] = []
    remove = token.on_cancel(lambda: called.append(1))
    token.check()
    token.cancel()
    assert token.cancelled and called == [1]
    remove()
    with pytest.raises(ProviderCancelled):
        token.check()


# ---------------------------------------------------------------------- the local shape
def test_the_local_answer_schema_allows_exactly_the_tools_asked_for() -> None:
    specs = REGISTRY.specs()
    auto = action_schema(specs, "auto")
    actions = [b["properties"]["action"]["const"] for b in auto["anyOf"]]
    assert actions == [*REGISTRY.names(), "answer"]
    required = action_schema(specs, "required")
    assert "answer" not in [b["properties"]["action"]["const"] for b in required["anyOf"]]
    only = action_schema(specs, "run_sql")
    assert only["properties"]["action"]["const"] == "run_sql"
    # A model's strings are bounded, below what llama.cpp's grammar sampler survives.
    assert only["properties"]["arguments"]["properties"]["sql"]["maxLength"] == 800
    short = action_schema(specs, "none", max_string=50)
    assert short["properties"]["action"]["const"] == "answer"
    assert short["properties"]["text"]["maxLength"] == 50


def test_the_schema_compiles_to_a_llama_cpp_grammar() -> None:
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    for choice in ("auto", "required", "none", "run_sql"):
        schema = json.dumps(action_schema(REGISTRY.specs(), choice))
        assert llama_grammar.LlamaGrammar.from_json_schema(schema, verbose=False) is not None


def test_local_messages_fold_the_system_text_and_tool_results_into_user_turns() -> None:
    turns = to_local_messages(ChatRequest(CONVERSATION, (SQL_TOOL,)))
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[0]["content"].startswith("You are an analyst.")
    assert "run_sql: Run one query. Arguments: sql (string)." in turns[0]["content"]
    assert turns[0]["content"].endswith("How many trips?")
    assert json.loads(turns[1]["content"]) == {
        "action": "run_sql",
        "arguments": {"sql": "select count(*) from t"},
    }
    assert turns[2]["content"] == 'Result of run_sql:\n{"rows":[[3]]}'


def test_local_answers_are_parsed() -> None:
    call = parse_action('{"action": "run_sql", "arguments": {"sql": "select 1"}}')
    assert call.tool_calls == (ToolCall("call_1", "run_sql", {"sql": "select 1"}),)
    assert parse_action('{"action": "answer", "text": "Three."}').text == "Three."
    with pytest.raises(ProviderError, match="cut off"):
        parse_action('{"action": "answer", "text": "Thr')


def test_answer_text_streams_while_the_json_is_written() -> None:
    streamer = AnswerTextStreamer()
    pieces = ['{ "action"', ': "answer", "te', 'xt": "It is ', '\\"42\\"', "\\n\\u00e9", '!" }']
    shown = [streamer.feed(p) for p in pieces]
    assert "".join(shown) == 'It is "42"\né!'
    tool = AnswerTextStreamer()
    assert tool.feed('{"action": "run_sql", "arguments": {"sql": "select 1"}}') == ""


def test_a_missing_gguf_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    provider = LocalProvider(tmp_path / "missing.gguf")
    with pytest.raises(ProviderError) as caught:
        provider.load()
    assert "missing.gguf" in str(caught.value) and "rules" in caught.value.hint
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    with pytest.raises(ProviderError) as caught:
        LocalProvider(broken).load()
    assert "broken.gguf" in str(caught.value)


# ---------------------------------------------------------------------- the remote provider
@pytest.mark.parametrize(
    ("model", "api_base", "local"),
    [
        ("openai/x", "http://127.0.0.1:8080/v1", True),
        ("openai/x", "http://localhost:11434", True),
        ("openai/x", "http://[::1]:9000/v1", True),
        ("ollama/qwen2.5-coder", "", True),
        ("openai/gpt-4o-mini", "", False),
        ("anthropic/claude-3-5-haiku", "", False),
        ("openai/x", "http://10.0.0.5:8000/v1", False),
        ("openai/x", "https://models.example.com/v1", False),
    ],
)
def test_what_counts_as_the_network(model: str, api_base: str, local: bool) -> None:
    assert is_local_endpoint(model, api_base) is local


def test_a_remote_model_is_refused_before_any_connection_without_consent() -> None:
    # The test's network guard would fail any connection; the refusal comes first.
    for provider in (
        LiteLLMProvider("openai/gpt-4o-mini"),
        LiteLLMProvider("openai/x", api_base="http://10.255.255.1/v1"),
    ):
        with pytest.raises(NetworkNotAllowedError) as caught:
            provider.chat(ChatRequest((Message("user", "hi"),)))
        assert "network" in caught.value.hint.lower()
    LiteLLMProvider("openai/gpt-4o-mini", network_allowed=True).check_network()
    LiteLLMProvider("openai/x", api_base="http://127.0.0.1:1/v1").check_network()


def test_completion_arguments() -> None:
    request = ChatRequest(CONVERSATION, (SQL_TOOL,), "required", max_tokens=64)
    kwargs = completion_kwargs(request, model="openai/m", api_base="http://127.0.0.1:1/v1")
    assert kwargs["model"] == "openai/m" and kwargs["tool_choice"] == "required"
    assert kwargs["api_key"] == "not-needed" and kwargs["num_retries"] == 0
    assert kwargs["messages"] == to_openai_messages(CONVERSATION)
    keyed = completion_kwargs(request, model="openai/m", api_key="sk-1")
    assert keyed["api_key"] == "sk-1" and "api_base" not in keyed


def test_keys_live_in_the_keyring_and_settings_keep_a_reference(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    agent = AgentSettings(provider="litellm", model="openai/gpt-4o-mini", network=True)
    set_api_key(agent, "sk-very-secret")
    settings = Settings(network_enabled=True)
    agent.store(settings)
    path = settings.save(tmp_path / "settings.toml")
    assert "sk-very-secret" not in path.read_text()
    assert "sk-very-secret" in memory_keyring.passwords.values()
    loaded = AgentSettings.from_settings(Settings.load(path))
    assert loaded == agent
    provider = make_provider(None, Settings.load(path))
    assert isinstance(provider, LiteLLMProvider)
    assert provider.name == "litellm:openai/gpt-4o-mini" and provider.network_allowed
    # The provider's own switch is not enough without the app's.
    settings.network_enabled = False
    assert not make_provider(None, settings).network_allowed  # type: ignore[attr-defined]


def test_old_settings_files_load_and_choices_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "dark"\n[agent]\nprovider = 3\nmodel = "x"\n')
    settings = Settings.load(path)
    agent = AgentSettings.from_settings(settings)
    assert agent.provider == "rules" and agent.model == "x"  # a wrong type is ignored
    assert isinstance(make_provider(None, settings), RulesProvider)
    local = make_provider("local:/models/qwen.gguf", settings)
    assert isinstance(local, LocalProvider) and local.model_path == Path("/models/qwen.gguf")
    assert make_provider("litellm:ollama/llama3", settings).name == "litellm:ollama/llama3"
    with pytest.raises(ProviderError) as caught:
        make_provider("gpt", settings)
    assert "litellm:MODEL" in caught.value.hint
