"""The agent evaluation (bench/agent_eval/run.py) still runs: a few questions from each
question set over both real workspaces, and the result comparison it scores with."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bench.agent_eval.run import is_ordered, load_questions, main, results_match


def test_smoke_run_scores_the_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--smoke", "--json", "--workdir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {(r["provider"], r["dataset"]): r for r in report["rows"]}
    total = rows[("rules", "all")]
    assert total["questions"] >= 9
    assert total["coverage"] == 1.0 and total["accuracy"] == 1.0
    assert total["confident_wrong"] == 0
    assert total["refused_right"] == total["should_refuse"] >= 2
    assert total["p95_s"] < 5.0 and total["crashes"] == 0
    assert set(report["index_build_s"]) == {"flights", "shop"}


def test_question_sets_are_big_enough_and_well_formed() -> None:
    counts = {}
    for name in ("flights", "shop", "holdout", "holdout2"):
        questions = [q for conversation in load_questions(name) for q in conversation]
        counts[name] = len(questions)
        for q in questions:
            assert q.refuse or q.sqls, q.id
            assert q.workspace in ("flights", "shop")
        assert len({q.id for q in questions}) == len(questions)
    assert counts["flights"] >= 150 and counts["shop"] >= 40


def test_results_are_compared_as_an_analyst_would() -> None:
    ref = [("JFK", 1.0), ("LGA", 2.5)]
    assert results_match(ref, [("LGA", 2.5000000001), ("JFK", 1)], ordered=False)
    assert not results_match(ref, [("LGA", 2.5), ("JFK", 1.0)], ordered=True)
    # extra columns (a label beside the numbers) are fine; missing ones are not
    assert results_match(ref, [("JFK", "x", Decimal("1.0")), ("LGA", "y", 2.5)], ordered=True)
    assert not results_match(ref, [("JFK",), ("LGA",)], ordered=False)
    assert not results_match(ref, [("JFK", 1.0)], ordered=False)
    # a timestamp at midnight is its date, in UTC
    midnight = datetime(2013, 7, 1, tzinfo=UTC)
    assert results_match([(date(2013, 7, 1), 3)], [(midnight, 3)], ordered=True)
    assert not results_match([(1.0,)], [(1.01,)], ordered=False)


def test_order_matters_only_when_the_reference_sorts() -> None:
    assert is_ordered("SELECT a FROM t ORDER BY a")
    assert not is_ordered("SELECT a FROM (SELECT a FROM t ORDER BY a) s")
