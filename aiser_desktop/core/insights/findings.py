"""The findings job: a source's tables screened, three to five things worth a look, ranked.

Runs when a source is added (the window starts it on a worker once the add has finished) and
on demand (``aiser insights SOURCE``, the sources tree's "Findings…"). For each table (the
largest :data:`MAX_TABLES`): the data-quality checks (``quality.py``), the missing values
with what goes with them ("8,255 flights have no dep_time; all of them have no arr_time
either"), and, over the main date or time column, the rows per period: trend, season, spikes
and level shifts, and which category drove the last change. Every candidate gets a score;
the best five (no more than two of a kind) are kept, each with its headline, its numbers, the
SQL that gives those numbers on all rows, and a chart spec.
"""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.insights.common import (
    Finding,
    chart,
    pct_text,
    percent,
    quote,
)
from aiser_desktop.core.insights.profile_table import ColumnSummary

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.insights.quality import Issue, QualityReport
    from aiser_desktop.core.insights.series import Series
    from aiser_desktop.core.sources.catalog import SourceInfo, TableInfo

MAX_TABLES = 10
MAX_FINDINGS = 5
PER_KIND = 2
MIN_MISSING_SHARE = 0.5  # percent: fewer missing values than this are not a finding

_SEVERITY = {"error": 8.0, "warning": 6.0, "info": 2.0}


@dataclass
class FindingsReport:
    """What the job found for one source.

    Attributes:
        findings: The best, ranked (three to five when there is that much to say).
        quality: Each table's data-quality report (as plain data).
        tables: Each table read: its name, rows and what was read ("all 1,000 rows", "a
            sample of ...").
    """

    source: str
    findings: list[Finding]
    quality: list[dict[str, Any]]
    tables: list[dict[str, Any]]
    seconds: float
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        from aiser_desktop.core.insights.common import plain

        return dict(
            plain(
                {
                    "source": self.source,
                    "findings": [f.to_json() for f in self.findings],
                    "tables": self.tables,
                    "seconds": round(self.seconds, 3),
                    "errors": self.errors,
                }
            )
        )


def find_findings(
    con: DuckDBPyConnection,
    source: SourceInfo,
    catalog: list[SourceInfo] | None = None,
    *,
    today: Any = None,
    should_stop: Callable[[], bool] | None = None,
    limit: int = MAX_FINDINGS,
) -> FindingsReport:
    """Screens ``source``'s tables and ranks what it found.

    Args:
        con: A cursor of the workspace's engine (from any thread; interrupt it to stop).
        source: The source.
        catalog: Every source (for foreign keys into other sources' tables).
        today: Where "the future" starts (tests pin it).
        should_stop: Checked between tables; True ends the job early with what it has.
    """
    from aiser_desktop.core.insights.quality import data_quality

    start = time.perf_counter()
    others = [t for s in (catalog or [source]) if not s.status for t in s.tables]
    tables = sorted(source.tables, key=lambda t: -t.row_count)[:MAX_TABLES]
    candidates: list[Finding] = []
    quality: list[dict[str, Any]] = []
    read: list[dict[str, Any]] = []
    errors: list[str] = []
    for info in tables:
        if should_stop is not None and should_stop():
            break
        try:
            report = data_quality(con, info.sql_name, info=info, others=others, today=today)
        except Exception as exc:
            if _cancelled(exc) or len(tables) == 1:
                raise
            errors.append(f"{info.sql_name}: {exc}")  # one table that fails loses only itself
            continue
        quality.append(report.to_json())
        read.append({"table": info.sql_name, "rows": report.rows, "read": report.screened})
        if report.rows == 0:
            continue
        candidates += [f for i in report.issues if (f := _from_issue(i, report)) is not None]
        candidates += _missing_together(con, info.sql_name, report)
        try:
            candidates += _over_time(con, info, report.summaries)
        except Exception as exc:  # a series that cannot be made must not lose the rest
            if _cancelled(exc):
                raise
            errors.append(f"{info.sql_name}: {exc}")
    return FindingsReport(
        source.name, rank(candidates, limit), quality, read, time.perf_counter() - start, errors
    )


def _cancelled(exc: Exception) -> bool:
    """DuckDB was interrupted (the window is closing, the person cancelled)."""
    return "interrupt" in str(exc).lower()


def rank(candidates: list[Finding], limit: int = MAX_FINDINGS) -> list[Finding]:
    """The best ``limit`` findings, no more than :data:`PER_KIND` of a kind, nor two about
    the same column for the same reason."""
    chosen: list[Finding] = []
    kinds: dict[str, int] = {}
    seen: set[tuple[str, str, str]] = set()
    for f in sorted(candidates, key=lambda f: -f.score):
        key = (f.kind, f.table, f.column)
        if kinds.get(f.kind, 0) >= PER_KIND or key in seen:
            continue
        chosen.append(f)
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
        seen.add(key)
        if len(chosen) == limit:
            break
    return chosen


# ---------------------------------------------------------------------- from the checks
def _from_issue(issue: Issue, report: QualityReport) -> Finding | None:
    if issue.check in ("missing_values",):
        return None  # told with what goes with them, by _missing_together
    share_boost = min(2.0, math.log10(1 + issue.share))
    score = _SEVERITY[issue.severity] + share_boost
    numbers: dict[str, Any] = {"rows": issue.count, "share_pct": issue.share}
    if issue.check == "outliers":
        score = 2.0 + min(1.5, issue.share)
    chart_spec = None
    chart_sql = ""
    if issue.column and issue.check in ("duplicate_keys", "broken_foreign_key"):
        chart_sql = f"{issue.rows_sql} LIMIT 20"
        what = "repeated" if issue.check == "duplicate_keys" else "with no match"
        chart_spec = chart(
            "bar", issue.column, "rows", f"Rows per {issue.column} {what} (the top 20)",
            sort="desc",
        )  # fmt: skip
    elif issue.column and issue.check in ("outliers", "negative", "too_large"):
        chart_sql = f"SELECT {quote(issue.column)} FROM {issue.table}"
        chart_spec = chart("histogram", issue.column, [], f"{issue.column}: distribution")
    return Finding(
        kind=issue.check,
        table=issue.table,
        headline=issue.headline,
        numbers=numbers,
        sql=issue.sql,
        chart=chart_spec,
        chart_sql=chart_sql,
        score=round(score, 3),
        detail=issue.detail or f"Checked on {report.screened}; the count is on all rows.",
        column=issue.column,
        extra={"rows_sql": issue.rows_sql, "examples": list(issue.examples)},
    )


def _missing_together(
    con: DuckDBPyConnection, relation: str, report: QualityReport
) -> list[Finding]:
    """The columns with the most missing values, each with the columns that are also
    missing in all (or most) of the same rows. Columns missing in exactly the same rows are
    told once."""
    holed = [s for s in report.summaries if s.null_share >= MIN_MISSING_SHARE]
    holed.sort(key=lambda s: -s.null_share)
    if not holed:
        return []
    holed = holed[:6]
    everything = [s for s in report.summaries if s.nulls][:24]
    found = []
    told: set[frozenset[str]] = set()  # sets of columns missing in the same rows
    for s in holed[:4]:
        a = quote(s.name)
        partners = [o for o in everything if o.name != s.name]
        parts = [f"count(*) FILTER ({a} IS NULL)", "count(*)"]
        parts += [f"count(*) FILTER ({a} IS NULL AND {quote(o.name)} IS NULL)" for o in partners]
        parts += [f"count(*) FILTER ({quote(o.name)} IS NULL)" for o in partners]
        row = con.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchone()
        assert row is not None
        missing, rows = int(row[0]), int(row[1])
        if not missing:
            continue
        both = dict(zip([o.name for o in partners], row[2 : 2 + len(partners)], strict=True))
        alone = dict(zip([o.name for o in partners], row[2 + len(partners) :], strict=True))
        same = frozenset([s.name] + [n for n in both if both[n] == missing == alone[n]])
        if same in told:
            continue
        told.add(same)
        # the columns missing wherever this one is, those missing in more rows first
        always = sorted(
            (n for n in both if both[n] == missing and n not in same), key=lambda n: -alone[n]
        )
        share = percent(missing, rows)
        names = sorted(same, key=_order(report))
        if len(names) == 1:
            lack = f"have no {names[0]}"
        elif len(names) == 2:
            lack = f"have neither {names[0]} nor {names[1]}"
        else:
            lack = f"have none of {', '.join(names)}"
        headline = f"{pct_text(share)} of {relation} ({missing:,} rows) {lack}"
        numbers: dict[str, Any] = {"rows": rows, "missing": missing, "share_pct": share}
        sql = f"SELECT count(*) AS rows, count(*) FILTER ({a} IS NULL) AS missing_{_safe(s.name)}"
        score = 4.0 + min(3.0, share / 5)
        partner, count = None, 0
        if always:
            partner, count = always[0], missing
            listed = always[:4]
            headline += "; all of them have no " + _and(listed) + " either"
        else:
            best = max(both.items(), key=lambda p: p[1], default=None)
            if best is not None and best[1] / missing >= 0.5 and best[0] not in same:
                partner, count = best[0], int(best[1])
                together = percent(count, missing)
                headline += f"; {count:,} of them ({pct_text(together)}) have no {partner} either"
        if partner is not None:
            sql += (
                f", count(*) FILTER ({a} IS NULL AND {quote(partner)} IS NULL) "
                f"AS also_no_{_safe(partner)}"
            )
            numbers.update(
                {"together_with": partner, "missing_both": count,
                 "together_pct": percent(count, missing)}
            )  # fmt: skip
            score += 1.5 * count / missing
        sql += f" FROM {relation}"
        chart_sql = " UNION ALL ".join(
            f"SELECT {_text(o.name)} AS column_name, count(*) - count({quote(o.name)}) AS missing "
            f"FROM {relation}"
            for o in holed
        )
        found.append(
            Finding(
                kind="missing", table=relation, headline=headline + ".", numbers=numbers,
                sql=sql, chart=chart("bar", "column_name", "missing",
                                     f"Missing values in {relation}", sort="desc"),
                chart_sql=chart_sql, score=round(score, 3), column=s.name,
                detail="Rows missing a value often share a cause: look at them together.",
                extra={"rows_sql": f"SELECT * FROM {relation} WHERE {a} IS NULL"},
            )
        )  # fmt: skip
    return found


def _order(report: QualityReport) -> Callable[[str], int]:
    position = {s.name: i for i, s in enumerate(report.summaries)}
    return lambda name: position.get(name, 0)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower())[:40]


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---------------------------------------------------------------------- over time
def time_column(info: TableInfo, summaries: tuple[ColumnSummary, ...]) -> str | None:
    """The table's main date or time column: the one with the most distinct values."""
    times = [s for s in summaries if s.kind in ("date", "timestamp") and s.distinct > 1]
    if not times:
        return None
    return max(times, key=lambda s: (s.distinct, -s.null_share)).name


def segment_column(summaries: tuple[ColumnSummary, ...]) -> str | None:
    """A category to split by: a text column with 3 to 30 values and few missing."""
    fits = [s for s in summaries if s.kind == "text" and 3 <= s.distinct <= 30 and s.null_share < 5]
    return min(fits, key=lambda s: s.distinct).name if fits else None


def _over_time(
    con: DuckDBPyConnection, info: TableInfo, summaries: tuple[ColumnSummary, ...]
) -> list[Finding]:
    from aiser_desktop.core.insights.anomalies import find_level_shifts, find_spikes
    from aiser_desktop.core.insights.trend import trend

    column = time_column(info, summaries)
    if column is None:
        return []
    relation = info.sql_name
    series = _dense_series(con, relation, column)
    if series is None:
        return []
    found: list[Finding] = []
    line = chart("line", "period", series.value_name, f"{relation}: rows per {series.grain}")
    per = f"rows per {series.grain}"
    spikes = find_spikes(series)
    if spikes:
        top = spikes[0]
        when = _when(top.period, series.grain)
        sql = (
            f"SELECT count(*) AS rows FROM {relation} WHERE date_trunc('{series.grain}', "
            f"{quote(column)}) = {_lit(top.period)}"
        )
        found.append(
            Finding(
                kind="spike", table=relation,
                headline=f"{when} stands out: {top.value:,.0f} rows of {relation} against about "
                f"{top.expected:,.0f} on comparable {series.grain}s"
                + (f" ({len(spikes) - 1} more such {series.grain}s)." if len(spikes) > 1 else "."),
                numbers={"period": top.period, "rows": int(top.value),
                         "expected": round(top.expected, 1), "score": round(top.score, 1),
                         "spikes": len(spikes)},
                sql=sql, chart=line, chart_sql=series.sql, column=column,
                score=round(4.0 + min(2.0, top.score / 10), 3),
                detail=f"Far from the rolling median of its neighbours ({top.score:.1f} robust "
                f"units of the {per}' usual noise).",
            )
        )  # fmt: skip
    shifts = sorted(find_level_shifts(series), key=lambda a: -a.score)
    for shift in shifts[:1]:
        # the means of everything before and after the split (what the SQL below gives)
        before = float(series.values[: shift.index].mean())
        after = float(series.values[shift.index :].mean())
        when = _when(shift.period, series.grain)
        change = percent(after - before, abs(before) or 1)
        sql = (
            f"WITH series AS ({series.sql}) SELECT period >= {_lit(shift.period)} AS "
            f"from_{series.grain}, avg({quote(series.value_name)}) AS "
            f"{quote(series.value_name + '_per_' + series.grain)} FROM series GROUP BY 1 "
            "ORDER BY 1"
        )
        found.append(
            Finding(
                kind="level_shift", table=relation,
                headline=f"From {when} on, {relation} has {after:,.0f} {per} on average, "
                f"against {before:,.0f} before ({'+' if change > 0 else ''}{pct_text(change)}).",
                numbers={"period": shift.period, "before": round(before, 2),
                         "after": round(after, 2), "change_pct": change},
                sql=sql, chart=line, chart_sql=series.sql, column=column,
                score=round(4.5 + min(2.0, abs(change) / 25), 3),
                detail="The split that best separates two levels of the series (binary "
                "segmentation, a t statistic against the series' own noise).",
            )
        )  # fmt: skip
    found += _trend_findings(relation, column, series, trend(series), line)
    segment = segment_column(summaries)
    if segment is not None and series.grain in ("day", "hour", "week", "month"):
        found += _driver(con, relation, column, segment, series)
    return found


MIN_PER_PERIOD = 5  # a series whose typical period has fewer rows is mostly noise
MIN_PERIODS = 8


def _dense_series(con: DuckDBPyConnection, relation: str, column: str) -> Series | None:
    """Rows per period at the finest grain where a typical period has at least
    :data:`MIN_PER_PERIOD` rows and there are at least :data:`MIN_PERIODS` periods (a few
    rows spread over months say nothing about spikes); None when no grain fits."""
    import numpy as np

    from aiser_desktop.core.insights.series import GRAINS, time_series

    series = time_series(con, relation, column)
    grains = GRAINS[GRAINS.index(series.grain) :]
    for grain in grains:
        if grain != series.grain:
            series = time_series(con, relation, column, grain=grain)
        if len(series) < MIN_PERIODS:
            return None
        if float(np.median(series.values)) >= MIN_PER_PERIOD:
            return _whole_periods(series)
    return None


def _whole_periods(series: Series) -> Series:
    """The series without its last period when that one looks cut short (the data ends in
    its middle: far below the periods before it), which would otherwise read as a drop."""
    import dataclasses

    import numpy as np

    y = series.values
    if y.size > MIN_PERIODS and y[-1] < 0.5 * float(np.median(y[-8:-1])):
        return dataclasses.replace(series, periods=series.periods[:-1], values=y[:-1])
    return series


def _trend_findings(
    relation: str, column: str, series: Series, t: dict[str, Any], line: dict[str, Any]
) -> list[Finding]:
    found = []
    growth = t.get("growth_total_pct")
    if t.get("direction") in ("up", "down") and growth is not None and abs(growth) >= 10:
        verb = "grew" if growth > 0 else "fell"
        found.append(
            Finding(
                kind="trend", table=relation,
                headline=f"Rows of {relation} per {series.grain} {verb} "
                f"{abs(growth):.0f}% from {_when(t['from'], series.grain)} to "
                f"{_when(t['to'], series.grain)}.",
                numbers={"growth_pct": growth, "direction": t["direction"],
                         "p_value": t["p_value"], "slope_per_period": t["slope_per_period"]},
                sql=series.sql, chart=line, chart_sql=series.sql, column=column,
                score=round(3.5 + min(2.0, abs(growth) / 50), 3),
                detail="Mann-Kendall test and Theil-Sen slope; growth from the first season's "
                "mean to the last's.",
            )
        )  # fmt: skip
    strength = float(t.get("seasonality") or 0)
    if strength >= 0.4 and series.season > 1 and len(series) >= 2 * series.season:
        import numpy as np

        from aiser_desktop.core.insights.trend import decompose

        _, seasonal, _ = decompose(series.values, series.season)
        mean = float(np.mean(series.values)) or 1.0
        hi, lo = (
            int(np.argmax(seasonal[: series.season])),
            int(np.argmin(seasonal[: series.season])),
        )
        names = [_position(series.periods[i], series.grain) for i in range(series.season)]
        low_pct = round(100 * float(seasonal[lo]) / mean, 1)
        high_pct = round(100 * float(seasonal[hi]) / mean, 1)
        word = {"day": "weekly", "hour": "daily", "month": "yearly", "week": "yearly",
                "quarter": "yearly"}.get(series.grain, "seasonal")  # fmt: skip
        found.append(
            Finding(
                kind="seasonality", table=relation,
                headline=f"Rows of {relation} follow a {word} pattern: {names[hi]} is the "
                f"busiest ({pct_text(high_pct)} above the mean), {names[lo]} the quietest "
                f"({pct_text(abs(low_pct))} below).",
                numbers={"strength": round(strength, 3), "busiest": names[hi],
                         "quietest": names[lo], "busiest_pct": high_pct, "quietest_pct": low_pct},
                sql=series.sql, chart=line, chart_sql=series.sql, column=column,
                score=round(3.0 + strength, 3),
                detail="Seasonal strength 1 - var(remainder)/var(season + remainder) "
                f"= {strength:.2f}.",
            )
        )  # fmt: skip
    return found


def _last_two_months(series: Series) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """The last whole month the series covers and the month before it, as [start, end)
    (read from the series' periods: no scan of the table)."""
    import datetime as dt

    from aiser_desktop.core.insights.series import step

    last = series.periods[-1]
    month = last.replace(day=1)
    if isinstance(month, dt.datetime):
        month = month.replace(hour=0, minute=0, second=0, microsecond=0)
    if step(last, series.grain) < step(month, "month"):  # the data ends inside this month
        month = step(month, "month", -1)
    before = step(month, "month", -1)
    return (before, month), (month, step(month, "month"))


def _driver(
    con: DuckDBPyConnection, relation: str, column: str, segment: str, series: Series
) -> list[Finding]:
    from aiser_desktop.core.insights.segments import compare_segments

    try:
        before_period, after_period = _last_two_months(series)
        found = compare_segments(
            con, relation, column, segment, before=before_period, after=after_period
        )
    except Exception:
        return []
    change = found["change"]
    before = found["before"]["value"]
    if not before or not found["segments"] or abs(change) / before < 0.05:
        return []
    top = found["segments"][0]
    share = top.get("share_of_change_pct")
    if share is None or share < 25:
        return []
    when_b = _when(found["before"]["from"], "month")
    when_a = _when(found["after"]["from"], "month")
    verb = "rose" if change > 0 else "fell"
    return [
        Finding(
            kind="driver", table=relation,
            headline=f"Rows of {relation} {verb} {abs(found['change_pct']):.0f}% from {when_b} "
            f"to {when_a}; {segment} = {top['segment']!r} accounts for {share:.0f}% of the "
            "change.",
            numbers={"before": before, "after": found["after"]["value"], "change": change,
                     "segment": top["segment"], "segment_change": top["change"],
                     "share_of_change_pct": share},
            sql=found["sql"], chart=chart("bar", "segment", ["rows_before", "rows_after"],
                                          f"{relation} by {segment}: {when_b} and {when_a}"),
            chart_sql=found["sql"], column=segment,
            score=round(3.0 + min(2.0, abs(found["change_pct"]) / 20), 3),
            detail="Each segment's change over the total change (compare_segments).",
        )
    ]  # fmt: skip


def _lit(value: Any) -> str:
    from aiser_desktop.core.insights.segments import _lit as lit

    return lit(value)


def _when(period: Any, grain: str) -> str:
    """A period for people: "28 Nov 2013", "Nov 2013", "2013-11-28 17:00"."""
    import datetime as dt

    if isinstance(period, str):
        return period
    if grain == "hour" and isinstance(period, dt.datetime):
        return period.strftime("%Y-%m-%d %H:00")
    if grain in ("month", "quarter"):
        return f"{calendar.month_abbr[period.month]} {period.year}"
    if grain == "year":
        return str(period.year)
    return f"{period.day} {calendar.month_abbr[period.month]} {period.year}"


def _position(period: Any, grain: str) -> str:
    """The name of a place in the season: a weekday, an hour, a month."""
    if grain == "day":
        return str(calendar.day_name[period.weekday()])
    if grain == "hour":
        return f"{period.hour:02d}:00"
    if grain in ("month", "quarter"):
        return str(calendar.month_name[period.month])
    return _when(period, grain)
