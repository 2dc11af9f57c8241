"""DuckDB SQL as tokens and highlight spans, from sqlglot's tokenizer.

sqlglot's tokenizer knows DuckDB's strings (``'it''s'``, ``E'\\n'``, ``$$...$$``), quoted
identifiers, numbers, operators and keywords, so nothing here guesses with regular
expressions. Two things it does not give directly are filled in around it:

- Comments are not tokens (sqlglot attaches their text to a neighbour), so they are found in
  the gaps between tokens, which hold nothing but whitespace and comments.
- Text being typed is often unfinished: an open string or block comment makes the tokenizer
  raise. Everything before it is kept and the rest is marked as the open string or comment,
  with the opener returned as the *carry*, so a line-by-line highlighter can continue on the
  next line (:func:`highlight_line`).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import TokenType

if TYPE_CHECKING:
    from sqlglot.tokenizer_core import Token
    from sqlglot.tokens import Tokenizer

KEYWORD = "keyword"
FUNCTION = "function"
STRING = "string"
NUMBER = "number"
COMMENT = "comment"
IDENTIFIER = "identifier"
OPERATOR = "operator"
PARAMETER = "parameter"
KINDS = (KEYWORD, FUNCTION, STRING, NUMBER, COMMENT, IDENTIFIER, OPERATOR, PARAMETER)

STRING_TYPES = frozenset(
    {
        TokenType.STRING,
        TokenType.BIT_STRING,
        TokenType.HEX_STRING,
        TokenType.BYTE_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.NATIONAL_RAW_STRING,
        TokenType.RAW_STRING,
        TokenType.HEREDOC_STRING,
        TokenType.UNICODE_STRING,
    }
)
# Words sqlglot reads as keywords that are DuckDB functions when a "(" follows (left(s, 2),
# replace(...), range(10)); other keywords before "(" stay keywords (in (...), using (...)).
FUNCTION_WORDS_TEXT = (
    "APPLY BITSTRING CAST COALESCE CURRENT_DATE EXTRACT FIRST FORMAT GLOB IF IFNULL JSON "
    "LAST LEFT LIST MAP NULLIF RANGE REPLACE RIGHT ROW STRUCT_PACK TRY_CAST UNNEST UUID XOR"
)
FUNCTION_WORDS = frozenset(FUNCTION_WORDS_TEXT.split())
_MAX_DEPTH = 8  # re-lexing depth for text sqlglot swallowed (command arguments)

_local = threading.local()


class Span(NamedTuple):
    """A run of text of one kind: ``text[start:end]``."""

    start: int
    end: int
    kind: str


# Named tuples, not dataclasses: a line of SQL makes dozens of these on every key press.
class Tok(NamedTuple):
    """A token with its place in the text.

    Attributes:
        start: Offset of its first character.
        end: Offset just after its last character.
        type: sqlglot's token type.
        text: sqlglot's text for it (a string's value without quotes, a word as written).
    """

    start: int
    end: int
    type: TokenType
    text: str


@dataclass(frozen=True, slots=True)
class Lexed:
    """What :func:`lex` found.

    Attributes:
        tokens: The tokens, in order (comments excluded).
        comments: ``(start, end)`` of each comment.
        open_tail: ``(start, kind)`` of an unfinished string, identifier or comment that runs
            to the end of the text, or None.
        carry: The opener of that unfinished part (``'``, ``E'``, ``"``, ``$tag$``, or
            ``/*`` once per open nesting level); "" when nothing is open.
    """

    tokens: list[Tok]
    comments: list[tuple[int, int]]
    open_tail: tuple[int, str] | None
    carry: str


def tokenizer() -> Tokenizer:
    """A DuckDB tokenizer for this thread (one holds state while it runs)."""
    tok: Tokenizer | None = getattr(_local, "tokenizer", None)
    if tok is None:
        from sqlglot.dialects.duckdb import DuckDB

        tok = DuckDB().tokenizer()
        _local.tokenizer = tok
    return tok


@cache
def _syntax() -> tuple[dict[str, str | None], tuple[str, ...], frozenset[TokenType], set[str]]:
    """Comment delimiters, string openers (longest first), command types and keyword texts."""
    from sqlglot.dialects.duckdb import DuckDB

    cls = DuckDB.Tokenizer
    comments: dict[str, str | None] = dict(cls._COMMENTS)
    openers = {*cls._QUOTES, *cls._FORMAT_STRINGS, *cls._IDENTIFIERS}
    return (
        comments,
        tuple(sorted(openers, key=len, reverse=True)),
        frozenset(cls.COMMANDS),
        set(cls.KEYWORDS),
    )


def keyword_texts() -> frozenset[str]:
    """Every word the DuckDB tokenizer reads as a keyword (upper case)."""
    return frozenset(w for w in _syntax()[3] if w.replace("_", "").isalpha())


def _comment_end(sql: str, start: int, stop: int, opener: str, closer: str) -> tuple[int, int]:
    """Where a block comment starting at ``start`` ends (exclusive), and the nesting depth
    still open at ``stop`` (0 when it closed)."""
    depth = 1
    i = start + len(opener)
    while i < stop:
        if sql.startswith(closer, i):
            depth -= 1
            i += len(closer)
            if depth == 0:
                return i, 0
        elif sql.startswith(opener, i):
            depth += 1
            i += len(opener)
        else:
            i += 1
    return stop, depth


def _opener_at(sql: str, pos: int) -> str:
    """The string or identifier opener at ``pos`` ("" if none)."""
    _, openers, _, _ = _syntax()
    if sql.startswith("$", pos):
        close = sql.find("$", pos + 1)
        tag = sql[pos + 1 : close] if close > 0 else ""
        if close > 0 and (not tag or tag.replace("_", "a").isalnum()):
            return sql[pos : close + 1]
        return ""
    for opener in openers:
        if opener != "$" and sql[pos : pos + len(opener)].lower() == opener.lower():
            return sql[pos : pos + len(opener)]
    return ""


class _Lexer:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens: list[Tok] = []
        self.comments: list[tuple[int, int]] = []
        self.open_tail: tuple[int, str] | None = None
        self.carry = ""

    def run(self, start: int, stop: int, depth: int = 0) -> None:
        """Lexes ``sql[start:stop]``, appending what it finds."""
        sql = self.sql
        pos = start
        while pos < stop:
            raw: list[Token]
            error_at = -1
            tok = tokenizer()
            try:
                raw = tok.tokenize(sql[pos:stop])
            except TokenError:
                raw = list(tok.tokens)
                error_at = pos + tok._core._start
            cursor = pos
            commands = _syntax()[2]
            previous: TokenType | None = None
            for token in raw:
                if token.token_type in STRING_TYPES and previous in commands:
                    # A command's argument (EXPLAIN's statement, CALL's call): sqlglot keeps it
                    # as one string; it is left in the gap and lexed as SQL below.
                    previous = token.token_type
                    continue
                t_start, t_end = pos + token.start, pos + token.end + 1
                if t_start < cursor:
                    continue
                if t_start > cursor and not sql[cursor:t_start].isspace():
                    self._gap(cursor, t_start, depth)
                self.tokens.append(Tok(t_start, t_end, token.token_type, token.text))
                cursor = t_end
                previous = token.token_type
            if error_at < 0:
                self._gap(cursor, stop, depth)
                return
            self._gap(cursor, error_at, depth)
            pos = self._broken(error_at, stop)

    def _broken(self, at: int, stop: int) -> int:
        """Handles what the tokenizer could not read at ``at``; returns where to go on."""
        sql = self.sql
        comments, _, _, _ = _syntax()
        for opener, closer in comments.items():
            if closer and sql.startswith(opener, at):
                end, depth = _comment_end(sql, at, stop, opener, closer)
                self.comments.append((at, end))
                if depth:
                    self.open_tail = (at, COMMENT)
                    self.carry = opener * depth
                return end
        opener = _opener_at(sql, at)
        if opener:
            kind = IDENTIFIER if opener == '"' else STRING
            self.tokens.append(Tok(at, stop, TokenType.STRING, sql[at:stop]))
            self.open_tail = (at, kind)
            self.carry = opener
            return stop
        # Something else it rejects (a malformed number): skip the word and go on.
        end = at + 1
        while end < stop and not sql[end].isspace():
            end += 1
        return end

    def _gap(self, start: int, stop: int, depth: int) -> None:
        """Finds comments between two tokens; other text there (a command's argument) is
        lexed as SQL."""
        sql = self.sql
        comments, _, _, _ = _syntax()
        i = start
        other = -1
        while i < stop:
            ch = sql[i]
            if ch.isspace():
                i += 1
                continue
            found = False
            for opener, closer in comments.items():
                if sql.startswith(opener, i):
                    if other >= 0:
                        self._nested(other, i, depth)
                        other = -1
                    if closer is None:
                        end = i
                        while end < stop and sql[end] not in "\r\n":
                            end += 1
                    else:
                        end, open_depth = _comment_end(sql, i, stop, opener, closer)
                        if open_depth:
                            self.open_tail = (i, COMMENT)
                            self.carry = opener * open_depth
                    self.comments.append((i, end))
                    i = end
                    found = True
                    break
            if not found:
                if other < 0:
                    other = i
                i += 1
        if other >= 0:
            self._nested(other, stop, depth)

    def _nested(self, start: int, stop: int, depth: int) -> None:
        if depth < _MAX_DEPTH:
            self.run(start, stop, depth + 1)


def lex(sql: str) -> Lexed:
    """Tokens, comments and any unfinished tail of ``sql``. Never raises on bad SQL."""
    lexer = _Lexer(sql)
    lexer.run(0, len(sql))
    tokens = lexer.tokens
    if any(a.start > b.start for a, b in itertools.pairwise(tokens)):
        tokens.sort()  # only when a command's argument was lexed out of order
    return Lexed(tokens, sorted(lexer.comments), lexer.open_tail, lexer.carry)


def _word_kind(tok: Tok, next_tok: Tok | None, keywords: set[str]) -> str:
    before_paren = (
        next_tok is not None and next_tok.type == TokenType.L_PAREN and next_tok.start == tok.end
    )
    if tok.type == TokenType.VAR:
        return FUNCTION if before_paren else IDENTIFIER
    upper = tok.text.upper()
    if before_paren and upper in FUNCTION_WORDS:
        return FUNCTION
    if upper in keywords:
        return KEYWORD
    return IDENTIFIER


def spans_of(lexed: Lexed) -> list[Span]:
    """Highlight spans of lexed text, in order; plain punctuation is an operator."""
    out: list[Span] = [Span(s, e, COMMENT) for s, e in lexed.comments]
    tokens = lexed.tokens
    tail = lexed.open_tail
    keywords = _syntax()[3]
    skip = False
    for i, tok in enumerate(tokens):
        if skip:
            skip = False
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        ttype = tok.type
        if tail is not None and tok.start == tail[0] and tail[1] != COMMENT:
            kind = tail[1]
        elif ttype in STRING_TYPES:
            kind = STRING
        elif ttype == TokenType.NUMBER:
            kind = NUMBER
        elif ttype == TokenType.IDENTIFIER:
            kind = IDENTIFIER
        elif ttype == TokenType.PLACEHOLDER:
            kind = PARAMETER
        elif ttype == TokenType.PARAMETER:
            if nxt is not None and nxt.start == tok.end and nxt.type != TokenType.L_PAREN:
                out.append(Span(tok.start, nxt.end, PARAMETER))
                skip = True
                continue
            kind = PARAMETER
        elif tok.text[:1].isalpha() or tok.text[:1] == "_":
            kind = _word_kind(tok, nxt, keywords)
        else:
            kind = OPERATOR
        out.append(Span(tok.start, tok.end, kind))
    if lexed.comments:
        out.sort()
    return out


def highlight(sql: str) -> list[Span]:
    """Highlight spans of a whole text, in order of their start."""
    return spans_of(lex(sql))


@lru_cache(maxsize=20_000)
def highlight_line(text: str, carry: str = "") -> tuple[tuple[Span, ...], str]:
    """Highlight spans of one line, continuing what the previous line left open.

    Results are cached: opening a string or a block comment re-colours every line below,
    and closing it again finds those lines as they were.

    Args:
        text: The line, without its line break.
        carry: What the previous line left open (its returned carry); "" for none.

    Returns:
        The spans (offsets into ``text``) and what this line leaves open for the next.
    """
    lexed = lex(carry + text)
    if not carry:
        return tuple(spans_of(lexed)), lexed.carry
    shift = len(carry)
    spans = []
    for span in spans_of(lexed):
        start, end = max(0, span.start - shift), span.end - shift
        if end > start:
            spans.append(Span(start, end, span.kind))
    # A "--" comment never continues on the next line; only open strings and /* do.
    return tuple(spans), lexed.carry
