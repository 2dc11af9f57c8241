"""The command line's insights verb.

    aiser insights SOURCE [--workspace DIR] [--quality] [--saved] [--json]

Screens a source's tables (the findings job the window runs after an add), saves what it
found with the source, and prints three to five findings, each with its numbers and the SQL
behind them; ``--quality`` prints the data-quality results instead, ``--saved`` the last saved
report without screening again. Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.workspace import Workspace


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``insights`` to the command's verbs."""
    parser = verbs.add_parser(
        "insights",
        parents=[workspace],
        help="findings worth a look, and data-quality checks, for a source",
        description="Screens a source's tables (duplicates, missing keys, outliers, "
        "impossible values, broken foreign keys, missing values, spikes, trends) and prints "
        "the findings most worth a look, with the SQL behind each. The result is saved "
        "with the source.",
    )
    parser.add_argument("source", help="the source's name (aiser sources lists them)")
    parser.add_argument("--quality", action="store_true", help="print the data-quality checks")
    parser.add_argument(
        "--saved", action="store_true", help="print the last saved report; do not screen again"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def insights(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser insights``; returns the exit code."""
    from aiser_desktop.core.errors import AiserError
    from aiser_desktop.core.insights import saved

    kind = "quality" if args.quality else "findings"
    if args.saved:
        found = saved.load(ws.state, args.source, kind)
        if found is None:
            raise AiserError(
                f"No {kind} are saved for {args.source!r} yet.",
                hint=f"Run: aiser insights {args.source}",
            )
        report = found.report
    else:
        if sys.stderr.isatty():
            print(f"Screening {args.source}…", file=sys.stderr)
        saved.run_and_save(ws, args.source)
        stored = saved.load(ws.state, args.source, kind)
        report = stored.report if stored else {}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    elif kind == "findings":
        _print_findings(report)
    else:
        _print_quality(report)
    return 0


def _print_findings(report: dict[str, Any]) -> None:
    findings = report.get("findings", [])
    tables = ", ".join(f"{t['table']} ({t['read']})" for t in report.get("tables", []))
    print(f"{report.get('source')}: {len(findings)} findings, from {tables}")
    for n, f in enumerate(findings, 1):
        print(f"\n{n}. {f['headline']}")
        if f.get("detail"):
            print(f"   {f['detail']}")
        print(f"   SQL: {' '.join(str(f['sql']).split())}")
    for error in report.get("errors", []):
        print(f"\nnot checked: {error}", file=sys.stderr)


def _print_quality(report: dict[str, Any]) -> None:
    for table in report.get("tables", []):
        issues = table.get("issues", [])
        print(f"{table['table']}: {table['rows']:,} rows, screened on {table['screened']}")
        if not issues:
            print("  no problems found")
        for issue in issues:
            print(f"  [{issue['severity']}] {issue['headline']}")
        print(f"  checks: {', '.join(table.get('checks', []))}\n")
