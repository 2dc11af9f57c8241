"""The agent's metric path against its SQL path, and the model editor's check, on the sample.

A workspace holds the nycflights13 sample with the model ``generate_model`` writes for it.
Printed, side by side:

- per question (metric questions such as "flights per carrier"), the rules provider's answer
  with the model (read into a Cube query, compiled, checked by the read-only guard, run) and
  without it (the SQL rules over the schema index), each the median of 5 ``ask`` calls after a
  warm-up, their ratio, and whether both answers hold the same numbers;
- the metric reading alone (``interpret_metrics``: reading, compiling and the guard's check),
  median over the questions;
- the model editor's check of the biggest model file (``validate_text``) and loading the whole
  model (``load_model``), medians of 20 (the editor checks on a task thread; this says how long
  a person waits for the underline).

Usage:
    python bench/metrics_agent.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _common import fmt_ratio, median, ms, timed

QUESTIONS = [
    "flights per carrier",
    "how many flights each month",
    "total distance by month",
    "average dep delay by origin",
    "average arr delay by carrier",
    "top 5 dest by number of flights",
    "total air time by origin in 2013",
    "number of planes per manufacturer",
]
ROUNDS = 5


def _rows(answer: object) -> set[tuple[object, ...]]:
    rows = getattr(answer, "rows", ())
    return {tuple(round(v, 3) if isinstance(v, float) else v for v in row) for row in rows}


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from aiser_desktop.core.agent.loop import Conversation
    from aiser_desktop.core.agent.rules import metrics
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.security.sql_guard import ReadOnlyRunner
    from aiser_desktop.core.semantic import generate_model, load_model, validate_text
    from aiser_desktop.core.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix="aiser-bench-metrics-")) / "ws"
    ws = Workspace.open(folder)
    try:
        load_sample(ws)
        files = generate_model(ws.sources.catalog(), ws.path)
        model = metrics.model_for(ws.path)
        runner = ReadOnlyRunner(ws.engine, ws.sources.catalog())
        print(f"model: {len(model.cubes)} cubes, {len(model.members())} members\n")

        with_model: dict[str, tuple[float, object]] = {}
        conversation = Conversation.for_workspace(ws, memory=None)
        for question in QUESTIONS:
            answer = conversation.ask(question)  # warm-up
            times = [timed(lambda q=question: conversation.ask(q)) for _ in range(ROUNDS)]
            conversation.reset()
            with_model[question] = (median(times), answer)
        readings = []
        for question in QUESTIONS:

            def read(q: str = question) -> object:
                return metrics.interpret_metrics(q, model, runner)

            readings.append(median([timed(read) for _ in range(ROUNDS)]))

        moved = folder.parent / "model-aside"
        shutil.move(str(folder / "model"), moved)
        rows = []
        same = 0
        used = 0
        try:
            for question in QUESTIONS:
                answer = conversation.ask(question)
                times = [timed(lambda q=question: conversation.ask(q)) for _ in range(ROUNDS)]
                conversation.reset()
                seconds, metric_answer = with_model[question]
                by_metric = any("metric" in a for a in metric_answer.assumptions)  # type: ignore[attr-defined]
                used += by_metric
                agree = bool(answer.sql) and _rows(answer) == _rows(metric_answer)
                same += agree
                rows.append((question, seconds, median(times), by_metric, agree, answer.sql))
        finally:
            shutil.move(str(moved), folder / "model")

        print(f"{'question':36} {'metric path':>12} {'SQL rules':>10} {'ratio':>7}  "
              "metric?  same numbers")  # fmt: skip
        for question, metric_s, sql_s, by_metric, agree, sql in rows:
            note = "yes" if agree else ("(SQL rules refused)" if not sql else "no")
            print(
                f"{question:36} {ms(metric_s):>12} {ms(sql_s):>10} "
                f"{fmt_ratio(metric_s / sql_s):>7}  {'yes' if by_metric else 'no':7}  {note}"
            )
        ratios = [m / s for _q, m, s, *_ in rows if s > 0]
        print(
            f"\nanswered by a metric: {used} of {len(QUESTIONS)}; same numbers as the SQL "
            f"rules: {same} of {len(QUESTIONS)}; median ratio metric/SQL path: "
            f"{fmt_ratio(median(ratios))}"
        )
        print(f"metric reading alone (read, compile, guard check): median {ms(median(readings))}")

        print()
        evaluate(ws, model, runner, "flights")
        evaluate_shop(folder.parent)

        biggest = max(files, key=lambda p: p.stat().st_size)
        text = biggest.read_text(encoding="utf-8")
        check = median([timed(lambda: validate_text(text, biggest, model)) for _ in range(20)])
        load = median([timed(lambda: load_model(ws.path)) for _ in range(20)])
        print(
            f"model editor check of {biggest.name} ({len(text.splitlines())} lines): "
            f"median {ms(check)}; load_model ({len(files)} files): median {ms(load)}"
        )
    finally:
        ws.close()
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


def evaluate_shop(workdir: Path) -> None:
    """:func:`evaluate` on the generated shop database (a SQLite file, linked), with its
    generated model."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "agent_eval"))
    from shop_data import build_shop

    from aiser_desktop.core.agent.rules import metrics
    from aiser_desktop.core.security.sql_guard import ReadOnlyRunner
    from aiser_desktop.core.semantic import generate_model
    from aiser_desktop.core.workspace import Workspace

    ws = Workspace.open(workdir / "shop-ws")
    try:
        ws.sources.add(build_shop(workdir / "shop.sqlite"), name="shop")
        generate_model(ws.sources.catalog(), ws.path)
        model = metrics.model_for(ws.path)
        evaluate(ws, model, ReadOnlyRunner(ws.engine, ws.sources.catalog()), "shop")
    finally:
        ws.close()


def evaluate(ws: object, model: object, runner: object, workspace: str) -> None:
    """The agent's question sets (single questions on ``workspace``): how many the metric
    path takes, and how many of those it answers right, beside the SQL rules on the same."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "agent_eval"))
    from run import load_questions, results_match

    from aiser_desktop.core.agent.rules import interpret, metrics
    from aiser_desktop.core.agent.schema_index import SchemaIndex
    from aiser_desktop.core.agent.types import Interpretation

    def rows(sql: str) -> list[tuple[object, ...]]:
        with ws.engine.cursor() as cur:  # type: ignore[attr-defined]
            return [tuple(r) for r in cur.execute(sql).fetchall()]

    def right(sql: str, references: list[str]) -> bool:
        got = rows(sql)
        return any(
            results_match(rows(ref), got, "order by" in ref.lower().rsplit(")", 1)[-1])
            for ref in references
        )

    index = SchemaIndex.for_workspace(ws)  # type: ignore[arg-type]
    taken = by_metric = by_rules = asked = 0
    wrong: list[str] = []
    for dataset in (workspace, "holdout", "holdout2"):
        for conversation in load_questions(dataset):
            if len(conversation) != 1 or conversation[0].workspace != workspace:
                continue
            question = conversation[0]
            if question.refuse:
                continue
            asked += 1
            found = metrics.interpret_metrics(question.text, model, runner)  # type: ignore[arg-type]
            if found is None:
                continue
            taken += 1
            metric_ok = right(found.sql, question.sqls)
            by_metric += metric_ok
            rules = interpret(question.text, index, [])
            by_rules += isinstance(rules, Interpretation) and right(rules.sql, question.sqls)
            if not metric_ok:
                wrong.append(f"{question.id}: {question.text}")
    print(
        f"question sets on {workspace} ({workspace}, holdout, holdout2; {asked} single "
        "questions): the metric "
        f"path takes {taken}; right by the metric path {by_metric} of {taken}, by the SQL "
        f"rules {by_rules} of {taken}"
    )
    for line in wrong:
        print("  metric path wrong:", line)


if __name__ == "__main__":
    sys.exit(main())
