"""The records that pass between the agent's parts: plain, frozen, serialisable.

A question becomes an :class:`Interpretation` (the SQL and what it assumes) or a
:class:`Refusal` (why it cannot be answered from this data); running the interpretation gives an
:class:`Answer`, which is what the panel, the CLI (``aiser ask --json``) and the evaluation read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Turn:
    """One earlier question of the conversation, so a follow-up ("and by month?") can refine it.

    Attributes:
        question: What the person asked.
        sql: The SQL that answered it (None if it was not answered).
        interpretation: The interpretation behind the SQL, when the rules provider made it
            (its structured form lets a follow-up change one part of it).
    """

    question: str
    sql: str | None = None
    interpretation: Interpretation | None = None


@dataclass(frozen=True)
class Knowledge:
    """What the agent's memory tells an interpreter (see :mod:`aiser_desktop.core.agent.memory`).

    Attributes:
        fiscal_year_start: The month (1-12) the person's fiscal year starts; 1 is calendar.
        terms: Business terms and what they mean, as (term, definition) pairs; a definition
            that is SQL ("sum(price*qty)", "distance > 1000") expands in the rules' SQL.
    """

    fiscal_year_start: int = 1
    terms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Interpretation:
    """What a question means against this workspace's data.

    Attributes:
        sql: A single read-only DuckDB SELECT (or WITH) statement.
        explanation: The question as understood, in plain words ("average arrival delay by
            carrier, highest first, top 10").
        assumptions: Choices the question left open ("'last summer' read as June to August
            2013, the latest summer in the data").
        confidence: 0 to 1; how sure the interpreter is that the SQL answers the question.
        chart: A chart hint as plain data ({"kind": "bar", "x": "carrier", "y": "delay"}), or
            None when a table says it better.
        details: Interpreter-specific structured form (measure, dimensions, filters, ...),
            kept for follow-ups; plain JSON-able data.
    """

    sql: str
    explanation: str
    assumptions: tuple[str, ...] = ()
    confidence: float = 1.0
    chart: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """The question cannot be answered from the data, and why (never a guess)."""

    reason: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The agent's answer, with its evidence.

    Attributes:
        question: What was asked.
        sql: The SQL that produced the numbers (None when refused or failed).
        columns: The result's column names.
        rows: The first rows of the result (at most 100), as JSON-able values.
        row_count: All rows of the result.
        chart: The chart spec (plain data) or None.
        answer: A short text answer; when there is no SQL, it says why.
        provider: "rules", "local" or "litellm:MODEL".
        confidence: 0 to 1.
        assumptions: What the answer assumed.
        episode: The answer's record in the agent's memory (None when not remembered).
    """

    question: str
    sql: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    row_count: int
    chart: dict[str, Any] | None
    answer: str
    provider: str
    confidence: float
    assumptions: tuple[str, ...] = ()
    episode: int | None = None  # its record in memory, for the person's thumbs up or down

    def to_json(self) -> dict[str, Any]:
        """The shape ``aiser ask --json`` prints."""
        data = asdict(self)
        data["columns"] = list(self.columns)
        data["rows"] = [list(row) for row in self.rows]
        data["assumptions"] = list(self.assumptions)
        return data
