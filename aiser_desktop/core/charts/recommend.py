"""The chart a result asks for, from its schema and a sample of its rows.

The rules, best first (each case is a test in tests/unit/test_charts_recommend.py):

==============================================  ============================================
the result                                      best chart (alternatives after it)
==============================================  ============================================
no rows                                         none
one row with a number                           KPI of the first number
a time and numbers                              line of up to three numbers over time
                                                (area, bars when few times, latest-value KPI)
a time, a category of <= 12 values and a number line per category (stacked area, heatmap)
a time and nothing to measure                   line of the count of rows over time
two categories and a number                     heatmap (stacked bars, grouped bars)
a category and a number                         bars sorted largest first, summed when a
                                                category repeats (pie when <= 8 shares,
                                                box per category when rows repeat);
                                                a pie first when the number is a share
                                                (its name says percent/share/ratio) of <= 6
a category that repeats, nothing to measure     bars of the count per category (pie)
two or more numbers                             scatter, sized by a third (line when the
                                                first counts up, like a year)
one number                                      histogram (box)
==============================================  ============================================

A number column is a measure unless it is an identifier (``id``, ``*_id``, ``*_key``, all
values distinct) or a time in disguise (``year``, ``month``, ... as integers). Text and
booleans are categories.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.charts.sqlparts import is_number, is_time

_TIME_NAME = re.compile(r"(^|_)(year|yr|month|week|day|date|quarter|hour|minute|period)s?$", re.I)
_ID_NAME = re.compile(r"(^id$|_id$|^id_|_key$|^key$|_code$|^zip|phone)", re.I)
_SHARE_NAME = re.compile(r"(percent|pct|share|ratio|proportion|fraction|%)", re.I)
MANY_SERIES = 12
FEW_SLICES = 8
SHARE_SLICES = 6
FEW_BARS = 60


def recommend(schema: pa.Schema, sample: pa.Table, *, rows: int | None = None) -> list[ChartSpec]:
    """Charts for a result, best first; empty when a table says it better (no rows, or
    nothing to count or measure).

    Args:
        schema: The result's schema.
        sample: Some of its rows (the first few hundred is plenty); may be empty when only
            the schema is known.
        rows: The result's row count, when the sample is not all of it.
    """
    rows = sample.num_rows if rows is None else rows
    if rows == 0 or len(schema) == 0:
        return []
    times, measures, categories = _roles(schema, sample)
    out: list[ChartSpec] = []
    if rows == 1:
        if measures:
            return [ChartSpec("kpi", y=[measures[0]])]
        return []
    if times:
        out += _over_time(times[0], measures, categories, sample)
    elif len(categories) >= 2 and measures:
        a, b = categories[0], categories[1]
        m = measures[0]
        out.append(ChartSpec("heatmap", x=a, series=b, y=[m], aggregation="sum"))
        out.append(ChartSpec("bar", x=a, y=[m], series=b, aggregation="sum", stacked=True))
        out.append(ChartSpec("bar", x=a, y=[m], series=b, aggregation="sum"))
    elif categories and measures:
        out += _by_category(categories[0], measures, sample)
    elif categories and 0 < _distinct(sample, categories[0]) < sample.num_rows:
        c = categories[0]  # values that repeat: how often each comes
        out.append(ChartSpec("bar", x=c, aggregation="count", sort="desc"))
        if _distinct(sample, c) <= FEW_SLICES:
            out.append(ChartSpec("pie", x=c, aggregation="count"))
    elif len(measures) >= 2:
        out += _two_numbers(measures, sample)
    elif measures:
        out.append(ChartSpec("histogram", x=measures[0]))
        out.append(ChartSpec("box", x=measures[0]))
    return out


def _over_time(
    t: str, measures: list[str], categories: list[str], sample: pa.Table
) -> list[ChartSpec]:
    if not measures:
        return [
            ChartSpec("line", x=t, aggregation="count"),
            ChartSpec("bar", x=t, aggregation="count"),
        ]
    m = measures[0]
    repeats = _distinct(sample, t) < sample.num_rows
    if categories and _distinct(sample, categories[0]) <= MANY_SERIES:
        c = categories[0]
        agg = "sum" if _repeats(sample, [t, c]) else "none"
        return [
            ChartSpec("line", x=t, y=[m], series=c, aggregation=agg),
            ChartSpec("area", x=t, y=[m], series=c, aggregation=agg, stacked=True),
            ChartSpec("heatmap", x=t, series=c, y=[m], aggregation="sum"),
        ]
    agg = "sum" if repeats else "none"
    out = [ChartSpec("line", x=t, y=measures[:3], aggregation=agg)]
    out.append(ChartSpec("area", x=t, y=[m], aggregation=agg))
    if _distinct(sample, t) <= FEW_BARS:
        out.append(ChartSpec("bar", x=t, y=[m], aggregation=agg))
    out.append(ChartSpec("kpi", x=t, y=[m], aggregation=agg))
    return out


def _by_category(c: str, measures: list[str], sample: pa.Table) -> list[ChartSpec]:
    m = measures[0]
    repeats = _distinct(sample, c) < sample.num_rows
    agg = "sum" if repeats else "none"
    few = _distinct(sample, c)
    positive = _all_positive(sample, m)
    bar = ChartSpec("bar", x=c, y=[m], aggregation=agg, sort="desc")
    if _long_labels(sample, c):
        bar.horizontal = True
    pie = ChartSpec("pie", x=c, y=[m], aggregation=agg)
    out: list[ChartSpec] = []
    if positive and few <= SHARE_SLICES and _SHARE_NAME.search(m):
        out += [pie, bar]
    else:
        out.append(bar)
        if positive and few <= FEW_SLICES:
            out.append(pie)
    if len(measures) > 1:
        out.append(ChartSpec("bar", x=c, y=measures[:3], aggregation=agg))
    if repeats:
        out.append(ChartSpec("box", x=c, y=[m]))
    return out


def _two_numbers(measures: list[str], sample: pa.Table) -> list[ChartSpec]:
    a, b = measures[0], measures[1]
    scatter = ChartSpec("scatter", x=a, y=[b])
    if len(measures) >= 3:
        scatter.size = measures[2]
    line = ChartSpec("line", x=a, y=[b])
    if _counts_up(sample, a):
        return [line, scatter, ChartSpec("histogram", x=b)]
    return [scatter, ChartSpec("histogram", x=a), ChartSpec("histogram", x=b)]


# ---------------------------------------------------------------------- column roles
def _roles(schema: pa.Schema, sample: pa.Table) -> tuple[list[str], list[str], list[str]]:
    """(times, measures, categories), each in the result's column order."""
    times, measures, categories = [], [], []
    for field in schema:
        name, kind = field.name, field.type
        if is_time(kind) or (pa.types.is_integer(kind) and _TIME_NAME.search(name)):
            times.append(name)
        elif is_number(kind):
            if _is_identifier(sample, name):
                continue
            measures.append(name)
        elif (
            pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_dictionary(kind)
            or getattr(pa.types, "is_string_view", lambda _k: False)(kind)
        ):
            if _TIME_NAME.search(name) and _looks_like_dates(sample, name):
                times.append(name)
            else:
                categories.append(name)
    return times, measures, categories


def _column(sample: pa.Table, name: str) -> pa.ChunkedArray | None:
    return sample.column(name) if name in sample.schema.names else None


def _distinct(sample: pa.Table, name: str) -> int:
    column = _column(sample, name)
    return len(pc.unique(column)) if column is not None else 0


def _repeats(sample: pa.Table, names: list[str]) -> bool:
    present = [n for n in names if n in sample.schema.names]
    if not present:
        return False
    return bool(sample.group_by(present).aggregate([]).num_rows < sample.num_rows)


def _is_identifier(sample: pa.Table, name: str) -> bool:
    column = _column(sample, name)
    if column is None or not _ID_NAME.search(name):
        return False
    return bool(pa.types.is_integer(column.type) or _distinct(sample, name) == sample.num_rows)


def _all_positive(sample: pa.Table, name: str) -> bool:
    column = _column(sample, name)
    if column is None or not is_number(column.type):
        return False
    lowest = pc.min(column).as_py()
    return lowest is not None and lowest >= 0


def _long_labels(sample: pa.Table, name: str) -> bool:
    column = _column(sample, name)
    if column is None or not (
        pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    ):
        return False
    mean = pc.mean(pc.utf8_length(column)).as_py()
    return bool(mean is not None and mean > 14)


def _counts_up(sample: pa.Table, name: str) -> bool:
    """True when the column rises row after row (an index, a year): a line, not a cloud."""
    if _TIME_NAME.search(name):
        return True
    column = _column(sample, name)
    if column is None or sample.num_rows < 3:
        return False
    values = column.drop_null()
    if len(values) < 3:
        return False
    steps = pc.subtract(values[1:], values[:-1])
    return bool(pc.min(steps).as_py() > 0)


def _looks_like_dates(sample: pa.Table, name: str) -> bool:
    column = _column(sample, name)
    if column is None:
        return False
    head = column.drop_null().slice(0, 20).to_pylist()
    return bool(head) and all(re.match(r"^\d{4}-\d{2}(-\d{2})?", str(v)) for v in head)


# ---------------------------------------------------------------------- for the agent
def chart_hint(spec: ChartSpec) -> dict[str, Any]:
    """The compact form an answer carries: the spec's dict, a single measure as a string
    (``ChartSpec.from_dict`` reads both)."""
    data = spec.to_dict()
    if len(spec.y) == 1:
        data["y"] = spec.y[0]
    return data


def schema_from_names(columns: Sequence[str], types: Sequence[str]) -> pa.Schema:
    """A schema from column names and Arrow types as printed ("int64", "timestamp[us]"),
    near enough to choose a chart when only the printed types are at hand."""
    fields = []
    for name, text in zip(columns, types, strict=True):
        fields.append(pa.field(name, _printed_type(text.lower())))
    return pa.schema(fields)


def _printed_type(text: str) -> pa.DataType:
    if text.startswith(("int", "uint")):
        return pa.int64()
    if text.startswith(("float", "double", "halffloat", "decimal")):
        return pa.float64()
    if text.startswith("date"):
        return pa.date32()
    if text.startswith("timestamp"):
        return pa.timestamp("us")
    if text in ("string", "large_string", "string_view", "utf8") or text.startswith("dictionary"):
        return pa.string()
    if text == "bool":
        return pa.bool_()
    return pa.binary()  # lists, structs, times, blobs: neither measured nor grouped by
