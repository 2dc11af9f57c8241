"""A semantic query in the JSON shape of Cube's REST ``/load`` query, checked and normalised.

    {"measures": ["orders.count"], "dimensions": ["orders.status"],
     "timeDimensions": [{"dimension": "orders.created_at", "granularity": "month",
                         "dateRange": "last 6 months"}],
     "filters": [{"member": "orders.status", "operator": "equals", "values": ["paid"]}],
     "segments": ["orders.big"], "order": {"orders.count": "desc"}, "limit": 100}

Relative date ranges ("today", "last 7 days", "this year", "from 3 months ago to now") are
turned into dates here, against a given ``now`` so tests are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.semantic.model import GRANULARITIES, Dimension, Measure, SemanticModel

DEFAULT_LIMIT = 10_000  # Cube's default row limit for /load

FILTER_OPERATORS = frozenset(
    {
        "equals",
        "notEquals",
        "contains",
        "notContains",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
        "gt",
        "gte",
        "lt",
        "lte",
        "set",
        "notSet",
        "inDateRange",
        "notInDateRange",
        "beforeDate",
        "beforeOrOnDate",
        "afterDate",
        "afterOrOnDate",
    }
)
_NO_VALUES = frozenset({"set", "notSet"})


class SemanticQueryError(AiserError):
    """A semantic query names something the model lacks, or is malformed."""


@dataclass
class Leaf:
    """One filter: ``member`` (as asked), the cube member it resolves to, operator, values."""

    name: str
    member: Measure | Dimension
    operator: str
    values: list[Any]


@dataclass
class Group:
    """An ``and`` / ``or`` group of filters."""

    op: str
    items: list[Leaf | Group]


@dataclass
class TimeDim:
    name: str
    member: Dimension
    granularity: str | None
    # [start, end) as timestamps; None when the query gives no range.
    range: tuple[datetime, datetime] | None

    @property
    def column(self) -> str:
        return f"{self.name}.{self.granularity}" if self.granularity else self.name


@dataclass
class Query:
    measures: list[tuple[str, Measure]] = field(default_factory=list)
    dimensions: list[tuple[str, Dimension]] = field(default_factory=list)
    time_dimensions: list[TimeDim] = field(default_factory=list)
    filters: list[Leaf | Group] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)  # cube member full names
    order: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    limit: int | None = DEFAULT_LIMIT
    offset: int = 0

    def dimension_columns(self) -> list[str]:
        cols = [name for name, _ in self.dimensions]
        return cols + [td.column for td in self.time_dimensions if td.granularity]


def parse_query(model: SemanticModel, raw: dict[str, Any], now: datetime | None = None) -> Query:
    """Checks ``raw`` against the model and normalises it.

    Raises:
        SemanticQueryError: an unknown member, operator or granularity, or a bad date range.
    """
    if not isinstance(raw, dict):
        raise SemanticQueryError(
            "A semantic query is a JSON object.", hint='Example: {"measures": ["orders.count"]}'
        )
    known = {
        "measures",
        "dimensions",
        "timeDimensions",
        "filters",
        "segments",
        "order",
        "limit",
        "offset",
        "timezone",
        "ungrouped",
        "renewQuery",
        "total",
    }
    for key in raw:
        if key not in known:
            raise SemanticQueryError(
                f"Unknown query key {key!r}.", hint="Use: " + ", ".join(sorted(known)) + "."
            )
    if raw.get("ungrouped"):
        raise SemanticQueryError(
            "Ungrouped queries are not supported here.",
            hint="Leave out 'ungrouped', or write the SQL for row-level data.",
        )
    now = now or datetime.now()
    q = Query()
    for name in _names(raw, "measures"):
        member = _member(model, name, "measure")
        if not isinstance(member, Measure):
            raise SemanticQueryError(
                f"{name} is a {member.kind}, not a measure.", hint="Put it under dimensions."
            )
        q.measures.append((name, member))
    for name in _names(raw, "dimensions"):
        member = _member(model, name, "dimension")
        if not isinstance(member, Dimension):
            raise SemanticQueryError(
                f"{name} is a {member.kind}, not a dimension.", hint="Put it under measures."
            )
        q.dimensions.append((name, member))
    for td in raw.get("timeDimensions") or []:
        q.time_dimensions.append(_time_dimension(model, td, now))
    q.filters = [_filter(model, f, now) for f in raw.get("filters") or []]
    for name in _names(raw, "segments"):
        member = _member(model, name, "segment")
        if member.kind != "segment":
            raise SemanticQueryError(f"{name} is not a segment.")
        q.segments.append(member.full_name)
    q.order = _order(raw.get("order"))
    columns = {n for n, _ in q.measures} | set(q.dimension_columns())
    for col, _ in q.order:
        if col not in columns:
            raise SemanticQueryError(
                f"The query orders by {col}, which it does not select.",
                hint="Add it to measures or dimensions.",
            )
    if not q.order:
        q.order = _default_order(q)
    limit = raw.get("limit", DEFAULT_LIMIT)
    q.limit = None if limit is None else _count(limit, "limit")
    q.offset = _count(raw.get("offset", 0), "offset")
    if not q.measures and not q.dimensions and not any(t.granularity for t in q.time_dimensions):
        raise SemanticQueryError(
            "The query asks for nothing.", hint="Give at least one measure or dimension."
        )
    return q


def _names(raw: dict[str, Any], key: str) -> list[str]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SemanticQueryError(f"{key} must be a list of member names such as 'orders.count'.")
    return value


def _member(model: SemanticModel, name: str, what: str) -> Any:
    member = model.resolve(name)
    if member is None:
        import difflib

        names = [m.full_name for m in model.members()]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f"Did you mean {', '.join(close[:3])}?" if close else "See `aiser model validate`."
        raise SemanticQueryError(f"There is no {what} {name!r} in the model.", hint=hint)
    return member


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SemanticQueryError(f"{what} must be a whole number >= 0, not {value!r}.")
    return value


def _time_dimension(model: SemanticModel, td: Any, now: datetime) -> TimeDim:
    if not isinstance(td, dict) or "dimension" not in td:
        raise SemanticQueryError("Each timeDimensions entry needs a 'dimension'.")
    name = td["dimension"]
    member = _member(model, name, "time dimension")
    if not isinstance(member, Dimension) or member.type != "time":
        raise SemanticQueryError(f"{name} is not a time dimension.")
    granularity = td.get("granularity")
    if granularity is not None and granularity not in GRANULARITIES:
        raise SemanticQueryError(
            f"Granularity {granularity!r} is not known.",
            hint="Use one of: " + ", ".join(GRANULARITIES) + ".",
        )
    rng = td.get("dateRange")
    return TimeDim(name, member, granularity, date_range(rng, now) if rng else None)


def _filter(model: SemanticModel, raw: Any, now: datetime) -> Leaf | Group:
    if isinstance(raw, dict) and ("and" in raw or "or" in raw):
        op = "and" if "and" in raw else "or"
        items = raw[op]
        if not isinstance(items, list) or not items:
            raise SemanticQueryError(f"An {op!r} filter group needs a list of filters.")
        return Group(op, [_filter(model, f, now) for f in items])
    if not isinstance(raw, dict) or "operator" not in raw:
        raise SemanticQueryError(
            "Each filter needs 'member', 'operator' and 'values'.",
            hint='Example: {"member": "orders.status", "operator": "equals", "values": ["paid"]}',
        )
    name = raw.get("member") or raw.get("dimension")
    if not isinstance(name, str):
        raise SemanticQueryError("A filter has no 'member'.")
    member = _member(model, name, "member")
    if not isinstance(member, (Measure, Dimension)):
        raise SemanticQueryError(f"{name} is a segment: put it under segments, not filters.")
    op = raw["operator"]
    if op not in FILTER_OPERATORS:
        raise SemanticQueryError(
            f"Unknown filter operator {op!r} on {name}.",
            hint="Use one of: " + ", ".join(sorted(FILTER_OPERATORS)) + ".",
        )
    values = raw.get("values") or []
    if not isinstance(values, list):
        raise SemanticQueryError(f"The values of the filter on {name} must be a list.")
    if op not in _NO_VALUES and not values:
        raise SemanticQueryError(f"The {op} filter on {name} has no values.")
    if op in ("inDateRange", "notInDateRange"):
        rng = date_range(values[0] if len(values) == 1 else values, now)
        values = [rng[0], rng[1]]
    elif op in ("beforeDate", "afterDate", "beforeOrOnDate", "afterOrOnDate"):
        values = list(date_range(values[0], now))
    return Leaf(name, member, op, values)


def _order(raw: Any) -> list[tuple[str, bool]]:
    if raw is None:
        return []
    pairs = list(raw.items()) if isinstance(raw, dict) else raw
    out = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or pair[1] not in ("asc", "desc"):
            raise SemanticQueryError(
                f"Cannot read the order entry {pair!r}.", hint='Write {"orders.count": "desc"}.'
            )
        out.append((str(pair[0]), pair[1] == "desc"))
    return out


def _default_order(q: Query) -> list[tuple[str, bool]]:
    """Cube's: the first time dimension ascending, else the first measure descending, else the
    first dimension ascending."""
    for td in q.time_dimensions:
        if td.granularity:
            return [(td.column, False)]
    if q.measures:
        return [(q.measures[0][0], True)]
    if q.dimensions:
        return [(q.dimensions[0][0], False)]
    return []


# ---------------------------------------------------------------------- date ranges
_UNITS = ("day", "week", "month", "quarter", "year")
_RELATIVE = re.compile(r"^(last|next|this)\s+(?:(\d+)\s+)?(day|week|month|quarter|year)s?$")
_AGO = re.compile(r"^(\d+)\s+(day|week|month|quarter|year)s?\s+ago$")


def date_range(value: Any, now: datetime) -> tuple[datetime, datetime]:
    """A dateRange as [start, end): a pair of dates or timestamps, or a relative phrase.

    A date-only end is inclusive of its whole day, as in Cube.

    Raises:
        SemanticQueryError: the range cannot be read.
    """
    if isinstance(value, list):
        if len(value) != 2:
            raise SemanticQueryError(f"A date range has two ends, not {value!r}.")
        start, _ = _point(value[0], now)
        _, end = _point(value[1], now)
        return start, end
    if not isinstance(value, str):
        raise SemanticQueryError(f"Cannot read the date range {value!r}.")
    text = " ".join(value.lower().split())
    m = re.match(r"^from (.+) to (.+)$", text)
    if m:
        return _point(m.group(1), now)[0], _point(m.group(2), now)[1]
    m = _RELATIVE.match(text)
    if m:
        which, count, unit = m.group(1), int(m.group(2) or 1), m.group(3)
        this = _period_start(now, unit)
        if which == "this":
            return this, _shift(this, unit, 1)
        if which == "last":
            return _shift(this, unit, -count), this
        nxt = _shift(this, unit, 1)
        return nxt, _shift(nxt, unit, count)
    return _point(text, now)


def _point(text: Any, now: datetime) -> tuple[datetime, datetime]:
    """A point in time as the [start, end) of what it names ("2024-03-01" is a whole day)."""
    if not isinstance(text, str):
        raise SemanticQueryError(f"Cannot read the date {text!r}.")
    t = " ".join(text.strip().lower().split())
    today = datetime(now.year, now.month, now.day)
    if t in ("today", "yesterday", "tomorrow"):
        day = today + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[t])
        return day, day + timedelta(days=1)
    if t == "now":
        return now, now
    m = _AGO.match(t)
    if m:
        day = _shift(today, m.group(2), -int(m.group(1)))
        return day, day + timedelta(days=1)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", t):
        try:
            d = date.fromisoformat(t)
        except ValueError:
            raise SemanticQueryError(f"{text!r} is not a real date.") from None
        day = datetime(d.year, d.month, d.day)
        return day, day + timedelta(days=1)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", ""))
    except ValueError:
        raise SemanticQueryError(
            f"Cannot read the date {text!r}.",
            hint="Use YYYY-MM-DD, an ISO timestamp, or words such as 'last 7 days' or 'this year'.",
        ) from None
    return moment, moment + timedelta(milliseconds=1)


def _period_start(now: datetime, unit: str) -> datetime:
    day = datetime(now.year, now.month, now.day)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    return day.replace(day=1, month=1)


def _shift(moment: datetime, unit: str, n: int) -> datetime:
    if unit == "day":
        return moment + timedelta(days=n)
    if unit == "week":
        return moment + timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    last = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
