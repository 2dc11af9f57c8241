"""Pretty-printing SQL with sqlglot, in DuckDB's dialect, without changing what it means.

Each statement is parsed and printed on its own; the text between statements (semicolons,
comments on their lines, blank lines) is kept as it was. A statement is printed only when
sqlglot's output parses back to the same tree and keeps every comment; otherwise (a statement
sqlglot only partly understands) it stays exactly as written. A statement that does not parse
leaves the whole text unchanged and the error says where.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiser_desktop.core.sql.statements import split
from aiser_desktop.core.sql.tokens import lex


@dataclass(frozen=True)
class Formatted:
    """What :func:`format_sql` made.

    Attributes:
        text: The formatted text (the input, unchanged, when ``error`` is set).
        error: Why it could not be formatted, for a person; "" when it was.
        error_offset: Where in the input the error points (-1 when unknown).
        kept: How many statements were left as written because sqlglot could not print
            them faithfully.
    """

    text: str
    error: str = ""
    error_offset: int = -1
    kept: int = 0


def _comment_texts(sql: str) -> list[str]:
    texts = []
    for start, end in lex(sql).comments:
        body = sql[start:end]
        body = body[2:-2] if body.startswith("/*") else body[2:]
        if body.strip():
            texts.append(body.strip())
    return texts


def _format_one(sql: str) -> str | None:
    """``sql`` printed by sqlglot, or None when that would change it."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    if isinstance(tree, exp.Command):
        return None  # sqlglot did not understand it; it would only echo it back
    out = tree.sql(dialect="duckdb", pretty=True)
    try:
        again = sqlglot.parse_one(out, read="duckdb")
    except sqlglot.errors.ParseError:
        return None
    if again != tree:
        return None
    if any(text not in out for text in _comment_texts(sql)):
        return None
    return out


def _error_offset(sql: str, line: int, col: int, highlight: str) -> int:
    lines = sql.split("\n")
    line = max(1, min(line, len(lines)))
    start = sum(len(x) + 1 for x in lines[: line - 1])
    return max(0, min(start + col - len(highlight), len(sql)))


def format_sql(sql: str) -> Formatted:
    """Formats every statement of ``sql``.

    Args:
        sql: One or more statements.

    Returns:
        The formatted text; on a parse error the text unchanged, the error and where it is.
    """
    import sqlglot

    pieces: list[str] = []
    pos = 0
    kept = 0
    sqlglot_logger = logging.getLogger("sqlglot")
    level = sqlglot_logger.level
    # sqlglot logs a warning for each statement it falls back on; they are expected here.
    sqlglot_logger.setLevel(logging.ERROR)
    try:
        for stmt in split(sql):
            pieces.append(sql[pos : stmt.start])
            try:
                out = _format_one(stmt.text)
            except sqlglot.errors.ParseError as exc:
                first = exc.errors[0] if exc.errors else {}
                offset = stmt.start + _error_offset(
                    stmt.text,
                    int(first.get("line") or 1),
                    int(first.get("col") or 1),
                    str(first.get("highlight") or ""),
                )
                what = str(first.get("description") or exc).split("\n")[0]
                line = sql.count("\n", 0, offset) + 1
                column = offset - (sql.rfind("\n", 0, offset) + 1) + 1
                return Formatted(
                    sql,
                    f"Cannot format: {what} at line {line}, column {column}. "
                    "Fix the SQL there, then format again.",
                    offset,
                )
            except sqlglot.errors.SqlglotError:
                out = None
            if out is None:
                kept += 1
                out = stmt.text
            pieces.append(out)
            pos = stmt.end
    finally:
        sqlglot_logger.setLevel(level)
    pieces.append(sql[pos:])
    return Formatted("".join(pieces), kept=kept)
