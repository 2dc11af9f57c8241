"""The command line's agent verb.

    aiser ask "QUESTION" [--workspace DIR] [--provider rules|local|litellm:MODEL] [--json]

Prints the answer, the SQL that produced its numbers, the first rows, the chart and how sure it
is; with ``--json``, one object: {"question", "sql", "columns", "rows" (first 100), "chart",
"answer", "provider", "confidence", ...}. When the agent cannot answer, "sql" is null and
"answer" says why. What the agent does on the way (tools, a model loading, a fallback to the
rules) goes to standard error. Ctrl+C stops it. Only the standard library is imported here, so
``aiser --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.agent.loop import AgentEvent
    from aiser_desktop.core.agent.types import Answer
    from aiser_desktop.core.workspace import Workspace

TABLE_ROWS = 20


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``ask`` to the command's verbs."""
    ask_parser = verbs.add_parser(
        "ask",
        parents=[workspace],
        help="ask a question about the data in plain words",
        description="Ask a question in plain words; get the SQL, the rows, a chart and a short "
        "answer. Agent SQL is read-only.",
    )
    ask_parser.add_argument("question", help="the question; '-' reads it from standard input")
    ask_parser.add_argument(
        "--provider",
        metavar="P",
        help="rules (no model), local (the packaged model, or local:FILE.gguf), or "
        "litellm:MODEL (default: the agent settings, else rules)",
    )
    ask_parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object: "question", "sql", "columns", "rows" (first 100), '
        '"chart", "answer", "provider", "confidence"',
    )


def ask(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser ask``; returns the exit code."""
    from aiser_desktop.core.agent.loop import Conversation
    from aiser_desktop.core.agent.providers import make_provider
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.errors import AiserError

    question = sys.stdin.read() if args.question == "-" else args.question
    try:
        settings = Settings.load()
    except AiserError:
        settings = Settings()  # main() already warned about the file
    provider = make_provider(args.provider, settings)
    from aiser_desktop.cli_mcp import agent_tools

    registry, report = agent_tools(settings, _reporter(sys.stderr.isatty()))
    conversation = Conversation.for_workspace(ws, provider, registry=registry)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["answer"] = conversation.ask(question, report)
        except BaseException as exc:
            outcome["error"] = exc

    # The question runs on a worker so Ctrl+C reaches this thread at once and can stop it.
    worker = threading.Thread(target=work, name="aiser-ask", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        conversation.cancel()
        worker.join(5)
        raise
    finally:
        conversation.close()
        provider.close()
        registry.close()
    if "error" in outcome:
        raise outcome["error"]
    answer: Answer = outcome["answer"]
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, default=str, indent=2))
    else:
        _print_answer(answer)
    return 0


def _reporter(verbose: bool) -> Any:
    """Prints the agent's progress on standard error: notices always, steps on a terminal."""
    from aiser_desktop.core.agent.loop import AgentNotice, AgentProgress, ToolFinished

    def report(event: AgentEvent) -> None:
        if isinstance(event, AgentNotice):
            print(f"aiser: {event.text}", file=sys.stderr)
        elif verbose and isinstance(event, AgentProgress):
            done = f" {event.fraction:.0%}" if event.fraction >= 0 else ""
            print(f"  {event.task}{done}", file=sys.stderr)
        elif verbose and isinstance(event, ToolFinished):
            mark = "ok" if event.ok else "failed"
            print(f"  {event.name}: {mark}, {event.summary}", file=sys.stderr)

    return report


def _print_answer(answer: Answer) -> None:
    print(answer.answer)
    if answer.sql is None:
        return
    print("\nSQL:")
    for line in answer.sql.splitlines():
        print(f"  {line}")
    if answer.columns:
        print()
        _print_rows(answer)
    if answer.chart:
        spec = ", ".join(f"{k}={v}" for k, v in answer.chart.items())
        print(f"\nchart: {spec}")
    for assumption in answer.assumptions:
        print(f"assumed: {assumption}")
    print(f"confidence {answer.confidence:.2f}, by {answer.provider}")


def _print_rows(answer: Answer) -> None:
    from aiser_desktop.cli import _cell

    rows = [[_cell(v) for v in row] for row in answer.rows[:TABLE_ROWS]]
    names = list(answer.columns)
    widths = [min(40, max([len(n), *(len(r[i]) for r in rows)])) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        out = []
        for cell, width in zip(cells, widths, strict=True):
            out.append(cell if len(cell) <= width else cell[: width - 1] + "…")
        return " | ".join(c.ljust(w) for c, w in zip(out, widths, strict=True)).rstrip()

    print(line(names))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    total = answer.row_count if answer.row_count >= 0 else len(answer.rows)
    if total > len(rows):
        print(f"(first {len(rows)} of {total:,} rows)")
