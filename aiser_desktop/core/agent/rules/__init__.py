"""The rules provider: common analytics questions answered without any model.

:func:`interpret` reads a question against the workspace's :class:`SchemaIndex` (its
tables, columns, words, synonyms, joins and values) and returns an
:class:`Interpretation` (one read-only SELECT, what it assumed, how sure it is, a chart hint
and the structured plan for follow-ups) or a :class:`Refusal` saying plainly why the data
cannot answer. It never guesses around a word it cannot place, and never writes.

    index = SchemaIndex.for_workspace(ws)
    result = interpret("average arrival delay by carrier", index, history=[])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiser_desktop.core.agent.schema_index import SchemaIndex
    from aiser_desktop.core.agent.types import Interpretation, Knowledge, Refusal, Turn

__all__ = ["interpret"]


def interpret(
    question: str,
    index: SchemaIndex,
    history: Sequence[Turn] = (),
    knowledge: Knowledge | None = None,
) -> Interpretation | Refusal:
    """Reads ``question`` against the workspace's schema, with what memory knows (see
    :func:`aiser_desktop.core.agent.rules.interpreter.interpret`)."""
    # Imported on first use: the schema index imports this package's vocabulary, so the
    # package must not import the index while it loads (and the app starts faster).
    from aiser_desktop.core.agent.rules.interpreter import interpret as run

    return run(question, index, history, knowledge)
