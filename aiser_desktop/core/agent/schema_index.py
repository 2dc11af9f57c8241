"""What the agent knows about a workspace's schema, indexed for questions in plain words.

A :class:`SchemaIndex` is built from the cached catalog (instant, offline) plus, for text
columns of modest cardinality, their distinct values, read once through the engine within a
time budget. It knows each table's and column's words ("dep_delay" -> dep, delay; "tailnum"
is found from "tail number"), a small general thesaurus of analytics words and abbreviations
(delay/late, revenue/sales, customer/client, dep/departure), semantic types, keys and joins
(declared foreign keys, else inferred from matching names or from one column's values being
contained in another's unique values), and which columns hold a value ("JFK" ->
flights.origin, airports.faa).

:meth:`SchemaIndex.search` ranks the tables and columns a question is about, through inverted
indexes, so a workspace of hundreds of tables stays fast; the rules provider and the
``search_schema`` tool both use it. :meth:`SchemaIndex.for_workspace` caches one index per
open workspace and builds it again when the catalog changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import math
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.agent.rules.vocabulary import (
    ABBREVIATIONS,
    COMMON_WORDS,
    STOPWORDS,
    SYNONYM_GROUPS,
    compounds,
    normalize_value,
    related_terms,
    split_name,
    stem,
    tokenize,
    value_fits,
    words,
)
from aiser_desktop.core.agent.schema_entries import (
    ColumnEntry,
    Join,
    SearchHit,
    TableEntry,
    ValueHit,
    kind_of,
)
from aiser_desktop.core.sources.base import quote_ident

__all__ = [
    "ABBREVIATIONS",
    "COMMON_WORDS",
    "STOPWORDS",
    "SYNONYM_GROUPS",
    "ColumnEntry",
    "Join",
    "SchemaIndex",
    "SearchHit",
    "TableEntry",
    "ValueHit",
    "clear_cache",
    "compounds",
    "date_parts",
    "normalize_value",
    "related_terms",
    "split_name",
    "stem",
    "tokenize",
    "value_fits",
    "words",
]

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.sources.catalog import ColumnInfo, SourceInfo, TableInfo
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)


MAX_DISTINCT = 5000  # text columns with more distinct values are not indexed by value
MAX_VALUE_LENGTH = 80  # nor are long texts (descriptions, comments)
MAX_VALUES = 250_000  # values kept over the whole workspace
WHOLE_TABLE_ROWS = 2_000_000  # imported tables up to this size are read whole for values
SAMPLE_ROWS = 500_000  # bigger or linked tables: about this many rows
BUILD_BUDGET = 5.0  # seconds for reading values over the whole workspace
TABLE_BUDGET = 2.0  # seconds for one table


@dataclass
class _Posting:
    """Where a term occurs: column ids and table ids, with weights."""

    columns: dict[int, float] = field(default_factory=dict)
    tables: dict[int, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------- index


class SchemaIndex:
    """The schema of a workspace, indexed for questions.

    Build it with :meth:`for_workspace` (cached per workspace) or :meth:`build`.
    """

    def __init__(self, tables: Sequence[TableEntry], joins: Sequence[Join] = ()) -> None:
        self.tables: dict[str, TableEntry] = {t.sql_name: t for t in tables}
        self.joins: list[Join] = list(joins)
        self._columns: list[ColumnEntry] = [c for t in tables for c in t.columns]
        self._table_list: list[TableEntry] = list(tables)
        self._table_ids = {t.sql_name: i for i, t in enumerate(self._table_list)}
        self._column_ids = {(c.table, c.name): i for i, c in enumerate(self._columns)}
        self._postings: dict[str, _Posting] = defaultdict(_Posting)
        self._values: dict[str, list[ValueHit]] = defaultdict(list)
        self._value_words: dict[str, list[ValueHit]] = defaultdict(list)
        self._vocabulary: set[str] = set()
        self._index_words()
        self._index_values()
        self.build_seconds = 0.0

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        catalog: Sequence[SourceInfo],
        connection: DuckDBPyConnection | None = None,
        *,
        budget: float = BUILD_BUDGET,
    ) -> SchemaIndex:
        """An index of ``catalog``; with ``connection``, also the values and statistics of
        its tables, read within ``budget`` seconds (what is not read in time is left out).

        Args:
            catalog: The sources, as the cached catalog gives them.
            connection: A DuckDB connection that sees the tables (a cursor of the engine).
            budget: Seconds for reading values over the whole workspace.
        """
        started = time.perf_counter()
        deadline = started + budget
        tables: list[TableEntry] = []
        declared: list[Join] = []
        kept = 0  # values read so far
        for source in catalog:
            if source.status:
                continue  # a database that did not answer: nothing to query there
            for info in source.tables:
                stats: dict[str, dict[str, Any]] = {}
                rows = info.row_count
                if connection is not None and time.perf_counter() < deadline:
                    try:
                        rows, stats = _read_stats(
                            connection, info, source.mode, deadline, with_values=kept < MAX_VALUES
                        )
                        kept += sum(len(s.get("values", ())) for s in stats.values())
                    except Exception as exc:  # a table that cannot be read is still indexed
                        log.info("no statistics for %s: %s", info.sql_name, exc)
                        rows, stats = info.row_count, {}
                tables.append(_table_entry(source.name, info, rows, stats))
                for fk in info.foreign_keys:
                    declared.append(
                        Join(
                            info.sql_name,
                            fk.columns,
                            fk.references,
                            fk.references_columns,
                            "declared",
                        )
                    )
        joins = declared + _infer_joins(tables, declared)
        index = cls(tables, joins)
        index.build_seconds = time.perf_counter() - started
        return index

    @classmethod
    def for_workspace(cls, workspace: Workspace, *, budget: float = BUILD_BUDGET) -> SchemaIndex:
        """The index of an open workspace: built once, and again when its sources change
        (a source added, removed, refreshed or re-linked)."""
        catalog = workspace.sources.catalog()
        key = _fingerprint(catalog)
        with _CACHE_LOCK:
            cached = _CACHE.get(workspace)
        if cached is not None and cached[0] == key:
            return cached[1]
        # Linked databases are attached on the engine's writer when a workspace opens; wait
        # for the work queued there, so their tables can be read.
        workspace.engine.call(lambda _session: None).result()
        catalog = workspace.sources.catalog()
        key = _fingerprint(catalog)
        with workspace.engine.cursor() as cursor:
            index = cls.build(catalog, cursor, budget=budget)
        with _CACHE_LOCK:
            _CACHE[workspace] = (key, index)
        return index

    def _index_words(self) -> None:
        for t_id, table in enumerate(self._table_list):
            for word in table.words:
                self._vocabulary.add(stem(word))
                for term, weight in related_terms(word).items():
                    posting = self._postings[term]
                    posting.tables[t_id] = max(posting.tables.get(t_id, 0.0), weight)
        for c_id, col in enumerate(self._columns):
            for word in col.words:
                self._vocabulary.add(stem(word))
                for term, weight in related_terms(word).items():
                    posting = self._postings[term]
                    posting.columns[c_id] = max(posting.columns.get(c_id, 0.0), weight)

    def _index_values(self) -> None:
        for col in self._columns:
            counts = col.counts or (0,) * len(col.values)
            for value, count in zip(col.values, counts, strict=False):
                key = normalize_value(value)
                if not key:
                    continue
                hit = ValueHit(col.table, col.name, value, count=count)
                self._values[key].append(hit)
                words = key.split()
                if len(words) > 1:
                    for word in set(words):
                        if len(word) >= 4 and word not in COMMON_WORDS and word.isalpha():
                            self._value_words[word].append(
                                ValueHit(col.table, col.name, value, exact=False, count=count)
                            )

    # ------------------------------------------------------------------ looking up
    def table(self, sql_name: str) -> TableEntry | None:
        """The table of that SQL name, or None."""
        return self.tables.get(sql_name)

    def column(self, table: str, name: str) -> ColumnEntry | None:
        entry = self.tables.get(table)
        return entry.column(name) if entry else None

    def value_hits(self, text: str) -> list[ValueHit]:
        """Columns holding exactly this value (compared as :func:`normalize_value` does)."""
        return list(self._values.get(normalize_value(text), ()))

    def value_word_hits(self, word: str) -> list[ValueHit]:
        """Columns holding a value of several words, one of which is ``word``
        ("Honolulu" -> airports.name "Honolulu Intl")."""
        return list(self._value_words.get(normalize_value(word), ()))

    def term_matches(self, terms: dict[str, float]) -> tuple[dict[int, float], dict[int, float]]:
        """Column ids and table ids matching any of ``terms``, with the best weight."""
        columns: dict[int, float] = {}
        tables: dict[int, float] = {}
        for term, weight in terms.items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            for c_id, w in posting.columns.items():
                columns[c_id] = max(columns.get(c_id, 0.0), w * weight)
            for t_id, w in posting.tables.items():
                tables[t_id] = max(tables.get(t_id, 0.0), w * weight)
        return columns, tables

    def table_id(self, sql_name: str) -> int:
        """The position of a table (for :meth:`table_by_id`)."""
        return self._table_ids[sql_name]

    def column_by_id(self, c_id: int) -> ColumnEntry:
        """A column by its position (as :meth:`term_matches` gives it)."""
        return self._columns[c_id]

    def table_by_id(self, t_id: int) -> TableEntry:
        """A table by its position (as :meth:`term_matches` gives it)."""
        return self._table_list[t_id]

    def idf(self, term: str) -> float:
        """Rarer words count more: "id" or "name" in every table says little."""
        posting = self._postings.get(term)
        n = len(posting.columns) + len(posting.tables) if posting else 0
        return math.log(1.0 + (len(self._columns) + len(self._table_list) + 1) / (n + 1))

    def joins_from(self, table: str) -> list[Join]:
        """The many-to-one links leaving ``table``."""
        return [j for j in self.joins if j.table == table]

    def join_path(self, start: str, goal: str, max_hops: int = 2) -> list[list[Join]]:
        """The shortest many-to-one paths from ``start`` to ``goal`` (all of that length)."""
        if start == goal:
            return [[]]
        frontier: list[list[Join]] = [[]]
        for _ in range(max_hops):
            found: list[list[Join]] = []
            grown: list[list[Join]] = []
            for path in frontier:
                here = path[-1].other if path else start
                visited = {start, *(j.other for j in path)}
                for join in self.joins_from(here):
                    if join.other in visited:
                        continue
                    longer = [*path, join]
                    (found if join.other == goal else grown).append(longer)
            if found:
                return found
            frontier = grown
        return []

    # ------------------------------------------------------------------ searching
    def search(self, question: str, limit: int = 10) -> list[SearchHit]:
        """The tables and columns ``question`` is most likely about, best first.

        Words are matched to names (their stems, abbreviations, synonyms, and two words
        written as one: "tail number" -> tailnum), weighted by how rare they are; values
        found in the question count for the columns that hold them; a table gains from its
        matching columns.

        Args:
            question: The question, in plain words.
            limit: At most this many hits.
        """
        words = list(tokenize(question))
        lowered = [w.lower() for w in words]
        col_scores: dict[int, float] = defaultdict(float)
        col_reasons: dict[int, list[str]] = defaultdict(list)
        table_scores: dict[int, float] = defaultdict(float)
        table_reasons: dict[int, list[str]] = defaultdict(list)
        candidates: list[str] = [w for w in lowered if w not in STOPWORDS]
        for a, b in itertools.pairwise(lowered):
            if a not in STOPWORDS and b not in STOPWORDS:
                candidates += compounds(a, b)
        for word in candidates:
            terms = related_terms(word)
            col_hits, table_hits = self.term_matches(terms)
            weight = max((self.idf(t) for t in terms), default=1.0)
            for c_id, w in col_hits.items():
                col_scores[c_id] += w * weight / math.sqrt(len(self._columns[c_id].words) or 1)
                col_reasons[c_id].append(word)
            for t_id, w in table_hits.items():
                table_scores[t_id] += w * weight
                table_reasons[t_id].append(word)
        for hit, text in self.find_values(words):
            holder = self._column_id(hit.table, hit.column)
            if holder is not None:
                col_scores[holder] += 2.0 if hit.exact else 1.0
                col_reasons[holder].append(f"value {text!r}")
        table_ids = self._table_ids
        for c_id, score in col_scores.items():
            t_id = table_ids[self._columns[c_id].table]
            table_scores[t_id] += 0.5 * score
            if t_id in table_reasons or score > 0:
                table_reasons[t_id].append(self._columns[c_id].name)
        for c_id in list(col_scores):
            t_id = table_ids[self._columns[c_id].table]
            if t_id in table_reasons and any(r in lowered for r in table_reasons[t_id]):
                col_scores[c_id] += 0.25  # its table is named in the question too
        hits = [
            SearchHit(
                self._table_list[t].sql_name,
                None,
                round(s, 4),
                tuple(dict.fromkeys(table_reasons[t])),
            )
            for t, s in table_scores.items()
            if s > 0
        ]
        hits += [
            SearchHit(
                self._columns[c].table,
                self._columns[c].name,
                round(s, 4),
                tuple(dict.fromkeys(col_reasons[c])),
            )
            for c, s in col_scores.items()
            if s > 0
        ]
        hits.sort(key=lambda h: (-h.score, h.table, h.column or ""))
        return hits[:limit]

    def find_values(self, words: Sequence[str], max_words: int = 6) -> list[tuple[ValueHit, str]]:
        """Values of the data named in ``words`` (longest spans first, no overlaps).

        Short codes stored in capitals ("UA", "JFK") match only a word typed in capitals
        or a word that is no ordinary English word, so "top", "day" or "and" never become
        airport codes.
        """
        found: list[tuple[ValueHit, str]] = []
        used = [False] * len(words)
        for size in range(min(max_words, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(used[start : start + size]):
                    continue
                span = words[start : start + size]
                text = " ".join(span)
                hits = [h for h in self.value_hits(text) if value_fits(h.value, span)]
                if hits:
                    found += [(h, text) for h in hits]
                    for i in range(start, start + size):
                        used[i] = True
        return found

    def _column_id(self, table: str, column: str) -> int | None:
        return self._column_ids.get((table, column))


# ---------------------------------------------------------------------------------- statistics


_PART_NAMES = {
    "year": ("year", "yr", "yyyy"),
    "month": ("month", "mo", "mon", "mm"),
    "day": ("day", "dd", "dom"),
}


def date_parts(columns: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Integer columns that hold a date in parts: {"year": name, "month": name, "day":
    name}, from (name, DuckDB type) pairs; empty unless there are at least a year and a
    month."""
    found: dict[str, str] = {}
    for name, dtype in columns:
        if kind_of(dtype) != "integer":
            continue
        for part, names in _PART_NAMES.items():
            if name.lower() in names and part not in found:
                found[part] = name
    return found if "year" in found and "month" in found else {}


def _table_entry(
    source: str, info: TableInfo, rows: int, stats: dict[str, dict[str, Any]]
) -> TableEntry:
    name = info.table or source
    columns = []
    for col in info.columns:
        s = stats.get(col.name, {})
        columns.append(
            ColumnEntry(
                table=info.sql_name,
                name=col.name,
                type=col.type,
                semantic=col.semantic,
                kind=kind_of(col.type),
                words=tuple(split_name(col.name)),
                distinct=int(s.get("distinct", -1)),
                nulls=int(s.get("nulls", -1)),
                low=s.get("low"),
                high=s.get("high"),
                unique=bool(s.get("unique", False)),
                values=tuple(s.get("values", ())),
                counts=tuple(s.get("counts", ())),
                values_complete=bool(s.get("complete", False)),
            )
        )
    return TableEntry(
        sql_name=info.sql_name,
        source=source,
        name=name,
        words=tuple(split_name(name)),
        row_count=rows,
        columns=tuple(columns),
        primary_key=tuple(info.primary_key),
        parts_range=stats.get("", {}).get("parts_range"),
    )


@contextlib.contextmanager
def _interrupt_at(connection: DuckDBPyConnection, deadline: float) -> Iterator[None]:
    """Interrupts the connection's query if it still runs at ``deadline``."""
    delay = max(0.0, deadline - time.perf_counter())
    timer = threading.Timer(delay, connection.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


_KEY_WORDS = {"id", "key", "code", "no", "num", "number", "nr", "uuid", "guid", "sku", "pk"}


def _maybe_key(col: ColumnInfo, primary_key: tuple[str, ...]) -> bool:
    """Whether a column may be a key, worth an exact distinct count."""
    words = set(split_name(col.name))
    return (
        col.name in primary_key
        or col.semantic == "id"
        or bool(words & _KEY_WORDS)
        or col.name.lower().endswith("id")
    )


def _read_stats(
    con: DuckDBPyConnection,
    info: TableInfo,
    mode: str,
    deadline: float,
    *,
    with_values: bool = True,
) -> tuple[int, dict[str, dict[str, Any]]]:
    """Row count and per-column statistics (nulls, min, max, distinct values, keys) of a
    table, from the whole table when it is imported and not too big, else from a sample.

    Few scans: one aggregate for counts and ranges, one grouping per text column (which
    also gives its distinct count), and exact distinct counts only for columns that may be
    keys (DuckDB's approximate count is costly over many columns and can be 25 % off).
    """
    table_deadline = min(deadline, time.perf_counter() + TABLE_BUDGET)
    whole = mode == "imported" and 0 <= info.row_count <= WHOLE_TABLE_ROWS
    if whole:
        source = info.sql_name
    elif mode == "imported" and info.row_count > WHOLE_TABLE_ROWS:
        percent = max(0.01, 100.0 * SAMPLE_ROWS / info.row_count)
        source = f"(SELECT * FROM {info.sql_name} USING SAMPLE {percent:.3f}% (system, 7))"
    else:
        source = f"(SELECT * FROM {info.sql_name} LIMIT {SAMPLE_ROWS})"
    selects = ["count(*)"]
    plan: list[tuple[str, list[str]]] = []
    for col in info.columns:
        kind = kind_of(col.type)
        q = quote_ident(col.name)
        stats = ["nulls"]
        selects.append(f"count(*) - count({q})")
        if kind in ("integer", "number", "date", "timestamp"):
            stats += ["low", "high"]
            selects += [f"min({q})", f"max({q})"]
        if kind == "text":
            stats += ["length"]
            selects.append(f"max(length(CAST({q} AS VARCHAR)))")
        plan.append((col.name, stats))
    parts = date_parts((c.name, c.type) for c in info.columns)
    if parts:
        made = (
            f"try(make_date(CAST({quote_ident(parts['year'])} AS INTEGER), "
            f"CAST({quote_ident(parts['month'])} AS INTEGER), "
            + (f"CAST({quote_ident(parts['day'])} AS INTEGER)" if "day" in parts else "1")
            + "))"
        )
        selects += [f"min({made})", f"max({made})"]
    with _interrupt_at(con, table_deadline):
        row = con.execute(f"SELECT {', '.join(selects)} FROM {source}").fetchone()
    if row is None:
        return info.row_count, {}
    values = iter(row)
    read_rows = int(next(values) or 0)
    result: dict[str, dict[str, Any]] = {}
    for name, stats in plan:
        result[name] = {stat: next(values) for stat in stats}
    if parts:
        result[""] = {"parts_range": (next(values), next(values))}
    complete = whole or read_rows < SAMPLE_ROWS
    rows = read_rows if complete else info.row_count
    for col in info.columns:
        s = result[col.name]
        if kind_of(col.type) == "integer" and s.get("low") is not None:
            # At most one value per integer in the range: enough to tell a few from many.
            s["distinct"] = min(read_rows, int(s["high"]) - int(s["low"]) + 1)
    # Values of text columns of modest cardinality (and so their exact distinct count).
    for col in info.columns:
        s = result[col.name]
        if (
            not with_values
            or kind_of(col.type) != "text"
            or int(s.get("length") or 0) > MAX_VALUE_LENGTH
        ):
            continue
        if time.perf_counter() > table_deadline:
            break
        q = quote_ident(col.name)
        with _interrupt_at(con, table_deadline):
            got = con.execute(
                f"SELECT CAST({q} AS VARCHAR), count(*) FROM {source} WHERE {q} IS NOT NULL "
                f"GROUP BY 1 ORDER BY 1 LIMIT {MAX_DISTINCT + 1}"
            ).fetchall()
        if len(got) <= MAX_DISTINCT:
            s["values"] = [str(v[0]) for v in got]
            s["counts"] = [int(v[1]) for v in got]
            s["complete"] = complete
            s["distinct"] = len(got)
            s["unique"] = complete and s["nulls"] == 0 and len(got) == read_rows
        else:
            s["distinct"] = MAX_DISTINCT + 1
    # Keys among the rest: exact distinct counts, for columns that may be keys.
    maybe_keys = [
        c.name
        for c in info.columns
        if complete
        and read_rows > 0
        and "unique" not in result[c.name]
        and result[c.name]["nulls"] == 0
        and kind_of(c.type) in ("integer", "text")
        and int(result[c.name].get("distinct", read_rows)) >= read_rows
        and _maybe_key(c, tuple(info.primary_key))
    ]
    if maybe_keys and time.perf_counter() < table_deadline:
        exact = ", ".join(f"count(DISTINCT {quote_ident(c)})" for c in maybe_keys)
        with _interrupt_at(con, table_deadline):
            counted = con.execute(f"SELECT {exact} FROM {source}").fetchone() or ()
        for name, n in zip(maybe_keys, counted, strict=False):
            result[name]["unique"] = int(n) == read_rows
            result[name]["distinct"] = int(n)
    return rows, result


_GENERIC_KEYS = {"id", "key", "code", "uuid", "guid", "pk", "name", "value", "type", "status"}


def _infer_joins(tables: Sequence[TableEntry], declared: Iterable[Join]) -> list[Join]:
    """Many-to-one links the catalog does not declare: a column with the same name as a
    unique column of another table, or a text column whose values are (almost all) among a
    unique text column's values.

    Two keys with a generic name ("id" in every table) are not linked: each is its own
    table's key. Values are matched through an inverted map, so this stays linear in the
    number of values however many tables there are.
    """
    known = {(j.table, j.columns, j.other) for j in declared}
    by_name: dict[str, list[ColumnEntry]] = defaultdict(list)
    text_keys: list[ColumnEntry] = []
    for table in tables:
        for col in table.columns:
            single_pk = table.primary_key == (col.name,)
            if (col.unique or single_pk) and col.kind in ("integer", "text"):
                by_name[col.name.lower()].append(col)
                if col.kind == "text" and col.values and col.values_complete:
                    text_keys.append(col)
    holders: dict[str, list[int]] = defaultdict(list)
    for k, key in enumerate(text_keys):
        for value in key.values:
            holders[value].append(k)
    found: list[Join] = []

    def add(col: ColumnEntry, key: ColumnEntry, how: str) -> None:
        link = (col.table, (col.name,), key.table)
        if link not in known:
            known.add(link)
            found.append(Join(col.table, (col.name,), key.table, (key.name,), how))

    for table in tables:
        for col in table.columns:
            if col.kind not in ("integer", "text"):
                continue
            own_key = col.unique or table.primary_key == (col.name,)
            for key in by_name.get(col.name.lower(), ()):
                if key.table == col.table or key.kind != col.kind:
                    continue
                if own_key and (col.name.lower() in _GENERIC_KEYS or len(col.words) < 2):
                    continue  # "id" and "id": each table's own key, not a link
                if col.values and key.values and key.values_complete:
                    mine = set(col.values)
                    if len(mine & set(key.values)) >= 0.5 * len(mine):
                        add(col, key, "name")
                elif (
                    col.kind == "integer"
                    or "id" in (col.semantic, key.semantic)
                    or not (col.values or key.values)
                ):
                    add(col, key, "name")
            if col.kind != "text" or own_key or len(col.values) < 2:
                continue
            hits: dict[int, int] = defaultdict(int)
            for value in col.values:
                for k in holders.get(value, ()):
                    hits[k] += 1
            for k, n in hits.items():
                key = text_keys[k]
                if key.table != col.table and n >= 0.9 * len(col.values):
                    add(col, key, "values")
    return found


# ---------------------------------------------------------------------------------- cache

_CACHE: weakref.WeakKeyDictionary[Workspace, tuple[str, SchemaIndex]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _fingerprint(catalog: Sequence[SourceInfo]) -> str:
    """Changes whenever a source is added, removed, refreshed, switched or loses its
    connection: the catalog's tables and columns, the modes and snapshot times."""
    digest = hashlib.sha256()
    for source in catalog:
        digest.update(
            repr(
                (source.name, source.mode, source.refreshed_at, source.status, source.tables)
            ).encode()
        )
    return digest.hexdigest()


def clear_cache() -> None:
    """Forgets every cached index (tests; a person's "rebuild the index")."""
    with _CACHE_LOCK:
        _CACHE.clear()
