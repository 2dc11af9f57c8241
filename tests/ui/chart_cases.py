"""Small, fixed tables in the shape each chart kind is drawn from (core/charts/data.py), for
the renderer's and the canvas's tests. Made with formulas, never random, so the pictures
are the same on every run."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from aiser_desktop.core.charts.spec import ChartSpec

CARRIERS = [
    "United Air Lines Inc.",
    "JetBlue Airways",
    "ExpressJet Airlines Inc.",
    "Delta Air Lines Inc.",
    "American Airlines Inc.",
    "Envoy Air",
]
ORIGINS = ["EWR", "JFK", "LGA"]


def _days(n: int) -> pa.Array:
    return pa.array([dt.date(2013, 1, 1) + dt.timedelta(days=i) for i in range(n)])


def cases() -> dict[str, tuple[ChartSpec, pa.Table]]:
    """name -> (spec, table)."""
    t = np.arange(90, dtype=np.float64)
    days = _days(90)
    three = pa.concat_arrays([days, days, days])
    waves = np.concatenate([900 + 80 * np.sin(t / 7), 700 + 50 * np.cos(t / 9), 500 + 2 * t])
    origins = np.repeat(ORIGINS, 90).tolist()
    scatter_x = (t * 37) % 2500 + 100
    return {
        "line": (
            ChartSpec("line", x="day", y=["flights"], series="origin"),
            pa.table({"day": three, "flights": waves, "origin": origins}),
        ),
        "area": (
            ChartSpec("area", x="day", y=["flights"], series="origin", stacked=True),
            pa.table({"day": three, "flights": waves / 3, "origin": origins}),
        ),
        "bar": (
            ChartSpec("bar", x="carrier", y=["flights"], sort="desc"),
            pa.table({"carrier": CARRIERS, "flights": [58665, 54635, 54173, 48110, 32729, 26397]}),
        ),
        "bar_grouped": (
            ChartSpec("bar", x="origin", y=["flights"], series="month"),
            pa.table(
                {
                    "origin": np.repeat(ORIGINS, 2).tolist(),
                    "month": ["Jan", "Feb"] * 3,
                    "flights": [9893, 9107, 9161, 8421, 7950, 7423],
                }
            ),
        ),
        "bar_stacked": (
            ChartSpec("bar", x="origin", y=["flights"], series="month", stacked=True),
            pa.table(
                {
                    "origin": np.repeat(ORIGINS, 2).tolist(),
                    "month": ["Jan", "Feb"] * 3,
                    "flights": [9893, 9107, 9161, 8421, 7950, 7423],
                }
            ),
        ),
        "bar_horizontal": (
            ChartSpec("bar", x="carrier", y=["delay"], horizontal=True),
            pa.table(
                {"carrier": ["F9", "EV", "YV", "FL", "WN"], "delay": [20.2, 19.9, 19.0, 18.7, 17.7]}
            ),
        ),
        "scatter": (
            ChartSpec("scatter", x="distance", y=["air_time"], series="origin", size="seats"),
            pa.table(
                {
                    "distance": scatter_x,
                    "air_time": scatter_x / 8 + 20 + 15 * np.sin(t),
                    "origin": [ORIGINS[i % 3] for i in range(90)],
                    "seats": 50 + (t * 13) % 350,
                }
            ),
        ),
        "histogram": (
            ChartSpec("histogram", x="dep_delay"),
            pa.table(
                {
                    "bin_start": np.arange(-20, 100, 10.0),
                    "bin_end": np.arange(-10, 110, 10.0),
                    "count": pa.array(
                        [1200, 90000, 60000, 30000, 15000, 8000, 5000, 3000, 2000, 1500, 1000, 800],
                        pa.int64(),
                    ),
                }
            ),
        ),
        "box": (
            ChartSpec("box", x="origin", y=["dep_delay"]),
            pa.table(
                {
                    "origin": ORIGINS,
                    "min": [-25.0, -43, -33],
                    "q1": [-4.0, -5, -6],
                    "median": [-1.0, -1, -3],
                    "q3": [15.0, 10, 7],
                    "max": [120.0, 110, 100],
                    "n": [120835, 111279, 104662],
                }
            ),
        ),
        "heatmap": (
            ChartSpec("heatmap", x="hour", y=["flights"], series="origin"),
            pa.table(
                {
                    "hour": np.tile(np.arange(6, 14), 3),
                    "origin": np.repeat(ORIGINS, 8).tolist(),
                    "flights": (np.arange(24) * 97) % 2400 + 100,
                }
            ),
        ),
        "pie": (
            ChartSpec("pie", x="origin", y=["flights"]),
            pa.table({"origin": ORIGINS, "flights": [120835, 111279, 104662]}),
        ),
        "donut": (
            ChartSpec("pie", x="origin", y=["flights"], donut=True),
            pa.table({"origin": ORIGINS, "flights": [120835, 111279, 104662]}),
        ),
        "kpi": (
            ChartSpec("kpi", y=["flights"], title="Flights in December"),
            pa.table(
                {
                    "value": [28135],
                    "previous": pa.array([27035], pa.int64()),
                    "label": ["flights, against November"],
                }
            ),
        ),
        "y2": (
            ChartSpec("line", x="day", y=["flights"], y2=["delay"]),
            pa.table(
                {"day": days, "flights": 900 + 80 * np.sin(t / 7), "delay": 10 + 5 * np.cos(t / 5)}
            ),
        ),
    }
