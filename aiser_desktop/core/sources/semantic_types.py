"""What a column holds, in words: date, currency, id, category, email, geo.

A column's name and DuckDB type give a first guess (:func:`infer_from_name`). Where reading is
cheap, a small sample of values settles what the name cannot: a ``contact`` column full of
e-mail addresses, text that is really dates, ``"$1,200.00"`` amounts kept as text, a
``latitude`` whose values are not latitudes. The sample is one aggregate query over at most
10,000 rows (and a second over 1,000 values of text shaped like dates), so this stays fast on
large tables: it runs every time a source is added (about 0.1 s for a million rows).

* an imported table (a table of this workspace's database) is read whole up to 20,000 rows,
  and beyond that sampled by DuckDB's block sampling, which reads a few blocks;
* a linked view over Parquet, Delta or Iceberg reads its first rows only (``LIMIT``);
* anything else (a linked CSV, an attached database) is judged by name and type alone, so
  adding a 10 GB file or a remote database never reads it for this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiser_desktop.core.sources.base import sql_string

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

SAMPLE_ROWS = 5_000  # rows a sample of a large table aims at (it holds at most twice that)
_HEAD_ROWS = 5_000  # rows read from the start of a linked Parquet/lake view
_WHOLE_TABLE = 20_000  # tables this small are read whole: sampling would skip too much

_TEMPORAL = ("DATE", "TIMESTAMP", "TIME")
_INTEGER = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT"}  # fmt: skip
_FRACTIONAL = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC")
_WORDS = re.compile(r"[a-z]+|[0-9]+")

_DATE_WORDS = {"date", "day", "month", "time", "timestamp", "datetime"}
_EMAIL_WORDS = {"email", "mail", "e_mail"}
_GEO_WORDS = {"country", "city", "zip", "zipcode", "postcode", "postal", "region", "county",
              "province", "continent", "geo", "town", "municipality"}  # fmt: skip
_LAT_WORDS = {"lat", "latitude"}
_LON_WORDS = {"lon", "lng", "long", "longitude"}
_MONEY_STRONG = {"price", "cost", "revenue", "salary", "fee", "fees", "usd", "eur", "gbp",
                 "jpy", "chf", "income", "payment", "paid", "spend", "spent", "wage",
                 "budget", "profit", "margin", "tax", "discount", "refund", "invoice"}  # fmt: skip
_MONEY_WEAK = {"amount", "total", "sales", "value", "balance", "subtotal", "net", "gross"}
_NOT_MONEY = {"rate", "pct", "percent", "percentage", "ratio", "share", "score", "weight",
              "temp", "temperature", "lat", "latitude", "lon", "lng", "longitude", "qty",
              "quantity", "count", "units", "age", "height", "width", "length", "distance",
              "duration", "hours", "minutes", "seconds", "days"}  # fmt: skip
_ID_STRONG = {"id", "uuid", "guid"}
_ID_WEAK = {"key", "code", "sku", "ref", "number", "no", "nr", "num"}
_CATEGORY_WORDS = {"category", "status", "type", "segment", "kind", "class", "tier", "gender",
                   "channel", "department", "dept", "group", "level", "grade"}  # fmt: skip
# Words that end in "id" without being ids ("customerid" is one, "paid" is not).
_NOT_ID_ENDINGS = {"paid", "valid", "invalid", "void", "avoid", "fluid", "acid", "liquid",
                   "rapid", "solid", "humid", "mid", "bid", "grid", "android", "squid",
                   "hybrid", "rigid", "vivid", "lucid", "timid", "candid", "stupid"}  # fmt: skip

_EMAIL_RE = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_UUID_RE = r"\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\}?"
_CODES = "USD|EUR|GBP|JPY|CHF|CAD|AUD|CNY|INR|SEK|NOK|DKK|PLN|BRL|MXN|ZAR"
_NUMBER = r"\(?-?[0-9]{1,3}([,. ' ]?[0-9]{3})*([.,][0-9]{1,2})?\)?|-?[0-9]+([.,][0-9]{1,2})?"
_MONEY_RE = (
    rf"-?\s*([$€£¥₹₩₽¢]|({_CODES})\s?)\s*({_NUMBER})"
    rf"|({_NUMBER})\s?([$€£¥₹₩₽¢]|\s?({_CODES}))"
)
# A date written as text: its date part, then maybe a time. Only values of this shape are
# parsed, and only with the formats their separator allows: a failed strptime is slow.
_DATE_PART = (
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}"
    r"|[0-9]{1,2} [A-Za-z]{3,9}\.? [0-9]{4}|[A-Za-z]{3,9}\.? [0-9]{1,2},? [0-9]{4}"
)
_DATE_SHAPE = (
    rf"({_DATE_PART})([ T][0-9]{{1,2}}:[0-9]{{2}}(:[0-9]{{2}}(\.[0-9]+)?)?(Z|[+-][0-9:]+)?)?"
)
_DATE_FORMATS = {
    "/": ["%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d/%m/%y", "%m/%d/%y"],
    ".": ["%d.%m.%Y", "%Y.%m.%d", "%d.%m.%y"],
    "-": ["%d-%m-%Y", "%m-%d-%Y", "%d-%m-%y"],
    "word": ["%d %b %Y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y"],
}
_DATE_PARSE_ROWS = 1_000  # values parsed per date-shaped column
_CHEAP_READERS = ("read_parquet(", "parquet_scan(", "delta_scan(", "iceberg_scan(")

# Share of the non-null sampled values that must match a pattern.
_MOSTLY = 0.9
_ALMOST_ALL = 0.95
_CATEGORY_MAX_DISTINCT = 100
_CATEGORY_MIN_ROWS = 10


def _words(name: str) -> set[str]:
    # "customerID" -> {"customer", "id"}; "unit_price" -> {"unit", "price"}
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return set(_WORDS.findall(spaced.lower()))


def _kind(dtype: str) -> str:
    upper = dtype.upper()
    if upper.startswith(_TEMPORAL):
        return "temporal"
    if upper.startswith(("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR")):
        return "text"
    if upper == "UUID":
        return "uuid"
    if upper.startswith("ENUM"):
        return "enum"
    if upper.startswith(_FRACTIONAL):
        return "fraction"
    if upper in _INTEGER:
        return "integer"
    return "other"


def _money_decimal(dtype: str) -> bool:
    """DECIMAL(p, 2): how amounts of money are usually typed."""
    return bool(re.fullmatch(r"DECIMAL\(\d+,\s*2\)", dtype.upper()))


def _id_name(name: str, words: set[str]) -> str:
    """How surely a name says id: "strong" (customer_id, CustomerID, orderid), "weak" for
    names that may (order_no, sku), or ""."""
    lower = name.lower()
    if words & _ID_STRONG or (
        lower.endswith("id") and not any(lower.endswith(w) for w in _NOT_ID_ENDINGS)
    ):
        return "strong"
    return "weak" if words & _ID_WEAK else ""


def _geo_name(name: str, words: set[str]) -> str:
    """What place a name speaks of: "lat", "lon", "place" (country, city, ...) or ""."""
    if words & _LAT_WORDS:
        return "lat"
    if words & _LON_WORDS and not words & {"description", "text", "name"}:
        return "lon"
    # "state" alone is a place; "order_state" is a status.
    if words & _GEO_WORDS or re.fullmatch(r"(us_)?state(_code|_name)?", name.lower()):
        return "place"
    return ""


def infer_from_name(name: str, dtype: str) -> str:
    """The semantic type suggested by a column's name and type alone ("" if none)."""
    words = _words(name)
    kind = _kind(dtype)
    if kind == "temporal":
        return "date"
    if kind in ("text", "uuid", "integer", "fraction", "enum"):
        if kind == "text" and words & _EMAIL_WORDS:
            return "email"
        geo = _geo_name(name, words)
        if geo == "place" and kind in ("text", "integer", "enum"):
            return "geo"
        if geo in ("lat", "lon") and kind in ("fraction", "integer"):
            return "geo"
        if kind in ("fraction", "integer") and not words & _NOT_MONEY:
            if words & _MONEY_STRONG or _money_decimal(dtype):
                return "currency"
            if kind == "fraction" and words & _MONEY_WEAK:
                return "currency"
        if kind == "uuid" or (_id_name(name, words) == "strong" and kind in ("text", "integer")):
            return "id"
        if kind == "text" and (words & _DATE_WORDS or name.lower().endswith(("_at", "_on"))):
            return "date"
        if kind == "enum" or (kind == "text" and words & _CATEGORY_WORDS):
            return "category"
    return ""


@dataclass
class _Stats:
    """What the sample says about one column."""

    rows: int = 0  # non-null values
    distinct: int = 0
    low: float | None = None
    high: float | None = None
    email: int = 0
    uuid: int = 0
    date_shape: int = 0  # values shaped like a date
    date_parsed: float = 0.0  # share of the shaped values that parse as dates
    money: int = 0
    cents: int = 0  # numbers with at most two decimals


def _infer(name: str, dtype: str, stats: _Stats) -> str:
    """The semantic type of a column from its name, type and sampled values."""
    words = _words(name)
    kind = _kind(dtype)
    guess = infer_from_name(name, dtype)
    if kind == "temporal" or kind == "uuid":
        return guess
    n = stats.rows
    if n == 0:
        return guess  # nothing to look at (an empty table, or all NULL)
    if kind == "text":
        if stats.uuid >= _ALMOST_ALL * n:
            return "id"
        if stats.email >= _MOSTLY * n:
            return "email"
        if stats.date_shape >= _ALMOST_ALL * n and stats.date_parsed >= _ALMOST_ALL:
            return "date"
        if stats.money >= _MOSTLY * n:
            return "currency"
        if guess in ("email", "date"):
            guess = ""  # the name said so, the values do not
    geo = _geo_name(name, words)
    if kind in ("fraction", "integer") and geo in ("lat", "lon"):
        limit = 90 if geo == "lat" else 180
        inside = stats.low is not None and stats.high is not None
        if inside and -limit <= (stats.low or 0) and (stats.high or 0) <= limit:
            return "geo"
        guess = "" if guess == "geo" else guess
    elif guess == "geo":
        return "geo"
    if kind in ("fraction", "integer") and not words & _NOT_MONEY:
        if words & _MONEY_STRONG or (kind == "fraction" and _money_decimal(dtype)):
            return "currency"
        if kind == "fraction" and words & _MONEY_WEAK:
            return "currency" if stats.cents >= _ALMOST_ALL * n else ""
    if kind in ("text", "integer"):
        strength = _id_name(name, words)
        if strength == "strong" or (strength == "weak" and stats.distinct == n and n > 1):
            return "id"
    if kind in ("text", "enum") and n >= _CATEGORY_MIN_ROWS:
        few = min(_CATEGORY_MAX_DISTINCT, max(2, n // 5))
        return "category" if stats.distinct <= few else ""
    return "category" if kind == "enum" else ""


def _split_name(sql_name: str) -> list[str]:
    """``finance."Q1 budget"`` -> ["finance", "Q1 budget"]."""
    parts: list[str] = []
    current, quoted, i = "", False, 0
    while i < len(sql_name):
        ch = sql_name[i]
        if ch == '"':
            if quoted and sql_name[i + 1 : i + 2] == '"':
                current += '"'
                i += 1
            else:
                quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts


def _sample_from(con: DuckDBPyConnection, sql_name: str) -> str | None:
    """A FROM clause reading a small sample of ``sql_name``, or None where any read could be
    costly (a linked CSV, an attached database)."""
    parts = _split_name(sql_name)
    if len(parts) > 2:
        return None
    schema, table = parts if len(parts) == 2 else ["main", parts[0]]
    # Literals, not parameters: a parameterised query makes DuckDB's Python package import
    # pandas the first time (0.6 s).
    where = (
        f"database_name = current_database() AND schema_name = {sql_string(schema)} "
        f"AND {{name}} = {sql_string(table)}"
    )
    found = con.execute(
        "SELECT 'table', '' FROM duckdb_tables() WHERE "
        + where.format(name="table_name")
        + " UNION ALL SELECT 'view', sql FROM duckdb_views() WHERE NOT internal AND "
        + where.format(name="view_name")
    ).fetchone()
    if found is None:
        return None
    what, detail = str(found[0]), str(found[1] or "")
    if what == "table":
        # count(*) of a table reads no data; estimated_size is 0 for a table made in the
        # transaction still open (which is when a source is described).
        counted = con.execute(f"SELECT count(*) FROM {sql_name}").fetchone()
        size = int(counted[0]) if counted else 0
        if size <= _WHOLE_TABLE:
            return sql_name
        # Block sampling reads a few blocks spread over the whole table.
        # Blocks are 2,048 rows, so the draw varies: aim at twice the rows wanted.
        percent = max(0.001, 200.0 * SAMPLE_ROWS / size)
        return (
            f"(SELECT * FROM {sql_name} USING SAMPLE {percent:.4f}% (system, 7) "
            f"LIMIT {2 * SAMPLE_ROWS})"
        )
    lowered = detail.lower()
    if any(reader in lowered for reader in _CHEAP_READERS) and "read_csv" not in lowered:
        return f"(SELECT * FROM {sql_name} LIMIT {_HEAD_ROWS})"
    return None


def _aggregates(column: str, dtype: str) -> list[tuple[str, str]]:
    """(stat, SQL aggregate) pairs for one column, by its kind."""
    col = '"' + column.replace('"', '""') + '"'
    kind = _kind(dtype)
    if kind not in ("text", "enum", "integer", "fraction"):
        return []
    found = [("rows", f"count({col})"), ("distinct", f"count(DISTINCT {col})")]
    if kind == "text":
        value = f"trim({col})"

        def matching(pattern: str) -> str:
            return f"count(*) FILTER (WHERE regexp_full_match({value}, {sql_string(pattern)}))"

        found += [
            ("email", matching(_EMAIL_RE)),
            ("uuid", matching(_UUID_RE)),
            ("date_shape", matching(_DATE_SHAPE)),
            ("money", matching(_MONEY_RE)),
        ]
    elif kind in ("integer", "fraction"):
        found += [
            ("low", f"CAST(min({col}) AS DOUBLE)"),
            ("high", f"CAST(max({col}) AS DOUBLE)"),
            (
                "cents",
                f"count(*) FILTER (WHERE CAST({col} AS DOUBLE) = round(CAST({col} AS DOUBLE), 2))",
            ),
        ]
    return found


def _date_parse_sql(column: str) -> str:
    """SQL that is true when ``column``'s value parses as a date or a timestamp.

    ISO text is cast; other shapes are parsed, date part only, with the formats their
    separator allows (CASE evaluates a branch only for the rows that reach it).
    """
    value = "trim(" + '"' + column.replace('"', '""') + '"' + ")"
    part = f"regexp_extract({value}, {sql_string('^(' + _DATE_PART + ')')}, 1)"

    def parse(formats: list[str]) -> str:
        return f"try_strptime({part}, [{', '.join(sql_string(f) for f in formats)}]) IS NOT NULL"

    return (
        f"CASE WHEN try_cast({value} AS TIMESTAMP) IS NOT NULL THEN true "
        f"WHEN regexp_matches({part}, '[A-Za-z]') THEN {parse(_DATE_FORMATS['word'])} "
        f"WHEN contains({part}, '/') THEN {parse(_DATE_FORMATS['/'])} "
        f"WHEN contains({part}, '.') THEN {parse(_DATE_FORMATS['.'])} "
        f"ELSE {parse(_DATE_FORMATS['-'])} END"
    )


def _date_shares(con: DuckDBPyConnection, source: str, columns: list[str]) -> list[float]:
    """For each text column whose values are shaped like dates, the share of its first
    values (of the sample) that really parse."""
    quoted = ['"' + c.replace('"', '""') + '"' for c in columns]
    selects = [
        f"count(*) FILTER (WHERE {_date_parse_sql(c)}) / greatest(count({q}), 1)"
        for c, q in zip(columns, quoted, strict=True)
    ]
    row = con.execute(
        f"SELECT {', '.join(selects)} FROM (SELECT {', '.join(quoted)} FROM {source} "
        f"LIMIT {_DATE_PARSE_ROWS})"
    ).fetchone()
    return [float(v or 0) for v in row] if row else [0.0] * len(columns)


def infer_semantic_types(
    con: DuckDBPyConnection, sql_name: str, columns: list[tuple[str, str]]
) -> dict[str, str]:
    """Semantic types of ``columns`` of ``sql_name``; columns with none are left out.

    Args:
        con: A DuckDB connection that sees ``sql_name``.
        sql_name: The table or view as written in SQL (``sales``, ``finance.budget``).
        columns: (name, DuckDB type) of each column.

    Returns:
        Column name -> "date", "currency", "id", "category", "email" or "geo".
    """
    source = _sample_from(con, sql_name)
    selects: list[str] = []
    plan: list[tuple[str, str, list[str]]] = []
    for index, (column, dtype) in enumerate(columns):
        aggregates = _aggregates(column, dtype)
        plan.append((column, dtype, [stat for stat, _ in aggregates]))
        selects += [f"{sql} AS s{index}_{stat}" for stat, sql in aggregates]
    if source is None or not selects:
        return {c: kind for c, dtype in columns if (kind := infer_from_name(c, dtype))}

    row = con.execute(f"SELECT {', '.join(selects)} FROM {source}").fetchone()
    values = iter(row or ())
    found: list[tuple[str, str, _Stats]] = []
    for column, dtype, names in plan:
        stats = _Stats()
        for stat in names:
            value = next(values, None)
            setattr(stats, stat, value if stat in ("low", "high") else int(value or 0))
        found.append((column, dtype, stats))
    # Only columns shaped like dates are parsed, in a second, smaller pass.
    dated = [(c, s) for c, _d, s in found if s.rows and s.date_shape >= _ALMOST_ALL * s.rows]
    if dated:
        shares = _date_shares(con, source, [c for c, _s in dated])
        for (_column, stats), share in zip(dated, shares, strict=True):
            stats.date_parsed = share
    return {c: kind for c, dtype, stats in found if (kind := _infer(c, dtype, stats))}
