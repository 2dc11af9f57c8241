"""The remote provider: any model LiteLLM can reach (OpenAI, Anthropic, Azure, Ollama, any
OpenAI-compatible server), used only when the person allowed it.

- **Network consent.** A model reached over the network is refused unless the person turned on
  both the app's network switch and this provider's ("Use the network" in the agent's
  settings). A server on this machine (an ``api_base`` on 127.0.0.1, ``::1`` or localhost; an
  Ollama model without one) is not the network and needs no consent.
- **Keys** live in the OS keyring (``core/security/secrets.py``); settings keep only the
  reference. Error messages pass through ``redact`` so a key never reaches the screen or the log.
- **LiteLLM is imported lazily** (it takes seconds), with ``LITELLM_LOCAL_MODEL_COST_MAP`` set
  first so it reads its bundled price map instead of fetching one (RECIPES.md). Nothing here
  calls LiteLLM's token counters, which can download tokenizers.

The request is shaped by :func:`completion_kwargs` (pure) and the answer read back by
:func:`aiser_desktop.core.agent.providers.base.from_openai_response` or the
:class:`~aiser_desktop.core.agent.providers.base.StreamAccumulator` (pure); only
``litellm.completion`` itself is transport.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import warnings
from typing import Any
from urllib.parse import urlsplit

from aiser_desktop.core.agent.providers.base import (
    CancelToken,
    ChatRequest,
    ChatResponse,
    ModelMissingError,
    NetworkNotAllowedError,
    ProgressSink,
    Provider,
    ProviderCancelled,
    ProviderError,
    StreamAccumulator,
    TextSink,
    from_openai_response,
    to_openai_messages,
    to_openai_tool_choice,
    to_openai_tools,
)
from aiser_desktop.core.security import secrets

log = logging.getLogger(__name__)

COST_MAP_ENV = "LITELLM_LOCAL_MODEL_COST_MAP"
DEFAULT_TIMEOUT = 120.0
_LOCAL_PREFIXES = ("ollama/", "ollama_chat/", "llamafile/", "lm_studio/")
_import_lock = threading.Lock()


def is_local_endpoint(model: str, api_base: str = "") -> bool:
    """True when the model is served on this machine (no network is used to reach it)."""
    if not api_base:
        return model.startswith(_LOCAL_PREFIXES)  # these default to a localhost server
    host = (urlsplit(api_base).hostname or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def completion_kwargs(
    request: ChatRequest,
    *,
    model: str,
    api_base: str = "",
    api_key: str | None = None,
    stream: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """The arguments of ``litellm.completion`` for ``request`` (pure)."""
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": to_openai_messages(request.messages),
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stream": stream,
        "timeout": timeout,
        "num_retries": 0,  # the loop decides what to do next; no silent waits
        "drop_params": True,  # a provider without tool_choice (or temperature) still answers
    }
    if request.tools:
        kwargs["tools"] = to_openai_tools(request.tools)
        choice = to_openai_tool_choice(request.tool_choice, request.tools)
        if choice is not None:
            kwargs["tool_choice"] = choice
    if api_base:
        kwargs["api_base"] = api_base
    if api_key:
        kwargs["api_key"] = api_key
    elif api_base and is_local_endpoint(model, api_base):
        kwargs["api_key"] = "not-needed"  # OpenAI-compatible local servers ignore it
    return kwargs


def import_litellm() -> Any:
    """LiteLLM, imported on first use with its bundled price map (no download at import)."""
    with _import_lock:
        os.environ[COST_MAP_ENV] = "True"
        # LiteLLM's types make pydantic warn about TypedDict qualifiers, at import and later as
        # it loads more: noise for the person, so those (and only those) are silenced.
        warnings.filterwarnings("ignore", message=r".*ReadOnly. qualifier", category=UserWarning)
        try:
            import litellm
        except ImportError as exc:
            raise ModelMissingError(
                "LiteLLM, which reaches remote models, is not installed.",
                hint="Install it with pip install 'aiser-desktop[remote-llm]', or use the local "
                "model or the rules provider.",
            ) from exc
        litellm.telemetry = False
        litellm.suppress_debug_info = True
        return litellm


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        data = dump()
        return data if isinstance(data, dict) else {}
    return dict(obj)


class LiteLLMProvider(Provider):
    """A model reached through LiteLLM.

    Args:
        model: LiteLLM's model name ("openai/gpt-4o-mini", "anthropic/claude-...",
            "ollama/qwen2.5-coder", "openai/NAME" with ``api_base`` for any OpenAI-compatible
            server).
        api_base: The server's URL, when not the provider's default.
        api_key_ref: The keyring reference of the key ("" when none is needed).
        network_allowed: The person allowed the network for this provider (and the app).
        stream: Stream the answer (text appears as it is written).
        timeout: Seconds one answer may take.
    """

    KIND = "litellm"
    NEEDS_NETWORK = True

    def __init__(
        self,
        model: str,
        *,
        api_base: str = "",
        api_key_ref: str = "",
        network_allowed: bool = False,
        stream: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not model.strip():
            raise ProviderError(
                "No remote model is named.",
                hint="Give one as litellm:MODEL, for example litellm:openai/gpt-4o-mini.",
            )
        self.model = model.strip()
        self.api_base = api_base.strip()
        self.api_key_ref = api_key_ref
        self.network_allowed = network_allowed
        self.stream = stream
        self.timeout = timeout
        self._litellm: Any = None

    @property
    def name(self) -> str:
        return f"litellm:{self.model}"

    def check_network(self) -> None:
        """Raises :class:`NetworkNotAllowedError` unless this model may be reached."""
        if self.network_allowed or is_local_endpoint(self.model, self.api_base):
            return
        where = self.api_base or f"{self.model.split('/', 1)[0]}'s servers"
        raise NetworkNotAllowedError(
            f"The remote model {self.model} would be reached over the network ({where}), "
            "which is turned off.",
            hint="Turn on the network for the remote model in the agent's settings (and the "
            "app's network switch), or use the local model or the rules provider.",
        )

    def load(self, progress: ProgressSink | None = None) -> None:
        self.check_network()
        if self._litellm is None:
            if progress is not None:
                progress("Loading LiteLLM", -1.0)
            self._litellm = import_litellm()

    def chat(
        self,
        request: ChatRequest,
        *,
        on_text: TextSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ChatResponse:
        self.load()
        key = secrets.get(self.api_key_ref) if self.api_key_ref else None
        kwargs = completion_kwargs(
            request,
            model=self.model,
            api_base=self.api_base,
            api_key=key,
            stream=self.stream,
            timeout=self.timeout,
        )
        try:
            response = self._litellm.completion(**kwargs)
            if not self.stream:
                answer = from_openai_response(_as_dict(response))
                if answer.text and on_text is not None:
                    on_text(answer.text)
                return answer
            accumulator = StreamAccumulator()
            try:
                for chunk in response:
                    if cancel is not None and cancel.cancelled:
                        raise ProviderCancelled()
                    text = accumulator.feed(_as_dict(chunk))
                    if text and on_text is not None:
                        on_text(text)
            finally:
                close = getattr(response, "close", None)
                if callable(close):
                    close()
            return accumulator.result()
        except ProviderError:
            raise
        except Exception as exc:
            message = (
                secrets.redact(str(exc), key).splitlines()[0] if str(exc) else type(exc).__name__
            )
            log.warning("remote model %s failed: %s", self.model, message)
            raise ProviderError(
                f"The remote model {self.model} failed: {message}",
                hint="Check the model name, the server address and the key in the agent's "
                "settings.",
            ) from None
