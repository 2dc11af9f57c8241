"""Recalling earlier questions: the same question asked again in other words, and similar
ones to show a model as worked examples.

Reuse must never hand back a wrong number, so "the same question" is strict: both questions
reduce to the same set of content words, after stemming and after common rephrasings are made
one ("how many", "number of" and "count of" all become ``count``; "per", "for each" and "by"
become ``by``). "How many flights were there in 2013?" and "number of flights in 2013" meet;
"flights in 2014" does not, nor does "average delay" meet "total delay". A thumbs-down answer
is never reused, and the latest verdict on a question wins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiser_desktop.core.agent.memory.store import Episode

_PHRASES = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bhow\s+many\b", " count "),
        (r"\b(?:the\s+)?(?:total\s+)?number\s+of\b", " count "),
        (r"\bcount\s+of\b", " count "),
        (r"\bfor\s+(?:each|every)\b", " by "),
        (r"\b(?:per|each|every)\b", " by "),
        (r"\bbroken\s+down\s+by\b", " by "),
        (r"\b(?:average|mean|avg)\b", " avg "),
        (r"\b(?:sum\s+of|total)\b", " sum "),
        (r"\b(?:highest|largest|biggest|most)\b", " top "),
        (r"\b(?:lowest|smallest|least|fewest)\b", " bottom "),
        (r"\bmonthly\b", " by month "),
        (r"\b(?:yearly|annual(?:ly)?)\b", " by year "),
        (r"\bdaily\b", " by day "),
    )
)
_STOP = frozenset(
    ("a", "an", "the", "of", "in", "on", "at", "is", "are", "was", "were", "be", "been", "there",
     "what", "which", "who", "show", "me", "give", "tell", "list", "please", "do", "does", "did",
     "we", "our", "i", "you", "can", "could", "would", "for", "all", "with", "as", "and", "data",
     "that", "this", "those", "these", "it", "its", "their", "have", "has", "had", "get", "find",
     "display")
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def canonical(question: str) -> frozenset[str]:
    """The question's content words, rephrasings made one (see the module's docstring)."""
    from aiser_desktop.core.agent.rules.vocabulary import stem

    text = question.lower()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    words = re.findall(r"[a-z]+|\d+(?:\.\d+)?", text)
    return frozenset(stem(w) for w in words if w not in _STOP)


def question_key(question: str) -> str:
    """The question's canonical form as one indexed string ("" when too short to reuse)."""
    key = canonical(question)
    return " ".join(sorted(key))[:400] if len(key) >= 2 else ""


def same_question(a: str, b: str) -> bool:
    """Whether two questions ask the same thing (strictly: see the module's docstring)."""
    key = canonical(a)
    return len(key) >= 2 and key == canonical(b)


def reusable(question: str, candidates: Iterable[Episode]) -> Episode | None:
    """The episode whose answer can be given again for ``question``: the same question,
    answered with SQL, whose latest verdict is a thumbs-up (None otherwise)."""
    same = [e for e in candidates if e.sql and same_question(question, e.question)]
    judged = sorted((e for e in same if e.feedback != 0), key=lambda e: e.id, reverse=True)
    if judged and judged[0].feedback > 0:
        return judged[0]
    return None


def examples(question: str, candidates: Sequence[Episode], limit: int = 3) -> list[Episode]:
    """Worked examples for a model: similar questions answered with SQL, helpful ones first,
    never one marked wrong."""
    usable = [e for e in candidates if e.sql and e.feedback >= 0]
    usable.sort(key=lambda e: -e.feedback)  # stable: FTS5's order within each verdict
    chosen: list[Episode] = []
    for episode in usable:
        if not any(same_question(episode.question, c.question) for c in chosen):
            chosen.append(episode)
        if len(chosen) == limit:
            break
    return chosen
