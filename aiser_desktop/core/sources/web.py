"""Web sources: CSV, Parquet and JSON at an HTTP(S) address or in a bucket (S3, GCS).

DuckDB's httpfs extension fetches them. A web source always needs the network, so it is
refused unless the person allowed the network for it, and it is always imported: the copy in the
workspace stays usable offline, and a refresh that cannot reach the address keeps the copy
fetched before.

An HTTP(S) file is downloaded by Python (urllib) into a temporary folder, in chunks, so the
download can be cancelled at once and a stalled server gives up after a timeout; a bucket is
read by DuckDB's httpfs. Either way the reading runs in a private, in-memory DuckDB connection
that lives only for the copy and hands the rows over as Arrow. So httpfs is never loaded into the
workspace's session: allowing the network for one source does not let a URL typed later in the
SQL editor reach the internet, and a token never outlives the fetch.

Credentials never go into the workspace. A token (the source's secret) becomes a temporary
DuckDB secret scoped to that one address (``Authorization: Bearer …``); a password given with a
user name in the URL (``https://ann:pw@host/x.csv``) is sent as basic authentication; for a
bucket, the secret is the secret access key and ``options["key_id"]`` the key's id.
"""

from __future__ import annotations

import base64
import contextlib
import re
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from aiser_desktop.core.engine import extensions
from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import AiserError, QueryCancelledError, SourceError
from aiser_desktop.core.security import secrets
from aiser_desktop.core.sources.base import (
    Connector,
    Kind,
    SourceSpec,
    format_suffix,
    quote_ident,
    sql_literal,
    sql_string,
    url_scheme,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection

BATCH_ROWS = 100_000

OBJECT_STORE_SCHEMES = ("s3", "gs", "gcs")

# Suffix (or options["format"]) -> the format.
_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "json",
    ".jsonl": "json",
}
_FORMAT_NAMES = {"csv": "csv", "tsv": "csv", "parquet": "parquet", "json": "json",
                 "ndjson": "json", "jsonl": "json"}  # fmt: skip
# Format -> DuckDB's reader and the arguments it always gets (the person's options follow).
_READERS: dict[str, tuple[str, dict[str, Any]]] = {
    "csv": ("read_csv", {"auto_detect": True}),
    "parquet": ("read_parquet", {}),
    "json": ("read_json_auto", {}),
}
_OPTION_RE = re.compile(r"^[a-z_]+$")
# Options that describe the connection, not the file: never passed to the reader.
_STORE_OPTIONS = frozenset({"format", "key_id", "region", "endpoint", "url_style", "use_ssl"})
_STATUS_RE = re.compile(r"\(HTTP (\d{3})([^)]*)\)")
_KEPT = "Nothing in the workspace was changed; a copy fetched before stays usable."
_UNREACHABLE = (
    "Could not connect",
    "Could not establish connection",
    "Connection refused",
    "Could not resolve",
    "Failed to connect",
    "Timeout",
    "timed out",
    "Unable to connect",
)


def _httpfs(con: DuckDBPyConnection) -> None:
    con.execute(f"LOAD {sql_string(str(extensions.extension_file('httpfs')))}")


def _secret_name(spec: SourceSpec) -> str:
    return quote_ident(f"aiser_source_{spec.attach_name}")


def prepare_object_store(con: DuckDBPyConnection, spec: SourceSpec) -> None:
    """Loads httpfs and, when the source has a secret, makes it a temporary DuckDB secret
    for the source's bucket only (never saved: it lives as long as the session).

    Raises:
        SourceError: A secret was given without ``options["key_id"]``.
    """
    _httpfs(con)
    if not spec.secret:
        return
    scheme = url_scheme(spec.location)
    key_id = spec.options.get("key_id")
    if not key_id:
        raise SourceError(
            f"A secret key was given for {spec.location!r} but not the key's id.",
            hint="Give the access key id as the option key_id (the secret key stays in the "
            "keyring).",
        )
    parts = [
        f"TYPE {'s3' if scheme == 's3' else 'gcs'}",
        f"KEY_ID {sql_string(str(key_id))}",
        f"SECRET {sql_string(spec.secret)}",
    ]
    for option in ("region", "endpoint", "url_style"):
        if spec.options.get(option):
            parts.append(f"{option.upper()} {sql_string(str(spec.options[option]))}")
    if "use_ssl" in spec.options:
        parts.append(f"USE_SSL {'true' if spec.options['use_ssl'] else 'false'}")
    bucket = urlsplit(spec.location).netloc
    parts.append(f"SCOPE {sql_string(f'{scheme}://{bucket}/')}")
    con.execute(f"CREATE OR REPLACE TEMPORARY SECRET {_secret_name(spec)} ({', '.join(parts)})")


class WebConnector(Connector):
    """A file at an HTTP(S) address or in a bucket, copied into the workspace."""

    name = "web"
    label = "Web address"
    KIND = Kind.WEB
    schemes = ("http", "https", *OBJECT_STORE_SCHEMES)
    NEEDS_NETWORK = True
    # Always a snapshot: the last fetched copy stays usable offline.
    CAN_LINK = False

    def accepts(self, location: str) -> bool:
        scheme = url_scheme(location)
        if scheme in OBJECT_STORE_SCHEMES:
            # A bucket folder with no file suffix is a lake table (see lakes.py).
            return _suffix_format(location) is not None
        return scheme in ("http", "https")

    def check(self, spec: SourceSpec) -> None:
        self.format_of(spec)
        for key, value in spec.options.items():
            if not _OPTION_RE.match(key):
                raise SourceError(
                    f"{key!r} is not a reading option.",
                    hint="Options are DuckDB reader arguments such as delim or header.",
                )
            sql_literal(value)

    def format_of(self, spec: SourceSpec) -> str:
        """The file connector that reads the source: csv, parquet or json.

        Raises:
            SourceError: Neither ``options["format"]`` nor the address says which.
        """
        given = spec.options.get("format")
        if given:
            fmt = _FORMAT_NAMES.get(str(given).lower())
            if fmt is None:
                raise SourceError(
                    f"{given!r} is not a format Aiser reads from the web.",
                    hint="Use format csv, parquet or json.",
                )
            return fmt
        fmt = _suffix_format(spec.location)
        if fmt is None:
            raise SourceError(
                f"Cannot tell the format of {self._shown(spec)!r} from its address.",
                hint="Give the format as an option (format=csv, parquet or json).",
            )
        return fmt

    def __init__(self) -> None:
        self._fetching: set[DuckDBPyConnection] = set()
        self._downloads: set[_Download] = set()
        self._lock = threading.Lock()

    def interrupt(self) -> None:
        with self._lock:
            for con in self._fetching:
                con.interrupt()
            for download in self._downloads:
                download.cancel()

    def read_arrow(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        """Fetches the source in a private DuckDB connection and streams it as Arrow."""
        import duckdb

        con = duckdb.connect(
            config={
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "allow_community_extensions": False,
                "extension_directory": str(Path(tempfile.gettempdir()) / "aiser-web-fetch"),
            }
        )
        folder: Path | None = None
        with self._lock:
            self._fetching.add(con)
        try:
            folder = Path(tempfile.mkdtemp(prefix="aiser-web-"))
            source: str | None = None
            if url_scheme(spec.location) in OBJECT_STORE_SCHEMES:
                prepare_object_store(con, spec)
            else:
                local = folder / (Path(urlsplit(spec.location).path).name or "download")
                self._download(spec, local)
                source = str(local)
            # Copied to a private temporary Parquet file, then streamed from disk: memory
            # stays bounded however large the file, and the fetch is over before the
            # workspace reads a row.
            copy = folder / "fetched.parquet"
            scan = self.scan(spec, source)
            con.execute(f"COPY (SELECT * FROM {scan}) TO {sql_string(str(copy))}")
        except BaseException:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            with self._lock:
                self._fetching.discard(con)
            con.close()
        return _streamed(copy)

    def _download(self, spec: SourceSpec, target: Path) -> None:
        """Downloads an HTTP(S) source to ``target``, cancellable between chunks.

        Raises:
            SourceError: The server answered with an error or could not be reached.
            QueryCancelledError: The engine was interrupted.
        """
        download = _Download(spec)
        with self._lock:
            self._downloads.add(download)
        try:
            download.to(target)
        except urllib.error.HTTPError as exc:
            raise self._status_error(spec, exc.code, _phrase(exc.code)) from None
        except (urllib.error.URLError, OSError) as exc:
            if download.cancelled:
                raise QueryCancelledError() from None
            reason = getattr(exc, "reason", exc)
            raise self._unreachable(spec, secrets.redact(str(reason), spec.secret)) from None
        finally:
            with self._lock:
                self._downloads.discard(download)

    def scan(self, spec: SourceSpec, source: str | None = None) -> str:
        """The DuckDB reader call that reads the source (or its downloaded copy)."""
        reader, defaults = _READERS[self.format_of(spec)]
        options = {k: v for k, v in spec.options.items() if k not in _STORE_OPTIONS}
        arguments = "".join(
            f", {key} = {sql_literal(value)}" for key, value in {**defaults, **options}.items()
        )
        return f"{reader}({sql_string(source or _fetch_url(spec))}{arguments})"

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        error = exc if isinstance(exc, AiserError) else translate(exc, "")
        message = secrets.redact(error.message, spec.secret)
        status = _STATUS_RE.search(message)
        if status:
            return self._status_error(spec, int(status.group(1)), status.group(2).strip())
        if any(word.lower() in message.lower() for word in _UNREACHABLE):
            return self._unreachable(spec, message)
        return None

    def _status_error(self, spec: SourceSpec, code: int, reason: str) -> SourceError:
        where = self._shown(spec)
        said = f"HTTP {code} {reason}".strip()
        if code == 404:
            return SourceError(
                f"{where!r} answered {said}: there is no file at that address.",
                hint=f"Check the address (open it in a browser). {_KEPT}",
            )
        if code in (401, 403):
            return SourceError(
                f"{where!r} refused access ({said}).",
                hint="Give the source a token or password that may read it (it is kept "
                f"in the OS keyring). {_KEPT}",
            )
        return SourceError(f"{where!r} answered {said}.", hint=f"Try again later. {_KEPT}")

    def _unreachable(self, spec: SourceSpec, message: str) -> SourceError:
        host = urlsplit(spec.location).hostname or spec.location
        return SourceError(
            f"Cannot reach {host!r} to fetch {self._shown(spec)!r}: {message}",
            hint=f"Check that the server is up and this computer is online. {_KEPT}",
        )

    @staticmethod
    def _shown(spec: SourceSpec) -> str:
        return secrets.redact(spec.location, spec.secret)


def _phrase(code: int) -> str:
    """HTTP's standard words for a status code ("Not Found"), not the server's own."""
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


class _Download:
    """One HTTP(S) download, in chunks; :meth:`cancel` stops it from another thread."""

    TIMEOUT = 30.0  # seconds without a byte before a stalled server is given up
    CHUNK = 65_536

    def __init__(self, spec: SourceSpec) -> None:
        parts = urlsplit(spec.location)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        self.url = urlunsplit(parts._replace(netloc=netloc))
        self.headers = {"User-Agent": "Aiser Desktop"}
        if spec.secret and parts.username:
            pair = f"{unquote(parts.username)}:{spec.secret}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        elif spec.secret:
            self.headers["Authorization"] = f"Bearer {spec.secret}"
        self.cancelled = False
        self._response: Any = None

    def to(self, target: Path) -> None:
        request = urllib.request.Request(self.url, headers=self.headers)
        with urllib.request.urlopen(request, timeout=self.TIMEOUT) as response:
            self._response = response
            with target.open("wb") as out:
                while chunk := response.read(self.CHUNK):
                    if self.cancelled:
                        raise QueryCancelledError()
                    out.write(chunk)
        if self.cancelled:
            raise QueryCancelledError()

    def cancel(self) -> None:
        self.cancelled = True
        response = self._response
        if response is not None:
            # Wakes a read that waits on a slow server; closing from another thread may race
            # the reader, which is harmless.
            with contextlib.suppress(Exception):
                response.close()


def _streamed(path: Path) -> pa.RecordBatchReader:
    """The Parquet file at ``path`` as a stream of batches; its folder is removed once the
    last batch is read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            yield from source.iter_batches(batch_size=BATCH_ROWS)
        finally:
            source.close()
            shutil.rmtree(path.parent, ignore_errors=True)

    return pa.RecordBatchReader.from_batches(source.schema_arrow, batches())


def _suffix_format(location: str) -> str | None:
    return _FORMATS.get(format_suffix(Path(urlsplit(location).path)))


def _fetch_url(spec: SourceSpec) -> str:
    """The address DuckDB fetches: with the password back in it for basic authentication."""
    parts = urlsplit(spec.location)
    if not (spec.secret and parts.username) or url_scheme(spec.location) not in ("http", "https"):
        return spec.location
    netloc = f"{parts.username}:{quote(spec.secret, safe='')}@{parts.netloc.rsplit('@', 1)[-1]}"
    return urlunsplit(parts._replace(netloc=netloc))
