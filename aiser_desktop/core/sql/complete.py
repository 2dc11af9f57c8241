"""Completion candidates for the SQL editor: tables, columns, functions and keywords, ranked.

Everything comes from memory: the cached catalog (:mod:`aiser_desktop.core.sources.catalog`,
read from state.sqlite, so it works offline and before any source is touched) and DuckDB's own
function and keyword lists (read once per process). A request lexes only the statement under
the cursor, and the names are kept sorted with a joined lower-case copy, so a prefix is a
binary search and "contains" a C-speed ``str.find``; a 500-table catalog answers in well under
5 ms (``bench/complete.py``).

Context comes from the statement's tokens: after FROM/JOIN tables come first, after
SELECT/WHERE/ON/BY the columns of the statement's tables do; ``o.`` offers the columns of the
table aliased ``o`` wherever the alias is defined (``select o.| from orders o``), and
``finance.`` the tables of that source. Within that, names that start with what was typed rank
before names that only contain it.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlglot.tokenizer_core import TokenType

from aiser_desktop.core.sources.base import quote_ident
from aiser_desktop.core.sources.catalog import needs_quotes
from aiser_desktop.core.sql.statements import StatementLocator
from aiser_desktop.core.sql.tokens import STRING_TYPES, Lexed, Tok, lex

if TYPE_CHECKING:
    from aiser_desktop.core.sources.catalog import SourceInfo, TableInfo

TABLE = "table"
COLUMN = "column"
FUNCTION = "function"
KEYWORD = "keyword"
ALIAS = "alias"
SCHEMA = "schema"

_TABLE_WORDS = frozenset({"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "DESCRIBE", "SUMMARIZE"})
_CLAUSES = frozenset(
    {"SELECT", "FROM", "JOIN", "WHERE", "GROUP", "ORDER", "HAVING", "QUALIFY", "ON", "USING"}
    | {"SET", "INTO", "UPDATE", "VALUES", "WINDOW", "LIMIT", "BY", "RETURNING"}
)
_NAME_TYPES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
# The keywords people type all day rank before functions; DuckDB's other ~400 after them.
COMMON_KEYWORDS_TEXT = (
    "select from where group by order having limit offset join left right inner outer full "
    "cross natural on using as and or not in is null like ilike between case when then else "
    "end distinct union all except intersect with recursive insert into values update set "
    "delete create table view replace drop alter describe summarize pivot unpivot qualify "
    "over partition asc desc nulls first last true false cast filter exists exclude "
    "returning window copy explain analyze"
)
COMMON_KEYWORDS = frozenset(COMMON_KEYWORDS_TEXT.split())
_QUOTED = STRING_TYPES | {TokenType.IDENTIFIER}
_MAX_BEHIND = 50_000  # characters of the statement before the cursor looked at, at most


@dataclass(frozen=True, slots=True)
class Candidate:
    """One completion.

    Attributes:
        text: What to insert (quoted where SQL needs it).
        kind: "table", "column", "function", "keyword", "alias" or "schema".
        detail: A short note: a column's type and table, a table's size, a function's kind.
    """

    text: str
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Completions:
    """The candidates for one cursor position.

    Attributes:
        items: Best first.
        start: Where the word being completed starts; an accepted candidate replaces
            ``sql[start:cursor]``.
        prefix: That word as typed ("" right after a dot or a space).
        context: "table", "column", "qualified" or "none" (inside a string or comment).
    """

    items: list[Candidate]
    start: int
    prefix: str
    context: str


class _Names:
    """Candidates kept sorted by lower-case text, with a joined copy for substring search."""

    def __init__(self, candidates: Iterable[Candidate], keys: Iterable[str] | None = None) -> None:
        unique: dict[str, Candidate] = {}
        if keys is None:
            for c in candidates:
                unique.setdefault(c.text.lower(), c)
        else:  # matched by another name than the text inserted
            for c, key in zip(candidates, keys, strict=True):
                unique.setdefault(key.lower(), c)
        keys = sorted(unique)
        self.keys = keys
        self.items = [unique[k] for k in keys]
        self.blob = "\n".join(keys)
        starts, pos = [], 0
        for key in keys:
            starts.append(pos)
            pos += len(key) + 1
        self.starts = starts

    def prefixed(self, prefix: str, limit: int) -> list[Candidate]:
        keys = self.keys
        i = bisect_left(keys, prefix)
        out: list[Candidate] = []
        while i < len(keys) and keys[i].startswith(prefix) and len(out) < limit:
            out.append(self.items[i])
            i += 1
        return out

    def containing(self, text: str, limit: int) -> list[Candidate]:
        """Names that contain ``text`` but do not start with it."""
        out: list[Candidate] = []
        blob, starts = self.blob, self.starts
        pos = blob.find(text)
        while pos >= 0 and len(out) < limit:
            i = bisect_right(starts, pos) - 1
            if starts[i] != pos:
                out.append(self.items[i])
            # Go on from the next name: one hit per name is enough.
            nxt = starts[i + 1] if i + 1 < len(starts) else len(blob)
            pos = blob.find(text, nxt)
        return out


@cache
def _duckdb_lists() -> tuple[tuple[Candidate, ...], tuple[Candidate, ...]]:
    """DuckDB's functions (scalar, aggregate, macro, table) and keywords."""
    import duckdb

    with duckdb.connect() as con:
        functions = con.execute(
            "SELECT function_name, any_value(function_type) FROM duckdb_functions() "
            "WHERE function_type <> 'pragma' GROUP BY 1"
        ).fetchall()
        keywords = con.execute("SELECT keyword_name FROM duckdb_keywords()").fetchall()
    kinds = {"aggregate": "aggregate", "table": "table function", "table_macro": "table function"}
    funcs = tuple(
        Candidate(str(name), FUNCTION, kinds.get(str(kind), "function"))
        for name, kind in functions
        if str(name).isidentifier() and not str(name).startswith("__")
    )
    words = tuple(Candidate(str(r[0]).lower(), KEYWORD, "keyword") for r in keywords)
    return funcs, words


_lists_lock = threading.RLock()


def duckdb_names() -> tuple[tuple[Candidate, ...], tuple[Candidate, ...]]:
    """DuckDB's functions and keywords as candidates (read once per process; thread-safe,
    so a worker can call it early and the first completion finds them ready)."""
    with _lists_lock:
        return _duckdb_lists()


def split_name(sql_name: str) -> list[str]:
    """The parts of a SQL name, unquoted: ``finance."Q1 plan"`` -> ``["finance", "Q1 plan"]``."""
    parts: list[str] = []
    current: list[str] = []
    i, quoted = 0, False
    while i < len(sql_name):
        ch = sql_name[i]
        if quoted:
            if ch == '"' and sql_name[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                current.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _quoted(name: str) -> str:
    return quote_ident(name) if needs_quotes(name) else name


class _Table:
    """A catalog table; its columns are indexed the first time a statement uses it."""

    def __init__(self, info: TableInfo, parts: list[str]) -> None:
        self.info = info
        self.parts = parts
        self._columns: _Names | None = None

    def candidates(self) -> list[Candidate]:
        info = self.info
        return [
            Candidate(_quoted(c.name), COLUMN, f"{c.type} · {info.sql_name}") for c in info.columns
        ]

    @property
    def columns(self) -> _Names:
        if self._columns is None:
            self._columns = _Names(self.candidates())
        return self._columns


def _name_at(tokens: list[Tok], i: int) -> tuple[list[str], int]:
    """A dotted name starting at token ``i``: its lower-case parts and the index after it."""
    parts: list[str] = []
    while i < len(tokens):
        tok = tokens[i]
        word = tok.type in _NAME_TYPES or (bool(parts) and tok.text[:1].isalpha())
        if not word:
            break
        parts.append(tok.text.lower())
        if i + 1 < len(tokens) and tokens[i + 1].type == TokenType.DOT:
            i += 2
            continue
        i += 1
        break
    return parts, i


def _skip_parens(tokens: list[Tok], i: int) -> int:
    depth = 0
    while i < len(tokens):
        if tokens[i].type == TokenType.L_PAREN:
            depth += 1
        elif tokens[i].type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _references(tokens: list[Tok]) -> dict[str, list[str]]:
    """Names the statement can qualify columns with -> the table's name parts.

    Aliases (``orders o`` and ``orders as o``), the tables themselves and their last part
    (``finance.budget`` answers to ``budget.``); a CTE or subquery alias maps to [].
    """
    refs: dict[str, list[str]] = {}
    clause: list[str] = [""]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        upper = tok.text.upper() if tok.type not in _NAME_TYPES else ""
        if tok.type == TokenType.L_PAREN:
            clause.append("")
        elif tok.type == TokenType.R_PAREN and len(clause) > 1:
            clause.pop()
        elif upper in _CLAUSES:
            clause[-1] = upper
        if upper == "WITH" or (tok.type == TokenType.COMMA and clause[-1] == "WITH"):
            clause[-1] = "WITH"
            if i + 2 < len(tokens) and tokens[i + 1].type in _NAME_TYPES:
                refs.setdefault(tokens[i + 1].text.lower(), [])
        starts_ref = upper in _TABLE_WORDS or (tok.type == TokenType.COMMA and clause[-1] == "FROM")
        if not starts_ref:
            i += 1
            continue
        j = i + 1
        parts: list[str] = []
        if j < len(tokens) and tokens[j].type == TokenType.L_PAREN:
            j = _skip_parens(tokens, j)  # a subquery: its alias has no known columns
        else:
            parts, j = _name_at(tokens, j)
            if j < len(tokens) and tokens[j].type == TokenType.L_PAREN:
                j = _skip_parens(tokens, j)  # a table function: read_csv('x') t
                parts = []
        if parts:
            refs.setdefault(".".join(parts), parts)
            refs.setdefault(parts[-1], parts)
        if j < len(tokens) and tokens[j].text.upper() == "AS":
            j += 1
        if j < len(tokens) and tokens[j].type in _NAME_TYPES:
            refs[tokens[j].text.lower()] = parts
            j += 1
        i = max(j, i + 1) if upper in _TABLE_WORDS else i + 1
    return refs


def _context(tokens: list[Tok]) -> str:
    """ "table" when the word being typed names a table, else "column"."""
    if not tokens:
        return "column"
    last = tokens[-1]
    if last.type not in _NAME_TYPES and last.text.upper() in _TABLE_WORDS:
        return "table"
    clause = [""]
    for tok in tokens:
        if tok.type == TokenType.L_PAREN:
            clause.append("")
        elif tok.type == TokenType.R_PAREN and len(clause) > 1:
            clause.pop()
        elif tok.type not in _NAME_TYPES and tok.text.upper() in _CLAUSES:
            clause[-1] = tok.text.upper()
    if last.type == TokenType.COMMA and clause[-1] == "FROM":
        return "table"
    return "column"


class CatalogIndex:
    """The catalog's names, indexed for completion. Build one per catalog version and share
    it between editors.

    Args:
        catalog: The sources and their cached tables.
    """

    def __init__(self, catalog: Sequence[SourceInfo] = ()) -> None:
        tables: dict[str, _Table] = {}
        table_items: list[Candidate] = []
        schemas: dict[str, list[Candidate]] = {}
        for source in catalog:
            for info in source.tables:
                parts = [p.lower() for p in split_name(info.sql_name)]
                tables[".".join(parts)] = _Table(info, parts)
                rows = f"{info.row_count:,} rows · " if info.row_count >= 0 else ""
                detail = f"{rows}{len(info.columns)} columns"
                table_items.append(Candidate(info.sql_name, TABLE, detail))
                if len(parts) > 1:
                    last = _last_written(info.sql_name)
                    schemas.setdefault(parts[0], []).append(Candidate(last, TABLE, detail))
        self.tables = tables
        self.table_names = _Names(
            [*table_items, *(Candidate(_quoted(s), SCHEMA, "source") for s in schemas)]
        )
        # "ord" finds shop.orders too: a source's tables match by their own name as well.
        qualified = [t for t in table_items if "." in t.text]
        self.table_last_names = _Names(qualified, [split_name(t.text)[-1] for t in qualified])
        self.schemas = {name: _Names(items) for name, items in schemas.items()}
        self._all_columns: _Names | None = None

    @property
    def all_columns(self) -> _Names:
        """Every column of every table (for a statement that names no table yet); indexed
        on first use."""
        if self._all_columns is None:
            self._all_columns = _Names(c for t in self.tables.values() for c in t.candidates())
        return self._all_columns

    def lookup(self, parts: list[str]) -> _Table | None:
        """The table named by lower-case name parts (``main.`` may be left out)."""
        if not parts:
            return None
        table = self.tables.get(".".join(parts))
        if table is None and len(parts) > 1 and parts[0] == "main":
            table = self.tables.get(".".join(parts[1:]))
        return table


@cache
def _builtins() -> tuple[_Names, _Names, _Names, _Names]:
    """Functions, table functions, common keywords and the other keywords, indexed."""
    funcs, words = duckdb_names()
    return (
        _Names(funcs),
        _Names(f for f in funcs if f.detail == "table function"),
        _Names(w for w in words if w.text in COMMON_KEYWORDS),
        _Names(w for w in words if w.text not in COMMON_KEYWORDS),
    )


def warm() -> None:
    """Reads DuckDB's function and keyword lists now (from a worker), so the first
    completion does not wait for them."""
    with _lists_lock:
        _builtins()
    needs_quotes("x")  # loads DuckDB's reserved words


class Completer:
    """Completion for one editor: the catalog's index plus what it remembers of the text
    (so a long script is not lexed again on every key).

    Args:
        catalog: The sources and their cached tables, or an index built already.
    """

    def __init__(self, catalog: Sequence[SourceInfo] | CatalogIndex = ()) -> None:
        self._locator = StatementLocator()
        self.index = CatalogIndex()
        self.set_catalog(catalog)

    def set_catalog(self, catalog: Sequence[SourceInfo] | CatalogIndex) -> None:
        """Completes from a new catalog (after a source was added, refreshed or removed)."""
        self.index = catalog if isinstance(catalog, CatalogIndex) else CatalogIndex(catalog)

    def complete(self, sql: str, cursor: int, limit: int = 50) -> Completions:
        """The candidates for the word at ``cursor`` in ``sql``, best first.

        Args:
            sql: The whole editor text.
            cursor: The cursor's offset in it.
            limit: At most this many candidates.
        """
        cursor = max(0, min(cursor, len(sql)))
        start = cursor
        while start > 0 and (sql[start - 1].isalnum() or sql[start - 1] == "_"):
            start -= 1
        prefix = sql[start:cursor]
        if prefix[:1].isdigit():
            return Completions([], start, prefix, "none")  # a number, not a name
        base, stop = self._locator.region(sql, cursor)
        # A statement of a megabyte without a semicolon: look at its last part only.
        base = max(base, sql.rfind("\n", 0, max(0, cursor - _MAX_BEHIND)) + 1)
        lexed = lex(sql[base:stop])
        if _inside_text(sql, base, lexed, cursor - base):
            return Completions([], start, prefix, "none")
        rel = start - base
        before = [t for t in lexed.tokens if t.end <= rel]
        low = prefix.lower()
        if before and before[-1].type == TokenType.DOT and before[-1].end == rel:
            qualifier = _qualifier(before[:-1])
            items = self._qualified(qualifier, lexed.tokens, low, limit)
            return Completions(items, start, prefix, "qualified")
        context = _context(before)
        with _lists_lock:
            functions, table_functions, common, keywords = _builtins()
        refs = _references(lexed.tokens)
        groups: list[_Names | list[Candidate]]
        if context == "table":
            ctes = [Candidate(n, TABLE, "CTE") for n, p in refs.items() if not p]
            groups = [
                ctes,
                self.index.table_names,
                self.index.table_last_names,
                table_functions,
                common,
                keywords,
            ]
        else:
            used = self._used_tables(refs)
            aliases = [Candidate(a, ALIAS, ".".join(p) or "subquery") for a, p in refs.items()]
            groups = [*(t.columns for t in used), aliases, common, functions, keywords]
            groups.append(self.index.table_names)
            if not used:
                groups.append(self.index.all_columns)
        items = _rank(groups, low, limit)
        if prefix[:1].isupper():
            items = [
                Candidate(c.text.upper(), c.kind, c.detail) if c.kind == KEYWORD else c
                for c in items
            ]
        return Completions(items, start, prefix, context)

    def _used_tables(self, refs: dict[str, list[str]]) -> list[_Table]:
        seen: dict[int, _Table] = {}
        for parts in refs.values():
            table = self.index.lookup(parts)
            if table is not None:
                seen.setdefault(id(table), table)
        return list(seen.values())

    def _qualified(
        self, qualifier: list[str], tokens: list[Tok], low: str, limit: int
    ) -> list[Candidate]:
        if not qualifier:
            return []
        refs = _references(tokens)
        key = ".".join(qualifier)
        table = self.index.lookup(refs[key]) if key in refs else None
        if table is not None:
            return _rank([table.columns], low, limit)
        table = self.index.lookup(qualifier)
        if table is not None:
            return _rank([table.columns], low, limit)
        schema = self.index.schemas.get(key)
        if schema is not None:
            return _rank([schema], low, limit)
        return []


def _last_written(sql_name: str) -> str:
    """The last part of a SQL name as written (quotes kept)."""
    quoted = False
    for i in range(len(sql_name) - 1, -1, -1):
        ch = sql_name[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            return sql_name[i + 1 :]
    return sql_name


def _inside_text(sql: str, base: int, lexed: Lexed, at: int) -> bool:
    """Whether offset ``at`` (relative to ``base``) is inside a comment, a string or a
    quoted name, where completion would only get in the way."""
    tail = lexed.open_tail[0] if lexed.open_tail is not None else -1
    for c_start, c_end in lexed.comments:
        to_line_end = sql.startswith("--", base + c_start) or c_start == tail
        if c_start < at < c_end or (at == c_end and to_line_end):
            return True
    for tok in lexed.tokens:
        if tok.start >= at:
            break
        quoted = tok.type in _QUOTED or tok.start == tail
        if quoted and (at < tok.end or (at == tok.end and tok.start == tail)):
            return True
    return False


def _qualifier(tokens: list[Tok]) -> list[str]:
    """The dotted name that ends the token list (before the dot being completed)."""
    parts: list[str] = []
    i = len(tokens) - 1
    while i >= 0 and (tokens[i].type in _NAME_TYPES or tokens[i].text[:1].isalpha()):
        parts.insert(0, tokens[i].text.lower())
        if i >= 1 and tokens[i - 1].type == TokenType.DOT and tokens[i - 1].end == tokens[i].start:
            i -= 2
        else:
            break
    return parts


def _rank(groups: Sequence[_Names | list[Candidate]], low: str, limit: int) -> list[Candidate]:
    """Prefix matches before substring matches; within each, the groups in order."""
    out: list[Candidate] = []
    seen: set[str] = set()

    def take(items: Iterable[Candidate]) -> None:
        for c in items:
            key = c.text.lower()  # a name that is a function and a keyword shows once
            if key not in seen:
                seen.add(key)
                out.append(c)

    for group in groups:
        if len(out) >= limit:
            break
        if isinstance(group, _Names):
            take(group.prefixed(low, limit - len(out)))
        else:
            take(sorted((c for c in group if c.text.lower().startswith(low)), key=_key))
    if low:
        for group in groups:
            if len(out) >= limit:
                break
            if isinstance(group, _Names):
                take(group.containing(low, limit - len(out)))
            else:
                take(
                    sorted(
                        (c for c in group if low in c.text.lower()[1:]),
                        key=_key,
                    )
                )
    return out[:limit]


def _key(c: Candidate) -> str:
    return c.text.lower()
