"""What a column holds, in words: date, currency, id, category, email, geo.

Inferred from the column's name and DuckDB type; a small sample of values settles the cases
the name cannot (an ``contact`` column full of e-mail addresses).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

_DATE_TYPES = ("DATE", "TIMESTAMP", "TIME")
_NUMERIC = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "SMALLINT", "HUGEINT")
_WORDS = re.compile(r"[a-z]+|[0-9]+")


def _words(name: str) -> set[str]:
    # "customerID" -> {"customer", "id"}; "unit_price" -> {"unit", "price"}
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return set(_WORDS.findall(spaced.lower()))


def infer_from_name(name: str, dtype: str) -> str:
    """The semantic type suggested by a column's name and type alone ("" if none)."""
    words = _words(name)
    upper = dtype.upper()
    if upper.startswith(_DATE_TYPES) or words & {"date", "day", "month", "year", "time"}:
        return "date" if upper.startswith(_DATE_TYPES) or "INT" not in upper else ""
    if words & {"email", "mail"}:
        return "email"
    if words & {"lat", "latitude", "lon", "lng", "longitude", "country", "city", "zip",
                "postcode", "region", "state", "geo"}:
        return "geo"
    if words & {"price", "cost", "revenue", "amount", "sales", "salary", "fee", "total",
                "usd", "eur", "gbp"} and upper.startswith(_NUMERIC):
        return "currency"
    if words & {"id", "key", "uuid", "code"} or name.lower().endswith("id"):
        return "id"
    return ""


def infer_semantic_types(
    con: DuckDBPyConnection, sql_name: str, columns: list[tuple[str, str]]
) -> dict[str, str]:
    """Semantic types of ``columns`` of ``sql_name``; columns with none are left out."""
    return {name: kind for name, dtype in columns if (kind := infer_from_name(name, dtype))}
