"""The command line's memory verbs: what the agent remembers, exported, imported or forgotten.

    aiser memory list [--json]
    aiser memory export [--out FILE]          all memory as JSON (standard output by default)
    aiser memory import FILE                  adds what an export holds
    aiser memory forget --all --yes           everything ("forget me")
    aiser memory forget --question ID | --conversation ID | --term TERM | --preference KEY

Forgetting rewrites state.sqlite (VACUUM) and empties its log, so the text is gone from the
file. Only the standard library is imported at the top, so ``aiser --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiser_desktop.core.workspace import Workspace


def add_verbs(verbs: Any, workspace: argparse.ArgumentParser) -> None:
    """Adds ``memory`` (list, export, import, forget) to the command's verbs."""
    memory = verbs.add_parser(
        "memory",
        parents=[workspace],
        help="what the agent remembers: list, export, import, forget",
        description="The agent's memory: preferences, business terms and past questions.",
    )
    actions = memory.add_subparsers(dest="memory_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", parents=[workspace], help="preferences, glossary and past questions"
    )
    listing.add_argument("--json", action="store_true", help="print it as the export's JSON")
    listing.add_argument(
        "--limit", type=int, default=20, metavar="N", help="past questions shown (default: 20)"
    )
    export = actions.add_parser("export", parents=[workspace], help="all memory as JSON")
    export.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    imported = actions.add_parser(
        "import", parents=[workspace], help="add the memory an export holds"
    )
    imported.add_argument("file", type=Path, help="a file written by 'aiser memory export'")
    forget = actions.add_parser(
        "forget", parents=[workspace], help="delete memory for good (the file is rewritten)"
    )
    which = forget.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="everything ('forget me')")
    which.add_argument("--question", type=int, metavar="ID", help="one past question")
    which.add_argument("--conversation", metavar="ID", help="every question of a conversation")
    which.add_argument("--term", metavar="TERM", help="a glossary term")
    which.add_argument("--preference", metavar="KEY", help="a preference (e.g. currency)")
    forget.add_argument("--yes", action="store_true", help="with --all: do not ask")


def run(ws: Workspace, args: argparse.Namespace) -> int:
    """Runs ``aiser memory ...``; returns the exit code."""
    from aiser_desktop.core.agent.memory import MemoryStore

    store = MemoryStore(ws.state)
    action = args.memory_action
    if action == "list":
        return _list(store, args)
    if action == "export":
        return _export(store, args.out)
    if action == "import":
        from aiser_desktop.core.agent.memory.store import read_export

        count = store.import_data(read_export(args.file))
        print(f"Imported {count} memory items from {args.file}.")
        return 0
    return _forget(store, args)


def _list(store: Any, args: argparse.Namespace) -> int:
    from aiser_desktop.core.agent.memory import KEYS

    if args.json:
        print(json.dumps(store.export(), ensure_ascii=False, indent=2))
        return 0
    prefs = store.preferences()
    print("Preferences:" if prefs else "Preferences: none")
    for p in prefs:
        print(f"  {KEYS.get(p.key, p.key)} ({p.key}): {p.value}  [{p.origin}]")
    terms = store.glossary()
    print("Glossary:" if terms else "Glossary: none")
    for g in terms:
        print(f"  {g.term}: {g.definition}")
    episodes = store.episodes(limit=args.limit)
    print("Past questions (newest first):" if episodes else "Past questions: none")
    for e in episodes:
        verdict = {1: "helpful", -1: "wrong"}.get(e.feedback, "")
        mark = f"  [{verdict}]" if verdict else ""
        print(f"  #{e.id} {e.asked_at:%Y-%m-%d %H:%M} {e.question}{mark}")
        print(f"      conversation {e.conversation}, by {e.provider}, {e.row_count:,} rows")
    return 0


def _export(store: Any, out: Path | None) -> int:
    from aiser_desktop.core.agent.memory.store import write_export

    if out is None:
        print(json.dumps(store.export(), ensure_ascii=False, indent=2))
        return 0
    count = write_export(store, out)
    print(f"Wrote {count} memory items to {out}.")
    return 0


def _forget(store: Any, args: argparse.Namespace) -> int:
    from aiser_desktop.core.errors import AiserError

    if args.all:
        if not args.yes:
            if not sys.stdin.isatty():
                raise AiserError(
                    "Forgetting everything needs a confirmation.",
                    hint="Add --yes: aiser memory forget --all --yes",
                )
            reply = input("Forget every preference, term and past question? [y/N] ")
            if reply.strip().lower() not in ("y", "yes"):
                print("Nothing was forgotten.")
                return 1
        store.forget_everything()
        print("Forgot everything: preferences, glossary and past questions.")
        return 0
    if args.question is not None:
        found = store.delete_episode(args.question)
        what = f"question #{args.question}"
    elif args.conversation is not None:
        found = store.delete_conversation(args.conversation)
        what = f"conversation {args.conversation}"
    elif args.term is not None:
        match = [g for g in store.glossary() if g.term.lower() == args.term.lower()]
        found = bool(match) and store.delete_term(match[0].id)
        what = f"the term {args.term!r}"
    else:
        found = store.delete_preference(args.preference)
        what = f"the preference {args.preference!r}"
    if not found:
        raise AiserError(
            f"Memory holds no {what}.", hint="See what it holds with 'aiser memory list'."
        )
    print(f"Forgot {what}.")
    return 0
