"""The auto-model: a first set of cube files made from the cached catalog, for a person to edit.

One cube per table; a ``count`` measure; ``total_`` and ``avg_`` measures for numeric columns
that are amounts rather than ids, codes or parts of a date; a dimension per column (time for
dates and timestamps); joins from declared foreign keys and from names: ``orders.user_id`` ->
``users.id``, and ``flights.carrier`` -> ``airlines.carrier`` when ``carrier`` is unique in
``airlines`` (checked on the data when an engine is given, so ``weather.origin`` is not taken
for a key).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.sources.catalog import ColumnInfo, TableInfo, needs_quotes

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine
    from aiser_desktop.core.sources.catalog import SourceInfo

_NUMERIC = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|"
    r"UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*|NUMERIC.*)$",
    re.I,
)
_TIME = re.compile(r"^(DATE|TIMESTAMP.*|DATETIME)$", re.I)
_DATE_PARTS = frozenset(
    {"year", "month", "day", "hour", "minute", "second", "week", "quarter", "dow", "doy", "weekday"}
)
_GENERIC = _DATE_PARTS | {
    "id",
    "name",
    "date",
    "time",
    "type",
    "status",
    "title",
    "description",
    "created_at",
    "updated_at",
    "code",
    "value",
}


def cube_name(table: TableInfo) -> str:
    raw = table.table or table.sql_name
    name = re.sub(r"[^A-Za-z0-9_]+", "_", raw.replace('"', "")).strip("_").lower()
    return name if name and not name[0].isdigit() else f"t_{name}"


def _member_name(column: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", column).strip("_").lower()
    return name if name and not name[0].isdigit() else f"c_{name}"


def _column_sql(column: str) -> str:
    quoted = '"' + column.replace('"', '""') + '"'
    return f"{{CUBE}}.{quoted}" if needs_quotes(column) else f"{{CUBE}}.{column}"


def _dimension_type(col: ColumnInfo) -> str:
    if _TIME.match(col.type):
        return "time"
    if col.type.upper() == "BOOLEAN":
        return "boolean"
    if _NUMERIC.match(col.type):
        return "number"
    return "string"


def _is_amount(col: ColumnInfo, table: str) -> bool:
    """Numbers worth adding up: not ids, codes, parts of a date, or the table's own number
    (``flights.flight``)."""
    lower = col.name.lower()
    if lower in (table, table.rstrip("s")):
        return False
    if not _NUMERIC.match(col.type) or col.semantic in ("id", "geo", "date"):
        return False
    if lower in _DATE_PARTS or lower == "id" or lower.endswith(("_id", "_key", "_code", "_no")):
        return False
    return not lower.endswith(("year", "zip", "phone"))


class _Uniques:
    """Whether a column's values are unique in its table: asked once per column."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine
        self.cache: dict[tuple[str, str], bool] = {}

    def __call__(self, table: TableInfo, column: str) -> bool:
        if tuple(table.primary_key) == (column,):
            return True
        if self.engine is None:
            # Without the data, a key is guessed: the table's first column, not a category
            # (weather.origin repeats; airlines.carrier does not).
            first = table.columns[0] if table.columns else None
            return (
                first is not None
                and first.name == column
                and first.semantic not in ("category", "date", "geo", "currency")
            )
        key = (table.sql_name, column)
        if key not in self.cache:
            quoted = '"' + column.replace('"', '""') + '"'
            with self.engine.cursor() as cur:
                row = cur.execute(
                    f"SELECT count(*) > 0 AND count(*) = count(DISTINCT {quoted}) "
                    f"FROM {table.sql_name}"
                ).fetchone()
            self.cache[key] = bool(row and row[0])
        return self.cache[key]


def _joins(tables: list[TableInfo], unique: _Uniques) -> dict[str, list[dict[str, Any]]]:
    """Many-to-one joins of each table (by cube name), from keys and from names."""
    by_sql = {t.sql_name: t for t in tables}
    names = {t.sql_name: cube_name(t) for t in tables}
    out: dict[str, list[dict[str, Any]]] = {names[t.sql_name]: [] for t in tables}

    def add(source: TableInfo, column: str, target: TableInfo, target_column: str) -> None:
        joins = out[names[source.sql_name]]
        if any(j["name"] == names[target.sql_name] for j in joins):
            return
        left = _column_sql(column)
        right = _column_sql(target_column).replace("{CUBE}", "{" + names[target.sql_name] + "}")
        joins.append(
            {
                "name": names[target.sql_name],
                "sql": f"{left} = {right}",
                "relationship": "many_to_one",
            }
        )

    for t in tables:
        for fk in t.foreign_keys:
            target = by_sql.get(fk.references)
            if target is not None and len(fk.columns) == 1:
                add(t, fk.columns[0], target, fk.references_columns[0])
    for t in tables:
        own = {c.name for c in t.columns}
        for target in tables:
            if target is t:
                continue
            target_cols = {c.name for c in target.columns}
            tname = cube_name(target)
            for column in sorted(own):
                lower = column.lower()
                if lower in (f"{tname}_id", f"{tname.rstrip('s')}_id") and "id" in target_cols:
                    if unique(target, "id"):
                        add(t, column, target, "id")
                elif (
                    lower not in _GENERIC
                    and column in target_cols
                    and (min(target.row_count, t.row_count) < 0 or target.row_count < t.row_count)
                    and unique(target, column)
                    and not unique(t, column)
                ):
                    add(t, column, target, column)
    return out


def cube_document(
    table: TableInfo, joins: list[dict[str, Any]], unique: _Uniques
) -> dict[str, Any]:
    """One table's cube as plain data, in Cube's YAML layout."""
    name = cube_name(table)
    dims: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = [{"name": "count", "type": "count"}]
    keys = list(table.primary_key)
    if not keys:
        for candidate in ("id", f"{name}_id"):
            if any(c.name == candidate for c in table.columns) and unique(table, candidate):
                keys = [candidate]
                break
    if not keys:
        joined_on = [c.name for c in table.columns if c.name.lower() not in _GENERIC]
        first = table.columns[0].name if table.columns else ""
        if first in joined_on and unique.engine is not None and unique(table, first):
            keys = [first]
    used: set[str] = {"count"}
    for col in table.columns:
        member = _member_name(col.name)
        if member in used:
            member = f"{member}_{len(used)}"
        used.add(member)
        dim: dict[str, Any] = {
            "name": member,
            "sql": _column_sql(col.name),
            "type": _dimension_type(col),
        }
        if keys == [col.name]:
            dim["primary_key"] = True
        dims.append(dim)
    for col in table.columns:
        if not _is_amount(col, name):
            continue
        member = _member_name(col.name)
        for prefix, kind in (("total", "sum"), ("avg", "avg")):
            mname = f"{prefix}_{member}"
            if mname in used:
                continue
            used.add(mname)
            words = col.name.replace("_", " ")
            measures.append(
                {
                    "name": mname,
                    "sql": _column_sql(col.name),
                    "type": kind,
                    "title": f"{'Total' if kind == 'sum' else 'Average'} {words}",
                }
            )
    cube: dict[str, Any] = {"name": name, "sql_table": table.sql_name}
    if joins:
        cube["joins"] = joins
    cube["measures"] = measures
    cube["dimensions"] = dims
    return cube


def generate(
    catalog: list[SourceInfo],
    folder: Path,
    *,
    engine: Engine | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Writes ``model/cubes/<table>.yml`` for each table of the catalog.

    Args:
        folder: The workspace (or its ``model`` folder).
        engine: Used to check that a name-matched join column is unique in its target.
        overwrite: Replace files that exist (by default a person's edits are kept).

    Returns:
        The files written.
    """
    import yaml

    base = folder if folder.name == "model" else folder / "model"
    cubes = base / "cubes"
    cubes.mkdir(parents=True, exist_ok=True)
    (base / "views").mkdir(exist_ok=True)
    tables = [t for s in catalog if not s.status for t in s.tables]
    unique = _Uniques(engine)
    joins = _joins(tables, unique)
    written: list[Path] = []
    for table in tables:
        doc = cube_document(table, joins[cube_name(table)], unique)
        path = cubes / f"{doc['name']}.yml"
        if path.exists() and not overwrite:
            continue
        text = yaml.safe_dump({"cubes": [doc]}, sort_keys=False, allow_unicode=True, width=100)
        path.write_text("# Made by `aiser model generate`; edit it freely.\n" + text, "utf-8")
        written.append(path)
    return written
