"""``$name`` parameters: finding them in SQL and binding values as DuckDB named parameters.

A parameter is a ``$`` token followed at once by a name, as sqlglot's tokenizer reads the text,
so ``'$price'`` in a string, ``-- $x`` in a comment and ``$$...$$`` bodies are not parameters.
``$1`` (positional) is left alone. DuckDB binds the values itself
(``con.execute(sql, {"name": value})``), so a value is never pasted into the SQL text.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlglot.tokenizer_core import TokenType

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.sql.tokens import lex


class ParameterError(AiserError):
    """A parameter of the SQL has no value."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One use of a parameter: ``sql[start:end]`` is ``$name``."""

    name: str
    start: int
    end: int


def find(sql: str) -> list[Parameter]:
    """Every use of a ``$name`` parameter, in order."""
    found: list[Parameter] = []
    tokens = lex(sql).tokens
    for tok, nxt in itertools.pairwise(tokens):
        if (
            tok.type == TokenType.PARAMETER
            and nxt.start == tok.end
            and (nxt.text[:1].isalpha() or nxt.text[:1] == "_")
            and nxt.type not in (TokenType.STRING, TokenType.IDENTIFIER)
        ):
            found.append(Parameter(sql[nxt.start : nxt.end], tok.start, nxt.end))
    return found


def names(sql: str) -> list[str]:
    """The parameter names of ``sql``, each once, in order of first use."""
    return list(dict.fromkeys(p.name for p in find(sql)))


def parse_value(text: str) -> Any:
    """A typed value from what a person typed in the parameters dialog.

    Whole numbers become integers and decimal numbers exact decimals; ``true``/``false``
    booleans; ``null`` a NULL; text in single quotes is always text (``'42'`` is the string
    42); anything else is text, which DuckDB casts where the SQL needs a date or a time.
    """
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    digits = value[1:] if value[:1] in "+-" else value
    if digits.isdigit() and digits.isascii():
        return int(value)
    if digits and digits[0] in "0123456789." and digits.isascii():
        try:
            number = Decimal(value)
        except InvalidOperation:
            return text
        if number.is_finite():
            return number
    return text


def bind(sql: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The named parameters to pass to DuckDB with ``sql``: only the names it uses.

    Args:
        sql: The SQL text.
        values: Values by parameter name (more may be given than are used).

    Raises:
        ParameterError: A parameter of ``sql`` has no value; the error names it.
    """
    wanted = names(sql)
    missing = [name for name in wanted if name not in values]
    if missing:
        listed = ", ".join(f"${n}" for n in missing)
        raise ParameterError(
            f"No value was given for the parameter{'s' if len(missing) > 1 else ''} {listed}.",
            hint="Give each $name a value in the parameters dialog, or replace it in the SQL.",
        )
    return {name: values[name] for name in wanted}
