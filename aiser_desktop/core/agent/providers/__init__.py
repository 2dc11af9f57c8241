"""The agent's providers (local llama.cpp, remote LiteLLM, rules) and the choice between them.

The choice lives in the settings file's ``[agent]`` table (``Settings.extra["agent"]``, so
older settings files load unchanged):

.. code-block:: toml

    [agent]
    provider = "rules"           # rules | local | litellm
    model = ""                   # LiteLLM's model name, e.g. "openai/gpt-4o-mini"
    gguf_path = ""               # a GGUF file for the local provider ("" = the packaged one)
    api_base = ""                # an OpenAI-compatible server, e.g. "http://127.0.0.1:8080/v1"
    api_key_ref = ""             # the key's reference in the OS keyring (never the key)
    network = false              # the person allowed the remote model to use the network
    n_ctx = 8192                 # the local model's context length

The remote model reaches the network only when both ``network`` here and the app's
``network_enabled`` are on (a server on this machine needs neither).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.agent.providers.base import Provider, ProviderError

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings

PROVIDER_KINDS = ("rules", "local", "litellm")


@dataclass
class AgentSettings:
    """The agent's part of the settings (see the module's docstring)."""

    provider: str = "rules"
    model: str = ""
    gguf_path: str = ""
    api_base: str = ""
    api_key_ref: str = ""
    network: bool = False
    n_ctx: int = 8192

    @classmethod
    def from_settings(cls, settings: Settings) -> AgentSettings:
        """The ``[agent]`` table; unknown keys and values of the wrong type are ignored."""
        table = settings.extra.get("agent")
        values: dict[str, Any] = {}
        if isinstance(table, dict):
            defaults = cls()
            for f in fields(cls):
                value = table.get(f.name)
                if value is not None and isinstance(value, type(getattr(defaults, f.name))):
                    values[f.name] = value
        return cls(**values)

    def store(self, settings: Settings) -> None:
        """Writes this into ``settings`` (call ``settings.save()`` after)."""
        table = dict(settings.extra.get("agent") or {})
        table.update(asdict(self))
        settings.extra["agent"] = table


def set_api_key(agent: AgentSettings, key: str) -> None:
    """Keeps ``key`` in the OS keyring and only its reference in ``agent``.

    Raises:
        SecretStoreError: No keyring works on this machine.
    """
    from aiser_desktop.core.security import secrets

    agent.api_key_ref = secrets.put(key, agent.api_key_ref or None)


def make_provider(choice: str | None, settings: Settings) -> Provider:
    """The provider for ``choice`` ("rules", "local", "litellm:MODEL"; None: the settings').

    Raises:
        ProviderError: ``choice`` names no provider.
    """
    agent = AgentSettings.from_settings(settings)
    choice = (choice or agent.provider or "rules").strip()
    kind, _, model = choice.partition(":")
    kind = kind.lower()
    if kind == "rules":
        from aiser_desktop.core.agent.providers.rules import RulesProvider

        return RulesProvider()
    if kind == "local":
        from aiser_desktop.core.agent.providers.local import LocalProvider

        return LocalProvider(model or agent.gguf_path or None, n_ctx=agent.n_ctx)
    if kind == "litellm":
        from aiser_desktop.core.agent.providers.remote import LiteLLMProvider

        return LiteLLMProvider(
            model or agent.model,
            api_base=agent.api_base,
            api_key_ref=agent.api_key_ref,
            network_allowed=agent.network and settings.network_enabled,
        )
    raise ProviderError(
        f"There is no provider {choice!r}.",
        hint="Choose rules, local (or local:/path/model.gguf) or litellm:MODEL "
        "(for example litellm:openai/gpt-4o-mini).",
    )


__all__ = ["PROVIDER_KINDS", "AgentSettings", "Provider", "make_provider", "set_api_key"]
