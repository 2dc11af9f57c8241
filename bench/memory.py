"""The agent's memory: what remembering costs a question, and what forgetting for real costs.

    .venv/bin/python bench/memory.py [--episodes N] [--smoke]

A state.sqlite is filled with N past questions (20,000 by default). Then, side by side:

- recall: the look-ups memory makes for a question (``Memory.reusable``: one indexed key;
  the worked examples: FTS5 with BM25) against the same two done with ``LIKE '%word%'`` scans
  of the table (what one would do without the index and the key); ratio memory/like;
- per question: everything memory adds to a question (the statement check, the knowledge for
  the rules, reuse lookup, recording the episode), in milliseconds;
- forget: deleting one question with the scrub that makes it unreadable (FTS5 optimize, VACUUM,
  WAL truncate) against a plain DELETE; ratio scrub/plain, and the file's size.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

from _common import fmt_ratio, median, ms, ratio, timed

WORDS = ("flights", "carrier", "origin", "dest", "delay", "arrival", "departure", "distance",
         "airport", "plane", "weather", "wind", "month", "year", "day", "hour", "average",
         "total", "count", "number", "top", "busiest", "longest", "late", "cancelled", "JFK",
         "LGA", "EWR", "UA", "DL", "AA", "B6", "revenue", "price", "quantity", "customer",
         "order", "region", "product", "category")  # fmt: skip
QUESTIONS = [
    "average departure delay by carrier",
    "how many flights from JFK in July",
    "total distance by origin",
    "number of cancelled flights per month",
    "top 5 destinations by flights",
]


def fill(path: Path, n: int) -> None:
    from aiser_desktop.core.agent.memory import MemoryStore
    from aiser_desktop.core.agent.memory.recall import question_key
    from aiser_desktop.core.state.store import StateStore

    state = StateStore(path)
    store = MemoryStore(state)
    rng = random.Random(7)
    con = sqlite3.connect(path)
    rows = []
    for i in range(n):
        question = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9)))
        verdict = rng.choice((0, 0, 0, 1, -1))  # some answers were judged
        key = question_key(question)
        rows.append(
            (f"c{i // 5}", question, key, f"select {i}", "[]", 1, "an answer", "rules", verdict)
        )
    with con:
        con.executemany(
            "INSERT INTO memory_episodes (conversation, question, question_key, sql, columns, "
            "row_count, answer, provider, feedback, asked_at) "
            "VALUES (?,?,?,?,?,?,?,?,?, datetime('now'))",
            rows,
        )
        con.execute(
            "INSERT INTO memory_episodes_fts(rowid, question, answer) "
            "SELECT id, question, answer FROM memory_episodes"
        )
    con.close()
    store.scrub()
    state.close()


def like_scan(path: Path, question: str) -> list[int]:
    """The same two look-ups without the FTS5 index and the key: the rows ranked by how many
    of the question's words they contain (examples), and the rows whose question has them
    all (reuse)."""
    words = [w for w in question.lower().split() if len(w) > 1]
    con = sqlite3.connect(path)
    try:
        score = " + ".join("(lower(question) LIKE ?)" for _ in words)
        where = " AND ".join("lower(question) LIKE ?" for _ in words)
        likes = [f"%{w}%" for w in words]
        ranked = con.execute(
            f"SELECT id FROM memory_episodes WHERE sql IS NOT NULL AND feedback >= 0 "
            f"ORDER BY {score} DESC, id DESC LIMIT 20",
            likes,
        ).fetchall()
        same = con.execute(
            f"SELECT id FROM memory_episodes WHERE feedback != 0 AND {where} LIMIT 50", likes
        ).fetchall()
        return [r[0] for r in ranked + same]
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--smoke", action="store_true", help="500 episodes, one round")
    args = parser.parse_args(argv)
    n = 500 if args.smoke else args.episodes
    rounds = 1 if args.smoke else 7

    from aiser_desktop.core.agent.memory import Memory
    from aiser_desktop.core.agent.types import Answer
    from aiser_desktop.core.state.store import StateStore

    with tempfile.TemporaryDirectory(prefix="aiser-bench-memory-") as tmp:
        path = Path(tmp) / "state.sqlite"
        fill(path, n)
        state = StateStore(path)
        memory = Memory(state)
        fts: list[float] = []
        like: list[float] = []
        whole: list[float] = []
        for _ in range(rounds):
            for q in QUESTIONS:
                fts.append(timed(lambda q=q: (memory.reusable(q), memory.examples(q))))
                like.append(timed(lambda q=q: like_scan(path, q)))

                def one_question(q: str = q) -> None:
                    memory.learn(q)
                    memory.knowledge()
                    memory.reusable(q)
                    memory.remember("bench", Answer(q, "select 1", ("x",), ((1,),), 1, None,
                                                    "an answer", "rules", 0.9))  # fmt: skip

                whole.append(timed(one_question))
        size = path.stat().st_size
        victims = [e.id for e in memory.store.episodes(limit=rounds * 2)]
        scrub = [timed(lambda i=i: memory.store.delete_episode(i)) for i in victims[:rounds]]
        con = sqlite3.connect(path, isolation_level=None)
        plain = [
            timed(lambda i=i: con.execute("DELETE FROM memory_episodes WHERE id = ?", (i,)))
            for i in victims[rounds:]
        ]
        con.close()
        state.close()
    print(f"memory over {n:,} past questions, {rounds} rounds, file {size / 1e6:.1f} MB")
    print(f"recall (key reuse + FTS5 examples): median {ms(median(fts))}")
    print(f"recall by LIKE scan:            median {ms(median(like))}")
    print(f"ratio memory/like: {fmt_ratio(ratio(median(fts), median(like)))}")
    print(f"memory's cost per question (learn, knowledge, reuse, record): {ms(median(whole))}")
    print(f"forget one question with the scrub: median {ms(median(scrub))}")
    print(f"plain DELETE (text left in the file): median {ms(median(plain))}")
    print(f"ratio scrub/plain: {fmt_ratio(ratio(median(scrub), median(plain)), 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
