"""Where a table keeps its dates, and the question's periods and grain put on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiser_desktop.core.agent.rules.context import Context, Refuse, short
from aiser_desktop.core.agent.rules.periods import Period, combine, materialize, spread_years
from aiser_desktop.core.agent.rules.plan import Dimension, Plan, Step, TimeAxis
from aiser_desktop.core.agent.rules.vocabulary import stem
from aiser_desktop.core.agent.schema_index import ColumnEntry, SchemaIndex, TableEntry


def as_date(value: Any) -> date | None:
    """A date from a date or a timestamp (None otherwise)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def find_axis(index: SchemaIndex, table: TableEntry, words: set[str]) -> TimeAxis | None:
    """Where ``table`` keeps its dates: integer year/month(/day) columns if it has them
    (the data's own calendar), else the date column the question names, else its first
    date column."""

    def part(names: tuple[str, ...], low: int, high: int) -> ColumnEntry | None:
        for col in table.columns:
            if col.kind != "integer" or col.name.lower() not in names:
                continue
            if col.low is None or (low <= int(col.low) and int(col.high) <= high):
                return col
        return None

    year = part(("year", "yr", "yyyy"), 1000, 3000)
    month = part(("month", "mo", "mon", "mm"), 1, 12)
    day = part(("day", "dd", "dom"), 1, 31)
    hour = part(("hour", "hr", "hh"), 0, 23)
    temporal = [
        c for c in table.columns if c.temporal or (c.kind == "text" and c.semantic == "date")
    ]
    generic = {stem(w) for w in ("date", "time", "day", "timestamp", "at", "on", "datetime")}
    named = [c for c in temporal if {stem(w) for w in c.words} & (words - generic)]
    chosen = None
    if temporal:
        chosen = (
            named
            or sorted(
                temporal, key=lambda c: (c.kind != "date", "date" not in c.words, c.nulls > 0)
            )
        )[0]
    first = as_date(chosen.low) if chosen else None
    last = as_date(chosen.high) if chosen else None
    hour_name = hour.name if hour else None
    if year and month and not named:
        if table.parts_range and table.parts_range[0] is not None:
            first, last = as_date(table.parts_range[0]), as_date(table.parts_range[1])
        if first is None and year.low is not None:
            first, last = date(int(year.low), 1, 1), date(int(year.high), 12, 31)
        return TimeAxis(
            table.sql_name,
            (),
            None,
            "parts",
            year.name,
            month.name,
            day.name if day else None,
            hour_name,
            first.isoformat() if first else None,
            last.isoformat() if last else None,
        )
    if chosen is not None:
        kind = chosen.kind if chosen.kind in ("date", "timestamp") else "text"
        return TimeAxis(
            table.sql_name,
            (),
            chosen.name,
            kind,
            hour=hour_name,
            first=first.isoformat() if first else None,
            last=last.isoformat() if last else None,
        )
    return None


class Timing(Context):
    """The question's time put on the main table's dates."""

    def apply_time(self, plan: Plan) -> None:
        """Puts the question's periods, comparisons and grain on the main table's dates."""
        t = self.p.time
        needs = bool(t.periods or t.grain or t.trend)
        if not needs:
            return
        table = self.index.table(plan.table)
        assert table is not None
        axis = find_axis(self.index, table, self.words)
        if axis is None:
            for join in self.index.joins_from(plan.table):
                other = self.index.table(join.other)
                if other is None:
                    continue
                found = find_axis(self.index, other, self.words)
                if found is not None:
                    step = Step(join.table, join.columns, join.other, join.other_columns)
                    axis = TimeAxis(**{**found.__dict__, "path": (step,)})
                    self.assume(f"dates taken from {short(other.sql_name)}", 0.05)
                    break
        if axis is None:
            raise Refuse(f"{short(plan.table)} has no dates, so I cannot place it in time.")
        plan.axis = axis
        first = date.fromisoformat(axis.first) if axis.first else None
        last = date.fromisoformat(axis.last) if axis.last else None
        periods = []
        for period in t.periods:
            fiscal = self.knowledge.fiscal_year_start
            concrete, note = materialize(period, first, last, fiscal)
            if note:
                self.assume(note, 0.05)
            periods.append(concrete)
        for period in periods:
            self.check_range(period, first, last, table)
        if self.p.compare and len(periods) >= 2:
            plan.compare = spread_years(periods)
        else:
            plan.period = combine(periods, t.link)
        grain = t.grain
        if grain is None and t.trend:
            span = (last - first).days if first and last else 365
            grain = "day" if span <= 92 else "month" if span <= 5 * 366 else "year"
            self.assume(f"the trend shown by {grain}", 0.05)
        if grain == "hour" and axis.kind == "parts" and not axis.hour:
            raise Refuse(f"{short(plan.table)} has no hours.")
        if grain == "hour" and axis.kind == "date":
            raise Refuse(f"{short(plan.table)} has dates without hours.")
        if grain:
            plan.dimensions.insert(0, Dimension(None, grain))

    def check_range(
        self, period: Period, first: date | None, last: date | None, table: TableEntry
    ) -> None:
        """Refuses a period the data does not cover."""
        if first is None or last is None:
            return
        span = f"{first.isoformat()} to {last.isoformat()}"
        for year in period.years:
            if not first.year <= year <= last.year:
                raise Refuse(
                    f"{short(table.sql_name)} has no data in {year}: it covers {span}.",
                )
        if period.start and date.fromisoformat(period.start) > last:
            raise Refuse(f"{short(table.sql_name)} ends on {last.isoformat()}.")
        if period.end and date.fromisoformat(period.end) <= first:
            raise Refuse(f"{short(table.sql_name)} starts on {first.isoformat()}.")
