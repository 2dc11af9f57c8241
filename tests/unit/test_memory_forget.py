"""Forgetting is for real (the text is gone from state.sqlite's bytes and its -wal), export
round-trips, and ``aiser memory`` lists, exports and forgets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiser_desktop.core.agent.memory import Memory, MemoryItemError, MemoryStore
from aiser_desktop.core.agent.memory.store import read_export, write_export
from aiser_desktop.core.state.store import StateStore

SECRET_Q = "zebracorn quarterly widgets question"
SECRET_A = "platypus answer ninety"
SECRET_TERM = "wombat margin"
SECRET_DEF = "sum(narwhal_price * qty)"
SECRET_PREF = "quokka filter only"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite")
    try:
        yield store
    finally:
        store.close()


def file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def fill(store: MemoryStore, conversation: str = "c1") -> int:
    store.set_preference("default_filter", SECRET_PREF, "said", f"by default, {SECRET_PREF}")
    store.set_term(SECRET_TERM, SECRET_DEF)
    return store.add_episode(
        conversation, SECRET_Q, "select 42 as x", ["x"], 1, SECRET_A, None, "rules"
    )


def test_forget_everything_removes_the_text_from_the_file(state: StateStore) -> None:
    store = MemoryStore(state)
    fill(store)
    raw = file_bytes(state.path)
    # The test can fail: before forgetting, every text is in the file or its log.
    for text in (SECRET_Q, SECRET_A, SECRET_TERM, SECRET_DEF, SECRET_PREF):
        assert text.encode() in raw, text
    assert b"zebracorn" in raw

    store.forget_everything()
    raw = file_bytes(state.path)
    for text in (SECRET_Q, SECRET_A, SECRET_TERM, SECRET_DEF, SECRET_PREF):
        assert text.encode() not in raw, text
    for word in (b"zebracorn", b"platypus", b"wombat", b"narwhal", b"quokka"):
        assert word not in raw, word  # not even as a word of the full-text index
    assert store.episodes() == [] and store.glossary() == [] and store.preferences() == []


def test_deleting_one_question_removes_it_and_keeps_the_rest(state: StateStore) -> None:
    store = MemoryStore(state)
    gone = fill(store)
    kept = store.add_episode("c2", "flights by carrier", None, [], 0, "kept answer", None, "rules")
    assert store.delete_episode(gone)
    raw = file_bytes(state.path)
    assert b"zebracorn" not in raw and b"platypus" not in raw
    assert [e.id for e in store.episodes()] == [kept]
    assert [e.id for e in store.search("carrier")] == [kept]  # the index still works
    assert store.search("zebracorn") == []


def test_deleting_a_conversation_forgets_only_its_questions(state: StateStore) -> None:
    store = MemoryStore(state)
    fill(store, "gone")
    store.add_episode("gone", "second zebracorn question", None, [], 0, "", None, "rules")
    store.add_episode("kept", "an other question", None, [], 0, "", None, "rules")
    assert store.delete_conversation("gone") == 2
    assert [c for c, _n, _t in store.conversations()] == ["kept"]
    assert b"zebracorn" not in file_bytes(state.path)


def test_export_round_trips(state: StateStore, tmp_path: Path) -> None:
    memory = Memory(state)
    episode = fill(memory.store)
    memory.feedback(episode, True)
    memory.learn("our fiscal year starts in April")
    out = tmp_path / "memory.json"
    assert write_export(memory.store, out) == 4
    exported = read_export(out)

    other = StateStore(tmp_path / "other.sqlite")
    try:
        copy = MemoryStore(other)
        assert copy.import_data(exported) == 4
        again = copy.export()
    finally:
        other.close()

    def comparable(data: dict[str, object]) -> dict[str, object]:
        drop = {"id", "updated_at", "exported_at"}
        return json.loads(
            json.dumps(
                {
                    k: [{f: v for f, v in item.items() if f not in drop} for item in value]
                    for k, value in data.items()
                    if isinstance(value, list)
                }
            )
        )

    assert comparable(again) == comparable(exported)
    assert again["episodes"][0]["feedback"] == 1
    assert again["episodes"][0]["asked_at"] == exported["episodes"][0]["asked_at"]
    assert Memory(state).knowledge().fiscal_year_start == 4


def test_a_file_that_is_not_an_export_is_refused(state: StateStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "aiser-memory/1",\n  "glossary": [,]}')
    with pytest.raises(MemoryItemError, match="line 2"):
        read_export(bad)
    with pytest.raises(MemoryItemError, match="not an Aiser memory export"):
        MemoryStore(state).import_data({"glossary": []})


def test_the_memory_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from aiser_desktop.cli import main
    from aiser_desktop.core.workspace import Workspace

    folder = tmp_path / "ws"
    ws = Workspace.open(folder)
    try:
        episode = fill(MemoryStore(ws.state))
    finally:
        ws.close()
    assert main(["memory", "list", "--workspace", str(folder)]) == 0
    listed = capsys.readouterr().out
    assert SECRET_Q in listed and SECRET_TERM in listed and SECRET_PREF in listed
    out = tmp_path / "m.json"
    assert main(["memory", "export", "--out", str(out), "--workspace", str(folder)]) == 0
    assert json.loads(out.read_text())["episodes"][0]["question"] == SECRET_Q
    capsys.readouterr()
    assert main(["memory", "forget", "--question", str(episode), "--workspace", str(folder)]) == 0
    assert main(["memory", "forget", "--question", "999", "--workspace", str(folder)]) == 1
    assert "no question #999" in capsys.readouterr().err
    assert main(["memory", "forget", "--all", "--yes", "--workspace", str(folder)]) == 0
    assert b"wombat" not in file_bytes(folder / "state.sqlite")
