"""The rules interpreter's entry: refusals before reading, follow-ups, the SQL made from
the plan (see the package's docstring)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aiser_desktop.core.agent.rules import lexicon as lx
from aiser_desktop.core.agent.rules.build import chart_hint, explain, to_sql
from aiser_desktop.core.agent.rules.followup import refine
from aiser_desktop.core.agent.rules.parse import parse
from aiser_desktop.core.agent.rules.plan import Plan
from aiser_desktop.core.agent.rules.resolve import Refuse, Resolved, Resolver
from aiser_desktop.core.agent.rules.terms import Term, apply_terms, find_terms, rewrite, sql_terms
from aiser_desktop.core.agent.schema_index import SchemaIndex, tokenize
from aiser_desktop.core.agent.types import Interpretation, Knowledge, Refusal, Turn

PROVIDER = "rules"
_POLITE = {
    "please",
    "can",
    "could",
    "would",
    "you",
    "i",
    "want",
    "to",
    "let's",
    "lets",
    "now",
    "go",
    "ahead",
    "and",
    "just",
    "kindly",
    "need",
    "we",
    "should",
    "then",
    "also",
}


def _pre_check(question: str) -> Refusal | None:
    """Questions no query should answer: changing data, opinions, predictions."""
    text = question.strip()
    if not text:
        return Refusal("Ask a question about the data.", ("How many rows are in each table?",))
    lowered = " " + re.sub(r"\s+", " ", text.lower()) + " "
    words = [w.lower() for w in tokenize(text)]
    first = next((w for w in words if w not in _POLITE), "")
    rest = words[words.index(first) + 1 :] if first in words else []
    writes = first in lx.WRITE_VERBS and not (first == "add" and rest[:1] == ["up"])
    if writes or any(
        f" {s}" in lowered
        for s in lx.SQL_WRITES
        if s.strip()
        in ("delete from", "drop table", "insert into", "alter table", "create table", "truncate")
    ):
        return Refusal(
            "I only read data; I do not change, add or delete anything.",
            ("To change data, edit the source itself, then refresh it in Aiser.",),
        )
    if first in ("why",) or set(words) & {"joke", "poem", "hello", "hi", "thanks", "opinion"}:
        return Refusal(
            "I can show what the data holds (counts, totals, averages, trends), not causes "
            "or opinions.",
            ("Ask for the numbers behind it, e.g. 'average delay by month'.",),
        )
    future = set(words) & {"forecast", "predict", "prediction", "future", "tomorrow", "will"}
    after_next = words[words.index("next") + 1 : words.index("next") + 2] if "next" in words else []
    if future or (after_next and after_next[0] in ("day", "week", "month", "quarter", "year")):
        return Refusal(
            "I can show what the data holds, not predict what comes next.",
            ("Ask for the trend so far, e.g. 'monthly totals'.",),
        )
    return None


def _previous_plan(history: Sequence[Turn]) -> Plan | None:
    for turn in reversed(history):
        interpretation = turn.interpretation
        if interpretation is None:
            if turn.sql is None:
                continue
            return None  # answered by another provider: its form is not ours to refine
        plan = interpretation.details.get("plan") if interpretation.details else None
        return Plan.from_dict(plan) if plan else None
    return None


def _interpretation(
    resolved: Resolved, index: SchemaIndex, terms: Sequence[Term] = ()
) -> Interpretation:
    if terms:
        resolved = apply_terms(resolved, list(terms))
    plan = resolved.plan
    tables = {plan.table}
    for ref in (
        [m.column for m in plan.measures]
        + [d.column for d in plan.dimensions]
        + [f.column for f in plan.filters]
    ):
        if ref is not None:
            tables |= {step.other for step in ref.path}
    if plan.axis is not None:
        tables |= {step.other for step in plan.axis.path}
    columns = {c.name for t in tables if (e := index.table(t)) for c in e.columns}
    sql, names = to_sql(plan, columns)
    return Interpretation(
        sql=sql,
        explanation=explain(plan),
        assumptions=tuple(resolved.assumptions),
        confidence=resolved.confidence,
        chart=chart_hint(plan, names),
        details={"plan": plan.to_dict(), "columns": names, "provider": PROVIDER},
    )


def interpret(
    question: str,
    index: SchemaIndex,
    history: Sequence[Turn] = (),
    knowledge: Knowledge | None = None,
) -> Interpretation | Refusal:
    """Reads ``question`` against the workspace's schema.

    Args:
        question: The question in plain words.
        index: The workspace's schema index (:meth:`SchemaIndex.for_workspace`).
        history: Earlier turns of the conversation, oldest first; a follow-up ("and by
            month?") refines the last one.
        knowledge: What memory knows: the fiscal year, the glossary's terms (see
            :mod:`aiser_desktop.core.agent.rules.terms`).

    Returns:
        An :class:`Interpretation` with a single read-only SELECT, or a :class:`Refusal`
        that says why the data cannot answer.
    """
    refused = _pre_check(question)
    if refused is not None:
        return refused
    known = knowledge or Knowledge()
    terms = find_terms(question, sql_terms(known, index)) if known.terms else []
    if terms:
        question = rewrite(question, terms)
    parsed = parse(question, index)
    previous = _previous_plan(history)
    try:
        if previous is not None and parsed.follow_up:
            return _interpretation(refine(Resolver(parsed, index, known), previous), index, terms)
        try:
            return _interpretation(Resolver(parsed, index, known).resolve(), index, terms)
        except Refuse as exc:
            if previous is None or not _could_refine(parsed):
                raise
            try:
                return _interpretation(
                    refine(Resolver(parse(question, index), index, known), previous),
                    index,
                    terms,
                )
            except Refuse:
                raise exc from None
    except Refuse as exc:
        return Refusal(exc.reason, exc.suggestions)


def _could_refine(parsed: object) -> bool:
    """A short question with no table of its own may refine the last one ("by month")."""
    from aiser_desktop.core.agent.rules.parse import Parsed

    assert isinstance(parsed, Parsed)
    if any(m.kind == "unknown" for m in parsed.mentions):
        return False
    return len(parsed.tokens) <= 6 and not any(m.kind == "table" for m in parsed.mentions)
