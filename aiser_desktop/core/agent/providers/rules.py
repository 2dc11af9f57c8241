"""The rules provider: no model at all, so it always works, offline, on any machine.

It adapts the deterministic interpreter (:func:`aiser_desktop.core.agent.rules.interpret`,
which maps common analytics questions onto the schema index) to the provider interface. It does
not chat: the loop takes its short path (question -> Interpretation -> run -> Answer) and falls
back to it when a model fails. When the interpreter cannot answer, it says so (a
:class:`~aiser_desktop.core.agent.types.Refusal`) rather than guess.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any

from aiser_desktop.core.agent.providers.base import ModelMissingError, Provider, ProviderError
from aiser_desktop.core.agent.types import Interpretation, Refusal, Turn

log = logging.getLogger(__name__)


def _rules() -> Any:
    """The interpreter module (imported by name: it is the rules engineer's, not this file's)."""
    return importlib.import_module("aiser_desktop.core.agent.rules")


class RulesProvider(Provider):
    """Answers from the schema and the data's values, with rules instead of a model."""

    KIND = "rules"
    INTERPRETS = True

    def load(self, progress: Any = None) -> None:
        try:
            ready = hasattr(_rules(), "interpret")
        except ImportError:
            ready = False
        if not ready:
            raise ModelMissingError(
                "The rules interpreter is not part of this installation.",
                hint="Reinstall Aiser Desktop.",
            )

    def interpret(
        self, question: str, history: Sequence[Turn], index: Any = None, knowledge: Any = None
    ) -> Interpretation | Refusal:
        """The interpretation of ``question`` against ``index`` (a SchemaIndex), or why not.

        Raises:
            ProviderError: The interpreter failed (a bug: it should refuse instead).
        """
        self.load()
        try:
            result = _rules().interpret(question, index, list(history), knowledge)
        except Exception as exc:
            log.exception("the rules interpreter failed on %r", question)
            raise ProviderError(
                f"The rules could not read the question: {exc}",
                hint="Rephrase it (for example: 'average price by region'), or write the SQL "
                "in the editor.",
            ) from exc
        if not isinstance(result, (Interpretation, Refusal)):
            raise ProviderError(f"The rules returned {type(result).__name__}, not an answer.")
        return result
