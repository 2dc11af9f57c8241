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
