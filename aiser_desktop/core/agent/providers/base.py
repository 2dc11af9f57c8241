"""One interface for every model provider (STYLE.md point 7).

A provider turns a :class:`ChatRequest` (the conversation so far and the tools it may call) into
a :class:`ChatResponse` (text, or tool calls). Turning the request into the provider's shape and
the provider's answer back is pure code here and in each provider's module, testable offline;
only the transport (llama.cpp in this process, LiteLLM over HTTP) is not.

The rules provider has no model: it does not chat, it interprets (``INTERPRETS``), and the loop
takes its shorter path (question -> interpretation -> run -> answer).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError

if TYPE_CHECKING:
    from aiser_desktop.core.agent.types import Interpretation, Refusal, Turn

TextSink = Callable[[str], None]
ProgressSink = Callable[[str, float], None]  # what is happening, 0..1 (or -1: unknown)


class ProviderError(AiserError):
    """A model could not answer (it failed, broke the protocol, or is not usable here)."""


class ModelMissingError(ProviderError):
    """The model file (or the library that runs it) is not there."""


class ModelTooSlowError(ProviderError):
    """The model answers too slowly for this machine."""


class NetworkNotAllowedError(ProviderError):
    """A remote provider would reach the network, which the person has not allowed."""


class ProviderCancelled(ProviderError):
    """The person cancelled while the model was writing."""

    def __init__(self) -> None:
        super().__init__("The question was cancelled.")


@dataclass(frozen=True)
class ToolCall:
    """A model's request to call a tool.

    Attributes:
        id: The call's id (the provider's, or made up), to pair it with its result.
        name: The tool's name.
        arguments: The arguments, decoded from JSON (a dict), or the raw text when they did
            not decode (the tool then reports the error so the model can fix it).
    """

    id: str
    name: str
    arguments: dict[str, Any] | str


@dataclass(frozen=True)
class Message:
    """One message of a chat, in the provider-neutral shape.

    Attributes:
        role: "system", "user", "assistant" or "tool".
        content: The text ("" for an assistant message that only calls tools).
        tool_calls: The calls an assistant message made.
        tool_call_id: For a "tool" message: the call it answers.
        name: For a "tool" message: the tool's name.
    """

    role: str
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class ToolSpec:
    """A tool as a model sees it.

    Attributes:
        name: The tool's name.
        description: What it does, for the model.
        parameters: The JSON schema of its arguments (an object; strings carry maxLength).
    """

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    """What the loop asks a model.

    Attributes:
        messages: The conversation so far.
        tools: The tools it may call.
        tool_choice: "auto", "required" (must call a tool), "none" (must answer) or a tool's
            name (must call that one).
        max_tokens: Most tokens to write.
        temperature: 0 for the most likely answer.
    """

    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: str = "auto"
    max_tokens: int = 512
    temperature: float = 0.0


@dataclass(frozen=True)
class ChatResponse:
    """What a model answered.

    Attributes:
        text: Its text ("" when it only called tools).
        tool_calls: The tools it called.
        finish_reason: The provider's reason ("stop", "tool_calls", "length", ...).
        usage: Token counts when the provider reports them.
    """

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str = "stop"
    usage: dict[str, int] = field(default_factory=dict)


class CancelToken:
    """Set by the person (Cancel, Ctrl+C); checked by the loop, the providers and the SQL."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Calls ``callback`` when cancelled (at once if already); returns the undo."""
        with self._lock:
            self._callbacks.append(callback)
            already = self._event.is_set()
        if already:
            callback()

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove

    def check(self) -> None:
        """Raises :class:`ProviderCancelled` when cancelled."""
        if self._event.is_set():
            raise ProviderCancelled()


class Provider:
    """A source of answers: a model (local or remote) or the rules.

    Class attributes:
        KIND: "local", "litellm" or "rules".
        INTERPRETS: True for the rules provider (no chat; :meth:`interpret` instead).
        NEEDS_NETWORK: True when using it may leave the machine.
    """

    KIND = ""
    INTERPRETS = False
    NEEDS_NETWORK = False

    @property
    def name(self) -> str:
        """What the answer's ``provider`` field says: "rules", "local", "litellm:MODEL"."""
        return self.KIND

    def load(self, progress: ProgressSink | None = None) -> None:
        """Gets ready (a model loads once, here, in the caller's worker thread).

        Raises:
            ModelMissingError: The model or its library is not there.
        """

    def chat(
        self,
        request: ChatRequest,
        *,
        on_text: TextSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ChatResponse:
        """Asks the model; streams its text to ``on_text`` as it comes.

        Raises:
            ProviderError: The model failed; ProviderCancelled when ``cancel`` was set.
        """
        raise ProviderError(f"The {self.name} provider does not chat.")

    def interpret(
        self, question: str, history: Sequence[Turn], index: Any = None, knowledge: Any = None
    ) -> Interpretation | Refusal:
        """Maps a question onto the data without a model (the rules provider only).

        Args:
            question: What the person asked.
            history: The conversation's earlier turns (a follow-up refines the last one).
            index: The workspace's schema index.
            knowledge: What memory knows (a :class:`~aiser_desktop.core.agent.types.Knowledge`).
        """
        raise ProviderError(f"The {self.name} provider needs the tool loop.")

    def close(self) -> None:
        """Frees what :meth:`load` took (a model's memory)."""


# ---------------------------------------------------------------------- the OpenAI shape
# LiteLLM and llama.cpp both speak OpenAI's chat format; these are pure.
def to_openai_messages(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Messages in OpenAI's chat format."""
    out: list[dict[str, Any]] = []
    for m in messages:
        item: dict[str, Any] = {"role": m.role, "content": m.content}
        if m.tool_calls:
            item["content"] = m.content or None
            item["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": _arguments_text(call)},
                }
                for call in m.tool_calls
            ]
        if m.role == "tool":
            item["tool_call_id"] = m.tool_call_id
            if m.name:
                item["name"] = m.name
        out.append(item)
    return out


def to_openai_tools(tools: Iterable[ToolSpec]) -> list[dict[str, Any]]:
    """Tools in OpenAI's function-calling format."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]


def to_openai_tool_choice(choice: str, tools: Sequence[ToolSpec]) -> Any:
    """``ChatRequest.tool_choice`` in OpenAI's format (None: leave it out)."""
    if not tools:
        return None
    if choice in ("auto", "required", "none"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def from_openai_response(data: dict[str, Any]) -> ChatResponse:
    """An OpenAI-format chat completion (as a dict) as a :class:`ChatResponse`.

    Raises:
        ProviderError: It has no choices.
    """
    choices = data.get("choices") or []
    if not choices:
        raise ProviderError("The model's answer had no choices.")
    choice = choices[0]
    message = choice.get("message") or {}
    calls = tuple(
        _tool_call(c, n) for n, c in enumerate(message.get("tool_calls") or ()) if c is not None
    )
    usage = {k: int(v) for k, v in (data.get("usage") or {}).items() if isinstance(v, int)}
    return ChatResponse(
        text=str(message.get("content") or ""),
        tool_calls=calls,
        finish_reason=str(choice.get("finish_reason") or ("tool_calls" if calls else "stop")),
        usage=usage,
    )


class StreamAccumulator:
    """Puts an OpenAI-format stream of chunks back together (pure; one per answer).

    Text deltas are handed on as they arrive; tool-call fragments (a name, then the arguments
    in pieces, keyed by ``index``) are joined and decoded at the end.
    """

    def __init__(self) -> None:
        self._text: list[str] = []
        self._calls: dict[int, dict[str, str]] = {}
        self._finish = ""
        self._usage: dict[str, int] = {}

    def feed(self, chunk: dict[str, Any]) -> str:
        """Takes one chunk; returns its new text ("" if none)."""
        if chunk.get("usage"):
            self._usage = {k: int(v) for k, v in chunk["usage"].items() if isinstance(v, int)}
        new = ""
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if text:
                self._text.append(str(text))
                new += str(text)
            for n, frag in enumerate(delta.get("tool_calls") or ()):
                index = int(frag.get("index", n) if frag.get("index") is not None else n)
                slot = self._calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
                if frag.get("id"):
                    slot["id"] = str(frag["id"])
                function = frag.get("function") or {}
                if function.get("name"):
                    slot["name"] += str(function["name"])
                if function.get("arguments"):
                    slot["arguments"] += str(function["arguments"])
            if choice.get("finish_reason"):
                self._finish = str(choice["finish_reason"])
        return new

    def result(self) -> ChatResponse:
        calls = tuple(
            _tool_call(
                {
                    "id": slot["id"],
                    "function": {"name": slot["name"], "arguments": slot["arguments"]},
                },
                n,
            )
            for n, slot in sorted(self._calls.items())
            if slot["name"]
        )
        finish = self._finish or ("tool_calls" if calls else "stop")
        return ChatResponse("".join(self._text), calls, finish, self._usage)


def _tool_call(raw: dict[str, Any], n: int) -> ToolCall:
    function = raw.get("function") or {}
    arguments = function.get("arguments")
    decoded: dict[str, Any] | str
    if isinstance(arguments, dict):
        decoded = arguments
    else:
        text = str(arguments or "").strip() or "{}"
        try:
            value = json.loads(text)
        except ValueError:
            decoded = text
        else:
            decoded = value if isinstance(value, dict) else text
    return ToolCall(str(raw.get("id") or f"call_{n + 1}"), str(function.get("name") or ""), decoded)


def _arguments_text(call: ToolCall) -> str:
    if isinstance(call.arguments, str):
        return call.arguments
    return json.dumps(call.arguments, ensure_ascii=False)
