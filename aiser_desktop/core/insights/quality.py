"""Data-quality checks: duplicates, missing keys, outliers, impossible values, broken links.

Each check is a few DuckDB aggregates. Cheap screens (which columns look like keys, where the
outlier fences lie) read a sample of a large table; every count a person reads is taken on
all rows by the SQL that comes with it, so "Open SQL in editor" shows the same number.

Checks:
- duplicate rows (a hash of every column, counted distinct: one pass, no wide hash table);
- duplicate keys and missing keys: the catalog's primary key, else an id-like column that is
  nearly unique ("customer_id" unique in 99.9 % of rows is a key with duplicates);
- outliers: beyond the IQR fences Q1 - 3 IQR and Q3 + 3 IQR (Tukey's "far out");
- impossible values: negatives where a name says a count or a size (age, quantity, price,
  distance...), ages over 130, percentages over 100, dates in the future (beyond tomorrow)
  unless the name says the future is meant (due, expires, planned...);
- broken foreign keys: the catalog's keys, and same-named columns that are another table's
  key (``flights.tailnum`` -> ``planes.tailnum``), marked as inferred.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.insights.common import (
    Column,
    Scope,
    columns_of,
    literal,
    pct_text,
    percent,
    quote,
    screened,
)
from aiser_desktop.core.insights.profile_table import ColumnSummary, summarize

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.sources.catalog import TableInfo

IQR_FENCE = 3.0
EXAMPLES = 5
KEY_SHARE = 0.95  # an id-like column this unique (in the screen) is taken for a key
MAX_PARENT_ROWS = 5_000_000  # inferred keys are checked only on tables up to this size

_NON_NEGATIVE = re.compile(
    r"(^|_)(age|ages|qty|quantity|quantities|count|counts|price|prices|cost|distance|weight|"
    r"height|length|width|seats|duration|population|units|salary|size|capacity|stock|"
    r"passengers|engines|speed|visib|visibility|precip)($|_)",
    re.IGNORECASE,
)
_AGE = re.compile(r"(^|_)age($|_)", re.IGNORECASE)
_PERCENT = re.compile(r"(^|_)(pct|percent|percentage|humid|humidity)($|_)", re.IGNORECASE)
_FUTURE_OK = re.compile(
    r"(due|expir|plan|forecast|schedul|sched|end|until|valid|deadline|next|target|eta|arriv)",
    re.IGNORECASE,
)
_ID = re.compile(r"(^id$|_id$|^id_|uuid|guid|(^|_)key$|(^|_)code$|(^|_)no$|number$)", re.I)


@dataclass(frozen=True)
class Issue:
    """One problem found.

    Attributes:
        check: "duplicate_rows", "duplicate_keys", "missing_keys", "outliers", "negative",
            "too_large", "future_dates", "broken_foreign_key" or "missing_values".
        severity: "error" (the data cannot be right), "warning" (probably wrong) or "info".
        count: Rows affected (on all rows); ``share`` the same in percent of the rows.
        sql: A query that counts them; ``rows_sql`` one that lists them.
        examples: A few of the values.
    """

    check: str
    table: str
    column: str
    severity: str
    count: int
    share: float
    headline: str
    sql: str
    rows_sql: str = ""
    examples: tuple[Any, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class QualityReport:
    """What :func:`data_quality` found on one table (``issues`` most serious first)."""

    table: str
    rows: int
    screened: str
    issues: tuple[Issue, ...]
    checks: tuple[str, ...]
    seconds: float
    summaries: tuple[ColumnSummary, ...] = field(default=(), repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        from aiser_desktop.core.insights.common import plain

        data = asdict(self)
        data.pop("summaries")
        return dict(plain(data))


_ORDER = {"error": 0, "warning": 1, "info": 2}


def data_quality(
    con: DuckDBPyConnection,
    relation: str,
    *,
    info: TableInfo | None = None,
    others: list[TableInfo] | None = None,
    rows: int | None = None,
    today: Any = None,
) -> QualityReport:
    """Runs every check on ``relation``.

    Args:
        con: A DuckDB connection (or cursor) that reads ``relation`` and ``others``.
        relation: The table as written in SQL.
        info: Its catalog entry (for the primary key and foreign keys), when known.
        others: The workspace's other tables (for foreign keys declared or inferred).
        rows: Its row count when known.
        today: The date "the future" starts after (default: today); tests pin it.
    """
    start = time.perf_counter()
    with screened(con, relation, rows if rows is not None else _known(info)) as scope:
        columns = columns_of(con, scope.relation)
        summaries = summarize(con, scope, columns, count_top=False)
        issues: list[Issue] = []
        keys = key_checks(con, relation, scope, summaries, info)
        # a column proven unique makes every row unique: no need to hash every column
        unique = any(k.check == "unique_key" for k in keys)
        issues += [] if unique else duplicate_rows(con, relation, scope.rows, columns)
        issues += [k for k in keys if k.check != "unique_key"]
        issues += outliers(con, relation, scope.rows, summaries)
        issues += impossible_values(con, relation, scope.rows, summaries, today)
        issues += broken_foreign_keys(con, relation, scope.rows, columns, info, others or [])
        issues += missing_values(con, relation, scope.rows, summaries)
    issues.sort(key=lambda i: (_ORDER[i.severity], -i.share))
    return QualityReport(
        table=relation,
        rows=scope.rows,
        screened=scope.stated(),
        issues=tuple(issues),
        checks=(
            "duplicate rows",
            "duplicate and missing keys",
            "outliers (3 IQR)",
            "impossible values",
            "broken foreign keys",
            "missing values",
        ),
        seconds=round(time.perf_counter() - start, 4),
        summaries=summaries,
    )


def _known(info: TableInfo | None) -> int | None:
    return info.row_count if info is not None and info.row_count >= 0 else None


def _one(con: DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0] or 0) if row else 0


def _examples(con: DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    return tuple(r[0] for r in con.execute(f"{sql} LIMIT {EXAMPLES}").fetchall())


# ---------------------------------------------------------------------- the checks
def duplicate_rows(
    con: DuckDBPyConnection, relation: str, rows: int, columns: list[Column]
) -> list[Issue]:
    """Rows that repeat another row in every column."""
    if rows < 2 or not columns:
        return []
    every = ", ".join(quote(c.name) for c in columns)
    sql = f"SELECT count(*) - count(DISTINCT hash({every})) AS duplicate_rows FROM {relation}"
    count = _one(con, sql)
    if count <= 0:
        return []
    share = percent(count, rows)
    return [
        Issue(
            "duplicate_rows", relation, "", "warning", count, share,
            f"{count:,} rows of {relation} ({pct_text(share)}) repeat another row exactly.",
            sql,
            rows_sql=f"SELECT *, count(*) AS copies FROM {relation} GROUP BY ALL "
            "HAVING count(*) > 1 ORDER BY copies DESC",
            detail="Counted as rows minus distinct rows (every column compared).",
        )
    ]  # fmt: skip


def key_columns(
    con: DuckDBPyConnection,
    summaries: tuple[ColumnSummary, ...],
    scope: Scope,
    info: TableInfo | None,
) -> list[str]:
    """The columns expected to identify a row: the catalog's primary key (one column), else
    id-like names whose values are unique in at least :data:`KEY_SHARE` of the screened rows
    (counted exactly on the screen: HyperLogLog's few percent would blur the line)."""
    if info is not None and len(info.primary_key) == 1:
        return [info.primary_key[0]]
    read = scope.read
    candidates = [
        s.name
        for s in summaries
        if _ID.search(s.name)
        and s.kind in ("number", "text", "other")
        and read >= 20
        and s.distinct >= 0.8 * (read - s.nulls) > 0
    ]
    if not candidates:
        return []
    parts = ", ".join(
        f"count(DISTINCT {quote(c)}) >= {KEY_SHARE} * count({quote(c)})" for c in candidates
    )
    unique = con.execute(f"SELECT {parts} FROM {scope.relation}").fetchone() or ()
    return [c for c, ok in zip(candidates, unique, strict=True) if ok]


def key_checks(
    con: DuckDBPyConnection,
    relation: str,
    scope: Scope,
    summaries: tuple[ColumnSummary, ...],
    info: TableInfo | None,
) -> list[Issue]:
    """Duplicate values and missing values in the columns that should identify a row; a
    key without either comes back as a "unique_key" record (not a problem: it proves there
    are no duplicate rows)."""
    issues = []
    for key in key_columns(con, summaries, scope, info):
        col = quote(key)
        sql = (
            f"SELECT count({col}) - count(DISTINCT {col}) AS duplicate_keys, "
            f"count(*) - count({col}) AS missing_keys FROM {relation}"
        )
        row = con.execute(sql).fetchone() or (0, 0)
        dupes, missing = int(row[0]), int(row[1])
        declared = info is not None and key in info.primary_key
        why = "its primary key" if declared else "an id-like column that is otherwise unique"
        if dupes > 0:
            share = percent(dupes, scope.rows)
            list_sql = (
                f"SELECT {col}, count(*) AS rows FROM {relation} WHERE {col} IS NOT NULL "
                f"GROUP BY {col} HAVING count(*) > 1 ORDER BY rows DESC"
            )
            issues.append(
                Issue(
                    "duplicate_keys", relation, key, "error", dupes, share,
                    f"{dupes:,} rows of {relation} repeat a {key} already used ({key} is {why}).",
                    sql, rows_sql=list_sql, examples=_examples(con, list_sql),
                )
            )  # fmt: skip
        if not dupes and not missing:
            issues.append(Issue("unique_key", relation, key, "info", 0, 0.0, "", sql))
        if missing > 0:
            share = percent(missing, scope.rows)
            issues.append(
                Issue(
                    "missing_keys", relation, key, "error" if declared else "warning",
                    missing, share,
                    f"{missing:,} rows of {relation} ({pct_text(share)}) have no {key} "
                    f"({key} is {why}).",
                    sql, rows_sql=f"SELECT * FROM {relation} WHERE {col} IS NULL",
                )
            )  # fmt: skip
    return issues


def _fences(s: ColumnSummary) -> tuple[float, float] | None:
    if s.kind != "number" or len(s.quantiles) < 4 or s.distinct < 10 or _ID.search(s.name):
        return None
    q1, q3 = float(s.quantiles[1]), float(s.quantiles[3])
    iqr = q3 - q1
    if iqr <= 0:
        return None
    return q1 - IQR_FENCE * iqr, q3 + IQR_FENCE * iqr


def outliers(
    con: DuckDBPyConnection, relation: str, rows: int, summaries: tuple[ColumnSummary, ...]
) -> list[Issue]:
    """Values beyond the far-out fences (Q1 - 3 IQR, Q3 + 3 IQR) of each number column."""
    fenced = {s.name: f for s in summaries if (f := _fences(s)) is not None}
    if not fenced:
        return []
    parts = [
        f"count(*) FILTER ({quote(n)} < {lo!r} OR {quote(n)} > {hi!r})"
        for n, (lo, hi) in fenced.items()
    ]
    counts = con.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchone() or ()
    issues = []
    for (name, (lo, hi)), count in zip(fenced.items(), counts, strict=True):
        if not count:
            continue
        col = quote(name)
        where = f"{col} < {lo!r} OR {col} > {hi!r}"
        sql = f"SELECT count(*) AS outliers FROM {relation} WHERE {where}"
        share = percent(int(count), rows)
        list_sql = f"SELECT * FROM {relation} WHERE {where} ORDER BY abs({col}) DESC"
        issues.append(
            Issue(
                "outliers", relation, name, "info", int(count), share,
                f"{int(count):,} values of {relation}.{name} ({pct_text(share)}) lie far "
                f"outside the usual range ({_num(lo)} to {_num(hi)}).",
                sql, rows_sql=list_sql,
                examples=_examples(con, f"SELECT {col} FROM {relation} WHERE {where} "
                                        f"ORDER BY abs({col}) DESC"),
                detail="Beyond 3 interquartile ranges from the middle half (Tukey's far out).",
            )
        )  # fmt: skip
    return issues


def impossible_values(
    con: DuckDBPyConnection,
    relation: str,
    rows: int,
    summaries: tuple[ColumnSummary, ...],
    today: Any = None,
) -> list[Issue]:
    """Negative counts and sizes, ages over 130, percentages over 100, future dates.

    Which columns to check comes from their names and types; the counts come from one query
    on all rows (a sample could miss the one negative age in ten million).
    """
    import datetime as dt

    day = today or dt.date.today()
    limit = day + dt.timedelta(days=1)
    checks: list[tuple[str, str, str, str]] = []  # (check, column, condition, words)
    for s in summaries:
        col = quote(s.name)
        if s.kind == "number":
            if _NON_NEGATIVE.search(s.name):
                checks.append(("negative", s.name, f"{col} < 0", "are negative"))
            if _AGE.search(s.name):
                checks.append(("too_large", s.name, f"{col} > 130", "are ages over 130"))
            if _PERCENT.search(s.name):
                checks.append(("too_large", s.name, f"{col} > 100", "are over 100 percent"))
        elif s.kind in ("date", "timestamp") and not _FUTURE_OK.search(s.name):
            checks.append(
                ("future_dates", s.name,
                 f"CAST({col} AS DATE) > DATE {literal(limit.isoformat())}",
                 f"are after {day.isoformat()} (in the future)")
            )  # fmt: skip
    if not checks:
        return []
    parts = ", ".join(f"count(*) FILTER ({condition})" for _, _, condition, _ in checks)
    counts = con.execute(f"SELECT {parts} FROM {relation}").fetchone() or ()
    issues = []
    for (check, name, condition, words), count in zip(checks, counts, strict=True):
        if not count:
            continue
        count = int(count)
        sql = f"SELECT count(*) AS rows FROM {relation} WHERE {condition}"
        share = percent(count, rows)
        issues.append(
            Issue(
                check, relation, name, "error", count, share,
                f"{count:,} values of {relation}.{name} ({pct_text(share)}) {words}.",
                sql, rows_sql=f"SELECT * FROM {relation} WHERE {condition}",
                examples=_examples(con, f"SELECT {quote(name)} FROM {relation} "
                                        f"WHERE {condition}"),
            )
        )  # fmt: skip
    return issues


def broken_foreign_keys(
    con: DuckDBPyConnection,
    relation: str,
    rows: int,
    columns: list[Column],
    info: TableInfo | None,
    others: list[TableInfo],
) -> list[Issue]:
    """Values of a foreign key that the referenced table does not have."""
    links: list[tuple[str, str, str, bool]] = []  # (column, parent, parent column, declared)
    if info is not None:
        for fk in info.foreign_keys:
            if len(fk.columns) == 1:
                links.append((fk.columns[0], fk.references, fk.references_columns[0], True))
    declared = {c for c, *_ in links}
    names = {c.name.lower(): c.name for c in columns}
    for other in others:
        if other.sql_name == relation or len(other.primary_key) > 1:
            continue
        if not 0 <= other.row_count <= MAX_PARENT_ROWS:
            continue
        candidates = (
            list(other.primary_key)
            or [c.name for c in other.columns if c.name.lower() in names and _ID.search(c.name)]
            or [c.name for c in other.columns if c.name.lower() in names][:1]
        )
        for parent_col in candidates:
            mine = names.get(parent_col.lower())
            if mine is None or mine in declared or not _unique(con, other.sql_name, parent_col):
                continue
            links.append((mine, other.sql_name, parent_col, False))
    issues = []
    for column, parent, parent_col, is_declared in links:
        col, pcol = quote(column), quote(parent_col)
        where = (
            f"c.{col} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {parent} p WHERE p.{pcol} = c.{col})"
        )
        sql = f"SELECT count(*) AS orphans FROM {relation} c WHERE {where}"
        count = _one(con, sql)
        if not count:
            continue
        share = percent(count, rows)
        kind = "a foreign key" if is_declared else "inferred from the names"
        list_sql = (
            f"SELECT c.{col}, count(*) AS rows FROM {relation} c WHERE {where} "
            f"GROUP BY ALL ORDER BY rows DESC"
        )
        issues.append(
            Issue(
                "broken_foreign_key", relation, column, "error" if is_declared else "warning",
                count, share,
                f"{count:,} rows of {relation} ({pct_text(share)}) have a {column} that "
                f"{parent} does not have.",
                sql, rows_sql=list_sql, examples=_examples(con, list_sql),
                detail=f"{relation}.{column} -> {parent}.{parent_col} ({kind}).",
            )
        )  # fmt: skip
    return issues


def _unique(con: DuckDBPyConnection, table: str, column: str) -> bool:
    col = quote(column)
    row = con.execute(
        f"SELECT count({col}) = count(DISTINCT {col}) AND count({col}) > 0 FROM {table}"
    ).fetchone()
    return bool(row and row[0])


def missing_values(
    con: DuckDBPyConnection, relation: str, rows: int, summaries: tuple[ColumnSummary, ...]
) -> list[Issue]:
    """Columns with missing values (for the record: many tables have some by design),
    counted on all rows in one scan (``count(column)`` reads no values, only validity)."""
    holed = [s for s in summaries if s.nulls]
    if not holed:
        return []
    parts = ", ".join(f"count(*) - count({quote(s.name)})" for s in holed)
    counts = con.execute(f"SELECT {parts} FROM {relation}").fetchone() or ()
    issues = []
    for s, count in zip(holed, counts, strict=True):
        if not count:
            continue
        col = quote(s.name)
        share = percent(int(count), rows)
        issues.append(
            Issue(
                "missing_values", relation, s.name, "info", int(count), share,
                f"{pct_text(share)} of {relation}.{s.name} is missing ({int(count):,} rows).",
                f"SELECT count(*) - count({col}) AS missing FROM {relation}",
                rows_sql=f"SELECT * FROM {relation} WHERE {col} IS NULL",
            )
        )  # fmt: skip
    return issues


def _num(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.3g}"
