"""A question read into its parts: cue words (aggregates, groupings, rankings, comparisons
with numbers, prepositions) and mentions (values of the data, columns, tables), each found
through the :class:`SchemaIndex`; what a part means comes from the cue that governs it
(see ``resolve``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiser_desktop.core.agent.rules import lexicon as lx
from aiser_desktop.core.agent.rules.timeparse import TimeInfo, parse_time
from aiser_desktop.core.agent.schema_index import (
    STOPWORDS,
    ColumnEntry,
    SchemaIndex,
    TableEntry,
    ValueHit,
    compounds,
    related_terms,
    stem,
    tokenize,
    value_fits,
)

_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)*$")
MAX_SPAN = 4


@dataclass
class Tok:
    """A word of the question and what reading it used it for ("" while unread)."""

    text: str
    low: str
    role: str = ""


@dataclass
class Cue:
    """A word (or words) that shapes the query.

    Attributes:
        kind: agg, count, distinct, super, top, group, which, prep.
        value: The aggregate ("avg"), the direction and whether it means a count
            (("desc", True) for "busiest"), the limit of "top 5", the preposition.
    """

    kind: str
    start: int
    end: int
    value: Any = None


@dataclass
class Mention:
    """Words that name something in the data.

    Attributes:
        kind: "value", "column", "table", "rows" (rows of whatever is counted), "partial"
            (a word of a longer value), "number", or "unknown" (found nowhere).
        columns: Candidate columns, best first, with scores.
        tables: Candidate tables, best first, with scores.
        values: Where the value is stored.
        qualifier: A column of another table named first ("destination airport name":
            dest qualifies airports.name).
    """

    start: int
    end: int
    kind: str
    text: str
    columns: list[tuple[ColumnEntry, float]] = field(default_factory=list)
    tables: list[tuple[TableEntry, float]] = field(default_factory=list)
    values: list[ValueHit] = field(default_factory=list)
    number: float | None = None
    qualifier: list[tuple[ColumnEntry, float]] = field(default_factory=list)
    plural: bool = False


@dataclass
class NumCond:
    """A comparison with a number ("more than 60"); its column is found from the words
    around it."""

    op: str
    value: float
    start: int
    end: int
    column: Mention | None = None


@dataclass
class Parsed:
    """Everything read from one question."""

    tokens: list[Tok]
    cues: list[Cue]
    mentions: list[Mention]
    conds: list[NumCond]
    time: TimeInfo
    compare: bool = False
    follow_up: bool = False
    list_intent: bool = False

    def cue_before(self, index: int) -> Cue | None:
        """The cue governing the words starting at ``index``: the nearest one before it,
        looking past fillers (never past another mention or a time phrase)."""
        i = index - 1
        while i >= 0:
            tok = self.tokens[i]
            cue = next((c for c in self.cues if c.start <= i < c.end), None)
            if cue is not None:
                if cue.kind == "prep" and cue.value == "of":
                    i = cue.start - 1  # "average of delay": "of" is transparent
                    continue
                return cue
            if tok.role in ("filler", "unit", "number"):
                i -= 1
                continue
            return None
        return None

    def mention_before(self, index: int) -> Mention | None:
        """The mention ending just before ``index`` (fillers and "of" in between)."""
        i = index - 1
        while i >= 0 and (
            self.tokens[i].role in ("filler",)
            or any(
                c.start <= i < c.end
                and (c.kind == "prep" or (c.kind == "group" and c.end - c.start == 1))
                for c in self.cues
            )
        ):
            i -= 1
        return next((m for m in self.mentions if m.start <= i < m.end), None)


def _number(word: str) -> float | None:
    text = word.lower()
    if text in lx.NUMBER_WORDS:
        return float(lx.NUMBER_WORDS[text])
    if _NUMBER.match(text):
        cleaned = text.replace(",", "") if text.count(",") and "." not in text else text
        try:
            return float(cleaned.replace(",", "."))
        except ValueError:
            return None
    return None


def _matches(toks: list[Tok], i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(toks):
        return False
    return all(toks[i + k].low == w and not toks[i + k].role for k, w in enumerate(phrase))


class _Reader:
    def __init__(self, question: str, index: SchemaIndex) -> None:
        words = tokenize(question)
        self.toks = [Tok(w, w.lower()) for w in words]
        self.index = index
        self.cues: list[Cue] = []
        self.mentions: list[Mention] = []
        self.conds: list[NumCond] = []
        self.compare = False

    def mark(self, start: int, end: int, role: str) -> None:
        for k in range(start, end):
            self.toks[k].role = role

    def cue(self, kind: str, start: int, end: int, value: Any = None) -> None:
        self.cues.append(Cue(kind, start, end, value))
        self.mark(start, end, "cue")

    # ------------------------------------------------------------------ cues
    def read_values(self) -> None:
        """Values of several words ("United Air Lines Inc.", "Envoy Air") are read first,
        so their words are not taken for cue words or names."""
        toks = self.toks
        for size in range(6, 1, -1):
            for i in range(len(toks) - size + 1):
                span = toks[i : i + size]
                if any(t.role for t in span):
                    continue
                text = " ".join(t.text for t in span)
                values = self.index.value_hits(text)
                if values:
                    self.mentions.append(Mention(i, i + size, "value", text, values=values))
                    self.mark(i, i + size, "mention")

    def read_locked_columns(self) -> None:
        """Column names said in full ("total amount", "list price", "air time") are
        columns even when a word of them is also a cue word."""
        toks = self.toks
        for size in (3, 2):
            for i in range(len(toks) - size + 1):
                span = toks[i : i + size]
                if any(t.role for t in span):
                    continue
                words = [t.low for t in span]
                covered = {stem(w) for w in words}
                for col, score in self.column_candidates(words):
                    if {stem(w) for w in col.words} == covered and score >= size:
                        same = [
                            (c, sc)
                            for c, sc in self.column_candidates(words)
                            if {stem(w) for w in c.words} == covered
                        ]
                        m = Mention(
                            i, i + size, "column", " ".join(t.text for t in span), columns=same
                        )
                        self.mentions.append(m)
                        self.mark(i, i + size, "mention")
                        break

    def read_cues(self) -> None:
        """Marks cue words: aggregates, counts, rankings, groupings, comparisons, prepositions."""
        toks = self.toks
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.role:
                i += 1
                continue
            low = t.low
            nxt = toks[i + 1].low if i + 1 < len(toks) else ""
            # "top 5", "bottom 3", "top"
            if low in ("top", "bottom") or (low in ("best", "worst") and _number(nxt)):
                n = _number(nxt) if i + 1 < len(toks) and not toks[i + 1].role else None
                direction = {"top": "desc", "bottom": "asc"}.get(low, low)
                end = i + 2 if n is not None else i + 1
                self.cue("top", i, end, (direction, int(n) if n else None))
                i = end
                continue
            # comparisons with a number: "more than 60", "at least 120", "between 1 and 5"
            if low == "between" and i + 3 < len(toks):
                a, b = _number(toks[i + 1].low), _number(toks[i + 3].low)
                if a is not None and b is not None and toks[i + 2].low == "and":
                    self.conds.append(NumCond(">=", a, i, i + 4))
                    self.conds.append(NumCond("<=", b, i, i + 4))
                    self.mark(i, i + 4, "cond")
                    i += 4
                    continue
            found = False
            for phrase, op in lx.COMPARATORS:
                if _matches(toks, i, phrase):
                    j = i + len(phrase)
                    n = _number(toks[j].low) if j < len(toks) and not toks[j].role else None
                    if n is not None:
                        self.conds.append(NumCond(op, n, i, j + 1))
                        self.mark(i, j + 1, "cond")
                        i = j + 1
                        found = True
                    break
            if found:
                continue
            if low in lx.SIGN_WORDS:
                self.conds.append(NumCond(lx.SIGN_WORDS[low], 0.0, i, i + 1))
                self.mark(i, i + 1, "cond")
                i += 1
                continue
            if _matches(toks, i, ("on", "average")) or _matches(toks, i, ("in", "total")):
                self.cue("agg", i, i + 2, "avg" if nxt == "average" else "sum")
                i += 2
                continue
            if low in lx.MEASURE_ADJECTIVES or (
                low in ("most", "least") and nxt in lx.MEASURE_ADJECTIVES
            ):
                word = nxt if low in ("most", "least") else low
                direction, measure = lx.MEASURE_ADJECTIVES[word]
                if low == "least":
                    direction = "asc" if direction == "desc" else "desc"
                end = i + (2 if low in ("most", "least") else 1)
                self.cue("super", i, end, (direction, False, measure))
                i = end
                continue
            if low in lx.SHARE_WORDS:
                end = i + 2 if nxt == "of" else i + 1
                self.cue("share", i, end)
                i = end
                continue
            if low in ("least", "most") and nxt in ("busy", "popular", "common", "frequent"):
                self.cue("super", i, i + 2, ("desc" if low == "most" else "asc", True))
                i += 2
                continue
            for phrase in lx.COUNT_PHRASES:
                if _matches(toks, i, phrase):
                    self.cue("count", i, i + len(phrase))
                    i += len(phrase)
                    found = True
                    break
            if found:
                continue
            if low in lx.DISTINCT_WORDS:
                self.cue("distinct", i, i + 1)
                i += 1
                continue
            if low in lx.AGGREGATES:
                if low == "total" and nxt in ("number", "count"):
                    self.mark(i, i + 1, "filler")
                    i += 1
                    continue
                self.cue("agg", i, i + 1, lx.AGGREGATES[low])
                i += 1
                continue
            if low in lx.SUPERLATIVES:
                self.cue("super", i, i + 1, lx.SUPERLATIVES[low])
                i += 1
                continue
            if low in ("compare", "comparison", "versus", "vs", "vs.", "against") or (
                low in ("compared", "relative") and nxt in ("to", "with")
            ):
                self.compare = True
                self.mark(i, i + (2 if low in ("compared", "relative") else 1), "filler")
                i += 2 if low in ("compared", "relative") else 1
                continue
            if low in ("change", "changed", "difference", "differ") and any(
                w.low in ("from", "between") for w in toks[i + 1 : i + 4]
            ):
                self.compare = True
                self.mark(i, i + 1, "filler")
                i += 1
                continue
            for phrase in lx.GROUP_PHRASES:
                if _matches(toks, i, phrase):
                    self.cue("group", i, i + len(phrase))
                    i += len(phrase)
                    found = True
                    break
            if found:
                continue
            if low in ("which", "what") and i + 1 < len(toks):
                follower = toks[i + 1].low
                if follower not in lx.FILLERS or _number(follower) is not None:
                    self.cue("which", i, i + 1)
                    i += 1
                    continue
            if low in lx.PREPOSITIONS:
                self.cue("prep", i, i + 1, low)
                i += 1
                continue
            if low in ("is", "equals", "=") and i > 0:
                self.cue("prep", i, i + 1, "is")
                i += 1
                continue
            if low in lx.ROW_WORDS:
                self.mentions.append(Mention(i, i + 1, "rows", t.text))
                self.mark(i, i + 1, "mention")
                i += 1
                continue
            filler = low in lx.FILLERS or low in STOPWORDS or low in ("the", "a", "an", "all")
            # A filler that is also a value of the data ("shipped") is left for the values.
            if filler and not any(
                value_fits(h.value, [t.text]) for h in self.index.value_hits(t.text)
            ):
                self.mark(i, i + 1, "filler")
            i += 1

    # ------------------------------------------------------------------ mentions
    def column_candidates(self, words: list[str]) -> list[tuple[ColumnEntry, float]]:
        """Columns that every one of ``words`` names (a word may name the column's table
        instead: "airline name"), best first."""
        per_word = [self.index.term_matches(related_terms(word)) for word in words]
        if len(words) == 2:
            joined: dict[str, float] = {}
            for c in compounds(words[0], words[1]):
                for term, w in related_terms(c).items():
                    joined[term] = max(joined.get(term, 0.0), w)
            cols, _tables = self.index.term_matches(joined)
            compound_hits = {c_id: 2 * w for c_id, w in cols.items()}
        else:
            compound_hits = {}
        scores: dict[int, float] = dict(compound_hits)
        candidates: set[int] = set()
        for c_ids, _ in per_word:
            candidates |= set(c_ids)
        for c_id in candidates:
            col = self.index.column_by_id(c_id)
            t_id = self.index.table_id(col.table)
            total, named = 0.0, 0
            for cols, tables in per_word:
                if c_id in cols:
                    total += cols[c_id]
                    named += 1
                elif t_id in tables:
                    total += 0.5 * tables[t_id]
                else:
                    total = -1.0
                    break
            if total > 0 and named:
                coverage = min(1.0, named / max(1, len(col.words)))
                exact = 0.3 if col.name.lower() == "_".join(words) else 0.0
                scores[c_id] = max(scores.get(c_id, 0.0), total + 0.5 * coverage + exact)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [(self.index.column_by_id(c_id), s) for c_id, s in ranked]

    def table_candidates(self, words: list[str]) -> list[tuple[TableEntry, float]]:
        """Tables that all of ``words`` name, best first; naming every word of the table's
        name counts as much as naming every word of a column's."""
        scores: dict[int, float] = {}
        first = True
        for word in words:
            _cols, tables = self.index.term_matches(related_terms(word))
            if first:
                scores = dict(tables)
                first = False
            else:
                scores = {t: s + tables[t] for t, s in scores.items() if t in tables}
        for t_id in scores:
            table = self.index.table_by_id(t_id)
            scores[t_id] += 0.5 * min(1.0, len(words) / max(1, len(table.words)))
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [(self.index.table_by_id(t_id), s) for t_id, s in ranked]

    def read_mentions(self) -> None:
        """Names in the rest: values, columns, tables (longest first), numbers, unknown words."""
        toks = self.toks
        free = [not t.role for t in toks]
        for size in range(MAX_SPAN, 0, -1):
            for i in range(len(toks) - size + 1):
                if not all(free[i : i + size]):
                    continue
                span = toks[i : i + size]
                words = [t.low for t in span]
                text = " ".join(t.text for t in span)
                if size == 1 and _number(words[0]) is not None:
                    continue
                values = [
                    h
                    for h in self.index.value_hits(text)
                    if value_fits(h.value, [t.text for t in span])
                ]
                mention: Mention | None = None
                if values:
                    mention = Mention(i, i + size, "value", text, values=values)
                else:
                    columns = self.column_candidates(words)
                    tables = self.table_candidates(words)
                    best_col = columns[0][1] if columns else 0.0
                    best_table = tables[0][1] if tables else 0.0
                    if size > 1:
                        # Every word must count: a span is kept only if it names one thing.
                        best_col = best_col if best_col >= 0.75 * size else 0.0
                        best_table = best_table if best_table >= 0.75 * size else 0.0
                    if best_table and best_table >= best_col:
                        mention = Mention(
                            i, i + size, "table", text, columns=columns, tables=tables
                        )
                    elif best_col:
                        mention = Mention(
                            i, i + size, "column", text, columns=columns, tables=tables
                        )
                if mention is not None:
                    last = words[-1]
                    mention.plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
                    self.mentions.append(mention)
                    for k in range(i, i + size):
                        free[k] = False
                        toks[k].role = "mention"
        for i, tok in enumerate(toks):
            if tok.role:
                continue
            n = _number(tok.low)
            if n is not None:
                self.mentions.append(Mention(i, i + 1, "number", tok.text, number=n))
                tok.role = "number"
                continue
            if tok.low in lx.UNITS:
                tok.role = "unit"
                continue
            partial = [h for h in self.index.value_word_hits(tok.low) if len(tok.low) >= 4]
            if partial and tok.low not in lx.FILLERS:
                self.mentions.append(Mention(i, i + 1, "partial", tok.text, values=partial))
                tok.role = "mention"
                continue
            if (
                tok.low in lx.FILLERS
                or tok.low in lx.SOFT_FILLERS
                or tok.low in STOPWORDS
                or (len(tok.low) <= 2 and not tok.low.isupper())
                or self.looks_like_verb(i)
            ):
                tok.role = "filler"
                continue
            self.mentions.append(Mention(i, i + 1, "unknown", tok.text))
            tok.role = "mention"
        self.mentions.sort(key=lambda m: m.start)

    def looks_like_verb(self, i: int) -> bool:
        """An unknown word that reads as a verb after its subject: "did each airport
        handle", "which city generated", "customers signed up"."""
        tok = self.toks[i]
        if not tok.low.isalpha() or (tok.text[:1].isupper() and i > 0):
            return False
        after_name = i > 0 and self.toks[i - 1].role == "mention"
        if not after_name:
            return False
        if tok.low.endswith(("ed", "ing")) and len(tok.low) > 5:
            return True
        auxiliary = {"did", "does", "do", "can", "could", "will", "would"}
        return any(t.low in auxiliary for t in self.toks[:i])

    def merge_qualifiers(self) -> None:
        """ "destination airport name": a column that links to another table, named just
        before a column of that table, says which link to follow."""
        merged: list[Mention] = []
        for m in self.mentions:
            prev = merged[-1] if merged else None
            if (
                prev is not None
                and prev.end == m.start
                and prev.kind == "column"
                and m.kind in ("column", "table")
            ):
                links = {
                    (j.table, j.columns[0]): j.other
                    for j in self.index.joins
                    if len(j.columns) == 1
                }
                targets = {links.get((c.table, c.name)) for c, _s in prev.columns} - {None}
                if m.kind == "column" and any(c.table in targets for c, _s in m.columns):
                    m.qualifier = [(c, s) for c, s in prev.columns if links.get((c.table, c.name))]
                    m.start = prev.start
                    m.text = f"{prev.text} {m.text}"
                    merged[-1] = m
                    continue
            merged.append(m)
        self.mentions = merged

    def attach_conditions(self, parsed: Parsed) -> None:
        """Finds the column of each comparison with a number."""
        for cond in self.conds:
            before = parsed.mention_before(cond.start)
            if (
                before is not None
                and before.kind == "column"
                and any(c.numeric for c, _s in before.columns)
            ):
                cond.column = before
                continue
            after = next((m for m in self.mentions if m.start == cond.end), None)
            if after is not None and after.text.lower() in lx.TIME_UNITS:
                # "2 hours" names a unit, never the column "hour"
                self.mentions.remove(after)
                self.toks[after.start].role = "unit"
                after = None
            if after is None and cond.end < len(self.toks):
                tok = self.toks[cond.end]
                if tok.role == "unit" and tok.low not in lx.TIME_UNITS:
                    # "2000 miles": the unit may still name the column (miles -> distance)
                    cols = [(c, s) for c, s in self.column_candidates([tok.low]) if c.numeric]
                    if cols:
                        after = Mention(cond.end, cond.end + 1, "column", tok.text, columns=cols)
                        self.mentions.append(after)
                        self.mentions.sort(key=lambda m: m.start)
            if after is not None and after.kind == "column":
                cond.column = after


def parse(question: str, index: SchemaIndex) -> Parsed:
    """Reads ``question`` against ``index``."""
    reader = _Reader(question, index)
    toks = reader.toks
    time = parse_time([t.low for t in toks])
    for k in time.used:
        toks[k].role = "time"
    follow_up = False
    for phrase in lx.FOLLOW_UP_STARTS:
        if _matches(toks, 0, phrase):
            follow_up = True
            reader.mark(0, len(phrase), "filler")
            break
    list_intent = bool(toks) and toks[0].low in lx.LIST_VERBS
    if list_intent:
        reader.mark(0, 1, "filler")
    reader.read_values()
    reader.read_locked_columns()
    reader.read_cues()
    reader.read_mentions()
    reader.merge_qualifiers()
    parsed = Parsed(
        tokens=toks,
        cues=sorted(reader.cues, key=lambda c: c.start),
        mentions=reader.mentions,
        conds=reader.conds,
        time=time,
        compare=reader.compare or time.compare,
        follow_up=follow_up,
        list_intent=list_intent,
    )
    reader.attach_conditions(parsed)
    parsed.mentions = reader.mentions
    return parsed
