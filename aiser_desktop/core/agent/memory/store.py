"""The agent's memory in state.sqlite: preferences, episodes, glossary; export and forgetting.

The tables are SQLAlchemy models (``core/state/models.py``, migration 0005). The episodes'
full-text index is an FTS5 table made here on first use (it is derived data: rebuilt from the
episodes whenever it is missing), so search stays offline and needs no extension.

Forgetting is for real: a deleted row's text would survive in free pages, in FTS5's old
segments and in the write-ahead log, so every delete ends with an FTS5 ``optimize`` (merges
the segments, dropping deleted entries), ``VACUUM`` (rewrites the file) and a ``TRUNCATE``
checkpoint (empties the -wal file). ``tests/unit/test_memory_forget.py`` reads the raw bytes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, text, update

from aiser_desktop.core.agent.memory.recall import question_key
from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.state.models import (
    GlossaryRecord,
    MemoryEpisodeRecord,
    MemoryPreferenceRecord,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from aiser_desktop.core.state.store import StateStore

FTS = "memory_episodes_fts"
EXPORT_FORMAT = "aiser-memory/1"
MAX_TERM = 200
SEARCH_WINDOW = 5000  # similar questions are looked for among the latest this many


class MemoryItemError(AiserError):
    """A memory item cannot be stored so, or a memory file cannot be read."""


@dataclass(frozen=True)
class Preference:
    key: str
    value: str
    origin: str  # said, correction, edited
    said: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Episode:
    """One question and its answer, as remembered.

    Attributes:
        feedback: 1 (the person marked it helpful), -1 (wrong), 0 (no verdict).
    """

    id: int
    conversation: str
    question: str
    sql: str | None
    columns: list[str]
    row_count: int
    answer: str
    chart: dict[str, Any] | None
    provider: str
    feedback: int
    asked_at: datetime


@dataclass(frozen=True)
class GlossaryEntry:
    id: int
    term: str
    definition: str
    updated_at: datetime


class MemoryStore:
    """The memory tables of one workspace's state.sqlite.

    Args:
        state: The workspace's state store (its sessions and its file).
    """

    def __init__(self, state: StateStore) -> None:
        self.state = state
        self._ensure_fts()

    @property
    def path(self) -> Path:
        return self.state.path

    # -------------------------------------------------------------- preferences
    def preferences(self) -> list[Preference]:
        with self.state.session() as s:
            rows = s.scalars(select(MemoryPreferenceRecord).order_by(MemoryPreferenceRecord.key))
            return [Preference(r.key, r.value, r.origin, r.said, _utc(r.updated_at)) for r in rows]

    def preference(self, key: str) -> str | None:
        with self.state.session() as s:
            record = s.scalars(
                select(MemoryPreferenceRecord).where(MemoryPreferenceRecord.key == key)
            ).first()
            return record.value if record else None

    def set_preference(
        self, key: str, value: str, origin: str = "edited", said: str | None = None
    ) -> None:
        """Sets (or replaces) one preference."""
        with self.state.session() as s:
            record = s.scalars(
                select(MemoryPreferenceRecord).where(MemoryPreferenceRecord.key == key)
            ).first()
            if record is None:
                s.add(MemoryPreferenceRecord(key=key, value=value, origin=origin, said=said))
            else:
                record.value, record.origin, record.said = value, origin, said

    def delete_preference(self, key: str) -> bool:
        with self.state.session() as s:
            done = s.execute(
                delete(MemoryPreferenceRecord).where(MemoryPreferenceRecord.key == key)
            )
            found = bool(getattr(done, "rowcount", 0))
        self.scrub()
        return found

    # -------------------------------------------------------------- glossary
    def glossary(self) -> list[GlossaryEntry]:
        with self.state.session() as s:
            rows = s.scalars(select(GlossaryRecord).order_by(GlossaryRecord.term))
            return [GlossaryEntry(r.id, r.term, r.definition, _utc(r.updated_at)) for r in rows]

    def set_term(self, term: str, definition: str) -> GlossaryEntry:
        """Defines (or redefines) a business term.

        Raises:
            MemoryItemError: The term or its definition is empty, or the term is too long.
        """
        term = " ".join(term.split()).strip("\"'")
        definition = definition.strip()
        if not term or not definition:
            raise MemoryItemError(
                "A glossary entry needs a term and what it means.",
                hint="For example: revenue means sum(price * qty).",
            )
        if len(term) > MAX_TERM:
            raise MemoryItemError(
                f"That term is {len(term)} characters long; at most {MAX_TERM} fit.",
                hint="Use a shorter term.",
            )
        with self.state.session() as s:
            record = s.scalars(
                select(GlossaryRecord).where(func.lower(GlossaryRecord.term) == term.lower())
            ).first()
            if record is None:
                record = GlossaryRecord(term=term, definition=definition)
                s.add(record)
            else:
                record.term, record.definition = term, definition
            s.flush()
            return GlossaryEntry(record.id, record.term, record.definition, utcnow())

    def delete_term(self, term_id: int) -> bool:
        with self.state.session() as s:
            done = s.execute(delete(GlossaryRecord).where(GlossaryRecord.id == term_id))
            found = bool(getattr(done, "rowcount", 0))
        self.scrub()
        return found

    # -------------------------------------------------------------- episodes
    def add_episode(
        self,
        conversation: str,
        question: str,
        sql: str | None,
        columns: list[str],
        row_count: int,
        answer: str,
        chart: dict[str, Any] | None,
        provider: str,
    ) -> int:
        """Remembers one answered question; returns its id."""
        with self.state.session() as s:
            record = MemoryEpisodeRecord(
                conversation=conversation,
                question=question,
                question_key=question_key(question),
                sql=sql,
                columns=columns,
                row_count=row_count,
                answer=answer,
                chart=chart,
                provider=provider[:100],
                feedback=0,
            )
            s.add(record)
            s.flush()
            s.execute(
                text(f"INSERT INTO {FTS}(rowid, question, answer) VALUES (:id, :q, :a)"),
                {"id": record.id, "q": question, "a": answer},
            )
            return int(record.id)

    def set_feedback(self, episode_id: int, feedback: int) -> bool:
        """Records the person's verdict: 1 helpful, -1 wrong, 0 none."""
        with self.state.session() as s:
            done = s.execute(
                update(MemoryEpisodeRecord)
                .where(MemoryEpisodeRecord.id == episode_id)
                .values(feedback=max(-1, min(1, int(feedback))))
            )
            return bool(getattr(done, "rowcount", 0))

    def episodes(self, limit: int = 500, search: str = "") -> list[Episode]:
        """The latest episodes, newest first (``search``: FTS5 words, best matches)."""
        if search.strip():
            return self.search(search, limit)
        with self.state.session() as s:
            rows = s.scalars(
                select(MemoryEpisodeRecord).order_by(MemoryEpisodeRecord.id.desc()).limit(limit)
            )
            return [_episode(r) for r in rows]

    def same_questions(self, question: str, limit: int = 20) -> list[Episode]:
        """Earlier answers with SQL and a verdict to the same question, maybe in other words
        (the same :func:`~aiser_desktop.core.agent.memory.recall.question_key`), newest
        first: one indexed lookup, however long memory is."""
        key = question_key(question)
        if not key:
            return []
        table = MemoryEpisodeRecord.__table__
        query = (
            select(table)
            .where(table.c.question_key == key, table.c.sql.is_not(None), table.c.feedback != 0)
            .order_by(table.c.id.desc())
            .limit(limit)
        )
        with self.state.session() as s:
            return [_episode(r) for r in s.execute(query)]

    def episode(self, episode_id: int) -> Episode | None:
        with self.state.session() as s:
            record = s.get(MemoryEpisodeRecord, episode_id)
            return _episode(record) if record else None

    def search(self, question: str, limit: int = 20, *, usable: str = "") -> list[Episode]:
        """Episodes whose question shares words with ``question``, most similar first (BM25
        over the FTS5 index, words stemmed by Porter).

        Args:
            question: The words to look for.
            limit: At most this many.
            usable: "judged": only answers with SQL and a verdict (reuse); "examples": only
                answers with SQL not marked wrong; "": all.
        """
        words = [w for w in re.findall(r"\w+", question.lower()) if len(w) > 1]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        condition = {"judged": "e.feedback != 0", "examples": "e.feedback >= 0"}.get(usable)
        only = f" AND e.sql IS NOT NULL AND {condition}" if condition else ""
        # Ranking every match of common words costs; the latest questions say most.
        only += (
            f" AND f.rowid > (SELECT coalesce(max(id), 0) - {SEARCH_WINDOW} FROM memory_episodes)"
        )
        with self.state.session() as s:
            ids = [
                int(r[0])
                for r in s.execute(
                    text(
                        f"SELECT f.rowid FROM {FTS} f JOIN memory_episodes e ON e.id = f.rowid "
                        f"WHERE {FTS} MATCH :m{only} ORDER BY bm25({FTS}, 4.0, 1.0) LIMIT :n"
                    ),
                    {"m": match, "n": limit},
                )
            ]
            if not ids:
                return []
            table = MemoryEpisodeRecord.__table__
            # Plain rows, not ORM objects: a search runs before every question.
            records = {r.id: r for r in s.execute(select(table).where(table.c.id.in_(ids)))}
            return [_episode(records[i]) for i in ids if i in records]

    def delete_episode(self, episode_id: int) -> bool:
        with self.state.session() as s:
            found = self._drop_episodes(s, [episode_id])
        self.scrub()
        return found > 0

    def delete_conversation(self, conversation: str) -> int:
        """Forgets every question of one conversation; returns how many."""
        with self.state.session() as s:
            ids = list(
                s.scalars(
                    select(MemoryEpisodeRecord.id).where(
                        MemoryEpisodeRecord.conversation == conversation
                    )
                )
            )
            found = self._drop_episodes(s, ids)
        self.scrub()
        return found

    def conversations(self) -> list[tuple[str, int, datetime]]:
        """(conversation, questions, first asked) of every remembered conversation."""
        with self.state.session() as s:
            rows = s.execute(
                select(
                    MemoryEpisodeRecord.conversation,
                    func.count(),
                    func.min(MemoryEpisodeRecord.asked_at),
                )
                .group_by(MemoryEpisodeRecord.conversation)
                .order_by(func.min(MemoryEpisodeRecord.asked_at))
            ).all()
            return [(str(c), int(n), _utc(t)) for c, n, t in rows]

    @staticmethod
    def _drop_episodes(s: Session, ids: list[int]) -> int:
        if not ids:
            return 0
        done = s.execute(delete(MemoryEpisodeRecord).where(MemoryEpisodeRecord.id.in_(ids)))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join(str(int(i)) for i in chunk)
            s.execute(text(f"DELETE FROM {FTS} WHERE rowid IN ({marks})"))
        return int(getattr(done, "rowcount", 0) or 0)

    # -------------------------------------------------------------- everything
    def forget_everything(self) -> None:
        """Deletes every preference, glossary term and episode, and scrubs the file."""
        with self.state.session() as s:
            s.execute(delete(MemoryEpisodeRecord))
            s.execute(delete(GlossaryRecord))
            s.execute(delete(MemoryPreferenceRecord))
            s.execute(text(f"DELETE FROM {FTS}"))
        self.scrub()

    def export(self) -> dict[str, Any]:
        """All memory as plain JSON data (``import_data`` reads it back)."""
        return {
            "format": EXPORT_FORMAT,
            "exported_at": utcnow().isoformat(),
            "preferences": [_jsonable(asdict(p)) for p in self.preferences()],
            "glossary": [_jsonable(asdict(g)) for g in self.glossary()],
            "episodes": [_jsonable(asdict(e)) for e in reversed(self.episodes(limit=10**9))],
        }

    def import_data(self, data: dict[str, Any]) -> int:
        """Adds what :meth:`export` wrote (preferences and terms replace those of the same
        name; episodes are added). Returns the number of items read.

        Raises:
            MemoryItemError: It is not an Aiser memory export.
        """
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise MemoryItemError(
                "This file is not an Aiser memory export.",
                hint=f"Export memory with 'aiser memory export'; its format is {EXPORT_FORMAT}.",
            )
        count = 0
        for p in data.get("preferences", []):
            self.set_preference(p["key"], p["value"], p.get("origin", "edited"), p.get("said"))
            count += 1
        for g in data.get("glossary", []):
            self.set_term(g["term"], g["definition"])
            count += 1
        for e in data.get("episodes", []):
            episode_id = self.add_episode(
                e["conversation"],
                e["question"],
                e.get("sql"),
                list(e.get("columns", [])),
                int(e.get("row_count", 0)),
                e.get("answer", ""),
                e.get("chart"),
                e.get("provider", ""),
            )
            if e.get("feedback"):
                self.set_feedback(episode_id, int(e["feedback"]))
            with self.state.session() as s:
                s.execute(
                    update(MemoryEpisodeRecord)
                    .where(MemoryEpisodeRecord.id == episode_id)
                    .values(asked_at=datetime.fromisoformat(e["asked_at"]))
                )
            count += 1
        return count

    # -------------------------------------------------------------- the file
    def scrub(self) -> None:
        """Removes deleted text from the file for real: merges the FTS5 segments, rewrites
        the file (VACUUM) and empties the write-ahead log."""
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            con.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
            con.execute("VACUUM")
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()

    def _ensure_fts(self) -> None:
        with self.state.session() as s:
            found = s.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                {"n": FTS},
            ).first()
            if found:
                return
            s.execute(
                text(
                    f"CREATE VIRTUAL TABLE {FTS} USING fts5(question, answer, "
                    "tokenize = 'porter unicode61')"
                )
            )
            s.execute(
                text(
                    f"INSERT INTO {FTS}(rowid, question, answer) "
                    "SELECT id, question, answer FROM memory_episodes"
                )
            )


def write_export(store: MemoryStore, path: Path) -> int:
    """Writes all memory to a JSON file; returns the number of items."""
    data = store.export()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return sum(len(data[k]) for k in ("preferences", "glossary", "episodes"))


def read_export(path: Path) -> dict[str, Any]:
    """A memory export read back.

    Raises:
        MemoryItemError: The file is missing or is not JSON (the message names the line).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MemoryItemError(f"Cannot read {str(path)!r}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise MemoryItemError(
            f"{str(path)!r} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            hint="Use a file written by 'aiser memory export'.",
        ) from exc
    if not isinstance(data, dict):
        raise MemoryItemError(f"{str(path)!r} is not an Aiser memory export.")
    return data


def utcnow() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def _episode(r: Any) -> Episode:
    """An episode from its ORM record or a plain row of its table."""
    return Episode(
        r.id,
        r.conversation,
        r.question,
        r.sql,
        list(r.columns or []),
        r.row_count,
        r.answer,
        dict(r.chart) if r.chart else None,
        r.provider,
        r.feedback,
        _utc(r.asked_at),
    )
