"""Business terms from the person's glossary, read by the rules.

A term defined as SQL expands in the rules' SQL: "revenue means sum(price*qty)" makes
"revenue by region" the SQL ``sum(price*qty)`` grouped by region (a *measure*, since the
definition aggregates), and "long flight means distance > 1000" makes "how many long flights"
count the rows where ``distance > 1000`` (a *condition*). The question is rewritten before it
is parsed (the term becomes "number of <table>", or the table's name), the plan is made as
usual, then the count or the filter is replaced by the term's SQL. A definition in words
("ordered in the last 90 days") cannot be run: it is left to the prompt and the schema search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiser_desktop.core.agent.rules.context import Refuse, Resolved, short
from aiser_desktop.core.agent.rules.plan import ColRef, Filter, Measure
from aiser_desktop.core.agent.schema_index import SchemaIndex
from aiser_desktop.core.agent.types import Knowledge

_AGGS = re.compile(r"\b(?:sum|avg|average|mean|count|min|max|median|stddev)\s*\(", re.I)
_LEADING = r"(?:(?:the|total|overall|our|sum\s+of|average|avg)\s+)*"


@dataclass(frozen=True)
class Term:
    """A glossary term the rules can run.

    Attributes:
        term: The words, as the person defined them ("revenue").
        sql: Its SQL ("sum(price*qty)").
        kind: "measure" (it aggregates) or "condition" (it is true or false of a row).
        table: The table that holds every column it names.
    """

    term: str
    sql: str
    kind: str
    table: str


def sql_terms(knowledge: Knowledge, index: SchemaIndex) -> list[Term]:
    """The glossary's terms whose definition is SQL over the columns of one table."""
    found = []
    for term, definition in knowledge.terms:
        parsed = _parse(definition)
        if parsed is None:
            continue
        kind, columns = parsed
        tables = [
            t.sql_name
            for t in index.tables.values()
            if columns and all(t.column(c) is not None for c in columns)
        ]
        if not tables:
            continue
        # Of several tables with those columns, the one most others hang off (the facts).
        table = max(sorted(tables), key=lambda t: len(index.joins_from(t)))
        found.append(Term(term.strip(), definition.strip(), kind, table))
    return found


def _parse(definition: str) -> tuple[str, list[str]] | None:
    """("measure" or "condition", the column names) of a SQL definition; None for words."""
    import sqlglot
    from sqlglot import exp

    text = definition.strip().rstrip(".;")
    if not text or not re.search(r"[()<>=*/+-]", text):
        return None  # plain words ("ordered in the last 90 days")
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except Exception:
        return None
    if tree is None or tree.find(exp.Select, exp.Subquery, exp.Command) is not None:
        return None
    columns = sorted({c.name for c in tree.find_all(exp.Column)})
    if _AGGS.search(text) and tree.find(exp.AggFunc) is not None:
        return "measure", columns
    predicates = (exp.Predicate, exp.And, exp.Or, exp.Not, exp.In, exp.Between)
    if isinstance(tree, (*predicates, exp.Paren)):
        return "condition", columns
    return None


def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.lower().split()]
    if words:
        words[-1] += r"(?:s|es)?"  # "long flight" also names "long flights"
    return re.compile(r"\b" + r"\s+".join(words) + r"\b", re.I)


def find_terms(question: str, terms: list[Term]) -> list[Term]:
    """The terms a question uses (longest first, so "net revenue" wins over "revenue")."""
    used: list[Term] = []
    taken: list[tuple[int, int]] = []
    for term in sorted(terms, key=lambda t: -len(t.term)):
        match = _pattern(term.term).search(question)
        if match and not any(a < match.end() and match.start() < b for a, b in taken):
            used.append(term)
            taken.append(match.span())
    return used


def rewrite(question: str, used: list[Term]) -> str:
    """The question with each term replaced by words the rules read: a measure by "number
    of <table>" (the count the term's SQL then replaces), a condition by the table's name."""
    text = question
    for term in used:
        noun = short(term.table).lower()
        nouns = {noun, noun.rstrip("s")}
        if term.kind == "measure":
            said = _pattern(term.term).pattern[2:]  # without its leading \b
            of_table = rf"(?:\s+(?:of|for)\s+(?:the\s+)?{re.escape(noun.rstrip('s'))}s?\b)?"
            pattern = re.compile(r"\b" + _LEADING + said + of_table, re.I)
            text = pattern.sub(f"number of {noun}", text, count=1)
            continue
        rest = _pattern(term.term).sub(" ", text, count=1)
        named = {w.lower() for w in re.findall(r"[A-Za-z]+", rest)} & nouns
        text = _pattern(term.term).sub(" " if named else noun, text, count=1)
    return " ".join(text.split())


def apply_terms(resolved: Resolved, used: list[Term]) -> Resolved:
    """The plan with the terms' SQL in place of the count or as a filter.

    Raises:
        Refuse: The question's shape leaves no place for a term (said plainly).
    """
    plan = resolved.plan
    for term in used:
        if plan.table != term.table:
            raise Refuse(
                f"'{term.term}' is defined on {short(term.table)} ({term.sql}), but this "
                f"question is about {short(plan.table)}.",
                (f"Ask about '{term.term}' by a column of {short(term.table)}.",),
            )
        if term.kind == "measure":
            if plan.rows or not plan.measures or plan.measures[0] != Measure("count"):
                raise Refuse(
                    f"I could not fit '{term.term}' ({term.sql}) into this question.",
                    (f"Ask for '{term.term} by <column>' or '{term.term} per month'.",),
                )
            plan.measures[0] = Measure("expr", None, term.sql, term.term)
        else:
            plan.filters.append(Filter(ColRef(plan.table, "*"), "sql", (term.sql, term.term)))
        resolved.assumptions.append(f"'{term.term}' read as {term.sql} (your glossary)")
    return resolved
