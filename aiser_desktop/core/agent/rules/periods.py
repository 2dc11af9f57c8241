"""Periods of time named by a question, joined ("between March and May", "in January and
July", "Q1 vs Q2 2024") and made concrete against the dates the data covers ("last summer":
the latest summer in the data)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """A stretch of time, as the question names it.

    Attributes:
        years: Calendar years (any of them); empty for any year.
        months: Months 1-12 (any of them); empty for any month.
        day: Day of the month, or None.
        start: First day (ISO), for ranges; None when open or unused.
        end: The day after the last one (ISO), for ranges.
        relative: A period named from the data's end ("last_year", "last_month",
            "last_quarter", "last_week", "this_year", "ytd", "last_n_day:30", "season:6,7,8",
            "since", "after", "before", "until"); made concrete by :func:`materialize`.
        label: How to name it ("July 2013", "Q1").
    """

    years: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    day: int | None = None
    start: str | None = None
    end: str | None = None
    relative: str = ""
    label: str = ""

    @property
    def empty(self) -> bool:
        return not (
            self.years or self.months or self.day or self.start or self.end or self.relative
        )


def quarter(q: int, year: int | None) -> Period:
    """Quarter ``q`` (1-4), of ``year`` or of any year."""
    months = tuple(range(3 * q - 2, 3 * q + 1))
    return Period((year,) if year else (), months, label=f"Q{q}" + (f" {year}" if year else ""))


def _month_range(first: int, last: int) -> tuple[int, ...]:
    if first <= last:
        return tuple(range(first, last + 1))
    return tuple(range(first, 13)) + tuple(range(1, last + 1))


def combine(periods: list[Period], link: str) -> Period | None:
    """One filter from the periods of a question that does not compare them: a range
    ("between March and May"), a union ("in January and July") or their intersection
    ("July" and "2013" said apart)."""
    if not periods:
        return None
    if len(periods) == 1:
        return periods[0]
    if link == "range" and len(periods) == 2:
        a, b = periods
        if a.day is None and b.day is None and a.months and b.months:
            if a.years and b.years and a.years != b.years:
                return Period(
                    start=_first_day(a).isoformat(),
                    end=_after_last_day(b).isoformat(),
                    label=f"{a.label} to {b.label}",
                )
            return Period(
                a.years or b.years,
                _month_range(a.months[0], b.months[-1]),
                label=f"{a.label} to {b.label}",
            )
        if a.years and b.years and not a.months and not b.months:
            return Period(
                tuple(range(a.years[0], b.years[-1] + 1)), label=f"{a.label} to {b.label}"
            )
        if a.years and b.years:
            return Period(
                start=_first_day(a).isoformat(),
                end=_after_last_day(b).isoformat(),
                label=f"{a.label} to {b.label}",
            )
    years: set[int] = set()
    months: set[int] = set()
    day = None
    labels = []
    same_kind = len({(bool(p.years), bool(p.months)) for p in periods}) == 1
    for p in periods:
        years.update(p.years)
        months.update(p.months)
        day = p.day or day
        labels.append(p.label)
    joiner = " and " if same_kind else " "
    return Period(tuple(sorted(years)), tuple(sorted(months)), day, label=joiner.join(labels))


def spread_years(periods: list[Period]) -> list[Period]:
    """Periods compared with each other share a year said once ("Q1 vs Q2 2024")."""
    years = {p.years for p in periods if p.years}
    if len(years) == 1:
        (shared,) = years
        return [p if p.years or not p.months else replace(p, years=shared) for p in periods]
    return periods


def _first_day(p: Period) -> date:
    year = p.years[0] if p.years else 2000
    month = p.months[0] if p.months else 1
    return date(year, month, p.day or 1)


def _after_last_day(p: Period) -> date:
    year = p.years[-1] if p.years else 2000
    if p.day is not None and p.months:
        return date(year, p.months[-1], p.day) + timedelta(days=1)
    month = p.months[-1] if p.months else 12
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def materialize(
    period: Period, first: date | None, last: date | None, fiscal_start: int = 1
) -> tuple[Period, str]:
    """A period made concrete against the dates the data covers (``first`` to ``last``),
    with the assumption made ("" when none was needed).

    Periods relative to now are read relative to the data's last date, since the data may
    end long before today. ``fiscal_start`` is the month the person's fiscal year starts
    (from memory): "this year", "year to date" and "last year" then mean fiscal years.
    """
    rel = period.relative
    if not rel or last is None:
        return period, ""
    if fiscal_start != 1 and rel in ("this_year", "ytd", "last_year"):
        return _fiscal(period, first, last, fiscal_start)
    if rel in ("since", "after", "before", "until"):
        base = period
        if not base.years:
            # The latest such period that has begun by the data's end ("since October").
            base = replace(base, years=(last.year,))
            if _first_day(base) > last:
                base = replace(base, years=(last.year - 1,))
        start = _first_day(base)
        end = _after_last_day(base)
        note = "" if period.years else f"'{period.label}' read as in {base.years[0]}"
        if rel == "since":
            return Period(start=start.isoformat(), label=f"since {base.label}"), note
        if rel == "after":
            return Period(start=end.isoformat(), label=f"after {base.label}"), note
        if rel == "before":
            return Period(end=start.isoformat(), label=f"before {base.label}"), note
        return Period(end=end.isoformat(), label=f"until {base.label}"), note
    if rel.startswith("season:"):
        months = tuple(int(m) for m in rel.split(":", 1)[1].split(","))
        year = last.year if last.month >= months[-1] or months[-1] < months[0] else last.year - 1
        if first is not None and year < first.year:
            year = first.year
        return (
            Period((year,), months, label=f"{period.label} ({year})"),
            f"'{period.label}' read as {calendar.month_name[months[0]]} to "
            f"{calendar.month_name[months[-1]]} {year}, the latest in the data",
        )
    unit_start = {
        "year": date(last.year, 1, 1),
        "month": date(last.year, last.month, 1),
        "quarter": date(last.year, 3 * ((last.month - 1) // 3) + 1, 1),
        "week": last - timedelta(days=last.weekday()),
    }
    if rel.startswith("this_") or rel == "ytd":
        unit = "year" if rel == "ytd" else rel[5:]
        start = unit_start[unit]
        end = last + timedelta(days=1)
        return (
            Period(start=start.isoformat(), end=end.isoformat(), label=period.label),
            f"'{period.label}' read from the data's last date, {last.isoformat()}",
        )
    if rel.startswith("last_n_"):
        unit, n = rel[7:].split(":")
        days = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}[unit] * int(n)
        start = last - timedelta(days=days - 1)
        return (
            Period(
                start=start.isoformat(),
                end=(last + timedelta(days=1)).isoformat(),
                label=period.label,
            ),
            f"'{period.label}' counted back from the data's last date, {last.isoformat()}",
        )
    if rel.startswith("last_"):
        unit = rel[5:]
        this_start = unit_start[unit]
        # The latest complete period; if the data ends on its last day, that one.
        if unit == "year":
            complete = last.month == 12 and last.day == 31
            year = last.year if complete else last.year - 1
            if first is not None and year < first.year:
                year = last.year
            return Period((year,), label=str(year)), f"'last year' read as {year}"
        if unit == "month":
            end_of_month = (last + timedelta(days=1)).day == 1
            start = this_start if end_of_month else (this_start - timedelta(days=1)).replace(day=1)
            return (
                Period((start.year,), (start.month,), label=start.strftime("%B %Y")),
                f"'last month' read as {start.strftime('%B %Y')}",
            )
        if unit == "quarter":
            q_end = (this_start.replace(day=28) + timedelta(days=70)).replace(day=1)
            done = last + timedelta(days=1) >= q_end
            start = this_start if done else (this_start - timedelta(days=1)).replace(day=1)
            start = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
            q = (start.month - 1) // 3 + 1
            return (
                quarter(q, start.year),
                f"'last quarter' read as Q{q} {start.year}",
            )
        if unit == "week":
            start = this_start - timedelta(days=7)
            return (
                Period(start=start.isoformat(), end=this_start.isoformat(), label="last week"),
                f"'last week' read as the week of {start.isoformat()}",
            )
        if unit == "day":
            return (
                Period((last.year,), (last.month,), last.day, label=last.isoformat()),
                f"'last day' read as {last.isoformat()}",
            )
    return period, ""


def _fiscal(
    period: Period, first: date | None, last: date | None, month: int
) -> tuple[Period, str]:
    """The fiscal year ("this year") or the one before ("last year"), starting in ``month``,
    counted from the data's last date."""
    assert last is not None
    name = calendar.month_name[month]
    year = last.year if last.month >= month else last.year - 1
    start = date(year, month, 1)
    if period.relative == "last_year":
        following = date(year + 1, month, 1)
        if last + timedelta(days=1) < following:  # the current fiscal year is not over
            start, following = date(year - 1, month, 1), start
        label = f"fiscal year {start.isoformat()[:7]} to {following.isoformat()[:7]}"
        return (
            Period(start=start.isoformat(), end=following.isoformat(), label=label),
            f"'last year' read as the fiscal year from {name} {start.year} (your fiscal year "
            f"starts in {name}), before {following.isoformat()}",
        )
    end = last + timedelta(days=1)
    said = "fiscal year to date" if period.relative == "ytd" else "this fiscal year"
    return (
        Period(start=start.isoformat(), end=end.isoformat(), label=f"{said} (from {name} {year})"),
        f"'{period.label}' read as the fiscal year from {name} {start.year} (your fiscal "
        f"year starts in {name}) to the data's last date, {last.isoformat()}",
    )
