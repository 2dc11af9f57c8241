"""The agent's memory: what it learned about the person, what it was asked, and their words.

Three kinds, all in the workspace's state.sqlite, all visible and editable in the Memory
panel and ``aiser memory``:

- preferences (``learn``): fiscal year start, currency, units, preferred chart, default
  filter, read from what the person says ("our fiscal year starts in April") without a model;
- episodes (``recall``): every question with its SQL, result shape, provider and the person's
  thumbs up or down, found again by FTS5; reused as worked examples in a model's prompt, and
  as the answer itself when the same question (in other words) had a thumbs-up;
- the glossary: business terms ("revenue means sum(price*qty)"), expanded by the rules
  (``rules/terms.py``), searched by search_schema and shown to a model.

:class:`Memory` is what the loop (``core/agent/loop.py``) talks to.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.agent.memory.learn import KEYS, Learned, read_statement
from aiser_desktop.core.agent.memory.recall import canonical, examples, reusable
from aiser_desktop.core.agent.memory.store import (
    Episode,
    GlossaryEntry,
    MemoryItemError,
    MemoryStore,
    Preference,
)
from aiser_desktop.core.agent.types import Knowledge

if TYPE_CHECKING:
    from aiser_desktop.core.agent.types import Answer
    from aiser_desktop.core.state.store import StateStore
    from aiser_desktop.core.workspace import Workspace

__all__ = [
    "KEYS",
    "Episode",
    "GlossaryEntry",
    "Learned",
    "Memory",
    "MemoryItemError",
    "MemoryStore",
    "Preference",
    "read_statement",
]

log = logging.getLogger(__name__)

EXAMPLES = 3  # worked examples shown to a model


class Memory:
    """The agent's memory over one workspace's state.

    Args:
        state: The workspace's state store.
    """

    def __init__(self, state: StateStore) -> None:
        self.store = MemoryStore(state)

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> Memory:
        return cls(workspace.state)

    # ------------------------------------------------------------------ preferences, terms
    def knowledge(self) -> Knowledge:
        """What the interpreters read: the fiscal year's first month and the glossary."""
        fiscal = self.store.preference("fiscal_year_start")
        month = int(fiscal) if fiscal and fiscal.isdigit() and 1 <= int(fiscal) <= 12 else 1
        terms = tuple((g.term, g.definition) for g in self.store.glossary())
        return Knowledge(fiscal_year_start=month, terms=terms)

    def learn(self, text: str) -> Learned | None:
        """Stores what ``text`` states about the person or their terms; None for a question."""
        learned = read_statement(text)
        if learned is None:
            return None
        origin = "correction" if learned.correction else "said"
        for key, value in learned.preferences.items():
            self.store.set_preference(key, value, origin, text.strip())
        for term, definition in learned.terms:
            self.store.set_term(term, definition)
        return learned

    def preferred_chart(self, chart: dict[str, Any] | None, rows: int = 0) -> dict[str, Any] | None:
        """The answer's chart in the person's preferred kind, where that kind fits: a trend
        (a line or an area) in bars, lines or areas; categories in bars, or in a pie when
        there are at most 8 of them. Categories are never drawn as a line."""
        kind = self.store.preference("chart_kind")
        shown = chart.get("kind") if chart else None
        if not chart or not kind or shown == kind:
            return chart
        if shown in ("line", "area") and kind in ("bar", "line", "area"):
            return {**chart, "kind": kind}
        if shown == "bar" and kind == "pie" and "series" not in chart and 0 < rows <= 8:
            return {**chart, "kind": kind}
        return chart

    # ------------------------------------------------------------------ episodes
    def remember(self, conversation: str, answer: Answer) -> int:
        """Records an answered question; returns the episode's id."""
        return self.store.add_episode(
            conversation,
            answer.question,
            answer.sql,
            list(answer.columns),
            answer.row_count,
            answer.answer,
            answer.chart,
            answer.provider,
        )

    def feedback(self, episode_id: int, good: bool | None) -> bool:
        """The person's thumbs up (True), down (False) or neither (None)."""
        return self.store.set_feedback(episode_id, 0 if good is None else (1 if good else -1))

    def reusable(self, question: str) -> Episode | None:
        """An earlier answer to the same question that the person marked helpful, given
        since the preferences and the glossary last changed (a new fiscal year or a new
        definition may change the answer)."""
        found = reusable(question, self.store.same_questions(question))
        if found is None:
            return None
        changes = [p.updated_at for p in self.store.preferences()]
        changes += [g.updated_at for g in self.store.glossary()]
        if changes and found.asked_at < max(changes):
            return None
        return found

    def examples(self, question: str) -> list[Episode]:
        """Similar questions answered before (never one marked wrong)."""
        words = " ".join(canonical(question))  # content words only: "by" matches everything
        return examples(question, self.store.search(words, 20, usable="examples"), EXAMPLES)

    # ------------------------------------------------------------------ the prompt
    def prompt(self, question: str) -> str:
        """What a model is told from memory ("" when memory holds nothing useful)."""
        parts: list[str] = []
        prefs = self.store.preferences()
        if prefs:
            parts.append("The person's preferences (follow them):")
            parts += [f"- {KEYS.get(p.key, p.key)}: {_pref_words(p)}" for p in prefs]
        glossary = self.store.glossary()
        if glossary:
            parts.append("Business terms (use these definitions):")
            parts += [f"- {g.term}: {g.definition}" for g in glossary]
        found = self.examples(question)
        if found:
            parts.append("Similar questions answered before (worked examples):")
            parts += [f"Q: {e.question}\nSQL: {e.sql}" for e in found]
        return "\n".join(parts)


def _pref_words(p: Preference) -> str:
    if p.key == "fiscal_year_start" and p.value.isdigit():
        import calendar

        return f"{calendar.month_name[int(p.value)]} (a 'year' means a fiscal year)"
    return p.value
