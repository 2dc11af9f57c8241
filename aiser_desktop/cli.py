"""The ``aiser`` command: opens the app, or runs a headless verb.

    aiser                                   open the app (default workspace, or --workspace)
    aiser --version [--verbose]             the version (and where settings and logs live)
    aiser query "SQL" [--format table|csv|json] [--out FILE]
    aiser import LOCATION...                add files, folders, globs, database URLs, lakes
                                            and web addresses (aiser import --help)
    aiser sources [--json]                  sources: tables, columns, mode, status
    aiser refresh NAME... / remove NAME...  a new snapshot / remove sources
    aiser mode NAME linked|imported         query in place, or copy into the workspace
    aiser history [--limit N] [--json]
    aiser ask "QUESTION" [--provider rules|local|litellm:MODEL] [--json]
    aiser memory list | export [--out FILE] | import FILE | forget --all --yes
    aiser dashboard list | export NAME --out FILE.html|FILE.pdf
    aiser insights SOURCE [--quality] [--saved] [--json]   findings and data-quality checks
    aiser model generate|validate|refresh   the semantic model (model/cubes/*.yml, Cube's syntax)
    aiser metrics query 'JSON' [--json]     a Cube /load query through the semantic model
    aiser chart "SQL" --out chart.png [--kind KIND] [--x COL] [--y COL]...   draw it headless
    aiser mcp [--allow-tools A,B] [--deny-tools C]   serve the tools to an MCP client (stdio)
    aiser mcp-servers list|add|remove|test  the MCP servers the agent may call

Everything heavy (DuckDB, Arrow, Qt) is imported inside the verb that needs it, so
``aiser --version`` answers in a fraction of a second.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("AISER_T0", repr(time.time()))

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aiser_desktop import __version__

if TYPE_CHECKING:
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.engine.result import ResultHandle
    from aiser_desktop.core.workspace import Workspace

EXIT_ERROR = 1
# The modules of the headless verbs, in the order `aiser --help` lists them; each registers its
# parsers with add_verbs(verbs, workspace) and imports nothing heavy until a verb runs.
VERB_MODULES = (
    "cli_sources",
    "cli_agent",
    "cli_charts",
    "cli_dashboards",
    "cli_insights",
    "cli_memory",
    "cli_model",
    "cli_mcp",
)
# Verbs run with the workspace open: verb -> (module, function). The MCP verbs open their own.
WORKSPACE_VERBS = {
    "ask": ("cli_agent", "ask"),
    "chart": ("cli_charts", "chart"),
    "dashboard": ("cli_dashboards", "run"),
    "insights": ("cli_insights", "insights"),
    "memory": ("cli_memory", "run"),
}
EXIT_CANCELLED = 130
TABLE_ROWS = 40


def build_parser() -> argparse.ArgumentParser:
    workspace = argparse.ArgumentParser(add_help=False)
    workspace.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the workspace folder (default: $AISER_WORKSPACE, the settings, or the "
        "platform's data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="aiser",
        description="Aiser Desktop: a local-first AI data analyst. Without a command, opens the "
        "app.",
        parents=[workspace],
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--verbose", action="store_true", help="with --version: also print versions and paths"
    )
    parser.add_argument("--quit-after-shown", action="store_true", help=argparse.SUPPRESS)
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND")

    query = verbs.add_parser(
        "query", parents=[workspace], help="run SQL and print or save the result"
    )
    query.add_argument("sql", help="the SQL to run; '-' reads it from standard input")
    query.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="how to print the result (default: table)",
    )
    query.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        help="write the whole result to FILE "
        "(.csv, .parquet, .json, .ndjson, .tsv) instead of printing it",
    )
    query.add_argument(
        "--max-rows",
        type=int,
        default=TABLE_ROWS,
        metavar="N",
        help=f"rows printed in table format (default: {TABLE_ROWS})",
    )

    for module in VERB_MODULES:
        importlib.import_module(f"aiser_desktop.{module}").add_verbs(verbs, workspace)

    hist = verbs.add_parser("history", parents=[workspace], help="the queries run lately")
    hist.add_argument("--limit", type=int, default=20, metavar="N", help="how many (default: 20)")
    hist.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit code (source verbs: see cli_sources)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"aiser {__version__}")
        if args.verbose:
            _print_paths()
        return 0

    from aiser_desktop.core.errors import AiserError

    try:
        settings = _settings()
        from aiser_desktop.cli_mcp import VERBS as MCP_VERBS

        if args.verb in MCP_VERBS:  # they open the workspace themselves, or none
            from aiser_desktop.cli_mcp import run as run_mcp

            return run_mcp(args, settings)
        handler = _handler(args.verb)
        if handler is None:
            return _open_app(args, settings)
        with _open_workspace(args, settings) as ws:
            return handler(ws, args)
    except AiserError as exc:
        print(f"aiser: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("aiser: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader went away (aiser sources --json | head): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


# ---------------------------------------------------------------------- helpers
def _handler(verb: str | None) -> Callable[[Workspace, argparse.Namespace], int] | None:
    """The function that runs ``verb`` with the workspace open (None: open the app)."""
    if verb is None:
        return None
    if verb in ("query", "history"):
        return {"query": _query, "history": _history}[verb]
    if verb in WORKSPACE_VERBS:
        module, name = WORKSPACE_VERBS[verb]
        handler: Callable[[Workspace, argparse.Namespace], int]
        handler = getattr(importlib.import_module(f"aiser_desktop.{module}"), name)
        return handler
    for module in ("cli_model", "cli_sources"):  # modules with a table of several verbs
        table = importlib.import_module(f"aiser_desktop.{module}").HANDLERS
        if verb in table:
            return cast("Callable[[Workspace, argparse.Namespace], int]", table[verb])
    raise AssertionError(f"no handler for the verb {verb!r}")


def _settings() -> Settings:
    """The settings; a broken settings file is reported and the defaults are used."""
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.errors import SettingsError
    from aiser_desktop.core.logs import setup_logging

    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"aiser: warning: {exc} Using the defaults for now.", file=sys.stderr)
        settings = Settings()
    setup_logging(settings.log_level)
    return settings


def _workspace_path(args: argparse.Namespace, settings: Settings) -> Path:
    from aiser_desktop.core.config import resolve_workspace

    return resolve_workspace(getattr(args, "workspace", None), settings)


def _open_workspace(args: argparse.Namespace, settings: Settings) -> Workspace:
    from aiser_desktop.core.workspace import Workspace

    return Workspace.open(_workspace_path(args, settings))


def _print_paths() -> None:
    import platform
    from importlib.metadata import version

    from aiser_desktop.core.config import (
        Settings,
        data_dir,
        log_path,
        resolve_workspace,
        settings_path,
    )

    try:
        workspace = str(resolve_workspace(None, Settings.load()))
    except Exception as exc:  # a broken settings file must not hide the paths
        workspace = f"(settings unreadable: {exc})"
    print(f"python     {platform.python_version()} ({sys.executable})")
    for dist in ("duckdb", "pyarrow", "PySide6-Essentials"):
        try:
            print(f"{dist:<10} {version(dist)}")
        except Exception:
            print(f"{dist:<10} not installed")
    print(f"settings   {settings_path()}")
    print(f"logs       {log_path()}")
    print(f"data       {data_dir()}")
    print(f"workspace  {workspace}")


def _open_app(args: argparse.Namespace, settings: Settings) -> int:
    from aiser_desktop.core.config import is_default_workspace

    path = _workspace_path(args, settings)
    from aiser_desktop.ui.app import run

    load_sample = settings.load_sample_data and is_default_workspace(path)
    return int(run(path, load_sample=load_sample, quit_after_shown=args.quit_after_shown))


def _query(ws: Workspace, args: argparse.Namespace) -> int:
    from aiser_desktop.core.engine.export import format_for

    sql = sys.stdin.read() if args.sql == "-" else args.sql
    if args.out is not None:
        format_for(args.out)  # a bad suffix fails before the query runs
    stop_progress = _show_progress(ws) if sys.stderr.isatty() else None
    # A table on the terminal needs only its first rows: fetch no more (bounded memory on
    # any result); files and csv/json output get everything.
    preview = args.out is None and args.format == "table"
    job = ws.engine.submit(sql, max_rows=max(0, args.max_rows) if preview else None)
    try:
        handle = job.result()
    except KeyboardInterrupt:
        job.cancel()
        raise
    finally:
        if stop_progress is not None:
            stop_progress()
    if args.out is not None:
        handle.write(args.out)
        print(f"{handle.row_count:,} rows written to {args.out}", file=sys.stderr)
    elif args.format == "csv":
        _print_csv(handle)
    elif args.format == "json":
        _print_json(handle)
    else:
        _print_table(handle)
    return 0


def _show_progress(ws: Workspace) -> Callable[[], None]:
    """Shows DuckDB's progress of a long query on the terminal; returns the function to stop."""
    from aiser_desktop.core.events import QueryProgress

    shown = False

    def on_progress(message: QueryProgress) -> None:
        nonlocal shown
        shown = True
        sys.stderr.write(f"\r{message.percent:5.1f}%  (Ctrl+C cancels)")
        sys.stderr.flush()

    unsubscribe = ws.hub.subscribe(QueryProgress, on_progress)

    def stop() -> None:
        unsubscribe()
        if shown:
            sys.stderr.write("\r" + " " * 30 + "\r")
            sys.stderr.flush()

    return stop


def _print_table(handle: ResultHandle) -> None:
    names = handle.column_names
    if not names:
        print(f"OK ({handle.seconds:.3f} s)")
        return
    rows = [[_cell(v) for v in row] for row in handle.rows(0, handle.row_count)]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    widths = [min(w, 60) for w in widths]
    numeric = [_is_numeric(handle.schema.field(i).type) for i in range(len(names))]

    def line(cells: list[str]) -> str:
        out = []
        for cell, width, num in zip(cells, widths, numeric, strict=True):
            cell = cell if len(cell) <= width else cell[: width - 1] + "…"
            out.append(cell.rjust(width) if num else cell.ljust(width))
        return " | ".join(out).rstrip()

    print(line(names))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    noun = "row" if handle.row_count == 1 else "rows"
    if handle.truncated:
        print(
            f"\nfirst {handle.row_count:,} {noun} shown, in {handle.seconds:.3f} s; there are "
            "more (--max-rows N shows more, --out FILE writes them all)"
        )
    else:
        print(f"\n{handle.row_count:,} {noun} in {handle.seconds:.3f} s")


def _print_csv(handle: ResultHandle) -> None:
    import pyarrow.csv as pacsv

    sys.stdout.flush()
    # Batch by batch: a big result is spilled to disk and never held whole in memory.
    with pacsv.CSVWriter(sys.stdout.buffer, handle.schema) as writer:
        for batch in handle.batches(65_536):
            writer.write_batch(batch)
    sys.stdout.buffer.flush()


def _print_json(handle: ResultHandle) -> None:
    import json

    out = sys.stdout
    out.write("[")
    first = True
    for batch in handle.batches(10_000):
        for record in batch.to_pylist():
            out.write(("\n  " if first else ",\n  ") + json.dumps(record, default=str))
            first = False
    out.write("\n]\n" if not first else "]\n")


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else repr(value)
    return str(value).replace("\n", "\\n")


def _is_numeric(arrow_type: Any) -> bool:
    import pyarrow.types as pat

    return bool(
        pat.is_integer(arrow_type) or pat.is_floating(arrow_type) or pat.is_decimal(arrow_type)
    )


def _history(ws: Workspace, args: argparse.Namespace) -> int:
    rows = ws.state.history(limit=max(1, args.limit))
    if args.json:
        import json

        print(
            json.dumps(
                [
                    {
                        "sql": r.sql,
                        "status": r.status,
                        "started_at": r.started_at.isoformat(),
                        "seconds": round(r.seconds, 6),
                        "rows": r.rows,
                        "error": r.error,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print("No queries yet.")
    for r in reversed(rows):
        sql = " ".join(r.sql.split())
        sql = sql if len(sql) <= 70 else sql[:69] + "…"
        result = f"{r.rows:,} rows" if r.rows is not None else r.status
        when = r.started_at.astimezone()  # the person's local time
        print(f"{when:%Y-%m-%d %H:%M:%S}  {r.seconds:8.3f} s  {result:>14}  {sql}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
