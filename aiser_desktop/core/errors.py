"""Typed exceptions whose messages a person can act on.

Every error the core raises on purpose derives from :class:`AiserError`. Its ``str()`` is the
sentence shown to a person: what happened, where, and what to do next (STYLE.md point 12). The
full traceback goes to the log, never to the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AiserError(Exception):
    """Base class of the errors a person reads.

    Args:
        message: What happened, in plain words.
        hint: What to do next. Appended to the message when shown.
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class WorkspaceError(AiserError):
    """The workspace folder cannot be opened or used."""


class WorkspaceLockedError(WorkspaceError):
    """Another Aiser process already has the workspace open."""


class SettingsError(AiserError):
    """The settings file cannot be read."""


class SourceError(AiserError):
    """A source cannot be added, read or removed."""


class SourceNotFoundError(SourceError):
    """A file or a named source does not exist."""


class UnsupportedFormatError(SourceError):
    """A file's format is not one a connector can read."""


class NameClashError(SourceError):
    """A source or table name is already taken."""


class ConnectorNotFoundError(SourceError):
    """No installed connector has the requested name."""


class ExtensionError(AiserError):
    """A DuckDB extension is not installed with the app or fails to load."""


@dataclass(frozen=True)
class SqlPosition:
    """Where in a SQL text an error points.

    Attributes:
        offset: 0-based character offset into the SQL text.
        line: 1-based line number.
        column: 1-based column number.
    """

    offset: int
    line: int
    column: int

    @classmethod
    def from_offset(cls, sql: str, offset: int) -> SqlPosition:
        """Turns a character offset into a line and column of ``sql``."""
        offset = max(0, min(offset, len(sql)))
        before = sql[:offset]
        line = before.count("\n") + 1
        column = offset - (before.rfind("\n") + 1) + 1
        return cls(offset=offset, line=line, column=column)


class QueryError(AiserError):
    """DuckDB rejected or failed a statement.

    Attributes:
        sql: The SQL text that failed.
        kind: DuckDB's error class in words ("Parser", "Binder", "Catalog", ...).
        position: Where the error points, when DuckDB says.
    """

    def __init__(
        self,
        message: str,
        *,
        sql: str = "",
        kind: str = "",
        position: SqlPosition | None = None,
        hint: str = "",
    ) -> None:
        self.sql = sql
        self.kind = kind
        self.position = position
        super().__init__(message, hint=hint)

    def __str__(self) -> str:
        where = ""
        if self.position is not None:
            where = f" at line {self.position.line}, column {self.position.column}"
        kind = f"{self.kind} error" if self.kind else "SQL error"
        text = f"{kind}{where}: {self.message}"
        if self.position is not None and self.sql:
            text += "\n" + caret_excerpt(self.sql, self.position)
        return f"{text}\n{self.hint}" if self.hint else text


class QueryCancelledError(AiserError):
    """The person (or the app) cancelled a running query."""

    def __init__(self, message: str = "The query was cancelled.") -> None:
        super().__init__(message)


def caret_excerpt(sql: str, position: SqlPosition, width: int = 100) -> str:
    """Returns the line of ``sql`` that holds ``position`` with a caret under the column."""
    lines = sql.splitlines() or [""]
    text = lines[min(position.line, len(lines)) - 1]
    col = position.column - 1
    start = max(0, col - width // 2) if len(text) > width else 0
    shown = text[start : start + width]
    prefix = f"  {position.line} | "
    return f"{prefix}{shown}\n{' ' * (len(prefix) + col - start)}^"


def missing_file(path: Path, what: str = "file") -> SourceNotFoundError:
    """The error for a path that does not exist, with the folder it looked in."""
    return SourceNotFoundError(
        f"The {what} {str(path)!r} does not exist.",
        hint=f"Check the path; the folder {str(path.parent.resolve())!r} was searched.",
    )
