"""The built-in file connectors read by DuckDB itself: CSV/TSV, Parquet, JSON/NDJSON and Avro.

A folder or a glob (``sales/*.csv``) is read as one table, its files matched by column name
(``union_by_name``). Reading options are the named arguments of the DuckDB reader, kept with the
source.

A single CSV file is sniffed once when it is added, and the dialect and column types DuckDB
found are written into the reader's call (what ``sniff_csv`` calls its prompt). A linked view
then never sniffs again: its first page comes back without reading the file's head once more,
and its columns stay the ones in the catalog. A file whose rows have different lengths is
sniffed again with ``null_padding``, because DuckDB otherwise reads it as one text column.

Encodings: DuckDB reads UTF-8, UTF-16 (little-endian) and Latin-1 itself. Others (cp1252,
UTF-16 big-endian, ...) go through DuckDB's ``encodings`` extension when it is installed (its
package weighs 350 MB, so it is optional), or else are decoded by Python into a UTF-8 copy that
DuckDB reads and hands over as Arrow: such a source can only be imported (its default mode).
"""

from __future__ import annotations

import codecs
import contextlib
import importlib.util
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from aiser_desktop.core.engine import extensions
from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import AiserError, SourceError
from aiser_desktop.core.sources.base import (
    COMPRESSION_SUFFIXES,
    Connector,
    SourceSpec,
    file_pattern,
    is_glob,
    matching_files,
    refuse_empty_files,
    sql_literal,
    sql_string,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection

_OPTION_RE = re.compile(r"^[a-z_]+$")

# Settings of the private connections that sniff and transcode: nothing is downloaded.
_OFFLINE = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}

# Python's codec name -> the name DuckDB's CSV reader knows without any extension.
_NATIVE_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16",
                     "utf-16-le": "utf-16", "iso8859-1": "latin-1"}  # fmt: skip
_UTF16_BE_BOM = b"\xfe\xff"
_UTF16_LE_BOM = b"\xff\xfe"
_HEAD_BYTES = 4096
_ENCODINGS_PACKAGE = "duckdb_extension_encodings"


def options_sql(options: Mapping[str, Any]) -> str:
    """``options`` as extra named arguments of a DuckDB reader: ", nullstr = 'NA'"."""
    for key in options:
        if not _OPTION_RE.match(key):
            raise SourceError(f"{key!r} is not a reading option.")
    return "".join(f", {key} = {sql_literal(value)}" for key, value in options.items())


def _private_connection(extension_names: tuple[str, ...] = ()) -> DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(config=dict(_OFFLINE))
    con.execute("SET errors_as_json = true")
    for name in extension_names:
        path = str(extensions.extension_file(name)).replace("'", "''")
        con.execute(f"LOAD '{path}'")
    return con


def _is_compressed(path: Path) -> bool:
    return bool(path.suffixes) and path.suffixes[-1].lower() in COMPRESSION_SUFFIXES


class DuckDBFileConnector(Connector):
    """A file format DuckDB reads with a table function; reading options become its named
    arguments (``read_csv('x.csv', nullstr = ['NA'])``).

    Class attributes:
        reader: The DuckDB table function.
        defaults: Options always passed (the person's own override them).
        many_files: Options added when the location stands for several files.
    """

    reader: ClassVar[str]
    defaults: ClassVar[Mapping[str, Any]] = {}
    many_files: ClassVar[Mapping[str, Any]] = {"union_by_name": True}

    def check(self, spec: SourceSpec) -> None:
        super().check(spec)
        refuse_empty_files(spec.location)

    def arguments(self, spec: SourceSpec) -> dict[str, Any]:
        """The reader's named arguments for ``spec``: defaults, then the person's options."""
        several = is_glob(spec.location) or Path(spec.location).is_dir()
        return {**self.defaults, **(self.many_files if several else {}), **spec.options}

    def scan_sql(self, spec: SourceSpec, table: str) -> str | None:
        pattern = sql_string(file_pattern(spec.location))
        return f"{self.reader}({pattern}{options_sql(self.arguments(spec))})"

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        return explain(self.label, spec, exc)


class CsvConnector(DuckDBFileConnector):
    """CSV and TSV files, plain or compressed (.gz, .zst); DuckDB sniffs the delimiter, the
    header and the types. A file with only a header is an empty table with those columns."""

    name = "csv"
    label = "CSV file"
    suffixes = (".csv", ".tsv", ".txt")
    reader = "read_csv"
    defaults: ClassVar[Mapping[str, Any]] = {"auto_detect": True}

    def check(self, spec: SourceSpec) -> None:
        super().check(spec)
        encoding = spec.options.get("encoding")
        if encoding is not None:
            _python_codec(str(encoding))  # an unknown name is refused before anything is read
        for path in matching_files(spec.location)[:1]:
            if not _is_compressed(path) and encoding is None:
                refuse_binary(path, self.label)

    def can_link(self, spec: SourceSpec) -> bool:
        # An encoding DuckDB cannot read is decoded by Python into a copy: nothing to link.
        return _reading(spec)[1] != "python"

    def __init__(self) -> None:
        # Dialects sniffed by tables() on the writer, picked up by scan_sql() right after:
        # sniffing on the engine's own connection spares opening a DuckDB instance for it.
        self._sniffs: dict[tuple[str, ...], str] = {}
        self._lock = threading.Lock()

    def attach(self, con: DuckDBPyConnection, spec: SourceSpec) -> None:
        """Loads DuckDB's encodings extension when the source's encoding needs it: the view
        of a linked source needs it in every session, not only when it was added."""
        if _reading(spec)[1] == "extension":
            path = str(extensions.extension_file("encodings")).replace("'", "''")
            con.execute(f"LOAD '{path}'")

    def tables(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[str]:
        how, arguments = self._plan(spec)
        self.attach(con, spec)
        if how != "python" and self._sniffable(spec, arguments):
            sniffed = _sniffed(con, spec.location, arguments)
            with self._lock:
                self._sniffs[_sniff_key(spec)] = sniffed
        return [""]

    def scan_sql(self, spec: SourceSpec, table: str) -> str | None:
        how, arguments = self._plan(spec)
        if how == "python":
            return None  # read_arrow decodes it
        if not self._sniffable(spec, arguments):
            pattern = spec.location if arguments.get("auto_detect") is False else None
            pattern = pattern or file_pattern(spec.location)
            return f"read_csv({sql_string(pattern)}{options_sql(arguments)})"
        with self._lock:
            sniffed = self._sniffs.pop(_sniff_key(spec), None)
        if sniffed is not None:
            return sniffed
        con = _private_connection(("encodings",) if how == "extension" else ())
        try:
            return _sniffed(con, spec.location, arguments)
        finally:
            con.close()

    def _plan(self, spec: SourceSpec) -> tuple[str, dict[str, Any]]:
        """Who decodes the file (see :func:`_reading`) and the reader's arguments."""
        encoding, how = _reading(spec)
        arguments = self.arguments(spec)
        if encoding is not None and how != "python":
            arguments["encoding"] = encoding
        return how, arguments

    @staticmethod
    def _sniffable(spec: SourceSpec, arguments: Mapping[str, Any]) -> bool:
        """One file, types left to DuckDB: then the sniffed dialect is written into the call.
        Several files are sniffed by DuckDB each time (their columns are matched by name)."""
        several = is_glob(spec.location) or Path(spec.location).is_dir()
        return not several and arguments.get("auto_detect") is not False

    def read_arrow(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        """A CSV in an encoding DuckDB cannot read: decoded by Python into a UTF-8 copy, read
        by DuckDB with the same options, and handed over as Arrow (the copy is deleted).
        The table is built in memory first, so that a reading error can name the original
        file; files in such encodings are seldom large."""
        codec = _reading(spec)[0] or "utf-8"
        files = matching_files(spec.location)
        if len(files) != 1 or is_glob(spec.location) or Path(spec.location).is_dir():
            raise SourceError(
                f"Aiser cannot read several {codec} files as one table ({spec.location!r}).",
                hint="Add the files one by one, or convert them to UTF-8 first "
                f"(iconv -f {codec} -t utf-8).",
            )
        source = files[0]
        arguments = {k: v for k, v in self.arguments(spec).items() if k != "encoding"}
        with tempfile.TemporaryDirectory(prefix="aiser-transcode-") as folder:
            copy = Path(folder) / "utf8.csv"
            _transcode(source, copy, codec)
            con = _private_connection()
            try:
                sql = _sniffed(con, str(copy), arguments)
                result = con.execute(f"SELECT * FROM {sql}").to_arrow_table()
            except Exception as exc:
                error = explain(self.label, spec, exc, rename={str(copy): source})
                raise (error or exc) from exc
            finally:
                con.close()
        return result.to_reader()


def _reading(spec: SourceSpec) -> tuple[str | None, str]:
    """The encoding of a CSV source and who decodes it.

    Returns:
        (encoding, how): ``how`` is "duckdb" (UTF-8, UTF-16 little-endian, Latin-1; the
        encoding is then DuckDB's name for it, None for UTF-8 unless given), "extension"
        (DuckDB's encodings extension is installed; the person's name for it) or "python"
        (Python's codec name).
    """
    given = spec.options.get("encoding")
    codec = _python_codec(str(given)) if given is not None else None
    files = matching_files(spec.location)
    bom = b""
    if files and not _is_compressed(files[0]):
        with files[0].open("rb") as handle:
            bom = handle.read(2)
    if codec is None and bom in (_UTF16_LE_BOM, _UTF16_BE_BOM):
        codec = "utf-16"
    if codec is None:
        return None, "duckdb"
    # DuckDB's UTF-16 is little-endian only: big-endian files come back empty, not failing.
    big_endian = codec == "utf-16-be" or (codec == "utf-16" and bom == _UTF16_BE_BOM)
    if codec in _NATIVE_ENCODINGS and not big_endian:
        return _NATIVE_ENCODINGS[codec], "duckdb"
    if not codec.startswith("utf-16") and importlib.util.find_spec(_ENCODINGS_PACKAGE):
        return str(given), "extension"
    return codec, "python"


def _sniff_key(spec: SourceSpec) -> tuple[str, ...]:
    """What a sniff depends on: the file (as it is now) and the options."""
    stat = Path(spec.location).stat()
    options = repr(sorted(spec.options.items()))
    return (spec.location, options, str(stat.st_size), str(stat.st_mtime_ns))


def _python_codec(name: str) -> str:
    """Python's canonical name of the encoding ``name`` ("latin1" -> "iso8859-1").

    Raises:
        SourceError: Python knows no such encoding.
    """
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        raise SourceError(
            f"{name!r} is not an encoding Aiser knows.",
            hint="Common ones: utf-8, utf-16, latin-1, cp1252 (Windows), cp437, shift_jis.",
        ) from None
    return codec


def _sniffed(con: DuckDBPyConnection, path: str, arguments: dict[str, Any]) -> str:
    """``read_csv(path, ...)`` with the dialect and column types DuckDB sniffs written in.

    Where DuckDB finds a single column and the person set no delimiter, the file is sniffed
    again with ``null_padding``: rows of different lengths otherwise make DuckDB give up on
    the delimiter and read each line as one text value.
    """
    sniff_args = {k: v for k, v in arguments.items() if k != "auto_detect"}

    def sniff(extra: Mapping[str, Any]) -> tuple[str, int]:
        options = options_sql({**sniff_args, **extra})
        row = con.execute(
            f"SELECT Prompt, len(Columns) FROM sniff_csv({sql_string(path)}{options})"
        ).fetchone()
        if row is None:  # sniff_csv always returns a row; this keeps the types honest
            raise SourceError(f"DuckDB could not sniff {path!r}.")
        return str(row[0]), int(row[1])

    prompt, columns = sniff({})
    if columns == 1 and not {"null_padding", "delim", "sep", "columns"} & set(arguments):
        padded, padded_columns = sniff({"null_padding": True})
        if padded_columns > 1:
            prompt = padded
    # "FROM read_csv('x.csv', auto_detect=false, delim=',', ..., columns={...});"
    return prompt.strip().removeprefix("FROM ").rstrip(";").strip()


def _transcode(source: Path, target: Path, codec: str) -> None:
    """Writes ``source`` (in ``codec``, maybe gzip-compressed) to ``target`` as UTF-8.

    Raises:
        SourceError: A byte is not valid in ``codec``; the message gives its line.
    """
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    line = 1
    with _open_raw(source) as raw, target.open("wb") as out:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # The line counts so far are in the decoded text; this chunk's, up to the byte.
                where = line + exc.object[: exc.start].count(b"\n")
                raise SourceError(
                    f"{str(source)!r} is not {codec} text: line {where} has the byte "
                    f"0x{exc.object[exc.start]:02x}, which {codec} does not define.",
                    hint="Give the file's real encoding (--option encoding=utf-8, latin-1, "
                    "cp1252, utf-16, ...).",
                ) from None
            line += text.count("\n")
            out.write(text.encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))


@contextlib.contextmanager
def _open_raw(path: Path) -> Iterator[Any]:
    """The file's bytes, decompressed if it is .gz."""
    if path.suffix.lower() == ".gz":
        import gzip

        with gzip.open(path, "rb") as handle:
            yield handle
    elif path.suffix.lower() == ".zst":
        raise SourceError(
            f"Aiser cannot decode a zstd-compressed file in this encoding ({str(path)!r}).",
            hint="Decompress it first (zstd -d), or convert it to UTF-8.",
        )
    else:
        with path.open("rb") as handle:
            yield handle


class ParquetConnector(DuckDBFileConnector):
    name = "parquet"
    label = "Parquet file"
    suffixes = (".parquet", ".pq")
    reader = "read_parquet"
    CHEAP_COUNT = True


class JsonConnector(DuckDBFileConnector):
    """JSON arrays or objects, and newline-delimited JSON."""

    name = "json"
    label = "JSON file"
    suffixes = (".json", ".ndjson", ".jsonl")
    reader = "read_json_auto"


class AvroConnector(DuckDBFileConnector):
    """Avro object container files, through DuckDB's avro extension. Several files are read
    as one table only when they share one schema (the extension cannot match by name)."""

    name = "avro"
    label = "Avro file"
    suffixes = (".avro",)
    reader = "read_avro"
    EXTENSIONS = ("avro",)
    many_files: ClassVar[Mapping[str, Any]] = {}


# ---------------------------------------------------------------------- errors, in words
_FILE_RES = (
    re.compile(r"^\s*file = (.+?)\s*$", re.MULTILINE),  # the CSV reader's summary
    re.compile(r"""file ["']([^"']+)["']""", re.IGNORECASE),  # JSON, Parquet, Avro, sniffing
)
_LINE_RES = (
    (re.compile(r"CSV Error on Line: (\d+)"), "line"),
    (re.compile(r"\bin line (\d+)"), "line"),
    (re.compile(r"in record/value (\d+)"), "record"),
)
_LINE_SIZE_RE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)")
_MAX_SHOWN = 300  # characters of a reader's own message shown: a line can be megabytes


def _reader_message(exc: Exception) -> str:
    """DuckDB's message without the JSON wrapping (or the exception's text)."""
    if isinstance(exc, AiserError):
        return exc.message
    return translate(exc, "").message


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= _MAX_SHOWN else line[:_MAX_SHOWN] + "…"


def explain(
    label: str,
    spec: SourceSpec,
    exc: Exception,
    rename: Mapping[str, Path] | None = None,
) -> SourceError | None:
    """A person's message for a file reader's error: the file, the line where the reader
    gives one, what went wrong in words and what to do next.

    Args:
        label: The format in words ("CSV file").
        spec: The source being read.
        exc: What DuckDB (or the connector) raised.
        rename: Paths to show as other paths (a temporary UTF-8 copy as the original).

    Returns:
        The error to raise, or None for an interrupt (the manager words cancels).
    """
    import duckdb

    if isinstance(exc, duckdb.InterruptException):
        return None
    if isinstance(exc, SourceError):
        return exc
    text = _reader_message(exc)
    for old, new in (rename or {}).items():
        text = text.replace(old, str(new))
    file = next((m.group(1) for r in _FILE_RES if (m := r.search(text))), spec.location)
    where, line = f"{file!r}", ""
    for pattern, unit in _LINE_RES:
        if found := pattern.search(text):
            line = f"{unit} {found.group(1)}"
            where = f"{line} of {file!r}"
            break
    encoding = str(spec.options.get("encoding", "UTF-8"))

    if found := re.search(r'Invalid named parameter "(\w+)" for function (\w+)', text):
        return _unknown_option(label, found.group(1), found.group(2))
    if "not utf-8 encoded" in text or "Invalid unicode" in text:
        return SourceError(
            f"{_capital(where)} is not {encoding} text.",
            hint="Give the file's encoding: --option encoding=latin-1 (or cp1252 for "
            "Windows files, utf-16, ...).",
        )
    if found := _LINE_SIZE_RE.search(text):
        limit, size = int(found.group(1)), int(found.group(2))
        return SourceError(
            f"{_capital(where)} is {size:,} bytes long, more than the "
            f"{limit:,} bytes a CSV line may have.",
            hint=f"If the file really has lines that long, raise the limit with "
            f"--option max_line_size={size + 1024}; otherwise it is not a CSV file "
            "(check what it holds).",
        )
    if found := re.search(r'Could not convert string "(.*?)" to \'([^\']+)\'', text):
        value, dtype = found.group(1), found.group(2)
        column = re.search(r'converting column "(.*?)"', text)
        name = column.group(1) if column else "?"
        shown = value if len(value) <= 80 else value[:80] + "…"
        return SourceError(
            f"Cannot read {where}: the value {shown!r} in column {name!r} is not a {dtype} "
            "(the type was guessed from the rows at the start of the file).",
            hint="Let DuckDB look at every row before it picks the types "
            "(--option sample_size=-1), or read that column as text "
            f'(--option types=\'{{"{name}": "VARCHAR"}}\').',
        )
    if found := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text):
        expected, got = int(found.group(1)), int(found.group(2))
        fill = "fill short rows with NULL (--option null_padding=true), " if got < expected else ""
        return SourceError(
            f"Cannot read {where}: it has {got} values where the header has {expected}.",
            hint=f"Fix that line (a value with an unquoted delimiter in it?), {fill}or skip "
            "such lines (--option ignore_errors=true).",
        )
    if "sniffing file" in text or "not possible to automatically detect" in text:
        return SourceError(
            f"{file!r} does not look like {label}: DuckDB could not find its delimiter, "
            "quoting and columns.",
            hint="If it is CSV text, give the delimiter (--option delim=';'), quote "
            "(--option quote='\"') or header (--option header=true); if it is another "
            "format, add it with that format's suffix or --connector.",
        )
    if "No magic bytes" in text or "too small to be a Parquet file" in text:
        if not _starts_with(Path(file), b"PAR1"):
            return SourceError(
                f"{file!r} is not a Parquet file (it does not start as one).",
                hint="Check that you picked the right file; give it the suffix of its real format.",
            )
        return SourceError(
            f"{file!r} is not a complete Parquet file: its end is missing or damaged.",
            hint="It was probably cut short while being copied or written: copy or export "
            "it again.",
        )
    if "Malformed JSON" in text:
        detail = text.split(":", 1)[-1].strip().rstrip(".")
        return SourceError(
            f"{_capital(where)} is not valid JSON: {_first_line(detail)}.",
            hint="Fix the JSON there, or export the file again (it may be cut short). "
            "For one JSON object per line, name it .ndjson or give "
            "--option format=newline_delimited.",
        )
    if "Avro container file magic number" in text:
        return SourceError(
            f"{file!r} is not an Avro file (it does not start as one).",
            hint="Check that you picked the right file; give it the suffix of its real format.",
        )
    return SourceError(
        f"Cannot read {where} as {label}: {_first_line(text)}",
        hint="Check that the file is complete and in the format its name says; reading "
        "options (--option KEY=VALUE) change how it is read.",
    )


def _unknown_option(label: str, option: str, function: str) -> SourceError:
    """The error for an option the reader does not take, with the nearest ones it does."""
    import difflib

    reader = "read_csv" if function == "sniff_csv" else function
    known: list[str] = []
    with contextlib.suppress(Exception):  # a reader from an extension is not in a bare DuckDB
        con = _private_connection()
        try:
            row = con.execute(
                "SELECT parameters FROM duckdb_functions() "
                f"WHERE function_name = {sql_string(reader)} LIMIT 1"
            ).fetchone()
        finally:
            con.close()
        known = sorted(str(p) for p in (row[0] if row else []) if str(p) != "col0")
    close = difflib.get_close_matches(option, known, n=3)
    hint = f"Did you mean {' or '.join(close)}? " if close else ""
    if known:
        hint += f"{label}s take: {', '.join(known)}."
    return SourceError(
        f"{option!r} is not a reading option of {label}s ({reader}).",
        hint=hint or f"See DuckDB's documentation of {reader} for the options it takes.",
    )


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:
        return True  # cannot look: keep DuckDB's own reading of it


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def refuse_binary(path: Path, label: str) -> None:
    """Raises a clear error when the head of ``path`` is not text (a NUL byte outside
    UTF-16), so a binary file named .csv is not left to the CSV sniffer's guesses.

    Raises:
        SourceError: The file looks binary, or like UTF-16 without a byte order mark.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if b"\x00" not in head or head.startswith((_UTF16_LE_BOM, _UTF16_BE_BOM)):
        return
    pairs = len(head) // 2 or 1
    if head[1::2].count(0) > 0.9 * pairs or head[0::2].count(0) > 0.9 * pairs:
        order = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        raise SourceError(
            f"{str(path)!r} looks like UTF-16 text without a byte order mark.",
            hint=f"Give its encoding: --option encoding={order}.",
        )
    raise SourceError(
        f"{str(path)!r} is a binary file, not {label.removesuffix(' file')} text.",
        hint="Check that you picked the right file; if it is in another format (Excel, "
        "Parquet, ...), give it that format's suffix or add it with --connector.",
    )
