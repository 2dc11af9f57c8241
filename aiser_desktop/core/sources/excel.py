"""Excel workbooks (.xlsx): every sheet that holds cells is a table, read by DuckDB's excel
extension (``read_xlsx``).

An .xlsx file is a zip archive of XML files. Before DuckDB opens one, the archive's directory
is read with the standard library: the sheets are listed from ``xl/workbook.xml`` and its
relationships (chart sheets are left out, they hold no cells), and an archive that would unpack
to an absurd size, or at an absurd ratio, is refused. That is the zip bomb guard: such a file is
stopped before any of it is decompressed.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from xml.etree import ElementTree

from aiser_desktop.core.errors import AiserError, SourceError
from aiser_desktop.core.sources.base import SourceSpec, is_glob, sql_string
from aiser_desktop.core.sources.files import DuckDBFileConnector, explain, options_sql

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

# A workbook Excel itself writes stays far below these: a full sheet of 1,048,576 rows is a
# few GB of XML, and sheet XML compresses 5-30 times (a sheet of one repeated value, ~100x).
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_RATIO = 250  # unpacked / packed, for a member larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 16 * 1024**2
MAX_MEMBERS = 20_000
MAX_WORKBOOK_XML_BYTES = 16 * 1024**2  # xl/workbook.xml and its relationships
_CELL_PEEK_BYTES = 1024**2  # read from the start of a sheet to see whether it has any cell

_WORKSHEET_REL = "/worksheet"
_CELL_RE = re.compile(rb"<(?:\w+:)?c[\s>/]")


@dataclass(frozen=True)
class Sheet:
    """A worksheet of a workbook: its name and the zip member holding its XML."""

    name: str
    member: str


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ElementTree.Element, name: str) -> str:
    """An attribute by its local name, whatever its namespace (``r:id``)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _not_a_workbook(path: Path) -> SourceError:
    with path.open("rb") as handle:
        head = handle.read(4096)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and "\x00" not in text:
        return SourceError(
            f"{str(path)!r} is a text file, not an Excel workbook (an .xlsx file is a zip "
            "archive).",
            hint="If it holds CSV, add it with --connector csv or rename it to .csv; "
            "otherwise save it again from Excel as .xlsx.",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return SourceError(
            f"{str(path)!r} is an old-style Excel workbook (.xls) named .xlsx.",
            hint="Open it in Excel or LibreOffice and save it as .xlsx.",
        )
    return SourceError(
        f"{str(path)!r} is not an Excel workbook: it is not a zip archive, or a damaged one.",
        hint="Save it again from Excel as .xlsx, or copy it again if the copy was cut short.",
    )


def guard(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuses an archive that would unpack to an absurd size or at an absurd ratio.

    Sizes come from the archive's central directory, so nothing is decompressed.

    Raises:
        SourceError: The archive is too large unpacked, or looks like a zip bomb.
    """
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise SourceError(
            f"{str(path)!r} holds {len(members):,} files; a workbook holds a few dozen.",
            hint="This is not a workbook Excel wrote; check where the file comes from.",
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise SourceError(
            f"{str(path)!r} would unpack to {total / 1024**3:,.1f} GB, more than the "
            f"{MAX_UNPACKED_BYTES / 1024**3:.0f} GB Aiser reads from a workbook.",
            hint="Export the sheets you need to CSV or Parquet and add those instead.",
        )
    for member in members:
        packed = max(member.compress_size, 1)
        ratio = member.file_size / packed
        if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise SourceError(
                f"{str(path)!r} looks like a zip bomb: {member.filename} unpacks "
                f"{ratio:,.0f} times larger ({member.file_size / 1024**2:,.0f} MB from "
                f"{packed / 1024**2:,.2f} MB).",
                hint="It was not opened. If you trust the file, export its sheets to CSV "
                "from Excel and add those.",
            )


def _read_xml(archive: zipfile.ZipFile, member: str, path: Path) -> ElementTree.Element:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise SourceError(
            f"{str(path)!r} is a zip archive but not an Excel workbook (it has no {member}).",
            hint="Save it again from Excel as .xlsx.",
        ) from None
    if info.file_size > MAX_WORKBOOK_XML_BYTES:
        raise SourceError(f"{str(path)!r}: {member} is too large to be a workbook's index.")
    try:
        return ElementTree.fromstring(archive.read(member))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise SourceError(
            f"{str(path)!r} is damaged: {member} cannot be read ({exc}).",
            hint="Open it in Excel and save it again, or copy it again.",
        ) from None


def _has_cells(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether the sheet's XML holds at least one cell, reading at most its first MB."""
    try:
        with archive.open(member) as handle:
            head = handle.read(_CELL_PEEK_BYTES)
    except (KeyError, zipfile.BadZipFile, OSError):
        return True  # let DuckDB say what is wrong with it
    return bool(_CELL_RE.search(head)) or len(head) >= _CELL_PEEK_BYTES


def sheets(path: Path) -> list[Sheet]:
    """The worksheets of the workbook at ``path``, in workbook order, without chart sheets.

    Raises:
        SourceError: The file is not a workbook, is damaged, or fails the zip bomb guard.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _not_a_workbook(path) from None
    with archive:
        guard(archive, path)
        workbook = _read_xml(archive, "xl/workbook.xml", path)
        relations = _read_xml(archive, "xl/_rels/workbook.xml.rels", path)
        targets: dict[str, str] = {}
        for rel in relations:
            if _attribute(rel, "Type").endswith(_WORKSHEET_REL):
                target = _attribute(rel, "Target")
                target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[_attribute(rel, "Id")] = posixpath.normpath(target)
        found = []
        for element in workbook.iter():
            if _local(element.tag) != "sheet":
                continue
            member = targets.get(_attribute(element, "id"))
            if member is not None:
                found.append(Sheet(_attribute(element, "name"), member))
        return found


class ExcelConnector(DuckDBFileConnector):
    """Excel .xlsx workbooks; each sheet with cells is a table named after the sheet
    (``finance."Q1 budget"``). Options are ``read_xlsx``'s: header, all_varchar, range,
    stop_at_empty, empty_as_varchar, ignore_errors."""

    name = "excel"
    label = "Excel workbook"
    suffixes = (".xlsx", ".xlsm")
    reader = "read_xlsx"
    MULTI_TABLE = True
    EXTENSIONS = ("excel",)
    many_files: ClassVar[Mapping[str, Any]] = {}

    def check(self, spec: SourceSpec) -> None:
        if is_glob(spec.location) or Path(spec.location).is_dir():
            raise SourceError(
                f"Add workbooks one at a time ({spec.location!r} stands for several files).",
                hint="Each workbook is a source of its own, with a table per sheet.",
            )
        super().check(spec)
        self._sheets(spec)  # not a workbook, damaged, or a zip bomb: refused before DuckDB

    def tables(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[str]:
        return [sheet.name for sheet in self._sheets(spec)]

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        options = options_sql({**self.arguments(spec), "sheet": table})
        return f"read_xlsx({sql_string(spec.location)}{options})"

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        text = str(exc)
        if "Failed to open zip" in text:
            return _not_a_workbook(Path(spec.location))
        if "No rows found" in text:
            return SourceError(
                f"A sheet of {spec.location!r} has no rows to read.",
                hint="Give the cells to read with --option range=A1:D100, or remove the "
                "empty sheet.",
            )
        return explain(self.label, spec, exc)

    def _sheets(self, spec: SourceSpec) -> list[Sheet]:
        path = Path(spec.location)
        listed = sheets(path)
        with zipfile.ZipFile(path) as archive:
            usable = [s for s in listed if _has_cells(archive, s.member)]
        if not usable:
            raise SourceError(
                f"{str(path)!r} has no sheet with any cells in it.",
                hint="Check that you picked the right workbook.",
            )
        return usable
