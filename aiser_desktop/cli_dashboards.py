"""The command line's dashboard verbs.

    aiser dashboard list [--json]                      the dashboards: tiles, filters, refresh
    aiser dashboard export NAME --out FILE.html|.pdf   refresh every tile and write the file

The export runs each tile's query with the dashboard's filters (Ctrl+C stops it), draws the
charts headless (an offscreen Qt, no window, no screen needed) and writes one file: a
self-contained HTML page (nothing in it points outside it) or a PDF. Only the standard
library is imported here, so ``aiser --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.workspace import Workspace

EXPORT_SUFFIXES = (".html", ".htm", ".pdf")


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``dashboard`` (with ``list`` and ``export``) to the command's verbs."""
    parser = verbs.add_parser(
        "dashboard",
        parents=[workspace],
        help="list dashboards, or export one to HTML or PDF",
        description="List the workspace's dashboards, or export one (every tile refreshed) "
        "to a self-contained HTML file or a PDF.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[workspace], help="the dashboards")
    listing.add_argument("--json", action="store_true", help="print JSON")
    export = actions.add_parser(
        "export", parents=[workspace], help="refresh a dashboard and write it to a file"
    )
    export.add_argument("name", help="the dashboard's name (case does not matter)")
    export.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        required=True,
        help="FILE.html (one self-contained page) or FILE.pdf",
    )


def run(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser dashboard ...``; returns the exit code."""
    if args.action == "list":
        return _list(ws, args)
    return _export(ws, args)


def _list(ws: Workspace, args: argparse.Namespace) -> int:
    from aiser_desktop.core.dashboards.store import DashboardStore

    boards = DashboardStore(ws.state).dashboards()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": d.name,
                        "tiles": [
                            {
                                "kind": t.kind,
                                "title": t.title,
                                "x": t.x,
                                "y": t.y,
                                "w": t.w,
                                "h": t.h,
                            }
                            for t in d.tiles
                        ],
                        "filters": [f.to_dict() for f in d.filters],
                        "refresh_minutes": d.refresh_minutes,
                    }
                    for d in boards
                ],
                indent=2,
                default=str,
            )
        )
        return 0
    if not boards:
        print("No dashboards yet. Make one in the app: File > New dashboard.")
        return 0
    width = max(len(d.name) for d in boards)
    for d in boards:
        kinds: dict[str, int] = {}
        for t in d.tiles:
            kinds[t.kind] = kinds.get(t.kind, 0) + 1
        parts = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "empty"
        refresh = f"every {d.refresh_minutes} min" if d.refresh_minutes else "on demand"
        active = [f.label() for f in d.filters if f.active]
        filters = f"; filtered by {'; '.join(active)}" if active else ""
        print(f"{d.name:<{width}}  {len(d.tiles)} tiles ({parts}), refresh {refresh}{filters}")
    return 0


def _export(ws: Workspace, args: argparse.Namespace) -> int:
    from aiser_desktop.core.dashboards.model import DashboardError
    from aiser_desktop.core.dashboards.refresh import Cancel

    out: Path = args.out
    if out.suffix.lower() not in EXPORT_SUFFIXES:
        raise DashboardError(
            f"Cannot export a dashboard to {out.name!r}: the name must end in .html or .pdf.",
            hint="For example: --out sales.html or --out sales.pdf",
        )
    from aiser_desktop.core.dashboards.refresh import charts_by_id, refresh_all
    from aiser_desktop.core.dashboards.store import DashboardStore

    store = DashboardStore(ws.state)
    dashboard = store.dashboard(args.name)
    charts = charts_by_id(store.charts())
    cancel = Cancel()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["done"] = refresh_all(ws.engine, dashboard, charts, cancel)
        except BaseException as exc:
            outcome["error"] = exc

    # The queries run on a worker so Ctrl+C reaches this thread at once and can stop them;
    # the charts are drawn here, on the thread that owns Qt.
    worker = threading.Thread(target=work, name="aiser-dashboard-refresh", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        cancel.cancel()
        worker.join(5)
        raise
    if "error" in outcome:
        raise outcome["error"]
    results = outcome["done"]
    from aiser_desktop.ui.dashboards.export import write_export

    write_export(dashboard, results, out)
    failed = sum(1 for r in results.values() if r.error is not None)
    note = f"; {failed} tile(s) could not be drawn (the file says why)" if failed else ""
    print(f"{len(dashboard.tiles)} tiles written to {out}{note}", file=sys.stderr)
    return 0
