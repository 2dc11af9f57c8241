"""An honest, simple forecast: additive Holt-Winters or seasonal naive, with intervals and a
backtest error, in numpy on the (small) aggregated series.

Both models are fitted on the series minus its last ``horizon`` periods and scored on those
(the backtest); the one with the lower error is refitted on everything and forecasts. The
answer always states the backtest error of both, so nobody mistakes a forecast for a fact.

Intervals (95 % by default) come from the one-step errors of the fitted model, widened with
the horizon as the model's own equations say: for Holt-Winters (ETS(A,A,A)) the variance at
step h is sigma^2 (1 + sum_{j<h} (alpha (1 + beta j) + gamma [j mod m = 0])^2) (Hyndman and
Athanasopoulos, FPP 3, table 9.8); for seasonal naive sigma^2 (floor((h-1)/m) + 1).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.insights.series import step

if TYPE_CHECKING:
    import numpy as np

    from aiser_desktop.core.insights.series import Series

GRID = (0.05, 0.2, 0.4, 0.6, 0.8)
BETAS = (0.01, 0.05, 0.2)
Z = {0.8: 1.2816, 0.9: 1.6449, 0.95: 1.9600, 0.99: 2.5758}


@dataclass(frozen=True)
class Fit:
    """A fitted model: its one-step-ahead forecasts, their error and its forecast."""

    name: str
    params: dict[str, float]
    sigma: float
    forecast: np.ndarray
    widths: np.ndarray  # the standard error at each step ahead


def holt_winters(y: np.ndarray, m: int, horizon: int) -> Fit:
    """Additive Holt-Winters, smoothing parameters chosen by least squares on a small grid."""
    import numpy as np

    if m < 2 or y.size < 2 * m + 2:
        m = 1
    best: tuple[float, tuple[float, float, float]] | None = None
    gammas = GRID if m > 1 else (0.0,)
    for alpha, beta, gamma in itertools.product(GRID, BETAS, gammas):
        sse = _hw(y, m, alpha, beta, gamma, 0)[0]
        if best is None or sse < best[0]:
            best = (sse, (alpha, beta, gamma))
    assert best is not None
    alpha, beta, gamma = best[1]
    sse, forecast, count = _hw(y, m, alpha, beta, gamma, horizon)
    sigma = math.sqrt(sse / max(1, count))
    j = np.arange(1, horizon)
    c = alpha * (1 + beta * j) + gamma * ((j % m) == 0 if m > 1 else 0)
    variance = 1 + np.concatenate([[0.0], np.cumsum(c**2)])
    return Fit(
        "holt_winters",
        {"alpha": alpha, "beta": beta, "gamma": gamma, "season": float(m)},
        sigma,
        forecast,
        sigma * np.sqrt(variance),
    )


def _hw(
    y: np.ndarray, m: int, alpha: float, beta: float, gamma: float, horizon: int
) -> tuple[float, np.ndarray, int]:
    """Runs the recursions; returns the one-step SSE (after the first season), the forecast
    and how many errors were summed."""
    import numpy as np

    n = y.size
    if m > 1:
        level = float(np.mean(y[:m]))
        trend = float((np.mean(y[m : 2 * m]) - np.mean(y[:m])) / m)
        season = list(y[:m] - level)
        start = m
    else:
        level, trend, season, start = float(y[0]), float(y[1] - y[0]) if n > 1 else 0.0, [0.0], 1
    sse, count = 0.0, 0
    for t in range(start, n):
        s = season[t % m] if m > 1 else 0.0
        predicted = level + trend + s
        error = y[t] - predicted
        sse += error * error
        count += 1
        new_level = alpha * (y[t] - s) + (1 - alpha) * (level + trend)
        trend = beta * (new_level - level) + (1 - beta) * trend
        if m > 1:
            season[t % m] = gamma * (y[t] - new_level) + (1 - gamma) * s
        level = new_level
    h = np.arange(1, horizon + 1)
    seasonal = np.array([season[(n + i - 1) % m] for i in h]) if m > 1 else np.zeros(horizon)
    return sse, level + h * trend + seasonal, count


def seasonal_naive(y: np.ndarray, m: int, horizon: int) -> Fit:
    """Each period as the same period one season earlier (the last value when no season)."""
    import numpy as np

    m = m if m > 1 and y.size > m else 1
    errors = y[m:] - y[:-m]
    sigma = float(np.sqrt(np.mean(errors**2))) if errors.size else 0.0
    h = np.arange(1, horizon + 1)
    forecast = np.array([y[y.size - m + ((i - 1) % m)] for i in h])
    widths = sigma * np.sqrt(np.floor((h - 1) / m) + 1)
    return Fit("seasonal_naive", {"season": float(m)}, sigma, forecast, widths)


def _errors(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    import numpy as np

    diff = actual - predicted
    nonzero = actual != 0
    mape = float(np.mean(np.abs(diff[nonzero] / actual[nonzero]))) * 100 if nonzero.any() else None
    return {
        "mae": round(float(np.mean(np.abs(diff))), 4),
        "rmse": round(float(np.sqrt(np.mean(diff**2))), 4),
        "mape_pct": None if mape is None else round(mape, 2),
    }


def forecast(series: Series, horizon: int | None = None, level: float = 0.95) -> dict[str, Any]:
    """Forecasts ``series`` ``horizon`` periods ahead (default: one season, at least 6).

    Raises:
        AiserError: Too short a series (fewer than three times the horizon), or a level
            other than 0.8, 0.9, 0.95 or 0.99.
    """

    if level not in Z:
        raise AiserError(f"No interval level {level}.", hint="Use 0.8, 0.9, 0.95 or 0.99.")
    m = series.season
    horizon = horizon or max(6, m if m > 1 else 6)
    y = series.values
    if y.size < max(8, 2 * horizon):
        raise AiserError(
            f"The series has {y.size} {series.grain}s: too few to forecast {horizon} ahead "
            "and check it.",
            hint="Use a finer grain, or a shorter horizon (at most half the periods).",
        )
    train, test = y[:-horizon], y[-horizon:]
    scores = {}
    for name, fit in (("holt_winters", holt_winters), ("seasonal_naive", seasonal_naive)):
        backtest = fit(train, m, horizon)
        scores[name] = _errors(test, backtest.forecast)
    chosen = min(scores, key=lambda k: scores[k]["mae"] or 0.0)
    final = (holt_winters if chosen == "holt_winters" else seasonal_naive)(y, m, horizon)
    z = Z[level]
    last = series.periods[-1]
    points = []
    for i in range(horizon):
        value = float(final.forecast[i])
        width = float(z * final.widths[i])
        points.append(
            {
                "period": step(last, series.grain, i + 1),
                "forecast": round(value, 4),
                "low": round(value - width, 4),
                "high": round(value + width, 4),
            }
        )
    return {
        "model": chosen,
        "parameters": final.params,
        "grain": series.grain,
        "measure": series.measure,
        "horizon": horizon,
        "level": level,
        "forecast": points,
        "backtest": {"held_out": horizon, **dict(scores.items())},
        "history_sql": series.sql,
        "note": f"Backtest: fitted without the last {horizon} {series.grain}s and scored on "
        f"them; {chosen.replace('_', ' ')} had the lower mean absolute error.",
    }
