"""Stand-ins for models in the agent's tests: never for the code under test.

- :class:`FakeOpenAIServer`: a small OpenAI-compatible HTTP server on 127.0.0.1 that plays
  recorded responses in order (plain or streamed as server-sent events) and records every
  request it got. LiteLLM talks to it through its real ``openai/`` path, end to end.
- :class:`ScriptedProvider`: a model as a list of answers, for the loop's own tests.
- :class:`FixedInterpreter`: a rules-like provider that always gives the same interpretation,
  for testing how the loop falls back and runs interpretations.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiser_desktop.core.agent.providers.base import (
    CancelToken,
    ChatRequest,
    ChatResponse,
    Provider,
    ProviderCancelled,
    ProviderError,
    TextSink,
    ToolCall,
)
from aiser_desktop.core.agent.types import Interpretation, Refusal, Turn


# ---------------------------------------------------------------------- recorded responses
def say(text: str) -> dict[str, Any]:
    """A recorded answer: the model writes ``text``."""
    return {"content": text}


def call(*calls: tuple[str, dict[str, Any]], text: str = "") -> dict[str, Any]:
    """A recorded answer: the model calls tools, ``(name, arguments)`` each."""
    return {"content": text, "tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


def _message(recorded: dict[str, Any], n: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": recorded.get("content") or None}
    if recorded.get("tool_calls"):
        message["tool_calls"] = [
            {
                "id": f"call_{n}_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
            }
            for i, c in enumerate(recorded["tool_calls"])
        ]
    return message


def _chunks(recorded: dict[str, Any], n: int) -> Iterator[dict[str, Any]]:
    """The recorded answer as OpenAI stream chunks: text in small pieces, each tool call's
    name first and its arguments in two halves (as real servers split them)."""
    text = recorded.get("content") or ""
    yield {"role": "assistant", "content": ""}
    for start in range(0, len(text), 7):
        yield {"content": text[start : start + 7]}
    for i, c in enumerate(recorded.get("tool_calls") or ()):
        args = json.dumps(c["arguments"])
        half = len(args) // 2
        yield {
            "tool_calls": [
                {
                    "index": i,
                    "id": f"call_{n}_{i}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": ""},
                }
            ]
        }
        yield {"tool_calls": [{"index": i, "function": {"arguments": args[:half]}}]}
        yield {"tool_calls": [{"index": i, "function": {"arguments": args[half:]}}]}


class FakeOpenAIServer:
    """``/v1/chat/completions`` on 127.0.0.1, answering with ``responses`` in order.

    A request beyond the recorded responses gets an HTTP 500.

    Attributes:
        requests: The JSON bodies received, in order.
        url: The ``api_base`` to give LiteLLM (``http://127.0.0.1:PORT/v1``).
    """

    def __init__(self, responses: Sequence[dict[str, Any]], *, echo_key: bool = False) -> None:
        self.responses = list(responses)
        self.echo_key = echo_key  # errors quote the request's key, as some servers do
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    n = len(server.requests)
                    recorded = server.responses[n - 1] if n <= len(server.responses) else None
                if recorded is None:
                    key = self.headers.get("authorization", "") if server.echo_key else ""
                    message = f"no more recorded responses {key}".strip()
                    self._send(500, {"error": {"message": message}})
                elif body.get("stream"):
                    self._stream(recorded, n)
                else:
                    finish = "tool_calls" if recorded.get("tool_calls") else "stop"
                    self._send(
                        200,
                        {
                            "id": f"resp-{n}",
                            "object": "chat.completion",
                            "created": int(time.time()),
                            "model": body.get("model", "fake"),
                            "choices": [
                                {
                                    "index": 0,
                                    "message": _message(recorded, n),
                                    "finish_reason": finish,
                                }
                            ],
                            "usage": {
                                "prompt_tokens": 1,
                                "completion_tokens": 1,
                                "total_tokens": 2,
                            },
                        },
                    )

            def _send(self, status: int, data: dict[str, Any]) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, recorded: dict[str, Any], n: int) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                finish = "tool_calls" if recorded.get("tool_calls") else "stop"
                deltas = [*_chunks(recorded, n), None]
                for delta in deltas:
                    chunk = {
                        "id": f"resp-{n}",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": "fake",
                        "choices": [
                            {
                                "index": 0,
                                "delta": delta or {},
                                "finish_reason": None if delta is not None else finish,
                            }
                        ],
                    }
                    self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# ---------------------------------------------------------------------- in-process models
Step = ChatResponse | Callable[[ChatRequest], ChatResponse]


class ScriptedProvider(Provider):
    """A model that answers with ``steps`` in order (a step may look at the request).

    Attributes:
        requests: Every request it got.
    """

    KIND = "scripted"

    def __init__(self, steps: Sequence[Step], *, fail_load: ProviderError | None = None) -> None:
        self.steps = list(steps)
        self.requests: list[ChatRequest] = []
        self.fail_load = fail_load
        self.loads = 0
        self.closed = False

    def load(self, progress: Any = None) -> None:
        self.loads += 1
        if progress is not None:
            progress("Loading the scripted model", 1.0)
        if self.fail_load is not None:
            raise self.fail_load

    def close(self) -> None:
        self.closed = True

    def chat(
        self,
        request: ChatRequest,
        *,
        on_text: TextSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ChatResponse:
        self.requests.append(request)
        if not self.steps:
            raise ProviderError("The scripted model has nothing more to say.")
        step = self.steps.pop(0)
        response = step(request) if callable(step) else step
        if cancel is not None and cancel.cancelled:
            raise ProviderCancelled()
        if response.text and on_text is not None:
            for start in range(0, len(response.text), 5):
                on_text(response.text[start : start + 5])
        return response


def sql_call(sql: str, call_id: str = "c1") -> ChatResponse:
    return ChatResponse(tool_calls=(ToolCall(call_id, "run_sql", {"sql": sql}),))


def answer(text: str) -> ChatResponse:
    return ChatResponse(text=text)


class FixedInterpreter(Provider):
    """A provider without a model that always reads questions the same way.

    Attributes:
        seen: (question, history) of every call, so follow-ups can be checked.
    """

    KIND = "rules"
    INTERPRETS = True

    def __init__(self, result: Interpretation | Refusal) -> None:
        self.result = result
        self.seen: list[tuple[str, list[Turn]]] = []

    def interpret(
        self, question: str, history: Sequence[Turn], index: Any = None
    ) -> Interpretation | Refusal:
        self.seen.append((question, list(history)))
        return self.result
