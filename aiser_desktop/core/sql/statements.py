"""A script split into statements, with where each one is in the text.

Statements end at semicolon *tokens*, so a semicolon inside a string, a quoted name, a
``$$...$$`` body or a comment never splits (sqlglot's tokenizer decides; see
:mod:`aiser_desktop.core.sql.tokens`). A piece with only comments and whitespace is not a
statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot.tokenizer_core import TokenType

from aiser_desktop.core.sql.tokens import Lexed, lex

_CHUNK = 4096


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a script.

    Attributes:
        text: The statement from its first character to its last token: leading comments
            are kept (they often say what it does), the semicolon and anything after the
            last token are not.
        start: Offset of its first character in the script.
        end: Offset just after its last token.
        region_end: Offset just after its semicolon (or the end of the script): the text
            from ``start`` to here belongs to it.
    """

    text: str
    start: int
    end: int
    region_end: int


def split(sql: str, lexed: Lexed | None = None) -> list[Statement]:
    """The statements of ``sql`` in order.

    Args:
        sql: The script.
        lexed: ``lex(sql)`` if the caller has it already.
    """
    lexed = lexed if lexed is not None else lex(sql)
    statements: list[Statement] = []
    piece_start = 0
    has_token = False
    last_end = 0
    comment_ends = dict(lexed.comments)

    def close(stop: int, region_end: int) -> None:
        nonlocal has_token
        if has_token:
            text_start = piece_start
            # A comment on the line of the previous semicolon is about that statement.
            while text_start < stop and sql[text_start] in " \t":
                text_start += 1
            if piece_start > 0 and text_start in comment_ends:
                text_start = comment_ends[text_start]
            while text_start < stop and sql[text_start].isspace():
                text_start += 1
            # It ends with its last token: a comment after it stays out, so the statement
            # can be wrapped (EXPLAIN ..., a LIMIT) without being commented out.
            text_end = max(text_start, min(stop, last_end))
            statements.append(Statement(sql[text_start:text_end], text_start, text_end, region_end))
        has_token = False

    for tok in lexed.tokens:
        if tok.type == TokenType.SEMICOLON:
            close(tok.start, tok.end)
            piece_start = tok.end
        else:
            has_token = True
            last_end = tok.end
    close(len(sql), len(sql))
    return statements


def statement_at(
    sql: str, cursor: int, statements: list[Statement] | None = None
) -> Statement | None:
    """The statement the cursor is in, as a person would expect.

    Inside a statement (or right after its semicolon, on the same line) it is that one; on a
    blank line between two, the next one; after the last, the last one.

    Args:
        sql: The script.
        cursor: A character offset into ``sql``.
        statements: ``split(sql)`` if the caller has it already.
    """
    found = statements if statements is not None else split(sql)
    if not found:
        return None
    previous: Statement | None = None
    for stmt in found:
        if cursor < stmt.start:
            if previous is not None and "\n" not in sql[previous.end : cursor]:
                return previous
            return stmt
        if cursor <= stmt.end:
            return stmt
        previous = stmt
    return previous


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of two strings (slice comparisons, done in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class StatementLocator:
    """Finds statements near a cursor in a long text that keeps changing, without lexing all
    of it on every key.

    It remembers where the semicolons of the last text were. After an edit those before the
    first changed character still stand, so lexing starts at the last of them before the
    cursor and stops a statement or two after it. One locator per editor; not thread-safe.
    """

    def __init__(self) -> None:
        self._text = ""
        self._ends: list[int] = []  # offsets just after each semicolon token, in order

    def _ensure(self, sql: str, cursor: int, beyond: int, limit: int | None = None) -> list[int]:
        """Semicolon ends of ``sql``: all of them before the cursor, and at least ``beyond``
        after it unless the text (or ``limit``) ends first."""
        same = common_prefix(self._text, sql)
        ends = [e for e in self._ends if e <= same]
        pos = ends[-1] if ends else 0  # lexing may only start just after a semicolon
        stop_at = len(sql) if limit is None else min(len(sql), max(limit, cursor))
        size = _CHUNK
        while pos < stop_at and sum(e > cursor for e in ends) < beyond:
            stop = min(stop_at, pos + max(size, 2 * (cursor - pos)))
            found = [
                pos + t.end for t in lex(sql[pos:stop]).tokens if t.type == TokenType.SEMICOLON
            ]
            ends.extend(found)
            if stop >= stop_at:
                break
            if found:
                pos = found[-1]
            else:
                size *= 4
        self._text, self._ends = sql, ends
        return ends

    def region(self, sql: str, cursor: int, lookahead: int = 20_000) -> tuple[int, int]:
        """``(start, stop)`` of the text between the semicolons around ``cursor``: the
        statement being typed, with what comes after it up to ``lookahead`` characters."""
        ends = self._ensure(sql, cursor, 1, cursor + lookahead)
        start = max([0, *(e for e in ends if e <= cursor)])
        after = [e for e in ends if e > cursor]
        stop = after[0] - 1 if after else min(len(sql), cursor + lookahead)
        return start, stop

    def statement_at(self, sql: str, cursor: int) -> Statement | None:
        """What :func:`statement_at` gives, lexing only the statements around the cursor."""
        ends = self._ensure(sql, cursor, 2)
        before = [e for e in ends if e <= cursor]
        after = [e for e in ends if e > cursor]
        # The window holds the statements before and after the cursor's, so the rules about
        # "right after a semicolon" and "on a blank line" see what they need.
        stop = after[1] if len(after) >= 2 else len(sql)
        back = 3
        while True:
            start = before[-back] if len(before) >= back else 0
            window = sql[start:stop]
            found_all = split(window)
            # Empty statements (";;") do not count: go back until a real one is included.
            if start == 0 or any(st.region_end <= cursor - start for st in found_all):
                break
            back *= 2
        found = statement_at(window, cursor - start, found_all)
        if found is None:
            return None
        return Statement(
            found.text, found.start + start, found.end + start, found.region_end + start
        )
