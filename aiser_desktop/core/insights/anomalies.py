"""Anomalies: unusual values in a column, and spikes and level shifts in a time series.

- Values: the robust z-score, 0.6745 (x - median) / MAD (Iglewicz and Hoaglin: |z| > 3.5 is
  an outlier), or Tukey's fences (Q1 - k IQR, Q3 + k IQR), computed in DuckDB on all rows.
  Both use the median and quartiles, so the outliers themselves cannot hide the outliers, as
  they do with a mean and a standard deviation.
- Spikes: a point far from the rolling median of its neighbours, measured in robust units of
  the series' own noise (the MAD of the residuals).
- Level shifts: binary segmentation on the series: the split that best separates two means
  (a t statistic against the pooled robust noise), kept when it is large and lasting, then
  searched again on each side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.insights.common import columns_of, find_column, percent, quote

if TYPE_CHECKING:
    import numpy as np
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.insights.series import Series

ROBUST_Z = 3.5
IQR_K = 1.5
SPIKE_Z = 5.0
SHIFT_T = 8.0
MIN_SEGMENT = 5
EXAMPLES = 10


@dataclass(frozen=True)
class ValueAnomalies:
    """Unusual values of one column (counted on all rows).

    Attributes:
        method: "robust_z" or "iqr".
        low, high: Values outside this range are anomalies.
        count, share: How many rows, and their percent of the non-missing ones.
        examples: The most extreme values.
        sql: Counts them; ``rows_sql`` lists them.
    """

    table: str
    column: str
    method: str
    low: float
    high: float
    count: int
    share: float
    examples: tuple[Any, ...]
    sql: str
    rows_sql: str
    center: float
    spread: float


def value_anomalies(
    con: DuckDBPyConnection,
    relation: str,
    column: str,
    method: str = "robust_z",
    threshold: float | None = None,
) -> ValueAnomalies:
    """Counts the unusual values of a number column.

    Args:
        method: "robust_z" (median and MAD; ``threshold`` default 3.5) or "iqr" (quartiles;
            ``threshold`` is k, default 1.5).

    Raises:
        AiserError: Not a number column, or an unknown method.
    """
    found = find_column(columns_of(con, relation), column, relation)
    if found.kind != "number":
        raise AiserError(
            f"{relation}.{found.name} is {found.type}: anomalies need numbers.",
            hint="Name a number column, or look for anomalies in a time series of it.",
        )
    col = quote(found.name)
    x = f"CAST({col} AS DOUBLE)"
    if method == "robust_z":
        k = ROBUST_Z if threshold is None else threshold
        row = con.execute(f"SELECT median({x}), mad({x}) FROM {relation}").fetchone()
        center, spread = (float(row[0]), float(row[1])) if row and row[0] is not None else (0, 0)
        # |0.6745 (x - median) / MAD| > k  <=>  x outside median -/+ k MAD / 0.6745
        half = k * spread / 0.6745
    elif method == "iqr":
        k = IQR_K if threshold is None else threshold
        row = con.execute(
            f"SELECT quantile_cont({x}, 0.25), quantile_cont({x}, 0.75) FROM {relation}"
        ).fetchone()
        q1, q3 = (float(row[0]), float(row[1])) if row and row[0] is not None else (0, 0)
        center, spread = (q1 + q3) / 2, q3 - q1
        half = spread / 2 + k * spread
    else:
        raise AiserError(f"There is no method {method!r}.", hint="Use robust_z or iqr.")
    low, high = center - half, center + half
    if spread == 0:
        # more than half the values are equal: anything else is unusual only if rare
        low = high = center
    where = f"{x} < {low!r} OR {x} > {high!r}"
    sql = f"SELECT count(*) FILTER ({where}) AS anomalies, count({col}) AS values FROM {relation}"
    count, total = con.execute(sql).fetchone() or (0, 0)
    order = f"abs({x} - {center!r}) DESC"
    rows_sql = f"SELECT * FROM {relation} WHERE {where} ORDER BY {order}"
    examples = tuple(
        r[0]
        for r in con.execute(
            f"SELECT {col} FROM {relation} WHERE {where} ORDER BY {order} LIMIT {EXAMPLES}"
        ).fetchall()
    )
    return ValueAnomalies(
        relation, found.name, method, low, high, int(count), percent(int(count), int(total)),
        examples, sql, rows_sql, center, spread,
    )  # fmt: skip


# ---------------------------------------------------------------------- time series
@dataclass(frozen=True)
class SeriesAnomaly:
    """One unusual moment of a series.

    Attributes:
        kind: "spike" (one period far off; ``direction`` "up" or "down") or "level_shift"
            (the series moves to another level from ``period`` on).
        index: The period's position in the series.
        value: The value there (for a shift: the mean after).
        expected: What its neighbours say it should be (for a shift: the mean before).
        score: How far off, in robust units of the series' noise (a t statistic for shifts).
    """

    kind: str
    period: Any
    index: int
    value: float
    expected: float
    score: float
    direction: str


def _mad_sigma(values: np.ndarray) -> float:
    import numpy as np

    if values.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """The centred rolling median (the window shrinks at the ends)."""
    import numpy as np

    half = window // 2
    n = values.size
    if n == 0:
        return values.copy()
    padded = np.pad(values, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.asarray(np.median(windows[:n], axis=1), dtype=float)


def find_spikes(series: Series, threshold: float = SPIKE_Z) -> list[SeriesAnomaly]:
    """Periods far from the rolling median of their neighbours."""
    import numpy as np

    y = series.values
    if y.size < 7:
        return []
    window = max(5, min(2 * series.season + 1, y.size // 3 * 2 + 1))
    m = series.season
    position = np.arange(y.size) % max(m, 1)
    profile = np.zeros(max(m, 1))
    if m > 1 and y.size >= 3 * m:
        # A weekly pattern is not a spike: take the season out first (the median of each
        # weekday's distance from the rolling median, from the middle of the series where
        # the windows are whole), then compare each period with its deseasoned neighbours.
        half = m
        residual0 = (y - rolling_median(y, 2 * m + 1))[half : y.size - half]
        positions = position[half : y.size - half]
        profile = np.array([np.median(residual0[positions == i]) for i in range(m)])
    deseasoned = y - profile[position]
    baseline = rolling_median(deseasoned, window) + profile[position]
    residual = y - baseline
    sigma = _mad_sigma(residual)
    if sigma <= 0:
        sigma = float(np.std(residual)) or 1.0
    scores = residual / sigma
    found = []
    for i in np.flatnonzero(np.abs(scores) > threshold):
        found.append(
            SeriesAnomaly(
                "spike", series.periods[i], int(i), float(y[i]), float(baseline[i]),
                float(abs(scores[i])), "up" if scores[i] > 0 else "down",
            )
        )  # fmt: skip
    found.sort(key=lambda a: -a.score)
    return found


def find_level_shifts(
    series: Series, threshold: float = SHIFT_T, min_segment: int = MIN_SEGMENT
) -> list[SeriesAnomaly]:
    """Points from which the series stays at another level (binary segmentation)."""
    import numpy as np

    y = series.values
    if y.size < 2 * min_segment:
        return []
    # noise from first differences (robust to the shifts themselves): sigma = MAD(diff)/sqrt 2
    sigma = _mad_sigma(np.diff(y)) / np.sqrt(2)
    if sigma <= 0:
        sigma = float(np.std(y)) / 10 or 1.0
    found: list[SeriesAnomaly] = []
    _segment(series, y, 0, y.size, sigma, threshold, min_segment, found, depth=0)
    found.sort(key=lambda a: a.index)
    return found


def _segment(
    series: Series,
    y: np.ndarray,
    start: int,
    end: int,
    sigma: float,
    threshold: float,
    min_segment: int,
    found: list[SeriesAnomaly],
    depth: int,
) -> None:
    import numpy as np

    part = y[start:end]
    n = part.size
    if n < 2 * min_segment or depth > 4:
        return
    sums = np.cumsum(part)
    k = np.arange(min_segment, n - min_segment + 1)
    left = sums[k - 1] / k
    right = (sums[-1] - sums[k - 1]) / (n - k)
    t = np.abs(right - left) / (sigma * np.sqrt(1.0 / k + 1.0 / (n - k)))
    best = int(np.argmax(t))
    if t[best] < threshold:
        return
    split = start + int(k[best])
    before, after = float(left[best]), float(right[best])
    # a shift must also be large against the level itself, not only against the noise
    if abs(after - before) < 0.1 * max(abs(before), abs(after), 1e-9) and depth == 0:
        return
    found.append(
        SeriesAnomaly(
            "level_shift", series.periods[split], split, after, before, float(t[best]),
            "up" if after > before else "down",
        )
    )  # fmt: skip
    _segment(series, y, start, split, sigma, threshold, min_segment, found, depth + 1)
    _segment(series, y, split, end, sigma, threshold, min_segment, found, depth + 1)


def series_anomalies(series: Series) -> dict[str, Any]:
    """Spikes and level shifts of a series, as plain data."""
    spikes = find_spikes(series)
    shifts = find_level_shifts(series)
    return {
        "grain": series.grain,
        "measure": series.measure,
        "periods": len(series),
        "spikes": [_plain(a) for a in spikes[:EXAMPLES]],
        "more_spikes": max(0, len(spikes) - EXAMPLES),
        "level_shifts": [_plain(a) for a in shifts],
        "sql": series.sql,
    }


def _plain(a: SeriesAnomaly) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "period": a.period,
        "value": round(a.value, 4),
        "expected": round(a.expected, 4),
        "score": round(a.score, 2),
        "direction": a.direction,
    }
