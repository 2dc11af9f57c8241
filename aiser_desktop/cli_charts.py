"""The command line's chart verb: a query's result drawn to a PNG or SVG file, headless.

    aiser chart "SQL" --out chart.png [--kind KIND] [--x COL] [--y COL ...] [--series COL]
                [--aggregation AGG] [--title TEXT] [--size W H] [--theme light|dark]
                [--spec JSON] [--workspace DIR]

Without ``--kind``, ``--x`` and ``--y`` the chart is the one the result's shape asks for
(:func:`aiser_desktop.core.charts.recommend.recommend`); given any of them, the rest is filled
from the recommendations of that kind when one fits. The data is computed by DuckDB
(:func:`aiser_desktop.core.charts.data.fetch_chart_data`, downsampled to the image's width)
and drawn by ``aiser_desktop.ui.charts.render``. Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.core.workspace import Workspace

SAMPLE_ROWS = 500  # rows the recommendation looks at


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``chart`` to the command's verbs."""
    from aiser_desktop.core.charts.spec import AGGREGATIONS, KINDS

    parser = verbs.add_parser(
        "chart",
        parents=[workspace],
        help="draw a query's result to a PNG or SVG file",
        description="Draw a query's result to an image file, without opening the app. "
        "Without --kind/--x/--y, the chart is the one the result's shape asks for.",
    )
    parser.add_argument("sql", help="the SQL to chart; '-' reads it from standard input")
    parser.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="the image to write (.png or .svg)"
    )
    parser.add_argument("--kind", choices=KINDS, help="the chart's kind")
    parser.add_argument("--x", metavar="COL", help="the column along the x axis")
    parser.add_argument(
        "--y",
        metavar="COL",
        action="append",
        default=[],
        help="a column of values (repeat for several)",
    )
    parser.add_argument("--series", metavar="COL", help="a column splitting the series")
    parser.add_argument("--aggregation", choices=AGGREGATIONS, help="how y is aggregated per x")
    parser.add_argument("--title", help="the chart's title")
    parser.add_argument(
        "--size",
        nargs=2,
        type=int,
        metavar=("W", "H"),
        default=(960, 540),
        help="the image's size in pixels (default: 960 540)",
    )
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument(
        "--spec",
        metavar="JSON",
        help="a whole chart spec as JSON (overrides the other chart options)",
    )


def chart(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser chart``; returns the exit code."""
    from aiser_desktop.core.charts.data import fetch_chart_data
    from aiser_desktop.core.errors import AiserError

    sql = sys.stdin.read() if args.sql == "-" else args.sql
    if args.out.suffix.lower() not in (".png", ".svg"):
        raise AiserError(
            f"Charts are written as PNG or SVG, not {args.out.suffix or 'a file without suffix'}.",
            hint="Name the file chart.png or chart.svg.",
        )
    try:
        from aiser_desktop.ui.charts.render import render_to_file
    except ImportError as exc:
        raise AiserError(
            f"Charts cannot be drawn here: {exc}.",
            hint="Install Aiser Desktop with its window (PySide6 and pyqtgraph).",
        ) from exc
    spec = _spec(ws, sql, args)
    width, height = args.size
    data = fetch_chart_data(ws.engine, sql, spec, pixels=max(1, width))
    render_to_file(data, args.out, width=width, height=height, theme=args.theme)
    summary = f"{args.out}: {data.spec.kind} chart, {data.spec.title}"
    if data.note:
        summary += f" ({data.note})"
    print(summary, file=sys.stderr)
    return 0


def _spec(ws: Workspace, sql: str, args: argparse.Namespace) -> ChartSpec:
    """The spec asked for on the command line, the rest filled in by the recommendation."""
    from aiser_desktop.core.charts.recommend import recommend
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.core.errors import AiserError

    if args.spec:
        try:
            return ChartSpec.from_dict(json.loads(args.spec))
        except (json.JSONDecodeError, TypeError) as exc:
            raise AiserError(
                f"--spec is not a chart spec: {exc}.",
                hint='For example: {"kind": "bar", "x": "region", "y": ["amount"]}',
            ) from exc
    handle = ws.engine.execute(f"SELECT * FROM (\n{sql.strip().rstrip(';')}\n) LIMIT {SAMPLE_ROWS}")
    sample = handle.table
    found = recommend(sample.schema, sample)
    wanted = [s for s in found if args.kind in (None, s.kind)]
    wanted = [s for s in wanted if args.x in (None, s.x)] or wanted
    if wanted:
        spec = wanted[0]
    elif args.kind is not None:
        spec = ChartSpec(args.kind)
    else:
        raise AiserError(
            "This result reads better as a table: no chart fits it on its own.",
            hint="Choose one with --kind, --x and --y.",
        )
    if args.kind:
        spec.kind = args.kind
    if args.x:
        spec.x = args.x
    if args.y:
        spec.y = list(args.y)
    if args.series:
        spec.series = args.series
    if args.aggregation:
        spec.aggregation = args.aggregation
    if args.title:
        spec.title = args.title
    return spec
