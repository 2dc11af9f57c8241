"""What the parts of the resolver share: the question read so far, the index, the
assumptions made and the confidence left, and small helpers about columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiser_desktop.core.agent.rules.parse import Cue, Mention, Parsed
from aiser_desktop.core.agent.rules.plan import Plan
from aiser_desktop.core.agent.rules.vocabulary import stem, words
from aiser_desktop.core.agent.schema_index import ColumnEntry, SchemaIndex, TableEntry
from aiser_desktop.core.agent.types import Knowledge

ADDITIVE_WORDS = words(
    """amount total quantity qty units volume count sales revenue cost spend
                     income turnover profit paid payment fee tax shipping sold"""
)


class Refuse(Exception):
    def __init__(self, reason: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.suggestions = suggestions


@dataclass
class Resolved:
    """A plan, what it assumed, and how sure it is (0 to 1)."""

    plan: Plan
    assumptions: list[str] = field(default_factory=list)
    confidence: float = 0.9


class Context:
    """The state every step of resolving a question reads and adds to.

    Attributes:
        p: The question as parsed.
        index: The workspace's schema index.
        assumptions: Choices made where the question left them open.
        confidence: What is left of the starting 0.9 after each assumption's cost.
        words: The stems of the question's words.
        entity_is_main: The question asked about the main table's own rows ("which airport
            has the highest altitude").
        knowledge: What memory knows (the fiscal year's first month, business terms).
    """

    def __init__(
        self, parsed: Parsed, index: SchemaIndex, knowledge: Knowledge | None = None
    ) -> None:
        self.p = parsed
        self.index = index
        self.knowledge = knowledge or Knowledge()
        self.entity_is_main = False
        self.assumptions: list[str] = []
        self.confidence = 0.9
        self.words = {stem(t.low) for t in parsed.tokens}

    def assume(self, text: str, cost: float = 0.05) -> None:
        """Notes a choice the question left open and lowers the confidence by ``cost``."""
        if text and text not in self.assumptions:
            self.assumptions.append(text)
        self.confidence -= cost

    def gov(self, m: Mention) -> Cue | None:
        """The cue that governs a mention."""
        return self.p.cue_before(m.start)

    def cues(self, kind: str) -> list[Cue]:
        """The cues of one kind, in order."""
        return [c for c in self.p.cues if c.kind == kind]

    def prep_before(self, m: Mention) -> str:
        """The preposition right before a mention ("" if none)."""
        cue = self.gov(m)
        return str(cue.value) if cue is not None and cue.kind == "prep" else ""

    def context_tables(self) -> set[str]:
        """Tables the question names or holds values of."""
        found: set[str] = set()
        for m in self.p.mentions:
            if m.kind == "table" and m.tables:
                found.add(m.tables[0][0].sql_name)
            if m.kind == "value":
                found |= {h.table for h in m.values}
        return found

    def link_column(self, main: str, table: str) -> str | None:
        """The column of ``main`` that links to ``table`` (None if none)."""
        for j in self.index.joins_from(main):
            if j.other == table and len(j.columns) == 1:
                return j.columns[0]
        return None


AGG_VERB = {
    "avg": "average",
    "sum": "add up",
    "min": "take the minimum of",
    "max": "take the maximum of",
    "median": "take the median of",
}
AGG_WORD = {"avg": "average", "sum": "total", "median": "median"}


def short(sql_name: str) -> str:
    """A table's own name, without its schema."""
    return sql_name.split(".")[-1].strip('"')


def words_of(name: str) -> list[str]:
    """The words of a column name, with its abbreviations spelled out."""
    from aiser_desktop.core.agent.schema_index import split_name

    words = split_name(name)
    from aiser_desktop.core.agent.schema_index import ABBREVIATIONS

    return words + [ABBREVIATIONS[w] for w in words if w in ABBREVIATIONS]


def row_columns(table: TableEntry) -> list[str]:
    """The columns that name a row: its key and a name-like label."""
    key = table.primary_key[0] if len(table.primary_key) == 1 else None
    if key is None:
        keys = [c for c in table.columns if c.unique and c.kind in ("integer", "text")]
        keys.sort(key=lambda c: (c.semantic != "id", c.kind != "text"))
        key = keys[0].name if keys else None
    labels = [
        c.name
        for c in table.columns
        if c.kind == "text" and c.name != key and set(c.words) & {"name", "title", "label"}
    ]
    return [c for c in (key, labels[0] if labels else None) if c]


def measurable(col: ColumnEntry) -> bool:
    """A number worth adding up or averaging (not a key, not a year or a month)."""
    parts = {"year", "month", "day", "hour", "minute", "week", "quarter"}
    return col.numeric and col.semantic not in ("id", "geo") and col.name.lower() not in parts


def fits(col: ColumnEntry, want: str) -> bool:
    """Whether a column can serve as a measure or a grouping."""
    if want == "measure":
        return col.numeric
    if want == "dim":
        return not col.numeric or col.distinct <= 100 or col.semantic in ("category", "id")
    return True


def dim_rank(col: ColumnEntry) -> int:
    """How good a column is to group by: categories first, then text, then small numbers."""
    if col.semantic == "category":
        return 0
    if col.kind == "text":
        return 1
    if col.kind == "integer" and 0 < col.distinct <= 100:
        return 2
    return 3


def plain_number(value: float | None) -> int | float:
    """An integer when the number is whole."""
    if value is None:
        return 0
    return int(value) if float(value).is_integer() else float(value)
