"""Scores the agent's providers on question sets with reference SQL (execution accuracy).

    .venv/bin/python bench/agent_eval/run.py                      # rules, both datasets
    .venv/bin/python bench/agent_eval/run.py --show-failures
    .venv/bin/python bench/agent_eval/run.py --dataset shop --only s-top-01
    .venv/bin/python bench/agent_eval/run.py --smoke              # a few questions, fast

For every question the provider's SQL and the reference SQL both run on the same workspace;
the results are compared as multisets of rows (as sequences when the reference's outermost
query has ORDER BY), numbers with a relative tolerance of 1e-6, a timestamp at midnight as
its date. A prediction may carry extra columns (a label beside a number) but must have every
reference column and the same rows. See README.md for the metrics.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from shop_data import build_shop  # noqa: E402

from aiser_desktop.core.agent.types import Interpretation, Refusal, Turn  # noqa: E402
from aiser_desktop.core.workspace import Workspace  # noqa: E402

WORKSPACES = ("flights", "shop")
QUESTION_SETS = ("flights", "shop", "holdout", "holdout2")  # files <name>.yaml
SMOKE_IDS = {
    "count-01",
    "group-01",
    "top-01",
    "trend-01",
    "refuse-04",
    "conv-02",
    "s-count-01",
    "s-group-01",
    "s-refuse-01",
}
MAX_ROWS = 100_000
REL_TOL = 1e-6


# ---------------------------------------------------------------------------------- questions


@dataclass
class Question:
    """One question to score (a turn of a conversation is one too).

    Attributes:
        dataset: The question set (file) it comes from.
        workspace: The workspace it is asked of ("flights" or "shop").
    """

    id: str
    dataset: str
    workspace: str
    text: str
    sqls: list[str]
    refuse: bool
    history: list[str] = field(default_factory=list)  # ids of the earlier turns
    tags: tuple[str, ...] = ()


def load_questions(dataset: str) -> list[list[Question]]:
    """The set's questions, as conversations (a single question is one of one turn)."""
    import yaml

    data = yaml.safe_load((HERE / f"{dataset}.yaml").read_text(encoding="utf-8"))
    conversations: list[list[Question]] = []
    for item in data["questions"]:
        workspace = item.get("dataset", data["dataset"])
        turns = item.get("turns") or [item]
        conversation: list[Question] = []
        for n, turn in enumerate(turns):
            sql = turn.get("sql") or []
            qid = item["id"] if len(turns) == 1 else f"{item['id']}.{n + 1}"
            conversation.append(
                Question(
                    id=qid,
                    dataset=dataset,
                    workspace=workspace,
                    text=turn["q"],
                    sqls=[sql] if isinstance(sql, str) else list(sql),
                    refuse=bool(turn.get("refuse")),
                    history=[q.id for q in conversation],
                    tags=tuple(item.get("tags", ())),
                )
            )
        conversations.append(conversation)
    return conversations


# ---------------------------------------------------------------------------------- workspaces


def open_workspace(dataset: str, workdir: Path) -> Workspace:
    """The dataset's workspace in ``workdir`` (made the first time, reused after)."""
    folder = workdir / dataset
    fresh = not (folder / "state.sqlite").exists()
    ws = Workspace.open(folder)
    if fresh or not ws.sources.records():
        if dataset == "flights":
            from aiser_desktop.core.sample import load_sample

            load_sample(ws)
        else:
            database = build_shop(workdir / "shop.sqlite")
            ws.sources.add(database, name="shop")
    return ws


# ---------------------------------------------------------------------------------- comparing


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date()
        return value
    if isinstance(value, date):
        return value
    return str(value)


def _key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, float):
        return (2, value if not math.isnan(value) else 0.0)
    if isinstance(value, (date, datetime)):
        return (3, value.isoformat())
    return (4, str(value))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9) or (
            math.isnan(a) and math.isnan(b)
        )
    return bool(a == b)


def _same_rows(a: Sequence[tuple[Any, ...]], b: Sequence[tuple[Any, ...]], ordered: bool) -> bool:
    if len(a) != len(b):
        return False
    if not ordered:
        a = sorted(a, key=lambda r: tuple(_key(v) for v in r))
        b = sorted(b, key=lambda r: tuple(_key(v) for v in r))
    return all(
        all(_same(x, y) for x, y in zip(ra, rb, strict=True)) for ra, rb in zip(a, b, strict=True)
    )


def results_match(
    reference: list[tuple[Any, ...]], predicted: list[tuple[Any, ...]], ordered: bool
) -> bool:
    """Whether ``predicted`` holds the reference's rows: every reference column matched by
    a distinct predicted column, rows equal as multisets (sequences when ``ordered``)."""
    ref = [tuple(_norm(v) for v in row) for row in reference]
    pred = [tuple(_norm(v) for v in row) for row in predicted]
    if len(ref) != len(pred):
        return False
    if not ref:
        return True
    k, m = len(ref[0]), len(pred[0])
    if m < k:
        return False
    ref_cols = [[row[i] for row in ref] for i in range(k)]
    pred_cols = [[row[j] for row in pred] for j in range(m)]
    candidates = [
        [
            j
            for j in range(m)
            if _same_rows([(v,) for v in ref_cols[i]], [(v,) for v in pred_cols[j]], ordered)
        ]
        for i in range(k)
    ]

    def assign(i: int, chosen: list[int]) -> bool:
        if i == k:
            projected = [tuple(row[j] for j in chosen) for row in pred]
            return _same_rows(ref, projected, ordered)
        return any(j not in chosen and assign(i + 1, [*chosen, j]) for j in candidates[i])

    return assign(0, [])


def is_ordered(sql: str) -> bool:
    """Whether the outermost query of ``sql`` has ORDER BY."""
    import sqlglot

    tree = sqlglot.parse_one(sql, dialect="duckdb")
    return tree.args.get("order") is not None


# ---------------------------------------------------------------------------------- providers


@dataclass
class Outcome:
    """What a provider made of one question."""

    sql: str | None
    confidence: float
    reason: str = ""
    error: str = ""
    crash: str = ""  # the provider raised instead of answering or refusing
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    seconds: float = 0.0
    turn: Turn | None = None


Provider = Callable[[Workspace, str, list[Turn]], Outcome]


def rules_provider(ws: Workspace, question: str, history: list[Turn]) -> Outcome:
    """The rules provider: the schema index, :func:`interpret`, then the engine."""
    from aiser_desktop.core.agent.rules import interpret
    from aiser_desktop.core.agent.schema_index import SchemaIndex

    index = SchemaIndex.for_workspace(ws)
    result = interpret(question, index, history)
    if isinstance(result, Refusal):
        return Outcome(None, 0.0, reason=result.reason, turn=Turn(question))
    assert isinstance(result, Interpretation)
    outcome = Outcome(result.sql, result.confidence, turn=Turn(question, result.sql, result))
    try:
        handle = ws.engine.execute(result.sql, max_rows=MAX_ROWS)
        outcome.rows = handle.rows(0, MAX_ROWS)
    except Exception as exc:  # the SQL failed: scored as a wrong answer
        outcome.error = str(exc).splitlines()[0]
    return outcome


class LoopProvider:
    """A provider through the agent's loop (``core/agent/loop.py``): ``loop:rules``,
    ``local``, ``litellm:MODEL``. One conversation per workspace, reset at each new
    conversation of the question set, so follow-ups see their own history only."""

    def __init__(self, name: str) -> None:
        from aiser_desktop.core.agent.providers import make_provider
        from aiser_desktop.core.config import Settings

        self.name = name
        # The person's settings: a GGUF path, an API base, a key reference in the keyring.
        self.provider = make_provider(name.removeprefix("loop:"), Settings.load())
        self.conversations: dict[int, Any] = {}

    def __call__(self, ws: Workspace, question: str, history: list[Turn]) -> Outcome:
        from aiser_desktop.core.agent.loop import Conversation

        conversation = self.conversations.get(id(ws))
        if conversation is None:
            conversation = Conversation.for_workspace(ws, self.provider)
            self.conversations[id(ws)] = conversation
        if not history:
            conversation.reset()
        answer = conversation.ask(question)
        if answer.sql is None:
            return Outcome(None, 0.0, reason=answer.answer, turn=Turn(question))
        outcome = Outcome(answer.sql, answer.confidence, turn=Turn(question, answer.sql))
        try:
            outcome.rows = ws.engine.execute(answer.sql, max_rows=MAX_ROWS).rows(0, MAX_ROWS)
        except Exception as exc:  # the SQL failed: scored as a wrong answer
            outcome.error = str(exc).splitlines()[0]
        return outcome

    def close(self) -> None:
        for conversation in self.conversations.values():
            conversation.close()
        self.conversations.clear()


def loop_provider(name: str) -> Provider | None:
    """A provider through the agent's loop, or None when the loop is not installed."""
    try:
        return LoopProvider(name)
    except ImportError:
        return None


# ---------------------------------------------------------------------------------- scoring


@dataclass
class Score:
    question: Question
    outcome: Outcome
    correct: bool
    verdict: str  # right, wrong, refused, refused-right, answered-unanswerable, error


def references(
    ws: Workspace, question: Question, cache: dict[str, Any]
) -> list[tuple[list[tuple[Any, ...]], bool]]:
    found = []
    for sql in question.sqls:
        if sql not in cache:
            rows = ws.engine.execute(sql, max_rows=MAX_ROWS).rows(0, MAX_ROWS)
            cache[sql] = (rows, is_ordered(sql))
        found.append(cache[sql])
    return found


def score(ws: Workspace, question: Question, outcome: Outcome, cache: dict[str, Any]) -> Score:
    if outcome.crash:
        return Score(question, outcome, False, "crash")
    if question.refuse:
        if outcome.sql is None:
            return Score(question, outcome, True, "refused-right")
        return Score(question, outcome, False, "answered-unanswerable")
    if outcome.sql is None:
        return Score(question, outcome, False, "refused")
    if outcome.error:
        return Score(question, outcome, False, "error")
    for rows, ordered in references(ws, question, cache):
        if results_match(rows, outcome.rows, ordered):
            return Score(question, outcome, True, "right")
    return Score(question, outcome, False, "wrong")


def run_dataset(
    ws: Workspace, provider: Provider, conversations: list[list[Question]]
) -> list[Score]:
    cache: dict[str, Any] = {}
    scores = []
    for conversation in conversations:
        history: list[Turn] = []
        for question in conversation:
            started = time.perf_counter()
            try:
                outcome = provider(ws, question.text, list(history))
            except Exception as exc:  # a provider that crashes scores as no answer
                outcome = Outcome(None, 0.0, reason="", crash=f"{type(exc).__name__}: {exc}")
            outcome.seconds = time.perf_counter() - started
            scores.append(score(ws, question, outcome, cache))
            history.append(outcome.turn or Turn(question.text, outcome.sql))
    return scores


def summary(scores: list[Score]) -> dict[str, Any]:
    answerable = [s for s in scores if not s.question.refuse]
    unanswerable = [s for s in scores if s.question.refuse]
    answered = [s for s in scores if s.outcome.sql is not None]
    answered_ok = [s for s in answered if not s.question.refuse]
    right = [s for s in answered if s.correct]
    confident_wrong = [
        s for s in answered if not s.correct and (s.outcome.confidence >= 0.5 or s.question.refuse)
    ]
    latencies = sorted(s.outcome.seconds for s in scores)
    p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)] if latencies else float("nan")
    return {
        "questions": len(scores),
        "answerable": len(answerable),
        "coverage": len(answered_ok) / len(answerable) if answerable else float("nan"),
        "accuracy": len(right) / len(answered) if answered else float("nan"),
        "right": len(right),
        "answered": len(answered),
        "answered_ok": len(answered_ok),
        "confident_wrong": len(confident_wrong),
        "refused_right": sum(1 for s in unanswerable if s.correct),
        "should_refuse": len(unanswerable),
        "answered_unanswerable": sum(
            1 for s in unanswerable if not s.correct and s.outcome.sql is not None
        ),
        "crashes": sum(1 for s in scores if s.outcome.crash),
        "median_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": p95,
    }


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f}%"


def print_table(rows: list[tuple[str, str, dict[str, Any]]]) -> None:
    headers = [
        "provider",
        "dataset",
        "questions",
        "coverage",
        "accuracy",
        "conf. wrong",
        "refused ok",
        "crashed",
        "median",
        "p95",
    ]
    body = [
        [
            provider,
            dataset,
            str(s["questions"]),
            f"{_pct(s['coverage'])} ({s['answered_ok']}/{s['answerable']})",
            f"{_pct(s['accuracy'])} ({s['right']}/{s['answered']})",
            str(s["confident_wrong"]),
            f"{s['refused_right']}/{s['should_refuse']}",
            str(s["crashes"]),
            f"{1000 * s['median_s']:.0f} ms",
            f"{1000 * s['p95_s']:.0f} ms",
        ]
        for provider, dataset, s in rows
    ]
    widths = [max(len(r[i]) for r in [headers, *body]) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        cells = zip(r, widths, strict=True)
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(cells))

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in body:
        print(line(r))


def goals(provider: str, totals: dict[str, Any]) -> list[str]:
    if provider not in ("rules", "loop:rules"):
        return []
    checks = [
        ("accuracy on answered >= 85%", totals["accuracy"] >= 0.85),
        ("coverage >= 70%", totals["coverage"] >= 0.70),
        ("no answer where it should refuse", totals["answered_unanswerable"] == 0),
        ("p95 latency < 5 s", totals["p95_s"] < 5.0),
    ]
    return [
        f"goal ({provider}, all datasets): {label}: {'met' if ok else 'NOT met'}"
        for label, ok in checks
    ]


def iter_failures(scores: list[Score]) -> Iterator[str]:
    for s in scores:
        if s.correct:
            continue
        o = s.outcome
        yield f"[{s.verdict}] {s.question.id}: {s.question.text}"
        if o.sql:
            yield f"    sql ({o.confidence:.2f}): {o.sql}"
        if o.reason:
            yield f"    refused: {o.reason}"
        if o.error:
            yield f"    error: {o.error}"
        if o.crash:
            yield f"    crash: {o.crash}"
        if s.verdict == "wrong":
            yield f"    got: {str(o.rows[:3])[:200]}"
            yield f"    ref: {s.question.sqls[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset",
        choices=[*QUESTION_SETS, "all"],
        default="all",
        help="a question set (file NAME.yaml), or all",
    )
    parser.add_argument(
        "--provider",
        action="append",
        help="rules (default: the interpreter and the engine, directly), or through the "
        "agent's loop: loop:rules, local, litellm:MODEL (may be given several times)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the workspaces here between runs")
    parser.add_argument("--only", action="append", help="question ids (prefixes) to run")
    parser.add_argument("--smoke", action="store_true", help="a few questions only")
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    providers: dict[str, Provider] = {}
    for name in args.provider or ["rules"]:
        if name == "rules":
            providers[name] = rules_provider
            continue
        found = loop_provider(name)
        if found is None:
            print(
                f"provider {name!r} needs the agent's loop, which is not installed", file=sys.stderr
            )
            return 2
        providers[name] = found

    sets = QUESTION_SETS if args.dataset == "all" else (args.dataset,)
    conversations: list[list[Question]] = []
    for name in sets:
        conversations += load_questions(name)
    if args.smoke or args.only:
        wanted = SMOKE_IDS if args.smoke else set(args.only)
        conversations = [
            c
            for c in conversations
            if any(q.id.split(".")[0] == w or q.id.startswith(w) for q in c for w in wanted)
        ]

    with tempfile.TemporaryDirectory(prefix="aiser-agent-eval-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        all_scores: dict[str, list[Score]] = {}
        build_times: dict[str, float] = {}
        for workspace in WORKSPACES:
            mine = [c for c in conversations if c[0].workspace == workspace]
            if not mine:
                continue
            ws = open_workspace(workspace, workdir)
            try:
                from aiser_desktop.core.agent.schema_index import SchemaIndex, clear_cache

                clear_cache()
                started = time.perf_counter()
                SchemaIndex.for_workspace(ws)
                build_times[workspace] = time.perf_counter() - started
                for name, provider in providers.items():
                    all_scores.setdefault(name, []).extend(run_dataset(ws, provider, mine))
            finally:
                for provider in providers.values():
                    if isinstance(provider, LoopProvider):
                        provider.close()
                ws.close()
        rows: list[tuple[str, str, dict[str, Any]]] = []
        failures: list[str] = []
        for name, scores in all_scores.items():
            groups: dict[str, list[Score]] = {}
            for sc in scores:
                label = sc.question.dataset
                if label not in WORKSPACES:
                    label = f"{label}:{sc.question.workspace}"
                groups.setdefault(label, []).append(sc)
            for label, group in groups.items():
                rows.append((name, label, summary(group)))
            rows.append((name, "all", summary(scores)))
            if args.show_failures:
                failures += list(iter_failures(scores))
        if args.json:
            print(
                json.dumps(
                    {
                        "rows": [{"provider": p, "dataset": d, **s} for p, d, s in rows],
                        "index_build_s": build_times,
                    },
                    default=str,
                )
            )
            return 0
        print_table(rows)
        print()
        for workspace, seconds in build_times.items():
            print(f"schema index built for {workspace} in {1000 * seconds:.0f} ms")
        for name in all_scores:
            for line in goals(name, next(s for p, d, s in rows if p == name and d == "all")):
                print(line)
        if failures:
            print()
            print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
