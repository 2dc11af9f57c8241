"""A series' trend: its direction, how fast it grows, and whether it has a season.

- Direction: the Mann-Kendall test (is the series going up or down more often than chance
  allows, p < 0.05), with the Theil-Sen slope (the median of the slopes between all pairs of
  points) as the size: both ignore a few wild points, unlike a least-squares line.
- Growth: the whole span (first season's mean to the last's, so one odd period at either end
  does not decide it), per period on average (compound), and the last period against the one
  before and, when there is one, the same period a season earlier.
- Seasonality: the strength of the seasonal part, 1 - var(remainder) / var(season +
  remainder) (Hyndman and Athanasopoulos, FPP 3, section 4.2), from a simple additive
  decomposition (a centred moving average for the trend, the mean per season position).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from aiser_desktop.core.insights.series import Series

MAX_PAIRS_POINTS = 2000  # Theil-Sen and Mann-Kendall on at most this many points
SEASONAL_STRENGTH = 0.4  # above this, the season is worth mentioning


def mann_kendall(y: np.ndarray) -> tuple[float, float]:
    """The Mann-Kendall z statistic and its two-sided p-value (no tie correction)."""
    import numpy as np

    n = y.size
    if n < 4:
        return 0.0, 1.0
    diff = np.sign(y[None, :] - y[:, None])
    s = float(np.triu(diff, 1).sum())
    var = n * (n - 1) * (2 * n + 5) / 18.0
    z = (s - np.sign(s)) / math.sqrt(var) if s else 0.0
    p = math.erfc(abs(z) / math.sqrt(2))
    return float(z), float(p)


def theil_sen(y: np.ndarray) -> float:
    """The median slope between all pairs of points (per period)."""
    import numpy as np

    n = y.size
    if n < 2:
        return 0.0
    i, j = np.triu_indices(n, 1)
    return float(np.median((y[j] - y[i]) / (j - i)))


def decompose(y: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Additive decomposition: trend (centred moving average), season, remainder."""
    import numpy as np

    n = y.size
    if season < 2 or n < 2 * season:
        trend = np.full(n, float(np.mean(y))) if n else y
        return trend, np.zeros(n), y - trend
    if season % 2 == 0:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    else:
        weights = np.ones(season) / season
    half = len(weights) // 2
    core = np.convolve(y, weights, mode="valid")
    trend = np.pad(core, (half, n - core.size - half), mode="edge")
    detrended = y - trend
    means = np.array([np.mean(detrended[i::season]) for i in range(season)])
    means -= means.mean()
    seasonal = means[np.arange(n) % season]
    return trend, seasonal, y - trend - seasonal


def seasonal_strength(y: np.ndarray, season: int) -> float:
    """0 (no season) to 1 (all season)."""
    import numpy as np

    if season < 2 or y.size < 2 * season:
        return 0.0
    _, seasonal, remainder = decompose(y, season)
    total = float(np.var(seasonal + remainder))
    if total <= 0:
        return 0.0
    return max(0.0, 1.0 - float(np.var(remainder)) / total)


def trend(series: Series) -> dict[str, Any]:
    """Direction, growth and seasonality of ``series``, as plain data.

    The last period is left out when it looks cut short (far below the others: the data
    ends in the middle of it), and the answer says so.
    """
    import numpy as np

    y = series.values
    periods = list(series.periods)
    dropped = False
    if y.size >= 6 and y[-1] < 0.5 * float(np.median(y[-6:-1])):
        y, periods, dropped = y[:-1], periods[:-1], True
    n = y.size
    if n < 3:
        return {"periods": n, "direction": "unknown", "note": "Too few periods for a trend."}
    step = max(1, n // MAX_PAIRS_POINTS)
    z, p = mann_kendall(y[::step])
    slope = theil_sen(y[::step]) / step
    direction = "flat" if p >= 0.05 else ("up" if z > 0 else "down")
    season = series.season if series.season > 1 and n >= 2 * series.season else 1
    head = float(np.mean(y[:season])) if season > 1 else float(y[0])
    tail = float(np.mean(y[-season:])) if season > 1 else float(y[-1])
    spans = max(1, n - season) if season > 1 else max(1, n - 1)
    growth = _change(head, tail)
    per_period = (tail / head) ** (1.0 / spans) - 1.0 if head > 0 and tail > 0 else None
    strength = seasonal_strength(y, series.season)
    peak = None
    if strength >= SEASONAL_STRENGTH and series.season > 1:
        _, seasonal, _ = decompose(y, series.season)
        top = int(np.argmax(seasonal[: series.season]))
        low = int(np.argmin(seasonal[: series.season]))
        peak = {"highest": periods[top], "lowest": periods[low]}
    out: dict[str, Any] = {
        "grain": series.grain,
        "measure": series.measure,
        "periods": n,
        "from": periods[0],
        "to": periods[-1],
        "direction": direction,
        "p_value": round(p, 5),
        "slope_per_period": round(slope, 6),
        "growth_total_pct": _pct(growth),
        "growth_per_period_pct": _pct(per_period),
        "last_vs_previous_pct": _pct(_change(float(y[-2]), float(y[-1]))),
        "seasonality": round(strength, 3),
        "season_length": series.season,
        "sql": series.sql,
    }
    if n > series.season > 1:
        out["last_vs_season_before_pct"] = _pct(_change(float(y[-1 - series.season]), float(y[-1])))
    if peak:
        out["season_peak"] = peak
    if dropped:
        out["note"] = "The last period was left out: it looks incomplete."
    return out


def _change(before: float, after: float) -> float | None:
    if before == 0:
        return None
    return (after - before) / abs(before)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 2)
