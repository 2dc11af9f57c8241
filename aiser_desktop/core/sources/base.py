"""The connector interface: a few required methods, capability flags for the rest.

A connector tells the engine how to read one kind of source. File formats that DuckDB reads
natively only say how, as a DuckDB relation expression (``read_csv('...')``); DuckDB then does
the work, which is the fastest path there is. Connectors register under the entry-point group
``aiser_desktop.connectors`` (see :mod:`aiser_desktop.core.sources.registry`); the built-ins
register the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from aiser_desktop.core.errors import missing_file

COMPRESSION_SUFFIXES = (".gz", ".zst")


def sql_string(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def format_suffix(path: Path) -> str:
    """The suffix that names the format, looking past .gz/.zst ("x.csv.gz" -> ".csv")."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


class Connector(ABC):
    """One kind of source.

    Class attributes:
        name: The registered name ("csv").
        label: For people ("CSV file").
        suffixes: File suffixes this connector reads, lower case, with the dot.
        MULTI_TABLE: A source of this kind can hold several tables (then queried as
            ``source.table``).
        IMPLEMENTS_CANCEL: Reading can be interrupted (true for everything DuckDB reads).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]] = ()
    MULTI_TABLE: ClassVar[bool] = False
    IMPLEMENTS_CANCEL: ClassVar[bool] = True

    def check(self, location: str) -> None:
        """Raises a clear error when the source cannot be there (a missing file, say)."""
        path = Path(location)
        if not path.exists():
            raise missing_file(path)

    def tables(self, location: str, options: Mapping[str, Any]) -> list[str]:
        """The tables inside the source; a single-table source returns ``[""]``."""
        return [""]

    @abstractmethod
    def scan_sql(self, location: str, table: str, options: Mapping[str, Any]) -> str:
        """A DuckDB relation expression that reads ``table`` of the source."""
