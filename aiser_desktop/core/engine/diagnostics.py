"""Turning DuckDB's errors into messages a person can act on.

The engine runs with ``errors_as_json``, so DuckDB reports each error as JSON with its type, its
message and the byte offset in the SQL where it happened. We turn that offset into a line and a
column, keep DuckDB's own suggestions ("Did you mean ...") and add what to do next.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiser_desktop.core.errors import AiserError, QueryCancelledError, QueryError, SqlPosition

_HINTS = {
    "Parser": "Fix the syntax at the position shown and run the query again.",
    "Catalog": "Check the name; `aiser sources` (or the sources panel) lists every table.",
    "Binder": "Check the column and function names at the position shown.",
    "Conversion": "A value does not fit the type it is cast to; filter it out or cast with "
    "TRY_CAST.",
    "Invalid Input": "Check the input the query reads (file, format options, arguments).",
    "IO": "Check that the file exists and that this user may read it.",
    "Out of Memory": "Narrow the query (fewer columns, a filter, a LIMIT) or raise the "
    "memory limit in settings.",
}

_LINE_RE = re.compile(r"\n\nLINE (\d+): ")


def _byte_to_char_offset(sql: str, byte_offset: int) -> int:
    return len(sql.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _parse(message: str) -> tuple[str, dict[str, Any] | None]:
    """Splits "Binder Error: {json}" into its prefix and JSON payload (if there is one)."""
    start = message.find("{")
    if start < 0:
        return message, None
    try:
        payload = json.loads(message[start:])
    except json.JSONDecodeError:
        return message, None
    return message[:start], payload if isinstance(payload, dict) else None


def translate(exc: BaseException, sql: str) -> AiserError:
    """The :class:`AiserError` to raise for ``exc``, raised by DuckDB while running ``sql``."""
    import duckdb

    if isinstance(exc, duckdb.InterruptException):
        return QueryCancelledError()
    if isinstance(exc, AiserError):
        return exc
    text = str(exc)
    prefix, payload = _parse(text)
    if payload is None:
        kind, _, message = text.partition(" Error: ")
        if not message:
            kind, message = "", text
        message = _LINE_RE.split(message)[0]
        return QueryError(message.strip(), sql=sql, kind=kind, hint=_HINTS.get(kind, ""))
    kind = str(payload.get("exception_type", prefix.replace(" Error:", "").strip()))
    message = str(payload.get("exception_message", text)).strip()
    position = None
    if "position" in payload:
        try:
            offset = _byte_to_char_offset(sql, int(payload["position"]))
            position = SqlPosition.from_offset(sql, offset)
        except (TypeError, ValueError):
            position = None
    return QueryError(message, sql=sql, kind=kind, position=position, hint=_HINTS.get(kind, ""))
